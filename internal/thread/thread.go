// Package thread is the message thread on each job between the partner's
// users and the institute (docs/messages.md): who may read and post, the
// screening of what is written, the attachments and their downloads, and
// the access events that record a partner's reads.
package thread

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cordon/cordon/internal/cordon"
)

// ContentChecker tells a file's type by its content and checks its
// limits: the check report attachments get (wired in internal/app).
type ContentChecker func(ctx context.Context, content []byte) (mediaType string, err error)

// Config holds what the service needs.
type Config struct {
	Jobs         cordon.JobAccess // the scoped job look-up (dispatch.Desk)
	Threads      cordon.ThreadStore
	Access       cordon.AccessLog
	CheckContent ContentChecker
	Now          func() time.Time
}

// Service is the thread on a job.
type Service struct{ cfg Config }

var _ cordon.ThreadService = (*Service)(nil)

// New returns the thread service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}
}

// The default page of a thread.
const defaultPage = 50

// maxOverride is how long an institute user's reason to keep screened
// text may be.
const maxOverride = 500

// FindMessages returns a page of the job's thread, oldest first.
func (s *Service) FindMessages(ctx context.Context, jobID, after int64, limit int) (*cordon.MessagePage, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case limit == 0:
		limit = defaultPage
	case limit < 0 || limit > cordon.MaxMessagePage:
		return nil, cordon.FieldErr("limit", "thread.limit", cordon.MaxMessagePage)
	}
	if after < 0 {
		return nil, cordon.FieldErr("after", "thread.after")
	}
	_, dec, err := s.cfg.Jobs.AccessJobRecords(ctx, jobID) // an ended job's thread is gone for its partner
	if err != nil {
		return nil, err
	}
	msgs, more, err := s.cfg.Threads.FindMessages(ctx, jobID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("thread of job %d: %w", jobID, err)
	}
	page := &cordon.MessagePage{Items: msgs}
	if more && len(msgs) > 0 {
		page.Next = msgs[len(msgs)-1].ID
	}
	if a.IsPartner() {
		// The read names the job and every message shown.
		ids := make([]string, len(msgs))
		for i, m := range msgs {
			ids[i] = strconv.FormatInt(m.ID, 10)
		}
		ev := s.event(ctx, a, jobID, strings.Join(ids, ","), cordon.ActList, cordon.Allow)
		ev.ContractNo, ev.Clause = dec.ContractNo, dec.Clause
		if err := s.cfg.Access.RecordAccess(ctx, ev); err != nil {
			return nil, fmt.Errorf("record thread read: %w", err)
		}
	}
	return page, nil
}

// PostMessage posts a message on the job's thread.
func (s *Service) PostMessage(ctx context.Context, jobID int64, in cordon.MessageInput) (*cordon.JobMessage, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, err
	}
	j, _, err := s.cfg.Jobs.AccessJobRecords(ctx, jobID)
	if err != nil {
		return nil, err
	}
	body := strings.TrimSpace(in.Body)
	override := strings.TrimSpace(in.Override)
	switch {
	case !utf8.ValidString(body) || strings.ContainsRune(body, 0):
		return nil, cordon.FieldErr("body", "thread.body_text")
	case body == "":
		return nil, cordon.FieldErr("body", "thread.body_required")
	case utf8.RuneCountInString(body) > cordon.MaxMessageBody:
		return nil, cordon.FieldErr("body", "thread.body_too_long", cordon.MaxMessageBody)
	case override != "" && a.IsPartner():
		return nil, cordon.FieldErr("override", "thread.partner_no_override")
	case utf8.RuneCountInString(override) > maxOverride:
		return nil, cordon.FieldErr("override", "thread.override_too_long", maxOverride)
	case len(in.Files) > cordon.MaxMessageAttachments:
		return nil, cordon.FieldErr("attachment", "thread.too_many_attachments", cordon.MaxMessageAttachments)
	}
	var files []cordon.AttachmentUpload
	for _, f := range in.Files {
		if len(f) > cordon.MaxMessageAttachmentBytes {
			return nil, cordon.Err(cordon.ETOOLARGE, "thread.attachment_too_large", cordon.MaxMessageAttachmentBytes>>20)
		}
		mt, err := s.cfg.CheckContent(ctx, f)
		if err != nil {
			return nil, err
		}
		files = append(files, cordon.AttachmentUpload{MediaType: mt, Content: f})
	}
	if err := s.screen(ctx, a, j, body, override); err != nil {
		return nil, err
	}
	m := &cordon.JobMessage{JobID: j.ID, AuthorID: a.UserID, AuthorOrgID: a.OrgID, AuthorName: a.Username,
		AuthorSide: cordon.SideInstitute, Body: body, CreatedAt: s.cfg.Now()}
	if a.IsPartner() {
		m.AuthorSide = cordon.SidePartner
	}
	if err := s.cfg.Threads.PostMessage(ctx, m, files); err != nil {
		return nil, fmt.Errorf("post on job %d: %w", j.ID, err)
	}
	return m, nil
}

// DownloadAttachment returns one attachment of a message on the job.
func (s *Service) DownloadAttachment(ctx context.Context, jobID, messageID, attachmentID int64) (*cordon.MessageFile, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, err
	}
	_, dec, err := s.cfg.Jobs.AccessJobRecords(ctx, jobID)
	if err != nil {
		return nil, err
	}
	f, err := s.cfg.Threads.FindMessageFile(ctx, jobID, messageID, attachmentID)
	if err != nil {
		if cordon.ErrorCode(err) == cordon.ENOTFOUND {
			return nil, cordon.ErrNotFound("Attachment")
		}
		return nil, fmt.Errorf("attachment %d of job %d: %w", attachmentID, jobID, err)
	}
	ev := s.event(ctx, a, jobID, strconv.FormatInt(messageID, 10), cordon.ActDownload, cordon.Allow)
	ev.ContractNo, ev.Clause, ev.FileSHA256 = dec.ContractNo, dec.Clause, f.Attachment.SHA256
	if err := s.cfg.Access.RecordAccess(ctx, ev); err != nil {
		return nil, fmt.Errorf("record attachment download: %w", err)
	}
	return f, nil
}

// screen refuses a body that carries what screening finds (the unit's
// serial, the customer's name, unit designation or phone, a phone number)
// when anyone outside the institute may read the thread: the job has a
// partner. A partner cannot override, and its refusal is recorded (a
// refusal tells whether a guess was right: legal sees the guessing). An
// institute user may keep the text with a reason, recorded as an
// override naming what was found, never the text.
func (s *Service) screen(ctx context.Context, a *cordon.Actor, j *cordon.Job, body, override string) error {
	if j.PartnerID == nil {
		return nil
	}
	facts, err := s.cfg.Threads.ScreeningFacts(ctx, j.ID)
	if err != nil {
		return fmt.Errorf("screen message on job %d: %w", j.ID, err)
	}
	f := cordon.FindSensitive(body, facts.Serial, facts.Identity)
	if f == nil {
		return nil
	}
	if a.IsPartner() {
		ev := s.event(ctx, a, j.ID, strconv.FormatInt(j.ID, 10), "screen", cordon.Deny)
		ev.Fields = []string{f.Kind}
		if err := s.cfg.Access.RecordAccess(ctx, ev); err != nil {
			return fmt.Errorf("record screening refusal: %w", err)
		}
		return cordon.FieldErr("body", "thread.screen_"+f.Kind, f.At)
	}
	if override == "" {
		return cordon.FieldErr("body", "thread.screen_"+f.Kind+"_override", f.At)
	}
	m := cordon.MetaFromContext(ctx)
	ev := &cordon.AccessEvent{UserID: a.UserID, OrgID: a.OrgID, Resource: cordon.ResCustomer,
		ResourceID: strconv.FormatInt(facts.CustomerID, 10), Action: "override", Decision: cordon.Allow,
		Purpose: fmt.Sprintf("message screening %s on job:%d: %s", f.Kind, j.ID, override),
		Fields:  []string{f.Kind}, RequestID: m.RequestID, ClientIP: m.ClientIP}
	if err := s.cfg.Access.RecordAccess(ctx, ev); err != nil {
		return fmt.Errorf("record screening override: %w", err)
	}
	return nil
}

// event is an access event on the job's thread: resource message, the
// ids given (messages shown, the message downloaded from), the job as
// the purpose.
func (s *Service) event(ctx context.Context, a *cordon.Actor, jobID int64, ids, action string, dec cordon.Decision) *cordon.AccessEvent {
	m := cordon.MetaFromContext(ctx)
	return &cordon.AccessEvent{
		At: s.cfg.Now(), UserID: a.UserID, OrgID: a.OrgID, Resource: cordon.ResMessage, ResourceID: ids, Action: action,
		Decision: dec, Purpose: "job:" + strconv.FormatInt(jobID, 10), RequestID: m.RequestID, ClientIP: m.ClientIP,
	}
}
