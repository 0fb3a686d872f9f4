package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// lockAtThree locks for ten minutes from the third failure on.
func lockAtThree(failures int) time.Duration {
	if failures >= 3 {
		return 10 * time.Minute
	}
	return 0
}

// step is one call on the throttle and the lock it should report.
type step struct {
	op       string // "fail", "check" or "reset"
	username string
	at       time.Duration // after t0
	locked   time.Duration // lock end after t0; 0 for not locked
}

func TestLoginThrottle(t *testing.T) {
	const window = time.Hour
	tests := []struct {
		name  string
		steps []step
	}{
		{
			name: "locks at the third failure until the lock runs out",
			steps: []step{
				{op: "check", username: "alice"},
				{op: "fail", username: "alice"},
				{op: "fail", username: "alice", at: time.Minute},
				{op: "check", username: "alice", at: time.Minute},
				{op: "fail", username: "alice", at: 2 * time.Minute, locked: 12 * time.Minute},
				{op: "check", username: "alice", at: 11 * time.Minute, locked: 12 * time.Minute},
				{op: "check", username: "alice", at: 12 * time.Minute},
			},
		},
		{
			name: "usernames are counted lower-cased, known or not",
			steps: []step{
				{op: "fail", username: "Ghost"},
				{op: "fail", username: "GHOST "},
				{op: "fail", username: "ghost", locked: 10 * time.Minute},
				{op: "check", username: "gHoSt", locked: 10 * time.Minute},
				{op: "check", username: "other"},
			},
		},
		{
			name: "reset forgets failures and lock",
			steps: []step{
				{op: "fail", username: "bob"},
				{op: "fail", username: "bob"},
				{op: "fail", username: "bob", locked: 10 * time.Minute},
				{op: "reset", username: "BOB"},
				{op: "check", username: "bob"},
				{op: "fail", username: "bob"},
				{op: "fail", username: "bob"},
			},
		},
		{
			name: "failures older than the window are forgotten",
			steps: []step{
				{op: "fail", username: "carol"},
				{op: "fail", username: "carol"},
				{op: "fail", username: "carol", at: 2 * time.Hour},
				{op: "fail", username: "carol", at: 2 * time.Hour},
				{op: "fail", username: "carol", at: 2 * time.Hour, locked: 2*time.Hour + 10*time.Minute},
			},
		},
		{
			name: "a running lock is not shortened",
			steps: []step{
				{op: "fail", username: "dave"},
				{op: "fail", username: "dave"},
				{op: "fail", username: "dave", locked: 10 * time.Minute},
				{op: "fail", username: "dave", at: time.Minute, locked: 11 * time.Minute},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				th := store.NewLoginThrottle(db)
				for i, s := range tt.steps {
					var (
						until *time.Time
						err   error
					)
					at := t0.Add(s.at)
					switch s.op {
					case "fail":
						until, err = th.Fail(ctx, s.username, at, window, lockAtThree)
					case "check":
						until, err = th.Check(ctx, s.username, at)
					case "reset":
						err = th.Reset(ctx, s.username)
					}
					if err != nil {
						t.Fatalf("step %d (%s %s): %v", i, s.op, s.username, err)
					}
					var got time.Time
					if until != nil {
						got = *until
					}
					var want time.Time
					if s.locked != 0 {
						want = t0.Add(s.locked)
					}
					if !got.Equal(want) {
						t.Errorf("step %d (%s %s at +%v): locked until %v, want %v", i, s.op, s.username, s.at, got, want)
					}
				}
			})
		})
	}
}

func TestLoginThrottleConcurrent(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		th := store.NewLoginThrottle(db)
		const n = 12
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			most  atomic.Int64
		)
		count := func(failures int) time.Duration {
			for {
				m := most.Load()
				if int64(failures) <= m || most.CompareAndSwap(m, int64(failures)) {
					return 0
				}
			}
		}
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = th.Fail(ctx, "mallory", t0, time.Hour, count)
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("fail %d: %v", i, err)
			}
		}
		if got, want := most.Load(), int64(n); got != want {
			t.Errorf("highest failure count = %d, want %d (every failure counted once)", got, want)
		}
	})
}
