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
	raw := c.Params("id")
	if raw == "" || len(raw) > 18 || strings.TrimLeft(raw, "0123456789") != "" {
		return 0, cordon.ErrNotFound(what)
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, cordon.ErrNotFound(what)
	}
	return id, nil
}

// visiblePartner returns the partner with id if the actor may see it: every
// institute user may; a partner user only its own. Anything else is the
// same 404 as a partner that does not exist.
func (h *Handler) visiblePartner(c *fiber.Ctx, id int64) (*cordon.Org, error) {
	a := cordon.ActorFromContext(c.UserContext())
	if a.IsPartner() && (a.PartnerID != id || !h.inForce(a.PartnerID)) {
		return nil, cordon.Err(cordon.ENOTFOUND, "partner.not_found")
	}
	o, err := h.svc.Orgs.FindOrgByID(c.UserContext(), id)
	if cordon.ErrorCode(err) == cordon.ENOTFOUND || err == nil && o.Kind != cordon.OrgPartner {
		return nil, cordon.Err(cordon.ENOTFOUND, "partner.not_found") // the institute's own id reads like a missing one
	}
	if err != nil {
		return nil, err
	}
	return o, nil
}

func (h *Handler) handlePartnerList(c *fiber.Ctx) error {
	offset, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	kind := cordon.OrgPartner
	f := cordon.OrgFilter{Kind: &kind, Offset: offset, Limit: limit}
	if a := cordon.ActorFromContext(c.UserContext()); a.IsPartner() {
		if !h.inForce(a.PartnerID) {
			return c.JSON(listJSON[partnerJSON]{Items: []partnerJSON{}, Offset: offset, Limit: limit})
		}
		f.ID = &a.PartnerID
	}
	orgs, total, err := h.svc.Orgs.FindOrgs(c.UserContext(), f)
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
	o, err := h.visiblePartner(c, id)
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
	if err := validatePartner(&in.Name, &in.HomeCity, &in.WebhookURL); err != nil {
		return err
	}
	o := &cordon.Org{Code: strings.TrimSpace(in.Code), Name: in.Name, Kind: cordon.OrgPartner,
		HomeCity: in.HomeCity, Contact: in.Contact, WebhookURL: in.WebhookURL}
	if !validCode(o.Code) {
		return cordon.FieldErr("code", "api.code_must_2_32_lower")
	}
	if err := h.svc.Orgs.CreateOrg(c.UserContext(), o); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toPartnerJSON(o))
}

func (h *Handler) handlePartnerUpdate(c *fiber.Ctx) error {
	id, err := idParam(c, "Partner")
	if err != nil {
		return err
	}
	if _, err := h.visiblePartner(c, id); err != nil {
		return err
	}
	var in partnerUpdateJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := validatePartner(in.Name, in.HomeCity, in.WebhookURL); err != nil {
		return err
	}
	o, err := h.svc.Orgs.UpdateOrg(c.UserContext(), id, cordon.OrgUpdate{
		Name: in.Name, HomeCity: in.HomeCity, Contact: in.Contact, WebhookURL: in.WebhookURL,
	})
	if err != nil {
		return err
	}
	return c.JSON(toPartnerJSON(o))
}

func validCode(s string) bool {
	if len(s) < 2 || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// validatePartner checks the fields present (nil means absent).
func validatePartner(name, city, webhook *string) error {
	if name != nil && (strings.TrimSpace(*name) == "" || len(*name) > 200) {
		return cordon.FieldErr("name", "api.name_must_1_200_characters")
	}
	if city != nil && (strings.TrimSpace(*city) == "" || len(*city) > 100) {
		return cordon.FieldErr("home_city", "api.home_city_must_1_100")
	}
	if webhook != nil && *webhook != "" && !strings.HasPrefix(*webhook, "https://") && !strings.HasPrefix(*webhook, "http://") {
		return cordon.FieldErr("webhook_url", "api.webhook_endpoint_must_http_https")
	}
	return nil
}

// inForce reports whether a partner has a contract in force
// (cordon.PartnerInForce): out of force a partner sees nothing.
func (h *Handler) inForce(partnerID int64) bool {
	return cordon.PartnerInForce(h.svc.Scope, partnerID)
}
