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
	ContractNo     string     `json:"contract_no,omitempty"`
	Clause         string     `json:"clause,omitempty"`
}

func toJobJSON(v *cordon.JobView) jobJSON {
	j, r := v.Job, v.Job.Request
	return jobJSON{
		ID: j.ID, Status: string(j.Status), Priority: string(r.Priority), Category: string(r.Category),
		ProductLine: r.ProductLine, SiteCity: r.SiteCity, Customer: v.CustomerRef, Description: r.Description,
		OfferedAt: j.OfferedAt, OfferExpiresAt: j.OfferExpiresAt, AcceptedAt: j.AcceptedAt,
		ResolvedAt: j.ResolvedAt, ClosedAt: j.ClosedAt, InHouse: j.PartnerID == nil,
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
				return cordon.FieldErrorf("status", "Unknown job status %q.", s)
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
