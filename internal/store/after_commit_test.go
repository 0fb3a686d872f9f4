package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store/storetest"
)

// TestAfterCommit: what waits for the commit (the compiled scope's reload
// after a contract change) runs once the scoped transaction has committed,
// outside it, and never when it rolls back; outside a transaction it runs
// at once.
func TestAfterCommit(t *testing.T) {
	db := storetest.Postgres(t, storetest.Options{})
	ctx := context.Background()
	a := &cordon.Actor{UserID: 1, OrgID: 1, OrgKind: cordon.OrgInstitute, Roles: []cordon.Role{cordon.RoleContractAdmin}}
	var ran []string
	hook := func(name string) func(context.Context) {
		return func(ctx context.Context) {
			// The hook is outside the committed transaction: a scoped
			// call from it opens a transaction of its own.
			err := db.InScope(ctx, a, func(context.Context) error { return nil })
			if err != nil {
				t.Errorf("%s: InScope from the hook: %v", name, err)
			}
			ran = append(ran, name)
		}
	}

	err := db.InScope(ctx, a, func(ctx context.Context) error {
		db.AfterCommit(ctx, hook("committed"))
		if len(ran) != 0 {
			t.Error("the hook ran before the commit")
		}
		return nil
	})
	if err != nil || len(ran) != 1 || ran[0] != "committed" {
		t.Fatalf("after a commit: err %v, ran %v", err, ran)
	}

	ran = nil
	refused := errors.New("refused")
	err = db.InScope(ctx, a, func(ctx context.Context) error {
		db.AfterCommit(ctx, hook("rolled back"))
		return refused
	})
	if !errors.Is(err, refused) || len(ran) != 0 {
		t.Fatalf("after a rollback: err %v, ran %v", err, ran)
	}

	ran = nil
	db.AfterCommit(ctx, hook("outside"))
	if len(ran) != 1 {
		t.Fatalf("outside a transaction: ran %v", ran)
	}
}
