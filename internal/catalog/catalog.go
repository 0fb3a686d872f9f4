// Package catalog is the product catalogue as the institute keeps it:
// product lines, their models, and each model's components (part number,
// name, supplier). Partners never read it here; they see a model only
// through a job.
package catalog

import (
	"context"

	"github.com/cordon/cordon/internal/cordon"
)

// Service implements cordon.CatalogService over the catalogue's store.
type Service struct{ store cordon.CatalogStore }

var _ cordon.CatalogService = (*Service)(nil)

// NewService returns the catalogue service.
func NewService(store cordon.CatalogStore) *Service { return &Service{store: store} }

// institute refuses partners: the catalogue is not theirs to list.
func institute(ctx context.Context, what string) error {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return err
	}
	if a.IsPartner() {
		return cordon.ErrNotFound(what)
	}
	return nil
}

// FindProductLines returns every product line.
func (s *Service) FindProductLines(ctx context.Context) ([]*cordon.ProductLine, error) {
	if err := institute(ctx, "Product line"); err != nil {
		return nil, err
	}
	return s.store.FindProductLines(ctx)
}

// CreateProductLine adds a product line.
func (s *Service) CreateProductLine(ctx context.Context, code, name string) (*cordon.ProductLine, error) {
	if err := institute(ctx, "Product line"); err != nil {
		return nil, err
	}
	p := &cordon.ProductLine{}
	var err error
	if p.Code, err = cordon.Text("code", code, 32, true); err != nil {
		return nil, err
	}
	if p.Name, err = cordon.Text("name", name, 200, true); err != nil {
		return nil, err
	}
	if err := s.store.CreateProductLine(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// UpdateProductLine renames a product line; its code never changes
// (contracts name lines by code).
func (s *Service) UpdateProductLine(ctx context.Context, id int64, name string) (*cordon.ProductLine, error) {
	if err := institute(ctx, "Product line"); err != nil {
		return nil, err
	}
	name, err := cordon.Text("name", name, 200, true)
	if err != nil {
		return nil, err
	}
	return s.store.UpdateProductLine(ctx, id, name)
}

// FindModels returns the line's models, or every model for 0.
func (s *Service) FindModels(ctx context.Context, productLineID int64) ([]*cordon.Model, error) {
	if err := institute(ctx, "Model"); err != nil {
		return nil, err
	}
	return s.store.FindModels(ctx, productLineID)
}

// FindModelByID returns one model.
func (s *Service) FindModelByID(ctx context.Context, id int64) (*cordon.Model, error) {
	if err := institute(ctx, "Model"); err != nil {
		return nil, err
	}
	return s.store.FindModelByID(ctx, id)
}

// CreateModel adds a model to a product line.
func (s *Service) CreateModel(ctx context.Context, productLineID int64, code, name string) (*cordon.Model, error) {
	if err := institute(ctx, "Model"); err != nil {
		return nil, err
	}
	m := &cordon.Model{ProductLineID: productLineID}
	var err error
	if m.Code, err = cordon.Text("code", code, 64, true); err != nil {
		return nil, err
	}
	if m.Name, err = cordon.Text("name", name, 200, true); err != nil {
		return nil, err
	}
	lines, err := s.store.FindProductLines(ctx)
	if err != nil {
		return nil, err
	}
	known := false
	for _, l := range lines {
		known = known || l.ID == productLineID
	}
	if !known {
		return nil, cordon.FieldErr("product_line_id", "installed.no_product_line_has_id")
	}
	if err := s.store.CreateModel(ctx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// UpdateModel renames a model; its code never changes.
func (s *Service) UpdateModel(ctx context.Context, id int64, name string) (*cordon.Model, error) {
	if err := institute(ctx, "Model"); err != nil {
		return nil, err
	}
	name, err := cordon.Text("name", name, 200, true)
	if err != nil {
		return nil, err
	}
	return s.store.UpdateModel(ctx, id, name)
}

// FindComponents returns the model's components.
func (s *Service) FindComponents(ctx context.Context, modelID int64) ([]*cordon.Component, error) {
	if _, err := s.FindModelByID(ctx, modelID); err != nil {
		return nil, err
	}
	return s.store.FindComponents(ctx, modelID)
}

// CreateComponent adds a component to a model.
func (s *Service) CreateComponent(ctx context.Context, c cordon.Component) (*cordon.Component, error) {
	if _, err := s.FindModelByID(ctx, c.ModelID); err != nil {
		return nil, err
	}
	var err error
	if c.PartNumber, err = cordon.Text("part_number", c.PartNumber, 64, true); err != nil {
		return nil, err
	}
	if c.Name, err = cordon.Text("name", c.Name, 200, true); err != nil {
		return nil, err
	}
	if c.Supplier, err = cordon.Text("supplier", c.Supplier, 200, false); err != nil {
		return nil, err
	}
	if err := s.store.CreateComponent(ctx, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// UpdateComponent changes a component's name and supplier; its part
// number never changes.
func (s *Service) UpdateComponent(ctx context.Context, id int64, name, supplier string) (*cordon.Component, error) {
	if err := institute(ctx, "Component"); err != nil {
		return nil, err
	}
	name, err := cordon.Text("name", name, 200, true)
	if err != nil {
		return nil, err
	}
	if supplier, err = cordon.Text("supplier", supplier, 200, false); err != nil {
		return nil, err
	}
	return s.store.UpdateComponent(ctx, id, name, supplier)
}
