package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"hash/fnv"
	"sync"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// LeaderLock elects one leader per task among the processes sharing the
// database. On PostgreSQL a lease is a session-level advisory lock keyed by
// (the task's class, a hash of the schema), as the sealer's is, held on a
// connection of its own until released: if the process dies or its
// connection drops, the server releases it and another process takes over.
// On SQLite there is one process, and the lock lives in it, keyed by the
// database file.
type LeaderLock struct{ db *DB }

var _ cordon.LeaderLock = (*LeaderLock)(nil)

// NewLeaderLock returns the leader election over db.
func NewLeaderLock(db *DB) *LeaderLock { return &LeaderLock{db: db} }

// leaderClass is the first key of a task's advisory lock: a hash of its
// name, never the sealer's class.
func leaderClass(task string) int32 {
	h := fnv.New32a()
	h.Write([]byte("cordon leader: " + task))
	c := int32(h.Sum32())
	if c == sealerLockClass {
		c++
	}
	return c
}

// TryLead leads task if no one else does; a nil lease when another does.
func (l *LeaderLock) TryLead(ctx context.Context, task string) (cordon.Lease, error) {
	if l.db.dialect != Postgres {
		// Every pool on the same file shares the lock.
		var file string
		if err := l.db.sql.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file); err != nil {
			return nil, TranslateError(err, "Leader lock")
		}
		return localLocks.tryLead(file, task), nil
	}
	conn, err := l.db.sql.Conn(ctx)
	if err != nil {
		return nil, TranslateError(err, "Leader lock")
	}
	class := leaderClass(task)
	var ok bool
	err = conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1, hashtext(current_schema()))", class).Scan(&ok)
	if err != nil || !ok {
		conn.Close()
		return nil, TranslateError(err, "Leader lock")
	}
	return &pgLease{conn: conn, class: class}, nil
}

// pgLease holds an advisory lock on its own connection.
type pgLease struct {
	conn  *sql.Conn
	class int32
	once  sync.Once
}

func (p *pgLease) Alive(ctx context.Context) error {
	// Not cancelled with the caller: a cancelled query can cost the
	// connection, and the lock with it, while the caller still means to
	// release it cleanly.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := p.conn.ExecContext(ctx, "SELECT 1"); err != nil {
		return cordon.Err(cordon.EUNAVAILABLE, "store.leader_lock_was_lost")
	}
	return nil
}

func (p *pgLease) Release() {
	p.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := p.conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1, hashtext(current_schema()))", p.class); err != nil {
			// The lock must not outlive the lease: drop the connection
			// rather than hand it back to the pool.
			p.conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		p.conn.Close()
	})
}

// localLocks are the leases of this process, for SQLite.
var localLocks = &processLocks{held: map[processKey]bool{}}

type processKey struct {
	file, task string
}

type processLocks struct {
	mu   sync.Mutex
	held map[processKey]bool
}

func (p *processLocks) tryLead(file, task string) cordon.Lease {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := processKey{file, task}
	if p.held[k] {
		return nil
	}
	p.held[k] = true
	return &localLease{locks: p, key: k}
}

type localLease struct {
	locks *processLocks
	key   processKey
	once  sync.Once
}

func (l *localLease) Alive(context.Context) error { return nil }

func (l *localLease) Release() {
	l.once.Do(func() {
		l.locks.mu.Lock()
		defer l.locks.mu.Unlock()
		delete(l.locks.held, l.key)
	})
}
