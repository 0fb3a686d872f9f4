package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/cordon/cordon/internal/cordon"
)

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
	ServiceEnd     *time.Time
	FollowUpMonths int
	NextVisitDue   *time.Time
	FollowUpPaused string
	RetiredAt      *time.Time
	RetireReason   string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (unitRow) TableName() string { return "units" }

func toUnit(r *unitRow) *cordon.Unit {
	return &cordon.Unit{
		ID: r.ID, ModelID: r.ModelID, CustomerID: r.CustomerID, Serial: r.Serial, Batch: r.Batch,
		SiteCity: r.SiteCity, DeliveredOn: r.DeliveredOn, WarrantyEnd: r.WarrantyEnd, ServiceEnd: r.ServiceEnd,
		FollowUpMonths: r.FollowUpMonths, NextVisitDue: r.NextVisitDue, FollowUpPaused: r.FollowUpPaused,
		RetiredAt: r.RetiredAt, RetireReason: r.RetireReason, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// fromUnit is the row of u, its times in UTC, created and updated now
// unless u says when.
func fromUnit(u *cordon.Unit, now time.Time) unitRow {
	r := unitRow{
		ID: u.ID, ModelID: u.ModelID, CustomerID: u.CustomerID, Serial: u.Serial, Batch: u.Batch,
		SiteCity: u.SiteCity, DeliveredOn: u.DeliveredOn.UTC(), WarrantyEnd: u.WarrantyEnd.UTC(),
		ServiceEnd: utcPtr(u.ServiceEnd), FollowUpMonths: u.FollowUpMonths, NextVisitDue: utcPtr(u.NextVisitDue),
		FollowUpPaused: u.FollowUpPaused, RetiredAt: utcPtr(u.RetiredAt), RetireReason: u.RetireReason,
		CreatedAt: u.CreatedAt.UTC(), UpdatedAt: now,
	}
	if u.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	return r
}

// checkUnit refuses a unit the table would take but nobody should:
// EINVALID naming the field.
func checkUnit(u *cordon.Unit) error {
	u.Serial = strings.TrimSpace(u.Serial)
	switch {
	case u.Serial == "":
		return cordon.FieldErr("serial", "store.serial_required")
	case strings.TrimSpace(u.SiteCity) == "":
		return cordon.FieldErr("site_city", "store.site_city_required")
	case u.FollowUpMonths < 0:
		return cordon.FieldErr("follow_up_months", "store.follow_up_interval_cannot_negative")
	}
	return nil
}

// CreateUnit stores u and sets its ID and times; ECONFLICT when the model
// has the serial, EINVALID naming the field on bad input.
func (s *CatalogStore) CreateUnit(ctx context.Context, u *cordon.Unit) error {
	if err := checkUnit(u); err != nil {
		return err
	}
	u.ID = 0
	r := fromUnit(u, s.db.Now())
	if err := s.db.conn(ctx).Create(&r).Error; err != nil {
		return TranslateError(err, "Unit")
	}
	*u = *toUnit(&r)
	return nil
}

// SaveUnit writes every field of u except its id, model, serial and
// creation time, and sets its UpdatedAt; ENOTFOUND, EINVALID.
func (s *CatalogStore) SaveUnit(ctx context.Context, u *cordon.Unit) error {
	if err := checkUnit(u); err != nil {
		return err
	}
	r := fromUnit(u, s.db.Now())
	res := s.db.conn(ctx).Model(&unitRow{}).Where("id = ?", u.ID).Updates(map[string]any{
		"customer_id": r.CustomerID, "batch": r.Batch, "site_city": r.SiteCity,
		"delivered_on": r.DeliveredOn, "warranty_end": r.WarrantyEnd, "service_end": r.ServiceEnd,
		"follow_up_months": r.FollowUpMonths, "next_visit_due": r.NextVisitDue, "follow_up_paused": r.FollowUpPaused,
		"retired_at": r.RetiredAt, "retire_reason": r.RetireReason, "updated_at": r.UpdatedAt,
	})
	if res.Error != nil {
		return TranslateError(res.Error, "Unit")
	}
	if res.RowsAffected == 0 {
		return cordon.ErrNotFound("Unit")
	}
	u.UpdatedAt = r.UpdatedAt
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

// filterUnits narrows q (over units) by f's selecting fields; After and
// Limit are the caller's.
func filterUnits(q *gorm.DB, f cordon.UnitFilter) *gorm.DB {
	if text := strings.TrimSpace(f.Query); text != "" {
		p := containsPattern(text)
		q = q.Where(`(lower(units.serial) LIKE ? ESCAPE '\' OR lower(units.batch) LIKE ? ESCAPE '\')`, p, p)
	}
	if f.SiteCity != nil {
		q = q.Where("units.site_city = ?", *f.SiteCity)
	}
	if f.CustomerID != nil {
		q = q.Where("units.customer_id = ?", *f.CustomerID)
	}
	if f.ModelID != nil {
		q = q.Where("units.model_id = ?", *f.ModelID)
	}
	if f.Batch != nil {
		q = q.Where("units.batch = ?", *f.Batch)
	}
	if f.ProductLine != nil {
		q = q.Where("units.model_id IN (SELECT m.id FROM models m JOIN product_lines pl ON pl.id = m.product_line_id WHERE pl.code = ?)",
			*f.ProductLine)
	}
	if f.PartNumber != nil {
		q = q.Where("EXISTS (SELECT 1 FROM components c WHERE c.model_id = units.model_id AND c.part_number = ?)", *f.PartNumber)
	}
	if !f.Retired {
		q = q.Where("units.retired_at IS NULL")
	}
	return q
}

func toUnits(rows []unitRow) []*cordon.Unit {
	out := make([]*cordon.Unit, len(rows))
	for i := range rows {
		out[i] = toUnit(&rows[i])
	}
	return out
}

// FindUnits returns up to f.Limit units with id > f.After, in order of id:
// a keyset page, so the 5,000th page costs what the first does.
func (s *CatalogStore) FindUnits(ctx context.Context, f cordon.UnitFilter) ([]*cordon.Unit, error) {
	q := filterUnits(s.db.conn(ctx).Model(&unitRow{}).Where("units.id > ?", f.After), f).Order("units.id")
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []unitRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, TranslateError(err, "Unit")
	}
	return toUnits(rows), nil
}

// FindUnitsBySerial returns the units with these (model, serial) pairs;
// pairs no unit has are absent.
func (s *CatalogStore) FindUnitsBySerial(ctx context.Context, keys []cordon.UnitKey) (map[cordon.UnitKey]*cordon.Unit, error) {
	byModel := map[int64][]string{}
	for _, k := range keys {
		byModel[k.ModelID] = append(byModel[k.ModelID], k.Serial)
	}
	out := make(map[cordon.UnitKey]*cordon.Unit, len(keys))
	for model, serials := range byModel {
		for start := 0; start < len(serials); start += lookupChunk {
			var rows []unitRow
			err := s.db.conn(ctx).Where("model_id = ? AND serial IN ?", model, serials[start:min(start+lookupChunk, len(serials))]).
				Find(&rows).Error
			if err != nil {
				return nil, TranslateError(err, "Unit")
			}
			for i := range rows {
				out[cordon.UnitKey{ModelID: rows[i].ModelID, Serial: rows[i].Serial}] = toUnit(&rows[i])
			}
		}
	}
	return out, nil
}

// findUnitsByID returns the units with these ids, keyed by id.
func (s *CatalogStore) findUnitsByID(ctx context.Context, ids []int64) (map[int64]*cordon.Unit, error) {
	out := make(map[int64]*cordon.Unit, len(ids))
	for start := 0; start < len(ids); start += lookupChunk {
		var rows []unitRow
		if err := s.db.conn(ctx).Where("id IN ?", ids[start:min(start+lookupChunk, len(ids))]).Find(&rows).Error; err != nil {
			return nil, TranslateError(err, "Unit")
		}
		for i := range rows {
			out[rows[i].ID] = toUnit(&rows[i])
		}
	}
	return out, nil
}

// transferRow is the unit_transfers table.
type transferRow struct {
	ID             int64 `gorm:"primaryKey"`
	UnitID         int64
	FromCustomerID int64
	ToCustomerID   int64
	FromSiteCity   string
	ToSiteCity     string
	Reason         string
	At             time.Time
	ByUser         int64
}

func (transferRow) TableName() string { return "unit_transfers" }

func toTransfer(r *transferRow) *cordon.UnitTransfer {
	return &cordon.UnitTransfer{ID: r.ID, UnitID: r.UnitID, FromCustomerID: r.FromCustomerID, ToCustomerID: r.ToCustomerID,
		FromSiteCity: r.FromSiteCity, ToSiteCity: r.ToSiteCity, Reason: r.Reason, At: r.At, By: r.ByUser}
}

// CreateTransfer records a change of customer and sets its ID; a zero At
// means now. EINVALID when the unit, a customer or the user does not exist.
func (s *CatalogStore) CreateTransfer(ctx context.Context, t *cordon.UnitTransfer) error {
	r := transferRow{UnitID: t.UnitID, FromCustomerID: t.FromCustomerID, ToCustomerID: t.ToCustomerID,
		FromSiteCity: t.FromSiteCity, ToSiteCity: t.ToSiteCity, Reason: t.Reason, At: timeOrNow(s.db, t.At), ByUser: t.By}
	if err := s.db.conn(ctx).Create(&r).Error; err != nil {
		return TranslateError(err, "Unit transfer")
	}
	*t = *toTransfer(&r)
	return nil
}

// FindTransfers returns the unit's transfers, newest first.
func (s *CatalogStore) FindTransfers(ctx context.Context, unitID int64) ([]*cordon.UnitTransfer, error) {
	var rows []transferRow
	if err := s.db.conn(ctx).Where("unit_id = ?", unitID).Order("at DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, TranslateError(err, "Unit transfer")
	}
	out := make([]*cordon.UnitTransfer, len(rows))
	for i := range rows {
		out[i] = toTransfer(&rows[i])
	}
	return out, nil
}

// milestoneRow is the unit_milestones table.
type milestoneRow struct {
	ID         int64 `gorm:"primaryKey"`
	UnitID     int64
	Kind       string
	HappenedOn time.Time
	JobID      *int64
	Note       string
	RecordedBy int64
	RecordedAt time.Time
}

func (milestoneRow) TableName() string { return "unit_milestones" }

func toMilestone(r *milestoneRow) *cordon.Milestone {
	return &cordon.Milestone{ID: r.ID, UnitID: r.UnitID, Kind: cordon.MilestoneKind(r.Kind), On: r.HappenedOn,
		JobID: r.JobID, Note: r.Note, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
}

// milestoneRank is an SQL expression of a milestone's place in
// cordon.MilestoneKinds, from the kind in column col: the order lives in
// the domain, not in the table.
func milestoneRank(col string) string {
	var b strings.Builder
	b.WriteString("CASE " + col)
	for i, k := range cordon.MilestoneKinds {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", strings.ReplaceAll(string(k), "'", "''"), i)
	}
	b.WriteString(" END")
	return b.String()
}

// CreateMilestone records a milestone and sets its ID; a zero RecordedAt
// means now. ECONFLICT when the unit has one of that kind, EINVALID for an
// unknown kind or a unit, job or user that does not exist.
func (s *CatalogStore) CreateMilestone(ctx context.Context, m *cordon.Milestone) error {
	if !m.Kind.Valid() {
		return cordon.FieldErr("kind", "store.milestone_kind_unknown", m.Kind)
	}
	r := milestoneRow{UnitID: m.UnitID, Kind: string(m.Kind), HappenedOn: m.On.UTC(), JobID: m.JobID, Note: m.Note,
		RecordedBy: m.RecordedBy, RecordedAt: timeOrNow(s.db, m.RecordedAt)}
	if err := s.db.conn(ctx).Create(&r).Error; err != nil {
		return TranslateError(err, "Milestone")
	}
	*m = *toMilestone(&r)
	return nil
}

// FindMilestones returns the unit's milestones in the order of their kinds.
func (s *CatalogStore) FindMilestones(ctx context.Context, unitID int64) ([]*cordon.Milestone, error) {
	var rows []milestoneRow
	if err := s.db.conn(ctx).Where("unit_id = ?", unitID).Order(milestoneRank("kind")).Find(&rows).Error; err != nil {
		return nil, TranslateError(err, "Milestone")
	}
	out := make([]*cordon.Milestone, len(rows))
	for i := range rows {
		out[i] = toMilestone(&rows[i])
	}
	return out, nil
}

// FindStuckUnits returns units in service whose latest milestone (the
// highest kind they have) is not the last kind and happened before
// before, oldest first; a unit without any milestone counts from its
// delivery. At most limit (0: all), each with its latest milestone.
func (s *CatalogStore) FindStuckUnits(ctx context.Context, before time.Time, limit int) ([]*cordon.StuckUnit, error) {
	last := cordon.MilestoneKinds[len(cordon.MilestoneKinds)-1]
	q := s.db.conn(ctx).Table("units u").Select("u.id AS unit_id, l.id AS milestone_id").
		Joins("LEFT JOIN unit_milestones l ON l.id = (SELECT m.id FROM unit_milestones m WHERE m.unit_id = u.id ORDER BY "+
			milestoneRank("m.kind")+" DESC LIMIT 1)").
		Where("u.retired_at IS NULL AND (l.kind IS NULL OR l.kind <> ?) AND COALESCE(l.happened_on, u.delivered_on) < ?",
			string(last), before.UTC()).
		Order("COALESCE(l.happened_on, u.delivered_on), u.id")
	if limit > 0 {
		q = q.Limit(limit)
	}
	var hits []struct {
		UnitID      int64
		MilestoneID *int64
	}
	if err := q.Scan(&hits).Error; err != nil {
		return nil, TranslateError(err, "Unit")
	}
	unitIDs := make([]int64, len(hits))
	var milestoneIDs []int64
	for i, h := range hits {
		unitIDs[i] = h.UnitID
		if h.MilestoneID != nil {
			milestoneIDs = append(milestoneIDs, *h.MilestoneID)
		}
	}
	units, err := s.findUnitsByID(ctx, unitIDs)
	if err != nil {
		return nil, err
	}
	milestones := make(map[int64]*cordon.Milestone, len(milestoneIDs))
	for start := 0; start < len(milestoneIDs); start += lookupChunk {
		var rows []milestoneRow
		if err := s.db.conn(ctx).Where("id IN ?", milestoneIDs[start:min(start+lookupChunk, len(milestoneIDs))]).Find(&rows).Error; err != nil {
			return nil, TranslateError(err, "Milestone")
		}
		for i := range rows {
			milestones[rows[i].ID] = toMilestone(&rows[i])
		}
	}
	out := make([]*cordon.StuckUnit, 0, len(hits))
	for _, h := range hits {
		su := &cordon.StuckUnit{Unit: units[h.UnitID]}
		if su.Unit == nil {
			continue // gone between the statements
		}
		if h.MilestoneID != nil {
			su.Latest = milestones[*h.MilestoneID]
		}
		out = append(out, su)
	}
	return out, nil
}

// FindVisitsDue returns units in service whose follow-up plan runs (an
// interval, not paused) with a next visit due before until and before the
// later of warranty end and service agreement end, soonest first. f's
// selecting fields filter (site city and product line for the calendar);
// its After is ignored and its Retired too (retired units have no visits);
// a Limit caps the list.
func (s *CatalogStore) FindVisitsDue(ctx context.Context, until time.Time, f cordon.UnitFilter) ([]*cordon.Unit, error) {
	f.Retired = false
	q := s.db.conn(ctx).Model(&unitRow{}).
		Where("units.follow_up_months > 0 AND units.follow_up_paused = '' AND units.next_visit_due IS NOT NULL AND units.next_visit_due < ?", until.UTC()).
		Where("(units.next_visit_due < units.warranty_end OR (units.service_end IS NOT NULL AND units.next_visit_due < units.service_end))")
	q = filterUnits(q, f).Order("units.next_visit_due, units.id")
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []unitRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, TranslateError(err, "Unit")
	}
	return toUnits(rows), nil
}

// importBatch is how many rows one INSERT of an import carries: at most
// 17 columns a row keeps it far below SQLite's 32,766 parameters and
// PostgreSQL's 65,535. The SQLite driver binds a statement's parameters
// in time quadratic in their number: there 100 rows a statement import
// 100,000 units in about 3 s, 1,000 rows in about 15 s.
func (db *DB) importBatch() int {
	if db.dialect == SQLite {
		return 100
	}
	return 1000
}

// ImportUnits writes a whole import in one transaction: new customers and
// their identities, changed customers (city and identity replaced), new
// units (a unit with CustomerID 0 belongs to the new customer
// b.NewUnitCustomer names) and changed units, as SaveUnit writes them. It
// sets the IDs and times of what it creates. Nothing is written when any
// write fails: ECONFLICT for a taken code or serial, EINVALID naming the
// field.
func (s *CatalogStore) ImportUnits(ctx context.Context, b *cordon.ImportBatch) error {
	// Once committed, PostgreSQL's statistics must know the new rows: its
	// plans made while the tables were small read every unit of a model
	// for each lookup, and a second import of 100,000 units took 73 s
	// instead of 5 (autovacuum may be off, as on this machine). ANALYZE
	// runs as the owner, on the side pool; at worst it fails and the
	// plans stay as they were.
	if s.db.eng.name() == Postgres {
		s.db.AfterCommit(ctx, func(ctx context.Context) {
			_ = s.db.side.WithContext(ctx).Exec("ANALYZE units, customers, customer_identities").Error
		})
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		now := s.db.Now()
		db := s.db.conn(ctx)

		customers := make([]customerRow, len(b.NewCustomers))
		for i, c := range b.NewCustomers {
			c.Code = strings.TrimSpace(c.Code)
			switch {
			case c.Code == "":
				return cordon.FieldErr("customer_code", "store.code_required")
			case strings.TrimSpace(c.City) == "":
				return cordon.FieldErr("customer_city", "store.city_required")
			}
			customers[i] = customerRow{Code: c.Code, City: c.City, CreatedAt: now, UpdatedAt: now}
		}
		if len(customers) > 0 {
			if err := db.CreateInBatches(&customers, s.db.importBatch()).Error; err != nil {
				return TranslateError(err, "Customer")
			}
		}
		var identities []customerIdentityRow
		for i, c := range b.NewCustomers {
			c.ID, c.CreatedAt, c.UpdatedAt = customers[i].ID, now, now
			if c.Identity != nil {
				c.Identity.CustomerID = c.ID
				identities = append(identities, identityRowOf(c.Identity))
			}
		}
		for _, c := range b.UpdatedCustomers {
			res := db.Model(&customerRow{}).Where("id = ?", c.ID).Updates(map[string]any{"city": c.City, "updated_at": now})
			if res.Error != nil {
				return TranslateError(res.Error, "Customer")
			}
			if res.RowsAffected == 0 {
				return cordon.ErrNotFound("Customer")
			}
			c.UpdatedAt = now
			if c.Identity != nil {
				c.Identity.CustomerID = c.ID
				identities = append(identities, identityRowOf(c.Identity))
			}
		}
		if len(identities) > 0 {
			err := db.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "customer_id"}},
				DoUpdates: clause.AssignmentColumns([]string{"name", "unit_designation", "contact_person", "phone", "site_address"}),
			}).CreateInBatches(&identities, s.db.importBatch()).Error
			if err != nil {
				return TranslateError(err, "Customer identity")
			}
		}

		units := make([]unitRow, len(b.NewUnits))
		for i, u := range b.NewUnits {
			if u.CustomerID == 0 {
				j, ok := b.NewUnitCustomer[i]
				if !ok || j < 0 || j >= len(b.NewCustomers) {
					return fmt.Errorf("import: new unit %d names no customer", i)
				}
				u.CustomerID = b.NewCustomers[j].ID
			}
			if err := checkUnit(u); err != nil {
				return err
			}
			u.ID = 0
			units[i] = fromUnit(u, now)
		}
		if len(units) > 0 {
			if err := db.CreateInBatches(&units, s.db.importBatch()).Error; err != nil {
				return TranslateError(err, "Unit")
			}
		}
		for i, u := range b.NewUnits {
			*u = *toUnit(&units[i])
		}
		for _, u := range b.UpdatedUnits {
			if err := s.SaveUnit(ctx, u); err != nil {
				return err
			}
		}
		return nil
	})
}

func identityRowOf(id *cordon.CustomerIdentity) customerIdentityRow {
	return customerIdentityRow{CustomerID: id.CustomerID, Name: id.Name, UnitDesignation: id.UnitDesignation,
		ContactPerson: id.ContactPerson, Phone: id.Phone, SiteAddress: id.SiteAddress}
}
