package evaluation

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
)

// TestSettleUnlistedDefaultClause: a contract without incentives that
// lists no sla clause (the schema makes it optional) still shows its
// breaches' default points per clause, under the clause's key, so that
// the scorecard's penalty_by_clause adds up to its penalty points.
func TestSettleUnlistedDefaultClause(t *testing.T) {
	c := &cordon.Contract{ID: 3, Number: "XA-2026-001", Clauses: cordon.Clauses{"jobs": "§2 Jobs", "customers": "§6", "documents": "§5"}}
	sc := &cordon.Scorecard{Offers: 4, Score: 0.8, PenaltyByClause: map[string]int{}}
	settle(sc, incidents{c: {cordon.IncidentSLABreach: 3, cordon.IncidentLapsedOffer: 1}}, map[int64]*cordon.Contract{3: c})
	if sc.PenaltyPoints != 4 {
		t.Errorf("penalty points: got %d, want 4", sc.PenaltyPoints)
	}
	if diff := cmp.Diff(map[string]int{"§2": 1, "sla": 3}, sc.PenaltyByClause); diff != "" {
		t.Errorf("by clause (-want +got):\n%s", diff)
	}
}
