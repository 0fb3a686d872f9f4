package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/cordon/cordon/internal/cordon"
)

// engine is what differs between PostgreSQL and SQLite where the store
// reads or writes the same data two ways. Open chooses one for the life of
// the DB. Differences that exist on one engine only (row-level security,
// LISTEN/NOTIFY, advisory locks, the side pool) stay where they are used,
// behind a test of DB.dialect.
type engine interface {
	// name is the engine's Dialect, which also names its migration tree.
	name() Dialect
	// goose is the dialect goose migrates with.
	goose() goose.Dialect
	// maxParams caps the bind parameters of one statement.
	maxParams() int
	// unixHour is SQL for the whole hours since 1970 of a time column.
	unixHour(col string) string
	// skipLocked makes a SELECT lock its rows and skip rows locked by
	// others, where the engine has row locks.
	skipLocked(q *gorm.DB) *gorm.DB

	// accessEvents runs "SELECT <every column> FROM access_events e"+tail,
	// in ctx's transaction if it has one, and hands fn every event in the
	// order of the result, each decoded by the engine's one decoder. Each
	// event is fn's to keep. tail uses ? placeholders and must bound the
	// result: SQLite reads it whole before fn sees the first event.
	accessEvents(ctx context.Context, db *DB, tail string, args []any, fn func(*cordon.AccessEvent) error) error
	// allAccessEvents hands fn every access event in id order, through
	// accessEvents: what cordon audit verify reads.
	allAccessEvents(ctx context.Context, db *DB, fn func(*cordon.AccessEvent) error) error
	// eachLeaf hands fn every leaf with index below size, in leaf order.
	eachLeaf(ctx context.Context, db *DB, size uint64, fn func(cordon.AuditLeaf) error) error
	// insertLeaves and insertNodes write a sealing batch's rows in tx.
	insertLeaves(ctx context.Context, tx *gorm.DB, leaves []cordon.AuditLeaf) error
	insertNodes(ctx context.Context, tx *gorm.DB, nodes []cordon.AuditNode) error
}

// postgresEngine reads hot rows through pgx in binary and writes batches
// as arrays.
type postgresEngine struct{}

// sqliteEngine reads hot rows as one text column and writes batches as
// multi-row inserts.
type sqliteEngine struct{}

var (
	_ engine = postgresEngine{}
	_ engine = sqliteEngine{}
)

func (postgresEngine) name() Dialect        { return Postgres }
func (sqliteEngine) name() Dialect          { return SQLite }
func (postgresEngine) goose() goose.Dialect { return goose.DialectPostgres }
func (sqliteEngine) goose() goose.Dialect   { return goose.DialectSQLite3 }
func (postgresEngine) maxParams() int       { return 30000 }

// maxParams is small on SQLite: its driver binds in time quadratic in the
// number of parameters.
func (sqliteEngine) maxParams() int { return 999 }

func (postgresEngine) unixHour(col string) string {
	return "floor(extract(epoch FROM " + col + ") / 3600)::bigint"
}

func (sqliteEngine) unixHour(col string) string {
	return "CAST(strftime('%s', " + col + ") AS INTEGER) / 3600"
}

func (postgresEngine) skipLocked(q *gorm.DB) *gorm.DB {
	return q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
}

// skipLocked is nothing on SQLite: its one writer holds the database.
func (sqliteEngine) skipLocked(q *gorm.DB) *gorm.DB { return q }

// accessEventColumns are the access_events columns, in the order the
// decoders read them.
var accessEventColumns = [16]string{"id", "at", "user_id", "org_id", "contract_no", "clause", "resource", "resource_id",
	"action", "decision", "purpose", "fields", "request_id", "client_ip", "file_sha256", "download_id"}

// eventColumns lists accessEventColumns as prefix.column, each wrapped.
func eventColumns(prefix, wrap string) string {
	cols := make([]string, len(accessEventColumns))
	for i, c := range accessEventColumns {
		cols[i] = strings.Replace(wrap, "%s", prefix+c, 1)
	}
	return strings.Join(cols, ", ")
}

// pgEventQuery selects the columns decodeAccessEventPG reads.
var pgEventQuery = "SELECT " + eventColumns("e.", "%s") + " FROM access_events e "

// accessEvents reads pgx's binary rows, decoded by hand with one string
// allocation per event: the speed cordon audit verify needs.
func (postgresEngine) accessEvents(ctx context.Context, db *DB, tail string, args []any, fn func(*cordon.AccessEvent) error) error {
	var slab []cordon.AccessEvent
	return pgxEach(ctx, db, pgEventQuery+rebind(tail), args, func(v [][]byte) error {
		if len(slab) == 0 {
			slab = make([]cordon.AccessEvent, scanBatch)
		}
		e := &slab[0]
		slab = slab[1:]
		if err := decodeAccessEventPG(v, e); err != nil {
			return err
		}
		return fn(e)
	})
}

// allAccessEvents streams one query: a bounded, parameterised query
// per chunk makes cordon audit verify markedly slower on PostgreSQL.
func (p postgresEngine) allAccessEvents(ctx context.Context, db *DB, fn func(*cordon.AccessEvent) error) error {
	return p.accessEvents(ctx, db, "ORDER BY e.id", nil, fn)
}

// rebind numbers the ? placeholders of q as PostgreSQL's $1, $2, ….
// The store's SQL has no ? inside literals.
func rebind(q string) string {
	n := strings.Count(q, "?")
	if n == 0 {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 3*n)
	i := 0
	for {
		j := strings.IndexByte(q, '?')
		if j < 0 {
			b.WriteString(q)
			return b.String()
		}
		i++
		b.WriteString(q[:j])
		b.WriteString("$" + strconv.Itoa(i))
		q = q[j+1:]
	}
}

// pgEpoch is where PostgreSQL's binary timestamps count from.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// decodeAccessEventPG is PostgreSQL's one access event decoder: a row of
// accessEventColumns in binary format: int8 big-endian, timestamptz as
// microseconds since 2000, text as its bytes. The row's text goes into
// one string.
func decodeAccessEventPG(v [][]byte, e *cordon.AccessEvent) error {
	if len(v) != 16 || len(v[0]) != 8 || len(v[1]) != 8 || len(v[2]) != 8 || len(v[3]) != 8 {
		return errors.New("store: an access event row is malformed")
	}
	us := int64(binary.BigEndian.Uint64(v[1]))
	if us == math.MaxInt64 || us == math.MinInt64 {
		return errors.New("store: an access event has an infinite time")
	}
	e.ID = int64(binary.BigEndian.Uint64(v[0]))
	e.At = pgEpoch.Add(time.Duration(us) * time.Microsecond)
	e.UserID = int64(binary.BigEndian.Uint64(v[2]))
	e.OrgID = int64(binary.BigEndian.Uint64(v[3]))
	n := 0
	for _, b := range v[4:] {
		n += len(b)
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, b := range v[4:] {
		sb.Write(b)
	}
	all := sb.String()
	next := func(i int) string {
		s := all[:len(v[i])]
		all = all[len(v[i]):]
		return s
	}
	e.ContractNo, e.Clause, e.Resource, e.ResourceID, e.Action = next(4), next(5), next(6), next(7), next(8)
	e.Decision, e.Purpose = cordon.Decision(next(9)), next(10)
	fields := next(11)
	e.RequestID, e.ClientIP, e.FileSHA256, e.DownloadID = next(12), next(13), next(14), next(15)
	e.Fields = nil
	if fields != "" {
		e.Fields = strings.Split(fields, ",")
	}
	return nil
}

// pgxEach runs a query through pgx with every result column in binary and
// hands fn each row's raw values, valid until fn returns. It runs on the
// connection of ctx's transaction if it has one (so that the scope's role
// and row-level security apply), and else on a connection of the pool.
func pgxEach(ctx context.Context, db *DB, q string, args []any, fn func([][]byte) error) error {
	c := txConn(ctx)
	if c == nil {
		var err error
		if c, err = db.sql.Conn(ctx); err != nil {
			return TranslateError(err, "Audit log")
		}
		defer c.Close()
	}
	return c.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("store: not a pgx connection")
		}
		rows, err := sc.Conn().Query(ctx, q, append([]any{pgx.QueryResultFormats{pgx.BinaryFormatCode}}, args...)...)
		if err != nil {
			return TranslateError(err, "Audit log")
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows.RawValues()); err != nil {
				return err
			}
		}
		return TranslateError(rows.Err(), "Audit log")
	})
}

// sqliteEventQuery reads access events on SQLite as one text column a row:
// every column as text, joined by NUL bytes. The pure-Go driver's cost is
// per column (a mutex, a type and a declared-type look-up, two copies, and
// time parsing by trial for each DATETIME), so one column instead of
// sixteen is what lets cordon audit verify read 200,000 events a second.
var sqliteEventQuery = "SELECT e.id, concat_ws(char(0), " + eventColumns("e.", "%s") + ") FROM access_events e "

// sqliteColumnsQuery reads the same text column by column, for the rows
// whose joined text does not split unambiguously (a value holds a NUL).
var sqliteColumnsQuery = "SELECT " + eventColumns("e.", "CAST(%s AS TEXT)") + " FROM access_events e WHERE e.id IN ?"

// accessEvents reads every row of the result as sqliteEventQuery's one
// column, then reads column by column the few rows that did not split,
// and only then hands the events over: the cursor is closed before the
// second query and before fn runs, so one connection is enough.
func (sqliteEngine) accessEvents(ctx context.Context, db *DB, tail string, args []any, fn func(*cordon.AccessEvent) error) error {
	rows, err := db.conn(ctx).Raw(sqliteEventQuery+tail, args...).Rows()
	if err != nil {
		return TranslateError(err, "Access event")
	}
	var slab []cordon.AccessEvent
	var out []*cordon.AccessEvent
	var again []int64
	var at map[int64]int
	var s string
	var parts [16]string
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &s); err != nil {
			rows.Close()
			return TranslateError(err, "Access event")
		}
		if len(slab) == 0 {
			slab = make([]cordon.AccessEvent, scanBatch)
		}
		e := &slab[0]
		slab = slab[1:]
		out = append(out, e)
		if !splitSQLiteEvent(s, &parts) {
			if at == nil {
				at = map[int64]int{}
			}
			again, at[id] = append(again, id), len(out)-1
			continue
		}
		if err := decodeSQLiteEvent(&parts, e); err != nil {
			rows.Close()
			return err
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return TranslateError(err, "Access event")
	}
	for len(again) > 0 {
		chunk := again[:min(len(again), 500)]
		again = again[len(chunk):]
		n, err := sqliteEventsByColumn(ctx, db, chunk, func(p *[16]string) error {
			id, _ := strconv.ParseInt(p[0], 10, 64)
			i, ok := at[id]
			if !ok {
				return errors.New("store: an access event row is malformed")
			}
			return decodeSQLiteEvent(p, out[i])
		})
		if err != nil {
			return err
		}
		if n != len(chunk) {
			return cordon.Err(cordon.ECONFLICT, "store.access_event_changed_while_was")
		}
	}
	for _, e := range out {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// allAccessEvents reads in chunks by id, each read whole before it is
// handed on: a cursor is never held while fn works, and rows that need a
// second look get it between chunks.
func (s sqliteEngine) allAccessEvents(ctx context.Context, db *DB, fn func(*cordon.AccessEvent) error) error {
	const chunk = 4 * scanBatch
	for after := int64(math.MinInt64); ; {
		n := 0
		err := s.accessEvents(ctx, db, "WHERE e.id > ? ORDER BY e.id LIMIT ?", []any{after, chunk}, func(e *cordon.AccessEvent) error {
			n, after = n+1, e.ID
			return fn(e)
		})
		if err != nil || n < chunk {
			return err
		}
	}
}

// sqliteEventsByColumn reads the events with the given ids as
// sqliteColumnsQuery does and hands fn each row's text; it returns the
// number of rows.
func sqliteEventsByColumn(ctx context.Context, db *DB, ids []int64, fn func(*[16]string) error) (int, error) {
	rows, err := db.conn(ctx).Raw(sqliteColumnsQuery, ids).Rows()
	if err != nil {
		return 0, TranslateError(err, "Access event")
	}
	defer rows.Close()
	var p [16]string
	dest := make([]any, len(p))
	for i := range p {
		dest[i] = &p[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return n, TranslateError(err, "Access event")
		}
		if err := fn(&p); err != nil {
			return n, err
		}
		n++
	}
	return n, TranslateError(rows.Err(), "Access event")
}

// splitSQLiteEvent splits a row of sqliteEventQuery into its sixteen
// values, or reports false when it does not hold exactly sixteen (a value
// holds a NUL byte).
func splitSQLiteEvent(s string, parts *[16]string) bool {
	for k := range 15 {
		i := strings.IndexByte(s, 0)
		if i < 0 {
			return false
		}
		parts[k], s = s[:i], s[i+1:]
	}
	if strings.IndexByte(s, 0) >= 0 {
		return false
	}
	parts[15] = s
	return true
}

// decodeSQLiteEvent is SQLite's one access event decoder: the sixteen
// values of accessEventColumns as SQLite's text, the integers in decimal
// and the time as the driver writes it (or any other form the driver
// reads, by its rules).
func decodeSQLiteEvent(p *[16]string, e *cordon.AccessEvent) error {
	var nums [3]int64
	for k, i := range [3]int{0, 2, 3} {
		n, err := strconv.ParseInt(p[i], 10, 64)
		if err != nil {
			return fmt.Errorf("store: access event %q: %s is not an integer", p[0], accessEventColumns[i])
		}
		nums[k] = n
	}
	at, err := parseSQLiteTime(p[1])
	if err != nil {
		return err
	}
	*e = cordon.AccessEvent{
		ID: nums[0], At: at, UserID: nums[1], OrgID: nums[2], ContractNo: p[4], Clause: p[5], Resource: p[6],
		ResourceID: p[7], Action: p[8], Decision: cordon.Decision(p[9]), Purpose: p[10],
		RequestID: p[12], ClientIP: p[13], FileSHA256: p[14], DownloadID: p[15],
	}
	if p[11] != "" {
		e.Fields = strings.Split(p[11], ",")
	}
	return nil
}

// eachLeaf reads pgx's binary rows.
func (postgresEngine) eachLeaf(ctx context.Context, db *DB, size uint64, fn func(cordon.AuditLeaf) error) error {
	return pgxEach(ctx, db, "SELECT seq, event_id, leaf_hash FROM audit_leaves WHERE seq < $1 ORDER BY seq", []any{int64(size)},
		func(v [][]byte) error {
			var lf cordon.AuditLeaf
			if len(v) != 3 || len(v[0]) != 8 || len(v[1]) != 8 || len(v[2]) != len(lf.Hash) {
				return errors.New("store: a leaf row is malformed")
			}
			lf.Index, lf.EventID = binary.BigEndian.Uint64(v[0]), int64(binary.BigEndian.Uint64(v[1]))
			copy(lf.Hash[:], v[2])
			return fn(lf)
		})
}

// eachLeaf reads one text column a row, as sqliteEventQuery, for speed:
// the integers and then the hash's bytes, which must be 32.
func (sqliteEngine) eachLeaf(ctx context.Context, db *DB, size uint64, fn func(cordon.AuditLeaf) error) error {
	rows, err := db.conn(ctx).Raw("SELECT seq || ',' || event_id || ',' || leaf_hash FROM audit_leaves WHERE seq < ? ORDER BY seq", int64(size)).Rows()
	if err != nil {
		return TranslateError(err, "Audit leaf")
	}
	defer rows.Close()
	var s string
	for rows.Next() {
		if err := rows.Scan(&s); err != nil {
			return TranslateError(err, "Audit leaf")
		}
		lf, err := decodeSQLiteLeaf(s)
		if err != nil {
			return err
		}
		if err := fn(lf); err != nil {
			return err
		}
	}
	return TranslateError(rows.Err(), "Audit leaf")
}

// insertLeaves inserts the leaves in one statement of three arrays: on
// PostgreSQL far cheaper to parse and plan than thousands of placeholders.
// It goes straight to the transaction, past GORM, which would expand the
// slices into lists.
func (postgresEngine) insertLeaves(ctx context.Context, tx *gorm.DB, leaves []cordon.AuditLeaf) error {
	if len(leaves) == 0 {
		return nil
	}
	seqs, ids, hashes := make([]int64, len(leaves)), make([]int64, len(leaves)), make([][]byte, len(leaves))
	for i := range leaves {
		seqs[i], ids[i], hashes[i] = int64(leaves[i].Index), leaves[i].EventID, leaves[i].Hash[:]
	}
	_, err := tx.Statement.ConnPool.ExecContext(ctx, "INSERT INTO audit_leaves (seq, event_id, leaf_hash) "+
		"SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[])", seqs, ids, hashes)
	return err
}

// insertNodes is insertLeaves for the subtree hashes.
func (postgresEngine) insertNodes(ctx context.Context, tx *gorm.DB, nodes []cordon.AuditNode) error {
	if len(nodes) == 0 {
		return nil
	}
	levels, idxs, hashes := make([]int16, len(nodes)), make([]int64, len(nodes)), make([][]byte, len(nodes))
	for i := range nodes {
		levels[i], idxs[i], hashes[i] = int16(nodes[i].Level), int64(nodes[i].Index), nodes[i].Hash[:]
	}
	_, err := tx.Statement.ConnPool.ExecContext(ctx, "INSERT INTO audit_nodes (level, idx, hash) "+
		"SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])", levels, idxs, hashes)
	return err
}

func (s sqliteEngine) insertLeaves(_ context.Context, tx *gorm.DB, leaves []cordon.AuditLeaf) error {
	return insertRows(tx, s.maxParams(), "audit_leaves", "seq, event_id, leaf_hash", len(leaves), func(i int) []any {
		lf := &leaves[i]
		return []any{int64(lf.Index), lf.EventID, lf.Hash[:]}
	})
}

func (s sqliteEngine) insertNodes(_ context.Context, tx *gorm.DB, nodes []cordon.AuditNode) error {
	return insertRows(tx, s.maxParams(), "audit_nodes", "level, idx, hash", len(nodes), func(i int) []any {
		n := &nodes[i]
		return []any{int(n.Level), int64(n.Index), n.Hash[:]}
	})
}

// txConnKey holds the connection under the transaction of WithTx or
// InScope, for the readers that go past database/sql (pgxEach).
type txConnKey struct{}

// txConn returns the connection of ctx's transaction, or nil outside one
// (or in a detached context).
func txConn(ctx context.Context) *sql.Conn {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); !ok {
		return nil
	}
	c, _ := ctx.Value(txConnKey{}).(*sql.Conn)
	return c
}
