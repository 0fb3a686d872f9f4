package dispatch_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// The Desk and the Dispatcher on the wired application's stores, policies
// and demo world, on SQLite and PostgreSQL, called as a request would call
// them: the caller's actor in the context, inside its scoped transaction.

func TestMain(m *testing.M) { apptest.Main(m) }

// intake records a request for a unit as the dispatcher.
func intake(t *testing.T, h *apptest.Harness, unit *cordon.Unit, cat cordon.Category, p cordon.Priority) *cordon.ServiceRequest {
	t.Helper()
	var req *cordon.ServiceRequest
	err := h.As("dispatcher", func(ctx context.Context) (err error) {
		req, err = h.App.Dispatcher.CreateRequest(ctx, cordon.Intake{UnitID: &unit.ID, Category: cat, Priority: p,
			Description: "Radar does not power on after a storm."})
		return err
	})
	if err != nil {
		t.Fatalf("intake: %v", err)
	}
	return req
}

// dispatch offers the request as the dispatcher.
func dispatch(h *apptest.Harness, req int64, to cordon.DispatchTarget) (*cordon.Job, error) {
	var job *cordon.Job
	err := h.As("dispatcher", func(ctx context.Context) (err error) {
		job, err = h.App.Dispatcher.Dispatch(ctx, req, to)
		return err
	})
	return job, err
}

// TestDispatcherOffers: the candidates are the partners whose contract
// covers the request, best first, and the in-house engineers last; an
// offer goes only to a candidate, with the contract's acceptance deadline,
// and only once.
func TestDispatcherOffers(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		req := intake(t, h, h.UnitIn("Hefei", "radar"), cordon.CatFault, cordon.P1)
		var cands []cordon.Candidate
		if err := h.As("dispatcher", func(ctx context.Context) (err error) {
			cands, err = h.App.Dispatcher.Candidates(ctx, req.ID)
			return err
		}); err != nil {
			t.Fatalf("candidates: %v", err)
		}
		if len(cands) < 2 || cands[0].PartnerCode != "hefei" || cands[0].ContractNo != "HF-2026-001" || cands[0].Clause == "" || !cands[len(cands)-1].InHouse {
			t.Fatalf("candidates = %+v, want hefei first with its clause and the engineers last", cands)
		}
		for _, c := range cands {
			if c.PartnerCode == "wuhan" || c.PartnerCode == "xian" {
				t.Errorf("%s is a candidate outside its contract", c.PartnerCode)
			}
		}
		admin, _ := h.Login("contracts")
		wuhan := h.PartnerIDs(admin)["wuhan"]
		if _, err := dispatch(h, req.ID, cordon.DispatchTarget{PartnerID: wuhan}); cordon.ErrorCode(err) != cordon.EINVALID {
			t.Errorf("offer to wuhan: %v, want %s", err, cordon.EINVALID)
		}
		job, err := dispatch(h, req.ID, cordon.DispatchTarget{PartnerID: cands[0].PartnerID})
		if err != nil {
			t.Fatalf("offer to hefei: %v", err)
		}
		if job.Status != cordon.JobOffered || job.PartnerID == nil || *job.PartnerID != cands[0].PartnerID {
			t.Errorf("offer = %+v, want offered to hefei", job)
		}
		if want := h.Clock.Now().Add(30 * time.Minute); job.OfferExpiresAt == nil || !job.OfferExpiresAt.Equal(want) {
			t.Errorf("offer deadline %v, want %v (P1 accept within 30m)", job.OfferExpiresAt, want)
		}
		if _, err := dispatch(h, req.ID, cordon.DispatchTarget{Auto: true}); cordon.ErrorCode(err) != cordon.ECONFLICT {
			t.Errorf("offering a dispatched request again: %v, want %s", err, cordon.ECONFLICT)
		}
	})
}

// TestDeskScope: the offer is on the desk of the partner it went to, and
// for another partner it does not exist.
func TestDeskScope(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		req := intake(t, h, h.UnitIn("Hefei", "radar"), cordon.CatFault, cordon.P1)
		job, err := dispatch(h, req.ID, cordon.DispatchTarget{Auto: true})
		if err != nil {
			t.Fatalf("dispatch: %v", err)
		}
		if err := h.As("hefei.tech", func(ctx context.Context) error {
			v, err := h.App.Desk.ViewJob(ctx, job.ID)
			if err == nil && v.Job.Status != cordon.JobOffered {
				t.Errorf("hefei sees the job %s, want offered", v.Job.Status)
			}
			return err
		}); err != nil {
			t.Errorf("hefei.tech views its offer: %v", err)
		}
		for _, user := range []string{"wuhan.tech", "xian.admin"} {
			err := h.As(user, func(ctx context.Context) error {
				_, err := h.App.Desk.ViewJob(ctx, job.ID)
				return err
			})
			if cordon.ErrorCode(err) != cordon.ENOTFOUND {
				t.Errorf("%s views hefei's offer: %v, want %s", user, err, cordon.ENOTFOUND)
			}
			err = h.As(user, func(ctx context.Context) error {
				_, err := h.App.Dispatcher.MoveJob(ctx, job.ID, cordon.JobMove{To: cordon.JobAccepted})
				return err
			})
			if cordon.ErrorCode(err) != cordon.ENOTFOUND {
				t.Errorf("%s accepts hefei's offer: %v, want %s", user, err, cordon.ENOTFOUND)
			}
		}
	})
}

// TestAcceptRace: of many concurrent accepts of one offer by the
// partner's two users, exactly one wins; the others conflict.
func TestAcceptRace(t *testing.T) {
	t.Parallel()
	h := apptest.New(t, apptest.Postgres)
	req := intake(t, h, h.UnitIn("Wuhu", "comms"), cordon.CatMaintenance, cordon.P3)
	job, err := dispatch(h, req.ID, cordon.DispatchTarget{Auto: true})
	if err != nil {
		t.Fatalf("dispatch: %v", err)
	}
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		user := "hefei.tech"
		if i%2 == 1 {
			user = "hefei.admin"
		}
		wg.Go(func() {
			errs[i] = h.As(user, func(ctx context.Context) error {
				_, err := h.App.Dispatcher.MoveJob(ctx, job.ID, cordon.JobMove{To: cordon.JobAccepted})
				return err
			})
		})
	}
	wg.Wait()
	ok, conflict := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case cordon.ErrorCode(err) == cordon.ECONFLICT:
			conflict++
		}
	}
	if ok != 1 || conflict != n-1 {
		t.Errorf("concurrent accepts: %d succeeded, %d conflicted of %d (%v); want exactly one success", ok, conflict, n, errs)
	}
}

// TestRedispatch: a declined offer goes to the next candidate (here the
// in-house engineers) on the next sweep; a decline needs a reason.
func TestRedispatch(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		// The demo world's lapsed offers go first, so what follows is ours.
		if _, err := h.App.Sweeper.SweepOnce(ctx); err != nil {
			t.Fatal(err)
		}
		req := intake(t, h, h.UnitIn("Hefei", "radar"), cordon.CatFault, cordon.P1)
		job, err := dispatch(h, req.ID, cordon.DispatchTarget{Auto: true})
		if err != nil {
			t.Fatalf("dispatch: %v", err)
		}
		decline := func(reason string) error {
			return h.As("hefei.tech", func(ctx context.Context) error {
				_, err := h.App.Dispatcher.MoveJob(ctx, job.ID, cordon.JobMove{To: cordon.JobDeclined, Reason: reason})
				return err
			})
		}
		if err := decline(""); cordon.ErrorCode(err) != cordon.EINVALID {
			t.Errorf("decline without a reason: %v, want %s", err, cordon.EINVALID)
		}
		if err := decline("No radar engineer free this week."); err != nil {
			t.Fatalf("decline: %v", err)
		}
		res, err := h.App.Sweeper.SweepOnce(ctx)
		if err != nil || res.Redispatched < 1 {
			t.Fatalf("sweep after decline: %+v %v", res, err)
		}
		rid := req.ID
		jobs, _, err := store.NewJobStore(h.DB).FindJobs(ctx, cordon.JobFilter{RequestID: &rid, Scope: cordon.ListScope{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) != 2 || jobs[0].PartnerID != nil || jobs[0].Status != cordon.JobOffered {
			t.Fatalf("after hefei declined, the request should be offered in-house: %d jobs, newest %+v", len(jobs), jobs[0])
		}
	})
}
