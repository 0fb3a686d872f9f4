package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/sla"
	"github.com/cordon/cordon/internal/store"
)

// TestSLAClocks: a P1 offer is at risk after 80% of its accept term and
// breached after it; the quality department sees it in the SLA list; the
// partner sees its own job's clocks, and another partner nothing. No sweep
// runs here: the list measures the jobs the sweeper has not seen afresh.
// (Pauses and business calendars are covered in internal/sla.)
func TestSLAClocks(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		disp, _ := h.login("dispatcher")
		req := h.intake(disp, h.unitIn("Hefei", "radar"), "fault", "P1")
		job := int64(h.do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"to": "auto"}).JSON(t)["id"].(float64))
		if h.slaListed("at_risk", job) || h.slaListed("breached", job) {
			t.Fatal("a fresh offer is already at risk or breached")
		}
		h.clock.Add(25 * time.Minute)
		if !h.slaListed("at_risk", job) {
			t.Error("25 of 30 minutes used: not at risk")
		}
		h.clock.Add(6 * time.Minute)
		if !h.slaListed("breached", job) {
			t.Error("31 of 30 minutes used: not breached")
		}
		tech, _ := h.login("hefei.tech")
		r := h.do("GET", fmt.Sprintf("/api/v1/jobs/%d/sla", job), tech, nil)
		if r.Status != 200 || len(r.JSON(t)["clocks"].([]any)) != 4 {
			t.Errorf("the partner's clocks: %d %s", r.Status, r.Body)
		}
		w, _ := h.login("wuhan.tech")
		if r := h.do("GET", fmt.Sprintf("/api/v1/jobs/%d/sla", job), w, nil); r.Status != 404 {
			t.Errorf("another partner's clocks: got %d, want 404", r.Status)
		}
	})
}

// slaListed reports whether the quality department's SLA list in state
// holds the job.
func (h *harness) slaListed(state string, job int64) bool {
	h.t.Helper()
	q, _ := h.login("quality")
	r := h.do("GET", "/api/v1/sla/jobs?limit=200&state="+state, q, nil)
	if r.Status != 200 {
		h.t.Fatalf("sla list: %d %s", r.Status, r.Body)
	}
	for _, it := range r.JSON(h.t)["items"].([]any) {
		if int64(it.(map[string]any)["job"].(map[string]any)["id"].(float64)) == job {
			return true
		}
	}
	return false
}

// stored returns the SLA state the sweeper stored on a job.
func (h *harness) stored(job int64) cordon.SLAState {
	h.t.Helper()
	list, err := store.NewSLAStore(h.db).FindSLAJobs(context.Background(), cordon.SLAJobQuery{IDs: []int64{job}})
	if err != nil || len(list) != 1 {
		h.t.Fatalf("stored state of job %d: %v (%d found)", job, err, len(list))
	}
	return list[0].Stored
}

// sweep runs one SLA sweep of the harness's own sweeper.
func (h *harness) sweep() sla.SweepResult {
	h.t.Helper()
	res, err := h.app.SLA.SweepOnce(context.Background())
	if err != nil {
		h.t.Fatalf("sla sweep: %v", err)
	}
	return res
}

// TestSLASweeper: the sweeper stores at risk then breached on the job; a
// breach is escalated once, across sweeps and sweepers; a job paused for
// parts keeps its clock paused; the list reads the stored state and stays
// right for jobs moved or offered since the last sweep.
func TestSLASweeper(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		h.sweep() // the demo world's backlog
		disp, _ := h.login("dispatcher")
		offer := func() int64 {
			req := h.intake(disp, h.unitIn("Hefei", "radar"), "fault", "P1")
			r := h.do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"to": "auto"})
			if r.Status != 201 && r.Status != 200 {
				t.Fatalf("dispatch: %d %s", r.Status, r.Body)
			}
			return int64(r.JSON(t)["id"].(float64))
		}
		move := func(job int64, to string) {
			path := fmt.Sprintf("/api/v1/jobs/%d/transition", job)
			body := any(map[string]string{"to": to})
			if to == "accepted" {
				path, body = fmt.Sprintf("/api/v1/jobs/%d/accept", job), nil
			}
			tech, _ := h.login("hefei.tech") // the clock moves on past tokens
			if r := h.do("POST", path, tech, body); r.Status != 200 {
				t.Fatalf("%s: %d %s", to, r.Status, r.Body)
			}
		}

		late := offer() // never accepted: accept (30m) runs out
		parts := offer()
		for _, to := range []string{"accepted", "en_route", "on_site", "waiting_parts"} {
			move(parts, to)
		}
		h.sweep()
		if st := h.stored(late); st.State != cordon.SLAOK || st.CheckedAt == nil || st.NextAt == nil {
			t.Errorf("a fresh offer: stored %+v, want ok, checked, with a next change", st)
		}
		if res, err := h.app.SLA.SweepStale(ctx); err != nil || res.Jobs != 0 {
			t.Errorf("a round between full sweeps, nothing having changed: %+v, %v; want no job measured", res, err)
		}

		h.clock.Add(25 * time.Minute)
		h.sweep()
		if st := h.stored(late); st.State != cordon.SLAAtRisk || st.Clock != cordon.ClockAccept {
			t.Errorf("25 of 30 minutes: stored %s %s, want at_risk accept", st.State, st.Clock)
		}
		if !h.slaListed("at_risk", late) {
			t.Error("the stored at-risk job is not listed")
		}

		h.clock.Add(6 * time.Minute)
		if !h.slaListed("breached", late) {
			t.Error("breached before the sweep: not listed") // past its NextAt: measured afresh
		}
		res := h.sweep()
		if st := h.stored(late); st.State != cordon.SLABreached || st.NextAt == nil || !st.NextAt.Equal(h.clock.Now().Add(29*time.Minute)) ||
			len(st.Breached) != 1 {
			t.Errorf("31 of 30 minutes: stored %+v, want breached on accept, next the respond clock at an hour", st)
		}
		if res.Escalated < 1 {
			t.Errorf("sweep after the breach: %+v, want an escalation", res)
		}
		h.sweep()
		other := h.replica()
		if _, err := other.app.SLA.SweepOnce(ctx); err != nil {
			t.Fatal(err)
		}
		esc, err := store.NewSLAStore(h.db).FindSLAEscalations(ctx, late)
		if err != nil {
			t.Fatal(err)
		}
		if len(esc) != 1 || esc[0].Clock != cordon.ClockAccept || !esc[0].BreachedAt.Equal(h.clock.Now().Add(-time.Minute)) {
			t.Errorf("escalations after three sweeps by two sweepers: %+v, want one, of accept, at the deadline", esc)
		}
		if !h.slaListed("breached", late) || h.slaListed("at_risk", late) {
			t.Error("the stored breach is not listed as breached only")
		}

		// Two days waiting for parts: the resolve clock (24h) has not moved.
		h.clock.Add(48 * time.Hour)
		h.sweep()
		if st := h.stored(parts); st.State != cordon.SLAOK || st.NextAt != nil || st.Clock != cordon.ClockResolve {
			t.Errorf("paused for parts: stored %+v, want ok on resolve, nothing next", st)
		}
		tech, _ := h.login("hefei.tech")
		r := h.do("GET", fmt.Sprintf("/api/v1/jobs/%d/sla", parts), tech, nil)
		if r.Status != 200 {
			t.Fatalf("clocks: %d %s", r.Status, r.Body)
		}
		for _, c := range r.JSON(t)["clocks"].([]any) {
			c := c.(map[string]any)
			if c["name"] == "resolve" && (c["paused"] != true || c["used"] != "0s" || c["breached"] != false) {
				t.Errorf("the resolve clock while waiting for parts: %v", c)
			}
		}
		// Resumed: the clock runs again, and the list knows before the
		// sweeper does.
		move(parts, "on_site")
		h.clock.Add(20 * time.Hour)
		if !h.slaListed("at_risk", parts) {
			t.Error("20 of 24 hours after resuming: not listed at risk")
		}
		if res, err := h.app.SLA.SweepStale(ctx); err != nil || res.Jobs == 0 {
			t.Errorf("a round between full sweeps after a move: %+v, %v; want the moved job measured", res, err)
		}
		if st := h.stored(parts); st.State != cordon.SLAAtRisk {
			t.Errorf("20 of 24 hours after resuming: stored %s, want at_risk", st.State)
		}
	})
}

// TestSLALeader: of two replicas exactly one leads the sweeper; when its
// context ends it lets go and the other takes over; cordon_leader says
// which.
func TestSLALeader(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		other := h.replica()
		ctx, cancel := context.WithCancel(context.Background())
		if ok, err := h.app.SLA.Round(ctx); !ok || err != nil {
			t.Fatalf("the first replica alone: led %v, %v", ok, err)
		}
		if !strings.Contains(string(h.do("GET", "/metrics", "", nil).Body), `cordon_leader{task="sla_sweeper"} 1`) {
			t.Error("the leader does not report leading")
		}
		done := make(chan struct{})
		go func() { h.app.SLA.Run(ctx, time.Hour); close(done) }() // goes on leading until ctx ends
		if ok, err := other.app.SLA.Round(context.Background()); ok || err != nil {
			t.Errorf("the second replica while the first leads: led %v, %v", ok, err)
		}
		cancel()
		<-done
		if !strings.Contains(string(h.do("GET", "/metrics", "", nil).Body), `cordon_leader{task="sla_sweeper"} 0`) {
			t.Error("the first replica still reports leading after it stopped")
		}
		if ok, err := other.app.SLA.Round(context.Background()); !ok || err != nil {
			t.Errorf("the second replica after the first stopped: led %v, %v", ok, err)
		}
		if ok, _ := h.app.SLA.Round(context.Background()); ok {
			t.Error("the first replica leads again while the second does")
		}
		other.app.SLA.Close()
	})
}
