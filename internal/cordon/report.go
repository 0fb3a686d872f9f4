package cordon

import (
	"context"
	"encoding/base64"
	"strings"
	"time"
)

// RootCause is the taxonomy of why a fault happened.
type RootCause string

// The root causes.
const (
	CauseDesign        RootCause = "design"
	CauseManufacturing RootCause = "manufacturing"
	CauseComponent     RootCause = "component"
	CauseSoftware      RootCause = "software"
	CauseInstallation  RootCause = "installation"
	CauseOperation     RootCause = "operation"
	CauseEnvironment   RootCause = "environment"
	CauseTransport     RootCause = "transport"
	CauseUnknown       RootCause = "unknown"
)

// RootCauses lists every root cause.
var RootCauses = []RootCause{CauseDesign, CauseManufacturing, CauseComponent, CauseSoftware, CauseInstallation, CauseOperation, CauseEnvironment, CauseTransport, CauseUnknown}

// Valid reports whether r is a known root cause.
func (r RootCause) Valid() bool {
	for _, x := range RootCauses {
		if r == x {
			return true
		}
	}
	return false
}

// ServiceReport is what the technician did and found: one version of the
// job's report. A report is never overwritten: an amendment is a new
// version, with the reason, pointing at the version it amends.
type ServiceReport struct {
	ID          int64
	JobID       int64
	Version     int    // 1 for the first filing
	AmendsID    *int64 // the version this one amends
	Reason      string // why it was amended; "" for the first filing
	Actions     string
	PartsUsed   string
	RootCause   RootCause
	SignoffName string
	SignoffAt   *time.Time
	CreatedBy   int64
	CreatedAt   time.Time
	// Attachments are the files filed with this version (read back only).
	Attachments []*Attachment
}

// Attachment is a file attached to a service report, stored by content.
type Attachment struct {
	ID        int64
	ReportID  int64
	MediaType string
	Size      int64
	SHA256    string
	CreatedAt time.Time
}

// AttachmentUpload is a file attached to a report as it is filed.
type AttachmentUpload struct {
	MediaType string
	Content   []byte
}

// ReportStore stores service reports and customer sign-offs.
type ReportStore interface {
	// CreateReport stores a report for a job.
	CreateReport(ctx context.Context, r *ServiceReport) error
	// FileReport stores a report version and its attachments
	// (content-addressed) in one transaction. r.Version and r.AmendsID say
	// which version it is; ECONFLICT when that version exists meanwhile.
	FileReport(ctx context.Context, r *ServiceReport, files []AttachmentUpload) ([]*Attachment, error)
	// FindReports returns every version of the job's report with its
	// attachments, newest first.
	FindReports(ctx context.Context, jobID int64) ([]*ServiceReport, error)
	// FindAttachment returns an attachment of one of the job's reports and
	// its content; ENOTFOUND when the job has no such attachment.
	FindAttachment(ctx context.Context, jobID, attachmentID int64) (*Attachment, []byte, error)
	// CreateSignOff stores the sign-off, its image (content-addressed) and
	// the timeline event that carries the image's SHA-256, in one
	// transaction.
	CreateSignOff(ctx context.Context, s *SignOff, image []byte, ev *JobEvent) error
	// ImportReport and ImportSignOff store work done in the past (the demo
	// world) as FileReport and CreateSignOff do, without an outbox event:
	// nobody is to be told of it now.
	ImportReport(ctx context.Context, r *ServiceReport, files []AttachmentUpload) ([]*Attachment, error)
	ImportSignOff(ctx context.Context, s *SignOff, image []byte, ev *JobEvent) error
	// FindSignOffs returns the job's sign-offs, newest first.
	FindSignOffs(ctx context.Context, jobID int64) ([]*SignOff, error)
	// FindBlob returns a stored file's content by its SHA-256; ENOTFOUND.
	FindBlob(ctx context.Context, sha256 string) ([]byte, error)
}

// ReportService is the work on record: a job's service report and its
// versions, the attachments, and the customer's sign-off. Every read a
// partner makes is an access event naming the job; anything outside the
// caller's scope is ENOTFOUND.
type ReportService interface {
	// FileReport files the job's report, or, with in.Reason, amends it as a
	// new version. ECONFLICT when a report exists and no reason is given.
	FileReport(ctx context.Context, jobID int64, in ReportInput) (*ServiceReport, error)
	// JobReports returns every version of the job's report, newest first.
	JobReports(ctx context.Context, jobID int64) ([]*ServiceReport, error)
	// ReportAttachment returns one attachment of the job's reports and its
	// content, the download recorded.
	ReportAttachment(ctx context.Context, jobID, attachmentID int64) (*Attachment, []byte, error)
	// SignOff records the customer's sign-off on the job.
	SignOff(ctx context.Context, jobID int64, in SignOffInput) (*SignOff, error)
	// JobSignOff returns the job's latest sign-off, checked against the
	// SHA-256 its timeline recorded; nil when there is none.
	JobSignOff(ctx context.Context, jobID int64) (*SignOffCheck, error)
	// SignatureImage returns the latest drawn signature's PNG, the download
	// recorded; ENOTFOUND when there is none.
	SignatureImage(ctx context.Context, jobID int64) (*SignOff, []byte, error)
	// ServiceReportPDF renders the latest version as a PDF in lang (服务报告单,
	// or 验收单 for installation and commissioning), the download recorded;
	// ENOTFOUND while no report is filed.
	ServiceReportPDF(ctx context.Context, jobID int64, lang string) ([]byte, error)
}

// SignOffMethod is how the customer's representative signed.
type SignOffMethod string

// The sign-off methods: a signature drawn with a finger on the page, or,
// where no touch screen is at hand, a typed name (marked as such).
const (
	SignDrawn SignOffMethod = "drawn"
	SignTyped SignOffMethod = "typed"
)

// SignOff is the customer's acceptance of the work on a job: who signed,
// in which position, how, and for a drawn signature the image's SHA-256,
// which the job's timeline records too.
type SignOff struct {
	ID             int64
	JobID          int64
	Method         SignOffMethod
	SignerName     string
	SignerPosition string
	SHA256         string // of the PNG; "" for a typed name
	Size           int64
	SignedAt       time.Time
	RecordedBy     int64
}

// SignOffInput is a sign-off as the technician's phone sends it.
type SignOffInput struct {
	Method         SignOffMethod
	SignerName     string
	SignerPosition string
	Image          []byte // PNG, for a drawn signature
}

// SignOffCheck is a sign-off verified against the job's timeline: the
// SHA-256 the timeline recorded when it was signed, and whether the stored
// image still hashes to it.
type SignOffCheck struct {
	SignOff        *SignOff
	TimelineSHA256 string
	Intact         bool
}

// The limits of a drawn signature.
const (
	MaxSignatureBytes  = 512 << 10
	MaxSignaturePixels = 4096 // width or height
	MaxSignerName      = 100
	MaxSignerPosition  = 100
)

// The limits of a service report's attachments: how many, and how large
// each may be. The dispatcher enforces them; forms and the API read no
// more than this of a file before handing it on.
const (
	MaxReportAttachments     = 5
	MaxReportAttachmentBytes = 10 << 20
)

// MaxDocumentBytes caps an uploaded technical document. The library
// enforces it; forms and the API read no more than this before handing a
// file on.
const MaxDocumentBytes = 25 << 20

// Reportable reports whether a report may be filed on a job in status s:
// on site, or once resolved.
func (s JobStatus) Reportable() bool { return s == JobOnSite || s == JobResolved }

// ReportInput is what a technician files for a job; Reason makes it an
// amendment of the latest version.
type ReportInput struct {
	Reason      string
	Actions     string
	PartsUsed   string
	RootCause   RootCause
	SignoffName string
	SignoffAt   *time.Time
	Files       [][]byte
}

// SignatureBytes reads a drawn signature as a page's canvas or a client
// sends it: base64, or a data:image/png;base64 URL; "" is no image. Whether
// the bytes are a PNG the report service decides.
func SignatureBytes(v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	if rest, ok := strings.CutPrefix(v, "data:"); ok {
		mt, data, ok := strings.Cut(rest, ",")
		if !ok || !strings.HasSuffix(mt, ";base64") {
			return nil, FieldErr("signature", "report.signature_not_png")
		}
		v = data
	}
	if base64.StdEncoding.DecodedLen(len(v)) > MaxSignatureBytes+3 {
		return nil, Err(ETOOLARGE, "report.signature_too_large", MaxSignatureBytes>>10)
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, FieldErr("signature", "report.signature_not_png")
	}
	return b, nil
}
