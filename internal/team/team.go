// Package team is user and team management: the one place that decides
// who may see, create and disable which users, what a username may be,
// which roles a caller may grant, and the one-time passwords of new users.
// The API's /api/v1/users, the portal's /team and `cordon users` call it.
package team

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// Config holds what the service needs.
type Config struct {
	Users cordon.UserStore
	Orgs  cordon.OrgStore
	// Scope tells whether a partner's contract is in force.
	Scope cordon.ScopePolicy
	// HashPassword hashes a password (authn.HashPassword); CheckPassword
	// validates one given by an operator (authn.ValidatePassword).
	HashPassword  func(password string) (string, error)
	CheckPassword func(password string) error
	Now           cordon.Clock // nil: time.Now
}

// Service implements cordon.TeamService. The institute's users manage the
// users of every organisation; a partner's users manage the technicians
// of their own company, and only while a contract of it is in force. The
// route guards make the function-level check (user:list, user:create,
// user:manage); this service the object level.
type Service struct{ cfg Config }

var _ cordon.TeamService = (*Service)(nil)

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}
}

// Operator returns ctx acting as the operator at the command line: an
// institute administrator who is no user (user id 0).
func Operator(ctx context.Context) context.Context {
	return cordon.NewContextWithActor(ctx, &cordon.Actor{
		Username: "operator", OrgKind: cordon.OrgInstitute, Roles: []cordon.Role{cordon.RoleAdmin},
	})
}

// scope is what the actor in ctx may manage, without the organisations.
func (s *Service) scope(ctx context.Context) (*cordon.Actor, *cordon.TeamScope, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, nil, err
	}
	if !a.IsPartner() {
		roles := append(append([]cordon.Role{}, cordon.PartnerRoles...), cordon.InstituteRoles...)
		return a, &cordon.TeamScope{All: true, Open: true, Roles: roles}, nil
	}
	ts := &cordon.TeamScope{OrgID: a.PartnerID, Open: cordon.PartnerInForce(s.cfg.Scope, a.PartnerID)}
	if ts.Open {
		ts.Roles = []cordon.Role{cordon.RolePartnerTechnician}
	}
	return a, ts, nil
}

// reaches reports whether a caller with scope ts may see and manage u: the
// institute every user, a partner's admin its own company's technicians.
func reaches(ts *cordon.TeamScope, u *cordon.User) bool {
	if ts.All {
		return true
	}
	return ts.Open && u.OrgID == ts.OrgID && u.HasRole(cordon.RolePartnerTechnician)
}

// Self returns the caller's own record, read outside any data scope.
func (s *Service) Self(ctx context.Context) (*cordon.User, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, err
	}
	return s.cfg.Users.FindSelf(ctx, a.UserID)
}

// TeamScope says what the caller may manage; for the institute, with
// every organisation to choose from.
func (s *Service) TeamScope(ctx context.Context) (*cordon.TeamScope, error) {
	_, ts, err := s.scope(ctx)
	if err != nil {
		return nil, err
	}
	if ts.All {
		if ts.Orgs, _, err = s.cfg.Orgs.FindOrgs(ctx, cordon.OrgFilter{}); err != nil {
			return nil, fmt.Errorf("team organisations: %w", err)
		}
	}
	return ts, nil
}

// maxQuery is the longest search text.
const maxQuery = 200

// FindUsers returns a page of the users the caller may manage, ordered by
// username: for the institute every organisation's (or f.OrgID's), for a
// partner's admin its own company's technicians, and nothing while its
// contracts are out of force.
func (s *Service) FindUsers(ctx context.Context, f cordon.TeamFilter) ([]*cordon.User, int, error) {
	_, ts, err := s.scope(ctx)
	if err != nil {
		return nil, 0, err
	}
	f.Query = strings.TrimSpace(f.Query)
	if len(f.Query) > maxQuery {
		return nil, 0, cordon.FieldErr("q", "search_text_longer_than_200")
	}
	uf := cordon.UserFilter{Query: f.Query, Offset: f.Offset, Limit: f.Limit}
	switch {
	case ts.All:
		if f.OrgID != nil {
			if _, err := s.cfg.Orgs.FindOrgByID(ctx, *f.OrgID); err != nil {
				if cordon.ErrorCode(err) == cordon.ENOTFOUND {
					return nil, 0, cordon.Err(cordon.ENOTFOUND, "organisation_not_found")
				}
				return nil, 0, fmt.Errorf("team organisation %d: %w", *f.OrgID, err)
			}
			uf.OrgID = f.OrgID
		}
	case f.OrgID != nil && *f.OrgID != ts.OrgID:
		return nil, 0, cordon.Err(cordon.ENOTFOUND, "organisation_not_found")
	case !ts.Open:
		return nil, 0, nil
	default:
		tech := cordon.RolePartnerTechnician
		uf.OrgID, uf.Role = &ts.OrgID, &tech
	}
	users, total, err := s.cfg.Users.FindUsers(ctx, uf)
	if err != nil {
		return nil, 0, fmt.Errorf("find users: %w", err)
	}
	return users, total, nil
}

// CheckUsername is the rule for usernames: 3 to 64 lower-case letters,
// digits, dots, dashes or underscores.
func CheckUsername(s string) error {
	ok := len(s) >= 3 && len(s) <= 64
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			ok = false
		}
	}
	if !ok {
		return cordon.FieldErr("username", "webui.username_must_3_64_lower")
	}
	return nil
}

// CreateUser creates a user in an organisation the caller reaches with
// roles it may grant: the institute any organisation and role the
// organisation may hold, a partner's admin technicians of its own company.
// Without a password it makes a one-time password and returns it, the
// only time it exists in the clear.
func (s *Service) CreateUser(ctx context.Context, nu cordon.NewUser) (*cordon.User, string, error) {
	_, ts, err := s.scope(ctx)
	if err != nil {
		return nil, "", err
	}
	if !ts.Open {
		return nil, "", cordon.Err(cordon.ENOTFOUND, "organisation_not_found")
	}
	switch {
	case ts.All && nu.OrgID <= 0:
		return nil, "", cordon.FieldErr("org", "webui.choose_organisation")
	case !ts.All && nu.OrgID == 0:
		nu.OrgID = ts.OrgID
	case !ts.All && nu.OrgID != ts.OrgID:
		return nil, "", cordon.Err(cordon.ENOTFOUND, "organisation_not_found")
	}
	nu.Username, nu.DisplayName = strings.TrimSpace(nu.Username), strings.TrimSpace(nu.DisplayName)
	if err := CheckUsername(nu.Username); err != nil {
		return nil, "", err
	}
	if nu.DisplayName == "" || len(nu.DisplayName) > 100 {
		return nil, "", cordon.FieldErr("display_name", "webui.name_must_1_100_characters")
	}
	if len(nu.Roles) == 0 {
		return nil, "", cordon.FieldErr("roles", "webui.choose_role")
	}
	for _, r := range nu.Roles {
		if !slices.Contains(ts.Roles, r) {
			return nil, "", cordon.FieldErr("roles", "webui.choose_role")
		}
	}
	password, oneTime := nu.Password, ""
	if password == "" {
		password = oneTimePassword()
		oneTime = password
	} else if err := s.cfg.CheckPassword(password); err != nil {
		return nil, "", err
	}
	hash, err := s.cfg.HashPassword(password)
	if err != nil {
		return nil, "", fmt.Errorf("hash password: %w", err)
	}
	u := &cordon.User{OrgID: nu.OrgID, Username: nu.Username, DisplayName: nu.DisplayName, PasswordHash: hash,
		Roles: slices.Clone(nu.Roles)}
	if err := s.cfg.Users.CreateUser(ctx, u); err != nil {
		return nil, "", err
	}
	return u, oneTime, nil
}

// DisableUser disables a user the caller reaches and ends every session of
// it at once. Nobody disables themselves (refused as a conflict, so that
// the page can say so); every other user out of reach is the same 404 as
// one that does not exist.
func (s *Service) DisableUser(ctx context.Context, id int64) (*cordon.User, error) {
	a, ts, err := s.scope(ctx)
	if err != nil {
		return nil, err
	}
	if !ts.Open {
		return nil, cordon.Err(cordon.ENOTFOUND, "user.not_found")
	}
	u, err := s.cfg.Users.FindUserByID(ctx, id)
	switch {
	case cordon.ErrorCode(err) == cordon.ENOTFOUND:
		return nil, cordon.Err(cordon.ENOTFOUND, "user.not_found")
	case err != nil:
		return nil, fmt.Errorf("disable user %d: %w", id, err)
	case u.ID == a.UserID:
		return u, cordon.Err(cordon.ECONFLICT, "webui.you_cannot_disable_your_own")
	case !reaches(ts, u):
		return nil, cordon.Err(cordon.ENOTFOUND, "user.not_found")
	}
	if u.Disabled() {
		return u, cordon.Err(cordon.ECONFLICT, "webui.user_already_disabled")
	}
	at := s.cfg.Now()
	if err := s.cfg.Users.DisableUser(ctx, u.ID, at); err != nil {
		return nil, fmt.Errorf("disable user %d: %w", id, err)
	}
	u.DisabledAt = &at
	return u, nil
}

// passwordAlphabet has no characters that read alike (0/O, 1/l/I).
const passwordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"

// oneTimePassword returns a random 16-character password (about 93 bits).
func oneTimePassword() string {
	var b strings.Builder
	for b.Len() < 16 {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(passwordAlphabet))))
		if err != nil {
			panic("team: no randomness: " + err.Error())
		}
		b.WriteByte(passwordAlphabet[n.Int64()])
	}
	return b.String()
}
