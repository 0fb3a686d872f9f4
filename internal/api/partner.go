package api

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerPartnerRoutes(r fiber.Router, h *Handler, g Guards) {
	r.Get("/partners", g.Authenticated, g.Require(cordon.ResPartner, cordon.ActList), h.handlePartnerList)
	r.Post("/partners", g.Authenticated, g.Require(cordon.ResPartner, cordon.ActCreate), h.handlePartnerCreate)
	r.Get("/partners/:id", g.Authenticated, g.Require(cordon.ResPartner, cordon.ActView), h.handlePartnerView)
	r.Patch("/partners/:id", g.Authenticated, g.Require(cordon.ResPartner, cordon.ActUpdate), h.handlePartnerUpdate)
}

type partnerJSON struct {
	ID         int64  `json:"id"`
	Code       string `json:"code"`
	Name       string `json:"name"`
	HomeCity   string `json:"home_city"`
	Contact    string `json:"contact"`
	WebhookURL string `json:"webhook_url"`
}

func toPartnerJSON(o *cordon.Org) partnerJSON {
	return partnerJSON{ID: o.ID, Code: o.Code, Name: o.Name, HomeCity: o.HomeCity, Contact: o.Contact, WebhookURL: o.WebhookURL}
}

type partnerCreateJSON struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	HomeCity   string `json:"home_city"`
	Contact    string `json:"contact"`
	WebhookURL string `json:"webhook_url"`
}

type partnerUpdateJSON struct {
	Name       *string `json:"name"`
	HomeCity   *string `json:"home_city"`
	Contact    *string `json:"contact"`
	WebhookURL *string `json:"webhook_url"`
}

type listJSON[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

// pageParams reads offset and limit, clamping the limit to 1..200.
func pageParams(c *fiber.Ctx) (offset, limit int, err error) {
	offset, limit = 0, 50
	if v := c.Query("offset"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 0 || n > 1_000_000 {
			return 0, 0, cordon.FieldErr("offset", "api.offset_must_number_from_0")
		}
		offset = n
	}
	if v := c.Query("limit"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 {
			return 0, 0, cordon.FieldErr("limit", "api.limit_must_positive_number")
		}
		limit = min(n, 200)
	}
	return offset, limit, nil
}

// idParam reads a positive numeric id from the path. Anything else is
// answered like a record that does not exist.
func idParam(c *fiber.Ctx, what string) (int64, error) {
	return idParamNamed(c, "id", what)
}

// idParamNamed reads a positive id from the route parameter name; anything
// else is the record's 404.
func idParamNamed(c *fiber.Ctx, name, what string) (int64, error) {
	raw := c.Params(name)
	if raw == "" || len(raw) > 18 || strings.TrimLeft(raw, "0123456789") != "" {
		return 0, cordon.ErrNotFound(what)
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, cordon.ErrNotFound(what)
	}
	return id, nil
}

func (h *Handler) handlePartnerList(c *fiber.Ctx) error {
	offset, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	orgs, total, err := h.svc.Partners.FindPartners(c.UserContext(), cordon.OrgFilter{Offset: offset, Limit: limit})
	if err != nil {
		return err
	}
	out := listJSON[partnerJSON]{Items: make([]partnerJSON, len(orgs)), Total: total, Offset: offset, Limit: limit}
	for i, o := range orgs {
		out.Items[i] = toPartnerJSON(o)
	}
	return c.JSON(out)
}

func (h *Handler) handlePartnerView(c *fiber.Ctx) error {
	id, err := idParam(c, "Partner")
	if err != nil {
		return err
	}
	o, err := h.svc.Partners.FindPartnerByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toPartnerJSON(o))
}

func (h *Handler) handlePartnerCreate(c *fiber.Ctx) error {
	var in partnerCreateJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	o := &cordon.Org{Code: in.Code, Name: in.Name, HomeCity: in.HomeCity, Contact: in.Contact, WebhookURL: in.WebhookURL}
	if err := h.svc.Partners.CreatePartner(c.UserContext(), o); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toPartnerJSON(o))
}

func (h *Handler) handlePartnerUpdate(c *fiber.Ctx) error {
	id, err := idParam(c, "Partner")
	if err != nil {
		return err
	}
	var in partnerUpdateJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	o, err := h.svc.Partners.UpdatePartner(c.UserContext(), id, cordon.OrgUpdate{
		Name: in.Name, HomeCity: in.HomeCity, Contact: in.Contact, WebhookURL: in.WebhookURL,
	})
	if err != nil {
		return err
	}
	return c.JSON(toPartnerJSON(o))
}
