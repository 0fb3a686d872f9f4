// Package authz decides who may do what: function-level role rules from the
// static policy in policies/, and object-level scope rules compiled from
// each partner's active contracts, sharded by partner. A scope decision
// carries the contract number and clause of the grant that allowed it, for
// the access log.
//
// It is the only package that imports Casbin.
package authz

import "github.com/cordon/cordon/internal/cordon"

// ActAny, in a role rule's action column, stands for every action on the
// resource. It is never a request's action.
const ActAny = "*"

// Resources lists every resource kind a policy may name, in one place.
var Resources = []string{
	cordon.ResJob, cordon.ResRequest, cordon.ResCustomer, cordon.ResDocument,
	cordon.ResContract, cordon.ResPartner, cordon.ResUser, cordon.ResAudit,
	cordon.ResPolicy,
	cordon.ResUnit, cordon.ResProduct, cordon.ResSLA, cordon.ResScorecard, cordon.ResSurvey, cordon.ResQuality, cordon.ResCampaign,
	cordon.ResSettings, cordon.ResAccessEvent, cordon.ResMe, cordon.ResAuth,
	cordon.ResWebhook, cordon.ResChecklist,
	cordon.ResMessage, cordon.ResTraining,
}

// Actions lists every action a policy may name (ActAny aside), in one place.
var Actions = []string{
	cordon.ActList, cordon.ActView, cordon.ActCreate, cordon.ActUpdate,
	cordon.ActAccept, cordon.ActDecline, cordon.ActDisclose,
	cordon.ActDownload, cordon.ActDispatch, cordon.ActManage,
	cordon.ActVerify, cordon.ActClose, cordon.ActReopen, cordon.ActAssign, cordon.ActReport, cordon.ActExplain,
	cordon.ActExport, cordon.ActActivate, cordon.ActSuspend, cordon.ActTerminate, cordon.ActDelete,
}

func known(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
