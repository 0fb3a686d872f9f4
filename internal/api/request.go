package api

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerRequestRoutes(r fiber.Router, h *Handler, g Guards) {
	r.Post("/requests", g.Authenticated, g.Require(cordon.ResRequest, cordon.ActCreate), h.handleRequestCreate)
	r.Get("/requests", g.Authenticated, g.Require(cordon.ResRequest, cordon.ActList), h.handleRequestList)
	r.Get("/requests/:id", g.Authenticated, g.Require(cordon.ResRequest, cordon.ActView), h.handleRequestView)
	r.Get("/requests/:id/candidates", g.Authenticated, g.Require(cordon.ResRequest, cordon.ActDispatch), h.handleRequestCandidates)
	r.Post("/requests/:id/dispatch", g.Authenticated, g.Require(cordon.ResRequest, cordon.ActDispatch), h.handleRequestDispatch)
}

type requestCreateJSON struct {
	UnitID      *int64 `json:"unit_id"`
	CustomerID  *int64 `json:"customer_id"`
	ModelID     *int64 `json:"model_id"`
	Category    string `json:"category"`
	Priority    string `json:"priority"`
	Description string `json:"description"`
	SiteCity    string `json:"site_city"`
	// Override keeps a description that screening refused, for this
	// reason (logged).
	Override string `json:"override"`
}

type requestJSON struct {
	ID          int64     `json:"id"`
	UnitID      *int64    `json:"unit_id"`
	CustomerID  int64     `json:"customer_id"`
	ModelID     *int64    `json:"model_id"`
	ProductLine string    `json:"product_line"`
	Category    string    `json:"category"`
	Priority    string    `json:"priority"`
	Description string    `json:"description"`
	SiteCity    string    `json:"site_city"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
}

func toRequestJSON(r *cordon.ServiceRequest) requestJSON {
	return requestJSON{ID: r.ID, UnitID: r.UnitID, CustomerID: r.CustomerID, ModelID: r.ModelID, ProductLine: r.ProductLine,
		Category: string(r.Category), Priority: string(r.Priority), Description: r.Description, SiteCity: r.SiteCity,
		Status: string(r.Status), CreatedAt: r.CreatedAt}
}

func (h *Handler) handleRequestCreate(c *fiber.Ctx) error {
	var in requestCreateJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	r, err := h.svc.Dispatch.CreateRequest(c.UserContext(), cordon.Intake{
		UnitID: in.UnitID, CustomerID: in.CustomerID, ModelID: in.ModelID, Category: cordon.Category(in.Category),
		Priority: cordon.Priority(in.Priority), Description: in.Description, SiteCity: in.SiteCity,
		Override: in.Override,
	})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toRequestJSON(r))
}

func (h *Handler) handleRequestList(c *fiber.Ctx) error {
	offset, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	f := cordon.RequestFilter{Offset: offset, Limit: limit}
	if v := c.Query("status"); v != "" {
		for _, s := range strings.Split(v, ",") {
			st := cordon.RequestStatus(strings.TrimSpace(s))
			switch st {
			case cordon.RequestOpen, cordon.RequestDispatched, cordon.RequestClosed, cordon.RequestCancelled:
			default:
				return cordon.FieldErr("status", "status_must_open_dispatched_closed")
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	list, total, err := h.svc.Dispatch.FindRequests(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := listJSON[requestJSON]{Items: make([]requestJSON, len(list)), Total: total, Offset: offset, Limit: limit}
	for i, r := range list {
		out.Items[i] = toRequestJSON(r)
	}
	return c.JSON(out)
}

func (h *Handler) handleRequestView(c *fiber.Ctx) error {
	id, err := idParam(c, "Service request")
	if err != nil {
		return err
	}
	r, err := h.svc.Dispatch.FindRequestByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toRequestJSON(r))
}

type candidateJSON struct {
	PartnerID   int64  `json:"partner_id"`
	PartnerCode string `json:"partner_code"`
	HomeCity    string `json:"home_city"`
	ContractNo  string `json:"contract_no"`
	Clause      string `json:"clause"`
	// Score is the partner's scorecard score over the last 90 days, by
	// which equally placed candidates are ranked; null when it has none.
	Score    *float64 `json:"score"`
	OpenJobs int      `json:"open_jobs"`
	InHouse  bool     `json:"in_house"`
}

func (h *Handler) handleRequestCandidates(c *fiber.Ctx) error {
	id, err := idParam(c, "Service request")
	if err != nil {
		return err
	}
	cands, err := h.svc.Dispatch.Candidates(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := make([]candidateJSON, len(cands))
	for i, x := range cands {
		out[i] = candidateJSON{PartnerID: x.PartnerID, PartnerCode: x.PartnerCode, HomeCity: x.HomeCity,
			ContractNo: x.ContractNo, Clause: x.Clause, OpenJobs: x.OpenJobs, InHouse: x.InHouse}
		if x.Scored() {
			out[i].Score = &x.Score
		}
	}
	return c.JSON(fiber.Map{"items": out})
}

type dispatchJSON struct {
	PartnerID *int64 `json:"partner_id"`
	To        string `json:"to"` // "partner" (with partner_id), "in_house" or "auto"
}

func (h *Handler) handleRequestDispatch(c *fiber.Ctx) error {
	id, err := idParam(c, "Service request")
	if err != nil {
		return err
	}
	var in dispatchJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	var t cordon.DispatchTarget
	switch in.To {
	case "auto":
		t.Auto = true
	case "in_house":
		t.InHouse = true
	case "partner", "":
		if in.PartnerID == nil {
			return cordon.FieldErr("partner_id", "api.name_partner_dispatch_house_auto")
		}
		t.PartnerID = *in.PartnerID
	default:
		return cordon.FieldErr("to", "api.must_partner_house_auto")
	}
	j, err := h.svc.Dispatch.Dispatch(c.UserContext(), id, t)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toJobJSON(&cordon.JobView{Job: j, CustomerRef: "customer:" + itoa(j.Request.CustomerID)}))
}
