package store_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// randomRunes are what randomText draws from: ASCII, the separators the
// readers split on (comma for fields), quotes, accents, combining marks,
// CJK, right-to-left text, emoji (four UTF-8 bytes) and a zero-width joiner.
var randomRunes = []rune("aZ09 ,;:'\"\\%_-\t\néüßØ\u0301中文字段客户合同§€\u05d0\u0627😀👩\u200d💻\U0001F1E8\U0001F1F3")

// randomText is empty one time in four, else up to 40 random runes.
func randomText(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return ""
	}
	var b strings.Builder
	for range 1 + r.IntN(40) {
		b.WriteRune(randomRunes[r.IntN(len(randomRunes))])
	}
	return b.String()
}

// randomInt64 favours the edges: 0, ±1, the extremes and large values.
func randomInt64(r *rand.Rand) int64 {
	switch r.IntN(6) {
	case 0:
		return []int64{0, 1, -1, 1<<63 - 1, -1 << 63}[r.IntN(5)]
	case 1:
		return r.Int64()
	case 2:
		return -r.Int64()
	default:
		return r.Int64N(1 << 20)
	}
}

// randomEvent is an access event as a caller might record it. Its time
// has microsecond precision, which both engines keep (see
// TestAccessEventTimePrecision for finer times).
func randomEvent(r *rand.Rand) *cordon.AccessEvent {
	e := &cordon.AccessEvent{
		At:     time.Date(1971+r.IntN(200), time.January, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int64N(365*24*3600*1e6)) * time.Microsecond),
		UserID: randomInt64(r), OrgID: randomInt64(r),
		ContractNo: randomText(r), Clause: randomText(r), Resource: randomText(r), ResourceID: randomText(r),
		Action: randomText(r), Decision: []cordon.Decision{cordon.Allow, cordon.Deny}[r.IntN(2)], Purpose: randomText(r),
		RequestID: randomText(r), ClientIP: randomText(r), FileSHA256: randomText(r), DownloadID: randomText(r),
	}
	if r.IntN(3) == 0 { // a zone other than UTC: the store keeps the instant
		e.At = e.At.In(time.FixedZone("CST", 8*3600))
	}
	for range r.IntN(5) {
		// Fields hold no comma (RecordAccess refuses one); an empty one
		// is allowed.
		e.Fields = append(e.Fields, strings.ReplaceAll(randomText(r), ",", ""))
	}
	return e
}

// wantEvent is e as a reader returns it: the time in UTC, and fields as
// they come back from their joined form.
func wantEvent(e *cordon.AccessEvent) *cordon.AccessEvent {
	w := *e
	w.At = e.At.UTC()
	w.Fields = nil
	if j := strings.Join(e.Fields, ","); j != "" {
		w.Fields = strings.Split(j, ",")
	}
	return &w
}

// TestAccessEventReadersAgree writes random access events through the
// store and reads them back through every reader of each engine: all of
// them, on both engines, decode every row to the event written.
func TestAccessEventReadersAgree(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	const n = 300
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(seed, 14)) // the same events on both engines
		// Large ids: start the identity near the top of int64.
		const firstID = 1<<62 + 12345
		if db.Dialect() == store.Postgres {
			mustExec(t, db, "SELECT setval(pg_get_serial_sequence('access_events', 'id'), ?, false)", int64(firstID))
		} else {
			mustExec(t, db, "INSERT INTO sqlite_sequence (name, seq) VALUES ('access_events', ?)", int64(firstID-1))
		}
		log := store.NewAccessLog(db)
		var want []*cordon.AccessEvent
		for range n {
			e := randomEvent(r)
			if err := log.RecordAccess(ctx, e); err != nil {
				t.Fatalf("record %+v: %v", e, err)
			}
			want = append(want, wantEvent(e))
		}
		if want[0].ID != firstID {
			t.Fatalf("first id %d, want %d", want[0].ID, int64(firstID))
		}
		ids := make([]int64, n)
		for i, e := range want {
			ids[i] = e.ID
		}
		audit := store.NewAuditLog(db)
		readers := map[string]func() ([]*cordon.AccessEvent, error){
			"AccessEventsFrom": func() ([]*cordon.AccessEvent, error) { return audit.AccessEventsFrom(ctx, 0, n+1) },
			"AccessEventsByID": func() ([]*cordon.AccessEvent, error) { return audit.AccessEventsByID(ctx, ids) },
			"EachAccessEvent": func() ([]*cordon.AccessEvent, error) {
				var out []*cordon.AccessEvent
				err := audit.EachAccessEvent(ctx, func(b []*cordon.AccessEvent) error {
					out = append(out, b...)
					return nil
				})
				return out, err
			},
			"FindAccessEvents": func() ([]*cordon.AccessEvent, error) {
				out, total, err := log.FindAccessEvents(ctx, cordon.AccessEventFilter{})
				if err == nil && total != n {
					t.Errorf("FindAccessEvents: total %d, want %d", total, n)
				}
				return out, err
			},
			"FindAccessEvents in a transaction": func() ([]*cordon.AccessEvent, error) {
				var out []*cordon.AccessEvent
				err := db.WithTx(ctx, func(ctx context.Context) error {
					var err error
					out, _, err = log.FindAccessEvents(ctx, cordon.AccessEventFilter{})
					return err
				})
				return out, err
			},
		}
		for name, read := range readers {
			got, err := read()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: (-want +got)\n%s", name, diff)
			}
		}
	})
}

// TestAccessEventTimePrecision: PostgreSQL keeps an access event's time to
// the microsecond (pgx truncates), SQLite to the nanosecond, and each reader
// agrees with its engine's other readers.
func TestAccessEventTimePrecision(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 123456789, time.UTC)
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := &cordon.AccessEvent{At: at, Resource: "customer", Action: "disclose", Decision: cordon.Allow}
		if err := store.NewAccessLog(db).RecordAccess(ctx, e); err != nil {
			t.Fatal(err)
		}
		want := at
		if db.Dialect() == store.Postgres {
			want = at.Truncate(time.Microsecond)
		}
		got, err := store.NewAuditLog(db).AccessEventsFrom(ctx, 0, 10)
		if err != nil || len(got) != 1 {
			t.Fatalf("%v %v", got, err)
		}
		if !got[0].At.Equal(want) {
			t.Errorf("at %v, want %v", got[0].At, want)
		}
	})
}

// TestSQLiteEventWithNUL: on SQLite (PostgreSQL refuses NUL in text) a
// value holding a NUL byte cannot be split from the joined row, and is
// read again column by column into the same decoder.
func TestSQLiteEventWithNUL(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t, storetest.Options{})
	log := store.NewAccessLog(db)
	var want []*cordon.AccessEvent
	for i, clause := range []string{"plain", "a\x00b", "\x00", "end"} {
		e := &cordon.AccessEvent{At: time.Date(2026, 11, 2, 9, 0, i, 5000, time.UTC), UserID: int64(i), Clause: clause,
			Resource: "customer", Action: "disclose", Decision: cordon.Deny, Fields: []string{"name", "x\x00y"}}
		if err := log.RecordAccess(ctx, e); err != nil {
			t.Fatal(err)
		}
		want = append(want, wantEvent(e))
	}
	got, err := store.NewAuditLog(db).AccessEventsFrom(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func mustExec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if err := store.ExecForTest(context.Background(), db, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestPostgresReaderInScope: inside a scoped transaction the binary reader
// runs on the transaction's own connection, as the scope's role, so
// row-level security applies to it: a partner reads no access event, the
// institute reads them all. (A connection of the pool would run as the
// owner and see every row.)
func TestPostgresReaderInScope(t *testing.T) {
	ctx := context.Background()
	db := storetest.Postgres(t, storetest.Options{})
	log := store.NewAccessLog(db)
	for i := range 3 {
		e := &cordon.AccessEvent{At: time.Date(2026, 11, 2, 9, i, 0, 0, time.UTC), UserID: 7, OrgID: 2, Resource: "job",
			ResourceID: "1", Action: "view", Decision: cordon.Allow}
		if err := log.RecordAccess(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name  string
		actor *cordon.Actor
		want  int
	}{
		{"partner", &cordon.Actor{UserID: 7, OrgID: 2, OrgKind: cordon.OrgPartner, PartnerID: 2}, 0},
		{"institute", &cordon.Actor{UserID: 1, OrgID: 1, OrgKind: cordon.OrgInstitute}, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := db.InScope(ctx, c.actor, func(ctx context.Context) error {
				got, total, err := log.FindAccessEvents(ctx, cordon.AccessEventFilter{})
				if err != nil {
					return err
				}
				if len(got) != c.want || total != c.want {
					t.Errorf("FindAccessEvents: %d events, total %d; want %d", len(got), total, c.want)
				}
				byID, err := store.NewAuditLog(db).AccessEventsByID(ctx, []int64{1, 2, 3})
				if err == nil && len(byID) != c.want {
					t.Errorf("AccessEventsByID: %d events, want %d", len(byID), c.want)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
