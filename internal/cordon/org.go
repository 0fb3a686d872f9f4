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

// OrgService reads and writes organisations.
type OrgService interface {
	// FindOrgByID returns ENOTFOUND when there is no such organisation.
	FindOrgByID(ctx context.Context, id int64) (*Org, error)
	// FindOrgByCode returns ENOTFOUND when there is no such organisation.
	FindOrgByCode(ctx context.Context, code string) (*Org, error)
	// CreateOrg returns ECONFLICT when the code is taken, EINVALID on bad input.
	CreateOrg(ctx context.Context, o *Org) error
}
