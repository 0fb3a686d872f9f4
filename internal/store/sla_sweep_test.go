package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/sla"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// TestSweepStoresJobsWithoutTerms: a job whose contract sets no SLA terms
// for its priority has nothing to measure; the first sweep stores that, so
// the rounds between full sweeps (and the SLA list) stop reading it again
// and again, while a job with terms is measured as before.
func TestSweepStoresJobsWithoutTerms(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		contracts := store.NewContractStore(db)
		c := &cordon.Contract{
			Number: "HF-2026-002", PartnerID: f.partner.ID,
			EffectiveFrom: day(2026, 1, 1), ExpiresOn: day(2027, 12, 31), Status: cordon.ContractActive,
			Scope: cordon.Scope{Cities: []string{"Hefei"}, ProductLines: []string{"radar"},
				ServiceTypes: []cordon.Category{cordon.CatFault}, DocumentCeiling: cordon.ClassInternal, Disclosure: cordon.DiscloseCity},
			// Terms for P1 only; the fixture's requests are P2.
			SLA:     map[cordon.Priority]cordon.SLATerms{cordon.P1: {Accept: time.Hour, Resolve: 24 * time.Hour}},
			Clauses: cordon.Clauses{"jobs": "§3.1", "customers": "§6.2", "documents": "§5.1"},
		}
		if err := contracts.CreateContract(ctx, c); err != nil {
			t.Fatal(err)
		}
		offered := time.Date(2026, 6, 1, 8, 30, 0, 0, time.UTC)
		j := &cordon.Job{RequestID: newRequest(t, db, f).ID, PartnerID: &f.partner.ID, ContractID: &c.ID, Status: cordon.JobOffered,
			OfferedAt: offered, CreatedAt: offered}
		if err := store.NewJobStore(db).CreateJob(ctx, j, nil); err != nil {
			t.Fatal(err)
		}
		now := offered.Add(3 * time.Hour)
		slas := store.NewSLAStore(db)
		sw := sla.NewSweeper(sla.SweeperConfig{Store: slas, Contracts: contracts, Now: func() time.Time { return now }})
		res, err := sw.SweepOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Jobs != 0 || res.Breached != 0 || res.Escalated != 0 {
			t.Errorf("sweep: %+v; want nothing measured, breached or escalated", res)
		}
		stale, err := slas.FindSLAJobs(ctx, cordon.SLAJobQuery{StaleAt: &now})
		if err != nil || len(stale) != 0 {
			t.Errorf("after a full sweep: %d stale jobs, %v; want none", len(stale), err)
		}
		later := now.Add(48 * time.Hour)
		if stale, _ := slas.FindSLAJobs(ctx, cordon.SLAJobQuery{StaleAt: &later}); len(stale) != 0 {
			t.Errorf("two days later: %d stale jobs; want none (nothing changes with time)", len(stale))
		}
		if res, err := sw.SweepStale(ctx); err != nil || res.Saved != 0 {
			t.Errorf("the next round: %+v, %v; want nothing to save", res, err)
		}
	})
}

// TestEscalateManyBreachesAtOnce: the first sweep after a long stop may
// find every clock of thousands of jobs breached in one batch; they are
// escalated, each with its outbox event, even when the breaches outnumber
// the bound parameters SQLite takes in one statement (32,766).
func TestEscalateManyBreachesAtOnce(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := &cordon.Contract{
			Number: "HF-2026-003", PartnerID: f.partner.ID,
			EffectiveFrom: day(2026, 1, 1), ExpiresOn: day(2027, 12, 31), Status: cordon.ContractActive,
			Scope: cordon.Scope{Cities: []string{"Hefei"}, ProductLines: []string{"radar"},
				ServiceTypes: []cordon.Category{cordon.CatFault}, DocumentCeiling: cordon.ClassInternal, Disclosure: cordon.DiscloseCity},
			SLA:     map[cordon.Priority]cordon.SLATerms{cordon.P2: {Accept: time.Hour, Respond: 2 * time.Hour, OnSite: 3 * time.Hour, Resolve: 4 * time.Hour}},
			Clauses: cordon.Clauses{"jobs": "§3.1", "customers": "§6.2", "documents": "§5.1"},
		}
		if err := store.NewContractStore(db).CreateContract(ctx, c); err != nil {
			t.Fatal(err)
		}
		offered := time.Date(2026, 6, 1, 8, 30, 0, 0, time.UTC)
		first := &cordon.Job{RequestID: newRequest(t, db, f).ID, PartnerID: &f.partner.ID, ContractID: &c.ID, Status: cordon.JobOffered,
			OfferedAt: offered, CreatedAt: offered}
		if err := store.NewJobStore(db).CreateJob(ctx, first, nil); err != nil {
			t.Fatal(err)
		}
		const n = 8300 // × 4 clocks = 33,200 breaches
		if err := store.ExecForTest(ctx, db, `INSERT INTO jobs (request_id, partner_id, contract_id, status, offered_at, created_at, updated_at)
			SELECT request_id, partner_id, contract_id, status, offered_at, created_at, updated_at FROM jobs j, (
				WITH RECURSIVE k(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM k WHERE i < ?) SELECT i FROM k) AS k
			WHERE j.id = ?`, n, first.ID); err != nil {
			t.Fatal(err)
		}
		slas := store.NewSLAStore(db)
		list, err := slas.FindSLAJobs(ctx, cordon.SLAJobQuery{})
		if err != nil || len(list) != n {
			t.Fatalf("jobs: %d, %v; want %d", len(list), err, n)
		}
		now := offered.Add(5 * time.Hour)
		var states []cordon.SLAState
		var breaches []cordon.SLABreach
		for _, sj := range list {
			states = append(states, cordon.SLAState{JobID: sj.Job.ID, State: cordon.SLABreached, Clock: "accept",
				Breached: []string{"accept", "respond", "on_site", "resolve"}, Due: offered.Add(time.Hour),
				Status: sj.Job.Status, UpdatedAt: sj.Job.UpdatedAt})
			for i, clock := range []string{"accept", "respond", "on_site", "resolve"} {
				breaches = append(breaches, cordon.SLABreach{JobID: sj.Job.ID, Clock: clock, BreachedAt: offered.Add(time.Duration(i+1) * time.Hour),
					PartnerID: sj.Job.PartnerID, ContractID: sj.Job.ContractID})
			}
		}
		saved, escalated, err := slas.SaveSLAStates(ctx, states, breaches, now)
		if err != nil || saved != n || escalated != 4*n {
			t.Fatalf("save: saved %d, escalated %d, %v; want %d, %d", saved, escalated, err, n, 4*n)
		}
		if events, err := store.OutboxRowsForTest(ctx, db, cordon.EventEscalated); err != nil || events != 4*n {
			t.Errorf("outbox events: %d, %v; want %d", events, err, 4*n)
		}
		esc, err := slas.FindSLAEscalations(ctx, list[n-1].Job.ID)
		if err != nil || len(esc) != 4 {
			t.Errorf("escalations of the last job: %+v, %v; want 4", esc, err)
		}
	})
}
