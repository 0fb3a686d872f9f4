package cordon

import (
	"context"
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
}

// DocumentService reads and writes document records and their content.
type DocumentService interface {
	// FindDocumentByID returns ENOTFOUND when absent.
	FindDocumentByID(ctx context.Context, id int64) (*Document, error)
	// CreateDocument stores the record and its content (content-addressed).
	CreateDocument(ctx context.Context, d *Document, content []byte) error
}
