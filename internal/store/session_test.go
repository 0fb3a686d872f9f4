package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// t0 is the fixed time the session tests start at.
var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// newSessionUser creates a partner organisation and a user in it.
func newSessionUser(t *testing.T, db *store.DB, username string) *cordon.User {
	t.Helper()
	ctx := context.Background()
	org := &cordon.Org{Code: "org-" + username, Name: "Org", Kind: cordon.OrgPartner, HomeCity: "Hefei"}
	if err := store.NewOrgStore(db).CreateOrg(ctx, org); err != nil {
		t.Fatal(err)
	}
	u := &cordon.User{OrgID: org.ID, Username: username, PasswordHash: "x", Roles: []cordon.Role{cordon.RolePartnerAdmin}}
	if err := store.NewUserStore(db).CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	return u
}

// newSession stores a 30-day session for u with first refresh token hash.
func newSession(t *testing.T, sessions *store.SessionStore, id string, u *cordon.User, hash string) *cordon.Session {
	t.Helper()
	s := &cordon.Session{ID: id, UserID: u.ID, CreatedAt: t0, ExpiresAt: t0.Add(30 * 24 * time.Hour)}
	first := &cordon.RefreshToken{Hash: hash, CreatedAt: t0, ExpiresAt: s.ExpiresAt}
	if err := sessions.CreateSession(context.Background(), s, first); err != nil {
		t.Fatal(err)
	}
	if got, want := first.SessionID, id; got != want {
		t.Fatalf("first.SessionID = %q, want %q", got, want)
	}
	return s
}

func next(hash string, at time.Time) *cordon.RefreshToken {
	return &cordon.RefreshToken{Hash: hash, CreatedAt: at, ExpiresAt: at.Add(30 * 24 * time.Hour)}
}

func TestRotateRefreshToken(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sessions := store.NewSessionStore(db)
		u := newSessionUser(t, db, "rotator")
		newSession(t, sessions, "s1", u, "h1")

		at := t0.Add(time.Hour)
		n := next("h2", at)
		got, err := sessions.RotateRefreshToken(ctx, "h1", n, at)
		if err != nil {
			t.Fatalf("rotate h1: %v", err)
		}
		if got.ID != "s1" || got.UserID != u.ID || got.RevokedAt != nil {
			t.Errorf("rotate h1: got session %+v, want s1 of user %d, live", got, u.ID)
		}
		if got, want := n.SessionID, "s1"; got != want {
			t.Errorf("next.SessionID = %q, want %q", got, want)
		}
		if got, want := n.ExpiresAt, t0.Add(30*24*time.Hour); !got.Equal(want) {
			t.Errorf("next.ExpiresAt = %v, want capped at session expiry %v", got, want)
		}
		if _, err := sessions.RotateRefreshToken(ctx, "h2", next("h3", at), at); err != nil {
			t.Fatalf("rotate h2: %v", err)
		}

		// h1 is spent: presenting it again revokes the whole family.
		if _, err := sessions.RotateRefreshToken(ctx, "h1", next("h4", at), at); cordon.ErrorCode(err) != cordon.EUNAUTHENTICATED {
			t.Fatalf("reuse h1: got %v, want %s", err, cordon.EUNAUTHENTICATED)
		}
		if _, err := sessions.RotateRefreshToken(ctx, "h3", next("h5", at), at); cordon.ErrorCode(err) != cordon.EUNAUTHENTICATED {
			t.Errorf("newest token after reuse: got %v, want %s", err, cordon.EUNAUTHENTICATED)
		}
		if _, _, err := sessions.ActiveSession(ctx, "s1", at); cordon.ErrorCode(err) != cordon.EUNAUTHENTICATED {
			t.Errorf("ActiveSession after reuse: got %v, want %s", err, cordon.EUNAUTHENTICATED)
		}
	})
}

func TestRotateRefreshTokenRefused(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, ctx context.Context, db *store.DB, sessions *store.SessionStore)
		token string
		at    time.Time
		// live: the session survives the refusal (no theft was detected).
		live bool
	}{
		{name: "unknown token", token: "nope", at: t0, live: true},
		{
			name:  "expired token",
			token: "h1", at: t0.Add(2 * time.Hour), live: true,
			setup: func(t *testing.T, ctx context.Context, db *store.DB, sessions *store.SessionStore) {
				if err := store.ExecForTest(ctx, db, "UPDATE refresh_tokens SET expires_at = ? WHERE hash = 'h1'", t0.Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name:  "revoked session",
			token: "h1", at: t0,
			setup: func(t *testing.T, ctx context.Context, db *store.DB, sessions *store.SessionStore) {
				if err := sessions.RevokeSession(ctx, "s1", "logout", t0); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name:  "user disabled under the service",
			token: "h1", at: t0,
			setup: func(t *testing.T, ctx context.Context, db *store.DB, sessions *store.SessionStore) {
				if err := store.ExecForTest(ctx, db, "UPDATE users SET disabled_at = ?", t0); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name:  "expired session, token still valid",
			token: "h1", at: t0.Add(2 * time.Hour),
			setup: func(t *testing.T, ctx context.Context, db *store.DB, sessions *store.SessionStore) {
				if err := store.ExecForTest(ctx, db, "UPDATE sessions SET expires_at = ? WHERE id = 's1'", t0.Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				sessions := store.NewSessionStore(db)
				newSession(t, sessions, "s1", newSessionUser(t, db, "refused"), "h1")
				if tt.setup != nil {
					tt.setup(t, ctx, db, sessions)
				}
				_, err := sessions.RotateRefreshToken(ctx, tt.token, next("h2", tt.at), tt.at)
				if got, want := cordon.ErrorCode(err), cordon.EUNAUTHENTICATED; got != want {
					t.Fatalf("rotate: got %v, want %s", err, want)
				}
				_, _, err = sessions.ActiveSession(ctx, "s1", tt.at)
				if got := err == nil; got != tt.live {
					t.Fatalf("session live after refusal = %v (%v), want %v", got, err, tt.live)
				}
				if !tt.live {
					return
				}
				// The refused rotation stored nothing: h2 is unknown.
				if _, err := sessions.RotateRefreshToken(ctx, "h2", next("h3", tt.at), tt.at); cordon.ErrorCode(err) != cordon.EUNAUTHENTICATED {
					t.Errorf("rotate h2: got %v, want %s", err, cordon.EUNAUTHENTICATED)
				}
			})
		})
	}
}

func TestRotateUnknownTokenSpendsNothing(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sessions := store.NewSessionStore(db)
		newSession(t, sessions, "s1", newSessionUser(t, db, "spender"), "h1")
		if _, err := sessions.RotateRefreshToken(ctx, "nope", next("h2", t0), t0); cordon.ErrorCode(err) != cordon.EUNAUTHENTICATED {
			t.Fatalf("unknown: got %v, want %s", err, cordon.EUNAUTHENTICATED)
		}
		if _, err := sessions.RotateRefreshToken(ctx, "h1", next("h3", t0), t0); err != nil {
			t.Errorf("h1 after an unknown token: got %v, want success", err)
		}
	})
}

func TestRotateRefreshTokenConcurrent(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sessions := store.NewSessionStore(db)
		newSession(t, sessions, "s1", newSessionUser(t, db, "racer"), "h1")

		const n = 8
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  = make([]error, n)
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = sessions.RotateRefreshToken(ctx, "h1", next(fmt.Sprintf("next-%d", i), t0), t0)
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for i, err := range errs {
			switch cordon.ErrorCode(err) {
			case "":
				ok++
			case cordon.EUNAUTHENTICATED:
			default:
				t.Errorf("rotation %d: got %v, want success or %s", i, err, cordon.EUNAUTHENTICATED)
			}
		}
		if got, want := ok, 1; got != want {
			t.Errorf("successful rotations = %d, want %d", got, want)
		}
		// The losers presented a spent token: the family is revoked.
		if _, _, err := sessions.ActiveSession(ctx, "s1", t0); cordon.ErrorCode(err) != cordon.EUNAUTHENTICATED {
			t.Errorf("session after the race: got %v, want %s", err, cordon.EUNAUTHENTICATED)
		}
	})
}

func TestActiveSession(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, ctx context.Context, db *store.DB, u *cordon.User)
		id    string
		at    time.Time
		ok    bool
	}{
		{name: "live", id: "s1", at: t0.Add(time.Hour), ok: true},
		{name: "unknown", id: "s2", at: t0.Add(time.Hour)},
		{name: "expired", id: "s1", at: t0.Add(30 * 24 * time.Hour)},
		{
			name: "revoked", id: "s1", at: t0.Add(time.Hour),
			setup: func(t *testing.T, ctx context.Context, db *store.DB, u *cordon.User) {
				if err := store.NewSessionStore(db).RevokeSession(ctx, "s1", "logout", t0); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "user disabled", id: "s1", at: t0.Add(time.Hour),
			setup: func(t *testing.T, ctx context.Context, db *store.DB, u *cordon.User) {
				// Disable under the service so the session itself stays live.
				if err := store.ExecForTest(ctx, db, "UPDATE users SET disabled_at = ? WHERE id = ?", t0, u.ID); err != nil {
					t.Fatal(err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				sessions := store.NewSessionStore(db)
				u := newSessionUser(t, db, "active")
				newSession(t, sessions, "s1", u, "h1")
				if tt.setup != nil {
					tt.setup(t, ctx, db, u)
				}
				sess, user, err := sessions.ActiveSession(ctx, tt.id, tt.at)
				if !tt.ok {
					if got, want := cordon.ErrorCode(err), cordon.EUNAUTHENTICATED; got != want {
						t.Fatalf("got %v, want %s", err, want)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got, want := sess.ID, "s1"; got != want {
					t.Errorf("session id = %q, want %q", got, want)
				}
				want, err := store.NewUserStore(db).FindUserByID(ctx, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, user); diff != "" {
					t.Errorf("user mismatch (-want +got):\n%s", diff)
				}
			})
		})
	}
}

func TestRevokeSession(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sessions := store.NewSessionStore(db)
		newSession(t, sessions, "s1", newSessionUser(t, db, "revoker"), "h1")
		newSession(t, sessions, "s2", newSessionUser(t, db, "bystander"), "h2")
		if err := sessions.RevokeSession(ctx, "s1", "logout", t0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := sessions.ActiveSession(ctx, "s1", t0); cordon.ErrorCode(err) != cordon.EUNAUTHENTICATED {
			t.Errorf("revoked session: got %v, want %s", err, cordon.EUNAUTHENTICATED)
		}
		if _, _, err := sessions.ActiveSession(ctx, "s2", t0); err != nil {
			t.Errorf("other session: got %v, want live", err)
		}
		if err := sessions.RevokeSession(ctx, "s1", "disabled", t0.Add(time.Minute)); err != nil {
			t.Errorf("second revoke: got %v, want nil", err)
		}
		if err := sessions.RevokeSession(ctx, "nope", "logout", t0); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("unknown session: got %v, want %s", err, cordon.ENOTFOUND)
		}
	})
}
