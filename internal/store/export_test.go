package store

import "context"

// ExecForTest runs raw SQL for tests that must reach under the services.
func ExecForTest(ctx context.Context, db *DB, q string, args ...any) error {
	return db.conn(ctx).Exec(q, args...).Error
}
