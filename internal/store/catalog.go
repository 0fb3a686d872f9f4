package store

import (
	"context"
	"strings"

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

// CatalogStore implements cordon.CatalogStore.
type CatalogStore struct{ db *DB }

var _ cordon.CatalogStore = (*CatalogStore)(nil)

// NewCatalogStore returns the store of product lines, models, components
// and delivered units (unit.go).
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

// UpdateProductLine renames the line; ENOTFOUND.
func (s *CatalogStore) UpdateProductLine(ctx context.Context, id int64, name string) (*cordon.ProductLine, error) {
	res := s.db.conn(ctx).Model(&productLineRow{}).Where("id = ?", id).Update("name", name)
	if res.Error != nil {
		return nil, TranslateError(res.Error, "Product line")
	}
	if res.RowsAffected == 0 {
		return nil, cordon.ErrNotFound("Product line")
	}
	var r productLineRow
	if err := s.db.conn(ctx).First(&r, id).Error; err != nil {
		return nil, TranslateError(err, "Product line")
	}
	return toProductLine(&r), nil
}

// UpdateModel renames the model; ENOTFOUND.
func (s *CatalogStore) UpdateModel(ctx context.Context, id int64, name string) (*cordon.Model, error) {
	res := s.db.conn(ctx).Model(&modelRow{}).Where("id = ?", id).Update("name", name)
	if res.Error != nil {
		return nil, TranslateError(res.Error, "Model")
	}
	if res.RowsAffected == 0 {
		return nil, cordon.ErrNotFound("Model")
	}
	return s.FindModelByID(ctx, id)
}

// FindModels returns every model of the line (every model for 0), by code.
func (s *CatalogStore) FindModels(ctx context.Context, productLineID int64) ([]*cordon.Model, error) {
	q := s.db.conn(ctx).Order("code")
	if productLineID != 0 {
		q = q.Where("product_line_id = ?", productLineID)
	}
	var rows []modelRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, TranslateError(err, "Model")
	}
	out := make([]*cordon.Model, len(rows))
	for i := range rows {
		out[i] = toModel(&rows[i])
	}
	return out, nil
}

// componentRow is the components table.
type componentRow struct {
	ID         int64 `gorm:"primaryKey"`
	ModelID    int64
	PartNumber string
	Name       string
	Supplier   string
}

func (componentRow) TableName() string { return "components" }

func toComponent(r *componentRow) *cordon.Component {
	return &cordon.Component{ID: r.ID, ModelID: r.ModelID, PartNumber: r.PartNumber, Name: r.Name, Supplier: r.Supplier}
}

// CreateComponent stores c and sets its ID; ECONFLICT when the model has
// the part number, EINVALID without a part number or name, or with an
// unknown model.
func (s *CatalogStore) CreateComponent(ctx context.Context, c *cordon.Component) error {
	c.PartNumber = strings.TrimSpace(c.PartNumber)
	switch {
	case c.PartNumber == "":
		return cordon.FieldErr("part_number", "store.part_number_required")
	case strings.TrimSpace(c.Name) == "":
		return cordon.FieldErr("name", "store.name_required")
	}
	r := componentRow{ModelID: c.ModelID, PartNumber: c.PartNumber, Name: c.Name, Supplier: c.Supplier}
	if err := s.db.conn(ctx).Create(&r).Error; err != nil {
		return TranslateError(err, "Component")
	}
	*c = *toComponent(&r)
	return nil
}

// UpdateComponent replaces name and supplier; ENOTFOUND, EINVALID without
// a name.
func (s *CatalogStore) UpdateComponent(ctx context.Context, id int64, name, supplier string) (*cordon.Component, error) {
	if strings.TrimSpace(name) == "" {
		return nil, cordon.FieldErr("name", "store.name_required")
	}
	res := s.db.conn(ctx).Model(&componentRow{}).Where("id = ?", id).
		Updates(map[string]any{"name": name, "supplier": supplier})
	if res.Error != nil {
		return nil, TranslateError(res.Error, "Component")
	}
	if res.RowsAffected == 0 {
		return nil, cordon.ErrNotFound("Component")
	}
	var r componentRow
	if err := s.db.conn(ctx).First(&r, id).Error; err != nil {
		return nil, TranslateError(err, "Component")
	}
	return toComponent(&r), nil
}

// FindComponents returns the model's components by part number.
func (s *CatalogStore) FindComponents(ctx context.Context, modelID int64) ([]*cordon.Component, error) {
	var rows []componentRow
	if err := s.db.conn(ctx).Where("model_id = ?", modelID).Order("part_number").Find(&rows).Error; err != nil {
		return nil, TranslateError(err, "Component")
	}
	out := make([]*cordon.Component, len(rows))
	for i := range rows {
		out[i] = toComponent(&rows[i])
	}
	return out, nil
}
