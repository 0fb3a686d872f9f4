package audit

import (
	"fmt"

	"github.com/cordon/cordon/internal/cordon"
)

// ErrInvalidProof is wrapped by every error that reports a proof that does
// not verify: a wrong leaf, index, size or root, or a path of the wrong
// length. Test for it with errors.Is.
var ErrInvalidProof = &cordon.Error{Code: cordon.EINVALID, Message: "The proof does not verify."}

// InclusionProof returns the RFC 6962 §2.1.1 audit path PATH(index,
// D[0:size]) for the leaf at index in the tree made of the first size of
// leafHashes: the sibling hashes from the leaf up to the root.
//
// It recomputes the subtree roots from the leaf hashes, which costs about
// size hashes (O(n) time, O(log n) extra memory); that is fine for an export
// or a verifier that holds the leaf hashes anyway.
func InclusionProof(index, size uint64, leafHashes []Hash) ([]Hash, error) {
	if index >= size {
		return nil, cordon.Err(cordon.EINVALID, "audit.leaf_not_tree_size", index, size)
	}
	if size > uint64(len(leafHashes)) {
		return nil, cordon.Err(cordon.EINVALID, "audit.tree_size_needs_leaf_hashes", size, size, len(leafHashes))
	}
	return inclusionPath(index, leafHashes[:size]), nil
}

// inclusionPath is PATH(m, D[n]) of RFC 6962 §2.1.1, for m < n.
func inclusionPath(m uint64, d []Hash) []Hash {
	n := uint64(len(d))
	if n <= 1 {
		return []Hash{}
	}
	k := splitPoint(n)
	if m < k {
		return append(inclusionPath(m, d[:k]), Root(d[k:]))
	}
	return append(inclusionPath(m-k, d[k:]), Root(d[:k]))
}

// ConsistencyProof returns the RFC 6962 §2.1.2 proof PROOF(m, D[0:n]) that
// the tree made of the first n of leafHashes extends the one made of the
// first m. The proof is empty when m is 0 or m equals n: there is nothing to
// prove.
//
// Like [InclusionProof] it recomputes subtree roots from the leaf hashes, at a
// cost of about n hashes.
func ConsistencyProof(m, n uint64, leafHashes []Hash) ([]Hash, error) {
	if m > n {
		return nil, cordon.Err(cordon.EINVALID, "audit.tree_size_cannot_extend_one", n, m)
	}
	if n > uint64(len(leafHashes)) {
		return nil, cordon.Err(cordon.EINVALID, "audit.tree_size_needs_leaf_hashes", n, n, len(leafHashes))
	}
	if m == 0 || m == n {
		return []Hash{}, nil
	}
	return subproof(m, leafHashes[:n], true), nil
}

// subproof is SUBPROOF(m, D[n], b) of RFC 6962 §2.1.2, for 0 < m <= n.
func subproof(m uint64, d []Hash, b bool) []Hash {
	n := uint64(len(d))
	if m == n {
		if b {
			return []Hash{}
		}
		return []Hash{Root(d)}
	}
	k := splitPoint(n)
	if m <= k {
		return append(subproof(m, d[:k], b), Root(d[k:]))
	}
	return append(subproof(m-k, d[k:], false), Root(d[:k]))
}

// VerifyInclusion checks that leafHash is the leaf at index in the tree of
// the given size whose root is root, using the audit path proof. It follows
// RFC 9162 §2.1.3.2 step by step, and returns nil or an error wrapping
// [ErrInvalidProof].
//
// A proof binds the leaf to the root, not the size to the root: the audit
// path of leaf 0 in a tree of 3 has the shape of one in a tree of 4. Take
// size and root together from a checkpoint that [OpenCheckpoint] verified.
func VerifyInclusion(index, size uint64, leafHash Hash, proof []Hash, root Hash) error {
	fail := func(why string) error {
		return fmt.Errorf("verify inclusion of leaf %d in tree of size %d: %s: %w", index, size, why, ErrInvalidProof)
	}
	// 1. The index must lie inside the tree.
	if index >= size {
		return fail("index is outside the tree")
	}
	// 2., 3.
	fn, sn := index, size-1
	r := leafHash
	// 4.
	for _, p := range proof {
		// a. A path longer than the tree is high.
		if sn == 0 {
			return fail("proof is too long")
		}
		// b.
		if fn&1 == 1 || fn == sn {
			r = NodeHash(p, r)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = NodeHash(r, p)
		}
		// c.
		fn >>= 1
		sn >>= 1
	}
	// 5.
	if sn != 0 {
		return fail("proof is too short")
	}
	if r != root {
		return fail("root does not match")
	}
	return nil
}

// VerifyConsistency checks that the tree of size n with root rootN extends
// the tree of size m with root rootM, using the consistency proof. For
// 0 < m < n it follows RFC 9162 §2.1.4.2 step by step. A tree is consistent
// with itself (m == n, equal roots) and every tree extends the empty tree
// (m == 0, rootM the empty root); in both cases the proof must be empty.
// It returns nil or an error wrapping [ErrInvalidProof].
//
// As with [VerifyInclusion], each size must come with its root from a
// verified checkpoint.
func VerifyConsistency(m, n uint64, rootM, rootN Hash, proof []Hash) error {
	fail := func(why string) error {
		return fmt.Errorf("verify consistency of tree size %d with size %d: %s: %w", m, n, why, ErrInvalidProof)
	}
	switch {
	case m > n:
		return fail("the first tree is larger")
	case m == 0:
		if len(proof) != 0 {
			return fail("proof from the empty tree is not empty")
		}
		if rootM != emptyRoot || n == 0 && rootN != emptyRoot {
			return fail("root of the empty tree does not match")
		}
		return nil
	case m == n:
		if len(proof) != 0 {
			return fail("proof between equal sizes is not empty")
		}
		if rootM != rootN {
			return fail("roots of equal sizes differ")
		}
		return nil
	}
	// 1.
	if len(proof) == 0 {
		return fail("proof is empty")
	}
	// 2. If m is a power of two, the path starts with rootM itself; rather
	// than copy the proof to prepend it, take the first value from rootM.
	first, rest := rootM, proof
	if m&(m-1) != 0 {
		first, rest = proof[0], proof[1:]
	}
	// 3.
	fn, sn := m-1, n-1
	// 4.
	for fn&1 == 1 {
		fn >>= 1
		sn >>= 1
	}
	// 5.
	fr, sr := first, first
	// 6.
	for _, c := range rest {
		// a.
		if sn == 0 {
			return fail("proof is too long")
		}
		// b.
		if fn&1 == 1 || fn == sn {
			fr = NodeHash(c, fr)
			sr = NodeHash(c, sr)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			sr = NodeHash(sr, c)
		}
		// c.
		fn >>= 1
		sn >>= 1
	}
	// 7.
	if sn != 0 {
		return fail("proof is too short")
	}
	if fr != rootM {
		return fail("first root does not match")
	}
	if sr != rootN {
		return fail("second root does not match")
	}
	return nil
}
