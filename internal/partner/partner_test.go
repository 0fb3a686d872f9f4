package partner_test

import (
	"context"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/partner"
	"github.com/cordon/cordon/internal/store"
)

func TestMain(m *testing.M) { apptest.Main(m) }

// TestPartnerVisibility: the institute sees every partner; a partner user
// only its own company while its contract is in force (xian's has
// expired); anything else is ENOTFOUND, like a partner that does not
// exist, and the institute's own organisation is no partner.
func TestPartnerVisibility(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		svc := partner.NewService(partner.Config{Orgs: store.NewOrgStore(h.DB), Webhooks: store.NewNotificationStore(h.DB),
			Scope: h.App.Scope, Now: h.Clock.Now})
		admin, _ := h.Login("contracts")
		ids := h.PartnerIDs(admin)
		inst, err := store.NewOrgStore(h.DB).FindOrgByCode(context.Background(), "institute")
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			user string
			list []string // partner codes listed
			see  map[string]bool
		}{
			{"dispatcher", []string{"hefei", "wuhan", "xian"}, map[string]bool{"hefei": true, "wuhan": true, "xian": true}},
			{"hefei.admin", []string{"hefei"}, map[string]bool{"hefei": true}},
			{"wuhan.tech", []string{"wuhan"}, map[string]bool{"wuhan": true}},
			{"xian.admin", nil, map[string]bool{}},
		} {
			err := h.As(tc.user, func(ctx context.Context) error {
				list, total, err := svc.FindPartners(ctx, cordon.OrgFilter{})
				if err != nil {
					return err
				}
				var got []string
				for _, o := range list {
					got = append(got, o.Code)
				}
				if total != len(tc.list) || len(got) != len(tc.list) {
					t.Errorf("%s lists %v (total %d), want %v", tc.user, got, total, tc.list)
				}
				for i := range got {
					if i < len(tc.list) && got[i] != tc.list[i] {
						t.Errorf("%s lists %v, want %v", tc.user, got, tc.list)
						break
					}
				}
				for code, id := range ids {
					_, err := svc.FindPartnerByID(ctx, id)
					if tc.see[code] && err != nil {
						t.Errorf("%s cannot see %s: %v", tc.user, code, err)
					}
					if !tc.see[code] && cordon.ErrorCode(err) != cordon.ENOTFOUND {
						t.Errorf("%s sees %s: %v, want %s", tc.user, code, err, cordon.ENOTFOUND)
					}
				}
				if _, err := svc.FindPartnerByID(ctx, inst.ID); cordon.ErrorCode(err) != cordon.ENOTFOUND {
					t.Errorf("%s: the institute as a partner: %v, want %s", tc.user, err, cordon.ENOTFOUND)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("%s: %v", tc.user, err)
			}
		}
	})
}

// TestPartnerWebhook: a partner's admin sets its own company's endpoint,
// once new and then changed; a bad URL names the field; the institute and
// other partners cannot set it (ENOTFOUND).
func TestPartnerWebhook(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		svc := partner.NewService(partner.Config{Orgs: store.NewOrgStore(h.DB), Webhooks: store.NewNotificationStore(h.DB),
			Scope: h.App.Scope, Now: h.Clock.Now})
		admin, _ := h.Login("contracts")
		hefei := h.PartnerIDs(admin)["hefei"]
		save := func(user, url string) (*cordon.WebhookEndpoint, bool, error) {
			var e *cordon.WebhookEndpoint
			var created bool
			err := h.As(user, func(ctx context.Context) (err error) {
				e, created, err = svc.SaveWebhook(ctx, hefei, url, true, false)
				return err
			})
			return e, created, err
		}
		for _, user := range []string{"dispatcher", "admin", "wuhan.admin"} {
			if _, _, err := save(user, "https://hooks.example.com/cordon"); cordon.ErrorCode(err) != cordon.ENOTFOUND {
				t.Errorf("%s sets hefei's endpoint: %v, want %s", user, err, cordon.ENOTFOUND)
			}
		}
		if _, _, err := save("hefei.admin", "ftp://user:pw@example.com/#x"); cordon.AsError(err) == nil || cordon.AsError(err).Field != "url" {
			t.Errorf("bad URL: %v, want EINVALID naming url", err)
		}
		e, created, err := save("hefei.admin", "https://hooks.example.com/cordon")
		if err != nil || !created || e.Secret == "" {
			t.Fatalf("first save: %+v, created %v, %v; want a new endpoint with its secret", e, created, err)
		}
		e, created, err = save("hefei.admin", "https://hooks.example.com/v2")
		if err != nil || created || e.URL != "https://hooks.example.com/v2" {
			t.Errorf("second save: %+v, created %v, %v; want the endpoint changed", e, created, err)
		}
		err = h.As("dispatcher", func(ctx context.Context) error {
			got, err := svc.FindWebhook(ctx, hefei)
			if err != nil || got == nil || got.URL != "https://hooks.example.com/v2" || got.Secret != "" {
				t.Errorf("the institute reads %+v, %v; want the URL and no secret", got, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
