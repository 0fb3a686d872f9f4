package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cordon/cordon/internal/cordon"
)

// contractsChannel is the PostgreSQL notification channel for contract
// changes.
const contractsChannel = "cordon_contracts"

// Events implements cordon.ContractEvents: LISTEN/NOTIFY on PostgreSQL; on
// SQLite there is one process, so there is nobody else to tell.
type Events struct {
	db      *DB
	backoff time.Duration
}

var _ cordon.ContractEvents = (*Events)(nil)

// NewEvents returns the change notifier of db.
func NewEvents(db *DB) *Events { return &Events{db: db, backoff: 500 * time.Millisecond} }

// AfterCommit runs fn once the request's transaction has committed.
func (e *Events) AfterCommit(ctx context.Context, fn func(context.Context)) {
	e.db.AfterCommit(ctx, fn)
}

// NotifyContractsChanged tells the other replicas that contracts changed.
// Inside a transaction the notice is sent when it commits, so no replica
// reloads before the change is visible to it.
func (e *Events) NotifyContractsChanged(ctx context.Context) error {
	if e.db.dialect != Postgres {
		return nil
	}
	return TranslateError(e.db.conn(ctx).Exec("SELECT pg_notify(?, '')", contractsChannel).Error, "Notification")
}

// ListenContractsChanged calls fn for every change announced, and after
// every (re)connection, until ctx ends. A dropped connection is retried
// with a short backoff.
func (e *Events) ListenContractsChanged(ctx context.Context, fn func()) error {
	if e.db.dialect != Postgres {
		<-ctx.Done()
		return nil
	}
	for ctx.Err() == nil {
		err := e.listenOnce(ctx, fn)
		if ctx.Err() != nil {
			break
		}
		_ = err // the caller's periodic reload covers the gap; retry
		select {
		case <-ctx.Done():
		case <-time.After(e.backoff):
		}
	}
	return nil
}

func (e *Events) listenOnce(ctx context.Context, fn func()) error {
	conn, err := pgx.Connect(ctx, e.db.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+contractsChannel); err != nil {
		return err
	}
	fn() // changes may have happened while we were not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		fn()
	}
}
