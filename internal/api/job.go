package api

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerJobRoutes(r fiber.Router, h *Handler, g Guards) {
	r.Get("/jobs", g.Authenticated, g.Require(cordon.ResJob, cordon.ActList), h.handleJobList)
	r.Get("/jobs/:id", g.Authenticated, g.Require(cordon.ResJob, cordon.ActView), h.handleJobView)
	r.Get("/jobs/:id/events", g.Authenticated, g.Require(cordon.ResJob, cordon.ActView), h.handleJobEvents)
	r.Post("/jobs/:id/accept", g.Authenticated, g.Require(cordon.ResJob, cordon.ActAccept), h.handleJobMove(cordon.JobAccepted))
	r.Post("/jobs/:id/decline", g.Authenticated, g.Require(cordon.ResJob, cordon.ActDecline), h.handleJobMove(cordon.JobDeclined))
	// Which move a role may make is the lifecycle's to decide; the guard
	// lets through every role with some move on jobs.
	r.Post("/jobs/:id/transition", g.Authenticated, g.RequireAny(cordon.JobMoveRights...), h.handleJobMove(""))
	r.Post("/jobs/:id/assign", g.Authenticated, g.Require(cordon.ResJob, cordon.ActAssign), h.handleJobAssign)
	r.Get("/jobs/:id/customer", g.Authenticated, g.RequireAny(
		[2]string{cordon.ResCustomer, cordon.ActDisclose}, [2]string{cordon.ResCustomer, cordon.ActView}), h.handleJobCustomer)
}

type moveJSON struct {
	To     string `json:"to"`
	Reason string `json:"reason"`
}

// handleJobMove applies a lifecycle move: to is fixed for accept and
// decline, and read from the body for /transition.
func (h *Handler) handleJobMove(to cordon.JobStatus) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "Job")
		if err != nil {
			return err
		}
		var in moveJSON
		if len(c.Body()) > 0 || to == "" {
			if err := decodeJSON(c, &in); err != nil {
				return err
			}
		}
		m := cordon.JobMove{To: to, Reason: in.Reason}
		if to == "" {
			m.To = cordon.JobStatus(in.To)
			if !validJobStatus(m.To) {
				return cordon.FieldErr("to", "unknown_job_status", in.To)
			}
		} else if in.To != "" {
			return cordon.FieldErr("to", "api.route_sets_status_itself_leave")
		}
		if len(m.Reason) > 2000 {
			return cordon.FieldErr("reason", "reason_longer_than_2000_characters")
		}
		if _, err := h.svc.Dispatch.MoveJob(c.UserContext(), id, m); err != nil {
			return err
		}
		v, err := h.svc.Jobs.ViewJob(c.UserContext(), id)
		if err != nil {
			return err
		}
		return c.JSON(toJobJSON(v))
	}
}

type jobEventJSON struct {
	At      time.Time `json:"at"`
	ActorID *int64    `json:"actor_id"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Note    string    `json:"note"`
}

func (h *Handler) handleJobEvents(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	evs, err := h.svc.Dispatch.JobTimeline(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := make([]jobEventJSON, len(evs))
	for i, e := range evs {
		out[i] = jobEventJSON{At: e.At, ActorID: e.ActorID, From: string(e.From), To: string(e.To), Note: e.Note}
	}
	return c.JSON(fiber.Map{"items": out})
}

type disclosureJSON struct {
	Level         string     `json:"level"`
	Fields        []string   `json:"fields"`
	City          string     `json:"city,omitempty"`
	Name          string     `json:"name,omitempty"`
	Unit          string     `json:"unit_designation,omitempty"`
	SiteAddress   string     `json:"site_address,omitempty"`
	ContactPerson string     `json:"contact_person,omitempty"`
	Phone         string     `json:"phone,omitempty"`
	Serial        string     `json:"serial,omitempty"`
	ContractNo    string     `json:"contract_no,omitempty"`
	Clause        string     `json:"clause,omitempty"`
	Until         *time.Time `json:"until,omitempty"`
}

func (h *Handler) handleJobCustomer(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	d, err := h.svc.Dispatch.DiscloseCustomer(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := disclosureJSON{Level: string(d.Level), Fields: d.Fields, City: d.City, Serial: d.Serial, ContractNo: d.ContractNo, Clause: d.Clause, Until: d.Until}
	if d.Customer != nil {
		out.Name, out.Unit, out.SiteAddress = d.Customer.Name, d.Customer.UnitDesignation, d.Customer.SiteAddress
		out.ContactPerson, out.Phone = d.Customer.ContactPerson, d.Customer.Phone
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}

type jobJSON struct {
	ID             int64      `json:"id"`
	Status         string     `json:"status"`
	Priority       string     `json:"priority"`
	Category       string     `json:"category"`
	ProductLine    string     `json:"product_line"`
	SiteCity       string     `json:"site_city"`
	Customer       string     `json:"customer"`
	Description    string     `json:"description"`
	OfferedAt      time.Time  `json:"offered_at"`
	OfferExpiresAt *time.Time `json:"offer_expires_at"`
	AcceptedAt     *time.Time `json:"accepted_at"`
	ResolvedAt     *time.Time `json:"resolved_at"`
	ClosedAt       *time.Time `json:"closed_at"`
	InHouse        bool       `json:"in_house"`
	ChecklistFlags int        `json:"checklist_flags"`
	ContractNo     string     `json:"contract_no,omitempty"`
	Clause         string     `json:"clause,omitempty"`
}

func toJobJSON(v *cordon.JobView) jobJSON {
	j, r := v.Job, v.Job.Request
	return jobJSON{
		ID: j.ID, Status: string(j.Status), Priority: string(r.Priority), Category: string(r.Category),
		ProductLine: r.ProductLine, SiteCity: r.SiteCity, Customer: v.CustomerRef, Description: r.Description,
		OfferedAt: j.OfferedAt, OfferExpiresAt: j.OfferExpiresAt, AcceptedAt: j.AcceptedAt,
		ResolvedAt: j.ResolvedAt, ClosedAt: j.ClosedAt, InHouse: j.PartnerID == nil, ChecklistFlags: j.ChecklistFlags,
		ContractNo: v.ContractNo, Clause: v.Clause,
	}
}

func (h *Handler) handleJobList(c *fiber.Ctx) error {
	offset, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	f := cordon.JobListFilter{Offset: offset, Limit: limit}
	if v := c.Query("status"); v != "" {
		for _, s := range strings.Split(v, ",") {
			st := cordon.JobStatus(strings.TrimSpace(s))
			if !validJobStatus(st) {
				return cordon.FieldErr("status", "unknown_job_status", s)
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	views, total, err := h.svc.Jobs.ListJobs(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := listJSON[jobJSON]{Items: make([]jobJSON, len(views)), Total: total, Offset: offset, Limit: limit}
	for i, v := range views {
		out.Items[i] = toJobJSON(v)
	}
	return c.JSON(out)
}

func (h *Handler) handleJobView(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	v, err := h.svc.Jobs.ViewJob(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toJobJSON(v))
}

func validJobStatus(s cordon.JobStatus) bool {
	for _, x := range cordon.JobStatuses {
		if s == x {
			return true
		}
	}
	return false
}

type assignJSON struct {
	UserID int64 `json:"user_id"`
}

func (h *Handler) handleJobAssign(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	var in assignJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.UserID <= 0 {
		return cordon.FieldErr("user_id", "api.name_technician_user_id")
	}
	if _, err := h.svc.Dispatch.AssignJob(c.UserContext(), id, in.UserID); err != nil {
		return err
	}
	v, err := h.svc.Jobs.ViewJob(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toJobJSON(v))
}
