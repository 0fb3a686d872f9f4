package contract

import (
	"slices"
	"strings"

	"github.com/cordon/cordon/internal/cordon"
)

// The lifecycle actions a contract admin (or, for expire, the clock) takes.
const (
	ActionActivate  = "activate"
	ActionSuspend   = "suspend"
	ActionResume    = "resume"
	ActionTerminate = "terminate"
	ActionExpire    = "expire"
)

// transitions is the contract lifecycle:
// draft → active → suspended ↔ active → terminated | expired.
// Activating a suspended contract is resuming it.
var transitions = map[cordon.ContractStatus]map[string]cordon.ContractStatus{
	cordon.ContractDraft: {
		ActionActivate: cordon.ContractActive,
	},
	cordon.ContractActive: {
		ActionSuspend:   cordon.ContractSuspended,
		ActionTerminate: cordon.ContractTerminated,
		ActionExpire:    cordon.ContractExpired,
	},
	cordon.ContractSuspended: {
		ActionResume:    cordon.ContractActive,
		ActionActivate:  cordon.ContractActive,
		ActionTerminate: cordon.ContractTerminated,
		ActionExpire:    cordon.ContractExpired,
	},
}

// allActions lists every action in the order messages name them.
var allActions = []string{ActionActivate, ActionSuspend, ActionResume, ActionTerminate, ActionExpire}

// Actions returns the actions allowed on a contract in status from, in a
// fixed order; none for terminated and expired contracts.
func Actions(from cordon.ContractStatus) []string {
	var out []string
	for _, a := range allActions {
		if _, ok := transitions[from][a]; ok {
			out = append(out, a)
		}
	}
	return out
}

// Transition returns the status a contract in status from moves to when
// action is taken. It returns EINVALID for an unknown action and ECONFLICT,
// saying what is allowed, when the action does not apply to from. It does
// not check dates or overlaps: see Overlaps.
func Transition(from cordon.ContractStatus, action string) (cordon.ContractStatus, error) {
	if !slices.Contains(allActions, action) {
		return from, cordon.FieldErr("action", "contract.unknown_action_want_one", action, strings.Join(allActions, ", "))
	}
	if _, known := transitions[from]; !known && !ended(from) {
		return from, cordon.FieldErr("status", "contract.unknown_contract_status", from)
	}
	if to, ok := transitions[from][action]; ok {
		return to, nil
	}
	allowed := Actions(from)
	if len(allowed) == 0 {
		return from, cordon.Err(cordon.ECONFLICT, "cannot_contract_has_ended_allows", action, article(from))
	}
	return from, cordon.Err(cordon.ECONFLICT, "cannot_contract_allowed", action, article(from), strings.Join(allowed, ", "))
}

// Overlaps reports whether a and b would conflict if both were in force:
// two different contracts of the same partner (PartnerID; the caller sets
// it on parsed contracts), neither terminated nor expired, whose periods
// overlap and whose scopes share a city and a product line. Drafts count,
// as candidates to be activated: before activating or resuming a contract,
// refuse when it overlaps any other active or suspended contract.
func Overlaps(a, b *cordon.Contract) bool {
	if a == nil || b == nil || a == b || a.PartnerID != b.PartnerID {
		return false
	}
	if a.Number == b.Number || (a.ID != 0 && a.ID == b.ID) {
		return false
	}
	if ended(a.Status) || ended(b.Status) {
		return false
	}
	if !a.EffectiveFrom.Before(b.ExpiresOn) || !b.EffectiveFrom.Before(a.ExpiresOn) {
		return false
	}
	return shares(a.Scope.Cities, b.Scope.Cities) && shares(a.Scope.ProductLines, b.Scope.ProductLines)
}

// article puts "a" or "an" before the status.
func article(s cordon.ContractStatus) string {
	if strings.ContainsAny(string(s)[:min(1, len(s))], "aeiou") {
		return "an " + string(s)
	}
	return "a " + string(s)
}

// ended reports whether a contract in status s can never be in force again.
func ended(s cordon.ContractStatus) bool {
	return s == cordon.ContractTerminated || s == cordon.ContractExpired
}

// shares reports whether a and b have an element in common.
func shares(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
