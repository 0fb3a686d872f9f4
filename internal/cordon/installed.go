package cordon

import (
	"context"
	"io"
	"time"
)

// The installed base: the institute's customers, its delivered units, their
// delivery milestones, follow-up plans and service history. Institute users
// only; a partner sees a unit only through a job (ENOTFOUND here).

// NewCustomer is a customer to register, with its identity.
type NewCustomer struct {
	Code     string
	City     string
	Identity CustomerIdentity
}

// NewUnit is a delivered unit to register.
type NewUnit struct {
	ModelID        int64
	CustomerID     int64
	Serial         string
	Batch          string
	SiteCity       string // defaults to the customer's city
	DeliveredOn    time.Time
	WarrantyEnd    time.Time
	ServiceEnd     *time.Time
	FollowUpMonths int // 0: no plan; else the first visit is due this long after delivery
}

// UnitTransferInput moves a unit to another customer.
type UnitTransferInput struct {
	CustomerID int64
	SiteCity   string // "" keeps the site city
	Reason     string
}

// MilestoneInput records a delivery milestone by hand.
type MilestoneInput struct {
	Kind  MilestoneKind
	On    time.Time // the day; not in the future
	JobID *int64
	Note  string
}

// FollowUpUpdate changes a unit's follow-up plan; nil fields stay.
type FollowUpUpdate struct {
	Months  *int
	NextDue *time.Time
	// Pause pauses the plan with this reason (required); Resume resumes it.
	Pause  *string
	Resume bool
}

// CalendarFilter selects the visit calendar: visits due before From plus
// Weeks (overdue ones included), by city and product line code.
type CalendarFilter struct {
	From        time.Time
	Weeks       int // 1 to 26; 0 means 8
	SiteCity    string
	ProductLine string
}

// VisitDue is one planned follow-up visit on the calendar.
type VisitDue struct {
	Unit        *Unit
	Model       *Model
	ProductLine string // code
	CustomerRef string // the customer's code
	Due         time.Time
	Overdue     bool
}

// HistoryKind is what a line of a unit's service history records.
type HistoryKind string

// The history kinds.
const (
	HistoryRequest   HistoryKind = "request"
	HistoryJob       HistoryKind = "job"
	HistoryReport    HistoryKind = "report"
	HistoryRootCause HistoryKind = "root_cause"
	HistoryCampaign  HistoryKind = "campaign"
	HistoryVisit     HistoryKind = "visit"
	HistoryMilestone HistoryKind = "milestone"
	HistoryTransfer  HistoryKind = "transfer"
	HistoryRetired   HistoryKind = "retired"
)

// HistoryEntry is one line of a unit's service history.
type HistoryEntry struct {
	At     time.Time
	Kind   HistoryKind
	RefID  int64  // the request, job, report, campaign, milestone or transfer
	Status string // the job's or request's status, the milestone kind, the root cause
	// Summary is the entry's free text (a request's description, a
	// report's actions); never a customer identity field.
	Summary string
}

// SheetRow is one row of an imported spreadsheet: raw cell text by field
// name (UnitSheetFields), and where it was.
type SheetRow struct {
	Row   int // 1-based, as the spreadsheet numbers it
	Cells map[string]string
}

// Sheet is an imported spreadsheet's one sheet: its name, which column
// holds which field, and its rows.
type Sheet struct {
	Name    string
	Columns map[string]string // field → column letter ("C")
	Rows    []SheetRow
}

// UnitSheetFields are the columns of the unit spreadsheet, in order: the
// customer's fields repeat on each of its units' rows.
var UnitSheetFields = []string{"customer_code", "customer_city", "name", "unit_designation", "contact_person",
	"phone", "site_address", "model", "serial", "batch", "site_city", "delivered_on", "warranty_end",
	"service_end", "follow_up_months"}

// RequiredUnitSheetFields must have a column in every import.
var RequiredUnitSheetFields = []string{"customer_code", "customer_city", "name", "model", "serial", "batch",
	"delivered_on", "warranty_end"}

// ImportProblem is one thing wrong with an import, where it is.
type ImportProblem struct {
	Sheet  string
	Row    int    // 0: the sheet as a whole
	Column string // the column letter; "" when none
	Field  string
	Err    *Error
}

// ImportChange is one record an import creates or changes.
type ImportChange struct {
	Row    int
	Kind   string // "customer" or "unit"
	Ref    string // the customer's code, or the model code and serial
	Action string // "create" or "update"
	Fields []string
}

// ImportResult is what an import did, or (dry run) would do.
type ImportResult struct {
	DryRun            bool
	Rows              int
	CustomersCreated  int
	CustomersUpdated  int
	UnitsCreated      int
	UnitsUpdated      int
	Unchanged         int
	Changes           []ImportChange // at most MaxImportChangesShown
	Problems          []ImportProblem
	ProblemsTruncated bool // more than MaxImportProblems; the rest unreported
}

// The visit calendar looks 1 to MaxCalendarWeeks ahead,
// DefaultCalendarWeeks unless asked; units count as stuck after 1 to
// MaxStuckDays at a milestone, DefaultStuckDays unless asked.
const (
	DefaultCalendarWeeks = 8
	MaxCalendarWeeks     = 26
	DefaultStuckDays     = 14
	MaxStuckDays         = 3650
)

// Import limits: a spreadsheet larger than this is refused whole.
const (
	MaxImportBytes        = 20 << 20
	MaxImportRows         = 200_000
	MaxImportProblems     = 200
	MaxImportChangesShown = 500
)

// InstalledBaseService is the installed base as the institute runs it.
// Every method answers ENOTFOUND to a partner. Reads that show identity
// fields and every change of one are access events.
type InstalledBaseService interface {
	// FindCustomers returns a keyset page of customers with identities,
	// and the id to ask After for the next (0 at the end).
	FindCustomers(ctx context.Context, f CustomerFilter) ([]*Customer, int64, error)
	// FindCustomerByID returns one customer with identity; ENOTFOUND.
	FindCustomerByID(ctx context.Context, id int64) (*Customer, error)
	// CustomerIDByCode names the customer with this code (case as
	// stored) by its id, reading no identity; ENOTFOUND.
	CustomerIDByCode(ctx context.Context, code string) (int64, error)
	// CreateCustomer registers a customer; EINVALID naming the field,
	// ECONFLICT when the code is taken.
	CreateCustomer(ctx context.Context, in NewCustomer) (*Customer, error)
	// UpdateCustomer changes city or identity; EINVALID, ENOTFOUND.
	UpdateCustomer(ctx context.Context, id int64, u CustomerUpdate) (*Customer, error)
	// SetCustomerActive deactivates or reactivates; ENOTFOUND.
	SetCustomerActive(ctx context.Context, id int64, active bool) (*Customer, error)

	// FindUnits returns a keyset page of units and the id for the next.
	FindUnits(ctx context.Context, f UnitFilter) ([]*Unit, int64, error)
	// FindUnitByID returns one unit; ENOTFOUND.
	FindUnitByID(ctx context.Context, id int64) (*Unit, error)
	// CreateUnit registers a delivered unit; EINVALID naming the field,
	// ECONFLICT when the model has the serial.
	CreateUnit(ctx context.Context, in NewUnit) (*Unit, error)
	// UpdateUnit changes the unit's record; EINVALID, ENOTFOUND, ECONFLICT
	// when retired.
	UpdateUnit(ctx context.Context, id int64, u UnitUpdate) (*Unit, error)
	// TransferUnit moves the unit to another active customer, kept as
	// history; EINVALID, ENOTFOUND, ECONFLICT when retired.
	TransferUnit(ctx context.Context, id int64, in UnitTransferInput) (*Unit, error)
	// RetireUnit takes the unit out of service with a reason; its plan
	// stops. ECONFLICT when already retired.
	RetireUnit(ctx context.Context, id int64, reason string) (*Unit, error)
	// UnitTransfers returns the unit's transfers, newest first.
	UnitTransfers(ctx context.Context, id int64) ([]*UnitTransfer, error)

	// RecordMilestone records a delivery milestone by hand; EINVALID for a
	// date in the future or an unknown kind, ECONFLICT when the unit has
	// it or a milestone out of order.
	RecordMilestone(ctx context.Context, unitID int64, in MilestoneInput) (*Milestone, error)
	// UnitMilestones returns the unit's milestones in order.
	UnitMilestones(ctx context.Context, unitID int64) ([]*Milestone, error)
	// StuckUnits returns units waiting at a milestone longer than d.
	StuckUnits(ctx context.Context, d time.Duration, limit int) ([]*StuckUnit, error)
	// UnitHistory returns every request, job, report, root cause,
	// campaign, follow-up visit, milestone and transfer of the unit,
	// newest first.
	UnitHistory(ctx context.Context, unitID int64) ([]*HistoryEntry, error)

	// UpdateFollowUp changes the unit's follow-up plan; EINVALID.
	UpdateFollowUp(ctx context.Context, unitID int64, u FollowUpUpdate) (*Unit, error)
	// VisitCalendar returns due and overdue visits, soonest first.
	VisitCalendar(ctx context.Context, f CalendarFilter) ([]*VisitDue, error)

	// ImportUnits checks every row and, unless dryRun or anything is
	// wrong, writes them all in one transaction. Problems are in the
	// result, not the error; the error is for the import as a whole.
	ImportUnits(ctx context.Context, s *Sheet, dryRun bool) (*ImportResult, error)
	// ImportFile reads a spreadsheet (.xlsx or CSV) and imports it as
	// ImportUnits does. What is wrong with the file itself (formulas,
	// merged cells, extra sheets, columns) is in the result's problems
	// like any other, and nothing is written then; the error is for a file
	// that cannot be read at all (ETOOLARGE, EINVALID).
	ImportFile(ctx context.Context, r io.Reader, filename string, dryRun bool) (*ImportResult, error)
	// ExportUnits returns the units f selects (every page) as sheet rows
	// with their customers' identities; an access event records it.
	ExportUnits(ctx context.Context, f UnitFilter) ([]SheetRow, error)
}

// CatalogService is the product catalogue: product lines, models and
// their components. Everyone at the institute reads it; the roles with
// product create or update change it. Partners get ENOTFOUND.
type CatalogService interface {
	// FindProductLines returns every product line.
	FindProductLines(ctx context.Context) ([]*ProductLine, error)
	// CreateProductLine returns EINVALID, ECONFLICT.
	CreateProductLine(ctx context.Context, code, name string) (*ProductLine, error)
	// UpdateProductLine renames; ENOTFOUND.
	UpdateProductLine(ctx context.Context, id int64, name string) (*ProductLine, error)
	// FindModels returns the line's models (every model for 0).
	FindModels(ctx context.Context, productLineID int64) ([]*Model, error)
	// FindModelByID returns one model; ENOTFOUND.
	FindModelByID(ctx context.Context, id int64) (*Model, error)
	// CreateModel returns EINVALID, ECONFLICT.
	CreateModel(ctx context.Context, productLineID int64, code, name string) (*Model, error)
	// UpdateModel renames; ENOTFOUND.
	UpdateModel(ctx context.Context, id int64, name string) (*Model, error)
	// FindComponents returns the model's components.
	FindComponents(ctx context.Context, modelID int64) ([]*Component, error)
	// CreateComponent adds a component to a model; EINVALID, ECONFLICT.
	CreateComponent(ctx context.Context, c Component) (*Component, error)
	// UpdateComponent changes name and supplier; ENOTFOUND.
	UpdateComponent(ctx context.Context, id int64, name, supplier string) (*Component, error)
}

// HistoryStore reads what the service history of a unit is made of.
type HistoryStore interface {
	// FindUnitHistory returns the unit's requests, jobs, reports (with
	// their root causes) and campaign requests as history entries, in no
	// particular order.
	FindUnitHistory(ctx context.Context, unitID int64) ([]*HistoryEntry, error)
}

// MilestoneRecorder records the milestone a verified job completes
// (installation, commissioning, training); the dispatcher calls it when
// quality verifies a job.
type MilestoneRecorder interface {
	// RecordJobMilestone records the job's milestone on its unit, unless
	// the job has no unit or no milestone, or the unit has it already.
	RecordJobMilestone(ctx context.Context, j *Job) error
}
