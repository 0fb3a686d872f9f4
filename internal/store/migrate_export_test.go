package store

import (
	"context"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// MigrateToForTest migrates the database up (or down) to version, so that
// a test can put rows in an older schema and watch a migration carry them.
func MigrateToForTest(ctx context.Context, db *DB, version int64) error {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.dialect))
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(db.eng.goose(), db.sql, sub)
	if err != nil {
		return err
	}
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	if cur > version {
		_, err = p.DownTo(ctx, version)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	return err
}
