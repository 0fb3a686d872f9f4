package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// The thread on a job (docs/messages.md): read a page, post a message
// (JSON, or multipart with files named attachment), download an
// attachment. Which job's thread the caller reaches is the service's.
func registerThreadRoutes(r fiber.Router, h *Handler, g Guards) {
	r.Get("/jobs/:id/messages", g.Authenticated, g.Require(cordon.ResMessage, cordon.ActList), h.handleThreadList)
	r.Post("/jobs/:id/messages", g.Authenticated, g.Require(cordon.ResMessage, cordon.ActCreate), h.handleThreadPost)
	r.Get("/jobs/:id/messages/:mid/attachments/:aid", g.Authenticated, g.Require(cordon.ResMessage, cordon.ActView), h.handleThreadAttachment)
}

type messageAttachmentJSON struct {
	ID        int64  `json:"id"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	URL       string `json:"url"`
}

type messageJSON struct {
	ID          int64                   `json:"id"`
	JobID       int64                   `json:"job_id"`
	AuthorID    int64                   `json:"author_id"`
	AuthorName  string                  `json:"author_name"`
	AuthorSide  string                  `json:"author_side"`
	Body        string                  `json:"body"`
	CreatedAt   time.Time               `json:"created_at"`
	Attachments []messageAttachmentJSON `json:"attachments"`
}

func toMessageJSON(m *cordon.JobMessage) messageJSON {
	out := messageJSON{ID: m.ID, JobID: m.JobID, AuthorID: m.AuthorID, AuthorName: m.AuthorName, AuthorSide: m.AuthorSide,
		Body: m.Body, CreatedAt: m.CreatedAt, Attachments: make([]messageAttachmentJSON, len(m.Attachments))}
	for i, a := range m.Attachments {
		out.Attachments[i] = messageAttachmentJSON{ID: a.ID, MediaType: a.MediaType, Size: a.Size, SHA256: a.SHA256,
			URL: "/api/v1/jobs/" + itoa(m.JobID) + "/messages/" + itoa(m.ID) + "/attachments/" + itoa(a.ID)}
	}
	return out
}

// handleThreadList is a page of the thread, oldest first: after (a
// message id) and limit (1..200, 50 by default).
func (h *Handler) handleThreadList(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	var after int64
	if v := c.Query("after"); v != "" {
		if after, err = queryID(v, "after"); err != nil {
			return err
		}
	}
	limit := 50
	if v := c.Query("limit"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 || n > cordon.MaxMessagePage {
			return cordon.FieldErr("limit", "thread.limit", cordon.MaxMessagePage)
		}
		limit = n
	}
	p, err := h.svc.Threads.FindMessages(c.UserContext(), id, after, limit)
	if err != nil {
		return err
	}
	out := keysetJSON[messageJSON]{Items: make([]messageJSON, len(p.Items)), Next: nextOf(p.Next)}
	for i, m := range p.Items {
		out.Items[i] = toMessageJSON(m)
	}
	return c.JSON(out)
}

type messageInJSON struct {
	Body     string `json:"body"`
	Override string `json:"override"`
}

// handleThreadPost posts a message: JSON {body, override}, or
// multipart/form-data with the same fields and up to five files named
// attachment.
func (h *Handler) handleThreadPost(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	var in messageInJSON
	var files [][]byte
	if strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEMultipartForm) {
		form, err := c.MultipartForm()
		if err != nil {
			return cordon.Err(cordon.EINVALID, "form_could_not_read")
		}
		for name, v := range form.Value {
			if (name != "body" && name != "override") || len(v) != 1 {
				return cordon.FieldErr(name, "api.unknown_repeated_field", name)
			}
		}
		for name := range form.File {
			if name != "attachment" {
				return cordon.FieldErr(name, "api.files_go_field_named_attachment")
			}
		}
		if v := form.Value["body"]; len(v) == 1 {
			in.Body = v[0]
		}
		if v := form.Value["override"]; len(v) == 1 {
			in.Override = v[0]
		}
		if files, err = readFormFiles(form, "attachment", cordon.MaxMessageAttachments, cordon.MaxMessageAttachmentBytes); err != nil {
			return err
		}
	} else if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m, err := h.svc.Threads.PostMessage(c.UserContext(), id, cordon.MessageInput{Body: in.Body, Override: in.Override, Files: files})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toMessageJSON(m))
}

// handleThreadAttachment sends one attachment, as a download the browser
// never runs.
func (h *Handler) handleThreadAttachment(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	mid, err := idParamNamed(c, "mid", "Attachment")
	if err != nil {
		return err
	}
	aid, err := idParamNamed(c, "aid", "Attachment")
	if err != nil {
		return err
	}
	f, err := h.svc.Threads.DownloadAttachment(c.UserContext(), id, mid, aid)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, f.Attachment.MediaType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+f.FileName()+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Digest", "sha-256="+f.Attachment.SHA256)
	return c.Send(f.Content)
}
