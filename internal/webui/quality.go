package webui

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerQualityPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	r.Get("/quality", auth, g.Require(cordon.ResQuality, cordon.ActView), h.handleQuality)
	r.Get("/quality/campaigns/new", auth, g.Require(cordon.ResCampaign, cordon.ActCreate), h.handleCampaignConfirm)
	r.Post("/quality/campaigns", h.checkCSRF, auth, g.Require(cordon.ResCampaign, cordon.ActCreate), h.handleCampaignStart)
	r.Get("/quality/campaigns/:id", auth, g.Require(cordon.ResCampaign, cordon.ActView), h.handleCampaignView)
}

// qualityFilter is the root-cause filter as the form holds it.
type qualityFilter struct {
	ProductLine, Model, From, To string
}

// causeGroup is the reports of one cause on one model and batch, over the
// filter's months.
type causeGroup struct {
	Cause    cordon.RootCause
	Line     string
	ModelID  int64
	Model    string
	Batch    string
	Count    int
	Campaign string // the link that starts a campaign from it; "" when not allowed
}

type option struct {
	Value, Label string
}

type qualityData struct {
	Filter      qualityFilter
	Lines       []*cordon.ProductLine
	Models      []option
	Total       int
	Groups      []causeGroup
	ByCause     barChart
	Trend       columnChart
	Campaigns   []*cordon.Campaign
	MayCampaign bool
	MayList     bool
}

// rootCauseFilter reads the form: product line code, model id, from and to
// (dates, in China Standard Time; to is inclusive).
func rootCauseFilter(c *fiber.Ctx) (cordon.RootCauseFilter, qualityFilter, error) {
	q := qualityFilter{ProductLine: strings.TrimSpace(c.Query("product_line")), Model: c.Query("model"), From: c.Query("from"), To: c.Query("to")}
	var f cordon.RootCauseFilter
	if q.ProductLine != "" {
		if len(q.ProductLine) > 64 {
			return f, q, cordon.FieldErr("product_line", "webui.pick_product_line_from_list")
		}
		v := strings.Clone(q.ProductLine)
		f.ProductLine = &v
	}
	var err error
	if f.ModelID, err = parseID("model", q.Model); err != nil {
		return f, q, err
	}
	f.From, f.To, err = timeRange(q.From, q.To)
	return f, q, err
}

// handleQuality shows the root causes for the filter (QualityService.RootCauses,
// as GET /api/v1/quality/root-causes): by cause, by model and batch, and
// month by month; and the campaigns.
func (h *Handler) handleQuality(c *fiber.Ctx) error {
	ctx := c.UserContext()
	a := cordon.ActorFromContext(ctx)
	l := Locale{Lang: language(c), now: h.svc.Now()}
	f, q, err := rootCauseFilter(c)
	if err != nil {
		return h.refused(c, "/quality", err)
	}
	d := qualityData{Filter: q, MayCampaign: h.allow(a, cordon.ResCampaign, cordon.ActCreate), MayList: h.allow(a, cordon.ResCampaign, cordon.ActList)}
	if h.svc.Catalog != nil {
		if d.Lines, err = h.svc.Catalog.FindProductLines(ctx); err != nil {
			return err
		}
	}
	// The models to pick from: those with reports in the product line.
	all, err := h.svc.Quality.RootCauses(ctx, cordon.RootCauseFilter{ProductLine: f.ProductLine})
	if err != nil {
		return err
	}
	models := map[int64]string{}
	for _, x := range all {
		models[x.ModelID] = x.Model
	}
	for id, name := range models {
		d.Models = append(d.Models, option{Value: strconv.FormatInt(id, 10), Label: name})
	}
	sort.Slice(d.Models, func(i, j int) bool { return d.Models[i].Label < d.Models[j].Label })

	counts, err := h.svc.Quality.RootCauses(ctx, f)
	if err != nil {
		return err
	}
	byCause := map[cordon.RootCause]int{}
	byMonth := map[string]int{}
	type key struct {
		cause   cordon.RootCause
		model   int64
		batch   string
		line    string
		modelNm string
	}
	groups := map[key]int{}
	for _, x := range counts {
		d.Total += x.Count
		byCause[x.Cause] += x.Count
		byMonth[x.Month] += x.Count
		groups[key{x.Cause, x.ModelID, x.Batch, x.ProductLine, x.Model}] += x.Count
	}
	for k, n := range groups {
		g := causeGroup{Cause: k.cause, Line: k.line, ModelID: k.model, Model: k.modelNm, Batch: k.batch, Count: n}
		if d.MayCampaign && k.batch != "" {
			g.Campaign = "/quality/campaigns/new?" + url.Values{"cause": {string(k.cause)}, "model": {strconv.FormatInt(k.model, 10)}, "batch": {k.batch}}.Encode()
		}
		d.Groups = append(d.Groups, g)
	}
	sort.Slice(d.Groups, func(i, j int) bool {
		a, b := d.Groups[i], d.Groups[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Cause != b.Cause {
			return a.Cause < b.Cause
		}
		if a.Model != b.Model {
			return a.Model < b.Model
		}
		return a.Batch < b.Batch
	})

	d.ByCause = barChart{ID: "chart-causes", Title: l.T("quality.bycause"), Desc: l.T("quality.bycause.desc", l.Number(d.Total))}
	for _, rc := range cordon.RootCauses {
		if n := byCause[rc]; n > 0 {
			d.ByCause.Bars = append(d.ByCause.Bars, bar{Label: l.Cause(rc), Value: float64(n), Text: l.Number(n)})
		}
	}
	sort.SliceStable(d.ByCause.Bars, func(i, j int) bool { return d.ByCause.Bars[i].Value > d.ByCause.Bars[j].Value })
	months := make([]string, 0, len(byMonth))
	for m := range byMonth {
		months = append(months, m)
	}
	sort.Strings(months)
	d.Trend = columnChart{ID: "chart-trend", Title: l.T("quality.trend"), Desc: l.T("quality.trend.desc")}
	for _, m := range months {
		d.Trend.Points = append(d.Trend.Points, bar{Label: l.Month(m), Value: float64(byMonth[m]), Text: l.Number(byMonth[m])})
	}
	if d.MayList {
		if d.Campaigns, err = h.svc.Quality.FindCampaigns(ctx); err != nil {
			return err
		}
	}
	return h.render(c, "quality", "/quality", "quality.title", d)
}

// Month names a YYYY-MM month: 2026年7月, Jul 2026.
func (l Locale) Month(m string) string {
	y, mo, ok := strings.Cut(m, "-")
	n, err := strconv.Atoi(mo)
	if !ok || err != nil || n < 1 || n > 12 {
		return m
	}
	if l.Lang == langEN {
		return [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}[n-1] + " " + y
	}
	return y + "年" + strconv.Itoa(n) + "月"
}

type campaignNewData struct {
	Cause      cordon.RootCause
	ModelID    int64
	Model      string
	Batch      string
	Count      int
	Title      string
	Priorities []cordon.Priority
}

// handleCampaignConfirm is the confirmation step before a campaign: what
// it will do, with its title, description and priority to fill in.
func (h *Handler) handleCampaignConfirm(c *fiber.Ctx) error {
	ctx := c.UserContext()
	cause := cordon.RootCause(c.Query("cause"))
	model, err := strconv.ParseInt(c.Query("model"), 10, 64)
	batch := strings.TrimSpace(c.Query("batch"))
	if !cause.Valid() || err != nil || model <= 0 || batch == "" || len(batch) > 100 {
		return h.refused(c, "/quality", errBadPick)
	}
	d := campaignNewData{Cause: cause, ModelID: model, Batch: strings.Clone(batch), Priorities: cordon.Priorities}
	counts, err := h.svc.Quality.RootCauses(ctx, cordon.RootCauseFilter{ModelID: &model})
	if err != nil {
		return err
	}
	for _, x := range counts {
		if x.Cause == cause && x.Batch == batch {
			d.Count += x.Count
			d.Model = x.Model
		}
	}
	if d.Model == "" {
		return h.refused(c, "/quality", errBadPick)
	}
	l := Locale{Lang: language(c)}
	d.Title = l.T("campaign.default.title", d.Model, d.Batch, l.Cause(cause))
	return h.render(c, "quality_new", "/quality", "campaign.new.title", d)
}

// handleCampaignStart starts the campaign (QualityService.StartCampaign,
// as POST /api/v1/quality/campaigns) and shows its progress.
func (h *Handler) handleCampaignStart(c *fiber.Ctx) error {
	model, err := formID(c, "model_id")
	if err != nil || model == nil {
		return h.refused(c, "/quality", errBadPick)
	}
	back := "/quality/campaigns/new?" + url.Values{"cause": {c.FormValue("root_cause")}, "model": {strconv.FormatInt(*model, 10)}, "batch": {c.FormValue("batch")}}.Encode()
	if c.FormValue("confirm") != "yes" {
		return h.refused(c, back, errNotConfirm)
	}
	p, err := h.svc.Quality.StartCampaign(c.UserContext(), &cordon.Campaign{
		Title: c.FormValue("title"), RootCause: cordon.RootCause(c.FormValue("root_cause")), ModelID: *model,
		Batch: c.FormValue("batch"), Description: c.FormValue("description"), Priority: cordon.Priority(c.FormValue("priority")),
	})
	if err != nil {
		return h.refused(c, back, err)
	}
	n := 0
	for _, v := range p.Requests {
		n += v
	}
	l := Locale{Lang: language(c)}
	return done(c, "/quality/campaigns/"+itoa(p.Campaign.ID), l.T("campaign.started", p.Campaign.ID, n))
}

type statusCount struct {
	Status string
	Count  int
}

type campaignData struct {
	Campaign *cordon.Campaign
	Requests []statusCount
	Jobs     []statusCount
	Total    int
	Done     int
	Chart    barChart
}

// doneJobs are the statuses in which an inspection is finished.
var doneJobs = map[cordon.JobStatus]bool{cordon.JobResolved: true, cordon.JobVerified: true, cordon.JobClosed: true}

// handleCampaignView shows where a campaign stands
// (QualityService.CampaignProgress, as GET /api/v1/quality/campaigns/{id}).
func (h *Handler) handleCampaignView(c *fiber.Ctx) error {
	id, err := idParam(c, "Campaign")
	if err != nil {
		return err
	}
	p, err := h.svc.Quality.CampaignProgress(c.UserContext(), id)
	if err != nil {
		return err
	}
	l := Locale{Lang: language(c)}
	d := campaignData{Campaign: p.Campaign}
	for k, v := range p.Requests {
		d.Requests = append(d.Requests, statusCount{string(k), v})
		d.Total += v
	}
	sort.Slice(d.Requests, func(i, j int) bool { return d.Requests[i].Status < d.Requests[j].Status })
	d.Chart = barChart{ID: "chart-campaign", Title: l.T("campaign.jobs"), Desc: l.T("campaign.jobs.desc")}
	for _, s := range cordon.JobStatuses {
		if v := p.Jobs[s]; v > 0 {
			d.Jobs = append(d.Jobs, statusCount{string(s), v})
			d.Chart.Bars = append(d.Chart.Bars, bar{Label: l.Status(s), Value: float64(v), Text: l.Number(v)})
			if doneJobs[s] {
				d.Done += v
			}
		}
	}
	return h.render(c, "quality_campaign", "/quality", "campaign.title", d)
}
