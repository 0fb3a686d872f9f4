package webui

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// The work on record on the job page: the service report and its
// versions, the attachments, and the customer's sign-off, through the same
// service as the API (cordon.ReportService).
func registerReportPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	work := g.RequireAny([2]string{cordon.ResJob, cordon.ActReport}, [2]string{cordon.ResJob, cordon.ActUpdate})
	view := g.Require(cordon.ResJob, cordon.ActView)
	r.Post("/jobs/:id/report", h.checkCSRF, auth, work, h.handleJobReport)
	r.Post("/jobs/:id/signoff", h.checkCSRF, auth, work, h.handleSignOff)
	r.Get("/jobs/:id/reports/attachments/:aid", auth, view, h.handleReportAttachment)
	r.Get("/jobs/:id/signoff/image", auth, view, h.handleSignatureImage)
	r.Get("/jobs/:id/service-report.pdf", auth, view, h.handleServiceReportPDF)
}

// handleServiceReportPDF serves the latest report as a PDF in the page's
// language.
func (h *Handler) handleServiceReportPDF(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	lang := cordon.LangZH
	if language(c) == langEN {
		lang = cordon.LangEN
	}
	pdf, err := h.svc.Reports.ServiceReportPDF(c.UserContext(), id, lang)
	if err != nil {
		return err
	}
	return sendStored(c, pdf, "application/pdf", "service-report-job-"+itoa(id), "")
}

// reportForm is the service report form: what was typed (kept when the
// service refuses it) and the refusal, next to its field. Once a report is
// filed the form amends it: it starts from the latest version and needs a
// reason.
type reportForm struct {
	Reason, Actions, PartsUsed, RootCause string
	Amends                                int // the version an amendment amends; 0 for the first filing
	Causes                                []cordon.RootCause
	Errors                                map[string]string // field → message in the page's language
	Error                                 string            // a refusal that names no field
}

// newReportForm starts the form from the latest version, if any.
func newReportForm(reports []*cordon.ServiceReport) *reportForm {
	f := &reportForm{Causes: cordon.RootCauses}
	if len(reports) > 0 {
		r := reports[0]
		f.Amends, f.Actions, f.PartsUsed, f.RootCause = r.Version, r.Actions, r.PartsUsed, string(r.RootCause)
	}
	return f
}

// signForm is the customer sign-off form: a signature pad (a canvas) or,
// where no touch screen is at hand, a typed name.
type signForm struct {
	Method, SignerName, SignerPosition string
	Errors                             map[string]string
	Error                              string
}

// handleJobReport files the service report, or amends it, from the
// multipart form: the API's fields, and up to five files named attachment.
// A refusal shows the page again with what was typed and the message next
// to its field; the files must be chosen again (a browser never refills a
// file input).
func (h *Handler) handleJobReport(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	l := Locale{Lang: language(c)}
	f := reportForm{Reason: c.FormValue("reason"), Actions: c.FormValue("actions"), PartsUsed: c.FormValue("parts_used"), RootCause: c.FormValue("root_cause")}
	in := cordon.ReportInput{Reason: f.Reason, Actions: f.Actions, PartsUsed: f.PartsUsed, RootCause: cordon.RootCause(f.RootCause)}
	err = func() error {
		files, err := formFiles(c, "attachment", cordon.MaxReportAttachments, cordon.MaxReportAttachmentBytes)
		if err != nil {
			return err
		}
		in.Files = files
		_, err = h.svc.Reports.FileReport(c.UserContext(), id, in)
		return err
	}()
	if err == nil {
		return done(c, "/jobs/"+itoa(id)+"#reports", l.T("report.done"))
	}
	return h.jobRefused(c, id, err, func(d *jobData, field, msg string) {
		if d.Report != nil {
			f.Amends = d.Report.Amends
		}
		f.Causes, f.Errors = cordon.RootCauses, map[string]string{}
		switch {
		case field == "reason" && f.Amends == 0: // no reason field on a first filing
			f.Error = msg
		case field == "reason", field == "actions", field == "parts_used", field == "root_cause":
			f.Errors[field] = msg
		case field == "attachment", field == "attachments", cordon.ErrorCode(err) == cordon.ETOOLARGE:
			f.Errors["attachment"] = msg
		default:
			f.Error = msg
		}
		d.Report = &f
	})
}

// handleSignOff records the customer's sign-off: the pad's PNG (a data URL
// the page's script puts in the form) or a typed name.
func (h *Handler) handleSignOff(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	l := Locale{Lang: language(c)}
	f := signForm{Method: c.FormValue("method"), SignerName: c.FormValue("signer_name"), SignerPosition: c.FormValue("signer_position")}
	err = func() error {
		var image []byte
		if f.Method == string(cordon.SignDrawn) {
			var err error
			if image, err = cordon.SignatureBytes(c.FormValue("signature")); err != nil {
				return err
			}
		}
		_, err := h.svc.Reports.SignOff(c.UserContext(), id, cordon.SignOffInput{
			Method: cordon.SignOffMethod(f.Method), SignerName: f.SignerName, SignerPosition: f.SignerPosition, Image: image,
		})
		return err
	}()
	if err == nil {
		return done(c, "/jobs/"+itoa(id)+"#signoff", l.T("signoff.done"))
	}
	return h.jobRefused(c, id, err, func(d *jobData, field, msg string) {
		f.Errors = map[string]string{}
		switch field {
		case "signer_name", "signer_position", "signature", "method":
			f.Errors[field] = msg
		default:
			if cordon.ErrorCode(err) == cordon.ETOOLARGE {
				f.Errors["signature"] = msg
			} else {
				f.Error = msg
			}
		}
		d.SignForm = &f
	})
}

// jobRefused shows the job page again after a form's refusal, with what
// was typed and the message (put in place by keep); errors that are not
// the user's to correct go on as they are.
func (h *Handler) jobRefused(c *fiber.Ctx, id int64, err error, keep func(d *jobData, field, msg string)) error {
	switch cordon.ErrorCode(err) {
	case cordon.EINVALID, cordon.ECONFLICT, cordon.ETOOLARGE, cordon.ETOOMANY:
	default:
		return err
	}
	d, perr := h.jobPage(c, id)
	if perr != nil {
		return perr
	}
	keep(d, errorField(err), Locale{Lang: language(c)}.ErrorText(err))
	c.Status(statusOf(err))
	showsPage(c, "/jobs/"+itoa(id))
	if rerr := h.render(c, "job", "/jobs", "job.details", d); rerr != nil {
		return rerr
	}
	return rendered{}
}

// handleReportAttachment serves a report's attachment (the download
// recorded by the service).
func (h *Handler) handleReportAttachment(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	raw := c.Params("aid")
	aid, perr := strconv.ParseInt(raw, 10, 64)
	if perr != nil || aid <= 0 || strings.TrimLeft(raw, "0123456789") != "" {
		return cordon.ErrNotFound("Attachment")
	}
	a, content, err := h.svc.Reports.ReportAttachment(c.UserContext(), id, aid)
	if err != nil {
		return err
	}
	return sendStored(c, content, a.MediaType, "attachment-"+itoa(a.ID), a.SHA256)
}

// handleSignatureImage serves the latest drawn signature, shown on the job
// page (the download recorded by the service).
func (h *Handler) handleSignatureImage(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	s, content, err := h.svc.Reports.SignatureImage(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/png")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Digest", "sha-256="+s.SHA256)
	return c.Send(content)
}

// sendStored answers with a stored file as a download: never sniffed,
// never cached.
func sendStored(c *fiber.Ctx, content []byte, mediaType, name, sha string) error {
	ext := map[string]string{"image/png": ".png", "image/jpeg": ".jpg", "application/pdf": ".pdf"}[mediaType]
	c.Set(fiber.HeaderContentType, mediaType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+ext+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Digest", "sha-256="+sha)
	return c.Send(content)
}
