package webui

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// The customers page: the institute's delivered units, by customer, with
// each unit's follow-up visit plan. Read-only: the API writes neither
// customers nor plans. Customers appear by their internal number and city
// only; their identity fields stay behind the job page's disclosure, which
// is what the access log records.
func registerCustomerPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	r.Get("/customers", auth, g.Require(cordon.ResUnit, cordon.ActList), h.handleCustomers)
}

// customerUnit is one delivered unit with its model.
type customerUnit struct {
	Unit  *cordon.Unit
	Model *cordon.Model
	Due   bool // the next follow-up visit is due now
}

type customersData struct {
	Units    []customerUnit
	Pages    *listPager
	Customer string // the customer filter, as typed
	City     string
	Line     string
	Lines    []*cordon.ProductLine
}

// handleCustomers lists delivered units a page at a time, filtered by
// customer, site city and product line.
func (h *Handler) handleCustomers(c *fiber.Ctx) error {
	ctx := c.UserContext()
	d := customersData{Pages: listPagerOf(c, "page"), Customer: strings.TrimSpace(c.Query("customer")),
		City: strings.TrimSpace(c.Query("city")), Line: c.Query("product_line")}
	f := cordon.UnitFilter{Offset: d.Pages.Offset(), Limit: d.Pages.Limit()}
	var err error
	if f.CustomerID, err = parseID("customer", strings.TrimPrefix(d.Customer, "#")); err != nil {
		return err
	}
	if d.City != "" {
		if len(d.City) > 100 {
			return cordon.FieldErr("city", "site_city_longer_than_100")
		}
		f.SiteCity = &d.City
	}
	if d.Line != "" {
		f.ProductLine = &d.Line
	}
	units, total, err := h.svc.Catalog.FindUnits(ctx, f)
	if err != nil {
		return err
	}
	d.Pages.Total = total
	models := map[int64]*cordon.Model{}
	now := h.svc.Now()
	for _, u := range units {
		m, ok := models[u.ModelID]
		if !ok {
			if m, err = h.svc.Catalog.FindModelByID(ctx, u.ModelID); err != nil && cordon.ErrorCode(err) != cordon.ENOTFOUND {
				return err
			}
			models[u.ModelID] = m
		}
		d.Units = append(d.Units, customerUnit{Unit: u, Model: m, Due: u.NextVisitDue != nil && !u.NextVisitDue.After(now)})
	}
	if d.Lines, err = h.svc.Catalog.FindProductLines(ctx); err != nil {
		return err
	}
	return h.render(c, "customers", "/customers", "cust.title", d)
}
