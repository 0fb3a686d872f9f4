package sla

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// Monitor computes jobs' SLA clocks from their contracts' terms and their
// timelines. It implements cordon.SLAMonitor.
type Monitor struct {
	jobs      cordon.JobService
	contracts cordon.ContractService
	meter     Meter
	now       cordon.Clock
}

var _ cordon.SLAMonitor = (*Monitor)(nil)

// NewMonitor returns a monitor that counts with meter at the clock now.
func NewMonitor(jobs cordon.JobService, contracts cordon.ContractService, meter Meter, now cordon.Clock) *Monitor {
	if now == nil {
		now = time.Now
	}
	return &Monitor{jobs: jobs, contracts: contracts, meter: meter, now: now}
}

// JobClocks returns the job's clocks; none for in-house jobs.
func (m *Monitor) JobClocks(ctx context.Context, j *cordon.Job) ([]cordon.SLAClock, error) {
	if j.ContractID == nil || j.Request == nil {
		return nil, nil
	}
	c, err := m.contracts.FindContractByID(ctx, *j.ContractID)
	if err != nil {
		return nil, fmt.Errorf("clocks of job %d: %w", j.ID, err)
	}
	terms, ok := c.SLA[j.Request.Priority]
	if !ok {
		return nil, nil
	}
	events, err := m.jobs.FindJobEvents(ctx, j.ID)
	if err != nil {
		return nil, fmt.Errorf("clocks of job %d: %w", j.ID, err)
	}
	return m.meter.DomainClocks(j, events, terms, m.now()), nil
}

// DomainClocks is Clocks in the domain's terms.
func (m Meter) DomainClocks(j *cordon.Job, events []*cordon.JobEvent, terms cordon.SLATerms, now time.Time) []cordon.SLAClock {
	var out []cordon.SLAClock
	for _, c := range m.Clocks(j, events, terms, now) {
		out = append(out, cordon.SLAClock{Name: c.Name, Limit: c.Limit, Used: c.Used, Due: c.Due,
			Paused: c.Paused, Met: c.Met, Breached: c.Breached, AtRisk: c.AtRisk})
	}
	return out
}

// FindJobsBySLA returns the open jobs with a clock in state, soonest due
// first. It computes every open job's clocks on each call; the SLA sweeper
// (not yet built) is to keep the state on the jobs instead.
func (m *Monitor) FindJobsBySLA(ctx context.Context, state string, offset, limit int) ([]*cordon.JobSLA, int, error) {
	if state != cordon.SLAAtRisk && state != cordon.SLABreached {
		return nil, 0, cordon.FieldErrorf("state", "State must be at_risk or breached.")
	}
	open, _, err := m.jobs.FindJobs(ctx, cordon.JobFilter{Scope: cordon.ListScope{All: true}, Statuses: []cordon.JobStatus{
		cordon.JobOffered, cordon.JobAccepted, cordon.JobEnRoute, cordon.JobOnSite,
		cordon.JobWaitingCustomer, cordon.JobWaitingParts, cordon.JobReopened,
	}})
	if err != nil {
		return nil, 0, err
	}
	var hits []*cordon.JobSLA
	due := map[*cordon.JobSLA]time.Time{}
	for _, j := range open {
		clocks, err := m.JobClocks(ctx, j)
		if err != nil {
			return nil, 0, err
		}
		var first time.Time
		for _, c := range clocks {
			if (state == cordon.SLAAtRisk && c.AtRisk) || (state == cordon.SLABreached && c.Breached) {
				if first.IsZero() || c.Due.Before(first) {
					first = c.Due
				}
			}
		}
		if !first.IsZero() {
			js := &cordon.JobSLA{Job: j, Clocks: clocks}
			hits = append(hits, js)
			due[js] = first
		}
	}
	sort.SliceStable(hits, func(a, b int) bool { return due[hits[a]].Before(due[hits[b]]) })
	total := len(hits)
	if offset > total {
		offset = total
	}
	end := total
	if limit > 0 && offset+limit < end {
		end = offset + limit
	}
	return hits[offset:end], total, nil
}
