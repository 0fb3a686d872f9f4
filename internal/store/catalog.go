package store

import (
	"context"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// productLineRow is the product_lines table.
type productLineRow struct {
	ID   int64 `gorm:"primaryKey"`
	Code string
	Name string
}

func (productLineRow) TableName() string { return "product_lines" }

func toProductLine(r *productLineRow) *cordon.ProductLine {
	return &cordon.ProductLine{ID: r.ID, Code: r.Code, Name: r.Name}
}

// modelRow is the models table.
type modelRow struct {
	ID            int64 `gorm:"primaryKey"`
	ProductLineID int64
	Code          string
	Name          string
}

func (modelRow) TableName() string { return "models" }

func toModel(r *modelRow) *cordon.Model {
	return &cordon.Model{ID: r.ID, ProductLineID: r.ProductLineID, Code: r.Code, Name: r.Name}
}

// unitRow is the units table.
type unitRow struct {
	ID             int64 `gorm:"primaryKey"`
	ModelID        int64
	CustomerID     int64
	Serial         string
	Batch          string
	SiteCity       string
	DeliveredOn    time.Time
	WarrantyEnd    time.Time
	FollowUpMonths int
	NextVisitDue   *time.Time
}

func (unitRow) TableName() string { return "units" }

func toUnit(r *unitRow) *cordon.Unit {
	return &cordon.Unit{
		ID: r.ID, ModelID: r.ModelID, CustomerID: r.CustomerID, Serial: r.Serial, Batch: r.Batch,
		SiteCity: r.SiteCity, DeliveredOn: r.DeliveredOn, WarrantyEnd: r.WarrantyEnd,
		FollowUpMonths: r.FollowUpMonths, NextVisitDue: r.NextVisitDue,
	}
}

// CatalogStore implements cordon.CatalogStore.
type CatalogStore struct{ db *DB }

var _ cordon.CatalogStore = (*CatalogStore)(nil)

// NewCatalogStore returns the store of product lines, models and units.
func NewCatalogStore(db *DB) *CatalogStore { return &CatalogStore{db: db} }

// CreateProductLine stores p and sets its ID; ECONFLICT when the code is
// taken, EINVALID without a code.
func (s *CatalogStore) CreateProductLine(ctx context.Context, p *cordon.ProductLine) error {
	p.Code = strings.TrimSpace(p.Code)
	if p.Code == "" {
		return cordon.FieldErr("code", "store.code_required")
	}
	r := productLineRow{Code: p.Code, Name: p.Name}
	if err := s.db.conn(ctx).Create(&r).Error; err != nil {
		return TranslateError(err, "Product line")
	}
	*p = *toProductLine(&r)
	return nil
}

// FindProductLines returns every product line, ordered by code.
func (s *CatalogStore) FindProductLines(ctx context.Context) ([]*cordon.ProductLine, error) {
	var rows []productLineRow
	if err := s.db.conn(ctx).Order("code").Find(&rows).Error; err != nil {
		return nil, TranslateError(err, "Product line")
	}
	out := make([]*cordon.ProductLine, len(rows))
	for i := range rows {
		out[i] = toProductLine(&rows[i])
	}
	return out, nil
}

// CreateModel stores m and sets its ID; ECONFLICT when the code is taken,
// EINVALID without a code or with an unknown product line.
func (s *CatalogStore) CreateModel(ctx context.Context, m *cordon.Model) error {
	m.Code = strings.TrimSpace(m.Code)
	if m.Code == "" {
		return cordon.FieldErr("code", "store.code_required")
	}
	r := modelRow{ProductLineID: m.ProductLineID, Code: m.Code, Name: m.Name}
	if err := s.db.conn(ctx).Create(&r).Error; err != nil {
		return TranslateError(err, "Model")
	}
	*m = *toModel(&r)
	return nil
}

// FindModelByID returns ENOTFOUND when there is no such model.
func (s *CatalogStore) FindModelByID(ctx context.Context, id int64) (*cordon.Model, error) {
	var r modelRow
	if err := s.db.conn(ctx).First(&r, id).Error; err != nil {
		return nil, TranslateError(err, "Model")
	}
	return toModel(&r), nil
}

// CreateUnit stores u and sets its ID; ECONFLICT when the serial is taken,
// EINVALID naming the field on bad input.
func (s *CatalogStore) CreateUnit(ctx context.Context, u *cordon.Unit) error {
	u.Serial = strings.TrimSpace(u.Serial)
	switch {
	case u.Serial == "":
		return cordon.FieldErr("serial", "store.serial_required")
	case strings.TrimSpace(u.SiteCity) == "":
		return cordon.FieldErr("site_city", "store.site_city_required")
	case u.FollowUpMonths < 0:
		return cordon.FieldErr("follow_up_months", "store.follow_up_interval_cannot_negative")
	}
	r := unitRow{
		ModelID: u.ModelID, CustomerID: u.CustomerID, Serial: u.Serial, Batch: u.Batch,
		SiteCity: u.SiteCity, DeliveredOn: u.DeliveredOn.UTC(), WarrantyEnd: u.WarrantyEnd.UTC(),
		FollowUpMonths: u.FollowUpMonths, NextVisitDue: utcPtr(u.NextVisitDue),
	}
	if err := s.db.conn(ctx).Create(&r).Error; err != nil {
		return TranslateError(err, "Unit")
	}
	*u = *toUnit(&r)
	return nil
}

// FindUnitByID returns ENOTFOUND when there is no such unit.
func (s *CatalogStore) FindUnitByID(ctx context.Context, id int64) (*cordon.Unit, error) {
	var r unitRow
	if err := s.db.conn(ctx).First(&r, id).Error; err != nil {
		return nil, TranslateError(err, "Unit")
	}
	return toUnit(&r), nil
}

// utcPtr returns a copy of *t in UTC, or nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// timeOrNow returns t in UTC, or the store's clock when t is zero: records
// that carry a history (requests, jobs, reports) may be given their time.
func timeOrNow(db *DB, t time.Time) time.Time {
	if t.IsZero() {
		return db.Now()
	}
	return t.UTC()
}

// FindUnits returns a page of delivered units ordered by serial, and the total.
func (s *CatalogStore) FindUnits(ctx context.Context, f cordon.UnitFilter) ([]*cordon.Unit, int, error) {
	q := s.db.conn(ctx).Model(&unitRow{})
	if f.SiteCity != nil {
		q = q.Where("units.site_city = ?", *f.SiteCity)
	}
	if f.CustomerID != nil {
		q = q.Where("units.customer_id = ?", *f.CustomerID)
	}
	if f.ProductLine != nil {
		q = q.Joins("JOIN models m ON m.id = units.model_id").Joins("JOIN product_lines pl ON pl.id = m.product_line_id").
			Where("pl.code = ?", *f.ProductLine)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, TranslateError(err, "Unit")
	}
	q = q.Select("units.*").Order("units.serial").Offset(f.Offset)
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []unitRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, 0, TranslateError(err, "Unit")
	}
	out := make([]*cordon.Unit, len(rows))
	for i := range rows {
		out[i] = toUnit(&rows[i])
	}
	return out, int(total), nil
}
