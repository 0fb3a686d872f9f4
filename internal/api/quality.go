package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerQualityRoutes(r fiber.Router, h *Handler, g Guards) {
	r.Get("/quality/root-causes", g.Authenticated, g.Require(cordon.ResQuality, cordon.ActView), h.handleRootCauses)
	r.Get("/quality/campaigns", g.Authenticated, g.Require(cordon.ResCampaign, cordon.ActList), h.handleCampaignList)
	r.Post("/quality/campaigns", g.Authenticated, g.Require(cordon.ResCampaign, cordon.ActCreate), h.handleCampaignCreate)
	r.Get("/quality/campaigns/:id", g.Authenticated, g.Require(cordon.ResCampaign, cordon.ActView), h.handleCampaignView)
}

type rootCauseJSON struct {
	Cause       string `json:"cause"`
	ProductLine string `json:"product_line"`
	ModelID     int64  `json:"model_id"`
	Model       string `json:"model"`
	Batch       string `json:"batch"`
	Month       string `json:"month"`
	Count       int    `json:"count"`
}

func (h *Handler) handleRootCauses(c *fiber.Ctx) error {
	var f cordon.RootCauseFilter
	if v := c.Query("product_line"); v != "" {
		f.ProductLine = &v
	}
	if v := c.Query("model"); v != "" {
		id, err := queryID(v, "model")
		if err != nil {
			return err
		}
		f.ModelID = &id
	}
	for name, dst := range map[string]**time.Time{"from": &f.From, "to": &f.To} {
		if v := c.Query(name); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				return cordon.FieldErr(name, "api.must_date_like_2026_07", name)
			}
			*dst = &t
		}
	}
	counts, err := h.svc.Quality.RootCauses(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := make([]rootCauseJSON, len(counts))
	for i, x := range counts {
		out[i] = rootCauseJSON{Cause: string(x.Cause), ProductLine: x.ProductLine, ModelID: x.ModelID, Model: x.Model,
			Batch: x.Batch, Month: x.Month, Count: x.Count}
	}
	return c.JSON(fiber.Map{"items": out})
}

type campaignCreateJSON struct {
	Title       string `json:"title"`
	RootCause   string `json:"root_cause"`
	ModelID     int64  `json:"model_id"`
	Batch       string `json:"batch"`
	Description string `json:"description"`
	Priority    string `json:"priority"`
}

type campaignJSON struct {
	ID          int64          `json:"id"`
	Title       string         `json:"title"`
	RootCause   string         `json:"root_cause"`
	ModelID     int64          `json:"model_id"`
	Batch       string         `json:"batch"`
	Description string         `json:"description"`
	Priority    string         `json:"priority"`
	CreatedAt   time.Time      `json:"created_at"`
	Requests    map[string]int `json:"requests,omitempty"`
	Jobs        map[string]int `json:"jobs,omitempty"`
}

func toCampaignJSON(c *cordon.Campaign, p *cordon.CampaignProgress) campaignJSON {
	out := campaignJSON{ID: c.ID, Title: c.Title, RootCause: string(c.RootCause), ModelID: c.ModelID, Batch: c.Batch,
		Description: c.Description, Priority: string(c.Priority), CreatedAt: c.CreatedAt}
	if p != nil {
		out.Requests, out.Jobs = map[string]int{}, map[string]int{}
		for k, v := range p.Requests {
			out.Requests[string(k)] = v
		}
		for k, v := range p.Jobs {
			out.Jobs[string(k)] = v
		}
	}
	return out
}

func (h *Handler) handleCampaignList(c *fiber.Ctx) error {
	list, err := h.svc.Quality.FindCampaigns(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]campaignJSON, len(list))
	for i, x := range list {
		out[i] = toCampaignJSON(x, nil)
	}
	return c.JSON(fiber.Map{"items": out})
}

func (h *Handler) handleCampaignCreate(c *fiber.Ctx) error {
	var in campaignCreateJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := h.svc.Quality.StartCampaign(c.UserContext(), &cordon.Campaign{Title: in.Title, RootCause: cordon.RootCause(in.RootCause),
		ModelID: in.ModelID, Batch: in.Batch, Description: in.Description, Priority: cordon.Priority(in.Priority)})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toCampaignJSON(p.Campaign, p))
}

func (h *Handler) handleCampaignView(c *fiber.Ctx) error {
	id, err := idParam(c, "Campaign")
	if err != nil {
		return err
	}
	p, err := h.svc.Quality.CampaignProgress(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toCampaignJSON(p.Campaign, p))
}
