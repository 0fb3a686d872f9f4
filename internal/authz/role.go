package authz

import (
	"fmt"
	"io/fs"

	"github.com/casbin/casbin/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// RoleEnforcer holds the function-level role rules of policies/roles.csv
// (model policies/roles.conf): which role may take which action on which
// kind of resource. Deny by default. It is immutable and safe for
// concurrent use.
type RoleEnforcer struct {
	casbin *casbin.Enforcer
	rules  [][]string
	// allow is built from Casbin's loaded policy: one key per row, the
	// action possibly ActAny. Allow answers from it without a scan; the
	// tests prove it agrees with Casbin's Enforce on every combination.
	allow map[roleKey]struct{}
}

type roleKey struct {
	role     cordon.Role
	res, act string
}

// NewRoleEnforcer loads roles.conf and roles.csv from policies. It fails on
// an unknown role, resource or action, a malformed or duplicate row, or a
// model whose fields are not (role, res, act).
func NewRoleEnforcer(policies fs.FS) (*RoleEnforcer, error) {
	fields := []string{"role", "res", "act"}
	m, err := loadModel(policies, "roles.conf", fields, fields)
	if err != nil {
		return nil, fmt.Errorf("role rules: %w", err)
	}
	e, err := newEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("role rules: %w", err)
	}
	rows, err := readPolicyCSV(policies, "roles.csv")
	if err != nil {
		return nil, fmt.Errorf("role rules: %w", err)
	}
	for _, r := range rows {
		if err := checkRoleRow(r.fields); err != nil {
			return nil, fmt.Errorf("role rules: roles.csv:%d: %w", r.line, err)
		}
		added, err := e.AddPolicy(r.fields)
		if err != nil {
			return nil, fmt.Errorf("role rules: roles.csv:%d: %w", r.line, err)
		}
		if !added {
			return nil, fmt.Errorf("role rules: roles.csv:%d: duplicate row %v", r.line, r.fields)
		}
	}

	policy, err := e.GetPolicy()
	if err != nil {
		return nil, fmt.Errorf("role rules: %w", err)
	}
	re := &RoleEnforcer{casbin: e, allow: make(map[roleKey]struct{}, len(policy))}
	for _, p := range policy {
		re.rules = append(re.rules, append([]string(nil), p...))
		re.allow[roleKey{cordon.Role(p[0]), p[1], p[2]}] = struct{}{}
	}
	// The model must deny what no row allows; a matcher edited to "true"
	// would otherwise open everything.
	if ok, err := e.Enforce("nobody", "nothing", "never"); err != nil || ok {
		return nil, fmt.Errorf("role rules: roles.conf allows a request no row allows (err %v)", err)
	}
	return re, nil
}

func checkRoleRow(f []string) error {
	if len(f) != 3 {
		return fmt.Errorf("want p, role, resource, action; got %d fields", len(f)+1)
	}
	if !cordon.Role(f[0]).Valid() {
		return fmt.Errorf("unknown role %q", f[0])
	}
	if !known(Resources, f[1]) {
		return fmt.Errorf("unknown resource %q", f[1])
	}
	if f[2] != ActAny && !known(Actions, f[2]) {
		return fmt.Errorf("unknown action %q", f[2])
	}
	return nil
}

// Allow reports whether any of roles may take action on resource. Unknown
// roles, resources and actions are denied; action ActAny is never allowed
// as a request.
func (e *RoleEnforcer) Allow(roles []cordon.Role, resource, action string) bool {
	if action == ActAny {
		return false
	}
	for _, r := range roles {
		if _, ok := e.allow[roleKey{r, resource, action}]; ok {
			return true
		}
		if _, ok := e.allow[roleKey{r, resource, ActAny}]; ok {
			return true
		}
	}
	return false
}

// enforce answers through Casbin's Enforce: the reference Allow must agree
// with, and the slow path the benchmarks compare against.
func (e *RoleEnforcer) enforce(roles []cordon.Role, resource, action string) (bool, error) {
	if action == ActAny {
		return false, nil
	}
	for _, r := range roles {
		ok, err := e.casbin.Enforce(string(r), resource, action)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// Rules returns the role rules as loaded, one row of (role, resource,
// action) each, in file order, for display.
func (e *RoleEnforcer) Rules() [][]string {
	out := make([][]string, len(e.rules))
	for i, r := range e.rules {
		out[i] = append([]string(nil), r...)
	}
	return out
}
