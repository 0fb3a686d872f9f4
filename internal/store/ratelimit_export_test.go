package store

import "context"

// RateCounterRowsForTest counts the rows of rate_counters.
func RateCounterRowsForTest(ctx context.Context, db *DB) (int, error) {
	var n int
	err := db.conn(ctx).Raw("SELECT count(*) FROM rate_counters").Scan(&n).Error
	return n, err
}
