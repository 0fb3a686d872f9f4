package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestDrive(t *testing.T) {
	cases := []struct {
		name       string
		status     int
		wantErrors bool
	}{
		{"ok", http.StatusOK, false},
		{"refused", http.StatusTooManyRequests, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(c.status)
			}))
			defer srv.Close()
			next := func(w int, n uint64) (*http.Request, error) { return http.NewRequest(http.MethodGet, srv.URL, nil) }
			got := Drive(context.Background(), NewClient(4), 4, 20*time.Millisecond, 100*time.Millisecond, http.StatusOK, next)
			if c.wantErrors {
				if got.Errors == 0 || !strings.Contains(got.FirstErr, "status 429") {
					t.Errorf("errors = %d (%q), want the refusals counted", got.Errors, got.FirstErr)
				}
				return
			}
			if got.Requests == 0 || got.Errors != 0 || got.RPS() <= 0 {
				t.Fatalf("got %+v, want requests and no errors", got)
			}
			if got.P50 <= 0 || got.P99 < got.P50 || got.CPUPerRequest() <= 0 || got.PeakRSS <= 0 {
				t.Errorf("got %+v, want 0 < p50 <= p99, CPU and peak RSS measured", got)
			}
		})
	}
}

func TestNewCase(t *testing.T) {
	got := NewCase("inbox", Result{Requests: 300, Elapsed: time.Second, P50: 2 * time.Millisecond, P99: 9 * time.Millisecond, CPU: 300 * time.Millisecond, PeakRSS: 100 << 20},
		Result{Requests: 600, Elapsed: time.Second})
	if got.RPS != 300 || got.BaselineRPS != 600 || got.Ratio != 0.5 || got.P50ms != 2 || got.P99ms != 9 || got.CPUus != 1000 || got.PeakRSSMB != 100 {
		t.Errorf("NewCase = %+v", got)
	}
}
