package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// testClock is a clock that moves only when told.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func TestRateCounter(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 10, 0, time.UTC)
	clk := &testClock{t: t0}
	storetest.Each(t, storetest.Options{Now: clk.Now}, func(t *testing.T, db *store.DB) {
		clk.Set(t0)
		ctx := context.Background()
		rc := store.NewRateCounter(db)
		hit := func(keys ...string) ([]int, time.Duration) {
			t.Helper()
			got, left, err := rc.Hit(ctx, time.Minute, keys...)
			if err != nil {
				t.Fatalf("Hit(%v): %v", keys, err)
			}
			return got, left
		}
		for i := 1; i <= 3; i++ {
			got, left := hit("org:1", "user:5")
			if diff := cmp.Diff([]int{i, i}, got); diff != "" {
				t.Errorf("hit %d (-want +got):\n%s", i, diff)
			}
			if want := 50 * time.Second; left != want {
				t.Errorf("window left %v, want %v", left, want)
			}
		}
		if got, _ := hit("user:6", "org:1"); !cmp.Equal(got, []int{1, 4}) {
			t.Errorf("a new key with a counted one: got %v, want [1 4]", got)
		}
		// The next window starts again at one.
		clk.Set(t0.Add(50 * time.Second))
		if got, _ := hit("org:1"); !cmp.Equal(got, []int{1}) {
			t.Errorf("next window: got %v, want [1]", got)
		}
		// Concurrent hits are counted exactly.
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, _, err := rc.Hit(ctx, time.Minute, "org:2"); err != nil {
					t.Errorf("concurrent Hit: %v", err)
				}
			}()
		}
		wg.Wait()
		if got, _ := hit("org:2"); !cmp.Equal(got, []int{21}) {
			t.Errorf("after 20 concurrent hits: got %v, want [21]", got)
		}
		// A minute later the first hit purges the windows that have ended.
		clk.Set(t0.Add(3 * time.Minute))
		hit("org:3")
		clk.Set(t0.Add(4*time.Minute + time.Second))
		hit("org:3")
		if n := countRows(t, db); n != 1 {
			t.Errorf("%d counter rows after the purge, want 1 (the current window)", n)
		}
	})
}

// countRows counts the rows of rate_counters.
func countRows(t *testing.T, db *store.DB) int {
	t.Helper()
	n, err := store.RateCounterRowsForTest(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// BenchmarkRateCounterHit measures the one upsert each authenticated
// request pays (two keys: the partner organisation and the user).
func BenchmarkRateCounterHit(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			var db *store.DB
			if dialect == "sqlite" {
				db = storetest.SQLite(b, storetest.Options{})
			} else {
				db = storetest.Postgres(b, storetest.Options{})
			}
			rc := store.NewRateCounter(db)
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, _, err := rc.Hit(ctx, time.Minute, "org:1", fmt.Sprintf("user:%d", i%8)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
