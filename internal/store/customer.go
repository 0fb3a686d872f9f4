package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/cordon/cordon/internal/cordon"
)

// customerRow is the customers table: the part of a customer partners may
// see (as a pseudonym and a city).
type customerRow struct {
	ID            int64 `gorm:"primaryKey"`
	Code          string
	City          string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	DeactivatedAt *time.Time
}

func (customerRow) TableName() string { return "customers" }

// customerIdentityRow is the customer_identities table: the sensitive
// fields, kept apart so that no query of customers can leak them.
type customerIdentityRow struct {
	CustomerID      int64 `gorm:"primaryKey;autoIncrement:false"`
	Name            string
	UnitDesignation string
	ContactPerson   string
	Phone           string
	SiteAddress     string
}

func (customerIdentityRow) TableName() string { return "customer_identities" }

func toCustomer(r *customerRow, id *customerIdentityRow) *cordon.Customer {
	c := &cordon.Customer{ID: r.ID, Code: r.Code, City: r.City, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		DeactivatedAt: r.DeactivatedAt}
	if id != nil {
		c.Identity = toCustomerIdentity(id)
	}
	return c
}

func toCustomerIdentity(r *customerIdentityRow) *cordon.CustomerIdentity {
	return &cordon.CustomerIdentity{
		CustomerID: r.CustomerID, Name: r.Name, UnitDesignation: r.UnitDesignation,
		ContactPerson: r.ContactPerson, Phone: r.Phone, SiteAddress: r.SiteAddress,
	}
}

// CustomerStore implements cordon.CustomerStore.
type CustomerStore struct{ db *DB }

var _ cordon.CustomerStore = (*CustomerStore)(nil)

// NewCustomerStore returns the customer store.
func NewCustomerStore(db *DB) *CustomerStore { return &CustomerStore{db: db} }

// FindCustomerByID returns the customer with its identity (nil when none was
// stored); ENOTFOUND when absent.
func (s *CustomerStore) FindCustomerByID(ctx context.Context, id int64) (*cordon.Customer, error) {
	var r customerRow
	if err := s.db.conn(ctx).First(&r, id).Error; err != nil {
		return nil, TranslateError(err, "Customer")
	}
	var ir customerIdentityRow
	err := s.db.conn(ctx).Where("customer_id = ?", id).First(&ir).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return toCustomer(&r, nil), nil
	case err != nil:
		return nil, TranslateError(err, "Customer")
	}
	return toCustomer(&r, &ir), nil
}

// CreateCustomer stores the customer and, when set, its identity in one
// transaction, and sets the IDs. ECONFLICT when the code is taken, EINVALID
// naming the field on bad input.
func (s *CustomerStore) CreateCustomer(ctx context.Context, c *cordon.Customer) error {
	c.Code = strings.TrimSpace(c.Code)
	if c.Code == "" {
		return cordon.FieldErr("code", "store.code_required")
	}
	if strings.TrimSpace(c.City) == "" {
		return cordon.FieldErr("city", "store.city_required")
	}
	if c.Identity != nil && strings.TrimSpace(c.Identity.Name) == "" {
		return cordon.FieldErr("name", "store.name_required")
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		now := s.db.Now()
		r := customerRow{Code: c.Code, City: c.City, CreatedAt: now, UpdatedAt: now, DeactivatedAt: utcPtr(c.DeactivatedAt)}
		if err := s.db.conn(ctx).Create(&r).Error; err != nil {
			return TranslateError(err, "Customer")
		}
		var idRow *customerIdentityRow
		if id := c.Identity; id != nil {
			idRow = &customerIdentityRow{
				CustomerID: r.ID, Name: id.Name, UnitDesignation: id.UnitDesignation,
				ContactPerson: id.ContactPerson, Phone: id.Phone, SiteAddress: id.SiteAddress,
			}
			if err := s.db.conn(ctx).Create(idRow).Error; err != nil {
				return TranslateError(err, "Customer identity")
			}
		}
		*c = *toCustomer(&r, idRow)
		return nil
	})
}

// customerJoinedRow is a customer with the columns of its identity from a
// LEFT JOIN; IdentityID is nil when it has none.
// Its fields are spelled out: with customerRow embedded, GORM scanned its
// columns empty once customerRow's own schema was cached (TestUpdateCustomer).
type customerJoinedRow struct {
	ID                      int64
	Code                    string
	City                    string
	CreatedAt               time.Time
	UpdatedAt               time.Time
	DeactivatedAt           *time.Time
	IdentityID              *int64  `gorm:"column:identity_id"`
	IdentityName            *string `gorm:"column:identity_name"`
	IdentityUnitDesignation *string `gorm:"column:identity_unit_designation"`
	IdentityContactPerson   *string `gorm:"column:identity_contact_person"`
	IdentityPhone           *string `gorm:"column:identity_phone"`
	IdentitySiteAddress     *string `gorm:"column:identity_site_address"`
}

// customerJoinedCols selects customerJoinedRow from customers LEFT JOIN
// customer_identities ci.
const customerJoinedCols = "customers.*, ci.customer_id AS identity_id, ci.name AS identity_name, " +
	"ci.unit_designation AS identity_unit_designation, ci.contact_person AS identity_contact_person, " +
	"ci.phone AS identity_phone, ci.site_address AS identity_site_address"

func (r *customerJoinedRow) toCustomer() *cordon.Customer {
	c := customerRow{ID: r.ID, Code: r.Code, City: r.City, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, DeactivatedAt: r.DeactivatedAt}
	if r.IdentityID == nil {
		return toCustomer(&c, nil)
	}
	return toCustomer(&c, &customerIdentityRow{
		CustomerID: *r.IdentityID, Name: deref(r.IdentityName), UnitDesignation: deref(r.IdentityUnitDesignation),
		ContactPerson: deref(r.IdentityContactPerson), Phone: deref(r.IdentityPhone), SiteAddress: deref(r.IdentitySiteAddress),
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// likeEscaper escapes LIKE's wildcards and its escape character in user
// text; every LIKE of the store says ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// containsPattern is a LIKE pattern, lower-cased, that matches any text
// holding q (compare it with lower(column)).
func containsPattern(q string) string {
	return "%" + likeEscaper.Replace(strings.ToLower(q)) + "%"
}

// FindCustomers returns up to f.Limit customers with id > f.After, in order
// of id, each with its identity: a keyset page, which costs the same
// wherever it is in the list.
func (s *CustomerStore) FindCustomers(ctx context.Context, f cordon.CustomerFilter) ([]*cordon.Customer, error) {
	q := s.db.conn(ctx).Table("customers").Select(customerJoinedCols).
		Joins("LEFT JOIN customer_identities ci ON ci.customer_id = customers.id").
		Where("customers.id > ?", f.After)
	if f.City != "" {
		q = q.Where("customers.city = ?", f.City)
	}
	if !f.Inactive {
		q = q.Where("customers.deactivated_at IS NULL")
	}
	if text := strings.TrimSpace(f.Query); text != "" {
		p := containsPattern(text)
		var ors []string
		var args []any
		for _, col := range []string{"customers.code", "customers.city", "ci.name", "ci.unit_designation",
			"ci.contact_person", "ci.phone", "ci.site_address"} {
			ors = append(ors, "lower("+col+`) LIKE ? ESCAPE '\'`)
			args = append(args, p)
		}
		q = q.Where("("+strings.Join(ors, " OR ")+")", args...)
	}
	q = q.Order("customers.id")
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []customerJoinedRow
	if err := q.Scan(&rows).Error; err != nil {
		return nil, TranslateError(err, "Customer")
	}
	out := make([]*cordon.Customer, len(rows))
	for i := range rows {
		out[i] = rows[i].toCustomer()
	}
	return out, nil
}

// lookupChunk is how many keys one IN (...) of a look-up carries, well
// under either engine's limit on parameters.
const lookupChunk = 500

// FindCustomersByCode returns the customers with these codes, each with its
// identity, keyed by code; codes nobody has are absent.
func (s *CustomerStore) FindCustomersByCode(ctx context.Context, codes []string) (map[string]*cordon.Customer, error) {
	out := make(map[string]*cordon.Customer, len(codes))
	for start := 0; start < len(codes); start += lookupChunk {
		chunk := codes[start:min(start+lookupChunk, len(codes))]
		var rows []customerJoinedRow
		err := s.db.conn(ctx).Table("customers").Select(customerJoinedCols).
			Joins("LEFT JOIN customer_identities ci ON ci.customer_id = customers.id").
			Where("customers.code IN ?", chunk).Scan(&rows).Error
		if err != nil {
			return nil, TranslateError(err, "Customer")
		}
		for i := range rows {
			out[rows[i].Code] = rows[i].toCustomer()
		}
	}
	return out, nil
}

// UpdateCustomer applies u and returns the customer and the names of the
// fields whose value changed ("city" and the names of
// cordon.CustomerIdentityFields). A customer stored without an identity
// gets one at its first identity change. ENOTFOUND; EINVALID for an empty
// city or name.
func (s *CustomerStore) UpdateCustomer(ctx context.Context, id int64, u cordon.CustomerUpdate) (*cordon.Customer, []string, error) {
	if u.City != nil && strings.TrimSpace(*u.City) == "" {
		return nil, nil, cordon.FieldErr("city", "store.city_required")
	}
	if u.Name != nil && strings.TrimSpace(*u.Name) == "" {
		return nil, nil, cordon.FieldErr("name", "store.name_required")
	}
	var (
		out     *cordon.Customer
		changed []string
	)
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.FindCustomerByID(ctx, id)
		if err != nil {
			return err
		}
		changed = nil
		if u.City != nil && *u.City != c.City {
			c.City = *u.City
			changed = append(changed, "city")
		}
		had := c.Identity != nil
		ident := c.Identity
		if ident == nil {
			ident = &cordon.CustomerIdentity{CustomerID: c.ID}
		}
		identityChanged := false
		for _, f := range []struct {
			name string
			new  *string
			cur  *string
		}{
			{"name", u.Name, &ident.Name},
			{"unit_designation", u.UnitDesignation, &ident.UnitDesignation},
			{"contact_person", u.ContactPerson, &ident.ContactPerson},
			{"phone", u.Phone, &ident.Phone},
			{"site_address", u.SiteAddress, &ident.SiteAddress},
		} {
			if f.new != nil && *f.new != *f.cur {
				*f.cur = *f.new
				changed = append(changed, f.name)
				identityChanged = true
			}
		}
		out = c
		if len(changed) == 0 {
			return nil
		}
		now := s.db.Now()
		err = s.db.conn(ctx).Model(&customerRow{}).Where("id = ?", id).
			Updates(map[string]any{"city": c.City, "updated_at": now}).Error
		if err != nil {
			return TranslateError(err, "Customer")
		}
		c.UpdatedAt = now
		if identityChanged {
			if err := s.saveIdentity(ctx, ident, had); err != nil {
				return err
			}
			c.Identity = ident
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, changed, nil
}

// saveIdentity writes the identity: an update when the customer had one,
// else its first row.
func (s *CustomerStore) saveIdentity(ctx context.Context, id *cordon.CustomerIdentity, had bool) error {
	r := customerIdentityRow{CustomerID: id.CustomerID, Name: id.Name, UnitDesignation: id.UnitDesignation,
		ContactPerson: id.ContactPerson, Phone: id.Phone, SiteAddress: id.SiteAddress}
	var err error
	if had {
		err = s.db.conn(ctx).Model(&customerIdentityRow{}).Where("customer_id = ?", id.CustomerID).
			Updates(map[string]any{"name": r.Name, "unit_designation": r.UnitDesignation,
				"contact_person": r.ContactPerson, "phone": r.Phone, "site_address": r.SiteAddress}).Error
	} else {
		err = s.db.conn(ctx).Create(&r).Error
	}
	return TranslateError(err, "Customer identity")
}

// SetCustomerDeactivated sets (or, with nil, clears) when the customer was
// deactivated, and returns it with its identity; ENOTFOUND.
func (s *CustomerStore) SetCustomerDeactivated(ctx context.Context, id int64, at *time.Time) (*cordon.Customer, error) {
	res := s.db.conn(ctx).Model(&customerRow{}).Where("id = ?", id).
		Updates(map[string]any{"deactivated_at": utcPtr(at), "updated_at": s.db.Now()})
	if res.Error != nil {
		return nil, TranslateError(res.Error, "Customer")
	}
	if res.RowsAffected == 0 {
		return nil, cordon.ErrNotFound("Customer")
	}
	return s.FindCustomerByID(ctx, id)
}
