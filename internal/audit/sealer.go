package audit

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/cordon/cordon/internal/cordon"
)

// SealStore is what the sealer needs from the database; store.AuditLog
// implements it.
type SealStore interface {
	// TryLead makes the caller the one sealer if no other process is. While
	// it leads, alive reports whether the lease still holds and release
	// gives it up; both are nil when another process leads.
	TryLead(ctx context.Context) (alive func(context.Context) error, release func(), err error)
	// AuditState returns where sealing stands (size 0, next event id 1
	// and the empty tree before the first batch).
	AuditState(ctx context.Context) (cordon.AuditState, error)
	// AccessEventsFrom returns up to limit committed events with id >=
	// fromID, in id order.
	AccessEventsFrom(ctx context.Context, fromID int64, limit int) ([]*cordon.AccessEvent, error)
	// SaveSeal writes a batch all or nothing. ECONFLICT: the state is no
	// longer s.Prev, because another process sealed.
	SaveSeal(ctx context.Context, s *cordon.AuditSeal) error
	// LatestCheckpoint returns the checkpoint of the largest size.
	// ENOTFOUND: there is none yet.
	LatestCheckpoint(ctx context.Context) (*cordon.AuditCheckpoint, error)
}

// SealerConfig holds what the sealer needs. Zero durations and sizes take
// the defaults.
type SealerConfig struct {
	Store SealStore
	Key   ed25519.PrivateKey // signs the checkpoints
	// Origin names the log in its checkpoints and the key in its
	// signatures; default DefaultOrigin.
	Origin string
	Now    cordon.Clock // nil: time.Now
	// Interval is how often Run seals; default 500 ms. A batch, and so a
	// checkpoint, per interval while events come in; none while idle.
	Interval time.Duration
	// GapTimeout is how long an event id may stay missing while higher
	// ids are committed before the sealer records it as an insert that
	// rolled back and passes over it; default 30 s.
	GapTimeout time.Duration
	// MaxBatch caps the events of one batch; default 10000.
	MaxBatch int
	Log      *slog.Logger // nil: slog.Default()
}

// Sealer folds committed access events, in id order, into the Merkle log
// and writes a signed checkpoint per batch. Only one sealer seals at a time
// (on PostgreSQL, the holder of an advisory lock); the others wait to take
// over. The sealer never seals past an event id that is missing while
// higher ids are committed: an insert may still be in flight (ids are
// assigned at INSERT, and commits land in any order), so it stops there and
// the late event lands in the next batch. An id still missing after
// GapTimeout is an insert that rolled back: the sealer records the gap and
// goes on. docs/audit.md explains the choice.
type Sealer struct {
	cfg    SealerConfig
	signer note.Signer
	vkey   string

	mu      sync.Mutex
	alive   func(context.Context) error
	release func()
	checked bool      // the log's latest checkpoint was checked since leading
	last    time.Time // time of the latest checkpoint: checkpoint times never go back
	marks   []mark    // when higher ids were first seen: see missingSince
}

// mark records that at time at the highest committed id seen was maxID.
type mark struct {
	maxID int64
	at    time.Time
}

// SealResult says what one call of SealOnce did.
type SealResult struct {
	Leading bool   // this sealer holds the lease
	Sealed  int    // events sealed
	Gaps    int    // event ids recorded as rolled back
	Size    uint64 // the log's size afterwards
	More    bool   // the batch was full: call again
}

// NewSealer returns a sealer; it does nothing until SealOnce or Run.
func NewSealer(cfg SealerConfig) (*Sealer, error) {
	if cfg.Store == nil {
		return nil, errors.New("audit: sealer without a store")
	}
	if cfg.Origin == "" {
		cfg.Origin = DefaultOrigin
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 500 * time.Millisecond
	}
	if cfg.GapTimeout <= 0 {
		cfg.GapTimeout = 30 * time.Second
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 10000
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	signer, vkey, err := NewSigner(cfg.Origin, cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("audit: sealer key: %w", err)
	}
	return &Sealer{cfg: cfg, signer: signer, vkey: vkey}, nil
}

// VerifierKey returns the verifier key of the sealer's checkpoints.
func (s *Sealer) VerifierKey() string { return s.vkey }

// Run seals every Interval, and at once again while batches are full,
// until ctx ends; then it gives up the lease. Errors are logged and the
// next tick tries again.
func (s *Sealer) Run(ctx context.Context) {
	defer s.Close()
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		for ctx.Err() == nil {
			res, err := s.SealOnce(ctx)
			if err != nil {
				if ctx.Err() == nil {
					s.cfg.Log.Error("seal access log", "err", err)
				}
				break
			}
			if !res.More {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close gives up the lease, if the sealer holds it.
func (s *Sealer) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop()
}

func (s *Sealer) drop() {
	if s.release != nil {
		s.release()
	}
	s.alive, s.release, s.checked, s.marks = nil, nil, false, nil
}

// lead reports whether the sealer holds the lease, taking it if it is free.
func (s *Sealer) lead(ctx context.Context) (bool, error) {
	if s.alive != nil {
		err := s.alive(ctx)
		if err == nil {
			return true, nil
		}
		s.cfg.Log.Warn("lost the sealer lease", "err", err)
		s.drop()
	}
	alive, release, err := s.cfg.Store.TryLead(ctx)
	if err != nil {
		return false, fmt.Errorf("take the sealer lease: %w", err)
	}
	if alive == nil {
		return false, nil
	}
	s.alive, s.release = alive, release
	s.cfg.Log.Info("sealing the access log", "origin", s.cfg.Origin)
	return true, nil
}

// SealOnce seals one batch if this sealer leads (taking the lease when it
// is free): it reads the events committed after the sealed ones, in id
// order, appends the unbroken run of them to the log, records as gaps the
// ids missing past GapTimeout, and writes the batch with a signed
// checkpoint. Nothing to seal is not an error. Another process sealing at
// the same moment makes the write fail with ECONFLICT, and nothing is
// written.
func (s *Sealer) SealOnce(ctx context.Context) (SealResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	leading, err := s.lead(ctx)
	if err != nil || !leading {
		return SealResult{}, err
	}
	st, err := s.cfg.Store.AuditState(ctx)
	if err != nil {
		return SealResult{}, fmt.Errorf("seal: %w", err)
	}
	var tree Compact
	if err := tree.UnmarshalBinary(st.Tree); err != nil || tree.Size() != st.Size {
		return SealResult{}, fmt.Errorf("seal: the saved tree state does not match size %d", st.Size)
	}
	if !s.checked {
		if err := s.checkLog(ctx, st, &tree); err != nil {
			return SealResult{}, err
		}
	}
	res := SealResult{Leading: true, Size: st.Size}
	events, err := s.cfg.Store.AccessEventsFrom(ctx, st.NextEventID, s.cfg.MaxBatch)
	if err != nil {
		return res, fmt.Errorf("seal: %w", err)
	}
	now := s.cfg.Now().UTC()
	if n := len(events); n > 0 {
		s.observe(events[n-1].ID, now)
	}
	seal := &cordon.AuditSeal{Prev: st}
	next := st.NextEventID
	buf := make([]byte, 0, 1024)
	consumed := 0
	for _, e := range events {
		if e.ID > next {
			since, ok := s.missingSince(next)
			if !ok || now.Sub(since) < s.cfg.GapTimeout {
				break // an insert may still be in flight: seal it next time
			}
			seal.Gaps = append(seal.Gaps, cordon.AuditGap{FirstID: next, LastID: e.ID - 1, At: now})
			s.cfg.Log.Warn("access log gap: event ids never committed, recorded as rolled back",
				"first_id", next, "last_id", e.ID-1, "missing_since", since)
		}
		buf = AppendLeaf(buf[:0], e)
		h := LeafHash(buf)
		index := tree.Size()
		appendNodes(&tree, h, func(level uint8, i uint64, h Hash) {
			seal.Nodes = append(seal.Nodes, cordon.AuditNode{Level: level, Index: i, Hash: h})
		})
		seal.Leaves = append(seal.Leaves, cordon.AuditLeaf{Index: index, EventID: e.ID, Hash: h})
		next = e.ID + 1
		consumed++
	}
	if len(seal.Leaves) == 0 && len(seal.Gaps) == 0 {
		return res, nil
	}
	state, _ := tree.MarshalBinary()
	seal.Next = cordon.AuditState{Size: tree.Size(), NextEventID: next, Tree: state}
	if len(seal.Leaves) > 0 {
		at := now
		if at.Before(s.last) {
			at = s.last // a clock that steps back must not reorder checkpoints
		}
		c := Checkpoint{Origin: s.cfg.Origin, Size: tree.Size(), Root: tree.Root(), Time: at}
		msg, err := SignCheckpoint(c, s.signer)
		if err != nil {
			return res, fmt.Errorf("seal: %w", err)
		}
		seal.Checkpoint = &cordon.AuditCheckpoint{Size: c.Size, Root: c.Root, At: at, Note: msg}
	}
	if err := s.cfg.Store.SaveSeal(ctx, seal); err != nil {
		if cordon.ErrorCode(err) == cordon.ECONFLICT {
			// Someone else sealed: whatever we believed about the log is
			// stale. Start over from the database next time.
			s.checked, s.marks = false, nil
		}
		return res, fmt.Errorf("seal %d events: %w", len(seal.Leaves), err)
	}
	if seal.Checkpoint != nil {
		s.last = seal.Checkpoint.At
	}
	s.prune(next)
	res.Sealed, res.Gaps, res.Size = len(seal.Leaves), len(seal.Gaps), tree.Size()
	res.More = consumed == s.cfg.MaxBatch
	return res, nil
}

// checkLog makes sure, on taking over, that the log goes on from a
// checkpoint this sealer's key signed and that the saved tree is the one
// that checkpoint signed: a replica with another key, or a damaged state,
// must not extend the log.
func (s *Sealer) checkLog(ctx context.Context, st cordon.AuditState, tree *Compact) error {
	cp, err := s.cfg.Store.LatestCheckpoint(ctx)
	switch {
	case cordon.ErrorCode(err) == cordon.ENOTFOUND:
		if st.Size != 0 {
			return fmt.Errorf("seal: the log holds %d events but no checkpoint", st.Size)
		}
		s.checked = true
		return nil
	case err != nil:
		return fmt.Errorf("seal: %w", err)
	}
	c, err := OpenCheckpoint(cp.Note, s.vkey)
	if err != nil {
		return fmt.Errorf("seal: the latest checkpoint (size %d) does not verify with this replica's key %s; every replica needs the same key: %w",
			cp.Size, s.vkey, err)
	}
	if c.Size != st.Size || c.Root != tree.Root() {
		return fmt.Errorf("seal: the saved tree (size %d) is not the one the latest checkpoint (size %d) signed; run cordon audit verify",
			st.Size, c.Size)
	}
	s.last, s.checked = c.Time, true
	return nil
}

// observe notes that maxID was the highest committed id seen at time at.
func (s *Sealer) observe(maxID int64, at time.Time) {
	if n := len(s.marks); n == 0 || maxID > s.marks[n-1].maxID {
		s.marks = append(s.marks, mark{maxID: maxID, at: at})
	}
}

// missingSince returns since when id has been known to be missing: the
// first time a higher id was seen committed. A new leader starts with no
// marks, and so waits a full GapTimeout before it passes over an id.
func (s *Sealer) missingSince(id int64) (time.Time, bool) {
	i := sort.Search(len(s.marks), func(i int) bool { return s.marks[i].maxID > id })
	if i == len(s.marks) {
		return time.Time{}, false
	}
	return s.marks[i].at, true
}

// prune forgets the marks no id from next on needs.
func (s *Sealer) prune(next int64) {
	i := sort.Search(len(s.marks), func(i int) bool { return s.marks[i].maxID > next })
	s.marks = append(s.marks[:0], s.marks[i:]...)
}

// appendNodes appends a leaf hash to the tree as [Compact.Append] does and
// hands emit every perfect subtree the leaf completes, as it merges them:
// level ℓ >= 1 and index i mean the 2^ℓ leaves from i<<ℓ on. The sealer
// stores them so that a proof reads O(log n) hashes.
func appendNodes(c *Compact, leaf Hash, emit func(level uint8, index uint64, h Hash)) {
	if c.size == 1<<64-1 {
		panic("audit: compact tree is full")
	}
	index := c.size
	c.hashes = append(c.hashes, leaf)
	level := uint8(0)
	for s := c.size; s&1 == 1; s >>= 1 {
		n := len(c.hashes)
		c.hashes[n-2] = NodeHash(c.hashes[n-2], c.hashes[n-1])
		c.hashes = c.hashes[:n-1]
		level++
		emit(level, index>>level, c.hashes[n-2])
	}
	c.size++
}
