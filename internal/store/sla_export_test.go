package store

import "context"

// OutboxRowsForTest counts the outbox events of a kind.
func OutboxRowsForTest(ctx context.Context, db *DB, kind string) (int, error) {
	var n int
	err := db.conn(ctx).Raw("SELECT count(*) FROM outbox WHERE kind = ?", kind).Scan(&n).Error
	return n, err
}
