package webui

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerDocumentPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	r.Get("/documents", auth, g.Require(cordon.ResDocument, cordon.ActList), h.handleDocumentList)
	r.Post("/documents", h.checkCSRF, auth, g.Require(cordon.ResDocument, cordon.ActCreate), h.handleDocumentUpload)
	r.Get("/documents/:id/download", auth, g.Require(cordon.ResDocument, cordon.ActDownload), h.handleDocumentDownload)
}

type documentsData struct {
	Docs        []*cordon.Document
	Previous    map[int64]int64 // a document's id → the id of the version it replaces
	Pages       *listPager
	Query       string
	Line        string
	Lines       []*cordon.ProductLine
	MayDownload bool
	Partner     bool
	Upload      *uploadForm // nil: the caller may not upload
}

// uploadForm is the upload form, with what was typed and the refusal.
type uploadForm struct {
	Title, ProductLine, ModelID, Classification, Version, PreviousID string
	Classes                                                          []cordon.Classification
	Errors                                                           map[string]string
	Error                                                            string
}

// handleDocumentList is the library: the documents the caller's scope
// shows, searchable by title and product line, a page at a time; for the
// institute's roles that may, the upload form (a new document, or a new
// version of one: ?version_of=id fills the form from it).
func (h *Handler) handleDocumentList(c *fiber.Ctx) error {
	d, err := h.documentsPage(c)
	if err != nil {
		return err
	}
	if d.Upload != nil {
		if v := c.Query("version_of"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return cordon.Err(cordon.ENOTFOUND, "document.not_found")
			}
			prev, err := h.svc.Documents.ViewDocument(c.UserContext(), n)
			if err != nil {
				return err
			}
			d.Upload.Title, d.Upload.ProductLine, d.Upload.Classification = prev.Title, prev.ProductLine, string(prev.Classification)
			d.Upload.PreviousID = itoa(prev.ID)
			if prev.ModelID != nil {
				d.Upload.ModelID = itoa(*prev.ModelID)
			}
		}
	}
	return h.render(c, "documents", "/documents", "docs.title", d)
}

// documentsPage gathers the library page.
func (h *Handler) documentsPage(c *fiber.Ctx) (*documentsData, error) {
	ctx := c.UserContext()
	a := cordon.ActorFromContext(ctx)
	d := &documentsData{MayDownload: h.allow(a, cordon.ResDocument, cordon.ActDownload), Partner: a.IsPartner(),
		Query: strings.TrimSpace(c.Query("q")), Line: c.Query("product_line"), Pages: listPagerOf(c, "page")}
	f := cordon.DocumentFilter{Offset: d.Pages.Offset(), Limit: d.Pages.Limit()}
	if d.Query != "" {
		if len(d.Query) > 200 {
			return nil, cordon.FieldErr("q", "search_text_longer_than_200")
		}
		f.Title = &d.Query
	}
	if d.Line != "" {
		f.ProductLine = &d.Line
	}
	var err error
	if d.Docs, d.Pages.Total, err = h.svc.Documents.ListDocuments(ctx, f); err != nil {
		return nil, err
	}
	d.Previous = map[int64]int64{}
	for _, doc := range d.Docs {
		if doc.PreviousID != nil {
			d.Previous[doc.ID] = *doc.PreviousID
		}
	}
	// The catalogue is the institute's (CatalogService answers partners
	// ENOTFOUND): a partner filters by a product line's code as typed.
	if h.svc.Catalog != nil && !a.IsPartner() {
		if d.Lines, err = h.svc.Catalog.FindProductLines(ctx); err != nil {
			return nil, err
		}
	}
	if !a.IsPartner() && h.allow(a, cordon.ResDocument, cordon.ActCreate) {
		d.Upload = &uploadForm{Classes: cordon.Classifications, Classification: string(cordon.ClassInternal), Errors: map[string]string{}}
	}
	return d, nil
}

// handleDocumentUpload stores a document or a new version of one through
// DocumentLibrary.UploadDocument, the API's upload. A refusal shows the
// page again with what was typed and the message next to its field.
func (h *Handler) handleDocumentUpload(c *fiber.Ctx) error {
	f := uploadForm{Title: c.FormValue("title"), ProductLine: c.FormValue("product_line"), ModelID: strings.TrimSpace(c.FormValue("model_id")),
		Classification: c.FormValue("classification"), Version: c.FormValue("version"), PreviousID: strings.TrimSpace(c.FormValue("previous_id"))}
	// The page to show a refusal on is read first: on PostgreSQL a write
	// the database refuses ends the transaction's reads.
	d, err := h.documentsPage(c)
	if err != nil {
		return err
	}
	var doc *cordon.Document
	err = func() error {
		u := cordon.DocumentUpload{Title: f.Title, ProductLine: f.ProductLine, Classification: cordon.Classification(f.Classification), Version: f.Version}
		var err error
		if u.ModelID, err = formID(c, "model_id"); err != nil {
			return err
		}
		if u.PreviousID, err = formID(c, "previous_id"); err != nil {
			return err
		}
		files, err := formFiles(c, "file", 1, cordon.MaxDocumentBytes)
		switch {
		case err == nil && len(files) > 1, err != nil && errorField(err) == "file":
			return cordon.FieldErr("file", "attach_exactly_one_file_field")
		case err != nil:
			return err
		case len(files) == 1:
			u.Content = files[0]
		}
		doc, err = h.svc.Documents.UploadDocument(c.UserContext(), u)
		return err
	}()
	l := Locale{Lang: language(c)}
	if err == nil {
		return done(c, "/documents?q="+url.QueryEscape(doc.Title), l.T("upload.done", doc.Title, doc.Version))
	}
	switch cordon.ErrorCode(err) {
	case cordon.EINVALID, cordon.ECONFLICT, cordon.ETOOLARGE:
	default:
		return err
	}
	f.Classes, f.Errors = cordon.Classifications, map[string]string{}
	field := errorField(err)
	if cordon.ErrorCode(err) == cordon.ETOOLARGE {
		field = "file"
	}
	switch field {
	case "title", "product_line", "model_id", "classification", "version", "previous_id", "file":
		f.Errors[field] = l.ErrorText(err)
	default:
		f.Error = l.ErrorText(err)
	}
	d.Upload = &f
	c.Status(statusOf(err))
	showsPage(c, "/documents")
	if rerr := h.render(c, "documents", "/documents", "docs.title", d); rerr != nil {
		return rerr
	}
	return rendered{}
}

// handleDocumentDownload serves the file through the library: for a
// partner stamped for this download, and recorded in the access log.
func (h *Handler) handleDocumentDownload(c *fiber.Ctx) error {
	id, err := idParam(c, "Document")
	if err != nil {
		return err
	}
	dl, err := h.svc.Documents.DownloadDocument(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set("X-Download-ID", dl.DownloadID)
	return sendFile(c, dl.Content, dl.MediaType, dl.FileName())
}

// Size formats a byte count for people.
func (l Locale) Size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
