package main

import (
	"fmt"
	"net"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/server"
)

// TestRateLimitLoginPadding: a login body padded past what the limiter
// reads (whitespace around the JSON, or an extra form field) must not
// escape the username's budget. It is refused as too large, and once the
// budget is spent no spelling of the request logs in.
func TestRateLimitLoginPadding(t *testing.T) {
	tune := func(c *config) {
		c.Rates.LoginIP = server.Rate{N: 100, Per: time.Minute}
		c.Rates.LoginUser = server.Rate{N: 2, Per: time.Minute}
	}
	eachDBWith(t, tune, func(t *testing.T, h *harness) {
		pad := strings.Repeat(" ", 9<<10)
		padded := func() *response {
			return h.do("POST", "/api/v1/auth/login", "", fmt.Sprintf(`{"username":"hefei.admin","password":%q}`, demoPassword)+pad)
		}
		if r := padded(); r.Status != 413 {
			t.Fatalf("a padded login: %d %s, want 413", r.Status, r.Body)
		}
		for i := 1; i <= 2; i++ {
			if r := h.loginStatus("hefei.admin", demoPassword); r.Status != 200 {
				t.Fatalf("login %d: %d %s", i, r.Status, r.Body)
			}
		}
		wantTooMany(t, h.loginStatus("hefei.admin", demoPassword), 60, "3rd login for hefei.admin")
		if r := padded(); r.Status == 200 || r.Status == 401 {
			t.Fatalf("a padded login past the username's budget reached the password check: %d %s", r.Status, r.Body)
		}
		form := url.Values{"username": {"hefei.admin"}, "password": {demoPassword}, "pad": {pad}}.Encode()
		req := httptest.NewRequest("POST", "/login", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := h.app.Server.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 413 {
			t.Fatalf("a padded portal login past the budget: %d, want 413", res.StatusCode)
		}
	})
}

// TestRateLimitLoginIPv6: behind a trusted proxy, the addresses of one
// IPv6 /64 draw on one login budget (a client holds the whole /64); an
// IPv4-mapped address is its IPv4 address; another /64 has its own.
func TestRateLimitLoginIPv6(t *testing.T) {
	_, self, _ := net.ParseCIDR("0.0.0.0/32") // app.Test's peer
	tune := func(c *config) {
		c.TrustedProxies = []*net.IPNet{self}
		c.Rates.LoginIP = server.Rate{N: 2, Per: time.Minute}
	}
	eachDBWith(t, tune, func(t *testing.T, h *harness) {
		login := func(xff string) *response {
			return h.loginStatus("wuhan.admin", demoPassword, "X-Forwarded-For", xff)
		}
		for _, xff := range []string{"2001:db8:1:2::1", "2001:db8:1:2:ffff::9"} {
			if r := login(xff); r.Status != 200 {
				t.Fatalf("login from %s: %d %s", xff, r.Status, r.Body)
			}
		}
		wantTooMany(t, login("2001:db8:1:2:abcd:1234:5678:9abc"), 60, "3rd login from one /64")
		if r := login("2001:db8:1:3::1"); r.Status != 200 {
			t.Fatalf("login from another /64: %d %s", r.Status, r.Body)
		}
		for _, xff := range []string{"198.51.100.7", "::ffff:198.51.100.7"} {
			if r := login(xff); r.Status != 200 {
				t.Fatalf("login from %s: %d %s", xff, r.Status, r.Body)
			}
		}
		wantTooMany(t, login("198.51.100.7"), 60, "3rd login from 198.51.100.7, once IPv4-mapped")
	})
}

// TestRateLimitLoginPathVariants: spellings of the login path that reach
// the login handler (a trailing slash, a doubled slash, a dot segment, a
// query string) draw on the same budgets; none logs in past them.
func TestRateLimitLoginPathVariants(t *testing.T) {
	tune := func(c *config) {
		c.Rates.LoginIP = server.Rate{N: 100, Per: time.Minute}
		c.Rates.LoginUser = server.Rate{N: 1, Per: time.Minute}
	}
	eachDBWith(t, tune, func(t *testing.T, h *harness) {
		if r := h.loginStatus("hefei.admin", demoPassword); r.Status != 200 {
			t.Fatalf("first login: %d %s", r.Status, r.Body)
		}
		body := fmt.Sprintf(`{"username":"hefei.admin","password":%q}`, demoPassword)
		for _, p := range []string{"/api/v1/auth/login/", "//api/v1/auth/login", "/api/v1/./auth/login", "/api/v1/x/../auth/login",
			"/api/v1/auth/login?x=1", "/api//v1/auth//login"} {
			// Not h.do: these spellings are not in the OpenAPI document.
			req := httptest.NewRequest("POST", "/", strings.NewReader(body))
			req.URL.Path, req.RequestURI = p, p
			req.Header.Set("Content-Type", "application/json")
			res, err := h.app.Server.App().Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			// The first two reach the login handler (200 with no limits);
			// the others are not routed at all.
			want := map[string]int{"/api/v1/auth/login/": 429, "/api/v1/auth/login?x=1": 429}[p]
			if res.StatusCode == 200 || res.StatusCode == 401 || want != 0 && res.StatusCode != want {
				t.Errorf("POST %s past the username's budget: %d, want it refused", p, res.StatusCode)
			}
		}
	})
}
