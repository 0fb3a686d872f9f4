package audit

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// sealedStore returns a store whose events 1 to 40 are sealed in batches
// of ten, with id 20 a recorded gap (an insert that rolled back).
func sealedStore(t testing.TB) (*memStore, *Sealer) {
	t.Helper()
	m := newMemStore()
	clk := &testClock{t: time.Unix(1e9, 0)}
	s, err := NewSealer(SealerConfig{Store: m, Key: sealKey(1), Now: clk.Now, GapTimeout: time.Second, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	for batch := int64(0); batch < 4; batch++ {
		for id := batch*10 + 1; id <= batch*10+10; id++ {
			if id != 20 {
				m.add(id)
			}
		}
		for range 2 {
			if _, err := s.SealOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			clk.Add(time.Second)
		}
	}
	s.Close()
	if len(m.leaves) != 39 || len(m.gaps) != 1 {
		t.Fatalf("set-up: %d leaves and gaps %v, want 39 and [20]", len(m.leaves), m.gaps)
	}
	return m, s
}

func verify(t *testing.T, m *memStore, key string, trusted ...[]byte) *Report {
	t.Helper()
	r, err := Verify(context.Background(), m, VerifyOptions{Key: key, Trusted: trusted})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return r
}

// findings formats a report's findings for comparison.
func findings(r *Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s %d %d", f.Kind, f.EventID, f.Leaf))
	}
	return out
}

func TestVerifyCleanLog(t *testing.T) {
	m, s := sealedStore(t)
	m.add(41, 42) // not sealed yet
	r := verify(t, m, s.VerifierKey())
	if !r.OK() {
		t.Fatalf("a clean log has findings: %v", r.Findings)
	}
	if r.Leaves != 39 || r.Events != 41 || r.Pending != 2 || r.Gaps != 1 || r.Checkpoints != 4 || r.TreeSize != 39 {
		t.Errorf("report %+v", r)
	}
	var out strings.Builder
	r.WriteText(&out)
	if !strings.Contains(out.String(), "OK:") {
		t.Errorf("text: %s", out.String())
	}
}

// TestVerifyNamesTampering: every change made under the log is found and
// names the event.
func TestVerifyNamesTampering(t *testing.T) {
	swap := func(m *memStore, a, b int64) {
		ea, eb := *m.events[a], *m.events[b]
		ea.ID, eb.ID = b, a
		m.events[a], m.events[b] = &eb, &ea
	}
	for _, tc := range []struct {
		name   string
		tamper func(m *memStore)
		want   []string // kind event leaf; in event order, checkpoint problems first
	}{
		{"update", func(m *memStore) { m.events[7].Purpose = "job:99" },
			[]string{"root 0 -1", "changed 7 6"}},
		{"update of the time", func(m *memStore) { m.events[8].At = m.events[8].At.Add(time.Nanosecond) },
			[]string{"root 0 -1", "changed 8 7"}},
		{"delete", func(m *memStore) { delete(m.events, 12) },
			[]string{"root 0 -1", "removed 12 11"}},
		{"insert into a gap", func(m *memStore) { m.events[20] = testEvent(20) },
			[]string{"inserted 20 -1"}},
		{"insert below the log", func(m *memStore) { m.events[0] = testEvent(0) },
			[]string{"inserted 0 -1"}},
		{"reorder", func(m *memStore) { swap(m, 30, 31) },
			[]string{"root 0 -1", "reordered 30 28", "reordered 31 29"}},
		{"renumber", func(m *memStore) {
			e := *m.events[33]
			e.ID = 20
			m.events[20] = &e
			delete(m.events, 33)
		}, []string{"root 0 -1", "reordered 20 -1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, s := sealedStore(t)
			tc.tamper(m)
			r := verify(t, m, s.VerifierKey())
			got := findings(r)
			if strings.Join(got, "; ") != strings.Join(tc.want, "; ") {
				t.Errorf("findings %v, want %v\n%v", got, tc.want, r.Findings)
			}
		})
	}
}

func TestVerifyLogTampering(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(m *memStore)
		want   string // a finding's kind and words
	}{
		{"leaf hash changed with its event", func(m *memStore) {
			m.events[5].Action = "download"
			m.leaves[4].Hash = LeafHash(EncodeLeaf(m.events[5]))
		}, "leaves the stored leaf hashes do not give the signed root"},
		{"leaves swapped", func(m *memStore) {
			m.leaves[3].EventID, m.leaves[4].EventID = m.leaves[4].EventID, m.leaves[3].EventID
			m.leaves[3].Hash, m.leaves[4].Hash = m.leaves[4].Hash, m.leaves[3].Hash
		}, "leaves leaf 4 holds event 4 after event 5: the leaves are out of order"},
		{"leaf removed", func(m *memStore) { m.leaves = append(m.leaves[:6:6], m.leaves[7:]...) },
			"leaves leaf 6 is missing"},
		{"checkpoint forged", func(m *memStore) {
			n := []byte(string(m.cps[1].Note))
			n[len(n)-5] ^= 1
			m.cps[1] = &cordon.AuditCheckpoint{Size: m.cps[1].Size, Root: m.cps[1].Root, At: m.cps[1].At, Note: n}
		}, "checkpoint checkpoint of size 19: the signature does not verify"},
		{"checkpoint removed", func(m *memStore) { m.cps = m.cps[:3] },
			"checkpoint the sealing state records 39 sealed events but the latest checkpoint is of size 29"},
		{"checkpoint row altered", func(m *memStore) {
			c := *m.cps[0]
			c.Root[0] ^= 1
			m.cps[0] = &c
		}, "checkpoint checkpoint of size 10: the stored size or root differs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, s := sealedStore(t)
			tc.tamper(m)
			r := verify(t, m, s.VerifierKey())
			var all []string
			for _, f := range r.Findings {
				all = append(all, f.Kind+" "+f.Detail)
			}
			if !strings.Contains(strings.Join(all, "\n"), tc.want) {
				t.Errorf("findings %q, want one with %q", all, tc.want)
			}
		})
	}
}

func TestVerifyWrongKey(t *testing.T) {
	m, _ := sealedStore(t)
	other, err := VerifierKey(DefaultOrigin, sealKey(5))
	if err != nil {
		t.Fatal(err)
	}
	r := verify(t, m, other)
	if r.OK() || r.Findings[0].Kind != BadCheckpoint {
		t.Errorf("verified with another key: %v", r.Findings)
	}
	if _, err := Verify(context.Background(), m, VerifyOptions{Key: "nonsense"}); err == nil {
		t.Error("a malformed key was accepted")
	}
}

// TestVerifyTrustedCheckpoint: a checkpoint kept elsewhere shows a log
// rewritten, or cut back, since.
func TestVerifyTrustedCheckpoint(t *testing.T) {
	m, s := sealedStore(t)
	kept := m.cps[2].Note
	if r := verify(t, m, s.VerifierKey(), kept); !r.OK() {
		t.Fatalf("a kept checkpoint of this log: %v", r.Findings)
	}
	// A log rewritten with the key: the events are the same but one, and
	// every checkpoint is signed afresh.
	forged := newMemStore()
	clk := &testClock{t: time.Unix(1e9, 0)}
	f := newTestSealer(t, forged, clk)
	forged.add(ids(1, 25)...)
	forged.events[3].Purpose = "job:0"
	seal(t, f)
	r := verify(t, forged, f.VerifierKey(), kept)
	if r.OK() || !strings.Contains(r.Findings[0].Detail, "was cut back") {
		t.Errorf("a shorter rewritten log: %v", r.Findings)
	}
	forged.add(ids(26, 40)...)
	seal(t, f)
	r = verify(t, forged, f.VerifierKey(), kept)
	if r.OK() || !strings.Contains(r.Findings[0].Detail, "was rewritten") {
		t.Errorf("a rewritten log: %v", r.Findings)
	}
}

// bigLog builds a log of n events with a checkpoint every batch events,
// straight into a store, as the sealer would.
func bigLog(tb testing.TB, n, batch int) (*memStore, string) {
	tb.Helper()
	m := newMemStore()
	signer, vkey, err := NewSigner(DefaultOrigin, sealKey(1))
	if err != nil {
		tb.Fatal(err)
	}
	var tree Compact
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for id := int64(1); id <= int64(n); id++ {
		e := testEvent(id)
		e.At = at.Add(time.Duration(id) * time.Millisecond)
		m.events[id] = e
		h := LeafHash(EncodeLeaf(e))
		m.leaves = append(m.leaves, cordon.AuditLeaf{Index: tree.Size(), EventID: id, Hash: h})
		appendNodes(&tree, h, func(level uint8, i uint64, h Hash) { m.nodes[nodeKey{level, i}] = h })
		if id%int64(batch) == 0 || id == int64(n) {
			c := Checkpoint{Origin: DefaultOrigin, Size: tree.Size(), Root: tree.Root(), Time: e.At}
			note, err := SignCheckpoint(c, signer)
			if err != nil {
				tb.Fatal(err)
			}
			m.cps = append(m.cps, &cordon.AuditCheckpoint{Size: c.Size, Root: c.Root, At: c.Time, Note: note})
		}
	}
	state, _ := tree.MarshalBinary()
	m.state = &cordon.AuditState{Size: tree.Size(), NextEventID: int64(n) + 1, Tree: state}
	return m, vkey
}

// BenchmarkVerify verifies a log of 200,000 events with a checkpoint every
// 1,000 (the sealer at 1,000 events a batch): every leaf recomputed, every
// root and signature checked. It reports events verified per second.
func BenchmarkVerify(b *testing.B) {
	const n = 200000
	m, vkey := bigLog(b, n, 1000)
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		r, err := Verify(context.Background(), m, VerifyOptions{Key: vkey})
		if err != nil || !r.OK() || r.Leaves != n {
			b.Fatalf("verify: %v %v", err, r.Findings)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	reportCPU(b, cpu0, n*b.N)
}
