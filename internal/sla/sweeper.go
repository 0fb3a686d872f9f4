package sla

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// TaskSweeper names the SLA sweeper's leadership: one replica at a time
// sweeps.
const TaskSweeper = "sla_sweeper"

// DefaultBatch is how many jobs the sweeper reads at a time.
const DefaultBatch = 10000

// DefaultFullEvery is how many rounds go from one full sweep to the next.
const DefaultFullEvery = 20

// SweeperConfig holds what the sweeper needs.
type SweeperConfig struct {
	Store     cordon.SLAStore
	Contracts cordon.ContractStore // the terms and calendar of each job's contract
	Lock      cordon.LeaderLock    // nil: this process always leads
	// AtRisk is the share of a limit at which a clock is at risk; 0 means
	// DefaultAtRisk.
	AtRisk float64
	Now    cordon.Clock // nil: time.Now
	Batch  int          // jobs per batch; 0 means DefaultBatch
	// FullEvery is how often the leader sweeps every open job; the rounds
	// between measure only the jobs whose stored state may be out of date
	// (moved, new, or past their NextAt). 0 means DefaultFullEvery; the
	// first round after taking the lead is always full.
	FullEvery int
	// Also is more background work the leader does after each sweep, such
	// as the dispatch sweep (expiry and re-offers).
	Also []func(context.Context) error
	// OnLead is told whenever this process starts or stops leading.
	OnLead func(leading bool)
	Log    *slog.Logger
}

// SweepResult counts what one sweep found and did.
type SweepResult struct {
	Jobs      int // open jobs under a contract, measured
	Saved     int // jobs whose stored state changed
	AtRisk    int // jobs at risk now
	Breached  int // jobs breached now
	Escalated int // breaches escalated for the first time
}

// Sweeper keeps the SLA state of every open job on the job, and escalates
// each breach once to the quality supervisors. Among the replicas sharing a
// database one leads (Lock); only the leader sweeps when run with Run, and
// it also does the other background work in Also.
type Sweeper struct {
	cfg SweeperConfig

	mu     sync.Mutex
	lease  cordon.Lease
	rounds int // since this sweeper took the lead
}

// NewSweeper returns a sweeper.
func NewSweeper(cfg SweeperConfig) *Sweeper {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.FullEvery <= 0 {
		cfg.FullEvery = DefaultFullEvery
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Sweeper{cfg: cfg}
}

// Lead reports whether this sweeper leads, taking the lease when it is free
// and giving it up when it was lost.
func (s *Sweeper) Lead(ctx context.Context) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if s.cfg.Lock == nil {
		return true, nil
	}
	if s.lease != nil {
		if err := s.lease.Alive(ctx); err == nil {
			return true, nil
		}
		s.dropLocked()
	}
	l, err := s.cfg.Lock.TryLead(ctx, TaskSweeper)
	if err != nil || l == nil {
		return false, err
	}
	s.lease, s.rounds = l, 0
	s.cfg.Log.Info("leading", "task", TaskSweeper)
	if s.cfg.OnLead != nil {
		s.cfg.OnLead(true)
	}
	return true, nil
}

// Close gives up the lease, if this sweeper holds it.
func (s *Sweeper) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropLocked()
}

func (s *Sweeper) dropLocked() {
	if s.lease == nil {
		return
	}
	s.lease.Release()
	s.lease = nil
	if s.cfg.OnLead != nil {
		s.cfg.OnLead(false)
	}
}

// Round does one round of background work if this sweeper leads: the SLA
// sweep (full every FullEvery rounds, of the stale jobs between), then
// each of Also, whether or not the sweep (or another of Also) failed. It
// reports whether it led, and every error the round met, joined.
func (s *Sweeper) Round(ctx context.Context) (bool, error) {
	leading, err := s.Lead(ctx)
	if err != nil || !leading {
		return false, err
	}
	s.mu.Lock()
	full := s.rounds%s.cfg.FullEvery == 0
	s.rounds++
	s.mu.Unlock()
	res, err := s.sweep(ctx, full)
	if res.Saved > 0 || res.Escalated > 0 {
		s.cfg.Log.Info("sla sweep", "jobs", res.Jobs, "saved", res.Saved, "at_risk", res.AtRisk,
			"breached", res.Breached, "escalated", res.Escalated)
	}
	// The other work runs whatever the SLA sweep met: a failing sweep
	// must not stop offers from expiring and being offered again.
	errs := []error{err}
	for _, f := range s.cfg.Also {
		errs = append(errs, f(ctx))
	}
	return true, errors.Join(errs...)
}

// Run does a round every period until ctx ends, then gives up the lease.
// Followers try for the lease every second (or every period, if shorter),
// so when the leader stops, or its connection drops, another replica takes
// over within about a second of PostgreSQL releasing the lock.
func (s *Sweeper) Run(ctx context.Context, every time.Duration) {
	defer s.Close()
	retry := min(every, time.Second)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		led, err := s.Round(ctx)
		if err != nil && ctx.Err() == nil {
			s.cfg.Log.Error("sla sweep", "err", err.Error())
		}
		if led {
			t.Reset(every)
		} else {
			t.Reset(retry)
		}
	}
}

// SweepOnce measures every open job under a contract at the sweeper's
// clock, in batches of two queries each (the jobs, then their events),
// stores the state of each job whose state changed, and escalates each new
// breach. It sweeps whether or not this sweeper leads: Round is the
// leader's; tests and benchmarks call this directly. Several sweeps at
// once are safe: a state applies only to the job as it was read, and a
// breach is escalated once.
func (s *Sweeper) SweepOnce(ctx context.Context) (SweepResult, error) { return s.sweep(ctx, true) }

// SweepStale is SweepOnce for only the jobs whose stored state may be out
// of date: never swept, moved since, or past their NextAt. The others'
// stored state is exact, so between full sweeps this is all there is to do.
func (s *Sweeper) SweepStale(ctx context.Context) (SweepResult, error) { return s.sweep(ctx, false) }

func (s *Sweeper) sweep(ctx context.Context, full bool) (SweepResult, error) {
	var res SweepResult
	now := s.cfg.Now()
	m := newMeters(s.cfg.Contracts, s.cfg.AtRisk)
	// The next batch is read while this one is measured and saved: the
	// database and the sweeper work at the same time.
	type fetched struct {
		batch []*cordon.SLAJob
		err   error
	}
	fetch := func(after int64) <-chan fetched {
		ch := make(chan fetched, 1)
		go func() {
			q := cordon.SLAJobQuery{AfterID: after, Limit: s.cfg.Batch}
			if !full {
				q.StaleAt = &now
			}
			b, err := s.cfg.Store.FindSLAJobs(ctx, q)
			ch <- fetched{b, err}
		}()
		return ch
	}
	next := fetch(0)
	for next != nil {
		f := <-next
		if f.err != nil {
			return res, fmt.Errorf("sla sweep: %w", f.err)
		}
		batch := f.batch
		next = nil
		if len(batch) == s.cfg.Batch {
			next = fetch(batch[len(batch)-1].Job.ID)
		}
		var states []cordon.SLAState
		var breaches []cordon.SLABreach
		for _, sj := range batch {
			st, clocks, err := m.state(ctx, sj, now)
			if err != nil {
				return res, fmt.Errorf("sla sweep: %w", err)
			}
			if clocks == nil {
				// No terms for its priority: nothing to measure while the
				// job is open (an open job's contract and priority do not
				// change). Stored once as ok with no next change, so the
				// rounds between full sweeps stop reading it again.
				st = cordon.SLAState{JobID: sj.Job.ID, State: cordon.SLAOK, Status: sj.Job.Status,
					UpdatedAt: sj.Job.UpdatedAt, CheckedAt: &now}
			} else {
				res.Jobs++
			}
			switch st.State {
			case cordon.SLAAtRisk:
				res.AtRisk++
			case cordon.SLABreached:
				res.Breached++
			}
			if sj.Stored.CheckedAt != nil && same(sj.Stored, st) {
				continue
			}
			states = append(states, st)
			for _, c := range clocks {
				if c.Breached && !slices.Contains(sj.Stored.Breached, c.Name) {
					breaches = append(breaches, cordon.SLABreach{JobID: sj.Job.ID, Clock: c.Name, BreachedAt: c.Due,
						PartnerID: sj.Job.PartnerID, ContractID: sj.Job.ContractID})
				}
			}
		}
		saved, escalated, err := s.cfg.Store.SaveSLAStates(ctx, states, breaches, now)
		if err != nil {
			return res, fmt.Errorf("sla sweep: %w", err)
		}
		res.Saved += saved
		res.Escalated += escalated
	}
	return res, nil
}

// same reports whether a stored state still says what a fresh one does.
func same(a, b cordon.SLAState) bool {
	return a.State == b.State && a.Clock == b.Clock && equalTime(&a.Due, &b.Due) &&
		slices.Equal(a.Breached, b.Breached) && equalTime(a.NextAt, b.NextAt)
}

// equalTime compares to the microsecond, as PostgreSQL keeps time.
func equalTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Truncate(time.Microsecond).Equal(b.Truncate(time.Microsecond))
}

// meters computes clocks with each contract's terms and calendar, reading
// each contract once.
type meters struct {
	contracts cordon.ContractStore
	atRisk    float64
	byID      map[int64]*contractMeter
}

type contractMeter struct {
	terms map[cordon.Priority]cordon.SLATerms
	meter Meter
}

func newMeters(contracts cordon.ContractStore, atRisk float64) *meters {
	return &meters{contracts: contracts, atRisk: atRisk, byID: map[int64]*contractMeter{}}
}

// meter returns the terms and meter of a contract.
func (m *meters) meter(ctx context.Context, id int64) (*contractMeter, error) {
	if cm := m.byID[id]; cm != nil {
		return cm, nil
	}
	c, err := m.contracts.FindContractByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("contract %d: %w", id, err)
	}
	cal, err := CalendarOf(c.Calendar)
	if err != nil {
		return nil, fmt.Errorf("contract %s: calendar: %w", c.Number, err)
	}
	cm := &contractMeter{terms: c.SLA, meter: Meter{Calendar: cal, AtRisk: m.atRisk}}
	m.byID[id] = cm
	return cm, nil
}

// state measures one job at now: its clocks (nil when its contract sets no
// terms for its priority) and the state they add up to.
func (m *meters) state(ctx context.Context, sj *cordon.SLAJob, now time.Time) (cordon.SLAState, []Clock, error) {
	j := sj.Job
	if j.ContractID == nil {
		return cordon.SLAState{}, nil, nil
	}
	cm, err := m.meter(ctx, *j.ContractID)
	if err != nil {
		return cordon.SLAState{}, nil, err
	}
	terms, ok := cm.terms[sj.Priority]
	if !ok {
		return cordon.SLAState{}, nil, nil
	}
	clocks := cm.meter.Clocks(j, sj.Events, terms, now)
	if len(clocks) == 0 {
		return cordon.SLAState{}, nil, nil
	}
	st := cm.meter.State(clocks, now)
	st.JobID, st.Status, st.UpdatedAt, st.CheckedAt = j.ID, j.Status, j.UpdatedAt, &now
	return st, clocks, nil
}
