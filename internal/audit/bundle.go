package audit

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/cordon/cordon/internal/cordon"
)

// ReadStore is what the Service reads; store.AuditLog implements it.
type ReadStore interface {
	// LatestCheckpoint returns the checkpoint of the largest size.
	// ENOTFOUND: none yet.
	LatestCheckpoint(ctx context.Context) (*cordon.AuditCheckpoint, error)
	// CheckpointBySize returns the checkpoint of that size, or ENOTFOUND.
	CheckpointBySize(ctx context.Context, size uint64) (*cordon.AuditCheckpoint, error)
	// FindCheckpoints returns a page of checkpoints, latest first, and the
	// total.
	FindCheckpoints(ctx context.Context, offset, limit int) ([]*cordon.AuditCheckpoint, int, error)
	// FindLeaves returns the leaves of those of the events that are
	// sealed, in leaf order.
	FindLeaves(ctx context.Context, eventIDs []int64) ([]cordon.AuditLeaf, error)
	// FindNodes returns those of the nodes of one level that exist.
	FindNodes(ctx context.Context, level uint8, indexes []uint64) ([]cordon.AuditNode, error)
	// AccessEventsByID returns the events with those ids that exist.
	AccessEventsByID(ctx context.Context, ids []int64) ([]*cordon.AccessEvent, error)
	// SealedAccessEvents returns up to limit sealed events with leaf index
	// below size in the export's time range, in leaf order, with their
	// leaves.
	SealedAccessEvents(ctx context.Context, f cordon.AuditExport, size uint64, limit int) ([]*cordon.AccessEvent, []cordon.AuditLeaf, error)
	ReportStore
}

// Store is everything package audit needs from the database: the sealer's,
// the service's and the verifier's needs. store.AuditLog implements it.
type Store interface {
	SealStore
	ReadStore
	VerifyStore
}

// ServiceConfig holds what the Service needs.
type ServiceConfig struct {
	Store  ReadStore
	Access cordon.AccessLog // events are read from here, and exports recorded
	Key    ed25519.PrivateKey
	Origin string       // default DefaultOrigin
	Now    cordon.Clock // nil: time.Now
	// MaxExport caps the events of one export; default 100000.
	MaxExport int
}

// Service is the sealed access log as legal reads it: it implements
// cordon.AuditService. Proofs come from the stored subtree hashes, so each
// costs O(log n) rows, and each is checked against its signed checkpoint
// before it is served.
type Service struct {
	cfg    ServiceConfig
	signer note.Signer
	vkey   string
}

var _ cordon.AuditService = (*Service)(nil)

// NewService returns the service.
func NewService(cfg ServiceConfig) (*Service, error) {
	if cfg.Store == nil || cfg.Access == nil {
		return nil, errors.New("audit: service without a store")
	}
	if cfg.Origin == "" {
		cfg.Origin = DefaultOrigin
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxExport <= 0 {
		cfg.MaxExport = 100000
	}
	signer, vkey, err := NewSigner(cfg.Origin, cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("audit: service key: %w", err)
	}
	return &Service{cfg: cfg, signer: signer, vkey: vkey}, nil
}

// errTampered answers a request whose data does not match the log.
func errTampered(what string) error {
	return cordon.Err(cordon.ECONFLICT, "audit.does_not_match_sealed_log", what)
}

// FindAccessEvents returns a page of events in id order, and the total.
func (s *Service) FindAccessEvents(ctx context.Context, f cordon.AccessEventFilter) ([]*cordon.AccessEvent, int, error) {
	return s.cfg.Access.FindAccessEvents(ctx, f)
}

// LeafIndexes returns the leaf index of each of the events that is sealed.
func (s *Service) LeafIndexes(ctx context.Context, eventIDs []int64) (map[int64]uint64, error) {
	leaves, err := s.cfg.Store.FindLeaves(ctx, eventIDs)
	if err != nil {
		return nil, fmt.Errorf("leaf indexes: %w", err)
	}
	out := make(map[int64]uint64, len(leaves))
	for _, l := range leaves {
		out[l.EventID] = l.Index
	}
	return out, nil
}

// PublicKey returns the verifier key of the checkpoints.
func (s *Service) PublicKey(ctx context.Context) (string, error) { return s.vkey, nil }

// FindCheckpoints returns a page of checkpoints, latest first.
func (s *Service) FindCheckpoints(ctx context.Context, offset, limit int) ([]*cordon.AuditCheckpoint, int, error) {
	return s.cfg.Store.FindCheckpoints(ctx, offset, limit)
}

// latest returns the latest checkpoint, opened with the service's key.
func (s *Service) latest(ctx context.Context) (*cordon.AuditCheckpoint, Checkpoint, error) {
	cp, err := s.cfg.Store.LatestCheckpoint(ctx)
	if cordon.ErrorCode(err) == cordon.ENOTFOUND {
		return nil, Checkpoint{}, cordon.Err(cordon.ENOTFOUND, "audit.nothing_sealed_yet")
	}
	if err != nil {
		return nil, Checkpoint{}, err
	}
	c, err := OpenCheckpoint(cp.Note, s.vkey)
	if err != nil || c.Size != cp.Size || c.Root != Hash(cp.Root) {
		return nil, Checkpoint{}, errTampered("The latest checkpoint")
	}
	return cp, c, nil
}

// ProveInclusion proves that the event is in the latest checkpoint.
func (s *Service) ProveInclusion(ctx context.Context, eventID int64) (*cordon.AuditInclusion, error) {
	cp, c, err := s.latest(ctx)
	if err != nil {
		return nil, err
	}
	leaves, err := s.cfg.Store.FindLeaves(ctx, []int64{eventID})
	if err != nil {
		return nil, fmt.Errorf("prove event %d: %w", eventID, err)
	}
	if len(leaves) != 1 || leaves[0].Index >= c.Size {
		return nil, cordon.Err(cordon.ENOTFOUND, "audit.sealed_event_not_found")
	}
	lf := leaves[0]
	events, err := s.cfg.Store.AccessEventsByID(ctx, []int64{eventID})
	if err != nil {
		return nil, fmt.Errorf("prove event %d: %w", eventID, err)
	}
	if len(events) != 1 {
		return nil, errTampered(fmt.Sprintf("Event %d", eventID))
	}
	leaf := EncodeLeaf(events[0])
	if LeafHash(leaf) != Hash(lf.Hash) {
		return nil, errTampered(fmt.Sprintf("Event %d", eventID))
	}
	paths, err := s.inclusionPaths(ctx, c.Size, []uint64{lf.Index})
	if err != nil {
		return nil, fmt.Errorf("prove event %d: %w", eventID, err)
	}
	if VerifyInclusion(lf.Index, c.Size, lf.Hash, paths[0], c.Root) != nil {
		return nil, errTampered("The stored tree")
	}
	return &cordon.AuditInclusion{
		EventID: eventID, LeafIndex: lf.Index, Leaf: leaf, LeafHash: lf.Hash,
		Path: toArrays(paths[0]), Checkpoint: cp,
	}, nil
}

// ProveConsistency proves that the log at size to extends the log at size
// from.
func (s *Service) ProveConsistency(ctx context.Context, from, to uint64) (*cordon.AuditConsistency, error) {
	_, c, err := s.latest(ctx)
	if err != nil {
		return nil, err
	}
	if to == 0 {
		to = c.Size
	}
	if to > c.Size {
		return nil, cordon.FieldErr("to", "audit.log_latest_checkpoint_size", c.Size)
	}
	if from > to {
		return nil, cordon.FieldErr("from", "audit.from_must_not_exceed")
	}
	spans := []span{{0, from}, {0, to}}
	if from > 0 && from < to {
		spans = consistencySpans(from, 0, to, true, spans)
	}
	hashes, err := s.spanRoots(ctx, spans)
	if err != nil {
		return nil, fmt.Errorf("prove consistency %d-%d: %w", from, to, err)
	}
	out := &cordon.AuditConsistency{From: from, To: to, FromRoot: hashes[0], ToRoot: hashes[1], Path: toArrays(hashes[2:])}
	if VerifyConsistency(from, to, hashes[0], hashes[1], hashes[2:]) != nil {
		return nil, errTampered("The stored tree")
	}
	for _, x := range []struct {
		size uint64
		root Hash
		dst  **cordon.AuditCheckpoint
	}{{from, hashes[0], &out.FromCheckpoint}, {to, hashes[1], &out.ToCheckpoint}} {
		if x.size == 0 {
			continue
		}
		cp, err := s.cfg.Store.CheckpointBySize(ctx, x.size)
		if cordon.ErrorCode(err) == cordon.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("prove consistency %d-%d: %w", from, to, err)
		}
		if c, err := OpenCheckpoint(cp.Note, s.vkey); err != nil || c.Root != x.root {
			return nil, errTampered(fmt.Sprintf("The checkpoint of size %d", x.size))
		}
		*x.dst = cp
	}
	return out, nil
}

func toArrays(hs []Hash) [][32]byte {
	out := make([][32]byte, len(hs))
	for i, h := range hs {
		out[i] = h
	}
	return out
}

// span is the leaves [lo, hi) under one node of the RFC 6962 tree.
type span struct{ lo, hi uint64 }

// nodeKey names a perfect subtree: 2^level leaves from index<<level on.
type nodeKey struct {
	level uint8
	index uint64
}

// cover returns the perfect subtrees that make up a span of the tree,
// largest first. Every node of the RFC 6962 tree starts at a multiple of
// the smallest power of two not below its size, so the binary digits of
// its size, largest first, are aligned subtrees.
func (sp span) cover(out []nodeKey) []nodeKey {
	lo, n := sp.lo, sp.hi-sp.lo
	for n > 0 {
		level := uint8(bits.Len64(n) - 1)
		out = append(out, nodeKey{level, lo >> level})
		lo += 1 << level
		n -= 1 << level
	}
	return out
}

// inclusionSpans is PATH(m, D[lo:hi]) of RFC 6962 §2.1.1 as the spans whose
// roots make up the path.
func inclusionSpans(m, lo, hi uint64, out []span) []span {
	if hi-lo <= 1 {
		return out
	}
	k := splitPoint(hi - lo)
	if m < lo+k {
		return append(inclusionSpans(m, lo, lo+k, out), span{lo + k, hi})
	}
	return append(inclusionSpans(m, lo+k, hi, out), span{lo, lo + k})
}

// consistencySpans is SUBPROOF(m, D[lo:hi], b) of RFC 6962 §2.1.2 as
// spans.
func consistencySpans(m, lo, hi uint64, b bool, out []span) []span {
	if m == hi {
		if b {
			return out
		}
		return append(out, span{lo, hi})
	}
	k := splitPoint(hi - lo)
	if m <= lo+k {
		return append(consistencySpans(m, lo, lo+k, b, out), span{lo + k, hi})
	}
	return append(consistencySpans(m, lo+k, hi, false, out), span{lo, lo + k})
}

// spanRoots returns the root of each span from the stored nodes.
func (s *Service) spanRoots(ctx context.Context, spans []span) ([]Hash, error) {
	covers := make([][]nodeKey, len(spans))
	need := map[uint8]map[uint64]bool{}
	for i, sp := range spans {
		covers[i] = sp.cover(nil)
		for _, k := range covers[i] {
			if need[k.level] == nil {
				need[k.level] = map[uint64]bool{}
			}
			need[k.level][k.index] = true
		}
	}
	got := make(map[nodeKey]Hash)
	for level, set := range need {
		idx := make([]uint64, 0, len(set))
		for i := range set {
			idx = append(idx, i)
		}
		slices.Sort(idx)
		nodes, err := s.cfg.Store.FindNodes(ctx, level, idx)
		if err != nil {
			return nil, err
		}
		for _, n := range nodes {
			got[nodeKey{n.Level, n.Index}] = n.Hash
		}
	}
	out := make([]Hash, len(spans))
	for i, c := range covers {
		if len(c) == 0 {
			out[i] = emptyRoot
			continue
		}
		for j := len(c) - 1; j >= 0; j-- {
			h, ok := got[c[j]]
			if !ok {
				return nil, fmt.Errorf("audit: stored node %d/%d is missing", c[j].level, c[j].index)
			}
			if j == len(c)-1 {
				out[i] = h
			} else {
				out[i] = NodeHash(h, out[i])
			}
		}
	}
	return out, nil
}

// inclusionPaths returns the audit path of each leaf index in the tree of
// the given size, reading each stored node once.
func (s *Service) inclusionPaths(ctx context.Context, size uint64, indexes []uint64) ([][]Hash, error) {
	pos := map[span]int{}
	var spans []span
	paths := make([][]int, len(indexes))
	var buf []span
	for i, m := range indexes {
		buf = inclusionSpans(m, 0, size, buf[:0])
		paths[i] = make([]int, len(buf))
		for j, sp := range buf {
			p, ok := pos[sp]
			if !ok {
				p = len(spans)
				pos[sp] = p
				spans = append(spans, sp)
			}
			paths[i][j] = p
		}
	}
	roots, err := s.spanRoots(ctx, spans)
	if err != nil {
		return nil, err
	}
	out := make([][]Hash, len(indexes))
	for i, p := range paths {
		out[i] = make([]Hash, len(p))
		for j, x := range p {
			out[i][j] = roots[x]
		}
	}
	return out, nil
}

// record writes the access event of an export before it is served.
func (s *Service) record(ctx context.Context, resource, resourceID, purpose string) error {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return err
	}
	m := cordon.MetaFromContext(ctx)
	err = s.cfg.Access.RecordAccess(ctx, &cordon.AccessEvent{
		At: s.cfg.Now().UTC(), UserID: a.UserID, OrgID: a.OrgID, Resource: resource, ResourceID: resourceID,
		Action: cordon.ActExport, Decision: cordon.Allow, Purpose: purpose, RequestID: m.RequestID, ClientIP: m.ClientIP,
	})
	if err != nil {
		return fmt.Errorf("record export: %w", err)
	}
	return nil
}

// ExportAccessEvents writes the events the filter selects as CSV, with
// their leaf index where sealed, after recording the export.
func (s *Service) ExportAccessEvents(ctx context.Context, f cordon.AccessEventFilter, w io.Writer) error {
	f.Offset, f.Limit = 0, s.cfg.MaxExport
	events, total, err := s.cfg.Access.FindAccessEvents(ctx, f)
	if err != nil {
		return err
	}
	if total > s.cfg.MaxExport {
		return cordon.Err(cordon.EINVALID, "audit.filter_selects_events_export_holds", total, s.cfg.MaxExport)
	}
	ids := make([]int64, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	sealed, err := s.LeafIndexes(ctx, ids)
	if err != nil {
		return err
	}
	if err := s.record(ctx, cordon.ResAccessEvent, "", fmt.Sprintf("csv export of %d events", len(events))); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "at", "user_id", "org_id", "contract_no", "clause", "resource", "resource_id", "action",
		"decision", "purpose", "fields", "request_id", "client_ip", "file_sha256", "download_id", "leaf_index"})
	for _, e := range events {
		leaf := ""
		if i, ok := sealed[e.ID]; ok {
			leaf = strconv.FormatUint(i, 10)
		}
		cw.Write([]string{
			strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano), strconv.FormatInt(e.UserID, 10),
			strconv.FormatInt(e.OrgID, 10), cell(e.ContractNo), cell(e.Clause), cell(e.Resource), cell(e.ResourceID),
			cell(e.Action), string(e.Decision), cell(e.Purpose), cell(strings.Join(e.Fields, ";")), cell(e.RequestID),
			cell(e.ClientIP), cell(e.FileSHA256), cell(e.DownloadID), leaf,
		})
	}
	cw.Flush()
	return cw.Error()
}

// cell defuses a value a spreadsheet would run as a formula (OWASP CSV
// injection): a leading = + - @ tab or carriage return gets a quote in
// front. The evidence bundle, not the CSV, carries the exact bytes.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// The files of an evidence bundle, in archive order.
const (
	bundleReadme     = "README.txt"
	bundleManifest   = "manifest.txt"
	bundleKey        = "key.txt"
	bundleCheckpoint = "checkpoint.txt"
	bundleEvents     = "events.jsonl"
	bundleProofs     = "proofs.jsonl"
)

var bundleFiles = []string{bundleReadme, bundleManifest, bundleKey, bundleCheckpoint, bundleEvents, bundleProofs}

// manifestTitle is the first line of a bundle's manifest.
const manifestTitle = "cordon evidence bundle v1"

// ExportBundle writes an evidence bundle of the sealed events in the range,
// up to the latest checkpoint, after recording the export. It returns the
// number of events.
//
// The bundle is a zip archive, stored without compression and written the
// same way every time, of: README.txt (how to verify), manifest.txt (the
// SHA-256 of every other file, signed with the log's key), key.txt (the
// verifier key), checkpoint.txt (the signed checkpoint), events.jsonl (one
// canonical leaf per line, exactly the bytes that were hashed) and
// proofs.jsonl (for each event, its leaf index and audit path to the
// checkpoint's root). [VerifyBundle] checks one.
func (s *Service) ExportBundle(ctx context.Context, f cordon.AuditExport, w io.Writer) (int, error) {
	cp, c, err := s.latest(ctx)
	if err != nil {
		return 0, err
	}
	events, leaves, err := s.cfg.Store.SealedAccessEvents(ctx, f, c.Size, s.cfg.MaxExport+1)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	if len(events) > s.cfg.MaxExport {
		return 0, cordon.Err(cordon.EINVALID, "audit.range_holds_more_than_sealed", s.cfg.MaxExport)
	}
	var lines bytes.Buffer
	indexes := make([]uint64, len(events))
	for i, e := range events {
		n := lines.Len()
		lines.Write(AppendLeaf(lines.AvailableBuffer(), e))
		if LeafHash(lines.Bytes()[n:]) != Hash(leaves[i].Hash) {
			return 0, errTampered(fmt.Sprintf("Event %d", e.ID))
		}
		lines.WriteByte('\n')
		indexes[i] = leaves[i].Index
	}
	paths, err := s.inclusionPaths(ctx, c.Size, indexes)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	var proofs bytes.Buffer
	for i, l := range leaves {
		if VerifyInclusion(l.Index, c.Size, l.Hash, paths[i], c.Root) != nil {
			return 0, errTampered("The stored tree")
		}
		proofs.Write(appendProofLine(proofs.AvailableBuffer(), proofLine{EventID: l.EventID, Index: l.Index, Size: c.Size, Hashes: paths[i]}))
	}
	if err := s.record(ctx, cordon.ResAudit, strconv.FormatUint(c.Size, 10), fmt.Sprintf("evidence bundle of %d events", len(events))); err != nil {
		return 0, err
	}
	m := manifest{Origin: s.cfg.Origin, Exported: s.cfg.Now().UTC(), From: f.From, To: f.To, Events: len(events), TreeSize: c.Size}
	files := map[string][]byte{
		bundleKey:        []byte(s.vkey + "\n"),
		bundleCheckpoint: cp.Note,
		bundleEvents:     lines.Bytes(),
		bundleProofs:     proofs.Bytes(),
	}
	files[bundleReadme] = []byte(readme(m, s.vkey))
	for _, name := range bundleFiles {
		if name != bundleManifest {
			m.Hashes = append(m.Hashes, sha256.Sum256(files[name]))
		}
	}
	files[bundleManifest], err = note.Sign(&note.Note{Text: m.text()}, s.signer)
	if err != nil {
		return 0, fmt.Errorf("export: sign manifest: %w", err)
	}
	if err := writeZip(w, files, c.Time); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	return len(events), nil
}

// manifest is the signed table of contents of a bundle.
type manifest struct {
	Origin   string
	Exported time.Time
	From, To *time.Time
	Events   int
	TreeSize uint64
	Hashes   [][sha256.Size]byte // of bundleFiles but the manifest, in order
}

// text writes the manifest, one fact a line.
func (m manifest) text() string {
	bound := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format(timeLayout)
	}
	var b strings.Builder
	b.WriteString(manifestTitle + "\n")
	fmt.Fprintf(&b, "origin %s\n", m.Origin)
	fmt.Fprintf(&b, "exported %s\n", m.Exported.UTC().Format(timeLayout))
	fmt.Fprintf(&b, "from %s\n", bound(m.From))
	fmt.Fprintf(&b, "to %s\n", bound(m.To))
	fmt.Fprintf(&b, "events %d\n", m.Events)
	fmt.Fprintf(&b, "tree-size %d\n", m.TreeSize)
	i := 0
	for _, name := range bundleFiles {
		if name == bundleManifest {
			continue
		}
		fmt.Fprintf(&b, "sha256 %x %s\n", m.Hashes[i], name)
		i++
	}
	return b.String()
}

// parseManifest reads a manifest and insists it is exactly as text writes
// it.
func parseManifest(text string) (manifest, error) {
	var m manifest
	fail := errors.New("the manifest is malformed")
	lines := strings.Split(text, "\n")
	want := 7 + len(bundleFiles) - 1 + 1 // facts, hashes, and the empty string after the last newline
	if len(lines) != want || lines[0] != manifestTitle || lines[len(lines)-1] != "" {
		return m, fail
	}
	field := func(i int, key string) (string, bool) { return strings.CutPrefix(lines[i], key+" ") }
	var ok bool
	var err error
	if m.Origin, ok = field(1, "origin"); !ok {
		return m, fail
	}
	v, ok := field(2, "exported")
	if !ok {
		return m, fail
	}
	if m.Exported, err = time.Parse(timeLayout, v); err != nil {
		return m, fail
	}
	for i, dst := range []**time.Time{&m.From, &m.To} {
		v, ok := field(3+i, []string{"from", "to"}[i])
		if !ok {
			return m, fail
		}
		if v != "-" {
			t, err := time.Parse(timeLayout, v)
			if err != nil {
				return m, fail
			}
			*dst = &t
		}
	}
	if v, ok = field(5, "events"); !ok {
		return m, fail
	}
	if m.Events, err = strconv.Atoi(v); err != nil {
		return m, fail
	}
	if v, ok = field(6, "tree-size"); !ok {
		return m, fail
	}
	if m.TreeSize, err = strconv.ParseUint(v, 10, 64); err != nil {
		return m, fail
	}
	for i := 7; i < len(lines)-1; i++ {
		v, ok := field(i, "sha256")
		hx, _, _ := strings.Cut(v, " ")
		h, err := hex.DecodeString(hx)
		if !ok || err != nil || len(h) != sha256.Size {
			return m, fail
		}
		m.Hashes = append(m.Hashes, [sha256.Size]byte(h))
	}
	if m.text() != text {
		return m, fail
	}
	return m, nil
}

// readme explains a bundle to whoever receives it.
func readme(m manifest, vkey string) string {
	rng := "all sealed events"
	if m.From != nil || m.To != nil {
		from, to := "the start", "the latest checkpoint"
		if m.From != nil {
			from = m.From.UTC().Format(time.RFC3339Nano)
		}
		if m.To != nil {
			to = m.To.UTC().Format(time.RFC3339Nano)
		}
		rng = "the sealed events from " + from + " up to (not including) " + to
	}
	return `Cordon access log: evidence bundle
==================================

This archive holds ` + strconv.Itoa(m.Events) + ` access events (` + rng + `) of the log
"` + m.Origin + `", each with a proof that it is in the log as signed at size
` + strconv.FormatUint(m.TreeSize, 10) + `. Exported ` + m.Exported.Format(time.RFC3339) + `.

Keep this file exactly as it is: any change to any byte makes it fail.

Verify it, with no server and no database:

    cordon audit verify-bundle THIS-FILE.zip --key '<verifier key>'

Give --key the verifier key you hold from a source you trust (for example
printed by "cordon audit key" when the log was set up and kept with the
contract records), not the one in key.txt: a key found next to the evidence
proves nothing about who signed it. The key this bundle was signed with is

    ` + vkey + `

Files
-----
manifest.txt    the SHA-256 of every other file, as a note signed with the
                log's key (golang.org/x/mod/sumdb/note).
key.txt         the verifier key: name+hash+base64(0x01 || Ed25519 public key).
checkpoint.txt  the signed checkpoint (C2SP tlog-checkpoint): origin, tree
                size, root (base64), "time" of signing; then the signature.
events.jsonl    one event a line: exactly the canonical leaf that was hashed
                (JSON, members sorted, no spaces, "v":1).
proofs.jsonl    line for line with events.jsonl: event_id, leaf_index,
                tree_size and the audit path (hex SHA-256 hashes).

Checking by hand
----------------
1. Open manifest.txt and checkpoint.txt with the verifier key; each carries
   one Ed25519 signature over the text above its blank line.
2. Each file's SHA-256 must equal its line in manifest.txt.
3. For each line of events.jsonl (without its newline), the leaf hash is
   SHA-256(0x00 || line) (RFC 6962 section 2.1). With the audit path of the
   same line of proofs.jsonl, the algorithm of RFC 9162 section 2.1.3.2 must
   give the root in checkpoint.txt for tree_size.
4. Interior nodes are SHA-256(0x01 || left || right).
`
}

// proofLine is one line of proofs.jsonl.
type proofLine struct {
	EventID int64
	Index   uint64
	Size    uint64
	Hashes  []Hash
}

// appendProofLine writes a proof line, newline included, in its one
// canonical form.
func appendProofLine(b []byte, p proofLine) []byte {
	b = append(b, `{"event_id":`...)
	b = strconv.AppendInt(b, p.EventID, 10)
	b = append(b, `,"leaf_index":`...)
	b = strconv.AppendUint(b, p.Index, 10)
	b = append(b, `,"tree_size":`...)
	b = strconv.AppendUint(b, p.Size, 10)
	b = append(b, `,"hashes":[`...)
	for i, h := range p.Hashes {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = hex.AppendEncode(b, h[:])
		b = append(b, '"')
	}
	return append(b, "]}\n"...)
}

// errProofLine is what parseProofLine says of a line it refuses.
var errProofLine = errors.New("the proof line is malformed")

// parseProofLine reads a proof line without its newline and insists it is
// canonical: the members in order, no space, numbers without leading
// zeros, hashes in lower-case hex.
func parseProofLine(line []byte) (proofLine, error) { return parseProofLineInto(line, nil) }

// parseProofLineInto is parseProofLine appending the hashes to dst[:0], so
// that a caller checking many lines reuses one buffer.
func parseProofLineInto(line []byte, dst []Hash) (proofLine, error) {
	var p proofLine
	rest, ok := bytes.CutPrefix(line, []byte(`{"event_id":`))
	if !ok {
		return p, errProofLine
	}
	neg := len(rest) > 0 && rest[0] == '-'
	if neg {
		rest = rest[1:]
	}
	id, rest, ok := canonicalUint(rest)
	switch {
	case !ok, neg && (id == 0 || id > 1<<63), !neg && id > math.MaxInt64: // one spelling: no "-0"
		return p, errProofLine
	case neg:
		p.EventID = int64(-id)
	default:
		p.EventID = int64(id)
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(`,"leaf_index":`)); !ok {
		return p, errProofLine
	}
	if p.Index, rest, ok = canonicalUint(rest); !ok {
		return p, errProofLine
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(`,"tree_size":`)); !ok {
		return p, errProofLine
	}
	if p.Size, rest, ok = canonicalUint(rest); !ok {
		return p, errProofLine
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(`,"hashes":[`)); !ok {
		return p, errProofLine
	}
	const item = 2 + 2*HashSize // a quoted hash
	p.Hashes = dst[:0]
	for i := 0; len(rest) > 0 && rest[0] != ']'; i++ {
		if i > 0 {
			if rest[0] != ',' {
				return p, errProofLine
			}
			rest = rest[1:]
		}
		if len(rest) < item || rest[0] != '"' || rest[item-1] != '"' {
			return p, errProofLine
		}
		p.Hashes = append(p.Hashes, Hash{})
		if !decodeLowerHex(p.Hashes[len(p.Hashes)-1][:], rest[1:item-1]) {
			return p, errProofLine
		}
		rest = rest[item:]
	}
	if string(rest) != "]}" {
		return p, errProofLine
	}
	return p, nil
}

// canonicalUint reads the decimal digits at the start of b, without a
// leading zero (but "0"), and returns their value and the rest of b; false
// when there are none, they overflow, or a zero leads.
func canonicalUint(b []byte) (uint64, []byte, bool) {
	n := 0
	var v uint64
	for ; n < len(b) && b[n] >= '0' && b[n] <= '9'; n++ {
		d := uint64(b[n] - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, b, false
		}
		v = v*10 + d
	}
	if n == 0 || b[0] == '0' && n > 1 {
		return 0, b, false
	}
	return v, b[n:], true
}

// unhex maps a lower-case hex digit to its value, anything else to 0xff.
var unhex = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i, c := range "0123456789abcdef" {
		t[c] = byte(i)
	}
	return t
}()

// decodeLowerHex decodes len(dst)*2 lower-case hex digits, the one
// spelling a hash has in a bundle, and reports whether src was that.
func decodeLowerHex(dst, src []byte) bool {
	if len(src) != 2*len(dst) {
		return false
	}
	bad := byte(0)
	for i := range dst {
		hi, lo := unhex[src[2*i]], unhex[src[2*i+1]]
		bad |= hi | lo
		dst[i] = hi<<4 | lo&0x0f
	}
	return bad&0xf0 == 0
}

// writeZip writes the bundle's files to w, in bundle order, stored
// without compression, with one modification time: the same files always
// give the same bytes, which is what lets VerifyBundle refuse any other
// archive.
func writeZip(w io.Writer, files map[string][]byte, mod time.Time) error {
	zw := zip.NewWriter(w)
	for _, name := range bundleFiles {
		data := files[name]
		fh := &zip.FileHeader{
			Name:               name,
			Method:             zip.Store,
			Modified:           time.Unix(mod.Unix(), 0).UTC(),
			CRC32:              crc32.ChecksumIEEE(data),
			CompressedSize64:   uint64(len(data)),
			UncompressedSize64: uint64(len(data)),
		}
		fh.SetMode(0o444)
		fw, err := zw.CreateRaw(fh)
		if err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		if _, err := fw.Write(data); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	return nil
}

// sameWriter compares what is written to it with want, without keeping it.
type sameWriter struct {
	want []byte
	same bool
}

// Write compares p with what comes next of want; it never fails.
func (w *sameWriter) Write(p []byte) (int, error) {
	if w.same && len(p) <= len(w.want) && bytes.Equal(p, w.want[:len(p)]) {
		w.want = w.want[len(p):]
	} else {
		w.same = false
	}
	return len(p), nil
}

// maxBundleFile caps what VerifyBundle reads of one file.
const maxBundleFile = 1 << 30

// VerifyBundle checks an evidence bundle offline, with no server and no
// database: that the archive is exactly as Cordon wrote it, that the
// manifest and the checkpoint are signed by the verifier key and the
// manifest lists every file's hash, and that every event line is in the
// log at the checkpoint's size by its inclusion proof. Give key, the
// verifier key you trust, to pin it; empty trusts the bundle's key.txt,
// which shows integrity but not who signed. Every problem is a finding;
// the report names the events at fault.
func VerifyBundle(data []byte, key string) *Report {
	r := &Report{}
	bad := func(format string, args ...any) {
		r.add(Finding{Kind: BadBundle, Leaf: -1, Detail: fmt.Sprintf(format, args...)})
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		bad("not a zip archive: %v", err)
		return r
	}
	if len(zr.File) != len(bundleFiles) {
		bad("the archive holds %d files, not the %d of a bundle", len(zr.File), len(bundleFiles))
		return r
	}
	files := map[string][]byte{}
	for i, f := range zr.File {
		if f.Name != bundleFiles[i] {
			bad("file %d is %q, not %q", i+1, f.Name, bundleFiles[i])
			return r
		}
		b, err := storedData(data, f)
		if err != nil {
			bad("%s: %v", f.Name, err)
			if b == nil {
				return r
			}
		}
		files[f.Name] = b
	}

	// Rewriting the archive and hashing the files (a bundle of 100,000
	// events is some 160 MB) run beside the checks of the event lines; the
	// findings are reported in the order of the checks all the same, each
	// section in its turn.
	const (
		secArchive = iota
		secKey
		secManifest
		secCheckpoint
		secEvents
		sections
	)
	var secs [sections][]Finding
	badIn := func(k int, format string, args ...any) {
		secs[k] = append(secs[k], Finding{Kind: BadBundle, Leaf: -1, Detail: fmt.Sprintf(format, args...)})
	}
	var wg sync.WaitGroup
	same := false
	wg.Add(1)
	go func() {
		defer wg.Done()
		again := &sameWriter{want: data, same: true}
		same = writeZip(again, files, zr.File[0].Modified) == nil && again.same && len(again.want) == 0
	}()
	sums := make([][sha256.Size]byte, len(bundleFiles))
	for i, name := range bundleFiles {
		if name == bundleManifest {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sums[i] = sha256.Sum256(files[name])
		}()
	}
	var m manifest
	manifestOK := false
	finish := func() *Report {
		wg.Wait()
		if !same {
			badIn(secArchive, "the archive is not byte for byte as Cordon wrote it: it was altered or repacked")
		}
		if manifestOK {
			k := 0
			for i, name := range bundleFiles {
				if name == bundleManifest {
					continue
				}
				if sums[i] != m.Hashes[k] {
					badIn(secManifest, "%s differs from its hash in the manifest", name)
				}
				k++
			}
		}
		for _, sec := range secs {
			for _, f := range sec {
				r.add(f)
			}
		}
		return r
	}

	// The key.
	vkey, origin, err := ParseVerifierKey(string(files[bundleKey]))
	if err != nil || string(files[bundleKey]) != vkey+"\n" {
		badIn(secKey, "key.txt does not hold a verifier key")
	}
	if key != "" {
		pinned, _, err := ParseVerifierKey(key)
		if err != nil {
			badIn(secKey, "the key you gave is malformed")
			return finish()
		}
		if pinned != vkey {
			badIn(secKey, "key.txt is not the key you gave: the bundle was not signed by the key you trust")
		}
		vkey = pinned
	}
	r.Key, r.Origin = vkey, origin
	if vkey == "" {
		return finish()
	}

	// The manifest: signed, and naming every file's hash (compared in
	// finish, once the hashes are done).
	text, err := openNote(files[bundleManifest], vkey)
	if err == nil {
		m, err = parseManifest(text)
	}
	if err != nil {
		badIn(secManifest, "manifest.txt does not verify: %v", err)
	} else {
		manifestOK = true
	}

	// The checkpoint.
	c, err := OpenCheckpoint(files[bundleCheckpoint], vkey)
	if err == nil {
		_, err = openNote(files[bundleCheckpoint], vkey)
	}
	if err != nil {
		badIn(secCheckpoint, "checkpoint.txt does not verify: %v", err)
		return finish()
	}
	r.Checkpoints, r.TreeSize, r.Root = 1, c.Size, c.Root
	if m.TreeSize != 0 && m.TreeSize != c.Size {
		badIn(secCheckpoint, "the manifest names tree size %d, the checkpoint %d", m.TreeSize, c.Size)
	}

	// The events, each by its proof.
	events := splitLines(files[bundleEvents])
	proofs := splitLines(files[bundleProofs])
	if events == nil || proofs == nil {
		badIn(secEvents, "events.jsonl or proofs.jsonl does not end in a newline")
		return finish()
	}
	if len(events) != len(proofs) {
		badIn(secEvents, "events.jsonl has %d lines, proofs.jsonl %d", len(events), len(proofs))
	}
	if m.Events != len(events) && err == nil {
		badIn(secEvents, "the manifest counts %d events, events.jsonl holds %d", m.Events, len(events))
	}
	n := min(len(events), len(proofs))
	found := make([]lineResult, n)
	parallel(n, func(lo, hi int) {
		pc := newProofChecker(c.Size, c.Root)
		for i := lo; i < hi; i++ {
			found[i] = checkEventLine(i, events[i], proofs[i], c, pc)
		}
	})
	var prev uint64
	for i, res := range found {
		secs[secEvents] = append(secs[secEvents], res.findings...)
		if res.parsed {
			if i > 0 && res.index <= prev {
				badIn(secEvents, "proofs.jsonl line %d: leaf %d does not follow leaf %d", i+1, res.index, prev)
			}
			prev = res.index
		}
	}
	r.Leaves, r.Events = uint64(n), len(events)
	return finish()
}

// storedData returns the content of a file stored without compression,
// in place in the archive, after checking its CRC-32.
func storedData(data []byte, f *zip.File) ([]byte, error) {
	if f.Method != zip.Store || f.CompressedSize64 != f.UncompressedSize64 {
		return nil, errors.New("compressed: a bundle stores its files as they are")
	}
	off, err := f.DataOffset()
	if err != nil || off < 0 || f.UncompressedSize64 > uint64(len(data)) || uint64(off) > uint64(len(data))-f.UncompressedSize64 {
		return nil, errors.New("the file lies outside the archive")
	}
	b := data[off : uint64(off)+f.UncompressedSize64]
	if crc32.ChecksumIEEE(b) != f.CRC32 {
		return b, errors.New("the CRC-32 does not match: the file is damaged")
	}
	return b, nil
}

// lineResult is what checking one event line found.
type lineResult struct {
	findings []Finding
	parsed   bool   // the proof line parsed
	index    uint64 // its leaf index
}

// checkEventLine checks line i of events.jsonl against its proof.
func checkEventLine(i int, event, proof []byte, c Checkpoint, pc *proofChecker) lineResult {
	one := func(f Finding) lineResult { return lineResult{findings: []Finding{f}} }
	id, idOK := leafID(event)
	p, err := parseProofLineInto(proof, pc.cur.proof)
	if err != nil {
		return one(Finding{Kind: BadBundle, Leaf: -1, Detail: fmt.Sprintf("proofs.jsonl line %d is malformed", i+1)})
	}
	res := lineResult{parsed: true, index: p.Index}
	leaf := int64(p.Index)
	var f *Finding
	switch {
	case !idOK:
		f = &Finding{Kind: Changed, EventID: p.EventID, Leaf: leaf, Detail: fmt.Sprintf("events.jsonl line %d is not a canonical leaf", i+1)}
	case id != p.EventID:
		f = &Finding{Kind: Reordered, EventID: id, Leaf: leaf, Detail: fmt.Sprintf("events.jsonl line %d stands where proofs.jsonl has event %d", i+1, p.EventID)}
	case p.Size != c.Size:
		f = &Finding{Kind: BadBundle, EventID: id, Leaf: -1, Detail: fmt.Sprintf("proofs.jsonl line %d is for tree size %d, the checkpoint's is %d", i+1, p.Size, c.Size)}
	case !pc.verify(p.Index, LeafHash(event), p.Hashes):
		f = &Finding{Kind: Changed, EventID: id, Leaf: leaf, Detail: fmt.Sprintf("events.jsonl line %d is not in the log by its proof", i+1)}
	}
	if f != nil {
		res.findings = []Finding{*f}
	}
	return res
}

// proofChecker verifies many inclusion proofs against one tree, cheaply
// when they come in leaf order. It keeps the last path it verified, which
// proves every node on that path and every sibling in it (short of a
// SHA-256 collision). A new leaf's path shares the top of the last one, down
// to the node where they part: the checker hashes from the new leaf up to
// that node and compares with its proven hash, and above it requires the
// proof's hashes to be the proven siblings, byte for byte. For neighbouring
// leaves that is about two hashes instead of one per level. It accepts
// exactly the proofs [VerifyInclusion] accepts. It is not safe for
// concurrent use.
type proofChecker struct {
	size      uint64
	root      Hash
	last, cur *path
}

// path is a leaf's path from the root down: steps[j] is the node at depth
// j and the sibling of the node below it, nodes[j] the node's hash, and
// proof the audit path (lowest sibling first).
type path struct {
	n     int
	steps [64]pathStep
	nodes [64]Hash
	proof []Hash
}

// pathStep is one level of a path: the node, the child that is not on the
// path (whose hash the proof gives), and whether the path goes on left.
type pathStep struct {
	node, sibling span
	left          bool
}

func newProofChecker(size uint64, root Hash) *proofChecker {
	return &proofChecker{size: size, root: root, last: &path{}, cur: &path{}}
}

// verify reports whether proof is the audit path of leaf at index.
func (pc *proofChecker) verify(index uint64, leaf Hash, proof []Hash) bool {
	if index >= pc.size {
		return false
	}
	c := pc.cur
	c.n, c.proof = 0, proof
	for lo, hi := uint64(0), pc.size; hi-lo > 1; c.n++ { // RFC 6962 §2.1.1, from the root down
		k := splitPoint(hi - lo)
		if index < lo+k {
			c.steps[c.n] = pathStep{span{lo, hi}, span{lo + k, hi}, true}
			hi = lo + k
		} else {
			c.steps[c.n] = pathStep{span{lo, hi}, span{lo, lo + k}, false}
			lo += k
		}
	}
	n := c.n
	if len(proof) != n {
		return false
	}
	// d: the deepest node the last path shares; -1 when there is none.
	l := pc.last
	d := -1
	for d+1 < n && d+1 < l.n && c.steps[d+1].node == l.steps[d+1].node {
		d++
	}
	// Hash from the leaf up to node d (to the root when d is -1).
	r := leaf
	for j := n - 1; j >= max(d, 0); j-- {
		p := proof[n-1-j]
		if c.steps[j].left {
			r = NodeHash(r, p)
		} else {
			r = NodeHash(p, r)
		}
		c.nodes[j] = r
	}
	switch {
	case n == 0:
		if leaf != pc.root {
			return false
		}
	case d < 0:
		if r != pc.root {
			return false
		}
	default:
		// Node d is proven: our hash of it must be the proven one, and above
		// it the path is the proven path.
		if r != l.nodes[d] {
			return false
		}
		for j := d - 1; j >= 0; j-- {
			if proof[n-1-j] != l.proof[l.n-1-j] {
				return false
			}
			c.nodes[j] = l.nodes[j]
		}
	}
	pc.last, pc.cur = pc.cur, pc.last
	return true
}

// leafID finds the "id" member of a leaf. In a canonical leaf a quote
// inside a string is always escaped, so `,"id":` occurs once, at the
// member.
func leafID(leaf []byte) (int64, bool) {
	_, after, ok := bytes.Cut(leaf, []byte(`,"id":`))
	if !ok {
		return 0, false
	}
	n := 0
	for n < len(after) && (after[n] >= '0' && after[n] <= '9' || n == 0 && after[n] == '-') {
		n++
	}
	id, err := strconv.ParseInt(string(after[:n]), 10, 64)
	return id, err == nil
}

// splitLines splits newline-terminated lines; nil unless the data is empty
// or ends in a newline.
func splitLines(b []byte) [][]byte {
	if len(b) == 0 {
		return [][]byte{}
	}
	if b[len(b)-1] != '\n' {
		return nil
	}
	return bytes.Split(b[:len(b)-1], []byte("\n"))
}

// openNote opens a note signed by exactly the one key, written exactly as
// note.Sign writes it, and returns its text: an extra signature line, or a
// signature spelled in non-canonical base64, is refused.
func openNote(msg []byte, vkey string) (string, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return "", err
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return "", err
	}
	if len(n.Sigs) != 1 || len(n.UnverifiedSigs) != 0 {
		return "", errors.New("the note must carry exactly one signature")
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(n.Sigs[0].Base64)
	if err != nil || base64.StdEncoding.EncodeToString(raw) != n.Sigs[0].Base64 {
		return "", errors.New("the signature is not in canonical base64")
	}
	if want := n.Text + "\n— " + n.Sigs[0].Name + " " + n.Sigs[0].Base64 + "\n"; want != string(msg) {
		return "", errors.New("the note is not in canonical form")
	}
	return n.Text, nil
}
