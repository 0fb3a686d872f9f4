package store

import (
	"context"
	"database/sql"
)

// ExecForTest runs raw SQL for tests that must reach under the services.
func ExecForTest(ctx context.Context, db *DB, q string, args ...any) error {
	return db.conn(ctx).Exec(q, args...).Error
}

// QueryForTest runs a raw query for tests that inspect the schema; the
// caller closes the rows.
func QueryForTest(ctx context.Context, db *DB, q string, args ...any) (*sql.Rows, error) {
	return db.conn(ctx).Raw(q, args...).Rows()
}
