package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/api"
	"github.com/cordon/cordon/internal/authz"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/server"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
	"github.com/cordon/cordon/internal/team"
	"github.com/cordon/cordon/policies"
	"github.com/cordon/cordon/web"
)

var now = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// tokens authenticates a bearer token that is a username.
type tokens struct {
	cordon.AuthService
	actors map[string]*cordon.Actor
}

func (t tokens) Authenticate(_ context.Context, tok string) (*cordon.Actor, error) {
	if a, ok := t.actors[tok]; ok {
		return a, nil
	}
	return nil, cordon.Err(cordon.EUNAUTHENTICATED, "authentication_required")
}

type inForce map[int64]bool

func (p inForce) Decide(cordon.ScopeQuery) (cordon.Decided, error) { return cordon.Decided{}, nil }

func (p inForce) Grants(partnerID int64, _, _ string) []cordon.Grant {
	if p[partnerID] {
		return []cordon.Grant{{PartnerID: partnerID}}
	}
	return nil
}

// userAPI is the server over a real SQLite database with an institute,
// hefei (in force) and xian, and the real role rules of policies/.
type userAPI struct {
	app interface {
		Test(*http.Request, ...int) (*http.Response, error)
	}
	ids  map[string]int64
	orgs map[string]int64
}

func newUserAPI(t *testing.T) *userAPI {
	t.Helper()
	ctx := context.Background()
	db := storetest.SQLite(t, storetest.Options{Now: func() time.Time { return now }})
	users, orgs := store.NewUserStore(db), store.NewOrgStore(db)
	u := &userAPI{ids: map[string]int64{}, orgs: map[string]int64{}}
	kinds := map[string]cordon.OrgKind{}
	for _, o := range []*cordon.Org{
		{Code: "institute", Name: "Institute", Kind: cordon.OrgInstitute, HomeCity: "Hefei"},
		{Code: "hefei", Name: "Hefei Service", Kind: cordon.OrgPartner, HomeCity: "Hefei"},
		{Code: "xian", Name: "Xi'an Service", Kind: cordon.OrgPartner, HomeCity: "Xi'an"},
	} {
		if err := orgs.CreateOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
		u.orgs[o.Code], kinds[o.Code] = o.ID, o.Kind
	}
	actors := map[string]*cordon.Actor{}
	for _, x := range []struct {
		org, name string
		role      cordon.Role
	}{
		{"institute", "admin", cordon.RoleAdmin},
		{"institute", "dispatcher", cordon.RoleDispatcher},
		{"hefei", "hefei.admin", cordon.RolePartnerAdmin},
		{"hefei", "hefei.tech", cordon.RolePartnerTechnician},
		{"xian", "xian.tech", cordon.RolePartnerTechnician},
	} {
		row := &cordon.User{OrgID: u.orgs[x.org], Username: x.name, DisplayName: "Name of " + x.name, PasswordHash: "x", Roles: []cordon.Role{x.role}}
		if err := users.CreateUser(ctx, row); err != nil {
			t.Fatal(err)
		}
		u.ids[x.name] = row.ID
		a := &cordon.Actor{UserID: row.ID, Username: x.name, OrgID: row.OrgID, OrgKind: kinds[x.org], Roles: row.Roles}
		if a.OrgKind == cordon.OrgPartner {
			a.PartnerID = row.OrgID
		}
		actors[x.name] = a
	}
	roles, err := authz.NewRoleEnforcer(policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	svc := team.New(team.Config{Users: users, Orgs: orgs, Scope: inForce{u.orgs["hefei"]: true},
		HashPassword:  func(pw string) (string, error) { return "hash:" + pw, nil },
		CheckPassword: func(string) error { return nil }, Now: func() time.Time { return now }})
	srv, err := server.New(server.Config{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Web: web.FS,
		Auth: tokens{actors: actors}, Roles: roles, DB: db, Scope: db,
		API: api.Services{Team: svc, Now: func() time.Time { return now }},
	})
	if err != nil {
		t.Fatal(err)
	}
	u.app = srv.App()
	return u
}

type answer struct {
	status int
	body   map[string]any
}

func (u *userAPI) do(t *testing.T, method, path, as, body string) answer {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if as != "" {
		req.Header.Set("Authorization", "Bearer "+as)
	}
	resp, err := u.app.Test(req, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode}
	ct := resp.Header.Get("Content-Type")
	if resp.StatusCode >= 400 && ct != "application/problem+json" {
		t.Errorf("%s %s: error as %q, want application/problem+json", method, path, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(&a.body); err != nil {
		t.Fatalf("%s %s: body: %v", method, path, err)
	}
	return a
}

// usernames lists the usernames of a list answer's items.
func usernames(body map[string]any) []string {
	out := []string{}
	items, _ := body["items"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any)["username"].(string))
	}
	return out
}

func TestUserList(t *testing.T) {
	u := newUserAPI(t)
	for _, tc := range []struct {
		name, as, query string
		wantStatus      int
		want            []string // the usernames, for a 200
		wantField       string   // the field at fault, for a 400
	}{
		{"institute admin: everyone", "admin", "", 200, []string{"admin", "dispatcher", "hefei.admin", "hefei.tech", "xian.tech"}, ""},
		{"search", "admin", "?q=TECH", 200, []string{"hefei.tech", "xian.tech"}, ""},
		{"one organisation", "admin", fmt.Sprintf("?org_id=%d", u.orgs["xian"]), 200, []string{"xian.tech"}, ""},
		{"a page", "admin", "?offset=1&limit=2", 200, []string{"dispatcher", "hefei.admin"}, ""},
		{"partner admin: its technicians", "hefei.admin", "", 200, []string{"hefei.tech"}, ""},
		{"partner admin: another organisation", "hefei.admin", fmt.Sprintf("?org_id=%d", u.orgs["xian"]), 404, nil, ""},
		{"no such organisation", "admin", "?org_id=999999", 404, nil, ""},
		{"bad organisation", "admin", "?org_id=x", 400, nil, "org_id"},
		{"bad limit", "admin", "?limit=0", 400, nil, "limit"},
		{"technician", "hefei.tech", "", 403, nil, ""},
		{"dispatcher", "dispatcher", "", 403, nil, ""},
		{"anonymous", "", "", 401, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := u.do(t, http.MethodGet, "/api/v1/users"+tc.query, tc.as, "")
			if got.status != tc.wantStatus {
				t.Fatalf("status %d, want %d: %v", got.status, tc.wantStatus, got.body)
			}
			if tc.wantField != "" && got.body["field"] != tc.wantField {
				t.Errorf("field %v, want %q", got.body["field"], tc.wantField)
			}
			if got.status != 200 {
				return
			}
			if diff := cmp.Diff(tc.want, usernames(got.body)); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
		})
	}
	// One item in full: the converter's shape, and no password hash.
	got := u.do(t, http.MethodGet, "/api/v1/users", "hefei.admin", "")
	want := map[string]any{
		"id": float64(u.ids["hefei.tech"]), "org_id": float64(u.orgs["hefei"]), "username": "hefei.tech",
		"display_name": "Name of hefei.tech", "roles": []any{"partner_technician"}, "disabled_at": nil,
		"created_at": "2026-11-02T09:00:00Z",
	}
	if diff := cmp.Diff(want, got.body["items"].([]any)[0]); diff != "" {
		t.Errorf("item (-want +got):\n%s", diff)
	}
	if got.body["total"] != float64(1) || got.body["offset"] != float64(0) || got.body["limit"] != float64(50) {
		t.Errorf("page %v %v %v, want 1 0 50", got.body["total"], got.body["offset"], got.body["limit"])
	}
}

func TestUserCreate(t *testing.T) {
	u := newUserAPI(t)
	password := regexp.MustCompile(`^[A-HJ-NP-Za-km-z2-9]{16}$`)
	for _, tc := range []struct {
		name, as, body string
		wantStatus     int
		wantField      string
		wantOrg        string // for a 201
	}{
		{"partner admin adds a technician", "hefei.admin", `{"username":"hefei.li","display_name":"Li","roles":["partner_technician"]}`, 201, "", "hefei"},
		{"the same username again", "hefei.admin", `{"username":"hefei.li","display_name":"Li","roles":["partner_technician"]}`, 409, "", ""},
		{"partner admin adds an admin", "hefei.admin", `{"username":"hefei.zz","display_name":"Z","roles":["partner_admin"]}`, 400, "roles", ""},
		{"partner admin in another organisation", "hefei.admin", fmt.Sprintf(`{"org_id":%d,"username":"xian.zz","display_name":"Z","roles":["partner_technician"]}`, u.orgs["xian"]), 404, "", ""},
		{"bad username", "hefei.admin", `{"username":"Hefei Li","display_name":"Li","roles":["partner_technician"]}`, 400, "username", ""},
		{"unknown field", "hefei.admin", `{"username":"hefei.ok","display_name":"Li","roles":["partner_technician"],"password":"x"}`, 400, "password", ""},
		{"institute admin: a partner's admin", "admin", fmt.Sprintf(`{"org_id":%d,"username":"xian.admin","display_name":"X","roles":["partner_admin"]}`, u.orgs["xian"]), 201, "", "xian"},
		{"institute admin: no organisation", "admin", `{"username":"someone","display_name":"S","roles":["engineer"]}`, 400, "org", ""},
		{"technician", "hefei.tech", `{"username":"hefei.x","display_name":"X","roles":["partner_technician"]}`, 403, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := u.do(t, http.MethodPost, "/api/v1/users", tc.as, tc.body)
			if got.status != tc.wantStatus {
				t.Fatalf("status %d, want %d: %v", got.status, tc.wantStatus, got.body)
			}
			if tc.wantField != "" && got.body["field"] != tc.wantField {
				t.Errorf("field %v, want %q", got.body["field"], tc.wantField)
			}
			if got.status != 201 {
				return
			}
			if pw, _ := got.body["one_time_password"].(string); !password.MatchString(pw) {
				t.Errorf("one-time password %q", pw)
			}
			user, _ := got.body["user"].(map[string]any)
			if user["org_id"] != float64(u.orgs[tc.wantOrg]) {
				t.Errorf("org_id %v, want %s's %d", user["org_id"], tc.wantOrg, u.orgs[tc.wantOrg])
			}
		})
	}
}

func TestUserDisable(t *testing.T) {
	u := newUserAPI(t)
	for _, tc := range []struct {
		name, as, target string
		wantStatus       int
	}{
		{"another partner's technician", "hefei.admin", "xian.tech", 404},
		{"nobody", "hefei.admin", "999999", 404},
		{"not an id", "hefei.admin", "abc", 404},
		{"oneself", "hefei.admin", "hefei.admin", 409},
		{"technician", "hefei.tech", "hefei.tech", 403},
		{"own technician", "hefei.admin", "hefei.tech", 200},
		{"already disabled", "hefei.admin", "hefei.tech", 409},
		{"institute admin", "admin", "xian.tech", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.target
			if n, ok := u.ids[tc.target]; ok {
				id = fmt.Sprint(n)
			}
			got := u.do(t, http.MethodPost, "/api/v1/users/"+id+"/disable", tc.as, "")
			if got.status != tc.wantStatus {
				t.Fatalf("status %d, want %d: %v", got.status, tc.wantStatus, got.body)
			}
			if got.status == 200 && (got.body["username"] != tc.target || got.body["disabled_at"] != "2026-11-02T09:00:00Z") {
				t.Errorf("answer %v, want %s disabled at %s", got.body, tc.target, now.Format(time.RFC3339))
			}
		})
	}
}
