package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"path/filepath"
	"strings"

	"github.com/cordon/cordon/internal/cordon"
)

// bom is the byte order mark Excel writes at the start of a "CSV UTF-8".
var bom = []byte("\xef\xbb\xbf")

// readCSV reads a comma-separated UTF-8 file, its rows numbered by the
// line each begins on (what a spreadsheet shows when the file has no
// line breaks inside quotes). A cell that begins with "=" is a formula to
// a spreadsheet that opens the file, and refused like one.
func readCSV(b []byte, filename string) *table {
	t := &table{name: filepath.Base(filename)}
	b = bytes.TrimPrefix(b, bom)
	if line := validUTF8Line(b); line > 0 {
		t.problem(line, 0, "", cordon.Err(cordon.EINVALID, "sheet.not_utf8"))
		t.stopped = true
		return t
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	data := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			t.problem(pe.StartLine, 0, "", cordon.Err(cordon.EINVALID, "sheet.csv_malformed"))
			t.stopped = true
			return t
		}
		if err != nil {
			t.problem(0, 0, "", cordon.Err(cordon.EINVALID, "sheet.csv_malformed"))
			t.stopped = true
			return t
		}
		line, _ := r.FieldPos(0)
		cells := make([]string, min(len(rec), maxColumns))
		empty := true
		for i, v := range rec {
			v = clean(v)
			switch {
			case v == "":
				continue
			case i >= maxColumns:
				t.problem(line, i+1, "", cordon.Err(cordon.EINVALID, "sheet.value_without_header"))
				continue
			case strings.HasPrefix(v, "="):
				t.problem(line, i+1, "", cordon.Err(cordon.EINVALID, "sheet.formula_not_allowed"))
			}
			cells[i] = v
			empty = false
		}
		if empty {
			continue
		}
		if len(t.rows) > 0 {
			data++
			if data > cordon.MaxImportRows {
				t.problem(line, 0, "", cordon.Err(cordon.EINVALID, "sheet.too_many_rows", cordon.MaxImportRows))
				t.stopped = true
				return t
			}
		}
		t.rows = append(t.rows, row{n: line, cells: cells})
	}
	return t
}
