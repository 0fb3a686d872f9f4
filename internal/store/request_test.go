package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// newRequest stores a fault request for the fixture's unit.
func newRequest(t *testing.T, db *store.DB, f *fixture) *cordon.ServiceRequest {
	t.Helper()
	r := &cordon.ServiceRequest{
		UnitID: &f.unit.ID, CustomerID: f.customer.ID, ModelID: &f.model.ID, ProductLineID: f.line.ID,
		Category: cordon.CatFault, Priority: cordon.P2, Description: "发射机无输出", SiteCity: "Hefei",
		CreatedBy: f.engineer.ID, CreatedAt: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC),
	}
	if err := store.NewRequestStore(db).CreateRequest(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRequestRoundTrip(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		requests := store.NewRequestStore(db)
		r := newRequest(t, db, f)
		if r.Status != cordon.RequestOpen {
			t.Errorf("default status: got %q, want open", r.Status)
		}
		got, err := requests.FindRequestByID(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(r, got, cmpopts.IgnoreFields(cordon.ServiceRequest{}, "ProductLine")); diff != "" {
			t.Errorf("FindRequestByID mismatch (-want +got):\n%s", diff)
		}

		// No unit, no model, no time: the store's clock stamps it.
		consult := &cordon.ServiceRequest{CustomerID: f.customer.ID, ProductLineID: f.line.ID, Category: cordon.CatConsultation,
			Priority: cordon.P4, Description: "咨询", SiteCity: "Hefei", Status: cordon.RequestDispatched, CreatedBy: f.engineer.ID}
		if err := requests.CreateRequest(ctx, consult); err != nil {
			t.Fatal(err)
		}
		if !consult.CreatedAt.Equal(fixedClock()()) {
			t.Errorf("CreatedAt: got %v, want the store's clock", consult.CreatedAt)
		}

		if _, err := requests.FindRequestByID(ctx, 9999); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("missing: got %v, want not found", err)
		}
		base := cordon.ServiceRequest{CustomerID: f.customer.ID, ProductLineID: f.line.ID, Category: cordon.CatFault,
			Priority: cordon.P1, Description: "x", SiteCity: "Hefei", CreatedBy: f.engineer.ID}
		for _, tc := range []struct {
			field  string
			change func(r *cordon.ServiceRequest)
		}{
			{"category", func(r *cordon.ServiceRequest) { r.Category = "gossip" }},
			{"priority", func(r *cordon.ServiceRequest) { r.Priority = "P0" }},
			{"site_city", func(r *cordon.ServiceRequest) { r.SiteCity = "" }},
			{"status", func(r *cordon.ServiceRequest) { r.Status = "lost" }},
		} {
			r := base
			tc.change(&r)
			err := requests.CreateRequest(ctx, &r)
			if e := cordon.AsError(err); e == nil || e.Code != cordon.EINVALID || e.Field != tc.field {
				t.Errorf("bad %s: got %v, want invalid naming %s", tc.field, err, tc.field)
			}
		}
		orphan := base
		orphan.CustomerID = 9999
		if err := requests.CreateRequest(ctx, &orphan); cordon.ErrorCode(err) != cordon.EINVALID {
			t.Errorf("unknown customer: got %v, want invalid", err)
		}
	})
}
