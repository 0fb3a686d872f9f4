package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// book builds a workbook in a test: fill gets the file and its first
// sheet's name.
func book(t testing.TB, fill func(f *excelize.File, sheet string)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	fill(f, "Sheet1")
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// setRows writes rows from A1 down; nil values leave a cell empty.
func setRows(t testing.TB, f *excelize.File, sheet string, rows [][]any) {
	t.Helper()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
}

// required is a header row of the required columns, in Chinese, and a
// row of values for it.
var (
	requiredZH  = []any{"客户编号", "客户城市", "客户名称", "型号", "序列号", "批次", "交付日期", "保修截止"}
	requiredRow = []any{"C-001", "北京", "某部", "RX-2", "SN1", "B1", "2025-03-01", "2027-03-01"}
)

// problem is an ImportProblem without its error, and the error's key.
type problem struct {
	Sheet, Column, Field, Key string
	Row                       int
}

func problems(ps []cordon.ImportProblem) []problem {
	var out []problem
	for _, p := range ps {
		out = append(out, problem{Sheet: p.Sheet, Row: p.Row, Column: p.Column, Field: p.Field, Key: p.Err.Key})
	}
	return out
}

func TestHeadersFollowUnitSheetFields(t *testing.T) {
	var got []string
	for _, h := range headers {
		got = append(got, h.field)
	}
	if diff := cmp.Diff(cordon.UnitSheetFields, got); diff != "" {
		t.Errorf("headers (-UnitSheetFields +headers):\n%s", diff)
	}
}

func TestFieldOf(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"serial", "serial"},
		{"Serial", "serial"},
		{" SERIAL ", "serial"},
		{"序列号", "serial"},
		{"Delivered on", "delivered_on"},
		{"delivered-on", "delivered_on"},
		{"delivered_on", "delivered_on"},
		{"交付日期", "delivered_on"},
		{"Follow-up months", "follow_up_months"},
		{"回访间隔(月)", "follow_up_months"},
		{"回访间隔（月）", "follow_up_months"},
		{"使用城市", "site_city"},
		{"现场城市", "site_city"},
		{"服务协议截止", "service_end"},
		{"Customer code", "customer_code"},
		{"客户编号", "customer_code"},
		{"单位代号", "unit_designation"},
		{"Unit designation", "unit_designation"},
		{"serial number", ""},
		{"序列", ""},
	} {
		t.Run(tc.header, func(t *testing.T) {
			if got := fieldOf(tc.header); got != tc.want {
				t.Errorf("fieldOf(%q) = %q, want %q", tc.header, got, tc.want)
			}
		})
	}
}

// TestReadXLSX: Chinese headers, date cells of several formats become
// YYYY-MM-DD, numbers stay the digits typed, text stays as typed
// (trimmed), empty rows are skipped and rows keep their numbers.
func TestReadXLSX(t *testing.T) {
	b := book(t, func(f *excelize.File, sh string) {
		iso, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
		custom := "yyyy\"年\"m\"月\"d\"日\""
		cn, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &custom})
		setRows(t, f, sh, [][]any{
			{"客户编号", "客户城市", "客户名称", "联系电话", "型号", "序列号", "批次", "交付日期", "保修截止", "服务协议截止", "回访间隔(月)"},
			{" C-001 ", "北京", "某部", 13800138000, "RX-2", 100234, "B1",
				time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), "2027-03-01", nil, 6},
			{},
			{"C-002", "武汉", "另一部", "027-1234", "RX-2", "SN-2", "B1",
				45000, 46000, "2030/1/2", 12},
		})
		_ = f.SetCellStyle(sh, "H4", "H4", iso)
		_ = f.SetCellStyle(sh, "I4", "I4", cn)
	})
	s, ps, err := Read(bytes.NewReader(b), "units.xlsx")
	if err != nil || ps != nil {
		t.Fatalf("Read: %v %+v", err, problems(ps))
	}
	want := &cordon.Sheet{
		Name: "Sheet1",
		Columns: map[string]string{"customer_code": "A", "customer_city": "B", "name": "C", "phone": "D", "model": "E",
			"serial": "F", "batch": "G", "delivered_on": "H", "warranty_end": "I", "service_end": "J", "follow_up_months": "K"},
		Rows: []cordon.SheetRow{
			{Row: 2, Cells: map[string]string{"customer_code": "C-001", "customer_city": "北京", "name": "某部", "phone": "13800138000",
				"model": "RX-2", "serial": "100234", "batch": "B1", "delivered_on": "2025-03-01", "warranty_end": "2027-03-01", "follow_up_months": "6"}},
			{Row: 4, Cells: map[string]string{"customer_code": "C-002", "customer_city": "武汉", "name": "另一部", "phone": "027-1234",
				"model": "RX-2", "serial": "SN-2", "batch": "B1", "delivered_on": "2023-03-15", "warranty_end": "2025-12-09", "service_end": "2030/1/2", "follow_up_months": "12"}},
		},
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("sheet (-want +got):\n%s", diff)
	}
}

// TestReadCSV: English headers in their friendly forms, a byte order mark,
// quoted commas, empty lines skipped, rows numbered by line.
func TestReadCSV(t *testing.T) {
	in := "\xef\xbb\xbfCustomer code,Customer city,Name,Model,Serial,Batch,Delivered on,warranty_end,Site address\n" +
		"C-001,Beijing,\"Unit, the first\",RX-2,SN1,B1,2025-03-01,2027-03-01,\"Road \"\"7\"\"\"\n" +
		"\n" +
		",,,,,,,,\n" +
		"C-002,Wuhan,Second,RX-2,SN2,B1,2025-03-02,2027-03-02,\n"
	s, ps, err := Read(strings.NewReader(in), "dir/units.csv")
	if err != nil || ps != nil {
		t.Fatalf("Read: %v %+v", err, problems(ps))
	}
	want := &cordon.Sheet{
		Name: "units.csv",
		Columns: map[string]string{"customer_code": "A", "customer_city": "B", "name": "C", "model": "D", "serial": "E",
			"batch": "F", "delivered_on": "G", "warranty_end": "H", "site_address": "I"},
		Rows: []cordon.SheetRow{
			{Row: 2, Cells: map[string]string{"customer_code": "C-001", "customer_city": "Beijing", "name": "Unit, the first", "model": "RX-2",
				"serial": "SN1", "batch": "B1", "delivered_on": "2025-03-01", "warranty_end": "2027-03-01", "site_address": `Road "7"`}},
			{Row: 5, Cells: map[string]string{"customer_code": "C-002", "customer_city": "Wuhan", "name": "Second", "model": "RX-2",
				"serial": "SN2", "batch": "B1", "delivered_on": "2025-03-02", "warranty_end": "2027-03-02"}},
		},
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("sheet (-want +got):\n%s", diff)
	}
}

// TestReadProblems: every kind of bad spreadsheet is a problem where it
// is, and no sheet comes back.
func TestReadProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		file []byte
		want []problem
	}{{
		name: "formulas",
		file: book(t, func(f *excelize.File, sh string) {
			setRows(t, f, sh, [][]any{requiredZH, requiredRow, requiredRow, requiredRow})
			_ = f.SetCellFormula(sh, "C3", `"某"&"部"`)
			_ = f.SetCellFormula(sh, "AA2", `1+1`)
			_ = f.SetCellFormula(sh, "H12", `""`) // an empty result, below the data
		}),
		want: []problem{
			{Sheet: "Sheet1", Row: 2, Column: "AA", Key: "sheet.formula_not_allowed"},
			{Sheet: "Sheet1", Row: 3, Column: "C", Key: "sheet.formula_not_allowed"},
			{Sheet: "Sheet1", Row: 12, Column: "H", Key: "sheet.formula_not_allowed"},
		},
	}, {
		name: "merged cells",
		file: book(t, func(f *excelize.File, sh string) {
			setRows(t, f, sh, [][]any{requiredZH, requiredRow, requiredRow})
			_ = f.MergeCell(sh, "B2", "B3")
		}),
		want: []problem{{Sheet: "Sheet1", Row: 2, Column: "B", Key: "sheet.merged_cells"}},
	}, {
		name: "extra sheets",
		file: book(t, func(f *excelize.File, sh string) {
			setRows(t, f, sh, [][]any{requiredZH, requiredRow})
			_, _ = f.NewSheet("草稿")
			idx, _ := f.NewSheet("hidden")
			_ = idx
			_ = f.SetSheetVisible("hidden", false)
		}),
		want: []problem{
			{Sheet: "草稿", Key: "sheet.extra_sheet"},
			{Sheet: "hidden", Key: "sheet.extra_sheet"},
		},
	}, {
		name: "headers",
		file: book(t, func(f *excelize.File, sh string) {
			setRows(t, f, sh, [][]any{
				{"客户编号", "客户城市", "客户名称", "型号", "Model", "序列号", "颜色", nil, "交付日期"},
				{"C-001", "北京", "某部", "RX-2", "RX-2", "SN1", "红", "oops", "2025-03-01", "stray"},
			})
		}),
		want: []problem{
			{Sheet: "Sheet1", Row: 1, Field: "batch", Key: "sheet.missing_column"},
			{Sheet: "Sheet1", Row: 1, Field: "warranty_end", Key: "sheet.missing_column"},
			{Sheet: "Sheet1", Row: 1, Column: "E", Field: "model", Key: "sheet.duplicate_column"},
			{Sheet: "Sheet1", Row: 1, Column: "G", Key: "sheet.unknown_column"},
			{Sheet: "Sheet1", Row: 2, Column: "H", Key: "sheet.value_without_header"},
			{Sheet: "Sheet1", Row: 2, Column: "J", Key: "sheet.value_without_header"},
		},
	}, {
		name: "empty workbook",
		file: book(t, func(f *excelize.File, sh string) {}),
		want: []problem{{Sheet: "Sheet1", Row: 1, Key: "sheet.no_header_row"}},
	}, {
		name: "csv not utf-8",
		file: []byte("serial,model\nSN1,RX-2\n\xd0\xcd\xba\xc5,RX-2\n"), // 型号 in GBK
		want: []problem{{Sheet: "units.csv", Row: 3, Key: "sheet.not_utf8"}},
	}, {
		name: "csv quotes",
		file: []byte("serial,model\nSN1,RX-2\nSN2,\"RX\"2\n"),
		want: []problem{{Sheet: "units.csv", Row: 3, Key: "sheet.csv_malformed"}},
	}, {
		name: "csv formula",
		file: []byte(strings.Join([]string{
			"customer_code,customer_city,name,model,serial,batch,delivered_on,warranty_end",
			"C-001,Beijing,\"=HYPERLINK(\"\"http://x\"\")\",RX-2,SN1,B1,2025-03-01,2027-03-01"}, "\n")),
		want: []problem{{Sheet: "units.csv", Row: 2, Column: "C", Key: "sheet.formula_not_allowed"}},
	}, {
		name: "csv empty",
		file: []byte("\xef\xbb\xbf\n\n"),
		want: []problem{{Sheet: "units.csv", Row: 1, Key: "sheet.no_header_row"}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			s, ps, err := Read(bytes.NewReader(tc.file), "units.csv")
			if err != nil {
				t.Fatal(err)
			}
			if s != nil {
				t.Errorf("Read returned a sheet with problems: %+v", s)
			}
			if diff := cmp.Diff(tc.want, problems(ps)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			for _, p := range ps {
				if p.Err.Code != cordon.EINVALID || p.Err.Message == p.Err.Key {
					t.Errorf("%s: code %s, message %q", p.Err.Key, p.Err.Code, p.Err.Message)
				}
			}
		})
	}
}

// TestReadProblemMessages: the messages name what is wrong.
func TestReadProblemMessages(t *testing.T) {
	b := book(t, func(f *excelize.File, sh string) {
		setRows(t, f, sh, [][]any{{"客户编号", "客户编号", "颜色"}})
		_ = f.MergeCell(sh, "A3", "C4")
		_, _ = f.NewSheet("草稿")
	})
	_, ps, err := Read(bytes.NewReader(b), "x.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.Err.Message)
	}
	for _, want := range []string{
		`The workbook has an extra sheet "草稿": keep only the sheet of units, "Sheet1".`,
		`The column "客户编号" repeats column A.`,
		`Unknown column "颜色".`,
		`The column "Serial" is missing.`,
		`Merged cells A3:C4 are not allowed: unmerge them and fill in each cell.`,
	} {
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("no problem says %q; got:\n%s", want, strings.Join(got, "\n"))
		}
	}
}

// TestReadTooManyRows: more data rows than an import takes, as .xlsx
// and as CSV.
func TestReadTooManyRows(t *testing.T) {
	var c bytes.Buffer
	c.WriteString("serial\n")
	for i := 0; i <= cordon.MaxImportRows; i++ {
		fmt.Fprintf(&c, "SN%d\n", i)
	}
	x := book(t, func(f *excelize.File, sh string) {
		sw, err := f.NewStreamWriter(sh)
		if err != nil {
			t.Fatal(err)
		}
		_ = sw.SetRow("A1", []any{"serial"})
		for i := 0; i <= cordon.MaxImportRows; i++ {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, []any{i}); err != nil {
				t.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			t.Fatal(err)
		}
	})
	for name, file := range map[string][]byte{"units.csv": c.Bytes(), "units.xlsx": x} {
		t.Run(name, func(t *testing.T) {
			s, ps, err := Read(bytes.NewReader(file), "units.csv")
			if err != nil || s != nil {
				t.Fatalf("Read = %v, %v", s, err)
			}
			want := []problem{{Sheet: map[string]string{"units.csv": "units.csv", "units.xlsx": "Sheet1"}[name],
				Row: cordon.MaxImportRows + 2, Key: "sheet.too_many_rows"}}
			if diff := cmp.Diff(want, problems(ps)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadRefusesFiles: a file that is no spreadsheet is an error, not
// a problem.
func TestReadRefusesFiles(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    io.Reader
		code string
		key  string
	}{
		{"20 MB and more", io.LimitReader(zeros{}, cordon.MaxImportBytes+1), cordon.ETOOLARGE, "sheet.file_too_large"},
		{"old xls", bytes.NewReader(append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, make([]byte, 512)...)), cordon.EINVALID, "sheet.old_or_encrypted_workbook"},
		{"damaged xlsx", strings.NewReader("PK\x03\x04 and then nothing of a zip"), cordon.EINVALID, "sheet.workbook_unreadable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ps, err := Read(tc.r, "units.xlsx")
			e := cordon.AsError(err)
			if e == nil || e.Code != tc.code || e.Key != tc.key || s != nil || ps != nil {
				t.Errorf("Read = %v, %v, %v; want %s %s", s, ps, err, tc.code, tc.key)
			}
		})
	}
	// Exactly the limit is still read (and found to be no spreadsheet).
	_, ps, err := Read(io.LimitReader(zeros{}, cordon.MaxImportBytes), "units.csv")
	if err != nil || len(ps) == 0 {
		t.Errorf("Read of %d bytes = %v, %v", cordon.MaxImportBytes, ps, err)
	}
}

// zeros reads as endless spaces.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// TestWriteRead: what Write writes, Read reads back, in both formats and
// languages; headers are Chinese unless English is asked for.
func TestWriteRead(t *testing.T) {
	rows := []cordon.SheetRow{
		{Cells: map[string]string{"customer_code": "C-001", "customer_city": "北京", "name": "某部, \"一\"", "unit_designation": "61001",
			"contact_person": "张三", "phone": "010-12345678", "site_address": "北京市海淀区", "model": "RX-2", "serial": "000123",
			"batch": "2025-03", "site_city": "北京", "delivered_on": "2025-03-01", "warranty_end": "2027-03-01",
			"service_end": "2030-03-01", "follow_up_months": "6"}},
		{Cells: map[string]string{"customer_code": "C-002", "customer_city": "武汉", "name": "另一部", "model": "RX-2",
			"serial": "12345678901234567890", "batch": "B1", "delivered_on": "2025-04-01", "warranty_end": "2027-04-01"}},
	}
	for _, format := range []string{FormatXLSX, FormatCSV} {
		for _, lang := range []string{cordon.LangZH, cordon.LangEN} {
			t.Run(format+"/"+lang, func(t *testing.T) {
				var b bytes.Buffer
				if err := Write(&b, format, lang, rows); err != nil {
					t.Fatal(err)
				}
				s, ps, err := Read(bytes.NewReader(b.Bytes()), "export."+format)
				if err != nil || ps != nil {
					t.Fatalf("Read: %v %+v", err, problems(ps))
				}
				for i := range rows {
					if diff := cmp.Diff(rows[i].Cells, s.Rows[i].Cells); diff != "" {
						t.Errorf("row %d (-written +read):\n%s", i+2, diff)
					}
					if s.Rows[i].Row != i+2 {
						t.Errorf("row %d read as %d", i+2, s.Rows[i].Row)
					}
				}
				if len(s.Columns) != len(cordon.UnitSheetFields) || s.Columns["follow_up_months"] != "O" {
					t.Errorf("columns = %v", s.Columns)
				}
				first := headerRow(t, format, b.Bytes())
				want := map[string]string{cordon.LangZH: "客户编号", cordon.LangEN: "Customer code"}[lang]
				if first != want {
					t.Errorf("first header = %q, want %q", first, want)
				}
			})
		}
	}
}

// headerRow returns the first header of a written file.
func headerRow(t *testing.T, format string, b []byte) string {
	t.Helper()
	if format == FormatCSV {
		if !bytes.HasPrefix(b, bom) {
			t.Error("the CSV file has no byte order mark")
		}
		rec, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, bom))).Read()
		if err != nil {
			t.Fatal(err)
		}
		return rec[0]
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, err := f.GetCellValue(f.GetSheetList()[0], "A1")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestTemplate(t *testing.T) {
	for _, format := range []string{FormatXLSX, FormatCSV} {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := Template(&b, format, cordon.LangZH); err != nil {
				t.Fatal(err)
			}
			s, ps, err := Read(&b, "template."+format)
			if err != nil || ps != nil || len(s.Rows) != 0 || len(s.Columns) != len(cordon.UnitSheetFields) {
				t.Errorf("Read(template) = %+v, %+v, %v", s, problems(ps), err)
			}
		})
	}
	err := Template(io.Discard, "xls", cordon.LangZH)
	if e := cordon.AsError(err); e == nil || e.Code != cordon.EINVALID || e.Field != "format" {
		t.Errorf("Template(xls) = %v, want EINVALID on format", err)
	}
}

// TestReadXLSXOtherProducers: a workbook as other programs write one,
// built by hand: prefixed element names, rows and cells without
// references, rich text and phonetic guides in shared strings, inline
// strings, the 1904 date system and a custom date format.
func TestReadXLSXOtherProducers(t *testing.T) {
	parts := map[string]string{
		"_rels/.rels": `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<?xml version="1.0"?><x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:rel="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<x:workbookPr date1904="true"/><x:sheets><x:sheet name="台账" sheetId="1" rel:id="R7"/></x:sheets></x:workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="R7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/a.xml"/>` +
			`<Relationship Id="R8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/>` +
			`<Relationship Id="R9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
		"xl/strings.xml": `<?xml version="1.0"?><x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
			`<x:si><x:t>序列号</x:t></x:si>` +
			`<x:si><x:r><x:t>SN</x:t></x:r><x:r><x:rPr><x:b/></x:rPr><x:t xml:space="preserve">-7 </x:t></x:r><x:rPh sb="0" eb="1"><x:t>ruby</x:t></x:rPh></x:si>` +
			`</x:sst>`,
		"xl/styles.xml": `<?xml version="1.0"?><x:styleSheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
			`<x:numFmts count="1"><x:numFmt numFmtId="180" formatCode="yyyy/m/d;@"/></x:numFmts>` +
			`<x:cellStyleXfs count="1"><x:xf numFmtId="14"/></x:cellStyleXfs>` +
			`<x:cellXfs count="3"><x:xf numFmtId="0"/><x:xf numFmtId="180" applyNumberFormat="1"/><x:xf numFmtId="49"/></x:cellXfs></x:styleSheet>`,
		"xl/worksheets/a.xml": `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>` +
			`<x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="inlineStr"><x:is><x:t>交付日期</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>批次</x:t></x:is></x:c></x:row>` +
			`<x:row r="3"><x:c t="s"><x:v>1</x:v></x:c><x:c s="1"><x:v>44000.5</x:v></x:c><x:c s="2"><x:v>44000</x:v></x:c></x:row>` +
			`</x:sheetData></x:worksheet>`,
	}
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for name, body := range parts {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	tb, err := readXLSX(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := &table{name: "台账", rows: []row{
		{n: 1, cells: []string{"序列号", "交付日期", "批次"}},
		{n: 3, cells: []string{"SN-7", "2024-06-19", "44000"}},
	}}
	if diff := cmp.Diff(want, tb, cmp.AllowUnexported(table{}, row{})); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
}

func TestExcelDay(t *testing.T) {
	for _, tc := range []struct {
		serial float64
		d1904  bool
		want   string
	}{
		{1, false, "1900-01-01"},
		{59, false, "1900-02-28"},
		{61, false, "1900-03-01"},
		{45658, false, "2025-01-01"},
		{45658.99999999, false, "2025-01-02"},
		{45658.75, false, "2025-01-01"},
		{0, true, "1904-01-01"},
		{44196, true, "2025-01-01"},
	} {
		if got := excelDay(tc.serial, tc.d1904); got != tc.want {
			t.Errorf("excelDay(%v, %v) = %s, want %s", tc.serial, tc.d1904, got, tc.want)
		}
	}
}
