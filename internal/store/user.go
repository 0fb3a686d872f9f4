package store

import (
	"context"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// userRow is the users table.
type userRow struct {
	ID           int64 `gorm:"primaryKey"`
	OrgID        int64
	Username     string
	DisplayName  string
	PasswordHash string
	DisabledAt   *time.Time
	CreatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

// userRoleRow is the user_roles table.
type userRoleRow struct {
	UserID int64  `gorm:"primaryKey"`
	Role   string `gorm:"primaryKey"`
}

func (userRoleRow) TableName() string { return "user_roles" }

func toUser(r *userRow, roles []cordon.Role, org *cordon.Org) *cordon.User {
	return &cordon.User{
		ID: r.ID, OrgID: r.OrgID, Org: org, Username: r.Username, DisplayName: r.DisplayName,
		PasswordHash: r.PasswordHash, Roles: roles, DisabledAt: r.DisabledAt,
		CreatedAt: r.CreatedAt,
	}
}

// UserStore implements cordon.UserStore.
type UserStore struct{ db *DB }

var _ cordon.UserStore = (*UserStore)(nil)

// NewUserStore returns the user store.
func NewUserStore(db *DB) *UserStore { return &UserStore{db: db} }

// FindUserByID returns the user with roles and organisation; ENOTFOUND when absent.
func (s *UserStore) FindUserByID(ctx context.Context, id int64) (*cordon.User, error) {
	return s.findOne(ctx, "users.id = ?", id)
}

// FindSelf returns the caller's own record outside any data scope.
func (s *UserStore) FindSelf(ctx context.Context, id int64) (*cordon.User, error) {
	return s.findOne(detach(ctx), "users.id = ?", id)
}

// FindUserByUsername returns the user with roles and organisation; ENOTFOUND when absent.
func (s *UserStore) FindUserByUsername(ctx context.Context, username string) (*cordon.User, error) {
	return s.findOne(ctx, "users.username = ?", username)
}

func (s *UserStore) findOne(ctx context.Context, cond string, arg any) (*cordon.User, error) {
	var r userRow
	if err := s.db.conn(ctx).Where(cond, arg).First(&r).Error; err != nil {
		return nil, TranslateError(err, "User")
	}
	users, err := s.complete(ctx, []userRow{r})
	if err != nil {
		return nil, err
	}
	return users[0], nil
}

// complete loads the roles and organisations of rows in two queries.
func (s *UserStore) complete(ctx context.Context, rows []userRow) ([]*cordon.User, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	orgIDs := make([]int64, 0, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
		orgIDs = append(orgIDs, r.OrgID)
	}
	var roleRows []userRoleRow
	if err := s.db.conn(ctx).Where("user_id IN ?", ids).Order("role").Find(&roleRows).Error; err != nil {
		return nil, TranslateError(err, "User")
	}
	roles := map[int64][]cordon.Role{}
	for _, rr := range roleRows {
		roles[rr.UserID] = append(roles[rr.UserID], cordon.Role(rr.Role))
	}
	var orgRows []orgRow
	if err := s.db.conn(ctx).Where("id IN ?", orgIDs).Find(&orgRows).Error; err != nil {
		return nil, TranslateError(err, "Organisation")
	}
	orgs := map[int64]*cordon.Org{}
	for i := range orgRows {
		orgs[orgRows[i].ID] = toOrg(&orgRows[i])
	}
	out := make([]*cordon.User, len(rows))
	for i := range rows {
		out[i] = toUser(&rows[i], roles[rows[i].ID], orgs[rows[i].OrgID])
	}
	return out, nil
}

// FindUsers returns a page of users ordered by username, and the total.
func (s *UserStore) FindUsers(ctx context.Context, f cordon.UserFilter) ([]*cordon.User, int, error) {
	q := s.db.conn(ctx).Model(&userRow{})
	if f.OrgID != nil {
		q = q.Where("org_id = ?", *f.OrgID)
	}
	if f.Role != nil {
		q = q.Where("id IN (?)", s.db.conn(ctx).Model(&userRoleRow{}).Select("user_id").Where("role = ?", string(*f.Role)))
	}
	if f.Query != "" {
		like := "%" + escapeLike(strings.ToLower(f.Query)) + "%"
		q = q.Where("(LOWER(username) LIKE ? ESCAPE '\\' OR LOWER(display_name) LIKE ? ESCAPE '\\')", like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, TranslateError(err, "User")
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	var rows []userRow
	if err := q.Order("username").Offset(f.Offset).Limit(limit).Find(&rows).Error; err != nil {
		return nil, 0, TranslateError(err, "User")
	}
	users, err := s.complete(ctx, rows)
	return users, int(total), err
}

// CreateUser stores u with its roles and sets its ID. What makes a good
// username is the team service's rule (internal/team).
func (s *UserStore) CreateUser(ctx context.Context, u *cordon.User) error {
	if u.PasswordHash == "" {
		return cordon.FieldErr("password", "password_required")
	}
	if len(u.Roles) == 0 {
		return cordon.FieldErr("roles", "store.least_one_role_required")
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		org, err := NewOrgStore(s.db).FindOrgByID(ctx, u.OrgID)
		if err != nil {
			return cordon.FieldErr("org", "organisation_not_found")
		}
		for _, r := range u.Roles {
			if !r.Valid() || !r.AllowedFor(org.Kind) {
				return cordon.FieldErr("roles", "store.role_not_available_user", r, org.Kind)
			}
		}
		row := userRow{
			OrgID: u.OrgID, Username: u.Username, DisplayName: u.DisplayName,
			PasswordHash: u.PasswordHash, CreatedAt: s.db.Now(),
		}
		if err := s.db.conn(ctx).Create(&row).Error; err != nil {
			return TranslateError(err, "User")
		}
		for _, r := range u.Roles {
			if err := s.db.conn(ctx).Create(&userRoleRow{UserID: row.ID, Role: string(r)}).Error; err != nil {
				return TranslateError(err, "Role")
			}
		}
		u.ID, u.CreatedAt, u.Org = row.ID, row.CreatedAt, org
		return nil
	})
}

// DisableUser marks the user disabled and revokes all its sessions in the
// same transaction, so its tokens fail on the next request.
func (s *UserStore) DisableUser(ctx context.Context, id int64, at time.Time) error {
	ctx = detach(ctx) // sessions are outside every data scope
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		res := s.db.conn(ctx).Model(&userRow{}).Where("id = ?", id).Update("disabled_at", at.UTC())
		if res.Error != nil {
			return TranslateError(res.Error, "User")
		}
		if res.RowsAffected == 0 {
			return cordon.Err(cordon.ENOTFOUND, "user.not_found")
		}
		err := s.db.conn(ctx).Model(&sessionRow{}).
			Where("user_id = ? AND revoked_at IS NULL", id).
			Updates(map[string]any{"revoked_at": at.UTC(), "reason": "disabled"}).Error
		return TranslateError(err, "Session")
	})
}
