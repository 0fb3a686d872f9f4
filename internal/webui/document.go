package webui

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerDocumentPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	r.Get("/documents", auth, g.Require(cordon.ResDocument, cordon.ActList), h.handleDocumentList)
	r.Get("/documents/:id/download", auth, g.Require(cordon.ResDocument, cordon.ActDownload), h.handleDocumentDownload)
}

type documentsData struct {
	Docs        []*cordon.Document
	Total       int
	Query       string
	Line        string
	Lines       []*cordon.ProductLine
	MayDownload bool
	Partner     bool
}

// documentLimit is how many documents a page shows.
const documentLimit = 200

// handleDocumentList is the library: the documents the caller's scope
// shows, searchable by title and product line.
func (h *Handler) handleDocumentList(c *fiber.Ctx) error {
	ctx := c.UserContext()
	a := cordon.ActorFromContext(ctx)
	d := documentsData{MayDownload: h.allow(a, cordon.ResDocument, cordon.ActDownload), Partner: a.IsPartner(),
		Query: strings.TrimSpace(c.Query("q")), Line: c.Query("product_line")}
	f := cordon.DocumentFilter{Limit: documentLimit}
	if d.Query != "" {
		if len(d.Query) > 200 {
			return cordon.FieldErrorf("q", "The search text is longer than 200 characters.")
		}
		f.Title = &d.Query
	}
	if d.Line != "" {
		f.ProductLine = &d.Line
	}
	var err error
	if d.Docs, d.Total, err = h.svc.Documents.ListDocuments(ctx, f); err != nil {
		return err
	}
	if h.svc.Catalog != nil {
		if d.Lines, err = h.svc.Catalog.FindProductLines(ctx); err != nil {
			return err
		}
	}
	return h.render(c, "documents", "/documents", "docs.title", d)
}

var extensions = map[string]string{"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}

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
	ver := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, dl.Document.Version)
	name := fmt.Sprintf("document-%d-v%s.%s", dl.Document.ID, ver, extensions[dl.MediaType])
	c.Set(fiber.HeaderContentType, dl.MediaType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Download-ID", dl.DownloadID)
	return c.Send(dl.Content)
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
