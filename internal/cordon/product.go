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

// CatalogService reads and writes product lines, models and delivered units.
type CatalogService interface {
	// CreateProductLine returns ECONFLICT when the code is taken.
	CreateProductLine(ctx context.Context, p *ProductLine) error
	// CreateModel returns ECONFLICT when the code is taken.
	CreateModel(ctx context.Context, m *Model) error
	// CreateUnit returns ECONFLICT when the serial is taken.
	CreateUnit(ctx context.Context, u *Unit) error
	// FindProductLines returns every product line.
	FindProductLines(ctx context.Context) ([]*ProductLine, error)
}
