package catalog_test

import (
	"context"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/catalog"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

func TestMain(m *testing.M) { apptest.Main(m) }

// TestUnitsInstituteOnly: the institute lists delivered units; a partner's
// user lists none, whatever its contract covers.
func TestUnitsInstituteOnly(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		svc := catalog.NewService(store.NewCatalogStore(h.DB))
		for user, want := range map[string]string{"dispatcher": "", "quality": "", "hefei.admin": cordon.ENOTFOUND, "hefei.tech": cordon.ENOTFOUND} {
			err := h.As(user, func(ctx context.Context) error {
				units, total, err := svc.FindUnits(ctx, cordon.UnitFilter{Limit: 5})
				if got := cordon.ErrorCode(err); got != want {
					t.Errorf("%s: %v, want %q", user, err, want)
				}
				if want == "" && (total == 0 || len(units) == 0) {
					t.Errorf("%s lists no units of the demo world", user)
				}
				if want != "" && len(units) != 0 {
					t.Errorf("LEAK: %s lists %d units", user, len(units))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := svc.FindUnits(context.Background(), cordon.UnitFilter{}); cordon.ErrorCode(err) != cordon.EUNAUTHENTICATED {
			t.Errorf("anonymous: %v, want %s", err, cordon.EUNAUTHENTICATED)
		}
	})
}
