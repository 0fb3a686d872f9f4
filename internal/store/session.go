package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/cordon/cordon/internal/cordon"
)

// sessionRow is the sessions table.
type sessionRow struct {
	ID        string `gorm:"primaryKey"`
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
	Reason    string
}

func (sessionRow) TableName() string { return "sessions" }

// refreshTokenRow is the refresh_tokens table.
type refreshTokenRow struct {
	Hash      string `gorm:"primaryKey"`
	SessionID string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (refreshTokenRow) TableName() string { return "refresh_tokens" }

// sessionUserRow is one row of sessions joined with users.
type sessionUserRow struct {
	ID            string
	UserID        int64
	CreatedAt     time.Time
	ExpiresAt     time.Time
	RevokedAt     *time.Time
	Reason        string
	OrgID         int64
	Username      string
	DisplayName   string
	PasswordHash  string
	DisabledAt    *time.Time
	UserCreatedAt time.Time
}

func toSession(r *sessionRow) *cordon.Session {
	return &cordon.Session{
		ID: r.ID, UserID: r.UserID, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt,
		RevokedAt: r.RevokedAt, Reason: r.Reason,
	}
}

func toRefreshTokenRow(t *cordon.RefreshToken) *refreshTokenRow {
	return &refreshTokenRow{
		Hash: t.Hash, SessionID: t.SessionID, CreatedAt: t.CreatedAt.UTC(),
		ExpiresAt: t.ExpiresAt.UTC(), UsedAt: t.UsedAt,
	}
}

// live reports whether the session can still be used at now.
func (r *sessionRow) live(now time.Time) bool {
	return r.RevokedAt == nil && now.Before(r.ExpiresAt)
}

// errSessionInvalid is the one answer for a token or session that cannot be
// used, whatever the reason: the caller learns nothing more.
func errSessionInvalid() error {
	return cordon.Err(cordon.EUNAUTHENTICATED, "authentication_required")
}

// SessionStore implements cordon.SessionStore.
type SessionStore struct{ db *DB }

var _ cordon.SessionStore = (*SessionStore)(nil)

// NewSessionStore returns the session store.
func NewSessionStore(db *DB) *SessionStore { return &SessionStore{db: db} }

// CreateSession stores s with its first refresh token in one transaction and
// sets first.SessionID. EINVALID when an id or hash is missing.
func (s *SessionStore) CreateSession(ctx context.Context, sess *cordon.Session, first *cordon.RefreshToken) error {
	ctx = detach(ctx)
	if sess.ID == "" || sess.UserID == 0 {
		return cordon.FieldErr("session", "store.session_id_user_required")
	}
	if first == nil || first.Hash == "" {
		return cordon.FieldErr("refresh_token", "refresh_token_required")
	}
	first.SessionID = sess.ID
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		row := sessionRow{
			ID: sess.ID, UserID: sess.UserID, CreatedAt: sess.CreatedAt.UTC(),
			ExpiresAt: sess.ExpiresAt.UTC(), RevokedAt: sess.RevokedAt, Reason: sess.Reason,
		}
		if err := s.db.conn(ctx).Create(&row).Error; err != nil {
			return TranslateError(err, "Session")
		}
		if err := s.db.conn(ctx).Create(toRefreshTokenRow(first)).Error; err != nil {
			return TranslateError(err, "Refresh token")
		}
		return nil
	})
}

// RotateRefreshToken spends the token with hash old and stores next in its
// session, in one transaction; it sets next.SessionID and caps
// next.ExpiresAt at the session's expiry.
//
// The spend is a conditional UPDATE (used_at IS NULL) whose row count decides
// the race: of two concurrent rotations of one token exactly one succeeds, on
// PostgreSQL as on SQLite. The loser, like anyone presenting a spent token,
// is treated as a thief: the whole session is revoked (reason "reuse") and
// the answer is EUNAUTHENTICATED. Unknown or expired tokens, revoked or
// expired sessions and disabled users give EUNAUTHENTICATED too.
//
// Call it outside any transaction of your own: the reuse revocation must
// commit although the call fails.
func (s *SessionStore) RotateRefreshToken(ctx context.Context, old string, next *cordon.RefreshToken, now time.Time) (*cordon.Session, error) {
	ctx = detach(ctx)
	if next == nil || next.Hash == "" {
		return nil, cordon.FieldErr("refresh_token", "refresh_token_required")
	}
	now = now.UTC()
	var (
		reused bool
		sess   sessionRow
	)
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		var tok refreshTokenRow
		if err := s.db.conn(ctx).Where("hash = ?", old).First(&tok).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return errSessionInvalid()
			}
			return TranslateError(err, "Refresh token")
		}
		spend := s.db.conn(ctx).Model(&refreshTokenRow{}).
			Where("hash = ? AND used_at IS NULL", old).
			Update("used_at", now)
		if spend.Error != nil {
			return TranslateError(spend.Error, "Refresh token")
		}
		if spend.RowsAffected == 0 {
			// Spent before, or by a concurrent rotation that won the race.
			reused = true
			return s.revoke(ctx, tok.SessionID, "reuse", now)
		}
		if !now.Before(tok.ExpiresAt) {
			return errSessionInvalid()
		}
		if err := s.db.conn(ctx).Where("id = ?", tok.SessionID).First(&sess).Error; err != nil {
			return TranslateError(err, "Session")
		}
		if !sess.live(now) {
			return errSessionInvalid()
		}
		var enabled int64
		if err := s.db.conn(ctx).Model(&userRow{}).
			Where("id = ? AND disabled_at IS NULL", sess.UserID).Count(&enabled).Error; err != nil {
			return TranslateError(err, "User")
		}
		if enabled == 0 {
			return errSessionInvalid()
		}
		next.SessionID = sess.ID
		if next.ExpiresAt.After(sess.ExpiresAt) {
			next.ExpiresAt = sess.ExpiresAt
		}
		if err := s.db.conn(ctx).Create(toRefreshTokenRow(next)).Error; err != nil {
			return TranslateError(err, "Refresh token")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if reused {
		return nil, errSessionInvalid()
	}
	return toSession(&sess), nil
}

// RevokeSession revokes the session; revoking a revoked one is not an error.
// ENOTFOUND when there is no such session.
func (s *SessionStore) RevokeSession(ctx context.Context, id string, reason string, at time.Time) error {
	ctx = detach(ctx)
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		var n int64
		if err := s.db.conn(ctx).Model(&sessionRow{}).Where("id = ?", id).Count(&n).Error; err != nil {
			return TranslateError(err, "Session")
		}
		if n == 0 {
			return cordon.Err(cordon.ENOTFOUND, "session.not_found")
		}
		return s.revoke(ctx, id, reason, at.UTC())
	})
}

// revoke marks a live session revoked, keeping the first reason.
func (s *SessionStore) revoke(ctx context.Context, id, reason string, at time.Time) error {
	err := s.db.conn(ctx).Model(&sessionRow{}).
		Where("id = ? AND revoked_at IS NULL", id).
		Updates(map[string]any{"revoked_at": at, "reason": reason}).Error
	return TranslateError(err, "Session")
}

// ActiveSession returns the session and its user, with roles and
// organisation, when the session is neither revoked nor expired at now and
// the user is not disabled; EUNAUTHENTICATED otherwise.
func (s *SessionStore) ActiveSession(ctx context.Context, id string, now time.Time) (*cordon.Session, *cordon.User, error) {
	ctx = detach(ctx)
	var r sessionUserRow
	err := s.db.conn(ctx).Table("sessions").
		Select(`sessions.id, sessions.user_id, sessions.created_at, sessions.expires_at,
			sessions.revoked_at, sessions.reason, users.org_id, users.username,
			users.display_name, users.password_hash, users.disabled_at,
			users.created_at AS user_created_at`).
		Joins("JOIN users ON users.id = sessions.user_id").
		Where("sessions.id = ? AND sessions.revoked_at IS NULL AND users.disabled_at IS NULL", id).
		Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, errSessionInvalid()
	}
	if err != nil {
		return nil, nil, TranslateError(err, "Session")
	}
	sess := sessionRow{
		ID: r.ID, UserID: r.UserID, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt,
		RevokedAt: r.RevokedAt, Reason: r.Reason,
	}
	if !sess.live(now.UTC()) {
		return nil, nil, errSessionInvalid()
	}
	users, err := (&UserStore{db: s.db}).complete(ctx, []userRow{{
		ID: r.UserID, OrgID: r.OrgID, Username: r.Username, DisplayName: r.DisplayName,
		PasswordHash: r.PasswordHash, DisabledAt: r.DisabledAt, CreatedAt: r.UserCreatedAt,
	}})
	if err != nil {
		return nil, nil, err
	}
	return toSession(&sess), users[0], nil
}
