package authn_test

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAuthenticateRefusesBadTokens(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		real := f.login(t, f.partner).AccessToken
		sid := segment(t, real, 1)["sid"]
		now := f.clock.Now().Unix()
		_, otherKey, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		otherPub := otherKey.Public().(ed25519.PublicKey)
		ours := ed25519Signer(f.key)
		hs256 := func(input string) []byte {
			m := hmac.New(sha256.New, f.svc.PublicKey())
			m.Write([]byte(input))
			return m.Sum(nil)
		}
		// header and claims of a good token, to be spoilt one way per case.
		header := func() map[string]any {
			return map[string]any{"alg": "EdDSA", "typ": "access", "kid": f.svc.KeyID()}
		}
		claims := func() map[string]any {
			return map[string]any{
				"iss": issuer, "aud": []string{audience}, "sub": strconv.FormatInt(f.partner.ID, 10),
				"sid": sid, "typ": "access", "iat": now, "nbf": now, "exp": now + 900,
			}
		}
		tests := []struct {
			name   string
			header func(h map[string]any)
			claims func(c map[string]any)
			sign   signer // nil: our key
			raw    func() string
			ok     bool
		}{
			// Controls: forge makes tokens the service accepts, so each
			// refusal below is for the one fault it adds.
			{name: "control: well formed", ok: true},
			{name: "control: expired 10s ago, within leeway", ok: true, claims: func(c map[string]any) { c["exp"] = now - 10 }},
			{name: "control: audience among others", ok: true, claims: func(c map[string]any) { c["aud"] = []string{"other", audience} }},
			{name: "control: the real token", ok: true, raw: func() string { return real }},

			{name: "alg none", header: func(h map[string]any) { h["alg"] = "none" }, sign: func(string) []byte { return nil }},
			{name: "alg none, upper case", header: func(h map[string]any) { h["alg"] = "NONE" }, sign: func(string) []byte { return nil }},
			{name: "HS256 keyed with the public key", header: func(h map[string]any) { h["alg"] = "HS256" }, sign: hs256},
			{name: "signed by another key", sign: ed25519Signer(otherKey)},
			{
				name: "embedded jwk of another key",
				header: func(h map[string]any) {
					h["jwk"] = map[string]any{"kty": "OKP", "crv": "Ed25519", "x": base64.RawURLEncoding.EncodeToString(otherPub)}
				},
				sign: ed25519Signer(otherKey),
			},
			{name: "jku to another key set", header: func(h map[string]any) { h["jku"] = "http://127.0.0.1:1/keys.json" }, sign: ed25519Signer(otherKey)},
			{name: "x5u to another certificate", header: func(h map[string]any) { h["x5u"] = "http://127.0.0.1:1/cert.pem" }, sign: ed25519Signer(otherKey)},
			{name: "unknown kid", header: func(h map[string]any) { h["kid"] = "0123456789abcdef" }},
			{name: "no kid", header: func(h map[string]any) { delete(h, "kid") }},
			{name: "critical extension", header: func(h map[string]any) { h["crit"] = []string{"exp"} }},
			{name: "typ refresh", header: func(h map[string]any) { h["typ"] = "refresh" }, claims: func(c map[string]any) { c["typ"] = "refresh" }},
			{name: "typ JWT in header", header: func(h map[string]any) { h["typ"] = "JWT" }},
			{name: "no typ in header", header: func(h map[string]any) { delete(h, "typ") }},
			{name: "no typ in claims", claims: func(c map[string]any) { delete(c, "typ") }},
			{name: "typ refresh in claims", claims: func(c map[string]any) { c["typ"] = "refresh" }},
			{name: "expired beyond leeway", claims: func(c map[string]any) { c["exp"] = now - 60 }},
			{name: "no exp", claims: func(c map[string]any) { delete(c, "exp") }},
			{name: "nbf in the future beyond leeway", claims: func(c map[string]any) { c["nbf"] = now + 120 }},
			{name: "iat in the future beyond leeway", claims: func(c map[string]any) { c["iat"] = now + 120 }},
			{name: "wrong issuer", claims: func(c map[string]any) { c["iss"] = "https://evil.test" }},
			{name: "no issuer", claims: func(c map[string]any) { delete(c, "iss") }},
			{name: "wrong audience", claims: func(c map[string]any) { c["aud"] = []string{"other"} }},
			{name: "no audience", claims: func(c map[string]any) { delete(c, "aud") }},
			{name: "another user in this session", claims: func(c map[string]any) { c["sub"] = strconv.FormatInt(f.staff.ID, 10) }},
			{name: "sub not a number", claims: func(c map[string]any) { c["sub"] = "hefei.tech" }},
			{name: "no sub", claims: func(c map[string]any) { delete(c, "sub") }},
			{name: "unknown session", claims: func(c map[string]any) { c["sid"] = "AAAAAAAAAAAAAAAAAAAAAA" }},
			{name: "no session", claims: func(c map[string]any) { delete(c, "sid") }},
			{
				name: "payload changed under the signature",
				raw: func() string {
					parts := strings.Split(real, ".")
					c := segment(t, real, 1)
					c["sub"] = strconv.FormatInt(f.staff.ID, 10)
					return parts[0] + "." + encodeJSON(t, c) + "." + parts[2]
				},
			},
			{
				name: "signature stripped",
				raw: func() string {
					parts := strings.Split(real, ".")
					return parts[0] + "." + parts[1] + "."
				},
			},
			{name: "signed and valid, but over 4096 bytes", claims: func(c map[string]any) { c["pad"] = strings.Repeat("x", 4096) }},
			{name: "1 MB of dots", raw: func() string { return strings.Repeat(".", 1<<20) }},
			{name: "empty", raw: func() string { return "" }},
			{name: "garbage", raw: func() string { return "not.a.jwt" }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var token string
				if tt.raw != nil {
					token = tt.raw()
				} else {
					h, c := header(), claims()
					if tt.header != nil {
						tt.header(h)
					}
					if tt.claims != nil {
						tt.claims(c)
					}
					sign := tt.sign
					if sign == nil {
						sign = ours
					}
					token = forge(t, h, c, sign)
				}
				start := time.Now()
				a, err := f.svc.Authenticate(ctx, token)
				elapsed := time.Since(start)
				if tt.ok {
					if err != nil {
						t.Fatalf("got %v, want an actor", err)
					}
					if got, want := a.UserID, f.partner.ID; got != want {
						t.Errorf("UserID = %d, want %d", got, want)
					}
					return
				}
				if a != nil {
					t.Errorf("got actor %+v, want none", a)
				}
				wantError(t, err, errAuth())
				if len(token) > 4096 && elapsed > 100*time.Millisecond {
					t.Errorf("refusing a %d-byte token took %v, want it refused unread", len(token), elapsed)
				}
			})
		}
	})
}
