package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/cordon/cordon/internal/cordon"
)

// AuditLog keeps the sealed access log: the leaves, subtree hashes, signed
// checkpoints, gaps and sealing state of the Merkle log the sealer builds
// over access_events (migration 00003, docs/audit.md). It implements
// audit.Store, the interface package audit declares for what it needs.
//
// Every read of access events goes through the engine's one reader
// (engine.accessEvents), so that the sealer, cordon audit verify, the
// explorer and the exports see a row as the same event: on PostgreSQL
// pgx's binary rows decoded by hand (decodeAccessEventPG), on SQLite one
// text column a row (decodeSQLiteEvent).
type AuditLog struct{ db *DB }

// NewAuditLog returns the sealed log's storage.
func NewAuditLog(db *DB) *AuditLog { return &AuditLog{db: db} }

// sealerLockClass is the first key of the sealer's PostgreSQL advisory lock
// ("CRDA"); the second is a hash of the schema, so that every schema on a
// server (tests use one each) has a sealer of its own.
const sealerLockClass = 0x43524441

// scanBatch is how many rows the Each methods hand over at a time.
const scanBatch = 1024

// TryLead makes the caller the one sealer, if no other process is. On
// PostgreSQL it takes a session-level advisory lock on a connection of its
// own, held until release; alive reports whether that connection (and so
// the lock) still holds. On SQLite there is one process, and it always
// leads. When another process leads, alive and release are nil.
func (l *AuditLog) TryLead(ctx context.Context) (alive func(context.Context) error, release func(), err error) {
	if l.db.dialect != Postgres {
		return func(context.Context) error { return nil }, func() {}, nil
	}
	conn, err := l.db.sql.Conn(ctx)
	if err != nil {
		return nil, nil, TranslateError(err, "Sealer lock")
	}
	var ok bool
	err = conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, hashtext(current_schema()))", sealerLockClass).Scan(&ok)
	if err != nil || !ok {
		conn.Close()
		return nil, nil, TranslateError(err, "Sealer lock")
	}
	alive = func(ctx context.Context) error {
		_, err := conn.ExecContext(ctx, "SELECT 1")
		return TranslateError(err, "Sealer lock")
	}
	release = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1, hashtext(current_schema()))", sealerLockClass); err != nil {
			// Whatever happened, the lock must not outlive us: drop the
			// connection rather than hand it back to the pool.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}
	return alive, release, nil
}

// AuditState returns where sealing stands: nothing sealed (size 0, next
// event id 1, the empty tree) before the first batch.
func (l *AuditLog) AuditState(ctx context.Context) (cordon.AuditState, error) {
	var st cordon.AuditState
	var size int64
	err := l.db.conn(ctx).Raw("SELECT size, next_event_id, tree FROM audit_state WHERE id = 1").Row().
		Scan(&size, &st.NextEventID, &st.Tree)
	switch {
	case err == sql.ErrNoRows:
		return cordon.AuditState{NextEventID: 1, Tree: make([]byte, 8)}, nil
	case err != nil:
		return st, TranslateError(err, "Audit state")
	}
	st.Size = uint64(size)
	return st, nil
}

// AccessEventsFrom returns up to limit events with id >= fromID, in id
// order: what the sealer seals. It reads rows as EachAccessEvent does, so
// that the sealer and cordon audit verify see a row as the same event.
func (l *AuditLog) AccessEventsFrom(ctx context.Context, fromID int64, limit int) ([]*cordon.AccessEvent, error) {
	var out []*cordon.AccessEvent
	err := l.db.eng.accessEvents(ctx, l.db, "WHERE e.id >= ? ORDER BY e.id LIMIT ?", []any{fromID, limit},
		func(e *cordon.AccessEvent) error {
			out = append(out, e)
			return nil
		})
	return out, err
}

// AccessEventsByID returns the events with the given ids that exist, in id
// order.
func (l *AuditLog) AccessEventsByID(ctx context.Context, ids []int64) ([]*cordon.AccessEvent, error) {
	var out []*cordon.AccessEvent
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		in := strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ")
		err := l.db.eng.accessEvents(ctx, l.db, "WHERE e.id IN ("+in+") ORDER BY e.id", args, func(e *cordon.AccessEvent) error {
			out = append(out, e)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SaveSeal writes one batch of sealing in one transaction: the new state,
// by compare-and-swap on the previous one, then the leaves, nodes, gaps and
// checkpoint. When the state is no longer s.Prev (another sealer got there
// first) it writes nothing and returns ECONFLICT.
func (l *AuditLog) SaveSeal(ctx context.Context, s *cordon.AuditSeal) error {
	now := l.db.Now()
	return l.db.WithTx(ctx, func(ctx context.Context) error {
		tx := l.db.conn(ctx)
		res := tx.Exec("UPDATE audit_state SET size = ?, next_event_id = ?, tree = ?, updated_at = ? WHERE id = 1 AND size = ? AND next_event_id = ?",
			int64(s.Next.Size), s.Next.NextEventID, s.Next.Tree, now, int64(s.Prev.Size), s.Prev.NextEventID)
		if res.Error != nil {
			return TranslateError(res.Error, "Audit state")
		}
		if res.RowsAffected == 0 {
			if s.Prev.Size != 0 {
				return cordon.Err(cordon.ECONFLICT, "store.access_log_was_sealed_another")
			}
			// The first batch: the row is created, once.
			err := tx.Exec("INSERT INTO audit_state (id, size, next_event_id, tree, updated_at) VALUES (1, ?, ?, ?, ?)",
				int64(s.Next.Size), s.Next.NextEventID, s.Next.Tree, now).Error
			if err != nil {
				if cordon.ErrorCode(TranslateError(err, "")) == cordon.ECONFLICT {
					return cordon.Err(cordon.ECONFLICT, "store.access_log_was_sealed_another")
				}
				return TranslateError(err, "Audit state")
			}
		}
		if err := l.db.eng.insertLeaves(ctx, tx, s.Leaves); err != nil {
			return conflict(err, "Audit leaf")
		}
		if err := l.db.eng.insertNodes(ctx, tx, s.Nodes); err != nil {
			return conflict(err, "Audit node")
		}
		err := insertRows(tx, l.db.eng.maxParams(), "audit_gaps", "first_id, last_id, recorded_at", len(s.Gaps), func(i int) []any {
			g := &s.Gaps[i]
			return []any{g.FirstID, g.LastID, g.At.UTC()}
		})
		if err != nil {
			return conflict(err, "Audit gap")
		}
		if c := s.Checkpoint; c != nil {
			err := tx.Exec("INSERT INTO audit_checkpoints (size, root, signed_at, note) VALUES (?, ?, ?, ?)",
				int64(c.Size), c.Root[:], c.At.UTC(), string(c.Note)).Error
			if err != nil {
				return conflict(err, "Checkpoint")
			}
		}
		return nil
	})
}

// conflict translates an insert's error, naming a duplicate as a lost race
// between sealers.
func conflict(err error, what string) error {
	err = TranslateError(err, what)
	if cordon.ErrorCode(err) == cordon.ECONFLICT {
		return cordon.Err(cordon.ECONFLICT, "store.access_log_was_sealed_another")
	}
	return err
}

// insertRows inserts n rows into table in multi-row statements of at most
// maxParams parameters.
func insertRows(tx *gorm.DB, maxParams int, table, columns string, n int, row func(i int) []any) error {
	if n == 0 {
		return nil
	}
	width := strings.Count(columns, ",") + 1
	placeholder := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	per := maxParams / width
	for start := 0; start < n; start += per {
		end := min(n, start+per)
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + " (" + columns + ") VALUES ")
		args := make([]any, 0, (end-start)*width)
		for i := start; i < end; i++ {
			if i > start {
				q.WriteString(", ")
			}
			q.WriteString(placeholder)
			args = append(args, row(i)...)
		}
		if err := tx.Exec(q.String(), args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// checkpointColumns are the columns scanCheckpoint reads.
const checkpointColumns = "size, root, signed_at, note"

type rowScanner interface{ Scan(dest ...any) error }

func scanCheckpoint(r rowScanner) (*cordon.AuditCheckpoint, error) {
	var c cordon.AuditCheckpoint
	var size int64
	var root []byte
	var note string
	if err := r.Scan(&size, &root, &c.At, &note); err != nil {
		return nil, err
	}
	if len(root) != len(c.Root) {
		return nil, fmt.Errorf("store: checkpoint %d: root of %d bytes", size, len(root))
	}
	c.Size, c.At, c.Note = uint64(size), c.At.UTC(), []byte(note)
	copy(c.Root[:], root)
	return &c, nil
}

// LatestCheckpoint returns the checkpoint of the largest size: ENOTFOUND
// before the first.
func (l *AuditLog) LatestCheckpoint(ctx context.Context) (*cordon.AuditCheckpoint, error) {
	c, err := scanCheckpoint(l.db.conn(ctx).Raw("SELECT " + checkpointColumns + " FROM audit_checkpoints ORDER BY size DESC LIMIT 1").Row())
	if err == sql.ErrNoRows {
		return nil, cordon.Err(cordon.ENOTFOUND, "checkpoint.not_found")
	}
	return c, TranslateError(err, "Checkpoint")
}

// CheckpointBySize returns the checkpoint of the given size, or ENOTFOUND.
func (l *AuditLog) CheckpointBySize(ctx context.Context, size uint64) (*cordon.AuditCheckpoint, error) {
	c, err := scanCheckpoint(l.db.conn(ctx).Raw("SELECT "+checkpointColumns+" FROM audit_checkpoints WHERE size = ?", int64(size)).Row())
	if err == sql.ErrNoRows {
		return nil, cordon.Err(cordon.ENOTFOUND, "checkpoint.not_found")
	}
	return c, TranslateError(err, "Checkpoint")
}

// FindCheckpoints returns a page of checkpoints, latest first, and the
// total.
func (l *AuditLog) FindCheckpoints(ctx context.Context, offset, limit int) ([]*cordon.AuditCheckpoint, int, error) {
	var total int64
	if err := l.db.conn(ctx).Raw("SELECT count(*) FROM audit_checkpoints").Row().Scan(&total); err != nil {
		return nil, 0, TranslateError(err, "Checkpoint")
	}
	rows, err := l.db.conn(ctx).Raw("SELECT "+checkpointColumns+" FROM audit_checkpoints ORDER BY size DESC LIMIT ? OFFSET ?", limit, offset).Rows()
	if err != nil {
		return nil, 0, TranslateError(err, "Checkpoint")
	}
	defer rows.Close()
	var out []*cordon.AuditCheckpoint
	for rows.Next() {
		c, err := scanCheckpoint(rows)
		if err != nil {
			return nil, 0, TranslateError(err, "Checkpoint")
		}
		out = append(out, c)
	}
	return out, int(total), TranslateError(rows.Err(), "Checkpoint")
}

// FindLeaves returns the leaves of those of the events that are sealed, in
// leaf order.
func (l *AuditLog) FindLeaves(ctx context.Context, eventIDs []int64) ([]cordon.AuditLeaf, error) {
	var out []cordon.AuditLeaf
	for len(eventIDs) > 0 {
		chunk := eventIDs[:min(len(eventIDs), 500)]
		eventIDs = eventIDs[len(chunk):]
		rows, err := l.db.conn(ctx).Raw("SELECT seq, event_id, leaf_hash FROM audit_leaves WHERE event_id IN ? ORDER BY seq", chunk).Rows()
		if err != nil {
			return nil, TranslateError(err, "Audit leaf")
		}
		for rows.Next() {
			lf, err := scanLeaf(rows)
			if err != nil {
				rows.Close()
				return nil, TranslateError(err, "Audit leaf")
			}
			out = append(out, lf)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, TranslateError(err, "Audit leaf")
		}
	}
	return out, nil
}

func scanLeaf(r rowScanner) (cordon.AuditLeaf, error) {
	var lf cordon.AuditLeaf
	var seq int64
	var h []byte
	if err := r.Scan(&seq, &lf.EventID, &h); err != nil {
		return lf, err
	}
	if len(h) != len(lf.Hash) {
		return lf, fmt.Errorf("store: leaf %d: hash of %d bytes", seq, len(h))
	}
	lf.Index = uint64(seq)
	copy(lf.Hash[:], h)
	return lf, nil
}

// decodeSQLiteLeaf reads "seq,event_id,hash" as EachLeaf selects it on
// SQLite.
func decodeSQLiteLeaf(s string) (cordon.AuditLeaf, error) {
	var lf cordon.AuditLeaf
	seqText, rest, ok1 := strings.Cut(s, ",")
	idText, h, ok2 := strings.Cut(rest, ",")
	seq, err1 := strconv.ParseInt(seqText, 10, 64)
	id, err2 := strconv.ParseInt(idText, 10, 64)
	if !ok1 || !ok2 || err1 != nil || err2 != nil || !canonicalInt(seqText) || !canonicalInt(idText) {
		return lf, errors.New("store: a leaf row is malformed")
	}
	if len(h) != len(lf.Hash) {
		return lf, fmt.Errorf("store: leaf %d: hash of %d bytes", seq, len(h))
	}
	lf.Index, lf.EventID = uint64(seq), id
	copy(lf.Hash[:], h)
	return lf, nil
}

// FindNodes returns the nodes of the given level and indexes that exist:
// level 0 from the leaves, higher levels from the stored subtree hashes.
func (l *AuditLog) FindNodes(ctx context.Context, level uint8, indexes []uint64) ([]cordon.AuditNode, error) {
	var out []cordon.AuditNode
	for len(indexes) > 0 {
		n := min(len(indexes), 500)
		chunk := make([]int64, n)
		for i, x := range indexes[:n] {
			chunk[i] = int64(x)
		}
		indexes = indexes[n:]
		var rows *sql.Rows
		var err error
		if level == 0 {
			rows, err = l.db.conn(ctx).Raw("SELECT seq, leaf_hash FROM audit_leaves WHERE seq IN ?", chunk).Rows()
		} else {
			rows, err = l.db.conn(ctx).Raw("SELECT idx, hash FROM audit_nodes WHERE level = ? AND idx IN ?", int(level), chunk).Rows()
		}
		if err != nil {
			return nil, TranslateError(err, "Audit node")
		}
		for rows.Next() {
			var idx int64
			var h []byte
			if err := rows.Scan(&idx, &h); err != nil {
				rows.Close()
				return nil, TranslateError(err, "Audit node")
			}
			node := cordon.AuditNode{Level: level, Index: uint64(idx)}
			if len(h) != len(node.Hash) {
				rows.Close()
				return nil, fmt.Errorf("store: node %d/%d: hash of %d bytes", level, idx, len(h))
			}
			copy(node.Hash[:], h)
			out = append(out, node)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, TranslateError(err, "Audit node")
		}
	}
	return out, nil
}

// SealedAccessEvents returns up to limit sealed events with a leaf index
// below size and At in the export's range, in leaf order, each with its
// leaf.
func (l *AuditLog) SealedAccessEvents(ctx context.Context, f cordon.AuditExport, size uint64, limit int) ([]*cordon.AccessEvent, []cordon.AuditLeaf, error) {
	q := "JOIN audit_leaves l ON l.event_id = e.id WHERE l.seq < ?"
	args := []any{int64(size)}
	if f.From != nil {
		q += " AND e.at >= ?"
		args = append(args, f.From.UTC())
	}
	if f.To != nil {
		q += " AND e.at < ?"
		args = append(args, f.To.UTC())
	}
	q += " ORDER BY l.seq LIMIT ?"
	args = append(args, limit)
	var events []*cordon.AccessEvent
	err := l.db.eng.accessEvents(ctx, l.db, q, args, func(e *cordon.AccessEvent) error {
		events = append(events, e)
		return nil
	})
	if err != nil || len(events) == 0 {
		return nil, nil, err
	}
	ids := make([]int64, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	// The leaves, in leaf order as the events are: one leaf an event.
	leaves, err := l.FindLeaves(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	if len(leaves) != len(events) {
		return nil, nil, fmt.Errorf("store: %d sealed events but %d leaves", len(events), len(leaves))
	}
	for i := range leaves {
		if leaves[i].EventID != events[i].ID {
			return nil, nil, fmt.Errorf("store: leaf %d is not event %d's", leaves[i].Index, events[i].ID)
		}
	}
	return events, leaves, nil
}

// SealedSize returns the size the state row records and the size of the
// latest checkpoint (0 when there is none), read at one instant.
func (l *AuditLog) SealedSize(ctx context.Context) (state, checkpoint uint64, err error) {
	var s, c sql.NullInt64
	err = l.db.conn(ctx).Raw("SELECT (SELECT size FROM audit_state WHERE id = 1), (SELECT max(size) FROM audit_checkpoints)").Row().Scan(&s, &c)
	if err != nil {
		return 0, 0, TranslateError(err, "Audit state")
	}
	return uint64(s.Int64), uint64(c.Int64), nil
}

// EachCheckpoint hands every checkpoint of size at most upTo to fn, in
// batches, in order of size.
func (l *AuditLog) EachCheckpoint(ctx context.Context, upTo uint64, fn func([]*cordon.AuditCheckpoint) error) error {
	rows, err := l.db.conn(ctx).Raw("SELECT "+checkpointColumns+" FROM audit_checkpoints WHERE size <= ? ORDER BY size", int64(upTo)).Rows()
	if err != nil {
		return TranslateError(err, "Checkpoint")
	}
	defer rows.Close()
	batch := make([]*cordon.AuditCheckpoint, 0, scanBatch)
	for rows.Next() {
		c, err := scanCheckpoint(rows)
		if err != nil {
			return TranslateError(err, "Checkpoint")
		}
		if batch = append(batch, c); len(batch) == scanBatch {
			if err := fn(batch); err != nil {
				return err
			}
			batch = make([]*cordon.AuditCheckpoint, 0, scanBatch)
		}
	}
	if err := rows.Err(); err != nil {
		return TranslateError(err, "Checkpoint")
	}
	if len(batch) > 0 {
		return fn(batch)
	}
	return nil
}

// EachLeaf hands every leaf with index below size to fn, in batches, in
// leaf order.
func (l *AuditLog) EachLeaf(ctx context.Context, size uint64, fn func([]cordon.AuditLeaf) error) error {
	batch := make([]cordon.AuditLeaf, 0, scanBatch)
	err := l.db.eng.eachLeaf(ctx, l.db, size, func(lf cordon.AuditLeaf) error {
		if batch = append(batch, lf); len(batch) == scanBatch {
			if err := fn(batch); err != nil {
				return err
			}
			batch = make([]cordon.AuditLeaf, 0, scanBatch)
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = fn(batch)
	}
	return err
}

// EachAccessEvent hands every access event to fn, in batches, in id order.
func (l *AuditLog) EachAccessEvent(ctx context.Context, fn func([]*cordon.AccessEvent) error) error {
	batch := make([]*cordon.AccessEvent, 0, scanBatch)
	err := l.db.eng.allAccessEvents(ctx, l.db, func(e *cordon.AccessEvent) error {
		if batch = append(batch, e); len(batch) == scanBatch {
			if err := fn(batch); err != nil {
				return err
			}
			batch = make([]*cordon.AccessEvent, 0, scanBatch)
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = fn(batch)
	}
	return err
}

// FindGaps returns every recorded gap, in id order.
func (l *AuditLog) FindGaps(ctx context.Context) ([]cordon.AuditGap, error) {
	rows, err := l.db.conn(ctx).Raw("SELECT first_id, last_id, recorded_at FROM audit_gaps ORDER BY first_id").Rows()
	if err != nil {
		return nil, TranslateError(err, "Audit gap")
	}
	defer rows.Close()
	var out []cordon.AuditGap
	for rows.Next() {
		var g cordon.AuditGap
		if err := rows.Scan(&g.FirstID, &g.LastID, &g.At); err != nil {
			return nil, TranslateError(err, "Audit gap")
		}
		g.At = g.At.UTC()
		out = append(out, g)
	}
	return out, TranslateError(rows.Err(), "Audit gap")
}

// canonicalInt reports whether s is an integer as SQLite writes one: an
// optional minus, then digits without a leading zero (or just "0").
func canonicalInt(s string) bool {
	d := strings.TrimPrefix(s, "-")
	return d != "" && ('1' <= d[0] && d[0] <= '9' || s == "0")
}

// sqliteTimeFormats are the layouts the SQLite driver tries, in its order
// (github.com/glebarez/go-sqlite, parseTimeFormats).
var sqliteTimeFormats = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseSQLiteTime reads a DATETIME as the SQLite driver does, in UTC: the
// form the driver writes ("2006-01-02 15:04:05.999999999+00:00" in UTC)
// by hand, anything else by the driver's own rules.
func parseSQLiteTime(s string) (time.Time, error) {
	if t, ok := fastSQLiteTime(s); ok {
		return t, nil
	}
	// The driver's rules: time.Time.String's form first, then its layouts.
	s0 := s
	if x := strings.Index(s, "m="); x > 0 {
		s0 = s[:x]
	}
	if t, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", strings.TrimSpace(s0)); err == nil {
		return t.UTC(), nil
	}
	ts := strings.TrimSuffix(s, "Z")
	for _, f := range sqliteTimeFormats {
		if t, err := time.ParseInLocation(f, ts, time.UTC); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("store: an access event's time is not a time")
}

// fastSQLiteTime parses exactly "YYYY-MM-DD HH:MM:SS[.f{1,9}]+00:00".
func fastSQLiteTime(s string) (time.Time, bool) {
	if len(s) < 25 || !strings.HasSuffix(s, "+00:00") || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(b string) (int, bool) {
		n := 0
		for i := 0; i < len(b); i++ {
			if b[i] < '0' || b[i] > '9' {
				return 0, false
			}
			n = n*10 + int(b[i]-'0')
		}
		return n, true
	}
	year, ok1 := num(s[0:4])
	month, ok2 := num(s[5:7])
	day, ok3 := num(s[8:10])
	hour, ok4 := num(s[11:13])
	minute, ok5 := num(s[14:16])
	sec, ok6 := num(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return time.Time{}, false
	}
	nsec := 0
	frac := s[19 : len(s)-6]
	if frac != "" {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		n, ok := num(frac[1:])
		if !ok {
			return time.Time{}, false
		}
		for range 10 - len(frac) {
			n *= 10
		}
		nsec = n
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Year() != year || int(t.Month()) != month || t.Day() != day || t.Hour() != hour || t.Minute() != minute || t.Second() != sec {
		return time.Time{}, false // out of range: the driver's rules decide
	}
	return t, true
}
