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

// OrgStore reads and writes organisations.
type OrgStore interface {
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

// PartnerService is the partner companies as the institute manages them
// and as each partner sees itself. The institute sees every partner; a
// partner user only its own company while its contract is in force
// (anything else is ENOTFOUND, like a partner that does not exist).
type PartnerService interface {
	// FindPartners returns a page of the partners the caller may see,
	// ordered by code, and the total.
	FindPartners(ctx context.Context, f OrgFilter) ([]*Org, int, error)
	// FindPartnerByID returns one partner; ENOTFOUND outside the caller's
	// view.
	FindPartnerByID(ctx context.Context, id int64) (*Org, error)
	// CreatePartner adds a partner company; EINVALID naming the field,
	// ECONFLICT when the code is taken.
	CreatePartner(ctx context.Context, o *Org) error
	// UpdatePartner changes a partner the caller may see; EINVALID naming
	// the field.
	UpdatePartner(ctx context.Context, id int64, upd OrgUpdate) (*Org, error)
	// FindWebhook returns the partner's webhook endpoint, nil when it has
	// none; ENOTFOUND outside the caller's view.
	FindWebhook(ctx context.Context, partnerID int64) (*WebhookEndpoint, error)
	// SaveWebhook sets the caller's own company's endpoint (a partner's
	// admin only; ENOTFOUND for anyone else's) and says whether it is new.
	// A new endpoint, or rotate, carries its new secret, once.
	SaveWebhook(ctx context.Context, partnerID int64, url string, active, rotate bool) (*WebhookEndpoint, bool, error)
	// FindDeliveries returns a page of webhook deliveries, newest first,
	// and the total (the institute's view of every partner's).
	FindDeliveries(ctx context.Context, f DeliveryFilter) ([]*WebhookDelivery, int, error)
	// RetryDelivery gives a dead delivery a fresh round of attempts, the
	// first due now; ENOTFOUND, ECONFLICT when it is not dead.
	RetryDelivery(ctx context.Context, id int64) (*WebhookDelivery, error)
}
