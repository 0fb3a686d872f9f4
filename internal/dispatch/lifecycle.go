package dispatch

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// Mover is who moves a job: a signed-in user, or the system itself (the
// sweeper expiring a lapsed offer, the contract lifecycle revoking jobs when
// a contract ends). The zero Mover is nobody and may do nothing; only code
// can name [System], so no request can act as it.
type Mover struct {
	user   *cordon.Actor
	system bool
}

// By returns the Mover for a signed-in user. By(nil), an anonymous request,
// is nobody.
func By(a *cordon.Actor) Mover { return Mover{user: a} }

// System is the actor for the moves no user makes: offered → expired and
// any open status → revoked. Its events carry no ActorID.
var System = Mover{system: true}

// Move is one change asked of a job.
type Move struct {
	By     Mover            // who asks: By(user) or System
	To     cordon.JobStatus // the status asked for; to resume a pause, the status it paused from
	Reason string           // why; required to decline and to reopen, and kept as the event's note
	At     time.Time        // when: the caller's injected now
}

// party is a set of the parties to a job's life; each transition names the
// parties that may make it.
type party uint8

const (
	// worker: partner_technician or partner_admin of the partner holding the
	// job; an engineer when the institute keeps the job in-house.
	worker party = 1 << iota
	quality
	dispatcher
	system
)

// resume stands, in the table, for "back to the status the pause began in".
const resume cordon.JobStatus = "(resume)"

type edge struct {
	to  cordon.JobStatus
	who party
}

// pausable are the statuses work may pause from, and so resume to.
var pausable = []cordon.JobStatus{cordon.JobAccepted, cordon.JobEnRoute, cordon.JobOnSite}

// table is the job state machine of DESIGN.md §2: from each status, the
// statuses a job may move to and who may move it there. Declined, expired,
// closed and revoked are final: a declined or expired request is dispatched
// again as a new job.
var table = map[cordon.JobStatus][]edge{
	cordon.JobOffered: {
		{cordon.JobAccepted, worker},
		{cordon.JobDeclined, worker},
		{cordon.JobExpired, system},
		{cordon.JobRevoked, system | dispatcher}, // the dispatcher cancels an offer
	},
	cordon.JobAccepted: {
		{cordon.JobEnRoute, worker},
		{cordon.JobWaitingCustomer, worker},
		{cordon.JobWaitingParts, worker},
		{cordon.JobRevoked, system},
	},
	cordon.JobEnRoute: {
		{cordon.JobOnSite, worker},
		{cordon.JobWaitingCustomer, worker},
		{cordon.JobWaitingParts, worker},
		{cordon.JobRevoked, system},
	},
	cordon.JobOnSite: {
		{cordon.JobWaitingCustomer, worker},
		{cordon.JobWaitingParts, worker},
		{cordon.JobResolved, worker},
		{cordon.JobRevoked, system},
	},
	cordon.JobWaitingCustomer: {
		{resume, worker},
		{cordon.JobRevoked, system},
	},
	cordon.JobWaitingParts: {
		{resume, worker},
		{cordon.JobRevoked, system},
	},
	cordon.JobResolved: {
		{cordon.JobVerified, quality},
		{cordon.JobReopened, quality},
	},
	cordon.JobVerified: {
		{cordon.JobReopened, quality},
		{cordon.JobClosed, quality},
	},
	cordon.JobReopened: {
		{cordon.JobEnRoute, worker},
		{cordon.JobOnSite, worker},
		{cordon.JobRevoked, system},
	},
}

// ever is, for each status, the parties that may move a job to it from some
// status: a party outside it may never make that move (EFORBIDDEN).
var ever = func() map[cordon.JobStatus]party {
	m := map[cordon.JobStatus]party{}
	for _, edges := range table {
		for _, e := range edges {
			if e.to == resume {
				for _, s := range pausable {
					m[s] |= e.who
				}
				continue
			}
			m[e.to] |= e.who
		}
	}
	return m
}()

// Revocable reports whether a job in status s still has work or a decision
// of its holder ahead (offered through reopened, pauses included), so that
// the end of its contract revokes it: the same statuses as
// [cordon.Job.Open]. Resolved and verified jobs are not: the holder's part
// is done and the institute finishes them.
func Revocable(s cordon.JobStatus) bool {
	for _, e := range table[s] {
		if e.to == cordon.JobRevoked {
			return true
		}
	}
	return false
}

// Final reports whether a job in status s can never change again: declined,
// expired, closed and revoked.
func Final(s cordon.JobStatus) bool {
	_, ok := table[s]
	return !ok && known(s)
}

// PausedFrom returns the status a job paused from, read from its timeline
// (oldest event first): the status before the trailing run of waiting
// events. It returns "" when the timeline does not end in a pause.
func PausedFrom(history []*cordon.JobEvent) cordon.JobStatus {
	for i := len(history) - 1; i >= 0; i-- {
		e := history[i]
		if e == nil || !waiting(e.To) {
			return ""
		}
		if !waiting(e.From) {
			if slices.Contains(pausable, e.From) {
				return e.From
			}
			return ""
		}
	}
	return ""
}

// Allowed returns the statuses by may move j to at time now, in the order
// of cordon.JobStatuses: the status buttons to show. history is j's
// timeline, oldest first; it is needed only while j is paused, to know the
// status to resume to. It returns nil when by may do nothing with j now.
func Allowed(j *cordon.Job, history []*cordon.JobEvent, by Mover, now time.Time) []cordon.JobStatus {
	if j == nil || hidden(j, by) {
		return nil
	}
	who := partiesOf(j, by)
	if notAssignee(j, by) {
		who &^= worker
	}
	return allowed(j, PausedFrom(history), who, now)
}

// allowed lists the statuses the parties in who may move j to at now.
func allowed(j *cordon.Job, pausedFrom cordon.JobStatus, who party, now time.Time) []cordon.JobStatus {
	var out []cordon.JobStatus
	for _, e := range table[j.Status] {
		to := e.to
		if to == resume {
			to = pausedFrom
		}
		if to == "" || e.who&who == 0 || !timely(j, to, now) {
			continue
		}
		out = append(out, to)
	}
	slices.SortFunc(out, func(a, b cordon.JobStatus) int { return order(a) - order(b) })
	return out
}

// Transition moves j as m asks, when m.By may: it sets j's status,
// UpdatedAt and the timestamp of the step (AcceptedAt, ResolvedAt,
// ClosedAt; reopening clears ResolvedAt; accepting makes the actor the
// assignee when there is none), and returns the event to append to j's
// timeline. history is j's timeline, oldest first; it is needed only to
// resume a paused job (see [PausedFrom]).
//
// Errors, all *cordon.Error, in the order they are checked: EINVALID naming
// "status" for an unknown status or for offered (a job is offered when it
// is dispatched, never moved back); EUNAUTHENTICATED for nobody; ENOTFOUND
// for a partner user and a job its partner does not hold; EFORBIDDEN when
// the actor's role may never make the move, or the job is assigned to
// another technician; ECONFLICT when the move is not open from the job's
// status now (a lapsed offer, an offer not yet due to expire, or a move not
// in the table: the message says what the actor may do instead); EINVALID
// naming "reason" when a decline or a reopen has no reason. A paused job
// whose history does not say what it paused from cannot be resumed: that
// is a plain (internal) error. On error j is unchanged.
func Transition(j *cordon.Job, history []*cordon.JobEvent, m Move) (*cordon.JobEvent, error) {
	if j == nil {
		return nil, fmt.Errorf("dispatch: transition of a nil job")
	}
	if !known(m.To) {
		return nil, cordon.FieldErr("status", "unknown_job_status", m.To)
	}
	if m.To == cordon.JobOffered {
		return nil, cordon.FieldErr("status", "dispatch.job_offered_when_dispatched_cannot")
	}
	if !m.By.system && m.By.user == nil {
		return nil, cordon.Err(cordon.EUNAUTHENTICATED, "dispatch.sign_change_job")
	}
	if hidden(j, m.By) {
		return nil, cordon.Err(cordon.ENOTFOUND, "job.not_found")
	}
	who := partiesOf(j, m.By)
	if ever[m.To]&who == 0 {
		if ever[m.To] == worker && j.PartnerID != nil && m.By.user.HasRole(cordon.RoleEngineer) && !m.By.user.IsPartner() {
			return nil, cordon.Err(cordon.EFORBIDDEN, "dispatch.job_held_partner_only_partner")
		}
		return nil, cordon.Err(cordon.EFORBIDDEN, "dispatch.your_role_may_not", forbidden[m.To])
	}
	pausedFrom := PausedFrom(history)
	if waiting(j.Status) && pausedFrom == "" && slices.Contains(pausable, m.To) && who&worker != 0 {
		return nil, fmt.Errorf("dispatch: job %d is %s but its timeline does not say what it paused from", j.ID, j.Status)
	}
	// A move the job's status does not allow is a conflict before it is a
	// matter of assignment: of many concurrent accepts, the losers learn
	// that the offer is taken (409), not that it is someone else's (403).
	if !slices.Contains(allowed(j, pausedFrom, who, m.At), m.To) {
		return nil, conflict(j, pausedFrom, who, m)
	}
	if notAssignee(j, m.By) {
		who &^= worker
		if !slices.Contains(allowed(j, pausedFrom, who, m.At), m.To) {
			return nil, cordon.Err(cordon.EFORBIDDEN, "dispatch.job_assigned_someone_else")
		}
	}
	reason := strings.TrimSpace(m.Reason)
	switch {
	case m.To == cordon.JobDeclined && reason == "":
		return nil, cordon.FieldErr("reason", "dispatch.say_why_you_decline_job")
	case m.To == cordon.JobReopened && reason == "":
		return nil, cordon.FieldErr("reason", "dispatch.say_why_job_reopened")
	}

	from, at := j.Status, m.At
	j.Status, j.UpdatedAt = m.To, at
	switch m.To {
	case cordon.JobAccepted:
		if from == cordon.JobOffered {
			j.AcceptedAt = &at
			if j.AssigneeID == nil && m.By.user != nil {
				id := m.By.user.UserID
				j.AssigneeID = &id
			}
		}
	case cordon.JobResolved:
		j.ResolvedAt = &at
	case cordon.JobReopened:
		j.ResolvedAt = nil // the work is open again
	case cordon.JobClosed:
		j.ClosedAt = &at
	}
	e := &cordon.JobEvent{JobID: j.ID, At: at, From: from, To: m.To, Note: reason}
	if m.By.user != nil {
		id := m.By.user.UserID
		e.ActorID = &id
	}
	return e, nil
}

// Assign makes user assignee the one to work j. Only a partner_admin of the
// partner holding j may, while j is [Revocable] (its work is ahead). The
// caller checks that the assignee is a technician of that partner; it
// records the assignment as it likes (it is not a change of status). j's
// AssigneeID and UpdatedAt are set.
//
// Errors: EINVALID naming "assignee" for a non-positive id;
// EUNAUTHENTICATED for nobody; ENOTFOUND for a partner user and a job its
// partner does not hold; EFORBIDDEN for anyone but the holder's
// partner_admin; ECONFLICT when j's work is over.
func Assign(j *cordon.Job, by Mover, assignee int64, at time.Time) error {
	if assignee <= 0 {
		return cordon.FieldErr("assignee", "choose_technician_assign")
	}
	if !by.system && by.user == nil {
		return cordon.Err(cordon.EUNAUTHENTICATED, "dispatch.sign_change_job")
	}
	if hidden(j, by) {
		return cordon.Err(cordon.ENOTFOUND, "job.not_found")
	}
	if !by.user.IsPartner() || !by.user.HasRole(cordon.RolePartnerAdmin) {
		return cordon.Err(cordon.EFORBIDDEN, "dispatch.only_partner_admin_may_assign")
	}
	if !Revocable(j.Status) {
		return cordon.Err(cordon.ECONFLICT, "dispatch.job_can_no_longer_assigned", shown(j.Status))
	}
	j.AssigneeID, j.UpdatedAt = &assignee, at
	return nil
}

// hidden reports whether j must look absent to by: a partner user and a job
// its partner does not hold (in-house jobs included).
func hidden(j *cordon.Job, by Mover) bool {
	u := by.user
	if by.system || u == nil || !u.IsPartner() {
		return false
	}
	return j.PartnerID == nil || *j.PartnerID != u.PartnerID
}

// partiesOf returns the parties by acts as for j.
func partiesOf(j *cordon.Job, by Mover) party {
	if by.system {
		return system
	}
	u := by.user
	if u == nil {
		return 0
	}
	var p party
	if u.IsPartner() {
		if j.PartnerID != nil && *j.PartnerID == u.PartnerID &&
			(u.HasRole(cordon.RolePartnerTechnician) || u.HasRole(cordon.RolePartnerAdmin)) {
			p |= worker
		}
		return p
	}
	if j.PartnerID == nil && u.HasRole(cordon.RoleEngineer) {
		p |= worker
	}
	if u.HasRole(cordon.RoleQualitySupervisor) {
		p |= quality
	}
	if u.HasRole(cordon.RoleDispatcher) {
		p |= dispatcher
	}
	return p
}

// notAssignee reports whether by works j only as a technician or engineer
// and j is assigned to someone else. A partner_admin manages the partner's
// jobs and is never held to the assignment.
func notAssignee(j *cordon.Job, by Mover) bool {
	u := by.user
	if by.system || u == nil || j.AssigneeID == nil || *j.AssigneeID == u.UserID {
		return false
	}
	return partiesOf(j, by)&worker != 0 && !(u.IsPartner() && u.HasRole(cordon.RolePartnerAdmin))
}

// timely reports whether a move to status to is open at now as far as the
// offer deadline goes: an offer may be accepted or declined only before its
// deadline, and expired only from it on. Offers without a deadline never
// lapse on their own.
func timely(j *cordon.Job, to cordon.JobStatus, now time.Time) bool {
	if j.Status != cordon.JobOffered || j.OfferExpiresAt == nil {
		return true
	}
	lapsed := !now.Before(*j.OfferExpiresAt)
	switch to {
	case cordon.JobAccepted, cordon.JobDeclined:
		return !lapsed
	case cordon.JobExpired:
		return lapsed
	}
	return true
}

// conflict explains why m is not open from j's status now, and what is.
func conflict(j *cordon.Job, pausedFrom cordon.JobStatus, who party, m Move) error {
	if j.Status == cordon.JobOffered && !timely(j, m.To, m.At) {
		if m.To == cordon.JobExpired {
			return cordon.Err(cordon.ECONFLICT, "dispatch.offer_still_open_cannot_expire")
		}
		return cordon.Err(cordon.ECONFLICT, "dispatch.offer_has_lapsed_can_no")
	}
	open := allowed(j, pausedFrom, who, m.At)
	if len(open) == 0 {
		if Final(j.Status) {
			return cordon.Err(cordon.ECONFLICT, "dispatch.job_allows_no_further_change", shown(j.Status))
		}
		return cordon.Err(cordon.ECONFLICT, "dispatch.job_there_nothing_you_may", shown(j.Status))
	}
	phrases := make([]string, len(open))
	for i, s := range open {
		phrases[i] = verbs[s]
		if waiting(j.Status) && s == pausedFrom {
			phrases[i] = "resume it"
		}
	}
	return cordon.Err(cordon.ECONFLICT, "dispatch.job_you_may", shown(j.Status), list(phrases))
}

// list joins phrases as English does: "a, b or c". When each phrase is a
// verb with "it", the "it" is said once: "accept or decline it".
func list(phrases []string) string {
	short := true
	for _, p := range phrases {
		if strings.Count(p, " ") != 1 || !strings.HasSuffix(p, " it") {
			short = false
		}
	}
	if short && len(phrases) > 1 {
		verbs := make([]string, len(phrases))
		for i, p := range phrases {
			verbs[i] = strings.TrimSuffix(p, " it")
		}
		return list(verbs) + " it"
	}
	if len(phrases) == 1 {
		return phrases[0]
	}
	return strings.Join(phrases[:len(phrases)-1], ", ") + " or " + phrases[len(phrases)-1]
}

// verbs say what moving a job to each status is, to whoever may.
var verbs = map[cordon.JobStatus]string{
	cordon.JobAccepted:        "accept it",
	cordon.JobDeclined:        "decline it",
	cordon.JobExpired:         "expire it",
	cordon.JobEnRoute:         "set out for the site",
	cordon.JobOnSite:          "report arrival on site",
	cordon.JobWaitingCustomer: "pause it for the customer",
	cordon.JobWaitingParts:    "pause it for parts",
	cordon.JobResolved:        "mark it resolved",
	cordon.JobVerified:        "verify it",
	cordon.JobReopened:        "reopen it",
	cordon.JobClosed:          "close it",
	cordon.JobRevoked:         "revoke it",
}

// forbidden say what a role may never do, to finish "Your role may not …".
var forbidden = map[cordon.JobStatus]string{
	cordon.JobAccepted:        "accept jobs",
	cordon.JobDeclined:        "decline jobs",
	cordon.JobExpired:         "expire offers",
	cordon.JobEnRoute:         "work jobs",
	cordon.JobOnSite:          "work jobs",
	cordon.JobWaitingCustomer: "work jobs",
	cordon.JobWaitingParts:    "work jobs",
	cordon.JobResolved:        "work jobs",
	cordon.JobVerified:        "verify jobs",
	cordon.JobReopened:        "reopen jobs",
	cordon.JobClosed:          "close jobs",
	cordon.JobRevoked:         "revoke jobs",
}

// shown is a status as a sentence says it: "en route", "waiting for parts".
func shown(s cordon.JobStatus) string {
	switch s {
	case cordon.JobEnRoute:
		return "en route"
	case cordon.JobOnSite:
		return "on site"
	case cordon.JobWaitingCustomer:
		return "waiting for the customer"
	case cordon.JobWaitingParts:
		return "waiting for parts"
	}
	return string(s)
}

// waiting reports whether s is a pause: the SLA clocks stop in it.
func waiting(s cordon.JobStatus) bool {
	return s == cordon.JobWaitingCustomer || s == cordon.JobWaitingParts
}

// known reports whether s is one of cordon.JobStatuses.
func known(s cordon.JobStatus) bool { return order(s) >= 0 }

// order is s's place in cordon.JobStatuses, -1 when unknown.
func order(s cordon.JobStatus) int { return slices.Index(cordon.JobStatuses, s) }
