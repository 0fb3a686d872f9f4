package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// maxUnzipped bounds what a workbook may unpack to: the most rows an
// import takes are under 200 MB of XML; a file that unpacks to much more
// is a zip bomb.
const maxUnzipped = 512 << 20

// readXLSX reads the one sheet of an .xlsx workbook. Its cells are read
// as stored (raw), so that a serial or a phone number typed as a number
// stays the digits typed; a number in a cell formatted as a date becomes
// the date, YYYY-MM-DD.
func readXLSX(b []byte) (*table, error) {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, cordon.Err(cordon.EINVALID, "sheet.workbook_unreadable")
	}
	var size uint64
	for _, zf := range z.File {
		size += zf.UncompressedSize64
	}
	if size > maxUnzipped {
		return nil, cordon.Err(cordon.ETOOLARGE, "sheet.workbook_too_large", maxUnzipped>>20)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: maxUnzipped})
	if err != nil {
		return nil, cordon.Err(cordon.EINVALID, "sheet.workbook_unreadable")
	}
	defer f.Close()
	names := f.GetSheetList()
	if len(names) == 0 {
		return nil, cordon.Err(cordon.EINVALID, "sheet.workbook_unreadable")
	}
	t := &table{name: names[0]}
	for _, extra := range names[1:] {
		t.problems = append(t.problems, cordon.ImportProblem{Sheet: extra,
			Err: cordon.Err(cordon.EINVALID, "sheet.extra_sheet", extra, names[0])})
	}
	x := &xlsxReader{f: f, t: t, dates: map[int]bool{}}
	if err := x.readRows(); err != nil {
		return nil, err
	}
	if t.stopped {
		return t, nil // the rest would load every row into memory
	}
	// The checks below load the whole worksheet; the rows were streamed
	// first, from the file as stored.
	merged, err := f.GetMergeCells(t.name, true)
	if err != nil {
		return nil, x.unreadable(err)
	}
	for _, m := range merged {
		col, n, err := excelize.CellNameToCoordinates(m.GetStartAxis())
		if err != nil {
			return nil, x.unreadable(err)
		}
		ref := m.GetStartAxis() + ":" + m.GetEndAxis()
		t.problem(n, col, "", cordon.Err(cordon.EINVALID, "sheet.merged_cells", ref))
	}
	if err := x.cellChecks(); err != nil {
		return nil, err
	}
	return t, nil
}

// xlsxReader reads one worksheet.
type xlsxReader struct {
	f        *excelize.File
	t        *table
	date1904 bool
	dates    map[int]bool // style id → whether it formats a date
	// numeric are the cells whose stored value is a number, by row index
	// in t.rows and column: a date style makes them dates.
	numeric [][2]int
	// present are every stored cell's coordinates, to look for formulas.
	present [][2]int
}

func (x *xlsxReader) unreadable(err error) error {
	return fmt.Errorf("read sheet %q: %w", x.t.name, errors.Join(cordon.Err(cordon.EINVALID, "sheet.workbook_unreadable"), err))
}

// readRows streams the worksheet's rows into the table.
func (x *xlsxReader) readRows() error {
	if p, err := x.f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		x.date1904 = *p.Date1904
	}
	rows, err := x.f.Rows(x.t.name)
	if err != nil {
		return x.unreadable(err)
	}
	defer rows.Close()
	raw := excelize.Options{RawCellValue: true}
	data := 0
	for n := 1; rows.Next(); n++ {
		cols, err := rows.Columns(raw)
		if err != nil {
			return x.unreadable(err)
		}
		empty := true
		for i, v := range cols {
			v = clean(v)
			cols[i] = v
			if v == "" {
				continue
			}
			empty = false
		}
		if empty {
			// A formula with an empty result still counts: look at it.
			for i := range cols {
				x.present = append(x.present, [2]int{n, i + 1})
			}
			continue
		}
		if len(x.t.rows) > 0 {
			if data++; data > cordon.MaxImportRows {
				x.t.problem(n, 0, "", cordon.Err(cordon.EINVALID, "sheet.too_many_rows", cordon.MaxImportRows))
				x.t.stopped = true
				return nil
			}
		}
		for i, v := range cols {
			x.present = append(x.present, [2]int{n, i + 1})
			if v != "" && isNumber(v) {
				x.numeric = append(x.numeric, [2]int{len(x.t.rows), i})
			}
		}
		x.t.rows = append(x.t.rows, row{n: n, cells: cols})
	}
	if err := rows.Error(); err != nil {
		return x.unreadable(err)
	}
	return nil
}

// cellChecks refuses formulas and turns numbers in date cells into dates.
func (x *xlsxReader) cellChecks() error {
	for _, p := range x.present {
		cell, err := excelize.CoordinatesToCellName(p[1], p[0])
		if err != nil {
			return x.unreadable(err)
		}
		formula, err := x.f.GetCellFormula(x.t.name, cell)
		if err != nil {
			return x.unreadable(err)
		}
		if formula != "" {
			x.t.problem(p[0], p[1], "", cordon.Err(cordon.EINVALID, "sheet.formula_not_allowed"))
		}
	}
	for _, p := range x.numeric {
		r := &x.t.rows[p[0]]
		cell, err := excelize.CoordinatesToCellName(p[1]+1, r.n)
		if err != nil {
			return x.unreadable(err)
		}
		style, err := x.f.GetCellStyle(x.t.name, cell)
		if err != nil {
			return x.unreadable(err)
		}
		isDate, ok := x.dates[style]
		if !ok {
			isDate = x.dateStyle(style)
			x.dates[style] = isDate
		}
		if !isDate {
			continue
		}
		v, _ := strconv.ParseFloat(r.cells[p[1]], 64)
		if d, err := excelize.ExcelDateToTime(v, x.date1904); err == nil {
			r.cells[p[1]] = d.Format("2006-01-02")
		}
	}
	return nil
}

// dateStyle reports whether the style formats a number as a date.
func (x *xlsxReader) dateStyle(id int) bool {
	s, err := x.f.GetStyle(id)
	if err != nil || s == nil {
		return false
	}
	if s.CustomNumFmt != nil {
		return dateFormat(*s.CustomNumFmt)
	}
	return builtinDate[s.NumFmt]
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

// isNumber reports whether a raw cell value is a number (written with
// digits: not "NaN" or "Inf").
func isNumber(v string) bool {
	if v == "" || !(v[0] >= '0' && v[0] <= '9' || v[0] == '.') {
		return false
	}
	_, err := strconv.ParseFloat(v, 64)
	return err == nil
}
