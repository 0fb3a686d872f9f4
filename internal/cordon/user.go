package cordon

import (
	"context"
	"time"
)

// Role is a function-level role. The static role rules in policies/ say what
// each may do.
type Role string

// The roles of DESIGN.md §1.
const (
	RoleDispatcher        Role = "dispatcher"
	RoleQualitySupervisor Role = "quality_supervisor"
	RoleEngineer          Role = "engineer"
	RoleContractAdmin     Role = "contract_admin"
	RoleLegalAuditor      Role = "legal_auditor"
	RoleAdmin             Role = "admin"
	RolePartnerAdmin      Role = "partner_admin"
	RolePartnerTechnician Role = "partner_technician"
)

// InstituteRoles are the roles only institute users may hold.
var InstituteRoles = []Role{RoleDispatcher, RoleQualitySupervisor, RoleEngineer, RoleContractAdmin, RoleLegalAuditor, RoleAdmin}

// PartnerRoles are the roles only partner users may hold.
var PartnerRoles = []Role{RolePartnerAdmin, RolePartnerTechnician}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range append(append([]Role{}, InstituteRoles...), PartnerRoles...) {
		if r == x {
			return true
		}
	}
	return false
}

// AllowedFor reports whether an organisation of kind k may hold role r.
func (r Role) AllowedFor(k OrgKind) bool {
	list := InstituteRoles
	if k == OrgPartner {
		list = PartnerRoles
	}
	for _, x := range list {
		if r == x {
			return true
		}
	}
	return false
}

// User is a person who logs in: institute staff or a partner's staff.
type User struct {
	ID           int64
	OrgID        int64
	Org          *Org // filled by finders
	Username     string
	DisplayName  string
	PasswordHash string
	Roles        []Role
	DisabledAt   *time.Time
	CreatedAt    time.Time
}

// HasRole reports whether the user holds role r.
func (u *User) HasRole(r Role) bool {
	for _, x := range u.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Disabled reports whether the user has been disabled.
func (u *User) Disabled() bool { return u.DisabledAt != nil }

// UserFilter selects users; nil and empty fields do not filter.
type UserFilter struct {
	OrgID  *int64
	Role   *Role  // users holding this role
	Query  string // text the username or display name contains, in any case
	Offset int
	Limit  int
}

// UserStore reads and writes users.
type UserStore interface {
	// FindUserByID returns ENOTFOUND when there is no such user.
	FindUserByID(ctx context.Context, id int64) (*User, error)
	// FindSelf returns the authenticated caller's own record, read outside
	// any data scope: who one is does not depend on a contract being in
	// force. ENOTFOUND when absent.
	FindSelf(ctx context.Context, id int64) (*User, error)
	// FindUserByUsername returns ENOTFOUND when there is no such user.
	FindUserByUsername(ctx context.Context, username string) (*User, error)
	// FindUsers returns a page of users and the total count.
	FindUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	// CreateUser returns ECONFLICT when the username is taken, EINVALID on bad input.
	CreateUser(ctx context.Context, u *User) error
	// DisableUser marks the user disabled and revokes every session of it at once.
	// ENOTFOUND when there is no such user.
	DisableUser(ctx context.Context, id int64, at time.Time) error
}

// TeamScope is what a caller may manage: the users of every organisation
// (the institute) or the technicians of its own company (a partner's
// admin, while a contract of its company is in force).
type TeamScope struct {
	All   bool   // every organisation
	OrgID int64  // a partner's admin: its own company
	Open  bool   // false: a partner out of force, who sees and manages nothing
	Orgs  []*Org // All: the organisations to choose from
	Roles []Role // the roles the caller may give a new user
}

// TeamFilter selects the users of a team list.
type TeamFilter struct {
	OrgID  *int64 // one organisation (the institute); a partner's own is implied
	Query  string // text the username or display name contains
	Offset int
	Limit  int
}

// NewUser is a user to create.
type NewUser struct {
	OrgID       int64 // the institute's admin: required; a partner's admin: 0 or its own
	Username    string
	DisplayName string
	Roles       []Role
	// Password is the user's password; empty makes a one-time password,
	// returned once by CreateUser.
	Password string
}

// TeamService is user and team management for the API, the portal and the
// command line: who may see, create and disable which users.
type TeamService interface {
	// Self returns the caller's own record, whether or not its company's
	// contract is in force. EUNAUTHENTICATED without an actor.
	Self(ctx context.Context) (*User, error)
	// TeamScope says what the caller may manage. EUNAUTHENTICATED without
	// an actor.
	TeamScope(ctx context.Context) (*TeamScope, error)
	// FindUsers returns a page of the users the caller may manage and the
	// total; ENOTFOUND for an organisation filter out of reach.
	FindUsers(ctx context.Context, f TeamFilter) ([]*User, int, error)
	// CreateUser creates a user and returns it with its one-time password
	// ("" when nu.Password was given). EINVALID with the field at fault,
	// ECONFLICT when the username is taken, ENOTFOUND for an organisation
	// out of reach.
	CreateUser(ctx context.Context, nu NewUser) (*User, string, error)
	// DisableUser disables a user and ends every session of it at once.
	// ENOTFOUND when the user does not exist or is out of reach, alike;
	// ECONFLICT for the caller itself or a user already disabled (the user
	// is returned with that error too).
	DisableUser(ctx context.Context, id int64) (*User, error)
}
