package webui

import (
	"sort"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerContractPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	r.Get("/contracts", auth, g.Require(cordon.ResContract, cordon.ActList), h.handleContractList)
	r.Get("/contracts/:id", auth, g.Require(cordon.ResContract, cordon.ActView), h.handleContractView)
}

type contractRow struct {
	Contract *cordon.Contract
	Partner  string
}

type contractsData struct {
	Rows []contractRow
}

// partnerNames maps partner ids to names, when the role may list partners.
func (h *Handler) partnerNames(c *fiber.Ctx) (map[int64]string, error) {
	out := map[int64]string{}
	if h.svc.Orgs == nil || !h.allow(cordon.ActorFromContext(c.UserContext()), cordon.ResPartner, cordon.ActList) {
		return out, nil
	}
	kind := cordon.OrgPartner
	orgs, _, err := h.svc.Orgs.FindOrgs(c.UserContext(), cordon.OrgFilter{Kind: &kind})
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		out[o.ID] = o.Name
	}
	return out, nil
}

// handleContractList lists the contracts, newest first.
func (h *Handler) handleContractList(c *fiber.Ctx) error {
	list, _, err := h.svc.Contracts.FindContracts(c.UserContext(), cordon.ContractFilter{Limit: 200})
	if err != nil {
		return err
	}
	names, err := h.partnerNames(c)
	if err != nil {
		return err
	}
	d := contractsData{}
	for _, ct := range list {
		d.Rows = append(d.Rows, contractRow{Contract: ct, Partner: names[ct.PartnerID]})
	}
	return h.render(c, "contracts", "/contracts", "contracts.title", d)
}

// slaRow is one priority's service levels.
type slaRow struct {
	Priority                         cordon.Priority
	Accept, Respond, OnSite, Resolve time.Duration
}

type contractData struct {
	Contract  *cordon.Contract
	Partner   string
	SLA       []slaRow
	MayPolicy bool
	Grants    []string // the compiled scope in words
}

// handleContractView shows a contract: its terms, and for the roles that
// may read policy, the grants it compiles to now, in words.
func (h *Handler) handleContractView(c *fiber.Ctx) error {
	id, err := idParam(c, "Contract")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	ct, err := h.svc.Contracts.FindContractByID(ctx, id)
	if err != nil {
		return err
	}
	names, err := h.partnerNames(c)
	if err != nil {
		return err
	}
	d := contractData{Contract: ct, Partner: names[ct.PartnerID],
		MayPolicy: h.allow(cordon.ActorFromContext(ctx), cordon.ResPolicy, cordon.ActView)}
	for p, t := range ct.SLA {
		d.SLA = append(d.SLA, slaRow{Priority: p, Accept: t.Accept, Respond: t.Respond, OnSite: t.OnSite, Resolve: t.Resolve})
	}
	sort.Slice(d.SLA, func(i, j int) bool { return d.SLA[i].Priority < d.SLA[j].Priority })
	if d.MayPolicy && h.svc.Manager != nil {
		grants, err := h.svc.Manager.ContractGrants(ctx, id)
		if err != nil {
			return err
		}
		lang := language(c)
		for _, g := range grants {
			d.Grants = append(d.Grants, h.svc.Describe(g, lang))
		}
	}
	return h.render(c, "contract", "/contracts", "contracts.title", d)
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
