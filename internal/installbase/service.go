// Package installbase is the installed base as the institute runs it: its
// customers, their delivered units, each unit's delivery milestones,
// follow-up plan, transfers and service history, and the spreadsheet
// import that registers them in bulk. Every rule about these records lives
// here; partners reach none of it (ENOTFOUND).
package installbase

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// Config is what the service needs.
type Config struct {
	Customers cordon.CustomerStore
	Catalog   cordon.CatalogStore
	History   cordon.HistoryStore
	Jobs      cordon.JobStore
	Access    cordon.AccessLog
	// ReadSheet reads a spreadsheet into rows (sheet.Read); the service
	// owns what an import does, the format is the sheet package's.
	ReadSheet func(r io.Reader, filename string) (*cordon.Sheet, []cordon.ImportProblem, error)
	Now       cordon.Clock
}

// Service implements cordon.InstalledBaseService and
// cordon.MilestoneRecorder.
type Service struct{ cfg Config }

var (
	_ cordon.InstalledBaseService = (*Service)(nil)
	_ cordon.MilestoneRecorder    = (*Service)(nil)
)

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}
}

// Limits of the records' fields.
const (
	maxCode     = 64
	maxCity     = 100
	maxName     = 200
	maxText     = 500
	maxFollowUp = 60 // months
	defaultPage = 50
	maxPage     = 500
)

// institute returns the caller, or ENOTFOUND (what) for a partner: the
// installed base does not exist for partners.
func institute(ctx context.Context, what string) (*cordon.Actor, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if a.IsPartner() {
		return nil, cordon.ErrNotFound(what)
	}
	return a, nil
}

// today is the start of the current day in China time: dates of records
// are days there.
func (s *Service) today() time.Time { return day(s.cfg.Now()) }

// day is the start of t's day in China time.
func day(t time.Time) time.Time {
	t = t.In(cordon.ChinaTime)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, cordon.ChinaTime)
}

// pageLimit is the keyset page size asked for: 50 by default, at most 500.
func pageLimit(n int) int {
	switch {
	case n <= 0:
		return defaultPage
	case n > maxPage:
		return maxPage
	}
	return n
}

// keyset trims a page read with one row more than asked for and returns
// the id to continue after, 0 at the end.
func keyset[T any](rows []T, limit int, id func(T) int64) ([]T, int64) {
	if len(rows) <= limit {
		return rows, 0
	}
	rows = rows[:limit]
	return rows, id(rows[limit-1])
}

// text checks a free-text field: trimmed, at most max characters, and
// required when req (the one rule, cordon.Text).
var text = cordon.Text

// access records an institute user's access to customers' identity
// fields, one event per customer; the fields are named, never their
// values. A failed write stops the answer.
func (s *Service) access(ctx context.Context, a *cordon.Actor, action, purpose string, fields []string, ids ...int64) error {
	m := cordon.MetaFromContext(ctx)
	for _, id := range ids {
		ev := &cordon.AccessEvent{UserID: a.UserID, OrgID: a.OrgID, Resource: cordon.ResCustomer,
			ResourceID: strconv.FormatInt(id, 10), Action: action, Decision: cordon.Allow, Purpose: purpose,
			Fields: fields, RequestID: m.RequestID, ClientIP: m.ClientIP}
		if err := s.cfg.Access.RecordAccess(ctx, ev); err != nil {
			return fmt.Errorf("record customer %s: %w", action, err)
		}
	}
	return nil
}

// ---- Customers ----

// FindCustomers returns a keyset page of customers with their identities;
// each customer shown is a view event.
func (s *Service) FindCustomers(ctx context.Context, f cordon.CustomerFilter) ([]*cordon.Customer, int64, error) {
	a, err := institute(ctx, "Customer")
	if err != nil {
		return nil, 0, err
	}
	if f.Query, err = text("q", f.Query, maxName, false); err != nil {
		return nil, 0, err
	}
	if f.City, err = text("city", f.City, maxCity, false); err != nil {
		return nil, 0, err
	}
	limit := pageLimit(f.Limit)
	f.Limit = limit + 1
	cs, err := s.cfg.Customers.FindCustomers(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	cs, next := keyset(cs, limit, func(c *cordon.Customer) int64 { return c.ID })
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	if err := s.access(ctx, a, cordon.ActView, "customers list", cordon.CustomerIdentityFields, ids...); err != nil {
		return nil, 0, err
	}
	return cs, next, nil
}

// FindCustomerByID returns one customer with its identity, a view event.
func (s *Service) FindCustomerByID(ctx context.Context, id int64) (*cordon.Customer, error) {
	a, err := institute(ctx, "Customer")
	if err != nil {
		return nil, err
	}
	c, err := s.cfg.Customers.FindCustomerByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.access(ctx, a, cordon.ActView, "customer", cordon.CustomerIdentityFields, c.ID); err != nil {
		return nil, err
	}
	return c, nil
}

// CustomerIDByCode resolves a customer's code, as forms take it, to its
// id; no identity is read, so no access event.
func (s *Service) CustomerIDByCode(ctx context.Context, code string) (int64, error) {
	if _, err := institute(ctx, "Customer"); err != nil {
		return 0, err
	}
	code, err := text("customer_code", code, maxCode, true)
	if err != nil {
		return 0, err
	}
	found, err := s.cfg.Customers.FindCustomersByCode(ctx, []string{code})
	if err != nil {
		return 0, err
	}
	c := found[code]
	if c == nil {
		return 0, cordon.ErrNotFound("Customer")
	}
	return c.ID, nil
}

// checkIdentity trims and checks the identity fields.
func checkIdentity(id *cordon.CustomerIdentity) error {
	var err error
	if id.Name, err = text("name", id.Name, maxName, true); err != nil {
		return err
	}
	if id.UnitDesignation, err = text("unit_designation", id.UnitDesignation, maxName, false); err != nil {
		return err
	}
	if id.ContactPerson, err = text("contact_person", id.ContactPerson, maxName, false); err != nil {
		return err
	}
	if id.Phone, err = checkPhone(id.Phone); err != nil {
		return err
	}
	id.SiteAddress, err = text("site_address", id.SiteAddress, maxText, false)
	return err
}

// checkPhone accepts digits with spaces, +, -, parentheses and an
// extension mark: what people write for a phone number.
func checkPhone(p string) (string, error) {
	p, err := text("phone", p, 40, false)
	if err != nil {
		return "", err
	}
	digits := 0
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-()#", r), r == '转':
		default:
			return "", cordon.FieldErr("phone", "installed.phone_invalid")
		}
	}
	if p != "" && digits < 5 {
		return "", cordon.FieldErr("phone", "installed.phone_invalid")
	}
	return p, nil
}

// identityFieldsSet names the identity fields that have a value.
func identityFieldsSet(id *cordon.CustomerIdentity) []string {
	var out []string
	for _, f := range cordon.CustomerIdentityFields {
		if identityField(id, f) != "" {
			out = append(out, f)
		}
	}
	return out
}

// identityField is one identity field by name.
func identityField(id *cordon.CustomerIdentity, f string) string {
	switch f {
	case "name":
		return id.Name
	case "unit_designation":
		return id.UnitDesignation
	case "contact_person":
		return id.ContactPerson
	case "phone":
		return id.Phone
	case "site_address":
		return id.SiteAddress
	}
	return ""
}

// CreateCustomer registers a customer with its identity; the identity
// fields written are a create event.
func (s *Service) CreateCustomer(ctx context.Context, in cordon.NewCustomer) (*cordon.Customer, error) {
	a, err := institute(ctx, "Customer")
	if err != nil {
		return nil, err
	}
	c := &cordon.Customer{Identity: &in.Identity}
	if c.Code, err = text("code", in.Code, maxCode, true); err != nil {
		return nil, err
	}
	if c.City, err = text("city", in.City, maxCity, true); err != nil {
		return nil, err
	}
	if err := checkIdentity(c.Identity); err != nil {
		return nil, err
	}
	if err := s.cfg.Customers.CreateCustomer(ctx, c); err != nil {
		return nil, err
	}
	if err := s.access(ctx, a, cordon.ActCreate, "customer", identityFieldsSet(c.Identity), c.ID); err != nil {
		return nil, err
	}
	return c, nil
}

// UpdateCustomer changes the city or identity fields; the names of the
// fields that changed are an update event.
func (s *Service) UpdateCustomer(ctx context.Context, id int64, u cordon.CustomerUpdate) (*cordon.Customer, error) {
	a, err := institute(ctx, "Customer")
	if err != nil {
		return nil, err
	}
	cur, err := s.cfg.Customers.FindCustomerByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.City != nil {
		v, err := text("city", *u.City, maxCity, true)
		if err != nil {
			return nil, err
		}
		u.City = &v
	}
	// Check the identity as it will be: the fields given over the
	// current ones.
	next := cordon.CustomerIdentity{}
	if cur.Identity != nil {
		next = *cur.Identity
	}
	for _, p := range []struct {
		v   *string
		dst *string
	}{{u.Name, &next.Name}, {u.UnitDesignation, &next.UnitDesignation}, {u.ContactPerson, &next.ContactPerson},
		{u.Phone, &next.Phone}, {u.SiteAddress, &next.SiteAddress}} {
		if p.v != nil {
			*p.dst = *p.v
		}
	}
	if err := checkIdentity(&next); err != nil {
		return nil, err
	}
	set := func(p *string, v string) *string {
		if p == nil {
			return nil
		}
		return &v
	}
	u.Name, u.UnitDesignation, u.ContactPerson = set(u.Name, next.Name), set(u.UnitDesignation, next.UnitDesignation), set(u.ContactPerson, next.ContactPerson)
	u.Phone, u.SiteAddress = set(u.Phone, next.Phone), set(u.SiteAddress, next.SiteAddress)
	c, changed, err := s.cfg.Customers.UpdateCustomer(ctx, id, u)
	if err != nil {
		return nil, err
	}
	if len(changed) > 0 {
		if err := s.access(ctx, a, cordon.ActUpdate, "customer", changed, c.ID); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// SetCustomerActive deactivates or reactivates a customer. A deactivated
// customer keeps its units; nothing new is registered or transferred to it.
func (s *Service) SetCustomerActive(ctx context.Context, id int64, active bool) (*cordon.Customer, error) {
	a, err := institute(ctx, "Customer")
	if err != nil {
		return nil, err
	}
	cur, err := s.cfg.Customers.FindCustomerByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if cur.Active() == active {
		return cur, nil // as asked already: the date of deactivation stays
	}
	var at *time.Time
	if !active {
		now := s.cfg.Now()
		at = &now
	}
	c, err := s.cfg.Customers.SetCustomerDeactivated(ctx, id, at)
	if err != nil {
		return nil, err
	}
	if err := s.access(ctx, a, cordon.ActManage, "customer active", []string{"active"}, c.ID); err != nil {
		return nil, err
	}
	return c, nil
}

// activeCustomer returns the customer for field, which must exist and be
// active.
func (s *Service) activeCustomer(ctx context.Context, field string, id int64) (*cordon.Customer, error) {
	c, err := s.cfg.Customers.FindCustomerByID(ctx, id)
	if cordon.ErrorCode(err) == cordon.ENOTFOUND {
		return nil, cordon.FieldErr(field, "installed.no_customer_has_id")
	}
	if err != nil {
		return nil, err
	}
	if !c.Active() {
		return nil, cordon.FieldErr(field, "installed.customer_deactivated", c.Code)
	}
	return c, nil
}
