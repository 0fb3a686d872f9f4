package audit

import "testing"

const benchTreeSize = 1 << 16

func benchLeafHashes() []Hash {
	hs := make([]Hash, benchTreeSize)
	for i := range hs {
		hs[i] = LeafHash([]byte{byte(i), byte(i >> 8), byte(i >> 16)})
	}
	return hs
}

func BenchmarkRoot64K(b *testing.B) {
	hs := benchLeafHashes()
	b.ReportAllocs()
	for b.Loop() {
		Root(hs)
	}
}

func BenchmarkInclusionProof64K(b *testing.B) {
	hs := benchLeafHashes()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := InclusionProof(12345, benchTreeSize-3, hs); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyInclusion64K(b *testing.B) {
	hs := benchLeafHashes()
	size := uint64(benchTreeSize - 3)
	proof, _ := InclusionProof(12345, size, hs)
	root := Root(hs[:size])
	b.ReportAllocs()
	for b.Loop() {
		if err := VerifyInclusion(12345, size, hs[12345], proof, root); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyConsistency64K(b *testing.B) {
	hs := benchLeafHashes()
	m, n := uint64(12345), uint64(benchTreeSize-3)
	proof, _ := ConsistencyProof(m, n, hs)
	rootM, rootN := Root(hs[:m]), Root(hs[:n])
	b.ReportAllocs()
	for b.Loop() {
		if err := VerifyConsistency(m, n, rootM, rootN, proof); err != nil {
			b.Fatal(err)
		}
	}
}
