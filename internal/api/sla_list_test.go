package api_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/app/apptest"
)

// TestSLAListMatchesJob: every job the SLA list shows is the job itself,
// field for field, as GET /jobs/{id} answers it (the list once answered
// accepted_at and offer_expires_at as null where the job had them).
func TestSLAListMatchesJob(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		q, _ := h.Login("quality")
		seen := 0
		for _, state := range []string{"breached", "at_risk"} {
			r := h.Do("GET", "/api/v1/sla/jobs?limit=200&state="+state, q, nil)
			if r.Status != 200 {
				t.Fatalf("sla list: %d %s", r.Status, r.Body)
			}
			for _, it := range r.JSON(t)["items"].([]any) {
				listed := it.(map[string]any)["job"].(map[string]any)
				id := int64(listed["id"].(float64))
				own := h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d", id), q, nil).JSON(t)
				if d := cmp.Diff(own, listed); d != "" {
					t.Errorf("job %d in the %s list differs from the job (-job +list):\n%s", id, state, d)
				}
				seen++
			}
		}
		if seen == 0 {
			t.Fatal("the demo world has no job on the SLA lists: the test compares nothing")
		}
	})
}
