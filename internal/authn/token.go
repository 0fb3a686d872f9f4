package authn

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	// accessType is the typ of an access token, in the JOSE header and in
	// the claims: a token of any other type is refused.
	accessType = "access"
	// maxTokenLen bounds an access token; longer ones are refused unread.
	maxTokenLen = 4096
	// leeway absorbs clock skew between replicas.
	leeway = 30 * time.Second
	// refreshTokenBytes is the entropy of a refresh token.
	refreshTokenBytes = 32
)

// accessClaims are the claims of an access token.
type accessClaims struct {
	jwt.RegisteredClaims
	SessionID string `json:"sid"`
	Type      string `json:"typ"`
}

// verifiedClaims is what a good access token says.
type verifiedClaims struct {
	userID    int64
	sessionID string
}

// newParser returns the one way access tokens are read: EdDSA only, with
// issuer, audience and expiry required and checked against now.
func newParser(issuer, audience string, now func() time.Time) *jwt.Parser {
	return jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithAudience(audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(leeway),
		jwt.WithTimeFunc(now),
		jwt.WithStrictDecoding(),
	)
}

// signAccessToken returns a signed access token for the user in a session.
func (s *Service) signAccessToken(userID int64, sessionID string, now time.Time) (string, error) {
	c := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.issuer,
			Subject:   strconv.FormatInt(userID, 10),
			Audience:  jwt.ClaimStrings{s.audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.accessTTL)),
		},
		SessionID: sessionID,
		Type:      accessType,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["typ"] = accessType
	t.Header["kid"] = s.kid
	signed, err := t.SignedString(s.key)
	if err != nil {
		return "", internal("sign access token", err)
	}
	return signed, nil
}

// verifyAccessToken checks signature, header and claims of an access token.
// Headers that point at other keys (jku, x5u, jwk, x5c) are never read: the
// only key is the service's own, named by its kid.
func (s *Service) verifyAccessToken(token string) (*verifiedClaims, error) {
	if token == "" || len(token) > maxTokenLen {
		return nil, unauthenticated()
	}
	var c accessClaims
	if _, err := s.parser.ParseWithClaims(token, &c, s.keyFor); err != nil {
		return nil, unauthenticated()
	}
	if c.Type != accessType || c.SessionID == "" || len(c.SessionID) > 64 {
		return nil, unauthenticated()
	}
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil || id <= 0 {
		return nil, unauthenticated()
	}
	return &verifiedClaims{userID: id, sessionID: c.SessionID}, nil
}

// keyFor returns the verification key for a token whose header is ours.
func (s *Service) keyFor(t *jwt.Token) (any, error) {
	if typ, _ := t.Header["typ"].(string); typ != accessType {
		return nil, errors.New("not an access token")
	}
	if kid, _ := t.Header["kid"].(string); kid != s.kid {
		return nil, errors.New("unknown key id")
	}
	if _, ok := t.Header["crit"]; ok {
		return nil, errors.New("critical header extensions are not supported")
	}
	return s.pub, nil
}

// hashRefreshToken returns the stored form of a refresh token (hex SHA-256
// of its text), and false when the text cannot be one of ours.
func hashRefreshToken(token string) (string, bool) {
	if len(token) != base64.RawURLEncoding.EncodedLen(refreshTokenBytes) {
		return "", false
	}
	if _, err := base64.RawURLEncoding.Strict().DecodeString(token); err != nil {
		return "", false
	}
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:]), true
}

// encodeToken encodes random bytes for a URL, a header or a cookie.
func encodeToken(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
