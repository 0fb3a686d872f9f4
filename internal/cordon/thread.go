package cordon

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Job messages (docs/messages.md): a thread on each job between the
// partner's users and the institute, with attachments. Messages are a
// record: never edited, never deleted.

// ResMessage is the resource of job messages and their attachments in
// role rules and access events: list reads a thread, view downloads an
// attachment, create posts.
const ResMessage = "message"

// EventJobMessage is the outbox kind of a message posted on a job. Its
// payload names the message and how many files it carries, never the body.
const EventJobMessage = "job.message"

// The sides of a thread: who wrote a message.
const (
	SideInstitute = "institute"
	SidePartner   = "partner"
)

// The limits of a message: its body, and its attachments as for reports.
const (
	MaxMessageBody            = 4000
	MaxMessageAttachments     = 5
	MaxMessageAttachmentBytes = MaxReportAttachmentBytes
	MaxMessagePage            = 200
)

// JobMessage is one message on a job's thread.
type JobMessage struct {
	ID          int64
	JobID       int64
	AuthorID    int64
	AuthorOrgID int64
	AuthorName  string // the author's username when the message was posted
	AuthorSide  string // SideInstitute or SidePartner
	Body        string
	CreatedAt   time.Time
	Attachments []*MessageAttachment
}

// MessageAttachment is a file on a message, stored by content.
type MessageAttachment struct {
	ID        int64
	MessageID int64
	MediaType string
	Size      int64
	SHA256    string
	CreatedAt time.Time
}

// MessageFile is an attachment's content, for a download.
type MessageFile struct {
	Attachment *MessageAttachment
	JobID      int64
	Content    []byte
}

// MessageInput is what a caller posts: the body, the files, and (for
// institute users only) the reason to keep text screening refused.
type MessageInput struct {
	Body     string
	Files    [][]byte
	Override string
}

// MessagePage is a keyset page of a thread, oldest first: Next is the id
// to ask for after, 0 on the last page.
type MessagePage struct {
	Items []*JobMessage
	Next  int64
}

// ScreeningFacts are what screening compares a job's free text with: the
// unit's serial and the customer's identity (nil when none is stored).
type ScreeningFacts struct {
	CustomerID int64
	Serial     string
	Identity   *CustomerIdentity
}

// ThreadStore stores job messages.
type ThreadStore interface {
	// PostMessage stores the message, its files (content-addressed) and
	// the outbox event in one transaction, and sets the ids.
	PostMessage(ctx context.Context, m *JobMessage, files []AttachmentUpload) error
	// FindMessages returns up to limit messages of the job with an id
	// above after, oldest first, with their attachments, and whether more
	// follow.
	FindMessages(ctx context.Context, jobID, after int64, limit int) ([]*JobMessage, bool, error)
	// FindMessageFile returns an attachment of a message of the job, with
	// its content; ENOTFOUND unless all three belong together.
	FindMessageFile(ctx context.Context, jobID, messageID, attachmentID int64) (*MessageFile, error)
	// ScreeningFacts reads the job's serial and customer identity for
	// screening alone, outside the caller's data scope: a partner's text
	// is screened against identity it may not read. Never shown.
	ScreeningFacts(ctx context.Context, jobID int64) (*ScreeningFacts, error)
}

// ThreadService is the thread on a job. The caller must see the job
// (cordon.JobAccess); a partner sees the thread only while the job is
// its own and not ended (declined, expired or revoked): anything else is
// ENOTFOUND, recorded as a denial.
type ThreadService interface {
	// FindMessages returns a page of the job's thread, oldest first,
	// after the message id given. A partner's read is an access event
	// naming the job and the messages shown. ENOTFOUND: outside scope;
	// EINVALID: a bad limit.
	FindMessages(ctx context.Context, jobID, after int64, limit int) (*MessagePage, error)
	// PostMessage posts a message with its files and notifies the other
	// side. EINVALID: an empty or long body, text screening refuses (an
	// institute user may override with a reason), a file of a type not
	// accepted; ETOOLARGE: a file too large; ENOTFOUND: outside scope.
	PostMessage(ctx context.Context, jobID int64, in MessageInput) (*JobMessage, error)
	// DownloadAttachment returns one attachment, recorded in the access
	// log with the file's SHA-256. ENOTFOUND: outside scope, or the ids do
	// not belong together.
	DownloadAttachment(ctx context.Context, jobID, messageID, attachmentID int64) (*MessageFile, error)
}

// FileName is the attachment's name in a download: the job, the message,
// the attachment and the extension of its type.
func (f *MessageFile) FileName() string {
	return fmt.Sprintf("job-%d-message-%d-%d.%s", f.JobID, f.Attachment.MessageID, f.Attachment.ID, downloadExtensions[f.Attachment.MediaType])
}

// PartnerRecordsOpen reports whether the partner holding a job in status s
// still reaches the work on record on it — the thread, the reports and
// their attachments, the sign-off, the checklist: the job has not ended
// (declined, expired, revoked). The institute reaches every job's.
func (s JobStatus) PartnerRecordsOpen() bool { return !slices.Contains(EndedJobStatuses, s) }
