package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerPolicyRoutes(r fiber.Router, h *Handler, g Guards) {
	r.Get("/policy/explain", g.Authenticated, g.Require(cordon.ResPolicy, cordon.ActExplain), h.handlePolicyExplain)
}

type explanationJSON struct {
	Allowed    bool   `json:"allowed"`
	Layer      string `json:"layer"`
	Reason     string `json:"reason"`
	ContractNo string `json:"contract_no,omitempty"`
	Clause     string `json:"clause,omitempty"`
}

func (h *Handler) handlePolicyExplain(c *fiber.Ctx) error {
	user, action, resource := c.Query("user"), c.Query("action"), c.Query("resource")
	for name, v := range map[string]string{"user": user, "action": action, "resource": resource} {
		if v == "" || len(v) > 128 {
			return cordon.FieldErr(name, "api.required_most_128_characters", name)
		}
	}
	e, err := h.svc.Explainer.Explain(c.UserContext(), user, action, resource)
	if err != nil {
		return err
	}
	return c.JSON(explanationJSON{Allowed: e.Allowed, Layer: e.Layer, Reason: e.Reason, ContractNo: e.ContractNo, Clause: e.Clause})
}
