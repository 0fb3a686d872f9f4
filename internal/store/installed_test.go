package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// The installed base's storage (issue 15): customers found, edited and
// deactivated; the catalogue's components; units kept, listed a keyset
// page at a time, transferred, tracked through milestones, planned for
// visits and imported in bulk.

func ptr[T any](v T) *T { return &v }

func codesOf(cs []*cordon.Customer) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Code)
	}
	return out
}

func serialsOf(us []*cordon.Unit) []string {
	out := []string{}
	for _, u := range us {
		out = append(out, u.Serial)
	}
	return out
}

func TestFindCustomers(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		customers := store.NewCustomerStore(db)
		for _, c := range []*cordon.Customer{
			{Code: "C-0001", City: "Hefei", Identity: &cordon.CustomerIdentity{Name: "某部 96723 部队", Phone: "0551-62345678"}},
			{Code: "C-0002", City: "Wuhan"},
			{Code: "C-0003", City: "Hefei", Identity: &cordon.CustomerIdentity{Name: `50%_off\ Corp`}},
			{Code: "C-0004", City: "Xian", Identity: &cordon.CustomerIdentity{Name: "Alpha", SiteAddress: "西安市雁塔区"}},
		} {
			if err := customers.CreateCustomer(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		all, err := customers.FindCustomers(ctx, cordon.CustomerFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range all {
			want, err := customers.FindCustomerByID(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, c); diff != "" {
				t.Errorf("FindCustomers' %s differs from FindCustomerByID (-want +got):\n%s", c.Code, diff)
			}
		}
		if diff := cmp.Diff([]string{"C-0001", "C-0002", "C-0003", "C-0004"}, codesOf(all)); diff != "" {
			t.Fatalf("all customers (-want +got):\n%s", diff)
		}

		// Pages by id: each starts after the last id of the one before.
		var pages [][]string
		for after := int64(0); ; {
			page, err := customers.FindCustomers(ctx, cordon.CustomerFilter{After: after, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			pages = append(pages, codesOf(page))
			after = page[len(page)-1].ID
		}
		if diff := cmp.Diff([][]string{{"C-0001", "C-0002", "C-0003"}, {"C-0004"}}, pages); diff != "" {
			t.Errorf("pages (-want +got):\n%s", diff)
		}

		for _, c := range []struct {
			name string
			f    cordon.CustomerFilter
			want []string
		}{
			{"identity field", cordon.CustomerFilter{Query: "96723"}, []string{"C-0001"}},
			{"city, any case", cordon.CustomerFilter{Query: "WUHAN"}, []string{"C-0002"}},
			{"code", cordon.CustomerFilter{Query: "c-000"}, []string{"C-0001", "C-0002", "C-0003", "C-0004"}},
			{"name, any case", cordon.CustomerFilter{Query: "alpha"}, []string{"C-0004"}},
			{"site address", cordon.CustomerFilter{Query: "雁塔"}, []string{"C-0004"}},
			{"phone", cordon.CustomerFilter{Query: "6234"}, []string{"C-0001"}},
			{"percent is text", cordon.CustomerFilter{Query: "%"}, []string{"C-0003"}},
			{"underscore is text", cordon.CustomerFilter{Query: "_"}, []string{"C-0003"}},
			{"backslash is text", cordon.CustomerFilter{Query: `\`}, []string{"C-0003"}},
			{"no match", cordon.CustomerFilter{Query: "nobody"}, []string{}},
			{"city", cordon.CustomerFilter{City: "Hefei"}, []string{"C-0001", "C-0003"}},
			{"city and query", cordon.CustomerFilter{City: "Hefei", Query: "corp"}, []string{"C-0003"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, err := customers.FindCustomers(ctx, c.f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(c.want, codesOf(got)); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}

		byCode, err := customers.FindCustomersByCode(ctx, []string{"C-0001", "C-0002", "nobody"})
		if err != nil {
			t.Fatal(err)
		}
		if len(byCode) != 2 || byCode["C-0001"].Identity == nil || byCode["C-0001"].Identity.Name != "某部 96723 部队" ||
			byCode["C-0002"].Identity != nil {
			t.Errorf("FindCustomersByCode: got %v", byCode)
		}
	})
}

func TestUpdateCustomer(t *testing.T) {
	clock := &rlsClock{t: time.Date(2026, 6, 15, 1, 0, 0, 0, time.UTC)}
	storetest.Each(t, storetest.Options{Now: clock.Now}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock.Set(time.Date(2026, 6, 15, 1, 0, 0, 0, time.UTC))
		customers := store.NewCustomerStore(db)
		full := &cordon.Customer{Code: "C-0001", City: "Hefei", Identity: &cordon.CustomerIdentity{Name: "某部", Phone: "1"}}
		bare := &cordon.Customer{Code: "C-0002", City: "Wuhan"}
		for _, c := range []*cordon.Customer{full, bare} {
			if err := customers.CreateCustomer(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		if !full.UpdatedAt.Equal(full.CreatedAt) || full.DeactivatedAt != nil {
			t.Errorf("new customer: updated %v, created %v, deactivated %v", full.UpdatedAt, full.CreatedAt, full.DeactivatedAt)
		}

		later := time.Date(2026, 6, 16, 2, 0, 0, 0, time.UTC)
		clock.Set(later)
		got, changed, err := customers.UpdateCustomer(ctx, full.ID, cordon.CustomerUpdate{
			City: ptr("Wuhu"), Name: ptr("某部"), Phone: ptr("2"), SiteAddress: ptr("芜湖市"),
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"city", "phone", "site_address"}, changed); diff != "" {
			t.Errorf("changed fields (-want +got):\n%s", diff)
		}
		want := &cordon.Customer{ID: full.ID, Code: "C-0001", City: "Wuhu", CreatedAt: full.CreatedAt, UpdatedAt: later,
			Identity: &cordon.CustomerIdentity{CustomerID: full.ID, Name: "某部", Phone: "2", SiteAddress: "芜湖市"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("UpdateCustomer's answer (-want +got):\n%s", diff)
		}
		stored, err := customers.FindCustomerByID(ctx, full.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, stored); diff != "" {
			t.Errorf("stored (-want +got):\n%s", diff)
		}

		// Nothing changes: nothing is written, not even the time.
		clock.Set(later.Add(time.Hour))
		got, changed, err = customers.UpdateCustomer(ctx, full.ID, cordon.CustomerUpdate{City: ptr("Wuhu")})
		if err != nil || len(changed) != 0 || !got.UpdatedAt.Equal(later) {
			t.Errorf("no change: got %v %v %v", got, changed, err)
		}

		// A customer without identity gets one at its first identity change.
		got, changed, err = customers.UpdateCustomer(ctx, bare.ID, cordon.CustomerUpdate{Name: ptr("某部二"), ContactPerson: ptr("张伟")})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"name", "contact_person"}, changed); diff != "" {
			t.Errorf("changed fields (-want +got):\n%s", diff)
		}
		stored, err = customers.FindCustomerByID(ctx, bare.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&cordon.CustomerIdentity{CustomerID: bare.ID, Name: "某部二", ContactPerson: "张伟"}, stored.Identity); diff != "" {
			t.Errorf("first identity (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(got, stored); diff != "" {
			t.Errorf("answer and stored differ (-answer +stored):\n%s", diff)
		}

		if _, _, err := customers.UpdateCustomer(ctx, 9999, cordon.CustomerUpdate{City: ptr("X")}); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("missing customer: got %v, want not found", err)
		}
		for field, u := range map[string]cordon.CustomerUpdate{"city": {City: ptr(" ")}, "name": {Name: ptr("")}} {
			if _, _, err := customers.UpdateCustomer(ctx, full.ID, u); cordon.AsError(err) == nil || cordon.AsError(err).Field != field {
				t.Errorf("empty %s: got %v, want invalid %s", field, err, field)
			}
		}

		// Deactivation hides the customer from lists unless asked for.
		off := time.Date(2026, 6, 17, 0, 0, 0, 0, time.UTC)
		clock.Set(off)
		got, err = customers.SetCustomerDeactivated(ctx, bare.ID, &off)
		if err != nil {
			t.Fatal(err)
		}
		if got.DeactivatedAt == nil || !got.DeactivatedAt.Equal(off) || got.Active() || !got.UpdatedAt.Equal(off) || got.Identity == nil {
			t.Errorf("deactivated: got %+v", got)
		}
		list := func(f cordon.CustomerFilter) []string {
			t.Helper()
			cs, err := customers.FindCustomers(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			return codesOf(cs)
		}
		if diff := cmp.Diff([]string{"C-0001"}, list(cordon.CustomerFilter{})); diff != "" {
			t.Errorf("active customers (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"C-0001", "C-0002"}, list(cordon.CustomerFilter{Inactive: true})); diff != "" {
			t.Errorf("every customer (-want +got):\n%s", diff)
		}
		if got, err = customers.SetCustomerDeactivated(ctx, bare.ID, nil); err != nil || !got.Active() {
			t.Errorf("reactivated: got %+v, %v", got, err)
		}
		if diff := cmp.Diff([]string{"C-0001", "C-0002"}, list(cordon.CustomerFilter{})); diff != "" {
			t.Errorf("after reactivation (-want +got):\n%s", diff)
		}
		if _, err := customers.SetCustomerDeactivated(ctx, 9999, &off); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("missing customer: got %v, want not found", err)
		}
	})
}

func TestCatalogComponents(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		catalog := store.NewCatalogStore(db)

		line, err := catalog.UpdateProductLine(ctx, f.line.ID, "雷达产品")
		if err != nil || line.Name != "雷达产品" || line.Code != "radar" {
			t.Errorf("UpdateProductLine: got %+v, %v", line, err)
		}
		model, err := catalog.UpdateModel(ctx, f.model.ID, "RD-200 改")
		if err != nil || model.Name != "RD-200 改" || model.Code != "RD-200" {
			t.Errorf("UpdateModel: got %+v, %v", model, err)
		}
		if _, err := catalog.UpdateProductLine(ctx, 9999, "x"); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("missing line: got %v, want not found", err)
		}
		if _, err := catalog.UpdateModel(ctx, 9999, "x"); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("missing model: got %v, want not found", err)
		}
		comms := &cordon.ProductLine{Code: "comms", Name: "通信"}
		if err := catalog.CreateProductLine(ctx, comms); err != nil {
			t.Fatal(err)
		}
		radio := &cordon.Model{ProductLineID: comms.ID, Code: "CM-10", Name: "电台"}
		early := &cordon.Model{ProductLineID: f.line.ID, Code: "RD-100", Name: "早期雷达"}
		for _, m := range []*cordon.Model{radio, early} {
			if err := catalog.CreateModel(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			line int64
			want []string
		}{{0, []string{"CM-10", "RD-100", "RD-200"}}, {f.line.ID, []string{"RD-100", "RD-200"}}, {comms.ID, []string{"CM-10"}}} {
			models, err := catalog.FindModels(ctx, c.line)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range models {
				got = append(got, m.Code)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("FindModels(%d) (-want +got):\n%s", c.line, diff)
			}
		}

		tr := &cordon.Component{ModelID: f.model.ID, PartNumber: " TR-7 ", Name: "T/R module", Supplier: "14所"}
		psu := &cordon.Component{ModelID: f.model.ID, PartNumber: "PSU-2", Name: "电源"}
		shared := &cordon.Component{ModelID: radio.ID, PartNumber: "TR-7", Name: "T/R module"}
		for _, c := range []*cordon.Component{tr, psu, shared} {
			if err := catalog.CreateComponent(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		if tr.ID == 0 || tr.PartNumber != "TR-7" {
			t.Errorf("created component: %+v", tr)
		}
		if err := catalog.CreateComponent(ctx, &cordon.Component{ModelID: f.model.ID, PartNumber: "TR-7", Name: "again"}); cordon.ErrorCode(err) != cordon.ECONFLICT {
			t.Errorf("part number twice on a model: got %v, want conflict", err)
		}
		for field, c := range map[string]*cordon.Component{
			"part_number": {ModelID: f.model.ID, Name: "x"},
			"name":        {ModelID: f.model.ID, PartNumber: "X-1"},
		} {
			if err := catalog.CreateComponent(ctx, c); cordon.AsError(err) == nil || cordon.AsError(err).Field != field {
				t.Errorf("component without %s: got %v", field, err)
			}
		}
		if err := catalog.CreateComponent(ctx, &cordon.Component{ModelID: 9999, PartNumber: "X-1", Name: "x"}); cordon.ErrorCode(err) != cordon.EINVALID {
			t.Errorf("component of a missing model: got %v, want invalid", err)
		}
		updated, err := catalog.UpdateComponent(ctx, psu.ID, "电源模块", "华东电子")
		if err != nil {
			t.Fatal(err)
		}
		want := &cordon.Component{ID: psu.ID, ModelID: f.model.ID, PartNumber: "PSU-2", Name: "电源模块", Supplier: "华东电子"}
		if diff := cmp.Diff(want, updated); diff != "" {
			t.Errorf("UpdateComponent (-want +got):\n%s", diff)
		}
		if _, err := catalog.UpdateComponent(ctx, 9999, "x", ""); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("missing component: got %v, want not found", err)
		}
		got, err := catalog.FindComponents(ctx, f.model.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cordon.Component{want, tr}, got); diff != "" {
			t.Errorf("FindComponents (-want +got):\n%s", diff)
		}
	})
}

// newUnit makes a unit of the fixture's customer and applies edit.
func newUnit(t *testing.T, db *store.DB, f *fixture, serial string, edit func(u *cordon.Unit)) *cordon.Unit {
	t.Helper()
	u := &cordon.Unit{ModelID: f.model.ID, CustomerID: f.customer.ID, Serial: serial, Batch: "B-25A", SiteCity: "Hefei",
		DeliveredOn: day(2025, 3, 1), WarrantyEnd: day(2028, 3, 1)}
	if edit != nil {
		edit(u)
	}
	if err := store.NewCatalogStore(db).CreateUnit(context.Background(), u); err != nil {
		t.Fatalf("create unit %s: %v", serial, err)
	}
	return u
}

func TestUnitRecords(t *testing.T) {
	clock := &rlsClock{t: time.Date(2026, 6, 15, 1, 0, 0, 0, time.UTC)}
	storetest.Each(t, storetest.Options{Now: clock.Now}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock.Set(time.Date(2026, 6, 15, 1, 0, 0, 0, time.UTC))
		f := newFixture(t, db)
		catalog := store.NewCatalogStore(db)
		if !f.unit.CreatedAt.Equal(clock.Now()) || !f.unit.UpdatedAt.Equal(clock.Now()) {
			t.Errorf("new unit's times: created %v, updated %v", f.unit.CreatedAt, f.unit.UpdatedAt)
		}

		// A serial is unique within its model only.
		other := &cordon.Model{ProductLineID: f.line.ID, Code: "RD-300", Name: "x"}
		if err := catalog.CreateModel(ctx, other); err != nil {
			t.Fatal(err)
		}
		twin := newUnit(t, db, f, f.unit.Serial, func(u *cordon.Unit) { u.ModelID = other.ID })
		err := catalog.CreateUnit(ctx, &cordon.Unit{ModelID: other.ID, CustomerID: f.customer.ID, Serial: f.unit.Serial,
			Batch: "b", SiteCity: "Hefei", DeliveredOn: day(2025, 1, 1), WarrantyEnd: day(2026, 1, 1)})
		if cordon.ErrorCode(err) != cordon.ECONFLICT {
			t.Errorf("a serial twice in a model: got %v, want conflict", err)
		}

		second := &cordon.Customer{Code: "C-0002", City: "Wuhu"}
		if err := store.NewCustomerStore(db).CreateCustomer(ctx, second); err != nil {
			t.Fatal(err)
		}
		later := time.Date(2026, 6, 20, 3, 0, 0, 0, time.UTC)
		clock.Set(later)
		u := *f.unit
		u.CustomerID, u.Batch, u.SiteCity = second.ID, "B-X", "Wuhu"
		u.DeliveredOn, u.WarrantyEnd, u.ServiceEnd = day(2024, 4, 1), day(2027, 4, 1), ptr(day(2029, 4, 1))
		u.FollowUpMonths, u.NextVisitDue, u.FollowUpPaused = 3, ptr(day(2026, 7, 1)), "site closed for winter"
		u.RetiredAt, u.RetireReason = ptr(day(2026, 6, 19)), "destroyed"
		u.Serial, u.ModelID = "ignored", other.ID // neither changes
		if err := catalog.SaveUnit(ctx, &u); err != nil {
			t.Fatal(err)
		}
		if !u.UpdatedAt.Equal(later) {
			t.Errorf("SaveUnit's UpdatedAt: got %v, want %v", u.UpdatedAt, later)
		}
		got, err := catalog.FindUnitByID(ctx, f.unit.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := u
		want.Serial, want.ModelID = f.unit.Serial, f.model.ID
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("saved unit (-want +got):\n%s", diff)
		}
		ghost := u
		ghost.ID = 9999
		if err := catalog.SaveUnit(ctx, &ghost); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("saving a missing unit: got %v, want not found", err)
		}
		bad := u
		bad.SiteCity = ""
		if err := catalog.SaveUnit(ctx, &bad); cordon.AsError(err) == nil || cordon.AsError(err).Field != "site_city" {
			t.Errorf("saving without a site city: got %v", err)
		}

		found, err := catalog.FindUnitsBySerial(ctx, []cordon.UnitKey{
			{ModelID: f.model.ID, Serial: f.unit.Serial}, {ModelID: other.ID, Serial: f.unit.Serial}, {ModelID: other.ID, Serial: "nope"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 2 || found[cordon.UnitKey{ModelID: f.model.ID, Serial: f.unit.Serial}].ID != f.unit.ID ||
			found[cordon.UnitKey{ModelID: other.ID, Serial: f.unit.Serial}].ID != twin.ID {
			t.Errorf("FindUnitsBySerial: got %v", found)
		}
	})
}

func TestFindUnits(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db) // RD200-2024-0001, batch RD200-24A, Hefei
		catalog := store.NewCatalogStore(db)
		comms := &cordon.ProductLine{Code: "comms", Name: "通信"}
		if err := catalog.CreateProductLine(ctx, comms); err != nil {
			t.Fatal(err)
		}
		radio := &cordon.Model{ProductLineID: comms.ID, Code: "CM-10", Name: "电台"}
		if err := catalog.CreateModel(ctx, radio); err != nil {
			t.Fatal(err)
		}
		if err := catalog.CreateComponent(ctx, &cordon.Component{ModelID: radio.ID, PartNumber: "TR-7", Name: "T/R"}); err != nil {
			t.Fatal(err)
		}
		wuhu := &cordon.Customer{Code: "C-0002", City: "Wuhu"}
		if err := store.NewCustomerStore(db).CreateCustomer(ctx, wuhu); err != nil {
			t.Fatal(err)
		}
		newUnit(t, db, f, "CM10-0001", func(u *cordon.Unit) { u.ModelID = radio.ID; u.SiteCity = "Wuhu"; u.CustomerID = wuhu.ID })
		newUnit(t, db, f, "CM10-0002", func(u *cordon.Unit) { u.ModelID = radio.ID; u.Batch = "B_50%" })
		newUnit(t, db, f, "RD200-2025-0003", nil)
		newUnit(t, db, f, "RD200-2025-0004", func(u *cordon.Unit) { u.RetiredAt = ptr(day(2026, 1, 1)); u.RetireReason = "scrapped" })
		newUnit(t, db, f, "rd200-2025-0005", func(u *cordon.Unit) { u.SiteCity = "Wuhu" })

		for _, c := range []struct {
			name string
			f    cordon.UnitFilter
			want []string
		}{
			{"in service", cordon.UnitFilter{}, []string{"RD200-2024-0001", "CM10-0001", "CM10-0002", "RD200-2025-0003", "rd200-2025-0005"}},
			{"with retired", cordon.UnitFilter{Retired: true}, []string{"RD200-2024-0001", "CM10-0001", "CM10-0002", "RD200-2025-0003",
				"RD200-2025-0004", "rd200-2025-0005"}},
			{"serial, any case", cordon.UnitFilter{Query: "RD200-2025"}, []string{"RD200-2025-0003", "rd200-2025-0005"}},
			{"batch", cordon.UnitFilter{Query: "24a"}, []string{"RD200-2024-0001"}},
			{"percent is text", cordon.UnitFilter{Query: "%"}, []string{"CM10-0002"}},
			{"underscore is text", cordon.UnitFilter{Query: "_"}, []string{"CM10-0002"}},
			{"site city", cordon.UnitFilter{SiteCity: ptr("Wuhu")}, []string{"CM10-0001", "rd200-2025-0005"}},
			{"product line", cordon.UnitFilter{ProductLine: ptr("comms")}, []string{"CM10-0001", "CM10-0002"}},
			{"model", cordon.UnitFilter{ModelID: &f.model.ID}, []string{"RD200-2024-0001", "RD200-2025-0003", "rd200-2025-0005"}},
			{"customer", cordon.UnitFilter{CustomerID: &wuhu.ID}, []string{"CM10-0001"}},
			{"batch exactly", cordon.UnitFilter{Batch: ptr("B-25A")}, []string{"CM10-0001", "RD200-2025-0003", "rd200-2025-0005"}},
			{"component", cordon.UnitFilter{PartNumber: ptr("TR-7")}, []string{"CM10-0001", "CM10-0002"}},
			{"unknown component", cordon.UnitFilter{PartNumber: ptr("TR-8")}, []string{}},
			{"line and city", cordon.UnitFilter{ProductLine: ptr("radar"), SiteCity: ptr("Wuhu")}, []string{"rd200-2025-0005"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, err := catalog.FindUnits(ctx, c.f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(c.want, serialsOf(got)); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}

		var pages [][]string
		for after := int64(0); ; {
			page, err := catalog.FindUnits(ctx, cordon.UnitFilter{After: after, Limit: 2, Retired: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			if !slices.IsSortedFunc(page, func(a, b *cordon.Unit) int { return int(a.ID - b.ID) }) || page[0].ID <= after {
				t.Fatalf("page after %d not in order of id: %v", after, serialsOf(page))
			}
			pages = append(pages, serialsOf(page))
			after = page[len(page)-1].ID
		}
		if diff := cmp.Diff([][]string{{"RD200-2024-0001", "CM10-0001"}, {"CM10-0002", "RD200-2025-0003"},
			{"RD200-2025-0004", "rd200-2025-0005"}}, pages); diff != "" {
			t.Errorf("pages (-want +got):\n%s", diff)
		}
	})
}

func TestTransfersAndMilestones(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		catalog := store.NewCatalogStore(db)
		wuhu := &cordon.Customer{Code: "C-0002", City: "Wuhu"}
		if err := store.NewCustomerStore(db).CreateCustomer(ctx, wuhu); err != nil {
			t.Fatal(err)
		}
		first := &cordon.UnitTransfer{UnitID: f.unit.ID, FromCustomerID: f.customer.ID, ToCustomerID: wuhu.ID,
			FromSiteCity: "Hefei", ToSiteCity: "Wuhu", Reason: "reorganised", At: day(2025, 1, 1), By: f.engineer.ID}
		back := &cordon.UnitTransfer{UnitID: f.unit.ID, FromCustomerID: wuhu.ID, ToCustomerID: f.customer.ID,
			FromSiteCity: "Wuhu", ToSiteCity: "Hefei", By: f.engineer.ID} // At: now
		for _, tr := range []*cordon.UnitTransfer{first, back} {
			if err := catalog.CreateTransfer(ctx, tr); err != nil {
				t.Fatal(err)
			}
		}
		if back.ID == 0 || !back.At.Equal(fixedClock()()) {
			t.Errorf("transfer at now: got %+v", back)
		}
		got, err := catalog.FindTransfers(ctx, f.unit.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cordon.UnitTransfer{back, first}, got); diff != "" {
			t.Errorf("FindTransfers (-want +got):\n%s", diff)
		}
		if err := catalog.CreateTransfer(ctx, &cordon.UnitTransfer{UnitID: f.unit.ID, FromCustomerID: f.customer.ID,
			ToCustomerID: 9999, By: f.engineer.ID}); cordon.ErrorCode(err) != cordon.EINVALID {
			t.Errorf("transfer to a missing customer: got %v, want invalid", err)
		}

		installed := &cordon.Milestone{UnitID: f.unit.ID, Kind: cordon.MilestoneInstalled, On: day(2024, 3, 10), Note: "by hand",
			RecordedBy: f.engineer.ID}
		shipped := &cordon.Milestone{UnitID: f.unit.ID, Kind: cordon.MilestoneShipped, On: day(2024, 2, 20), RecordedBy: f.engineer.ID,
			RecordedAt: time.Date(2024, 2, 21, 8, 0, 0, 0, time.UTC)}
		for _, m := range []*cordon.Milestone{installed, shipped} {
			if err := catalog.CreateMilestone(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		if installed.ID == 0 || !installed.RecordedAt.Equal(fixedClock()()) {
			t.Errorf("milestone recorded now: got %+v", installed)
		}
		ms, err := catalog.FindMilestones(ctx, f.unit.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cordon.Milestone{shipped, installed}, ms); diff != "" {
			t.Errorf("FindMilestones in order of kind (-want +got):\n%s", diff)
		}
		again := &cordon.Milestone{UnitID: f.unit.ID, Kind: cordon.MilestoneInstalled, On: day(2024, 3, 11), RecordedBy: f.engineer.ID}
		if err := catalog.CreateMilestone(ctx, again); cordon.ErrorCode(err) != cordon.ECONFLICT {
			t.Errorf("a kind twice: got %v, want conflict", err)
		}
		weird := &cordon.Milestone{UnitID: f.unit.ID, Kind: "painted", On: day(2024, 3, 11), RecordedBy: f.engineer.ID}
		if err := catalog.CreateMilestone(ctx, weird); cordon.AsError(err) == nil || cordon.AsError(err).Field != "kind" {
			t.Errorf("unknown kind: got %v, want invalid kind", err)
		}
		if err := catalog.CreateMilestone(ctx, &cordon.Milestone{UnitID: 9999, Kind: cordon.MilestoneArrived, On: day(2024, 3, 11),
			RecordedBy: f.engineer.ID}); cordon.ErrorCode(err) != cordon.EINVALID {
			t.Errorf("milestone of a missing unit: got %v, want invalid", err)
		}
	})
}

func TestFindStuckUnits(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db) // delivered 2024-03-01, no milestone
		catalog := store.NewCatalogStore(db)
		record := func(u *cordon.Unit, kind cordon.MilestoneKind, on time.Time) *cordon.Milestone {
			t.Helper()
			m := &cordon.Milestone{UnitID: u.ID, Kind: kind, On: on, RecordedBy: f.engineer.ID}
			if err := catalog.CreateMilestone(ctx, m); err != nil {
				t.Fatal(err)
			}
			return m
		}
		waiting := newUnit(t, db, f, "WAIT", func(u *cordon.Unit) { u.DeliveredOn = day(2023, 1, 1) })
		// The installation is the latest step although recorded after the
		// commissioning date of nothing; the shipment is older.
		record(waiting, cordon.MilestoneShipped, day(2023, 2, 1))
		installedAt := record(waiting, cordon.MilestoneInstalled, day(2025, 1, 1))
		done := newUnit(t, db, f, "DONE", nil)
		record(done, cordon.MilestoneShipped, day(2023, 2, 1))
		record(done, cordon.MilestoneTrained, day(2023, 3, 1))
		newUnit(t, db, f, "RETIRED", func(u *cordon.Unit) { u.DeliveredOn = day(2020, 1, 1); u.RetiredAt = ptr(day(2021, 1, 1)) })
		recent := newUnit(t, db, f, "RECENT", func(u *cordon.Unit) { u.DeliveredOn = day(2020, 1, 1) })
		record(recent, cordon.MilestoneAccepted, day(2026, 3, 1))
		newUnit(t, db, f, "NEW", func(u *cordon.Unit) { u.DeliveredOn = day(2026, 2, 1) })

		before := day(2026, 1, 1)
		stuck, err := catalog.FindStuckUnits(ctx, before, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range stuck {
			kind := "-"
			if s.Latest != nil {
				kind = string(s.Latest.Kind)
			}
			got = append(got, s.Unit.Serial+"@"+kind)
		}
		if diff := cmp.Diff([]string{f.unit.Serial + "@-", "WAIT@installed"}, got); diff != "" {
			t.Errorf("stuck units, oldest first (-want +got):\n%s", diff)
		}
		if len(stuck) == 2 {
			if diff := cmp.Diff(installedAt, stuck[1].Latest); diff != "" {
				t.Errorf("latest milestone (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(f.unit, stuck[0].Unit); diff != "" {
				t.Errorf("stuck unit (-want +got):\n%s", diff)
			}
		}
		stuck, err = catalog.FindStuckUnits(ctx, before, 1)
		if err != nil || len(stuck) != 1 || stuck[0].Unit.ID != f.unit.ID {
			t.Errorf("limit 1: got %v, %v", stuck, err)
		}
	})
}

func TestFindVisitsDue(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db) // no plan
		catalog := store.NewCatalogStore(db)
		plan := func(due time.Time, edit func(u *cordon.Unit)) func(u *cordon.Unit) {
			return func(u *cordon.Unit) {
				u.FollowUpMonths, u.NextVisitDue = 6, &due
				if edit != nil {
					edit(u)
				}
			}
		}
		newUnit(t, db, f, "IN-WARRANTY", plan(day(2026, 7, 1), nil))
		newUnit(t, db, f, "UNDER-AGREEMENT", plan(day(2026, 8, 1), func(u *cordon.Unit) {
			u.WarrantyEnd, u.ServiceEnd = day(2026, 1, 1), ptr(day(2028, 1, 1))
		}))
		newUnit(t, db, f, "PAST-WARRANTY", plan(day(2026, 7, 15), func(u *cordon.Unit) { u.WarrantyEnd = day(2026, 7, 1) }))
		newUnit(t, db, f, "AGREEMENT-ENDED", plan(day(2026, 7, 15), func(u *cordon.Unit) {
			u.WarrantyEnd, u.ServiceEnd = day(2026, 1, 1), ptr(day(2026, 7, 1))
		}))
		newUnit(t, db, f, "PAUSED", plan(day(2026, 7, 1), func(u *cordon.Unit) { u.FollowUpPaused = "customer moving" }))
		newUnit(t, db, f, "RETIRED", plan(day(2026, 7, 1), func(u *cordon.Unit) { u.RetiredAt = ptr(day(2026, 5, 1)) }))
		newUnit(t, db, f, "LATER", plan(day(2026, 12, 1), nil))
		newUnit(t, db, f, "NO-INTERVAL", plan(day(2026, 7, 1), func(u *cordon.Unit) { u.FollowUpMonths = 0 }))
		newUnit(t, db, f, "OVERDUE-WUHU", plan(day(2026, 5, 20), func(u *cordon.Unit) { u.SiteCity = "Wuhu" }))

		until := day(2026, 10, 1)
		for _, c := range []struct {
			name string
			f    cordon.UnitFilter
			want []string
		}{
			{"all", cordon.UnitFilter{}, []string{"OVERDUE-WUHU", "IN-WARRANTY", "UNDER-AGREEMENT"}},
			{"retired asked for", cordon.UnitFilter{Retired: true}, []string{"OVERDUE-WUHU", "IN-WARRANTY", "UNDER-AGREEMENT"}},
			{"city", cordon.UnitFilter{SiteCity: ptr("Hefei")}, []string{"IN-WARRANTY", "UNDER-AGREEMENT"}},
			{"product line", cordon.UnitFilter{ProductLine: ptr("radar")}, []string{"OVERDUE-WUHU", "IN-WARRANTY", "UNDER-AGREEMENT"}},
			{"other product line", cordon.UnitFilter{ProductLine: ptr("comms")}, []string{}},
			{"limit", cordon.UnitFilter{Limit: 1}, []string{"OVERDUE-WUHU"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, err := catalog.FindVisitsDue(ctx, until, c.f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(c.want, serialsOf(got)); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	})
}

// TestCreateDueVisitsPlan: visits run until the later of warranty and
// service agreement, never for a paused or retired unit, and their
// requests do not carry the serial (a partner reads them).
func TestCreateDueVisitsPlan(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		now := fixedClock()() // 2026-06-15
		plan := func(edit func(u *cordon.Unit)) func(u *cordon.Unit) {
			return func(u *cordon.Unit) {
				u.FollowUpMonths, u.NextVisitDue = 6, ptr(day(2026, 6, 1))
				edit(u)
			}
		}
		agreed := newUnit(t, db, f, "UNDER-AGREEMENT", plan(func(u *cordon.Unit) {
			u.WarrantyEnd, u.ServiceEnd = day(2026, 1, 1), ptr(day(2028, 1, 1))
		}))
		newUnit(t, db, f, "EXPIRED", plan(func(u *cordon.Unit) { u.WarrantyEnd = day(2026, 1, 1) }))
		newUnit(t, db, f, "PAUSED", plan(func(u *cordon.Unit) { u.FollowUpPaused = "moving" }))
		newUnit(t, db, f, "RETIRED", plan(func(u *cordon.Unit) { u.RetiredAt = ptr(day(2026, 2, 1)) }))

		requests := store.NewRequestStore(db)
		n, err := requests.CreateDueVisits(ctx, now, f.engineer.ID)
		if err != nil || n != 1 {
			t.Fatalf("CreateDueVisits: got %d, %v; want 1", n, err)
		}
		if n, err := requests.CreateDueVisits(ctx, now, f.engineer.ID); err != nil || n != 0 {
			t.Errorf("second sweep: got %d, %v; want 0", n, err)
		}
		reqs, _, err := requests.FindRequests(ctx, cordon.RequestFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(reqs) != 1 || reqs[0].UnitID == nil || *reqs[0].UnitID != agreed.ID {
			t.Fatalf("requests: got %+v, want one of %s", reqs, agreed.Serial)
		}
		if got, want := reqs[0].Description, "Scheduled follow-up visit (every 6 months)."; got != want {
			t.Errorf("description: got %q, want %q", got, want)
		}
	})
}

// TestCampaignRequestsWithoutSerial: a campaign's requests name the batch,
// not the serial, and skip retired units.
func TestCampaignRequestsWithoutSerial(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		newUnit(t, db, f, "RETIRED", func(u *cordon.Unit) { u.Batch = f.unit.Batch; u.RetiredAt = ptr(day(2026, 1, 1)) })
		ids, err := store.NewQualityStore(db).CreateCampaign(ctx, &cordon.Campaign{Title: "T/R check", RootCause: cordon.CauseComponent,
			ModelID: f.model.ID, Batch: f.unit.Batch, Description: "check the T/R module", Priority: cordon.P3, CreatedBy: f.engineer.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != 1 {
			t.Fatalf("campaign requests: got %d, want 1 (the retired unit has none)", len(ids))
		}
		r, err := store.NewRequestStore(db).FindRequestByID(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(r.Description, f.unit.Serial) || !strings.Contains(r.Description, f.unit.Batch) {
			t.Errorf("description %q: want the batch and no serial", r.Description)
		}
	})
}

func TestImportUnits(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		catalog := store.NewCatalogStore(db)
		customers := store.NewCustomerStore(db)
		now := fixedClock()()

		withID := &cordon.Customer{Code: "C-0100", City: "Wuhu", Identity: &cordon.CustomerIdentity{Name: "某部一", Phone: "1"}}
		without := &cordon.Customer{Code: "C-0101", City: "Xian"}
		changed := *f.customer
		changed.City = "Bengbu"
		changed.Identity = &cordon.CustomerIdentity{Name: "某部 96723 部队", SiteAddress: "蚌埠市"}
		u1 := &cordon.Unit{ModelID: f.model.ID, Serial: "IMP-1", Batch: "I", SiteCity: "Wuhu", DeliveredOn: day(2025, 1, 1),
			WarrantyEnd: day(2028, 1, 1), ServiceEnd: ptr(day(2030, 1, 1)), FollowUpMonths: 6, NextVisitDue: ptr(day(2025, 7, 1))}
		u2 := &cordon.Unit{ModelID: f.model.ID, Serial: "IMP-2", Batch: "I", SiteCity: "Xian", DeliveredOn: day(2025, 1, 1), WarrantyEnd: day(2028, 1, 1)}
		u3 := &cordon.Unit{ModelID: f.model.ID, CustomerID: f.customer.ID, Serial: "IMP-3", Batch: "I", SiteCity: "Hefei",
			DeliveredOn: day(2025, 1, 1), WarrantyEnd: day(2028, 1, 1)}
		moved := *f.unit
		moved.Batch, moved.SiteCity = "RD200-24B", "Bengbu"
		batch := &cordon.ImportBatch{
			NewCustomers:     []*cordon.Customer{withID, without},
			UpdatedCustomers: []*cordon.Customer{&changed},
			NewUnits:         []*cordon.Unit{u1, u2, u3},
			NewUnitCustomer:  map[int]int{0: 0, 1: 1},
			UpdatedUnits:     []*cordon.Unit{&moved},
		}
		if err := catalog.ImportUnits(ctx, batch); err != nil {
			t.Fatal(err)
		}
		if withID.ID == 0 || without.ID == 0 || withID.Identity.CustomerID != withID.ID {
			t.Fatalf("new customers' ids: %+v %+v", withID, without)
		}
		if u1.CustomerID != withID.ID || u2.CustomerID != without.ID || u3.CustomerID != f.customer.ID {
			t.Errorf("units' customers: %d %d %d, want %d %d %d", u1.CustomerID, u2.CustomerID, u3.CustomerID, withID.ID, without.ID, f.customer.ID)
		}
		for _, want := range []*cordon.Customer{withID, without, &changed} {
			got, err := customers.FindCustomerByID(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			want.Identity = withCustomerID(want.Identity, want.ID)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("customer %s (-want +got):\n%s", want.Code, diff)
			}
		}
		for _, want := range []*cordon.Unit{u1, u2, u3, &moved} {
			if want.ID == 0 || !want.UpdatedAt.Equal(now) {
				t.Errorf("unit %s: id %d, updated %v", want.Serial, want.ID, want.UpdatedAt)
			}
			got, err := catalog.FindUnitByID(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("unit %s (-want +got):\n%s", want.Serial, diff)
			}
		}

		// All or nothing: a taken serial takes the new customer with it.
		for name, b := range map[string]*cordon.ImportBatch{
			"taken serial": {
				NewCustomers: []*cordon.Customer{{Code: "C-0200", City: "Hefei", Identity: &cordon.CustomerIdentity{Name: "x"}}},
				NewUnits: []*cordon.Unit{{ModelID: f.model.ID, Serial: "IMP-4", Batch: "I", SiteCity: "Hefei", DeliveredOn: day(2025, 1, 1), WarrantyEnd: day(2028, 1, 1)},
					{ModelID: f.model.ID, Serial: "IMP-1", Batch: "I", SiteCity: "Hefei", DeliveredOn: day(2025, 1, 1), WarrantyEnd: day(2028, 1, 1)}},
				NewUnitCustomer: map[int]int{0: 0, 1: 0},
			},
			"serial twice": {
				NewCustomers: []*cordon.Customer{{Code: "C-0200", City: "Hefei"}},
				NewUnits: []*cordon.Unit{{ModelID: f.model.ID, Serial: "IMP-4", Batch: "I", SiteCity: "Hefei", DeliveredOn: day(2025, 1, 1), WarrantyEnd: day(2028, 1, 1)},
					{ModelID: f.model.ID, Serial: "IMP-4", Batch: "I", SiteCity: "Hefei", DeliveredOn: day(2025, 1, 1), WarrantyEnd: day(2028, 1, 1)}},
				NewUnitCustomer: map[int]int{0: 0, 1: 0},
			},
			"taken code": {
				NewCustomers: []*cordon.Customer{{Code: "C-0200", City: "Hefei"}, {Code: "C-0100", City: "Hefei"}},
			},
		} {
			t.Run(name, func(t *testing.T) {
				if err := catalog.ImportUnits(ctx, b); cordon.ErrorCode(err) != cordon.ECONFLICT {
					t.Fatalf("got %v, want conflict", err)
				}
				found, err := customers.FindCustomersByCode(ctx, []string{"C-0200"})
				if err != nil || len(found) != 0 {
					t.Errorf("the new customer stayed: %v, %v", found, err)
				}
				units, err := catalog.FindUnitsBySerial(ctx, []cordon.UnitKey{{ModelID: f.model.ID, Serial: "IMP-4"}})
				if err != nil || len(units) != 0 {
					t.Errorf("the new unit stayed: %v, %v", units, err)
				}
			})
		}
	})
}

func withCustomerID(id *cordon.CustomerIdentity, customerID int64) *cordon.CustomerIdentity {
	if id == nil {
		return nil
	}
	c := *id
	c.CustomerID = customerID
	return &c
}
