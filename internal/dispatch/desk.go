package dispatch

import (
	"context"
	"fmt"
	"strconv"

	"github.com/cordon/cordon/internal/cordon"
)

// DeskConfig holds what the job desk needs.
type DeskConfig struct {
	Jobs   cordon.JobStore
	Orgs   cordon.OrgStore
	Scope  cordon.ScopePolicy
	Access cordon.AccessLog
}

// Desk is the job list and job page, scoped to the caller: institute users
// see every job; a partner sees only its own jobs that its contracts in
// force cover, each view recorded in the access log with the contract and
// clause that allowed it, and anything else is the same 404 as a job that
// does not exist (the denial recorded too).
type Desk struct{ cfg DeskConfig }

var (
	_ cordon.JobDesk   = (*Desk)(nil)
	_ cordon.JobAccess = (*Desk)(nil)
)

// NewDesk returns the job desk.
func NewDesk(cfg DeskConfig) *Desk { return &Desk{cfg: cfg} }

// ListJobs returns the caller's page of jobs, newest first.
func (d *Desk) ListJobs(ctx context.Context, f cordon.JobListFilter) ([]*cordon.JobView, int, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, 0, err
	}
	jf := cordon.JobFilter{Statuses: f.Statuses, Offset: f.Offset, Limit: f.Limit}
	if a.IsPartner() {
		jf.PartnerID = &a.PartnerID
		jf.Scope = cordon.ListScope{Grants: d.cfg.Scope.Grants(a.PartnerID, cordon.ResJob, cordon.ActView)}
	} else {
		jf.Scope = cordon.ListScope{All: true}
	}
	jobs, total, err := d.cfg.Jobs.FindJobs(ctx, jf)
	if err != nil {
		return nil, 0, fmt.Errorf("list jobs: %w", err)
	}
	views := make([]*cordon.JobView, len(jobs))
	var key []byte
	if a.IsPartner() && len(jobs) > 0 {
		if key, err = d.cfg.Orgs.PseudonymKey(ctx, a.PartnerID); err != nil {
			return nil, 0, fmt.Errorf("list jobs: %w", err)
		}
	}
	for i, j := range jobs {
		views[i] = &cordon.JobView{Job: j, CustomerRef: customerRef(a, key, j)}
		if a.IsPartner() {
			dec, err := d.decide(a, j, cordon.ActView)
			if err != nil {
				return nil, 0, err
			}
			views[i].ContractNo, views[i].Clause = dec.ContractNo, dec.Clause
		}
	}
	if a.IsPartner() {
		ev := d.event(ctx, a, "", cordon.ActList, cordon.Allow)
		if len(views) > 0 {
			ev.ContractNo, ev.Clause = views[0].ContractNo, views[0].Clause
		}
		if err := d.cfg.Access.RecordAccess(ctx, ev); err != nil {
			return nil, 0, fmt.Errorf("record job list: %w", err)
		}
	}
	return views, total, nil
}

// ViewJob returns one job if the caller may see it; a partner's view is
// recorded with the contract and clause that allowed it.
func (d *Desk) ViewJob(ctx context.Context, id int64) (*cordon.JobView, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, err
	}
	j, dec, err := d.find(ctx, a, id, cordon.ActView, true)
	if err != nil {
		return nil, err
	}
	if !a.IsPartner() {
		return &cordon.JobView{Job: j, CustomerRef: customerRef(a, nil, j)}, nil
	}
	key, err := d.cfg.Orgs.PseudonymKey(ctx, a.PartnerID)
	if err != nil {
		return nil, fmt.Errorf("view job %d: %w", id, err)
	}
	return &cordon.JobView{Job: j, CustomerRef: customerRef(a, key, j), ContractNo: dec.ContractNo, Clause: dec.Clause}, nil
}

// AccessJob finds a job for the caller within its scope (cordon.JobAccess).
func (d *Desk) AccessJob(ctx context.Context, id int64, action string, record bool) (*cordon.Job, cordon.Decided, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, cordon.Decided{}, err
	}
	return d.find(ctx, a, id, action, record)
}

// AccessJobRecords finds a job for reading its work on record
// (cordon.JobAccess): an ended job is closed to the partner that held it.
func (d *Desk) AccessJobRecords(ctx context.Context, id int64) (*cordon.Job, cordon.Decided, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, cordon.Decided{}, err
	}
	j, dec, err := d.find(ctx, a, id, cordon.ActView, false)
	if err != nil {
		return nil, cordon.Decided{}, err
	}
	if a.IsPartner() && !j.Status.PartnerRecordsOpen() {
		if err := d.cfg.Access.RecordAccess(ctx, d.event(ctx, a, strconv.FormatInt(id, 10), cordon.ActView, cordon.Deny)); err != nil {
			return nil, cordon.Decided{}, fmt.Errorf("record job denial: %w", err)
		}
		return nil, cordon.Decided{}, cordon.Err(cordon.ENOTFOUND, "job.not_found")
	}
	return j, dec, nil
}

// find loads a job for the caller. Institute users find any job. A
// partner finds only its own jobs that a contract in force lets it take
// action on; anything else — another partner's job, a job outside its
// scope, a job that does not exist — is the same ENOTFOUND, and the attempt
// is recorded. With record set, an allowed access is recorded too.
func (d *Desk) find(ctx context.Context, a *cordon.Actor, id int64, action string, record bool) (*cordon.Job, cordon.Decided, error) {
	j, err := d.cfg.Jobs.FindJobByID(ctx, id)
	if err != nil && cordon.ErrorCode(err) != cordon.ENOTFOUND {
		return nil, cordon.Decided{}, fmt.Errorf("find job %d: %w", id, err)
	}
	if !a.IsPartner() {
		return j, cordon.Decided{Allowed: err == nil}, err
	}
	var dec cordon.Decided
	if err == nil && j.PartnerID != nil && *j.PartnerID == a.PartnerID {
		if dec, err = d.decide(a, j, action); err != nil {
			return nil, cordon.Decided{}, err
		}
	}
	idText := strconv.FormatInt(id, 10)
	if !dec.Allowed {
		if err := d.cfg.Access.RecordAccess(ctx, d.event(ctx, a, idText, action, cordon.Deny)); err != nil {
			return nil, cordon.Decided{}, fmt.Errorf("record job denial: %w", err)
		}
		return nil, cordon.Decided{}, cordon.Err(cordon.ENOTFOUND, "job.not_found")
	}
	if record {
		ev := d.event(ctx, a, idText, action, cordon.Allow)
		ev.ContractNo, ev.Clause = dec.ContractNo, dec.Clause
		if err := d.cfg.Access.RecordAccess(ctx, ev); err != nil {
			return nil, cordon.Decided{}, fmt.Errorf("record job %s: %w", action, err)
		}
	}
	return j, dec, nil
}

// decide asks the compiled scope whether the partner may act on the job.
func (d *Desk) decide(a *cordon.Actor, j *cordon.Job, action string) (cordon.Decided, error) {
	dec, err := d.cfg.Scope.Decide(cordon.ScopeQuery{
		PartnerID: a.PartnerID, Resource: cordon.ResJob, Action: action,
		City: j.Request.SiteCity, ProductLine: j.Request.ProductLine, Category: j.Request.Category,
	})
	if err != nil {
		return cordon.Decided{}, fmt.Errorf("decide job %d: %w", j.ID, err)
	}
	return dec, nil
}

func (d *Desk) event(ctx context.Context, a *cordon.Actor, id, action string, dec cordon.Decision) *cordon.AccessEvent {
	m := cordon.MetaFromContext(ctx)
	ev := &cordon.AccessEvent{
		UserID: a.UserID, OrgID: a.OrgID, Resource: cordon.ResJob, ResourceID: id, Action: action,
		Decision: dec, RequestID: m.RequestID, ClientIP: m.ClientIP,
	}
	if id != "" {
		ev.Purpose = "job:" + id
	}
	return ev
}

// customerRef is the customer as the caller may name it.
func customerRef(a *cordon.Actor, key []byte, j *cordon.Job) string {
	if a.IsPartner() {
		return cordon.Pseudonym(key, j.Request.CustomerID)
	}
	return "customer:" + strconv.FormatInt(j.Request.CustomerID, 10)
}
