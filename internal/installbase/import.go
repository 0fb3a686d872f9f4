package installbase

import (
	"context"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// The import: one sheet of unit rows, each carrying its customer's fields.
// Every row is checked before anything is written, and then everything is
// written in one transaction or nothing at all.

// dateLayouts are the ways people write a day in a spreadsheet.
var dateLayouts = []string{"2006-01-02", "2006/01/02", "2006.01.02", "2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日"}

// parseDay reads a day in China time.
func parseDay(v string) (time.Time, bool) {
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, v, cordon.ChinaTime); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// formatDay writes a day as the export and the template do.
func formatDay(t time.Time) string { return t.In(cordon.ChinaTime).Format("2006-01-02") }

// rowCheck collects the problems of one sheet.
type rowCheck struct {
	sheet    *cordon.Sheet
	problems []cordon.ImportProblem
	more     bool
}

func (c *rowCheck) add(row int, field string, err *cordon.Error) {
	if len(c.problems) >= cordon.MaxImportProblems {
		c.more = true
		return
	}
	err.Field = field
	c.problems = append(c.problems, cordon.ImportProblem{Sheet: c.sheet.Name, Row: row, Column: c.sheet.Columns[field], Field: field, Err: err})
}

// importRow is one row read into records.
type importRow struct {
	row      int
	customer cordon.Customer // with Identity
	unit     cordon.Unit
	model    string
}

// ImportUnits checks every row of the sheet and, unless dryRun or any row
// is wrong, creates and updates the customers and units it holds in one
// transaction. Customers are matched by code, units by model and serial.
// A unit already registered to another customer is a problem (a transfer
// is made on the unit's page, with its reason), as is a retired one.
func (s *Service) ImportUnits(ctx context.Context, sh *cordon.Sheet, dryRun bool) (*cordon.ImportResult, error) {
	a, err := institute(ctx, "Unit")
	if err != nil {
		return nil, err
	}
	if sh == nil || len(sh.Rows) == 0 {
		return nil, cordon.Err(cordon.EINVALID, "installed.import_empty")
	}
	if len(sh.Rows) > cordon.MaxImportRows {
		return nil, cordon.Err(cordon.ETOOLARGE, "installed.import_too_many_rows", cordon.MaxImportRows)
	}
	res := &cordon.ImportResult{DryRun: dryRun, Rows: len(sh.Rows)}
	chk := &rowCheck{sheet: sh}
	for _, f := range cordon.RequiredUnitSheetFields {
		if sh.Columns[f] == "" {
			chk.add(1, f, cordon.Err(cordon.EINVALID, "installed.import_column_missing", f))
		}
	}
	if len(chk.problems) > 0 {
		res.Problems = chk.problems
		return res, nil
	}
	models, err := s.modelsByCode(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]*importRow, 0, len(sh.Rows))
	for _, r := range sh.Rows {
		if ir := s.readRow(chk, r, models); ir != nil {
			rows = append(rows, ir)
		}
	}
	// Customers: rows of one code agree; existing ones are compared.
	codes := []string{}
	first := map[string]*importRow{}
	for _, r := range rows {
		if f, ok := first[r.customer.Code]; ok {
			if field := customerDiff(&f.customer, &r.customer); field != "" {
				chk.add(r.row, field, cordon.Err(cordon.EINVALID, "installed.import_customer_differs", r.customer.Code, f.row))
			}
			continue
		}
		first[r.customer.Code] = r
		codes = append(codes, r.customer.Code)
	}
	existing, err := s.cfg.Customers.FindCustomersByCode(ctx, codes)
	if err != nil {
		return nil, err
	}
	// Units: each (model, serial) once in the sheet.
	keys := make([]cordon.UnitKey, 0, len(rows))
	seen := map[cordon.UnitKey]int{}
	for _, r := range rows {
		k := cordon.UnitKey{ModelID: r.unit.ModelID, Serial: r.unit.Serial}
		if at, ok := seen[k]; ok {
			chk.add(r.row, "serial", cordon.Err(cordon.EINVALID, "installed.import_serial_twice", r.unit.Serial, at))
			continue
		}
		seen[k] = r.row
		keys = append(keys, k)
	}
	units, err := s.cfg.Catalog.FindUnitsBySerial(ctx, keys)
	if err != nil {
		return nil, err
	}
	b := &cordon.ImportBatch{NewUnitCustomer: map[int]int{}}
	newCustomer := map[string]int{} // code → index in b.NewCustomers
	var touched []int64             // existing customers whose identity changes
	for _, code := range codes {
		r := first[code]
		c := existing[code]
		switch {
		case c == nil:
			nc := r.customer
			newCustomer[code] = len(b.NewCustomers)
			b.NewCustomers = append(b.NewCustomers, &nc)
			res.CustomersCreated++
			res.Changes = appendChange(res.Changes, cordon.ImportChange{Row: r.row, Kind: "customer", Ref: code, Action: "create", Fields: identityFieldsSet(nc.Identity)})
		default:
			if fields := customerChanges(c, &r.customer); len(fields) > 0 {
				uc := *c
				uc.City, uc.Identity = r.customer.City, r.customer.Identity
				uc.Identity.CustomerID = c.ID
				b.UpdatedCustomers = append(b.UpdatedCustomers, &uc)
				touched = append(touched, c.ID)
				res.CustomersUpdated++
				res.Changes = appendChange(res.Changes, cordon.ImportChange{Row: r.row, Kind: "customer", Ref: code, Action: "update", Fields: fields})
			}
		}
	}
	for _, r := range rows {
		k := cordon.UnitKey{ModelID: r.unit.ModelID, Serial: r.unit.Serial}
		if seen[k] != r.row {
			continue // the duplicate row, reported above
		}
		c := existing[r.customer.Code]
		ref := r.model + " " + r.unit.Serial
		u := units[k]
		if u == nil {
			if c != nil && !c.Active() {
				chk.add(r.row, "customer_code", cordon.Err(cordon.EINVALID, "installed.customer_deactivated", c.Code))
				continue
			}
			nu := r.unit
			nu.NextVisitDue = firstVisit(&nu)
			if c != nil {
				nu.CustomerID = c.ID
			} else {
				b.NewUnitCustomer[len(b.NewUnits)] = newCustomer[r.customer.Code]
			}
			b.NewUnits = append(b.NewUnits, &nu)
			res.UnitsCreated++
			res.Changes = appendChange(res.Changes, cordon.ImportChange{Row: r.row, Kind: "unit", Ref: ref, Action: "create"})
			continue
		}
		switch {
		case u.Retired():
			chk.add(r.row, "serial", cordon.Err(cordon.EINVALID, "installed.unit_retired", u.Serial))
			continue
		case c == nil || c.ID != u.CustomerID:
			chk.add(r.row, "customer_code", cordon.Err(cordon.EINVALID, "installed.import_unit_other_customer", u.Serial))
			continue
		}
		uu := *u
		fields := unitChanges(&uu, &r.unit)
		if len(fields) == 0 {
			res.Unchanged++
			continue
		}
		b.UpdatedUnits = append(b.UpdatedUnits, &uu)
		res.UnitsUpdated++
		res.Changes = appendChange(res.Changes, cordon.ImportChange{Row: r.row, Kind: "unit", Ref: ref, Action: "update", Fields: fields})
	}
	if len(chk.problems) > 0 {
		res.Problems, res.ProblemsTruncated = chk.problems, chk.more
		res.CustomersCreated, res.CustomersUpdated, res.UnitsCreated, res.UnitsUpdated, res.Unchanged = 0, 0, 0, 0, 0
		res.Changes = nil
		return res, nil
	}
	if dryRun {
		return res, nil
	}
	if err := s.cfg.Catalog.ImportUnits(ctx, b); err != nil {
		return nil, err
	}
	for _, c := range b.NewCustomers {
		if err := s.access(ctx, a, cordon.ActCreate, "units import", identityFieldsSet(c.Identity), c.ID); err != nil {
			return nil, err
		}
	}
	for i, c := range b.UpdatedCustomers {
		if err := s.access(ctx, a, cordon.ActUpdate, "units import", customerChanges(existing[c.Code], c), touched[i]); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// ImportFile reads the file and imports it as ImportUnits does; a file
// with problems of its own is answered with them and imports nothing.
func (s *Service) ImportFile(ctx context.Context, r io.Reader, filename string, dryRun bool) (*cordon.ImportResult, error) {
	if _, err := institute(ctx, "Unit"); err != nil {
		return nil, err
	}
	sh, problems, err := s.cfg.ReadSheet(r, filename)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 || sh == nil {
		return &cordon.ImportResult{DryRun: dryRun, Problems: problems}, nil
	}
	return s.ImportUnits(ctx, sh, dryRun)
}

// appendChange keeps at most MaxImportChangesShown changes.
func appendChange(cs []cordon.ImportChange, c cordon.ImportChange) []cordon.ImportChange {
	if len(cs) >= cordon.MaxImportChangesShown {
		return cs
	}
	return append(cs, c)
}

// modelsByCode is every model by its code.
func (s *Service) modelsByCode(ctx context.Context) (map[string]*cordon.Model, error) {
	ms, err := s.cfg.Catalog.FindModels(ctx, 0)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*cordon.Model, len(ms))
	for _, m := range ms {
		out[m.Code] = m
	}
	return out, nil
}

// readRow reads one row into a customer and a unit, or reports what is
// wrong with it and returns nil.
func (s *Service) readRow(chk *rowCheck, r cordon.SheetRow, models map[string]*cordon.Model) *importRow {
	n := len(chk.problems)
	cell := func(field string, max int, req bool) string {
		v, err := text(field, r.Cells[field], max, req)
		if err != nil {
			chk.add(r.Row, field, cordon.AsError(err))
		}
		return v
	}
	date := func(field string, req bool) time.Time {
		v := strings.TrimSpace(r.Cells[field])
		if v == "" {
			if req {
				chk.add(r.Row, field, cordon.Err(cordon.EINVALID, "installed.field_required", field))
			}
			return time.Time{}
		}
		t, ok := parseDay(v)
		if !ok {
			chk.add(r.Row, field, cordon.Err(cordon.EINVALID, "installed.import_bad_date", v))
		}
		return t
	}
	ir := &importRow{row: r.Row}
	ir.customer.Code = cell("customer_code", maxCode, true)
	ir.customer.City = cell("customer_city", maxCity, true)
	id := &cordon.CustomerIdentity{Name: r.Cells["name"], UnitDesignation: r.Cells["unit_designation"],
		ContactPerson: r.Cells["contact_person"], Phone: r.Cells["phone"], SiteAddress: r.Cells["site_address"]}
	if err := checkIdentity(id); err != nil {
		e := cordon.AsError(err)
		chk.add(r.Row, e.Field, e)
	}
	ir.customer.Identity = id
	ir.model = cell("model", maxCode, true)
	if m := models[ir.model]; m != nil {
		ir.unit.ModelID = m.ID
	} else if ir.model != "" {
		chk.add(r.Row, "model", cordon.Err(cordon.EINVALID, "installed.import_unknown_model", ir.model))
	}
	u := &ir.unit
	u.Serial = cell("serial", maxCode, true)
	u.Batch = cell("batch", maxCode, true)
	u.SiteCity = cell("site_city", maxCity, false)
	if u.SiteCity == "" {
		u.SiteCity = ir.customer.City
	}
	u.DeliveredOn = date("delivered_on", true)
	u.WarrantyEnd = date("warranty_end", true)
	if t := date("service_end", false); !t.IsZero() {
		u.ServiceEnd = &t
	}
	if v := strings.TrimSpace(r.Cells["follow_up_months"]); v != "" {
		m, err := strconv.Atoi(v)
		if err != nil || checkFollowUp(m) != nil {
			chk.add(r.Row, "follow_up_months", cordon.Err(cordon.EINVALID, "installed.follow_up_months_range", maxFollowUp))
		}
		u.FollowUpMonths = m
	}
	if len(chk.problems) == n && !u.DeliveredOn.IsZero() && !u.WarrantyEnd.IsZero() {
		if err := s.checkDates(u); err != nil {
			e := cordon.AsError(err)
			chk.add(r.Row, e.Field, e)
		}
	}
	if len(chk.problems) > n || chk.more {
		return nil
	}
	return ir
}

// customerDiff names the first field in which two rows of one customer
// differ, "" when they agree.
func customerDiff(a, b *cordon.Customer) string {
	if a.City != b.City {
		return "customer_city"
	}
	for _, f := range cordon.CustomerIdentityFields {
		if identityField(a.Identity, f) != identityField(b.Identity, f) {
			return f
		}
	}
	return ""
}

// customerChanges names the fields the sheet changes of a stored customer.
func customerChanges(c, in *cordon.Customer) []string {
	var out []string
	if c.City != in.City {
		out = append(out, "city")
	}
	cur := c.Identity
	if cur == nil {
		cur = &cordon.CustomerIdentity{}
	}
	for _, f := range cordon.CustomerIdentityFields {
		if identityField(cur, f) != identityField(in.Identity, f) {
			out = append(out, f)
		}
	}
	return out
}

// unitChanges applies the sheet's values to u and names the fields that
// changed. A changed interval keeps the next due date; a new plan's first
// visit is one interval after delivery, and interval 0 ends the plan.
func unitChanges(u, in *cordon.Unit) []string {
	var out []string
	if u.Batch != in.Batch {
		u.Batch, out = in.Batch, append(out, "batch")
	}
	if u.SiteCity != in.SiteCity {
		u.SiteCity, out = in.SiteCity, append(out, "site_city")
	}
	if !u.DeliveredOn.Equal(in.DeliveredOn) {
		u.DeliveredOn, out = in.DeliveredOn, append(out, "delivered_on")
	}
	if !u.WarrantyEnd.Equal(in.WarrantyEnd) {
		u.WarrantyEnd, out = in.WarrantyEnd, append(out, "warranty_end")
	}
	if (u.ServiceEnd == nil) != (in.ServiceEnd == nil) || u.ServiceEnd != nil && !u.ServiceEnd.Equal(*in.ServiceEnd) {
		u.ServiceEnd, out = in.ServiceEnd, append(out, "service_end")
	}
	if u.FollowUpMonths != in.FollowUpMonths {
		u.FollowUpMonths, out = in.FollowUpMonths, append(out, "follow_up_months")
		if u.NextVisitDue == nil || in.FollowUpMonths == 0 {
			u.NextVisitDue = firstVisit(u)
		}
	}
	return out
}

// ExportUnits returns the units f selects as sheet rows, with their
// customers' identities; each customer exported is an export event.
func (s *Service) ExportUnits(ctx context.Context, f cordon.UnitFilter) ([]cordon.SheetRow, error) {
	a, err := institute(ctx, "Unit")
	if err != nil {
		return nil, err
	}
	f.After, f.Limit = 0, 0
	units, err := s.cfg.Catalog.FindUnits(ctx, f)
	if err != nil {
		return nil, err
	}
	customers := map[int64]*cordon.Customer{}
	var ids []int64
	for _, u := range units {
		if _, ok := customers[u.CustomerID]; !ok {
			customers[u.CustomerID] = nil
			ids = append(ids, u.CustomerID)
		}
	}
	slices.Sort(ids)
	if len(ids) > 0 {
		all, err := s.cfg.Customers.FindCustomers(ctx, cordon.CustomerFilter{Inactive: true, After: ids[0] - 1})
		if err != nil {
			return nil, err
		}
		for _, c := range all {
			if _, ok := customers[c.ID]; ok {
				customers[c.ID] = c
			}
		}
	}
	if err := s.access(ctx, a, cordon.ActExport, "units export", cordon.CustomerIdentityFields, ids...); err != nil {
		return nil, err
	}
	n := newNames(s)
	out := make([]cordon.SheetRow, 0, len(units))
	for i, u := range units {
		m, _, err := n.model(ctx, u.ModelID)
		if err != nil {
			return nil, err
		}
		c := customers[u.CustomerID]
		if c == nil {
			return nil, cordon.ErrNotFound("Customer")
		}
		id := c.Identity
		if id == nil {
			id = &cordon.CustomerIdentity{}
		}
		cells := map[string]string{"customer_code": c.Code, "customer_city": c.City, "name": id.Name,
			"unit_designation": id.UnitDesignation, "contact_person": id.ContactPerson, "phone": id.Phone,
			"site_address": id.SiteAddress, "model": m.Code, "serial": u.Serial, "batch": u.Batch,
			"site_city": u.SiteCity, "delivered_on": formatDay(u.DeliveredOn), "warranty_end": formatDay(u.WarrantyEnd),
			"follow_up_months": strconv.Itoa(u.FollowUpMonths)}
		if u.ServiceEnd != nil {
			cells["service_end"] = formatDay(*u.ServiceEnd)
		}
		out = append(out, cordon.SheetRow{Row: i + 2, Cells: cells})
	}
	return out, nil
}
