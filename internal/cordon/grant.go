package cordon

import "context"

// Grant is one compiled scope rule: a clause of an active contract that lets
// a partner take an action on a kind of resource within the contract's
// scope. Compiling a contract yields a few grants (one per clause and
// resource kind), never one per city × line × type.
type Grant struct {
	PartnerID    int64
	PartnerCode  string
	ContractID   int64
	ContractNo   string
	Clause       string
	Resource     string // ResJob, ResCustomer, ResDocument
	Action       string // ActView, ActAccept, ActDisclose, ActDownload, ...
	Cities       []string
	ProductLines []string
	ServiceTypes []Category
	Ceiling      Classification  // documents: the highest classification granted
	Disclosure   DisclosureLevel // customers: the most identity disclosed
}

// Resource kinds named by grants, role rules and access events.
const (
	ResJob      = "job"
	ResRequest  = "request"
	ResCustomer = "customer"
	ResDocument = "document"
	ResContract = "contract"
	ResPartner  = "partner"
	ResUser     = "user"
	ResAudit    = "audit"
	ResPolicy   = "policy"

	ResUnit        = "unit"         // delivered units, their milestones and follow-up plans
	ResProduct     = "product"      // the product catalogue: lines, models, components
	ResSLA         = "sla"          // SLA clocks, at-risk and breached jobs
	ResScorecard   = "scorecard"    // partner scorecards and rankings
	ResSurvey      = "survey"       // satisfaction surveys and follow-up calls
	ResQuality     = "quality"      // root-cause statistics and analysis
	ResCampaign    = "campaign"     // inspection campaigns
	ResSettings    = "settings"     // system settings
	ResAccessEvent = "access_event" // individual access-log events
	ResMe          = "me"           // the caller's own profile
	ResAuth        = "auth"         // the caller's own session: refresh, logout
)

// Actions named by grants, role rules and access events.
const (
	ActList     = "list"
	ActView     = "view"
	ActCreate   = "create"
	ActUpdate   = "update"
	ActAccept   = "accept"
	ActDecline  = "decline"
	ActDisclose = "disclose"
	ActDownload = "download"
	ActDispatch = "dispatch"
	ActManage   = "manage"

	ActVerify    = "verify"    // a job's resolution; the audit log's proofs
	ActClose     = "close"     // a verified job
	ActReopen    = "reopen"    // a verified or closed job
	ActAssign    = "assign"    // a job to a technician
	ActReport    = "report"    // file a service report on a job
	ActExplain   = "explain"   // show why a policy allowed or denied
	ActExport    = "export"    // evidence bundles, scorecards
	ActActivate  = "activate"  // a contract
	ActSuspend   = "suspend"   // a contract
	ActTerminate = "terminate" // a contract
	ActDelete    = "delete"    // remove a record where that is allowed at all
)

// ScopeQuery asks whether a partner may take an action on one object, given
// the object's attributes. Fields that do not apply to the resource stay empty.
type ScopeQuery struct {
	PartnerID      int64
	Resource       string
	Action         string
	City           string
	ProductLine    string
	Category       Category
	Classification Classification
	Disclosure     DisclosureLevel
}

// ScopePolicy makes object-level decisions from the compiled contracts.
type ScopePolicy interface {
	// Decide answers one query; a partner without grants is denied.
	Decide(q ScopeQuery) (Decided, error)
	// Grants returns the partner's grants for resource and action, from which
	// lists derive their parameterised SQL conditions.
	Grants(partnerID int64, resource, action string) []Grant
}

// ListScope limits a list to what the caller may see. The zero value shows
// nothing; All is set only for institute callers. Otherwise each grant
// contributes one OR-ed condition on the rows' city, product line and type.
type ListScope struct {
	All    bool
	Grants []Grant
}

// Decided is the outcome of a scope decision: allowed or not, and the
// contract and clause of the grant that allowed it.
type Decided struct {
	Allowed    bool
	ContractNo string
	Clause     string
}

// Explanation says why a user may or may not take an action on a resource:
// which layer decided, and for a partner's allowed access, the contract and
// clause.
type Explanation struct {
	Allowed    bool
	Layer      string // "role" (function level) or "scope" (object level)
	Reason     string
	ContractNo string
	Clause     string
}

// PolicyExplainer answers "may this user do this?" for legal and contract
// administration.
type PolicyExplainer interface {
	// Explain decides for username, action and a resource given as a kind
	// ("job") or a kind and an id ("job:42", "document:7"). ENOTFOUND for an
	// unknown user or object; EINVALID for a resource it cannot read.
	Explain(ctx context.Context, username, action, resource string) (*Explanation, error)
}

// PartnerInForce reports whether a partner has a contract in force: one
// whose compiled grants let it view jobs. Out of force a partner sees
// nothing, not even its own record or users, as row-level security has it
// on PostgreSQL. A nil policy knows of no contract.
func PartnerInForce(s ScopePolicy, partnerID int64) bool {
	return s != nil && len(s.Grants(partnerID, ResJob, ActView)) > 0
}
