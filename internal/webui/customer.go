package webui

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// The customer pages: the institute's customers with their identities
// (InstalledBaseService, which logs every read and change of an identity
// field), a keyset page at a time; one customer with its units; the forms
// that create, edit, deactivate and reactivate. Partners have no customer
// right: the route guards answer them 403, as the API does.
func registerCustomerPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	r.Get("/customers", auth, g.Require(cordon.ResCustomer, cordon.ActList), h.handleCustomers)
	r.Get("/customers/new", auth, g.Require(cordon.ResCustomer, cordon.ActCreate), h.handleCustomerNew)
	r.Post("/customers", h.checkCSRF, auth, g.Require(cordon.ResCustomer, cordon.ActCreate), h.handleCustomerCreate)
	r.Get("/customers/:id", auth, g.Require(cordon.ResCustomer, cordon.ActView), h.handleCustomerView)
	r.Post("/customers/:id", h.checkCSRF, auth, g.Require(cordon.ResCustomer, cordon.ActUpdate), h.handleCustomerUpdate)
	r.Post("/customers/:id/deactivate", h.checkCSRF, auth, g.Require(cordon.ResCustomer, cordon.ActManage), h.handleCustomerActive(false))
	r.Post("/customers/:id/reactivate", h.checkCSRF, auth, g.Require(cordon.ResCustomer, cordon.ActManage), h.handleCustomerActive(true))
}

// maxFilterText is the longest text a list's filter takes.
const maxFilterText = 128

var errLongFilter = cordon.Err(cordon.EINVALID, "webui.text_filters_most_128_characters")

// queryText is a query parameter trimmed and copied (Fiber reuses its
// buffers), and whether it is short enough for a filter.
func queryText(c *fiber.Ctx, name string) (string, bool) {
	v := strings.Clone(strings.TrimSpace(c.Query(name)))
	return v, len(v) <= maxFilterText
}

// formText is a form field trimmed and copied.
func formText(c *fiber.Ctx, name string) string {
	return strings.Clone(strings.TrimSpace(c.FormValue(name)))
}

type customersData struct {
	Customers []*cordon.Customer
	Keys      *keysetPager
	Query     string
	City      string
	Inactive  bool
	MayCreate bool
}

// handleCustomers lists customers with their identities, filtered by a
// search over code, city and identity, by city, and (unless asked) only
// the active ones.
func (h *Handler) handleCustomers(c *fiber.Ctx) error {
	ctx := c.UserContext()
	a := cordon.ActorFromContext(ctx)
	d := customersData{Keys: keysetOf(c), Inactive: c.Query("inactive") != "", MayCreate: h.allow(a, cordon.ResCustomer, cordon.ActCreate)}
	var ok1, ok2 bool
	d.Query, ok1 = queryText(c, "q")
	d.City, ok2 = queryText(c, "city")
	if !ok1 || !ok2 {
		return h.refused(c, "/customers", errLongFilter)
	}
	list, next, err := h.svc.Installed.FindCustomers(ctx, cordon.CustomerFilter{Query: d.Query, City: d.City, Inactive: d.Inactive,
		After: d.Keys.After, Limit: d.Keys.Size})
	if err != nil {
		return err
	}
	d.Customers, d.Keys.Next, d.Keys.Shown = list, next, len(list)
	return h.render(c, "customers", "/customers", "customers.title", d)
}

// customerForm is the customer form as typed.
type customerForm struct {
	Code, City, Name, UnitDesignation, ContactPerson, Phone, SiteAddress string
}

func customerFormOf(c *fiber.Ctx) customerForm {
	return customerForm{Code: formText(c, "code"), City: formText(c, "city"), Name: formText(c, "name"),
		UnitDesignation: formText(c, "unit_designation"), ContactPerson: formText(c, "contact_person"),
		Phone: formText(c, "phone"), SiteAddress: formText(c, "site_address")}
}

// customerFields are the inputs of the customer form, by the field names
// the service's refusals carry.
var customerFields = map[string]bool{"code": true, "city": true, "name": true, "unit_designation": true,
	"contact_person": true, "phone": true, "site_address": true}

type customerNewData struct {
	Form   customerForm
	Errors map[string]string
	Error  string
}

// handleCustomerNew is the form that registers a customer.
func (h *Handler) handleCustomerNew(c *fiber.Ctx) error {
	return h.render(c, "customer_new", "/customers", "customer.new.title", customerNewData{Errors: map[string]string{}})
}

// handleCustomerCreate registers a customer and goes to its page; a
// refusal shows the form again with what was typed and the message beside
// its field. The form's page shows no other customer's identity, so that
// nothing is served whose access event rolls back with the refused write.
func (h *Handler) handleCustomerCreate(c *fiber.Ctx) error {
	f := customerFormOf(c)
	cu, err := h.svc.Installed.CreateCustomer(c.UserContext(), cordon.NewCustomer{Code: f.Code, City: f.City,
		Identity: cordon.CustomerIdentity{Name: f.Name, UnitDesignation: f.UnitDesignation, ContactPerson: f.ContactPerson,
			Phone: f.Phone, SiteAddress: f.SiteAddress}})
	if err != nil {
		return h.formRefused(c, err, "/customers/new", "customer_new", "/customers", "customer.new.title", customerFields, "code",
			func(errs map[string]string, msg string) any {
				return customerNewData{Form: f, Errors: errs, Error: msg}
			})
	}
	l := Locale{Lang: language(c)}
	return done(c, "/customers/"+itoa(cu.ID), l.T("customer.created", cu.Code))
}

// formRefused shows a form's page again after the service refused it
// (EINVALID, ECONFLICT): the message beside its field when the form has
// that field (conflict names the field a conflict is about when the
// refusal names none), else above the form. The transaction rolls back.
// Any other error is the error page.
func (h *Handler) formRefused(c *fiber.Ctx, err error, path, tmpl, active, title string, fields map[string]bool, conflict string,
	data func(errs map[string]string, msg string) any) error {
	switch cordon.ErrorCode(err) {
	case cordon.EINVALID, cordon.ECONFLICT:
	default:
		return err
	}
	l := Locale{Lang: language(c)}
	errs, msg := map[string]string{}, ""
	f := errorField(err)
	if a, ok := fieldAlias[f]; ok {
		f = a
	}
	switch {
	case fields[f]:
		errs[f] = l.ErrorText(err)
	case f == "" && cordon.ErrorCode(err) == cordon.ECONFLICT && conflict != "":
		errs[conflict] = l.ErrorText(err)
	default:
		msg = l.ErrorText(err)
	}
	c.Status(statusOf(err))
	showsPage(c, path)
	if rerr := h.render(c, tmpl, active, title, data(errs, msg)); rerr != nil {
		return rerr
	}
	return rendered{}
}

type customerData struct {
	Customer    *cordon.Customer
	Units       []unitRow
	MoreUnits   string // the unit list of this customer, when there are more
	MayUpdate   bool
	MayManage   bool
	MayRegister bool
	MayUnits    bool
}

// handleCustomerView shows a customer with its identity (the service logs
// the view), the edit form, deactivation, and its units.
func (h *Handler) handleCustomerView(c *fiber.Ctx) error {
	id, err := idParam(c, "Customer")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	a := cordon.ActorFromContext(ctx)
	cu, err := h.svc.Installed.FindCustomerByID(ctx, id)
	if err != nil {
		return err
	}
	d := customerData{Customer: cu, MayUpdate: h.allow(a, cordon.ResCustomer, cordon.ActUpdate),
		MayManage: h.allow(a, cordon.ResCustomer, cordon.ActManage), MayRegister: h.allow(a, cordon.ResUnit, cordon.ActCreate) && cu.Active(),
		MayUnits: h.allow(a, cordon.ResUnit, cordon.ActList)}
	if d.MayUnits {
		units, next, err := h.svc.Installed.FindUnits(ctx, cordon.UnitFilter{CustomerID: &id, Retired: true, Limit: defaultPageSize})
		if err != nil {
			return err
		}
		if d.Units, err = h.unitRows(ctx, units); err != nil {
			return err
		}
		if next != 0 {
			d.MoreUnits = "/units?retired=1&customer=" + itoa(id)
		}
	}
	return h.render(c, "customer", "/customers", "customer.title", d)
}

// handleCustomerUpdate saves the edit form: the city and every identity
// field as typed (the service logs the names of the fields that changed).
func (h *Handler) handleCustomerUpdate(c *fiber.Ctx) error {
	id, err := idParam(c, "Customer")
	if err != nil {
		return err
	}
	f := customerFormOf(c)
	back := "/customers/" + itoa(id)
	if _, err := h.svc.Installed.UpdateCustomer(c.UserContext(), id, cordon.CustomerUpdate{City: &f.City, Name: &f.Name,
		UnitDesignation: &f.UnitDesignation, ContactPerson: &f.ContactPerson, Phone: &f.Phone, SiteAddress: &f.SiteAddress}); err != nil {
		return h.refused(c, back, err)
	}
	l := Locale{Lang: language(c)}
	return done(c, back, l.T("customer.saved"))
}

// handleCustomerActive deactivates (its units stay; nothing new goes to
// it) or reactivates a customer.
func (h *Handler) handleCustomerActive(active bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "Customer")
		if err != nil {
			return err
		}
		back := "/customers/" + itoa(id)
		cu, err := h.svc.Installed.SetCustomerActive(c.UserContext(), id, active)
		if err != nil {
			return h.refused(c, back, err)
		}
		l := Locale{Lang: language(c)}
		if active {
			return done(c, back, l.T("customer.reactivated", cu.Code))
		}
		return done(c, back, l.T("customer.deactivated", cu.Code))
	}
}

// unitRow is a delivered unit with its model and product line, for lists.
type unitRow struct {
	Unit  *cordon.Unit
	Model *cordon.Model
	Line  *cordon.ProductLine
	Due   bool // the next follow-up visit is due now
}

// unitRowsView is what the unitrows template renders.
type unitRowsView struct {
	L    Locale
	Rows []unitRow
}

// catalogIndex is the catalogue by id: every model and product line.
type catalogIndex struct {
	Models []*cordon.Model
	Lines  []*cordon.ProductLine
	model  map[int64]*cordon.Model
	line   map[int64]*cordon.ProductLine
}

func (h *Handler) catalogIndex(ctx context.Context) (*catalogIndex, error) {
	x := &catalogIndex{model: map[int64]*cordon.Model{}, line: map[int64]*cordon.ProductLine{}}
	var err error
	if x.Lines, err = h.svc.Catalog.FindProductLines(ctx); err != nil {
		return nil, err
	}
	if x.Models, err = h.svc.Catalog.FindModels(ctx, 0); err != nil {
		return nil, err
	}
	for _, l := range x.Lines {
		x.line[l.ID] = l
	}
	for _, m := range x.Models {
		x.model[m.ID] = m
	}
	return x, nil
}

// unitRows puts each unit beside its model and line.
func (h *Handler) unitRows(ctx context.Context, units []*cordon.Unit) ([]unitRow, error) {
	if len(units) == 0 {
		return nil, nil
	}
	x, err := h.catalogIndex(ctx)
	if err != nil {
		return nil, err
	}
	now := h.svc.Now()
	out := make([]unitRow, 0, len(units))
	for _, u := range units {
		r := unitRow{Unit: u, Model: x.model[u.ModelID], Due: u.NextVisitDue != nil && !u.NextVisitDue.After(now) && u.VisitsPlanned(now)}
		if r.Model != nil {
			r.Line = x.line[r.Model.ProductLineID]
		}
		out = append(out, r)
	}
	return out, nil
}
