package authn_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/cordon/cordon/internal/authn"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// FuzzAuthenticate feeds Authenticate arbitrary bytes, starting from a real
// access token and its refresh token: it must never panic, every refusal
// must be EUNAUTHENTICATED (never an internal error that would reach the
// log as a 500), and whatever it accepts must be the user the token was
// issued to — no mutation of a token may authenticate someone else.
func FuzzAuthenticate(f *testing.F) {
	clk := &clock{}
	clk.Set(t0)
	db := storetest.SQLite(f, storetest.Options{Now: clk.Now})
	ctx := context.Background()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	users := store.NewUserStore(db)
	svc := authn.NewService(authn.Config{
		Users: users, Sessions: store.NewSessionStore(db), Throttle: store.NewLoginThrottle(db),
		Key: key, Issuer: issuer, Audience: audience, Now: clk.Now, Password: cheap(),
	})
	org := &cordon.Org{Code: "hefei", Name: "Hefei Service", Kind: cordon.OrgPartner, HomeCity: "Hefei"}
	if err := store.NewOrgStore(db).CreateOrg(ctx, org); err != nil {
		f.Fatal(err)
	}
	hash, err := cheap().Hash(password)
	if err != nil {
		f.Fatal(err)
	}
	tech := &cordon.User{OrgID: org.ID, Username: "hefei.tech", PasswordHash: hash, Roles: []cordon.Role{cordon.RolePartnerTechnician}}
	if err := users.CreateUser(ctx, tech); err != nil {
		f.Fatal(err)
	}
	tok, err := svc.Login(ctx, "hefei.tech", password)
	if err != nil {
		f.Fatal(err)
	}
	real := tok.AccessToken
	parts := strings.Split(real, ".")
	f.Add(real)
	f.Add(tok.RefreshToken)
	f.Add(parts[0] + "." + parts[1] + ".")
	f.Add(parts[0] + "." + parts[1])
	f.Add(parts[1] + "." + parts[0] + "." + parts[2])
	f.Add(real[:len(real)-1] + "A")
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoiYWNjZXNzIn0.eyJzdWIiOiIxIn0.")
	f.Add("a.b.c")
	f.Add("")
	f.Add(strings.Repeat("A", 5000))
	f.Add(real + "." + parts[2])
	f.Fuzz(func(t *testing.T, token string) {
		a, err := svc.Authenticate(ctx, token)
		if err != nil {
			if code := cordon.ErrorCode(err); code != cordon.EUNAUTHENTICATED {
				t.Fatalf("refused with %s, want %s: %v", code, cordon.EUNAUTHENTICATED, err)
			}
			return
		}
		if a.UserID != tech.ID || a.PartnerID != org.ID || a.OrgKind != cordon.OrgPartner {
			t.Fatalf("token %q authenticated %+v, not the user it was issued to", token, a)
		}
	})
}
