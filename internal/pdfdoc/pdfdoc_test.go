package pdfdoc_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/pdfdoc"
	"github.com/cordon/cordon/internal/pdfdoc/pdftest"
)

// signature draws a stroke on a transparent background, as the signature
// pad uploads it.
func signature(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := 10; x < w-10; x++ {
		y := h/2 + (x%40-20)*h/100
		for d := -2; d <= 2; d++ {
			img.Set(x, y+d, color.NRGBA{A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const longChinese = "客户反映设备在低温环境下启动困难，工程师现场检查后发现电源模块的滤波电容老化、容量下降，" +
	"导致开机瞬间电压跌落；更换电容并复测输出纹波（≤50mV）后，设备在－20℃环境下连续启动十次均正常。" +
	"建议用户每半年检查一次电源模块，并保持机房温度在规定范围内。"

// report is a service report as the lead's package will fill it in.
func report(t testing.TB, rows int) *pdfdoc.Document {
	measurements := make([][]string, rows)
	for i := range measurements {
		measurements[i] = []string{fmt.Sprintf("%d", i+1), fmt.Sprintf("绝缘电阻 第%d点", i+1), fmt.Sprintf("%d.%d", 500+i, i%10), "MΩ", "≥ 100 MΩ", "合格"}
	}
	return &pdfdoc.Document{
		Title:    "服务报告单",
		Subtitle: "Service report",
		Meta:     []string{"报告编号 SR-2026-0042", "生成时间 2026-05-04 10:30（北京时间）"},
		Footer:   "某研究所 售后服务部 · 本报告由 Cordon 生成",
		Created:  time.Date(2026, 5, 4, 2, 30, 0, 0, time.UTC),
		Sections: []pdfdoc.Section{
			{Title: "工单", Blocks: []pdfdoc.Block{pdfdoc.Fields{
				{Key: "工单号", Value: "J-2026-0042"},
				{Key: "客户", Value: "合肥华安技术服务有限公司 (Hefei Huaan)"},
				{Key: "设备", Value: "X-200 型频谱分析仪，序列号 SN20260042"},
				{Key: "故障描述", Value: longChinese},
			}}},
			{Title: "服务时间", Blocks: []pdfdoc.Block{pdfdoc.FieldPairs{
				{Key: "到场", Value: "2026-05-03 09:10"}, {Key: "离场", Value: "2026-05-03 16:45"}, {Key: "工时", Value: "7.5 小时"},
			}}},
			{Title: "测量记录", Blocks: []pdfdoc.Block{pdfdoc.Table{
				Columns: []pdfdoc.Column{{Header: "序号", Width: 0.6, Align: pdfdoc.Right}, {Header: "测量项目", Width: 2}, {Header: "读数", Align: pdfdoc.Right},
					{Header: "单位", Width: 0.7}, {Header: "要求", Width: 1.2}, {Header: "结论", Width: 0.8, Align: pdfdoc.Center}},
				Rows: measurements,
			}}},
			{Title: "备件", Blocks: []pdfdoc.Block{pdfdoc.Table{
				Columns: []pdfdoc.Column{{Header: "备件"}, {Header: "数量"}},
				Empty:   "无",
			}}},
			{Title: "根本原因", Blocks: []pdfdoc.Block{pdfdoc.Paragraph(longChinese + "\nRoot cause: aged filter capacitors in the power supply module.")}},
			{Title: "客户签名", Blocks: []pdfdoc.Block{pdfdoc.Image{PNG: signature(t, 400, 120), Caption: "张三 2026-05-04"}}},
		},
	}
}

func render(t testing.TB, d *pdfdoc.Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := d.Render(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRenderChinese: the Chinese comes back out of the PDF as text, in
// order; the table's header repeats on each page it runs onto; the
// signature is an image; the footer numbers the pages.
func TestRenderChinese(t *testing.T) {
	data := render(t, report(t, 60))
	pages := pdftest.Validate(t, data)
	if pages < 2 {
		t.Fatalf("60 measurements fit on %d page; the test wants a page break", pages)
	}
	text := pdftest.Text(t, data)
	flat := pdftest.Squeeze(text)
	for _, want := range []string{"服务报告单", "Servicereport", "报告编号SR-2026-0042", "工单号", "J-2026-0042", "合肥华安技术服务有限公司(HefeiHuaan)",
		"X-200型频谱分析仪", "到场2026-05-0309:10", "离场2026-05-0316:45", "工时7.5小时", pdftest.Squeeze(strings.ReplaceAll(longChinese, "℃", "°C")), "≤50mV", "－20°C", "≥100MΩ", "无", "Rootcause:agedfiltercapacitors", "张三2026-05-04",
		"某研究所售后服务部·本报告由Cordon生成", fmt.Sprintf("第1页，共%d页", pages), fmt.Sprintf("第%d页，共%d页", pages, pages)} {
		if !strings.Contains(flat, want) {
			t.Errorf("the extracted text lacks %q", want)
		}
	}
	for i := 1; i <= 60; i++ {
		if !strings.Contains(flat, fmt.Sprintf("绝缘电阻第%d点", i)) {
			t.Errorf("measurement %d is missing", i)
		}
	}
	perPage := strings.Split(text, "\f")
	for p := 0; p < pages; p++ {
		page := pdftest.Squeeze(perPage[p])
		if !strings.Contains(page, "测量项目") && strings.Contains(page, "绝缘电阻") {
			t.Errorf("page %d has measurements without the table's header", p+1)
		}
	}
	images := pdftest.Images(t, data)
	total := 0
	for _, n := range images {
		total += n
	}
	if total != 1 {
		t.Errorf("images: got %v, want the one signature", images)
	}
}

// TestRenderEnglish: page numbers follow the document's language.
func TestRenderEnglish(t *testing.T) {
	d := &pdfdoc.Document{Title: "Partner evaluation report", Lang: "en", Sections: []pdfdoc.Section{
		{Title: "Scorecard", Blocks: []pdfdoc.Block{pdfdoc.Fields{{Key: "Score", Value: "0.7625"}}}},
	}}
	flat := pdftest.Squeeze(pdftest.Text(t, render(t, d)))
	for _, want := range []string{"Partnerevaluationreport", "Scorecard", "Score0.7625", "Page1of1"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the extracted text lacks %q in %q", want, flat)
		}
	}
}

// TestRenderDeterministic: the same document gives the same bytes, so
// tests can compare PDFs and downloads can be cached.
func TestRenderDeterministic(t *testing.T) {
	a, b := render(t, report(t, 30)), render(t, report(t, 30))
	if !bytes.Equal(a, b) {
		t.Error("two renderings of one document differ")
	}
	if bytes.Contains(a, []byte("/CreationDate (D:1970")) {
		t.Error("the creation date was not taken from the document")
	}
}

// TestRenderEmbedsSubset: each PDF carries only the glyphs it uses, so a
// short document stays small although the font holds 7,700 characters.
func TestRenderEmbedsSubset(t *testing.T) {
	data := render(t, &pdfdoc.Document{Title: "培训合格证书"})
	if len(data) > 60_000 {
		t.Errorf("a one-line PDF has %d bytes: is the whole font embedded?", len(data))
	}
	if !bytes.Contains(data, []byte("/FontFile2")) || !bytes.Contains(data, []byte("/ToUnicode")) {
		t.Error("the font is not embedded with a ToUnicode map")
	}
}

// TestRenderTallRow: a cell taller than a page is split across pages, and
// nothing of it is lost.
func TestRenderTallRow(t *testing.T) {
	var lines []string
	for i := 1; i <= 90; i++ {
		lines = append(lines, fmt.Sprintf("第%d行", i))
	}
	d := &pdfdoc.Document{Title: "长表格", Sections: []pdfdoc.Section{{Blocks: []pdfdoc.Block{pdfdoc.Table{
		Columns: []pdfdoc.Column{{Header: "项目"}, {Header: "说明", Width: 3}},
		Rows:    [][]string{{"甲", "短"}, {"乙", strings.Join(lines, "\n")}, {"丙", "末行"}},
	}}}}}
	data := render(t, d)
	if n := pdftest.Validate(t, data); n < 2 {
		t.Fatalf("a 90-line cell fits on %d page", n)
	}
	flat := pdftest.Squeeze(pdftest.Text(t, data))
	for _, want := range append(lines, "甲", "短", "末行") {
		if !strings.Contains(flat, want) {
			t.Errorf("the extracted text lacks %q", want)
		}
	}
}

// TestRenderMissingGlyph: a character outside the font prints as □
// rather than as nothing.
func TestRenderMissingGlyph(t *testing.T) {
	if pdfdoc.Covers('镕') {
		t.Fatal("the test needs a character outside the subset")
	}
	flat := pdftest.Squeeze(pdftest.Text(t, render(t, &pdfdoc.Document{Title: "朱镕基\tA\x07B"})))
	if !strings.Contains(flat, "朱□基AB") {
		t.Errorf("got %q, want 朱□基AB", flat)
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name  string
		block pdfdoc.Block
	}{
		{"not a PNG", pdfdoc.Image{PNG: []byte("GIF89a")}},
		{"no columns", pdfdoc.Table{Rows: [][]string{{"a"}}}},
		{"row too wide", pdfdoc.Table{Columns: []pdfdoc.Column{{Header: "a"}}, Rows: [][]string{{"1", "2"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &pdfdoc.Document{Title: "x", Sections: []pdfdoc.Section{{Blocks: []pdfdoc.Block{tc.block}}}}
			if err := d.Render(&bytes.Buffer{}); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestCovers(t *testing.T) {
	for _, c := range "服务报告单培训合格证书，。：；（）【】《》“”、Ω±≤≥§×÷°µ①⑳‰→□AZaz09@＃！" {
		if !pdfdoc.Covers(c) {
			t.Errorf("the font lacks %q", c)
		}
	}
	for _, c := range "镕℃\u0007\U0001F600" {
		if pdfdoc.Covers(c) {
			t.Errorf("the font claims %q", c)
		}
	}
}
