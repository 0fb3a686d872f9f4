package authn

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"

	"github.com/cordon/cordon/internal/keyfile"
)

// KeyFile is the name of the signing key in the data directory.
const KeyFile = "jwt-ed25519.pem"

// LoadOrCreateKey returns the Ed25519 key that signs access tokens, read
// from dir/jwt-ed25519.pem (PEM, PKCS#8). On first start it creates the key
// and writes it with mode 0600; replicas that share dir share the key, and
// when two start at once both end up with the one that was written first.
func LoadOrCreateKey(dir string) (ed25519.PrivateKey, error) {
	return keyfile.Ed25519(filepath.Join(dir, KeyFile), "signing key")
}

// keyID names a public key: the first 16 hex digits of its SHA-256.
func keyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}
