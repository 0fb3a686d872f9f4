package api_test

import (
	"fmt"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
)

// TestWebhookSecretNotCached: the answers that carry a webhook's signing
// secret (a new endpoint, a rotation) forbid every cache to keep them, like
// the login's tokens.
func TestWebhookSecretNotCached(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		contracts, _ := h.Login("contracts")
		hefei := h.PartnerIDs(contracts)["hefei"]
		padmin, _ := h.Login("hefei.admin")
		path := fmt.Sprintf("/api/v1/partners/%d/webhook", hefei)
		for _, body := range []map[string]any{
			{"url": "https://hooks.example/cordon"},
			{"url": "https://hooks.example/cordon", "rotate_secret": true},
		} {
			r := h.Do("PUT", path, padmin, body)
			if r.Status != 200 && r.Status != 201 {
				t.Fatalf("PUT %v: %d %s", body, r.Status, r.Body)
			}
			if s, _ := r.JSON(t)["secret"].(string); s == "" {
				t.Fatalf("PUT %v: no secret in %s", body, r.Body)
			}
			if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("PUT %v: Cache-Control %q, want no-store", body, cc)
			}
		}
	})
}
