package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerSLARoutes(r fiber.Router, h *Handler, g Guards) {
	r.Get("/sla/jobs", g.Authenticated, g.Require(cordon.ResSLA, cordon.ActList), h.handleSLAJobs)
	r.Get("/jobs/:id/sla", g.Authenticated, g.Require(cordon.ResJob, cordon.ActView), h.handleJobSLA)
}

type clockJSON struct {
	Name     string    `json:"name"`
	Limit    string    `json:"limit"`
	Used     string    `json:"used"`
	Due      time.Time `json:"due"`
	Paused   bool      `json:"paused"`
	Met      bool      `json:"met"`
	Breached bool      `json:"breached"`
	AtRisk   bool      `json:"at_risk"`
}

func toClocksJSON(cs []cordon.SLAClock) []clockJSON {
	out := make([]clockJSON, len(cs))
	for i, c := range cs {
		out[i] = clockJSON{Name: c.Name, Limit: c.Limit.String(), Used: c.Used.Round(time.Second).String(), Due: c.Due,
			Paused: c.Paused, Met: c.Met, Breached: c.Breached, AtRisk: c.AtRisk}
	}
	return out
}

// handleJobSLA shows a job's clocks to whoever may see the job: the
// partner that holds it, and the institute.
func (h *Handler) handleJobSLA(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	v, err := h.svc.Jobs.ViewJob(c.UserContext(), id)
	if err != nil {
		return err
	}
	clocks, err := h.svc.SLA.JobClocks(c.UserContext(), v.Job)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"job_id": v.Job.ID, "clocks": toClocksJSON(clocks)})
}

type jobSLAJSON struct {
	Job    jobJSON     `json:"job"`
	Clocks []clockJSON `json:"clocks"`
}

func (h *Handler) handleSLAJobs(c *fiber.Ctx) error {
	offset, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	state := c.Query("state", cordon.SLABreached)
	list, total, err := h.svc.SLA.FindJobsBySLA(c.UserContext(), state, offset, limit)
	if err != nil {
		return err
	}
	out := listJSON[jobSLAJSON]{Items: make([]jobSLAJSON, len(list)), Total: total, Offset: offset, Limit: limit}
	for i, js := range list {
		out.Items[i] = jobSLAJSON{Job: toJobJSON(&cordon.JobView{Job: js.Job, CustomerRef: "customer:" + itoa(js.Job.Request.CustomerID)}),
			Clocks: toClocksJSON(js.Clocks)}
	}
	return c.JSON(out)
}
