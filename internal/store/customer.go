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
	ID        int64 `gorm:"primaryKey"`
	Code      string
	City      string
	CreatedAt time.Time
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
	c := &cordon.Customer{ID: r.ID, Code: r.Code, City: r.City, CreatedAt: r.CreatedAt}
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
		r := customerRow{Code: c.Code, City: c.City, CreatedAt: s.db.Now()}
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
