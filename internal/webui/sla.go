package webui

import (
	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerSLAPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	r.Get("/sla", auth, g.Require(cordon.ResSLA, cordon.ActList), h.handleSLADashboard)
}

// slaRow is a job whose clocks are in the state the dashboard shows.
type slaRow struct {
	Job     *cordon.Job
	Partner string
	Clocks  []cordon.SLAClock // the clocks in that state
}

type slaData struct {
	State   string
	States  []slaTab
	Rows    []slaRow
	Pages   *listPager
	Partner bool // whether partner names may be shown
}

// slaTab is one of the dashboard's two lists, with its total.
type slaTab struct {
	State  string
	Total  int
	Active bool
}

// handleSLADashboard lists the open jobs whose clocks are breached or at
// risk, most urgent first, through the same SLAMonitor.FindJobsBySLA as
// GET /api/v1/sla/jobs.
func (h *Handler) handleSLADashboard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	state := c.Query("state")
	if state != cordon.SLAAtRisk {
		state = cordon.SLABreached
	}
	pg := listPagerOf(c, "page")
	d := slaData{State: state}
	for _, s := range []string{cordon.SLABreached, cordon.SLAAtRisk} {
		tab := slaTab{State: s, Active: s == state}
		if s == state {
			list, total, err := h.svc.SLA.FindJobsBySLA(ctx, s, pg.Offset(), pg.Limit())
			if err != nil {
				return err
			}
			tab.Total = total
			names, err := h.partnerNames(c)
			if err != nil {
				return err
			}
			for _, js := range list {
				row := slaRow{Job: js.Job}
				if js.Job.PartnerID != nil {
					row.Partner = names[*js.Job.PartnerID]
				}
				for _, ck := range js.Clocks {
					if (s == cordon.SLABreached && ck.Breached) || (s == cordon.SLAAtRisk && ck.AtRisk && !ck.Breached) {
						row.Clocks = append(row.Clocks, ck)
					}
				}
				d.Rows = append(d.Rows, row)
			}
			pg.Total = total
			d.Pages = pg
		} else {
			_, total, err := h.svc.SLA.FindJobsBySLA(ctx, s, 0, 1)
			if err != nil {
				return err
			}
			tab.Total = total
		}
		d.States = append(d.States, tab)
	}
	return h.render(c, "sla", "/sla", "sla.title", d)
}
