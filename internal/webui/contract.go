package webui

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerContractPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	r.Get("/contracts", auth, g.Require(cordon.ResContract, cordon.ActList), h.handleContractList)
	r.Get("/contracts/:id", auth, g.Require(cordon.ResContract, cordon.ActView), h.handleContractView)
	for _, action := range contractActions {
		r.Get("/contracts/:id/"+action, auth, g.Require(cordon.ResContract, action), h.handleContractConfirm(action))
		r.Post("/contracts/:id/"+action, h.checkCSRF, auth, g.Require(cordon.ResContract, action), h.handleContractAction(action))
	}
}

// contractActions are the lifecycle actions the page offers, as the API's
// POST /api/v1/contracts/{id}/{action} routes.
var contractActions = []string{cordon.ActActivate, cordon.ActSuspend, cordon.ActTerminate}

type contractRow struct {
	Contract *cordon.Contract
	Partner  string
}

type contractsData struct {
	Rows  []contractRow
	Pages *listPager
}

// partnerNames maps partner ids to names, when the role may list partners.
func (h *Handler) partnerNames(c *fiber.Ctx) (map[int64]string, error) {
	if h.svc.Partners == nil || !h.allow(cordon.ActorFromContext(c.UserContext()), cordon.ResPartner, cordon.ActList) {
		return map[int64]string{}, nil
	}
	return h.partnerLabels(c, func(o *cordon.Org) string { return o.Name })
}

// partnerLabels maps every partner's id to a label of it (its code or
// name); the callers decide who may see them.
func (h *Handler) partnerLabels(c *fiber.Ctx, label func(*cordon.Org) string) (map[int64]string, error) {
	orgs, _, err := h.svc.Partners.FindPartners(c.UserContext(), cordon.OrgFilter{})
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(orgs))
	for _, o := range orgs {
		out[o.ID] = label(o)
	}
	return out, nil
}

// handleContractList lists the contracts, newest first, a page at a time.
func (h *Handler) handleContractList(c *fiber.Ctx) error {
	d := contractsData{Pages: listPagerOf(c, "page")}
	list, total, err := h.svc.Manager.FindContracts(c.UserContext(), cordon.ContractFilter{Offset: d.Pages.Offset(), Limit: d.Pages.Limit()})
	if err != nil {
		return err
	}
	d.Pages.Total = total
	names, err := h.partnerNames(c)
	if err != nil {
		return err
	}
	for _, ct := range list {
		d.Rows = append(d.Rows, contractRow{Contract: ct, Partner: names[ct.PartnerID]})
	}
	return h.render(c, "contracts", "/contracts", "contracts.title", d)
}

// contractSLA is one priority's service levels.
type contractSLA struct {
	Priority                         cordon.Priority
	Accept, Respond, OnSite, Resolve time.Duration
}

type contractData struct {
	Contract  *cordon.Contract
	Partner   string
	SLA       []contractSLA
	MayPolicy bool
	Grants    []string // the compiled scope in words
	Actions   []string // the lifecycle actions the caller may take now
}

// handleContractView shows a contract: its terms, and for the roles that
// may read policy, the grants it compiles to now, in words.
func (h *Handler) handleContractView(c *fiber.Ctx) error {
	d, err := h.contractPage(c)
	if err != nil {
		return err
	}
	return h.render(c, "contract", "/contracts", "contracts.title", d)
}

// contractPage reads the contract the path names and what its page shows.
func (h *Handler) contractPage(c *fiber.Ctx) (contractData, error) {
	id, err := idParam(c, "Contract")
	if err != nil {
		return contractData{}, err
	}
	ct, err := h.svc.Manager.FindContractByID(c.UserContext(), id)
	if err != nil {
		return contractData{}, err
	}
	return h.contractData(c, ct)
}

// contractData is what the contract page and the confirmation of an
// action show: the terms, the grants in words for the roles that may read
// policy, and the actions the caller may take now.
func (h *Handler) contractData(c *fiber.Ctx, ct *cordon.Contract) (contractData, error) {
	ctx := c.UserContext()
	a := cordon.ActorFromContext(ctx)
	names, err := h.partnerNames(c)
	if err != nil {
		return contractData{}, err
	}
	d := contractData{Contract: ct, Partner: names[ct.PartnerID], MayPolicy: h.allow(a, cordon.ResPolicy, cordon.ActView)}
	for p, t := range ct.SLA {
		d.SLA = append(d.SLA, contractSLA{Priority: p, Accept: t.Accept, Respond: t.Respond, OnSite: t.OnSite, Resolve: t.Resolve})
	}
	sort.Slice(d.SLA, func(i, j int) bool { return d.SLA[i].Priority < d.SLA[j].Priority })
	if d.MayPolicy && h.svc.Manager != nil {
		grants, err := h.svc.Manager.ContractGrants(ctx, ct.ID)
		if err != nil {
			return contractData{}, err
		}
		lang := language(c)
		for _, g := range grants {
			d.Grants = append(d.Grants, h.svc.Describe(g, lang))
		}
	}
	if h.svc.ContractActions != nil && h.svc.Manager != nil {
		for _, act := range h.svc.ContractActions(ct.Status) {
			if slices.Contains(contractActions, act) && h.allow(a, cordon.ResContract, act) {
				d.Actions = append(d.Actions, act)
			}
		}
	}
	return d, nil
}

type contractActionData struct {
	contractData
	Action string
	Ends   bool // the action ends the partner's rights
	Open   int  // open jobs under the contract: revoked when the action ends the rights
}

// actionKey is the catalogue key naming a contract action.
func actionKey(action string) string { return "contracts.action." + action }

// endsRights reports whether an action takes the partner's rights away.
func endsRights(action string) bool {
	return action == cordon.ActSuspend || action == cordon.ActTerminate
}

// handleContractConfirm is the confirmation step of a lifecycle action:
// the contract, its compiled scope in words, and what the action will do.
func (h *Handler) handleContractConfirm(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		cd, err := h.contractPage(c)
		if err != nil {
			return err
		}
		ct := cd.Contract
		if !slices.Contains(cd.Actions, action) {
			return h.refused(c, "/contracts/"+itoa(ct.ID), h.errActionUnavailable(action, ct.Status))
		}
		d := contractActionData{contractData: cd, Action: action, Ends: endsRights(action)}
		if d.Ends {
			if d.Open, err = h.svc.Manager.OpenJobsUnder(c.UserContext(), ct.ID); err != nil {
				return err
			}
		}
		return h.render(c, "contract_action", "/contracts", actionKey(action), d)
	}
}

// errActionUnavailable refuses an action the contract's status does not
// allow, in the words of the lifecycle's own refusal (contract.Transition),
// which the API returns.
func (h *Handler) errActionUnavailable(action string, s cordon.ContractStatus) error {
	st := "a " + string(s)
	if strings.ContainsAny(string(s)[:min(1, len(s))], "aeiou") {
		st = "an " + string(s)
	}
	var allowed []string
	if h.svc.ContractActions != nil {
		allowed = h.svc.ContractActions(s)
	}
	if len(allowed) == 0 {
		return cordon.Err(cordon.ECONFLICT, "cannot_contract_has_ended_allows", action, st)
	}
	return cordon.Err(cordon.ECONFLICT, "cannot_contract_allowed", action, st, strings.Join(allowed, ", "))
}

// handleContractAction takes the action through ContractManager.ChangeContractStatus,
// as POST /api/v1/contracts/{id}/{action}, and says what it did: the new
// status and the jobs revoked.
func (h *Handler) handleContractAction(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "Contract")
		if err != nil {
			return err
		}
		back := "/contracts/" + itoa(id)
		if c.FormValue("confirm") != "yes" {
			return h.refused(c, back+"/"+action, errNotConfirm)
		}
		ctx := c.UserContext()
		before, err := h.svc.Manager.FindContractByID(ctx, id)
		if err != nil {
			return err
		}
		open := 0
		if endsRights(action) {
			if open, err = h.svc.Manager.OpenJobsUnder(ctx, before.ID); err != nil {
				return err
			}
		}
		ct, err := h.svc.Manager.ChangeContractStatus(ctx, id, action)
		if err != nil {
			return h.refused(c, back, err)
		}
		revoked := 0
		if endsRights(action) {
			left, err := h.svc.Manager.OpenJobsUnder(c.UserContext(), ct.ID)
			if err != nil {
				return err
			}
			revoked = open - left
		}
		l := Locale{Lang: language(c)}
		msg := l.T("contracts.action.done", ct.Number, l.ContractStatus(ct.Status))
		if endsRights(action) {
			msg += " " + l.T("contracts.action.revoked", revoked)
		}
		return done(c, back, msg)
	}
}

// Duration formats an SLA limit in hours and minutes.
func (l Locale) Duration(d time.Duration) string {
	h, m := int(d.Hours()), int(d.Minutes())%60
	if l.Lang == langEN {
		switch {
		case m == 0:
			return itoa(int64(h)) + " h"
		case h == 0:
			return itoa(int64(m)) + " min"
		}
		return itoa(int64(h)) + " h " + itoa(int64(m)) + " min"
	}
	switch {
	case m == 0:
		return itoa(int64(h)) + " 小时"
	case h == 0:
		return itoa(int64(m)) + " 分钟"
	}
	return itoa(int64(h)) + " 小时 " + itoa(int64(m)) + " 分钟"
}
