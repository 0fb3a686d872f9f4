package authn

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
)

func TestHashPasswordRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		params Params
		prefix string
	}{
		{name: "default", params: DefaultParams(), prefix: "$argon2id$v=19$m=19456,t=2,p=1$"},
		{name: "cheap", params: Params{Memory: 64, Time: 1, Threads: 1}, prefix: "$argon2id$v=19$m=64,t=1,p=1$"},
		{name: "two threads", params: Params{Memory: 1024, Time: 3, Threads: 2}, prefix: "$argon2id$v=19$m=1024,t=3,p=2$"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const pw = "correct horse battery"
			hash, err := tt.params.Hash(pw)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(hash, tt.prefix) {
				t.Errorf("hash = %q, want prefix %q", hash, tt.prefix)
			}
			got, err := ParseParams(hash)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.params, got); diff != "" {
				t.Errorf("ParseParams mismatch (-want +got):\n%s", diff)
			}
			for _, c := range []struct {
				password string
				want     bool
			}{
				{pw, true},
				{pw + " ", false},
				{"Correct horse battery", false},
				{"", false},
			} {
				ok, err := VerifyPassword(hash, c.password)
				if err != nil {
					t.Fatal(err)
				}
				if ok != c.want {
					t.Errorf("VerifyPassword(%q) = %v, want %v", c.password, ok, c.want)
				}
			}
			again, err := tt.params.Hash(pw)
			if err != nil {
				t.Fatal(err)
			}
			if again == hash {
				t.Error("two hashes of one password are equal: salt not random")
			}
		})
	}
}

func TestParseHashRefuses(t *testing.T) {
	good, err := Params{Memory: 64, Time: 1, Threads: 1}.Hash("0123456789")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$") // "", alg, v, params, salt, key
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := []struct {
		name string
		hash string
	}{
		{"empty", ""},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", with(1, "argon2i")},
		{"old version", with(2, "v=16")},
		{"missing parameter", with(3, "m=64,t=1")},
		{"repeated parameter", with(3, "m=64,t=1,t=1")},
		{"unknown parameter", with(3, "m=64,t=1,p=1,x=2")},
		{"memory too large", with(3, "m=4294967295,t=1,p=1")},
		{"zero passes", with(3, "m=64,t=0,p=1")},
		{"zero threads", with(3, "m=64,t=1,p=0")},
		{"threads overflow", with(3, "m=64,t=1,p=256")},
		{"memory below 8 per thread", with(3, "m=8,t=1,p=2")},
		{"negative", with(3, "m=-64,t=1,p=1")},
		{"salt not base64", with(4, "!!!!")},
		{"salt too short", with(4, "AAAA")},
		{"key not base64", with(5, "****")},
		{"key too short", with(5, "AAAA")},
		{"extra field", good + "$x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseParams(tt.hash); cordon.ErrorCode(err) != cordon.EINVALID {
				t.Errorf("ParseParams: got %v, want %s", err, cordon.EINVALID)
			}
			ok, err := VerifyPassword(tt.hash, "0123456789")
			if ok || cordon.ErrorCode(err) != cordon.EINTERNAL {
				t.Errorf("VerifyPassword = %v, %v; want false, %s", ok, err, cordon.EINTERNAL)
			}
		})
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		password string
		ok       bool
	}{
		{"", false},
		{"123456789", false},
		{"1234567890", true},
		{"ééééééééé", false}, // 9 characters, 18 bytes
		{"éééééééééé", true},
		{strings.Repeat("a", MaxPasswordLen), true},
		{strings.Repeat("a", MaxPasswordLen+1), false},
	}
	for _, tt := range tests {
		err := ValidatePassword(tt.password)
		if tt.ok {
			if err != nil {
				t.Errorf("ValidatePassword(%.12q): got %v, want nil", tt.password, err)
			}
			continue
		}
		e := cordon.AsError(err)
		if e == nil || e.Code != cordon.EINVALID || e.Field != "password" {
			t.Errorf("ValidatePassword(%.12q): got %v, want %s on field password", tt.password, err, cordon.EINVALID)
		}
		if _, err := HashPassword(tt.password); cordon.ErrorCode(err) != cordon.EINVALID {
			t.Errorf("HashPassword(%.12q): got %v, want %s", tt.password, err, cordon.EINVALID)
		}
	}
}

func TestLockoutPolicy(t *testing.T) {
	l := Lockout{}.withDefaults()
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {1, 0}, {4, 0},
		{5, 15 * time.Minute},
		{6, 30 * time.Minute},
		{7, time.Hour},
		{11, 16 * time.Hour},
		{12, 24 * time.Hour},
		{1000, 24 * time.Hour},
	}
	for _, tt := range tests {
		if got := l.lockFor(tt.failures); got != tt.want {
			t.Errorf("lockFor(%d) = %v, want %v", tt.failures, got, tt.want)
		}
	}
}
