package store_test

import (
	"context"
	"testing"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// TestLeaderLock: of two lockers on one database (two processes' pools on
// PostgreSQL), exactly one leads a task; another task is free; once the
// leader releases, the other takes over.
func TestLeaderLock(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, a, b *store.LeaderLock) {
		la, err := a.TryLead(ctx, "sweep")
		if err != nil || la == nil {
			t.Fatalf("first: got %v, %v; want a lease", la, err)
		}
		if err := la.Alive(ctx); err != nil {
			t.Errorf("alive: %v", err)
		}
		if lb, err := b.TryLead(ctx, "sweep"); err != nil || lb != nil {
			t.Fatalf("second while the first leads: got %v, %v; want none", lb, err)
		}
		other, err := b.TryLead(ctx, "another task")
		if err != nil || other == nil {
			t.Fatalf("another task: got %v, %v; want a lease", other, err)
		}
		other.Release()
		la.Release()
		la.Release() // twice is harmless
		lb, err := b.TryLead(ctx, "sweep")
		if err != nil || lb == nil {
			t.Fatalf("second after release: got %v, %v; want a lease", lb, err)
		}
		if again, _ := a.TryLead(ctx, "sweep"); again != nil {
			t.Error("the first leads again while the second does")
		}
		lb.Release()
	}
	t.Run("sqlite", func(t *testing.T) {
		db := storetest.SQLite(t, storetest.Options{})
		check(t, store.NewLeaderLock(db), store.NewLeaderLock(db))
	})
	t.Run("postgres", func(t *testing.T) {
		url := storetest.PostgresURL(t)
		open := func() *store.DB {
			db, err := store.Open(ctx, store.Config{URL: url, MaxOpenConns: 4})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}
		a, b := open(), open()
		if err := a.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		check(t, store.NewLeaderLock(a), store.NewLeaderLock(b))
		// A leader whose connection dies loses its lease, and another
		// process takes over.
		la, _ := store.NewLeaderLock(a).TryLead(ctx, "sweep")
		if la == nil {
			t.Fatal("no lease")
		}
		// Wait (up to 5 s) for the backend to be gone, its locks with it:
		// the client sees the connection drop a moment before that.
		storetest.Exec(t, url, "", `SELECT pg_terminate_backend(pid, 5000) FROM pg_locks
			WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND objid::int4 = hashtext(current_schema())`)
		if err := la.Alive(ctx); cordon.ErrorCode(err) != cordon.EUNAVAILABLE {
			t.Errorf("alive after the connection died: got %v, want EUNAVAILABLE", err)
		}
		la.Release()
		lb, err := store.NewLeaderLock(b).TryLead(ctx, "sweep")
		if err != nil || lb == nil {
			t.Fatalf("after the leader died: got %v, %v; want a lease", lb, err)
		}
		lb.Release()
	})
}
