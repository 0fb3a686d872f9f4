package webui

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// The unit spreadsheets: the import of customers and units from an .xlsx
// or CSV file (a dry run first, then the commit of the very file checked),
// the empty template to fill in, and the export of the units a filter
// selects. The pages read and write spreadsheets through the functions
// cmd hands in (Services.WriteSheet, SheetTemplate; reading is InstalledBaseService.ImportFile's); what an
// import changes is InstalledBaseService.ImportUnits' decision alone.
func registerUnitSheetPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	r.Get("/units/import", auth, g.Require(cordon.ResUnit, cordon.ActCreate), h.handleImportForm)
	r.Post("/units/import", h.checkCSRF, auth, g.Require(cordon.ResUnit, cordon.ActCreate), h.handleImport)
	r.Get("/units/template", auth, g.Require(cordon.ResUnit, cordon.ActCreate), h.handleSheetTemplate)
	r.Get("/units/export", auth, g.Require(cordon.ResUnit, cordon.ActExport), h.handleUnitExport)
}

// maxInlineImport is the largest file the dry run's page carries back in
// its commit form; a larger one is asked for again, and must be the same
// file (its SHA-256 is checked).
const maxInlineImport = 4 << 20

// problemRow is one problem of an import, in the page's language.
type problemRow struct {
	Sheet  string
	Row    int
	Column string
	Field  string
	Text   string
}

type importData struct {
	Result    *cordon.ImportResult
	Problems  []problemRow
	Error     string
	FileName  string
	Data      string // the checked file in base64, for the commit form; "" when too large
	Digest    string // the checked file's SHA-256, hex
	Committed bool
	// ChangesCut says the list of changes shows only the first
	// cordon.MaxImportChangesShown.
	ChangesCut bool
	MaxMiB     int
}

func (h *Handler) handleImportForm(c *fiber.Ctx) error {
	return h.render(c, "unit_import", "/units", "import.title", importData{MaxMiB: cordon.MaxImportBytes >> 20})
}

// handleImport checks an uploaded spreadsheet and shows what it would
// change and every problem with its sheet, row and column (commit absent:
// the dry run), or imports it (commit=1) when every row is valid. Nothing
// is written unless the whole file is.
func (h *Handler) handleImport(c *fiber.Ctx) error {
	ctx := c.UserContext()
	l := Locale{Lang: language(c)}
	d := importData{MaxMiB: cordon.MaxImportBytes >> 20}
	showsPage(c, "/units/import")
	show := func(status int, commit bool) error {
		c.Status(status)
		if err := h.render(c, "unit_import", "/units", "import.title", d); err != nil {
			return err
		}
		if commit && !d.Committed {
			return rendered{} // a refused commit writes nothing
		}
		return nil
	}
	body, name, err := importFile(c)
	if err != nil {
		d.Error = l.ErrorText(err)
		return show(statusOf(err), false)
	}
	sum := sha256.Sum256(body)
	d.FileName, d.Digest = name, hex.EncodeToString(sum[:])
	dryRun := c.FormValue("commit") != "1"
	if want := c.FormValue("sha256"); !dryRun && want != "" && want != d.Digest {
		// Not the file the dry run checked: check this one first.
		dryRun, d.Error = true, l.T("import.changed")
	}
	res, err := h.svc.Installed.ImportFile(ctx, bytes.NewReader(body), name, dryRun)
	if err != nil {
		switch cordon.ErrorCode(err) {
		case cordon.EINVALID, cordon.ETOOLARGE, cordon.ECONFLICT:
			d.Error = l.ErrorText(err)
			return show(statusOf(err), !dryRun)
		}
		return err
	}
	d.Result = res
	for _, p := range res.Problems {
		r := problemRow{Sheet: p.Sheet, Row: p.Row, Column: p.Column, Field: p.Field}
		if p.Err != nil {
			r.Text = l.ErrorText(p.Err)
		}
		d.Problems = append(d.Problems, r)
	}
	d.Committed = !res.DryRun && len(res.Problems) == 0
	d.ChangesCut = len(res.Changes) < res.CustomersCreated+res.CustomersUpdated+res.UnitsCreated+res.UnitsUpdated
	if len(res.Problems) > 0 {
		return show(fiber.StatusUnprocessableEntity, !dryRun)
	}
	if res.DryRun && len(body) <= maxInlineImport {
		d.Data = base64.StdEncoding.EncodeToString(body)
	}
	return show(fiber.StatusOK, !dryRun)
}

// importFile reads the uploaded file (field file), or the file the dry
// run's page carries back (fields data, in base64, and filename).
func importFile(c *fiber.Ctx) ([]byte, string, error) {
	if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEMultipartForm) {
		return nil, "", fieldErr("file", "import.choose_file")
	}
	form, err := c.MultipartForm()
	if err != nil {
		return nil, "", cordon.Err(cordon.EINVALID, "form_could_not_read")
	}
	tooLarge := fieldErr("file", "import.too_large", cordon.MaxImportBytes>>20)
	for _, fh := range form.File["file"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue // an empty file input
		}
		if fh.Size > cordon.MaxImportBytes {
			return nil, "", tooLarge
		}
		f, err := fh.Open()
		if err != nil {
			return nil, "", cordon.FieldErr("file", "attachment_could_not_read")
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, cordon.MaxImportBytes+1))
		if err != nil {
			return nil, "", cordon.FieldErr("file", "attachment_could_not_read")
		}
		if len(b) > cordon.MaxImportBytes {
			return nil, "", tooLarge
		}
		return b, strings.Clone(path.Base(fh.Filename)), nil
	}
	if v := form.Value["data"]; len(v) == 1 && v[0] != "" {
		if base64.StdEncoding.DecodedLen(len(v[0])) > cordon.MaxImportBytes+3 {
			return nil, "", tooLarge
		}
		b, err := base64.StdEncoding.DecodeString(v[0])
		if err != nil {
			return nil, "", fieldErr("file", "import.choose_file")
		}
		name := "import.xlsx"
		if n := form.Value["filename"]; len(n) == 1 && n[0] != "" {
			name = strings.Clone(path.Base(n[0]))
		}
		return b, name, nil
	}
	return nil, "", fieldErr("file", "import.choose_file")
}

// sheetFormat reads ?format=: xlsx (the default) or csv, with the file
// extension and content type.
func sheetFormat(c *fiber.Ctx) (format, contentType string, err error) {
	switch strings.ToLower(c.Query("format")) {
	case "", "xlsx":
		return "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", nil
	case "csv":
		return "csv", "text/csv; charset=utf-8", nil
	}
	return "", "", fieldErr("format", "import.bad_format")
}

// handleSheetTemplate sends the empty unit spreadsheet: headers in
// Chinese, or English with lang=en.
func (h *Handler) handleSheetTemplate(c *fiber.Ctx) error {
	format, ctype, err := sheetFormat(c)
	if err != nil {
		return h.refused(c, "/units/import", err)
	}
	var buf bytes.Buffer
	if err := h.svc.SheetTemplate(&buf, format, language(c)); err != nil {
		return err
	}
	return sendFile(c, buf.Bytes(), ctype, "cordon-units-template."+format)
}

// handleUnitExport sends the units the list's filter selects, every page,
// with their customers' identities (the service logs the export).
func (h *Handler) handleUnitExport(c *fiber.Ctx) error {
	format, ctype, err := sheetFormat(c)
	if err != nil {
		return h.refused(c, "/units", err)
	}
	f, _, err := unitFilterOf(c)
	if err != nil {
		return h.refused(c, "/units", err)
	}
	rows, err := h.svc.Installed.ExportUnits(c.UserContext(), f)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := h.svc.WriteSheet(&buf, format, language(c), rows); err != nil {
		return err
	}
	return sendFile(c, buf.Bytes(), ctype, "cordon-units-"+h.svc.Now().In(cordon.ChinaTime).Format("20060102")+"."+format)
}

// SheetField names a column of the unit spreadsheet (a field of
// cordon.UnitSheetFields) in the page's language; as it is when unknown.
func (l Locale) SheetField(f string) string {
	if t, ok := catalogue[l.Lang]["sheetcol."+f]; ok {
		return t
	}
	return f
}
