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

func TestContractRoundTrip(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		contracts := store.NewContractStore(db)
		c := &cordon.Contract{
			Number: "HF-2026-001", PartnerID: f.partner.ID,
			EffectiveFrom: day(2026, 1, 1), ExpiresOn: day(2027, 12, 31), Status: cordon.ContractActive,
			Scope: cordon.Scope{
				Cities: []string{"Hefei", "Wuhu"}, ProductLines: []string{"radar", "comms"},
				ServiceTypes:    []cordon.Category{cordon.CatFault, cordon.CatRepair},
				DocumentCeiling: cordon.ClassInternal, Disclosure: cordon.DiscloseSiteContact,
				DisclosureGraceHours: 72,
			},
			SLA: map[cordon.Priority]cordon.SLATerms{
				cordon.P1: {Accept: 30 * time.Minute, Respond: time.Hour, OnSite: 4 * time.Hour, Resolve: 24 * time.Hour},
				cordon.P4: {Accept: 24 * time.Hour, Respond: 48 * time.Hour, OnSite: 10 * 24 * time.Hour, Resolve: 30 * 24 * time.Hour},
			},
			Clauses: cordon.Clauses{"jobs": "§3.1", "customers": "§6.2", "documents": "§5.1", "sla": "§4"},
		}
		if err := contracts.CreateContract(ctx, c); err != nil {
			t.Fatal(err)
		}
		if c.ID == 0 || c.CreatedAt.IsZero() {
			t.Fatalf("id and times not set: %+v", c)
		}
		got, err := contracts.FindContractByID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("FindContractByID mismatch (-want +got):\n%s", diff)
		}

		if err := contracts.CreateContract(ctx, &cordon.Contract{Number: "HF-2026-001", PartnerID: f.partner.ID,
			EffectiveFrom: day(2026, 1, 1), ExpiresOn: day(2027, 1, 1), Status: cordon.ContractDraft}); cordon.ErrorCode(err) != cordon.ECONFLICT {
			t.Errorf("duplicate number: got %v, want conflict", err)
		}
		if _, err := contracts.FindContractByID(ctx, 9999); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("missing: got %v, want not found", err)
		}
		for _, tc := range []struct {
			field string
			c     cordon.Contract
		}{
			{"status", cordon.Contract{Number: "X-1", PartnerID: f.partner.ID, EffectiveFrom: day(2026, 1, 1), ExpiresOn: day(2027, 1, 1), Status: "pending"}},
			{"expires_on", cordon.Contract{Number: "X-2", PartnerID: f.partner.ID, EffectiveFrom: day(2026, 1, 1), ExpiresOn: day(2026, 1, 1), Status: cordon.ContractDraft}},
			{"partner", cordon.Contract{Number: "X-3", PartnerID: f.institute.ID, EffectiveFrom: day(2026, 1, 1), ExpiresOn: day(2027, 1, 1), Status: cordon.ContractDraft}},
			{"partner", cordon.Contract{Number: "X-4", PartnerID: 9999, EffectiveFrom: day(2026, 1, 1), ExpiresOn: day(2027, 1, 1), Status: cordon.ContractDraft}},
			{"sla", cordon.Contract{Number: "X-5", PartnerID: f.partner.ID, EffectiveFrom: day(2026, 1, 1), ExpiresOn: day(2027, 1, 1), Status: cordon.ContractDraft,
				SLA: map[cordon.Priority]cordon.SLATerms{"P9": {}}}},
		} {
			err := contracts.CreateContract(ctx, &tc.c)
			if e := cordon.AsError(err); e == nil || e.Code != cordon.EINVALID || e.Field != tc.field {
				t.Errorf("%s: got %v, want invalid naming %s", tc.c.Number, err, tc.field)
			}
		}
	})
}
