package cordon

import "context"

// Tokens are what a login or a refresh hands out.
type Tokens struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int // seconds until the access token expires
	TokenType    string
}

// AuthService logs users in and recognises them on each request.
type AuthService interface {
	// Login returns tokens; EUNAUTHENTICATED for a wrong password, an
	// unknown or a disabled user alike; ETOOMANY while the name is locked.
	Login(ctx context.Context, username, password string) (*Tokens, error)
	// Refresh spends a refresh token and returns new tokens; EUNAUTHENTICATED
	// for an unknown, expired or spent token (a spent one revokes its session).
	Refresh(ctx context.Context, refreshToken string) (*Tokens, error)
	// Logout revokes the session at once.
	Logout(ctx context.Context, sessionID string) error
	// Authenticate checks an access token and that its session is still live;
	// EUNAUTHENTICATED otherwise.
	Authenticate(ctx context.Context, accessToken string) (*Actor, error)
}

// RoleAuthorizer makes function-level decisions from the static role rules.
type RoleAuthorizer interface {
	// Allow reports whether any of roles may take action on resource.
	Allow(roles []Role, resource, action string) bool
}
