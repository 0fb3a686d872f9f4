package authz

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/policies"
)

func newRoles(t testing.TB) *RoleEnforcer {
	t.Helper()
	e, err := NewRoleEnforcer(policies.FS)
	if err != nil {
		t.Fatalf("NewRoleEnforcer: %v", err)
	}
	return e
}

type ra struct{ res, act string }

func TestRoleAllow(t *testing.T) {
	e := newRoles(t)
	// For each role: what it must be allowed, and what it must not be.
	tests := []struct {
		role  cordon.Role
		allow []ra
		deny  []ra
	}{
		{
			role: cordon.RoleDispatcher,
			allow: []ra{
				{"request", "create"}, {"request", "list"}, {"request", "view"}, {"job", "dispatch"},
				{"job", "list"}, {"job", "view"}, {"customer", "view"}, {"unit", "view"},
				{"partner", "list"}, {"partner", "view"}, {"document", "list"}, {"document", "view"},
				{"me", "view"}, {"auth", "refresh"},
			},
			deny: []ra{
				{"document", "download"}, {"job", "close"}, {"job", "accept"}, {"contract", "view"},
				{"audit", "list"}, {"user", "manage"}, {"customer", "disclose"}, {"scorecard", "view"},
				{"partner", "update"},
			},
		},
		{
			role: cordon.RoleQualitySupervisor,
			allow: []ra{
				{"job", "list"}, {"job", "view"}, {"job", "verify"}, {"job", "close"}, {"job", "reopen"},
				{"sla", "view"}, {"scorecard", "export"}, {"quality", "view"}, {"campaign", "create"},
				{"partner", "view"}, {"customer", "view"}, {"document", "create"}, {"document", "download"},
				{"me", "update"},
			},
			deny: []ra{
				{"job", "dispatch"}, {"request", "create"}, {"contract", "update"}, {"audit", "list"},
				{"user", "create"}, {"settings", "update"}, {"customer", "disclose"},
			},
		},
		{
			role: cordon.RoleEngineer,
			allow: []ra{
				{"job", "list"}, {"job", "view"}, {"job", "accept"}, {"job", "update"}, {"job", "report"},
				{"document", "create"}, {"document", "download"}, {"customer", "view"}, {"auth", "logout"},
			},
			deny: []ra{
				{"job", "dispatch"}, {"job", "close"}, {"contract", "view"}, {"audit", "view"},
				{"user", "manage"}, {"scorecard", "view"}, {"partner", "update"},
			},
		},
		{
			role: cordon.RoleContractAdmin,
			allow: []ra{
				{"contract", "create"}, {"contract", "activate"}, {"contract", "suspend"},
				{"contract", "terminate"}, {"contract", "view"}, {"partner", "create"}, {"partner", "update"},
				{"policy", "view"}, {"policy", "explain"},
			},
			deny: []ra{
				{"audit", "list"}, {"customer", "view"}, {"document", "download"}, {"job", "view"},
				{"user", "create"}, {"settings", "update"}, {"policy", "update"},
			},
		},
		{
			role: cordon.RoleLegalAuditor,
			allow: []ra{
				{"audit", "list"}, {"audit", "view"}, {"audit", "verify"}, {"audit", "export"},
				{"access_event", "list"}, {"access_event", "view"}, {"policy", "view"},
				{"policy", "explain"}, {"contract", "view"}, {"job", "list"}, {"job", "view"},
				{"partner", "list"}, {"partner", "view"},
			},
			deny: []ra{
				{"contract", "update"}, {"contract", "create"}, {"job", "update"}, {"job", "close"},
				{"audit", "create"}, {"audit", "update"}, {"audit", "delete"}, {"customer", "disclose"},
				{"customer", "view"}, {"document", "download"}, {"user", "create"},
			},
		},
		{
			role: cordon.RoleAdmin,
			allow: []ra{
				{"user", "list"}, {"user", "create"}, {"user", "manage"}, {"partner", "manage"},
				{"partner", "create"}, {"settings", "view"}, {"settings", "update"},
			},
			deny: []ra{
				{"customer", "view"}, {"customer", "disclose"}, {"customer", "list"}, {"document", "download"},
				{"contract", "activate"}, {"audit", "list"}, {"job", "view"}, {"unit", "view"},
			},
		},
		{
			role: cordon.RolePartnerAdmin,
			allow: []ra{
				{"job", "list"}, {"job", "view"}, {"job", "accept"}, {"job", "decline"}, {"job", "assign"},
				{"job", "update"}, {"job", "report"}, {"document", "download"}, {"customer", "disclose"},
				{"scorecard", "view"}, {"user", "create"}, {"user", "manage"}, {"partner", "view"}, {"partner", "list"},
			},
			deny: []ra{
				{"contract", "view"}, {"contract", "list"}, {"audit", "list"}, {"access_event", "view"},
				{"policy", "view"}, {"settings", "view"}, {"customer", "view"}, {"job", "dispatch"},
				{"job", "close"}, {"request", "view"}, {"partner", "update"},
			},
		},
		{
			role: cordon.RolePartnerTechnician,
			allow: []ra{
				{"job", "list"}, {"job", "view"}, {"job", "accept"}, {"job", "decline"}, {"job", "update"},
				{"job", "report"}, {"document", "view"}, {"document", "download"},
				{"customer", "disclose"}, {"partner", "view"}, {"me", "view"},
			},
			deny: []ra{
				{"job", "assign"}, {"user", "create"}, {"user", "list"}, {"scorecard", "view"},
				{"contract", "view"}, {"audit", "view"}, {"document", "create"}, {"customer", "view"},
			},
		},
	}
	for _, tt := range tests {
		for _, c := range tt.allow {
			t.Run(string(tt.role)+"/"+c.res+"/"+c.act, func(t *testing.T) {
				if got := e.Allow([]cordon.Role{tt.role}, c.res, c.act); !got {
					t.Errorf("Allow(%s, %s, %s) = false, want true", tt.role, c.res, c.act)
				}
			})
		}
		for _, c := range tt.deny {
			t.Run(string(tt.role)+"/"+c.res+"/"+c.act, func(t *testing.T) {
				if got := e.Allow([]cordon.Role{tt.role}, c.res, c.act); got {
					t.Errorf("Allow(%s, %s, %s) = true, want false", tt.role, c.res, c.act)
				}
			})
		}
	}
}

// Properties that must hold over every resource and action, whatever
// rows are added later.
func TestRoleNever(t *testing.T) {
	e := newRoles(t)
	readOnly := map[string]bool{"list": true, "view": true, "verify": true, "export": true, "explain": true}
	for _, res := range Resources {
		for _, act := range Actions {
			for _, r := range cordon.PartnerRoles {
				switch res {
				case cordon.ResContract, cordon.ResAudit, cordon.ResAccessEvent, cordon.ResPolicy, cordon.ResSettings,
					cordon.ResRequest, cordon.ResUnit, cordon.ResSLA, cordon.ResQuality, cordon.ResCampaign, cordon.ResSurvey,
					cordon.ResChecklist:
					if e.Allow([]cordon.Role{r}, res, act) {
						t.Errorf("Allow(%s, %s, %s) = true; partner roles never get %s", r, res, act, res)
					}
				}
			}
			if res != cordon.ResMe && res != cordon.ResAuth && !readOnly[act] && e.Allow([]cordon.Role{cordon.RoleLegalAuditor}, res, act) {
				t.Errorf("Allow(legal_auditor, %s, %s) = true; legal is read-only", res, act)
			}
			if res == cordon.ResCustomer && e.Allow([]cordon.Role{cordon.RoleAdmin}, res, act) {
				t.Errorf("Allow(admin, customer, %s) = true; admin has no view of customers", act)
			}
			if res == cordon.ResDocument && act == cordon.ActDownload && e.Allow([]cordon.Role{cordon.RoleAdmin}, res, act) {
				t.Errorf("Allow(admin, document, download) = true")
			}
		}
	}
}

func TestRoleDenyByDefault(t *testing.T) {
	e := newRoles(t)
	tests := []struct {
		name  string
		roles []cordon.Role
		res   string
		act   string
	}{
		{"no roles", nil, "job", "view"},
		{"unknown role", []cordon.Role{"root"}, "job", "view"},
		{"empty role", []cordon.Role{""}, "me", "view"},
		{"unknown resource", []cordon.Role{cordon.RoleContractAdmin}, "contracts", "view"},
		{"wildcard as request action", []cordon.Role{cordon.RoleContractAdmin}, "contract", "*"},
		{"wildcard as request resource", []cordon.Role{cordon.RoleContractAdmin}, "*", "view"},
		{"empty action", []cordon.Role{cordon.RoleDispatcher}, "job", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if e.Allow(tt.roles, tt.res, tt.act) {
				t.Errorf("Allow(%v, %q, %q) = true, want false", tt.roles, tt.res, tt.act)
			}
		})
	}
}

func TestRoleAnyOfSeveral(t *testing.T) {
	e := newRoles(t)
	roles := []cordon.Role{cordon.RoleDispatcher, cordon.RoleLegalAuditor}
	if !e.Allow(roles, "audit", "list") {
		t.Errorf("Allow(%v, audit, list) = false, want true (legal_auditor)", roles)
	}
	if !e.Allow(roles, "request", "create") {
		t.Errorf("Allow(%v, request, create) = false, want true (dispatcher)", roles)
	}
	if e.Allow(roles, "contract", "update") {
		t.Errorf("Allow(%v, contract, update) = true, want false", roles)
	}
}

// The map Allow answers from must agree with Casbin's Enforce everywhere.
func TestRoleMapAgreesWithCasbin(t *testing.T) {
	e := newRoles(t)
	roles := append(append([]cordon.Role{"", "root"}, cordon.InstituteRoles...), cordon.PartnerRoles...)
	resources := append([]string{"", "nothing", "*"}, Resources...)
	actions := append([]string{"", "nothing", "*"}, Actions...)
	n := 0
	for _, r := range roles {
		for _, res := range resources {
			for _, act := range actions {
				want, err := e.enforce([]cordon.Role{r}, res, act)
				if err != nil {
					t.Fatalf("enforce(%s, %s, %s): %v", r, res, act, err)
				}
				if got := e.Allow([]cordon.Role{r}, res, act); got != want {
					t.Errorf("Allow(%s, %s, %s) = %v, Casbin says %v", r, res, act, got, want)
				}
				if want {
					n++
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("Casbin allowed nothing at all")
	}
}

func TestRoleRules(t *testing.T) {
	e := newRoles(t)
	rules := e.Rules()
	if len(rules) < 100 {
		t.Fatalf("Rules() has %d rows, want the whole roles.csv", len(rules))
	}
	if diff := cmp.Diff([]string{"dispatcher", "me", "*"}, rules[0]); diff != "" {
		t.Errorf("Rules()[0] mismatch (-want +got):\n%s", diff)
	}
	rules[0][0] = "admin" // a copy: must not change the enforcer
	if diff := cmp.Diff([]string{"dispatcher", "me", "*"}, e.Rules()[0]); diff != "" {
		t.Errorf("Rules() shares storage with the enforcer (-want +got):\n%s", diff)
	}
}

func TestNewRoleEnforcerRejects(t *testing.T) {
	conf, err := policies.FS.ReadFile("roles.conf")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		conf    string
		csv     string
		wantErr string
	}{
		{"unknown role", string(conf), "p, root, job, view\n", `unknown role "root"`},
		{"unknown resource", string(conf), "p, admin, jobs, view\n", `unknown resource "jobs"`},
		{"unknown action", string(conf), "p, admin, job, read\n", `unknown action "read"`},
		{"short row", string(conf), "p, admin, job\n", "fields"},
		{"not p", string(conf), "g, admin, dispatcher\n", "policy type"},
		{"duplicate", string(conf), "p, admin, job, view\np, admin, job, view\n", "roles.csv:2: duplicate"},
		{"matcher allows all", strings.Replace(string(conf), "m = r.role", "m = true || r.role", 1), "p, admin, job, view\n", "allows a request no row allows"},
		{"other fields", strings.Replace(string(conf), "r = role, res, act", "r = sub, obj, act", 1), "", "want r = role, res, act"},
		{"no csv", string(conf), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"roles.conf": {Data: []byte(tt.conf)}}
			if tt.name != "no csv" {
				fsys["roles.csv"] = &fstest.MapFile{Data: []byte(tt.csv)}
			}
			_, err := NewRoleEnforcer(fsys)
			if err == nil {
				t.Fatalf("NewRoleEnforcer: no error, want one containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("NewRoleEnforcer: got %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}
