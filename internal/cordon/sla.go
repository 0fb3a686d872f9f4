package cordon

import (
	"context"
	"time"
)

// SLAOK is the SLA state of a job with no clock at risk or breached.
const SLAOK = "ok"

// Calendar is a contract's business calendar: with one, SLA clocks count
// only business hours on working days; without one (nil) they count every
// hour (24×7).
type Calendar struct {
	// Offset is the calendar's time zone, east of UTC; contracts keep
	// China Standard Time (8h).
	Offset time.Duration `json:"offset"`
	// Open and Close are the business hours, since local midnight:
	// 0 ≤ Open < Close ≤ 24h.
	Open  time.Duration `json:"open"`
	Close time.Duration `json:"close"`
	// Days are the working weekdays.
	Days []time.Weekday `json:"days"`
	// Holidays are dates (YYYY-MM-DD) not worked whatever their weekday;
	// Workdays are dates worked whatever their weekday (调休 make-up days).
	Holidays []string `json:"holidays,omitempty"`
	Workdays []string `json:"workdays,omitempty"`
}

// SLAState is what the SLA sweeper last recorded of an open job: its state
// as of CheckedAt, and when that state next changes by the passage of time
// alone. It is exact until NextAt or the job's next move, whichever comes
// first (a move clears CheckedAt).
type SLAState struct {
	JobID int64
	State string // SLAOK, SLAAtRisk or SLABreached
	// Clock is the clock the state is about: the first breached, the most
	// urgent at risk, or the next due; "" when no clock runs.
	Clock string
	// Breached names every breached clock, in clock order.
	Breached []string
	Due      time.Time  // when Clock is (or was) due; zero when no clock runs
	NextAt   *time.Time // when the state changes without a move; nil: not by time alone
	// CheckedAt is when the state was computed; nil when the job moved
	// since, or was never swept.
	CheckedAt *time.Time
	// Basis is the job's status and last update the state was computed
	// from; a save applies only while the job still has them.
	Status    JobStatus
	UpdatedAt time.Time
}

// SLAJob is an open job under a contract as the SLA clocks need it: the
// job, its request's priority, its timeline, and its stored state.
type SLAJob struct {
	Job      *Job // Request is not filled
	Priority Priority
	Events   []*JobEvent // oldest first
	Stored   SLAState
}

// SLAJobQuery selects open jobs under a contract, in id order.
type SLAJobQuery struct {
	AfterID int64   // ids above this one
	IDs     []int64 // only these, when set
	// StaleAt, when set, selects only the jobs whose stored state may be
	// out of date at that time: never computed, moved since, or past NextAt.
	StaleAt *time.Time
	Limit   int // 0: all
	// WithRequests fills each job's request.
	WithRequests bool
}

// SLABreach is one clock of one job found breached: it is escalated to the
// quality supervisors once.
type SLABreach struct {
	JobID      int64
	Clock      string
	BreachedAt time.Time // when the clock's used time reached its limit
	PartnerID  *int64
	ContractID *int64
}

// SLAStore keeps the SLA state of jobs and the escalations of breaches.
type SLAStore interface {
	// FindSLAJobs returns the open jobs under a contract that q selects,
	// with their timelines, in two queries.
	FindSLAJobs(ctx context.Context, q SLAJobQuery) ([]*SLAJob, error)
	// SaveSLAStates stores each state on its job, where the job still has
	// the state's basis, and records each breach of a job so updated as an
	// escalation, once per job and clock: all in one transaction. It
	// returns how many jobs it updated and how many escalations are new.
	SaveSLAStates(ctx context.Context, states []SLAState, breaches []SLABreach, at time.Time) (saved, escalated int, err error)
	// FindJobsBySLAState returns the ids of the open jobs whose stored
	// state is fresh at now (not stale in the sense of SLAJobQuery.StaleAt)
	// and is state, soonest due first, at most limit (0: all), and how many
	// there are.
	FindJobsBySLAState(ctx context.Context, state string, now time.Time, limit int) ([]SLAState, int, error)
}

// LeaderLock elects one leader per named task among the replicas that
// share a database.
type LeaderLock interface {
	// TryLead makes the caller the leader of task if no one else leads it,
	// and returns its lease; a nil Lease and nil error when another process
	// (or another caller in this one) leads.
	TryLead(ctx context.Context, task string) (Lease, error)
}

// Lease is the leadership of one task, held until released.
type Lease interface {
	// Alive returns nil while the lease holds, and EUNAVAILABLE once it is
	// lost (the database connection that holds it broke).
	Alive(ctx context.Context) error
	// Release gives the lease up; calling it again does nothing.
	Release()
}
