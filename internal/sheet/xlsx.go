package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// An .xlsx workbook is read here with archive/zip and encoding/xml, not
// with excelize, which writes them: its streaming reader cannot see
// formulas or number formats, and what can loads the whole worksheet into
// memory first. For 100,000 rows (BenchmarkRead100k) that took 15.6 s and
// 4.9 GB of allocation; one pass over the parts needed takes 2.9 s and
// 0.9 GB.

// maxUnzipped bounds what a workbook may unpack to: the most rows an
// import takes are under 200 MB of XML; a file that unpacks to much more
// is a zip bomb. (archive/zip refuses a part longer than it says it is.)
const maxUnzipped = 512 << 20

// maxColumns is the widest row read; a value further right is a problem.
const maxColumns = 256

// workbook is an .xlsx file's parts, by name.
type workbook struct {
	parts map[string]*zip.File
}

// readXLSX reads the one sheet of an .xlsx workbook. Cells are read as
// stored, so that a serial or a phone number typed as a number stays the
// digits typed; a number in a cell formatted as a date becomes the date,
// YYYY-MM-DD.
func readXLSX(b []byte) (*table, error) {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, cordon.Err(cordon.EINVALID, "sheet.workbook_unreadable")
	}
	wb := &workbook{parts: make(map[string]*zip.File, len(z.File))}
	var size uint64
	for _, f := range z.File {
		size += f.UncompressedSize64
		wb.parts[strings.ToLower(strings.TrimPrefix(f.Name, "/"))] = f
	}
	if size > maxUnzipped {
		return nil, cordon.Err(cordon.ETOOLARGE, "sheet.workbook_too_large", maxUnzipped>>20)
	}
	t, err := wb.read()
	if err != nil {
		var e *cordon.Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, errors.Join(cordon.Err(cordon.EINVALID, "sheet.workbook_unreadable"), err)
	}
	return t, nil
}

// rel is one relationship of a part: its target, made absolute.
type rel struct {
	Type, Target string
}

// sheetRef is one sheet the workbook lists.
type sheetRef struct {
	name, rid string
}

func (wb *workbook) read() (*table, error) {
	root := wb.rels("")
	book := "xl/workbook.xml"
	for _, r := range root {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			book = r.Target
		}
	}
	sheets, date1904, err := wb.workbookXML(book)
	if err != nil {
		return nil, err
	}
	if len(sheets) == 0 {
		return nil, fmt.Errorf("%s lists no sheet", book)
	}
	rels := wb.rels(book)
	t := &table{name: sheets[0].name}
	for _, extra := range sheets[1:] {
		t.problems = append(t.problems, cordon.ImportProblem{Sheet: extra.name,
			Err: cordon.Err(cordon.EINVALID, "sheet.extra_sheet", extra.name, t.name)})
	}
	ws := &worksheetReader{t: t, date1904: date1904}
	for _, r := range rels {
		switch {
		case strings.HasSuffix(r.Type, "/sharedStrings"):
			if ws.strings, err = wb.sharedStrings(r.Target); err != nil {
				return nil, err
			}
		case strings.HasSuffix(r.Type, "/styles"):
			if ws.dates, err = wb.dateStyles(r.Target); err != nil {
				return nil, err
			}
		}
	}
	target, ok := rels[sheets[0].rid]
	if !ok || !strings.HasSuffix(target.Type, "/worksheet") {
		return nil, fmt.Errorf("sheet %q is no worksheet", t.name)
	}
	if err := wb.each(target.Target, ws.read); err != nil {
		return nil, err
	}
	return t, nil
}

// each decodes a part with fn; a missing part is an error.
func (wb *workbook) each(name string, fn func(*xml.Decoder) error) error {
	f, ok := wb.parts[strings.ToLower(name)]
	if !ok {
		return fmt.Errorf("no part %s", name)
	}
	r, err := f.Open()
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer r.Close()
	d := xml.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	if err := fn(d); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}

// rels returns the relationships of a part ("" for the package's), by id.
func (wb *workbook) rels(part string) map[string]rel {
	dir, file := path.Split(part)
	out := map[string]rel{}
	_ = wb.each(dir+"_rels/"+file+".rels", func(d *xml.Decoder) error {
		return tokens(d, func(se xml.StartElement) error {
			if se.Name.Local == "Relationship" {
				target := attr(se, "Target")
				if strings.HasPrefix(target, "/") {
					target = target[1:]
				} else {
					target = path.Join(dir, target)
				}
				out[attr(se, "Id")] = rel{Type: attr(se, "Type"), Target: target}
			}
			return nil
		}, nil)
	})
	return out
}

// workbookXML reads the workbook's sheets, in order, and its date system.
func (wb *workbook) workbookXML(name string) (sheets []sheetRef, date1904 bool, err error) {
	err = wb.each(name, func(d *xml.Decoder) error {
		return tokens(d, func(se xml.StartElement) error {
			switch se.Name.Local {
			case "sheet":
				rid := ""
				for _, a := range se.Attr {
					if a.Name.Local == "id" && a.Name.Space != "" {
						rid = a.Value
					}
				}
				sheets = append(sheets, sheetRef{name: attr(se, "name"), rid: rid})
			case "workbookPr":
				v := attr(se, "date1904")
				date1904 = v == "1" || v == "true"
			}
			return nil
		}, nil)
	})
	return sheets, date1904, err
}

// sharedStrings reads the table of strings cells refer to by index: each
// item's text, rich text runs joined, phonetic guides left out.
func (wb *workbook) sharedStrings(name string) ([]string, error) {
	var (
		out       []string
		b         strings.Builder
		inT, inPh bool
	)
	err := wb.each(name, func(d *xml.Decoder) error {
		return tokens(d, func(se xml.StartElement) error {
			switch se.Name.Local {
			case "si":
				b.Reset()
			case "t":
				inT = !inPh
			case "rPh":
				inPh = true
			}
			return nil
		}, func(tok xml.Token) {
			switch tok := tok.(type) {
			case xml.CharData:
				if inT {
					b.Write(tok)
				}
			case xml.EndElement:
				switch tok.Name.Local {
				case "t":
					inT = false
				case "rPh":
					inPh = false
				case "si":
					out = append(out, b.String())
				}
			}
		})
	})
	return out, err
}

// dateStyles reads which cell formats (by index, as cells name them in
// their s attribute) show a number as a date.
func (wb *workbook) dateStyles(name string) ([]bool, error) {
	custom := map[string]string{}
	var (
		out   []bool
		inXfs bool
	)
	err := wb.each(name, func(d *xml.Decoder) error {
		return tokens(d, func(se xml.StartElement) error {
			switch se.Name.Local {
			case "numFmt":
				custom[attr(se, "numFmtId")] = attr(se, "formatCode")
			case "cellXfs":
				inXfs = true
			case "xf":
				if inXfs {
					id := attr(se, "numFmtId")
					code, ok := custom[id]
					n, _ := strconv.Atoi(id)
					out = append(out, ok && dateFormat(code) || !ok && builtinDate[n])
				}
			}
			return nil
		}, func(tok xml.Token) {
			if e, ok := tok.(xml.EndElement); ok && e.Name.Local == "cellXfs" {
				inXfs = false
			}
		})
	})
	return out, err
}

// tokens runs start on each start element of d and other on every other
// token, until the end.
func tokens(d *xml.Decoder, start func(xml.StartElement) error, other func(xml.Token)) error {
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok {
			if err := start(se); err != nil {
				return err
			}
		} else if other != nil {
			other(tok)
		}
	}
}

// attr returns the value of se's attribute named local, or "".
func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// worksheetReader reads one worksheet's rows, formulas and merged cells.
type worksheetReader struct {
	t        *table
	strings  []string
	dates    []bool // by style index
	date1904 bool
	data     int // data rows so far

	// the row and cell being read
	row            int
	cells          []string
	col            int
	style          int
	typ            string
	formula        bool
	inV, inIS, inT bool
	inPh, beyond   bool
	val            strings.Builder
}

func (w *worksheetReader) read(d *xml.Decoder) error {
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if err := w.start(tok); err != nil {
				return err
			}
		case xml.CharData:
			if w.inV || w.inT && !w.inPh {
				w.val.Write(tok)
			}
		case xml.EndElement:
			switch tok.Name.Local {
			case "v":
				w.inV = false
			case "t":
				w.inT = false
			case "rPh":
				w.inPh = false
			case "is":
				w.inIS = false
			case "c":
				w.endCell()
			case "row":
				if w.endRow(); w.t.stopped {
					return nil
				}
			}
		}
	}
}

func (w *worksheetReader) start(se xml.StartElement) error {
	switch se.Name.Local {
	case "row":
		w.row++
		if r := attr(se, "r"); r != "" {
			n, err := strconv.Atoi(r)
			if err != nil || n < w.row {
				return fmt.Errorf("row %q out of order", r)
			}
			w.row = n
		}
		w.cells, w.col = w.cells[:0], 0
	case "c":
		w.col++
		w.style, w.typ, w.formula = 0, "", false
		w.val.Reset()
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "r":
				col, _, ok := splitRef(a.Value)
				if !ok || col < w.col {
					return fmt.Errorf("cell %q out of order", a.Value)
				}
				w.col = col
			case "s":
				w.style, _ = strconv.Atoi(a.Value)
			case "t":
				w.typ = a.Value
			}
		}
	case "f":
		w.formula = true
	case "v":
		w.inV = true
	case "is":
		w.inIS = true
	case "t":
		w.inT = w.inIS
	case "rPh":
		w.inPh = true
	case "mergeCell":
		ref := attr(se, "ref")
		first, _, _ := strings.Cut(ref, ":")
		col, n, _ := splitRef(first)
		w.t.problem(n, col, "", cordon.Err(cordon.EINVALID, "sheet.merged_cells", ref))
	}
	return nil
}

// endCell keeps the cell's value, as text.
func (w *worksheetReader) endCell() {
	if w.formula {
		w.t.problem(w.row, w.col, "", cordon.Err(cordon.EINVALID, "sheet.formula_not_allowed"))
	}
	v := w.val.String()
	switch w.typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= len(w.strings) {
			v = ""
		} else {
			v = w.strings[i]
		}
	case "d": // an ISO 8601 date: keep the day
		if len(v) >= 10 {
			if _, err := time.Parse("2006-01-02", v[:10]); err == nil {
				v = v[:10]
			}
		}
	case "", "n":
		if w.style >= 0 && w.style < len(w.dates) && w.dates[w.style] {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 1 {
				v = excelDay(f, w.date1904)
			}
		}
	}
	v = clean(v)
	if v == "" {
		return
	}
	if w.col > maxColumns {
		w.t.problem(w.row, w.col, "", cordon.Err(cordon.EINVALID, "sheet.value_without_header"))
		return
	}
	for len(w.cells) < w.col {
		w.cells = append(w.cells, "")
	}
	w.cells[w.col-1] = v
}

// endRow keeps a row with any value; past the most rows an import takes,
// reading stops.
func (w *worksheetReader) endRow() {
	if len(w.cells) == 0 {
		return
	}
	if len(w.t.rows) > 0 {
		if w.data++; w.data > cordon.MaxImportRows {
			w.t.problem(w.row, 0, "", cordon.Err(cordon.EINVALID, "sheet.too_many_rows", cordon.MaxImportRows))
			w.t.stopped = true
			return
		}
	}
	w.t.rows = append(w.t.rows, row{n: w.row, cells: append([]string(nil), w.cells...)})
}

// excelDay returns the day of a spreadsheet's date serial, YYYY-MM-DD:
// days since 1899-12-30 (Excel's 1900 system, whose day 60 is a 29
// February that never was), or since 1904-01-01.
func excelDay(serial float64, date1904 bool) string {
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		epoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	} else if serial < 61 {
		epoch = epoch.AddDate(0, 0, 1)
	}
	// Times of day round to the second, as a spreadsheet shows them: half
	// a second before midnight is the next day.
	days := int(serial + 0.5/86400)
	return epoch.AddDate(0, 0, days).Format("2006-01-02")
}

// splitRef splits a cell reference such as "AB12" into its column (28)
// and row (12).
func splitRef(ref string) (col, row int, ok bool) {
	i := 0
	for ; i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z'; i++ {
		col = col*26 + int(ref[i]-'A'+1)
		if col > 1<<14 {
			return 0, 0, false
		}
	}
	if i == 0 || i == len(ref) {
		return 0, 0, false
	}
	row, err := strconv.Atoi(ref[i:])
	return col, row, err == nil && row > 0
}

// builtinDate are the built-in number formats that show a date (times of
// day alone aside), the Chinese ones (27 to 36, 50 to 58) included.
var builtinDate = map[int]bool{14: true, 15: true, 16: true, 17: true, 22: true,
	27: true, 28: true, 29: true, 30: true, 31: true, 34: true, 35: true, 36: true,
	50: true, 51: true, 52: true, 53: true, 54: true, 57: true, 58: true}

// dateFormat reports whether a custom number format shows a date: it has
// a year or a day outside quoted text, escapes and [brackets].
func dateFormat(code string) bool {
	quoted, bracket := false, false
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case quoted:
			quoted = c != '"'
		case bracket:
			bracket = c != ']'
		case c == '"':
			quoted = true
		case c == '[':
			bracket = true
		case c == '\\':
			i++
		case c == 'y' || c == 'Y' || c == 'd' || c == 'D':
			return true
		}
	}
	return false
}
