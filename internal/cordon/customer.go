package cordon

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"
)

// DisclosureLevel says how much of a customer's identity a partner may see.
// The levels are ordered: none < city < site < site_contact.
type DisclosureLevel string

// The disclosure levels.
const (
	DiscloseNone        DisclosureLevel = "none"
	DiscloseCity        DisclosureLevel = "city"
	DiscloseSite        DisclosureLevel = "site"
	DiscloseSiteContact DisclosureLevel = "site_contact"
)

var disclosureRank = map[DisclosureLevel]int{DiscloseNone: 0, DiscloseCity: 1, DiscloseSite: 2, DiscloseSiteContact: 3}

// Valid reports whether l is a known level.
func (l DisclosureLevel) Valid() bool { _, ok := disclosureRank[l]; return ok }

// AtLeast reports whether l discloses at least as much as m.
func (l DisclosureLevel) AtLeast(m DisclosureLevel) bool {
	return disclosureRank[l] >= disclosureRank[m]
}

// Customer is a military unit or company that owns delivered units. The
// non-identifying part: partners may see the pseudonym and the city.
type Customer struct {
	ID        int64
	Code      string // institute-internal reference
	City      string
	Identity  *CustomerIdentity // nil unless the caller may see it
	CreatedAt time.Time
	UpdatedAt time.Time
	// DeactivatedAt is when the customer was deactivated: its units stay,
	// but nothing new is registered or transferred to it. Nil while active.
	DeactivatedAt *time.Time
}

// Active reports whether the customer has not been deactivated.
func (c *Customer) Active() bool { return c.DeactivatedAt == nil }

// CustomerIdentityFields are the names of the identity fields, in the
// order forms, exports and access events list them.
var CustomerIdentityFields = []string{"name", "unit_designation", "contact_person", "phone", "site_address"}

// CustomerIdentity holds the sensitive identity fields of a customer, kept
// in a table of their own so that no query of the rest can leak them.
type CustomerIdentity struct {
	CustomerID      int64
	Name            string
	UnitDesignation string
	ContactPerson   string
	Phone           string
	SiteAddress     string
}

// CustomerFilter selects customers, a keyset page at a time, in order of
// id; zero fields do not filter.
type CustomerFilter struct {
	// Query matches the code, the city or any identity field (a substring,
	// case-insensitive).
	Query    string
	City     string
	Inactive bool  // include deactivated customers
	After    int64 // the last id of the previous page
	Limit    int   // 0: all
}

// CustomerUpdate is a change of a customer; nil fields stay as they are.
type CustomerUpdate struct {
	City            *string
	Name            *string
	UnitDesignation *string
	ContactPerson   *string
	Phone           *string
	SiteAddress     *string
}

// CustomerStore reads and writes customers.
type CustomerStore interface {
	// FindCustomerByID returns the customer with its identity; ENOTFOUND when absent.
	FindCustomerByID(ctx context.Context, id int64) (*Customer, error)
	// CreateCustomer stores the customer and, when set, its identity;
	// ECONFLICT when the code is taken.
	CreateCustomer(ctx context.Context, c *Customer) error
	// FindCustomers returns up to f.Limit customers with id > f.After, in
	// order of id, each with its identity.
	FindCustomers(ctx context.Context, f CustomerFilter) ([]*Customer, error)
	// FindCustomersByCode returns the customers with these codes, keyed by
	// code; codes nobody has are absent.
	FindCustomersByCode(ctx context.Context, codes []string) (map[string]*Customer, error)
	// UpdateCustomer applies u and returns the customer and the names of
	// the fields whose value changed; ENOTFOUND.
	UpdateCustomer(ctx context.Context, id int64, u CustomerUpdate) (*Customer, []string, error)
	// SetCustomerDeactivated sets (or, with nil, clears) when the customer
	// was deactivated; ENOTFOUND.
	SetCustomerDeactivated(ctx context.Context, id int64, at *time.Time) (*Customer, error)
}

// Pseudonym is how a partner sees a customer: CUST- and four hex digits of
// an HMAC-SHA256 of the customer id under the partner's own key, so it is
// stable for that partner and unlinkable across partners.
func Pseudonym(partnerKey []byte, customerID int64) string {
	m := hmac.New(sha256.New, partnerKey)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(customerID))
	m.Write(b[:])
	return fmt.Sprintf("CUST-%X", m.Sum(nil)[:2])
}
