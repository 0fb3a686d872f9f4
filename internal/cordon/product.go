package cordon

import (
	"context"
	"time"
)

// ProductLine is a family of products, e.g. "radar" or "comms".
type ProductLine struct {
	ID   int64
	Code string
	Name string
}

// Model is a product model within a line.
type Model struct {
	ID            int64
	ProductLineID int64
	Code          string
	Name          string
}

// Unit is one delivered unit: a serial number at a customer's site. It
// carries its follow-up visit plan.
type Unit struct {
	ID             int64
	ModelID        int64
	CustomerID     int64
	Serial         string
	Batch          string
	SiteCity       string
	DeliveredOn    time.Time
	WarrantyEnd    time.Time
	FollowUpMonths int        // 0: no plan
	NextVisitDue   *time.Time // nil when no visit is planned
}

// UnitFilter selects delivered units; nil fields do not filter.
type UnitFilter struct {
	SiteCity    *string
	ProductLine *string // code
	CustomerID  *int64
	Offset      int
	Limit       int // 0: all
}

// CatalogStore reads and writes product lines, models and delivered units.
type CatalogStore interface {
	// CreateProductLine returns ECONFLICT when the code is taken.
	CreateProductLine(ctx context.Context, p *ProductLine) error
	// CreateModel returns ECONFLICT when the code is taken.
	CreateModel(ctx context.Context, m *Model) error
	// CreateUnit returns ECONFLICT when the serial is taken.
	CreateUnit(ctx context.Context, u *Unit) error
	// FindUnitByID returns ENOTFOUND when absent.
	FindUnitByID(ctx context.Context, id int64) (*Unit, error)
	// FindModelByID returns ENOTFOUND when absent.
	FindModelByID(ctx context.Context, id int64) (*Model, error)
	// FindUnits returns a page of delivered units ordered by serial, and the total.
	FindUnits(ctx context.Context, f UnitFilter) ([]*Unit, int, error)
	// FindProductLines returns every product line.
	FindProductLines(ctx context.Context) ([]*ProductLine, error)
}

// CatalogService is the product catalogue and the delivered units as the
// institute's pages read them. Partners never list units (ENOTFOUND).
type CatalogService interface {
	// FindProductLines returns every product line.
	FindProductLines(ctx context.Context) ([]*ProductLine, error)
	// FindModelByID returns one model; ENOTFOUND.
	FindModelByID(ctx context.Context, id int64) (*Model, error)
	// FindUnits returns a page of delivered units ordered by serial, and
	// the total.
	FindUnits(ctx context.Context, f UnitFilter) ([]*Unit, int, error)
}
