package cordon

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
)

// Decided is the outcome of a scope decision: allowed or not, and the
// contract and clause of the grant that allowed it.
type Decided struct {
	Allowed    bool
	ContractNo string
	Clause     string
}
