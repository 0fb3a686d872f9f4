package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cordon/cordon/internal/api"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/webui"
	"github.com/cordon/cordon/web"
)

// The tokens fakeAuth knows: a role that may do everything, and one that
// may do nothing.
const (
	tokenAll  = "token-all"
	tokenNone = "token-none"
	roleAll   = cordon.Role("everything")
)

type fakeAuth struct{ cordon.AuthService }

func (fakeAuth) Authenticate(_ context.Context, tok string) (*cordon.Actor, error) {
	switch tok {
	case tokenAll:
		return &cordon.Actor{UserID: 1, OrgID: 1, OrgKind: cordon.OrgInstitute, Roles: []cordon.Role{roleAll}}, nil
	case tokenNone:
		return &cordon.Actor{UserID: 2, OrgID: 1, OrgKind: cordon.OrgInstitute}, nil
	}
	return nil, cordon.Err(cordon.EUNAUTHENTICATED, "authentication_required")
}

func (fakeAuth) Refresh(context.Context, string) (*cordon.Tokens, error) {
	return nil, cordon.Err(cordon.EUNAUTHENTICATED, "authentication_required")
}

// fakeRoles allows roleAll everything and every other role nothing.
type fakeRoles struct{}

func (r fakeRoles) Allow(roles []cordon.Role, _, _ string) bool {
	return len(roles) == 1 && roles[0] == roleAll
}

// fakeScope counts the scopes entered.
type fakeScope struct {
	mu      sync.Mutex
	entered int
}

func (s *fakeScope) InScope(ctx context.Context, a *cordon.Actor, fn func(context.Context) error) error {
	s.mu.Lock()
	s.entered++
	s.mu.Unlock()
	return fn(ctx)
}

func (s *fakeScope) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.entered
	s.entered = 0
	return n
}

type fakeDB struct{}

func (fakeDB) Ping(context.Context) error { return nil }

// fakeTeam answers Self, for /api/v1/me; every other method panics
// (nil embedded interface), which the server turns into a 500.
type fakeTeam struct{ cordon.TeamService }

func (fakeTeam) Self(ctx context.Context) (*cordon.User, error) {
	return &cordon.User{ID: cordon.ActorFromContext(ctx).UserID, Username: "someone", Roles: []cordon.Role{roleAll}}, nil
}

// fakeCounter counts hits per key, one window for ever.
type fakeCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (f *fakeCounter) Hit(_ context.Context, _ time.Duration, keys ...string) ([]int, time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]int, len(keys))
	for i, k := range keys {
		f.n[k]++
		out[i] = f.n[k]
	}
	return out, 30 * time.Second, nil
}

type testServer struct {
	srv   *Server
	scope *fakeScope
	log   *bytes.Buffer
}

func newTestServer(t *testing.T, rates RateLimits) *testServer {
	t.Helper()
	scope := &fakeScope{}
	var log bytes.Buffer
	srv, err := New(Config{
		Logger: slog.New(slog.NewJSONHandler(&log, nil)),
		Web:    web.FS,
		Auth:   fakeAuth{},
		Roles:  fakeRoles{},
		DB:     fakeDB{},
		Scope:  scope,
		API:    api.Services{Team: fakeTeam{}},
		Pages:  webui.Services{Team: fakeTeam{}},
		Rates:  rates,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &testServer{srv: srv, scope: scope, log: &log}
}

const csrf = "0123456789012345678901234567890123456789abc" // 43 characters

// do sends one request: a bearer token under /api, else the portal's
// session and CSRF cookies (and the CSRF field on a POST).
func (ts *testServer) do(t *testing.T, method, path, token string) *http.Response {
	t.Helper()
	var body io.Reader
	page := !strings.HasPrefix(path, "/api/")
	if page && method == http.MethodPost {
		body = strings.NewReader(url.Values{"csrf": {csrf}}.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if page {
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.AddCookie(&http.Cookie{Name: "cordon_csrf", Value: csrf})
		if token != "" {
			req.AddCookie(&http.Cookie{Name: "cordon_access", Value: token})
		}
	} else if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := ts.srv.App().Test(req, 10_000)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

func readProblem(t *testing.T, resp *http.Response) problem {
	t.Helper()
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	var p problem
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatalf("decode problem: %v", err)
	}
	return p
}

// TestGuardOrder: a request is authenticated, then its role is checked,
// and only an allowed request enters the data scope.
func TestGuardOrder(t *testing.T) {
	ts := newTestServer(t, RateLimits{})
	tests := []struct {
		name       string
		token      string
		wantStatus int
		wantScopes int
		want       *problem
	}{
		{"no token", "", 401, 0, &problem{Type: "https://cordon.invalid/problems/unauthenticated", Title: "Unauthorized",
			Status: 401, Detail: "Authentication required.", Code: "authentication_required"}},
		{"bad token", "forged", 401, 0, &problem{Type: "https://cordon.invalid/problems/unauthenticated", Title: "Unauthorized",
			Status: 401, Detail: "Authentication required.", Code: "authentication_required"}},
		{"role denied", tokenNone, 403, 0, &problem{Type: "https://cordon.invalid/problems/forbidden", Title: "Forbidden",
			Status: 403, Detail: "Your role may not do this.", Code: "server.your_role_may_not_do"}},
		{"allowed", tokenAll, 200, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := ts.do(t, http.MethodGet, "/api/v1/me", tt.token)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := ts.scope.count(); got != tt.wantScopes {
				t.Errorf("scopes entered: got %d, want %d", got, tt.wantScopes)
			}
			if tt.want == nil {
				return
			}
			if tt.wantStatus == 401 && resp.Header.Get("WWW-Authenticate") != `Bearer realm="cordon"` {
				t.Errorf("WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
			}
			got := readProblem(t, resp)
			if got.RequestID == "" {
				t.Error("no request id in the problem")
			}
			if diff := cmp.Diff(*tt.want, got, cmpopts.IgnoreFields(problem{}, "RequestID")); diff != "" {
				t.Errorf("problem (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBudgetBeforeRoles: the caller's budget is drawn before the role
// check, so a refused request counts, and a spent budget is a 429 that
// enters no scope.
func TestBudgetBeforeRoles(t *testing.T) {
	ts := newTestServer(t, RateLimits{Counter: &fakeCounter{n: map[string]int{}}, User: Rate{N: 1, Per: time.Minute}})
	if resp := ts.do(t, http.MethodGet, "/api/v1/me", tokenNone); resp.StatusCode != 403 {
		t.Fatalf("first request: %d, want 403", resp.StatusCode)
	}
	resp := ts.do(t, http.MethodGet, "/api/v1/me", tokenNone)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "30" {
		t.Errorf("second request: %d, Retry-After %q; want 429, 30", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if p := readProblem(t, resp); p.Type != "https://cordon.invalid/problems/too-many" || p.Code != "server.too_many_requests_try_again" {
		t.Errorf("type %q, code %q; want too-many, server.too_many_requests_try_again", p.Type, p.Code)
	}
	if got := ts.scope.count(); got != 0 {
		t.Errorf("scopes entered: %d, want 0", got)
	}
}

// TestEveryRouteScoped: every route that asks for credentials, API and
// pages alike, checks a role before the scope (a role-denied request
// enters none) and enters the scope exactly once when allowed.
func TestEveryRouteScoped(t *testing.T) {
	ts := newTestServer(t, RateLimits{})
	param := regexp.MustCompile(`:[a-z_]+`)
	seen := map[string]bool{}
	var guarded int
	for _, r := range ts.srv.App().GetRoutes(true) {
		if r.Method != http.MethodGet && r.Method != http.MethodPost && r.Method != http.MethodPatch && r.Method != http.MethodPut && r.Method != http.MethodDelete {
			continue
		}
		key := r.Method + " " + r.Path
		if seen[key] || strings.Contains(r.Path, "*") {
			continue
		}
		seen[key] = true
		path := param.ReplaceAllString(r.Path, "1")
		resp := ts.do(t, r.Method, path, "")
		ts.scope.count()
		api := strings.HasPrefix(path, "/api/")
		if api && resp.StatusCode != 401 || !api && !(resp.StatusCode == 303 && strings.HasPrefix(resp.Header.Get("Location"), "/login")) {
			continue // a route anyone may call
		}
		guarded++
		// A guard may pick its rule by a query parameter (the CSV export).
		for _, path := range []string{path, path + "?format=csv"} {
			t.Run(r.Method+" "+path, func(t *testing.T) {
				if resp := ts.do(t, r.Method, path, tokenNone); resp.StatusCode != 403 {
					t.Errorf("role denied: %d, want 403", resp.StatusCode)
				}
				if got := ts.scope.count(); got != 0 {
					t.Errorf("role denied: %d scopes entered, want 0", got)
				}
				ts.log.Reset()
				ts.do(t, r.Method, path, tokenAll)
				if got := ts.scope.count(); got != 1 {
					t.Errorf("allowed: %d scopes entered, want 1", got)
				}
				if strings.Contains(ts.log.String(), "role check after the data scope") {
					t.Errorf("a role guard runs inside the scope")
				}
			})
		}
	}
	if guarded < 50 {
		t.Errorf("only %d guarded routes found; the test does not see the routes", guarded)
	}
}

// pairRoles allows exactly the listed "resource:action" pairs.
type pairRoles map[string]bool

func (p pairRoles) Allow(_ []cordon.Role, res, act string) bool { return p[res+":"+act] }

// TestRoleGuards: requireAny wants one pair, requireAll every pair, and
// both enter the scope only when they allow.
func TestRoleGuards(t *testing.T) {
	scope := &fakeScope{}
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		cfg: Config{Roles: pairRoles{"job:view": true, "job:list": true}, Scope: scope}}
	app := fiber.New(fiber.Config{ErrorHandler: s.handleError})
	actor := func(c *fiber.Ctx) error {
		c.SetUserContext(cordon.NewContextWithActor(c.UserContext(), &cordon.Actor{UserID: 1}))
		return c.Next()
	}
	ok := func(c *fiber.Ctx) error { return c.SendString("ok") }
	view, list, accept := [2]string{"job", "view"}, [2]string{"job", "list"}, [2]string{"job", "accept"}
	app.Get("/any-allowed", actor, s.requireAny(accept, view), ok)
	app.Get("/any-denied", actor, s.requireAny(accept), ok)
	app.Get("/all-allowed", actor, s.requireAll(view, list), ok)
	app.Get("/all-denied", actor, s.requireAll(view, accept), ok)
	app.Get("/all-none", actor, s.requireAll(), ok)
	app.Get("/anonymous", s.require("job", "view"), ok)
	for _, tc := range []struct {
		path       string
		wantStatus int
		wantScopes int
	}{
		{"/any-allowed", 200, 1}, {"/any-denied", 403, 0},
		{"/all-allowed", 200, 1}, {"/all-denied", 403, 0}, {"/all-none", 403, 0},
		{"/anonymous", 401, 0},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := app.Test(httptest.NewRequest(http.MethodGet, tc.path, nil))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if got := scope.count(); got != tc.wantScopes {
				t.Errorf("scopes entered: got %d, want %d", got, tc.wantScopes)
			}
		})
	}
}
