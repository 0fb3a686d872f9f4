package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/bits"

	"github.com/cordon/cordon/internal/cordon"
)

// HashSize is the size of a Hash in bytes.
const HashSize = sha256.Size

// Hash is a SHA-256 digest: a leaf hash, an interior node hash or a tree root.
type Hash [HashSize]byte

// String returns the hash in lower-case hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseHash parses a hash written in hex, as [Hash.String] writes it.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*HashSize {
		return h, cordon.Err(cordon.EINVALID, "audit.hash_hex_digits_not", 2*HashSize, len(s))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, cordon.Err(cordon.EINVALID, "audit.hash_written_hex_digits")
	}
	return h, nil
}

// Domain separation prefixes of RFC 6962 §2.1: a leaf can never be taken for
// an interior node, and so no second preimage can be built from one.
const (
	leafPrefix = 0x00
	nodePrefix = 0x01
)

// emptyRoot is MTH({}), the hash of the empty string.
var emptyRoot = Hash(sha256.Sum256(nil))

// LeafHash returns the RFC 6962 hash of a leaf: SHA-256(0x00 || data).
func LeafHash(data []byte) Hash {
	d := sha256.New() // does not escape: no allocation
	d.Write([]byte{leafPrefix})
	d.Write(data)
	var h Hash
	d.Sum(h[:0])
	return h
}

// NodeHash returns the RFC 6962 hash of an interior node:
// SHA-256(0x01 || left || right).
func NodeHash(left, right Hash) Hash {
	var buf [1 + 2*HashSize]byte
	buf[0] = nodePrefix
	copy(buf[1:], left[:])
	copy(buf[1+HashSize:], right[:])
	return sha256.Sum256(buf[:])
}

// Root returns the Merkle Tree Hash MTH of RFC 6962 §2.1 over the given leaf
// hashes: the hash of the empty string for no leaves, the leaf hash itself for
// one, and otherwise NodeHash(MTH(D[0:k]), MTH(D[k:n])) where k is the largest
// power of two smaller than n. It costs n-1 hashes.
func Root(leafHashes []Hash) Hash {
	switch len(leafHashes) {
	case 0:
		return emptyRoot
	case 1:
		return leafHashes[0]
	}
	k := splitPoint(uint64(len(leafHashes)))
	return NodeHash(Root(leafHashes[:k]), Root(leafHashes[k:]))
}

// splitPoint returns the largest power of two smaller than n, for n >= 2.
func splitPoint(n uint64) uint64 {
	if n < 2 {
		panic(fmt.Sprintf("audit: split of a tree of size %d", n))
	}
	return 1 << (bits.Len64(n-1) - 1)
}
