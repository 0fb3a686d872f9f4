package dispatch

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// Rank returns the candidates for a request at siteCity in the order to
// offer them, leaving cands as it is. The order is total and depends on
// nothing but the candidates, so the same input always ranks the same:
//
//  1. partners before the in-house engineers, who always come last: the
//     institute keeps a job only when no partner takes it. When cands has
//     no in-house candidate, Rank appends one (InHouse, zero otherwise), so
//     the dispatcher always has somewhere to send the request;
//  2. partners whose home city is the site city (trimmed, case-folded)
//     before the others;
//  3. partners with a scorecard before partners without one, whatever the
//     score: a new partner earns its place by being in the right city, not
//     by outranking a proven one; among scored partners, the higher score
//     first;
//  4. fewer open jobs first;
//  5. then by partner code, partner id, contract number and clause.
func Rank(cands []cordon.Candidate, siteCity string) []cordon.Candidate {
	out := make([]cordon.Candidate, len(cands), len(cands)+1)
	copy(out, cands)
	if !slices.ContainsFunc(out, func(c cordon.Candidate) bool { return c.InHouse }) {
		out = append(out, cordon.Candidate{InHouse: true})
	}
	city := strings.TrimSpace(siteCity)
	home := func(c *cordon.Candidate) bool {
		return city != "" && strings.EqualFold(strings.TrimSpace(c.HomeCity), city)
	}
	slices.SortStableFunc(out, func(a, b cordon.Candidate) int {
		if a.InHouse != b.InHouse {
			return boolFirst(!a.InHouse, !b.InHouse)
		}
		if ha, hb := home(&a), home(&b); ha != hb {
			return boolFirst(ha, hb)
		}
		sa, sb := a.Scored(), b.Scored()
		if sa != sb {
			return boolFirst(sa, sb)
		}
		if sa && a.Score != b.Score {
			return cmp.Compare(b.Score, a.Score)
		}
		return cmp.Or(
			cmp.Compare(a.OpenJobs, b.OpenJobs),
			strings.Compare(a.PartnerCode, b.PartnerCode),
			cmp.Compare(a.PartnerID, b.PartnerID),
			strings.Compare(a.ContractNo, b.ContractNo),
			strings.Compare(a.Clause, b.Clause),
		)
	})
	return out
}

// boolFirst orders true before false, for a sort that compared a and b.
func boolFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// OfferDeadline returns when an offer made at now under contract c for a
// request of priority p lapses: now plus the contract's accept term for p.
// It returns EINVALID naming "priority" when p is unknown or the contract
// sets no accept term for it, and naming "contract" when there is no
// contract (in-house jobs have no offer deadline).
func OfferDeadline(c *cordon.Contract, p cordon.Priority, now time.Time) (time.Time, error) {
	if c == nil {
		return time.Time{}, cordon.FieldErr("contract", "dispatch.offer_deadline_needs_contract")
	}
	if !p.Valid() {
		return time.Time{}, cordon.FieldErr("priority", "dispatch.unknown_priority", p)
	}
	terms, ok := c.SLA[p]
	if !ok || terms.Accept <= 0 {
		return time.Time{}, cordon.FieldErr("priority", "dispatch.contract_sets_no_time_accept", c.Number, p)
	}
	return now.Add(terms.Accept), nil
}
