package audit

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// memAccess is an access log that keeps what it is asked to record and
// reads the store's events.
type memAccess struct {
	m        *memStore
	mu       sync.Mutex
	recorded []*cordon.AccessEvent
}

func (a *memAccess) RecordAccess(ctx context.Context, e *cordon.AccessEvent) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.recorded = append(a.recorded, e)
	return nil
}

func (a *memAccess) FindAccessEvents(ctx context.Context, f cordon.AccessEventFilter) ([]*cordon.AccessEvent, int, error) {
	all, _ := a.m.AccessEventsFrom(ctx, -1<<62, 1<<30)
	var out []*cordon.AccessEvent
	for _, e := range all {
		if f.Action == nil || e.Action == *f.Action {
			out = append(out, e)
		}
	}
	total := len(out)
	out = out[min(f.Offset, len(out)):]
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, total, nil
}

func (a *memAccess) CountAccess(ctx context.Context, f cordon.AccessEventFilter) (int, error) {
	_, n, err := a.FindAccessEvents(ctx, f)
	return n, err
}

func newTestService(t testing.TB, m *memStore) (*Service, *memAccess) {
	t.Helper()
	acc := &memAccess{m: m}
	s, err := NewService(ServiceConfig{Store: m, Access: acc, Key: sealKey(1),
		Now: func() time.Time { return time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return s, acc
}

// legal is a context on behalf of a legal auditor.
func legal() context.Context {
	ctx := cordon.NewContextWithActor(context.Background(), &cordon.Actor{UserID: 5, OrgID: 1, OrgKind: cordon.OrgInstitute})
	return cordon.NewContextWithMeta(ctx, cordon.RequestMeta{RequestID: "req-export", ClientIP: "10.1.1.1"})
}

func TestProveInclusion(t *testing.T) {
	m, _ := sealedStore(t)
	s, _ := newTestService(t, m)
	vkey, _ := s.PublicKey(context.Background())
	for _, l := range m.leaves {
		p, err := s.ProveInclusion(context.Background(), l.EventID)
		if err != nil {
			t.Fatalf("event %d: %v", l.EventID, err)
		}
		c, err := OpenCheckpoint(p.Checkpoint.Note, vkey)
		if err != nil {
			t.Fatal(err)
		}
		if LeafHash(p.Leaf) != Hash(p.LeafHash) || p.LeafIndex != l.Index {
			t.Fatalf("event %d: leaf %d %x", l.EventID, p.LeafIndex, p.LeafHash)
		}
		path := make([]Hash, len(p.Path))
		for i, h := range p.Path {
			path[i] = h
		}
		if err := VerifyInclusion(p.LeafIndex, c.Size, p.LeafHash, path, c.Root); err != nil {
			t.Errorf("event %d: %v", l.EventID, err)
		}
	}
	for _, id := range []int64{20, 41, -1} {
		if _, err := s.ProveInclusion(context.Background(), id); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("event %d, not sealed: %v, want ENOTFOUND", id, err)
		}
	}
	m.events[3].Purpose = "changed"
	if _, err := s.ProveInclusion(context.Background(), 3); cordon.ErrorCode(err) != cordon.ECONFLICT {
		t.Errorf("a changed event: %v, want ECONFLICT", err)
	}
}

func TestProveConsistency(t *testing.T) {
	m, _ := sealedStore(t)
	s, _ := newTestService(t, m)
	var hashes []Hash
	for _, l := range m.leaves {
		hashes = append(hashes, l.Hash)
	}
	n := uint64(len(hashes))
	sizes := map[uint64]bool{}
	for _, c := range m.cps {
		sizes[c.Size] = true
	}
	for from := uint64(0); from <= n; from++ {
		for to := from; to <= n; to++ {
			p, err := s.ProveConsistency(context.Background(), from, to)
			if to == 0 {
				// to 0 means the latest checkpoint.
				if err != nil || p.To != n {
					t.Fatalf("0-0: %v %+v", err, p)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%d-%d: %v", from, to, err)
			}
			path := make([]Hash, len(p.Path))
			for i, h := range p.Path {
				path[i] = h
			}
			if p.FromRoot != Root(hashes[:from]) || p.ToRoot != Root(hashes[:to]) {
				t.Fatalf("%d-%d: roots do not match the leaves", from, to)
			}
			if err := VerifyConsistency(from, to, p.FromRoot, p.ToRoot, path); err != nil {
				t.Fatalf("%d-%d: %v", from, to, err)
			}
			if (p.ToCheckpoint != nil) != sizes[to] || (p.FromCheckpoint != nil) != sizes[from] {
				t.Errorf("%d-%d: checkpoints given: %v %v", from, to, p.FromCheckpoint != nil, p.ToCheckpoint != nil)
			}
		}
	}
	for _, c := range [][2]uint64{{5, 40}, {6, 5}} {
		if _, err := s.ProveConsistency(context.Background(), c[0], c[1]); cordon.ErrorCode(err) != cordon.EINVALID {
			t.Errorf("%v: %v, want EINVALID", c, err)
		}
	}
}

func TestNothingSealedYet(t *testing.T) {
	s, _ := newTestService(t, newMemStore())
	if _, err := s.ProveInclusion(context.Background(), 1); cordon.ErrorCode(err) != cordon.ENOTFOUND {
		t.Errorf("proof: %v", err)
	}
	if _, err := s.ExportBundle(legal(), cordon.AuditExport{}, &bytes.Buffer{}); cordon.ErrorCode(err) != cordon.ENOTFOUND {
		t.Errorf("export: %v", err)
	}
}

func exportBundle(t *testing.T, s *Service, f cordon.AuditExport) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := s.ExportBundle(legal(), f, &buf); err != nil {
		t.Fatalf("export: %v", err)
	}
	return buf.Bytes()
}

func TestBundleVerifiesOffline(t *testing.T) {
	m, _ := sealedStore(t)
	s, acc := newTestService(t, m)
	vkey, _ := s.PublicKey(context.Background())
	data := exportBundle(t, s, cordon.AuditExport{})
	r := VerifyBundle(data, vkey)
	if !r.OK() || r.Events != 39 || r.TreeSize != 39 || r.Checkpoints != 1 {
		t.Fatalf("bundle: %+v", r)
	}
	if again := exportBundle(t, s, cordon.AuditExport{}); !bytes.Equal(again, data) {
		t.Error("two exports of the same log differ")
	}
	if len(acc.recorded) != 2 || acc.recorded[0].Action != cordon.ActExport || acc.recorded[0].UserID != 5 ||
		acc.recorded[0].RequestID != "req-export" || acc.recorded[0].Resource != cordon.ResAudit {
		t.Errorf("exports recorded: %+v", acc.recorded)
	}
	// Unpinned, the bundle's own key is used.
	if r := VerifyBundle(data, ""); !r.OK() {
		t.Errorf("unpinned: %v", r.Findings)
	}
	// A range.
	from, to := testEvent(10).At, testEvent(15).At
	part := exportBundle(t, s, cordon.AuditExport{From: &from, To: &to})
	if r := VerifyBundle(part, vkey); !r.OK() || r.Events != 5 {
		t.Errorf("events 10 to 14: %d events, %v", r.Events, r.Findings)
	}
	if _, err := (&Service{cfg: ServiceConfig{Store: m, Access: acc, MaxExport: 5}, signer: s.signer, vkey: s.vkey}).
		ExportBundle(legal(), cordon.AuditExport{}, &bytes.Buffer{}); cordon.ErrorCode(err) != cordon.EINVALID {
		t.Errorf("too many events: %v, want EINVALID", err)
	}
	if _, err := s.ExportBundle(context.Background(), cordon.AuditExport{}, &bytes.Buffer{}); cordon.ErrorCode(err) != cordon.EUNAUTHENTICATED {
		t.Errorf("export with no actor: %v", err)
	}
}

// TestBundleEveryByte: changing any one byte of a bundle makes it fail.
func TestBundleEveryByte(t *testing.T) {
	m, _ := sealedStore(t)
	s, _ := newTestService(t, m)
	vkey, _ := s.PublicKey(context.Background())
	from, to := testEvent(1).At, testEvent(4).At
	data := exportBundle(t, s, cordon.AuditExport{From: &from, To: &to})
	for i := range data {
		for _, bit := range []byte{0x01, 0x80} {
			bad := bytes.Clone(data)
			bad[i] ^= bit
			if r := VerifyBundle(bad, vkey); r.OK() {
				t.Fatalf("byte %d ^ %#x of %d: the bundle still verifies", i, bit, len(data))
			}
		}
	}
	if r := VerifyBundle(data[:len(data)-1], vkey); r.OK() {
		t.Error("a truncated bundle verifies")
	}
	if r := VerifyBundle(append(bytes.Clone(data), 0), vkey); r.OK() {
		t.Error("a bundle with a byte appended verifies")
	}
}

// files returns the bundle's files.
func files(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		out[f.Name] = b.Bytes()
	}
	return out
}

// TestBundleNamesTheDamage: a changed event line names the event, even
// when the archive around it is rebuilt to look whole.
func TestBundleNamesTheDamage(t *testing.T) {
	m, _ := sealedStore(t)
	s, _ := newTestService(t, m)
	vkey, _ := s.PublicKey(context.Background())
	data := exportBundle(t, s, cordon.AuditExport{})
	mod := time.Unix(1e9, 0)
	for _, tc := range []struct {
		name   string
		change func(f map[string][]byte)
		want   string
	}{
		{"event line", func(f map[string][]byte) {
			f[bundleEvents] = bytes.Replace(f[bundleEvents], []byte(`"job:70"`), []byte(`"job:71"`), 1)
		}, "changed    event 7 (leaf 6): events.jsonl line 7 is not in the log by its proof"},
		{"proof", func(f map[string][]byte) {
			lines := bytes.SplitAfter(f[bundleProofs], []byte("\n"))
			lines[2] = bytes.Replace(lines[2], []byte(`"hashes":["`), []byte(`"hashes":["0`), 1)
			lines[2] = bytes.Replace(lines[2], []byte(`","`), []byte(`","`[1:]), 1)
			f[bundleProofs] = bytes.Join(lines, nil)
		}, "line 3"},
		{"checkpoint", func(f map[string][]byte) {
			f[bundleCheckpoint] = bytes.Replace(f[bundleCheckpoint], []byte("\n39\n"), []byte("\n38\n"), 1)
		}, "checkpoint.txt does not verify"},
		{"readme", func(f map[string][]byte) {
			f[bundleReadme] = append(f[bundleReadme], '!')
		}, "README.txt differs from its hash in the manifest"},
		{"events swapped", func(f map[string][]byte) {
			lines := bytes.SplitAfter(f[bundleEvents], []byte("\n"))
			lines[0], lines[1] = lines[1], lines[0]
			f[bundleEvents] = bytes.Join(lines, nil)
		}, "reordered  event 2 (leaf 0)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := files(t, data)
			tc.change(f)
			var rebuilt bytes.Buffer
			if err := writeZip(&rebuilt, f, mod); err != nil {
				t.Fatal(err)
			}
			r := VerifyBundle(rebuilt.Bytes(), vkey)
			var all []string
			for _, x := range r.Findings {
				all = append(all, x.String())
			}
			if r.OK() || !strings.Contains(strings.Join(all, "\n"), tc.want) {
				t.Errorf("findings:\n%s\nwant one with %q", strings.Join(all, "\n"), tc.want)
			}
		})
	}
	// Signed by another key: pinning the right one catches it.
	other, _ := newTestService(t, m)
	other.signer, other.vkey, _ = NewSigner(DefaultOrigin, sealKey(7))
	f := files(t, data)
	f[bundleKey] = []byte(other.vkey + "\n")
	var rebuilt bytes.Buffer
	writeZip(&rebuilt, f, mod)
	if r := VerifyBundle(rebuilt.Bytes(), vkey); r.OK() {
		t.Error("a bundle whose key was swapped verifies against the pinned key")
	}
}

func TestExportAccessEventsCSV(t *testing.T) {
	m, _ := sealedStore(t)
	m.add(41)
	m.events[41].Purpose = "=HYPERLINK(\"x\")"
	s, acc := newTestService(t, m)
	var buf bytes.Buffer
	if err := s.ExportAccessEvents(legal(), cordon.AccessEventFilter{}, &buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 41 || rows[0][0] != "id" || rows[1][16] != "0" || rows[40][16] != "" || rows[40][10] != "'=HYPERLINK(\"x\")" {
		t.Errorf("csv: %d rows, first %v, last %v", len(rows), rows[1], rows[40])
	}
	if len(acc.recorded) != 1 || acc.recorded[0].Resource != cordon.ResAccessEvent {
		t.Errorf("recorded %+v", acc.recorded)
	}
	small := &Service{cfg: ServiceConfig{Store: m, Access: acc, MaxExport: 10}}
	if err := small.ExportAccessEvents(legal(), cordon.AccessEventFilter{}, &buf); cordon.ErrorCode(err) != cordon.EINVALID {
		t.Errorf("too many: %v", err)
	}
}

func TestProofLineRoundTrip(t *testing.T) {
	p := proofLine{EventID: 12, Index: 11, Size: 39, Hashes: []Hash{{1}, {2}}}
	line := appendProofLine(nil, p)
	got, err := parseProofLine(line[:len(line)-1])
	if err != nil || got.EventID != 12 || got.Index != 11 || got.Size != 39 || len(got.Hashes) != 2 || got.Hashes[1] != (Hash{2}) {
		t.Fatalf("%+v %v", got, err)
	}
	for _, bad := range []string{
		`{"event_id":012,"leaf_index":11,"tree_size":39,"hashes":[]}`,
		`{"event_id":12,"leaf_index":11,"tree_size":39,"hashes":[] }`,
		`{"event_id":12, "leaf_index":11,"tree_size":39,"hashes":[]}`,
		`{"event_id":12,"leaf_index":11,"tree_size":39,"hashes":["AB"]}`,
		`{"event_id":12,"leaf_index":11,"tree_size":39,"hashes":[],"x":1}`,
	} {
		if _, err := parseProofLine([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// BenchmarkVerifyBundle verifies a bundle of 100,000 events (the most an
// export holds) in a log of 200,000, and reports events per second.
func BenchmarkVerifyBundle(b *testing.B) {
	m, vkey := bigLog(b, 200000, 1000)
	s, _ := newTestService(b, m)
	from := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC).Add(100001 * time.Millisecond) // events 100001 on
	var buf bytes.Buffer
	n, err := s.ExportBundle(legal(), cordon.AuditExport{From: &from}, &buf)
	if err != nil || n != 100000 {
		b.Fatalf("export: %d %v", n, err)
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		if r := VerifyBundle(buf.Bytes(), vkey); !r.OK() {
			b.Fatal(r.Findings)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	reportCPU(b, cpu0, n*b.N)
}

// TestProofCheckerAgreesWithVerifyInclusion: the checker that remembers
// proven nodes accepts exactly the proofs VerifyInclusion accepts, whatever
// it has seen before.
func TestProofCheckerAgreesWithVerifyInclusion(t *testing.T) {
	for size := uint64(1); size <= 70; size++ {
		var leaves []Hash
		for i := range size {
			leaves = append(leaves, LeafHash([]byte{byte(i), byte(size)}))
		}
		root := Root(leaves)
		pc := newProofChecker(size, root)
		check := func(what string, index uint64, leaf Hash, proof []Hash) {
			t.Helper()
			want := VerifyInclusion(index, size, leaf, proof, root) == nil
			if got := pc.verify(index, leaf, proof); got != want {
				t.Fatalf("size %d, leaf %d, %s: checker says %v, VerifyInclusion %v", size, index, what, got, want)
			}
		}
		// Bad proofs first and between good ones, so that they meet both
		// an empty memory and a full one.
		for pass := range 3 {
			for k := range size {
				i := k // in order, then in reverse, then in order again
				if pass == 1 {
					i = size - 1 - k
				}
				proof, err := InclusionProof(i, size, leaves)
				if err != nil {
					t.Fatal(err)
				}
				for j := range proof {
					bad := slicesClone(proof)
					bad[j][0] ^= 1
					check(fmt.Sprintf("pass %d, hash %d changed", pass, j), i, leaves[i], bad)
				}
				other := LeafHash([]byte("other"))
				check("another leaf", i, other, proof)
				if len(proof) > 0 {
					check("a hash short", i, leaves[i], proof[:len(proof)-1])
				}
				check("a hash more", i, leaves[i], append(slicesClone(proof), Hash{}))
				if i+1 < size {
					check("the next index", i+1, leaves[i], proof)
				}
				check("the leaf", i, leaves[i], proof)
			}
		}
		check("outside the tree", size, leaves[0], nil)
	}
}

func slicesClone(h []Hash) []Hash { return append([]Hash(nil), h...) }
