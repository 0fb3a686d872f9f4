package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

func TestUserLifecycle(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		orgs, users := store.NewOrgStore(db), store.NewUserStore(db)
		org := &cordon.Org{Code: "hefei", Name: "Hefei Service", Kind: cordon.OrgPartner, HomeCity: "Hefei"}
		if err := orgs.CreateOrg(ctx, org); err != nil {
			t.Fatal(err)
		}
		u := &cordon.User{OrgID: org.ID, Username: "hefei.tech", PasswordHash: "x", Roles: []cordon.Role{cordon.RolePartnerTechnician}}
		if err := users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, err := users.FindUserByUsername(ctx, "hefei.tech")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != u.ID || got.Org.Code != "hefei" || len(got.Roles) != 1 || got.Roles[0] != cordon.RolePartnerTechnician {
			t.Fatalf("got %+v", got)
		}
		dup := &cordon.User{OrgID: org.ID, Username: "hefei.tech", PasswordHash: "x", Roles: []cordon.Role{cordon.RolePartnerTechnician}}
		if err := users.CreateUser(ctx, dup); cordon.ErrorCode(err) != cordon.ECONFLICT {
			t.Fatalf("duplicate: got %v, want conflict", err)
		}
		bad := &cordon.User{OrgID: org.ID, Username: "hefei.x", PasswordHash: "x", Roles: []cordon.Role{cordon.RoleAdmin}}
		if err := users.CreateUser(ctx, bad); cordon.ErrorCode(err) != cordon.EINVALID {
			t.Fatalf("institute role on partner: got %v, want invalid", err)
		}
		if _, err := users.FindUserByUsername(ctx, "nobody"); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Fatalf("missing: got %v", err)
		}
		if err := users.DisableUser(ctx, u.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		got, _ = users.FindUserByID(ctx, u.ID)
		if !got.Disabled() {
			t.Fatal("user not disabled")
		}
		list, total, err := users.FindUsers(ctx, cordon.UserFilter{OrgID: &org.ID})
		if err != nil || total != 1 || len(list) != 1 {
			t.Fatalf("FindUsers = %d %d %v", len(list), total, err)
		}
	})
}

func TestAccessEventsAppendOnly(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := store.ExecForTest(ctx, db, "INSERT INTO access_events (at, user_id, org_id, resource, action, decision) VALUES (?, 1, 1, 'job', 'view', 'allow')", time.Now()); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"UPDATE access_events SET action = 'x'", "DELETE FROM access_events"} {
			if err := store.ExecForTest(ctx, db, q); err == nil {
				t.Errorf("%s: succeeded on an append-only table", q)
			}
		}
		if db.Dialect() == store.Postgres {
			if err := store.ExecForTest(ctx, db, "TRUNCATE access_events"); err == nil {
				t.Error("TRUNCATE succeeded on an append-only table")
			}
		}
	})
}
