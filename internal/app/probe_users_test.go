package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// TestProbeUsers extends the probe matrix to the users API
// (/api/v1/users, internal/team): every demo user lists, and tries to
// disable, every user of every organisation. The institute's admin sees
// every user; a partner's admin only its own company's technicians while
// its contract is in force (xian's has expired: nothing); every other
// role is refused by its role. Disabling anyone out of reach is 404, like
// a user that does not exist, and changes nothing.
func TestProbeUsers(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		all, _, err := store.NewUserStore(h.db).FindUsers(ctx, cordon.UserFilter{})
		if err != nil {
			t.Fatal(err)
		}
		orgs, _, err := store.NewOrgStore(h.db).FindOrgs(ctx, cordon.OrgFilter{})
		if err != nil {
			t.Fatal(err)
		}
		orgOf := map[string]int64{}
		for _, o := range orgs {
			orgOf[o.Code] = o.ID
		}
		inForce := map[string]bool{"hefei": true, "wuhan": true}
		tokens := h.loginAll()
		probes := 0
		for _, u := range probeUsers {
			want := map[int64]bool{}
			switch {
			case u.role == cordon.RoleAdmin:
				for _, x := range all {
					want[x.ID] = true
				}
			case u.role == cordon.RolePartnerAdmin && inForce[u.org]:
				for _, x := range all {
					if x.OrgID == orgOf[u.org] && x.HasRole(cordon.RolePartnerTechnician) {
						want[x.ID] = true
					}
				}
			}
			r := h.do("GET", "/api/v1/users?limit=200", tokens[u.name], nil)
			probes++
			mayList := u.role == cordon.RoleAdmin || u.role == cordon.RolePartnerAdmin
			if !mayList {
				if r.Status != 403 {
					t.Errorf("%s GET /users: %d, want 403 (role)", u.name, r.Status)
				}
				continue
			}
			if r.Status != 200 {
				t.Fatalf("%s GET /users: %d %s", u.name, r.Status, r.Body)
			}
			var l struct {
				Items []struct {
					ID int64 `json:"id"`
				} `json:"items"`
			}
			if err := json.Unmarshal(r.Body, &l); err != nil {
				t.Fatal(err)
			}
			got := map[int64]bool{}
			for _, it := range l.Items {
				got[it.ID] = true
				if !want[it.ID] {
					t.Errorf("LEAK: %s lists user %d, outside what it may manage", u.name, it.ID)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%s lists %d users, the oracle counts %d", u.name, len(got), len(want))
			}
			if u.role != cordon.RolePartnerAdmin {
				continue
			}
			for _, x := range all {
				if want[x.ID] || x.Username == u.name { // oneself: 409, tested in internal/team
					continue
				}
				r := h.do("POST", fmt.Sprintf("/api/v1/users/%d/disable", x.ID), tokens[u.name], nil)
				probes++
				if r.Status != 404 {
					t.Errorf("%s disables user %d (%s): %d, want 404", u.name, x.ID, x.Username, r.Status)
				}
			}
		}
		after, _, err := store.NewUserStore(h.db).FindUsers(ctx, cordon.UserFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range after {
			if x.Disabled() {
				t.Errorf("user %s was disabled by a probe", x.Username)
			}
		}
		t.Logf("%d user probes", probes)
	})
}
