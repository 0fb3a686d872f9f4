package sheet

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// BenchmarkRead100k reads a workbook of 100,000 units, as an institute
// keeps it: Chinese headers, the customer's fields repeated on each row,
// delivery dates as date cells, phone numbers as numbers.
//
//	go test -run '^$' -bench Read100k -benchmem ./internal/sheet
func BenchmarkRead100k(b *testing.B) {
	const n = 100_000
	file := book(b, func(f *excelize.File, sh string) {
		date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
		if err != nil {
			b.Fatal(err)
		}
		sw, err := f.NewStreamWriter(sh)
		if err != nil {
			b.Fatal(err)
		}
		head := make([]any, len(headers))
		for i, h := range headers {
			head[i] = h.zh
		}
		if err := sw.SetRow("A1", head); err != nil {
			b.Fatal(err)
		}
		day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range n {
			c := i / 5 // five units a customer
			d := day.AddDate(0, 0, i%1500)
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			err := sw.SetRow(cell, []any{
				fmt.Sprintf("C-%05d", c), "北京", fmt.Sprintf("客户%d", c), fmt.Sprintf("6%04d部队", c%10000), "张三",
				13800000000 + c, "北京市海淀区某路 1 号", fmt.Sprintf("RX-%d", i%7), fmt.Sprintf("SN%08d", i), "2025-03",
				"北京", excelize.Cell{StyleID: date, Value: d}, d.AddDate(2, 0, 0).Format("2006-01-02"), "", 6,
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportAllocs()
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		s, ps, err := Read(bytes.NewReader(file), "units.xlsx")
		if err != nil || ps != nil {
			b.Fatalf("Read: %v %v", err, ps)
		}
		if len(s.Rows) != n || s.Rows[n-1].Cells["delivered_on"] != "2022-09-26" {
			b.Fatalf("read %d rows, the last %v", len(s.Rows), s.Rows[n-1].Cells)
		}
	}
}
