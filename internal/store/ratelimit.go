package store

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// rateCounterRow is one row of rate_counters, as RETURNING gives it back.
type rateCounterRow struct {
	Bucket string
	N      int
}

// purgeEvery is how often one process deletes the counters of windows
// that have passed.
const purgeEvery = time.Minute

// RateCounter counts requests in fixed windows, in the database, so that
// every replica draws on the same budget. A key is whatever the caller
// counts by ("org:7", "login-ip:192.0.2.1"); the window's start is part
// of the row's bucket, so a new window starts at one.
type RateCounter struct {
	db        *DB
	lastPurge atomic.Int64 // unix nanoseconds of the store clock
}

// NewRateCounter returns the rate counter store.
func NewRateCounter(db *DB) *RateCounter { return &RateCounter{db: db} }

// Hit counts one request against each key in the fixed window of length
// window that holds the store's clock, and returns each key's count in the
// order given, with the time left until the window's end. It is one statement whatever the
// number of keys (an upsert of every bucket, RETURNING the new counts),
// committed on its own: never part of the caller's transaction, so that a
// request that fails (a 404, a rolled-back scope) still counts, and a row
// lock on a busy key lasts one statement, not one request. Once a minute
// per process it also deletes the windows that have ended.
//
// Keys must be short printable text; the caller hashes anything else.
func (r *RateCounter) Hit(ctx context.Context, window time.Duration, keys ...string) ([]int, time.Duration, error) {
	ctx = detach(ctx)
	now := r.db.Now()
	start := now.Truncate(window)
	end := start.Add(window)
	suffix := "@" + strconv.FormatInt(start.Unix(), 10) + "/" + strconv.FormatInt(int64(window/time.Second), 10)
	var q strings.Builder
	q.WriteString("INSERT INTO rate_counters (bucket, n, expires_at) VALUES ")
	args := make([]any, 0, 2*len(keys))
	for i, k := range keys {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, 1, ?)")
		args = append(args, k+suffix, end)
	}
	q.WriteString(" ON CONFLICT (bucket) DO UPDATE SET n = rate_counters.n + 1 RETURNING bucket, n")
	var rows []rateCounterRow
	if err := r.db.conn(ctx).Raw(q.String(), args...).Scan(&rows).Error; err != nil {
		return nil, 0, TranslateError(err, "Rate counter")
	}
	counts := make([]int, len(keys))
	for i, k := range keys {
		for _, row := range rows {
			if row.Bucket == k+suffix {
				counts[i] = row.N
			}
		}
	}
	r.purge(ctx, now)
	return counts, end.Sub(now), nil
}

// purge deletes the windows that ended before now, at most once per
// purgeEvery in this process. A failure is left for the next purge.
func (r *RateCounter) purge(ctx context.Context, now time.Time) {
	last := r.lastPurge.Load()
	if now.UnixNano()-last < int64(purgeEvery) || !r.lastPurge.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	r.db.conn(ctx).Exec("DELETE FROM rate_counters WHERE expires_at <= ?", now)
}
