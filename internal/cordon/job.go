package cordon

import (
	"context"
	"slices"
	"time"
)

// JobStatus is a job's state in its life:
// offered → accepted → en_route → on_site → resolved → verified → closed,
// with waiting_customer and waiting_parts pauses, declined and expired ending
// an offer, and reopened after verification.
type JobStatus string

// The job statuses.
const (
	JobOffered         JobStatus = "offered"
	JobAccepted        JobStatus = "accepted"
	JobDeclined        JobStatus = "declined"
	JobExpired         JobStatus = "expired"
	JobEnRoute         JobStatus = "en_route"
	JobOnSite          JobStatus = "on_site"
	JobWaitingCustomer JobStatus = "waiting_customer"
	JobWaitingParts    JobStatus = "waiting_parts"
	JobResolved        JobStatus = "resolved"
	JobVerified        JobStatus = "verified"
	JobReopened        JobStatus = "reopened"
	JobClosed          JobStatus = "closed"
	JobRevoked         JobStatus = "revoked" // taken back when the contract ended
)

// JobStatuses lists every status.
var JobStatuses = []JobStatus{JobOffered, JobAccepted, JobDeclined, JobExpired, JobEnRoute, JobOnSite, JobWaitingCustomer, JobWaitingParts, JobResolved, JobVerified, JobReopened, JobClosed, JobRevoked}

// Job is the dispatch of a service request to a partner, or in-house to
// an institute engineer.
type Job struct {
	ID             int64
	RequestID      int64
	PartnerID      *int64 // nil: in-house
	ContractID     *int64 // the contract the offer was made under
	AssigneeID     *int64 // the technician or engineer doing the work
	Status         JobStatus
	OfferedAt      time.Time
	OfferExpiresAt *time.Time
	AcceptedAt     *time.Time
	ResolvedAt     *time.Time
	ClosedAt       *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time

	Request *ServiceRequest // filled by finders
	// ChecklistFlags counts the answers of its checklist that lie outside
	// their limits; filled by finders.
	ChecklistFlags int
}

// JobMoveRights are the rights of a generic job move (the API's
// /transition, the page's move form): a role with any of them may ask for
// a move, and the lifecycle decides which.
var JobMoveRights = [][2]string{
	{ResJob, ActUpdate}, {ResJob, ActVerify}, {ResJob, ActClose}, {ResJob, ActReopen},
}

// The groups of job statuses, the one place each is written down.
var (
	// ActiveJobStatuses are the statuses of a job its holder is working:
	// accepted and not yet resolved.
	ActiveJobStatuses = []JobStatus{JobAccepted, JobEnRoute, JobOnSite, JobWaitingCustomer, JobWaitingParts, JobReopened}
	// OpenJobStatuses are the statuses of a job still held by its partner
	// or engineer: offered or active. Contract end revokes these.
	OpenJobStatuses = append([]JobStatus{JobOffered}, ActiveJobStatuses...)
	// DoneJobStatuses are the statuses of a job whose work is done.
	DoneJobStatuses = []JobStatus{JobResolved, JobVerified, JobClosed}
	// EndedJobStatuses are the statuses of an offer that ended without
	// the work: declined, expired or revoked.
	EndedJobStatuses = []JobStatus{JobDeclined, JobExpired, JobRevoked}
)

// Open reports whether a job in status s is still held by its partner or
// engineer (one of OpenJobStatuses).
func (s JobStatus) Open() bool { return slices.Contains(OpenJobStatuses, s) }

// Active reports whether a job in status s is being worked (one of
// ActiveJobStatuses).
func (s JobStatus) Active() bool { return slices.Contains(ActiveJobStatuses, s) }

// Done reports whether the work of a job in status s is done (one of
// DoneJobStatuses).
func (s JobStatus) Done() bool { return slices.Contains(DoneJobStatuses, s) }

// Open reports whether the job is still held by its partner or engineer.
func (j *Job) Open() bool { return j.Status.Open() }

// MayDisclose reports whether a partner may ever have the customer of a
// job in status s disclosed: from acceptance (active) until the grace
// after resolution (done). Pages ask only then, so as not to fill the
// access log with refusals.
func (s JobStatus) MayDisclose() bool { return s.Active() || s.Done() }

// DisclosureOpen reports whether the job's partner may have its customer
// disclosed at now: the job has been accepted, and it is being worked or
// was resolved less than grace before now.
func (j *Job) DisclosureOpen(now time.Time, grace time.Duration) bool {
	if j.AcceptedAt == nil || now.Before(*j.AcceptedAt) {
		return false
	}
	switch {
	case j.Status.Active():
		return true
	case j.Status.Done():
		end := j.DisclosureEnds(grace)
		return end != nil && now.Before(*end)
	}
	return false
}

// DisclosureEnds returns when disclosure ends for a job whose work is
// done (its resolution plus grace), and nil while it is being worked or
// was never resolved.
func (j *Job) DisclosureEnds(grace time.Duration) *time.Time {
	if !j.Status.Done() || j.ResolvedAt == nil {
		return nil
	}
	end := j.ResolvedAt.Add(grace)
	return &end
}

// JobView is a job as one caller may see it: for a partner, the customer
// appears as a pseudonym stable for that partner, and the contract and
// clause that allowed the view are named.
type JobView struct {
	Job         *Job
	CustomerRef string // pseudonym (CUST-7F3A) for partners; the customer code for the institute
	ContractNo  string
	Clause      string
}

// JobListFilter is what a caller may ask of the job list.
type JobListFilter struct {
	Statuses []JobStatus
	Offset   int
	Limit    int
}

// JobDesk is the job list and job page of every role, scoped to the caller.
type JobDesk interface {
	// ListJobs returns the caller's page of jobs, newest first, and the total.
	ListJobs(ctx context.Context, f JobListFilter) ([]*JobView, int, error)
	// ViewJob returns one job; ENOTFOUND when it does not exist or lies
	// outside the caller's scope, alike.
	ViewJob(ctx context.Context, id int64) (*JobView, error)
}

// The reasons a caller may not work a job (WorkRefusal).
const (
	NotAssigned = "assigned_elsewhere" // a partner's job assigned to another technician
	NotWorker   = "not_worker"         // not the partner's, nor an engineer on an in-house job
)

// WorkRefusal says why a caller may not do the job's work on record — file
// its report, record the customer's sign-off, answer its checklist — or ""
// when it may: on a partner's job its assigned technician or the partner's
// admin (any of its technicians while none is assigned); on an in-house
// job an engineer. Scope (is it the caller's job at all) is JobAccess's;
// each service words the refusal for its own act.
func WorkRefusal(a *Actor, j *Job) string {
	if a.IsPartner() {
		if j.AssigneeID != nil && *j.AssigneeID != a.UserID && !a.HasRole(RolePartnerAdmin) {
			return NotAssigned
		}
		return ""
	}
	if j.PartnerID != nil || !a.HasRole(RoleEngineer) {
		return NotWorker
	}
	return ""
}

// JobAccess finds a job for the caller within its scope, for the services
// that hang records on jobs (reports, checklists, messages, training).
// Institute users find any job. A partner finds only its own jobs that a
// contract in force lets it take action on; anything else is ENOTFOUND and
// the attempt is recorded. With record set, an allowed access is recorded
// too, with the contract and clause that allowed it (in the Decided).
type JobAccess interface {
	AccessJob(ctx context.Context, id int64, action string, record bool) (*Job, Decided, error)
	// AccessJobRecords finds a job for reading the work on record on it
	// (reports, sign-off, checklist, thread): AccessJob for viewing, and
	// for a partner a job that has not ended (PartnerRecordsOpen); an ended
	// one is the same ENOTFOUND, the attempt recorded.
	AccessJobRecords(ctx context.Context, id int64) (*Job, Decided, error)
}

// JobEvent is one change of a job: the timeline.
type JobEvent struct {
	ID      int64
	JobID   int64
	At      time.Time
	ActorID *int64
	From    JobStatus
	To      JobStatus
	Note    string // in English; as typed for a reason a person gave
	// NoteKey and NoteArgs name a note the services wrote in the message
	// catalogue, for pages to say in their language; empty for a typed one.
	NoteKey  string
	NoteArgs []string
}

// SetNote writes the catalogue's note for key with its values: Note in
// English, and the key and values for pages.
func (e *JobEvent) SetNote(key string, args ...string) {
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a
	}
	e.Note, e.NoteKey, e.NoteArgs = messageText(LangEN, key, vals), key, args
}

// JobFilter selects jobs; nil and empty fields do not filter, except Scope.
type JobFilter struct {
	PartnerID *int64
	RequestID *int64
	Statuses  []JobStatus
	// OfferLapsedBy selects offers whose deadline is at or before the time.
	OfferLapsedBy *time.Time
	// OfferedFrom and OfferedTo select jobs offered in [from, to).
	OfferedFrom, OfferedTo *time.Time
	// Scope limits the jobs to what the caller may see: its zero value
	// shows nothing, All shows everything, and each grant adds the jobs
	// whose site city, product line and category it covers.
	Scope  ListScope
	Offset int
	Limit  int // 0: all
}

// JobStore reads and writes jobs.
type JobStore interface {
	// FindJobs returns a page of jobs, newest first, and the total.
	FindJobs(ctx context.Context, f JobFilter) ([]*Job, int, error)
	// CreateJob stores the job and its first event.
	CreateJob(ctx context.Context, j *Job, first *JobEvent) error
	// FindJobByID returns the job with its request; ENOTFOUND when absent.
	FindJobByID(ctx context.Context, id int64) (*Job, error)
	// FindJobEvents returns a job's timeline, oldest first.
	FindJobEvents(ctx context.Context, jobID int64) ([]*JobEvent, error)
	// MoveJob stores j's new status and timestamps and appends ev, only if
	// the job is still in from; ECONFLICT otherwise. Exactly one of many
	// concurrent moves from the same status succeeds.
	MoveJob(ctx context.Context, j *Job, from JobStatus, ev *JobEvent) error
	// OfferJob creates an offer for an open request and marks the request
	// dispatched, in one transaction; ECONFLICT when it is no longer open.
	OfferJob(ctx context.Context, j *Job, ev *JobEvent) error
	// CountOpenJobs returns the number of open jobs per partner.
	CountOpenJobs(ctx context.Context) (map[int64]int, error)
	// AddJobEvent appends an event to a job's timeline.
	AddJobEvent(ctx context.Context, e *JobEvent) error
}

// SLAClock is one of a job's SLA clocks (accept, respond, on_site,
// resolve), counted from the offer with waiting time left out.
type SLAClock struct {
	Name     string
	Limit    time.Duration
	Used     time.Duration
	Due      time.Time
	Paused   bool
	Met      bool
	Breached bool
	AtRisk   bool
}

// JobSLA is a job with its clocks.
type JobSLA struct {
	Job    *Job
	Clocks []SLAClock
}

// SLA states a job may be listed by.
const (
	SLAAtRisk   = "at_risk"
	SLABreached = "breached"
)

// SLAMonitor computes SLA clocks from the contract's terms.
type SLAMonitor interface {
	// JobClocks returns the clocks of a job the caller has already been
	// allowed to see; none for in-house jobs, which have no contract.
	JobClocks(ctx context.Context, j *Job) ([]SLAClock, error)
	// FindJobsBySLA returns the open jobs with a clock in state (at_risk or
	// breached), most urgent first, and the total.
	FindJobsBySLA(ctx context.Context, state string, offset, limit int) ([]*JobSLA, int, error)
}
