package webui

import (
	"html"
	"html/template"
	"strconv"
	"strings"
)

// Charts are drawn by the server as inline SVG: nothing to load, nothing
// to run, and readable without the picture. Each chart is an image
// (role="img") named by its <title> and described by its <desc>; every bar
// carries its label and value as text, so a screen reader and a printout
// say the same as the picture. Colours come from presentation attributes
// and classes in cordon.css: the pages' Content-Security-Policy allows no
// inline style.

// bar is one bar of a chart: its label, its length as a value on the
// chart's scale, and the value as the page shows it.
type bar struct {
	Label string
	Value float64
	Text  string
	// Warn draws the bar in the warning colour (a breach, a low rate).
	Warn bool
}

// barChart is a horizontal bar chart: one labelled bar per row, scaled to
// Max (the largest value when Max is 0).
type barChart struct {
	ID    string // unique on the page: the ids of its title and desc
	Title string
	Desc  string
	Max   float64
	Bars  []bar
}

// Chart geometry, in SVG user units; the SVG scales to its container.
const (
	chartWidth  = 420
	chartLabelW = 110
	chartValueW = 70
	chartRowH   = 28
	chartBarH   = 18
	chartPad    = 6
)

// esc escapes text for SVG content and attributes.
func esc(s string) string { return html.EscapeString(s) }

// num writes a coordinate with at most one decimal.
func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// clip shortens a label to n runes, with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// open writes the <svg> element with its title and description.
func openChart(b *strings.Builder, id, title, desc string, w, h int) {
	b.WriteString(`<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 `)
	b.WriteString(strconv.Itoa(w) + " " + strconv.Itoa(h))
	b.WriteString(`" width="100%" preserveAspectRatio="xMinYMin meet" aria-labelledby="` + esc(id) + `-title ` + esc(id) + `-desc">`)
	b.WriteString(`<title id="` + esc(id) + `-title">` + esc(title) + `</title>`)
	b.WriteString(`<desc id="` + esc(id) + `-desc">` + esc(desc) + `</desc>`)
}

// SVG draws the chart.
func (c barChart) SVG() template.HTML {
	max := c.Max
	for _, x := range c.Bars {
		if x.Value > max {
			max = x.Value
		}
	}
	n := len(c.Bars)
	if n == 0 {
		n = 1
	}
	h := n*chartRowH + 2*chartPad
	var b strings.Builder
	openChart(&b, c.ID, c.Title, c.Desc, chartWidth, h)
	span := float64(chartWidth - chartLabelW - chartValueW)
	b.WriteString(`<line class="chart-axis" x1="` + strconv.Itoa(chartLabelW) + `" y1="0" x2="` + strconv.Itoa(chartLabelW) + `" y2="` + strconv.Itoa(h) + `" stroke="#8c959f"/>`)
	for i, x := range c.Bars {
		y := chartPad + i*chartRowH
		w := 0.0
		if max > 0 && x.Value > 0 {
			w = x.Value / max * span
		}
		cls, fill := "chart-bar", "#0b5cad"
		if x.Warn {
			cls, fill = "chart-bar warn", "#b42318"
		}
		b.WriteString(`<g class="chart-row">`)
		b.WriteString(`<text class="chart-label" x="` + strconv.Itoa(chartLabelW-8) + `" y="` + strconv.Itoa(y+chartBarH-4) + `" text-anchor="end" font-size="13" fill="#1b1f24">` + esc(clip(x.Label, 10)) + `</text>`)
		b.WriteString(`<rect class="` + cls + `" x="` + strconv.Itoa(chartLabelW) + `" y="` + strconv.Itoa(y) + `" width="` + num(w) + `" height="` + strconv.Itoa(chartBarH) + `" fill="` + fill + `"/>`)
		b.WriteString(`<text class="chart-value" x="` + num(float64(chartLabelW)+w+6) + `" y="` + strconv.Itoa(y+chartBarH-4) + `" font-size="13" fill="#1b1f24">` + esc(x.Text) + `</text>`)
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// columnChart is a vertical bar chart over an ordered axis, such as months:
// one column per point, its value above it and its label below.
type columnChart struct {
	ID     string
	Title  string
	Desc   string
	Points []bar
}

// Column chart geometry.
const (
	columnHeight = 220
	columnTop    = 22 // room for the values
	columnBottom = 26 // room for the labels
	columnMinW   = 44
)

// SVG draws the chart.
func (c columnChart) SVG() template.HTML {
	max := 0.0
	for _, p := range c.Points {
		if p.Value > max {
			max = p.Value
		}
	}
	n := len(c.Points)
	if n == 0 {
		n = 1
	}
	w := chartWidth
	if n*columnMinW > w {
		w = n * columnMinW
	}
	step := float64(w) / float64(n)
	plot := float64(columnHeight - columnTop - columnBottom)
	base := columnHeight - columnBottom
	var b strings.Builder
	openChart(&b, c.ID, c.Title, c.Desc, w, columnHeight)
	b.WriteString(`<line class="chart-axis" x1="0" y1="` + strconv.Itoa(base) + `" x2="` + strconv.Itoa(w) + `" y2="` + strconv.Itoa(base) + `" stroke="#8c959f"/>`)
	for i, p := range c.Points {
		x := float64(i)*step + step*0.2
		cw := step * 0.6
		hgt := 0.0
		if max > 0 && p.Value > 0 {
			hgt = p.Value / max * plot
		}
		mid := float64(i)*step + step/2
		b.WriteString(`<g class="chart-row">`)
		b.WriteString(`<rect class="chart-bar" x="` + num(x) + `" y="` + num(float64(base)-hgt) + `" width="` + num(cw) + `" height="` + num(hgt) + `" fill="#0b5cad"/>`)
		b.WriteString(`<text class="chart-value" x="` + num(mid) + `" y="` + num(float64(base)-hgt-5) + `" text-anchor="middle" font-size="13" fill="#1b1f24">` + esc(p.Text) + `</text>`)
		b.WriteString(`<text class="chart-label" x="` + num(mid) + `" y="` + strconv.Itoa(columnHeight-8) + `" text-anchor="middle" font-size="12" fill="#57606a">` + esc(clip(p.Label, 8)) + `</text>`)
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
