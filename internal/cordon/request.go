package cordon

import (
	"context"
	"math"
	"time"
)

// Category is the kind of service a customer needs; contracts grant
// service types by category.
type Category string

// The categories.
const (
	CatFault         Category = "fault"
	CatInstallation  Category = "installation"
	CatCommissioning Category = "commissioning"
	CatTraining      Category = "training"
	CatMaintenance   Category = "maintenance"
	CatFollowUp      Category = "follow_up"
	CatUpgrade       Category = "upgrade"
	CatConsultation  Category = "consultation"
	CatRepair        Category = "repair"
	CatInspection    Category = "inspection"
)

// Categories lists every category.
var Categories = []Category{CatFault, CatInstallation, CatCommissioning, CatTraining, CatMaintenance, CatFollowUp, CatUpgrade, CatConsultation, CatRepair, CatInspection}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	for _, x := range Categories {
		if c == x {
			return true
		}
	}
	return false
}

// RequestStatus is where a service request stands.
type RequestStatus string

// The request statuses.
const (
	RequestOpen       RequestStatus = "open"       // waiting for dispatch
	RequestDispatched RequestStatus = "dispatched" // a job holds it
	RequestClosed     RequestStatus = "closed"
	RequestCancelled  RequestStatus = "cancelled"
)

// ServiceRequest is what a customer needs, for which unit, where, how urgently.
type ServiceRequest struct {
	ID            int64
	UnitID        *int64
	CustomerID    int64
	ModelID       *int64
	ProductLineID int64
	ProductLine   string // the line's code; filled by finders
	Category      Category
	Priority      Priority
	Description   string
	SiteCity      string
	Status        RequestStatus
	CampaignID    *int64 // the inspection campaign that made it, if any
	CreatedBy     int64
	CreatedAt     time.Time
}

// RequestFilter selects service requests; empty fields do not filter.
type RequestFilter struct {
	Statuses []RequestStatus
	Offset   int
	Limit    int // 0: all
}

// RequestStore reads and writes service requests.
type RequestStore interface {
	// CreateRequest returns EINVALID naming the field on bad input.
	CreateRequest(ctx context.Context, r *ServiceRequest) error
	// FindRequestByID returns the request with its product line code;
	// ENOTFOUND when absent.
	FindRequestByID(ctx context.Context, id int64) (*ServiceRequest, error)
	// FindRequests returns a page of requests, oldest first, and the total.
	FindRequests(ctx context.Context, f RequestFilter) ([]*ServiceRequest, int, error)
	// CreateDueVisits turns every follow-up visit due by now into a request,
	// once: each unit's next visit moves on by its plan in the same
	// transaction, conditionally, so two replicas cannot both create it.
	CreateDueVisits(ctx context.Context, now time.Time, createdBy int64) (int, error)
}

// Intake is what a dispatcher records when a customer calls: a delivered
// unit, or a customer and a model when the unit is not known.
type Intake struct {
	UnitID      *int64
	CustomerID  *int64
	ModelID     *int64
	Category    Category
	Priority    Priority
	Description string
	SiteCity    string // defaults to the unit's site city
	// Override, when set, is why the description may keep what screening
	// found (an institute user's decision, logged with the reason).
	Override string
}

// Candidate is a partner (or the institute's own engineers) who could take
// a request, with the clause that makes it eligible.
type Candidate struct {
	PartnerID   int64 // 0: in-house
	PartnerCode string
	HomeCity    string
	ContractID  int64  // the contract the offer would be made under
	ContractNo  string // that contract's number
	Clause      string // the clause of that contract that grants the request's scope
	// Score is the partner's recent scorecard score, 0 to 1, higher
	// better; NaN or negative when the partner has none yet.
	Score    float64
	OpenJobs int // jobs the partner holds that are not yet resolved
	InHouse  bool
}

// Scored reports whether the candidate has a scorecard.
func (c *Candidate) Scored() bool { return !math.IsNaN(c.Score) && c.Score >= 0 }

// PartnerScorer tells how well a partner has served lately, for ranking
// the candidates of a request.
type PartnerScorer interface {
	// RecentScore returns the partner's scorecard score (0 to 1) over the
	// ScoreWindow before at; ok is false when it had no offers then.
	RecentScore(ctx context.Context, partnerID int64, at time.Time) (score float64, ok bool, err error)
}

// ScoreWindow is how far back a candidate's recent score looks.
const ScoreWindow = 90 * 24 * time.Hour

// DispatchTarget names who gets an offer: a partner, the in-house
// engineers, or the best candidate.
type DispatchTarget struct {
	PartnerID int64
	InHouse   bool
	Auto      bool
}

// JobMove is a change a caller asks of a job: a new status, with a reason
// where one is required (decline, reopen).
type JobMove struct {
	To     JobStatus
	Reason string
}

// Disclosure is the customer identity a partner may see for a job, with
// the contract and clause that allow it.
type Disclosure struct {
	Level      DisclosureLevel
	City       string
	Customer   *CustomerIdentity // only the fields the level allows are set
	Serial     string            // the unit's serial, when the job has a unit
	Fields     []string
	ContractNo string
	Clause     string
	Until      *time.Time // when the window closes; nil while the job is open
}

// DispatchService is the daily work of the dispatcher, the partners and the
// quality department: intake, dispatch, the job lifecycle and disclosure.
type DispatchService interface {
	// CreateRequest records an intake; EINVALID naming the field.
	CreateRequest(ctx context.Context, in Intake) (*ServiceRequest, error)
	// Candidates lists who could take a request, best first; partners
	// outside scope never appear, the in-house engineers always do.
	Candidates(ctx context.Context, requestID int64) ([]Candidate, error)
	// Dispatch offers the request; ECONFLICT when it is not open, EINVALID
	// when the partner's contract does not cover it.
	Dispatch(ctx context.Context, requestID int64, to DispatchTarget) (*Job, error)
	// MoveJob applies a lifecycle move for the caller; ENOTFOUND outside
	// scope, EFORBIDDEN for a role that may never make it, ECONFLICT (saying
	// what is allowed) when the job is elsewhere or changed meanwhile.
	MoveJob(ctx context.Context, jobID int64, m JobMove) (*Job, error)
	// JobTimeline returns the job's events, oldest first, within scope.
	JobTimeline(ctx context.Context, jobID int64) ([]*JobEvent, error)
	// DiscloseCustomer returns what the caller's contract lets it see of
	// the job's customer, and records the disclosure.
	DiscloseCustomer(ctx context.Context, jobID int64) (*Disclosure, error)
	// AssignJob hands the job to one of the partner's technicians (the
	// partner's admin only).
	AssignJob(ctx context.Context, jobID, userID int64) (*Job, error)
	// FindRequests lists service requests, with the total (the
	// institute's dispatch board).
	FindRequests(ctx context.Context, f RequestFilter) ([]*ServiceRequest, int, error)
	// FindRequestByID returns one service request; ENOTFOUND.
	FindRequestByID(ctx context.Context, id int64) (*ServiceRequest, error)
	// JobActions says what the caller may do with the job now: the job
	// page's buttons and forms. ENOTFOUND outside scope.
	JobActions(ctx context.Context, jobID int64) (*JobActions, error)
}

// JobActions is what one caller may do with one job now. Each act is
// still decided again by the service that carries it out.
type JobActions struct {
	Accept, Decline bool
	// Moves are the other statuses the caller may move the job to, in
	// lifecycle order.
	Moves []JobStatus
	// Report: the caller may file a service report now.
	Report bool
	// Records: the caller may read the work on record on the job (reports,
	// sign-off, checklist, thread): the institute always, a partner while
	// the job has not ended for it (JobAccess.AccessJobRecords decides the
	// same for each read).
	Records bool
	// Assign: the caller (a partner's admin) may hand the job to one of
	// its technicians now.
	Assign bool
	// Disclose: the caller may ask for the customer's details now.
	Disclose bool
	// Technicians are whom the caller may assign the job to (when Assign):
	// the enabled technicians of the partner that holds it.
	Technicians []*User
	// Assignee is the job's current technician, when Assign.
	Assignee *User
}
