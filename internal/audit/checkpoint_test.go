package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/note"

	"github.com/cordon/cordon/internal/cordon"
)

// testKey returns a fixed Ed25519 key derived from label.
func testKey(label string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte(label))
	return ed25519.NewKeyFromSeed(seed[:])
}

func testSigner(t testing.TB, name, label string) (note.Signer, string) {
	t.Helper()
	s, vkey, err := NewSigner(name, testKey(label))
	if err != nil {
		t.Fatal(err)
	}
	return s, vkey
}

func goldenCheckpoint(t testing.TB) Checkpoint {
	return Checkpoint{
		Origin: "cordon.example/access-log",
		Size:   8,
		Root:   mustHash(t, ctRoots[8]),
		Time:   time.Date(2025, 3, 1, 10, 30, 0, 123456789, time.FixedZone("CET", 3600)),
	}
}

// The key, vkey and signature of the example in the note package's
// documentation: NewSigner must build the same signer from the same key.
func TestNewSignerMatchesNoteExample(t *testing.T) {
	const (
		skey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
		vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
		text = "If you think cryptography is the answer to your problem,\n" +
			"then you don't know what your problem is.\n"
		signed = text + "\n" +
			"— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
	)
	raw, err := base64.StdEncoding.DecodeString(strings.SplitN(skey, "+", 5)[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		t.Fatalf("example key: %x %v", raw, err)
	}
	s, gotVkey, err := NewSigner("PeterNeumann", ed25519.NewKeyFromSeed(raw[1:]))
	if err != nil {
		t.Fatal(err)
	}
	if gotVkey != vkey {
		t.Errorf("verifier key = %s, want %s", gotVkey, vkey)
	}
	msg, err := note.Sign(&note.Note{Text: text}, s)
	if err != nil {
		t.Fatal(err)
	}
	if string(msg) != signed {
		t.Errorf("signed note mismatch (-want +got):\n%s", cmp.Diff(signed, string(msg)))
	}
}

func TestNewSignerMatchesGenerateKey(t *testing.T) {
	skey, vkey, err := note.GenerateKey(rand.Reader, "cordon.example/access-log")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.SplitN(skey, "+", 5)[4])
	if err != nil {
		t.Fatal(err)
	}
	s, gotVkey, err := NewSigner("cordon.example/access-log", ed25519.NewKeyFromSeed(raw[1:]))
	if err != nil {
		t.Fatal(err)
	}
	if gotVkey != vkey {
		t.Errorf("verifier key = %s, want %s", gotVkey, vkey)
	}
	want, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != want.Name() || s.KeyHash() != want.KeyHash() {
		t.Errorf("signer %s+%08x, want %s+%08x", s.Name(), s.KeyHash(), want.Name(), want.KeyHash())
	}
}

func TestNewSignerRejects(t *testing.T) {
	key := testKey("k")
	mismatched := append(ed25519.PrivateKey(nil), key...)
	mismatched[40] ^= 1
	for _, tc := range []struct {
		name    string
		keyName string
		key     ed25519.PrivateKey
	}{
		{"short key", "log", key[:32]},
		{"nil key", "log", nil},
		{"public half does not match", "log", mismatched},
		{"empty name", "", key},
		{"space in name", "access log", key},
		{"plus in name", "access+log", key},
		{"newline in name", "access\nlog", key},
		{"invalid UTF-8 name", "log\xff", key},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := NewSigner(tc.keyName, tc.key)
			if got := cordon.ErrorCode(err); got != cordon.EINVALID {
				t.Errorf("NewSigner: %v (code %q), want EINVALID", err, got)
			}
		})
	}
}

func TestCheckpointText(t *testing.T) {
	want := "cordon.example/access-log\n" +
		"8\n" +
		"XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n" +
		"time 2025-03-01T09:30:00.123456789Z\n"
	if got := goldenCheckpoint(t).Text(); got != want {
		t.Errorf("Text() mismatch (-want +got):\n%s", cmp.Diff(want, got))
	}
}

// The golden signed checkpoint also fixes Ed25519 and the note format; its
// signature was checked with Python's cryptography package when written.
func TestSignCheckpointGolden(t *testing.T) {
	s, vkey := testSigner(t, "cordon.example/access-log", "golden")
	msg, err := SignCheckpoint(goldenCheckpoint(t), s)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "checkpoint.txt", msg)
	golden(t, "checkpoint.vkey", []byte(vkey+"\n"))
}

func TestCheckpointRoundTrip(t *testing.T) {
	s, vkey := testSigner(t, "cordon.example/access-log", "round trip")
	for _, tc := range []struct {
		name string
		c    Checkpoint
	}{
		{"golden", goldenCheckpoint(t)},
		{"empty log", Checkpoint{Origin: "log", Size: 0, Root: Root(nil), Time: time.Unix(1700000000, 0)}},
		{"largest size", Checkpoint{Origin: "log", Size: 1<<64 - 1, Root: Hash{0xff}, Time: time.Unix(0, 1)}},
		{"zero time", Checkpoint{Origin: "log", Size: 1}},
		{"unicode origin", Checkpoint{Origin: "cordon.example/zugriffsprotokoll-größe", Size: 3, Root: Hash{1}, Time: time.Unix(5, 5)}},
		{"origin with spaces", Checkpoint{Origin: "Cordon access log", Size: 3, Root: Hash{1}, Time: time.Unix(5, 5)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg, err := SignCheckpoint(tc.c, s)
			if err != nil {
				t.Fatal(err)
			}
			got, err := OpenCheckpoint(msg, vkey)
			if err != nil {
				t.Fatalf("OpenCheckpoint(%s): %v", msg, err)
			}
			if !got.Time.Equal(tc.c.Time) || got.Time.Location() != time.UTC {
				t.Errorf("Time = %v, want %v in UTC", got.Time, tc.c.Time)
			}
			got.Time, tc.c.Time = time.Time{}, time.Time{}
			if diff := cmp.Diff(tc.c, got); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOpenCheckpointWrongKey(t *testing.T) {
	s, _ := testSigner(t, "cordon.example/access-log", "right")
	_, otherVkey := testSigner(t, "cordon.example/access-log", "wrong")
	_, otherNameVkey := testSigner(t, "other.example/log", "right")
	msg, err := SignCheckpoint(goldenCheckpoint(t), s)
	if err != nil {
		t.Fatal(err)
	}
	for _, vkey := range []string{otherVkey, otherNameVkey} {
		if _, err := OpenCheckpoint(msg, vkey); !errors.Is(err, ErrInvalidCheckpoint) {
			t.Errorf("OpenCheckpoint with %s: %v, want ErrInvalidCheckpoint", vkey, err)
		}
	}
	for _, vkey := range []string{"", "garbage", otherVkey[:len(otherVkey)-4]} {
		_, err := OpenCheckpoint(msg, vkey)
		if errors.Is(err, ErrInvalidCheckpoint) || cordon.ErrorCode(err) != cordon.EINVALID {
			t.Errorf("OpenCheckpoint with verifier key %q: %v, want EINVALID but not ErrInvalidCheckpoint", vkey, err)
		}
	}
}

func TestOpenCheckpointFlippedByte(t *testing.T) {
	s, vkey := testSigner(t, "cordon.example/access-log", "flip")
	c := goldenCheckpoint(t)
	msg, err := SignCheckpoint(c, s)
	if err != nil {
		t.Fatal(err)
	}
	// In the last base64 character of the signature, the low bits are
	// padding that base64.StdEncoding ignores; a flip there may leave the
	// signature bytes unchanged. Every other byte is covered.
	covered := len(msg) - len("A==\n")
	for i := 0; i < covered; i++ {
		for _, bit := range []byte{0x01, 0x20, 0x80} {
			m := bytes.Clone(msg)
			m[i] ^= bit
			if got, err := OpenCheckpoint(m, vkey); err == nil {
				t.Errorf("flipping bit %#x of byte %d (%q): opened %+v, want an error", bit, i, msg[i], got)
			} else if !errors.Is(err, ErrInvalidCheckpoint) {
				t.Errorf("flipping bit %#x of byte %d: %v, want ErrInvalidCheckpoint", bit, i, err)
			}
		}
	}
	for _, m := range [][]byte{nil, msg[:len(msg)-1], msg[:len(c.Text())], append(bytes.Clone(msg), '\n')} {
		if _, err := OpenCheckpoint(m, vkey); !errors.Is(err, ErrInvalidCheckpoint) {
			t.Errorf("OpenCheckpoint(%q): %v, want ErrInvalidCheckpoint", m, err)
		}
	}
}

func TestOpenCheckpointCosigned(t *testing.T) {
	// A witness may add its own signature; the log's key still opens it.
	s, vkey := testSigner(t, "cordon.example/access-log", "log")
	witness, _ := testSigner(t, "witness.example", "witness")
	n := &note.Note{Text: goldenCheckpoint(t).Text()}
	msg, err := note.Sign(n, witness, s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenCheckpoint(msg, vkey)
	if err != nil {
		t.Fatal(err)
	}
	if got.Size != 8 {
		t.Errorf("Size = %d, want 8", got.Size)
	}
}

func TestOpenCheckpointRejectsBody(t *testing.T) {
	s, vkey := testSigner(t, "cordon.example/access-log", "body")
	good := goldenCheckpoint(t).Text()
	root := "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg="
	rootHash := mustHash(t, ctRoots[8])
	for _, tc := range []struct {
		name, body string
	}{
		{"extra extension line", good + "witness yes\n"},
		{"no time line", "cordon.example/access-log\n8\n" + root + "\n"},
		{"time line without value", "cordon.example/access-log\n8\n" + root + "\ntime \n"},
		{"two time lines", good + "time 2025-03-01T09:30:00.123456789Z\n"},
		{"size with leading zero", strings.Replace(good, "\n8\n", "\n08\n", 1)},
		{"size with plus", strings.Replace(good, "\n8\n", "\n+8\n", 1)},
		{"negative size", strings.Replace(good, "\n8\n", "\n-8\n", 1)},
		{"size overflow", strings.Replace(good, "\n8\n", "\n18446744073709551616\n", 1)},
		{"size in hex", strings.Replace(good, "\n8\n", "\n0x8\n", 1)},
		{"short root", strings.Replace(good, root, base64.StdEncoding.EncodeToString(make([]byte, 31)), 1)},
		{"root in hex", strings.Replace(good, root, ctRoots[8], 1)},
		{"root in URL base64", strings.Replace(good, root, base64.URLEncoding.EncodeToString(rootHash[:]), 1)},
		{"root without padding", strings.Replace(good, root, strings.TrimSuffix(root, "="), 1)},
		{"root with other padding bits", strings.Replace(good, root, strings.Replace(root, "g=", "h=", 1), 1)},
		{"time in CET", strings.Replace(good, "09:30:00.123456789Z", "10:30:00.123456789+01:00", 1)},
		{"time in seconds", strings.Replace(good, "09:30:00.123456789Z", "09:30:00Z", 1)},
		{"time in unix seconds", strings.Replace(good, "2025-03-01T09:30:00.123456789Z", "1740821400", 1)},
		{"empty origin", strings.Replace(good, "cordon.example/access-log", "", 1)},
		{"blank line at the end", good + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.body == good {
				t.Fatal("the mutation did not change the body")
			}
			msg, err := note.Sign(&note.Note{Text: tc.body}, s)
			if err != nil {
				// The note format itself refuses it: so does OpenCheckpoint.
				return
			}
			if c, err := OpenCheckpoint(msg, vkey); !errors.Is(err, ErrInvalidCheckpoint) {
				t.Errorf("OpenCheckpoint(%q) = %+v, %v; want ErrInvalidCheckpoint", msg, c, err)
			}
		})
	}
}

func TestSignCheckpointRejects(t *testing.T) {
	s, _ := testSigner(t, "cordon.example/access-log", "reject")
	good := goldenCheckpoint(t)
	for _, tc := range []struct {
		name   string
		mutate func(*Checkpoint)
	}{
		{"empty origin", func(c *Checkpoint) { c.Origin = "" }},
		{"two-line origin", func(c *Checkpoint) { c.Origin = "a\nb" }},
		{"tab in origin", func(c *Checkpoint) { c.Origin = "a\tb" }},
		{"DEL in origin", func(c *Checkpoint) { c.Origin = "a\x7fb" }},
		{"invalid UTF-8 origin", func(c *Checkpoint) { c.Origin = "a\xffb" }},
		{"year 10000", func(c *Checkpoint) { c.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"year -1", func(c *Checkpoint) { c.Time = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.mutate(&c)
			if _, err := SignCheckpoint(c, s); cordon.ErrorCode(err) != cordon.EINVALID {
				t.Errorf("SignCheckpoint: %v, want EINVALID", err)
			}
		})
	}
	if _, err := SignCheckpoint(good, nil); err == nil {
		t.Error("SignCheckpoint with no signer succeeded")
	}
}

func FuzzOpenCheckpoint(f *testing.F) {
	s, vkey := testSigner(f, "cordon.example/access-log", "fuzz")
	for _, c := range []Checkpoint{goldenCheckpoint(f), {Origin: "log", Size: 0, Root: Root(nil)}} {
		msg, err := SignCheckpoint(c, s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(msg)
	}
	f.Add([]byte("log\n1\n\n\n— x y\n"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		c, err := OpenCheckpoint(msg, vkey)
		if err != nil {
			if !errors.Is(err, ErrInvalidCheckpoint) {
				t.Fatalf("error %v does not wrap ErrInvalidCheckpoint", err)
			}
			return
		}
		// Only what the key signed opens, and it is the canonical body.
		if !bytes.HasPrefix(msg, []byte(c.Text()+"\n")) {
			t.Fatalf("opened %+v from a message that does not start with its text: %q", c, msg)
		}
	})
}
