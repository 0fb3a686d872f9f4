package sla

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// Monitor computes jobs' SLA clocks from their contracts' terms and
// calendars and their timelines, and lists jobs by the state the sweeper
// keeps. It implements cordon.SLAMonitor.
type Monitor struct {
	jobs      cordon.JobStore
	contracts cordon.ContractStore
	store     cordon.SLAStore
	atRisk    float64
	now       cordon.Clock
}

var _ cordon.SLAMonitor = (*Monitor)(nil)

// NewMonitor returns a monitor that flags clocks at risk at the share
// atRisk of their limit (0: DefaultAtRisk), at the clock now.
func NewMonitor(jobs cordon.JobStore, contracts cordon.ContractStore, store cordon.SLAStore, atRisk float64, now cordon.Clock) *Monitor {
	if now == nil {
		now = time.Now
	}
	return &Monitor{jobs: jobs, contracts: contracts, store: store, atRisk: atRisk, now: now}
}

// JobClocks returns the job's live clocks; none for in-house jobs.
func (m *Monitor) JobClocks(ctx context.Context, j *cordon.Job) ([]cordon.SLAClock, error) {
	if j.ContractID == nil || j.Request == nil {
		return nil, nil
	}
	cm, err := newMeters(m.contracts, m.atRisk).meter(ctx, *j.ContractID)
	if err != nil {
		return nil, fmt.Errorf("clocks of job %d: %w", j.ID, err)
	}
	terms, ok := cm.terms[j.Request.Priority]
	if !ok {
		return nil, nil
	}
	events, err := m.jobs.FindJobEvents(ctx, j.ID)
	if err != nil {
		return nil, fmt.Errorf("clocks of job %d: %w", j.ID, err)
	}
	return cm.meter.DomainClocks(j, events, terms, m.now()), nil
}

// DomainClocks is Clocks in the domain's terms.
func (m Meter) DomainClocks(j *cordon.Job, events []*cordon.JobEvent, terms cordon.SLATerms, now time.Time) []cordon.SLAClock {
	return domainClocks(m.Clocks(j, events, terms, now))
}

// ContractClocks is the job's clocks in the domain's terms, counted in the
// contract's business calendar (24x7 without one). A calendar the contract
// check would refuse cannot be stored, so an error here falls back to 24x7.
func (m Meter) ContractClocks(c *cordon.Contract, j *cordon.Job, events []*cordon.JobEvent, terms cordon.SLATerms, now time.Time) []cordon.SLAClock {
	if cal, err := CalendarOf(c.Calendar); err == nil {
		m.Calendar = cal
	}
	return m.DomainClocks(j, events, terms, now)
}

func domainClocks(cs []Clock) []cordon.SLAClock {
	var out []cordon.SLAClock
	for _, c := range cs {
		out = append(out, cordon.SLAClock{Name: c.Name, Limit: c.Limit, Used: c.Used, Due: c.Due,
			Paused: c.Paused, Met: c.Met, Breached: c.Breached, AtRisk: c.AtRisk})
	}
	return out
}

// FindJobsBySLA returns the open jobs in state (at_risk or breached),
// soonest due first, each with its live clocks, and the total.
//
// It reads the state the sweeper stored on the jobs, which is exact until
// the job moves or time alone changes it (SLAState.NextAt). The jobs whose
// stored state may be out of date (never swept, moved since, or past their
// NextAt: at most one sweep interval's worth while the sweeper runs) are
// measured afresh, in bulk. Either way the list is right as of now; only
// the escalation of a new breach waits for the sweeper.
func (m *Monitor) FindJobsBySLA(ctx context.Context, state string, offset, limit int) ([]*cordon.JobSLA, int, error) {
	if state != cordon.SLAAtRisk && state != cordon.SLABreached {
		return nil, 0, cordon.FieldErr("state", "sla.state_must_risk_breached")
	}
	now := m.now()
	type hit struct {
		id  int64
		due time.Time
	}
	var hits []hit
	seen := map[int64]bool{}
	meters := newMeters(m.contracts, m.atRisk)
	for after := int64(0); ; {
		batch, err := m.store.FindSLAJobs(ctx, cordon.SLAJobQuery{AfterID: after, StaleAt: &now, Limit: DefaultBatch})
		if err != nil {
			return nil, 0, err
		}
		for _, sj := range batch {
			st, clocks, err := meters.state(ctx, sj, now)
			if err != nil {
				return nil, 0, err
			}
			if clocks != nil && st.State == state {
				hits = append(hits, hit{sj.Job.ID, st.Due})
				seen[sj.Job.ID] = true
			}
		}
		if len(batch) < DefaultBatch {
			break
		}
		after = batch[len(batch)-1].Job.ID
	}
	fetch := 0
	if limit > 0 {
		fetch = offset + limit
	}
	stored, total, err := m.store.FindJobsBySLAState(ctx, state, now, fetch)
	if err != nil {
		return nil, 0, err
	}
	for _, st := range stored {
		if seen[st.JobID] {
			total-- // moved between the two reads: counted once
			continue
		}
		hits = append(hits, hit{st.JobID, st.Due})
	}
	total += len(seen)
	sort.Slice(hits, func(a, b int) bool {
		if !hits[a].due.Equal(hits[b].due) {
			return hits[a].due.Before(hits[b].due)
		}
		return hits[a].id < hits[b].id
	})
	if offset > len(hits) {
		offset = len(hits)
	}
	end := len(hits)
	if limit > 0 && offset+limit < end {
		end = offset + limit
	}
	page := hits[offset:end]
	if len(page) == 0 {
		return nil, total, nil
	}
	ids := make([]int64, len(page))
	for i, h := range page {
		ids[i] = h.id
	}
	sjs, err := m.store.FindSLAJobs(ctx, cordon.SLAJobQuery{IDs: ids, WithRequests: true})
	if err != nil {
		return nil, 0, err
	}
	byID := make(map[int64]*cordon.JobSLA, len(sjs))
	for _, sj := range sjs {
		_, clocks, err := meters.state(ctx, sj, now)
		if err != nil {
			return nil, 0, err
		}
		byID[sj.Job.ID] = &cordon.JobSLA{Job: sj.Job, Clocks: domainClocks(clocks)}
	}
	out := make([]*cordon.JobSLA, 0, len(page))
	for _, h := range page {
		if js := byID[h.id]; js != nil { // closed meanwhile: left out
			out = append(out, js)
		}
	}
	return out, total, nil
}
