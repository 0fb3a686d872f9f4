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

// TestCatalogueInstituteOnly: the institute reads the catalogue; a
// partner's user reads none of it, whatever its contract covers.
func TestCatalogueInstituteOnly(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		svc := catalog.NewService(store.NewCatalogStore(h.DB))
		for user, want := range map[string]string{"dispatcher": "", "quality": "", "hefei.admin": cordon.ENOTFOUND, "wuhan.tech": cordon.ENOTFOUND} {
			err := h.As(user, func(ctx context.Context) error {
				models, err := svc.FindModels(ctx, 0)
				if got := cordon.ErrorCode(err); got != want {
					t.Errorf("%s: %v, want %q", user, err, want)
				}
				if want == "" && len(models) == 0 {
					t.Errorf("%s reads no models of the demo world", user)
				}
				if want != "" && len(models) != 0 {
					t.Errorf("LEAK: %s reads %d models", user, len(models))
				}
				if want == "" {
					cs, err := svc.FindComponents(ctx, models[0].ID)
					if err != nil || len(cs) == 0 {
						t.Errorf("%s: components of %s: %v, %v", user, models[0].Code, cs, err)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.FindProductLines(context.Background()); cordon.ErrorCode(err) != cordon.EUNAUTHENTICATED {
			t.Errorf("anonymous: %v, want %s", err, cordon.EUNAUTHENTICATED)
		}
	})
}

// TestCatalogueRules: codes are required and unique, names required, a
// model needs a known line, a part number is unique within its model.
func TestCatalogueRules(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		svc := catalog.NewService(store.NewCatalogStore(h.DB))
		// Each step its own transaction, as each request is: on
		// PostgreSQL a refused insert ends its transaction, whose commit
		// then rolls back (each step checks its own outcome).
		as := func(step func(ctx context.Context)) {
			_ = h.As("engineer", func(ctx context.Context) error { step(ctx); return nil })
		}
		as(func(ctx context.Context) {
			if _, err := svc.CreateProductLine(ctx, " ", "x"); cordon.ErrorCode(err) != cordon.EINVALID {
				t.Errorf("a line without a code: %v", err)
			}
		})
		as(func(ctx context.Context) {
			if _, err := svc.CreateProductLine(ctx, "radar", "again"); cordon.ErrorCode(err) != cordon.ECONFLICT {
				t.Errorf("a taken line code: %v", err)
			}
		})
		as(func(ctx context.Context) {
			if _, err := svc.CreateModel(ctx, 999999, "X-1", "x"); cordon.ErrorCode(err) != cordon.EINVALID {
				t.Errorf("a model of no line: %v", err)
			}
		})
		var ms []*cordon.Model
		var c *cordon.Component
		as(func(ctx context.Context) {
			var err error
			if ms, err = svc.FindModels(ctx, 0); err != nil {
				t.Fatal(err)
			}
			if c, err = svc.CreateComponent(ctx, cordon.Component{ModelID: ms[0].ID, PartNumber: "NEW-1", Name: "风扇"}); err != nil {
				t.Fatal(err)
			}
		})
		as(func(ctx context.Context) {
			if _, err := svc.CreateComponent(ctx, cordon.Component{ModelID: ms[0].ID, PartNumber: "NEW-1", Name: "again"}); cordon.ErrorCode(err) != cordon.ECONFLICT {
				t.Errorf("a part number twice in a model: %v", err)
			}
		})
		as(func(ctx context.Context) {
			if _, err := svc.CreateComponent(ctx, cordon.Component{ModelID: ms[1].ID, PartNumber: "NEW-1", Name: "风扇"}); err != nil {
				t.Errorf("the same part number in another model: %v", err)
			}
			up, err := svc.UpdateComponent(ctx, c.ID, "散热风扇", "苏州某厂")
			if err != nil || up.Name != "散热风扇" || up.Supplier != "苏州某厂" || up.PartNumber != "NEW-1" {
				t.Errorf("update component: %+v, %v", up, err)
			}
		})
	})
}
