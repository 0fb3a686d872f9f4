package team_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
	"github.com/cordon/cordon/internal/team"
)

var now = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// inForce is a scope policy under which only the listed partners have a
// contract in force.
type inForce map[int64]bool

func (p inForce) Decide(cordon.ScopeQuery) (cordon.Decided, error) { return cordon.Decided{}, nil }

func (p inForce) Grants(partnerID int64, _, _ string) []cordon.Grant {
	if p[partnerID] {
		return []cordon.Grant{{PartnerID: partnerID}}
	}
	return nil
}

// world is an institute, hefei (in force) and xian (out of force), and
// their users.
type world struct {
	svc   *team.Service
	users *store.UserStore
	orgs  map[string]int64
	ids   map[string]int64
}

func fakeHash(pw string) (string, error) { return "hash:" + pw, nil }

func checkPassword(pw string) error {
	if len(pw) < 12 {
		return cordon.FieldErr("password", "authn.password_must_least_characters", 12)
	}
	return nil
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{users: store.NewUserStore(db), orgs: map[string]int64{}, ids: map[string]int64{}}
	orgs := store.NewOrgStore(db)
	for _, o := range []*cordon.Org{
		{Code: "institute", Name: "Institute", Kind: cordon.OrgInstitute, HomeCity: "Hefei"},
		{Code: "hefei", Name: "Hefei Service", Kind: cordon.OrgPartner, HomeCity: "Hefei"},
		{Code: "xian", Name: "Xi'an Service", Kind: cordon.OrgPartner, HomeCity: "Xi'an"},
	} {
		if err := orgs.CreateOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
		w.orgs[o.Code] = o.ID
	}
	for _, u := range []struct {
		org, name string
		roles     []cordon.Role
	}{
		{"institute", "admin", []cordon.Role{cordon.RoleAdmin}},
		{"institute", "dispatcher", []cordon.Role{cordon.RoleDispatcher}},
		{"hefei", "hefei.admin", []cordon.Role{cordon.RolePartnerAdmin}},
		{"hefei", "hefei.boss", []cordon.Role{cordon.RolePartnerAdmin}},
		{"hefei", "hefei.tech", []cordon.Role{cordon.RolePartnerTechnician}},
		{"xian", "xian.admin", []cordon.Role{cordon.RolePartnerAdmin}},
		{"xian", "xian.tech", []cordon.Role{cordon.RolePartnerTechnician}},
	} {
		row := &cordon.User{OrgID: w.orgs[u.org], Username: u.name, DisplayName: "Name of " + u.name, PasswordHash: "x", Roles: u.roles}
		if err := w.users.CreateUser(ctx, row); err != nil {
			t.Fatal(err)
		}
		w.ids[u.name] = row.ID
	}
	w.svc = team.New(team.Config{
		Users: w.users, Orgs: orgs, Scope: inForce{w.orgs["hefei"]: true},
		HashPassword: fakeHash, CheckPassword: checkPassword, Now: func() time.Time { return now },
	})
	return w
}

// as returns a context acting as the named user.
func (w *world) as(name string) context.Context {
	u, err := w.users.FindUserByID(context.Background(), w.ids[name])
	if err != nil {
		panic(err)
	}
	a := &cordon.Actor{UserID: u.ID, Username: u.Username, OrgID: u.OrgID, OrgKind: u.Org.Kind, Roles: u.Roles}
	if u.Org.Kind == cordon.OrgPartner {
		a.PartnerID = u.OrgID
	}
	return cordon.NewContextWithActor(context.Background(), a)
}

func names(us []*cordon.User) []string {
	out := []string{}
	for _, u := range us {
		out = append(out, u.Username)
	}
	return out
}

func field(err error) string {
	if e := cordon.AsError(err); e != nil {
		return e.Field
	}
	return ""
}

func TestCheckUsername(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"abc", true}, {"hefei.li", true}, {"a_b-c.9", true}, {string(make([]byte, 64)), false},
		{"ab", false}, {"Hefei", false}, {"hefei li", false}, {"李工abc", false}, {"", false},
		{"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234", true},
		{"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij12345", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := team.CheckUsername(tc.name)
			if got := err == nil; got != tc.ok {
				t.Errorf("CheckUsername(%q) = %v, want ok %v", tc.name, err, tc.ok)
			}
			if err != nil && field(err) != "username" {
				t.Errorf("field %q, want username", field(err))
			}
		})
	}
}

func TestFindUsers(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		id := func(code string) *int64 { v := w.orgs[code]; return &v }
		missing := int64(999999)
		for _, tc := range []struct {
			name     string
			as       string
			f        cordon.TeamFilter
			want     []string
			wantCode string
		}{
			{"institute: everyone", "admin", cordon.TeamFilter{},
				[]string{"admin", "dispatcher", "hefei.admin", "hefei.boss", "hefei.tech", "xian.admin", "xian.tech"}, ""},
			{"institute: one organisation", "admin", cordon.TeamFilter{OrgID: id("hefei")}, []string{"hefei.admin", "hefei.boss", "hefei.tech"}, ""},
			{"institute: no such organisation", "admin", cordon.TeamFilter{OrgID: &missing}, nil, cordon.ENOTFOUND},
			{"institute: search in any case", "admin", cordon.TeamFilter{Query: " TECH "}, []string{"hefei.tech", "xian.tech"}, ""},
			{"institute: search by display name", "admin", cordon.TeamFilter{Query: "name of disp"}, []string{"dispatcher"}, ""},
			{"institute: wildcards are text", "admin", cordon.TeamFilter{Query: "%"}, []string{}, ""},
			{"institute: a page", "admin", cordon.TeamFilter{Offset: 1, Limit: 2}, []string{"dispatcher", "hefei.admin"}, ""},
			{"partner admin: its technicians only", "hefei.admin", cordon.TeamFilter{}, []string{"hefei.tech"}, ""},
			{"partner admin: its own organisation named", "hefei.admin", cordon.TeamFilter{OrgID: id("hefei")}, []string{"hefei.tech"}, ""},
			{"partner admin: another organisation", "hefei.admin", cordon.TeamFilter{OrgID: id("xian")}, nil, cordon.ENOTFOUND},
			{"partner admin out of force: nothing", "xian.admin", cordon.TeamFilter{}, []string{}, ""},
			{"search too long", "admin", cordon.TeamFilter{Query: string(make([]byte, 201))}, nil, cordon.EINVALID},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, total, err := w.svc.FindUsers(w.as(tc.as), tc.f)
				if code := cordon.ErrorCode(err); code != tc.wantCode {
					t.Fatalf("error %v, want code %q", err, tc.wantCode)
				}
				if tc.wantCode != "" {
					return
				}
				if diff := cmp.Diff(tc.want, names(got)); diff != "" {
					t.Errorf("users (-want +got):\n%s", diff)
				}
				if tc.f.Limit == 0 && total != len(tc.want) {
					t.Errorf("total %d, want %d", total, len(tc.want))
				}
			})
		}
		if _, _, err := w.svc.FindUsers(context.Background(), cordon.TeamFilter{}); cordon.ErrorCode(err) != cordon.EUNAUTHENTICATED {
			t.Errorf("no actor: %v, want EUNAUTHENTICATED", err)
		}
	})
}

func TestTeamScope(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for _, tc := range []struct {
			as    string
			all   bool
			open  bool
			orgs  int
			roles []cordon.Role
		}{
			{"admin", true, true, 3, append(append([]cordon.Role{}, cordon.PartnerRoles...), cordon.InstituteRoles...)},
			{"hefei.admin", false, true, 0, []cordon.Role{cordon.RolePartnerTechnician}},
			{"xian.admin", false, false, 0, nil},
		} {
			t.Run(tc.as, func(t *testing.T) {
				ts, err := w.svc.TeamScope(w.as(tc.as))
				if err != nil {
					t.Fatal(err)
				}
				if ts.All != tc.all || ts.Open != tc.open || len(ts.Orgs) != tc.orgs {
					t.Errorf("got all %v open %v %d orgs, want %v %v %d", ts.All, ts.Open, len(ts.Orgs), tc.all, tc.open, tc.orgs)
				}
				if diff := cmp.Diff(tc.roles, ts.Roles); diff != "" {
					t.Errorf("roles (-want +got):\n%s", diff)
				}
			})
		}
	})
}

func TestCreateUser(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		tech := []cordon.Role{cordon.RolePartnerTechnician}
		for _, tc := range []struct {
			name      string
			as        string
			nu        cordon.NewUser
			wantCode  string
			wantField string
			wantOrg   string
		}{
			{"partner admin adds a technician", "hefei.admin", cordon.NewUser{Username: " hefei.li ", DisplayName: "Li", Roles: tech}, "", "", "hefei"},
			{"partner admin names its own organisation", "hefei.admin", cordon.NewUser{OrgID: -1, Username: "hefei.wu", DisplayName: "Wu", Roles: tech}, "", "", "hefei"},
			{"partner admin adds an admin", "hefei.admin", cordon.NewUser{Username: "hefei.zz", DisplayName: "Z", Roles: []cordon.Role{cordon.RolePartnerAdmin}}, cordon.EINVALID, "roles", ""},
			{"partner admin adds a dispatcher", "hefei.admin", cordon.NewUser{Username: "hefei.zz", DisplayName: "Z", Roles: []cordon.Role{cordon.RoleDispatcher}}, cordon.EINVALID, "roles", ""},
			{"partner admin in another organisation", "hefei.admin", cordon.NewUser{OrgID: -2, Username: "xian.zz", DisplayName: "Z", Roles: tech}, cordon.ENOTFOUND, "", ""},
			{"partner admin out of force", "xian.admin", cordon.NewUser{Username: "xian.zz", DisplayName: "Z", Roles: tech}, cordon.ENOTFOUND, "", ""},
			{"bad username", "hefei.admin", cordon.NewUser{Username: "Hefei Li", DisplayName: "Li", Roles: tech}, cordon.EINVALID, "username", ""},
			{"short username", "admin", cordon.NewUser{OrgID: -1, Username: "ab", DisplayName: "Li", Roles: tech}, cordon.EINVALID, "username", ""},
			{"no name", "hefei.admin", cordon.NewUser{Username: "hefei.nn", DisplayName: "  ", Roles: tech}, cordon.EINVALID, "display_name", ""},
			{"no role", "hefei.admin", cordon.NewUser{Username: "hefei.nn", DisplayName: "N"}, cordon.EINVALID, "roles", ""},
			{"taken", "hefei.admin", cordon.NewUser{Username: "hefei.tech", DisplayName: "T", Roles: tech}, cordon.ECONFLICT, "", ""},
			{"institute admin: no organisation", "admin", cordon.NewUser{Username: "someone", DisplayName: "S", Roles: tech}, cordon.EINVALID, "org", ""},
			{"institute admin: a partner's admin", "admin", cordon.NewUser{OrgID: -2, Username: "xian.new", DisplayName: "X", Roles: []cordon.Role{cordon.RolePartnerAdmin}}, "", "", "xian"},
			{"institute admin: a partner's dispatcher", "admin", cordon.NewUser{OrgID: -2, Username: "xian.disp", DisplayName: "X", Roles: []cordon.Role{cordon.RoleDispatcher}}, cordon.EINVALID, "roles", ""},
			{"institute admin: an unknown role", "admin", cordon.NewUser{OrgID: -3, Username: "inst.x", DisplayName: "X", Roles: []cordon.Role{"root"}}, cordon.EINVALID, "roles", ""},
			{"a password given too short", "admin", cordon.NewUser{OrgID: -3, Username: "inst.y", DisplayName: "Y", Roles: []cordon.Role{cordon.RoleEngineer}, Password: "short"}, cordon.EINVALID, "password", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				// Negative org ids name the world's organisations: -1 hefei, -2 xian, -3 institute.
				switch tc.nu.OrgID {
				case -1:
					tc.nu.OrgID = w.orgs["hefei"]
				case -2:
					tc.nu.OrgID = w.orgs["xian"]
				case -3:
					tc.nu.OrgID = w.orgs["institute"]
				}
				u, pw, err := w.svc.CreateUser(w.as(tc.as), tc.nu)
				if code := cordon.ErrorCode(err); code != tc.wantCode || field(err) != tc.wantField {
					t.Fatalf("error %v (field %q), want code %q field %q", err, field(err), tc.wantCode, tc.wantField)
				}
				if tc.wantCode != "" {
					return
				}
				if !regexp.MustCompile(`^[A-HJ-NP-Za-km-z2-9]{16}$`).MatchString(pw) {
					t.Errorf("one-time password %q", pw)
				}
				stored, err := w.users.FindUserByUsername(context.Background(), u.Username)
				if err != nil {
					t.Fatal(err)
				}
				if stored.OrgID != w.orgs[tc.wantOrg] || stored.PasswordHash != "hash:"+pw || stored.Username != u.Username {
					t.Errorf("stored in org %d with hash %q, want org %d (%s) and the password's hash", stored.OrgID, stored.PasswordHash, w.orgs[tc.wantOrg], tc.wantOrg)
				}
			})
		}
		// The operator's own password: checked, hashed, not answered.
		u, pw, err := w.svc.CreateUser(team.Operator(context.Background()), cordon.NewUser{OrgID: w.orgs["institute"], Username: "quality",
			DisplayName: "Q", Roles: []cordon.Role{cordon.RoleQualitySupervisor, cordon.RoleEngineer}, Password: "a-long-enough-password"})
		if err != nil || pw != "" || u.PasswordHash != "hash:a-long-enough-password" {
			t.Errorf("operator: %v, one-time %q, hash %q", err, pw, u.PasswordHash)
		}
	})
}

func TestDisableUser(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		for _, tc := range []struct {
			name     string
			as       string
			target   string
			wantCode string
		}{
			{"another partner's technician", "hefei.admin", "xian.tech", cordon.ENOTFOUND},
			{"a fellow admin", "hefei.admin", "hefei.boss", cordon.ENOTFOUND},
			{"an institute user", "hefei.admin", "dispatcher", cordon.ENOTFOUND},
			{"nobody", "hefei.admin", "", cordon.ENOTFOUND},
			{"oneself", "hefei.admin", "hefei.admin", cordon.ECONFLICT},
			{"out of force", "xian.admin", "xian.tech", cordon.ENOTFOUND},
			{"own technician", "hefei.admin", "hefei.tech", ""},
			{"already disabled", "hefei.admin", "hefei.tech", cordon.ECONFLICT},
			{"institute admin: a partner's admin", "admin", "xian.admin", ""},
			{"institute admin: oneself", "admin", "admin", cordon.ECONFLICT},
		} {
			t.Run(tc.name, func(t *testing.T) {
				id := w.ids[tc.target]
				if tc.target == "" {
					id = 999999
				}
				u, err := w.svc.DisableUser(w.as(tc.as), id)
				if code := cordon.ErrorCode(err); code != tc.wantCode {
					t.Fatalf("error %v, want code %q", err, tc.wantCode)
				}
				switch {
				case tc.wantCode == cordon.ENOTFOUND:
					if u != nil {
						t.Errorf("a user out of reach came back: %s", u.Username)
					}
					if stored, _ := w.users.FindUserByID(context.Background(), id); stored != nil && stored.Disabled() {
						t.Errorf("%s was disabled", tc.target)
					}
				case tc.wantCode == cordon.ECONFLICT:
					if u == nil || u.ID != id {
						t.Errorf("the refusal does not carry the user")
					}
				default:
					stored, err := w.users.FindUserByID(context.Background(), id)
					if err != nil {
						t.Fatal(err)
					}
					if stored.DisabledAt == nil || !stored.DisabledAt.Equal(now) || !u.DisabledAt.Equal(now) {
						t.Errorf("disabled at %v, want %v", stored.DisabledAt, now)
					}
				}
			})
		}
		if _, err := w.svc.DisableUser(context.Background(), w.ids["xian.tech"]); cordon.ErrorCode(err) != cordon.EUNAUTHENTICATED {
			t.Errorf("no actor: %v, want EUNAUTHENTICATED", err)
		}
	})
}
