package dispatch

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// DispatcherConfig holds what the dispatcher needs.
type DispatcherConfig struct {
	Desk      *Desk
	Requests  cordon.RequestService
	Jobs      cordon.JobService
	Catalog   cordon.CatalogService
	Customers cordon.CustomerService
	Contracts cordon.ContractService
	Orgs      cordon.OrgService
	Scope     cordon.ScopePolicy
	Access    cordon.AccessLog
	Users     cordon.UserService
	Reports   cordon.ReportService
	// CheckContent tells an attachment's type by content and checks its
	// limits (document.Sniff and Check).
	CheckContent ContentChecker
	Now          cordon.Clock
}

// Dispatcher carries out intake, dispatch, the job lifecycle and customer
// disclosure, with the same scope rules and access log as the job desk.
type Dispatcher struct{ cfg DispatcherConfig }

var _ cordon.DispatchService = (*Dispatcher)(nil)

// NewDispatcher returns the dispatcher.
func NewDispatcher(cfg DispatcherConfig) *Dispatcher {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Dispatcher{cfg: cfg}
}

func callerOf(ctx context.Context) (*cordon.Actor, error) {
	a := cordon.ActorFromContext(ctx)
	if a == nil {
		return nil, cordon.Errorf(cordon.EUNAUTHENTICATED, "Authentication required.")
	}
	return a, nil
}

// CreateRequest records an intake for a delivered unit, or for a customer
// and model when the unit is not known.
func (d *Dispatcher) CreateRequest(ctx context.Context, in cordon.Intake) (*cordon.ServiceRequest, error) {
	a, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if a.IsPartner() {
		return nil, cordon.Errorf(cordon.EFORBIDDEN, "Only the institute takes in requests.")
	}
	r := &cordon.ServiceRequest{Category: in.Category, Priority: in.Priority, Description: strings.TrimSpace(in.Description),
		SiteCity: strings.TrimSpace(in.SiteCity), CreatedBy: a.UserID, Status: cordon.RequestOpen}
	switch {
	case !in.Category.Valid():
		return nil, cordon.FieldErrorf("category", "Category must be one of fault, installation, commissioning, training, maintenance, follow_up, upgrade, consultation, repair, inspection.")
	case !in.Priority.Valid():
		return nil, cordon.FieldErrorf("priority", "Priority must be P1, P2, P3 or P4.")
	case r.Description == "":
		return nil, cordon.FieldErrorf("description", "Describe what the customer needs.")
	case len(r.Description) > 4000:
		return nil, cordon.FieldErrorf("description", "The description is longer than 4000 characters.")
	case len(r.SiteCity) > 100:
		return nil, cordon.FieldErrorf("site_city", "The site city is longer than 100 characters.")
	}
	modelID := in.ModelID
	switch {
	case in.UnitID != nil:
		u, err := d.cfg.Catalog.FindUnitByID(ctx, *in.UnitID)
		if err != nil {
			return nil, cordon.FieldErrorf("unit_id", "No delivered unit has this id.")
		}
		if in.CustomerID != nil && *in.CustomerID != u.CustomerID {
			return nil, cordon.FieldErrorf("customer_id", "The unit belongs to another customer.")
		}
		r.UnitID, r.CustomerID, modelID = &u.ID, u.CustomerID, &u.ModelID
		if r.SiteCity == "" {
			r.SiteCity = u.SiteCity
		}
	case in.CustomerID != nil && in.ModelID != nil:
		if _, err := d.cfg.Customers.FindCustomerByID(ctx, *in.CustomerID); err != nil {
			return nil, cordon.FieldErrorf("customer_id", "No customer has this id.")
		}
		r.CustomerID = *in.CustomerID
	default:
		return nil, cordon.FieldErrorf("unit_id", "Give the delivered unit, or the customer and the model.")
	}
	m, err := d.cfg.Catalog.FindModelByID(ctx, *modelID)
	if err != nil {
		return nil, cordon.FieldErrorf("model_id", "No model has this id.")
	}
	r.ModelID, r.ProductLineID = &m.ID, m.ProductLineID
	if r.SiteCity == "" {
		return nil, cordon.FieldErrorf("site_city", "The site city is required when the unit is not known.")
	}
	if err := d.cfg.Requests.CreateRequest(ctx, r); err != nil {
		return nil, err
	}
	return d.cfg.Requests.FindRequestByID(ctx, r.ID)
}

// Candidates lists the partners whose contract in force covers the
// request's city, product line and service type, best first, with the
// in-house engineers last.
func (d *Dispatcher) Candidates(ctx context.Context, requestID int64) ([]cordon.Candidate, error) {
	r, err := d.cfg.Requests.FindRequestByID(ctx, requestID)
	if err != nil {
		return nil, err
	}
	kind := cordon.OrgPartner
	partners, _, err := d.cfg.Orgs.FindOrgs(ctx, cordon.OrgFilter{Kind: &kind})
	if err != nil {
		return nil, err
	}
	open, err := d.cfg.Jobs.CountOpenJobs(ctx)
	if err != nil {
		return nil, err
	}
	var cands []Candidate
	for _, p := range partners {
		dec, err := d.cfg.Scope.Decide(cordon.ScopeQuery{PartnerID: p.ID, Resource: cordon.ResJob, Action: cordon.ActAccept,
			City: r.SiteCity, ProductLine: r.ProductLine, Category: r.Category})
		if err != nil {
			return nil, fmt.Errorf("candidates for request %d: %w", r.ID, err)
		}
		if !dec.Allowed {
			continue
		}
		cands = append(cands, Candidate{PartnerID: p.ID, PartnerCode: p.Code, HomeCity: p.HomeCity,
			ContractNo: dec.ContractNo, Clause: dec.Clause, Score: -1, OpenJobs: open[p.ID]})
	}
	ranked := Rank(cands, r.SiteCity)
	out := make([]cordon.Candidate, len(ranked))
	for i, c := range ranked {
		out[i] = cordon.Candidate{PartnerID: c.PartnerID, PartnerCode: c.PartnerCode, HomeCity: c.HomeCity,
			ContractNo: c.ContractNo, Clause: c.Clause, OpenJobs: c.OpenJobs, InHouse: c.InHouse}
	}
	return out, nil
}

// Dispatch offers the request to a partner whose contract covers it, to
// the in-house engineers, or to the best candidate, with an acceptance
// deadline from the contract's SLA terms for the request's priority.
func (d *Dispatcher) Dispatch(ctx context.Context, requestID int64, to cordon.DispatchTarget) (*cordon.Job, error) {
	a, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	r, err := d.cfg.Requests.FindRequestByID(ctx, requestID)
	if err != nil {
		return nil, err
	}
	if r.Status != cordon.RequestOpen {
		return nil, cordon.Errorf(cordon.ECONFLICT, "The request is %s, not waiting for dispatch.", r.Status)
	}
	cands, err := d.Candidates(ctx, requestID)
	if err != nil {
		return nil, err
	}
	var pick *cordon.Candidate
	switch {
	case to.Auto:
		pick = &cands[0]
	case to.InHouse:
		pick = &cands[len(cands)-1]
	default:
		for i := range cands {
			if !cands[i].InHouse && cands[i].PartnerID == to.PartnerID {
				pick = &cands[i]
			}
		}
		if pick == nil {
			return nil, cordon.FieldErrorf("partner_id", "That partner has no contract in force that covers %s, %s, %s.", r.SiteCity, r.ProductLine, r.Category)
		}
	}
	uid := a.UserID
	return d.offer(ctx, r, *pick, &uid)
}

// offer creates the offer of r to the candidate, by the user (nil: the
// system), with the deadline from the contract's SLA for the priority.
func (d *Dispatcher) offer(ctx context.Context, r *cordon.ServiceRequest, pick cordon.Candidate, by *int64) (*cordon.Job, error) {
	now := d.cfg.Now()
	j := &cordon.Job{RequestID: r.ID, Status: cordon.JobOffered, OfferedAt: now, CreatedAt: now, UpdatedAt: now}
	note := "Offered to the institute's engineers."
	if !pick.InHouse {
		number := pick.ContractNo
		list, _, err := d.cfg.Contracts.FindContracts(ctx, cordon.ContractFilter{Number: &number})
		if err != nil {
			return nil, fmt.Errorf("dispatch request %d: contract %s: %w", r.ID, number, err)
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("dispatch request %d: contract %s not found", r.ID, number)
		}
		deadline, err := OfferDeadline(list[0], r.Priority, now)
		if err != nil {
			return nil, err
		}
		pid, cid := pick.PartnerID, list[0].ID
		j.PartnerID, j.ContractID, j.OfferExpiresAt = &pid, &cid, &deadline
		note = fmt.Sprintf("Offered to %s under %s %s.", pick.PartnerCode, pick.ContractNo, pick.Clause)
	}
	if err := d.cfg.Jobs.OfferJob(ctx, j, &cordon.JobEvent{At: now, ActorID: by, To: cordon.JobOffered, Note: note}); err != nil {
		return nil, err
	}
	return d.cfg.Jobs.FindJobByID(ctx, j.ID)
}

// MoveJob applies a lifecycle move for the caller.
func (d *Dispatcher) MoveJob(ctx context.Context, jobID int64, m cordon.JobMove) (*cordon.Job, error) {
	a, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	action := cordon.ActUpdate
	switch m.To {
	case cordon.JobAccepted:
		action = cordon.ActAccept
	case cordon.JobDeclined:
		action = cordon.ActDecline
	}
	j, _, err := d.cfg.Desk.find(ctx, a, jobID, action, false)
	if err != nil {
		return nil, err
	}
	if !a.IsPartner() && j == nil {
		return nil, cordon.ErrNotFound("Job")
	}
	history, err := d.cfg.Jobs.FindJobEvents(ctx, j.ID)
	if err != nil {
		return nil, err
	}
	from := j.Status
	ev, err := Transition(j, history, Move{By: By(a), To: m.To, Reason: m.Reason, At: d.cfg.Now()})
	if err != nil {
		return nil, err
	}
	if err := d.cfg.Jobs.MoveJob(ctx, j, from, ev); err != nil {
		return nil, err
	}
	return d.cfg.Jobs.FindJobByID(ctx, j.ID)
}

// AllowedMoves lists the statuses the caller may move the job to now
// (Allowed), within the caller's scope.
func (d *Dispatcher) AllowedMoves(ctx context.Context, jobID int64) ([]cordon.JobStatus, error) {
	a, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	j, _, err := d.cfg.Desk.find(ctx, a, jobID, cordon.ActView, false)
	if err != nil {
		return nil, err
	}
	history, err := d.cfg.Jobs.FindJobEvents(ctx, j.ID)
	if err != nil {
		return nil, err
	}
	return Allowed(j, history, By(a), d.cfg.Now()), nil
}

// JobTimeline returns the job's events within the caller's scope.
func (d *Dispatcher) JobTimeline(ctx context.Context, jobID int64) ([]*cordon.JobEvent, error) {
	a, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if _, _, err := d.cfg.Desk.find(ctx, a, jobID, cordon.ActView, false); err != nil {
		return nil, err
	}
	return d.cfg.Jobs.FindJobEvents(ctx, jobID)
}

// disclosed lists the identity fields each level shows a partner. The
// customer's name and unit designation are never disclosed to a partner:
// they are what a partner would need to poach the customer, and the work
// does not.
var disclosed = map[cordon.DisclosureLevel][]string{
	cordon.DiscloseCity:        {"city"},
	cordon.DiscloseSite:        {"city", "site_address"},
	cordon.DiscloseSiteContact: {"city", "site_address", "contact_person", "phone"},
}

// DiscloseCustomer returns what the caller may see of the job's customer:
// institute users see the identity in full; a partner sees the fields its
// contract's disclosure level allows, only for a job it has accepted, only
// from acceptance until resolution plus the contract's grace. Every
// disclosure, and every refusal, is an access event.
func (d *Dispatcher) DiscloseCustomer(ctx context.Context, jobID int64) (*cordon.Disclosure, error) {
	a, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	j, _, err := d.cfg.Desk.find(ctx, a, jobID, cordon.ActView, false)
	if err != nil {
		return nil, err
	}
	cust, err := d.cfg.Customers.FindCustomerByID(ctx, j.Request.CustomerID)
	if err != nil {
		return nil, err
	}
	if cust.Identity == nil {
		cust.Identity = &cordon.CustomerIdentity{CustomerID: cust.ID}
	}
	ev := &cordon.AccessEvent{UserID: a.UserID, OrgID: a.OrgID, Resource: cordon.ResCustomer,
		ResourceID: strconv.FormatInt(cust.ID, 10), Action: cordon.ActDisclose, Purpose: "job:" + strconv.FormatInt(j.ID, 10)}
	m := cordon.MetaFromContext(ctx)
	ev.RequestID, ev.ClientIP = m.RequestID, m.ClientIP
	if !a.IsPartner() {
		out := &cordon.Disclosure{Level: cordon.DiscloseSiteContact, City: cust.City, Customer: cust.Identity,
			Fields: []string{"name", "unit_designation", "contact_person", "phone", "site_address"}}
		ev.Decision, ev.Fields = cordon.Allow, out.Fields
		if err := d.cfg.Access.RecordAccess(ctx, ev); err != nil {
			return nil, fmt.Errorf("record disclosure: %w", err)
		}
		return out, nil
	}
	if j.ContractID == nil {
		return nil, cordon.ErrNotFound("Customer")
	}
	c, err := d.cfg.Contracts.FindContractByID(ctx, *j.ContractID)
	if err != nil {
		return nil, err
	}
	now := d.cfg.Now()
	level := c.Scope.Disclosure
	var until *time.Time
	inWindow := j.AcceptedAt != nil && !now.Before(*j.AcceptedAt)
	switch j.Status {
	case cordon.JobAccepted, cordon.JobEnRoute, cordon.JobOnSite, cordon.JobWaitingCustomer, cordon.JobWaitingParts, cordon.JobReopened:
	case cordon.JobResolved, cordon.JobVerified, cordon.JobClosed:
		if j.ResolvedAt == nil {
			inWindow = false
			break
		}
		end := j.ResolvedAt.Add(time.Duration(c.Scope.DisclosureGraceHours) * time.Hour)
		until = &end
		inWindow = inWindow && now.Before(end)
	default:
		inWindow = false
	}
	var dec cordon.Decided
	if inWindow && level != cordon.DiscloseNone {
		dec, err = d.cfg.Scope.Decide(cordon.ScopeQuery{PartnerID: a.PartnerID, Resource: cordon.ResCustomer,
			Action: cordon.ActDisclose, City: j.Request.SiteCity, Disclosure: level})
		if err != nil {
			return nil, err
		}
	}
	if !dec.Allowed {
		ev.Decision = cordon.Deny
		if err := d.cfg.Access.RecordAccess(ctx, ev); err != nil {
			return nil, fmt.Errorf("record disclosure denial: %w", err)
		}
		return nil, cordon.ErrNotFound("Customer")
	}
	out := &cordon.Disclosure{Level: level, ContractNo: dec.ContractNo, Clause: dec.Clause, Until: until,
		Fields: disclosed[level], Customer: &cordon.CustomerIdentity{CustomerID: cust.ID}}
	for _, f := range out.Fields {
		switch f {
		case "city":
			out.City = cust.City
		case "site_address":
			out.Customer.SiteAddress = cust.Identity.SiteAddress
		case "contact_person":
			out.Customer.ContactPerson = cust.Identity.ContactPerson
		case "phone":
			out.Customer.Phone = cust.Identity.Phone
		}
	}
	ev.Decision, ev.Fields, ev.ContractNo, ev.Clause = cordon.Allow, out.Fields, dec.ContractNo, dec.Clause
	if err := d.cfg.Access.RecordAccess(ctx, ev); err != nil {
		return nil, fmt.Errorf("record disclosure: %w", err)
	}
	return out, nil
}
