package store

import (
	"context"
	"crypto/rand"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// orgRow is the orgs table.
type orgRow struct {
	ID           int64 `gorm:"primaryKey"`
	Code         string
	Name         string
	Kind         string
	HomeCity     string
	Contact      string
	WebhookURL   string
	PseudonymKey []byte
	CreatedAt    time.Time
}

func (orgRow) TableName() string { return "orgs" }

func toOrg(r *orgRow) *cordon.Org {
	return &cordon.Org{
		ID: r.ID, Code: r.Code, Name: r.Name, Kind: cordon.OrgKind(r.Kind),
		HomeCity: r.HomeCity, Contact: r.Contact, WebhookURL: r.WebhookURL, CreatedAt: r.CreatedAt,
	}
}

// OrgService implements cordon.OrgService.
type OrgService struct{ db *DB }

var _ cordon.OrgService = (*OrgService)(nil)

// NewOrgService returns the organisation store.
func NewOrgService(db *DB) *OrgService { return &OrgService{db: db} }

// FindOrgByID returns ENOTFOUND when there is no such organisation.
func (s *OrgService) FindOrgByID(ctx context.Context, id int64) (*cordon.Org, error) {
	var r orgRow
	if err := s.db.conn(ctx).First(&r, id).Error; err != nil {
		return nil, TranslateError(err, "Organisation")
	}
	return toOrg(&r), nil
}

// FindOrgByCode returns ENOTFOUND when there is no such organisation.
func (s *OrgService) FindOrgByCode(ctx context.Context, code string) (*cordon.Org, error) {
	var r orgRow
	if err := s.db.conn(ctx).Where("code = ?", code).First(&r).Error; err != nil {
		return nil, TranslateError(err, "Organisation")
	}
	return toOrg(&r), nil
}

// CreateOrg stores o with a fresh pseudonym key and sets its ID.
func (s *OrgService) CreateOrg(ctx context.Context, o *cordon.Org) error {
	o.Code = strings.TrimSpace(o.Code)
	if o.Code == "" {
		return cordon.FieldErrorf("code", "Code is required.")
	}
	if o.Kind != cordon.OrgInstitute && o.Kind != cordon.OrgPartner {
		return cordon.FieldErrorf("kind", "Kind must be institute or partner.")
	}
	key := make([]byte, 32)
	rand.Read(key)
	r := orgRow{
		Code: o.Code, Name: o.Name, Kind: string(o.Kind), HomeCity: o.HomeCity, Contact: o.Contact,
		WebhookURL: o.WebhookURL, PseudonymKey: key, CreatedAt: s.db.Now(),
	}
	if err := s.db.conn(ctx).Create(&r).Error; err != nil {
		return TranslateError(err, "Organisation")
	}
	*o = *toOrg(&r)
	return nil
}
