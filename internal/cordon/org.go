package cordon

import (
	"context"
	"time"
)

// OrgKind tells the institute from its partner companies.
type OrgKind string

// The kinds of organisation.
const (
	OrgInstitute OrgKind = "institute"
	OrgPartner   OrgKind = "partner"
)

// Org is an organisation: the institute, or a partner service company in a
// core city. Partners are the parties to contracts.
type Org struct {
	ID         int64
	Code       string // stable short name, e.g. "hefei"
	Name       string
	Kind       OrgKind
	HomeCity   string
	Contact    string
	WebhookURL string
	CreatedAt  time.Time
}

// OrgFilter selects organisations; nil fields do not filter.
type OrgFilter struct {
	Kind   *OrgKind
	ID     *int64
	Offset int
	Limit  int // 0: all
}

// OrgUpdate changes an organisation; nil fields stay as they are.
type OrgUpdate struct {
	Name       *string
	HomeCity   *string
	Contact    *string
	WebhookURL *string
}

// OrgService reads and writes organisations.
type OrgService interface {
	// FindOrgByID returns ENOTFOUND when there is no such organisation.
	FindOrgByID(ctx context.Context, id int64) (*Org, error)
	// FindOrgByCode returns ENOTFOUND when there is no such organisation.
	FindOrgByCode(ctx context.Context, code string) (*Org, error)
	// FindOrgs returns a page of organisations ordered by code, and the total.
	FindOrgs(ctx context.Context, f OrgFilter) ([]*Org, int, error)
	// CreateOrg returns ECONFLICT when the code is taken, EINVALID on bad input.
	CreateOrg(ctx context.Context, o *Org) error
	// PseudonymKey returns the organisation's secret key for customer
	// pseudonyms; ENOTFOUND when absent.
	PseudonymKey(ctx context.Context, id int64) ([]byte, error)
	// UpdateOrg applies upd and returns the organisation; ENOTFOUND when absent.
	UpdateOrg(ctx context.Context, id int64, upd OrgUpdate) (*Org, error)
}
