package webui

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"
)

// svgElements parses an SVG and returns its elements' names with their
// attributes and text, failing on XML that does not parse.
func svgElements(t *testing.T, svg string) (names []string, attrs []map[string]string, texts []string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("the chart is not well-formed XML: %v\n%s", err, svg)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			m := map[string]string{}
			for _, a := range x.Attr {
				m[a.Name.Local] = a.Value
			}
			names, attrs = append(names, x.Name.Local), append(attrs, m)
		case xml.CharData:
			if s := strings.TrimSpace(string(x)); s != "" {
				texts = append(texts, s)
			}
		}
	}
}

// TestBarChart: an accessible image (role, title, description), a bar
// per row as long as its value, every label and value as text, labels
// escaped, and no inline style (the pages' CSP forbids it).
func TestBarChart(t *testing.T) {
	c := barChart{ID: "c1", Title: "接单率", Desc: "各合作方的接单率", Max: 1, Bars: []bar{
		{Label: "hefei", Value: 1, Text: "100.0%"},
		{Label: "wuhan", Value: 0.5, Text: "50.0%", Warn: true},
		{Label: `<script>"x"</script>`, Value: 0, Text: "—"},
	}}
	svg := string(c.SVG())
	names, attrs, texts := svgElements(t, svg)
	if names[0] != "svg" || attrs[0]["role"] != "img" || attrs[0]["aria-labelledby"] != "c1-title c1-desc" {
		t.Errorf("root = %s %v, want an svg with role img labelled by its title and desc", names[0], attrs[0])
	}
	if names[1] != "title" || attrs[1]["id"] != "c1-title" || names[2] != "desc" || attrs[2]["id"] != "c1-desc" {
		t.Errorf("the chart does not start with its title and desc: %v", names[:3])
	}
	var widths []string
	for i, n := range names {
		if _, ok := attrs[i]["style"]; ok {
			t.Errorf("<%s> has an inline style", n)
		}
		if n == "rect" {
			widths = append(widths, attrs[i]["width"])
		}
	}
	if got, want := strings.Join(widths, " "), "240.0 120.0 0.0"; got != want {
		t.Errorf("bar widths = %s, want %s", got, want)
	}
	joined := strings.Join(texts, "|")
	for _, s := range []string{"接单率", "hefei", "100.0%", "wuhan", "50.0%", "—"} {
		if !strings.Contains(joined, s) {
			t.Errorf("the chart's text lacks %q: %s", s, joined)
		}
	}
	if strings.Contains(svg, "<script") {
		t.Error("a label was not escaped")
	}
	if !strings.Contains(svg, `class="chart-bar warn"`) {
		t.Error("the warning bar is not marked")
	}
}

// TestColumnChart: one column per point in order, heights to scale, and
// an empty chart still draws.
func TestColumnChart(t *testing.T) {
	c := columnChart{ID: "trend", Title: "月度趋势", Desc: "每月服务报告数", Points: []bar{
		{Label: "2026年7月", Value: 4, Text: "4"}, {Label: "2026年8月", Value: 2, Text: "2"},
	}}
	names, attrs, texts := svgElements(t, string(c.SVG()))
	var heights []string
	for i, n := range names {
		if n == "rect" {
			heights = append(heights, attrs[i]["height"])
		}
	}
	if got, want := strings.Join(heights, " "), "172.0 86.0"; got != want {
		t.Errorf("column heights = %s, want %s", got, want)
	}
	if got := strings.Join(texts, "|"); !strings.Contains(got, "4|2026年7月|") || !strings.Contains(got, "2|2026年8月") {
		t.Errorf("texts = %s", got)
	}
	svgElements(t, string(columnChart{ID: "empty", Title: "x"}.SVG()))
	svgElements(t, string(barChart{ID: "empty", Title: "x"}.SVG()))
}

// TestInsightFormats: numbers, rates, months and quarters in both
// languages.
func TestInsightFormats(t *testing.T) {
	zh, en := Locale{Lang: langZH}, Locale{Lang: langEN}
	for _, tc := range []struct{ got, want string }{
		{zh.Number(1234567), "1,234,567"}, {en.Number(int64(-1234)), "-1,234"}, {en.Number(uint64(12)), "12"},
		{zh.Percent(0.8754), "87.5%"}, {en.Percent(1), "100.0%"},
		{zh.Month("2026-07"), "2026年7月"}, {en.Month("2026-07"), "Jul 2026"}, {en.Month("bad"), "bad"},
		{quarter(time.Date(2026, 9, 30, 17, 0, 0, 0, time.UTC)), "2026-Q4"}, // 1 Oct in China
		{strings.Join(recentQuarters(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), 3), " "), "2026-Q1 2025-Q4 2025-Q3"},
		{zh.Clock("on_site"), "到场"}, {en.Cause("component"), "Component"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if to, ok := inputTime("2026-11-02", true); !ok || !to.Equal(time.Date(2026, 11, 2, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("to 2026-11-02 = %v, want the end of that day in China", to)
	}
	if _, ok := inputTime("yesterday", false); ok {
		t.Error("a bad time was read")
	}
}
