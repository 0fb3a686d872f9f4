package cordon

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Classification is a technical document's sensitivity. Ordered:
// public < internal < restricted < confidential.
type Classification string

// The classifications.
const (
	ClassPublic       Classification = "public"
	ClassInternal     Classification = "internal"
	ClassRestricted   Classification = "restricted"
	ClassConfidential Classification = "confidential"
)

// Classifications lists every classification, lowest first.
var Classifications = []Classification{ClassPublic, ClassInternal, ClassRestricted, ClassConfidential}

// Rank returns the order of c (0 for public), or -1 when c is unknown.
func (c Classification) Rank() int {
	for i, x := range Classifications {
		if c == x {
			return i
		}
	}
	return -1
}

// Valid reports whether c is a known classification.
func (c Classification) Valid() bool { return c.Rank() >= 0 }

// AtMost reports whether c is at or below ceiling.
func (c Classification) AtMost(ceiling Classification) bool {
	return c.Valid() && ceiling.Valid() && c.Rank() <= ceiling.Rank()
}

// Document is one version of a technical document.
type Document struct {
	ID             int64
	Title          string
	ProductLineID  int64
	ModelID        *int64
	Classification Classification
	Version        string
	PreviousID     *int64 // the version this one supersedes
	MediaType      string // application/pdf, image/png, image/jpeg
	Size           int64
	SHA256         string // hex; also the content address of the file
	UploadedBy     int64
	CreatedAt      time.Time

	ProductLine string // the line's code; filled by finders
}

// DocumentFilter selects documents; nil fields do not filter, except Scope.
type DocumentFilter struct {
	Title       *string // contains, case-insensitive
	ProductLine *string // code
	ModelID     *int64
	// Scope limits the documents to what the caller may see: the zero value
	// shows nothing, All everything, and each grant adds its product lines
	// up to its classification ceiling.
	Scope  ListScope
	Offset int
	Limit  int // 0: all
}

// DocumentUpload is a new document, or a new version of one.
type DocumentUpload struct {
	Title          string
	ProductLine    string
	ModelID        *int64
	Classification Classification
	Version        string
	PreviousID     *int64
	Content        []byte
}

// Download is a document's file as served to one caller: for a partner,
// stamped for that download.
type Download struct {
	Document   *Document
	Content    []byte
	MediaType  string
	SHA256     string // of Content, the bytes served
	DownloadID string
}

// downloadExtensions are the file extensions of the media types served.
var downloadExtensions = map[string]string{"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}

// FileName is the name a download is saved under: ours, never the
// uploader's, from the document id and version only (letters, digits,
// dots and dashes; anything else becomes "_").
func (d *Download) FileName() string {
	ver := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, d.Document.Version)
	return fmt.Sprintf("document-%d-v%s.%s", d.Document.ID, ver, downloadExtensions[d.MediaType])
}

// DocumentLibrary is the technical document library, scoped to the caller.
type DocumentLibrary interface {
	// ListDocuments returns the caller's page of documents and the total.
	ListDocuments(ctx context.Context, f DocumentFilter) ([]*Document, int, error)
	// ViewDocument returns one document; ENOTFOUND alike for one outside
	// the caller's scope and one that does not exist.
	ViewDocument(ctx context.Context, id int64) (*Document, error)
	// DownloadDocument returns the file; a partner's copy carries a visible
	// stamp on every page and its download id. ETOOMANY past the daily quota.
	DownloadDocument(ctx context.Context, id int64) (*Download, error)
	// UploadDocument checks the file by content and stores it; EINVALID or
	// ETOOLARGE for a file that is not an acceptable PDF, PNG or JPEG.
	UploadDocument(ctx context.Context, u DocumentUpload) (*Document, error)
}

// DocumentStore reads and writes document records and their content.
type DocumentStore interface {
	// FindDocuments returns a page of documents, newest first, and the total.
	FindDocuments(ctx context.Context, f DocumentFilter) ([]*Document, int, error)
	// FindContent returns a file by its SHA-256; ENOTFOUND when absent.
	FindContent(ctx context.Context, sha256 string) ([]byte, error)
	// FindDocumentByID returns ENOTFOUND when absent.
	FindDocumentByID(ctx context.Context, id int64) (*Document, error)
	// CreateDocument stores the record and its content (content-addressed).
	CreateDocument(ctx context.Context, d *Document, content []byte) error
}
