package audit

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sort"
	"sync"

	"github.com/cordon/cordon/internal/cordon"
)

// VerifyStore is what Verify reads from the database; store.AuditLog
// implements it.
type VerifyStore interface {
	// SealedSize returns the size the sealing state records and the size
	// of the latest checkpoint, read at one instant.
	SealedSize(ctx context.Context) (state, checkpoint uint64, err error)
	// EachCheckpoint hands fn every checkpoint of size at most upTo, in
	// batches, in order of size.
	EachCheckpoint(ctx context.Context, upTo uint64, fn func([]*cordon.AuditCheckpoint) error) error
	// EachLeaf hands fn every leaf with index below size, in batches, in
	// index order.
	EachLeaf(ctx context.Context, size uint64, fn func([]cordon.AuditLeaf) error) error
	// EachAccessEvent hands fn every access event, in batches, in id order.
	EachAccessEvent(ctx context.Context, fn func([]*cordon.AccessEvent) error) error
	// FindGaps returns the recorded gaps, in id order.
	FindGaps(ctx context.Context) ([]cordon.AuditGap, error)
}

// The kinds of problem verification finds.
const (
	// Changed: an event's row differs from what was sealed.
	Changed = "changed"
	// Removed: a sealed event's row is gone.
	Removed = "removed"
	// Inserted: a row the log does not hold, although the log holds later
	// events (or its id was recorded as an insert that rolled back).
	Inserted = "inserted"
	// Reordered: a row holds what was sealed as another event.
	Reordered = "reordered"
	// BadCheckpoint: a checkpoint that does not verify, is out of order,
	// or whose root the log does not reproduce.
	BadCheckpoint = "checkpoint"
	// BadLeaves: the table of leaves is not the log the checkpoints sign.
	BadLeaves = "leaves"
	// BadRoot: the root recomputed from the events differs from a
	// checkpoint's; the events at fault are reported on their own.
	BadRoot = "root"
	// BadBundle: an evidence bundle is damaged or altered.
	BadBundle = "bundle"
)

// MaxFindings caps the findings a report lists; the rest are counted.
const MaxFindings = 10000

// Finding is one problem verification found.
type Finding struct {
	Kind    string
	EventID int64 // the event, for Changed, Removed, Inserted and Reordered
	Leaf    int64 // its leaf index, or -1
	Detail  string
}

// String formats the finding as one line of a report.
func (f Finding) String() string {
	subject := ""
	switch f.Kind {
	case Changed, Removed, Inserted, Reordered:
		subject = fmt.Sprintf("event %d", f.EventID)
		if f.Leaf >= 0 {
			subject += fmt.Sprintf(" (leaf %d)", f.Leaf)
		}
		subject += ": "
	}
	return fmt.Sprintf("%-10s %s%s", f.Kind, subject, f.Detail)
}

// Report is the outcome of a verification.
type Report struct {
	Key         string // the verifier key used
	Origin      string
	Checkpoints int    // checkpoints checked
	TreeSize    uint64 // size of the latest checkpoint
	Root        Hash   // its root
	Leaves      uint64 // sealed events checked
	Events      int    // access events read
	Pending     int    // events committed after the latest checkpoint
	Gaps        int    // recorded gaps (inserts that rolled back)
	Findings    []Finding
	Dropped     int // findings beyond MaxFindings, counted only
}

// OK reports whether verification found nothing wrong.
func (r *Report) OK() bool { return len(r.Findings) == 0 && r.Dropped == 0 }

// add records a finding, up to MaxFindings.
func (r *Report) add(f Finding) {
	if len(r.Findings) >= MaxFindings {
		r.Dropped++
		return
	}
	r.Findings = append(r.Findings, f)
}

// WriteText writes the report for people: a summary, one line per
// finding, and the verdict.
func (r *Report) WriteText(w io.Writer) error {
	var b []byte
	b = fmt.Appendf(b, "key:         %s\n", r.Key)
	b = fmt.Appendf(b, "checkpoints: %d verified; latest: size %d, root %s\n", r.Checkpoints, r.TreeSize, r.Root)
	b = fmt.Appendf(b, "events:      %d sealed events checked; %d not sealed yet; %d gaps (inserts that rolled back)\n",
		r.Leaves, r.Pending, r.Gaps)
	for _, f := range r.Findings {
		b = fmt.Appendf(b, "%s\n", f)
	}
	if r.Dropped > 0 {
		b = fmt.Appendf(b, "... and %d more problems\n", r.Dropped)
	}
	if r.OK() {
		b = append(b, "OK: every sealed event matches the log, and every checkpoint verifies.\n"...)
	} else {
		b = fmt.Appendf(b, "FAILED: %d problems.\n", len(r.Findings)+r.Dropped)
	}
	_, err := w.Write(b)
	return err
}

// VerifyOptions configure Verify.
type VerifyOptions struct {
	// Key is the verifier key of the checkpoints (name+hash+key).
	Key string
	// Trusted are signed checkpoints kept outside the database (from an
	// earlier export, say): the log must still reproduce each of them,
	// which shows a log rewritten or cut back since.
	Trusted [][]byte
}

// Verify checks the sealed access log in the database against its signed
// checkpoints and the access events against the log: it verifies every
// checkpoint's signature and order, recomputes every leaf from the event
// rows and every checkpoint's root both from those leaves and from the
// stored leaf hashes, and names each event that was changed, removed,
// inserted or reordered since it was sealed. Successive checkpoints are
// consistent exactly when each root is the root of a prefix of the one
// sequence of leaves, which is what it checks.
//
// It streams: memory does not grow with the log. Only an error reading the
// database is an error; everything else is a finding in the report.
func Verify(ctx context.Context, st VerifyStore, opt VerifyOptions) (*Report, error) {
	vkey, origin, err := ParseVerifierKey(opt.Key)
	if err != nil {
		return nil, err
	}
	trusted := make([]Checkpoint, 0, len(opt.Trusted))
	for i, msg := range opt.Trusted {
		c, err := OpenCheckpoint(msg, vkey)
		if err != nil {
			return nil, fmt.Errorf("trusted checkpoint %d: %w", i+1, err)
		}
		trusted = append(trusted, c)
	}
	sort.Slice(trusted, func(i, j int) bool { return trusted[i].Size < trusted[j].Size })

	r := &Report{Key: vkey, Origin: origin}
	stateSize, size, err := st.SealedSize(ctx)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	if stateSize != size {
		r.add(Finding{Kind: BadCheckpoint, Leaf: -1, Detail: fmt.Sprintf(
			"the sealing state records %d sealed events but the latest checkpoint is of size %d: checkpoints were removed or the state altered",
			stateSize, size)})
	}
	gaps, err := st.FindGaps(ctx)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	r.Gaps = len(gaps)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cps := produce(ctx, func(ctx context.Context, fn func([]openedCheckpoint) error) error {
		return st.EachCheckpoint(ctx, size, func(b []*cordon.AuditCheckpoint) error { return fn(openAll(b, vkey)) })
	})
	leaves := produce(ctx, func(ctx context.Context, fn func([]cordon.AuditLeaf) error) error {
		return st.EachLeaf(ctx, size, fn)
	})
	// Rows are hashed in a stage of their own, so that reading the next
	// rows and hashing the last overlap.
	events := produceMapped(ctx, st.EachAccessEvent, hashAll)

	v := newVerifier(r, origin, trusted)
	v.run(cps, leaves, events, gaps)
	for _, err := range []error{cps.wait(), leaves.wait(), events.wait()} {
		if err != nil {
			return nil, fmt.Errorf("verify: %w", err)
		}
	}
	v.finish(gaps)
	return r, nil
}

// openedCheckpoint is a checkpoint row and what its note says.
type openedCheckpoint struct {
	row *cordon.AuditCheckpoint
	c   Checkpoint
	err error
}

// openAll opens the notes of a batch of checkpoints, on every core.
func openAll(rows []*cordon.AuditCheckpoint, vkey string) []openedCheckpoint {
	out := make([]openedCheckpoint, len(rows))
	parallel(len(rows), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i].row = rows[i]
			out[i].c, out[i].err = OpenCheckpoint(rows[i].Note, vkey)
		}
	})
	return out
}

// hashedEvent is an event row and the hash of its canonical leaf.
type hashedEvent struct {
	e *cordon.AccessEvent
	h Hash
}

// hashAll hashes a batch of events, on every core.
func hashAll(b []*cordon.AccessEvent) []hashedEvent {
	out := make([]hashedEvent, len(b))
	parallel(len(b), func(lo, hi int) {
		buf := make([]byte, 0, 1024)
		for i := lo; i < hi; i++ {
			buf = AppendLeaf(buf[:0], b[i])
			out[i] = hashedEvent{e: b[i], h: LeafHash(buf)}
		}
	})
	return out
}

// parallel runs fn over [0, n) in chunks, one per core, and waits.
func parallel(n int, fn func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < 256 || workers == 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	step := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += step {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, min(n, lo+step))
	}
	wg.Wait()
}

// stream is a producer of batches running in a goroutine of its own, read
// one element at a time.
type stream[T any] struct {
	ch   chan []T
	errc chan error
	b    []T
	i    int
}

func produce[T any](ctx context.Context, each func(context.Context, func([]T) error) error) *stream[T] {
	s := &stream[T]{ch: make(chan []T, 8), errc: make(chan error, 1)}
	go func() {
		err := each(ctx, func(b []T) error {
			select {
			case s.ch <- b:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		close(s.ch)
		s.errc <- err
	}()
	return s
}

// produceMapped is produce with a second stage: each batch goes through f
// in a goroutine of its own before it is handed on, in order.
func produceMapped[T, U any](ctx context.Context, each func(context.Context, func([]T) error) error, f func([]T) []U) *stream[U] {
	raw := produce(ctx, each)
	s := &stream[U]{ch: make(chan []U, 8), errc: make(chan error, 1)}
	go func() {
		var err error
		for b := range raw.ch {
			select {
			case s.ch <- f(b):
				continue
			case <-ctx.Done():
				err = ctx.Err()
			}
			break
		}
		close(s.ch)
		if werr := raw.wait(); werr != nil {
			err = werr
		}
		s.errc <- err
	}()
	return s
}

// peek returns the next element without consuming it; false at the end.
func (s *stream[T]) peek() (T, bool) {
	for s.i >= len(s.b) {
		b, ok := <-s.ch
		if !ok {
			var zero T
			return zero, false
		}
		s.b, s.i = b, 0
	}
	return s.b[s.i], true
}

func (s *stream[T]) next() { s.i++ }

// wait drains the stream and returns the producer's error.
func (s *stream[T]) wait() error {
	for range s.ch {
	}
	return <-s.errc
}

// verifier is the state of one pass over checkpoints, leaves and events.
type verifier struct {
	r       *Report
	origin  string
	trusted []Checkpoint

	stored     Compact // from the stored leaf hashes
	recomputed Compact // from the event rows
	prev       *Checkpoint
	lastEvent  int64
	haveEvent  bool

	storedBad, recomputedBad int    // checkpoints whose root the leaves, or events, do not give
	firstStored, firstRecomp uint64 // the first such checkpoint's size

	changed  []sealedRow
	removed  []cordon.AuditLeaf
	inserted []*cordon.AccessEvent
	overflow int // event problems beyond the lists' cap, counted only
}

// sealedRow is a leaf and the row now holding its event id.
type sealedRow struct {
	leaf cordon.AuditLeaf
	row  *cordon.AccessEvent
}

// maxEventProblems caps each list of event problems kept for the reorder
// analysis and the report.
const maxEventProblems = 100000

func newVerifier(r *Report, origin string, trusted []Checkpoint) *verifier {
	return &verifier{r: r, origin: origin, trusted: trusted}
}

func (v *verifier) run(cps *stream[openedCheckpoint], leaves *stream[cordon.AuditLeaf], events *stream[hashedEvent], gaps []cordon.AuditGap) {
	var index uint64
	for {
		v.checkpointsAt(cps)
		lf, ok := leaves.peek()
		if !ok {
			break
		}
		leaves.next()
		for lf.Index > index { // a leaf row is missing: keep the positions
			v.r.add(Finding{Kind: BadLeaves, Leaf: -1, Detail: fmt.Sprintf("leaf %d is missing from the table of leaves", index)})
			v.stored.Append(Hash{})
			v.recomputed.Append(Hash{})
			index++
			v.checkpointsAt(cps)
		}
		if v.haveEvent && lf.EventID <= v.lastEvent {
			v.r.add(Finding{Kind: BadLeaves, Leaf: -1, Detail: fmt.Sprintf(
				"leaf %d holds event %d after event %d: the leaves are out of order", lf.Index, lf.EventID, v.lastEvent)})
		}
		v.lastEvent, v.haveEvent = max(v.lastEvent, lf.EventID), true
		// Rows below this sealed id that no leaf holds.
		for {
			ev, ok := events.peek()
			if !ok || ev.e.ID >= lf.EventID {
				break
			}
			v.r.Events++
			events.next()
			v.insert(ev.e)
		}
		ev, ok := events.peek()
		if ok && ev.e.ID == lf.EventID {
			v.r.Events++
			events.next()
			v.recomputed.Append(ev.h)
			if ev.h != lf.Hash {
				if len(v.changed) < maxEventProblems {
					v.changed = append(v.changed, sealedRow{leaf: lf, row: ev.e})
				} else {
					v.overflow++
				}
			}
		} else {
			v.recomputed.Append(Hash{}) // the event is gone: its root cannot be recomputed
			if len(v.removed) < maxEventProblems {
				v.removed = append(v.removed, lf)
			} else {
				v.overflow++
			}
		}
		v.stored.Append(lf.Hash)
		index++
	}
	v.r.Leaves = index
	if oc, ok := cps.peek(); ok {
		v.r.add(Finding{Kind: BadLeaves, Leaf: -1, Detail: fmt.Sprintf(
			"the table of leaves holds %d leaves, but a checkpoint is of size %d", index, oc.row.Size)})
		for ; ok; oc, ok = cps.peek() {
			cps.next()
		}
	}
	for _, t := range v.trusted {
		if t.Size > index {
			v.r.add(Finding{Kind: BadCheckpoint, Leaf: -1, Detail: fmt.Sprintf(
				"the log holds %d events, fewer than the checkpoint of size %d you hold: it was cut back", index, t.Size)})
		}
	}
	// Rows after the last sealed event: not sealed yet, unless their id
	// was recorded as a gap.
	for {
		ev, ok := events.peek()
		if !ok {
			break
		}
		events.next()
		v.r.Events++
		if inGap(gaps, ev.e.ID) || v.haveEvent && ev.e.ID < v.lastEvent {
			v.insert(ev.e)
		} else {
			v.r.Pending++
		}
	}
}

func (v *verifier) insert(e *cordon.AccessEvent) {
	if len(v.inserted) < maxEventProblems {
		v.inserted = append(v.inserted, e)
	} else {
		v.overflow++
	}
}

// checkpointsAt checks every checkpoint of the log's current size.
func (v *verifier) checkpointsAt(cps *stream[openedCheckpoint]) {
	size := v.stored.Size()
	for {
		oc, ok := cps.peek()
		if !ok || oc.row.Size > size {
			break
		}
		cps.next()
		v.checkpoint(oc)
	}
	for len(v.trusted) > 0 && v.trusted[0].Size <= size {
		t := v.trusted[0]
		v.trusted = v.trusted[1:]
		if t.Size == size && (t.Root != v.stored.Root() || t.Root != v.recomputed.Root()) {
			v.r.add(Finding{Kind: BadCheckpoint, Leaf: -1, Detail: fmt.Sprintf(
				"the checkpoint of size %d you hold does not match the log at that size: the log was rewritten", t.Size)})
		}
	}
}

func (v *verifier) checkpoint(oc openedCheckpoint) {
	bad := func(format string, args ...any) {
		v.r.add(Finding{Kind: BadCheckpoint, Leaf: -1, Detail: fmt.Sprintf("checkpoint of size %d: ", oc.row.Size) + fmt.Sprintf(format, args...)})
	}
	if oc.err != nil {
		bad("the signature does not verify, or the note is malformed")
		return
	}
	c := oc.c
	if c.Size != oc.row.Size || c.Root != Hash(oc.row.Root) {
		bad("the stored size or root differs from the signed note (size %d, root %s)", c.Size, c.Root)
		return
	}
	if c.Origin != v.origin {
		bad("origin %q is not the key's name %q", c.Origin, v.origin)
	}
	if v.prev != nil && c.Time.Before(v.prev.Time) {
		bad("signed at %s, before the smaller checkpoint of size %d (%s)", c.Time.Format(timeLayout), v.prev.Size, v.prev.Time.Format(timeLayout))
	}
	if v.stored.Root() != c.Root {
		if v.storedBad == 0 {
			v.firstStored = c.Size
		}
		v.storedBad++
	}
	if v.recomputed.Root() != c.Root {
		if v.recomputedBad == 0 {
			v.firstRecomp = c.Size
		}
		v.recomputedBad++
	}
	v.r.Checkpoints++
	v.r.TreeSize, v.r.Root = c.Size, c.Root
	v.prev = &c
}

// finish matches changed, removed and inserted rows against each other to
// tell reordering from change, and writes the findings in event order.
func (v *verifier) finish(gaps []cordon.AuditGap) {
	if v.storedBad > 0 {
		v.r.add(Finding{Kind: BadLeaves, Leaf: -1, Detail: fmt.Sprintf(
			"the stored leaf hashes do not give the signed root of %d checkpoints, from the one of size %d on: the table of leaves was altered",
			v.storedBad, v.firstStored)})
	}
	if v.recomputedBad > 0 {
		v.r.add(Finding{Kind: BadRoot, Leaf: -1, Detail: fmt.Sprintf(
			"the root recomputed from the events differs from %d checkpoints, from the one of size %d on",
			v.recomputedBad, v.firstRecomp)})
	}
	var out []Finding
	holds := reorders(v.changed, v.removed, v.inserted)
	for _, c := range v.changed {
		if l, ok := holds[c.row]; ok {
			out = append(out, Finding{Kind: Reordered, EventID: c.row.ID, Leaf: int64(c.leaf.Index), Detail: fmt.Sprintf(
				"the row holds what was sealed as event %d (leaf %d)", l.EventID, l.Index)})
			continue
		}
		out = append(out, Finding{Kind: Changed, EventID: c.row.ID, Leaf: int64(c.leaf.Index), Detail: "the row differs from what was sealed"})
	}
	moved := map[int64]bool{}
	for _, e := range v.inserted {
		if l, ok := holds[e]; ok {
			moved[l.EventID] = true
			out = append(out, Finding{Kind: Reordered, EventID: e.ID, Leaf: -1, Detail: fmt.Sprintf(
				"the row holds what was sealed as event %d (leaf %d): the event was renumbered", l.EventID, l.Index)})
			continue
		}
		why := "not in the log, yet the log holds later events"
		if inGap(gaps, e.ID) {
			why = "not in the log: its id was recorded as an insert that rolled back"
		}
		out = append(out, Finding{Kind: Inserted, EventID: e.ID, Leaf: -1, Detail: why})
	}
	for _, l := range v.removed {
		if moved[l.EventID] {
			continue
		}
		out = append(out, Finding{Kind: Removed, EventID: l.EventID, Leaf: int64(l.Index), Detail: "the sealed event is missing from the database"})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].EventID < out[j].EventID })
	for _, f := range out {
		v.r.add(f)
	}
	v.r.Dropped += v.overflow
}

// maxReorderWork caps the row × leaf pairs the reorder analysis hashes.
const maxReorderWork = 4 << 20

// reorders finds the rows that hold what was sealed under another event id:
// for each changed or inserted row and each changed or removed leaf, it
// hashes the row as if it had the leaf's id.
func reorders(changed []sealedRow, removed []cordon.AuditLeaf, inserted []*cordon.AccessEvent) map[*cordon.AccessEvent]cordon.AuditLeaf {
	rows := make([]*cordon.AccessEvent, 0, len(changed)+len(inserted))
	leaves := make([]cordon.AuditLeaf, 0, len(changed)+len(removed))
	for _, c := range changed {
		rows = append(rows, c.row)
		leaves = append(leaves, c.leaf)
	}
	rows = append(rows, inserted...)
	leaves = append(leaves, removed...)
	out := map[*cordon.AccessEvent]cordon.AuditLeaf{}
	if len(rows) == 0 || len(leaves) == 0 || len(rows)*len(leaves) > maxReorderWork {
		return out
	}
	buf := make([]byte, 0, 1024)
	for _, row := range rows {
		e := *row
		for _, l := range leaves {
			if l.EventID == row.ID {
				continue
			}
			e.ID = l.EventID
			buf = AppendLeaf(buf[:0], &e)
			if LeafHash(buf) == Hash(l.Hash) {
				out[row] = l
				break
			}
		}
	}
	return out
}

// inGap reports whether id lies in a recorded gap.
func inGap(gaps []cordon.AuditGap, id int64) bool {
	i := sort.Search(len(gaps), func(i int) bool { return gaps[i].LastID >= id })
	return i < len(gaps) && gaps[i].FirstID <= id
}
