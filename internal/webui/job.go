package webui

import (
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
	r.Post("/jobs/:id/move", h.checkCSRF, auth, g.RequireAny(moveRights...), h.handleJobMove(""))
}

// moveRights are the rights of the API's /transition route: a role with
// any of them may ask for a move, and the lifecycle decides which.
var moveRights = [][2]string{
	{cordon.ResJob, cordon.ActUpdate}, {cordon.ResJob, cordon.ActVerify},
	{cordon.ResJob, cordon.ActClose}, {cordon.ResJob, cordon.ActReopen},
}

// jobListLimit is how many jobs a list page shows.
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
}

// partnerCodes maps partner ids to codes for institute users.
func (h *Handler) partnerCodes(c *fiber.Ctx) (map[int64]string, error) {
	a := cordon.ActorFromContext(c.UserContext())
	out := map[int64]string{}
	if a.IsPartner() || h.svc.Orgs == nil {
		return out, nil
	}
	kind := cordon.OrgPartner
	orgs, _, err := h.svc.Orgs.FindOrgs(c.UserContext(), cordon.OrgFilter{Kind: &kind})
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		out[o.ID] = o.Code
	}
	return out, nil
}

// handleJobList is a partner's inbox (offers with their deadlines, jobs in
// progress, jobs done) or, for institute users, every job with a status
// filter.
func (h *Handler) handleJobList(c *fiber.Ctx) error {
	a := cordon.ActorFromContext(c.UserContext())
	d := jobListData{Partner: a.IsPartner(), States: cordon.JobStatuses}
	f := cordon.JobListFilter{Limit: jobListLimit}
	if !d.Partner {
		if v := c.Query("status"); v != "" {
			st := cordon.JobStatus(v)
			if !validStatus(st) {
				return cordon.FieldErrorf("status", "Unknown job status.")
			}
			d.Status, f.Statuses = v, []cordon.JobStatus{st}
		}
	}
	views, total, err := h.svc.Jobs.ListJobs(c.UserContext(), f)
	if err != nil {
		return err
	}
	codes, err := h.partnerCodes(c)
	if err != nil {
		return err
	}
	d.Total = total
	for _, v := range views {
		row := jobRow{View: v}
		if v.Job.PartnerID != nil {
			row.Partner = codes[*v.Job.PartnerID]
		}
		if !d.Partner {
			d.All = append(d.All, row)
			continue
		}
		switch v.Job.Status {
		case cordon.JobOffered:
			d.Offers = append(d.Offers, row)
		case cordon.JobResolved, cordon.JobVerified, cordon.JobClosed:
			d.Done = append(d.Done, row)
		case cordon.JobDeclined, cordon.JobExpired, cordon.JobRevoked:
			d.Ended = append(d.Ended, row)
		default:
			d.Active = append(d.Active, row)
		}
	}
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
}

// disclosable are the statuses in which a partner may have a customer's
// details disclosed (from acceptance until the grace after resolution);
// the page does not ask in the others, so as not to fill the access log
// with refusals.
var disclosable = map[cordon.JobStatus]bool{
	cordon.JobAccepted: true, cordon.JobEnRoute: true, cordon.JobOnSite: true, cordon.JobWaitingCustomer: true,
	cordon.JobWaitingParts: true, cordon.JobReopened: true, cordon.JobResolved: true, cordon.JobVerified: true, cordon.JobClosed: true,
}

// handleJobView is the job page: the job with its pseudonymous customer,
// what the contract discloses of the customer now, the timeline, and a
// button for each move the caller may make now.
func (h *Handler) handleJobView(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	a := cordon.ActorFromContext(ctx)
	v, err := h.svc.Jobs.ViewJob(ctx, id)
	if err != nil {
		return err
	}
	d := jobData{View: v}
	if d.Timeline, err = h.svc.Dispatch.JobTimeline(ctx, id); err != nil {
		return err
	}
	if v.Job.PartnerID != nil && !a.IsPartner() {
		codes, err := h.partnerCodes(c)
		if err != nil {
			return err
		}
		d.Partner = codes[*v.Job.PartnerID]
	}
	mayDisclose := h.allow(a, cordon.ResCustomer, cordon.ActDisclose) || h.allow(a, cordon.ResCustomer, cordon.ActView)
	if mayDisclose && (!a.IsPartner() || disclosable[v.Job.Status]) {
		disc, err := h.svc.Dispatch.DiscloseCustomer(ctx, id)
		switch cordon.ErrorCode(err) {
		case "":
			d.Disclosure = disc
		case cordon.ENOTFOUND:
		default:
			return err
		}
	}
	moves, err := h.svc.Dispatch.AllowedMoves(ctx, id)
	if err != nil {
		return err
	}
	mayMove := false
	for _, p := range moveRights {
		mayMove = mayMove || h.allow(a, p[0], p[1])
	}
	for _, to := range moves {
		switch {
		case to == cordon.JobAccepted:
			d.Accept = h.allow(a, cordon.ResJob, cordon.ActAccept)
		case to == cordon.JobDeclined:
			d.Decline = h.allow(a, cordon.ResJob, cordon.ActDecline)
		case mayMove:
			d.Moves = append(d.Moves, to)
			d.NeedReason = d.NeedReason || to == cordon.JobReopened
		}
	}
	d.NeedReason = d.NeedReason || d.Decline
	return h.render(c, "job", "/jobs", "job.details", d)
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
				return cordon.FieldErrorf("to", "Unknown job status.")
			}
		}
		if len(m.Reason) > 2000 {
			return h.refused(c, back, cordon.FieldErrorf("reason", "The reason is longer than 2000 characters."))
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
