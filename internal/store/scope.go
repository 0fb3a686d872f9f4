package store

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/cordon/cordon/internal/cordon"
)

// appRole is the PostgreSQL role a scoped transaction runs as: no login,
// no BYPASSRLS, owner of nothing (migration 00002).
const appRole = "cordon_app"

// scopeSQL enters the scope in one round trip. set_config('role', ..., true)
// is SET LOCAL ROLE; the app.* settings are what the row-level security
// policies read; statement_timeout (milliseconds) stops a statement that
// runs or waits on a lock too long; jit off, because compiling a plan
// took 0.6 s for a 17 ms page of units (docs/performance.md, "Installed
// base") and no request of ours runs long enough to repay it. All of them
// end with the transaction.
const scopeSQL = `SELECT set_config('role', '` + appRole + `', true),
	set_config('app.org_id', ?, true),
	set_config('app.org_kind', ?, true),
	set_config('app.partner_id', ?, true),
	set_config('app.now', ?, true),
	set_config('statement_timeout', ?, true),
	set_config('jit', 'off', true)`

type scopeKey struct{}

// scope is what a scoped transaction was entered with.
type scope struct {
	orgID, orgKind, partnerID string
}

func scopeOf(a *cordon.Actor) scope {
	s := scope{orgKind: string(a.OrgKind)}
	if a.OrgID != 0 {
		s.orgID = strconv.FormatInt(a.OrgID, 10)
	}
	if a.OrgKind == cordon.OrgPartner && a.PartnerID != 0 {
		s.partnerID = strconv.FormatInt(a.PartnerID, 10)
	}
	return s
}

// InScope runs fn on behalf of actor a, confined by the database itself:
// on PostgreSQL, fn runs in one transaction as the role cordon_app with
// app.org_id, app.org_kind, app.partner_id and app.now (the store's clock)
// set, so that row-level security shows a partner only what its contracts
// in force allow, whatever SQL the services run. Every service called with
// the context fn receives runs inside that transaction (WithTx joins it).
// The transaction commits when fn returns nil and rolls back otherwise.
//
// A nil actor is refused with EUNAUTHENTICATED before anything runs. A
// nested call for the same organisation joins the scoped transaction; for
// another one, or inside a transaction WithTx began, it is an internal
// error: a scope is never widened, narrowed or mixed with unscoped work.
//
// SQLite has no row-level security: there InScope just runs fn, and the
// application layer alone keeps partners apart (docs/isolation.md).
func (db *DB) InScope(ctx context.Context, a *cordon.Actor, fn func(ctx context.Context) error) error {
	if a == nil {
		return cordon.Err(cordon.EUNAUTHENTICATED, "store.please_log")
	}
	if db.dialect != Postgres {
		return fn(ctx)
	}
	s := scopeOf(a)
	if outer, ok := ctx.Value(scopeKey{}).(scope); ok {
		if outer != s {
			return errors.New("store: InScope for another organisation inside a scoped transaction")
		}
		return fn(ctx)
	}
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return errors.New("store: InScope inside an unscoped transaction")
	}
	now := db.Now().Format(time.RFC3339Nano)
	hooks := &afterCommit{}
	ctx = context.WithValue(ctx, afterCommitKey{}, hooks)
	err := db.gorm.WithContext(ctx).Connection(func(c *gorm.DB) error {
		ctx := withTxConn(ctx, c)
		return c.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec(scopeSQL, s.orgID, s.orgKind, s.partnerID, now, db.statementTimeout).Error; err != nil {
				return TranslateError(err, "Scope")
			}
			ctx := context.WithValue(context.WithValue(ctx, txKey{}, tx), scopeKey{}, s)
			return fn(ctx)
		})
	})
	if timedOut(err) && cordon.ErrorCode(err) == cordon.EINTERNAL {
		// The statement timeout this transaction set: whatever service
		// met it, the answer is the same, and the driver's text stays in
		// the log.
		return &wrapped{cordon.Err(cordon.EUNAVAILABLE, "request_took_too_long"), err}
	}
	if err == nil {
		hooks.run(context.WithValue(ctx, afterCommitKey{}, (*afterCommit)(nil)))
	}
	return err
}

type afterCommitKey struct{}

// afterCommit holds what a scoped transaction runs once it has committed.
type afterCommit struct {
	mu  sync.Mutex
	fns []func(context.Context)
}

func (h *afterCommit) run(ctx context.Context) {
	h.mu.Lock()
	fns := h.fns
	h.fns = nil
	h.mu.Unlock()
	for _, fn := range fns {
		fn(ctx)
	}
}

// AfterCommit runs fn once the scoped transaction in ctx has committed,
// with a context outside it, and never if it rolls back; outside a scoped
// transaction (and on SQLite, where InScope opens none) it runs fn at
// once. What a change means for this process's memory (the compiled
// scope) must follow the commit, not the statement: a rolled-back change
// must leave nothing behind.
func (db *DB) AfterCommit(ctx context.Context, fn func(context.Context)) {
	if h, ok := ctx.Value(afterCommitKey{}).(*afterCommit); ok && h != nil {
		h.mu.Lock()
		h.fns = append(h.fns, fn)
		h.mu.Unlock()
		return
	}
	fn(ctx)
}

// timedOut reports whether PostgreSQL cancelled a statement
// (query_canceled: the statement timeout).
func timedOut(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "57014"
}
