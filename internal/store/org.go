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

// OrgStore implements cordon.OrgStore.
type OrgStore struct{ db *DB }

var _ cordon.OrgStore = (*OrgStore)(nil)

// NewOrgStore returns the organisation store.
func NewOrgStore(db *DB) *OrgStore { return &OrgStore{db: db} }

// FindOrgByID returns ENOTFOUND when there is no such organisation.
func (s *OrgStore) FindOrgByID(ctx context.Context, id int64) (*cordon.Org, error) {
	var r orgRow
	if err := s.db.conn(ctx).First(&r, id).Error; err != nil {
		return nil, TranslateError(err, "Organisation")
	}
	return toOrg(&r), nil
}

// FindOrgByCode returns ENOTFOUND when there is no such organisation.
func (s *OrgStore) FindOrgByCode(ctx context.Context, code string) (*cordon.Org, error) {
	var r orgRow
	if err := s.db.conn(ctx).Where("code = ?", code).First(&r).Error; err != nil {
		return nil, TranslateError(err, "Organisation")
	}
	return toOrg(&r), nil
}

// CreateOrg stores o with a fresh pseudonym key and sets its ID.
func (s *OrgStore) CreateOrg(ctx context.Context, o *cordon.Org) error {
	o.Code = strings.TrimSpace(o.Code)
	if o.Code == "" {
		return cordon.FieldErr("code", "store.code_required")
	}
	if o.Kind != cordon.OrgInstitute && o.Kind != cordon.OrgPartner {
		return cordon.FieldErr("kind", "store.kind_must_institute_partner")
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

// FindOrgs returns a page of organisations ordered by code, and the total.
func (s *OrgStore) FindOrgs(ctx context.Context, f cordon.OrgFilter) ([]*cordon.Org, int, error) {
	q := s.db.conn(ctx).Model(&orgRow{})
	if f.Kind != nil {
		q = q.Where("kind = ?", string(*f.Kind))
	}
	if f.ID != nil {
		q = q.Where("id = ?", *f.ID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, TranslateError(err, "Organisation")
	}
	q = q.Order("code").Offset(f.Offset)
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []orgRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, 0, TranslateError(err, "Organisation")
	}
	out := make([]*cordon.Org, len(rows))
	for i := range rows {
		out[i] = toOrg(&rows[i])
	}
	return out, int(total), nil
}

// UpdateOrg applies upd and returns the organisation.
func (s *OrgStore) UpdateOrg(ctx context.Context, id int64, upd cordon.OrgUpdate) (*cordon.Org, error) {
	set := map[string]any{}
	if upd.Name != nil {
		set["name"] = *upd.Name
	}
	if upd.HomeCity != nil {
		set["home_city"] = *upd.HomeCity
	}
	if upd.Contact != nil {
		set["contact"] = *upd.Contact
	}
	if upd.WebhookURL != nil {
		set["webhook_url"] = *upd.WebhookURL
	}
	if len(set) > 0 {
		res := s.db.conn(ctx).Model(&orgRow{}).Where("id = ?", id).Updates(set)
		if res.Error != nil {
			return nil, TranslateError(res.Error, "Organisation")
		}
		if res.RowsAffected == 0 {
			return nil, cordon.Err(cordon.ENOTFOUND, "partner.not_found")
		}
	}
	return s.FindOrgByID(ctx, id)
}

// PseudonymKey returns the organisation's secret key for pseudonyms.
func (s *OrgStore) PseudonymKey(ctx context.Context, id int64) ([]byte, error) {
	var r orgRow
	if err := s.db.conn(ctx).Select("id", "pseudonym_key").First(&r, id).Error; err != nil {
		return nil, TranslateError(err, "Organisation")
	}
	return r.PseudonymKey, nil
}
