package api_test

import (
	"fmt"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
)

// TestQualityLoop: the seeded component faults show up by model and batch;
// a campaign from them creates one inspection request per unit of that
// batch and dispatches each within scope.
func TestQualityLoop(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		q, _ := h.Login("quality")
		r := h.Do("GET", "/api/v1/quality/root-causes?product_line=radar", q, nil)
		if r.Status != 200 {
			t.Fatalf("root causes: %d %s", r.Status, r.Body)
		}
		var model int64
		var batch string
		best := 0
		for _, it := range r.JSON(t)["items"].([]any) {
			m := it.(map[string]any)
			if m["product_line"] != "radar" {
				t.Errorf("a %v count in a radar query", m["product_line"])
			}
			if m["cause"] == "component" && m["batch"] != "" && int(m["count"].(float64)) > best {
				best, model, batch = int(m["count"].(float64)), int64(m["model_id"].(float64)), m["batch"].(string)
			}
		}
		if best == 0 {
			t.Fatal("the demo world's component faults do not show")
		}
		tech, _ := h.Login("hefei.tech")
		if r := h.Do("GET", "/api/v1/quality/root-causes", tech, nil); r.Status != 403 {
			t.Errorf("a partner reads root causes: got %d, want 403", r.Status)
		}
		r = h.Do("POST", "/api/v1/quality/campaigns", q, map[string]any{
			"title": "电源板批次检查", "root_cause": "component", "model_id": model, "batch": batch,
			"description": "Check the power supply board of every unit in the batch.",
		})
		if r.Status != 201 {
			t.Fatalf("campaign: %d %s", r.Status, r.Body)
		}
		m := r.JSON(t)
		reqs := m["requests"].(map[string]any)
		jobs := m["jobs"].(map[string]any)
		if reqs["dispatched"] == nil || jobs["offered"] == nil || reqs["open"] != nil {
			t.Errorf("campaign progress = %v, want every request dispatched as an offer", m)
		}
		id := int64(m["id"].(float64))
		if r := h.Do("GET", fmt.Sprintf("/api/v1/quality/campaigns/%d", id), q, nil); r.Status != 200 {
			t.Errorf("campaign view: %d", r.Status)
		}
		if r := h.Do("POST", "/api/v1/quality/campaigns", q, map[string]any{
			"title": "x", "root_cause": "component", "model_id": model, "batch": "NO-SUCH-BATCH", "description": "x",
		}); r.Status != 400 || r.JSON(t)["field"] != "batch" {
			t.Errorf("a batch with no units: %d %s", r.Status, r.Body)
		}
	})
}
