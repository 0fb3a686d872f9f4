package authn

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/cordon/cordon/internal/cordon"
)

// Password length limits, in characters.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 1024
)

const (
	saltLen = 16 // bytes of salt in new hashes
	keyLen  = 32 // bytes of derived key in new hashes
)

// Bounds on what a stored hash may ask for, so that a corrupt or hostile
// hash cannot make a login eat the machine.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 64
	maxThreads = 16
)

// Params are the argon2id cost parameters. Each hash records its own, so
// they can change without invalidating stored hashes.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultParams returns the OWASP minimum for argon2id (19 MiB, 2 passes,
// 1 thread): tens of milliseconds on a small 2-core machine.
func DefaultParams() Params { return Params{Memory: 19456, Time: 2, Threads: 1} }

func (p Params) valid() bool {
	return p.Memory >= 8*uint32(p.Threads) && p.Memory <= maxMemory &&
		p.Time >= 1 && p.Time <= maxTime &&
		p.Threads >= 1 && p.Threads <= maxThreads
}

// ValidatePassword checks a new password: at least MinPasswordLen and at
// most MaxPasswordLen characters. EINVALID (field "password") otherwise.
func ValidatePassword(password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return cordon.FieldErr("password", "authn.password_must_least_characters", MinPasswordLen)
	case n > MaxPasswordLen:
		return cordon.FieldErr("password", "authn.password_must_most_characters", MaxPasswordLen)
	}
	return nil
}

// HashPassword validates password and returns its argon2id hash with
// DefaultParams; see Params.Hash.
func HashPassword(password string) (string, error) {
	return DefaultParams().Hash(password)
}

// Hash validates password and returns its argon2id hash in PHC string form,
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, with a fresh random salt.
// EINVALID for a password ValidatePassword refuses or for parameters out of
// bounds.
func (p Params) Hash(password string) (string, error) {
	if err := ValidatePassword(password); err != nil {
		return "", err
	}
	if !p.valid() {
		return "", cordon.Err(cordon.EINVALID, "authn.password_hashing_parameters_out_bounds")
	}
	salt := make([]byte, saltLen)
	rand.Read(salt) // never fails: it crashes the program instead
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches hash, comparing in
// constant time with the parameters recorded in hash. An error (EINTERNAL)
// means the hash is malformed, never that the password is wrong.
func VerifyPassword(hash, password string) (bool, error) {
	p, salt, want, err := parseHash(hash)
	if err != nil {
		return false, internal("verify password", err)
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// ParseParams returns the parameters recorded in an argon2id PHC hash;
// compare them with the current ones to decide on a rehash. EINVALID when
// hash is malformed.
func ParseParams(hash string) (Params, error) {
	p, _, _, err := parseHash(hash)
	if err != nil {
		return Params{}, cordon.Err(cordon.EINVALID, "authn.password_hash_malformed")
	}
	return p, nil
}

// parseHash splits a PHC argon2id string into parameters, salt and key.
func parseHash(hash string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("not an argon2id PHC string")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, errors.New("unsupported argon2 version")
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || seen[k] {
			return p, nil, nil, errors.New("malformed argon2 parameters")
		}
		seen[k] = true
		bits := 32
		if k == "p" {
			bits = 8
		}
		n, err := strconv.ParseUint(v, 10, bits)
		if err != nil {
			return p, nil, nil, errors.New("malformed argon2 parameters")
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			p.Threads = uint8(n)
		default:
			return p, nil, nil, errors.New("unknown argon2 parameter")
		}
	}
	if len(seen) != 3 || !p.valid() {
		return p, nil, nil, errors.New("argon2 parameters missing or out of bounds")
	}
	salt, err := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	if err != nil || len(salt) < 8 || len(salt) > 64 {
		return p, nil, nil, errors.New("malformed argon2 salt")
	}
	key, err := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, errors.New("malformed argon2 key")
	}
	return p, salt, key, nil
}
