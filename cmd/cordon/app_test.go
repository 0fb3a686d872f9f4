package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLoginAndMe(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		for _, tc := range []struct {
			user, org, role string
		}{
			{"dispatcher", "institute", "dispatcher"},
			{"legal", "institute", "legal_auditor"},
			{"hefei.tech", "hefei", "partner_technician"},
			{"wuhan.admin", "wuhan", "partner_admin"},
		} {
			t.Run(tc.user, func(t *testing.T) {
				access, _ := h.login(tc.user)
				r := h.do("GET", "/api/v1/me", access, nil)
				if r.Status != 200 {
					t.Fatalf("GET /me: got %d, want 200: %s", r.Status, r.Body)
				}
				m := r.JSON(t)
				org := m["org"].(map[string]any)
				roles := m["roles"].([]any)
				if m["username"] != tc.user || org["code"] != tc.org || len(roles) != 1 || roles[0] != tc.role {
					t.Errorf("GET /me = %v, want user %s org %s role %s", m, tc.user, tc.org, tc.role)
				}
			})
		}
	})
}

func TestLoginFailures(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		wrong := h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "hefei.tech", "password": "not-the-password"})
		unknown := h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "nobody.at.all", "password": "not-the-password"})
		for name, r := range map[string]*response{"wrong password": wrong, "unknown user": unknown} {
			if r.Status != 401 {
				t.Errorf("%s: got %d, want 401", name, r.Status)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("%s: content type %q, want application/problem+json", name, ct)
			}
		}
		if w, u := wrong.JSON(t)["detail"], unknown.JSON(t)["detail"]; w != u {
			t.Errorf("wrong password says %q, unknown user says %q: the answer reveals whether the user exists", w, u)
		}
	})
}

func TestLockout(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		for _, user := range []string{"wuhan.tech", "no.such.user"} {
			var last *response
			for i := 0; i < 12; i++ {
				last = h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": user, "password": "wrong-password-x"})
				if last.Status == 429 {
					break
				}
			}
			if last.Status != 429 {
				t.Fatalf("%s: after repeated failures got %d, want 429", user, last.Status)
			}
			if last.Header.Get("Retry-After") == "" {
				t.Errorf("%s: 429 without Retry-After", user)
			}
		}
		// Even the right password is refused while locked...
		if r := h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "wuhan.tech", "password": demoPassword}); r.Status != 429 {
			t.Fatalf("right password while locked: got %d, want 429", r.Status)
		}
		// ...and accepted once the lock has passed.
		h.clock.Add(2 * time.Hour)
		if r := h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "wuhan.tech", "password": demoPassword}); r.Status != 200 {
			t.Fatalf("after the lock: got %d, want 200: %s", r.Status, r.Body)
		}
	})
}

func TestRefreshRotationAndReuse(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		_, refresh1 := h.login("hefei.admin")
		r := h.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh1})
		if r.Status != 200 {
			t.Fatalf("refresh: got %d: %s", r.Status, r.Body)
		}
		m := r.JSON(t)
		access2, refresh2 := m["access_token"].(string), m["refresh_token"].(string)
		if refresh2 == refresh1 {
			t.Fatal("refresh token was not rotated")
		}
		if r := h.do("GET", "/api/v1/me", access2, nil); r.Status != 200 {
			t.Fatalf("new access token: got %d", r.Status)
		}
		// Reusing the spent token revokes the whole family.
		if r := h.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh1}); r.Status != 401 {
			t.Fatalf("reuse of a spent refresh token: got %d, want 401", r.Status)
		}
		if r := h.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh2}); r.Status != 401 {
			t.Fatalf("the family's newest token after reuse: got %d, want 401", r.Status)
		}
		if r := h.do("GET", "/api/v1/me", access2, nil); r.Status != 401 {
			t.Fatalf("the family's access token after reuse: got %d, want 401", r.Status)
		}
	})
}

func TestLogoutAndDisableTakeEffectAtOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		access, refresh := h.login("hefei.tech")
		if r := h.do("POST", "/api/v1/auth/logout", access, nil); r.Status != 204 {
			t.Fatalf("logout: got %d: %s", r.Status, r.Body)
		}
		if r := h.do("GET", "/api/v1/me", access, nil); r.Status != 401 {
			t.Fatalf("access token after logout: got %d, want 401", r.Status)
		}
		if r := h.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh}); r.Status != 401 {
			t.Fatalf("refresh token after logout: got %d, want 401", r.Status)
		}

		access, _ = h.login("wuhan.tech")
		var out strings.Builder
		err := run(t.Context(), []string{"users", "disable", "--username", "wuhan.tech"}, h.env(), strings.NewReader(""), &out, &out)
		if err != nil {
			t.Fatalf("users disable: %v", err)
		}
		if r := h.do("GET", "/api/v1/me", access, nil); r.Status != 401 {
			t.Fatalf("access token after disable: got %d, want 401", r.Status)
		}
		if r := h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "wuhan.tech", "password": demoPassword}); r.Status != 401 {
			t.Fatalf("login after disable: got %d, want 401", r.Status)
		}
	})
}

func TestBadRequests(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		for _, tc := range []struct {
			name       string
			body       any
			headers    []string
			wantStatus int
			wantField  string
		}{
			{"not JSON", "{not json", nil, 400, ""},
			{"empty body", "", nil, 400, ""},
			{"unknown field", `{"username":"a","password":"b","admin":true}`, nil, 400, "admin"},
			{"wrong type", `{"username":1,"password":"b"}`, nil, 400, "username"},
			{"two objects", `{"username":"a","password":"b"}{}`, nil, 400, ""},
			{"missing username", `{"password":"b"}`, nil, 400, "username"},
			{"not JSON content type", `{"username":"a","password":"b"}`, []string{"Content-Type", "text/plain"}, 400, ""},
			{"JSON over 1 MiB", `{"username":"` + strings.Repeat("a", 2<<20) + `","password":"b"}`, nil, 413, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := h.do("POST", "/api/v1/auth/login", "", tc.body, tc.headers...)
				if r.Status != tc.wantStatus {
					t.Fatalf("got %d, want %d: %s", r.Status, tc.wantStatus, r.Body)
				}
				m := r.JSON(t)
				if got, _ := m["field"].(string); got != tc.wantField {
					t.Errorf("field = %q, want %q", got, tc.wantField)
				}
				if m["request_id"] == "" || m["detail"] == "" {
					t.Errorf("problem without request id or detail: %v", m)
				}
			})
		}
		for _, tc := range []struct{ name, auth string }{
			{"no token", ""},
			{"garbage token", "not.a.token"},
			{"ten kilobytes of dots", strings.Repeat(".", 10<<10)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if r := h.do("GET", "/api/v1/me", tc.auth, nil); r.Status != 401 {
					t.Fatalf("got %d, want 401", r.Status)
				}
			})
		}
		if r := h.do("GET", "/api/v1/no-such-route", "", nil); r.Status != 404 || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("unknown API route: got %d %q, want 404 problem+json", r.Status, r.Header.Get("Content-Type"))
		}
	})
}

// TestSizeLimits needs a real connection: the caps act before Fiber's
// handlers, and the answer must still be problem+json.
func TestSizeLimits(t *testing.T) {
	h := newHarness(t, "")
	base := h.serve()
	// Announce a body over the cap; the server answers before reading it.
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", 64<<20)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 413 || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("body over the cap: got %d %q, want 413 problem+json: %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}

	// A megabyte of dots as a token is refused at the header cap, before any
	// parsing: the server answers 413 and closes, and the client may see the
	// close (a reset) before it has read the answer. Either way it is refused.
	req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+strings.Repeat(".", 1<<20))
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE) {
			t.Fatalf("huge header: %v", err)
		}
		return
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 413 || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("huge header: got %d %q, want 413 problem+json: %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		if r := h.do("GET", "/healthz", "", nil); r.Status != 200 {
			t.Errorf("healthz: got %d", r.Status)
		}
		if r := h.do("GET", "/readyz", "", nil); r.Status != 200 {
			t.Errorf("readyz: got %d", r.Status)
		}
		h.login("dispatcher")
		r := h.do("GET", "/metrics", "", nil)
		if r.Status != 200 || !strings.Contains(string(r.Body), `cordon_http_requests_total{method="POST",route="/api/v1/auth/login",status="200"}`) {
			t.Errorf("metrics: got %d, without the login counter:\n%s", r.Status, r.Body)
		}
		h.db.Close()
		if r := h.do("GET", "/readyz", "", nil); r.Status != 503 {
			t.Errorf("readyz with the database closed: got %d, want 503", r.Status)
		}
	})
}

func TestRequestIDsAndLogs(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		r := h.do("GET", "/healthz", "", nil, "X-Request-ID", "abc-123")
		if got := r.Header.Get("X-Request-ID"); got != "abc-123" {
			t.Errorf("kept request id = %q, want abc-123", got)
		}
		r = h.do("GET", "/healthz", "", nil, "X-Request-ID", "bad id\nwith newline")
		if got := r.Header.Get("X-Request-ID"); got == "" || strings.ContainsAny(got, " \n") {
			t.Errorf("replaced request id = %q", got)
		}
		access, refresh := h.login("hefei.tech")
		h.do("GET", "/api/v1/me", access, nil)
		h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "hefei.tech", "password": "wrong-password-9"})
		logs := h.logs.String()
		for _, secret := range []string{demoPassword, "wrong-password-9", access, refresh} {
			if strings.Contains(logs, secret) {
				t.Errorf("logs contain a secret %.20q…", secret)
			}
		}
		if !strings.Contains(logs, `"request_id":"abc-123"`) {
			t.Errorf("logs lack the request id")
		}
	})
}
