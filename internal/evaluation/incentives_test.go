package evaluation

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
)

func TestSettle(t *testing.T) {
	hefei := &cordon.Contract{ID: 1, Number: "HF-2026-001", EffectiveFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Clauses: cordon.Clauses{"jobs": "§3.1 Territory", "sla": "§4", "breach": "§9.3"},
		Incentives: &cordon.Incentives{
			Penalties: map[string]cordon.Penalty{
				"jobs":   {Incident: cordon.IncidentLapsedOffer, Points: 1, AmountPerPoint: 200},
				"sla":    {Incident: cordon.IncidentSLABreach, Points: 2, AmountPerPoint: 500},
				"breach": {Incident: cordon.IncidentComplaint, Points: 3, AmountPerPoint: 1000},
			},
			Reward: &cordon.Reward{Amount: 20000, MinScore: 0.75, MaxPoints: 5},
		}}
	plain := &cordon.Contract{ID: 2, Number: "OLD-1", Clauses: cordon.Clauses{"jobs": "§2", "sla": "§5"}}
	tests := []struct {
		name      string
		score     float64
		tally     incidents
		contracts map[int64]*cordon.Contract
		want      []cordon.ClausePenalty
		points    int
		amount    int64
		earned    bool
		net       int64
		byClause  map[string]int
	}{
		{"earned with few points", 0.7625,
			incidents{hefei: {cordon.IncidentLapsedOffer: 1, cordon.IncidentSLABreach: 1, cordon.IncidentReopen: 2}},
			map[int64]*cordon.Contract{1: hefei},
			[]cordon.ClausePenalty{
				{ContractNo: "HF-2026-001", Key: "jobs", Ref: "§3.1", Incident: cordon.IncidentLapsedOffer, Incidents: 1, Points: 1, AmountPerPoint: 200, Amount: 200},
				{ContractNo: "HF-2026-001", Key: "sla", Ref: "§4", Incident: cordon.IncidentSLABreach, Incidents: 1, Points: 2, AmountPerPoint: 500, Amount: 1000},
			}, 3, 1200, true, 18800, map[string]int{"§3.1": 1, "§4": 2}},
		{"too many points", 0.9,
			incidents{hefei: {cordon.IncidentComplaint: 2}},
			map[int64]*cordon.Contract{1: hefei},
			[]cordon.ClausePenalty{
				{ContractNo: "HF-2026-001", Key: "breach", Ref: "§9.3", Incident: cordon.IncidentComplaint, Incidents: 2, Points: 6, AmountPerPoint: 1000, Amount: 6000},
			}, 6, 6000, false, -6000, map[string]int{"§9.3": 6}},
		{"score too low", 0.5, incidents{}, map[int64]*cordon.Contract{1: hefei}, nil, 0, 0, false, 0, map[string]int{}},
		{"no incentives: a point per lapse and breach, no money", 0.9,
			incidents{plain: {cordon.IncidentLapsedOffer: 2, cordon.IncidentComplaint: 1}, nil: {cordon.IncidentSLABreach: 1}},
			map[int64]*cordon.Contract{2: plain},
			[]cordon.ClausePenalty{
				{ContractNo: "OLD-1", Key: "jobs", Ref: "§2", Incident: cordon.IncidentLapsedOffer, Incidents: 2, Points: 2},
			}, 2, 0, false, 0, map[string]int{"§2": 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := &cordon.Scorecard{Offers: 3, Score: tt.score, PenaltyByClause: map[string]int{}}
			settle(sc, tt.tally, tt.contracts)
			if diff := cmp.Diff(tt.want, sc.Penalties); diff != "" {
				t.Errorf("penalties (-want +got):\n%s", diff)
			}
			got := []any{sc.PenaltyPoints, sc.PenaltyAmount, sc.RewardEarned, sc.Net}
			if diff := cmp.Diff([]any{tt.points, tt.amount, tt.earned, tt.net}, got); diff != "" {
				t.Errorf("points, amount, earned, net (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.byClause, sc.PenaltyByClause); diff != "" {
				t.Errorf("by clause (-want +got):\n%s", diff)
			}
		})
	}
}
