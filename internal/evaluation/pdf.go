package evaluation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/cordon/cordon/internal/cordon"
)

// The PDF report is in English whatever the language asked: the standard
// PDF fonts have no Chinese glyphs, and shipping a CJK font in the one
// binary would add megabytes (docs/evaluation.md says more). The CSV
// report comes in either language.

// pdfcpuOnce turns off pdfcpu's configuration directory before its first
// use, so it builds its configuration in memory and writes nothing to disk.
var pdfcpuOnce sync.Once

// pdfLine is one line of the report: cells at the x positions of its
// layout, bold or not.
type pdfLine struct {
	cells []string
	xs    []float64
	bold  bool
	gap   float64 // space before the line, in points
}

// Layout of an A4 page (595 × 842 points), from the top-left corner.
const (
	pdfTop      = 60
	pdfBottom   = 800
	pdfLeading  = 15
	pdfFontSize = 10
)

var (
	twoColumns    = []float64{60, 330}
	clauseColumns = []float64{60, 190, 300, 360, 410, 480}
)

// ascii keeps what the standard fonts can show: printable ASCII, with §
// kept and anything else replaced by '?'.
func ascii(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '§' || r >= 0x20 && r < 0x7f {
			return r
		}
		return '?'
	}, s)
}

// reportLines lays the scorecard out as lines of text.
func reportLines(sc *cordon.Scorecard, generated time.Time) []pdfLine {
	w := words["en"]
	two := func(a, b string) pdfLine { return pdfLine{cells: []string{a, b}, xs: twoColumns} }
	lines := []pdfLine{
		{cells: []string{"Partner evaluation report"}, xs: twoColumns, bold: true},
		two("Partner", sc.PartnerCode),
		two("Period", fmt.Sprintf("%s (%s to %s, China Standard Time)", sc.Period,
			sc.From.In(cordon.ChinaTime).Format("2006-01-02"), sc.To.In(cordon.ChinaTime).AddDate(0, 0, -1).Format("2006-01-02"))),
		two("Generated", generated.In(cordon.ChinaTime).Format("2006-01-02 15:04")+" CST"),
		{cells: []string{"Scorecard"}, xs: twoColumns, bold: true, gap: 10},
	}
	for _, f := range figures(sc)[5:] { // partner, name, period, from and to are above
		lines = append(lines, two(w[f[0]], f[1]))
	}
	lines = append(lines,
		pdfLine{cells: []string{"Penalties by contract clause"}, xs: twoColumns, bold: true, gap: 10},
		pdfLine{cells: []string{"Clause", "Incident", "Incidents", "Points", "Yuan/point", "Amount"}, xs: clauseColumns, bold: true},
	)
	if len(sc.Penalties) == 0 {
		lines = append(lines, two("None", ""))
	}
	for _, p := range sc.Penalties {
		lines = append(lines, pdfLine{xs: clauseColumns, cells: []string{
			strings.TrimSpace(p.ContractNo + " " + p.Ref), w[string(p.Incident)], strconv.Itoa(p.Incidents),
			strconv.Itoa(p.Points), yuan(p.AmountPerPoint), yuan(p.Amount)}})
	}
	terms := "none"
	if r := sc.RewardTerms; r != nil {
		terms = fmt.Sprintf("%s yuan at score >= %g, <= %d points", yuan(r.Amount), r.MinScore, r.MaxPoints)
	}
	return append(lines,
		pdfLine{cells: []string{"Reward and net"}, xs: twoColumns, bold: true, gap: 10},
		two("Penalty points", strconv.Itoa(sc.PenaltyPoints)),
		two("Penalties (yuan)", yuan(sc.PenaltyAmount)),
		two("Reward terms", terms),
		two("Reward", rewardState(sc, w)),
		two("Reward paid (yuan)", yuan(sc.Reward)),
		pdfLine{cells: []string{"Net (yuan)", yuan(sc.Net)}, xs: twoColumns, bold: true},
	)
}

// writePDF renders the report through pdfcpu's page description (JSON):
// text placed line by line, a new page when one is full.
func writePDF(w io.Writer, sc *cordon.Scorecard, generated time.Time) error {
	type font struct {
		Name string `json:"name"`
		Size int    `json:"size"`
	}
	type text struct {
		Value string    `json:"value"`
		Pos   []float64 `json:"pos"`
		Font  font      `json:"font"`
	}
	pages := map[string]any{}
	var page []text
	y := float64(pdfTop)
	flush := func() {
		pages[strconv.Itoa(len(pages)+1)] = map[string]any{"content": map[string]any{"text": page}}
		page, y = nil, pdfTop
	}
	for _, l := range reportLines(sc, generated) {
		y += l.gap
		if y > pdfBottom {
			flush()
		}
		f := font{Name: "Helvetica", Size: pdfFontSize}
		if l.bold {
			f.Name = "Helvetica-Bold"
		}
		for i, c := range l.cells {
			if c != "" {
				page = append(page, text{Value: ascii(c), Pos: []float64{l.xs[i], y}, Font: f})
			}
		}
		y += pdfLeading
	}
	flush()
	desc, err := json.Marshal(map[string]any{"paper": "A4", "origin": "UpperLeft", "pages": pages})
	if err != nil {
		return fmt.Errorf("report pdf: %w", err)
	}
	pdfcpuOnce.Do(api.DisableConfigDir)
	conf := model.NewDefaultConfiguration()
	conf.Offline = true
	var buf bytes.Buffer
	if err := api.Create(nil, bytes.NewReader(desc), &buf, conf); err != nil {
		return fmt.Errorf("report pdf: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}
