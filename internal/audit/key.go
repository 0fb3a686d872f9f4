package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/cordon/cordon/internal/cordon"
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
	key, err := ReadKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create key directory: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate checkpoint key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encode checkpoint key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".audit-key-*")
	if err != nil {
		return nil, fmt.Errorf("write checkpoint key: %w", err)
	}
	defer os.Remove(tmp.Name())
	werr := tmp.Chmod(0o600)
	if werr == nil {
		werr = pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	if werr == nil {
		werr = tmp.Sync()
	}
	if err := tmp.Close(); werr == nil {
		werr = err
	}
	if werr != nil {
		return nil, fmt.Errorf("write checkpoint key: %w", werr)
	}
	// A link fails when the name exists: whoever linked first wins.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return ReadKey(path)
		}
		return nil, fmt.Errorf("write checkpoint key: %w", err)
	}
	return priv, nil
}

// ReadKey reads a PEM PKCS#8 Ed25519 private key. A missing file is an
// error wrapping fs.ErrNotExist.
func ReadKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read checkpoint key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("read checkpoint key %s: no PKCS#8 PEM block", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("read checkpoint key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("read checkpoint key %s: not an Ed25519 key", path)
	}
	return priv, nil
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
		return "", "", cordon.Errorf(cordon.EINVALID, "The verifier key is malformed: it is name+hash+key, as cordon audit key prints it.")
	}
	return vkey, v.Name(), nil
}
