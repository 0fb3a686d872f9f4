package audit

import (
	"errors"
	"testing"

	"github.com/cordon/cordon/internal/cordon"
)

func TestCompactRootEqualsRoot(t *testing.T) {
	hs := leafHashes(syntheticLeaves(300))
	var c Compact
	for n := 0; n <= len(hs); n++ {
		if got := c.Size(); got != uint64(n) {
			t.Fatalf("Size() = %d, want %d", got, n)
		}
		if got, want := c.Root(), Root(hs[:n]); got != want {
			t.Fatalf("size %d: Root() = %s, want %s", n, got, want)
		}
		if n < len(hs) {
			c.Append(hs[n])
		}
	}
}

func TestCompactMatchesCTVectors(t *testing.T) {
	var c Compact
	for i, h := range leafHashes(ctLeaves) {
		c.Append(h)
		if got := c.Root().String(); got != ctRoots[i+1] {
			t.Errorf("size %d: Root() = %s, want %s", i+1, got, ctRoots[i+1])
		}
	}
}

func TestCompactSaveRestore(t *testing.T) {
	hs := leafHashes(syntheticLeaves(300))
	var c Compact
	for n := 0; n <= len(hs); n++ {
		state, err := c.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var r Compact
		if err := r.UnmarshalBinary(state); err != nil {
			t.Fatalf("size %d: UnmarshalBinary: %v", n, err)
		}
		if r.Size() != c.Size() || r.Root() != c.Root() {
			t.Fatalf("size %d: restored size %d root %s, want %d %s", n, r.Size(), r.Root(), c.Size(), c.Root())
		}
		// The restored tree keeps growing as the original would have.
		for m := n; m < len(hs) && m < n+20; m++ {
			r.Append(hs[m])
			if got, want := r.Root(), Root(hs[:m+1]); got != want {
				t.Fatalf("restored at %d, appended to %d: Root() = %s, want %s", n, m+1, got, want)
			}
		}
		if n < len(hs) {
			c.Append(hs[n])
		}
	}
}

func TestCompactStateFormat(t *testing.T) {
	// Size 5 = 0b101: the subtree of leaves 0..3, then leaf 4.
	hs := leafHashes(ctLeaves[:5])
	var c Compact
	for _, h := range hs {
		c.Append(h)
	}
	got, _ := c.MarshalBinary()
	left := mustHash(t, ctRoots[4])
	want := append([]byte{0, 0, 0, 0, 0, 0, 0, 5}, left[:]...)
	want = append(want, hs[4][:]...)
	if string(got) != string(want) {
		t.Errorf("MarshalBinary() = %x, want %x", got, want)
	}
}

func TestCompactUnmarshalRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"short size", []byte{0, 0, 0}},
		{"size 1 without hash", []byte{0, 0, 0, 0, 0, 0, 0, 1}},
		{"size 0 with hash", append(make([]byte, 8), make([]byte, 32)...)},
		{"size 3 with one hash", append([]byte{0, 0, 0, 0, 0, 0, 0, 3}, make([]byte, 32)...)},
		{"partial hash", append([]byte{0, 0, 0, 0, 0, 0, 0, 1}, make([]byte, 31)...)},
		{"huge size", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Compact{size: 1, hashes: []Hash{{1}}}
			err := c.UnmarshalBinary(tc.data)
			if cordon.ErrorCode(err) != cordon.EINVALID {
				t.Fatalf("UnmarshalBinary(%x) = %v, want EINVALID", tc.data, err)
			}
			if c.Size() != 1 || c.Root() != (Hash{1}) {
				t.Errorf("a failed UnmarshalBinary changed the tree")
			}
		})
	}
}

func TestCompactClone(t *testing.T) {
	var c Compact
	for _, h := range leafHashes(ctLeaves[:3]) {
		c.Append(h)
	}
	d := c.Clone()
	d.Append(LeafHash(ctLeaves[3]))
	if got := c.Root().String(); got != ctRoots[3] {
		t.Errorf("original after appending to the clone: Root() = %s, want %s", got, ctRoots[3])
	}
	if got := d.Root().String(); got != ctRoots[4] {
		t.Errorf("clone: Root() = %s, want %s", got, ctRoots[4])
	}
}

func FuzzCompactUnmarshal(f *testing.F) {
	var c Compact
	for _, h := range leafHashes(ctLeaves) {
		c.Append(h)
		b, _ := c.MarshalBinary()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var c Compact
		if err := c.UnmarshalBinary(data); err != nil {
			if !errors.As(err, new(*cordon.Error)) {
				t.Fatalf("error %v is not a cordon.Error", err)
			}
			return
		}
		// A state that restores saves back to the same bytes.
		again, _ := c.MarshalBinary()
		if string(again) != string(data) {
			t.Fatalf("MarshalBinary(UnmarshalBinary(%x)) = %x", data, again)
		}
		_ = c.Root()
		if c.Size() < 1<<64-1 {
			c.Append(Hash{})
		}
	})
}
