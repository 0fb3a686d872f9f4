package cordon

import (
	"context"
	"time"
)

// ContractStatus is where a contract is in its life:
// draft → active → suspended ↔ active → terminated | expired.
type ContractStatus string

// The contract statuses.
const (
	ContractDraft      ContractStatus = "draft"
	ContractActive     ContractStatus = "active"
	ContractSuspended  ContractStatus = "suspended"
	ContractTerminated ContractStatus = "terminated"
	ContractExpired    ContractStatus = "expired"
)

// Priority is a service request's urgency, P1 (most urgent) to P4.
type Priority string

// The priorities.
const (
	P1 Priority = "P1"
	P2 Priority = "P2"
	P3 Priority = "P3"
	P4 Priority = "P4"
)

// Priorities lists every priority, most urgent first.
var Priorities = []Priority{P1, P2, P3, P4}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return p == P1 || p == P2 || p == P3 || p == P4 }

// Scope is what a contract lets a partner do and see.
type Scope struct {
	Cities          []string        `json:"cities"`
	ProductLines    []string        `json:"product_lines"` // product line codes
	ServiceTypes    []Category      `json:"service_types"`
	DocumentCeiling Classification  `json:"document_ceiling"`
	Disclosure      DisclosureLevel `json:"disclosure"`
	// DisclosureGraceHours: how long after resolution disclosed fields stay visible.
	DisclosureGraceHours int `json:"disclosure_grace_hours"`
}

// SLATerms are the time limits for one priority.
type SLATerms struct {
	Accept  time.Duration `json:"accept"`
	Respond time.Duration `json:"respond"`
	OnSite  time.Duration `json:"on_site"`
	Resolve time.Duration `json:"resolve"`
}

// Clauses name the contract clause behind each grant, e.g.
// {"cities": "§3.1", "documents": "§5.2", "disclosure": "§6.1"}.
type Clauses map[string]string

// Contract binds a partner to its duties and scope.
type Contract struct {
	ID            int64
	Number        string
	PartnerID     int64
	EffectiveFrom time.Time
	ExpiresOn     time.Time
	Status        ContractStatus
	Scope         Scope
	SLA           map[Priority]SLATerms
	Clauses       Clauses
	// Incentives are the reward and penalty terms; nil when the contract
	// has none.
	Incentives *Incentives
	// Calendar is the business calendar SLA clocks count on; nil: 24×7.
	Calendar  *Calendar
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Incident is a kind of event a contract clause penalises.
type Incident string

// The incidents a clause may penalise.
const (
	IncidentLapsedOffer Incident = "lapsed_offer" // an offer left to expire
	IncidentSLABreach   Incident = "sla_breach"   // one SLA clock breached
	IncidentComplaint   Incident = "complaint"    // a satisfaction answer of 1 or 2
	IncidentReopen      Incident = "reopen"       // a resolved job reopened
)

// Incidents lists every incident kind.
var Incidents = []Incident{IncidentLapsedOffer, IncidentSLABreach, IncidentComplaint, IncidentReopen}

// Incentives are a contract's reward and penalty terms. Amounts are whole
// yuan.
type Incentives struct {
	// Penalties by clause key (such as "jobs", "sla", "liability").
	Penalties map[string]Penalty `json:"penalties"`
	Reward    *Reward            `json:"reward,omitempty"`
}

// Penalty is what one clause costs per incident.
type Penalty struct {
	Incident       Incident `json:"incident"`
	Points         int      `json:"points"`           // per incident
	AmountPerPoint int64    `json:"amount_per_point"` // yuan
}

// Reward is paid for a period whose score reaches MinScore with at most
// MaxPoints penalty points (0: no incident at all).
type Reward struct {
	Amount    int64   `json:"amount"` // yuan
	MinScore  float64 `json:"min_score"`
	MaxPoints int     `json:"max_points"`
}

// InForce reports whether the contract grants anything at time t: active,
// and t within its effective period.
func (c *Contract) InForce(t time.Time) bool {
	return c.Status == ContractActive && !t.Before(c.EffectiveFrom) && t.Before(c.ExpiresOn)
}

// ContractFilter selects contracts; nil fields do not filter.
type ContractFilter struct {
	PartnerID *int64
	Status    *ContractStatus
	Number    *string
	Offset    int
	Limit     int // 0: all
}

// ContractStore reads and writes contracts.
type ContractStore interface {
	// FindContractByID returns ENOTFOUND when absent.
	FindContractByID(ctx context.Context, id int64) (*Contract, error)
	// FindContracts returns a page of contracts, newest first, and the total.
	FindContracts(ctx context.Context, f ContractFilter) ([]*Contract, int, error)
	// CreateContract returns ECONFLICT when the number is taken.
	CreateContract(ctx context.Context, c *Contract) error
	// UpdateDraft replaces the terms of a draft contract (matched by ID);
	// ECONFLICT when it is no longer a draft.
	UpdateDraft(ctx context.Context, c *Contract) error
	// SetContractStatus moves a contract from one status to another
	// atomically; ECONFLICT when it is no longer in from. When the new status
	// ends the partner's rights (suspended, terminated, expired) the open jobs
	// under the contract are revoked and their requests go back to dispatch,
	// in the same transaction. It returns the number of jobs revoked.
	SetContractStatus(ctx context.Context, id int64, from, to ContractStatus, at time.Time) (int, error)
}

// ContractEvents tell every replica that contracts changed, so each
// reloads its compiled scope.
type ContractEvents interface {
	// NotifyContractsChanged tells the other replicas.
	NotifyContractsChanged(ctx context.Context) error
	// ListenContractsChanged calls fn on every change another replica
	// announces until ctx ends, reconnecting when the connection drops. It
	// also calls fn after each reconnection, since changes may have been missed.
	ListenContractsChanged(ctx context.Context, fn func()) error
	// AfterCommit runs fn once the transaction in ctx has committed (never
	// if it rolls back), or at once outside a transaction.
	AfterCommit(ctx context.Context, fn func(ctx context.Context))
}

// ContractManager carries out contract administration.
type ContractManager interface {
	// ImportContract creates a draft from the contract's source form (YAML
	// or JSON) or replaces the draft with the same number, and says whether
	// it created one. EINVALID lists every problem with its line.
	ImportContract(ctx context.Context, name string, source []byte) (*Contract, bool, error)
	// ChangeContractStatus applies a lifecycle action: activate, suspend,
	// resume or terminate. ECONFLICT when the action is not allowed now or
	// activation would overlap another active contract of the partner.
	ChangeContractStatus(ctx context.Context, id int64, action string) (*Contract, error)
	// ContractGrants returns the grants the contract compiles to now.
	ContractGrants(ctx context.Context, id int64) ([]Grant, error)
	// FindContracts lists contracts, with the total.
	FindContracts(ctx context.Context, f ContractFilter) ([]*Contract, int, error)
	// FindContractByID returns one contract; ENOTFOUND.
	FindContractByID(ctx context.Context, id int64) (*Contract, error)
	// OpenJobsUnder counts the open jobs offered under the contract: the
	// jobs that ending it would revoke. A count, not the jobs: contract
	// administrators may not read jobs.
	OpenJobsUnder(ctx context.Context, id int64) (int, error)
}
