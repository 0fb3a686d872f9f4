// Package sheet reads and writes the installed base's spreadsheets: the
// .xlsx workbooks and CSV files of customers and their delivered units that
// institutes already keep, with Chinese or English column headers.
//
// Read turns a file into a cordon.Sheet of raw cell text by field name and
// reports what is wrong with the file as a spreadsheet (headers, formulas,
// merged cells, extra sheets, size), each problem with its sheet, row and
// column. Whether the values make sense (dates, models, serials) is the
// installed-base service's business, not this package's.
package sheet

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/cordon/cordon/internal/cordon"
)

// The formats Write and Template produce.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
)

// header is one column of the unit spreadsheet: its field and the header
// written in each language. The headers are part of the file format, not
// text to translate: a file written with them must stay readable, so they
// live here and not in the message catalogue.
type header struct {
	field string
	en    string
	zh    string
	width float64 // the column's width in an .xlsx, in characters
}

// headers follow cordon.UnitSheetFields, in its order (a test checks).
var headers = []header{
	{"customer_code", "Customer code", "客户编号", 14},
	{"customer_city", "Customer city", "客户城市", 12},
	{"name", "Name", "客户名称", 28},
	{"unit_designation", "Unit designation", "单位代号", 16},
	{"contact_person", "Contact person", "联系人", 12},
	{"phone", "Phone", "联系电话", 16},
	{"site_address", "Site address", "现场地址", 32},
	{"model", "Model", "型号", 14},
	{"serial", "Serial", "序列号", 18},
	{"batch", "Batch", "批次", 12},
	{"site_city", "Site city", "使用城市", 12},
	{"delivered_on", "Delivered on", "交付日期", 12},
	{"warranty_end", "Warranty end", "保修截止", 12},
	{"service_end", "Service end", "服务协议截止", 14},
	{"follow_up_months", "Follow-up months", "回访间隔(月)", 14},
}

// aliases are further headers read as a field: other words institutes use.
var aliases = map[string]string{
	"现场城市":    "site_city",
	"回访间隔":    "follow_up_months",
	"回访间隔（月）": "follow_up_months",
	"服务截止":    "service_end",
}

// fieldOf returns the field a header names, or "".
func fieldOf(h string) string {
	h = strings.TrimSpace(h)
	if f, ok := aliases[h]; ok {
		return f
	}
	key := normalize(h)
	for _, c := range headers {
		if h == c.zh || key == c.field || key == normalize(c.en) {
			return c.field
		}
	}
	return ""
}

// normalize lower-cases an English header and joins its words with "_",
// so that "Delivered on", "delivered-on" and "delivered_on" are one.
func normalize(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	return strings.Join(strings.FieldsFunc(h, func(r rune) bool {
		return r == ' ' || r == '_' || r == '-' || r == '\u00a0'
	}), "_")
}

// headerText returns the field's header in lang.
func headerText(h header, lang string) string {
	if lang == cordon.LangEN {
		return h.en
	}
	return h.zh
}

// Read reads a spreadsheet of units: an .xlsx workbook (known by its
// content, whatever the file is called) or a UTF-8 CSV file, the first row
// naming the columns. filename names the sheet of a CSV file in problems.
//
// The error is for a file that is no spreadsheet at all: ETOOLARGE past
// cordon.MaxImportBytes, EINVALID for a damaged, encrypted or old binary
// workbook. Everything wrong inside a spreadsheet is a problem, all of them
// at once (up to cordon.MaxImportProblems); when there is any, the sheet
// is nil, so that nothing of it can be imported.
func Read(r io.Reader, filename string) (*cordon.Sheet, []cordon.ImportProblem, error) {
	b, err := io.ReadAll(io.LimitReader(r, cordon.MaxImportBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", filename, err)
	}
	if len(b) > cordon.MaxImportBytes {
		return nil, nil, cordon.Err(cordon.ETOOLARGE, "sheet.file_too_large", cordon.MaxImportBytes>>20)
	}
	var t *table
	switch {
	case bytes.HasPrefix(b, zipMagic):
		t, err = readXLSX(b)
	case bytes.HasPrefix(b, oleMagic):
		return nil, nil, cordon.Err(cordon.EINVALID, "sheet.old_or_encrypted_workbook")
	default:
		t = readCSV(b, filename)
	}
	if err != nil {
		return nil, nil, err
	}
	s, problems := t.sheet()
	if len(problems) > 0 {
		// In the order of the sheet: the workbook's, then row by row.
		slices.SortStableFunc(problems, func(a, b cordon.ImportProblem) int {
			return cmp.Or(cmp.Compare(a.Row, b.Row), cmp.Compare(len(a.Column), len(b.Column)), strings.Compare(a.Column, b.Column))
		})
		return nil, problems, nil
	}
	return s, nil, nil
}

var (
	zipMagic = []byte("PK\x03\x04")
	// oleMagic begins an old .xls workbook and an encrypted .xlsx alike.
	oleMagic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}
)

// table is a spreadsheet as read, before its header is understood: its
// non-empty rows of trimmed cells and the problems found while reading.
type table struct {
	name     string
	rows     []row
	problems []cordon.ImportProblem
	stopped  bool // reading stopped at a problem: the rows are not all there
}

// row is one non-empty row of a table.
type row struct {
	n     int      // 1-based row number
	cells []string // by column, from A
}

// problem records a problem at row n, column col (1-based; 0 for none).
func (t *table) problem(n, col int, field string, err *cordon.Error) {
	if len(t.problems) >= cordon.MaxImportProblems {
		return // enough to go on with
	}
	t.problems = append(t.problems, cordon.ImportProblem{Sheet: t.name, Row: n, Column: columnName(col), Field: field, Err: err})
}

// sheet understands the table's header row and maps every other row's
// cells to fields.
func (t *table) sheet() (*cordon.Sheet, []cordon.ImportProblem) {
	if t.stopped {
		return nil, t.problems
	}
	if len(t.rows) == 0 {
		if len(t.problems) == 0 {
			t.problem(1, 0, "", cordon.Err(cordon.EINVALID, "sheet.no_header_row"))
		}
		return nil, t.problems
	}
	head := t.rows[0]
	s := &cordon.Sheet{Name: t.name, Columns: map[string]string{}}
	fields := make([]string, len(head.cells)) // by column
	for i, h := range head.cells {
		if h == "" {
			continue
		}
		f := fieldOf(h)
		switch {
		case f == "":
			t.problem(head.n, i+1, "", cordon.Err(cordon.EINVALID, "sheet.unknown_column", h))
		case s.Columns[f] != "":
			t.problem(head.n, i+1, f, cordon.FieldErr(f, "sheet.duplicate_column", h, s.Columns[f]))
		default:
			fields[i] = f
			s.Columns[f] = columnName(i + 1)
		}
	}
	for _, f := range cordon.RequiredUnitSheetFields {
		if s.Columns[f] == "" {
			h := headerOf(f)
			t.problem(head.n, 0, f, cordon.FieldErr(f, "sheet.missing_column", h.en, h.zh))
		}
	}
	s.Rows = make([]cordon.SheetRow, 0, len(t.rows)-1)
	for _, r := range t.rows[1:] {
		cells := make(map[string]string, len(fields))
		for i, v := range r.cells {
			if v == "" {
				continue
			}
			if i >= len(fields) || fields[i] == "" {
				if i >= len(head.cells) || head.cells[i] == "" {
					t.problem(r.n, i+1, "", cordon.Err(cordon.EINVALID, "sheet.value_without_header"))
				}
				continue
			}
			cells[fields[i]] = v
		}
		s.Rows = append(s.Rows, cordon.SheetRow{Row: r.n, Cells: cells})
	}
	return s, t.problems
}

// headerOf returns the header of field.
func headerOf(field string) header {
	for _, h := range headers {
		if h.field == field {
			return h
		}
	}
	return header{field: field, en: field, zh: field}
}

// columnName returns the letters of column n (1 is "A"), "" for 0.
func columnName(n int) string {
	if n <= 0 {
		return ""
	}
	var b []byte
	for ; n > 0; n = (n - 1) / 26 {
		b = append([]byte{byte('A' + (n-1)%26)}, b...)
	}
	return string(b)
}

// clean trims a cell of spaces, full-width ones included.
func clean(s string) string {
	return strings.TrimSpace(s)
}

// validUTF8Line returns 0 when b is UTF-8, else the 1-based line of the
// first byte that is not.
func validUTF8Line(b []byte) int {
	if utf8.Valid(b) {
		return 0
	}
	line := 1
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		b = b[size:]
	}
	return line
}
