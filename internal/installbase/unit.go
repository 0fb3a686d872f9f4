package installbase

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// ---- Units ----

// FindUnits returns a keyset page of delivered units.
func (s *Service) FindUnits(ctx context.Context, f cordon.UnitFilter) ([]*cordon.Unit, int64, error) {
	if _, err := institute(ctx, "Unit"); err != nil {
		return nil, 0, err
	}
	var err error
	if f.Query, err = text("q", f.Query, maxCode, false); err != nil {
		return nil, 0, err
	}
	for _, p := range []struct {
		field string
		v     *string
	}{{"site_city", f.SiteCity}, {"product_line", f.ProductLine}, {"batch", f.Batch}, {"part_number", f.PartNumber}} {
		if p.v != nil {
			if *p.v, err = text(p.field, *p.v, maxCity, false); err != nil {
				return nil, 0, err
			}
		}
	}
	limit := pageLimit(f.Limit)
	f.Limit = limit + 1
	units, err := s.cfg.Catalog.FindUnits(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	units, next := keyset(units, limit, func(u *cordon.Unit) int64 { return u.ID })
	return units, next, nil
}

// FindUnitByID returns one unit.
func (s *Service) FindUnitByID(ctx context.Context, id int64) (*cordon.Unit, error) {
	if _, err := institute(ctx, "Unit"); err != nil {
		return nil, err
	}
	return s.cfg.Catalog.FindUnitByID(ctx, id)
}

// checkDates checks a unit's dates: delivered on a day not in the future,
// warranty and service agreement ending no earlier than delivery.
func (s *Service) checkDates(u *cordon.Unit) error {
	switch {
	case u.DeliveredOn.IsZero():
		return cordon.FieldErr("delivered_on", "installed.field_required", "delivered_on")
	case u.DeliveredOn.After(s.today()):
		return cordon.FieldErr("delivered_on", "installed.date_in_future", "delivered_on")
	case u.WarrantyEnd.IsZero():
		return cordon.FieldErr("warranty_end", "installed.field_required", "warranty_end")
	case u.WarrantyEnd.Before(u.DeliveredOn):
		return cordon.FieldErr("warranty_end", "installed.ends_before_delivery", "warranty_end")
	case u.ServiceEnd != nil && u.ServiceEnd.Before(u.DeliveredOn):
		return cordon.FieldErr("service_end", "installed.ends_before_delivery", "service_end")
	}
	return nil
}

// checkFollowUp checks an interval in months.
func checkFollowUp(months int) error {
	if months < 0 || months > maxFollowUp {
		return cordon.FieldErr("follow_up_months", "installed.follow_up_months_range", maxFollowUp)
	}
	return nil
}

// CreateUnit registers a delivered unit for an active customer. With an
// interval, the first follow-up visit is due that long after delivery.
func (s *Service) CreateUnit(ctx context.Context, in cordon.NewUnit) (*cordon.Unit, error) {
	if _, err := institute(ctx, "Unit"); err != nil {
		return nil, err
	}
	u := &cordon.Unit{ModelID: in.ModelID, CustomerID: in.CustomerID, DeliveredOn: dayOf(in.DeliveredOn),
		WarrantyEnd: dayOf(in.WarrantyEnd), ServiceEnd: dayPtr(in.ServiceEnd), FollowUpMonths: in.FollowUpMonths}
	var err error
	if u.Serial, err = text("serial", in.Serial, maxCode, true); err != nil {
		return nil, err
	}
	if u.Batch, err = text("batch", in.Batch, maxCode, true); err != nil {
		return nil, err
	}
	if u.SiteCity, err = text("site_city", in.SiteCity, maxCity, false); err != nil {
		return nil, err
	}
	if _, err := s.cfg.Catalog.FindModelByID(ctx, in.ModelID); cordon.ErrorCode(err) == cordon.ENOTFOUND {
		return nil, cordon.FieldErr("model_id", "no_model_has_id")
	} else if err != nil {
		return nil, err
	}
	c, err := s.activeCustomer(ctx, "customer_id", in.CustomerID)
	if err != nil {
		return nil, err
	}
	if u.SiteCity == "" {
		u.SiteCity = c.City
	}
	if err := s.checkDates(u); err != nil {
		return nil, err
	}
	if err := checkFollowUp(u.FollowUpMonths); err != nil {
		return nil, err
	}
	u.NextVisitDue = firstVisit(u)
	if err := s.cfg.Catalog.CreateUnit(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// firstVisit is when a new unit's first follow-up visit is due: its
// interval after delivery; nil without a plan.
func firstVisit(u *cordon.Unit) *time.Time {
	if u.FollowUpMonths <= 0 {
		return nil
	}
	d := u.DeliveredOn.AddDate(0, u.FollowUpMonths, 0)
	return &d
}

// dayOf is the start of t's day in China time; zero stays zero.
func dayOf(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return day(t)
}

func dayPtr(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	d := day(*t)
	return &d
}

// inService returns the unit, ECONFLICT when it is retired.
func (s *Service) inService(ctx context.Context, id int64) (*cordon.Unit, error) {
	if _, err := institute(ctx, "Unit"); err != nil {
		return nil, err
	}
	u, err := s.cfg.Catalog.FindUnitByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Retired() {
		return nil, cordon.Err(cordon.ECONFLICT, "installed.unit_retired", u.Serial)
	}
	return u, nil
}

// UpdateUnit changes the unit's record.
func (s *Service) UpdateUnit(ctx context.Context, id int64, up cordon.UnitUpdate) (*cordon.Unit, error) {
	u, err := s.inService(ctx, id)
	if err != nil {
		return nil, err
	}
	if up.Batch != nil {
		if u.Batch, err = text("batch", *up.Batch, maxCode, true); err != nil {
			return nil, err
		}
	}
	if up.SiteCity != nil {
		if u.SiteCity, err = text("site_city", *up.SiteCity, maxCity, true); err != nil {
			return nil, err
		}
	}
	if up.DeliveredOn != nil {
		u.DeliveredOn = dayOf(*up.DeliveredOn)
	}
	if up.WarrantyEnd != nil {
		u.WarrantyEnd = dayOf(*up.WarrantyEnd)
	}
	if up.ServiceEnd != nil {
		u.ServiceEnd = dayPtr(*up.ServiceEnd)
	}
	if err := s.checkDates(u); err != nil {
		return nil, err
	}
	if err := s.cfg.Catalog.SaveUnit(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// TransferUnit moves the unit to another active customer and keeps the
// move as history.
func (s *Service) TransferUnit(ctx context.Context, id int64, in cordon.UnitTransferInput) (*cordon.Unit, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.inService(ctx, id)
	if err != nil {
		return nil, err
	}
	reason, err := text("reason", in.Reason, maxText, true)
	if err != nil {
		return nil, err
	}
	city, err := text("site_city", in.SiteCity, maxCity, false)
	if err != nil {
		return nil, err
	}
	if in.CustomerID == u.CustomerID {
		return nil, cordon.FieldErr("customer_id", "installed.transfer_same_customer")
	}
	if _, err := s.activeCustomer(ctx, "customer_id", in.CustomerID); err != nil {
		return nil, err
	}
	t := &cordon.UnitTransfer{UnitID: u.ID, FromCustomerID: u.CustomerID, ToCustomerID: in.CustomerID,
		FromSiteCity: u.SiteCity, ToSiteCity: u.SiteCity, Reason: reason, At: s.cfg.Now(), By: a.UserID}
	if city != "" {
		t.ToSiteCity = city
	}
	u.CustomerID, u.SiteCity = in.CustomerID, t.ToSiteCity
	if err := s.cfg.Catalog.SaveUnit(ctx, u); err != nil {
		return nil, err
	}
	if err := s.cfg.Catalog.CreateTransfer(ctx, t); err != nil {
		return nil, err
	}
	return u, nil
}

// RetireUnit takes the unit out of service; its follow-up plan stops.
func (s *Service) RetireUnit(ctx context.Context, id int64, reason string) (*cordon.Unit, error) {
	u, err := s.inService(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.RetireReason, err = text("reason", reason, maxText, true); err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	u.RetiredAt = &now
	if err := s.cfg.Catalog.SaveUnit(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// UnitTransfers returns the unit's transfers, newest first.
func (s *Service) UnitTransfers(ctx context.Context, id int64) ([]*cordon.UnitTransfer, error) {
	if _, err := s.FindUnitByID(ctx, id); err != nil {
		return nil, err
	}
	return s.cfg.Catalog.FindTransfers(ctx, id)
}

// ---- Follow-up plans and the visit calendar ----

// UpdateFollowUp changes the unit's follow-up plan: its interval, the next
// due date, or a pause with its reason.
func (s *Service) UpdateFollowUp(ctx context.Context, id int64, up cordon.FollowUpUpdate) (*cordon.Unit, error) {
	u, err := s.inService(ctx, id)
	if err != nil {
		return nil, err
	}
	if up.Months != nil {
		if err := checkFollowUp(*up.Months); err != nil {
			return nil, err
		}
		u.FollowUpMonths = *up.Months
	}
	if up.NextDue != nil {
		d := day(*up.NextDue)
		if d.Before(s.today()) {
			return nil, cordon.FieldErr("next_due", "installed.next_due_in_past")
		}
		u.NextVisitDue = &d
	}
	switch {
	case up.Pause != nil && up.Resume:
		return nil, cordon.FieldErr("pause", "installed.pause_or_resume")
	case up.Pause != nil:
		if u.FollowUpPaused, err = text("pause", *up.Pause, maxText, true); err != nil {
			return nil, err
		}
	case up.Resume:
		u.FollowUpPaused = ""
	}
	switch {
	case u.FollowUpMonths == 0:
		u.NextVisitDue = nil
	case u.NextVisitDue == nil:
		d := s.today().AddDate(0, u.FollowUpMonths, 0)
		u.NextVisitDue = &d
	}
	if err := s.cfg.Catalog.SaveUnit(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// VisitCalendar returns the follow-up visits due in the coming weeks, and
// those overdue, soonest first.
func (s *Service) VisitCalendar(ctx context.Context, f cordon.CalendarFilter) ([]*cordon.VisitDue, error) {
	if _, err := institute(ctx, "Unit"); err != nil {
		return nil, err
	}
	if f.Weeks == 0 {
		f.Weeks = cordon.DefaultCalendarWeeks
	}
	if f.Weeks < 1 || f.Weeks > cordon.MaxCalendarWeeks {
		return nil, cordon.FieldErr("weeks", "installed.weeks_range", cordon.MaxCalendarWeeks)
	}
	from := s.today()
	if !f.From.IsZero() {
		from = day(f.From)
	}
	uf := cordon.UnitFilter{}
	var err error
	if f.SiteCity, err = text("city", f.SiteCity, maxCity, false); err != nil {
		return nil, err
	}
	if f.SiteCity != "" {
		uf.SiteCity = &f.SiteCity
	}
	if f.ProductLine != "" {
		uf.ProductLine = &f.ProductLine
	}
	units, err := s.cfg.Catalog.FindVisitsDue(ctx, from.AddDate(0, 0, 7*f.Weeks), uf)
	if err != nil {
		return nil, err
	}
	n := newNames(s)
	out := make([]*cordon.VisitDue, 0, len(units))
	now := s.cfg.Now()
	for _, u := range units {
		// A plan whose warranty and agreement are over makes no more
		// visits (the sweep makes no request for it), however overdue.
		if !u.VisitsPlanned(now) {
			continue
		}
		m, line, err := n.model(ctx, u.ModelID)
		if err != nil {
			return nil, err
		}
		code, err := n.customer(ctx, u.CustomerID)
		if err != nil {
			return nil, err
		}
		out = append(out, &cordon.VisitDue{Unit: u, Model: m, ProductLine: line, CustomerRef: code,
			Due: *u.NextVisitDue, Overdue: u.NextVisitDue.Before(from)})
	}
	return out, nil
}

// names caches models, lines and customer codes for one answer.
type names struct {
	s         *Service
	lines     map[int64]string
	models    map[int64]*cordon.Model
	customers map[int64]string
}

func newNames(s *Service) *names {
	return &names{s: s, models: map[int64]*cordon.Model{}, customers: map[int64]string{}}
}

func (n *names) model(ctx context.Context, id int64) (*cordon.Model, string, error) {
	if n.lines == nil {
		ls, err := n.s.cfg.Catalog.FindProductLines(ctx)
		if err != nil {
			return nil, "", err
		}
		n.lines = map[int64]string{}
		for _, l := range ls {
			n.lines[l.ID] = l.Code
		}
	}
	m, ok := n.models[id]
	if !ok {
		var err error
		if m, err = n.s.cfg.Catalog.FindModelByID(ctx, id); err != nil {
			return nil, "", err
		}
		n.models[id] = m
	}
	return m, n.lines[m.ProductLineID], nil
}

// customer is the customer's code: never its identity.
func (n *names) customer(ctx context.Context, id int64) (string, error) {
	if c, ok := n.customers[id]; ok {
		return c, nil
	}
	c, err := n.s.cfg.Customers.FindCustomerByID(ctx, id)
	if err != nil {
		return "", err
	}
	n.customers[id] = c.Code
	return c.Code, nil
}

// ---- Delivery tracking ----

// RecordMilestone records a delivery milestone by hand.
func (s *Service) RecordMilestone(ctx context.Context, unitID int64, in cordon.MilestoneInput) (*cordon.Milestone, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.inService(ctx, unitID)
	if err != nil {
		return nil, err
	}
	if !in.Kind.Valid() {
		return nil, cordon.FieldErr("kind", "installed.milestone_kind_unknown")
	}
	if in.On.IsZero() {
		return nil, cordon.FieldErr("on", "installed.field_required", "on")
	}
	note, err := text("note", in.Note, maxText, false)
	if err != nil {
		return nil, err
	}
	if in.JobID != nil {
		j, err := s.cfg.Jobs.FindJobByID(ctx, *in.JobID)
		if err != nil && cordon.ErrorCode(err) != cordon.ENOTFOUND {
			return nil, err
		}
		if err != nil || j.Request == nil || j.Request.UnitID == nil || *j.Request.UnitID != u.ID {
			return nil, cordon.FieldErr("job_id", "installed.job_not_of_unit")
		}
	}
	m := &cordon.Milestone{UnitID: u.ID, Kind: in.Kind, On: day(in.On), JobID: in.JobID, Note: note,
		RecordedBy: a.UserID, RecordedAt: s.cfg.Now()}
	if m.On.After(s.today()) {
		return nil, cordon.FieldErr("on", "installed.date_in_future", "on")
	}
	have, err := s.cfg.Catalog.FindMilestones(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if err := inOrder(have, m); err != nil {
		return nil, err
	}
	if err := s.cfg.Catalog.CreateMilestone(ctx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// inOrder is the rule of the milestones' order: each kind once; never one
// before a later one recorded already; commissioning, acceptance and
// training only after installation; and no date before the date of the
// milestone before it. Shipping and arrival may be skipped (units
// delivered before Cordon have no record of them).
func inOrder(have []*cordon.Milestone, m *cordon.Milestone) error {
	var installed bool
	for _, h := range have {
		switch {
		case h.Kind == m.Kind:
			return cordon.Err(cordon.ECONFLICT, "installed.milestone_recorded", string(m.Kind))
		case h.Kind.Rank() > m.Kind.Rank():
			return cordon.Err(cordon.ECONFLICT, "installed.milestone_after_later", string(m.Kind), string(h.Kind))
		case m.On.Before(h.On):
			return cordon.FieldErr("on", "installed.milestone_before_previous", string(m.Kind), string(h.Kind))
		}
		installed = installed || h.Kind == cordon.MilestoneInstalled
	}
	if m.Kind.Rank() > cordon.MilestoneInstalled.Rank() && !installed {
		return cordon.Err(cordon.ECONFLICT, "installed.milestone_needs_installed", string(m.Kind))
	}
	return nil
}

// RecordJobMilestone records the milestone a verified installation,
// commissioning or training job completes, on the day it was resolved.
// A job without a unit, a unit that has the milestone, and a milestone
// out of order are left alone: verification never fails for them. Only
// the institute verifies; a partner gets ENOTFOUND.
func (s *Service) RecordJobMilestone(ctx context.Context, j *cordon.Job) error {
	a, err := institute(ctx, "Unit")
	if err != nil {
		return err
	}
	if j.Request == nil || j.Request.UnitID == nil {
		return nil
	}
	kind, ok := cordon.MilestoneOfCategory(j.Request.Category)
	if !ok {
		return nil
	}
	u, err := s.cfg.Catalog.FindUnitByID(ctx, *j.Request.UnitID)
	if err != nil || u.Retired() {
		return err
	}
	on := s.cfg.Now()
	if j.ResolvedAt != nil {
		on = *j.ResolvedAt
	}
	m := &cordon.Milestone{UnitID: u.ID, Kind: kind, On: day(on), JobID: &j.ID, RecordedBy: a.UserID, RecordedAt: s.cfg.Now()}
	have, err := s.cfg.Catalog.FindMilestones(ctx, u.ID)
	if err != nil {
		return err
	}
	if inOrder(have, m) != nil {
		return nil
	}
	return s.cfg.Catalog.CreateMilestone(ctx, m)
}

// UnitMilestones returns the unit's milestones in order.
func (s *Service) UnitMilestones(ctx context.Context, unitID int64) ([]*cordon.Milestone, error) {
	if _, err := s.FindUnitByID(ctx, unitID); err != nil {
		return nil, err
	}
	return s.cfg.Catalog.FindMilestones(ctx, unitID)
}

// StuckUnits returns units waiting at a milestone longer than d.
func (s *Service) StuckUnits(ctx context.Context, d time.Duration, limit int) ([]*cordon.StuckUnit, error) {
	if _, err := institute(ctx, "Unit"); err != nil {
		return nil, err
	}
	if d < 24*time.Hour || d > cordon.MaxStuckDays*24*time.Hour {
		return nil, cordon.FieldErr("days", "installed.stuck_days_range", cordon.MaxStuckDays)
	}
	return s.cfg.Catalog.FindStuckUnits(ctx, s.cfg.Now().Add(-d), pageLimit(limit))
}

// UnitHistory returns the unit's whole service history, newest first.
func (s *Service) UnitHistory(ctx context.Context, unitID int64) ([]*cordon.HistoryEntry, error) {
	u, err := s.FindUnitByID(ctx, unitID)
	if err != nil {
		return nil, err
	}
	out, err := s.cfg.History.FindUnitHistory(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	ms, err := s.cfg.Catalog.FindMilestones(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		e := &cordon.HistoryEntry{At: m.On, Kind: cordon.HistoryMilestone, RefID: m.ID, Status: string(m.Kind), Summary: m.Note}
		out = append(out, e)
	}
	ts, err := s.cfg.Catalog.FindTransfers(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		out = append(out, &cordon.HistoryEntry{At: t.At, Kind: cordon.HistoryTransfer, RefID: t.ID, Summary: t.Reason})
	}
	if u.RetiredAt != nil {
		out = append(out, &cordon.HistoryEntry{At: *u.RetiredAt, Kind: cordon.HistoryRetired, RefID: u.ID, Summary: u.RetireReason})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.After(out[j].At)
		}
		return strings.Compare(string(out[i].Kind), string(out[j].Kind)) < 0
	})
	return out, nil
}
