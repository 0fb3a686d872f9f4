package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/cordon/cordon/internal/cordon"
)

// SweepResult counts what one sweep did.
type SweepResult struct {
	Expired      int // offers past their deadline
	Redispatched int // requests offered to the next candidate
	Visits       int // follow-up visits that became requests
}

// Sweeper is the dispatch background work: offers past their deadline
// expire, requests whose offer was declined, expired or revoked go to the
// next candidate, and due follow-up visits become requests. Every step is
// a conditional update, so running it on several replicas at once does
// each thing once; in `cordon serve` the SLA sweeper's leader alone runs
// it, so that they do not.
type Sweeper struct {
	d *Dispatcher
	// VisitsBy is the institute user recorded as creating follow-up
	// requests (the service desk); 0 leaves follow-up visits alone.
	VisitsBy int64
	Log      *slog.Logger
}

// NewSweeper returns a sweeper over the dispatcher.
func NewSweeper(d *Dispatcher, visitsBy int64, log *slog.Logger) *Sweeper {
	if log == nil {
		log = slog.Default()
	}
	return &Sweeper{d: d, VisitsBy: visitsBy, Log: log}
}

// SweepOnce does one round of the background work at the dispatcher's clock.
func (s *Sweeper) SweepOnce(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	var errs []error
	now := s.d.cfg.Now()
	lapsed, _, err := s.d.cfg.Jobs.FindJobs(ctx, cordon.JobFilter{OfferLapsedBy: &now, Scope: cordon.ListScope{All: true}})
	if err != nil {
		return res, fmt.Errorf("sweep: %w", err)
	}
	for _, j := range lapsed {
		from := j.Status
		ev, err := Transition(j, nil, Move{By: System, To: cordon.JobExpired, At: now})
		if err != nil {
			continue // not yet due by the lifecycle's reckoning
		}
		ev.SetNote("note.offer_lapsed")
		if err := s.d.cfg.Jobs.MoveJob(ctx, j, from, ev); err != nil {
			if cordon.ErrorCode(err) == cordon.ECONFLICT {
				continue // accepted or expired meanwhile
			}
			// One job that cannot be expired must not stop the others,
			// nor the redispatch and the visits below.
			errs = append(errs, fmt.Errorf("sweep: expire job %d: %w", j.ID, err))
			continue
		}
		res.Expired++
	}
	open, _, err := s.d.cfg.Requests.FindRequests(ctx, cordon.RequestFilter{Statuses: []cordon.RequestStatus{cordon.RequestOpen}})
	if err != nil {
		return res, fmt.Errorf("sweep: %w", err)
	}
	for _, r := range open {
		ok, err := s.d.redispatch(ctx, r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			res.Redispatched++
		}
	}
	if s.VisitsBy != 0 {
		if res.Visits, err = s.d.cfg.Requests.CreateDueVisits(ctx, now, s.VisitsBy); err != nil {
			errs = append(errs, fmt.Errorf("sweep: follow-up visits: %w", err))
		}
	}
	return res, errors.Join(errs...)
}

// Sweep does one round and logs what it did: the leader's work, as the
// SLA sweeper runs it (sla.SweeperConfig.Also), so that one replica at a
// time sweeps.
func (s *Sweeper) Sweep(ctx context.Context) error {
	res, err := s.SweepOnce(ctx)
	if res != (SweepResult{}) {
		s.Log.Info("dispatch sweep", "expired", res.Expired, "redispatched", res.Redispatched, "visits", res.Visits)
	}
	return err
}

// redispatch offers a request that an earlier offer left open (declined,
// expired, revoked) to the best candidate that has not had it yet, or to
// the in-house engineers. A request that never had an offer waits for the
// dispatcher. It reports whether it made an offer.
func (d *Dispatcher) redispatch(ctx context.Context, r *cordon.ServiceRequest) (bool, error) {
	rid := r.ID
	prior, _, err := d.cfg.Jobs.FindJobs(ctx, cordon.JobFilter{RequestID: &rid, Scope: cordon.ListScope{All: true}})
	if err != nil {
		return false, fmt.Errorf("redispatch request %d: %w", r.ID, err)
	}
	if len(prior) == 0 {
		return false, nil
	}
	had := map[int64]bool{}
	inHouseHad := false
	for _, j := range prior {
		if j.PartnerID == nil {
			inHouseHad = true
		} else {
			had[*j.PartnerID] = true
		}
	}
	cands, err := d.Candidates(ctx, r.ID)
	if err != nil {
		return false, err
	}
	for _, c := range cands {
		if c.InHouse && inHouseHad || !c.InHouse && had[c.PartnerID] {
			continue
		}
		_, err := d.offer(ctx, r, c, nil)
		if cordon.ErrorCode(err) == cordon.ECONFLICT {
			return false, nil // someone dispatched it meanwhile
		}
		return err == nil, err
	}
	return false, nil // every candidate has had it: the dispatcher decides
}
