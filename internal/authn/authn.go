// Package authn authenticates Cordon's users: argon2id password hashes,
// EdDSA-signed access tokens, rotating refresh tokens and login lockout.
// It is the only package that imports the JWT library.
//
// An access token is short-lived and names its login session; Authenticate
// checks the session in the database on every request, so logout, a disabled
// user or a detected refresh-token theft take effect on the next request on
// every replica.
package authn

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"math"
	"runtime"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/cordon/cordon/internal/cordon"
)

// Login input beyond these sizes cannot match any account.
const (
	maxUsernameLen   = 64 // bytes, as the user store allows
	maxPasswordBytes = 4 * MaxPasswordLen
)

// Defaults for the zero values of Config.
const (
	DefaultAccessTTL  = 15 * time.Minute
	DefaultRefreshTTL = 30 * 24 * time.Hour
)

// Throttle keeps failed-login counts and locks per username, known or not.
// store.LoginThrottle implements it.
type Throttle interface {
	// Check returns the end of username's lock when it is locked at now,
	// nil when it is not.
	Check(ctx context.Context, username string, now time.Time) (*time.Time, error)
	// Fail records a failed login at now, forgetting failures older than
	// window, and locks username for lockFor(failures) when that is
	// positive. It returns the end of the lock, nil when not locked.
	Fail(ctx context.Context, username string, now time.Time, window time.Duration, lockFor func(failures int) time.Duration) (*time.Time, error)
	// Reset forgets the failures and lock of username.
	Reset(ctx context.Context, username string) error
}

// Lockout is the policy for failed logins: after MaxFailures failures within
// Window a username is locked for LockFor, and each further failure (once the
// lock has run out) doubles the lock, up to MaxLock. Zero fields take the
// defaults: 5 failures, 15 minutes, 24 hours, 24 hours.
type Lockout struct {
	MaxFailures int
	LockFor     time.Duration
	MaxLock     time.Duration
	Window      time.Duration
}

func (l Lockout) withDefaults() Lockout {
	if l.MaxFailures <= 0 {
		l.MaxFailures = 5
	}
	if l.LockFor <= 0 {
		l.LockFor = 15 * time.Minute
	}
	if l.MaxLock <= 0 {
		l.MaxLock = 24 * time.Hour
	}
	if l.MaxLock < l.LockFor {
		l.MaxLock = l.LockFor
	}
	if l.Window <= 0 {
		l.Window = 24 * time.Hour
	}
	return l
}

// lockFor returns how long failures failures lock a username.
func (l Lockout) lockFor(failures int) time.Duration {
	if failures < l.MaxFailures {
		return 0
	}
	d := l.LockFor
	for i := l.MaxFailures; i < failures && d < l.MaxLock; i++ {
		d *= 2
	}
	return min(d, l.MaxLock)
}

// Config holds the dependencies and settings of a Service.
type Config struct {
	Users    cordon.UserStore
	Sessions cordon.SessionStore
	Throttle Throttle
	// Key signs access tokens; see LoadOrCreateKey.
	Key ed25519.PrivateKey
	// Issuer and Audience go into every access token and are required back.
	Issuer   string
	Audience string
	// AccessTTL is the life of an access token (default 15 minutes);
	// RefreshTTL the life of a login session (default 30 days).
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now cordon.Clock
	// Lockout is the failed-login policy; zero fields take defaults.
	Lockout Lockout
	// Password are the argon2id parameters of the dummy hash that unknown
	// users are checked against; set them to what new hashes use. Zero
	// means DefaultParams().
	Password Params
	// Hashes bounds how many password hashes run at once: each holds
	// Password.Memory (19 MiB by default) and a core while it runs. Zero
	// means runtime.GOMAXPROCS(0); more would finish no sooner.
	Hashes int
	// HashWait bounds how long a login waits for a free hash slot before
	// it is answered ETOOMANY with Retry-After; zero means DefaultHashWait.
	HashWait time.Duration
}

// Service logs users in and out, rotates refresh tokens and authenticates
// access tokens. It is safe for concurrent use.
type Service struct {
	users      cordon.UserStore
	sessions   cordon.SessionStore
	throttle   Throttle
	key        ed25519.PrivateKey
	pub        ed25519.PublicKey
	kid        string
	issuer     string
	audience   string
	accessTTL  time.Duration
	refreshTTL time.Duration
	now        cordon.Clock
	lockout    Lockout
	dummyHash  string
	parser     *jwt.Parser
	gate       *hashGate
	// verifyPassword is VerifyPassword; tests count hashes through it.
	verifyPassword func(hash, password string) (bool, error)
}

var _ cordon.AuthService = (*Service)(nil)

// NewService fills in the defaults of cfg and returns the service. It
// panics when a dependency, the key, the issuer or the audience is missing,
// or the password parameters are out of bounds: that is a wiring mistake,
// not a condition to handle.
func NewService(cfg Config) *Service {
	switch {
	case cfg.Users == nil || cfg.Sessions == nil || cfg.Throttle == nil:
		panic("authn: Users, Sessions and Throttle are required")
	case len(cfg.Key) != ed25519.PrivateKeySize:
		panic("authn: an Ed25519 signing key is required")
	case cfg.Issuer == "" || cfg.Audience == "":
		panic("authn: Issuer and Audience are required")
	}
	s := &Service{
		users: cfg.Users, sessions: cfg.Sessions, throttle: cfg.Throttle,
		key: cfg.Key, pub: cfg.Key.Public().(ed25519.PublicKey),
		issuer: cfg.Issuer, audience: cfg.Audience,
		accessTTL: cfg.AccessTTL, refreshTTL: cfg.RefreshTTL,
		now: cfg.Now, lockout: cfg.Lockout.withDefaults(),
	}
	s.kid = keyID(s.pub)
	if s.accessTTL <= 0 {
		s.accessTTL = DefaultAccessTTL
	}
	if s.refreshTTL <= 0 {
		s.refreshTTL = DefaultRefreshTTL
	}
	if s.now == nil {
		s.now = time.Now
	}
	params := cfg.Password
	if params == (Params{}) {
		params = DefaultParams()
	}
	var err error
	if s.dummyHash, err = params.Hash(randomToken(24)); err != nil {
		panic(fmt.Sprintf("authn: password parameters: %v", err))
	}
	s.parser = newParser(s.issuer, s.audience, s.now)
	hashes, wait := cfg.Hashes, cfg.HashWait
	if hashes <= 0 {
		hashes = runtime.GOMAXPROCS(0)
	}
	if wait <= 0 {
		wait = DefaultHashWait
	}
	s.gate = newHashGate(hashes, wait)
	s.verifyPassword = VerifyPassword
	return s
}

// PublicKey returns the key that verifies access tokens.
func (s *Service) PublicKey() ed25519.PublicKey { return s.pub }

// KeyID returns the kid of the signing key: the first 16 hex digits of the
// SHA-256 of the public key.
func (s *Service) KeyID() string { return s.kid }

// Login checks username and password and opens a session.
//
// A wrong password, an unknown user and a disabled user all give the same
// EUNAUTHENTICATED and take about the same time. A locked username, known
// or not, gives ETOOMANY with RetryAfter set; every failure counts towards
// the lock, and success clears it. When every password hash slot stays
// taken for Config.HashWait the answer is ETOOMANY with RetryAfter too
// (EUNAVAILABLE when ctx ends first).
func (s *Service) Login(ctx context.Context, username, password string) (*cordon.Tokens, error) {
	now := s.now()
	if len(username) > maxUsernameLen || len(password) > maxPasswordBytes {
		// No account has such a name or password. Take the usual time and
		// leave the database alone: huge keys must not reach the throttle.
		if _, refused, err := s.verify(ctx, s.dummyHash, ""); refused != nil {
			return nil, refused
		} else if err != nil {
			return nil, internal("login: verify password", err)
		}
		return nil, errWrongPassword()
	}
	if until, err := s.throttle.Check(ctx, username, now); err != nil {
		return nil, internal("login: check throttle", err)
	} else if until != nil {
		return nil, tooMany(*until, now)
	}

	user, err := s.users.FindUserByUsername(ctx, username)
	if err != nil && cordon.ErrorCode(err) != cordon.ENOTFOUND {
		return nil, internal("login: find user", err)
	}
	hash := s.dummyHash
	if user != nil {
		hash = user.PasswordHash
	}
	ok, refused, err := s.verify(ctx, hash, password)
	if refused != nil {
		return nil, refused
	}
	if err != nil {
		return nil, internal("login: verify password", err)
	}
	if !ok || user == nil || user.Disabled() {
		until, err := s.throttle.Fail(ctx, username, now, s.lockout.Window, s.lockout.lockFor)
		if err != nil {
			return nil, internal("login: record failure", err)
		}
		if until != nil {
			return nil, tooMany(*until, now)
		}
		return nil, errWrongPassword()
	}
	if err := s.throttle.Reset(ctx, username); err != nil {
		return nil, internal("login: reset throttle", err)
	}

	sid := randomToken(16)
	refresh, first := s.newRefreshToken(now)
	sess := &cordon.Session{ID: sid, UserID: user.ID, CreatedAt: now, ExpiresAt: now.Add(s.refreshTTL)}
	first.SessionID = sid
	if err := s.sessions.CreateSession(ctx, sess, first); err != nil {
		return nil, internal("login: create session", err)
	}
	return s.tokens(user.ID, sid, refresh, now)
}

// Refresh spends a refresh token and returns a new access token and a new
// refresh token in the same session. A token that is unknown, expired, of a
// revoked session or of a disabled user gives EUNAUTHENTICATED; so does a
// token already spent, which also revokes its session: whoever holds the
// newer tokens loses them too.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (*cordon.Tokens, error) {
	now := s.now()
	old, ok := hashRefreshToken(refreshToken)
	if !ok {
		return nil, unauthenticated()
	}
	refresh, next := s.newRefreshToken(now)
	sess, err := s.sessions.RotateRefreshToken(ctx, old, next, now)
	if err != nil {
		return nil, tokenError("refresh: rotate", err)
	}
	// No second look at the session here: a concurrent reuse may revoke it
	// the next moment, and Authenticate checks it on every request anyway.
	return s.tokens(sess.UserID, sess.ID, refresh, now)
}

// Logout revokes the session; its access and refresh tokens fail from the
// next request on. ENOTFOUND when there is no such session.
func (s *Service) Logout(ctx context.Context, sessionID string) error {
	if err := s.sessions.RevokeSession(ctx, sessionID, "logout", s.now()); err != nil {
		if cordon.ErrorCode(err) == cordon.ENOTFOUND {
			return cordon.Err(cordon.ENOTFOUND, "session.not_found")
		}
		return internal("logout", err)
	}
	return nil
}

// Authenticate verifies an access token and checks that its session is
// live and its user enabled, then returns the actor. Any fault in the token
// gives EUNAUTHENTICATED, and nothing of the token is echoed.
func (s *Service) Authenticate(ctx context.Context, accessToken string) (*cordon.Actor, error) {
	now := s.now()
	c, err := s.verifyAccessToken(accessToken)
	if err != nil {
		return nil, err
	}
	sess, user, err := s.sessions.ActiveSession(ctx, c.sessionID, now)
	if err != nil {
		return nil, tokenError("authenticate: active session", err)
	}
	if user.ID != c.userID || sess.UserID != c.userID || user.Org == nil {
		return nil, unauthenticated()
	}
	a := &cordon.Actor{
		UserID:    user.ID,
		Username:  user.Username,
		OrgID:     user.OrgID,
		OrgKind:   user.Org.Kind,
		Roles:     append([]cordon.Role(nil), user.Roles...),
		SessionID: sess.ID,
	}
	if a.OrgKind == cordon.OrgPartner {
		a.PartnerID = user.OrgID
	}
	return a, nil
}

// tokens signs an access token and packs it with the refresh token.
func (s *Service) tokens(userID int64, sessionID, refresh string, now time.Time) (*cordon.Tokens, error) {
	access, err := s.signAccessToken(userID, sessionID, now)
	if err != nil {
		return nil, err
	}
	return &cordon.Tokens{
		AccessToken:  access,
		RefreshToken: refresh,
		ExpiresIn:    int(s.accessTTL / time.Second),
		TokenType:    "Bearer",
	}, nil
}

// newRefreshToken returns a fresh refresh token and its stored form.
func (s *Service) newRefreshToken(now time.Time) (string, *cordon.RefreshToken) {
	value := randomToken(refreshTokenBytes)
	hash, _ := hashRefreshToken(value)
	return value, &cordon.RefreshToken{Hash: hash, CreatedAt: now, ExpiresAt: now.Add(s.refreshTTL)}
}

// unauthenticated is the one answer for a bad token.
func unauthenticated() *cordon.Error {
	return cordon.Err(cordon.EUNAUTHENTICATED, "authentication_required")
}

// errWrongPassword is the one answer for a failed login, whatever failed.
func errWrongPassword() *cordon.Error {
	return cordon.Err(cordon.EUNAUTHENTICATED, "wrong_username_password")
}

// tooMany is the answer for a locked username.
func tooMany(until, now time.Time) *cordon.Error {
	e := cordon.Err(cordon.ETOOMANY, "authn.too_many_failed_attempts_try")
	e.RetryAfter = max(1, int(math.Ceil(until.Sub(now).Seconds())))
	return e
}

// tokenError turns a dependency's refusal of a token or session into the
// one EUNAUTHENTICATED answer, and anything else into an internal error.
func tokenError(op string, err error) error {
	if cordon.ErrorCode(err) == cordon.EUNAUTHENTICATED {
		return unauthenticated()
	}
	return internal(op, err)
}

// internalError answers EINTERNAL (EUNAVAILABLE when the database is
// unreachable or slow) while keeping the cause for the log.
type internalError struct {
	err   *cordon.Error
	op    string
	cause error
}

func (e *internalError) Error() string   { return "authn: " + e.op + ": " + e.cause.Error() }
func (e *internalError) Unwrap() []error { return []error{e.err, e.cause} }

// internal wraps a failure that is not the caller's fault.
func internal(op string, err error) error {
	if ce := cordon.AsError(err); ce != nil && ce.Code == cordon.EUNAVAILABLE {
		return &internalError{err: ce, op: op, cause: err}
	}
	return &internalError{err: cordon.Err(cordon.EINTERNAL, "internal_error"), op: op, cause: err}
}

// randomToken returns n random bytes, base64url-encoded without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails: it crashes the program instead
	return encodeToken(b)
}
