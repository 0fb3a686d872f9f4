package cordon

import (
	"context"
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

// ServiceReport is what the technician did and found.
type ServiceReport struct {
	ID          int64
	JobID       int64
	Actions     string
	PartsUsed   string
	RootCause   RootCause
	SignoffName string
	SignoffAt   *time.Time
	CreatedBy   int64
	CreatedAt   time.Time
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

// ReportStore stores service reports.
type ReportStore interface {
	// CreateReport stores a report for a job.
	CreateReport(ctx context.Context, r *ServiceReport) error
	// FileReport stores a report and its attachments (content-addressed) in
	// one transaction.
	FileReport(ctx context.Context, r *ServiceReport, files []AttachmentUpload) ([]*Attachment, error)
}

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

// ReportInput is what a technician files for a job.
type ReportInput struct {
	Actions     string
	PartsUsed   string
	RootCause   RootCause
	SignoffName string
	SignoffAt   *time.Time
	Files       [][]byte
}
