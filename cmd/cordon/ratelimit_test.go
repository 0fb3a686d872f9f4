package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, to hold a lock

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/server"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// loginStatus tries a login and returns the status, with extra headers.
func (h *harness) loginStatus(username, password string, headers ...string) *response {
	h.t.Helper()
	return h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": password}, headers...)
}

// wantTooMany checks a 429: problem+json of type too-many with a message
// key, a Retry-After of at most want seconds and at least one.
func wantTooMany(t *testing.T, r *response, want int, what string) {
	t.Helper()
	if r.Status != 429 {
		t.Fatalf("%s: got %d %s, want 429", what, r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("%s: Content-Type %q, want application/problem+json", what, ct)
	}
	if p := r.JSON(t); p["type"] != "https://cordon.invalid/problems/too-many" || p["code"] == "" {
		t.Errorf("%s: type %v, code %v; want too-many with a message key", what, p["type"], p["code"])
	}
	ra, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > want {
		t.Errorf("%s: Retry-After %q, want 1..%d", what, r.Header.Get("Retry-After"), want)
	}
}

// TestRateLimits: login attempts, good or bad, draw on the budget of the
// client address and of the username, through the API and the portal's
// form alike; every user has a budget of requests, partner or institute,
// refused requests included. Past a budget: 429 with Retry-After; the
// next window is fresh.
func TestRateLimits(t *testing.T) {
	tune := func(c *config) {
		c.Rates.LoginIP = server.Rate{N: 5, Per: time.Minute}
		c.Rates.LoginUser = server.Rate{N: 3, Per: time.Minute}
		c.Rates.User = server.Rate{N: 4, Per: time.Minute}
	}
	eachDBWith(t, tune, func(t *testing.T, h *harness) {
		h.clock.Add(20 * time.Second) // 40 s left in the window
		for i := 1; i <= 3; i++ {
			pw := demoPassword
			if i == 2 {
				pw = "wrong-password"
			}
			if r := h.loginStatus("Hefei.Admin ", pw); r.Status != 200 && r.Status != 401 {
				t.Fatalf("attempt %d for hefei.admin: %d %s", i, r.Status, r.Body)
			}
		}
		// The username's budget (3) is spent, spelt any way; others' is not.
		wantTooMany(t, h.loginStatus("hefei.admin", demoPassword), 40, "4th attempt for hefei.admin")
		if r := h.loginStatus("wuhan.admin", demoPassword); r.Status != 200 {
			t.Fatalf("wuhan.admin, 5th from the address: %d %s", r.Status, r.Body)
		}
		// The address's budget (5) is spent: any username, and the form too.
		wantTooMany(t, h.loginStatus("xian.admin", demoPassword), 40, "6th attempt from the address")
		form := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"username": {"quality"}, "password": {demoPassword}}.Encode()))
		form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if res, err := h.app.Server.App().Test(form, -1); err != nil || res.StatusCode != 429 || res.Header.Get("Retry-After") == "" {
			t.Fatalf("portal login past the budget: %v %v, want 429 with Retry-After", res.StatusCode, err)
		}

		// The next window: logins again, and each user's request budget (4).
		h.clock.Add(41 * time.Second)
		for _, user := range []string{"dispatcher", "hefei.tech"} {
			token, _ := h.login(user)
			for i := 1; i <= 4; i++ {
				if r := h.do("GET", "/api/v1/me", token, nil); r.Status != 200 {
					t.Fatalf("%s request %d: %d %s", user, i, r.Status, r.Body)
				}
			}
			wantTooMany(t, h.do("GET", "/api/v1/me", token, nil), 60, user+" 5th request")
			// A refused request counts too.
			wantTooMany(t, h.do("GET", "/api/v1/jobs/999999", token, nil), 60, user+" 6th request")
		}
		h.clock.Add(time.Minute)
		token, _ := h.login("dispatcher")
		if r := h.do("GET", "/api/v1/me", token, nil); r.Status != 200 {
			t.Fatalf("next window: %d %s", r.Status, r.Body)
		}
	})
}

// TestRateLimitPartnerAcrossReplicas: two replicas on one PostgreSQL
// share one budget per partner organisation, whichever user and replica a
// request takes; another partner's budget is its own.
func TestRateLimitPartnerAcrossReplicas(t *testing.T) {
	a := newHarnessWith(t, seededPostgres, func(c *config) {
		c.Rates.Partner = server.Rate{N: 10, Per: time.Minute}
	})
	b := a.replica()
	tokens := map[string]string{}
	for _, u := range []string{"hefei.admin", "hefei.tech", "wuhan.admin"} {
		tokens[u], _ = a.login(u)
	}
	for i := 0; i < 10; i++ {
		h, user := a, "hefei.admin"
		if i%2 == 1 {
			h, user = b, "hefei.tech"
		}
		if r := h.do("GET", "/api/v1/jobs", tokens[user], nil); r.Status != 200 {
			t.Fatalf("request %d (%s): %d %s", i+1, user, r.Status, r.Body)
		}
	}
	wantTooMany(t, a.do("GET", "/api/v1/me", tokens["hefei.admin"], nil), 60, "hefei's 11th request on replica A")
	wantTooMany(t, b.do("GET", "/api/v1/me", tokens["hefei.tech"], nil), 60, "hefei's 12th request on replica B")
	if r := b.do("GET", "/api/v1/jobs", tokens["wuhan.admin"], nil); r.Status != 200 {
		t.Fatalf("wuhan on replica B: %d %s", r.Status, r.Body)
	}
	a.clock.Add(time.Minute)
	if r := b.do("GET", "/api/v1/me", tokens["hefei.tech"], nil); r.Status != 200 {
		t.Fatalf("hefei in the next window: %d %s", r.Status, r.Body)
	}
}

// TestTrustedProxies: X-Forwarded-For names the client only when the peer
// is a configured trusted proxy, for the access log and for the login
// budget alike; from anyone else it is ignored.
func TestTrustedProxies(t *testing.T) {
	// app.Test's peer is 0.0.0.0.
	_, self, _ := net.ParseCIDR("0.0.0.0/32")
	_, other, _ := net.ParseCIDR("10.0.0.0/8")
	for _, tc := range []struct {
		name    string
		proxies []*net.IPNet
		trusted bool
	}{
		{"untrusted peer", []*net.IPNet{other}, false},
		{"trusted proxy", []*net.IPNet{self}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tune := func(c *config) {
				c.TrustedProxies = tc.proxies
				c.Rates.LoginIP = server.Rate{N: 2, Per: time.Minute}
			}
			eachDBWith(t, tune, func(t *testing.T, h *harness) {
				// The access event of a partner's job view.
				token, _ := h.login("hefei.admin")
				ids := h.jobIDs(token)
				var id int64
				for k := range ids {
					id = k
					break
				}
				rid := "xff-" + strings.ReplaceAll(tc.name, " ", "-")
				if r := h.do("GET", fmt.Sprintf("/api/v1/jobs/%d", id), token, nil,
					"X-Forwarded-For", "203.0.113.9", "X-Request-ID", rid); r.Status != 200 {
					t.Fatalf("job view: %d %s", r.Status, r.Body)
				}
				want := "0.0.0.0"
				if tc.trusted {
					want = "203.0.113.9"
				}
				found := false
				for _, e := range h.accessEvents(cordon.AccessEventFilter{}) {
					if e.RequestID == rid {
						found = true
						if e.ClientIP != want {
							t.Errorf("access event client IP %q, want %q", e.ClientIP, want)
						}
					}
				}
				if !found {
					t.Fatalf("no access event for request %s", rid)
				}
				// The login budget is 2 per address; the login above spent
				// one of the peer's (0.0.0.0).
				login := func(xff string) *response { return h.loginStatus("wuhan.admin", demoPassword, "X-Forwarded-For", xff) }
				if r := login("198.51.100.1"); r.Status != 200 {
					t.Fatalf("a login with X-Forwarded-For 198.51.100.1: %d %s", r.Status, r.Body)
				}
				if !tc.trusted {
					// Spoofing another address buys no fresh budget.
					wantTooMany(t, login("198.51.100.2"), 60, "3rd login from the peer, X-Forwarded-For 198.51.100.2")
					return
				}
				for _, xff := range []string{"198.51.100.2", "198.51.100.1"} {
					if r := login(xff); r.Status != 200 {
						t.Fatalf("a login from %s behind the proxy: %d %s", xff, r.Status, r.Body)
					}
				}
				wantTooMany(t, login("198.51.100.1"), 60, "3rd login from 198.51.100.1 behind the proxy")
			})
		})
	}
}

// TestStatementTimeout: a statement of a request that waits too long (here
// on a lock another session holds) is stopped by PostgreSQL's
// statement_timeout and answered with a clean 503, not a hang and not the
// driver's text.
func TestStatementTimeout(t *testing.T) {
	h := newHarnessWith(t, seededPostgres, func(c *config) { c.StatementTimeout = 300 * time.Millisecond })
	token, _ := h.login("dispatcher")
	if r := h.do("GET", "/api/v1/jobs", token, nil); r.Status != 200 {
		t.Fatalf("before: %d %s", r.Status, r.Body)
	}
	lock, err := sql.Open("pgx", h.cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	tx, err := lock.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := h.do("GET", "/api/v1/jobs", token, nil)
	took := time.Since(start)
	if r.Status != 503 || r.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("a list blocked on a lock: %d %s, want 503 problem+json", r.Status, r.Body)
	}
	if d := r.JSON(t)["detail"]; d != "The request took too long." {
		t.Errorf("detail %q", d)
	}
	for _, leak := range []string{"statement", "cancel", "SQLSTATE", "57014", "jobs"} {
		if strings.Contains(string(r.Body), leak) {
			t.Errorf("the answer names %q: %s", leak, r.Body)
		}
	}
	if took > 5*time.Second {
		t.Errorf("took %v to answer, want about the 300 ms timeout", took)
	}
	t.Logf("stopped after %v", took.Round(time.Millisecond))
	tx.Rollback()
	if r := h.do("GET", "/api/v1/jobs", token, nil); r.Status != 200 {
		t.Fatalf("after the lock: %d %s", r.Status, r.Body)
	}
}

// BenchmarkRateLimitOverhead measures what the rate limit adds to an
// authenticated request (GET /api/v1/me as a partner user: two counters,
// one upsert) against the same request without limits.
func BenchmarkRateLimitOverhead(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		for _, on := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/limits=%v", dialect, on), func(b *testing.B) {
				url := ""
				if dialect == "postgres" {
					url = storetest.PostgresURL(b)
				}
				c := &config{DatabaseURL: url, DataDir: b.TempDir(), DemoPassword: demoPassword, Demo: "on", DownloadQuota: 100,
					StatementTimeout: store.DefaultStatementTimeout}
				if on {
					c.Rates = rates{Partner: server.Rate{N: 1 << 30, Per: time.Minute}, User: server.Rate{N: 1 << 30, Per: time.Minute}}
				}
				ctx := context.Background()
				db, err := store.Open(ctx, store.Config{URL: url, DataDir: c.DataDir, MaxOpenConns: 8})
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				if err := db.Migrate(ctx); err != nil {
					b.Fatal(err)
				}
				if err := seedDemo(ctx, c, db, io.Discard, true, time.Now); err != nil {
					b.Fatal(err)
				}
				a, err := newApp(c, db, slog.New(slog.NewJSONHandler(io.Discard, nil)), time.Now)
				if err != nil {
					b.Fatal(err)
				}
				tok, err := a.Auth.Login(ctx, "hefei.admin", demoPassword)
				if err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					req := httptest.NewRequest("GET", "/api/v1/me", nil)
					req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
					res, err := a.Server.App().Test(req, -1)
					if err != nil || res.StatusCode != 200 {
						b.Fatalf("GET /me: %v %v", res.StatusCode, err)
					}
					res.Body.Close()
				}
			})
		}
	}
}

// TestRateConfig: the rate and timeout settings, their defaults and their
// refusals.
func TestRateConfig(t *testing.T) {
	for _, tc := range []struct {
		env     map[string]string
		want    rates
		timeout time.Duration
		err     string
	}{
		{env: nil, want: defaultRates(), timeout: 10 * time.Second},
		{env: map[string]string{"CORDON_RATE_LOGIN": "5/30s", "CORDON_RATE_PARTNER": "off", "CORDON_RATE_USER": "0",
			"CORDON_RATE_LOGIN_USER": "3/1h", "CORDON_DB_STATEMENT_TIMEOUT": "2500ms"},
			want:    rates{LoginIP: server.Rate{N: 5, Per: 30 * time.Second}, LoginUser: server.Rate{N: 3, Per: time.Hour}},
			timeout: 2500 * time.Millisecond},
		{env: map[string]string{"CORDON_RATE_LOGIN": "5"}, err: "CORDON_RATE_LOGIN"},
		{env: map[string]string{"CORDON_RATE_PARTNER": "-1/1m"}, err: "CORDON_RATE_PARTNER"},
		{env: map[string]string{"CORDON_RATE_USER": "10/500ms"}, err: "CORDON_RATE_USER"},
		{env: map[string]string{"CORDON_DB_STATEMENT_TIMEOUT": "forever"}, err: "CORDON_DB_STATEMENT_TIMEOUT"},
		{env: map[string]string{"CORDON_DB_STATEMENT_TIMEOUT": "1ms"}, err: "CORDON_DB_STATEMENT_TIMEOUT"},
	} {
		c, _, err := loadConfig("serve", nil, func(k string) string { return tc.env[k] }, nil)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: got %v, want an error naming %s", tc.env, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tc.env, err)
		}
		if c.Rates != tc.want || c.StatementTimeout != tc.timeout {
			t.Errorf("%v: got %+v %v, want %+v %v", tc.env, c.Rates, c.StatementTimeout, tc.want, tc.timeout)
		}
	}
}
