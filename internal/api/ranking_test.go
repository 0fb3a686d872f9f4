package api_test

import (
	"fmt"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
)

// TestCandidatesRankedByScore: of two partners equally placed for a
// request (both eligible, neither at home in the site city), the one with
// the better scorecard over the last 90 days is offered first, whatever
// their open loads; each candidate carries its score and contract.
func TestCandidatesRankedByScore(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		contracts, _ := h.Login("contracts")
		disp, _ := h.Login("dispatcher")
		// wuhan's contract in force covers Wuhan only; a second one for
		// Wuhu comms, in force after the first is suspended, makes wuhan
		// eligible beside hefei, whose home is Hefei.
		list := h.Do("GET", "/api/v1/contracts?limit=200", contracts, nil).JSON(t)["items"].([]any)
		for _, it := range list {
			m := it.(map[string]any)
			if m["number"] == "WH-2026-001" {
				if r := h.Do("POST", fmt.Sprintf("/api/v1/contracts/%d/suspend", int64(m["id"].(float64))), contracts, nil); r.Status != 200 {
					t.Fatalf("suspend WH-2026-001: %d %s", r.Status, r.Body)
				}
			}
		}
		yaml := `number: WH-2026-009
partner: wuhan
title: Wuhu comms repair
effective: 2026-01-01
expires: 2027-12-31
scope:
  cities: [Wuhu]
  product_lines: [comms]
  service_types: [repair, fault]
  document_ceiling: public
  disclosure: {level: city, grace_hours: 24}
sla:
  P1: {accept: 30m, respond: 1h, on_site: 4h, resolve: 24h}
  P2: {accept: 1h, respond: 4h, on_site: 12h, resolve: 3d}
  P3: {accept: 4h, respond: 12h, on_site: 2d, resolve: 7d}
  P4: {accept: 1d, respond: 2d, on_site: 5d, resolve: 14d}
clauses:
  jobs: "§3.1 Territory"
  customers: "§4.2 Disclosure"
  documents: "§5.1 Documents"
  sla: "§6.1 Service levels"
  liability: "§9.2 Liability"
`
		r := h.Do("POST", "/api/v1/contracts", contracts, []byte(yaml), "Content-Type", "application/yaml")
		if r.Status != 201 && r.Status != 200 {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		id := int64(r.JSON(t)["id"].(float64))
		if r := h.Do("POST", fmt.Sprintf("/api/v1/contracts/%d/activate", id), contracts, nil); r.Status != 200 {
			t.Fatalf("activate: %d %s", r.Status, r.Body)
		}
		req := h.Intake(disp, h.UnitIn("Wuhu", "comms"), "repair", "P3")
		r = h.Do("GET", fmt.Sprintf("/api/v1/requests/%d/candidates", req), disp, nil)
		if r.Status != 200 {
			t.Fatalf("candidates: %d %s", r.Status, r.Body)
		}
		var partners []map[string]any
		for _, it := range r.JSON(t)["items"].([]any) {
			if m := it.(map[string]any); m["in_house"] != true {
				partners = append(partners, m)
			}
		}
		if len(partners) != 2 {
			t.Fatalf("candidates = %v, want hefei and wuhan", partners)
		}
		a, b := partners[0], partners[1]
		sa, okA := a["score"].(float64)
		sb, okB := b["score"].(float64)
		if !okA || !okB {
			t.Fatalf("scores %v and %v: both partners have offers in the last 90 days", a["score"], b["score"])
		}
		if sa == sb {
			t.Fatalf("both score %v: the world does not tell the rule apart", sa)
		}
		if sa < sb {
			t.Errorf("%s (score %v) ranks before %s (score %v)", a["partner_code"], sa, b["partner_code"], sb)
		}
		if a["open_jobs"].(float64) <= b["open_jobs"].(float64) {
			t.Logf("note: the better-scoring partner also holds fewer open jobs (%v ≤ %v)", a["open_jobs"], b["open_jobs"])
		}
		for _, p := range partners {
			if p["partner_code"] == "wuhan" && p["contract_no"] != "WH-2026-009" {
				t.Errorf("wuhan's candidate names contract %v, want WH-2026-009", p["contract_no"])
			}
		}
	})
}
