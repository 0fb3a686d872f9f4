package store_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// TestContractIncentives: a contract's incentives are stored and read back
// as they were, and a draft's are replaced or removed with its terms.
func TestContractIncentives(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		contracts := store.NewContractStore(db)
		inc := &cordon.Incentives{
			Penalties: map[string]cordon.Penalty{
				"jobs":   {Incident: cordon.IncidentLapsedOffer, Points: 1, AmountPerPoint: 200},
				"sla":    {Incident: cordon.IncidentSLABreach, Points: 2, AmountPerPoint: 500},
				"breach": {Incident: cordon.IncidentComplaint, Points: 3, AmountPerPoint: 1000},
			},
			Reward: &cordon.Reward{Amount: 20000, MinScore: 0.75, MaxPoints: 5},
		}
		c := &cordon.Contract{Number: "HF-2026-009", PartnerID: f.partner.ID, Status: cordon.ContractDraft,
			EffectiveFrom: day(2026, 1, 1), ExpiresOn: day(2027, 1, 1),
			Clauses: cordon.Clauses{"jobs": "§3.1", "sla": "§4", "breach": "§9.3"}, Incentives: inc}
		if err := contracts.CreateContract(ctx, c); err != nil {
			t.Fatal(err)
		}
		got, err := contracts.FindContractByID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(inc, got.Incentives); diff != "" {
			t.Errorf("incentives (-want +got):\n%s", diff)
		}
		c.Incentives = nil
		if err := contracts.UpdateDraft(ctx, c); err != nil {
			t.Fatal(err)
		}
		if got, err = contracts.FindContractByID(ctx, c.ID); err != nil || got.Incentives != nil {
			t.Errorf("after removing them: got %+v, %v; want none", got.Incentives, err)
		}
	})
}
