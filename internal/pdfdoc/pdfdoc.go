// Package pdfdoc lays out Cordon's printable documents (service reports,
// certificates, evaluation reports) as A4 PDFs with Chinese text: a title,
// meta lines, sections of key–value rows, tables, paragraphs and images,
// page numbers and a footer line. Every PDF embeds the subset of the
// WenQuanYi Micro Hei font that it uses, with a ToUnicode map so that its
// text can be searched and extracted (docs/pdf.md).
//
// Rendering happens in memory: nothing is read from or written to disk, and
// the same Document renders to the same bytes.
package pdfdoc

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"strconv"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// Document is one PDF. Fill it in, then call Render.
type Document struct {
	// Title is the large heading of the first page, also the PDF's title.
	Title string
	// Subtitle is an optional smaller line under the title.
	Subtitle string
	// Meta lines are printed small under the title (report number,
	// period, generated time…).
	Meta []string
	// Sections follow the title, each under its heading.
	Sections []Section
	// Footer is printed at the bottom of every page, left of the page
	// number.
	Footer string
	// Lang picks the wording of page numbers and the PDF's language tag:
	// "en" for English, anything else for Simplified Chinese.
	Lang string
	// Created is the PDF's creation date. Documents with the same
	// contents and Created render to the same bytes; a zero Created is
	// written as 1970-01-01.
	Created time.Time
	// Author is written to the PDF's metadata (e.g. the institute's name).
	Author string
}

// Section is a heading and the blocks under it.
type Section struct {
	Title  string
	Blocks []Block
}

// Block is one part of a section: Fields, Table, Paragraph or Image.
type Block interface {
	render(r *renderer) error
}

// Fields is a list of key–value rows, keys on the left.
type Fields []Field

// Field is one key–value row. Long values wrap.
type Field struct {
	Key, Value string
}

// FieldPairs is a list of key–value pairs laid out two to a row, for many
// short figures (a scorecard); it reads left to right, then down.
type FieldPairs []Field

// Table is a grid with a header row that is repeated on every page the
// table runs onto. Long cells wrap; a row taller than a page is split.
type Table struct {
	Columns []Column
	Rows    [][]string
	// Empty is shown across the table when it has no rows (e.g. "无").
	Empty string
}

// Column is a table column.
type Column struct {
	Header string
	// Width is the column's share of the page width, relative to the
	// other columns' (e.g. 1, 2, 1); zero counts as 1.
	Width float64
	// Align is the cells' alignment.
	Align Align
}

// Align is the horizontal alignment of a cell.
type Align int

// Alignments.
const (
	Left Align = iota
	Right
	Center
)

// Paragraph is running text. Line breaks in it are kept.
type Paragraph string

// Image is a PNG picture, such as a customer's signature, scaled to fit a
// box while keeping its proportions.
type Image struct {
	PNG []byte
	// MaxWidth and MaxHeight are the box, in millimetres; zero means 70
	// by 30.
	MaxWidth, MaxHeight float64
	// Caption is printed under the picture.
	Caption string
}

// Page geometry of A4 portrait, in millimetres.
const (
	pageWidth    = 210.0
	pageHeight   = 297.0
	marginLeft   = 18.0
	marginRight  = 18.0
	marginTop    = 18.0
	contentWidth = pageWidth - marginLeft - marginRight
	contentEnd   = 276.0 // the lowest y any content reaches
	footerRule   = 281.0
	footerText   = 286.0
)

// Type sizes in points, and the matching line heights in millimetres.
const (
	sizeTitle    = 18.0
	sizeSubtitle = 12.0
	sizeHeading  = 12.0
	sizeBody     = 9.5
	sizeSmall    = 8.0
	lineBody     = 4.6
	lineSmall    = 3.9
	cellPadX     = 1.6
	cellPadY     = 1.4
	ptToMM       = 25.4 / 72
)

// Colours (RGB).
var (
	colText   = [3]int{33, 33, 33}
	colMuted  = [3]int{105, 105, 105}
	colRule   = [3]int{150, 150, 150}
	colGrid   = [3]int{175, 175, 175}
	colHeader = [3]int{232, 236, 242}
	colKey    = [3]int{244, 245, 247}
	colAccent = [3]int{31, 78, 140}
)

// renderer carries the fpdf document and the cursor while a Document is
// laid out.
type renderer struct {
	pdf    *fpdf.Fpdf
	y      float64
	images int
}

// Render writes the document as a PDF to w.
func (d *Document) Render(w io.Writer) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true)
	created := d.Created
	if created.IsZero() {
		created = time.Unix(0, 0)
	}
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetProducer("Cordon", true)
	pdf.SetCreator("Cordon", true)
	pdf.SetTitle(d.Title, true)
	if d.Author != "" {
		pdf.SetAuthor(d.Author, true)
	}
	if d.Lang == "en" {
		pdf.SetLang("en")
	} else {
		pdf.SetLang("zh-CN")
	}
	pdf.SetMargins(marginLeft, marginTop, marginRight)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddUTF8FontFromBytes(fontFamily, "", fontTTF)
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("pdf font: %w", err)
	}
	r := &renderer{pdf: pdf}
	r.newPage()
	r.head(d)
	for _, s := range d.Sections {
		if err := r.section(s); err != nil {
			return err
		}
	}
	r.footers(d)
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("pdf layout: %w", err)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("pdf output: %w", err)
	}
	return nil
}

// newPage starts a page and puts the cursor at its top.
func (r *renderer) newPage() {
	r.pdf.AddPage()
	r.y = marginTop
}

// ensure starts a new page unless h millimetres fit below the cursor;
// it reports whether it did.
func (r *renderer) ensure(h float64) bool {
	if r.y+h <= contentEnd || r.y == marginTop {
		return false
	}
	r.newPage()
	return true
}

// font selects the font at size points, bold or not, in colour c.
func (r *renderer) font(size float64, bold bool, c [3]int) {
	r.pdf.SetFont(fontFamily, "", size)
	r.pdf.SetTextColor(c[0], c[1], c[2])
	if bold {
		// The font has one weight: bold is its outline stroked as well
		// as filled, in the text colour.
		r.pdf.SetDrawColor(c[0], c[1], c[2])
		r.pdf.SetLineWidth(size * 0.018 * ptToMM * 2)
		r.pdf.SetTextRenderingMode(2)
	} else {
		r.pdf.SetTextRenderingMode(0)
	}
}

// plain returns to the body font and resets the line style.
func (r *renderer) plain() {
	r.font(sizeBody, false, colText)
	r.pdf.SetLineWidth(0.2)
}

// text draws one line of text with its top at y, aligned in [x, x+w].
func (r *renderer) text(x, y, w float64, s string, a Align, size float64) {
	switch a {
	case Right:
		x += w - r.pdf.GetStringWidth(s)
	case Center:
		x += (w - r.pdf.GetStringWidth(s)) / 2
	}
	// The baseline sits at the font's ascent below the top of the line.
	r.pdf.Text(x, y+size*ptToMM*0.86, s)
}

// head draws the title, subtitle and meta lines.
func (r *renderer) head(d *Document) {
	r.font(sizeTitle, true, colText)
	for _, l := range r.wrap(clean(d.Title), contentWidth) {
		r.text(marginLeft, r.y, contentWidth, l, Center, sizeTitle)
		r.y += sizeTitle * ptToMM * 1.35
	}
	if d.Subtitle != "" {
		r.y += 1
		r.font(sizeSubtitle, false, colText)
		for _, l := range r.wrap(clean(d.Subtitle), contentWidth) {
			r.text(marginLeft, r.y, contentWidth, l, Center, sizeSubtitle)
			r.y += sizeSubtitle * ptToMM * 1.4
		}
	}
	r.y += 2
	r.font(sizeSmall, false, colMuted)
	for _, m := range d.Meta {
		for _, l := range r.wrap(clean(m), contentWidth) {
			r.text(marginLeft, r.y, contentWidth, l, Center, sizeSmall)
			r.y += lineSmall
		}
	}
	r.y += 1.5
	r.pdf.SetDrawColor(colRule[0], colRule[1], colRule[2])
	r.pdf.SetLineWidth(0.4)
	r.pdf.Line(marginLeft, r.y, pageWidth-marginRight, r.y)
	r.y += 3
	r.plain()
}

// section draws a heading, kept with the start of what follows, then the
// blocks.
func (r *renderer) section(s Section) error {
	if s.Title != "" {
		r.y += 3
		r.ensure(sizeHeading*ptToMM*1.6 + 14)
		r.pdf.SetFillColor(colAccent[0], colAccent[1], colAccent[2])
		r.pdf.Rect(marginLeft, r.y+0.6, 1.2, sizeHeading*ptToMM, "F")
		r.font(sizeHeading, true, colAccent)
		for _, l := range r.wrap(clean(s.Title), contentWidth-4) {
			r.text(marginLeft+3.5, r.y, contentWidth-4, l, Left, sizeHeading)
			r.y += sizeHeading * ptToMM * 1.4
		}
		r.y += 1.5
		r.plain()
	}
	for _, b := range s.Blocks {
		if err := b.render(r); err != nil {
			return err
		}
		r.y += 2.5
	}
	return nil
}

// footers draws the footer line and "page n of m" on every page, once
// the number of pages is known.
func (r *renderer) footers(d *Document) {
	n := r.pdf.PageCount()
	for p := 1; p <= n; p++ {
		r.pdf.SetPage(p)
		// fpdf writes a font change only when the font differs from the
		// last one set anywhere; going back to an earlier page needs it
		// written again.
		r.pdf.SetFontSize(sizeSmall + 1)
		r.font(sizeSmall, false, colMuted)
		r.pdf.SetDrawColor(colRule[0], colRule[1], colRule[2])
		r.pdf.SetLineWidth(0.2)
		r.pdf.Line(marginLeft, footerRule, pageWidth-marginRight, footerRule)
		num := pageLabel(d.Lang, p, n)
		nw := r.pdf.GetStringWidth(num)
		r.text(marginLeft, footerText-lineSmall/2, contentWidth, num, Right, sizeSmall)
		if d.Footer != "" {
			lines := r.wrap(clean(d.Footer), contentWidth-nw-6)
			r.text(marginLeft, footerText-lineSmall/2, contentWidth, lines[0], Left, sizeSmall)
		}
	}
}

// pageLabel says "page p of n" in the document's language.
func pageLabel(lang string, p, n int) string {
	if lang == "en" {
		return "Page " + strconv.Itoa(p) + " of " + strconv.Itoa(n)
	}
	return "第 " + strconv.Itoa(p) + " 页，共 " + strconv.Itoa(n) + " 页"
}

// cell is one cell of a grid row: its wrapped lines and how to draw them.
type cell struct {
	lines []string
	x, w  float64
	align Align
	fill  *[3]int
	bold  bool
}

// grid draws rows of cells with borders. A row that does not fit moves to
// the next page, where header (if any) is drawn first; a row taller than a
// page is split across pages.
func (r *renderer) grid(rows [][]cell, header func()) {
	// room is the height a row may have and still move whole to a new
	// page: the page less a generous header of three lines.
	room := contentEnd - marginTop
	if header != nil {
		room -= 3*lineBody + 2*cellPadY
	}
	for _, row := range rows {
		start := make([]int, len(row)) // next line to draw, per cell
		fresh := false                 // the row has just moved to a new page
		for {
			left := 0
			for i, c := range row {
				left = max(left, len(c.lines)-start[i])
			}
			h := float64(max(left, 1))*lineBody + 2*cellPadY
			if r.y+h > contentEnd {
				fit := int((contentEnd - r.y - 2*cellPadY) / lineBody)
				if !fresh && (fit < 1 || h <= room) {
					r.newPage()
					if header != nil {
						header()
					}
					fresh = true
					continue
				}
				left = max(fit, 1)
				h = float64(left)*lineBody + 2*cellPadY
			}
			r.pdf.SetDrawColor(colGrid[0], colGrid[1], colGrid[2])
			r.pdf.SetLineWidth(0.2)
			for i, c := range row {
				style := "D"
				if c.fill != nil {
					r.pdf.SetFillColor(c.fill[0], c.fill[1], c.fill[2])
					style = "FD"
				}
				r.pdf.Rect(c.x, r.y, c.w, h, style)
				r.font(sizeBody, c.bold, colText)
				end := min(len(c.lines), start[i]+left)
				for j := start[i]; j < end; j++ {
					r.text(c.x+cellPadX, r.y+cellPadY+float64(j-start[i])*lineBody+(lineBody-sizeBody*ptToMM)/2,
						c.w-2*cellPadX, c.lines[j], c.align, sizeBody)
				}
				start[i] = end
				r.pdf.SetDrawColor(colGrid[0], colGrid[1], colGrid[2])
				r.pdf.SetLineWidth(0.2)
			}
			r.plain()
			r.y += h
			done := true
			for i, c := range row {
				if start[i] < len(c.lines) {
					done = false
				}
			}
			if done {
				break
			}
			r.newPage()
			if header != nil {
				header()
			}
			fresh = true
		}
	}
}

func (f Fields) render(r *renderer) error {
	keyW := contentWidth * 0.28
	rows := make([][]cell, 0, len(f))
	r.plain()
	for _, fd := range f {
		rows = append(rows, []cell{
			{lines: r.wrap(clean(fd.Key), keyW-2*cellPadX), x: marginLeft, w: keyW, fill: &colKey},
			{lines: r.wrap(clean(fd.Value), contentWidth-keyW-2*cellPadX), x: marginLeft + keyW, w: contentWidth - keyW},
		})
	}
	r.grid(rows, nil)
	return nil
}

func (f FieldPairs) render(r *renderer) error {
	half := contentWidth / 2
	keyW := half * 0.55
	rows := make([][]cell, 0, (len(f)+1)/2)
	r.plain()
	for i := 0; i < len(f); i += 2 {
		var row []cell
		for j, fd := range f[i:min(i+2, len(f))] {
			x := marginLeft + float64(j)*half
			row = append(row,
				cell{lines: r.wrap(clean(fd.Key), keyW-2*cellPadX), x: x, w: keyW, fill: &colKey},
				cell{lines: r.wrap(clean(fd.Value), half-keyW-2*cellPadX), x: x + keyW, w: half - keyW})
		}
		rows = append(rows, row)
	}
	r.grid(rows, nil)
	return nil
}

func (t Table) render(r *renderer) error {
	if len(t.Columns) == 0 {
		return fmt.Errorf("pdf table: no columns")
	}
	total := 0.0
	for _, c := range t.Columns {
		total += weight(c.Width)
	}
	xs := make([]float64, len(t.Columns))
	ws := make([]float64, len(t.Columns))
	x := marginLeft
	for i, c := range t.Columns {
		xs[i], ws[i] = x, contentWidth*weight(c.Width)/total
		x += ws[i]
	}
	r.plain()
	head := make([]cell, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = cell{lines: r.wrap(clean(c.Header), ws[i]-2*cellPadX), x: xs[i], w: ws[i], align: c.Align, fill: &colHeader, bold: true}
	}
	header := func() { r.grid([][]cell{head}, nil) }
	// Keep the header with the first row.
	r.ensure(2*lineBody + 4*cellPadY + 2*lineBody)
	header()
	rows := make([][]cell, 0, len(t.Rows))
	for n, row := range t.Rows {
		if len(row) > len(t.Columns) {
			return fmt.Errorf("pdf table: row %d has %d cells for %d columns", n+1, len(row), len(t.Columns))
		}
		cells := make([]cell, len(t.Columns))
		for i := range t.Columns {
			v := ""
			if i < len(row) {
				v = row[i]
			}
			cells[i] = cell{lines: r.wrap(clean(v), ws[i]-2*cellPadX), x: xs[i], w: ws[i], align: t.Columns[i].Align}
		}
		rows = append(rows, cells)
	}
	if len(rows) == 0 && t.Empty != "" {
		rows = append(rows, []cell{{lines: r.wrap(clean(t.Empty), contentWidth-2*cellPadX), x: marginLeft, w: contentWidth, align: Center}})
	}
	r.grid(rows, header)
	return nil
}

// weight is a column's relative width; zero or less counts as 1.
func weight(w float64) float64 {
	if w <= 0 {
		return 1
	}
	return w
}

func (p Paragraph) render(r *renderer) error {
	r.plain()
	for _, l := range r.wrap(clean(string(p)), contentWidth) {
		r.ensure(lineBody)
		r.text(marginLeft, r.y, contentWidth, l, Left, sizeBody)
		r.y += lineBody
	}
	return nil
}

func (im Image) render(r *renderer) error {
	// Decoding and encoding again gives fpdf the one PNG form it reads
	// well (8-bit, not interlaced) whatever the upload was.
	img, err := png.Decode(bytes.NewReader(im.PNG))
	if err != nil {
		return fmt.Errorf("pdf image: %w", err)
	}
	b := img.Bounds()
	if b.Dx() == 0 || b.Dy() == 0 {
		return fmt.Errorf("pdf image: empty picture")
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, toNRGBA(img)); err != nil {
		return fmt.Errorf("pdf image: %w", err)
	}
	maxW, maxH := im.MaxWidth, im.MaxHeight
	if maxW <= 0 {
		maxW = 70
	}
	if maxH <= 0 {
		maxH = 30
	}
	maxW = min(maxW, contentWidth)
	maxH = min(maxH, contentEnd-marginTop-2*lineSmall)
	w, h := maxW, maxW*float64(b.Dy())/float64(b.Dx())
	if h > maxH {
		w, h = maxH*float64(b.Dx())/float64(b.Dy()), maxH
	}
	r.images++
	name := "image" + strconv.Itoa(r.images)
	r.pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, &buf)
	if err := r.pdf.Error(); err != nil {
		return fmt.Errorf("pdf image: %w", err)
	}
	caption := r.wrap(clean(im.Caption), contentWidth)
	if im.Caption == "" {
		caption = nil
	}
	r.ensure(h + 1 + float64(len(caption))*lineSmall)
	r.pdf.ImageOptions(name, marginLeft, r.y, w, h, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	r.y += h + 1
	r.font(sizeSmall, false, colMuted)
	for _, l := range caption {
		r.text(marginLeft, r.y, contentWidth, l, Left, sizeSmall)
		r.y += lineSmall
	}
	r.plain()
	return nil
}

// toNRGBA copies img into 8-bit non-premultiplied RGBA.
func toNRGBA(img image.Image) *image.NRGBA {
	if n, ok := img.(*image.NRGBA); ok {
		return n
	}
	b := img.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.Set(x-b.Min.X, y-b.Min.Y, img.At(x, y))
		}
	}
	return out
}
