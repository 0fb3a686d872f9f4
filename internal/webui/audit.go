package webui

import (
	"bytes"
	"encoding/hex"
	"html/template"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// Legal's pages: the access log with filters, "who saw this customer",
// denied attempts by partner, the seal's status and the evidence export.
// They read through the AuditService the API's /api/v1/access-events and
// /api/v1/audit routes use, behind the same rights.
func registerAuditPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	list := g.Require(cordon.ResAccessEvent, cordon.ActList)
	r.Get("/audit", auth, list, h.handleAuditLog)
	r.Get("/audit/events.csv", auth, g.RequireAll([2]string{cordon.ResAccessEvent, cordon.ActList}, [2]string{cordon.ResAccessEvent, cordon.ActExport}), h.handleAuditCSV)
	r.Get("/audit/customer", auth, list, h.handleAuditCustomer)
	r.Get("/audit/denials", auth, list, h.handleAuditDenials)
	r.Get("/audit/seal", auth, g.RequireAll([2]string{cordon.ResAudit, cordon.ActList}, [2]string{cordon.ResAudit, cordon.ActVerify}), h.handleAuditSeal)
	r.Get("/audit/export", auth, g.Require(cordon.ResAudit, cordon.ActExport), h.handleAuditExport)
}

// auditResources are the resources access events name, for the filter.
var auditResources = []string{cordon.ResJob, cordon.ResCustomer, cordon.ResDocument, cordon.ResContract, cordon.ResAudit, cordon.ResAccessEvent, cordon.ResUser, cordon.ResPartner}

// auditActions are the actions access events name, for the filter.
var auditActions = []string{cordon.ActView, cordon.ActList, cordon.ActDisclose, cordon.ActDownload, cordon.ActExport, cordon.ActVerify,
	cordon.ActCreate, cordon.ActUpdate, cordon.ActAccept, cordon.ActDecline, cordon.ActDispatch, cordon.ActAssign, cordon.ActReport,
	cordon.ActManage, cordon.ActActivate, cordon.ActSuspend, cordon.ActTerminate}

// auditForm is the filter form as the user filled it in.
type auditForm struct {
	Partner, Contract, Customer, User, Resource, ResourceID, Action, Decision, From, To string
}

// Query is the form as a query string, for the CSV link: already escaped,
// so the template must not escape it again.
func (f auditForm) Query() template.URL {
	v := url.Values{}
	for k, x := range map[string]string{"partner": f.Partner, "contract": f.Contract, "customer": f.Customer, "user": f.User,
		"resource": f.Resource, "resource_id": f.ResourceID, "action": f.Action, "decision": f.Decision, "from": f.From, "to": f.To} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return template.URL(v.Encode())
}

// auditFilter reads the explorer's form: partner (an org id), contract,
// customer (a customer id: events on that customer), user (an id),
// resource, resource id, action, decision, and a time range (dates or
// datetime-local inputs, in China Standard Time).
func auditFilter(c *fiber.Ctx) (cordon.AccessEventFilter, auditForm, error) {
	q := func(k string) string { return strings.Clone(c.Query(k)) } // Fiber reuses its buffers
	form := auditForm{Partner: q("partner"), Contract: q("contract"), Customer: q("customer"), User: q("user"),
		Resource: q("resource"), ResourceID: q("resource_id"), Action: q("action"), Decision: q("decision"), From: q("from"), To: q("to")}
	var f cordon.AccessEventFilter
	var err error
	if f.OrgID, err = parseID("partner", form.Partner); err != nil {
		return f, form, err
	}
	if f.UserID, err = parseID("user", form.User); err != nil {
		return f, form, err
	}
	for _, x := range []struct {
		name, v string
		dst     **string
	}{{"contract", form.Contract, &f.ContractNo}, {"resource", form.Resource, &f.Resource}, {"resource_id", form.ResourceID, &f.ResourceID}, {"action", form.Action, &f.Action}} {
		v := strings.TrimSpace(x.v)
		if v == "" {
			continue
		}
		if len(v) > 128 || !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return f, form, cordon.FieldErr(x.name, "webui.text_filters_most_128_characters")
		}
		*x.dst = &v
	}
	customer, err := parseID("customer", form.Customer)
	if err != nil {
		return f, form, err
	}
	if customer != nil {
		res, id := cordon.ResCustomer, strconv.FormatInt(*customer, 10)
		f.Resource, f.ResourceID = &res, &id
	}
	if form.Decision != "" {
		d := cordon.Decision(form.Decision)
		if d != cordon.Allow && d != cordon.Deny {
			return f, form, cordon.FieldErr("decision", "webui.decision_allow_deny")
		}
		f.Decision = &d
	}
	f.From, f.To, err = timeRange(form.From, form.To)
	return f, form, err
}

// eventRow is one access event with the names the page can give it.
type eventRow struct {
	Event  *cordon.AccessEvent
	Org    string
	Sealed bool
	Leaf   uint64
}

type auditLogData struct {
	Form      auditForm
	Partners  []option
	Resources []string
	Actions   []string
	Rows      []eventRow
	Pages     *listPager
	MayExport bool
	Sub       string
}

// orgNames maps organisation ids to names, for the roles that may list
// partners (legal may); the institute's own org shows as the institute.
func (h *Handler) orgNames(c *fiber.Ctx) (map[int64]string, []option, error) {
	names, err := h.partnerNames(c)
	if err != nil {
		return nil, nil, err
	}
	var opts []option
	for id, n := range names {
		opts = append(opts, option{Value: strconv.FormatInt(id, 10), Label: n})
	}
	sort.Slice(opts, func(i, j int) bool { return opts[i].Label < opts[j].Label })
	return names, opts, nil
}

// events reads a page of events with their leaf indexes.
func (h *Handler) events(c *fiber.Ctx, f cordon.AccessEventFilter, names map[int64]string) ([]eventRow, int, error) {
	ctx := c.UserContext()
	list, total, err := h.svc.Audit.FindAccessEvents(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(list))
	for i, e := range list {
		ids[i] = e.ID
	}
	leaves, err := h.svc.Audit.LeafIndexes(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	rows := make([]eventRow, len(list))
	for i, e := range list {
		leaf, sealed := leaves[e.ID]
		rows[i] = eventRow{Event: e, Org: names[e.OrgID], Sealed: sealed, Leaf: leaf}
	}
	return rows, total, nil
}

// handleAuditLog is the access-log explorer: AuditService.FindAccessEvents
// with the filters of GET /api/v1/access-events, a page at a time.
func (h *Handler) handleAuditLog(c *fiber.Ctx) error {
	f, form, err := auditFilter(c)
	if err != nil {
		return h.refused(c, "/audit", err)
	}
	names, opts, err := h.orgNames(c)
	if err != nil {
		return err
	}
	pg := listPagerOf(c, "page")
	f.Offset, f.Limit = pg.Offset(), pg.Limit()
	d := auditLogData{Form: form, Partners: opts, Resources: auditResources, Actions: auditActions, Pages: pg, Sub: "log",
		MayExport: h.allow(cordon.ActorFromContext(c.UserContext()), cordon.ResAccessEvent, cordon.ActExport)}
	if form.Action != "" && !slices.Contains(d.Actions, form.Action) {
		d.Actions = append(slices.Clone(d.Actions), form.Action) // a filter from a link: keep it shown
	}
	if d.Rows, pg.Total, err = h.events(c, f, names); err != nil {
		return err
	}
	return h.render(c, "audit", "/audit", "audit.title", d)
}

// handleAuditCSV downloads every event the filter selects as CSV through
// AuditService.ExportAccessEvents, which records the export in the log.
func (h *Handler) handleAuditCSV(c *fiber.Ctx) error {
	f, _, err := auditFilter(c)
	if err != nil {
		return h.refused(c, "/audit", err)
	}
	var buf bytes.Buffer
	if err := h.svc.Audit.ExportAccessEvents(c.UserContext(), f, &buf); err != nil {
		return h.refused(c, "/audit", err)
	}
	return sendFile(c, buf.Bytes(), "text/csv; charset=utf-8", "access-events.csv")
}

// seenBy is one line of "who saw this customer": one user's disclosures
// of the customer under one clause, of one set of fields, with one
// decision.
type seenBy struct {
	*cordon.DisclosureGroup
	Org string
}

type auditCustomerData struct {
	Customer string
	Groups   []seenBy
	Users    int
	Rows     []eventRow
	Total    int
	Pages    *listPager // the events on the customer, a page at a time
	Sub      string
}

// handleAuditCustomer answers "who saw this customer": the disclosures of
// its identity and the refused ones, grouped by user, organisation,
// contract clause, fields and decision with the first and last time
// (AccessReports.FindDisclosures), and every event on the customer, a page
// at a time.
func (h *Handler) handleAuditCustomer(c *fiber.Ctx) error {
	d := auditCustomerData{Customer: strings.TrimSpace(c.Query("customer")), Sub: "customer"}
	if d.Customer == "" {
		return h.render(c, "audit_customer", "/audit", "audit.customer.title", d)
	}
	customer, err := parseID("customer", d.Customer)
	if err != nil {
		return h.refused(c, "/audit/customer", err)
	}
	n := *customer
	d.Customer = strconv.FormatInt(n, 10)
	names, _, err := h.orgNames(c)
	if err != nil {
		return err
	}
	groups, err := h.svc.Audit.FindDisclosures(c.UserContext(), cordon.DisclosureFilter{CustomerID: n})
	if err != nil {
		return h.refused(c, "/audit/customer", err)
	}
	users := map[int64]bool{}
	for _, g := range groups {
		d.Groups = append(d.Groups, seenBy{DisclosureGroup: g, Org: names[g.OrgID]})
		users[g.UserID] = true
	}
	d.Users = len(users)
	res, id := cordon.ResCustomer, d.Customer
	d.Pages = listPagerOf(c, "page")
	f := cordon.AccessEventFilter{Resource: &res, ResourceID: &id, Offset: d.Pages.Offset(), Limit: d.Pages.Limit()}
	if d.Rows, d.Total, err = h.events(c, f, names); err != nil {
		return err
	}
	d.Pages.Total = d.Total
	return h.render(c, "audit_customer", "/audit", "audit.customer.title", d)
}

// denialRow is one organisation's denied attempts in the report's range.
type denialRow struct {
	Partner string
	Total   int
	Spike   bool
	Spikes  []cordon.DenialSpike
	Link    string
}

type auditDenialsData struct {
	From, To    string // the form's values
	RangeFrom   time.Time
	RangeTo     time.Time
	Rows        []denialRow
	Chart       barChart
	Trend       columnChart
	SpikeFloor  int
	SpikeFactor int
	Baseline    int // hours
	Sub         string
}

// handleAuditDenials shows denied attempts by partner over a range (the
// last seven days unless the form says otherwise) with the hours that are
// spikes flagged: AccessReports.DenialReport, as GET
// /api/v1/access-events/denials.
func (h *Handler) handleAuditDenials(c *fiber.Ctx) error {
	ctx := c.UserContext()
	l := Locale{Lang: language(c), now: h.svc.Now()}
	d := auditDenialsData{From: strings.Clone(c.Query("from")), To: strings.Clone(c.Query("to")), Sub: "denials",
		SpikeFloor: cordon.SpikeFloor, SpikeFactor: cordon.SpikeFactor, Baseline: int(cordon.SpikeBaseline / time.Hour)}
	f := cordon.DenialFilter{Bucket: cordon.BucketDay}
	from, to, err := timeRange(d.From, d.To)
	if err != nil {
		return h.refused(c, "/audit/denials", err)
	}
	if from != nil {
		f.From = *from
	}
	if to != nil {
		f.To = *to
	}
	rep, err := h.svc.Audit.DenialReport(ctx, f)
	if err != nil {
		return h.refused(c, "/audit/denials", err)
	}
	d.RangeFrom, d.RangeTo = rep.From, rep.To
	names, opts, err := h.orgNames(c)
	if err != nil {
		return err
	}
	byOrg := map[int64]*cordon.PartnerDenials{}
	for _, p := range rep.Partners {
		byOrg[p.OrgID] = p
	}
	ids := make([]int64, 0, len(opts))
	for _, o := range opts {
		id, _ := strconv.ParseInt(o.Value, 10, 64)
		ids = append(ids, id)
	}
	for _, p := range rep.Partners {
		if _, ok := names[p.OrgID]; !ok {
			ids = append(ids, p.OrgID) // the institute's own users
		}
	}
	perDay := map[string]int{}
	for _, id := range ids {
		row := denialRow{Partner: names[id]}
		if row.Partner == "" {
			row.Partner = l.T("audit.institute")
		}
		if p := byOrg[id]; p != nil {
			row.Total, row.Spike, row.Spikes = p.Total, p.Spike, p.Spikes
			for _, b := range p.Buckets {
				perDay[b.Start.In(cordon.ChinaTime).Format("2006-01-02")] += b.Count
			}
		}
		row.Link = "/audit?" + url.Values{"partner": {strconv.FormatInt(id, 10)}, "decision": {"deny"},
			"from": {rep.From.In(cordon.ChinaTime).Format("2006-01-02T15:04")}, "to": {rep.To.In(cordon.ChinaTime).Format("2006-01-02T15:04")}}.Encode()
		d.Rows = append(d.Rows, row)
	}
	sort.SliceStable(d.Rows, func(i, j int) bool {
		if d.Rows[i].Spike != d.Rows[j].Spike {
			return d.Rows[i].Spike
		}
		return d.Rows[i].Total > d.Rows[j].Total
	})
	d.Chart = barChart{ID: "chart-denials", Title: l.T("audit.denials.chart"), Desc: l.T("audit.denials.chart.desc")}
	for _, r := range d.Rows {
		d.Chart.Bars = append(d.Chart.Bars, bar{Label: r.Partner, Value: float64(r.Total), Text: l.Number(r.Total), Warn: r.Spike})
	}
	d.Trend = columnChart{ID: "chart-denials-days", Title: l.T("audit.denials.trend"), Desc: l.T("audit.denials.trend.desc")}
	for t := rep.From.In(cordon.ChinaTime); t.Before(rep.To) && len(d.Trend.Points) < 100; t = t.AddDate(0, 0, 1) {
		day := t.Format("2006-01-02")
		d.Trend.Points = append(d.Trend.Points, bar{Label: l.ShortDay(t), Value: float64(perDay[day]), Text: l.Number(perDay[day])})
	}
	return h.render(c, "audit_denials", "/audit", "audit.denials.title", d)
}

// ShortDay names a day briefly: 11月2日, 2 Nov.
func (l Locale) ShortDay(t time.Time) string {
	t = t.In(cordon.ChinaTime)
	if l.Lang == langEN {
		return t.Format("2 Jan")
	}
	return strconv.Itoa(int(t.Month())) + "月" + strconv.Itoa(t.Day()) + "日"
}

type auditSealData struct {
	Latest    *cordon.AuditCheckpoint
	Root      string
	Checkpts  int
	Key       string
	Signature string // "ok", "bad" or "none"
	Verified  string // "ok", "bad" or "none"
	Problem   string
	Previous  uint64
	Sub       string
	MayExport bool
	Note      string
}

// handleAuditSeal shows the latest checkpoint and verifies it: the
// signature with the log's key, and the stored tree against it and the
// checkpoint before (AuditService.ProveConsistency, which checks both
// before it answers, as GET /api/v1/audit/consistency).
func (h *Handler) handleAuditSeal(c *fiber.Ctx) error {
	ctx := c.UserContext()
	d := auditSealData{Sub: "seal", Signature: "none", Verified: "none",
		MayExport: h.allow(cordon.ActorFromContext(ctx), cordon.ResAudit, cordon.ActExport)}
	cps, total, err := h.svc.Audit.FindCheckpoints(ctx, 0, 2)
	if err != nil {
		return err
	}
	d.Checkpts = total
	if len(cps) == 0 {
		return h.render(c, "audit_seal", "/audit", "audit.seal.title", d)
	}
	d.Latest = cps[0]
	d.Root = hex.EncodeToString(d.Latest.Root[:])
	d.Note = string(d.Latest.Note)
	if d.Key, err = h.svc.Audit.PublicKey(ctx); err != nil {
		return err
	}
	if h.svc.OpenCheckpoint != nil {
		size, root, err := h.svc.OpenCheckpoint(d.Latest.Note, d.Key)
		d.Signature = "ok"
		if err != nil || size != d.Latest.Size || root != d.Latest.Root {
			d.Signature = "bad"
		}
	}
	from := d.Latest.Size
	if len(cps) > 1 {
		from = cps[1].Size
		d.Previous = from
	}
	d.Verified = "ok"
	if _, err := h.svc.Audit.ProveConsistency(ctx, from, 0); err != nil {
		switch cordon.ErrorCode(err) {
		case cordon.ECONFLICT, cordon.ENOTFOUND, cordon.EINVALID:
			d.Verified, d.Problem = "bad", Locale{Lang: language(c)}.ErrorText(err)
		default:
			return err
		}
	}
	return h.render(c, "audit_seal", "/audit", "audit.seal.title", d)
}

// handleAuditExport downloads an evidence bundle of the sealed events in
// the range through AuditService.ExportBundle, as GET /api/v1/audit/export;
// the export is itself written to the access log.
func (h *Handler) handleAuditExport(c *fiber.Ctx) error {
	var f cordon.AuditExport
	var err error
	if f.From, f.To, err = timeRange(c.Query("from"), c.Query("to")); err != nil {
		return h.refused(c, "/audit/seal", err)
	}
	var buf bytes.Buffer
	if _, err := h.svc.Audit.ExportBundle(c.UserContext(), f, &buf); err != nil {
		if cordon.ErrorCode(err) == cordon.ENOTFOUND {
			setFlash(c, "error", Locale{Lang: language(c)}.T("audit.seal.none"))
			return &redirect{to: "/audit/seal"}
		}
		return h.refused(c, "/audit/seal", err)
	}
	return sendFile(c, buf.Bytes(), "application/zip", "cordon-evidence.zip")
}
