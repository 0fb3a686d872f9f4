package webui

import (
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func registerJobPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	r.Get("/jobs", auth, g.Require(cordon.ResJob, cordon.ActList), h.handleJobList)
	r.Get("/jobs/:id", auth, g.Require(cordon.ResJob, cordon.ActView), h.handleJobView)
	r.Post("/jobs/:id/accept", h.checkCSRF, auth, g.Require(cordon.ResJob, cordon.ActAccept), h.handleJobMove(cordon.JobAccepted))
	r.Post("/jobs/:id/decline", h.checkCSRF, auth, g.Require(cordon.ResJob, cordon.ActDecline), h.handleJobMove(cordon.JobDeclined))
	r.Post("/jobs/:id/move", h.checkCSRF, auth, g.RequireAny(cordon.JobMoveRights...), h.handleJobMove(""))
	r.Post("/jobs/:id/assign", h.checkCSRF, auth, g.Require(cordon.ResJob, cordon.ActAssign), h.handleJobAssign)
	registerReportPages(r, h, g, auth)
}

// jobListLimit is how many offers and jobs in progress a partner's inbox
// shows (a partner holds far fewer at a time); jobs done and ended offers
// come a page at a time.
const jobListLimit = 200

// jobRow is one job in a list.
type jobRow struct {
	View    *cordon.JobView
	Partner string // the partner's code, for institute users; "" in-house
}

// jobRows is what the jobrows template renders: one table of jobs.
type jobRows struct {
	L       Locale
	Partner bool
	Rows    []jobRow
	Offers  bool // a table of offers shows their deadlines
}

type jobListData struct {
	Partner bool // a partner's inbox rather than the institute's list
	Offers  []jobRow
	Active  []jobRow
	Done    []jobRow
	Ended   []jobRow
	All     []jobRow
	Total   int
	Status  string // the filter, for the institute's list
	States  []cordon.JobStatus
	// The pages of the long lists: the partner's jobs done and ended
	// offers, the institute's jobs.
	DonePages, EndedPages, AllPages *listPager
}

// partnerCodes maps partner ids to codes for institute users.
func (h *Handler) partnerCodes(c *fiber.Ctx) (map[int64]string, error) {
	if cordon.ActorFromContext(c.UserContext()).IsPartner() || h.svc.Partners == nil {
		return map[int64]string{}, nil
	}
	return h.partnerLabels(c, func(o *cordon.Org) string { return o.Code })
}

// listJobRows lists one section of jobs through JobDesk.ListJobs, the
// API's list, with the partners' codes for institute users.
func (h *Handler) listJobRows(c *fiber.Ctx, f cordon.JobListFilter, codes map[int64]string) ([]jobRow, int, error) {
	views, total, err := h.svc.Jobs.ListJobs(c.UserContext(), f)
	if err != nil {
		return nil, 0, err
	}
	rows := make([]jobRow, len(views))
	for i, v := range views {
		rows[i] = jobRow{View: v}
		if v.Job.PartnerID != nil {
			rows[i].Partner = codes[*v.Job.PartnerID]
		}
	}
	return rows, total, nil
}

// handleJobList is a partner's inbox (offers with their deadlines, jobs in
// progress, then jobs done and ended offers a page at a time) or, for
// institute users, every job a page at a time with a status filter.
func (h *Handler) handleJobList(c *fiber.Ctx) error {
	a := cordon.ActorFromContext(c.UserContext())
	d := jobListData{Partner: a.IsPartner(), States: cordon.JobStatuses}
	codes, err := h.partnerCodes(c)
	if err != nil {
		return err
	}
	if d.Partner {
		if d.Offers, _, err = h.listJobRows(c, cordon.JobListFilter{Statuses: []cordon.JobStatus{cordon.JobOffered}, Limit: jobListLimit}, codes); err != nil {
			return err
		}
		if d.Active, _, err = h.listJobRows(c, cordon.JobListFilter{Statuses: cordon.ActiveJobStatuses, Limit: jobListLimit}, codes); err != nil {
			return err
		}
		d.DonePages, d.EndedPages = listPagerOf(c, "page"), listPagerOf(c, "ended")
		for _, s := range []struct {
			rows     *[]jobRow
			p        *listPager
			statuses []cordon.JobStatus
		}{{&d.Done, d.DonePages, cordon.DoneJobStatuses}, {&d.Ended, d.EndedPages, cordon.EndedJobStatuses}} {
			if *s.rows, s.p.Total, err = h.listJobRows(c, cordon.JobListFilter{Statuses: s.statuses, Offset: s.p.Offset(), Limit: s.p.Limit()}, codes); err != nil {
				return err
			}
		}
		return h.render(c, "jobs", "/jobs", "jobs.title", d)
	}
	f := cordon.JobListFilter{}
	if v := c.Query("status"); v != "" {
		st := cordon.JobStatus(v)
		if !validStatus(st) {
			return cordon.FieldErr("status", "webui.unknown_job_status")
		}
		d.Status, f.Statuses = v, []cordon.JobStatus{st}
	}
	d.AllPages = listPagerOf(c, "page")
	f.Offset, f.Limit = d.AllPages.Offset(), d.AllPages.Limit()
	if d.All, d.Total, err = h.listJobRows(c, f, codes); err != nil {
		return err
	}
	d.AllPages.Total = d.Total
	return h.render(c, "jobs", "/jobs", "jobs.title", d)
}

func validStatus(s cordon.JobStatus) bool {
	for _, x := range cordon.JobStatuses {
		if x == s {
			return true
		}
	}
	return false
}

type jobData struct {
	View       *cordon.JobView
	Partner    string
	Timeline   []*cordon.JobEvent
	Disclosure *cordon.Disclosure
	Accept     bool
	Decline    bool
	Moves      []cordon.JobStatus
	NeedReason bool
	Clocks     []cordon.SLAClock
	Report     *reportForm    // nil: no report form
	Assign     *assignForm    // nil: no assignment
	Checklist  *checklistView // nil: the job has none (checklist.go)
	// Reports are the versions of the job's service report, newest first;
	// SignOff the latest customer sign-off, checked (nil: none yet), and
	// SignForm the sign-off form for the job's worker (nil: none).
	Reports  []*cordon.ServiceReport
	SignOff  *cordon.SignOffCheck
	SignForm *signForm
	// Verifying: the caller may verify the resolution now, so the latest
	// report, its checklist and the sign-off stand beside the buttons.
	Verifying bool
	Thread    *threadSection // nil: no thread for the caller (thread.go)
	// Training is a training job's records (training.go); nil on other
	// jobs and for roles without the right.
	Training *trainingSection
}

// assignForm lists the partner's technicians for its admin.
type assignForm struct {
	Technicians []*cordon.User
	Current     int64 // the assignee's id, 0 for none
	CurrentName string
}

// handleJobView is the job page: the job with its pseudonymous customer,
// what the contract discloses of the customer now, its SLA clocks, the
// timeline, a button for each move the caller may make now, the service
// report form and, for a partner's admin, the assignment.
func (h *Handler) handleJobView(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	d, err := h.jobPage(c, id)
	if err != nil {
		return err
	}
	return h.render(c, "job", "/jobs", "job.details", d)
}

// jobPage gathers the job page from the services, exactly what the API's
// job, events, sla and customer routes would show the caller.
func (h *Handler) jobPage(c *fiber.Ctx, id int64) (*jobData, error) {
	ctx := c.UserContext()
	a := cordon.ActorFromContext(ctx)
	v, err := h.svc.Jobs.ViewJob(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &jobData{View: v}
	if d.Timeline, err = h.svc.Dispatch.JobTimeline(ctx, id); err != nil {
		return nil, err
	}
	if v.Job.PartnerID != nil && !a.IsPartner() {
		codes, err := h.partnerCodes(c)
		if err != nil {
			return nil, err
		}
		d.Partner = codes[*v.Job.PartnerID]
	}
	if h.svc.SLA != nil {
		if d.Clocks, err = h.svc.SLA.JobClocks(ctx, v.Job); err != nil {
			return nil, err
		}
	}
	acts, err := h.svc.Dispatch.JobActions(ctx, id)
	if err != nil {
		return nil, err
	}
	if acts.Disclose {
		disc, err := h.svc.Dispatch.DiscloseCustomer(ctx, id)
		switch cordon.ErrorCode(err) {
		case "":
			d.Disclosure = disc
		case cordon.ENOTFOUND:
		default:
			return nil, err
		}
	}
	d.Accept, d.Decline, d.Moves = acts.Accept, acts.Decline, acts.Moves
	d.NeedReason = acts.Decline || slices.Contains(acts.Moves, cordon.JobReopened)
	// The work on record: gone for the partner once its job has ended
	// (the services would answer 404); the job itself stays on its list.
	if acts.Records {
		if d.Checklist, err = h.jobChecklist(c, id); err != nil {
			return nil, err
		}
		if d.Reports, err = h.svc.Reports.JobReports(ctx, id); err != nil {
			return nil, err
		}
		if d.SignOff, err = h.svc.Reports.JobSignOff(ctx, id); err != nil {
			return nil, err
		}
	}
	if acts.Report {
		d.Report = newReportForm(d.Reports)
		d.SignForm = &signForm{Method: string(cordon.SignDrawn)}
	}
	d.Verifying = slices.Contains(acts.Moves, cordon.JobVerified)
	if d.Thread, err = h.threadOf(c, v.Job, acts.Records); err != nil {
		return nil, err
	}
	if d.Training, err = h.trainingOf(c, v.Job); err != nil {
		return nil, err
	}
	if acts.Assign {
		d.Assign = &assignForm{Technicians: acts.Technicians}
		if u := acts.Assignee; u != nil {
			d.Assign.Current, d.Assign.CurrentName = u.ID, u.DisplayName+" ("+u.Username+")"
		}
	}
	return d, nil
}

// handleJobAssign hands the job to a technician: the API's assign.
func (h *Handler) handleJobAssign(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	back := "/jobs/" + itoa(id)
	uid, err := formID(c, "user_id")
	if err != nil || uid == nil {
		return h.refused(c, back, cordon.FieldErr("user_id", "choose_technician_assign"))
	}
	if _, err := h.svc.Dispatch.AssignJob(c.UserContext(), id, *uid); err != nil {
		return h.refused(c, back, err)
	}
	l := Locale{Lang: language(c)}
	return done(c, back, l.T("assign.done"))
}

// handleJobMove posts a lifecycle move: to is fixed for accept and
// decline, and read from the form for the other moves.
func (h *Handler) handleJobMove(to cordon.JobStatus) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "Job")
		if err != nil {
			return err
		}
		back := "/jobs/" + itoa(id)
		m := cordon.JobMove{To: to, Reason: strings.TrimSpace(c.FormValue("reason"))}
		if to == "" {
			m.To = cordon.JobStatus(c.FormValue("to"))
			if !validStatus(m.To) {
				return cordon.FieldErr("to", "webui.unknown_job_status")
			}
		}
		if len(m.Reason) > 2000 {
			return h.refused(c, back, cordon.FieldErr("reason", "reason_longer_than_2000_characters"))
		}
		j, err := h.svc.Dispatch.MoveJob(c.UserContext(), id, m)
		if err != nil {
			return h.refused(c, back, err)
		}
		if j.Status == cordon.JobDeclined {
			back = "/jobs" // the offer is gone from the partner's hands
		}
		l := Locale{Lang: language(c)}
		return done(c, back, l.T("job.moved", l.Status(j.Status)))
	}
}

// disclosedField returns the value of one disclosed identity field.
func disclosedField(d *cordon.Disclosure, name string) string {
	if d == nil {
		return ""
	}
	if name == "city" {
		return d.City
	}
	if d.Customer == nil {
		return ""
	}
	switch name {
	case "name":
		return d.Customer.Name
	case "unit_designation":
		return d.Customer.UnitDesignation
	case "contact_person":
		return d.Customer.ContactPerson
	case "phone":
		return d.Customer.Phone
	case "site_address":
		return d.Customer.SiteAddress
	}
	return ""
}
