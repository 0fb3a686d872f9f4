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
	Requests  cordon.RequestStore
	Jobs      cordon.JobStore
	Catalog   cordon.CatalogStore
	Customers cordon.CustomerStore
	Contracts cordon.ContractStore
	Orgs      cordon.OrgStore
	Scope     cordon.ScopePolicy
	Access    cordon.AccessLog
	Users     cordon.UserStore
	// Roles are the static role rules, for what the job page offers.
	Roles cordon.RoleAuthorizer
	// Scores rank candidates by their recent scorecards; nil: unscored.
	Scores cordon.PartnerScorer
	// Milestones records the delivery milestone of a verified
	// installation, commissioning or training job; nil records none.
	Milestones cordon.MilestoneRecorder
	// Checklists binds a checklist to each job offered and keeps a job
	// from being resolved while a required item is empty; nil: no
	// checklists.
	Checklists cordon.ChecklistGate
	Now        cordon.Clock
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

func callerOf(ctx context.Context) (*cordon.Actor, error) { return cordon.Caller(ctx) }

// CreateRequest records an intake for a delivered unit, or for a customer
// and model when the unit is not known.
func (d *Dispatcher) CreateRequest(ctx context.Context, in cordon.Intake) (*cordon.ServiceRequest, error) {
	a, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if a.IsPartner() {
		return nil, cordon.Err(cordon.EFORBIDDEN, "dispatch.only_institute_takes_requests")
	}
	r := &cordon.ServiceRequest{Category: in.Category, Priority: in.Priority, Description: strings.TrimSpace(in.Description),
		SiteCity: strings.TrimSpace(in.SiteCity), CreatedBy: a.UserID, Status: cordon.RequestOpen}
	switch {
	case !in.Category.Valid():
		return nil, cordon.FieldErr("category", "dispatch.category_must_one_fault_installation")
	case !in.Priority.Valid():
		return nil, cordon.FieldErr("priority", "priority_must_p1_p2_p3")
	case r.Description == "":
		return nil, cordon.FieldErr("description", "dispatch.describe_what_customer_needs")
	case len(r.Description) > 4000:
		return nil, cordon.FieldErr("description", "dispatch.description_longer_than_4000_characters")
	case len(r.SiteCity) > 100:
		return nil, cordon.FieldErr("site_city", "site_city_longer_than_100")
	}
	modelID := in.ModelID
	switch {
	case in.UnitID != nil:
		u, err := d.cfg.Catalog.FindUnitByID(ctx, *in.UnitID)
		if err != nil {
			return nil, cordon.FieldErr("unit_id", "dispatch.no_delivered_unit_has_id")
		}
		if in.CustomerID != nil && *in.CustomerID != u.CustomerID {
			return nil, cordon.FieldErr("customer_id", "dispatch.unit_belongs_another_customer")
		}
		r.UnitID, r.CustomerID, modelID = &u.ID, u.CustomerID, &u.ModelID
		if r.SiteCity == "" {
			r.SiteCity = u.SiteCity
		}
	case in.CustomerID != nil && in.ModelID != nil:
		if _, err := d.cfg.Customers.FindCustomerByID(ctx, *in.CustomerID); err != nil {
			return nil, cordon.FieldErr("customer_id", "dispatch.no_customer_has_id")
		}
		r.CustomerID = *in.CustomerID
	default:
		return nil, cordon.FieldErr("unit_id", "dispatch.give_delivered_unit_customer_model")
	}
	m, err := d.cfg.Catalog.FindModelByID(ctx, *modelID)
	if err != nil {
		return nil, cordon.FieldErr("model_id", "no_model_has_id")
	}
	r.ModelID, r.ProductLineID = &m.ID, m.ProductLineID
	if r.SiteCity == "" {
		return nil, cordon.FieldErr("site_city", "dispatch.site_city_required_when_unit")
	}
	if err := d.screen(ctx, a, r, in.Override); err != nil {
		return nil, err
	}
	if err := d.cfg.Requests.CreateRequest(ctx, r); err != nil {
		return nil, err
	}
	return d.cfg.Requests.FindRequestByID(ctx, r.ID)
}

// FindRequests lists service requests, with the total.
func (d *Dispatcher) FindRequests(ctx context.Context, f cordon.RequestFilter) ([]*cordon.ServiceRequest, int, error) {
	return d.cfg.Requests.FindRequests(ctx, f)
}

// FindRequestByID returns one service request; ENOTFOUND.
func (d *Dispatcher) FindRequestByID(ctx context.Context, id int64) (*cordon.ServiceRequest, error) {
	return d.cfg.Requests.FindRequestByID(ctx, id)
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
	var cands []cordon.Candidate
	for _, p := range partners {
		dec, err := d.cfg.Scope.Decide(cordon.ScopeQuery{PartnerID: p.ID, Resource: cordon.ResJob, Action: cordon.ActAccept,
			City: r.SiteCity, ProductLine: r.ProductLine, Category: r.Category})
		if err != nil {
			return nil, fmt.Errorf("candidates for request %d: %w", r.ID, err)
		}
		if !dec.Allowed {
			continue
		}
		c := cordon.Candidate{PartnerID: p.ID, PartnerCode: p.Code, HomeCity: p.HomeCity,
			ContractNo: dec.ContractNo, Clause: dec.Clause, Score: -1, OpenJobs: open[p.ID]}
		if c.ContractID, err = d.contractID(ctx, dec.ContractNo); err != nil {
			return nil, fmt.Errorf("candidates for request %d: %w", r.ID, err)
		}
		if d.cfg.Scores != nil {
			score, ok, err := d.cfg.Scores.RecentScore(ctx, p.ID, d.cfg.Now())
			if err != nil {
				return nil, fmt.Errorf("candidates for request %d: score of %s: %w", r.ID, p.Code, err)
			}
			if ok {
				c.Score = score
			}
		}
		cands = append(cands, c)
	}
	return Rank(cands, r.SiteCity), nil
}

// contractID returns the id of the contract with the number.
func (d *Dispatcher) contractID(ctx context.Context, number string) (int64, error) {
	list, _, err := d.cfg.Contracts.FindContracts(ctx, cordon.ContractFilter{Number: &number})
	if err != nil {
		return 0, fmt.Errorf("contract %s: %w", number, err)
	}
	if len(list) == 0 {
		return 0, fmt.Errorf("contract %s not found", number)
	}
	return list[0].ID, nil
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
		return nil, cordon.Err(cordon.ECONFLICT, "dispatch.request_not_waiting_dispatch", r.Status)
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
			return nil, cordon.FieldErr("partner_id", "dispatch.partner_has_no_contract_force", r.SiteCity, r.ProductLine, r.Category)
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
	ev := &cordon.JobEvent{At: now, ActorID: by, To: cordon.JobOffered}
	ev.SetNote("note.offered_in_house")
	if !pick.InHouse {
		ct, err := d.cfg.Contracts.FindContractByID(ctx, pick.ContractID)
		if err != nil {
			return nil, fmt.Errorf("dispatch request %d: contract %s: %w", r.ID, pick.ContractNo, err)
		}
		deadline, err := OfferDeadline(ct, r.Priority, now)
		if err != nil {
			return nil, err
		}
		pid, cid := pick.PartnerID, ct.ID
		j.PartnerID, j.ContractID, j.OfferExpiresAt = &pid, &cid, &deadline
		ev.SetNote("note.offered_partner", pick.PartnerCode, pick.ContractNo, pick.Clause)
	}
	if err := d.cfg.Jobs.OfferJob(ctx, j, ev); err != nil {
		return nil, err
	}
	j, err := d.cfg.Jobs.FindJobByID(ctx, j.ID)
	if err != nil || d.cfg.Checklists == nil {
		return j, err
	}
	return j, d.cfg.Checklists.BindChecklist(ctx, j) // the job keeps this version
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
		return nil, cordon.Err(cordon.ENOTFOUND, "job.not_found")
	}
	history, err := d.cfg.Jobs.FindJobEvents(ctx, j.ID)
	if err != nil {
		return nil, err
	}
	if err := d.screenReason(ctx, a, j, m.Reason); err != nil {
		return nil, err
	}
	from := j.Status
	ev, err := Transition(j, history, Move{By: By(a), To: m.To, Reason: m.Reason, At: d.cfg.Now()})
	if err != nil {
		return nil, err
	}
	if m.To == cordon.JobResolved && d.cfg.Checklists != nil {
		if err := d.cfg.Checklists.CheckResolvable(ctx, j); err != nil {
			return nil, err
		}
	}
	if err := d.cfg.Jobs.MoveJob(ctx, j, from, ev); err != nil {
		return nil, err
	}
	j, err = d.cfg.Jobs.FindJobByID(ctx, j.ID)
	if err != nil {
		return nil, err
	}
	if m.To == cordon.JobVerified && d.cfg.Milestones != nil {
		if err := d.cfg.Milestones.RecordJobMilestone(ctx, j); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// JobActions says what the caller may do with the job now, within the
// caller's scope: the lifecycle's moves (Allowed) that the caller's roles
// may ask for, and whether a report, an assignment or a disclosure would
// be considered.
func (d *Dispatcher) JobActions(ctx context.Context, jobID int64) (*cordon.JobActions, error) {
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
	allow := func(pairs ...[2]string) bool {
		for _, p := range pairs {
			if d.cfg.Roles != nil && d.cfg.Roles.Allow(a.Roles, p[0], p[1]) {
				return true
			}
		}
		return false
	}
	out := &cordon.JobActions{}
	mayMove := allow(cordon.JobMoveRights...)
	for _, to := range Allowed(j, history, By(a), d.cfg.Now()) {
		switch {
		case to == cordon.JobAccepted:
			out.Accept = allow([2]string{cordon.ResJob, cordon.ActAccept})
		case to == cordon.JobDeclined:
			out.Decline = allow([2]string{cordon.ResJob, cordon.ActDecline})
		case mayMove:
			out.Moves = append(out.Moves, to)
		}
	}
	out.Report = j.Status.Reportable() && allow(reportRights...)
	out.Records = !a.IsPartner() || j.Status.PartnerRecordsOpen()
	out.Assign = a.IsPartner() && j.PartnerID != nil && j.Status.Active() && allow([2]string{cordon.ResJob, cordon.ActAssign})
	out.Disclose = allow(discloseRights...) && (!a.IsPartner() || j.Status.MayDisclose())
	if out.Assign {
		users, _, err := d.cfg.Users.FindUsers(ctx, cordon.UserFilter{OrgID: j.PartnerID, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if j.AssigneeID != nil && u.ID == *j.AssigneeID && u.OrgID == *j.PartnerID {
				out.Assignee = u
			}
			if assignable(u, j) {
				out.Technicians = append(out.Technicians, u)
			}
		}
	}
	return out, nil
}

// The rights that let a role file a report, and ask for a customer's
// details; the routes guard with the same pairs.
var (
	reportRights   = [][2]string{{cordon.ResJob, cordon.ActReport}, {cordon.ResJob, cordon.ActUpdate}}
	discloseRights = [][2]string{{cordon.ResCustomer, cordon.ActDisclose}, {cordon.ResCustomer, cordon.ActView}}
)

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
	serial, err := d.serialOf(ctx, j)
	if err != nil {
		return nil, err
	}
	if !a.IsPartner() {
		out := &cordon.Disclosure{Level: cordon.DiscloseSiteContact, City: cust.City, Customer: cust.Identity,
			Fields: append([]string{}, cordon.CustomerIdentityFields...)}
		out.Serial, out.Fields = serial, withSerial(out.Fields, serial)
		ev.Decision, ev.Fields = cordon.Allow, out.Fields
		if err := d.cfg.Access.RecordAccess(ctx, ev); err != nil {
			return nil, fmt.Errorf("record disclosure: %w", err)
		}
		return out, nil
	}
	if j.ContractID == nil {
		return nil, cordon.Err(cordon.ENOTFOUND, "customer.not_found")
	}
	c, err := d.cfg.Contracts.FindContractByID(ctx, *j.ContractID)
	if err != nil {
		return nil, err
	}
	level := c.Scope.Disclosure
	grace := time.Duration(c.Scope.DisclosureGraceHours) * time.Hour
	until := j.DisclosureEnds(grace)
	var dec cordon.Decided
	if j.DisclosureOpen(d.cfg.Now(), grace) && level != cordon.DiscloseNone {
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
		return nil, cordon.Err(cordon.ENOTFOUND, "customer.not_found")
	}
	out := &cordon.Disclosure{Level: level, ContractNo: dec.ContractNo, Clause: dec.Clause, Until: until,
		Fields: withSerial(disclosed[level], serial), Customer: &cordon.CustomerIdentity{CustomerID: cust.ID}, Serial: serial}
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

// serialOf is the serial of the job's unit, "" when the request named no
// unit. A partner sees it only in a disclosure: after acceptance, inside
// the window, logged.
func (d *Dispatcher) serialOf(ctx context.Context, j *cordon.Job) (string, error) {
	if j.Request == nil || j.Request.UnitID == nil {
		return "", nil
	}
	u, err := d.cfg.Catalog.FindUnitByID(ctx, *j.Request.UnitID)
	if err != nil {
		return "", err
	}
	return u.Serial, nil
}

// withSerial adds "serial" to the disclosed fields when there is one.
func withSerial(fields []string, serial string) []string {
	if serial == "" {
		return fields
	}
	return append(append([]string{}, fields...), "serial")
}
