package webui_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/webui"
	"github.com/cordon/cordon/web"
)

// partnerAdmin is the actor behind every session of these tests.
var partnerAdmin = &cordon.Actor{UserID: 7, Username: "hefei.admin", OrgID: 3, OrgKind: cordon.OrgPartner, PartnerID: 3,
	Roles: []cordon.Role{cordon.RolePartnerAdmin}}

type sessions struct{ cordon.AuthService }

func (sessions) Authenticate(_ context.Context, tok string) (*cordon.Actor, error) {
	if tok == "good" {
		return partnerAdmin, nil
	}
	return nil, cordon.Err(cordon.EUNAUTHENTICATED, "authentication_required")
}

type allowAll struct{}

func (allowAll) Allow([]cordon.Role, string, string) bool { return true }

// fakeTeam answers as the team service would for hefei's admin; create
// and disable answer what the test sets.
type fakeTeam struct {
	cordon.TeamService // Self: not used by the team page
	createErr          error
	disabled           *cordon.User
	disableErr         error
	got                cordon.NewUser
}

func (f *fakeTeam) TeamScope(context.Context) (*cordon.TeamScope, error) {
	return &cordon.TeamScope{OrgID: 3, Open: true, Roles: []cordon.Role{cordon.RolePartnerTechnician}}, nil
}

func (f *fakeTeam) FindUsers(context.Context, cordon.TeamFilter) ([]*cordon.User, int, error) {
	return []*cordon.User{{ID: 8, OrgID: 3, Username: "hefei.tech", DisplayName: "Tech", Roles: []cordon.Role{cordon.RolePartnerTechnician}}}, 1, nil
}

func (f *fakeTeam) CreateUser(_ context.Context, nu cordon.NewUser) (*cordon.User, string, error) {
	f.got = nu
	if f.createErr != nil {
		return nil, "", f.createErr
	}
	return &cordon.User{ID: 9, OrgID: 3, Username: nu.Username}, "ABCDEFGHJKLMNPQR", nil
}

func (f *fakeTeam) DisableUser(context.Context, int64) (*cordon.User, error) {
	return f.disabled, f.disableErr
}

func newTeamApp(t *testing.T, team *fakeTeam) *fiber.App {
	t.Helper()
	h, err := webui.New(webui.Services{Team: team, Now: func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }},
		sessions{}, allowAll{}, web.FS)
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		status := map[string]int{cordon.ENOTFOUND: 404, cordon.EFORBIDDEN: 403}[cordon.ErrorCode(err)]
		if status == 0 {
			status = 500
		}
		return c.Status(status).SendString(cordon.ErrorMessage(err))
	}})
	pass := func(string, string) fiber.Handler { return func(c *fiber.Ctx) error { return c.Next() } }
	passAny := func(...[2]string) fiber.Handler { return func(c *fiber.Ctx) error { return c.Next() } }
	webui.Register(app, h, webui.Guards{Budget: func(*fiber.Ctx) error { return nil }, Require: pass, RequireAny: passAny, RequireAll: passAny})
	return app
}

const csrf = "0123456789012345678901234567890123456789abc"

func send(t *testing.T, app *fiber.App, method, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		form.Set("csrf", csrf)
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: "cordon_access", Value: "good"})
	req.AddCookie(&http.Cookie{Name: "cordon_csrf", Value: csrf})
	resp, err := app.Test(req, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestTeamPages: the team page shows what the team service answers and
// puts its refusals next to the field they are about.
func TestTeamPages(t *testing.T) {
	for _, tc := range []struct {
		name         string
		team         *fakeTeam
		method, path string
		form         url.Values
		wantStatus   int
		want         []string
		wantNot      []string
		wantLocation string
	}{
		{name: "list", team: &fakeTeam{}, method: "GET", path: "/team", wantStatus: 200,
			want: []string{"hefei.tech", `value="partner_technician"`}, wantNot: []string{`value="partner_admin"`, `id="org"`}},
		{name: "role refused", team: &fakeTeam{createErr: cordon.FieldErr("roles", "webui.choose_role")}, method: "POST", path: "/team",
			form: url.Values{"username": {"hefei.li"}, "display_name": {"Li"}, "role": {"partner_admin"}}, wantStatus: 400,
			want: []string{`id="role-error"`, "请选择角色", `value="hefei.li"`}},
		{name: "username taken", team: &fakeTeam{createErr: cordon.Err(cordon.ECONFLICT, "store.already_exists", "User")}, method: "POST", path: "/team",
			form: url.Values{"username": {"hefei.li"}, "display_name": {"Li"}, "role": {"partner_technician"}}, wantStatus: 409,
			want: []string{`id="username-error"`, "该用户名已被使用"}},
		{name: "created", team: &fakeTeam{}, method: "POST", path: "/team",
			form: url.Values{"username": {"hefei.li"}, "display_name": {"Li"}, "role": {"partner_technician"}}, wantStatus: 201,
			want: []string{`<code id="one-time-password">ABCDEFGHJKLMNPQR</code>`}},
		{name: "disable out of reach", team: &fakeTeam{disableErr: cordon.Err(cordon.ENOTFOUND, "user.not_found")}, method: "POST", path: "/team/5/disable",
			form: url.Values{}, wantStatus: 404},
		{name: "disable oneself", team: &fakeTeam{disabled: &cordon.User{ID: 7, OrgID: 3}, disableErr: cordon.Err(cordon.ECONFLICT, "webui.you_cannot_disable_your_own")},
			method: "POST", path: "/team/7/disable", form: url.Values{}, wantStatus: 303, wantLocation: "/team"},
		{name: "disabled", team: &fakeTeam{disabled: &cordon.User{ID: 8, OrgID: 3, Username: "hefei.tech"}},
			method: "POST", path: "/team/8/disable", form: url.Values{}, wantStatus: 303, wantLocation: "/team"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := send(t, newTeamApp(t, tc.team), tc.method, tc.path, tc.form)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d\n%.800s", resp.StatusCode, tc.wantStatus, body)
			}
			for _, s := range tc.want {
				if !strings.Contains(body, s) {
					t.Errorf("the page has no %q", s)
				}
			}
			for _, s := range tc.wantNot {
				if strings.Contains(body, s) {
					t.Errorf("the page has %q", s)
				}
			}
			if got := resp.Header.Get("Location"); got != tc.wantLocation {
				t.Errorf("Location %q, want %q", got, tc.wantLocation)
			}
			if tc.form != nil && tc.path == "/team" && (tc.team.got.OrgID != 0 || tc.team.got.Username != "hefei.li") {
				t.Errorf("the service got %+v: a partner's page names no organisation", tc.team.got)
			}
		})
	}
}
