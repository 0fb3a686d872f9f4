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

// Component is a part a model is built with: a part number from a
// supplier. Later work (corrective actions, campaigns) finds every unit
// that carries a component through its model.
type Component struct {
	ID         int64
	ModelID    int64
	PartNumber string // unique within the model
	Name       string
	Supplier   string
}

// Unit is one delivered unit: a serial number at a customer's site. It
// carries its follow-up visit plan.
type Unit struct {
	ID          int64
	ModelID     int64
	CustomerID  int64
	Serial      string // unique within the model
	Batch       string
	SiteCity    string
	DeliveredOn time.Time
	WarrantyEnd time.Time
	// ServiceEnd is when the service agreement ends, if there is one;
	// follow-up visits continue until the later of it and WarrantyEnd.
	ServiceEnd     *time.Time
	FollowUpMonths int        // 0: no plan
	NextVisitDue   *time.Time // nil when no visit is planned
	// FollowUpPaused is why the follow-up plan is paused; "" while it runs.
	FollowUpPaused string
	RetiredAt      *time.Time // nil while in service
	RetireReason   string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// FollowUpUntil is when follow-up visits end: the later of the warranty
// and the service agreement.
func (u *Unit) FollowUpUntil() time.Time {
	if u.ServiceEnd != nil && u.ServiceEnd.After(u.WarrantyEnd) {
		return *u.ServiceEnd
	}
	return u.WarrantyEnd
}

// Retired reports whether the unit has been taken out of service.
func (u *Unit) Retired() bool { return u.RetiredAt != nil }

// VisitsPlanned reports whether the unit's follow-up plan makes visits at
// t: a plan with an interval and a due date, not paused, the unit in
// service and t before the end of warranty or service agreement.
func (u *Unit) VisitsPlanned(t time.Time) bool {
	return u.FollowUpMonths > 0 && u.NextVisitDue != nil && u.FollowUpPaused == "" && !u.Retired() && t.Before(u.FollowUpUntil())
}

// UnitFilter selects delivered units, a keyset page at a time in order of
// id; nil and zero fields do not filter.
type UnitFilter struct {
	Query       string // a substring of the serial or the batch
	SiteCity    *string
	ProductLine *string // code
	ModelID     *int64
	CustomerID  *int64
	Batch       *string
	PartNumber  *string // units whose model carries this component
	Retired     bool    // include retired units
	After       int64   // the last id of the previous page
	Limit       int     // 0: all
}

// UnitUpdate is a change of a unit's record; nil fields stay as they are.
// The customer changes only by transfer, the plan by FollowUpUpdate.
type UnitUpdate struct {
	Batch       *string
	SiteCity    *string
	DeliveredOn *time.Time
	WarrantyEnd *time.Time
	ServiceEnd  **time.Time // set to a nil pointer to clear
}

// UnitTransfer is one change of a unit's customer, kept as history.
type UnitTransfer struct {
	ID             int64
	UnitID         int64
	FromCustomerID int64
	ToCustomerID   int64
	FromSiteCity   string
	ToSiteCity     string
	Reason         string
	At             time.Time
	By             int64 // the user
}

// Milestone kinds, in the order a delivered unit passes them.
type MilestoneKind string

// The delivery milestones.
const (
	MilestoneShipped      MilestoneKind = "shipped"
	MilestoneArrived      MilestoneKind = "arrived"
	MilestoneInstalled    MilestoneKind = "installed"
	MilestoneCommissioned MilestoneKind = "commissioned"
	MilestoneAccepted     MilestoneKind = "accepted" // 验收: accepted by the customer
	MilestoneTrained      MilestoneKind = "trained"
)

// MilestoneKinds lists the milestones in order.
var MilestoneKinds = []MilestoneKind{MilestoneShipped, MilestoneArrived, MilestoneInstalled,
	MilestoneCommissioned, MilestoneAccepted, MilestoneTrained}

// Rank is the milestone's place in MilestoneKinds, -1 when unknown.
func (k MilestoneKind) Rank() int {
	for i, x := range MilestoneKinds {
		if x == k {
			return i
		}
	}
	return -1
}

// Valid reports whether k is a known milestone.
func (k MilestoneKind) Valid() bool { return k.Rank() >= 0 }

// MilestoneOfCategory is the milestone a verified job of the category
// records by itself: installation, commissioning, training.
func MilestoneOfCategory(c Category) (MilestoneKind, bool) {
	switch c {
	case CatInstallation:
		return MilestoneInstalled, true
	case CatCommissioning:
		return MilestoneCommissioned, true
	case CatTraining:
		return MilestoneTrained, true
	}
	return "", false
}

// Milestone is one step of a unit's delivery, with its date, who recorded
// it, and the job that did the work where there was one.
type Milestone struct {
	ID         int64
	UnitID     int64
	Kind       MilestoneKind
	On         time.Time // the day it happened
	JobID      *int64
	Note       string
	RecordedBy int64
	RecordedAt time.Time
}

// CatalogStore reads and writes product lines, models, components and
// delivered units.
type CatalogStore interface {
	// CreateProductLine returns ECONFLICT when the code is taken.
	CreateProductLine(ctx context.Context, p *ProductLine) error
	// UpdateProductLine renames the line; ENOTFOUND.
	UpdateProductLine(ctx context.Context, id int64, name string) (*ProductLine, error)
	// CreateModel returns ECONFLICT when the code is taken.
	CreateModel(ctx context.Context, m *Model) error
	// UpdateModel renames the model; ENOTFOUND.
	UpdateModel(ctx context.Context, id int64, name string) (*Model, error)
	// FindModels returns every model of the line (every model for 0), by code.
	FindModels(ctx context.Context, productLineID int64) ([]*Model, error)
	// CreateComponent returns ECONFLICT when the model has the part number.
	CreateComponent(ctx context.Context, c *Component) error
	// UpdateComponent replaces name and supplier; ENOTFOUND.
	UpdateComponent(ctx context.Context, id int64, name, supplier string) (*Component, error)
	// FindComponents returns the model's components by part number.
	FindComponents(ctx context.Context, modelID int64) ([]*Component, error)
	// CreateUnit returns ECONFLICT when the model has the serial.
	CreateUnit(ctx context.Context, u *Unit) error
	// SaveUnit writes every field of u (the record, the plan, the customer
	// and retirement) except its id, model, serial and creation time;
	// ENOTFOUND.
	SaveUnit(ctx context.Context, u *Unit) error
	// FindUnitByID returns ENOTFOUND when absent.
	FindUnitByID(ctx context.Context, id int64) (*Unit, error)
	// FindModelByID returns ENOTFOUND when absent.
	FindModelByID(ctx context.Context, id int64) (*Model, error)
	// FindUnits returns up to f.Limit units with id > f.After, in order of id.
	FindUnits(ctx context.Context, f UnitFilter) ([]*Unit, error)
	// FindUnitsBySerial returns the units with these (model, serial) pairs.
	FindUnitsBySerial(ctx context.Context, keys []UnitKey) (map[UnitKey]*Unit, error)
	// FindProductLines returns every product line.
	FindProductLines(ctx context.Context) ([]*ProductLine, error)
	// CreateTransfer records a change of customer.
	CreateTransfer(ctx context.Context, t *UnitTransfer) error
	// FindTransfers returns the unit's transfers, newest first.
	FindTransfers(ctx context.Context, unitID int64) ([]*UnitTransfer, error)
	// CreateMilestone records a milestone; ECONFLICT when the unit has one
	// of that kind.
	CreateMilestone(ctx context.Context, m *Milestone) error
	// FindMilestones returns the unit's milestones in order of kind.
	FindMilestones(ctx context.Context, unitID int64) ([]*Milestone, error)
	// FindStuckUnits returns units in service whose latest milestone is
	// neither the last kind nor later than before, oldest first, at most
	// limit (0: all), each with that latest milestone.
	FindStuckUnits(ctx context.Context, before time.Time, limit int) ([]*StuckUnit, error)
	// FindVisitsDue returns units in service whose plan runs, with a next
	// visit due before until, soonest first.
	FindVisitsDue(ctx context.Context, until time.Time, f UnitFilter) ([]*Unit, error)
	// ImportUnits writes a whole import in one transaction: new customers
	// and their identities, changed identities, new units and changed
	// units. Nothing is written when any write fails.
	ImportUnits(ctx context.Context, b *ImportBatch) error
}

// UnitKey names a unit by its model and serial.
type UnitKey struct {
	ModelID int64
	Serial  string
}

// StuckUnit is a unit waiting at a milestone.
type StuckUnit struct {
	Unit   *Unit
	Latest *Milestone // nil: no milestone at all since delivery
}

// ImportBatch is what an import writes, decided by the service.
type ImportBatch struct {
	NewCustomers     []*Customer // with identities; IDs set on return
	UpdatedCustomers []*Customer // identity and city replaced
	NewUnits         []*Unit     // CustomerID 0 means NewCustomerIndex
	// NewUnitCustomer maps an index of NewUnits to an index of
	// NewCustomers, for units of customers the import creates.
	NewUnitCustomer map[int]int
	UpdatedUnits    []*Unit // written as SaveUnit does
}
