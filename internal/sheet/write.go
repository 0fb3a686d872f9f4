package sheet

import (
	"encoding/csv"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// Write writes rows as a unit spreadsheet in format (FormatXLSX or
// FormatCSV), the columns in the order of cordon.UnitSheetFields, headed in
// Chinese, or in English when lang is cordon.LangEN. Every cell is text,
// so that serials and phone numbers stay as they are; a CSV file starts
// with a byte order mark, which spreadsheets need to see UTF-8. Read reads
// what Write writes. EINVALID for another format.
func Write(w io.Writer, format, lang string, rows []cordon.SheetRow) error {
	switch format {
	case FormatXLSX:
		return writeXLSX(w, lang, rows)
	case FormatCSV:
		return writeCSV(w, lang, rows)
	}
	return cordon.FieldErr("format", "sheet.format_xlsx_csv")
}

// Template writes an empty unit spreadsheet, its header row only, for an
// institute to fill and import.
func Template(w io.Writer, format, lang string) error {
	return Write(w, format, lang, nil)
}

// sheetName is the name of the one sheet Write writes.
func sheetName(lang string) string {
	if lang == cordon.LangEN {
		return "Units"
	}
	return "设备清单"
}

func writeCSV(w io.Writer, lang string, rows []cordon.SheetRow) error {
	if _, err := w.Write(bom); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	rec := make([]string, len(headers))
	for i, h := range headers {
		rec[i] = headerText(h, lang)
	}
	if err := cw.Write(rec); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, r := range rows {
		for i, h := range headers {
			rec[i] = r.Cells[h.field]
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

func writeXLSX(w io.Writer, lang string, rows []cordon.SheetRow) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write xlsx: %w", cerr)
		}
	}()
	name := sheetName(lang)
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	for i, h := range headers {
		if err := sw.SetColWidth(i+1, i+1, h.width); err != nil {
			return fmt.Errorf("write xlsx: %w", err)
		}
	}
	// Typed in the empty rows below the data, a date or a long number
	// stays text too.
	if err := sw.SetColStyle(1, len(headers), text); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	vals := make([]any, len(headers))
	for i, h := range headers {
		vals[i] = excelize.Cell{StyleID: bold, Value: headerText(h, lang)}
	}
	if err := sw.SetRow("A1", vals); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	for n, r := range rows {
		for i, h := range headers {
			vals[i] = excelize.Cell{StyleID: text, Value: r.Cells[h.field]}
		}
		cell, err := excelize.CoordinatesToCellName(1, n+2)
		if err != nil {
			return fmt.Errorf("write xlsx: %w", err)
		}
		if err := sw.SetRow(cell, vals); err != nil {
			return fmt.Errorf("write xlsx: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}
