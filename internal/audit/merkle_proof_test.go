package audit

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
)

func hashes(t testing.TB, hexes ...string) []Hash {
	t.Helper()
	hs := make([]Hash, len(hexes))
	for i, s := range hexes {
		hs[i] = mustHash(t, s)
	}
	return hs
}

// Known answers over the CT leaves, computed independently (Python, from the
// RFC's PATH and SUBPROOF definitions); the ones for 0/8, 5/8, 2/8, 6/8 and
// 2/5 are also the published CT vectors.
func TestInclusionProofCTVectors(t *testing.T) {
	hs := leafHashes(ctLeaves)
	for _, tc := range []struct {
		index, size uint64
		want        []Hash
	}{
		{0, 1, []Hash{}},
		{0, 8, hashes(t,
			"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")},
		{5, 8, hashes(t,
			"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
			"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
			"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")},
		{2, 3, hashes(t,
			"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")},
		{1, 5, hashes(t,
			"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")},
	} {
		got, err := InclusionProof(tc.index, tc.size, hs)
		if err != nil {
			t.Fatalf("InclusionProof(%d, %d): %v", tc.index, tc.size, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("InclusionProof(%d, %d) mismatch (-want +got):\n%s", tc.index, tc.size, diff)
		}
		root := mustHash(t, ctRoots[tc.size])
		if err := VerifyInclusion(tc.index, tc.size, hs[tc.index], tc.want, root); err != nil {
			t.Errorf("VerifyInclusion(%d, %d) of the reference proof: %v", tc.index, tc.size, err)
		}
	}
}

func TestConsistencyProofCTVectors(t *testing.T) {
	hs := leafHashes(ctLeaves)
	for _, tc := range []struct {
		m, n uint64
		want []Hash
	}{
		{1, 1, []Hash{}},
		{1, 8, hashes(t,
			"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")},
		{6, 8, hashes(t,
			"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
			"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
			"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")},
		{2, 5, hashes(t,
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")},
		{2, 8, hashes(t,
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")},
		{3, 7, hashes(t,
			"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
			"07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
			"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
			"837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e")},
	} {
		got, err := ConsistencyProof(tc.m, tc.n, hs)
		if err != nil {
			t.Fatalf("ConsistencyProof(%d, %d): %v", tc.m, tc.n, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ConsistencyProof(%d, %d) mismatch (-want +got):\n%s", tc.m, tc.n, diff)
		}
		rootM, rootN := mustHash(t, ctRoots[tc.m]), mustHash(t, ctRoots[tc.n])
		if err := VerifyConsistency(tc.m, tc.n, rootM, rootN, tc.want); err != nil {
			t.Errorf("VerifyConsistency(%d, %d) of the reference proof: %v", tc.m, tc.n, err)
		}
	}
}

// mustFail checks that err reports a proof that does not verify.
func mustFail(t *testing.T, err error, format string, args ...any) {
	t.Helper()
	if !errors.Is(err, ErrInvalidProof) {
		t.Errorf(format+": got %v, want ErrInvalidProof", append(args, err)...)
	}
}

// flipped returns a copy of proof with bit 0 of byte 0 of proof[i] flipped.
func flipped(proof []Hash, i int) []Hash {
	p := append([]Hash(nil), proof...)
	p[i][0] ^= 1
	return p
}

func TestInclusionProofsVerify(t *testing.T) {
	const maxSize = 64
	hs := leafHashes(syntheticLeaves(maxSize))
	stranger := LeafHash([]byte("not in the log"))
	for size := uint64(1); size <= maxSize; size++ {
		root := Root(hs[:size])
		for index := uint64(0); index < size; index++ {
			proof, err := InclusionProof(index, size, hs)
			if err != nil {
				t.Fatalf("InclusionProof(%d, %d): %v", index, size, err)
			}
			if err := VerifyInclusion(index, size, hs[index], proof, root); err != nil {
				t.Fatalf("VerifyInclusion(%d, %d): %v", index, size, err)
			}
			mustFail(t, VerifyInclusion(index, size, stranger, proof, root), "wrong leaf %d/%d", index, size)
			mustFail(t, VerifyInclusion(index, size, hs[index], proof, Root(hs[:size-1])), "wrong root %d/%d", index, size)
			mustFail(t, VerifyInclusion(index, size, hs[index], proof, stranger), "random root %d/%d", index, size)
			if size > 1 {
				other := (index + 1) % size
				mustFail(t, VerifyInclusion(other, size, hs[index], proof, root), "index %d for %d/%d", other, index, size)
				mustFail(t, VerifyInclusion(other, size, hs[other], proof, root), "leaf %d with proof of %d/%d", other, index, size)
			}
			// A proof does not bind the size by itself (PATH for leaf 0 of 3
			// has the shape of PATH for leaf 0 of 4): the size is bound to the
			// root by the signed checkpoint. With the root of that size, it fails.
			if size < maxSize {
				mustFail(t, VerifyInclusion(index, size+1, hs[index], proof, Root(hs[:size+1])), "size+1 %d/%d", index, size)
			}
			mustFail(t, VerifyInclusion(index, index, hs[index], proof, root), "size=index %d/%d", index, size)
			mustFail(t, VerifyInclusion(index, size, hs[index], append(proof, stranger), root), "longer proof %d/%d", index, size)
			mustFail(t, VerifyInclusion(index, size, hs[index], append([]Hash{stranger}, proof...), root), "proof with a hash in front %d/%d", index, size)
			for i := range proof {
				mustFail(t, VerifyInclusion(index, size, hs[index], flipped(proof, i), root), "proof[%d] flipped %d/%d", i, index, size)
			}
			if len(proof) > 0 {
				mustFail(t, VerifyInclusion(index, size, hs[index], proof[:len(proof)-1], root), "shorter proof %d/%d", index, size)
			}
		}
	}
}

func TestConsistencyProofsVerify(t *testing.T) {
	const maxSize = 64
	hs := leafHashes(syntheticLeaves(maxSize))
	stranger := LeafHash([]byte("not in the log"))
	for n := uint64(1); n <= maxSize; n++ {
		rootN := Root(hs[:n])
		for m := uint64(1); m <= n; m++ {
			rootM := Root(hs[:m])
			proof, err := ConsistencyProof(m, n, hs)
			if err != nil {
				t.Fatalf("ConsistencyProof(%d, %d): %v", m, n, err)
			}
			if err := VerifyConsistency(m, n, rootM, rootN, proof); err != nil {
				t.Fatalf("VerifyConsistency(%d, %d): %v", m, n, err)
			}
			mustFail(t, VerifyConsistency(m, n, stranger, rootN, proof), "wrong first root %d/%d", m, n)
			mustFail(t, VerifyConsistency(m, n, rootM, stranger, proof), "wrong second root %d/%d", m, n)
			if m < n {
				mustFail(t, VerifyConsistency(m, n, rootN, rootM, proof), "swapped roots %d/%d", m, n)
			}
			mustFail(t, VerifyConsistency(m, n, rootM, rootN, append(proof, stranger)), "longer proof %d/%d", m, n)
			mustFail(t, VerifyConsistency(m, n, rootM, rootN, append([]Hash{stranger}, proof...)), "proof with a hash in front %d/%d", m, n)
			for i := range proof {
				mustFail(t, VerifyConsistency(m, n, rootM, rootN, flipped(proof, i)), "proof[%d] flipped %d/%d", i, m, n)
			}
			if len(proof) > 0 {
				mustFail(t, VerifyConsistency(m, n, rootM, rootN, proof[:len(proof)-1]), "shorter proof %d/%d", m, n)
			}
			if n < maxSize {
				mustFail(t, VerifyConsistency(m, n+1, rootM, Root(hs[:n+1]), proof), "n+1 %d/%d", m, n)
			}
			if m > 1 {
				mustFail(t, VerifyConsistency(m-1, n, rootM, rootN, proof), "m-1 %d/%d", m, n)
			}
			if m < n {
				mustFail(t, VerifyConsistency(m+1, n, rootM, rootN, proof), "m+1 %d/%d", m, n)
				// A tree that rewrote leaf 0 is not consistent with the first.
				forked := append([]Hash{stranger}, hs[1:n]...)
				mustFail(t, VerifyConsistency(m, n, rootM, Root(forked), proof), "forked tree %d/%d", m, n)
			}
		}
	}
}

func TestConsistencyEdges(t *testing.T) {
	hs := leafHashes(ctLeaves)
	empty, root3 := Root(nil), Root(hs[:3])
	for _, tc := range []struct {
		name         string
		m, n         uint64
		rootM, rootN Hash
		proof        []Hash
		ok           bool
	}{
		{"empty extends to any tree", 0, 3, empty, root3, nil, true},
		{"empty to empty", 0, 0, empty, empty, nil, true},
		{"empty with a proof", 0, 3, empty, root3, []Hash{root3}, false},
		{"size 0 with a non-empty root", 0, 3, root3, root3, nil, false},
		{"empty to size 0 with a non-empty root", 0, 0, empty, root3, nil, false},
		{"same tree", 3, 3, root3, root3, nil, true},
		{"same size, other roots", 3, 3, root3, empty, nil, false},
		{"same tree with a proof", 3, 3, root3, root3, []Hash{root3}, false},
		{"shrinking", 4, 3, Root(hs[:4]), root3, nil, false},
		{"no proof", 2, 3, Root(hs[:2]), root3, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyConsistency(tc.m, tc.n, tc.rootM, tc.rootN, tc.proof)
			if tc.ok && err != nil {
				t.Errorf("VerifyConsistency: %v, want nil", err)
			}
			if !tc.ok {
				mustFail(t, err, "VerifyConsistency")
			}
		})
	}
}

func TestProofArguments(t *testing.T) {
	hs := leafHashes(ctLeaves)
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"inclusion index = size", func() error { _, err := InclusionProof(3, 3, hs); return err }()},
		{"inclusion in empty tree", func() error { _, err := InclusionProof(0, 0, hs); return err }()},
		{"inclusion size > leaves", func() error { _, err := InclusionProof(0, 9, hs); return err }()},
		{"consistency m > n", func() error { _, err := ConsistencyProof(4, 3, hs); return err }()},
		{"consistency n > leaves", func() error { _, err := ConsistencyProof(1, 9, hs); return err }()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cordon.ErrorCode(tc.err); got != cordon.EINVALID {
				t.Errorf("error %v has code %q, want %q", tc.err, got, cordon.EINVALID)
			}
		})
	}
	mustFail(t, VerifyInclusion(0, 0, hs[0], nil, Root(nil)), "inclusion in the empty tree")
	for _, m := range []uint64{0, 8} {
		p, err := ConsistencyProof(m, 8, hs)
		if err != nil || len(p) != 0 {
			t.Errorf("ConsistencyProof(%d, 8) = %v, %v; want an empty proof", m, p, err)
		}
	}
}

func TestLargeSizes(t *testing.T) {
	// Sizes near 2^64 must neither loop forever nor overflow: proofs of the
	// right length for such trees are just wrong, not crashes.
	big := []uint64{1<<63 - 1, 1 << 63, 1<<63 + 1, 1<<64 - 2, 1<<64 - 1}
	proof := make([]Hash, 64)
	for _, size := range big {
		for _, index := range []uint64{0, 1, size / 2, size - 2, size - 1} {
			for l := 0; l <= len(proof); l += 7 {
				mustFail(t, VerifyInclusion(index, size, Hash{}, proof[:l], Hash{}), "index %d size %d length %d", index, size, l)
			}
		}
		for _, m := range []uint64{1, 2, size / 2, size - 1} {
			for l := 1; l <= len(proof); l += 7 {
				mustFail(t, VerifyConsistency(m, size, Hash{}, Hash{1}, proof[:l]), "m %d n %d length %d", m, size, l)
			}
		}
	}
}

// proofFromBytes cuts b into at most 80 hashes.
func proofFromBytes(b []byte) []Hash {
	var p []Hash
	for len(b) >= HashSize && len(p) < 80 {
		p = append(p, Hash(b[:HashSize]))
		b = b[HashSize:]
	}
	return p
}

func concat(hs []Hash) []byte {
	var b []byte
	for _, h := range hs {
		b = append(b, h[:]...)
	}
	return b
}

func FuzzVerifyInclusion(f *testing.F) {
	hs := leafHashes(ctLeaves)
	for size := uint64(1); size <= 8; size++ {
		for index := uint64(0); index < size; index++ {
			p, _ := InclusionProof(index, size, hs)
			root := Root(hs[:size])
			f.Add(index, size, hs[index][:], concat(p), root[:])
		}
	}
	f.Fuzz(func(t *testing.T, index, size uint64, leaf, proof, root []byte) {
		var l, r Hash
		copy(l[:], leaf)
		copy(r[:], root)
		err := VerifyInclusion(index, size, l, proofFromBytes(proof), r)
		if err != nil && !errors.Is(err, ErrInvalidProof) {
			t.Fatalf("error %v does not wrap ErrInvalidProof", err)
		}
	})
}

func FuzzVerifyConsistency(f *testing.F) {
	hs := leafHashes(ctLeaves)
	for n := uint64(1); n <= 8; n++ {
		for m := uint64(1); m <= n; m++ {
			p, _ := ConsistencyProof(m, n, hs)
			rm, rn := Root(hs[:m]), Root(hs[:n])
			f.Add(m, n, rm[:], rn[:], concat(p))
		}
	}
	f.Fuzz(func(t *testing.T, m, n uint64, rootM, rootN, proof []byte) {
		var rm, rn Hash
		copy(rm[:], rootM)
		copy(rn[:], rootN)
		err := VerifyConsistency(m, n, rm, rn, proofFromBytes(proof))
		if err != nil && !errors.Is(err, ErrInvalidProof) {
			t.Fatalf("error %v does not wrap ErrInvalidProof", err)
		}
	})
}

// FuzzTamperedProofs checks, on real trees, that a consistency or inclusion
// proof verifies exactly when it is the one the log gave: any change of
// sizes, index or proof bytes is caught.
func FuzzTamperedProofs(f *testing.F) {
	f.Add(uint8(5), uint8(2), uint8(7), []byte{})
	f.Add(uint8(5), uint8(2), uint8(7), []byte{0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, a, b, c uint8, xor []byte) {
		hs := leafHashes(syntheticLeaves(64))
		n := uint64(c%64) + 1
		m := uint64(b)%n + 1
		index := uint64(a) % n
		incl, _ := InclusionProof(index, n, hs)
		cons, _ := ConsistencyProof(m, n, hs)
		mutate := func(p []Hash) ([]Hash, bool) {
			raw := concat(p)
			changed := false
			for i, x := range xor {
				if i < len(raw) && x != 0 {
					raw[i] ^= x
					changed = true
				}
			}
			return proofFromBytes(raw), changed
		}
		if p, changed := mutate(incl); (VerifyInclusion(index, n, hs[index], p, Root(hs[:n])) == nil) == changed {
			t.Fatalf("inclusion %d/%d with xor %x: changed=%v but verification said the opposite", index, n, xor, changed)
		}
		if p, changed := mutate(cons); (VerifyConsistency(m, n, Root(hs[:m]), Root(hs[:n]), p) == nil) == changed {
			t.Fatalf("consistency %d/%d with xor %x: changed=%v but verification said the opposite", m, n, xor, changed)
		}
	})
}
