package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// inHouse marks a job the institute keeps: no partner, an engineer does it.
const inHouse = ""

// demoJob is one dispatch of a request: to whom, and where it got to.
type demoJob struct {
	partner string // a partner's code, or inHouse
	status  cordon.JobStatus
}

// demoRequest is one service request and its dispatch history.
type demoRequest struct {
	city     string
	line     string
	model    string // "" for any model of the line
	category cordon.Category
	priority cordon.Priority
	jobs     []demoJob
	// at fixes when the request came in (the Xi'an history); zero places
	// it so that its last event lies ago before now (or, for live jobs,
	// a little while ago).
	at        time.Time
	ago       time.Duration
	cancelled bool
	detour    cordon.JobStatus // a pause on the way to resolution
	late      bool             // arrives on site after the SLA allows
	cause     cordon.RootCause // "" picks one
	// checklist binds the job to its category's demo checklist template,
	// as an offer made now would.
	checklist bool
	// arriving: the request names a unit of its own, delivered days ago
	// and not yet installed (an installation job's verification then
	// records its "installed" milestone).
	arriving bool
}

// demoRequests is the service history. Partner jobs lie within the scope of
// the partner's contract: hefei in Hefei and Wuhu for radar and comms, wuhan
// in Wuhan for comms repair and maintenance, xian (contract now expired) in
// Xi'an for radar, during 2024 and 2025. Everything else the institute
// keeps, and a few requests wait for dispatch.
func demoRequests() []demoRequest {
	j := func(partner string, s cordon.JobStatus) demoJob { return demoJob{partner, s} }
	return []demoRequest{
		// hefei
		{city: Hefei, line: "radar", category: cordon.CatFault, priority: cordon.P1, jobs: []demoJob{j("hefei", cordon.JobOffered)}},
		{city: Wuhu, line: "comms", category: cordon.CatFault, priority: cordon.P2, jobs: []demoJob{j("hefei", cordon.JobAccepted)}},
		{city: Hefei, line: "radar", category: cordon.CatFault, priority: cordon.P1, jobs: []demoJob{j("hefei", cordon.JobEnRoute)}},
		{city: Hefei, line: "radar", category: cordon.CatCommissioning, priority: cordon.P2, jobs: []demoJob{j("hefei", cordon.JobOnSite)}},
		{city: Hefei, line: "comms", category: cordon.CatFault, priority: cordon.P3, jobs: []demoJob{j("hefei", cordon.JobWaitingParts)}},
		{city: Wuhu, line: "radar", category: cordon.CatTraining, priority: cordon.P3, jobs: []demoJob{j("hefei", cordon.JobWaitingCustomer)}},
		{city: Hefei, line: "radar", category: cordon.CatFault, priority: cordon.P2, jobs: []demoJob{j("hefei", cordon.JobResolved)}, cause: cordon.CauseSoftware},
		{city: Hefei, line: "comms", category: cordon.CatMaintenance, priority: cordon.P3, jobs: []demoJob{j("hefei", cordon.JobVerified)}, ago: 20 * time.Hour, cause: cordon.CauseEnvironment},
		{city: Wuhu, line: "radar", model: "RD-350", category: cordon.CatFault, priority: cordon.P2, jobs: []demoJob{j("hefei", cordon.JobClosed)}, ago: 9 * day, cause: cordon.CauseComponent, detour: cordon.JobWaitingParts},
		{city: Hefei, line: "radar", category: cordon.CatFollowUp, priority: cordon.P4, jobs: []demoJob{j("hefei", cordon.JobClosed)}, ago: 26 * day, cause: cordon.CauseOperation},
		{city: Hefei, line: "radar", model: "RD-350", category: cordon.CatFault, priority: cordon.P1, jobs: []demoJob{j("hefei", cordon.JobClosed)}, ago: 17 * day, cause: cordon.CauseComponent, late: true},
		{city: Hefei, line: "comms", category: cordon.CatFault, priority: cordon.P2, jobs: []demoJob{j("hefei", cordon.JobReopened)}, cause: cordon.CauseInstallation},
		{city: Hefei, line: "radar", category: cordon.CatInstallation, priority: cordon.P2, jobs: []demoJob{j("hefei", cordon.JobDeclined), j(inHouse, cordon.JobAccepted)}},
		{city: Wuhu, line: "comms", category: cordon.CatUpgrade, priority: cordon.P4, jobs: []demoJob{j("hefei", cordon.JobExpired)}, ago: 5 * time.Hour},
		{city: Hefei, line: "radar", model: "RD-350", category: cordon.CatInspection, priority: cordon.P3, jobs: []demoJob{j("hefei", cordon.JobClosed)}, ago: 4 * day, cause: cordon.CauseComponent},
		// wuhan
		{city: Wuhan, line: "comms", category: cordon.CatRepair, priority: cordon.P2, jobs: []demoJob{j("wuhan", cordon.JobOffered)}},
		{city: Wuhan, line: "comms", category: cordon.CatMaintenance, priority: cordon.P3, jobs: []demoJob{j("wuhan", cordon.JobOnSite)}},
		{city: Wuhan, line: "comms", category: cordon.CatRepair, priority: cordon.P2, jobs: []demoJob{j("wuhan", cordon.JobExpired), j("wuhan", cordon.JobAccepted)}},
		{city: Wuhan, line: "comms", category: cordon.CatRepair, priority: cordon.P3, jobs: []demoJob{j("wuhan", cordon.JobClosed)}, ago: 12 * day, cause: cordon.CauseManufacturing},
		{city: Wuhan, line: "comms", category: cordon.CatMaintenance, priority: cordon.P4, jobs: []demoJob{j("wuhan", cordon.JobVerified)}, ago: 2 * day, cause: cordon.CauseEnvironment},
		{city: Wuhan, line: "comms", category: cordon.CatRepair, priority: cordon.P1, jobs: []demoJob{j("wuhan", cordon.JobDeclined), j(inHouse, cordon.JobEnRoute)}},
		{city: Wuhan, line: "comms", category: cordon.CatRepair, priority: cordon.P3, jobs: []demoJob{j("wuhan", cordon.JobResolved)}, cause: cordon.CauseTransport, late: true},
		{city: Wuhan, line: "comms", category: cordon.CatRepair, priority: cordon.P2, jobs: []demoJob{j("wuhan", cordon.JobWaitingParts)}},
		// xian, under the contract that has since expired
		{city: Xian, line: "radar", category: cordon.CatFault, priority: cordon.P1, jobs: []demoJob{j("xian", cordon.JobClosed)}, at: time.Date(2024, 11, 6, 1, 20, 0, 0, time.UTC), cause: cordon.CauseComponent},
		{city: Xian, line: "radar", model: "RD-350", category: cordon.CatFault, priority: cordon.P2, jobs: []demoJob{j("xian", cordon.JobClosed)}, at: time.Date(2025, 3, 18, 2, 5, 0, 0, time.UTC), cause: cordon.CauseComponent, detour: cordon.JobWaitingParts},
		{city: Xian, line: "radar", category: cordon.CatMaintenance, priority: cordon.P3, jobs: []demoJob{j("xian", cordon.JobClosed)}, at: time.Date(2025, 7, 9, 0, 40, 0, 0, time.UTC), cause: cordon.CauseEnvironment},
		{city: Xian, line: "radar", category: cordon.CatFault, priority: cordon.P2, jobs: []demoJob{j("xian", cordon.JobRevoked), j(inHouse, cordon.JobClosed)}, at: time.Date(2025, 12, 29, 3, 10, 0, 0, time.UTC), cause: cordon.CauseDesign},
		// in-house
		{city: Nanjing, line: "power", category: cordon.CatFault, priority: cordon.P2, jobs: []demoJob{j(inHouse, cordon.JobOnSite)}},
		{city: Chengdu, line: "radar", category: cordon.CatCommissioning, priority: cordon.P3, jobs: []demoJob{j(inHouse, cordon.JobClosed)}, ago: 33 * day, cause: cordon.CauseInstallation},
		{city: Xian, line: "comms", category: cordon.CatFault, priority: cordon.P1, jobs: []demoJob{j(inHouse, cordon.JobWaitingParts)}},
		{city: Hefei, line: "power", category: cordon.CatTraining, priority: cordon.P3, jobs: []demoJob{j(inHouse, cordon.JobOffered)}},
		{city: Nanjing, line: "radar", category: cordon.CatConsultation, priority: cordon.P4, jobs: []demoJob{j(inHouse, cordon.JobResolved)}, cause: cordon.CauseOperation},
		{city: Chengdu, line: "comms", category: cordon.CatFault, priority: cordon.P4, jobs: []demoJob{j(inHouse, cordon.JobVerified)}, ago: 3 * day, cause: cordon.CauseUnknown},
		{city: Wuhu, line: "power", category: cordon.CatMaintenance, priority: cordon.P3, jobs: []demoJob{j(inHouse, cordon.JobClosed)}, ago: 40 * day, cause: cordon.CauseComponent},
		// waiting for dispatch
		{city: Wuhan, line: "radar", category: cordon.CatFault, priority: cordon.P2, ago: 40 * time.Minute},
		{city: Hefei, line: "comms", category: cordon.CatFollowUp, priority: cordon.P3, ago: 26 * time.Hour},
		{city: Wuhu, line: "power", category: cordon.CatFault, priority: cordon.P1, ago: 15 * time.Minute},
		{city: Chengdu, line: "comms", category: cordon.CatConsultation, priority: cordon.P4, ago: 3 * day},
		{city: Hefei, line: "radar", category: cordon.CatTraining, priority: cordon.P4, ago: 11 * day, cancelled: true},
		// hefei.tech installs a radar delivered days ago, on site with its
		// checklist still empty (last, so that the history above stays as
		// it was).
		{city: Hefei, line: "radar", category: cordon.CatInstallation, priority: cordon.P2, jobs: []demoJob{j("hefei", cordon.JobOnSite)}, checklist: true, arriving: true},
	}
}

// plannedEvent is one step of a job's timeline before it is stored.
type plannedEvent struct {
	at       time.Time
	from, to cordon.JobStatus
	actor    string // username, "" for the system
	note     string
}

type plannedJob struct {
	partner string
	terms   cordon.SLATerms
	events  []plannedEvent
}

// pathTo is the way a job goes from offered to status; detour, when set,
// pauses the work on site before it is resolved.
func pathTo(status, detour cordon.JobStatus) []cordon.JobStatus {
	work := []cordon.JobStatus{cordon.JobOffered, cordon.JobAccepted, cordon.JobEnRoute, cordon.JobOnSite}
	done := append(append([]cordon.JobStatus{}, work...), cordon.JobResolved)
	if detour != "" {
		done = append(append(append([]cordon.JobStatus{}, work...), detour, cordon.JobOnSite), cordon.JobResolved)
	}
	switch status {
	case cordon.JobOffered:
		return work[:1]
	case cordon.JobDeclined, cordon.JobExpired:
		return []cordon.JobStatus{cordon.JobOffered, status}
	case cordon.JobAccepted:
		return work[:2]
	case cordon.JobEnRoute:
		return work[:3]
	case cordon.JobOnSite:
		return work
	case cordon.JobWaitingCustomer, cordon.JobWaitingParts:
		return append(work, status)
	case cordon.JobResolved:
		return done
	case cordon.JobVerified:
		return append(done, cordon.JobVerified)
	case cordon.JobReopened, cordon.JobClosed:
		return append(done, cordon.JobVerified, status)
	case cordon.JobRevoked:
		return append(work, cordon.JobWaitingParts, cordon.JobRevoked)
	}
	panic("demo: no path to " + string(status))
}

// planJob lays out the timeline of one job from start on.
func (sd *seeder) planJob(r demoRequest, dj demoJob, start time.Time) plannedJob {
	pj := plannedJob{partner: dj.partner, terms: inHouseSLA[r.priority]}
	worker, partnerName := "engineer", "工程师 "+sd.users["engineer"].DisplayName
	if dj.partner != inHouse {
		c := sd.contracts[dj.partner]
		pj.terms = c.SLA[r.priority]
		worker, partnerName = dj.partner+".tech", sd.orgs[dj.partner].Name
	}
	t := start
	var prev cordon.JobStatus
	for _, s := range pathTo(dj.status, r.detour) {
		ev := plannedEvent{from: prev, to: s}
		switch s {
		case cordon.JobOffered:
			ev.actor = "dispatcher"
			if dj.partner == inHouse {
				ev.note = "内部派单：" + partnerName
			} else {
				ev.note = fmt.Sprintf("派单至 %s（合同 %s）", partnerName, sd.contracts[dj.partner].Number)
			}
		case cordon.JobAccepted:
			t = t.Add(sd.jitter(pj.terms.Accept, 0.15, 0.8))
			ev.actor, ev.note = worker, "已接单"
		case cordon.JobDeclined:
			t = t.Add(sd.jitter(pj.terms.Accept, 0.1, 0.6))
			ev.actor, ev.note = dj.partner+".admin", "技术员均在外地，无法按时到场，拒单"
		case cordon.JobExpired:
			t = t.Add(pj.terms.Accept)
			ev.note = "接单时限已过，未响应，系统收回"
		case cordon.JobEnRoute:
			t = t.Add(sd.jitter(pj.terms.Respond, 0.2, 0.6))
			ev.actor, ev.note = worker, "已出发前往现场"
		case cordon.JobOnSite:
			if prev == cordon.JobEnRoute {
				lo, hi := 0.25, 0.7
				if r.late {
					lo, hi = 1.15, 1.5
				}
				t = t.Add(sd.jitter(pj.terms.OnSite, lo, hi))
				ev.note = "已到达现场"
			} else {
				t = t.Add(24*time.Hour + sd.jitter(48*time.Hour, 0, 1))
				ev.note = "恢复现场工作"
			}
			ev.actor = worker
		case cordon.JobWaitingParts:
			t = t.Add(time.Hour + sd.jitter(3*time.Hour, 0, 1))
			ev.actor, ev.note = worker, "需更换模块，等待备件发运"
		case cordon.JobWaitingCustomer:
			t = t.Add(time.Hour + sd.jitter(2*time.Hour, 0, 1))
			ev.actor, ev.note = worker, "用户需安排装备停机窗口，等待用户确认"
		case cordon.JobResolved:
			t = t.Add(sd.jitter(pj.terms.Resolve, 0.05, 0.3))
			ev.actor, ev.note = worker, "故障已排除，用户签字确认"
		case cordon.JobVerified:
			t = t.Add(day + sd.jitter(2*day, 0, 1))
			ev.actor, ev.note = "quality", "质量部电话回访，确认设备运行正常"
		case cordon.JobClosed:
			t = t.Add(day + sd.jitter(3*day, 0, 1))
			ev.actor, ev.note = "quality", "资料齐全，关闭工单"
		case cordon.JobReopened:
			t = t.Add(2*day + sd.jitter(4*day, 0, 1))
			ev.actor, ev.note = "dispatcher", "用户来电反映故障复现，重新开启"
		case cordon.JobRevoked:
			c := sd.contracts[dj.partner]
			t = c.ExpiresOn
			ev.note = fmt.Sprintf("合同 %s 到期，工单收回待重新派单", c.Number)
		}
		ev.at = t
		pj.events = append(pj.events, ev)
		prev = s
	}
	return pj
}

// live reports whether a job in status s still has work or a decision ahead.
func live(s cordon.JobStatus) bool {
	switch s {
	case cordon.JobDeclined, cordon.JobExpired, cordon.JobClosed, cordon.JobRevoked:
		return false
	}
	return true
}

func (sd *seeder) seedService(ctx context.Context) error {
	for _, r := range demoRequests() {
		if err := sd.seedRequest(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

func (sd *seeder) seedRequest(ctx context.Context, r demoRequest) error {
	// Plan the jobs from a provisional start, then move the whole history
	// so that it ends where the scenario wants it.
	created := r.at
	if created.IsZero() {
		created = sd.now
	}
	var jobs []plannedJob
	t := created.Add(10*time.Minute + sd.jitter(35*time.Minute, 0, 1)) // triage
	for _, dj := range r.jobs {
		pj := sd.planJob(r, dj, t)
		jobs = append(jobs, pj)
		t = pj.events[len(pj.events)-1].at.Add(5*time.Minute + sd.jitter(25*time.Minute, 0, 1)) // redispatch
	}
	if r.at.IsZero() {
		end := created
		if len(jobs) > 0 {
			end = jobs[len(jobs)-1].events[len(jobs[len(jobs)-1].events)-1].at
		}
		var lag time.Duration
		switch {
		case r.ago > 0:
			lag = r.ago + sd.jitter(r.ago/5, 0, 1)
		case len(jobs) == 0:
			lag = time.Hour
		case r.jobs[len(r.jobs)-1].status == cordon.JobOffered:
			// The offer is still open.
			lag = sd.jitter(jobs[len(jobs)-1].terms.Accept, 0.1, 0.4)
		default:
			lag = 20*time.Minute + sd.jitter(4*time.Hour, 0, 1)
		}
		shift := sd.now.Add(-lag).Sub(end)
		created = created.Add(shift)
		for i := range jobs {
			for k := range jobs[i].events {
				jobs[i].events[k].at = jobs[i].events[k].at.Add(shift)
			}
		}
	}

	unit, err := sd.pickUnit(r, created)
	if err != nil {
		return err
	}
	if r.arriving {
		if unit, err = sd.arrival(ctx, unit); err != nil {
			return err
		}
	}
	req := &cordon.ServiceRequest{
		UnitID: &unit.ID, CustomerID: unit.CustomerID, ModelID: &unit.ModelID,
		ProductLineID: sd.lines[r.line].ID, Category: r.category, Priority: r.priority,
		Description: sd.describe(r, unit), SiteCity: unit.SiteCity,
		CreatedBy: sd.users["dispatcher"].ID, CreatedAt: created, Status: cordon.RequestOpen,
	}
	if r.category == cordon.CatConsultation {
		req.UnitID = nil // a question about the line, not about one unit
	}
	switch {
	case r.cancelled:
		req.Status = cordon.RequestCancelled
	case len(r.jobs) == 0:
	case r.jobs[len(r.jobs)-1].status == cordon.JobClosed:
		req.Status = cordon.RequestClosed
	case live(r.jobs[len(r.jobs)-1].status):
		req.Status = cordon.RequestDispatched
	}
	if err := sd.s.Requests.CreateRequest(ctx, req); err != nil {
		return err
	}
	sd.w.Requests++

	for i, pj := range jobs {
		if err := sd.storeJob(ctx, r, req, unit, r.jobs[i].status, pj); err != nil {
			return err
		}
	}
	return nil
}

// storeJob writes a planned job, its timeline, and its service report when
// the work was done.
func (sd *seeder) storeJob(ctx context.Context, r demoRequest, req *cordon.ServiceRequest, unit *cordon.Unit, status cordon.JobStatus, pj plannedJob) error {
	first, last := pj.events[0], pj.events[len(pj.events)-1]
	worker := "engineer"
	j := &cordon.Job{
		RequestID: req.ID, Status: status, OfferedAt: first.at,
		CreatedAt: first.at, UpdatedAt: last.at,
	}
	if pj.partner != inHouse {
		c := sd.contracts[pj.partner]
		partner, contract := c.PartnerID, c.ID
		expires := first.at.Add(pj.terms.Accept)
		j.PartnerID, j.ContractID, j.OfferExpiresAt = &partner, &contract, &expires
		worker = pj.partner + ".tech"
	}
	var resolvedAt time.Time
	for _, ev := range pj.events {
		at := ev.at
		switch ev.to {
		case cordon.JobAccepted:
			j.AcceptedAt = &at
		case cordon.JobResolved:
			j.ResolvedAt, resolvedAt = &at, at
		case cordon.JobClosed:
			j.ClosedAt = &at
		}
	}
	if status == cordon.JobReopened {
		j.ResolvedAt = nil // the work is open again
	}
	if pj.partner == inHouse || j.AcceptedAt != nil {
		id := sd.users[worker].ID
		j.AssigneeID = &id
	}
	if err := sd.s.Jobs.CreateJob(ctx, j, sd.event(first)); err != nil {
		return err
	}
	if tmpl, ok := sd.checklists[r.category]; ok && r.checklist {
		if err := sd.s.Checklists.BindJob(ctx, j.ID, tmpl, first.at); err != nil {
			return err
		}
	}
	for _, ev := range pj.events[1:] {
		e := sd.event(ev)
		e.JobID = j.ID
		if err := sd.s.Jobs.AddJobEvent(ctx, e); err != nil {
			return err
		}
	}
	sd.w.Jobs++
	if err := sd.seedTraining(ctx, r, j, pj); err != nil {
		return err
	}

	if resolvedAt.IsZero() {
		return nil
	}
	cause := r.cause
	if cause == "" {
		cause = pick(sd.rng, cordon.RootCauses)
	}
	actions, parts := reportText(r.line, cause)
	owner := sd.customerByID(unit.CustomerID)
	rep := &cordon.ServiceReport{
		JobID: j.ID, Actions: actions, PartsUsed: parts, RootCause: cause,
		CreatedBy: sd.users[worker].ID, CreatedAt: resolvedAt,
	}
	if err := sd.s.Reports.CreateReport(ctx, rep); err != nil {
		return err
	}
	sd.w.Reports++
	if j.Status != cordon.JobResolved {
		return nil
	}
	// The jobs awaiting verification carry what quality checks: the
	// customer's drawn sign-off, and on a partner's job an amendment that
	// adds a site photo.
	by := sd.users[worker].ID
	// A random source of the job's own, so that the rest of the world stays
	// as it was before sign-offs were seeded.
	pics := rand.New(rand.NewPCG(uint64(j.ID), 16))
	sig := drawSignature(pics)
	sum := sha256.Sum256(sig)
	ev := &cordon.JobEvent{At: resolvedAt, ActorID: &by, From: cordon.JobResolved, To: cordon.JobResolved}
	ev.SetNote("note.signed_off_drawn", hex.EncodeToString(sum[:]))
	so := &cordon.SignOff{JobID: j.ID, Method: cordon.SignDrawn, SignerName: "值班员 " + owner.surname + "某",
		SignerPosition: "站长", SignedAt: resolvedAt, RecordedBy: by}
	if err := sd.s.Reports.ImportSignOff(ctx, so, sig, ev); err != nil {
		return err
	}
	if pj.partner == inHouse {
		return nil
	}
	amended := &cordon.ServiceReport{
		JobID: j.ID, Version: 2, AmendsID: &rep.ID, Reason: "补充现场照片。", Actions: actions, PartsUsed: parts, RootCause: cause,
		CreatedBy: by, CreatedAt: resolvedAt.Add(20 * time.Minute),
	}
	_, err := sd.s.Reports.ImportReport(ctx, amended, []cordon.AttachmentUpload{{MediaType: "image/png", Content: drawDiagram(pics, cordon.ClassPublic)}})
	return err
}

func (sd *seeder) event(ev plannedEvent) *cordon.JobEvent {
	e := &cordon.JobEvent{At: ev.at, From: ev.from, To: ev.to, Note: ev.note}
	if ev.actor != "" {
		id := sd.users[ev.actor].ID
		e.ActorID = &id
	}
	return e
}

// pickUnit chooses a unit of the request's line (and model, when named) in
// its city, delivered at least a month before the request; one that no
// other request names, while there are such.
func (sd *seeder) pickUnit(r demoRequest, before time.Time) (*cordon.Unit, error) {
	var fits, fresh []*cordon.Unit
	for _, u := range sd.units {
		m := sd.modelByID(u.ModelID)
		if u.SiteCity != r.city || m.ProductLineID != sd.lines[r.line].ID || !u.DeliveredOn.Before(before.AddDate(0, -1, 0)) ||
			(r.model != "" && m.Code != r.model) {
			continue
		}
		fits = append(fits, u)
		if !sd.usedUnits[u.ID] {
			fresh = append(fresh, u)
		}
	}
	if len(fresh) > 0 {
		fits = fresh
	}
	if len(fits) == 0 {
		return nil, fmt.Errorf("no %s %s unit in %s delivered before %s", r.line, r.model, r.city, before.Format(time.DateOnly))
	}
	u := pick(sd.rng, fits)
	sd.usedUnits[u.ID] = true
	return u, nil
}

// arrival delivers a new unit like u (its customer, model and site) three
// days ago: shipped and arrived, awaiting installation. It draws nothing
// from the seeder's random numbers, so the world around it stays as it was.
func (sd *seeder) arrival(ctx context.Context, like *cordon.Unit) (*cordon.Unit, error) {
	m := sd.modelByID(like.ModelID)
	t := sd.now.In(cordon.ChinaTime).AddDate(0, 0, -3)
	delivered := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, cordon.ChinaTime)
	warranty := 24
	if m.ProductLineID == sd.lines["radar"].ID {
		warranty = 36
	}
	prefix := fmt.Sprintf("%s-%02d", m.Code[:2]+m.Code[3:], delivered.Year()%100)
	n := 0
	for _, u := range sd.units {
		var k int
		if rest, ok := strings.CutPrefix(u.Serial, prefix); ok {
			if _, err := fmt.Sscanf(rest, "%d", &k); err == nil && k > n {
				n = k
			}
		}
	}
	half := "A"
	if delivered.Month() > 6 {
		half = "B"
	}
	u := &cordon.Unit{
		ModelID: m.ID, CustomerID: like.CustomerID, Serial: fmt.Sprintf("%s%04d", prefix, n+1), Batch: prefix + half,
		SiteCity: like.SiteCity, DeliveredOn: delivered, WarrantyEnd: delivered.AddDate(0, warranty, 0),
	}
	if err := sd.s.Catalog.CreateUnit(ctx, u); err != nil {
		return nil, err
	}
	sd.units = append(sd.units, u)
	sd.w.Units++
	// Installation would be a week after delivery, after now: track stops
	// at arrival.
	return u, sd.track(ctx, u, 1)
}

func (sd *seeder) modelByID(id int64) *cordon.Model {
	for _, m := range sd.models {
		if m.ID == id {
			return m
		}
	}
	panic(fmt.Sprintf("demo: unknown model id %d", id))
}

func (sd *seeder) customerByID(id int64) *demoCustomer {
	for _, c := range sd.customers {
		if c.ID == id {
			return c
		}
	}
	panic(fmt.Sprintf("demo: unknown customer id %d", id))
}

var symptoms = map[string][]string{
	"radar": {"发射机无输出，面板告警“发射故障”", "天线不转，伺服分系统告警", "显示终端无回波", "接收灵敏度明显下降"},
	"comms": {"无法建立通信链路", "发射功率偏低", "电台工作中频繁重启", "误码率偏高，话音断续"},
	"power": {"输出电压波动超差", "蓄电池组无法充电", "启动后数分钟自动停机"},
}

// describe writes the request's description, as a dispatcher would: never
// the serial, which a partner sees only after acceptance, as a logged
// disclosure (intake screening refuses it in real descriptions).
func (sd *seeder) describe(r demoRequest, u *cordon.Unit) string {
	m := sd.modelByID(u.ModelID).Name
	switch r.category {
	case cordon.CatFault:
		return fmt.Sprintf("%s %s，请尽快派员处理", m, pick(sd.rng, symptoms[r.line]))
	case cordon.CatRepair:
		return fmt.Sprintf("%s 返修：%s", m, pick(sd.rng, symptoms[r.line]))
	case cordon.CatMaintenance:
		return fmt.Sprintf("%s 年度维护保养", m)
	case cordon.CatInstallation:
		return fmt.Sprintf("%s 新装备现场安装", m)
	case cordon.CatCommissioning:
		return fmt.Sprintf("%s 现场联调与开通", m)
	case cordon.CatTraining:
		return fmt.Sprintf("%s 操作与日常维护培训，值班员 6 人", m)
	case cordon.CatFollowUp:
		return fmt.Sprintf("%s 交付后定期回访", m)
	case cordon.CatUpgrade:
		return fmt.Sprintf("%s 软件升级至 V3.2", m)
	case cordon.CatConsultation:
		return fmt.Sprintf("咨询 %s 备件储备与扩容方案", m)
	case cordon.CatInspection:
		return fmt.Sprintf("%s 批次 %s 隐患排查（质量部通知，同批次电源模块失效）", m, u.Batch)
	}
	return m
}

var modules = map[string]string{"radar": "T/R 组件电源模块", "comms": "功放模块", "power": "整流模块"}

// reportText is what a technician writes for a root cause on a line.
func reportText(line string, cause cordon.RootCause) (actions, parts string) {
	mod := modules[line]
	switch cause {
	case cordon.CauseDesign:
		return "按技术通知单更改控制板接地走线，复测通过", "控制板 ×1"
	case cordon.CauseManufacturing:
		return "返修虚焊焊点，补焊后通电老化 4 小时正常", "中频板 ×1"
	case cordon.CauseComponent:
		return "更换失效的" + mod + "，通电复测各项指标正常", mod + " ×1"
	case cordon.CauseSoftware:
		return "升级设备软件至 V3.2.1，复位后恢复正常", ""
	case cordon.CauseInstallation:
		return "重新紧固安装底座并校准水平，恢复电缆接头密封", "M16 螺栓 ×4，密封胶带 ×1"
	case cordon.CauseOperation:
		return "纠正开机顺序与参数设置，对值班员进行现场培训", ""
	case cordon.CauseEnvironment:
		return "清理散热风道积尘并更换空气滤网，机房加装除湿机", "空气滤网 ×2"
	case cordon.CauseTransport:
		return "更换运输中受损的连接电缆，检查其余部件无损伤", "连接电缆 ×1"
	}
	return "复位后故障未再复现，加装运行状态记录，持续观察", ""
}

// seedChecklists stores the example checklist templates, one per service
// type, as the quality supervisor's version 1.
func (sd *seeder) seedChecklists(ctx context.Context) error {
	sd.checklists = map[cordon.Category]int64{}
	if sd.s.Checklists == nil || sd.s.ChecklistTemplates == nil {
		return nil
	}
	examples, err := sd.s.ChecklistTemplates()
	if err != nil {
		return err
	}
	for _, in := range examples {
		t := &cordon.ChecklistTemplate{Key: in.Key, Version: 1, Title: in.Title, Category: in.Category, Items: in.Items,
			CreatedBy: sd.users["quality"].ID, CreatedAt: sd.now.AddDate(0, -2, 0)}
		if in.ProductLine != "" || in.Model != "" {
			return fmt.Errorf("checklist %s: the demo seeds templates for a whole service type only", in.Key)
		}
		if err := sd.s.Checklists.CreateTemplate(ctx, t); err != nil {
			return fmt.Errorf("checklist %s: %w", in.Key, err)
		}
		sd.checklists[t.Category] = t.ID
	}
	return nil
}
