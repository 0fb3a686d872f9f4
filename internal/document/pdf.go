package document

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// downloadIDKey is the custom Info dictionary property that carries the
// download id of a stamped PDF.
const downloadIDKey = "CordonDownloadID"

// pdfcpuOnce turns off pdfcpu's configuration directory before the first
// use. Left on, pdfcpu would create ~/.config/pdfcpu (config, fonts,
// certificates) on first use; off, it builds its configuration in memory
// and uses only the built-in core fonts, which is all we need.
var pdfcpuOnce sync.Once

// pdfConfig returns a fresh pdfcpu configuration (never shared between
// calls: pdfcpu writes to it) whose resource limits follow ours.
func pdfConfig(limits Limits, cmd model.CommandMode) *model.Configuration {
	pdfcpuOnce.Do(api.DisableConfigDir)
	conf := model.NewDefaultConfiguration()
	conf.Cmd = cmd
	conf.ValidationMode = model.ValidationRelaxed
	conf.Offline = true   // never fetch anything (certificate revocation lists, ...)
	conf.Optimize = false // keep the file as it is; only add the stamp
	conf.OptimizeBeforeWriting = false
	conf.PostProcessValidate = false
	// A single stream may not be bigger than the file it came in; decoded
	// (inflated) data may grow, but within reason: this stops flate bombs.
	conf.Limits.MaxStreamBytes = limits.MaxBytes
	conf.Limits.MaxDecodeBytes = max(4*limits.MaxBytes, 64<<20)
	conf.Limits.MaxImageBytes = max(4*limits.MaxBytes, 64<<20)
	conf.Limits.MaxImagePixels = limits.MaxPixels
	return conf
}

// readPDF reads and validates a PDF, holding it to limits. The page count
// from the page tree root is checked before validation walks the tree,
// and again after, when validation has proved it true.
func readPDF(content []byte, limits Limits, forStamp bool) (*model.Context, error) {
	cmd := model.VALIDATE
	if forStamp {
		cmd = model.ADDWATERMARKS
	}
	ctx, err := api.ReadContext(bytes.NewReader(content), pdfConfig(limits, cmd))
	if err != nil {
		if errors.Is(err, pdfcpu.ErrWrongPassword) {
			return nil, invalid("read pdf", err, msgEncrypted)
		}
		return nil, invalid("read pdf", err, msgBadPDF)
	}
	if ctx.Encrypt != nil {
		return nil, invalid("read pdf", nil, msgEncrypted)
	}
	if err := ctx.EnsurePageCount(); err != nil {
		return nil, invalid("read pdf page count", err, msgBadPDF)
	}
	if ctx.PageCount > limits.MaxPages {
		return nil, tooLarge("read pdf", "document.pdf_too_many_pages", limits.MaxPages)
	}
	if err := api.ValidateContext(ctx); err != nil {
		return nil, invalid("validate pdf", err, msgBadPDF)
	}
	if ctx.PageCount > limits.MaxPages {
		return nil, tooLarge("validate pdf", "document.pdf_too_many_pages", limits.MaxPages)
	}
	if ctx.PageCount < 1 {
		return nil, invalid("validate pdf", nil, msgNoPages)
	}
	return ctx, nil
}

// The two stamps put on every page, on top of the content, in the core
// font Helvetica (no font file, no config dir). The diagonal one is large
// and faint, in two lines: it survives cropping and screen shots without
// hiding the page. The footer one is small and dark, in one line: it stays
// readable on a print-out.
type pdfStamp struct {
	desc     string
	twoLines bool
}

var pdfStamps = []pdfStamp{
	{"fontname:Helvetica, points:24, scalefactor:0.8 rel, diagonal:1, aligntext:c, fillcolor:#B40000, opacity:0.25", true},
	{"fontname:Helvetica, points:7, scalefactor:1 abs, rotation:0, position:bc, offset:0 6, fillcolor:#700000, opacity:0.85", false},
}

// stampPDF reads content, stamps every page with m and records m's
// download id in the document information dictionary.
func stampPDF(content []byte, m Mark, limits Limits) ([]byte, error) {
	ctx, err := readPDF(content, limits, true)
	if err != nil {
		return nil, err
	}
	who, when := m.lines()
	for _, st := range pdfStamps {
		text := who + " | " + when
		if st.twoLines {
			text = who + `\n` + when // pdfcpu's line break; printable keeps \ out of the fields
		}
		wm, err := api.TextWatermark(text, st.desc, true, false, types.POINTS)
		if err != nil {
			return nil, fmt.Errorf("stamp pdf: describe stamp %q: %w", st.desc, err) // our bug, not the file's
		}
		if err := pdfcpu.AddWatermarks(ctx, nil, wm); err != nil {
			return nil, invalid("stamp pdf", err, msgBadPDF)
		}
		if err := alwaysVisible(ctx, wm); err != nil {
			return nil, invalid("stamp pdf", err, msgBadPDF)
		}
	}
	if err := setDownloadID(ctx, m.DownloadID); err != nil {
		return nil, invalid("stamp pdf metadata", err, msgBadPDF)
	}
	var out bytes.Buffer
	out.Grow(len(content) + 8<<10)
	if err := api.WriteContext(ctx, &out); err != nil {
		return nil, invalid("write pdf", err, msgBadPDF)
	}
	return out.Bytes(), nil
}

// alwaysVisible takes the stamp's forms out of optional content. pdfcpu
// ties a stamp to an optional content group (a layer) — and, in a file that
// already has layers, to the file's first one, which may start hidden or be
// switched off in any viewer. Without /OC the form is always drawn.
func alwaysVisible(ctx *model.Context, wm *model.Watermark) error {
	for _, ir := range wm.FCache {
		if ir == nil {
			continue
		}
		sd, _, err := ctx.DereferenceStreamDict(*ir)
		if err != nil {
			return err
		}
		if sd == nil {
			return errors.New("stamp form missing")
		}
		sd.Delete("OC")
	}
	return nil
}

// setDownloadID records id as a custom property of the document
// information dictionary, creating the dictionary if the file (PDF 2.0)
// has none.
func setDownloadID(ctx *model.Context, id string) error {
	if ctx.Info == nil && ctx.XRefTable.Version() >= model.V20 {
		ir, err := ctx.IndRefForNewObject(types.Dict{})
		if err != nil {
			return err
		}
		ctx.Info = ir
	}
	return pdfcpu.PropertiesAdd(ctx, map[string]string{downloadIDKey: id})
}

// readPDFMark returns the download id recorded by stampPDF. It reads the
// file without validating it: a leaked copy may have been mangled.
func readPDFMark(content []byte) (string, error) {
	limits := DefaultLimits()
	limits.MaxBytes = max(limits.MaxBytes, int64(len(content)))
	ctx, err := api.ReadContext(bytes.NewReader(content), pdfConfig(limits, model.LISTPROPERTIES))
	if err != nil {
		return "", invalid("read pdf mark", err, msgBadPDF)
	}
	if ctx.Info == nil {
		return "", errNoMark()
	}
	d, err := ctx.DereferenceDict(*ctx.Info)
	if err != nil || d == nil {
		return "", errNoMark()
	}
	o, ok := d.Find(downloadIDKey)
	if !ok {
		return "", errNoMark()
	}
	id, err := ctx.DereferenceStringOrHexLiteral(o, model.V10, nil)
	if err != nil || id == "" {
		return "", errNoMark()
	}
	return id, nil
}
