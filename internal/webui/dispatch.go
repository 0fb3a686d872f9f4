package webui

import (
	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerDispatchPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	r.Get("/dispatch", auth, g.Require(cordon.ResRequest, cordon.ActList), h.handleDispatchDesk)
	r.Post("/dispatch/requests", h.checkCSRF, auth, g.Require(cordon.ResRequest, cordon.ActCreate), h.handleIntake)
	r.Post("/dispatch/requests/:id", h.checkCSRF, auth, g.Require(cordon.ResRequest, cordon.ActDispatch), h.handleDispatch)
}

// waiting is one open request with who could take it.
type waiting struct {
	Request    *cordon.ServiceRequest
	Candidates []cordon.Candidate
}

type dispatchData struct {
	Waiting     []waiting
	Total       int
	Pages       *listPager
	MayDispatch bool
	MayIntake   bool
	Units       []*cordon.Unit
	Categories  []cordon.Category
	Priorities  []cordon.Priority
	// Form is the intake as typed, shown again with Error when the
	// service refused it: a refusal loses nothing.
	Form  intakeForm
	Error string
}

// intakeForm is the intake form's values.
type intakeForm struct {
	UnitID, Category, Priority, Description, SiteCity, Override string
}

// handleDispatchDesk is the dispatcher's desk: the requests waiting for
// dispatch, oldest first, each with its candidates and the clause that
// makes each eligible, and the intake form.
func (h *Handler) handleDispatchDesk(c *fiber.Ctx) error {
	return h.dispatchDesk(c, intakeForm{Priority: string(cordon.P3)}, "")
}

// dispatchDesk renders the desk with the intake form holding form, and
// the intake's refusal when there is one.
func (h *Handler) dispatchDesk(c *fiber.Ctx, form intakeForm, refusal string) error {
	ctx := c.UserContext()
	a := cordon.ActorFromContext(ctx)
	d := dispatchData{
		MayDispatch: h.allow(a, cordon.ResRequest, cordon.ActDispatch),
		MayIntake:   h.allow(a, cordon.ResRequest, cordon.ActCreate),
		Categories:  cordon.Categories, Priorities: cordon.Priorities, Pages: listPagerOf(c, "page"),
		Form: form, Error: refusal,
	}
	list, total, err := h.svc.Dispatch.FindRequests(ctx, cordon.RequestFilter{Statuses: []cordon.RequestStatus{cordon.RequestOpen},
		Offset: d.Pages.Offset(), Limit: d.Pages.Limit()})
	if err != nil {
		return err
	}
	d.Total, d.Pages.Total = total, total
	for _, r := range list {
		w := waiting{Request: r}
		if d.MayDispatch {
			if w.Candidates, err = h.svc.Dispatch.Candidates(ctx, r.ID); err != nil {
				return err
			}
		}
		d.Waiting = append(d.Waiting, w)
	}
	if d.MayIntake && h.svc.Installed != nil && h.allow(a, cordon.ResUnit, cordon.ActList) {
		if d.Units, _, err = h.svc.Installed.FindUnits(ctx, cordon.UnitFilter{Limit: 1000}); err != nil {
			return err
		}
	}
	return h.render(c, "dispatch", "/dispatch", "dispatch.title", d)
}

// handleIntake records a request from the intake form.
func (h *Handler) handleIntake(c *fiber.Ctx) error {
	form := intakeForm{UnitID: c.FormValue("unit_id"), Category: c.FormValue("category"), Priority: c.FormValue("priority"),
		Description: c.FormValue("description"), SiteCity: c.FormValue("site_city"), Override: c.FormValue("override")}
	unit, err := formID(c, "unit_id")
	if err == nil {
		var r *cordon.ServiceRequest
		r, err = h.svc.Dispatch.CreateRequest(c.UserContext(), cordon.Intake{
			UnitID: unit, Category: cordon.Category(form.Category), Priority: cordon.Priority(form.Priority),
			Description: form.Description, SiteCity: form.SiteCity, Override: form.Override,
		})
		if err == nil {
			l := Locale{Lang: language(c)}
			return done(c, "/dispatch#request-"+itoa(r.ID), l.T("intake.done", r.ID))
		}
	}
	switch cordon.ErrorCode(err) {
	case cordon.EINVALID, cordon.ECONFLICT:
	default:
		return err
	}
	// Refused: the desk again, the form as typed and why, and nothing
	// written (the render rolls the transaction back).
	c.Status(statusOf(err))
	showsPage(c, "/dispatch")
	if rerr := h.dispatchDesk(c, form, Locale{Lang: language(c)}.ErrorText(err)); rerr != nil {
		return rerr
	}
	return rendered{}
}

// handleDispatch offers a request to the partner, the in-house engineers
// or the best candidate the form names.
func (h *Handler) handleDispatch(c *fiber.Ctx) error {
	id, err := idParam(c, "Service request")
	if err != nil {
		return err
	}
	var t cordon.DispatchTarget
	switch c.FormValue("to") {
	case "auto":
		t.Auto = true
	case "in_house":
		t.InHouse = true
	default:
		p, err := formID(c, "partner_id")
		if err != nil || p == nil {
			return h.refused(c, "/dispatch", cordon.FieldErr("partner_id", "webui.name_partner_dispatch_house_automatically"))
		}
		t.PartnerID = *p
	}
	j, err := h.svc.Dispatch.Dispatch(c.UserContext(), id, t)
	if err != nil {
		return h.refused(c, "/dispatch", err)
	}
	l := Locale{Lang: language(c)}
	return done(c, "/dispatch", l.T("dispatch.done", j.ID))
}
