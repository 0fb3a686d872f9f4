// Package catalog is the product catalogue and the delivered units as the
// institute reads them: product lines, models and units. Partners never
// list units; they see a unit only through a job.
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

// FindProductLines returns every product line.
func (s *Service) FindProductLines(ctx context.Context) ([]*cordon.ProductLine, error) {
	return s.store.FindProductLines(ctx)
}

// FindModelByID returns one model.
func (s *Service) FindModelByID(ctx context.Context, id int64) (*cordon.Model, error) {
	return s.store.FindModelByID(ctx, id)
}

// FindUnits returns a page of delivered units; a partner user lists none.
func (s *Service) FindUnits(ctx context.Context, f cordon.UnitFilter) ([]*cordon.Unit, int, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, 0, err
	}
	if a.IsPartner() {
		return nil, 0, cordon.Err(cordon.ENOTFOUND, "unit.not_found")
	}
	return s.store.FindUnits(ctx, f)
}
