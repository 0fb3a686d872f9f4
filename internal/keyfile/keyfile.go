// Package keyfile keeps the server's secret keys in files of the data
// directory: each created on first start with mode 0600, written in full
// before it appears under its name, so that replicas sharing the directory
// share the key and two processes starting at once end up with the same one.
package keyfile

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Ed25519 returns the Ed25519 private key in path (PEM, PKCS#8), creating it
// when the file does not exist. what names the key in errors.
func Ed25519(path, what string) (ed25519.PrivateKey, error) {
	key, err := ReadEd25519(path, what)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate %s: %w", what, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", what, err)
	}
	won, err := create(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", what, err)
	}
	if !won {
		return ReadEd25519(path, what)
	}
	return priv, nil
}

// ReadEd25519 reads a PEM PKCS#8 Ed25519 private key. A missing file is an
// error wrapping fs.ErrNotExist.
func ReadEd25519(path, what string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("read %s %s: no PKCS#8 PEM block", what, path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", what, path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("read %s %s: not an Ed25519 key", what, path)
	}
	return priv, nil
}

// Secret returns the 32-byte secret in path (hex), creating it when the
// file does not exist.
func Secret(path, what string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key := make([]byte, 32)
		rand.Read(key)
		won, cerr := create(path, []byte(hex.EncodeToString(key)+"\n"))
		if cerr != nil {
			return nil, fmt.Errorf("write %s: %w", what, cerr)
		}
		if won {
			return key, nil
		}
		b, err = os.ReadFile(path) // another process created it first
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("read %s: %s is not a 32-byte hex key", what, path)
	}
	return key, nil
}

// create writes content to path with mode 0600 through a temporary file
// linked into place, so the file is never seen half written; it reports
// false when another process created path first.
func create(path string, content []byte) (bool, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, err
	}
	tmp, err := os.CreateTemp(dir, ".key-*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	werr := tmp.Chmod(0o600)
	if werr == nil {
		_, werr = tmp.Write(content)
	}
	if werr == nil {
		werr = tmp.Sync()
	}
	if err := tmp.Close(); werr == nil {
		werr = err
	}
	if werr != nil {
		return false, werr
	}
	// A link fails when the name exists: whoever linked first wins.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}
