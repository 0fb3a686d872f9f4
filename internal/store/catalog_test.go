package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// fixture is the least world the request, job, report and document tests
// stand on.
type fixture struct {
	institute, partner *cordon.Org
	engineer, tech     *cordon.User
	customer           *cordon.Customer
	line               *cordon.ProductLine
	model              *cordon.Model
	unit               *cordon.Unit
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{
		institute: &cordon.Org{Code: "institute", Name: "研究所", Kind: cordon.OrgInstitute, HomeCity: "Hefei"},
		partner:   &cordon.Org{Code: "hefei", Name: "Hefei Service", Kind: cordon.OrgPartner, HomeCity: "Hefei"},
	}
	orgs := store.NewOrgStore(db)
	for _, o := range []*cordon.Org{f.institute, f.partner} {
		if err := orgs.CreateOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	users := store.NewUserStore(db)
	f.engineer = &cordon.User{OrgID: f.institute.ID, Username: "engineer", PasswordHash: "x", Roles: []cordon.Role{cordon.RoleEngineer}}
	f.tech = &cordon.User{OrgID: f.partner.ID, Username: "hefei.tech", PasswordHash: "x", Roles: []cordon.Role{cordon.RolePartnerTechnician}}
	for _, u := range []*cordon.User{f.engineer, f.tech} {
		if err := users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	f.customer = &cordon.Customer{Code: "C-0001", City: "Hefei", Identity: &cordon.CustomerIdentity{Name: "某部 96723 部队"}}
	if err := store.NewCustomerStore(db).CreateCustomer(ctx, f.customer); err != nil {
		t.Fatal(err)
	}
	catalog := store.NewCatalogStore(db)
	f.line = &cordon.ProductLine{Code: "radar", Name: "雷达"}
	if err := catalog.CreateProductLine(ctx, f.line); err != nil {
		t.Fatal(err)
	}
	f.model = &cordon.Model{ProductLineID: f.line.ID, Code: "RD-200", Name: "低空监视雷达"}
	if err := catalog.CreateModel(ctx, f.model); err != nil {
		t.Fatal(err)
	}
	f.unit = &cordon.Unit{
		ModelID: f.model.ID, CustomerID: f.customer.ID, Serial: "RD200-2024-0001", Batch: "RD200-24A",
		SiteCity: "Hefei", DeliveredOn: day(2024, 3, 1), WarrantyEnd: day(2027, 3, 1),
	}
	if err := catalog.CreateUnit(ctx, f.unit); err != nil {
		t.Fatal(err)
	}
	return f
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestCatalogRoundTrip(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		catalog := store.NewCatalogStore(db)

		comms := &cordon.ProductLine{Code: "comms", Name: "通信"}
		if err := catalog.CreateProductLine(ctx, comms); err != nil {
			t.Fatal(err)
		}
		lines, err := catalog.FindProductLines(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cordon.ProductLine{comms, f.line}, lines); diff != "" {
			t.Errorf("FindProductLines mismatch (-want +got):\n%s", diff)
		}
		gotModel, err := catalog.FindModelByID(ctx, f.model.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(f.model, gotModel); diff != "" {
			t.Errorf("FindModelByID mismatch (-want +got):\n%s", diff)
		}

		due := day(2026, 9, 1)
		planned := &cordon.Unit{
			ModelID: f.model.ID, CustomerID: f.customer.ID, Serial: "RD200-2025-0002", Batch: "RD200-25A",
			SiteCity: "Wuhu", DeliveredOn: day(2025, 3, 1), WarrantyEnd: day(2028, 3, 1),
			FollowUpMonths: 6, NextVisitDue: &due,
		}
		if err := catalog.CreateUnit(ctx, planned); err != nil {
			t.Fatal(err)
		}
		for _, want := range []*cordon.Unit{f.unit, planned} {
			got, err := catalog.FindUnitByID(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("FindUnitByID(%d) mismatch (-want +got):\n%s", want.ID, diff)
			}
		}

		conflicts := map[string]error{
			"line":  catalog.CreateProductLine(ctx, &cordon.ProductLine{Code: "radar", Name: "again"}),
			"model": catalog.CreateModel(ctx, &cordon.Model{ProductLineID: comms.ID, Code: "RD-200", Name: "again"}),
			"unit": catalog.CreateUnit(ctx, &cordon.Unit{ModelID: f.model.ID, CustomerID: f.customer.ID, Serial: f.unit.Serial,
				Batch: "b", SiteCity: "Hefei", DeliveredOn: day(2025, 1, 1), WarrantyEnd: day(2026, 1, 1)}),
		}
		for what, err := range conflicts {
			if cordon.ErrorCode(err) != cordon.ECONFLICT {
				t.Errorf("duplicate %s: got %v, want conflict", what, err)
			}
		}
		if err := catalog.CreateModel(ctx, &cordon.Model{ProductLineID: 9999, Code: "X-1"}); cordon.ErrorCode(err) != cordon.EINVALID {
			t.Errorf("model of a missing line: got %v, want invalid", err)
		}
		if _, err := catalog.FindModelByID(ctx, 9999); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("missing model: got %v, want not found", err)
		}
		if _, err := catalog.FindUnitByID(ctx, 9999); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("missing unit: got %v, want not found", err)
		}
		if err := catalog.CreateUnit(ctx, &cordon.Unit{ModelID: f.model.ID, CustomerID: f.customer.ID, Serial: ""}); cordon.AsError(err) == nil || cordon.AsError(err).Field != "serial" {
			t.Errorf("unit without serial: got %v, want invalid serial", err)
		}
	})
}
