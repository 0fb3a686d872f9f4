package api

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// The installed base (docs/installed-base.md): customers, delivered units,
// their milestones, follow-up plans, transfers and history, the visit
// calendar and the spreadsheet import and export. Institute roles only;
// cordon.InstalledBaseService decides, and answers a partner 404.
func registerInstalledRoutes(r fiber.Router, h *Handler, g Guards) {
	r.Get("/customers", g.Authenticated, g.Require(cordon.ResCustomer, cordon.ActList), h.handleCustomerList)
	r.Post("/customers", g.Authenticated, g.Require(cordon.ResCustomer, cordon.ActCreate), h.handleCustomerCreate)
	r.Get("/customers/:id", g.Authenticated, g.Require(cordon.ResCustomer, cordon.ActView), h.handleCustomerView)
	r.Patch("/customers/:id", g.Authenticated, g.Require(cordon.ResCustomer, cordon.ActUpdate), h.handleCustomerUpdate)
	r.Post("/customers/:id/deactivate", g.Authenticated, g.Require(cordon.ResCustomer, cordon.ActManage), h.handleCustomerActive(false))
	r.Post("/customers/:id/reactivate", g.Authenticated, g.Require(cordon.ResCustomer, cordon.ActManage), h.handleCustomerActive(true))

	r.Get("/units", g.Authenticated, g.Require(cordon.ResUnit, cordon.ActList), h.handleUnitList)
	r.Post("/units", g.Authenticated, g.Require(cordon.ResUnit, cordon.ActCreate), h.handleUnitCreate)
	r.Get("/units/stuck", g.Authenticated, g.Require(cordon.ResUnit, cordon.ActList), h.handleUnitsStuck)
	r.Get("/units/export", g.Authenticated, g.Require(cordon.ResUnit, cordon.ActExport), h.handleUnitExport)
	r.Get("/units/template", g.Authenticated, g.Require(cordon.ResUnit, cordon.ActCreate), h.handleUnitTemplate)
	r.Post("/units/import", g.Authenticated, g.Require(cordon.ResUnit, cordon.ActCreate), h.handleUnitImport)
	r.Get("/units/:id", g.Authenticated, g.Require(cordon.ResUnit, cordon.ActView), h.handleUnitView)
	r.Patch("/units/:id", g.Authenticated, g.Require(cordon.ResUnit, cordon.ActUpdate), h.handleUnitUpdate)
	r.Post("/units/:id/transfer", g.Authenticated, g.Require(cordon.ResUnit, cordon.ActManage), h.handleUnitTransfer)
	r.Post("/units/:id/retire", g.Authenticated, g.Require(cordon.ResUnit, cordon.ActManage), h.handleUnitRetire)
	r.Get("/units/:id/transfers", g.Authenticated, g.Require(cordon.ResUnit, cordon.ActView), h.handleUnitTransfers)
	r.Get("/units/:id/milestones", g.Authenticated, g.Require(cordon.ResUnit, cordon.ActView), h.handleUnitMilestones)
	r.Post("/units/:id/milestones", g.Authenticated, g.Require(cordon.ResUnit, cordon.ActUpdate), h.handleMilestoneCreate)
	r.Get("/units/:id/history", g.Authenticated, g.Require(cordon.ResUnit, cordon.ActView), h.handleUnitHistory)
	r.Put("/units/:id/follow-up", g.Authenticated, g.Require(cordon.ResUnit, cordon.ActUpdate), h.handleFollowUpUpdate)
	r.Get("/visits", g.Authenticated, g.Require(cordon.ResUnit, cordon.ActList), h.handleVisitCalendar)

	r.Get("/product-lines", g.Authenticated, g.Require(cordon.ResProduct, cordon.ActList), h.handleProductLineList)
	r.Post("/product-lines", g.Authenticated, g.Require(cordon.ResProduct, cordon.ActCreate), h.handleProductLineCreate)
	r.Patch("/product-lines/:id", g.Authenticated, g.Require(cordon.ResProduct, cordon.ActUpdate), h.handleProductLineUpdate)
	r.Get("/models", g.Authenticated, g.Require(cordon.ResProduct, cordon.ActList), h.handleModelList)
	r.Post("/models", g.Authenticated, g.Require(cordon.ResProduct, cordon.ActCreate), h.handleModelCreate)
	r.Get("/models/:id", g.Authenticated, g.Require(cordon.ResProduct, cordon.ActView), h.handleModelView)
	r.Patch("/models/:id", g.Authenticated, g.Require(cordon.ResProduct, cordon.ActUpdate), h.handleModelUpdate)
	r.Get("/models/:id/components", g.Authenticated, g.Require(cordon.ResProduct, cordon.ActView), h.handleComponentList)
	r.Post("/models/:id/components", g.Authenticated, g.Require(cordon.ResProduct, cordon.ActCreate), h.handleComponentCreate)
	r.Patch("/components/:id", g.Authenticated, g.Require(cordon.ResProduct, cordon.ActUpdate), h.handleComponentUpdate)
}

// ---- encoding ----

// dateJSON is a day, written YYYY-MM-DD in China time.
type dateJSON struct{ time.Time }

func (d dateJSON) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.In(cordon.ChinaTime).Format(time.DateOnly))
}

func (d *dateJSON) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return cordon.Err(cordon.EINVALID, "api.date_format")
	}
	t, err := time.ParseInLocation(time.DateOnly, s, cordon.ChinaTime)
	if err != nil {
		return cordon.Err(cordon.EINVALID, "api.date_format")
	}
	d.Time = t
	return nil
}

func datePtr(t *time.Time) *dateJSON {
	if t == nil {
		return nil
	}
	return &dateJSON{*t}
}

func timeOf(d *dateJSON) *time.Time {
	if d == nil {
		return nil
	}
	return &d.Time
}

// keysetJSON is a keyset page: the items, and the id to pass as after for
// the next page (null at the end).
type keysetJSON[T any] struct {
	Items []T    `json:"items"`
	Next  *int64 `json:"next"`
}

func nextOf(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}

// keysetParams reads after and limit (1..500, 50 by default).
func keysetParams(c *fiber.Ctx) (after int64, limit int, err error) {
	limit = 50
	if v := c.Query("after"); v != "" {
		if after, err = queryID(v, "after"); err != nil {
			return 0, 0, err
		}
	}
	if v := c.Query("limit"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 || n > 500 {
			return 0, 0, cordon.FieldErr("limit", "api.keyset_limit")
		}
		limit = n
	}
	return after, limit, nil
}

// optQuery is a query parameter, nil when absent or empty.
func optQuery(c *fiber.Ctx, name string) *string {
	if v := strings.TrimSpace(c.Query(name)); v != "" {
		return &v
	}
	return nil
}

// optQueryID is an id query parameter, nil when absent.
func optQueryID(c *fiber.Ctx, name string) (*int64, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	id, err := queryID(v, name)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// ---- customers ----

type customerJSON struct {
	ID              int64      `json:"id"`
	Code            string     `json:"code"`
	City            string     `json:"city"`
	Name            string     `json:"name"`
	UnitDesignation string     `json:"unit_designation"`
	ContactPerson   string     `json:"contact_person"`
	Phone           string     `json:"phone"`
	SiteAddress     string     `json:"site_address"`
	Active          bool       `json:"active"`
	DeactivatedAt   *time.Time `json:"deactivated_at"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

func toCustomerJSON(c *cordon.Customer) customerJSON {
	out := customerJSON{ID: c.ID, Code: c.Code, City: c.City, Active: c.Active(), DeactivatedAt: c.DeactivatedAt,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if id := c.Identity; id != nil {
		out.Name, out.UnitDesignation, out.ContactPerson, out.Phone, out.SiteAddress = id.Name, id.UnitDesignation, id.ContactPerson, id.Phone, id.SiteAddress
	}
	return out
}

type customerCreateJSON struct {
	Code            string `json:"code"`
	City            string `json:"city"`
	Name            string `json:"name"`
	UnitDesignation string `json:"unit_designation"`
	ContactPerson   string `json:"contact_person"`
	Phone           string `json:"phone"`
	SiteAddress     string `json:"site_address"`
}

type customerUpdateJSON struct {
	City            *string `json:"city"`
	Name            *string `json:"name"`
	UnitDesignation *string `json:"unit_designation"`
	ContactPerson   *string `json:"contact_person"`
	Phone           *string `json:"phone"`
	SiteAddress     *string `json:"site_address"`
}

func (h *Handler) handleCustomerList(c *fiber.Ctx) error {
	after, limit, err := keysetParams(c)
	if err != nil {
		return err
	}
	f := cordon.CustomerFilter{Query: c.Query("q"), City: c.Query("city"), Inactive: c.Query("inactive") == "true", After: after, Limit: limit}
	cs, next, err := h.svc.Installed.FindCustomers(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := keysetJSON[customerJSON]{Items: make([]customerJSON, len(cs)), Next: nextOf(next)}
	for i, x := range cs {
		out.Items[i] = toCustomerJSON(x)
	}
	return c.JSON(out)
}

func (h *Handler) handleCustomerCreate(c *fiber.Ctx) error {
	var in customerCreateJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	x, err := h.svc.Installed.CreateCustomer(c.UserContext(), cordon.NewCustomer{Code: in.Code, City: in.City,
		Identity: cordon.CustomerIdentity{Name: in.Name, UnitDesignation: in.UnitDesignation, ContactPerson: in.ContactPerson,
			Phone: in.Phone, SiteAddress: in.SiteAddress}})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toCustomerJSON(x))
}

func (h *Handler) handleCustomerView(c *fiber.Ctx) error {
	id, err := idParam(c, "Customer")
	if err != nil {
		return err
	}
	x, err := h.svc.Installed.FindCustomerByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toCustomerJSON(x))
}

func (h *Handler) handleCustomerUpdate(c *fiber.Ctx) error {
	id, err := idParam(c, "Customer")
	if err != nil {
		return err
	}
	var in customerUpdateJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	x, err := h.svc.Installed.UpdateCustomer(c.UserContext(), id, cordon.CustomerUpdate{City: in.City, Name: in.Name,
		UnitDesignation: in.UnitDesignation, ContactPerson: in.ContactPerson, Phone: in.Phone, SiteAddress: in.SiteAddress})
	if err != nil {
		return err
	}
	return c.JSON(toCustomerJSON(x))
}

func (h *Handler) handleCustomerActive(active bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "Customer")
		if err != nil {
			return err
		}
		x, err := h.svc.Installed.SetCustomerActive(c.UserContext(), id, active)
		if err != nil {
			return err
		}
		return c.JSON(toCustomerJSON(x))
	}
}

// ---- units ----

type unitJSON struct {
	ID             int64      `json:"id"`
	ModelID        int64      `json:"model_id"`
	CustomerID     int64      `json:"customer_id"`
	Serial         string     `json:"serial"`
	Batch          string     `json:"batch"`
	SiteCity       string     `json:"site_city"`
	DeliveredOn    dateJSON   `json:"delivered_on"`
	WarrantyEnd    dateJSON   `json:"warranty_end"`
	ServiceEnd     *dateJSON  `json:"service_end"`
	FollowUpMonths int        `json:"follow_up_months"`
	NextVisitDue   *dateJSON  `json:"next_visit_due"`
	FollowUpPaused string     `json:"follow_up_paused"`
	RetiredAt      *time.Time `json:"retired_at"`
	RetireReason   string     `json:"retire_reason"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

func toUnitJSON(u *cordon.Unit) unitJSON {
	return unitJSON{ID: u.ID, ModelID: u.ModelID, CustomerID: u.CustomerID, Serial: u.Serial, Batch: u.Batch,
		SiteCity: u.SiteCity, DeliveredOn: dateJSON{u.DeliveredOn}, WarrantyEnd: dateJSON{u.WarrantyEnd},
		ServiceEnd: datePtr(u.ServiceEnd), FollowUpMonths: u.FollowUpMonths, NextVisitDue: datePtr(u.NextVisitDue),
		FollowUpPaused: u.FollowUpPaused, RetiredAt: u.RetiredAt, RetireReason: u.RetireReason,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

type unitCreateJSON struct {
	ModelID        int64     `json:"model_id"`
	CustomerID     int64     `json:"customer_id"`
	Serial         string    `json:"serial"`
	Batch          string    `json:"batch"`
	SiteCity       string    `json:"site_city"`
	DeliveredOn    *dateJSON `json:"delivered_on"`
	WarrantyEnd    *dateJSON `json:"warranty_end"`
	ServiceEnd     *dateJSON `json:"service_end"`
	FollowUpMonths int       `json:"follow_up_months"`
}

// unitUpdateJSON: service_end null clears it; absent keeps it.
type unitUpdateJSON struct {
	Batch       *string         `json:"batch"`
	SiteCity    *string         `json:"site_city"`
	DeliveredOn *dateJSON       `json:"delivered_on"`
	WarrantyEnd *dateJSON       `json:"warranty_end"`
	ServiceEnd  json.RawMessage `json:"service_end"`
}

// unitFilter reads the unit list's filters.
func unitFilter(c *fiber.Ctx) (cordon.UnitFilter, error) {
	f := cordon.UnitFilter{Query: c.Query("q"), SiteCity: optQuery(c, "city"), ProductLine: optQuery(c, "product_line"),
		Batch: optQuery(c, "batch"), PartNumber: optQuery(c, "part_number"), Retired: c.Query("retired") == "true"}
	var err error
	if f.ModelID, err = optQueryID(c, "model_id"); err != nil {
		return f, err
	}
	f.CustomerID, err = optQueryID(c, "customer_id")
	return f, err
}

func (h *Handler) handleUnitList(c *fiber.Ctx) error {
	f, err := unitFilter(c)
	if err != nil {
		return err
	}
	if f.After, f.Limit, err = keysetParams(c); err != nil {
		return err
	}
	units, next, err := h.svc.Installed.FindUnits(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := keysetJSON[unitJSON]{Items: make([]unitJSON, len(units)), Next: nextOf(next)}
	for i, u := range units {
		out.Items[i] = toUnitJSON(u)
	}
	return c.JSON(out)
}

func (h *Handler) handleUnitCreate(c *fiber.Ctx) error {
	var in unitCreateJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	nu := cordon.NewUnit{ModelID: in.ModelID, CustomerID: in.CustomerID, Serial: in.Serial, Batch: in.Batch,
		SiteCity: in.SiteCity, ServiceEnd: timeOf(in.ServiceEnd), FollowUpMonths: in.FollowUpMonths}
	if in.DeliveredOn != nil {
		nu.DeliveredOn = in.DeliveredOn.Time
	}
	if in.WarrantyEnd != nil {
		nu.WarrantyEnd = in.WarrantyEnd.Time
	}
	u, err := h.svc.Installed.CreateUnit(c.UserContext(), nu)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toUnitJSON(u))
}

func (h *Handler) handleUnitView(c *fiber.Ctx) error {
	id, err := idParam(c, "Unit")
	if err != nil {
		return err
	}
	u, err := h.svc.Installed.FindUnitByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toUnitJSON(u))
}

func (h *Handler) handleUnitUpdate(c *fiber.Ctx) error {
	id, err := idParam(c, "Unit")
	if err != nil {
		return err
	}
	var in unitUpdateJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	up := cordon.UnitUpdate{Batch: in.Batch, SiteCity: in.SiteCity, DeliveredOn: timeOf(in.DeliveredOn), WarrantyEnd: timeOf(in.WarrantyEnd)}
	if len(in.ServiceEnd) > 0 {
		var d *dateJSON
		if err := json.Unmarshal(in.ServiceEnd, &d); err != nil {
			return cordon.FieldErr("service_end", "api.date_format")
		}
		end := timeOf(d)
		up.ServiceEnd = &end
	}
	u, err := h.svc.Installed.UpdateUnit(c.UserContext(), id, up)
	if err != nil {
		return err
	}
	return c.JSON(toUnitJSON(u))
}

type unitTransferJSON struct {
	CustomerID int64  `json:"customer_id"`
	SiteCity   string `json:"site_city"`
	Reason     string `json:"reason"`
}

func (h *Handler) handleUnitTransfer(c *fiber.Ctx) error {
	id, err := idParam(c, "Unit")
	if err != nil {
		return err
	}
	var in unitTransferJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u, err := h.svc.Installed.TransferUnit(c.UserContext(), id, cordon.UnitTransferInput{CustomerID: in.CustomerID, SiteCity: in.SiteCity, Reason: in.Reason})
	if err != nil {
		return err
	}
	return c.JSON(toUnitJSON(u))
}

type reasonJSON struct {
	Reason string `json:"reason"`
}

func (h *Handler) handleUnitRetire(c *fiber.Ctx) error {
	id, err := idParam(c, "Unit")
	if err != nil {
		return err
	}
	var in reasonJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u, err := h.svc.Installed.RetireUnit(c.UserContext(), id, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(toUnitJSON(u))
}

type transferJSON struct {
	ID             int64     `json:"id"`
	FromCustomerID int64     `json:"from_customer_id"`
	ToCustomerID   int64     `json:"to_customer_id"`
	FromSiteCity   string    `json:"from_site_city"`
	ToSiteCity     string    `json:"to_site_city"`
	Reason         string    `json:"reason"`
	At             time.Time `json:"at"`
	By             int64     `json:"by"`
}

func (h *Handler) handleUnitTransfers(c *fiber.Ctx) error {
	id, err := idParam(c, "Unit")
	if err != nil {
		return err
	}
	ts, err := h.svc.Installed.UnitTransfers(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := make([]transferJSON, len(ts))
	for i, t := range ts {
		out[i] = transferJSON{ID: t.ID, FromCustomerID: t.FromCustomerID, ToCustomerID: t.ToCustomerID,
			FromSiteCity: t.FromSiteCity, ToSiteCity: t.ToSiteCity, Reason: t.Reason, At: t.At, By: t.By}
	}
	return c.JSON(out)
}

type milestoneJSON struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	On         dateJSON  `json:"on"`
	JobID      *int64    `json:"job_id"`
	Note       string    `json:"note"`
	RecordedBy int64     `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

func toMilestoneJSON(m *cordon.Milestone) milestoneJSON {
	return milestoneJSON{ID: m.ID, Kind: string(m.Kind), On: dateJSON{m.On}, JobID: m.JobID, Note: m.Note,
		RecordedBy: m.RecordedBy, RecordedAt: m.RecordedAt}
}

type milestoneCreateJSON struct {
	Kind  string    `json:"kind"`
	On    *dateJSON `json:"on"`
	JobID *int64    `json:"job_id"`
	Note  string    `json:"note"`
}

func (h *Handler) handleUnitMilestones(c *fiber.Ctx) error {
	id, err := idParam(c, "Unit")
	if err != nil {
		return err
	}
	ms, err := h.svc.Installed.UnitMilestones(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := make([]milestoneJSON, len(ms))
	for i, m := range ms {
		out[i] = toMilestoneJSON(m)
	}
	return c.JSON(out)
}

func (h *Handler) handleMilestoneCreate(c *fiber.Ctx) error {
	id, err := idParam(c, "Unit")
	if err != nil {
		return err
	}
	var in milestoneCreateJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	mi := cordon.MilestoneInput{Kind: cordon.MilestoneKind(in.Kind), JobID: in.JobID, Note: in.Note}
	if in.On != nil {
		mi.On = in.On.Time
	}
	m, err := h.svc.Installed.RecordMilestone(c.UserContext(), id, mi)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toMilestoneJSON(m))
}

type historyJSON struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"`
	RefID   int64     `json:"ref_id"`
	Status  string    `json:"status"`
	Summary string    `json:"summary"`
}

func (h *Handler) handleUnitHistory(c *fiber.Ctx) error {
	id, err := idParam(c, "Unit")
	if err != nil {
		return err
	}
	hs, err := h.svc.Installed.UnitHistory(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := make([]historyJSON, len(hs))
	for i, e := range hs {
		out[i] = historyJSON{At: e.At, Kind: string(e.Kind), RefID: e.RefID, Status: e.Status, Summary: e.Summary}
	}
	return c.JSON(out)
}

type followUpJSON struct {
	Months  *int      `json:"months"`
	NextDue *dateJSON `json:"next_due"`
	Pause   *string   `json:"pause"`
	Resume  bool      `json:"resume"`
}

func (h *Handler) handleFollowUpUpdate(c *fiber.Ctx) error {
	id, err := idParam(c, "Unit")
	if err != nil {
		return err
	}
	var in followUpJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u, err := h.svc.Installed.UpdateFollowUp(c.UserContext(), id, cordon.FollowUpUpdate{Months: in.Months,
		NextDue: timeOf(in.NextDue), Pause: in.Pause, Resume: in.Resume})
	if err != nil {
		return err
	}
	return c.JSON(toUnitJSON(u))
}

type stuckJSON struct {
	Unit   unitJSON       `json:"unit"`
	Latest *milestoneJSON `json:"latest"`
}

func (h *Handler) handleUnitsStuck(c *fiber.Ctx) error {
	days := 14
	if v := c.Query("days"); v != "" {
		if days, _ = strconv.Atoi(v); days == 0 {
			days = -1 // not a number: the service says what days may be
		}
	}
	_, limit, err := keysetParams(c)
	if err != nil {
		return err
	}
	ss, err := h.svc.Installed.StuckUnits(c.UserContext(), time.Duration(days)*24*time.Hour, limit)
	if err != nil {
		return err
	}
	out := make([]stuckJSON, len(ss))
	for i, s := range ss {
		out[i] = stuckJSON{Unit: toUnitJSON(s.Unit)}
		if s.Latest != nil {
			m := toMilestoneJSON(s.Latest)
			out[i].Latest = &m
		}
	}
	return c.JSON(out)
}

type visitJSON struct {
	Unit        unitJSON `json:"unit"`
	Model       string   `json:"model"`
	ProductLine string   `json:"product_line"`
	Customer    string   `json:"customer"`
	Due         dateJSON `json:"due"`
	Overdue     bool     `json:"overdue"`
}

func (h *Handler) handleVisitCalendar(c *fiber.Ctx) error {
	f := cordon.CalendarFilter{SiteCity: c.Query("city"), ProductLine: c.Query("product_line")}
	if v := c.Query("weeks"); v != "" {
		if f.Weeks, _ = strconv.Atoi(v); f.Weeks == 0 {
			f.Weeks = -1 // not a number: the service says what weeks may be
		}
	}
	vs, err := h.svc.Installed.VisitCalendar(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := make([]visitJSON, len(vs))
	for i, v := range vs {
		out[i] = visitJSON{Unit: toUnitJSON(v.Unit), Model: v.Model.Code, ProductLine: v.ProductLine, Customer: v.CustomerRef,
			Due: dateJSON{v.Due}, Overdue: v.Overdue}
	}
	return c.JSON(out)
}

// ---- import and export ----

type importProblemJSON struct {
	Sheet   string `json:"sheet"`
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

type importChangeJSON struct {
	Row    int      `json:"row"`
	Kind   string   `json:"kind"`
	Ref    string   `json:"ref"`
	Action string   `json:"action"`
	Fields []string `json:"fields"`
}

type importResultJSON struct {
	DryRun            bool                `json:"dry_run"`
	Imported          bool                `json:"imported"`
	Rows              int                 `json:"rows"`
	CustomersCreated  int                 `json:"customers_created"`
	CustomersUpdated  int                 `json:"customers_updated"`
	UnitsCreated      int                 `json:"units_created"`
	UnitsUpdated      int                 `json:"units_updated"`
	Unchanged         int                 `json:"unchanged"`
	Changes           []importChangeJSON  `json:"changes"`
	Problems          []importProblemJSON `json:"problems"`
	ProblemsTruncated bool                `json:"problems_truncated"`
}

// handleUnitImport takes multipart/form-data with one file (xlsx or csv);
// ?dry_run=true checks without writing. Problems answer 422 with every
// problem's sheet, row and column; nothing is written then.
func (h *Handler) handleUnitImport(c *fiber.Ctx) error {
	form, err := c.MultipartForm()
	if err != nil {
		return cordon.Err(cordon.EINVALID, "api.send_import_multipart")
	}
	files := form.File["file"]
	if len(files) != 1 || len(form.File) != 1 || len(form.Value) != 0 {
		return cordon.FieldErr("file", "attach_exactly_one_file_field")
	}
	fh, err := files[0].Open()
	if err != nil {
		return cordon.FieldErr("file", "api.file_could_not_read")
	}
	defer fh.Close()
	content, err := io.ReadAll(io.LimitReader(fh, cordon.MaxImportBytes+1))
	if err != nil {
		return cordon.FieldErr("file", "api.file_could_not_read")
	}
	res, err := h.svc.Installed.ImportFile(c.UserContext(), bytes.NewReader(content), files[0].Filename, c.Query("dry_run") == "true")
	if err != nil {
		return err
	}
	out := importResultJSON{DryRun: res.DryRun, Imported: !res.DryRun && len(res.Problems) == 0, Rows: res.Rows,
		CustomersCreated: res.CustomersCreated, CustomersUpdated: res.CustomersUpdated, UnitsCreated: res.UnitsCreated,
		UnitsUpdated: res.UnitsUpdated, Unchanged: res.Unchanged, ProblemsTruncated: res.ProblemsTruncated,
		Changes: make([]importChangeJSON, len(res.Changes)), Problems: make([]importProblemJSON, len(res.Problems))}
	for i, ch := range res.Changes {
		out.Changes[i] = importChangeJSON{Row: ch.Row, Kind: ch.Kind, Ref: ch.Ref, Action: ch.Action, Fields: ch.Fields}
	}
	for i, p := range res.Problems {
		out.Problems[i] = importProblemJSON{Sheet: p.Sheet, Row: p.Row, Column: p.Column, Field: p.Field,
			Code: p.Err.Key, Message: p.Err.Message}
	}
	if len(res.Problems) > 0 {
		return c.Status(fiber.StatusUnprocessableEntity).JSON(out)
	}
	return c.JSON(out)
}

// langOf is the language of a spreadsheet's headers: Chinese, or English
// with lang=en.
func langOf(c *fiber.Ctx) string {
	if c.Query("lang") == "en" {
		return cordon.LangEN
	}
	return cordon.LangZH
}

// sheetFormat is the format query parameter: xlsx (default) or csv.
func sheetFormat(c *fiber.Ctx) (string, error) {
	switch f := c.Query("format", "xlsx"); f {
	case "xlsx", "csv":
		return f, nil
	}
	return "", cordon.FieldErr("format", "sheet.format_xlsx_csv")
}

// sendSheet sets the download headers of a spreadsheet.
func sendSheet(c *fiber.Ctx, format, name string, b []byte) error {
	ct := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+"."+format+`"`)
	return c.Send(b)
}

func (h *Handler) handleUnitExport(c *fiber.Ctx) error {
	format, err := sheetFormat(c)
	if err != nil {
		return err
	}
	f, err := unitFilter(c)
	if err != nil {
		return err
	}
	rows, err := h.svc.Installed.ExportUnits(c.UserContext(), f)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := h.svc.WriteSheet(&b, format, langOf(c), rows); err != nil {
		return err
	}
	return sendSheet(c, format, "units", b.Bytes())
}

func (h *Handler) handleUnitTemplate(c *fiber.Ctx) error {
	format, err := sheetFormat(c)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := h.svc.SheetTemplate(&b, format, langOf(c)); err != nil {
		return err
	}
	return sendSheet(c, format, "units-template", b.Bytes())
}

// ---- the product catalogue ----

type productLineJSON struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

type modelJSON struct {
	ID            int64  `json:"id"`
	ProductLineID int64  `json:"product_line_id"`
	Code          string `json:"code"`
	Name          string `json:"name"`
}

type componentJSON struct {
	ID         int64  `json:"id"`
	ModelID    int64  `json:"model_id"`
	PartNumber string `json:"part_number"`
	Name       string `json:"name"`
	Supplier   string `json:"supplier"`
}

func toModelJSON(m *cordon.Model) modelJSON {
	return modelJSON{ID: m.ID, ProductLineID: m.ProductLineID, Code: m.Code, Name: m.Name}
}

func toComponentJSON(x *cordon.Component) componentJSON {
	return componentJSON{ID: x.ID, ModelID: x.ModelID, PartNumber: x.PartNumber, Name: x.Name, Supplier: x.Supplier}
}

type nameJSON struct {
	Name string `json:"name"`
}

func (h *Handler) handleProductLineList(c *fiber.Ctx) error {
	ls, err := h.svc.Catalog.FindProductLines(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]productLineJSON, len(ls))
	for i, l := range ls {
		out[i] = productLineJSON{ID: l.ID, Code: l.Code, Name: l.Name}
	}
	return c.JSON(out)
}

func (h *Handler) handleProductLineCreate(c *fiber.Ctx) error {
	var in productLineJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	l, err := h.svc.Catalog.CreateProductLine(c.UserContext(), in.Code, in.Name)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(productLineJSON{ID: l.ID, Code: l.Code, Name: l.Name})
}

func (h *Handler) handleProductLineUpdate(c *fiber.Ctx) error {
	id, err := idParam(c, "Product line")
	if err != nil {
		return err
	}
	var in nameJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	l, err := h.svc.Catalog.UpdateProductLine(c.UserContext(), id, in.Name)
	if err != nil {
		return err
	}
	return c.JSON(productLineJSON{ID: l.ID, Code: l.Code, Name: l.Name})
}

func (h *Handler) handleModelList(c *fiber.Ctx) error {
	var line int64
	if v := c.Query("product_line_id"); v != "" {
		id, err := queryID(v, "product_line_id")
		if err != nil {
			return err
		}
		line = id
	}
	ms, err := h.svc.Catalog.FindModels(c.UserContext(), line)
	if err != nil {
		return err
	}
	out := make([]modelJSON, len(ms))
	for i, m := range ms {
		out[i] = toModelJSON(m)
	}
	return c.JSON(out)
}

func (h *Handler) handleModelCreate(c *fiber.Ctx) error {
	var in modelJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m, err := h.svc.Catalog.CreateModel(c.UserContext(), in.ProductLineID, in.Code, in.Name)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toModelJSON(m))
}

func (h *Handler) handleModelView(c *fiber.Ctx) error {
	id, err := idParam(c, "Model")
	if err != nil {
		return err
	}
	m, err := h.svc.Catalog.FindModelByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toModelJSON(m))
}

func (h *Handler) handleModelUpdate(c *fiber.Ctx) error {
	id, err := idParam(c, "Model")
	if err != nil {
		return err
	}
	var in nameJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m, err := h.svc.Catalog.UpdateModel(c.UserContext(), id, in.Name)
	if err != nil {
		return err
	}
	return c.JSON(toModelJSON(m))
}

func (h *Handler) handleComponentList(c *fiber.Ctx) error {
	id, err := idParam(c, "Model")
	if err != nil {
		return err
	}
	cs, err := h.svc.Catalog.FindComponents(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := make([]componentJSON, len(cs))
	for i, x := range cs {
		out[i] = toComponentJSON(x)
	}
	return c.JSON(out)
}

type componentCreateJSON struct {
	PartNumber string `json:"part_number"`
	Name       string `json:"name"`
	Supplier   string `json:"supplier"`
}

func (h *Handler) handleComponentCreate(c *fiber.Ctx) error {
	id, err := idParam(c, "Model")
	if err != nil {
		return err
	}
	var in componentCreateJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	x, err := h.svc.Catalog.CreateComponent(c.UserContext(), cordon.Component{ModelID: id, PartNumber: in.PartNumber, Name: in.Name, Supplier: in.Supplier})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toComponentJSON(x))
}

type componentUpdateJSON struct {
	Name     string `json:"name"`
	Supplier string `json:"supplier"`
}

func (h *Handler) handleComponentUpdate(c *fiber.Ctx) error {
	id, err := idParam(c, "Component")
	if err != nil {
		return err
	}
	var in componentUpdateJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	x, err := h.svc.Catalog.UpdateComponent(c.UserContext(), id, in.Name, in.Supplier)
	if err != nil {
		return err
	}
	return c.JSON(toComponentJSON(x))
}
