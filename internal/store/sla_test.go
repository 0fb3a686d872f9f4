package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// TestSLAStore: a contract's calendar round-trips; a job's SLA state is
// stored only on the job as it was read, a move makes it stale, and a
// breach is escalated once however often it is saved.
func TestSLAStore(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		contracts := store.NewContractStore(db)
		c := &cordon.Contract{
			Number: "HF-2026-001", PartnerID: f.partner.ID,
			EffectiveFrom: day(2026, 1, 1), ExpiresOn: day(2027, 12, 31), Status: cordon.ContractActive,
			Scope: cordon.Scope{Cities: []string{"Hefei"}, ProductLines: []string{"radar"},
				ServiceTypes: []cordon.Category{cordon.CatFault}, DocumentCeiling: cordon.ClassInternal, Disclosure: cordon.DiscloseCity},
			SLA:     map[cordon.Priority]cordon.SLATerms{cordon.P2: {Accept: time.Hour, Respond: 2 * time.Hour, OnSite: 8 * time.Hour, Resolve: 48 * time.Hour}},
			Clauses: cordon.Clauses{"jobs": "§3.1", "customers": "§6.2", "documents": "§5.1"},
			Calendar: &cordon.Calendar{Offset: 8 * time.Hour, Open: 8*time.Hour + 30*time.Minute, Close: 17*time.Hour + 30*time.Minute,
				Days: []time.Weekday{time.Monday, time.Friday}, Holidays: []string{"2026-10-01"}},
		}
		if err := contracts.CreateContract(ctx, c); err != nil {
			t.Fatal(err)
		}
		got, err := contracts.FindContractByID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c.Calendar, got.Calendar); diff != "" {
			t.Errorf("calendar (-want +got):\n%s", diff)
		}

		r := newRequest(t, db, f)
		offered := time.Date(2026, 6, 1, 8, 30, 0, 0, time.UTC)
		j := &cordon.Job{RequestID: r.ID, PartnerID: &f.partner.ID, ContractID: &c.ID, Status: cordon.JobOffered,
			OfferedAt: offered, CreatedAt: offered}
		jobs := store.NewJobStore(db)
		if err := jobs.CreateJob(ctx, j, nil); err != nil {
			t.Fatal(err)
		}
		slas := store.NewSLAStore(db)
		now := offered.Add(90 * time.Minute)
		list, err := slas.FindSLAJobs(ctx, cordon.SLAJobQuery{StaleAt: &now})
		if err != nil || len(list) != 1 || list[0].Priority != cordon.P2 || len(list[0].Events) != 1 || list[0].Stored.CheckedAt != nil {
			t.Fatalf("stale jobs: %+v, %v; want the new job, unchecked, with its offer", list, err)
		}
		next := offered.Add(2 * time.Hour)
		st := cordon.SLAState{JobID: j.ID, State: cordon.SLABreached, Clock: "accept", Breached: []string{"accept"},
			Due: offered.Add(time.Hour), NextAt: &next, Status: j.Status, UpdatedAt: list[0].Stored.UpdatedAt}
		breach := []cordon.SLABreach{{JobID: j.ID, Clock: "accept", BreachedAt: offered.Add(time.Hour), PartnerID: j.PartnerID, ContractID: j.ContractID}}
		for i, want := range []int{1, 0} {
			saved, escalated, err := slas.SaveSLAStates(ctx, []cordon.SLAState{st}, breach, now)
			if err != nil || saved != 1 || escalated != want {
				t.Errorf("save %d: saved %d, escalated %d, %v; want 1, %d", i+1, saved, escalated, err, want)
			}
		}
		list, _ = slas.FindSLAJobs(ctx, cordon.SLAJobQuery{IDs: []int64{j.ID}})
		if s := list[0].Stored; s.State != cordon.SLABreached || s.CheckedAt == nil || !s.Due.Equal(st.Due) || s.NextAt == nil || !s.NextAt.Equal(next) {
			t.Errorf("stored: %+v", s)
		}
		if stale, _ := slas.FindSLAJobs(ctx, cordon.SLAJobQuery{StaleAt: &now}); len(stale) != 0 {
			t.Errorf("just saved, before its next change: %d stale, want none", len(stale))
		}
		if ids, total, err := slas.FindJobsBySLAState(ctx, cordon.SLABreached, now, 10); err != nil || total != 1 || len(ids) != 1 || ids[0].JobID != j.ID {
			t.Errorf("breached jobs: %+v, %d, %v", ids, total, err)
		}

		// The job moves: its state is stale, and a state computed before
		// the move no longer applies.
		moved := *j
		moved.Status, moved.UpdatedAt = cordon.JobAccepted, now
		if err := jobs.MoveJob(ctx, &moved, cordon.JobOffered, &cordon.JobEvent{From: cordon.JobOffered, To: cordon.JobAccepted, At: now}); err != nil {
			t.Fatal(err)
		}
		if stale, _ := slas.FindSLAJobs(ctx, cordon.SLAJobQuery{StaleAt: &now}); len(stale) != 1 || len(stale[0].Events) != 2 {
			t.Errorf("after a move: %d stale, want the job with two events", len(stale))
		}
		if saved, _, err := slas.SaveSLAStates(ctx, []cordon.SLAState{st}, nil, now); err != nil || saved != 0 {
			t.Errorf("saving a state read before the move: saved %d, %v; want 0", saved, err)
		}
		esc, err := slas.FindSLAEscalations(ctx, j.ID)
		if err != nil || len(esc) != 1 {
			t.Errorf("escalations: %+v, %v; want one", esc, err)
		}
	})
}
