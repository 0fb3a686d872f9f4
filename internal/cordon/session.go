package cordon

import (
	"context"
	"time"
)

// Session is one login: a family of refresh tokens. Every access token names
// its session, and a revoked session refuses its tokens on the next request.
type Session struct {
	ID        string // random, URL-safe
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
	Reason    string // why it was revoked: logout, reuse, disabled, ...
}

// RefreshToken is one opaque refresh token, stored by the SHA-256 of its
// value. A token is used once; using a spent one revokes the whole family.
type RefreshToken struct {
	Hash      string // hex SHA-256 of the token value
	SessionID string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// SessionStore stores login sessions and their refresh tokens.
type SessionStore interface {
	// CreateSession stores a new session with its first refresh token.
	CreateSession(ctx context.Context, s *Session, first *RefreshToken) error
	// RotateRefreshToken spends the token with hash old and stores next in the
	// same session, atomically. It returns the session. When old was already
	// spent it revokes the session (reason "reuse") and returns
	// EUNAUTHENTICATED; unknown, expired or revoked tokens give EUNAUTHENTICATED.
	RotateRefreshToken(ctx context.Context, old string, next *RefreshToken, now time.Time) (*Session, error)
	// RevokeSession revokes a session; revoking a revoked one is not an error.
	RevokeSession(ctx context.Context, id string, reason string, at time.Time) error
	// ActiveSession returns the session and its user when the session is live
	// and the user enabled; EUNAUTHENTICATED otherwise.
	ActiveSession(ctx context.Context, id string, now time.Time) (*Session, *User, error)
}
