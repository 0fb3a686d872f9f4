package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/sla"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeReleasesLeadershipOnShutdown: when cordon serve is told to stop
// (SIGTERM cancels its context), it returns only once its background loops
// have stopped: the SLA sweeper's leadership is free the moment serve
// returns, for another replica to take at once.
func TestServeReleasesLeadershipOnShutdown(t *testing.T) {
	for _, tc := range []struct {
		name string
		url  func(t testing.TB) string
	}{
		{"sqlite", func(testing.TB) string { return "" }},
		{"postgres", storetest.PostgresURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, dir := tc.url(t), t.TempDir()
			env := map[string]string{"DATABASE_URL": url, "CORDON_DATA_DIR": dir, "CORDON_ADDR": "127.0.0.1:0", "CORDON_DEMO": "off",
				"CORDON_LOG_LEVEL": "error"}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stdout := &syncBuffer{}
			done := make(chan error, 1)
			go func() { done <- runServe(ctx, nil, func(k string) string { return env[k] }, stdout, io.Discard) }()
			// Open the database once serve has migrated it and listens: on
			// SQLite a second opener during the migrations meets a locked
			// file.
			for start := time.Now(); !strings.Contains(stdout.String(), "listening"); time.Sleep(20 * time.Millisecond) {
				if time.Since(start) > 60*time.Second {
					t.Fatalf("serve did not listen within 60 s: %s", stdout.String())
				}
			}
			db, err := store.Open(context.Background(), store.Config{URL: url, DataDir: dir, MaxOpenConns: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			lock := store.NewLeaderLock(db)
			// Serve leads once it listens and its sweeper has taken the
			// lease; poll the lock until someone else holds it.
			deadline := time.Now().Add(30 * time.Second)
			for {
				if strings.Contains(stdout.String(), "listening") {
					l, err := lock.TryLead(context.Background(), sla.TaskSweeper)
					if err != nil {
						t.Fatal(err)
					}
					if l == nil {
						break // serve leads
					}
					l.Release()
				}
				if time.Now().After(deadline) {
					t.Fatalf("serve did not lead within 30 s: %s", stdout.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("serve: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("serve did not return within 30 s")
			}
			l, err := lock.TryLead(context.Background(), sla.TaskSweeper)
			if err != nil || l == nil {
				t.Fatalf("right after serve returned: lease %v, %v; want the sweeper's leadership free", l, err)
			}
			l.Release()
		})
	}
}
