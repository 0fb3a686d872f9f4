package apptest

import (
	"context"
	"fmt"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// The demo world as tests look it up: through the API where a caller's
// view matters, straight from the store where it does not.

// PartnerIDs returns the demo partners' ids by code, as the API lists them.
func (h *Harness) PartnerIDs(token string) map[string]int64 {
	h.T.Helper()
	r := h.Do("GET", "/api/v1/partners", token, nil)
	if r.Status != 200 {
		h.T.Fatalf("list partners: %d %s", r.Status, r.Body)
	}
	out := map[string]int64{}
	for _, it := range r.JSON(h.T)["items"].([]any) {
		m := it.(map[string]any)
		out[m["code"].(string)] = int64(m["id"].(float64))
	}
	return out
}

// JobIDs lists every job id a caller gets from GET /jobs, page by page.
func (h *Harness) JobIDs(token string) map[int64]map[string]any {
	h.T.Helper()
	out := map[int64]map[string]any{}
	for offset := 0; ; offset += 200 {
		r := h.Do("GET", fmt.Sprintf("/api/v1/jobs?limit=200&offset=%d", offset), token, nil)
		if r.Status != 200 {
			h.T.Fatalf("list jobs: %d %s", r.Status, r.Body)
		}
		items := r.JSON(h.T)["items"].([]any)
		for _, it := range items {
			m := it.(map[string]any)
			out[int64(m["id"].(float64))] = m
		}
		if len(items) < 200 {
			return out
		}
	}
}

// JobsOf returns the ids of a partner's jobs straight from the store.
func (h *Harness) JobsOf(partnerID int64) map[int64]bool {
	h.T.Helper()
	jobs, _, err := store.NewJobService(h.DB).FindJobs(context.Background(), cordon.JobFilter{PartnerID: &partnerID, Scope: cordon.ListScope{All: true}})
	if err != nil {
		h.T.Fatal(err)
	}
	out := map[int64]bool{}
	for _, j := range jobs {
		out[j.ID] = true
	}
	return out
}

// AccessEvents returns the access log's events that f selects.
func (h *Harness) AccessEvents(f cordon.AccessEventFilter) []*cordon.AccessEvent {
	h.T.Helper()
	evs, _, err := store.NewAccessLog(h.DB).FindAccessEvents(context.Background(), f)
	if err != nil {
		h.T.Fatal(err)
	}
	return evs
}

// UnitIn returns a delivered unit in city of product line code.
func (h *Harness) UnitIn(city, line string) *cordon.Unit {
	h.T.Helper()
	units, _, err := store.NewCatalogService(h.DB).FindUnits(context.Background(), cordon.UnitFilter{SiteCity: &city, ProductLine: &line, Limit: 1})
	if err != nil || len(units) == 0 {
		h.T.Fatalf("no %s unit in %s: %v", line, city, err)
	}
	return units[0]
}

// Intake takes in a request as the dispatcher and returns its id.
func (h *Harness) Intake(token string, unit *cordon.Unit, category, priority string) int64 {
	h.T.Helper()
	r := h.Do("POST", "/api/v1/requests", token, map[string]any{
		"unit_id": unit.ID, "category": category, "priority": priority, "description": "Radar does not power on after a storm.",
	})
	if r.Status != 201 {
		h.T.Fatalf("intake: %d %s", r.Status, r.Body)
	}
	return int64(r.JSON(h.T)["id"].(float64))
}
