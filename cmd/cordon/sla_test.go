package main

import (
	"fmt"
	"testing"
	"time"
)

// TestSLAClocks: a P1 offer is at risk after 80% of its accept term and
// breached after it; the quality department sees it in the SLA list; the
// partner sees its own job's clocks, and another partner nothing. (Pauses
// and business calendars are covered in internal/sla.)
func TestSLAClocks(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		disp, _ := h.login("dispatcher")
		req := h.intake(disp, h.unitIn("Hefei", "radar"), "fault", "P1")
		job := int64(h.do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"to": "auto"}).JSON(t)["id"].(float64))
		listed := func(state string) bool {
			q, _ := h.login("quality")
			r := h.do("GET", "/api/v1/sla/jobs?limit=200&state="+state, q, nil)
			if r.Status != 200 {
				t.Fatalf("sla list: %d %s", r.Status, r.Body)
			}
			for _, it := range r.JSON(t)["items"].([]any) {
				if int64(it.(map[string]any)["job"].(map[string]any)["id"].(float64)) == job {
					return true
				}
			}
			return false
		}
		if listed("at_risk") || listed("breached") {
			t.Fatal("a fresh offer is already at risk or breached")
		}
		h.clock.Add(25 * time.Minute)
		if !listed("at_risk") {
			t.Error("25 of 30 minutes used: not at risk")
		}
		h.clock.Add(6 * time.Minute)
		if !listed("breached") {
			t.Error("31 of 30 minutes used: not breached")
		}
		tech, _ := h.login("hefei.tech")
		r := h.do("GET", fmt.Sprintf("/api/v1/jobs/%d/sla", job), tech, nil)
		if r.Status != 200 || len(r.JSON(t)["clocks"].([]any)) != 4 {
			t.Errorf("the partner's clocks: %d %s", r.Status, r.Body)
		}
		w, _ := h.login("wuhan.tech")
		if r := h.do("GET", fmt.Sprintf("/api/v1/jobs/%d/sla", job), w, nil); r.Status != 404 {
			t.Errorf("another partner's clocks: got %d, want 404", r.Status)
		}
	})
}
