package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
)

// The Certificate Transparency reference leaves (RFC 6962 test data, as in
// certificate-transparency and transparency-dev/merkle).
var ctLeaves = [][]byte{
	{},
	{0x00},
	{0x10},
	{0x20, 0x21},
	{0x30, 0x31},
	{0x40, 0x41, 0x42, 0x43},
	{0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57},
	{0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f},
}

// ctRoots[n] is the root of the tree of the first n ctLeaves. The values are
// the published CT ones, recomputed independently (Python hashlib, straight
// from the RFC's recursive MTH) before being written here, and checked
// against refMTH below as well.
var ctRoots = []string{
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}

// refMTH is RFC 6962's MTH over raw leaf data, written from the RFC text
// without any of the package's code: the independent computation the
// package is checked against.
func refMTH(d [][]byte) []byte {
	switch n := len(d); n {
	case 0:
		s := sha256.Sum256(nil)
		return s[:]
	case 1:
		s := sha256.Sum256(append([]byte{0}, d[0]...))
		return s[:]
	default:
		k := 1
		for 2*k < n {
			k *= 2
		}
		s := sha256.Sum256(append(append([]byte{1}, refMTH(d[:k])...), refMTH(d[k:])...))
		return s[:]
	}
}

// leafHashes returns the leaf hashes of data.
func leafHashes(data [][]byte) []Hash {
	hs := make([]Hash, len(data))
	for i, d := range data {
		hs[i] = LeafHash(d)
	}
	return hs
}

// syntheticLeaves returns n distinct leaves.
func syntheticLeaves(n int) [][]byte {
	d := make([][]byte, n)
	for i := range d {
		d[i] = []byte(fmt.Sprintf("leaf %d", i))
	}
	return d
}

func mustHash(t testing.TB, s string) Hash {
	t.Helper()
	h, err := ParseHash(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestEmptyRoot(t *testing.T) {
	const want = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got := Root(nil).String(); got != want {
		t.Errorf("Root(nil) = %s, want %s", got, want)
	}
	var c Compact
	if got := c.Root().String(); got != want {
		t.Errorf("Compact{}.Root() = %s, want %s", got, want)
	}
}

func TestRootMatchesCTVectors(t *testing.T) {
	hs := leafHashes(ctLeaves)
	for n := 0; n <= len(ctLeaves); n++ {
		if ref := hex.EncodeToString(refMTH(ctLeaves[:n])); ref != ctRoots[n] {
			t.Fatalf("refMTH of %d leaves = %s, want %s: the vector table is wrong", n, ref, ctRoots[n])
		}
		if got := Root(hs[:n]).String(); got != ctRoots[n] {
			t.Errorf("Root of %d CT leaves = %s, want %s", n, got, ctRoots[n])
		}
	}
}

func TestRootMatchesReference(t *testing.T) {
	data := syntheticLeaves(300)
	hs := leafHashes(data)
	for n := 0; n <= len(data); n++ {
		if got, want := Root(hs[:n]).String(), hex.EncodeToString(refMTH(data[:n])); got != want {
			t.Fatalf("Root of %d leaves = %s, want %s", n, got, want)
		}
	}
}

func TestLeafAndNodeHash(t *testing.T) {
	// The domain separation prefixes, spelled out.
	if got, want := LeafHash([]byte("x")), Hash(sha256.Sum256([]byte("\x00x"))); got != want {
		t.Errorf("LeafHash(x) = %s, want %s", got, want)
	}
	long := make([]byte, 5000)
	for i := range long {
		long[i] = byte(i)
	}
	for _, n := range []int{0, 55, 56, 63, 64, 1024, 5000} {
		if got, want := LeafHash(long[:n]), Hash(sha256.Sum256(append([]byte{0}, long[:n]...))); got != want {
			t.Errorf("LeafHash(%d bytes) = %s, want %s", n, got, want)
		}
	}
	l, r := LeafHash([]byte("l")), LeafHash([]byte("r"))
	if got, want := NodeHash(l, r), Hash(sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))); got != want {
		t.Errorf("NodeHash = %s, want %s", got, want)
	}
}

func TestSplitPoint(t *testing.T) {
	for n, want := range map[uint64]uint64{
		2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 8: 4, 9: 8, 1000: 512,
		1 << 40: 1 << 39, 1<<40 + 1: 1 << 40, 1<<64 - 1: 1 << 63,
	} {
		if got := splitPoint(n); got != want {
			t.Errorf("splitPoint(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestParseHash(t *testing.T) {
	h := LeafHash([]byte("x"))
	got, err := ParseHash(h.String())
	if err != nil || got != h {
		t.Errorf("ParseHash(%s) = %s, %v; want the same hash", h, got, err)
	}
	for _, s := range []string{"", "00", h.String() + "00", "zz" + h.String()[2:]} {
		if _, err := ParseHash(s); err == nil {
			t.Errorf("ParseHash(%q) succeeded, want an error", s)
		}
	}
}
