package installbase_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// importRow is one row of the unit sheet: a radar of customer code in
// testCity, delivered 2026-03-15, visited every 6 months; edit changes
// its cells.
func importRow(code, serial string, edit func(cells map[string]string)) map[string]string {
	cells := map[string]string{"customer_code": code, "customer_city": testCity, "name": "客户" + code,
		"unit_designation": code + " 部队", "contact_person": "王工", "phone": "0552-62345678", "site_address": "蚌埠市龙子湖区 1 号",
		"model": "RD-200", "serial": serial, "batch": "B2026-03", "site_city": testCity, "delivered_on": "2026-03-15",
		"warranty_end": "2029-03-15", "service_end": "", "follow_up_months": "6"}
	if edit != nil {
		edit(cells)
	}
	return cells
}

// importSheet is a sheet with every column, A to O in the order of
// cordon.UnitSheetFields, and rows from row 2 on.
func importSheet(rows ...map[string]string) *cordon.Sheet {
	sh := &cordon.Sheet{Name: "units", Columns: map[string]string{}}
	for i, f := range cordon.UnitSheetFields {
		sh.Columns[f] = string(rune('A' + i))
	}
	for i, r := range rows {
		sh.Rows = append(sh.Rows, cordon.SheetRow{Row: i + 2, Cells: r})
	}
	return sh
}

// problem is where an import problem is and what it says.
type problem struct {
	Row           int
	Column, Field string
	Key           string
	Args          []any
}

func problemsOf(res *cordon.ImportResult) []problem {
	var out []problem
	for _, p := range res.Problems {
		out = append(out, problem{p.Row, p.Column, p.Field, p.Err.Key, p.Err.Args})
	}
	return out
}

// TestImportUnits: a dry run writes nothing; an import creates customers
// and units and logs the identities written; the same sheet again
// changes nothing; a changed identity is an update, logged by field name;
// a sheet with problems says where each is and writes nothing.
func TestImportUnits(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		f := newFixture(t, h)
		ctx := context.Background()
		customers, catalog := store.NewCustomerStore(h.DB), store.NewCatalogStore(h.DB)
		run := func(what string, sh *cordon.Sheet, dryRun bool) *cordon.ImportResult {
			t.Helper()
			return must(f, what, func(ctx context.Context) (*cordon.ImportResult, error) { return f.svc.ImportUnits(ctx, sh, dryRun) })
		}
		counts := func(r *cordon.ImportResult) [5]int {
			return [5]int{r.CustomersCreated, r.CustomersUpdated, r.UnitsCreated, r.UnitsUpdated, r.Unchanged}
		}
		rows := func(edit func(cells map[string]string)) []map[string]string {
			return []map[string]string{importRow("IM-C1", "IM-0001", edit), importRow("IM-C1", "IM-0002", edit), importRow("IM-C2", "IM-0003", nil)}
		}
		good := importSheet(rows(nil)...)
		keys := []cordon.UnitKey{{ModelID: f.radar.ID, Serial: "IM-0001"}, {ModelID: f.radar.ID, Serial: "IM-0002"}, {ModelID: f.radar.ID, Serial: "IM-0003"}}

		res := run("dry run", good, true)
		if !res.DryRun || res.Rows != 3 || counts(res) != [5]int{2, 0, 3, 0, 0} || len(res.Problems) != 0 || len(res.Changes) != 5 {
			t.Fatalf("dry run: %+v, want 2 customers and 3 units to create", res)
		}
		if cs, err := customers.FindCustomersByCode(ctx, []string{"IM-C1", "IM-C2"}); err != nil || len(cs) != 0 {
			t.Fatalf("the dry run wrote customers: %v %v", cs, err)
		}
		if us, err := catalog.FindUnitsBySerial(ctx, keys); err != nil || len(us) != 0 {
			t.Fatalf("the dry run wrote units: %v %v", us, err)
		}

		res = run("import", good, false)
		if res.DryRun || counts(res) != [5]int{2, 0, 3, 0, 0} || len(res.Problems) != 0 {
			t.Fatalf("import: %+v", res)
		}
		cs, err := customers.FindCustomersByCode(ctx, []string{"IM-C1", "IM-C2"})
		if err != nil || len(cs) != 2 {
			t.Fatalf("imported customers: %v %v", cs, err)
		}
		c1, c2 := cs["IM-C1"], cs["IM-C2"]
		for _, c := range []*cordon.Customer{c1, c2} {
			evs := f.customerEvents(c.ID, cordon.ActCreate)
			if len(evs) != 1 || !slices.Equal(evs[0].Fields, cordon.CustomerIdentityFields) {
				t.Errorf("create events of %s: %+v, want one naming every identity field", c.Code, evs)
			}
		}
		us, err := catalog.FindUnitsBySerial(ctx, keys)
		if err != nil || len(us) != 3 {
			t.Fatalf("imported units: %v %v", us, err)
		}
		u1 := us[keys[0]]
		if u1.CustomerID != c1.ID || us[keys[2]].CustomerID != c2.ID || u1.NextVisitDue == nil || !u1.NextVisitDue.Equal(date(2026, 9, 15)) {
			t.Errorf("imported unit %+v: want customer %d, first visit 2026-09-15", u1, c1.ID)
		}

		res = run("the same sheet again", good, false)
		if counts(res) != [5]int{0, 0, 0, 0, 3} || len(res.Changes) != 0 || len(res.Problems) != 0 {
			t.Errorf("re-import: %+v, want 3 unchanged", res)
		}

		// A changed identity: an update naming the fields, logged so.
		changed := importSheet(rows(func(c map[string]string) { c["phone"], c["contact_person"] = "13912345678", "李工" })...)
		res = run("dry run of a changed identity", changed, true)
		want := []cordon.ImportChange{{Row: 2, Kind: "customer", Ref: "IM-C1", Action: "update", Fields: []string{"contact_person", "phone"}}}
		if diff := cmp.Diff(want, res.Changes); diff != "" || counts(res) != [5]int{0, 1, 0, 0, 3} {
			t.Errorf("changed identity: %+v; changes (-want +got):\n%s", res, diff)
		}
		if evs := f.customerEvents(c1.ID, cordon.ActUpdate); len(evs) != 0 {
			t.Errorf("a dry run logged an update: %+v", evs)
		}
		run("import of a changed identity", changed, false)
		evs := f.customerEvents(c1.ID, cordon.ActUpdate)
		if len(evs) != 1 || !slices.Equal(evs[0].Fields, []string{"contact_person", "phone"}) || evs[0].Purpose != "units import" {
			t.Errorf("update events: %+v, want one naming contact_person and phone", evs)
		}
		for _, e := range evs {
			if strings.Contains(e.Purpose, "1391234") || strings.Contains(e.Purpose, "李工") {
				t.Errorf("an update event carries a value: %+v", e)
			}
		}
		if c, _ := customers.FindCustomerByID(ctx, c1.ID); c.Identity.Phone != "13912345678" || c.Identity.ContactPerson != "李工" {
			t.Errorf("imported identity %+v", c.Identity)
		}

		// Sheets with problems: each said where, nothing written.
		deactivated := f.customer("IM-C9")
		must(f, "deactivate", func(ctx context.Context) (*cordon.Customer, error) {
			return f.svc.SetCustomerActive(ctx, deactivated.ID, false)
		})
		retired := f.unit(f.customer("IM-C8"), "IM-0008", nil)
		must(f, "retire", func(ctx context.Context) (*cordon.Unit, error) { return f.svc.RetireUnit(ctx, retired.ID, "报废") })
		noSerial := importSheet(importRow("IM-C5", "IM-0005", nil))
		delete(noSerial.Columns, "serial")
		for _, c := range []struct {
			name  string
			sheet *cordon.Sheet
			want  []problem
		}{
			{"a customer's rows disagree", importSheet(
				importRow("IM-C5", "IM-0005", nil),
				importRow("IM-C5", "IM-0006", func(c map[string]string) { c["phone"] = "0552-60000000" }),
				importRow("IM-C5", "IM-0007", func(c map[string]string) { c["customer_city"] = "Hefei" })),
				[]problem{{3, "F", "phone", "installed.import_customer_differs", []any{"IM-C5", 2}},
					{4, "B", "customer_city", "installed.import_customer_differs", []any{"IM-C5", 2}}}},
			{"another customer's unit", importSheet(rows(nil)[0], importRow("IM-C2", "IM-0002", nil)),
				[]problem{{3, "A", "customer_code", "installed.import_unit_other_customer", []any{"IM-0002"}}}},
			{"another customer's unit, to a new customer", importSheet(importRow("IM-C6", "IM-0003", nil)),
				[]problem{{2, "A", "customer_code", "installed.import_unit_other_customer", []any{"IM-0003"}}}},
			{"a retired unit", importSheet(importRow("IM-C8", "IM-0008", nil)),
				[]problem{{2, "I", "serial", "installed.unit_retired", []any{"IM-0008"}}}},
			{"a new unit of a deactivated customer", importSheet(importRow("IM-C9", "IM-0009", nil)),
				[]problem{{2, "A", "customer_code", "installed.customer_deactivated", []any{"IM-C9"}}}},
			{"a serial twice", importSheet(importRow("IM-C5", "IM-0005", nil), importRow("IM-C5", "IM-0005", nil)),
				[]problem{{3, "I", "serial", "installed.import_serial_twice", []any{"IM-0005", 2}}}},
			{"a column missing", noSerial,
				[]problem{{1, "", "serial", "installed.import_column_missing", []any{"serial"}}}},
			{"warranty before delivery", importSheet(importRow("IM-C5", "IM-0005", func(c map[string]string) { c["warranty_end"] = "2026-03-14" })),
				[]problem{{2, "M", "warranty_end", "installed.ends_before_delivery", []any{"warranty_end"}}}},
			{"a bad interval", importSheet(importRow("IM-C5", "IM-0005", func(c map[string]string) { c["follow_up_months"] = "six" })),
				[]problem{{2, "O", "follow_up_months", "installed.follow_up_months_range", []any{60}}}},
		} {
			t.Run(c.name, func(t *testing.T) {
				for _, dry := range []bool{true, false} {
					res := run(c.name, c.sheet, dry)
					if diff := cmp.Diff(c.want, problemsOf(res)); diff != "" {
						t.Errorf("dry run %v: problems (-want +got):\n%s", dry, diff)
					}
					if counts(res) != [5]int{} || len(res.Changes) != 0 || res.ProblemsTruncated {
						t.Errorf("dry run %v: a sheet with problems reports changes: %+v", dry, res)
					}
				}
			})
		}
		if cs, _ := customers.FindCustomersByCode(ctx, []string{"IM-C5", "IM-C6"}); len(cs) != 0 {
			t.Errorf("sheets with problems wrote customers: %v", cs)
		}
		if u, _ := catalog.FindUnitByID(ctx, us[keys[1]].ID); u.CustomerID != c1.ID {
			t.Errorf("a sheet with problems moved IM-0002 to customer %d", u.CustomerID)
		}

		// More problems than are reported.
		var many []map[string]string
		for i := range cordon.MaxImportProblems + 5 {
			many = append(many, importRow("IM-C7", fmt.Sprintf("IM-1%04d", i), func(c map[string]string) { c["model"] = "XX-9" }))
		}
		res = run("many problems", importSheet(many...), false)
		if len(res.Problems) != cordon.MaxImportProblems || !res.ProblemsTruncated || counts(res) != [5]int{} {
			t.Errorf("%d rows with problems: %d problems, truncated %v; want %d, truncated",
				len(many), len(res.Problems), res.ProblemsTruncated, cordon.MaxImportProblems)
		} else if first, last := res.Problems[0], res.Problems[len(res.Problems)-1]; first.Row != 2 || first.Field != "model" || last.Row != cordon.MaxImportProblems+1 {
			t.Errorf("problems from row %d (%s) to row %d, want the first %d rows' models", first.Row, first.Field, last.Row, cordon.MaxImportProblems)
		}
		if cs, _ := customers.FindCustomersByCode(ctx, []string{"IM-C7"}); len(cs) != 0 {
			t.Errorf("a sheet with problems wrote customers: %v", cs)
		}
	})
}
