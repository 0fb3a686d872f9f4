package audit

import (
	"crypto/ed25519"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/keyfile"
)

// KeyFile is the name of the checkpoint signing key in the data directory.
const KeyFile = "audit-ed25519.pem"

// DefaultOrigin names the log in its checkpoints, and the key that signs
// them in their signature lines and verifier key.
const DefaultOrigin = "cordon/access-log"

// LoadOrCreateKey returns the Ed25519 key that signs checkpoints, read from
// path (PEM, PKCS#8). When the file does not exist it creates the key and
// writes it with mode 0600, in full before it appears under its name; when
// two processes start at once both end up with the one written first.
// Replicas must share one key: give them the same file.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	return keyfile.Ed25519(path, "checkpoint key")
}

// ReadKey reads a PEM PKCS#8 Ed25519 private key. A missing file is an
// error wrapping fs.ErrNotExist.
func ReadKey(path string) (ed25519.PrivateKey, error) {
	return keyfile.ReadEd25519(path, "checkpoint key")
}

// VerifierKey returns the note verifier key ("<name>+<hash>+<key>") of the
// public half of key under the key name origin.
func VerifierKey(origin string, key ed25519.PrivateKey) (string, error) {
	_, vkey, err := NewSigner(origin, key)
	return vkey, err
}

// ParseVerifierKey checks a verifier key as [NewSigner] writes it and
// returns it without surrounding space, and its name (the log's origin).
// It accepts the key itself or the text of a file holding it on one line.
// Errors are EINVALID.
func ParseVerifierKey(s string) (vkey, name string, err error) {
	vkey = strings.TrimSpace(s)
	v, err := note.NewVerifier(vkey)
	if err != nil || strings.ContainsAny(vkey, " \t\r\n") {
		return "", "", cordon.Err(cordon.EINVALID, "audit.verifier_key_malformed_name_hash")
	}
	return vkey, v.Name(), nil
}
