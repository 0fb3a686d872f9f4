// Package authz decides who may do what: function-level role rules from the
// static policy in policies/, and object-level scope rules compiled from
// each partner's active contracts, sharded by partner. A scope decision
// carries the contract number and clause of the grant that allowed it, for
// the access log.
//
// It is the only package that imports Casbin.
package authz

import "github.com/cordon/cordon/internal/cordon"

// Resource kinds named by role rules, beyond those in package cordon
// (cordon.ResJob, cordon.ResRequest, cordon.ResCustomer, cordon.ResDocument,
// cordon.ResContract, cordon.ResPartner, cordon.ResUser, cordon.ResAudit,
// cordon.ResPolicy).
const (
	ResUnit        = "unit"         // delivered units and their follow-up plans
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

// Actions named by role rules, beyond those in package cordon
// (cordon.ActList, cordon.ActView, cordon.ActCreate, cordon.ActUpdate,
// cordon.ActAccept, cordon.ActDecline, cordon.ActDisclose,
// cordon.ActDownload, cordon.ActDispatch, cordon.ActManage).
const (
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

	// ActAny, in a role rule's action column, stands for every action on
	// the resource. It is never a request's action.
	ActAny = "*"
)

// Resources lists every resource kind a policy may name, in one place.
var Resources = []string{
	cordon.ResJob, cordon.ResRequest, cordon.ResCustomer, cordon.ResDocument,
	cordon.ResContract, cordon.ResPartner, cordon.ResUser, cordon.ResAudit,
	cordon.ResPolicy,
	ResUnit, ResSLA, ResScorecard, ResSurvey, ResQuality, ResCampaign,
	ResSettings, ResAccessEvent, ResMe, ResAuth,
}

// Actions lists every action a policy may name (ActAny aside), in one place.
var Actions = []string{
	cordon.ActList, cordon.ActView, cordon.ActCreate, cordon.ActUpdate,
	cordon.ActAccept, cordon.ActDecline, cordon.ActDisclose,
	cordon.ActDownload, cordon.ActDispatch, cordon.ActManage,
	ActVerify, ActClose, ActReopen, ActAssign, ActReport, ActExplain,
	ActExport, ActActivate, ActSuspend, ActTerminate, ActDelete,
}

func known(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
