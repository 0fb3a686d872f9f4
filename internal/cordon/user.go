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

// UserFilter selects users; nil fields do not filter.
type UserFilter struct {
	OrgID  *int64
	Offset int
	Limit  int
}

// UserService reads and writes users.
type UserService interface {
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
