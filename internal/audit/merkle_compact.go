package audit

import (
	"encoding/binary"
	"math/bits"

	"github.com/cordon/cordon/internal/cordon"
)

// Compact is a Merkle tree that keeps only its right edge: the roots of the
// perfect subtrees that make up a tree of Size leaves, one per set bit of
// Size, largest (leftmost) first. It appends leaf hashes and gives the RFC
// 6962 root in O(log n) memory, so the sealer can seal batches without
// holding every leaf. The zero value is an empty tree.
//
// A Compact is not safe for concurrent use.
type Compact struct {
	size   uint64
	hashes []Hash
}

// Size returns the number of leaves appended so far.
func (c *Compact) Size() uint64 { return c.size }

// Append adds the hash of the next leaf (see [LeafHash]). Amortised, it costs
// one NodeHash per leaf. It panics if the tree already holds 2^64-1 leaves.
func (c *Compact) Append(leafHash Hash) {
	if c.size == 1<<64-1 {
		panic("audit: compact tree is full")
	}
	c.hashes = append(c.hashes, leafHash)
	// Each trailing one bit of the old size is a perfect subtree of the same
	// height as the one just completed: merge them, right to left.
	for s := c.size; s&1 == 1; s >>= 1 {
		n := len(c.hashes)
		c.hashes[n-2] = NodeHash(c.hashes[n-2], c.hashes[n-1])
		c.hashes = c.hashes[:n-1]
	}
	c.size++
}

// Root returns the RFC 6962 Merkle Tree Hash of the leaves appended so far;
// it equals [Root] over the same leaf hashes. It costs one NodeHash per set
// bit of Size, less one.
func (c *Compact) Root() Hash {
	if c.size == 0 {
		return emptyRoot
	}
	// The RFC's split at the largest power of two makes the root a right
	// fold of the perfect subtrees.
	n := len(c.hashes)
	root := c.hashes[n-1]
	for i := n - 2; i >= 0; i-- {
		root = NodeHash(c.hashes[i], root)
	}
	return root
}

// Clone returns an independent copy of c.
func (c *Compact) Clone() *Compact {
	return &Compact{size: c.size, hashes: append([]Hash(nil), c.hashes...)}
}

// MarshalBinary saves the state of the tree: its size as 8 bytes big-endian,
// then the right-edge hashes, one 32-byte hash per set bit of the size,
// largest subtree first. It never fails.
func (c *Compact) MarshalBinary() ([]byte, error) {
	b := make([]byte, 8, 8+len(c.hashes)*HashSize)
	binary.BigEndian.PutUint64(b, c.size)
	for _, h := range c.hashes {
		b = append(b, h[:]...)
	}
	return b, nil
}

// UnmarshalBinary restores a state saved by [Compact.MarshalBinary],
// replacing c's. It returns EINVALID if the length does not match the size.
// Nothing in the bytes says whether the hashes are the ones the log had:
// the restored root must still be checked against a signed checkpoint.
func (c *Compact) UnmarshalBinary(data []byte) error {
	if len(data) < 8 {
		return cordon.Err(cordon.EINVALID, "audit.saved_tree_state_too_short")
	}
	size := binary.BigEndian.Uint64(data)
	rest := data[8:]
	if want := bits.OnesCount64(size) * HashSize; len(rest) != want {
		return cordon.Err(cordon.EINVALID,
			"audit.saved_tree_size_holds_bytes", size, want, len(rest))
	}
	hashes := make([]Hash, len(rest)/HashSize)
	for i := range hashes {
		copy(hashes[i][:], rest[i*HashSize:])
	}
	c.size, c.hashes = size, hashes
	return nil
}
