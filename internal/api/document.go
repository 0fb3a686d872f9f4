package api

import (
	"io"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerDocumentRoutes(r fiber.Router, h *Handler, g Guards) {
	r.Get("/documents", g.Authenticated, g.Require(cordon.ResDocument, cordon.ActList), h.handleDocumentList)
	r.Post("/documents", g.Authenticated, g.Require(cordon.ResDocument, cordon.ActCreate), h.handleDocumentUpload)
	r.Get("/documents/:id", g.Authenticated, g.Require(cordon.ResDocument, cordon.ActView), h.handleDocumentView)
	r.Get("/documents/:id/download", g.Authenticated, g.Require(cordon.ResDocument, cordon.ActDownload), h.handleDocumentDownload)
}

type documentJSON struct {
	ID             int64     `json:"id"`
	Title          string    `json:"title"`
	ProductLine    string    `json:"product_line"`
	ModelID        *int64    `json:"model_id"`
	Classification string    `json:"classification"`
	Version        string    `json:"version"`
	PreviousID     *int64    `json:"previous_id"`
	MediaType      string    `json:"media_type"`
	Size           int64     `json:"size"`
	SHA256         string    `json:"sha256"`
	CreatedAt      time.Time `json:"created_at"`
}

func toDocumentJSON(d *cordon.Document) documentJSON {
	return documentJSON{ID: d.ID, Title: d.Title, ProductLine: d.ProductLine, ModelID: d.ModelID,
		Classification: string(d.Classification), Version: d.Version, PreviousID: d.PreviousID,
		MediaType: d.MediaType, Size: d.Size, SHA256: d.SHA256, CreatedAt: d.CreatedAt}
}

func (h *Handler) handleDocumentList(c *fiber.Ctx) error {
	offset, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	f := cordon.DocumentFilter{Offset: offset, Limit: limit}
	if v := c.Query("q"); v != "" {
		if len(v) > 200 {
			return cordon.FieldErr("q", "search_text_longer_than_200")
		}
		f.Title = &v
	}
	if v := c.Query("product_line"); v != "" {
		f.ProductLine = &v
	}
	if v := c.Query("model_id"); v != "" {
		id, err := queryID(v, "model_id")
		if err != nil {
			return err
		}
		f.ModelID = &id
	}
	docs, total, err := h.svc.Documents.ListDocuments(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := listJSON[documentJSON]{Items: make([]documentJSON, len(docs)), Total: total, Offset: offset, Limit: limit}
	for i, d := range docs {
		out.Items[i] = toDocumentJSON(d)
	}
	return c.JSON(out)
}

func (h *Handler) handleDocumentView(c *fiber.Ctx) error {
	id, err := idParam(c, "Document")
	if err != nil {
		return err
	}
	d, err := h.svc.Documents.ViewDocument(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toDocumentJSON(d))
}

func (h *Handler) handleDocumentDownload(c *fiber.Ctx) error {
	id, err := idParam(c, "Document")
	if err != nil {
		return err
	}
	dl, err := h.svc.Documents.DownloadDocument(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, dl.MediaType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+dl.FileName()+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Download-ID", dl.DownloadID)
	c.Set("Digest", "sha-256="+dl.SHA256)
	return c.Send(dl.Content)
}

// handleDocumentUpload takes multipart/form-data: title, product_line,
// classification, version, optional model_id and previous_id, and file.
func (h *Handler) handleDocumentUpload(c *fiber.Ctx) error {
	form, err := c.MultipartForm()
	if err != nil {
		return cordon.Err(cordon.EINVALID, "api.send_document_multipart_form_data")
	}
	value := func(name string) string {
		if v := form.Value[name]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	known := map[string]bool{"title": true, "product_line": true, "model_id": true, "classification": true, "version": true, "previous_id": true}
	for name := range form.Value {
		if !known[name] {
			return cordon.FieldErr(name, "api.unknown_field", name)
		}
	}
	files := form.File["file"]
	if len(files) != 1 || len(form.File) != 1 {
		return cordon.FieldErr("file", "attach_exactly_one_file_field")
	}
	fh, err := files[0].Open()
	if err != nil {
		return cordon.FieldErr("file", "api.file_could_not_read")
	}
	defer fh.Close()
	content, err := io.ReadAll(io.LimitReader(fh, cordon.MaxDocumentBytes+1))
	if err != nil {
		return cordon.FieldErr("file", "api.file_could_not_read")
	}
	u := cordon.DocumentUpload{Title: value("title"), ProductLine: value("product_line"),
		Classification: cordon.Classification(value("classification")), Version: value("version"), Content: content}
	for name, dst := range map[string]**int64{"model_id": &u.ModelID, "previous_id": &u.PreviousID} {
		if v := value(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return cordon.FieldErr(name, "api.must_positive_number", name)
			}
			*dst = &n
		}
	}
	d, err := h.svc.Documents.UploadDocument(c.UserContext(), u)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toDocumentJSON(d))
}
