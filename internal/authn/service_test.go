package authn_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cordon/cordon/internal/authn"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// The store's throttle is the one authn is wired with.
var _ authn.Throttle = (*store.LoginThrottle)(nil)

const (
	password = "correct horse battery"
	issuer   = "https://cordon.test"
	audience = "cordon-api"
)

// t0 is where every test's clock starts.
var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// clock is a settable clock shared by the service and the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// fixture is a service on a real database with a partner technician, an
// institute dispatcher and a disabled user, all with password.
type fixture struct {
	svc      *authn.Service
	clock    *clock
	users    *store.UserStore
	key      ed25519.PrivateKey
	partner  *cordon.User
	staff    *cordon.User
	disabled *cordon.User
}

// cheap keeps the many logins of these tests fast; the parameters
// themselves are tested in password_test.go.
func cheap() authn.Params { return authn.Params{Memory: 64, Time: 1, Threads: 1} }

// each runs fn on SQLite and PostgreSQL with a fresh fixture.
func each(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Helper()
	clk := &clock{}
	storetest.Each(t, storetest.Options{Now: clk.Now}, func(t *testing.T, db *store.DB) {
		clk.Set(t0)
		fn(t, newFixture(t, db, clk))
	})
}

func newFixture(t *testing.T, db *store.DB, clk *clock) *fixture {
	t.Helper()
	ctx := context.Background()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{clock: clk, users: store.NewUserStore(db), key: key}
	f.svc = authn.NewService(authn.Config{
		Users:    f.users,
		Sessions: store.NewSessionStore(db),
		Throttle: store.NewLoginThrottle(db),
		Key:      key,
		Issuer:   issuer,
		Audience: audience,
		Now:      clk.Now,
		Password: cheap(),
	})
	orgs := store.NewOrgStore(db)
	partner := &cordon.Org{Code: "hefei", Name: "Hefei Service", Kind: cordon.OrgPartner, HomeCity: "Hefei"}
	institute := &cordon.Org{Code: "institute", Name: "Institute", Kind: cordon.OrgInstitute}
	for _, o := range []*cordon.Org{partner, institute} {
		if err := orgs.CreateOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	hash, err := cheap().Hash(password)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(org *cordon.Org, name string, roles ...cordon.Role) *cordon.User {
		u := &cordon.User{OrgID: org.ID, Username: name, PasswordHash: hash, Roles: roles}
		if err := f.users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.partner = mk(partner, "hefei.tech", cordon.RolePartnerTechnician)
	f.staff = mk(institute, "dispatch", cordon.RoleDispatcher, cordon.RoleEngineer)
	f.disabled = mk(partner, "hefei.gone", cordon.RolePartnerAdmin)
	if err := f.users.DisableUser(ctx, f.disabled.ID, t0); err != nil {
		t.Fatal(err)
	}
	return f
}

// login logs in or fails the test.
func (f *fixture) login(t *testing.T, u *cordon.User) *cordon.Tokens {
	t.Helper()
	tok, err := f.svc.Login(context.Background(), u.Username, password)
	if err != nil {
		t.Fatalf("login %s: %v", u.Username, err)
	}
	return tok
}

// wantError fails the test unless err is exactly a *cordon.Error with the
// given code and message (and RetryAfter, for ETOOMANY).
func wantError(t *testing.T, err error, want *cordon.Error) {
	t.Helper()
	var got *cordon.Error
	if !errors.As(err, &got) {
		t.Fatalf("got %v, want %v", err, want)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error mismatch (-want +got):\n%s", diff)
	}
}

func errWrong() *cordon.Error {
	return &cordon.Error{Code: cordon.EUNAUTHENTICATED, Key: "wrong_username_password", Message: "Wrong username or password."}
}

func errAuth() *cordon.Error {
	return &cordon.Error{Code: cordon.EUNAUTHENTICATED, Key: "authentication_required", Message: "Authentication required."}
}

func errTooMany(retry int) *cordon.Error {
	return &cordon.Error{Code: cordon.ETOOMANY, Key: "authn.too_many_failed_attempts_try", Message: "Too many failed attempts. Try again later.", RetryAfter: retry}
}

func TestLogin(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		tests := []struct {
			name     string
			username string
			password string
			want     *cordon.Error
		}{
			{name: "wrong password", username: f.partner.Username, password: "not the password", want: errWrong()},
			{name: "unknown user", username: "nobody", password: password, want: errWrong()},
			{name: "disabled user, right password", username: f.disabled.Username, password: password, want: errWrong()},
			{name: "empty", want: errWrong()},
			{name: "oversized password", username: f.partner.Username, password: strings.Repeat("x", 1<<16), want: errWrong()},
			{name: "oversized username", username: strings.Repeat("a", 1<<16), password: password, want: errWrong()},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tok, err := f.svc.Login(context.Background(), tt.username, tt.password)
				if tok != nil {
					t.Errorf("got tokens %+v, want none", tok)
				}
				wantError(t, err, tt.want)
			})
		}
	})
}

func TestLoginAuthenticate(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		tests := []struct {
			name string
			user *cordon.User
			want *cordon.Actor
		}{
			{
				name: "partner technician",
				user: f.partner,
				want: &cordon.Actor{
					UserID: f.partner.ID, Username: "hefei.tech", OrgID: f.partner.OrgID,
					OrgKind: cordon.OrgPartner, PartnerID: f.partner.OrgID,
					Roles: []cordon.Role{cordon.RolePartnerTechnician},
				},
			},
			{
				name: "institute dispatcher",
				user: f.staff,
				want: &cordon.Actor{
					UserID: f.staff.ID, Username: "dispatch", OrgID: f.staff.OrgID,
					OrgKind: cordon.OrgInstitute, PartnerID: 0,
					Roles: []cordon.Role{cordon.RoleDispatcher, cordon.RoleEngineer},
				},
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				tok := f.login(t, tt.user)
				if got, want := tok.TokenType, "Bearer"; got != want {
					t.Errorf("TokenType = %q, want %q", got, want)
				}
				if got, want := tok.ExpiresIn, 900; got != want {
					t.Errorf("ExpiresIn = %d, want %d", got, want)
				}
				if got, want := len(tok.RefreshToken), 43; got != want {
					t.Errorf("len(RefreshToken) = %d, want %d", got, want)
				}
				a, err := f.svc.Authenticate(ctx, tok.AccessToken)
				if err != nil {
					t.Fatalf("Authenticate: %v", err)
				}
				if diff := cmp.Diff(tt.want, a, cmpopts.IgnoreFields(cordon.Actor{}, "SessionID")); diff != "" {
					t.Errorf("actor mismatch (-want +got):\n%s", diff)
				}
				if a.SessionID == "" {
					t.Error("actor has no session id")
				}
				h := segment(t, tok.AccessToken, 0)
				if got, want := h["kid"], f.svc.KeyID(); got != want {
					t.Errorf("kid = %v, want %v", got, want)
				}
				if got, want := h["alg"], "EdDSA"; got != want {
					t.Errorf("alg = %v, want %v", got, want)
				}
			})
		}
	})
}

// lockStep is one login attempt of a lockout scenario.
type lockStep struct {
	advance time.Duration
	right   bool // try the right password of the known user
	want    *cordon.Error
}

func TestLockout(t *testing.T) {
	// The first eleven steps are the same for a known and an unknown user:
	// a lock reveals nothing.
	common := []lockStep{
		{want: errWrong()},
		{want: errWrong()},
		{want: errWrong()},
		{want: errWrong()},
		{advance: time.Minute, want: errTooMany(900)}, // the fifth failure locks for 15 minutes
		{right: true, want: errTooMany(900)},          // even the right password
		{advance: 5 * time.Minute, want: errTooMany(600)},
		{advance: 10*time.Minute - time.Second, right: true, want: errTooMany(1)},
	}
	tests := []struct {
		name  string
		user  func(f *fixture) string
		steps []lockStep
		then  func(t *testing.T, f *fixture)
	}{
		{
			name: "known user",
			user: func(f *fixture) string { return f.partner.Username },
			steps: append(append([]lockStep(nil), common...),
				lockStep{advance: time.Second, right: true}, // lock over: the right password works
				lockStep{want: errWrong()},                  // and resets the count
				lockStep{want: errWrong()},
			),
		},
		{
			name: "unknown user",
			user: func(f *fixture) string { return "nobody" },
			steps: append(append([]lockStep(nil), common...),
				lockStep{advance: time.Second, want: errTooMany(1800)}, // backoff: twice as long
				lockStep{advance: 30 * time.Minute, want: errTooMany(3600)},
			),
		},
		{
			name: "failures under another case count for the same username",
			user: func(f *fixture) string { return "HEFEI.TECH" },
			steps: []lockStep{
				{want: errWrong()}, {want: errWrong()}, {want: errWrong()}, {want: errWrong()},
				{want: errTooMany(900)},
			},
			then: func(t *testing.T, f *fixture) {
				_, err := f.svc.Login(context.Background(), "hefei.tech", password)
				wantError(t, err, errTooMany(900))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			each(t, func(t *testing.T, f *fixture) {
				username := tt.user(f)
				for i, s := range tt.steps {
					f.clock.Advance(s.advance)
					pw := "a wrong password"
					if s.right {
						pw = password
					}
					tok, err := f.svc.Login(context.Background(), username, pw)
					if s.want == nil {
						if err != nil || tok == nil {
							t.Fatalf("step %d: got %v, want tokens", i, err)
						}
						continue
					}
					if err == nil {
						t.Fatalf("step %d: got tokens, want %v", i, s.want)
					}
					wantError(t, err, s.want)
				}
				if tt.then != nil {
					tt.then(t, f)
				}
			})
		})
	}
}

func TestRefresh(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		t1 := f.login(t, f.partner)
		f.clock.Advance(time.Minute)
		t2, err := f.svc.Refresh(ctx, t1.RefreshToken)
		if err != nil {
			t.Fatalf("refresh t1: %v", err)
		}
		if t2.RefreshToken == t1.RefreshToken || t2.AccessToken == t1.AccessToken {
			t.Error("refresh returned the same tokens, want new ones")
		}
		a1, err := f.svc.Authenticate(ctx, t1.AccessToken)
		if err != nil {
			t.Fatalf("authenticate t1: %v", err)
		}
		a2, err := f.svc.Authenticate(ctx, t2.AccessToken)
		if err != nil {
			t.Fatalf("authenticate t2: %v", err)
		}
		if a1.SessionID != a2.SessionID {
			t.Errorf("session changed on refresh: %q, then %q", a1.SessionID, a2.SessionID)
		}

		// The access token expires (beyond the leeway); a refresh still works.
		f.clock.Advance(16 * time.Minute)
		_, err = f.svc.Authenticate(ctx, t2.AccessToken)
		wantError(t, err, errAuth())
		t3, err := f.svc.Refresh(ctx, t2.RefreshToken)
		if err != nil {
			t.Fatalf("refresh t2: %v", err)
		}
		if _, err := f.svc.Authenticate(ctx, t3.AccessToken); err != nil {
			t.Fatalf("authenticate t3: %v", err)
		}

		// t1's refresh token is spent: using it again revokes the family,
		// and the thief's victim loses t3 too.
		_, err = f.svc.Refresh(ctx, t1.RefreshToken)
		wantError(t, err, errAuth())
		_, err = f.svc.Refresh(ctx, t3.RefreshToken)
		wantError(t, err, errAuth())
		_, err = f.svc.Authenticate(ctx, t3.AccessToken)
		wantError(t, err, errAuth())

		// Another session of the same user is untouched.
		other := f.login(t, f.partner)
		if _, err := f.svc.Refresh(ctx, other.RefreshToken); err != nil {
			t.Errorf("other session: %v", err)
		}
	})
}

func TestRefreshRefuses(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		good := f.login(t, f.partner).RefreshToken
		tests := []struct {
			name    string
			token   string
			advance time.Duration
		}{
			{name: "empty"},
			{name: "garbage", token: "abc"},
			{name: "right length, not base64url", token: strings.Repeat("!", 43)},
			{name: "unknown", token: base64.RawURLEncoding.EncodeToString(make([]byte, 32))},
			{name: "an access token", token: f.login(t, f.partner).AccessToken},
			{name: "huge", token: strings.Repeat("A", 1<<20)},
			{name: "after the 30-day session", token: good, advance: 30 * 24 * time.Hour},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f.clock.Advance(tt.advance)
				tok, err := f.svc.Refresh(ctx, tt.token)
				if tok != nil {
					t.Errorf("got tokens, want none")
				}
				wantError(t, err, errAuth())
			})
		}
	})
}

func TestRefreshConcurrent(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		tok := f.login(t, f.partner)
		const n = 10
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  = make([]error, n)
			won   = make([]*cordon.Tokens, n)
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				won[i], errs[i] = f.svc.Refresh(ctx, tok.RefreshToken)
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		var winner *cordon.Tokens
		for i, err := range errs {
			if err == nil {
				ok++
				winner = won[i]
				continue
			}
			if cordon.ErrorCode(err) != cordon.EUNAUTHENTICATED {
				t.Errorf("refresh %d: got %v, want success or %s", i, err, cordon.EUNAUTHENTICATED)
			}
		}
		if got, want := ok, 1; got != want {
			t.Fatalf("successful refreshes = %d, want %d", got, want)
		}
		// The losers presented a spent token, which is what a thief does:
		// the session is revoked and the winner's tokens fail as well.
		_, err := f.svc.Authenticate(ctx, winner.AccessToken)
		wantError(t, err, errAuth())
	})
}

func TestLogout(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		tok := f.login(t, f.partner)
		other := f.login(t, f.partner)
		a, err := f.svc.Authenticate(ctx, tok.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Logout(ctx, a.SessionID); err != nil {
			t.Fatalf("logout: %v", err)
		}
		_, err = f.svc.Authenticate(ctx, tok.AccessToken)
		wantError(t, err, errAuth())
		_, err = f.svc.Refresh(ctx, tok.RefreshToken)
		wantError(t, err, errAuth())
		if _, err := f.svc.Authenticate(ctx, other.AccessToken); err != nil {
			t.Errorf("other session after logout: %v", err)
		}
		if err := f.svc.Logout(ctx, a.SessionID); err != nil {
			t.Errorf("second logout: got %v, want nil", err)
		}
		err = f.svc.Logout(ctx, "no-such-session")
		wantError(t, err, &cordon.Error{Code: cordon.ENOTFOUND, Key: "session.not_found", Message: "Session not found."})
	})
}

func TestDisableUser(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		tok := f.login(t, f.partner)
		if _, err := f.svc.Authenticate(ctx, tok.AccessToken); err != nil {
			t.Fatal(err)
		}
		if err := f.users.DisableUser(ctx, f.partner.ID, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.Authenticate(ctx, tok.AccessToken)
		wantError(t, err, errAuth())
		_, err = f.svc.Refresh(ctx, tok.RefreshToken)
		wantError(t, err, errAuth())
		_, err = f.svc.Login(ctx, f.partner.Username, password)
		wantError(t, err, errWrong())
	})
}

// segment decodes part i (0 header, 1 claims) of a JWT.
func segment(t *testing.T, token string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want 3", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func encodeJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// signer signs a JWT signing input; nil leaves the signature empty.
type signer func(input string) []byte

func ed25519Signer(k ed25519.PrivateKey) signer {
	return func(input string) []byte { return ed25519.Sign(k, []byte(input)) }
}

// forge builds a JWT by hand from header and claims.
func forge(t *testing.T, header, claims map[string]any, sign signer) string {
	t.Helper()
	input := encodeJSON(t, header) + "." + encodeJSON(t, claims)
	var sig []byte
	if sign != nil {
		sig = sign(input)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestNewServiceRefusesBadWiring(t *testing.T) {
	db := storetest.SQLite(t, storetest.Options{})
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := func() authn.Config {
		return authn.Config{
			Users: store.NewUserStore(db), Sessions: store.NewSessionStore(db),
			Throttle: store.NewLoginThrottle(db), Key: key, Issuer: issuer, Audience: audience,
			Password: cheap(),
		}
	}
	tests := []struct {
		name  string
		spoil func(c *authn.Config)
		panic bool
	}{
		{name: "good", spoil: func(c *authn.Config) {}},
		{name: "no users", spoil: func(c *authn.Config) { c.Users = nil }, panic: true},
		{name: "no sessions", spoil: func(c *authn.Config) { c.Sessions = nil }, panic: true},
		{name: "no throttle", spoil: func(c *authn.Config) { c.Throttle = nil }, panic: true},
		{name: "no key", spoil: func(c *authn.Config) { c.Key = nil }, panic: true},
		{name: "short key", spoil: func(c *authn.Config) { c.Key = key[:32] }, panic: true},
		{name: "no issuer", spoil: func(c *authn.Config) { c.Issuer = "" }, panic: true},
		{name: "no audience", spoil: func(c *authn.Config) { c.Audience = "" }, panic: true},
		{name: "password parameters out of bounds", spoil: func(c *authn.Config) { c.Password = authn.Params{Memory: 1 << 30, Time: 1, Threads: 1} }, panic: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good()
			tt.spoil(&c)
			defer func() {
				if got := recover() != nil; got != tt.panic {
					t.Errorf("panicked = %v, want %v", got, tt.panic)
				}
			}()
			s := authn.NewService(c)
			if got, want := len(s.KeyID()), 16; got != want {
				t.Errorf("len(KeyID()) = %d, want %d", got, want)
			}
		})
	}
}
