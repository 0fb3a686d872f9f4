package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"

	"github.com/cordon/cordon/internal/cordon"
)

// ErrInvalidCheckpoint is wrapped by every error that reports a signed
// checkpoint which is malformed or whose signature does not verify with the
// given key. Test for it with errors.Is.
var ErrInvalidCheckpoint = &cordon.Error{Code: cordon.EINVALID, Message: "The checkpoint is malformed or its signature does not verify."}

// Checkpoint is a signed statement of the log's state: its origin (the
// log's name), its size and root at that size, and when the sealer made it.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   Hash
	Time   time.Time
}

// timePrefix starts the checkpoint's one extension line.
const timePrefix = "time "

// Text returns the checkpoint body in the transparency-log checkpoint format
// (C2SP tlog-checkpoint): the origin line, the size in decimal, the root in
// standard base64, then one extension line with the time in UTC, RFC 3339
// with nine fractional digits. Each line ends in a newline:
//
//	cordon.example/access-log
//	8
//	XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=
//	time 2025-03-01T09:30:00.000000000Z
func (c Checkpoint) Text() string {
	b := make([]byte, 0, len(c.Origin)+128)
	b = append(b, c.Origin...)
	b = append(b, '\n')
	b = strconv.AppendUint(b, c.Size, 10)
	b = append(b, '\n')
	b = base64.StdEncoding.AppendEncode(b, c.Root[:])
	b = append(b, '\n')
	b = append(b, timePrefix...)
	b = c.Time.UTC().AppendFormat(b, timeLayout)
	b = append(b, '\n')
	return string(b)
}

// check reports why c cannot be written as a checkpoint that opens again:
// an origin that is empty, not UTF-8 or holds a control character, or a
// time outside the years RFC 3339 can write.
func (c Checkpoint) check() error {
	if c.Origin == "" {
		return cordon.Err(cordon.EINVALID, "audit.checkpoint_needs_origin")
	}
	if !utf8.ValidString(c.Origin) || strings.ContainsFunc(c.Origin, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return cordon.Err(cordon.EINVALID, "audit.checkpoint_origin_one_line_utf")
	}
	if y := c.Time.UTC().Year(); y < 0 || y > 9999 {
		return cordon.Err(cordon.EINVALID, "audit.checkpoint_time_lies_within_years")
	}
	return nil
}

// NewSigner returns a note signer for the Ed25519 key under the key name
// name, and the verifier key text ("<name>+<hash>+<base64 key>", as
// note.NewVerifier reads it) to hand to whoever verifies checkpoints. The
// signer is the one note.NewSigner builds from the encoded signer key
// "PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>", so keys made by
// note.GenerateKey and by this function agree. A name must be non-empty
// with no spaces and no "+". Errors are EINVALID.
func NewSigner(name string, key ed25519.PrivateKey) (note.Signer, string, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, "", cordon.Err(cordon.EINVALID, "audit.ed25519_private_key_bytes_not", ed25519.PrivateKeySize, len(key))
	}
	pub := ed25519.NewKeyFromSeed(key.Seed()).Public().(ed25519.PublicKey)
	if !bytes.Equal(pub, key[ed25519.SeedSize:]) {
		return nil, "", cordon.Err(cordon.EINVALID, "audit.ed25519_private_key_does_not")
	}
	vkey, err := note.NewEd25519VerifierKey(name, pub)
	if err != nil {
		return nil, "", fmt.Errorf("new signer: %w", err)
	}
	// vkey is name+hash+key; the signer key repeats the hash of the public key.
	hash, _, _ := strings.Cut(strings.TrimPrefix(vkey, name+"+"), "+")
	const algEd25519 = 1 // note's algorithm byte for Ed25519
	skey := "PRIVATE+KEY+" + name + "+" + hash + "+" +
		base64.StdEncoding.EncodeToString(append([]byte{algEd25519}, key.Seed()...))
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, "", cordon.Err(cordon.EINVALID, "audit.key_name_non_empty_no")
	}
	return s, vkey, nil
}

// SignCheckpoint signs the checkpoint body c.Text() with s and returns the
// signed note: the body, a blank line and the signature line. It returns
// EINVALID for a checkpoint that could not be opened again (see
// [Checkpoint.Text]) and the signer's error if it fails.
func SignCheckpoint(c Checkpoint, s note.Signer) ([]byte, error) {
	if s == nil {
		return nil, errors.New("sign checkpoint: no signer")
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	msg, err := note.Sign(&note.Note{Text: c.Text()}, s)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint of size %d: %w", c.Size, err)
	}
	return msg, nil
}

// OpenCheckpoint verifies that msg is a checkpoint signed by the key whose
// verifier key text is verifierKey (see [NewSigner]) and returns it, its
// Time in UTC. Signatures by other keys are ignored, but there must be one
// valid signature by this key. The body must be exactly what
// [Checkpoint.Text] writes, with no other extension lines. A malformed
// verifier key is EINVALID; every other failure wraps [ErrInvalidCheckpoint].
func OpenCheckpoint(msg []byte, verifierKey string) (Checkpoint, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("open checkpoint: %w: %w",
			cordon.Err(cordon.EINVALID, "audit.verifier_key_malformed"), err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("open checkpoint: %w: %w", ErrInvalidCheckpoint, err)
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("open checkpoint: %w", err)
	}
	return c, nil
}

// parseCheckpoint parses a checkpoint body and insists it is canonical.
func parseCheckpoint(text string) (Checkpoint, error) {
	fail := func(why string) (Checkpoint, error) {
		return Checkpoint{}, fmt.Errorf("%s: %w", why, ErrInvalidCheckpoint)
	}
	lines := strings.Split(text, "\n")
	if len(lines) != 5 || lines[4] != "" {
		return fail("body is not four lines")
	}
	var c Checkpoint
	c.Origin = lines[0]
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil {
		return fail("size is not a decimal number")
	}
	c.Size = size
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != HashSize {
		return fail("root is not a base64 SHA-256 hash")
	}
	c.Root = Hash(root)
	ts, ok := strings.CutPrefix(lines[3], timePrefix)
	if !ok {
		return fail("time line is missing")
	}
	if c.Time, err = time.Parse(timeLayout, ts); err != nil {
		return fail("time is not RFC 3339 in UTC with nine fractional digits")
	}
	if c.check() != nil || c.Text() != text {
		return fail("body is not in canonical form")
	}
	return c, nil
}
