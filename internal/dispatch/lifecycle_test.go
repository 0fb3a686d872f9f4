package dispatch

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
)

const (
	offered         = cordon.JobOffered
	accepted        = cordon.JobAccepted
	declined        = cordon.JobDeclined
	expired         = cordon.JobExpired
	enRoute         = cordon.JobEnRoute
	onSite          = cordon.JobOnSite
	waitingCustomer = cordon.JobWaitingCustomer
	waitingParts    = cordon.JobWaitingParts
	resolved        = cordon.JobResolved
	verified        = cordon.JobVerified
	reopened        = cordon.JobReopened
	closed          = cordon.JobClosed
	revoked         = cordon.JobRevoked
)

var (
	t0       = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	deadline = t0.Add(2 * time.Hour) // the offer deadline of partner jobs
)

// The people of the tests. Partner 7 holds the partner jobs.
var actors = map[string]*cordon.Actor{
	"tech":           {UserID: 101, Username: "hefei.tech", OrgKind: cordon.OrgPartner, OrgID: 7, PartnerID: 7, Roles: []cordon.Role{cordon.RolePartnerTechnician}},
	"padmin":         {UserID: 102, Username: "hefei.admin", OrgKind: cordon.OrgPartner, OrgID: 7, PartnerID: 7, Roles: []cordon.Role{cordon.RolePartnerAdmin}},
	"other_tech":     {UserID: 103, Username: "wuhan.tech", OrgKind: cordon.OrgPartner, OrgID: 8, PartnerID: 8, Roles: []cordon.Role{cordon.RolePartnerTechnician}},
	"engineer":       {UserID: 201, Username: "engineer", OrgKind: cordon.OrgInstitute, OrgID: 1, Roles: []cordon.Role{cordon.RoleEngineer}},
	"quality":        {UserID: 301, Username: "quality", OrgKind: cordon.OrgInstitute, OrgID: 1, Roles: []cordon.Role{cordon.RoleQualitySupervisor}},
	"dispatcher":     {UserID: 401, Username: "dispatcher", OrgKind: cordon.OrgInstitute, OrgID: 1, Roles: []cordon.Role{cordon.RoleDispatcher}},
	"admin":          {UserID: 501, Username: "admin", OrgKind: cordon.OrgInstitute, OrgID: 1, Roles: []cordon.Role{cordon.RoleAdmin}},
	"legal_auditor":  {UserID: 601, Username: "legal", OrgKind: cordon.OrgInstitute, OrgID: 1, Roles: []cordon.Role{cordon.RoleLegalAuditor}},
	"contract_admin": {UserID: 701, Username: "contracts", OrgKind: cordon.OrgInstitute, OrgID: 1, Roles: []cordon.Role{cordon.RoleContractAdmin}},
}

// actorNames lists every actor of the tests, system and nobody included.
var actorNames = []string{"tech", "padmin", "other_tech", "engineer", "quality", "dispatcher", "admin", "legal_auditor", "contract_admin", "system", "nobody"}

func actor(name string) Mover {
	switch name {
	case "system":
		return System
	case "nobody":
		return By(nil)
	}
	a, ok := actors[name]
	if !ok {
		panic("no actor " + name)
	}
	return By(a)
}

func ptr[T any](v T) *T { return &v }

// newJob returns job 42 in status s: held by partner 7, or in-house.
func newJob(inHouse bool, s cordon.JobStatus) *cordon.Job {
	j := &cordon.Job{ID: 42, RequestID: 9, Status: s, OfferedAt: t0, CreatedAt: t0, UpdatedAt: t0}
	if !inHouse {
		j.PartnerID, j.ContractID, j.OfferExpiresAt = ptr(int64(7)), ptr(int64(3)), ptr(deadline)
	}
	return j
}

// historyOf returns a plausible timeline for a job in status s that, when
// s is a pause, paused from pausedFrom.
func historyOf(s, pausedFrom cordon.JobStatus) []*cordon.JobEvent {
	h := []*cordon.JobEvent{{JobID: 42, At: t0, To: offered}}
	if s == offered {
		return h
	}
	prev, at := offered, t0
	step := func(to cordon.JobStatus) {
		at = at.Add(10 * time.Minute)
		h = append(h, &cordon.JobEvent{JobID: 42, At: at, From: prev, To: to})
		prev = to
	}
	if s == waitingCustomer || s == waitingParts {
		for _, x := range []cordon.JobStatus{accepted, enRoute, onSite} {
			step(x)
			if x == pausedFrom {
				break
			}
		}
	}
	step(s)
	return h
}

// the worker stands, in the legal table, for whoever works the job: the
// holding partner's technician and admin, or an engineer in-house.
const workerName = "W"

// legal is every transition of DESIGN.md §2, written out apart from the
// package's own table. pausedFrom is set for the pauses only.
var legal = []struct {
	from, pausedFrom, to cordon.JobStatus
	who                  []string
}{
	{offered, "", accepted, []string{workerName}},
	{offered, "", declined, []string{workerName}},
	{offered, "", expired, []string{"system"}},
	{offered, "", revoked, []string{"system", "dispatcher"}},

	{accepted, "", enRoute, []string{workerName}},
	{accepted, "", waitingCustomer, []string{workerName}},
	{accepted, "", waitingParts, []string{workerName}},
	{accepted, "", revoked, []string{"system"}},

	{enRoute, "", onSite, []string{workerName}},
	{enRoute, "", waitingCustomer, []string{workerName}},
	{enRoute, "", waitingParts, []string{workerName}},
	{enRoute, "", revoked, []string{"system"}},

	{onSite, "", resolved, []string{workerName}},
	{onSite, "", waitingCustomer, []string{workerName}},
	{onSite, "", waitingParts, []string{workerName}},
	{onSite, "", revoked, []string{"system"}},

	{waitingCustomer, accepted, accepted, []string{workerName}},
	{waitingCustomer, enRoute, enRoute, []string{workerName}},
	{waitingCustomer, onSite, onSite, []string{workerName}},
	{waitingParts, accepted, accepted, []string{workerName}},
	{waitingParts, enRoute, enRoute, []string{workerName}},
	{waitingParts, onSite, onSite, []string{workerName}},
	{waitingCustomer, accepted, revoked, []string{"system"}},
	{waitingCustomer, enRoute, revoked, []string{"system"}},
	{waitingCustomer, onSite, revoked, []string{"system"}},
	{waitingParts, accepted, revoked, []string{"system"}},
	{waitingParts, enRoute, revoked, []string{"system"}},
	{waitingParts, onSite, revoked, []string{"system"}},

	{resolved, "", verified, []string{"quality"}},
	{resolved, "", reopened, []string{"quality"}},
	{verified, "", closed, []string{"quality"}},
	{verified, "", reopened, []string{"quality"}},

	{reopened, "", enRoute, []string{workerName}},
	{reopened, "", onSite, []string{workerName}},
	{reopened, "", revoked, []string{"system"}},
}

// whoFor expands the worker for a job kind.
func whoFor(who []string, inHouse bool) []string {
	var out []string
	for _, w := range who {
		switch {
		case w != workerName:
			out = append(out, w)
		case inHouse:
			out = append(out, "engineer")
		default:
			out = append(out, "tech", "padmin")
		}
	}
	return out
}

func kindName(inHouse bool) string {
	if inHouse {
		return "in-house"
	}
	return "partner"
}

// moveTime is a time at which the move is timely: before the offer
// deadline, except for expiry, which comes exactly at it.
func moveTime(to cordon.JobStatus) time.Time {
	if to == expired {
		return deadline
	}
	return t0.Add(time.Hour)
}

func reasonFor(to cordon.JobStatus) string {
	if to == declined || to == reopened {
		return "technicians all out of town"
	}
	return ""
}

func TestTransitionLegal(t *testing.T) {
	for _, inHouse := range []bool{false, true} {
		for _, l := range legal {
			for _, name := range whoFor(l.who, inHouse) {
				t.Run(fmt.Sprintf("%s/%s/%s->%s(%s)", kindName(inHouse), name, l.from, l.to, l.pausedFrom), func(t *testing.T) {
					j := newJob(inHouse, l.from)
					at := moveTime(l.to)
					got, err := Transition(j, historyOf(l.from, l.pausedFrom), Move{By: actor(name), To: l.to, Reason: reasonFor(l.to), At: at})
					if err != nil {
						t.Fatalf("got error %v, want none", err)
					}
					want := &cordon.JobEvent{JobID: 42, At: at, From: l.from, To: l.to, Note: reasonFor(l.to)}
					if a := actors[name]; a != nil {
						want.ActorID = ptr(a.UserID)
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("event (-want +got):\n%s", diff)
					}
					if j.Status != l.to {
						t.Errorf("status: got %q, want %q", j.Status, l.to)
					}
					if !j.UpdatedAt.Equal(at) {
						t.Errorf("UpdatedAt: got %v, want %v", j.UpdatedAt, at)
					}
				})
			}
		}
	}
}

// everTo is, for each actor and job kind, the statuses it may move some job
// to: outside it, a move is forbidden whatever the job's status.
func everTo(name string, inHouse bool) []cordon.JobStatus {
	work := []cordon.JobStatus{accepted, declined, enRoute, onSite, waitingCustomer, waitingParts, resolved}
	switch name {
	case "tech", "padmin":
		if !inHouse {
			return work
		}
	case "engineer":
		if inHouse {
			return work
		}
	case "quality":
		return []cordon.JobStatus{verified, closed, reopened}
	case "dispatcher":
		return []cordon.JobStatus{revoked}
	case "system":
		return []cordon.JobStatus{expired, revoked}
	}
	return nil
}

// states lists every status a job can be in, with the pauses once per
// status they paused from.
func states() [][2]cordon.JobStatus {
	var out [][2]cordon.JobStatus
	for _, s := range cordon.JobStatuses {
		if s == waitingCustomer || s == waitingParts {
			for _, p := range []cordon.JobStatus{accepted, enRoute, onSite} {
				out = append(out, [2]cordon.JobStatus{s, p})
			}
			continue
		}
		out = append(out, [2]cordon.JobStatus{s, ""})
	}
	return out
}

// isLegal reports whether the legal table lets name move the job.
func isLegal(inHouse bool, from, pausedFrom, to cordon.JobStatus, name string) bool {
	for _, l := range legal {
		if l.from == from && l.pausedFrom == pausedFrom && l.to == to && slices.Contains(whoFor(l.who, inHouse), name) {
			return true
		}
	}
	return false
}

// TestTransitionIllegal tries every move the legal table does not list, by
// every actor from every status, and checks the error code and that the job
// is left as it was.
func TestTransitionIllegal(t *testing.T) {
	n := 0
	for _, inHouse := range []bool{false, true} {
		for _, st := range states() {
			from, pausedFrom := st[0], st[1]
			for _, to := range cordon.JobStatuses {
				for _, name := range actorNames {
					if isLegal(inHouse, from, pausedFrom, to, name) {
						continue
					}
					var want string
					switch {
					case to == offered:
						want = cordon.EINVALID
					case name == "nobody":
						want = cordon.EUNAUTHENTICATED
					case name == "other_tech", inHouse && (name == "tech" || name == "padmin"):
						want = cordon.ENOTFOUND
					case !slices.Contains(everTo(name, inHouse), to):
						want = cordon.EFORBIDDEN
					default:
						want = cordon.ECONFLICT
					}
					n++
					t.Run(fmt.Sprintf("%s/%s/%s(%s)->%s", kindName(inHouse), name, from, pausedFrom, to), func(t *testing.T) {
						j := newJob(inHouse, from)
						before := *j
						_, err := Transition(j, historyOf(from, pausedFrom), Move{By: actor(name), To: to, Reason: "because", At: moveTime(to)})
						if got := cordon.ErrorCode(err); got != want {
							t.Errorf("error code: got %q (%v), want %q", got, err, want)
						}
						if diff := cmp.Diff(before, *j); diff != "" {
							t.Errorf("job changed on error (-before +after):\n%s", diff)
						}
					})
				}
			}
		}
	}
	if n < 1000 {
		t.Fatalf("tried only %d illegal moves: is the cross product built?", n)
	}
}

func TestAllowed(t *testing.T) {
	for _, inHouse := range []bool{false, true} {
		for _, st := range states() {
			from, pausedFrom := st[0], st[1]
			for _, name := range actorNames {
				var want []cordon.JobStatus
				for _, to := range cordon.JobStatuses {
					if isLegal(inHouse, from, pausedFrom, to, name) {
						want = append(want, to)
					}
				}
				t.Run(fmt.Sprintf("%s/%s/%s(%s)", kindName(inHouse), name, from, pausedFrom), func(t *testing.T) {
					j := newJob(inHouse, from)
					now := t0.Add(time.Hour)
					if from == offered && name == "system" && !inHouse {
						now = deadline // expiry is open from the deadline on
					}
					got := Allowed(j, historyOf(from, pausedFrom), actor(name), now)
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("allowed (-want +got):\n%s", diff)
					}
				})
			}
		}
	}
}

func TestTransitionMessages(t *testing.T) {
	tests := []struct {
		name       string
		inHouse    bool
		from       cordon.JobStatus
		pausedFrom cordon.JobStatus
		by         string
		to         cordon.JobStatus
		reason     string
		at         time.Time
		wantCode   string
		wantField  string
		wantMsg    string
	}{
		{"skip to en route", false, offered, "", "tech", enRoute, "", t0, cordon.ECONFLICT, "", "This job is offered; you may accept or decline it."},
		{"resolve before arriving", false, accepted, "", "tech", resolved, "", t0, cordon.ECONFLICT, "", "This job is accepted; you may set out for the site, pause it for the customer or pause it for parts."},
		{"resolve en route", false, enRoute, "", "padmin", resolved, "", t0, cordon.ECONFLICT, "", "This job is en route; you may report arrival on site, pause it for the customer or pause it for parts."},
		{"accept twice", true, onSite, "", "engineer", accepted, "", t0, cordon.ECONFLICT, "", "This job is on site; you may pause it for the customer, pause it for parts or mark it resolved."},
		{"resume elsewhere", false, waitingParts, enRoute, "tech", onSite, "", t0, cordon.ECONFLICT, "", "This job is waiting for parts; you may resume it."},
		{"close unverified", false, resolved, "", "quality", closed, "", t0, cordon.ECONFLICT, "", "This job is resolved; you may verify or reopen it."},
		{"verify twice", false, verified, "", "quality", verified, "", t0, cordon.ECONFLICT, "", "This job is verified; you may reopen or close it."},
		{"reopened resolve", false, reopened, "", "tech", resolved, "", t0, cordon.ECONFLICT, "", "This job is reopened; you may set out for the site or report arrival on site."},
		{"cancel accepted", false, accepted, "", "dispatcher", revoked, "", t0, cordon.ECONFLICT, "", "This job is accepted; there is nothing you may do with it now."},
		{"reopen open work", false, onSite, "", "quality", reopened, "", t0, cordon.ECONFLICT, "", "This job is on site; there is nothing you may do with it now."},
		{"closed", false, closed, "", "quality", reopened, "", t0, cordon.ECONFLICT, "", "This job is closed; it allows no further change."},
		{"declined", false, declined, "", "tech", accepted, "", t0, cordon.ECONFLICT, "", "This job is declined; it allows no further change."},
		{"revoke revoked", false, revoked, "", "system", revoked, "", t0, cordon.ECONFLICT, "", "This job is revoked; it allows no further change."},
		{"late accept", false, offered, "", "tech", accepted, "", deadline, cordon.ECONFLICT, "", "This offer has lapsed; it can no longer be accepted or declined."},
		{"late decline", false, offered, "", "padmin", declined, "no one free", deadline.Add(time.Minute), cordon.ECONFLICT, "", "This offer has lapsed; it can no longer be accepted or declined."},
		{"early expiry", false, offered, "", "system", expired, "", deadline.Add(-time.Nanosecond), cordon.ECONFLICT, "", "This offer is still open; it cannot expire yet."},

		{"quality accepts", false, offered, "", "quality", accepted, "", t0, cordon.EFORBIDDEN, "", "Your role may not accept jobs."},
		{"dispatcher resolves", false, onSite, "", "dispatcher", resolved, "", t0, cordon.EFORBIDDEN, "", "Your role may not work jobs."},
		{"tech verifies", false, resolved, "", "tech", verified, "", t0, cordon.EFORBIDDEN, "", "Your role may not verify jobs."},
		{"tech closes", false, verified, "", "padmin", closed, "", t0, cordon.EFORBIDDEN, "", "Your role may not close jobs."},
		{"tech reopens", false, verified, "", "tech", reopened, "again", t0, cordon.EFORBIDDEN, "", "Your role may not reopen jobs."},
		{"tech revokes", false, offered, "", "tech", revoked, "", t0, cordon.EFORBIDDEN, "", "Your role may not revoke jobs."},
		{"dispatcher expires", false, offered, "", "dispatcher", expired, "", deadline, cordon.EFORBIDDEN, "", "Your role may not expire offers."},
		{"admin accepts", true, offered, "", "admin", accepted, "", t0, cordon.EFORBIDDEN, "", "Your role may not accept jobs."},
		{"engineer on a partner job", false, offered, "", "engineer", accepted, "", t0, cordon.EFORBIDDEN, "", "This job is held by a partner; only the partner's staff may work it."},
		{"system accepts", false, offered, "", "system", accepted, "", t0, cordon.EFORBIDDEN, "", "Your role may not accept jobs."},
		{"other partner", false, offered, "", "other_tech", accepted, "", t0, cordon.ENOTFOUND, "", "Job not found."},
		{"partner on in-house", true, onSite, "", "padmin", resolved, "", t0, cordon.ENOTFOUND, "", "Job not found."},
		{"nobody", false, offered, "", "nobody", accepted, "", t0, cordon.EUNAUTHENTICATED, "", "Sign in to change a job."},

		{"decline without reason", false, offered, "", "tech", declined, "", t0, cordon.EINVALID, "reason", "Say why you decline this job."},
		{"decline with blank reason", true, offered, "", "engineer", declined, " \t\n", t0, cordon.EINVALID, "reason", "Say why you decline this job."},
		{"reopen without reason", false, resolved, "", "quality", reopened, "", t0, cordon.EINVALID, "reason", "Say why this job is reopened."},
		{"reopen verified without reason", false, verified, "", "quality", reopened, "  ", t0, cordon.EINVALID, "reason", "Say why this job is reopened."},
		{"unknown status", false, offered, "", "tech", "done", "", t0, cordon.EINVALID, "status", `Unknown job status "done".`},
		{"back to offered", false, accepted, "", "dispatcher", offered, "", t0, cordon.EINVALID, "status", "A job is offered when it is dispatched; it cannot move back to offered."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newJob(tt.inHouse, tt.from)
			_, err := Transition(j, historyOf(tt.from, tt.pausedFrom), Move{By: actor(tt.by), To: tt.to, Reason: tt.reason, At: tt.at})
			e := cordon.AsError(err)
			if e == nil {
				t.Fatalf("got error %v, want a *cordon.Error %s", err, tt.wantCode)
			}
			got := [3]string{e.Code, e.Field, e.Message}
			want := [3]string{tt.wantCode, tt.wantField, tt.wantMsg}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("code, field, message (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTransitionTimestamps walks one partner job through its whole life,
// the timeline built from the events Transition returns, and checks the job
// after each step.
func TestTransitionTimestamps(t *testing.T) {
	j := newJob(false, offered)
	history := historyOf(offered, "")
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	steps := []struct {
		by     string
		to     cordon.JobStatus
		reason string
		at     time.Time
		want   cordon.Job
	}{
		{"tech", accepted, "", at(30), cordon.Job{Status: accepted, AcceptedAt: ptr(at(30)), AssigneeID: ptr(int64(101))}},
		{"tech", waitingCustomer, "", at(40), cordon.Job{Status: waitingCustomer, AcceptedAt: ptr(at(30)), AssigneeID: ptr(int64(101))}},
		{"tech", accepted, "", at(90), cordon.Job{Status: accepted, AcceptedAt: ptr(at(30)), AssigneeID: ptr(int64(101))}}, // resume keeps AcceptedAt
		{"tech", enRoute, "", at(100), cordon.Job{Status: enRoute, AcceptedAt: ptr(at(30)), AssigneeID: ptr(int64(101))}},
		{"tech", onSite, "", at(160), cordon.Job{Status: onSite, AcceptedAt: ptr(at(30)), AssigneeID: ptr(int64(101))}},
		{"tech", waitingParts, "", at(200), cordon.Job{Status: waitingParts, AcceptedAt: ptr(at(30)), AssigneeID: ptr(int64(101))}},
		{"padmin", onSite, "", at(2000), cordon.Job{Status: onSite, AcceptedAt: ptr(at(30)), AssigneeID: ptr(int64(101))}},
		{"tech", resolved, "", at(2100), cordon.Job{Status: resolved, AcceptedAt: ptr(at(30)), ResolvedAt: ptr(at(2100)), AssigneeID: ptr(int64(101))}},
		{"quality", reopened, "fault came back", at(3000), cordon.Job{Status: reopened, AcceptedAt: ptr(at(30)), AssigneeID: ptr(int64(101))}},
		{"tech", onSite, "", at(3100), cordon.Job{Status: onSite, AcceptedAt: ptr(at(30)), AssigneeID: ptr(int64(101))}},
		{"tech", resolved, "", at(3200), cordon.Job{Status: resolved, AcceptedAt: ptr(at(30)), ResolvedAt: ptr(at(3200)), AssigneeID: ptr(int64(101))}},
		{"quality", verified, "", at(4000), cordon.Job{Status: verified, AcceptedAt: ptr(at(30)), ResolvedAt: ptr(at(3200)), AssigneeID: ptr(int64(101))}},
		{"quality", closed, "", at(5000), cordon.Job{Status: closed, AcceptedAt: ptr(at(30)), ResolvedAt: ptr(at(3200)), ClosedAt: ptr(at(5000)), AssigneeID: ptr(int64(101))}},
	}
	for i, s := range steps {
		e, err := Transition(j, history, Move{By: actor(s.by), To: s.to, Reason: s.reason, At: s.at})
		if err != nil {
			t.Fatalf("step %d (%s → %s): %v", i, j.Status, s.to, err)
		}
		history = append(history, e)
		want := *newJob(false, offered)
		want.Status, want.AcceptedAt, want.ResolvedAt, want.ClosedAt, want.AssigneeID = s.want.Status, s.want.AcceptedAt, s.want.ResolvedAt, s.want.ClosedAt, s.want.AssigneeID
		want.UpdatedAt = s.at
		if diff := cmp.Diff(want, *j); diff != "" {
			t.Errorf("step %d (→ %s): job (-want +got):\n%s", i, s.to, diff)
		}
	}
	if got := Allowed(j, history, actor("quality"), at(6000)); got != nil {
		t.Errorf("allowed on a closed job: got %v, want none", got)
	}
}

func TestPauseResume(t *testing.T) {
	for _, from := range []cordon.JobStatus{accepted, enRoute, onSite} {
		for _, pause := range []cordon.JobStatus{waitingCustomer, waitingParts} {
			t.Run(string(from)+"/"+string(pause), func(t *testing.T) {
				j := newJob(true, from)
				history := historyOf(from, "")
				e, err := Transition(j, history, Move{By: actor("engineer"), To: pause, At: t0.Add(time.Hour)})
				if err != nil {
					t.Fatal(err)
				}
				history = append(history, e)
				if got := PausedFrom(history); got != from {
					t.Errorf("PausedFrom: got %q, want %q", got, from)
				}
				if diff := cmp.Diff([]cordon.JobStatus{from}, Allowed(j, history, actor("engineer"), t0.Add(2*time.Hour))); diff != "" {
					t.Errorf("allowed while paused (-want +got):\n%s", diff)
				}
				for _, other := range []cordon.JobStatus{accepted, enRoute, onSite} {
					if other == from {
						continue
					}
					if _, err := Transition(j, history, Move{By: actor("engineer"), To: other, At: t0.Add(2 * time.Hour)}); cordon.ErrorCode(err) != cordon.ECONFLICT {
						t.Errorf("resume to %s from a pause begun %s: got %v, want ECONFLICT", other, from, err)
					}
				}
				e, err = Transition(j, history, Move{By: actor("engineer"), To: from, At: t0.Add(3 * time.Hour)})
				if err != nil {
					t.Fatalf("resume: %v", err)
				}
				if e.From != pause || e.To != from || j.Status != from {
					t.Errorf("resume: got event %s → %s, job %s; want %s → %s", e.From, e.To, j.Status, pause, from)
				}
			})
		}
	}
}

func TestResumeWithoutHistory(t *testing.T) {
	j := newJob(false, waitingParts)
	_, err := Transition(j, nil, Move{By: actor("tech"), To: onSite, At: t0})
	if err == nil || cordon.AsError(err) != nil {
		t.Errorf("resume with no timeline: got %v, want an internal error", err)
	}
	if got := Allowed(j, nil, actor("tech"), t0); got != nil {
		t.Errorf("allowed with no timeline: got %v, want none", got)
	}
	// The system may still revoke it.
	if _, err := Transition(j, nil, Move{By: System, To: revoked, At: t0}); err != nil {
		t.Errorf("revoke with no timeline: %v", err)
	}
}

func TestPausedFrom(t *testing.T) {
	ev := func(from, to cordon.JobStatus) *cordon.JobEvent { return &cordon.JobEvent{From: from, To: to} }
	tests := []struct {
		name    string
		history []*cordon.JobEvent
		want    cordon.JobStatus
	}{
		{"empty", nil, ""},
		{"not paused", []*cordon.JobEvent{ev("", offered), ev(offered, accepted)}, ""},
		{"paused on site", []*cordon.JobEvent{ev("", offered), ev(offered, accepted), ev(accepted, enRoute), ev(enRoute, onSite), ev(onSite, waitingParts)}, onSite},
		{"paused twice in a row", []*cordon.JobEvent{ev(accepted, enRoute), ev(enRoute, waitingCustomer), ev(waitingCustomer, waitingParts)}, enRoute},
		{"paused again after resuming", []*cordon.JobEvent{ev(onSite, waitingParts), ev(waitingParts, onSite), ev(onSite, waitingCustomer)}, onSite},
		{"pause from a status that cannot pause", []*cordon.JobEvent{ev(reopened, waitingParts)}, ""},
		{"nil event", []*cordon.JobEvent{ev(onSite, waitingParts), nil}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PausedFrom(tt.history); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAssignee(t *testing.T) {
	// Job assigned to technician 104, not to tech (101).
	j := newJob(false, enRoute)
	j.AssigneeID = ptr(int64(104))
	h := historyOf(enRoute, "")
	if _, err := Transition(j, h, Move{By: actor("tech"), To: onSite, At: t0}); cordon.ErrorCode(err) != cordon.EFORBIDDEN || cordon.ErrorMessage(err) != "This job is assigned to someone else." {
		t.Errorf("other technician: got %v, want EFORBIDDEN assigned to someone else", err)
	}
	if got := Allowed(j, h, actor("tech"), t0); got != nil {
		t.Errorf("allowed to another technician: got %v, want none", got)
	}
	// The partner admin manages the partner's jobs.
	if diff := cmp.Diff([]cordon.JobStatus{onSite, waitingCustomer, waitingParts}, Allowed(j, h, actor("padmin"), t0)); diff != "" {
		t.Errorf("allowed to the partner admin (-want +got):\n%s", diff)
	}
	// An offer assigned ahead: only the assignee accepts, and accepting keeps the assignee.
	j = newJob(false, offered)
	j.AssigneeID = ptr(int64(104))
	if _, err := Transition(j, nil, Move{By: actor("tech"), To: accepted, At: t0}); cordon.ErrorCode(err) != cordon.EFORBIDDEN {
		t.Errorf("accept by another technician: got %v, want EFORBIDDEN", err)
	}
	me := *actors["tech"]
	me.UserID = 104
	if _, err := Transition(j, nil, Move{By: By(&me), To: accepted, At: t0}); err != nil {
		t.Fatalf("accept by the assignee: %v", err)
	}
	if *j.AssigneeID != 104 {
		t.Errorf("assignee: got %d, want 104", *j.AssigneeID)
	}
	// An engineer with the dispatcher role, not the assignee of an
	// in-house offer, may still cancel it as dispatcher, but not accept it.
	both := &cordon.Actor{UserID: 202, OrgKind: cordon.OrgInstitute, OrgID: 1, Roles: []cordon.Role{cordon.RoleEngineer, cordon.RoleDispatcher}}
	j = newJob(true, offered)
	j.AssigneeID = ptr(int64(201))
	if diff := cmp.Diff([]cordon.JobStatus{revoked}, Allowed(j, nil, By(both), t0)); diff != "" {
		t.Errorf("allowed to a dispatching engineer (-want +got):\n%s", diff)
	}
	if _, err := Transition(j, nil, Move{By: By(both), To: accepted, At: t0}); cordon.ErrorCode(err) != cordon.EFORBIDDEN {
		t.Errorf("accept by a non-assigned engineer: got %v, want EFORBIDDEN", err)
	}
}

func TestAssign(t *testing.T) {
	tests := []struct {
		name     string
		inHouse  bool
		status   cordon.JobStatus
		by       string
		assignee int64
		wantCode string
	}{
		{"admin assigns an offer", false, offered, "padmin", 104, ""},
		{"admin reassigns on site", false, onSite, "padmin", 104, ""},
		{"admin assigns while paused", false, waitingParts, "padmin", 104, ""},
		{"admin assigns reopened", false, reopened, "padmin", 104, ""},
		{"technician may not", false, accepted, "tech", 104, cordon.EFORBIDDEN},
		{"dispatcher may not", false, accepted, "dispatcher", 104, cordon.EFORBIDDEN},
		{"system may not", false, accepted, "system", 104, cordon.EFORBIDDEN},
		{"other partner", false, accepted, "other_tech", 104, cordon.ENOTFOUND},
		{"in-house", true, accepted, "padmin", 104, cordon.ENOTFOUND},
		{"resolved", false, resolved, "padmin", 104, cordon.ECONFLICT},
		{"closed", false, closed, "padmin", 104, cordon.ECONFLICT},
		{"no assignee", false, accepted, "padmin", 0, cordon.EINVALID},
		{"nobody", false, accepted, "nobody", 104, cordon.EUNAUTHENTICATED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newJob(tt.inHouse, tt.status)
			err := Assign(j, actor(tt.by), tt.assignee, t0.Add(time.Hour))
			if got := cordon.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("error code: got %q (%v), want %q", got, err, tt.wantCode)
			}
			if err == nil && (j.AssigneeID == nil || *j.AssigneeID != tt.assignee || !j.UpdatedAt.Equal(t0.Add(time.Hour))) {
				t.Errorf("job after assign: assignee %v, updated %v; want %d at %v", j.AssigneeID, j.UpdatedAt, tt.assignee, t0.Add(time.Hour))
			}
			if err != nil && j.AssigneeID != nil {
				t.Errorf("assignee set despite error: %d", *j.AssigneeID)
			}
		})
	}
}

func TestRevocableFinal(t *testing.T) {
	var gotRevocable, gotFinal []cordon.JobStatus
	for _, s := range cordon.JobStatuses {
		if Revocable(s) {
			gotRevocable = append(gotRevocable, s)
		}
		if Final(s) {
			gotFinal = append(gotFinal, s)
		}
	}
	if diff := cmp.Diff([]cordon.JobStatus{offered, accepted, enRoute, onSite, waitingCustomer, waitingParts, reopened}, gotRevocable); diff != "" {
		t.Errorf("revocable (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]cordon.JobStatus{declined, expired, closed, revoked}, gotFinal); diff != "" {
		t.Errorf("final (-want +got):\n%s", diff)
	}
	for _, s := range cordon.JobStatuses {
		if got, want := Revocable(s), (&cordon.Job{Status: s}).Open(); got != want {
			t.Errorf("Revocable(%s) = %v, but cordon.Job.Open says %v", s, got, want)
		}
	}
	if Final("bogus") || Revocable("bogus") {
		t.Error("an unknown status is final or revocable")
	}
}

func TestOfferWithoutDeadline(t *testing.T) {
	// In-house offers carry no deadline: they may be accepted at any time,
	// and expired whenever the system decides.
	j := newJob(true, offered)
	late := t0.Add(30 * 24 * time.Hour)
	if diff := cmp.Diff([]cordon.JobStatus{accepted, declined}, Allowed(j, nil, actor("engineer"), late)); diff != "" {
		t.Errorf("allowed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]cordon.JobStatus{expired, revoked}, Allowed(j, nil, System, t0)); diff != "" {
		t.Errorf("allowed to the system (-want +got):\n%s", diff)
	}
}

func TestOfferDeadlineBoundary(t *testing.T) {
	tests := []struct {
		at       time.Time
		by       string
		to       cordon.JobStatus
		wantCode string
	}{
		{deadline.Add(-time.Nanosecond), "tech", accepted, ""},
		{deadline, "tech", accepted, cordon.ECONFLICT},
		{deadline.Add(-time.Nanosecond), "system", expired, cordon.ECONFLICT},
		{deadline, "system", expired, ""},
		{deadline.Add(time.Hour), "system", expired, ""},
		{deadline.Add(time.Hour), "dispatcher", revoked, ""}, // cancelling does not wait for the deadline, nor end at it
		{t0, "dispatcher", revoked, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%s", tt.by, tt.to, tt.at.Sub(deadline)), func(t *testing.T) {
			_, err := Transition(newJob(false, offered), nil, Move{By: actor(tt.by), To: tt.to, At: tt.at})
			if got := cordon.ErrorCode(err); got != tt.wantCode {
				t.Errorf("error code: got %q (%v), want %q", got, err, tt.wantCode)
			}
		})
	}
}
