package webui

import (
	"bytes"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerScorecardPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	r.Get("/scorecards", auth, g.RequireAny([2]string{cordon.ResScorecard, cordon.ActList}, [2]string{cordon.ResScorecard, cordon.ActView}),
		h.handleScorecards)
	r.Get("/scorecards/:id/report", auth, g.Require(cordon.ResScorecard, cordon.ActView), h.handleEvaluationReport)
	r.Get("/scorecards/ranking.csv", auth, g.Require(cordon.ResScorecard, cordon.ActList), h.handleEvaluationRanking)
}

// periodPattern is a quarter as the evaluation names it.
var periodPattern = regexp.MustCompile(`^[0-9]{4}-Q[1-4]$`)

type scorecardsData struct {
	Period  string
	Periods []string
	Cards   []scoreRow
	Clocks  []string // the clocks the cards name, in order
	Charts  []chartBlock
	Ranked  bool // the institute's ranking, not one partner's own card
}

// scoreRow is a scorecard with its place in the ranking.
type scoreRow struct {
	Rank int
	*cordon.Scorecard
}

// chartBlock is one chart with its heading.
type chartBlock struct {
	Heading string
	Chart   any // barChart or columnChart: both have SVG()
}

// errBadPeriod refuses a quarter that is not one, naming now's.
func errBadPeriod(now time.Time) error {
	return cordon.FieldErr("period", "webui.quarter_reads_like", quarter(now))
}

// handleScorecards shows the partners' scorecards for a quarter: to the
// institute every partner ranked, best first (Evaluation.Scorecards, as
// GET /api/v1/scorecards); to a partner its own card only
// (Evaluation.Scorecard for the caller's partner, as
// GET /api/v1/partners/{id}/scorecard).
func (h *Handler) handleScorecards(c *fiber.Ctx) error {
	ctx := c.UserContext()
	a := cordon.ActorFromContext(ctx)
	now := h.svc.Now()
	d := scorecardsData{Period: c.Query("period"), Periods: recentQuarters(now, 8)}
	if d.Period == "" {
		d.Period = quarter(now)
	}
	if !periodPattern.MatchString(d.Period) {
		return h.refused(c, "/scorecards", errBadPeriod(now))
	}
	if !slices.Contains(d.Periods, d.Period) {
		d.Periods = append(d.Periods, d.Period)
	}
	var cards []*cordon.Scorecard
	var err error
	switch {
	case !a.IsPartner() && h.allow(a, cordon.ResScorecard, cordon.ActList):
		d.Ranked = true
		cards, err = h.svc.Evaluation.Scorecards(ctx, d.Period)
	case a.IsPartner():
		var sc *cordon.Scorecard
		if sc, err = h.svc.Evaluation.Scorecard(ctx, a.PartnerID, d.Period); err == nil {
			cards = []*cordon.Scorecard{sc}
		}
	default:
		return cordon.Err(cordon.ENOTFOUND, "scorecard.not_found")
	}
	if err != nil {
		return h.refused(c, "/scorecards", err)
	}
	for i, sc := range cards {
		d.Cards = append(d.Cards, scoreRow{Rank: i + 1, Scorecard: sc})
	}
	seen := map[string]bool{}
	for _, sc := range cards {
		for k := range sc.SLA {
			seen[k] = true
		}
	}
	for _, k := range cordon.ClockNames {
		if seen[k] {
			d.Clocks = append(d.Clocks, k)
			delete(seen, k)
		}
	}
	var rest []string
	for k := range seen {
		rest = append(rest, k)
	}
	sort.Strings(rest)
	d.Clocks = append(d.Clocks, rest...)
	d.Charts = scorecardCharts(Locale{Lang: language(c), now: now}, cards, d.Clocks)
	return h.render(c, "scorecards", "/scorecards", "scorecards.title", d)
}

// scorecardCharts draws one chart per measure, a bar per partner, in the
// cards' order (best first).
func scorecardCharts(l Locale, cards []*cordon.Scorecard, clocks []string) []chartBlock {
	if len(cards) == 0 {
		return nil
	}
	rate := func(id, title string, value func(*cordon.Scorecard) (float64, bool)) chartBlock {
		ch := barChart{ID: id, Title: title, Desc: l.T("scorecards.chart.desc", title), Max: 1}
		for _, sc := range cards {
			v, ok := value(sc)
			text := l.Percent(v)
			if !ok {
				text = "—"
			}
			ch.Bars = append(ch.Bars, bar{Label: sc.PartnerCode, Value: v, Text: text, Warn: ok && v < 0.8})
		}
		return chartBlock{Heading: title, Chart: ch}
	}
	out := []chartBlock{rate("chart-acceptance", l.T("scorecards.acceptance"), func(s *cordon.Scorecard) (float64, bool) {
		return s.AcceptanceRate, s.Offers > 0
	})}
	for _, k := range clocks {
		out = append(out, rate("chart-sla-"+k, l.T("scorecards.sla.clock", l.Clock(k)), func(s *cordon.Scorecard) (float64, bool) {
			v, ok := s.SLA[k]
			return v.Rate, ok && v.Met+v.Breached > 0
		}))
	}
	out = append(out, rate("chart-ftf", l.T("scorecards.ftf"), func(s *cordon.Scorecard) (float64, bool) {
		return s.FirstTimeFix, s.Resolved > 0
	}))
	sat := barChart{ID: "chart-satisfaction", Title: l.T("scorecards.satisfaction"), Desc: l.T("scorecards.chart.desc.sat"), Max: 5}
	for _, sc := range cards {
		text := "—"
		if sc.Responses > 0 {
			text = l.Decimal(sc.Satisfaction) + " / 5"
		}
		sat.Bars = append(sat.Bars, bar{Label: sc.PartnerCode, Value: sc.Satisfaction, Text: text, Warn: sc.Responses > 0 && sc.Satisfaction < 3.5})
	}
	return append(out, chartBlock{Heading: sat.Title, Chart: sat})
}

// handleEvaluationReport downloads a partner's evaluation report for the
// quarter as CSV or PDF through Evaluation.WriteReport, as
// GET /api/v1/partners/{id}/evaluation-report (a partner, its own only).
func (h *Handler) handleEvaluationReport(c *fiber.Ctx) error {
	id, err := idParam(c, "Partner")
	if err != nil {
		return err
	}
	period, format := c.Query("period"), c.Query("format", "csv")
	if !periodPattern.MatchString(period) || (format != "csv" && format != "pdf") {
		return h.refused(c, "/scorecards", errBadPeriod(h.svc.Now()))
	}
	var buf bytes.Buffer
	if err := h.svc.Evaluation.WriteReport(c.UserContext(), &buf, id, period, format, language(c)); err != nil {
		return h.refused(c, "/scorecards?period="+period, err)
	}
	name := "evaluation-" + strconv.FormatInt(id, 10) + "-" + period
	if format == "pdf" {
		return sendFile(c, buf.Bytes(), "application/pdf", name+".pdf")
	}
	return sendFile(c, buf.Bytes(), "text/csv; charset=utf-8", name+".csv")
}

// handleEvaluationRanking downloads every partner's scorecard for the
// quarter as CSV through Evaluation.WriteRanking, as
// GET /api/v1/evaluation-report.
func (h *Handler) handleEvaluationRanking(c *fiber.Ctx) error {
	period := c.Query("period")
	if !periodPattern.MatchString(period) {
		return h.refused(c, "/scorecards", errBadPeriod(h.svc.Now()))
	}
	var buf bytes.Buffer
	if err := h.svc.Evaluation.WriteRanking(c.UserContext(), &buf, period, language(c)); err != nil {
		return h.refused(c, "/scorecards?period="+period, err)
	}
	return sendFile(c, buf.Bytes(), "text/csv; charset=utf-8", "evaluation-"+period+".csv")
}
