package store_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/audit"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

var _ audit.Store = (*store.AuditLog)(nil)

// auditClock only moves when told.
type auditClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *auditClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *auditClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// auditDB is a migrated database and how to reach under it.
type auditDB struct {
	db    *store.DB
	url   string // PostgreSQL; "" for SQLite
	dir   string // SQLite's data directory
	clock *auditClock
}

func openAuditDB(t testing.TB, url string) auditDB {
	t.Helper()
	a := auditDB{url: url, dir: t.TempDir(), clock: &auditClock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}}
	db, err := store.Open(context.Background(), store.Config{URL: url, DataDir: a.dir, MaxOpenConns: 8, Now: a.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.db = db
	return a
}

// second opens another pool on the same database, as another replica.
func (a auditDB) second(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{URL: a.url, DataDir: a.dir, MaxOpenConns: 8, Now: a.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func eachAuditDB(t *testing.T, fn func(t *testing.T, a auditDB)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, openAuditDB(t, "")) })
	t.Run("postgres", func(t *testing.T) { fn(t, openAuditDB(t, storetest.PostgresURL(t))) })
}

func (a auditDB) exec(t testing.TB, q string) {
	t.Helper()
	storetest.Exec(t, a.url, a.dir, q)
}

var auditKey = ed25519.NewKeyFromSeed([]byte("cordon audit test key, 32 bytes!"))

func (a auditDB) sealer(t testing.TB, db *store.DB) *audit.Sealer {
	t.Helper()
	s, err := audit.NewSealer(audit.SealerConfig{
		Store: store.NewAuditLog(db), Key: auditKey, Now: a.clock.Now, GapTimeout: 30 * time.Second,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func sealOnce(t testing.TB, s *audit.Sealer) audit.SealResult {
	t.Helper()
	res, err := s.SealOnce(context.Background())
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	return res
}

// record writes n access events as a request would, with awkward content.
func (a auditDB) record(t testing.TB, n int) []int64 {
	t.Helper()
	log := store.NewAccessLog(a.db)
	var ids []int64
	for i := range n {
		e := &cordon.AccessEvent{
			At:     a.clock.Now().Add(time.Duration(i)*time.Millisecond + 123456789), // sub-microsecond on purpose
			UserID: int64(10 + i%3), OrgID: 2, ContractNo: "HF-2026-001", Clause: "§4.2 \"disclosure\"",
			Resource: cordon.ResCustomer, ResourceID: fmt.Sprint(100 + i), Action: cordon.ActDisclose,
			Decision: cordon.Allow, Purpose: fmt.Sprintf("job:%d", i), Fields: []string{"name", "phone"},
			RequestID: fmt.Sprintf("req-%d\t✓", i), ClientIP: "192.0.2.7", FileSHA256: strings.Repeat("ab", 32),
		}
		if i%4 == 3 {
			e.Decision, e.ContractNo, e.Clause, e.Fields = cordon.Deny, "", "", nil
		}
		if err := log.RecordAccess(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	return ids
}

func (a auditDB) verify(t testing.TB) *audit.Report {
	t.Helper()
	vkey, err := audit.VerifierKey(audit.DefaultOrigin, auditKey)
	if err != nil {
		t.Fatal(err)
	}
	r, err := audit.Verify(context.Background(), store.NewAuditLog(a.db), audit.VerifyOptions{Key: vkey})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return r
}

// leafIDs returns the sealed event ids, in leaf order.
func leafIDs(t testing.TB, db *store.DB) []int64 {
	t.Helper()
	var ids []int64
	err := store.NewAuditLog(db).EachLeaf(context.Background(), 1<<62, func(b []cordon.AuditLeaf) error {
		for _, l := range b {
			if l.Index != uint64(len(ids)) {
				return fmt.Errorf("leaf %d at position %d", l.Index, len(ids))
			}
			ids = append(ids, l.EventID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestAuditSealAndRecompute: the sealed roots are the roots recomputed from
// the event rows, in id order, and every proof the service gives verifies.
func TestAuditSealAndRecompute(t *testing.T) {
	eachAuditDB(t, func(t *testing.T, a auditDB) {
		ctx := context.Background()
		s := a.sealer(t, a.db)
		ids := a.record(t, 25)
		if res := sealOnce(t, s); !res.Leading || res.Sealed != 25 {
			t.Fatalf("first batch: %+v", res)
		}
		a.clock.Add(time.Second)
		ids = append(ids, a.record(t, 8)...)
		sealOnce(t, s)
		if got := leafIDs(t, a.db); !slices.Equal(got, ids) {
			t.Fatalf("leaves %v, want %v", got, ids)
		}
		// Recompute from the rows as any reader sees them.
		events, _, err := store.NewAccessLog(a.db).FindAccessEvents(ctx, cordon.AccessEventFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var hashes []audit.Hash
		for _, e := range events {
			hashes = append(hashes, audit.LeafHash(audit.EncodeLeaf(e)))
		}
		st := store.NewAuditLog(a.db)
		cps, total, err := st.FindCheckpoints(ctx, 0, 10)
		if err != nil || total != 2 || len(cps) != 2 || cps[0].Size != 33 || cps[1].Size != 25 {
			t.Fatalf("checkpoints: %d %v", total, err)
		}
		for _, cp := range cps {
			c, err := audit.OpenCheckpoint(cp.Note, s.VerifierKey())
			if err != nil {
				t.Fatal(err)
			}
			if want := audit.Root(hashes[:cp.Size]); c.Root != want || audit.Hash(cp.Root) != want || c.Size != cp.Size {
				t.Errorf("checkpoint %d: root %s, recomputed %s", cp.Size, c.Root, want)
			}
		}
		if r := a.verify(t); !r.OK() || r.Leaves != 33 || r.Checkpoints != 2 {
			t.Errorf("verify: %+v", r)
		}
		// Proofs, from the stored subtree hashes.
		svc, err := audit.NewService(audit.ServiceConfig{Store: st, Access: store.NewAccessLog(a.db), Key: auditKey})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			p, err := svc.ProveInclusion(ctx, id)
			if err != nil {
				t.Fatalf("prove %d: %v", id, err)
			}
			path := make([]audit.Hash, len(p.Path))
			for i, h := range p.Path {
				path[i] = h
			}
			if err := audit.VerifyInclusion(p.LeafIndex, 33, p.LeafHash, path, audit.Root(hashes)); err != nil {
				t.Errorf("event %d: %v", id, err)
			}
		}
		p, err := svc.ProveConsistency(ctx, 25, 0)
		if err != nil || p.FromCheckpoint == nil || p.ToCheckpoint == nil {
			t.Fatalf("consistency: %v %+v", err, p)
		}
		path := make([]audit.Hash, len(p.Path))
		for i, h := range p.Path {
			path[i] = h
		}
		if err := audit.VerifyConsistency(25, 33, audit.Root(hashes[:25]), audit.Root(hashes), path); err != nil {
			t.Error(err)
		}
	})
}

// TestAuditTablesAreAppendOnly: the log's tables refuse change.
func TestAuditTablesAreAppendOnly(t *testing.T) {
	eachAuditDB(t, func(t *testing.T, a auditDB) {
		s := a.sealer(t, a.db)
		a.record(t, 3)
		sealOnce(t, s)
		for _, q := range []string{
			"UPDATE audit_leaves SET event_id = 99 WHERE seq = 0",
			"DELETE FROM audit_leaves",
			"UPDATE audit_checkpoints SET note = ''",
			"DELETE FROM audit_checkpoints",
			"DELETE FROM audit_nodes",
		} {
			if err := store.ExecForTest(context.Background(), a.db, q); err == nil {
				t.Errorf("%s: succeeded", q)
			}
		}
	})
}

// TestAuditSaveSealConflict: a batch over a state that moved writes
// nothing.
func TestAuditSaveSealConflict(t *testing.T) {
	eachAuditDB(t, func(t *testing.T, a auditDB) {
		ctx := context.Background()
		st := store.NewAuditLog(a.db)
		first := &cordon.AuditSeal{
			Prev:   cordon.AuditState{NextEventID: 1, Tree: make([]byte, 8)},
			Next:   cordon.AuditState{NextEventID: 3, Tree: make([]byte, 8)},
			Gaps:   []cordon.AuditGap{{FirstID: 1, LastID: 2, At: a.clock.Now()}},
			Leaves: nil,
		}
		if err := st.SaveSeal(ctx, first); err != nil {
			t.Fatal(err)
		}
		if err := st.SaveSeal(ctx, first); cordon.ErrorCode(err) != cordon.ECONFLICT {
			t.Errorf("the same batch again: %v, want ECONFLICT", err)
		}
		got, err := st.AuditState(ctx)
		if err != nil || got.NextEventID != 3 {
			t.Errorf("state %+v %v", got, err)
		}
		gaps, _ := st.FindGaps(ctx)
		if len(gaps) != 1 {
			t.Errorf("gaps %v", gaps)
		}
	})
}

// pgConn opens a connection of its own on the test schema, for a
// transaction held open across sealing.
func pgConn(t *testing.T, url string) *sql.Conn {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

const insertEvent = `INSERT INTO access_events (at, user_id, org_id, resource, resource_id, action, decision)
	VALUES ('2026-11-02T09:00:00Z', 1, 1, 'job', 'late', 'view', 'allow') RETURNING id`

// TestAuditLateCommit: an event whose transaction commits after later
// events were committed and sealed lands in the next batch; nothing is
// skipped and no gap recorded.
func TestAuditLateCommit(t *testing.T) {
	a := openAuditDB(t, storetest.PostgresURL(t))
	ctx := context.Background()
	s := a.sealer(t, a.db)
	before := a.record(t, 3)
	conn := pgConn(t, a.url)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var late int64
	if err := tx.QueryRowContext(ctx, insertEvent).Scan(&late); err != nil {
		t.Fatal(err)
	}
	after := a.record(t, 4) // committed while the late one is in flight
	if res := sealOnce(t, s); res.Sealed != 3 {
		t.Fatalf("with event %d in flight: %+v, want the 3 before it sealed", late, res)
	}
	a.clock.Add(10 * time.Second) // well inside the gap timeout
	sealOnce(t, s)
	if got := leafIDs(t, a.db); !slices.Equal(got, before) {
		t.Fatalf("sealed %v past the event in flight", got)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if res := sealOnce(t, s); res.Sealed != 5 || res.Gaps != 0 {
		t.Fatalf("after the late commit: %+v, want it and the 4 after it", res)
	}
	want := append(append(slices.Clone(before), late), after...)
	if got := leafIDs(t, a.db); !slices.Equal(got, want) {
		t.Errorf("leaves %v, want %v", got, want)
	}
	if r := a.verify(t); !r.OK() || r.Gaps != 0 || r.Leaves != 8 {
		t.Errorf("verify: %+v", r)
	}
}

// TestAuditRolledBackInsert: an id whose insert rolled back is recorded as
// a gap once the timeout passes, and a row slipped into it later is
// reported.
func TestAuditRolledBackInsert(t *testing.T) {
	a := openAuditDB(t, storetest.PostgresURL(t))
	ctx := context.Background()
	s := a.sealer(t, a.db)
	a.record(t, 2)
	conn := pgConn(t, a.url)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var lost int64
	if err := tx.QueryRowContext(ctx, insertEvent).Scan(&lost); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	a.record(t, 2)
	if res := sealOnce(t, s); res.Sealed != 2 || res.Gaps != 0 {
		t.Fatalf("at once: %+v", res)
	}
	a.clock.Add(29 * time.Second)
	if res := sealOnce(t, s); res.Sealed != 0 {
		t.Fatalf("before the timeout: %+v", res)
	}
	a.clock.Add(time.Second)
	if res := sealOnce(t, s); res.Sealed != 2 || res.Gaps != 1 {
		t.Fatalf("at the timeout: %+v", res)
	}
	gaps, err := store.NewAuditLog(a.db).FindGaps(ctx)
	if err != nil || len(gaps) != 1 || gaps[0].FirstID != lost || gaps[0].LastID != lost {
		t.Fatalf("gaps %v %v, want [%d]", gaps, err, lost)
	}
	if r := a.verify(t); !r.OK() || r.Gaps != 1 {
		t.Fatalf("verify: %+v", r.Findings)
	}
	a.exec(t, fmt.Sprintf(`INSERT INTO access_events (id, at, user_id, org_id, resource, action, decision)
		VALUES (%d, '2026-11-02T09:00:00Z', 1, 1, 'job', 'view', 'allow')`, lost))
	r := a.verify(t)
	if r.OK() || r.Findings[0].Kind != audit.Inserted || r.Findings[0].EventID != lost {
		t.Errorf("a row in the gap: %v", r.Findings)
	}
}

// TestAuditOneSealer: on PostgreSQL two replicas' sealers never seal at
// once; the second takes over when the first lets go; and every schema
// has a sealer of its own.
func TestAuditOneSealer(t *testing.T) {
	a := openAuditDB(t, storetest.PostgresURL(t))
	s1, s2 := a.sealer(t, a.db), a.sealer(t, a.second(t))
	a.record(t, 5)
	if res := sealOnce(t, s1); !res.Leading || res.Sealed != 5 {
		t.Fatalf("first: %+v", res)
	}
	a.record(t, 2)
	if res := sealOnce(t, s2); res.Leading || res.Sealed != 0 {
		t.Fatalf("second while the first leads: %+v", res)
	}
	other := openAuditDB(t, storetest.PostgresURL(t))
	other.record(t, 1)
	if res := sealOnce(t, other.sealer(t, other.db)); !res.Leading {
		t.Fatalf("a sealer in another schema is shut out: %+v", res)
	}
	s1.Close()
	if res := sealOnce(t, s2); !res.Leading || res.Sealed != 2 {
		t.Fatalf("second after the first let go: %+v", res)
	}
	if res := sealOnce(t, s1); res.Leading {
		t.Fatal("the first took the lease back")
	}

	// Both racing, with events coming in: one leader at a time, and the
	// log complete.
	s2.Close()
	var wg sync.WaitGroup
	var mu sync.Mutex
	leaders := map[*audit.Sealer]int{}
	attempts := map[*audit.Sealer]int{}
	stop := make(chan struct{})
	for _, s := range []*audit.Sealer{s1, s2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := s.SealOnce(context.Background())
				if err != nil {
					t.Errorf("seal: %v", err)
					return
				}
				mu.Lock()
				attempts[s]++
				if res.Leading {
					leaders[s]++
				}
				mu.Unlock()
			}
		}()
	}
	ids := a.record(t, 40)
	// Let each make 20 more attempts once the last event is in.
	mu.Lock()
	want1, want2 := attempts[s1]+20, attempts[s2]+20
	mu.Unlock()
	for done := false; !done; {
		time.Sleep(time.Millisecond)
		mu.Lock()
		done = attempts[s1] >= want1 && attempts[s2] >= want2
		mu.Unlock()
	}
	close(stop)
	wg.Wait()
	if len(leaders) != 1 {
		t.Errorf("leaders %v, want exactly one", leaders)
	}
	for _, s := range []*audit.Sealer{s1, s2} {
		sealOnce(t, s)
	}
	if got := leafIDs(t, a.db); len(got) != 47 || got[46] != ids[39] {
		t.Errorf("sealed %d events, want 47", len(got))
	}
	if r := a.verify(t); !r.OK() {
		t.Errorf("verify: %v", r.Findings)
	}
}

// bulkEvents inserts n events straight in SQL.
func (a auditDB) bulkEvents(t testing.TB, n int) {
	t.Helper()
	cols := "at, user_id, org_id, contract_no, clause, resource, resource_id, action, decision, purpose, fields, request_id, client_ip"
	if a.url != "" {
		a.exec(t, fmt.Sprintf(`INSERT INTO access_events (%s)
			SELECT timestamptz '2026-11-02 09:00:00+00' + i * interval '1 millisecond', 10 + i %% 7, 2, 'HF-2026-001', '§4.2',
			       'customer', i::text, 'disclose', 'allow', 'job:' || i, 'name,phone', 'req-' || i, '192.0.2.7'
			FROM generate_series(1, %d) AS i`, cols, n))
		return
	}
	a.exec(t, fmt.Sprintf(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %d)
		INSERT INTO access_events (%s)
		SELECT strftime('%%Y-%%m-%%d %%H:%%M:%%f', '2026-11-02 09:00:00', '+' || (i / 1000.0) || ' seconds') || '+00:00', 10 + i %% 7, 2,
		       'HF-2026-001', '§4.2', 'customer', i, 'disclose', 'allow', 'job:' || i, 'name,phone', 'req-' || i, '192.0.2.7'
		FROM s`, n, cols))
}

// BenchmarkVerifyDatabase verifies a sealed log of 200,000 events in the
// database, as cordon audit verify does, and reports events per second.
func BenchmarkVerifyDatabase(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			url := ""
			if dialect == "postgres" {
				url = storetest.PostgresURL(b)
			}
			a := openAuditDB(b, url)
			const n = 200000
			a.bulkEvents(b, n)
			s, err := audit.NewSealer(audit.SealerConfig{Store: store.NewAuditLog(a.db), Key: auditKey, Now: a.clock.Now,
				MaxBatch: 2000, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				b.Fatal(err)
			}
			for {
				res := sealOnce(b, s)
				if !res.More {
					break
				}
			}
			s.Close()
			b.ResetTimer()
			cpu0 := cpuTime()
			for range b.N {
				if r := a.verify(b); !r.OK() || r.Leaves != n {
					b.Fatalf("verify: %d leaves, %v", r.Leaves, r.Findings)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
			reportCPU(b, cpu0, n*b.N)
		})
	}
}

// BenchmarkSealerKeepsUp writes 3,200 access events a second (3,000 with a
// margin) to PostgreSQL for 10 seconds, with the sealer running as in production (Run, at its
// default interval), and reports the rate written, the rate sealed, and
// the lag from each event's time, taken just before its insert, to the
// moment the first checkpoint holding it was seen committed: an upper
// bound on the lag from commit. Two kinds of writer:
//
//   - record-access: 48 goroutines calling AccessLog.RecordAccess on a
//     side pool of 16 connections, one INSERT and commit an event, as
//     requests write them;
//   - batched: 16 connections inserting 8 events a statement, which leaves
//     the machine's CPU to the sealer.
//
// The writers share one schedule: each takes the next slot due, so a
// writer that stalls does not hold its slots back.
func BenchmarkSealerKeepsUp(b *testing.B) {
	for _, mode := range []struct {
		name             string
		writers, perStmt int
	}{{"record-access", 48, 1}, {"batched", 16, 8}} {
		b.Run(mode.name, func(b *testing.B) {
			for range b.N {
				sealerKeepsUp(b, mode.writers, mode.perStmt)
			}
		})
	}
}

func sealerKeepsUp(b *testing.B, writers, perStmt int) {
	const rate, seconds = 3200, 10
	url := storetest.PostgresURL(b)
	a := openAuditDB(b, url)
	s, err := audit.NewSealer(audit.SealerConfig{Store: store.NewAuditLog(a.db), Key: auditKey,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)

	// Watch the latest checkpoint: when each size was first seen.
	type seen struct {
		size uint64
		at   time.Time
	}
	var sizes []seen
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		st := store.NewAuditLog(a.db)
		for ctx.Err() == nil {
			if cp, err := st.LatestCheckpoint(ctx); err == nil && (len(sizes) == 0 || cp.Size > sizes[len(sizes)-1].size) {
				sizes = append(sizes, seen{cp.Size, time.Now()})
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()

	// The writers' own pools. RecordAccess writes on the store's side
	// pool, a quarter of MaxOpenConns: 16 connections for the writers
	// (PostgreSQL here allows 100 in all, shared with other tests).
	wdb, err := store.Open(context.Background(), store.Config{URL: url, DataDir: a.dir, MaxOpenConns: 64, Now: time.Now})
	if err != nil {
		b.Fatal(err)
	}
	defer wdb.Close()
	access := store.NewAccessLog(wdb)
	pool, err := sql.Open("pgx", url)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	pool.SetMaxOpenConns(min(writers, 16))
	var q strings.Builder
	q.WriteString("INSERT INTO access_events (at, user_id, org_id, resource, resource_id, action, decision, purpose, request_id) VALUES ")
	for i := range perStmt {
		if i > 0 {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "($%d, $%d, 2, 'job', $%d, 'view', 'allow', 'job:1', $%d)", 4*i+1, 4*i+2, 4*i+3, 4*i+4)
	}
	insert := q.String()

	var slot atomic.Int64
	var total atomic.Int64
	start := time.Now()
	end := start.Add(seconds * time.Second)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			args := make([]any, 0, 4*perStmt)
			for {
				k := slot.Add(1) - 1
				due := start.Add(time.Duration(k*int64(perStmt)) * time.Second / rate)
				if !due.Before(end) {
					return
				}
				time.Sleep(time.Until(due))
				now := time.Now().UTC()
				if perStmt == 1 {
					e := &cordon.AccessEvent{At: now, UserID: int64(w), OrgID: 2, ContractNo: "HF-2026-001", Clause: "§4.2",
						Resource: cordon.ResJob, ResourceID: fmt.Sprint(k), Action: cordon.ActView, Decision: cordon.Allow,
						Purpose: "job:1", RequestID: fmt.Sprintf("w%d-%d", w, k), ClientIP: "192.0.2.7"}
					if err := access.RecordAccess(ctx, e); err != nil {
						b.Error(err)
						return
					}
				} else {
					args = args[:0]
					for i := range perStmt {
						args = append(args, now, w, fmt.Sprint(k), fmt.Sprintf("w%d-%d-%d", w, k, i))
					}
					if _, err := pool.Exec(insert, args...); err != nil {
						b.Error(err)
						return
					}
				}
				total.Add(int64(perStmt))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	written := int(total.Load())
	// Let the sealer catch up with the last event.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if state, _, err := store.NewAuditLog(a.db).SealedSize(context.Background()); err == nil && state >= uint64(written) {
			break
		}
	}
	time.Sleep(50 * time.Millisecond)
	cancel()
	<-watchDone

	// Each leaf's event time, then the first checkpoint that holds it.
	var lags []time.Duration
	rows, err := pool.Query("SELECT l.seq, e.at FROM audit_leaves l JOIN access_events e ON e.id = l.event_id ORDER BY l.seq")
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var seq uint64
		var at time.Time
		if err := rows.Scan(&seq, &at); err != nil {
			b.Fatal(err)
		}
		k := sort.Search(len(sizes), func(k int) bool { return sizes[k].size > seq })
		if k == len(sizes) {
			b.Fatalf("leaf %d is in no checkpoint seen", seq)
		}
		lags = append(lags, max(0, sizes[k].at.Sub(at)))
	}
	rows.Close()
	if len(lags) != written {
		b.Fatalf("%d events written, %d sealed", written, len(lags))
	}
	slices.Sort(lags)
	p := func(q float64) time.Duration { return lags[int(q*float64(len(lags)-1))] }
	// Sealed per second: the events over the time from the first write to
	// the checkpoint that held the last.
	sealedIn := sizes[len(sizes)-1].at.Sub(start)
	b.ReportMetric(float64(written)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(written)/sealedIn.Seconds(), "sealed/s")
	b.ReportMetric(p(0.5).Seconds(), "lag-p50-s")
	b.ReportMetric(p(0.99).Seconds(), "lag-p99-s")
	b.ReportMetric(lags[len(lags)-1].Seconds(), "lag-max-s")
	b.Logf("%d events in %s (%.0f/s), sealed by %s (%.0f/s), %d checkpoints; lag p50 %s, p99 %s, max %s",
		written, elapsed.Round(time.Millisecond), float64(written)/elapsed.Seconds(), sealedIn.Round(time.Millisecond),
		float64(written)/sealedIn.Seconds(), len(sizes), p(0.5), p(0.99), lags[len(lags)-1])
	if lags[len(lags)-1] > 2*time.Second {
		b.Errorf("max lag %s, want at most 2 s", lags[len(lags)-1])
	}
}

// BenchmarkSealBatch measures the sealer alone: batches of 3,000 events
// (one second's worth at 3,000 events/s) read, hashed, stored with their
// subtree hashes and checkpointed, on each engine.
func BenchmarkSealBatch(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			url := ""
			if dialect == "postgres" {
				url = storetest.PostgresURL(b)
			}
			a := openAuditDB(b, url)
			s, err := audit.NewSealer(audit.SealerConfig{Store: store.NewAuditLog(a.db), Key: auditKey, Now: a.clock.Now,
				MaxBatch: 3000, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			sealOnce(b, s) // take the lease, check the (empty) log
			a.bulkEvents(b, 3000*b.N)
			b.ResetTimer()
			for range b.N {
				if res := sealOnce(b, s); res.Sealed != 3000 {
					b.Fatalf("sealed %+v, want 3000", res)
				}
			}
			b.ReportMetric(float64(3000*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// TestAuditSQLiteOddRows: rows the one-column reader cannot take apart (a
// NUL in a value, a time in another form) are read column by column, and
// seal and verify like any other.
func TestAuditSQLiteOddRows(t *testing.T) {
	a := openAuditDB(t, "")
	a.record(t, 3)
	a.exec(t, `INSERT INTO access_events (at, user_id, org_id, clause, resource, action, decision)
		VALUES ('2026-11-02T09:00:01Z', 1, 1, 'a' || char(0) || 'b', 'job', 'view', 'allow'),
		       ('2026-11-02 09:00:02', 1, 1, '', 'job', 'view', 'deny')`)
	a.record(t, 2)
	ctx := context.Background()
	got, err := store.NewAuditLog(a.db).AccessEventsFrom(ctx, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := store.NewAccessLog(a.db).FindAccessEvents(ctx, cordon.AccessEventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" || len(got) != 7 || got[3].Clause != "a\x00b" {
		t.Fatalf("read (-column by column +one column):\n%s", diff)
	}
	if res := sealOnce(t, a.sealer(t, a.db)); res.Sealed != 7 {
		t.Fatalf("sealed %+v", res)
	}
	if r := a.verify(t); !r.OK() || r.Leaves != 7 {
		t.Errorf("verify: %+v", r)
	}
}
