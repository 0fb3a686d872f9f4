package audit

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// memStore is the database in memory: access events with a commit flag
// (uncommitted ones are invisible, as in-flight inserts are), and the
// sealed log. It implements Store.
type memStore struct {
	mu       sync.Mutex
	events   map[int64]*cordon.AccessEvent
	hidden   map[int64]bool // inserted, not committed
	state    *cordon.AuditState
	leaves   []cordon.AuditLeaf
	nodes    map[nodeKey]Hash
	cps      []*cordon.AuditCheckpoint
	gaps     []cordon.AuditGap
	lockedBy *int // the lease holder, for TryLead
	leases   int
}

var _ Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{events: map[int64]*cordon.AccessEvent{}, hidden: map[int64]bool{}, nodes: map[nodeKey]Hash{}}
}

// add commits events with the given ids (hidden ones are inserted but not
// committed).
func (m *memStore) add(ids ...int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range ids {
		m.events[id] = testEvent(id)
	}
}

func (m *memStore) hide(id int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events[id] = testEvent(id)
	m.hidden[id] = true
}

func (m *memStore) commit(id int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.hidden, id)
}

func testEvent(id int64) *cordon.AccessEvent {
	return &cordon.AccessEvent{
		ID: id, At: time.Date(2026, 11, 2, 9, 0, 0, int(id), time.UTC), UserID: 7 + id%3, OrgID: 2,
		ContractNo: "HF-2026-001", Clause: "§4.2", Resource: cordon.ResJob, ResourceID: fmt.Sprint(id * 10),
		Action: cordon.ActView, Decision: cordon.Allow, Purpose: fmt.Sprintf("job:%d", id*10),
		Fields: []string{"name", "phone"}, RequestID: fmt.Sprintf("req-%d", id), ClientIP: "10.0.0.1",
	}
}

func (m *memStore) TryLead(ctx context.Context) (func(context.Context) error, func(), error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lockedBy != nil {
		return nil, nil, nil
	}
	m.leases++
	me := m.leases
	m.lockedBy = &me
	alive := func(context.Context) error {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.lockedBy == nil || *m.lockedBy != me {
			return fmt.Errorf("lease %d lost", me)
		}
		return nil
	}
	release := func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.lockedBy != nil && *m.lockedBy == me {
			m.lockedBy = nil
		}
	}
	return alive, release, nil
}

func (m *memStore) AuditState(ctx context.Context) (cordon.AuditState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state == nil {
		return cordon.AuditState{NextEventID: 1, Tree: make([]byte, 8)}, nil
	}
	return *m.state, nil
}

func (m *memStore) visibleIDs() []int64 {
	ids := make([]int64, 0, len(m.events))
	for id := range m.events {
		if !m.hidden[id] {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func (m *memStore) AccessEventsFrom(ctx context.Context, fromID int64, limit int) ([]*cordon.AccessEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*cordon.AccessEvent
	for _, id := range m.visibleIDs() {
		if id >= fromID && len(out) < limit {
			e := *m.events[id]
			out = append(out, &e)
		}
	}
	return out, nil
}

func (m *memStore) SaveSeal(ctx context.Context, s *cordon.AuditSeal) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur := cordon.AuditState{NextEventID: 1}
	if m.state != nil {
		cur = *m.state
	}
	if cur.Size != s.Prev.Size || cur.NextEventID != s.Prev.NextEventID {
		return cordon.Err(cordon.ECONFLICT, "store.access_log_was_sealed_another")
	}
	next := s.Next
	m.state = &next
	m.leaves = append(m.leaves, s.Leaves...)
	for _, n := range s.Nodes {
		m.nodes[nodeKey{n.Level, n.Index}] = n.Hash
	}
	m.gaps = append(m.gaps, s.Gaps...)
	if s.Checkpoint != nil {
		m.cps = append(m.cps, s.Checkpoint)
	}
	return nil
}

func (m *memStore) LatestCheckpoint(ctx context.Context) (*cordon.AuditCheckpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.cps) == 0 {
		return nil, cordon.Err(cordon.ENOTFOUND, "checkpoint.not_found")
	}
	return m.cps[len(m.cps)-1], nil
}

func (m *memStore) CheckpointBySize(ctx context.Context, size uint64) (*cordon.AuditCheckpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.cps {
		if c.Size == size {
			return c, nil
		}
	}
	return nil, cordon.Err(cordon.ENOTFOUND, "checkpoint.not_found")
}

func (m *memStore) FindCheckpoints(ctx context.Context, offset, limit int) ([]*cordon.AuditCheckpoint, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*cordon.AuditCheckpoint
	for i := len(m.cps) - 1 - offset; i >= 0 && len(out) < limit; i-- {
		out = append(out, m.cps[i])
	}
	return out, len(m.cps), nil
}

func (m *memStore) FindLeaves(ctx context.Context, eventIDs []int64) ([]cordon.AuditLeaf, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []cordon.AuditLeaf
	for _, l := range m.leaves {
		if slices.Contains(eventIDs, l.EventID) {
			out = append(out, l)
		}
	}
	return out, nil
}

func (m *memStore) FindNodes(ctx context.Context, level uint8, indexes []uint64) ([]cordon.AuditNode, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []cordon.AuditNode
	for _, i := range indexes {
		if level == 0 {
			if i < uint64(len(m.leaves)) && m.leaves[i].Index == i {
				out = append(out, cordon.AuditNode{Index: i, Hash: m.leaves[i].Hash})
			}
			continue
		}
		if h, ok := m.nodes[nodeKey{level, i}]; ok {
			out = append(out, cordon.AuditNode{Level: level, Index: i, Hash: h})
		}
	}
	return out, nil
}

func (m *memStore) AccessEventsByID(ctx context.Context, ids []int64) ([]*cordon.AccessEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*cordon.AccessEvent
	for _, id := range ids {
		if e, ok := m.events[id]; ok && !m.hidden[id] {
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *memStore) SealedAccessEvents(ctx context.Context, f cordon.AuditExport, size uint64, limit int) ([]*cordon.AccessEvent, []cordon.AuditLeaf, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var events []*cordon.AccessEvent
	var leaves []cordon.AuditLeaf
	for _, l := range m.leaves {
		e, ok := m.events[l.EventID]
		if !ok || l.Index >= size || f.From != nil && e.At.Before(*f.From) || f.To != nil && !e.At.Before(*f.To) {
			continue
		}
		if len(events) == limit {
			break
		}
		events, leaves = append(events, e), append(leaves, l)
	}
	return events, leaves, nil
}

func (m *memStore) SealedSize(ctx context.Context) (uint64, uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var s, c uint64
	if m.state != nil {
		s = m.state.Size
	}
	for _, cp := range m.cps {
		c = max(c, cp.Size)
	}
	return s, c, nil
}

func (m *memStore) EachCheckpoint(ctx context.Context, upTo uint64, fn func([]*cordon.AuditCheckpoint) error) error {
	m.mu.Lock()
	var out []*cordon.AuditCheckpoint
	for _, c := range m.cps {
		if c.Size <= upTo {
			out = append(out, c)
		}
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Size < out[j].Size })
	return eachBatch(out, fn)
}

func (m *memStore) EachLeaf(ctx context.Context, size uint64, fn func([]cordon.AuditLeaf) error) error {
	m.mu.Lock()
	var out []cordon.AuditLeaf
	for _, l := range m.leaves {
		if l.Index < size {
			out = append(out, l)
		}
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return eachBatch(out, fn)
}

func (m *memStore) EachAccessEvent(ctx context.Context, fn func([]*cordon.AccessEvent) error) error {
	m.mu.Lock()
	ids := m.visibleIDs()
	out := make([]*cordon.AccessEvent, len(ids))
	for i, id := range ids {
		out[i] = m.events[id]
	}
	m.mu.Unlock()
	return eachBatch(out, fn)
}

func (m *memStore) FindGaps(ctx context.Context) ([]cordon.AuditGap, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.gaps), nil
}

func eachBatch[T any](all []T, fn func([]T) error) error {
	for len(all) > 0 {
		n := min(len(all), 1000)
		if err := fn(all[:n:n]); err != nil {
			return err
		}
		all = all[n:]
	}
	return nil
}

// testClock only moves when told.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func sealKey(seed byte) ed25519.PrivateKey {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed + byte(i)
	}
	return ed25519.NewKeyFromSeed(s)
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newTestSealer(t testing.TB, st SealStore, clk *testClock) *Sealer {
	t.Helper()
	s, err := NewSealer(SealerConfig{Store: st, Key: sealKey(1), Now: clk.Now, GapTimeout: 10 * time.Second, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func seal(t *testing.T, s *Sealer) SealResult {
	t.Helper()
	res, err := s.SealOnce(context.Background())
	if err != nil {
		t.Fatalf("SealOnce: %v", err)
	}
	return res
}

// sealedIDs lists the event ids of the leaves, in leaf order.
func (m *memStore) sealedIDs() []int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []int64
	for i, l := range m.leaves {
		if l.Index != uint64(i) {
			panic("leaf index out of place")
		}
		ids = append(ids, l.EventID)
	}
	return ids
}

func ids(from, to int64) []int64 {
	var out []int64
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// checkLog recomputes the log from the events and checks every checkpoint.
func checkLog(t *testing.T, m *memStore, vkey string) {
	t.Helper()
	var hashes []Hash
	for _, l := range m.leaves {
		hashes = append(hashes, LeafHash(EncodeLeaf(m.events[l.EventID])))
	}
	for _, cp := range m.cps {
		c, err := OpenCheckpoint(cp.Note, vkey)
		if err != nil {
			t.Fatalf("checkpoint %d: %v", cp.Size, err)
		}
		if want := Root(hashes[:c.Size]); c.Root != want || Hash(cp.Root) != want {
			t.Errorf("checkpoint %d: root %s, recomputed %s", c.Size, c.Root, want)
		}
	}
	for k, h := range m.nodes {
		lo := k.index << k.level
		if want := Root(hashes[lo : lo+1<<k.level]); h != want {
			t.Errorf("node %d/%d: %s, want %s", k.level, k.index, h, want)
		}
	}
}

func TestAppendNodes(t *testing.T) {
	var a, b Compact
	var hashes []Hash
	nodes := map[nodeKey]Hash{}
	for i := range 100 {
		h := LeafHash([]byte{byte(i)})
		hashes = append(hashes, h)
		a.Append(h)
		appendNodes(&b, h, func(level uint8, index uint64, h Hash) { nodes[nodeKey{level, index}] = h })
		if a.Root() != b.Root() || a.Size() != b.Size() {
			t.Fatalf("after %d leaves the roots differ", i+1)
		}
	}
	want := 0
	for level := 1; 1<<level <= 100; level++ {
		want += 100 >> level
	}
	if len(nodes) != want {
		t.Errorf("got %d nodes, want every perfect subtree: %d", len(nodes), want)
	}
	for k, h := range nodes {
		lo := k.index << k.level
		if got := Root(hashes[lo : lo+1<<k.level]); got != h {
			t.Errorf("node %d/%d = %s, want %s", k.level, k.index, h, got)
		}
	}
}

func TestSealerSealsInIDOrder(t *testing.T) {
	m := newMemStore()
	clk := &testClock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	s := newTestSealer(t, m, clk)
	if res := seal(t, s); !res.Leading || res.Sealed != 0 || len(m.cps) != 0 {
		t.Fatalf("an empty log: %+v, %d checkpoints; want leading, nothing sealed", res, len(m.cps))
	}
	m.add(ids(1, 10)...)
	if res := seal(t, s); res.Sealed != 10 || res.Size != 10 {
		t.Fatalf("sealed %+v, want 10", res)
	}
	clk.Add(time.Second)
	m.add(ids(11, 13)...)
	seal(t, s)
	if got := m.sealedIDs(); !slices.Equal(got, ids(1, 13)) {
		t.Errorf("sealed %v", got)
	}
	if len(m.cps) != 2 || m.cps[0].Size != 10 || m.cps[1].Size != 13 {
		t.Errorf("checkpoints: want one per batch, sizes 10 and 13")
	}
	checkLog(t, m, s.VerifierKey())
	if res := seal(t, s); res.Sealed != 0 || len(m.cps) != 2 {
		t.Errorf("nothing new: %+v, %d checkpoints", res, len(m.cps))
	}
}

func TestSealerBatchLimit(t *testing.T) {
	m := newMemStore()
	clk := &testClock{t: time.Unix(1e9, 0)}
	s, err := NewSealer(SealerConfig{Store: m, Key: sealKey(1), Now: clk.Now, MaxBatch: 4, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	m.add(ids(1, 10)...)
	var got []SealResult
	for {
		res := seal(t, s)
		got = append(got, res)
		if !res.More {
			break
		}
	}
	if len(got) != 3 || got[0].Sealed != 4 || got[2].Sealed != 2 || got[2].Size != 10 {
		t.Errorf("batches %+v, want 4, 4, 2", got)
	}
	checkLog(t, m, s.VerifierKey())
}

// TestSealerWaitsForLateCommit: an event whose insert commits after
// higher ids lands in the next batch; nothing is skipped.
func TestSealerWaitsForLateCommit(t *testing.T) {
	m := newMemStore()
	clk := &testClock{t: time.Unix(1e9, 0)}
	s := newTestSealer(t, m, clk)
	m.add(1, 2)
	m.hide(3)
	m.add(4, 5)
	if res := seal(t, s); res.Sealed != 2 || res.Gaps != 0 {
		t.Fatalf("with 3 in flight: %+v, want 1 and 2 sealed", res)
	}
	clk.Add(5 * time.Second) // less than the gap timeout
	m.add(6)
	seal(t, s)
	if got := m.sealedIDs(); !slices.Equal(got, []int64{1, 2}) {
		t.Fatalf("sealed %v while 3 is in flight, want [1 2]", got)
	}
	m.commit(3)
	if res := seal(t, s); res.Sealed != 4 {
		t.Fatalf("after 3 commits: %+v, want 3 to 6 sealed", res)
	}
	if got := m.sealedIDs(); !slices.Equal(got, ids(1, 6)) || len(m.gaps) != 0 {
		t.Errorf("sealed %v with gaps %v, want 1 to 6 and none", got, m.gaps)
	}
	checkLog(t, m, s.VerifierKey())
}

// TestSealerRecordsGap: an id missing past the gap timeout, counted from
// when a higher id was first seen, is an insert that rolled back.
func TestSealerRecordsGap(t *testing.T) {
	m := newMemStore()
	clk := &testClock{t: time.Unix(1e9, 0)}
	s := newTestSealer(t, m, clk)
	m.add(1, 2)
	seal(t, s)
	clk.Add(time.Hour) // a quiet hour: the missing id was not seen missing then
	m.add(5, 6)        // 3 and 4 rolled back
	seal(t, s)
	clk.Add(9 * time.Second)
	if res := seal(t, s); res.Sealed != 0 {
		t.Fatalf("9 s after the gap appeared: %+v, want nothing sealed", res)
	}
	clk.Add(time.Second)
	res := seal(t, s)
	if res.Sealed != 2 || res.Gaps != 1 {
		t.Fatalf("at the timeout: %+v, want 5 and 6 sealed past one gap", res)
	}
	if len(m.gaps) != 1 || m.gaps[0].FirstID != 3 || m.gaps[0].LastID != 4 {
		t.Errorf("gaps %+v, want 3-4", m.gaps)
	}
	if m.state.NextEventID != 7 {
		t.Errorf("next event id %d, want 7", m.state.NextEventID)
	}
	checkLog(t, m, s.VerifierKey())
	// A gap alone (no event after it sealed yet) is recorded without a
	// checkpoint.
	m.add(9)
	seal(t, s)
	clk.Add(10 * time.Second)
	if res := seal(t, s); res.Gaps != 1 || res.Sealed != 1 {
		t.Errorf("second gap: %+v", res)
	}
}

// TestSealerNewLeaderWaits: a sealer that takes over knows nothing of when
// ids went missing, and waits a full timeout.
func TestSealerNewLeaderWaits(t *testing.T) {
	m := newMemStore()
	clk := &testClock{t: time.Unix(1e9, 0)}
	a := newTestSealer(t, m, clk)
	m.add(1, 3)
	seal(t, a)
	clk.Add(8 * time.Second)
	a.Close()
	b := newTestSealer(t, m, clk)
	clk.Add(8 * time.Second)
	if res := seal(t, b); !res.Leading || res.Gaps != 0 {
		t.Fatalf("new leader: %+v, want leading and waiting", res)
	}
	clk.Add(10 * time.Second)
	if res := seal(t, b); res.Gaps != 1 || res.Sealed != 1 {
		t.Errorf("new leader after the timeout: %+v", res)
	}
	checkLog(t, m, b.VerifierKey())
}

func TestSealerOneLeader(t *testing.T) {
	m := newMemStore()
	clk := &testClock{t: time.Unix(1e9, 0)}
	a, b := newTestSealer(t, m, clk), newTestSealer(t, m, clk)
	m.add(ids(1, 5)...)
	if res := seal(t, a); !res.Leading || res.Sealed != 5 {
		t.Fatalf("a: %+v", res)
	}
	m.add(6)
	if res := seal(t, b); res.Leading || res.Sealed != 0 {
		t.Fatalf("b while a leads: %+v, want not leading", res)
	}
	a.Close()
	if res := seal(t, b); !res.Leading || res.Sealed != 1 {
		t.Fatalf("b after a let go: %+v", res)
	}
	// a comes back: b still leads.
	if res := seal(t, a); res.Leading {
		t.Fatalf("a took the lease from b")
	}
	checkLog(t, m, a.VerifierKey())
}

// TestSealerStaleState: a write over a state that moved is refused, and
// the sealer starts over from the database.
func TestSealerStaleState(t *testing.T) {
	m := newMemStore()
	clk := &testClock{t: time.Unix(1e9, 0)}
	s := newTestSealer(t, m, clk)
	m.add(1)
	seal(t, s)
	err := m.SaveSeal(context.Background(), &cordon.AuditSeal{Prev: cordon.AuditState{NextEventID: 1}})
	if cordon.ErrorCode(err) != cordon.ECONFLICT {
		t.Errorf("stale write: %v, want ECONFLICT", err)
	}
}

func TestSealerRefusesAnotherKey(t *testing.T) {
	m := newMemStore()
	clk := &testClock{t: time.Unix(1e9, 0)}
	a := newTestSealer(t, m, clk)
	m.add(1)
	seal(t, a)
	a.Close()
	b, err := NewSealer(SealerConfig{Store: m, Key: sealKey(9), Now: clk.Now, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	m.add(2)
	if _, err := b.SealOnce(context.Background()); err == nil {
		t.Fatal("a sealer with another key extended the log")
	}
	if len(m.leaves) != 1 {
		t.Errorf("leaves %d, want 1", len(m.leaves))
	}
}

func TestCheckpointTimesNeverGoBack(t *testing.T) {
	m := newMemStore()
	clk := &testClock{t: time.Unix(1e9, 0)}
	s := newTestSealer(t, m, clk)
	m.add(1)
	seal(t, s)
	clk.Add(-time.Hour)
	m.add(2)
	seal(t, s)
	if m.cps[1].At.Before(m.cps[0].At) {
		t.Errorf("checkpoint times %s then %s", m.cps[0].At, m.cps[1].At)
	}
}
