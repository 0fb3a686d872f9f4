package api

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/contract"
	"github.com/cordon/cordon/internal/cordon"
)

func registerContractRoutes(r fiber.Router, h *Handler, g Guards) {
	r.Get("/contracts", g.Authenticated, g.Require(cordon.ResContract, cordon.ActList), h.handleContractList)
	r.Post("/contracts", g.Authenticated, g.Require(cordon.ResContract, cordon.ActCreate), h.handleContractCreate)
	r.Get("/contracts/:id", g.Authenticated, g.Require(cordon.ResContract, cordon.ActView), h.handleContractView)
	for _, action := range []string{cordon.ActActivate, cordon.ActSuspend, cordon.ActTerminate} {
		r.Post("/contracts/:id/"+action, g.Authenticated, g.Require(cordon.ResContract, action), h.handleContractAction(action))
	}
	r.Get("/contracts/:id/policy", g.Authenticated, g.Require(cordon.ResPolicy, cordon.ActView), h.handleContractPolicy)
}

type slaJSON struct {
	Accept  string `json:"accept"`
	Respond string `json:"respond"`
	OnSite  string `json:"on_site"`
	Resolve string `json:"resolve"`
}

type scopeJSON struct {
	Cities               []string `json:"cities"`
	ProductLines         []string `json:"product_lines"`
	ServiceTypes         []string `json:"service_types"`
	DocumentCeiling      string   `json:"document_ceiling"`
	Disclosure           string   `json:"disclosure"`
	DisclosureGraceHours int      `json:"disclosure_grace_hours"`
}

type contractJSON struct {
	ID        int64              `json:"id"`
	Number    string             `json:"number"`
	PartnerID int64              `json:"partner_id"`
	Effective string             `json:"effective"`
	Expires   string             `json:"expires"`
	Status    string             `json:"status"`
	Scope     scopeJSON          `json:"scope"`
	SLA       map[string]slaJSON `json:"sla"`
	Clauses   map[string]string  `json:"clauses"`
	Actions   []string           `json:"actions"`
	CreatedAt time.Time          `json:"created_at"`
	UpdatedAt time.Time          `json:"updated_at"`
}

func toContractJSON(c *cordon.Contract) contractJSON {
	out := contractJSON{
		ID: c.ID, Number: c.Number, PartnerID: c.PartnerID,
		Effective: contract.Date(c.EffectiveFrom), Expires: contract.Date(c.ExpiresOn),
		Status: string(c.Status), SLA: map[string]slaJSON{}, Clauses: map[string]string{},
		Actions: contract.Actions(c.Status), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		Scope: scopeJSON{
			Cities: nonNil(c.Scope.Cities), ProductLines: nonNil(c.Scope.ProductLines),
			DocumentCeiling: string(c.Scope.DocumentCeiling), Disclosure: string(c.Scope.Disclosure),
			DisclosureGraceHours: c.Scope.DisclosureGraceHours, ServiceTypes: []string{},
		},
	}
	if out.Actions == nil {
		out.Actions = []string{}
	}
	for _, t := range c.Scope.ServiceTypes {
		out.Scope.ServiceTypes = append(out.Scope.ServiceTypes, string(t))
	}
	for p, t := range c.SLA {
		out.SLA[string(p)] = slaJSON{Accept: t.Accept.String(), Respond: t.Respond.String(), OnSite: t.OnSite.String(), Resolve: t.Resolve.String()}
	}
	for k, v := range c.Clauses {
		out.Clauses[k] = v
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (h *Handler) handleContractList(c *fiber.Ctx) error {
	offset, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	f := cordon.ContractFilter{Offset: offset, Limit: limit}
	if v := c.Query("partner_id"); v != "" {
		id, err := queryID(v, "partner_id")
		if err != nil {
			return err
		}
		f.PartnerID = &id
	}
	if v := c.Query("status"); v != "" {
		st := cordon.ContractStatus(v)
		switch st {
		case cordon.ContractDraft, cordon.ContractActive, cordon.ContractSuspended, cordon.ContractTerminated, cordon.ContractExpired:
		default:
			return cordon.FieldErr("status", "status_must_draft_active_suspended")
		}
		f.Status = &st
	}
	list, total, err := h.svc.Manager.FindContracts(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := listJSON[contractJSON]{Items: make([]contractJSON, len(list)), Total: total, Offset: offset, Limit: limit}
	for i, ct := range list {
		out.Items[i] = toContractJSON(ct)
	}
	return c.JSON(out)
}

// handleContractCreate takes a contract in its source form (YAML, or the
// same document as JSON) and stores it as a draft; a draft with the same
// number is replaced (200), otherwise one is created (201).
func (h *Handler) handleContractCreate(c *fiber.Ctx) error {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(c.Get(fiber.HeaderContentType), ";", 2)[0]))
	switch ct {
	case fiber.MIMEApplicationJSON, "application/yaml", "application/x-yaml", "text/yaml":
	default:
		return cordon.Err(cordon.EINVALID, "api.send_contract_application_yaml_application")
	}
	created, isNew, err := h.svc.Manager.ImportContract(c.UserContext(), "contract", c.Body())
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if isNew {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(toContractJSON(created))
}

func (h *Handler) handleContractView(c *fiber.Ctx) error {
	id, err := idParam(c, "Contract")
	if err != nil {
		return err
	}
	ct, err := h.svc.Manager.FindContractByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toContractJSON(ct))
}

func (h *Handler) handleContractAction(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "Contract")
		if err != nil {
			return err
		}
		ct, err := h.svc.Manager.ChangeContractStatus(c.UserContext(), id, action)
		if err != nil {
			return err
		}
		return c.JSON(toContractJSON(ct))
	}
}

type grantJSON struct {
	ContractNo   string   `json:"contract_no"`
	Clause       string   `json:"clause"`
	Resource     string   `json:"resource"`
	Action       string   `json:"action"`
	Cities       []string `json:"cities"`
	ProductLines []string `json:"product_lines"`
	ServiceTypes []string `json:"service_types"`
	Ceiling      string   `json:"ceiling,omitempty"`
	Disclosure   string   `json:"disclosure,omitempty"`
	Description  string   `json:"description"`
}

type policyJSON struct {
	ContractID int64       `json:"contract_id"`
	Number     string      `json:"number"`
	InForce    bool        `json:"in_force"`
	Rows       []grantJSON `json:"rows"`
}

func toGrantJSON(g cordon.Grant, lang string) grantJSON {
	out := grantJSON{
		ContractNo: g.ContractNo, Clause: g.Clause, Resource: g.Resource, Action: g.Action,
		Cities: nonNil(g.Cities), ProductLines: nonNil(g.ProductLines), ServiceTypes: []string{},
		Ceiling: string(g.Ceiling), Disclosure: string(g.Disclosure), Description: contract.Describe(g, lang),
	}
	for _, t := range g.ServiceTypes {
		out.ServiceTypes = append(out.ServiceTypes, string(t))
	}
	return out
}

// language picks zh-CN unless the caller asks for English.
func language(c *fiber.Ctx) string {
	if l := c.Query("lang"); l != "" {
		if strings.HasPrefix(strings.ToLower(l), "en") {
			return "en"
		}
		return "zh-CN"
	}
	if strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderAcceptLanguage)), "en") {
		return "en"
	}
	return "zh-CN"
}

func (h *Handler) handleContractPolicy(c *fiber.Ctx) error {
	id, err := idParam(c, "Contract")
	if err != nil {
		return err
	}
	ct, err := h.svc.Manager.FindContractByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	grants, err := h.svc.Manager.ContractGrants(c.UserContext(), id)
	if err != nil {
		return err
	}
	lang := language(c)
	out := policyJSON{ContractID: ct.ID, Number: ct.Number, InForce: len(grants) > 0, Rows: make([]grantJSON, len(grants))}
	for i, g := range grants {
		out.Rows[i] = toGrantJSON(g, lang)
	}
	return c.JSON(out)
}

// queryID reads a positive id from a query parameter.
func queryID(v, field string) (int64, error) {
	if v == "" || len(v) > 18 || strings.TrimLeft(v, "0123456789") != "" {
		return 0, cordon.FieldErr(field, "api.must_positive_number", field)
	}
	var n int64
	for _, r := range v {
		n = n*10 + int64(r-'0')
	}
	if n <= 0 {
		return 0, cordon.FieldErr(field, "api.must_positive_number", field)
	}
	return n, nil
}
