package webui

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// The thread on the job page (docs/messages.md): the messages, oldest
// first, with their attachments (images as thumbnails) served through
// the scoped download route, and the form to post one with photos.
func registerThreadPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	r.Post("/jobs/:id/messages", h.checkCSRF, auth, g.Require(cordon.ResMessage, cordon.ActCreate), h.handleThreadPost)
	r.Get("/jobs/:id/messages/:mid/attachments/:aid", auth, g.Require(cordon.ResMessage, cordon.ActView), h.handleThreadAttachment)
}

// threadSection is the job page's thread: a page of messages, the link to
// the next, and the form (nil when the caller may not post).
type threadSection struct {
	JobID    int64
	Messages []*cordon.JobMessage
	Next     int64
	Form     *messageForm
}

// messageForm is what was typed (kept when the service refuses it) and
// the refusal, next to its field.
type messageForm struct {
	Body, Override string
	Institute      bool // may give a reason to keep screened text
	Errors         map[string]string
	Error          string
}

// threadOf gathers the job's thread for the page: nothing when the
// caller's role has no right to it, or when the job's records are closed to
// the caller (JobActions.Records: a partner whose job has ended; the
// service would answer 404, so the page does not ask).
func (h *Handler) threadOf(c *fiber.Ctx, j *cordon.Job, records bool) (*threadSection, error) {
	a := cordon.ActorFromContext(c.UserContext())
	if h.svc.Threads == nil || !h.allow(a, cordon.ResMessage, cordon.ActList) || !records {
		return nil, nil
	}
	var after int64
	if v := c.Query("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return nil, cordon.FieldErr("after", "thread.after")
		}
		after = n
	}
	p, err := h.svc.Threads.FindMessages(c.UserContext(), j.ID, after, cordon.MaxMessagePage)
	if err != nil {
		return nil, err
	}
	t := &threadSection{JobID: j.ID, Messages: p.Items, Next: p.Next}
	if h.allow(a, cordon.ResMessage, cordon.ActCreate) {
		t.Form = &messageForm{Institute: !a.IsPartner()}
	}
	return t, nil
}

// handleThreadPost posts a message from the form: body, for the institute
// a reason to keep screened text, and photos named attachment. A refusal
// shows the job page again with what was typed and why, next to its
// field; files must be chosen again.
func (h *Handler) handleThreadPost(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	l := Locale{Lang: language(c)}
	a := cordon.ActorFromContext(c.UserContext())
	f := messageForm{Body: c.FormValue("body"), Override: c.FormValue("override"), Institute: !a.IsPartner()}
	err = func() error {
		files, err := formFiles(c, "attachment", cordon.MaxMessageAttachments, cordon.MaxMessageAttachmentBytes)
		if err != nil {
			return err
		}
		_, err = h.svc.Threads.PostMessage(c.UserContext(), id, cordon.MessageInput{Body: f.Body, Override: f.Override, Files: files})
		return err
	}()
	if err == nil {
		return done(c, "/jobs/"+itoa(id)+"#messages", l.T("thread.posted"))
	}
	switch cordon.ErrorCode(err) {
	case cordon.EINVALID, cordon.ETOOLARGE, cordon.ETOOMANY:
	default:
		return err
	}
	d, perr := h.jobPage(c, id)
	if perr != nil {
		return perr
	}
	if d.Thread == nil {
		return err
	}
	f.Errors = map[string]string{}
	msg := l.ErrorText(err)
	switch field := errorField(err); {
	case field == "body" || field == "override":
		f.Errors[field] = msg
	case field == "attachment" || cordon.ErrorCode(err) == cordon.ETOOLARGE:
		f.Errors["attachment"] = msg
	default:
		f.Error = msg
	}
	d.Thread.Form = &f
	c.Status(statusOf(err))
	showsPage(c, "/jobs/"+itoa(id))
	if rerr := h.render(c, "job", "/jobs", "job.details", d); rerr != nil {
		return rerr
	}
	return rendered{}
}

// handleThreadAttachment sends one attachment through the scoped service
// (an access event per download), as the API does; the page shows images
// with it as thumbnails.
func (h *Handler) handleThreadAttachment(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	var ids [2]int64
	for i, name := range []string{"mid", "aid"} {
		n, err := strconv.ParseInt(c.Params(name), 10, 64)
		if err != nil || n <= 0 || len(c.Params(name)) > 18 {
			return cordon.ErrNotFound("Attachment")
		}
		ids[i] = n
	}
	f, err := h.svc.Threads.DownloadAttachment(c.UserContext(), id, ids[0], ids[1])
	if err != nil {
		return err
	}
	setPageHeaders(c)
	c.Set(fiber.HeaderContentType, f.Attachment.MediaType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+f.FileName()+`"`)
	return c.Send(f.Content)
}
