package evaluation

import (
	"sort"

	"github.com/cordon/cordon/internal/cordon"
)

// incidents counts a period's incidents by contract and kind; jobs under
// no contract count under nil.
type incidents map[*cordon.Contract]map[cordon.Incident]int

func (t incidents) add(c *cordon.Contract, kind cordon.Incident) {
	if t[c] == nil {
		t[c] = map[cordon.Incident]int{}
	}
	t[c][kind]++
}

// defaultPenalties apply to a contract without incentives: one point, and
// no money, per lapsed offer under its jobs clause and per breached SLA
// clock under its sla clause.
var defaultPenalties = map[string]cordon.Penalty{
	"jobs": {Incident: cordon.IncidentLapsedOffer, Points: 1},
	"sla":  {Incident: cordon.IncidentSLABreach, Points: 1},
}

// clauseFor returns the clause key of c that penalises kind, and its terms.
func clauseFor(c *cordon.Contract, kind cordon.Incident) (string, cordon.Penalty, bool) {
	terms := defaultPenalties
	if c.Incentives != nil {
		terms = c.Incentives.Penalties
	}
	for key, p := range terms {
		if p.Incident == kind {
			return key, p, true
		}
	}
	return "", cordon.Penalty{}, false
}

// clauseRank orders clause keys as contracts list them: jobs, sla, then
// the rest by name.
func clauseRank(key string) int {
	switch key {
	case "jobs":
		return 0
	case "sla":
		return 1
	}
	return 2
}

// settle turns the tallied incidents into each clause's points and amount,
// and decides the reward: that of the newest contract among the period's
// jobs, earned when the score reaches its minimum with no more penalty
// points than it allows (and there were offers at all).
func settle(sc *cordon.Scorecard, tally incidents, contracts map[int64]*cordon.Contract) {
	for c, kinds := range tally {
		if c == nil {
			continue
		}
		for kind, n := range kinds {
			key, terms, ok := clauseFor(c, kind)
			if !ok {
				continue
			}
			cp := cordon.ClausePenalty{ContractNo: c.Number, Key: key, Ref: clauseRef(c.Clauses[key]), Incident: kind,
				Incidents: n, Points: n * terms.Points, AmountPerPoint: terms.AmountPerPoint}
			cp.Amount = int64(cp.Points) * cp.AmountPerPoint
			sc.Penalties = append(sc.Penalties, cp)
			sc.PenaltyPoints += cp.Points
			sc.PenaltyAmount += cp.Amount
			// By the clause's reference; by its key when the contract
			// names no text for it (the default sla clause may be
			// unlisted): the points must show somewhere.
			clause := cp.Ref
			if clause == "" {
				clause = cp.Key
			}
			sc.PenaltyByClause[clause] += cp.Points
		}
	}
	sort.Slice(sc.Penalties, func(i, j int) bool {
		a, b := sc.Penalties[i], sc.Penalties[j]
		if a.ContractNo != b.ContractNo {
			return a.ContractNo < b.ContractNo
		}
		if ra, rb := clauseRank(a.Key), clauseRank(b.Key); ra != rb {
			return ra < rb
		}
		return a.Key < b.Key
	})
	var newest *cordon.Contract
	for _, c := range contracts {
		if newest == nil || c.EffectiveFrom.After(newest.EffectiveFrom) || c.EffectiveFrom.Equal(newest.EffectiveFrom) && c.ID > newest.ID {
			newest = c
		}
	}
	if newest != nil && newest.Incentives != nil && newest.Incentives.Reward != nil {
		r := *newest.Incentives.Reward
		sc.RewardTerms = &r
		sc.RewardEarned = sc.Offers > 0 && sc.Score+1e-9 >= r.MinScore && sc.PenaltyPoints <= r.MaxPoints
		if sc.RewardEarned {
			sc.Reward = r.Amount
		}
	}
	sc.Net = sc.Reward - sc.PenaltyAmount
}
