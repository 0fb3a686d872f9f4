package api

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime/multipart"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// The work on record: a job's service report and its versions, their
// attachments, and the customer's sign-off (internal/report).
func registerReportRoutes(r fiber.Router, h *Handler, g Guards) {
	work := g.RequireAny([2]string{cordon.ResJob, cordon.ActReport}, [2]string{cordon.ResJob, cordon.ActUpdate})
	view := g.Require(cordon.ResJob, cordon.ActView)
	r.Post("/jobs/:id/report", g.Authenticated, work, h.handleJobReport)
	r.Get("/jobs/:id/reports", g.Authenticated, view, h.handleJobReports)
	r.Get("/jobs/:id/reports/attachments/:aid", g.Authenticated, view, h.handleReportAttachment)
	r.Post("/jobs/:id/signoff", g.Authenticated, work, h.handleSignOff)
	r.Get("/jobs/:id/signoff", g.Authenticated, view, h.handleJobSignOff)
	r.Get("/jobs/:id/signoff/image", g.Authenticated, view, h.handleSignatureImage)
	r.Get("/jobs/:id/service-report.pdf", g.Authenticated, view, h.handleServiceReportPDF)
}

// handleServiceReportPDF answers with the latest report as a PDF, in
// Chinese, or in English with lang=en.
func (h *Handler) handleServiceReportPDF(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	pdf, err := h.svc.Reports.ServiceReportPDF(c.UserContext(), id, c.Query("lang"))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(pdf)
	return sendFile(c, pdf, "application/pdf", "service-report-job-"+strconv.FormatInt(id, 10), hex.EncodeToString(sum[:]))
}

type reportJSON struct {
	Reason      string     `json:"reason"`
	Actions     string     `json:"actions"`
	PartsUsed   string     `json:"parts_used"`
	RootCause   string     `json:"root_cause"`
	SignoffName string     `json:"signoff_name"`
	SignoffAt   *time.Time `json:"signoff_at"`
}

type attachmentJSON struct {
	ID        int64     `json:"id"`
	MediaType string    `json:"media_type"`
	Size      int64     `json:"size"`
	SHA256    string    `json:"sha256"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
}

type reportOutJSON struct {
	ID          int64            `json:"id"`
	JobID       int64            `json:"job_id"`
	Version     int              `json:"version"`
	AmendsID    *int64           `json:"amends_id"`
	Reason      string           `json:"reason"`
	Actions     string           `json:"actions"`
	PartsUsed   string           `json:"parts_used"`
	RootCause   string           `json:"root_cause"`
	SignoffName string           `json:"signoff_name"`
	SignoffAt   *time.Time       `json:"signoff_at"`
	CreatedBy   int64            `json:"created_by"`
	CreatedAt   time.Time        `json:"created_at"`
	Attachments []attachmentJSON `json:"attachments"`
}

func toReportJSON(r *cordon.ServiceReport) reportOutJSON {
	out := reportOutJSON{ID: r.ID, JobID: r.JobID, Version: r.Version, AmendsID: r.AmendsID, Reason: r.Reason,
		Actions: r.Actions, PartsUsed: r.PartsUsed, RootCause: string(r.RootCause), SignoffName: r.SignoffName,
		SignoffAt: r.SignoffAt, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, Attachments: []attachmentJSON{}}
	for _, a := range r.Attachments {
		out.Attachments = append(out.Attachments, attachmentJSON{ID: a.ID, MediaType: a.MediaType, Size: a.Size, SHA256: a.SHA256,
			URL:       "/api/v1/jobs/" + strconv.FormatInt(r.JobID, 10) + "/reports/attachments/" + strconv.FormatInt(a.ID, 10),
			CreatedAt: a.CreatedAt})
	}
	return out
}

// handleJobReport files the report, or amends it (with reason), as JSON or
// as multipart/form-data with the same fields and up to five files named
// attachment.
func (h *Handler) handleJobReport(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	var in reportJSON
	var files [][]byte
	if isMultipart(c) {
		form, err := c.MultipartForm()
		if err != nil {
			return cordon.Err(cordon.EINVALID, "form_could_not_read")
		}
		known := map[string]bool{"reason": true, "actions": true, "parts_used": true, "root_cause": true, "signoff_name": true, "signoff_at": true}
		for name, v := range form.Value {
			if !known[name] || len(v) != 1 {
				return cordon.FieldErr(name, "api.unknown_repeated_field", name)
			}
		}
		for name := range form.File {
			if name != "attachment" {
				return cordon.FieldErr(name, "api.files_go_field_named_attachment")
			}
		}
		get := func(k string) string {
			if v := form.Value[k]; len(v) == 1 {
				return v[0]
			}
			return ""
		}
		in = reportJSON{Reason: get("reason"), Actions: get("actions"), PartsUsed: get("parts_used"), RootCause: get("root_cause"), SignoffName: get("signoff_name")}
		if v := get("signoff_at"); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return cordon.FieldErr("signoff_at", "sign_off_time_must_look")
			}
			in.SignoffAt = &t
		}
		if files, err = readFormFiles(form, "attachment", cordon.MaxReportAttachments, cordon.MaxReportAttachmentBytes); err != nil {
			return err
		}
	} else if err := decodeJSON(c, &in); err != nil {
		return err
	}
	r, err := h.svc.Reports.FileReport(c.UserContext(), id, cordon.ReportInput{
		Reason: in.Reason, Actions: in.Actions, PartsUsed: in.PartsUsed, RootCause: cordon.RootCause(in.RootCause),
		SignoffName: in.SignoffName, SignoffAt: in.SignoffAt, Files: files,
	})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toReportJSON(r))
}

// readFormFiles reads the files of a multipart form's field: one more
// than max at most, and each to one byte past limit, so that the service
// refuses too many or too large with its own message.
func readFormFiles(form *multipart.Form, field string, max int, limit int64) ([][]byte, error) {
	var out [][]byte
	for i, fh := range form.File[field] {
		if i > max {
			break
		}
		f, err := fh.Open()
		if err != nil {
			return nil, cordon.FieldErr(field, "attachment_could_not_read")
		}
		b, err := io.ReadAll(io.LimitReader(f, limit+1))
		f.Close()
		if err != nil {
			return nil, cordon.FieldErr(field, "attachment_could_not_read")
		}
		out = append(out, b)
	}
	return out, nil
}

func isMultipart(c *fiber.Ctx) bool {
	return strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEMultipartForm)
}

func (h *Handler) handleJobReports(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	reports, err := h.svc.Reports.JobReports(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := make([]reportOutJSON, len(reports))
	for i, r := range reports {
		out[i] = toReportJSON(r)
	}
	return c.JSON(fiber.Map{"items": out})
}

func (h *Handler) handleReportAttachment(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	aid, err := idParamNamed(c, "aid", "Attachment")
	if err != nil {
		return err
	}
	a, content, err := h.svc.Reports.ReportAttachment(c.UserContext(), id, aid)
	if err != nil {
		return err
	}
	return sendFile(c, content, a.MediaType, "attachment-"+strconv.FormatInt(a.ID, 10), a.SHA256)
}

// sendFile answers with a stored file as a download: never sniffed, never
// cached, its SHA-256 in the Digest header.
func sendFile(c *fiber.Ctx, content []byte, mediaType, name, sha string) error {
	c.Set(fiber.HeaderContentType, mediaType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+extension(mediaType)+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Digest", "sha-256="+sha)
	return c.Send(content)
}

// extension is the file name extension of a media type Cordon stores.
func extension(mediaType string) string {
	switch mediaType {
	case "image/png":
		return ".png"
	case "image/jpeg":
		return ".jpg"
	case "application/pdf":
		return ".pdf"
	}
	return ""
}

type signOffJSON struct {
	Method         string `json:"method"`
	SignerName     string `json:"signer_name"`
	SignerPosition string `json:"signer_position"`
	// Signature is the PNG, base64 or as a data: URL (what a canvas gives).
	Signature string `json:"signature"`
}

type signOffOutJSON struct {
	ID             int64     `json:"id"`
	JobID          int64     `json:"job_id"`
	Method         string    `json:"method"`
	SignerName     string    `json:"signer_name"`
	SignerPosition string    `json:"signer_position"`
	SHA256         string    `json:"sha256"`
	Size           int64     `json:"size"`
	SignedAt       time.Time `json:"signed_at"`
	RecordedBy     int64     `json:"recorded_by"`
	ImageURL       string    `json:"image_url"`
}

func toSignOffJSON(s *cordon.SignOff) signOffOutJSON {
	out := signOffOutJSON{ID: s.ID, JobID: s.JobID, Method: string(s.Method), SignerName: s.SignerName,
		SignerPosition: s.SignerPosition, SHA256: s.SHA256, Size: s.Size, SignedAt: s.SignedAt, RecordedBy: s.RecordedBy}
	if s.Method == cordon.SignDrawn {
		out.ImageURL = "/api/v1/jobs/" + strconv.FormatInt(s.JobID, 10) + "/signoff/image"
	}
	return out
}

// handleSignOff takes the sign-off as JSON (the signature base64 or a data
// URL) or as multipart/form-data with the PNG in a file named signature.
func (h *Handler) handleSignOff(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	var in signOffJSON
	var image []byte
	if isMultipart(c) {
		form, err := c.MultipartForm()
		if err != nil {
			return cordon.Err(cordon.EINVALID, "form_could_not_read")
		}
		for name, v := range form.Value {
			if (name != "method" && name != "signer_name" && name != "signer_position") || len(v) != 1 {
				return cordon.FieldErr(name, "api.unknown_repeated_field", name)
			}
		}
		for name, fs := range form.File {
			if name != "signature" || len(fs) != 1 {
				return cordon.FieldErr(name, "api.unknown_repeated_field", name)
			}
		}
		first := func(k string) string {
			if v := form.Value[k]; len(v) == 1 {
				return v[0]
			}
			return ""
		}
		in = signOffJSON{Method: first("method"), SignerName: first("signer_name"), SignerPosition: first("signer_position")}
		files, err := readFormFiles(form, "signature", 1, cordon.MaxSignatureBytes)
		if err != nil {
			return err
		}
		if len(files) == 1 {
			image = files[0]
		}
	} else {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
		if image, err = cordon.SignatureBytes(in.Signature); err != nil {
			return err
		}
	}
	s, err := h.svc.Reports.SignOff(c.UserContext(), id, cordon.SignOffInput{
		Method: cordon.SignOffMethod(in.Method), SignerName: in.SignerName, SignerPosition: in.SignerPosition, Image: image,
	})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toSignOffJSON(s))
}

type signOffCheckJSON struct {
	SignOff        *signOffOutJSON `json:"signoff"`
	TimelineSHA256 string          `json:"timeline_sha256"`
	Intact         bool            `json:"intact"`
}

// handleJobSignOff answers with the latest sign-off, checked against the
// job's timeline; {"signoff": null} when there is none.
func (h *Handler) handleJobSignOff(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	chk, err := h.svc.Reports.JobSignOff(c.UserContext(), id)
	if err != nil {
		return err
	}
	if chk == nil {
		return c.JSON(signOffCheckJSON{})
	}
	s := toSignOffJSON(chk.SignOff)
	return c.JSON(signOffCheckJSON{SignOff: &s, TimelineSHA256: chk.TimelineSHA256, Intact: chk.Intact})
}

func (h *Handler) handleSignatureImage(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	s, content, err := h.svc.Reports.SignatureImage(c.UserContext(), id)
	if err != nil {
		return err
	}
	return sendFile(c, content, "image/png", "signature-job-"+strconv.FormatInt(s.JobID, 10), s.SHA256)
}
