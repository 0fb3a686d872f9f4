package webui

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// The unit pages: the delivered units a keyset page at a time, the form
// that registers one, and the unit page with its record, delivery
// milestones, follow-up plan, transfers, retirement and service history;
// units stuck between milestones. Every page calls InstalledBaseService,
// as the API does. Partners have no unit right: the route guards answer
// them 403. The spreadsheet routes are in unit_import.go.
func registerUnitPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	r.Get("/units", auth, g.Require(cordon.ResUnit, cordon.ActList), h.handleUnits)
	r.Get("/units/new", auth, g.Require(cordon.ResUnit, cordon.ActCreate), h.handleUnitNew)
	r.Post("/units", h.checkCSRF, auth, g.Require(cordon.ResUnit, cordon.ActCreate), h.handleUnitCreate)
	r.Get("/units/stuck", auth, g.Require(cordon.ResUnit, cordon.ActList), h.handleUnitsStuck)
	registerUnitSheetPages(r, h, g, auth)
	r.Get("/units/:id", auth, g.Require(cordon.ResUnit, cordon.ActView), h.handleUnitView)
	r.Post("/units/:id", h.checkCSRF, auth, g.Require(cordon.ResUnit, cordon.ActUpdate), h.handleUnitUpdate)
	r.Post("/units/:id/milestones", h.checkCSRF, auth, g.Require(cordon.ResUnit, cordon.ActUpdate), h.handleMilestone)
	r.Post("/units/:id/follow-up", h.checkCSRF, auth, g.Require(cordon.ResUnit, cordon.ActUpdate), h.handleFollowUp)
	r.Post("/units/:id/transfer", h.checkCSRF, auth, g.Require(cordon.ResUnit, cordon.ActManage), h.handleTransfer)
	r.Post("/units/:id/retire", h.checkCSRF, auth, g.Require(cordon.ResUnit, cordon.ActManage), h.handleRetire)
}

// unitQuery is the unit list's filter as the form holds it.
type unitQuery struct {
	Query, City, Line, Model, Customer, PartNumber string
	Retired                                        bool
}

// Encode is the filter as a query string, for the export links.
func (q unitQuery) Encode() string {
	v := url.Values{}
	for k, s := range map[string]string{"q": q.Query, "city": q.City, "product_line": q.Line, "model": q.Model,
		"customer": q.Customer, "part_number": q.PartNumber} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Retired {
		v.Set("retired", "1")
	}
	return v.Encode()
}

// unitFilterOf reads the unit list's filter from the query: a search of
// serial and batch, site city, product line (code), model and customer
// (ids; a customer as 12 or #12), part number, and whether retired units
// show.
func unitFilterOf(c *fiber.Ctx) (cordon.UnitFilter, unitQuery, error) {
	var q unitQuery
	var f cordon.UnitFilter
	ok := true
	for _, x := range []struct {
		name string
		to   *string
	}{{"q", &q.Query}, {"city", &q.City}, {"product_line", &q.Line}, {"model", &q.Model}, {"customer", &q.Customer}, {"part_number", &q.PartNumber}} {
		v, short := queryText(c, x.name)
		*x.to, ok = v, ok && short
	}
	q.Retired = c.Query("retired") != ""
	if !ok {
		return f, q, errLongFilter
	}
	f.Query, f.Retired = q.Query, q.Retired
	if q.City != "" {
		f.SiteCity = &q.City
	}
	if q.Line != "" {
		f.ProductLine = &q.Line
	}
	if q.PartNumber != "" {
		f.PartNumber = &q.PartNumber
	}
	var err error
	if f.ModelID, err = parseID("model", q.Model); err != nil {
		return f, q, err
	}
	if f.CustomerID, err = parseID("customer", strings.TrimPrefix(q.Customer, "#")); err != nil {
		return f, q, err
	}
	return f, q, nil
}

type unitsData struct {
	Rows      []unitRow
	Keys      *keysetPager
	Filter    unitQuery
	Lines     []*cordon.ProductLine
	Models    []*cordon.Model
	MayCreate bool
	MayImport bool
	MayExport bool
}

// handleUnits lists delivered units a keyset page at a time.
func (h *Handler) handleUnits(c *fiber.Ctx) error {
	ctx := c.UserContext()
	a := cordon.ActorFromContext(ctx)
	f, q, err := unitFilterOf(c)
	if err != nil {
		return h.refused(c, "/units", err)
	}
	d := unitsData{Keys: keysetOf(c), Filter: q, MayCreate: h.allow(a, cordon.ResUnit, cordon.ActCreate),
		MayImport: h.mayImport(a), MayExport: h.mayExport(a)}
	f.After, f.Limit = d.Keys.After, d.Keys.Size
	units, next, err := h.svc.Installed.FindUnits(ctx, f)
	if err != nil {
		return err
	}
	d.Keys.Next, d.Keys.Shown = next, len(units)
	x, err := h.catalogIndex(ctx)
	if err != nil {
		return err
	}
	d.Lines, d.Models = x.Lines, x.Models
	if d.Rows, err = h.unitRows(ctx, units); err != nil {
		return err
	}
	return h.render(c, "units", "/units", "units.title", d)
}

// unitForm is the register form as typed.
type unitForm struct {
	ModelID, Customer, Serial, Batch, SiteCity, DeliveredOn, WarrantyEnd, ServiceEnd, FollowUpMonths string
}

// unitFields are the register form's inputs, by the names the service's
// refusals carry (fieldAlias maps the others).
var unitFields = map[string]bool{"model_id": true, "customer": true, "serial": true, "batch": true, "site_city": true,
	"delivered_on": true, "warranty_end": true, "service_end": true, "follow_up_months": true}

// fieldAlias maps the field names a refusal may carry to the form's.
var fieldAlias = map[string]string{"customer_id": "customer", "model": "model_id", "months": "follow_up_months",
	"product_line_id": "product_line", "customer_code": "code"}

type unitNewData struct {
	Form   unitForm
	Models []modelOption
	Errors map[string]string
	Error  string
}

// modelOption is a model to pick, with its line.
type modelOption struct {
	ID    int64
	Label string
}

func (h *Handler) modelOptions(ctx context.Context) ([]modelOption, error) {
	x, err := h.catalogIndex(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]modelOption, 0, len(x.Models))
	for _, m := range x.Models {
		label := m.Code + " · " + m.Name
		if l := x.line[m.ProductLineID]; l != nil {
			label = l.Name + " — " + label
		}
		out = append(out, modelOption{ID: m.ID, Label: label})
	}
	return out, nil
}

// handleUnitNew is the register form; ?customer= fills in the customer.
func (h *Handler) handleUnitNew(c *fiber.Ctx) error {
	models, err := h.modelOptions(c.UserContext())
	if err != nil {
		return err
	}
	v, _ := queryText(c, "customer")
	return h.render(c, "unit_new", "/units", "unit.new.title", unitNewData{Models: models, Errors: map[string]string{},
		Form: unitForm{Customer: v}})
}

// handleUnitCreate registers a delivered unit and goes to its page; a
// refusal shows the form again with what was typed.
func (h *Handler) handleUnitCreate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f := unitForm{ModelID: formText(c, "model_id"), Customer: formText(c, "customer"), Serial: formText(c, "serial"),
		Batch: formText(c, "batch"), SiteCity: formText(c, "site_city"), DeliveredOn: formText(c, "delivered_on"),
		WarrantyEnd: formText(c, "warranty_end"), ServiceEnd: formText(c, "service_end"), FollowUpMonths: formText(c, "follow_up_months")}
	// The page to show a refusal on is read first: on PostgreSQL a write
	// the database refuses ends the transaction's reads.
	models, err := h.modelOptions(ctx)
	if err != nil {
		return err
	}
	refuse := func(err error) error {
		return h.formRefused(c, err, "/units/new", "unit_new", "/units", "unit.new.title", unitFields, "serial",
			func(errs map[string]string, msg string) any {
				return unitNewData{Form: f, Models: models, Errors: errs, Error: msg}
			})
	}
	in, err := h.newUnitOf(c)
	if err != nil {
		return refuse(err)
	}
	u, err := h.svc.Installed.CreateUnit(ctx, in)
	if err != nil {
		return refuse(err)
	}
	l := Locale{Lang: language(c)}
	return done(c, "/units/"+itoa(u.ID), l.T("unit.created", u.Serial))
}

// newUnitOf reads the register form.
func (h *Handler) newUnitOf(c *fiber.Ctx) (cordon.NewUnit, error) {
	var in cordon.NewUnit
	model, err := formID(c, "model_id")
	if err != nil {
		return in, err
	}
	if model == nil {
		return in, fieldErr("model_id", "form.pick_model")
	}
	in.ModelID = *model
	if in.CustomerID, err = h.customerRef(c.UserContext(), "customer", c.FormValue("customer")); err != nil {
		return in, err
	}
	in.Serial, in.Batch, in.SiteCity = formText(c, "serial"), formText(c, "batch"), formText(c, "site_city")
	if in.DeliveredOn, err = formDay(c, "delivered_on"); err != nil {
		return in, err
	}
	if in.WarrantyEnd, err = formDay(c, "warranty_end"); err != nil {
		return in, err
	}
	if in.ServiceEnd, err = formDayPtr(c, "service_end"); err != nil {
		return in, err
	}
	in.FollowUpMonths, err = formInt(c, "follow_up_months")
	return in, err
}

// customerRef finds the customer a form names: #12 is the id 12; any
// other text is a customer's code (a number nobody has as a code is an
// id). The lookup by code is a search the service logs like any other.
func (h *Handler) customerRef(ctx context.Context, field, v string) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, fieldErr(field, "form.give_customer")
	}
	if len(v) > maxFilterText {
		return 0, fieldErr(field, "form.no_such_customer", v[:maxFilterText])
	}
	if id, ok := strings.CutPrefix(v, "#"); ok {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			return 0, fieldErr(field, "form.no_such_customer", v)
		}
		return n, nil
	}
	// A code names the customer without reading its identity.
	switch id, err := h.svc.Installed.CustomerIDByCode(ctx, v); {
	case err == nil:
		return id, nil
	case cordon.ErrorCode(err) != cordon.ENOTFOUND && cordon.ErrorCode(err) != cordon.EINVALID:
		return 0, err
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
		return n, nil
	}
	return 0, fieldErr(field, "form.no_such_customer", v)
}

// milestoneRow is one step of the delivery, recorded or not.
type milestoneRow struct {
	Kind cordon.MilestoneKind
	M    *cordon.Milestone
}

// JobID is the job that recorded the milestone, 0 for none: a number, so
// that the page prints the job's number and not a pointer.
func (r milestoneRow) JobID() int64 {
	if r.M == nil || r.M.JobID == nil {
		return 0
	}
	return *r.M.JobID
}

type unitData struct {
	Unit       *cordon.Unit
	Model      *cordon.Model
	Line       *cordon.ProductLine
	Milestones []milestoneRow
	Kinds      []cordon.MilestoneKind
	NextKind   cordon.MilestoneKind // the first not recorded
	Transfers  []*cordon.UnitTransfer
	History    []*cordon.HistoryEntry
	Today      string
	Planned    bool // the plan makes visits now
	MayUpdate  bool
	MayManage  bool
	MayHistory bool
}

// handleUnitView is the unit page.
func (h *Handler) handleUnitView(c *fiber.Ctx) error {
	id, err := idParam(c, "Unit")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	a := cordon.ActorFromContext(ctx)
	u, err := h.svc.Installed.FindUnitByID(ctx, id)
	if err != nil {
		return err
	}
	now := h.svc.Now()
	d := unitData{Unit: u, Kinds: cordon.MilestoneKinds, Today: ymd(now), Planned: u.VisitsPlanned(now),
		MayUpdate: h.allow(a, cordon.ResUnit, cordon.ActUpdate) && !u.Retired(), MayManage: h.allow(a, cordon.ResUnit, cordon.ActManage) && !u.Retired()}
	x, err := h.catalogIndex(ctx)
	if err != nil {
		return err
	}
	if d.Model = x.model[u.ModelID]; d.Model != nil {
		d.Line = x.line[d.Model.ProductLineID]
	}
	ms, err := h.svc.Installed.UnitMilestones(ctx, id)
	if err != nil {
		return err
	}
	byKind := map[cordon.MilestoneKind]*cordon.Milestone{}
	for _, m := range ms {
		byKind[m.Kind] = m
	}
	for _, k := range cordon.MilestoneKinds {
		d.Milestones = append(d.Milestones, milestoneRow{Kind: k, M: byKind[k]})
		if d.NextKind == "" && byKind[k] == nil {
			d.NextKind = k
		}
	}
	if d.Transfers, err = h.svc.Installed.UnitTransfers(ctx, id); err != nil {
		return err
	}
	if d.History, err = h.svc.Installed.UnitHistory(ctx, id); err != nil {
		return err
	}
	return h.render(c, "unit", "/units", "unit.title", d)
}

// unitBack is the unit page, where each of its forms answers.
func unitBack(id int64) string { return "/units/" + itoa(id) }

// handleUnitUpdate saves the unit's record: batch, site city, the dates;
// an empty service agreement end clears it.
func (h *Handler) handleUnitUpdate(c *fiber.Ctx) error {
	id, err := idParam(c, "Unit")
	if err != nil {
		return err
	}
	back := unitBack(id)
	var u cordon.UnitUpdate
	batch, city := formText(c, "batch"), formText(c, "site_city")
	u.Batch, u.SiteCity = &batch, &city
	delivered, err := formDay(c, "delivered_on")
	if err != nil {
		return h.refused(c, back, err)
	}
	warranty, err := formDay(c, "warranty_end")
	if err != nil {
		return h.refused(c, back, err)
	}
	service, err := formDayPtr(c, "service_end")
	if err != nil {
		return h.refused(c, back, err)
	}
	u.DeliveredOn, u.WarrantyEnd, u.ServiceEnd = &delivered, &warranty, &service
	if _, err := h.svc.Installed.UpdateUnit(c.UserContext(), id, u); err != nil {
		return h.refused(c, back, err)
	}
	l := Locale{Lang: language(c)}
	return done(c, back, l.T("unit.saved"))
}

// handleMilestone records a delivery milestone by hand; one out of order
// or in the future is the service's refusal, shown on the unit page.
func (h *Handler) handleMilestone(c *fiber.Ctx) error {
	id, err := idParam(c, "Unit")
	if err != nil {
		return err
	}
	back := unitBack(id) + "#milestones"
	in := cordon.MilestoneInput{Kind: cordon.MilestoneKind(c.FormValue("kind")), Note: formText(c, "note")}
	if in.On, err = formDay(c, "on"); err != nil {
		return h.refused(c, back, err)
	}
	if in.JobID, err = formID(c, "job_id"); err != nil {
		return h.refused(c, back, err)
	}
	m, err := h.svc.Installed.RecordMilestone(c.UserContext(), id, in)
	if err != nil {
		return h.refused(c, back, err)
	}
	l := Locale{Lang: language(c)}
	return done(c, back, l.T("milestone.recorded", l.Milestone(m.Kind)))
}

// handleFollowUp changes the follow-up plan (action save: interval and
// next due date), or pauses it with a reason, or resumes it.
func (h *Handler) handleFollowUp(c *fiber.Ctx) error {
	id, err := idParam(c, "Unit")
	if err != nil {
		return err
	}
	back := unitBack(id) + "#follow-up"
	var u cordon.FollowUpUpdate
	l := Locale{Lang: language(c)}
	msg := l.T("followup.saved")
	switch c.FormValue("action") {
	case "pause":
		reason := formText(c, "reason")
		u.Pause, msg = &reason, l.T("followup.paused")
	case "resume":
		u.Resume, msg = true, l.T("followup.resumed")
	default:
		months, err := formInt(c, "months")
		if err != nil {
			return h.refused(c, back, err)
		}
		u.Months = &months
		if u.NextDue, err = formDayPtr(c, "next_due"); err != nil {
			return h.refused(c, back, err)
		}
	}
	if _, err := h.svc.Installed.UpdateFollowUp(c.UserContext(), id, u); err != nil {
		return h.refused(c, back, err)
	}
	return done(c, back, msg)
}

// handleTransfer moves the unit to another customer, with a reason.
func (h *Handler) handleTransfer(c *fiber.Ctx) error {
	id, err := idParam(c, "Unit")
	if err != nil {
		return err
	}
	back := unitBack(id) + "#transfer"
	to, err := h.customerRef(c.UserContext(), "customer", c.FormValue("customer"))
	if err != nil {
		return h.refused(c, back, err)
	}
	u, err := h.svc.Installed.TransferUnit(c.UserContext(), id, cordon.UnitTransferInput{CustomerID: to,
		SiteCity: formText(c, "site_city"), Reason: formText(c, "reason")})
	if err != nil {
		return h.refused(c, back, err)
	}
	l := Locale{Lang: language(c)}
	return done(c, unitBack(id), l.T("unit.transferred", u.Serial, u.CustomerID))
}

// handleRetire takes the unit out of service, with a reason.
func (h *Handler) handleRetire(c *fiber.Ctx) error {
	id, err := idParam(c, "Unit")
	if err != nil {
		return err
	}
	back := unitBack(id)
	if c.FormValue("confirm") != "yes" {
		return h.refused(c, back+"#retire", errNotConfirm)
	}
	u, err := h.svc.Installed.RetireUnit(c.UserContext(), id, formText(c, "reason"))
	if err != nil {
		return h.refused(c, back+"#retire", err)
	}
	l := Locale{Lang: language(c)}
	return done(c, back, l.T("unit.retired", u.Serial))
}

// stuckRow is a unit waiting at a milestone.
type stuckRow struct {
	Unit   *cordon.Unit
	Model  *cordon.Model
	Latest *cordon.Milestone // nil: nothing since delivery
	Next   cordon.MilestoneKind
	Since  time.Time
	Days   int
}

type stuckData struct {
	Days int
	Rows []stuckRow
	Max  int
}

// Stuck units: ?days= (cordon.DefaultStuckDays unless asked); at most
// maxStuckRows, the longest waiting first.
const maxStuckRows = 500

// handleUnitsStuck lists units waiting at a milestone longer than the
// days asked.
func (h *Handler) handleUnitsStuck(c *fiber.Ctx) error {
	ctx := c.UserContext()
	d := stuckData{Days: cordon.DefaultStuckDays, Max: maxStuckRows}
	if v := strings.TrimSpace(c.Query("days")); v != "" {
		if d.Days, _ = strconv.Atoi(v); d.Days == 0 {
			d.Days = -1 // not a number: the service says what days may be
		}
	}
	list, err := h.svc.Installed.StuckUnits(ctx, time.Duration(d.Days)*24*time.Hour, maxStuckRows)
	if err != nil {
		return h.refused(c, "/units/stuck", err)
	}
	x, err := h.catalogIndex(ctx)
	if err != nil {
		return err
	}
	now := h.svc.Now()
	for _, s := range list {
		r := stuckRow{Unit: s.Unit, Model: x.model[s.Unit.ModelID], Latest: s.Latest, Since: s.Unit.DeliveredOn, Next: cordon.MilestoneKinds[0]}
		if s.Latest != nil {
			r.Since = s.Latest.On
			if k := s.Latest.Kind.Rank() + 1; k > 0 && k < len(cordon.MilestoneKinds) {
				r.Next = cordon.MilestoneKinds[k]
			}
		}
		r.Days = int(now.Sub(r.Since).Hours() / 24)
		d.Rows = append(d.Rows, r)
	}
	return h.render(c, "units_stuck", "/units", "stuck.title", d)
}

// Milestone names a delivery milestone.
func (l Locale) Milestone(k any) string { key := "milestone." + toString(k); return l.T(key) }

// HistoryKind names what a line of a unit's history records.
func (l Locale) HistoryKind(k any) string { key := "history." + toString(k); return l.T(key) }

// HistoryStatus is a history line's status in words: a job's status, a
// request's, a milestone, a root cause; as it is when the catalogue has no
// word for it.
func (l Locale) HistoryStatus(e *cordon.HistoryEntry) string {
	if e.Status == "" {
		return ""
	}
	var key string
	switch e.Kind {
	case cordon.HistoryJob, cordon.HistoryVisit, cordon.HistoryCampaign:
		key = "status." + e.Status
	case cordon.HistoryRequest:
		key = "reqstatus." + e.Status
	case cordon.HistoryMilestone:
		key = "milestone." + e.Status
	case cordon.HistoryRootCause, cordon.HistoryReport:
		key = "cause." + e.Status
	}
	if _, ok := catalogue[l.Lang][key]; ok {
		return l.T(key)
	}
	return e.Status
}

// historyRef reports whether a history line's record has a number people
// use: a request, job, report or campaign; a milestone's or transfer's
// row id means nothing to them.
func historyRef(e *cordon.HistoryEntry) bool {
	switch e.Kind {
	case cordon.HistoryMilestone, cordon.HistoryTransfer, cordon.HistoryRetired:
		return false
	}
	return e.RefID > 0
}

// historyLink is the page of a history line's record: a job's or a
// campaign's; "" for the others, which have no page of their own.
func historyLink(e *cordon.HistoryEntry) string {
	if e.RefID <= 0 {
		return ""
	}
	switch e.Kind {
	case cordon.HistoryJob:
		return "/jobs/" + itoa(e.RefID)
	case cordon.HistoryCampaign:
		return "/quality/campaigns/" + itoa(e.RefID)
	}
	return ""
}

// mayImport and mayExport are the route guards of the spreadsheet pages
// (the API's, /api/v1/units/import and /export), for their links.
func (h *Handler) mayImport(a *cordon.Actor) bool {
	return h.allow(a, cordon.ResUnit, cordon.ActCreate)
}

func (h *Handler) mayExport(a *cordon.Actor) bool {
	return h.allow(a, cordon.ResUnit, cordon.ActExport)
}
