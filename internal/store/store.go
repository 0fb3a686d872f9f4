// Package store keeps Cordon's data: GORM on PostgreSQL (production) or on an
// embedded SQLite file (the default), versioned SQL migrations for both, the
// per-request transaction, and the translation of database errors into
// cordon errors. It is the only package that imports GORM.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/cordon/cordon/internal/cordon"
)

//go:embed migrations
var migrations embed.FS

// Dialect names the database engine under the store.
type Dialect string

// The supported dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Config says where the data lives and how to reach it.
type Config struct {
	// URL is a postgres:// URL; empty selects SQLite in DataDir.
	URL string
	// DataDir holds the SQLite file when URL is empty.
	DataDir string
	// MaxOpenConns caps the pool; 0 picks a size for the machine.
	MaxOpenConns int
	// Now is the clock; nil means time.Now.
	Now cordon.Clock
	// StatementTimeout stops any one statement of a scoped (request)
	// transaction that runs longer, on PostgreSQL; 0 means 10 s.
	StatementTimeout time.Duration
}

// DefaultStatementTimeout is the statement timeout of scoped transactions
// when Config leaves it zero.
const DefaultStatementTimeout = 10 * time.Second

// DB is an open database with its dialect and clock.
type DB struct {
	url  string
	gorm *gorm.DB
	// side is a small pool of its own for writes that must commit apart
	// from a request's transaction (access events): a request holding a
	// pool connection for its scoped transaction must never wait on its
	// own pool to record its access. On SQLite it is the same pool.
	side    *gorm.DB
	sql     *sql.DB
	dialect Dialect
	// eng is what differs between the engines (engine.go).
	eng engine
	now cordon.Clock
	// statementTimeout is SET LOCAL statement_timeout in milliseconds,
	// for every scoped transaction.
	statementTimeout string
}

// Open connects to the database the config names. It does not migrate.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	gcfg := &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true,
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return now().UTC() },
	}
	var (
		gdb *gorm.DB
		err error
		eng engine
	)
	switch {
	case cfg.URL == "":
		eng = sqliteEngine{}
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		path := filepath.Join(cfg.DataDir, "cordon.db")
		dsn := "file:" + path + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		gdb, err = gorm.Open(sqlite.Open(dsn), gcfg)
	case strings.HasPrefix(cfg.URL, "postgres://") || strings.HasPrefix(cfg.URL, "postgresql://"):
		eng = postgresEngine{}
		gdb, err = gorm.Open(postgres.Open(cfg.URL), gcfg)
	default:
		return nil, errors.New("DATABASE_URL must start with postgres:// or postgresql://")
	}
	dialect := eng.name()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	maxOpen := cfg.MaxOpenConns
	if maxOpen <= 0 {
		// A few connections per core keep PostgreSQL busy without queueing
		// inside it; SQLite serialises writers anyway.
		maxOpen = 4 * runtime.NumCPU()
		if maxOpen < 8 {
			maxOpen = 8
		}
	}
	sqlDB.SetMaxOpenConns(maxOpen)
	sqlDB.SetMaxIdleConns(maxOpen)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("reach %s database: %w", dialect, err)
	}
	side := gdb
	if dialect == Postgres {
		if side, err = gorm.Open(postgres.Open(cfg.URL), gcfg); err != nil {
			sqlDB.Close()
			return nil, fmt.Errorf("open %s database: %w", dialect, err)
		}
		sideSQL, err := side.DB()
		if err != nil {
			sqlDB.Close()
			return nil, fmt.Errorf("open %s database: %w", dialect, err)
		}
		n := max(2, maxOpen/4)
		sideSQL.SetMaxOpenConns(n)
		sideSQL.SetMaxIdleConns(n)
		sideSQL.SetConnMaxIdleTime(5 * time.Minute)
	}
	timeout := cfg.StatementTimeout
	if timeout <= 0 {
		timeout = DefaultStatementTimeout
	}
	return &DB{url: cfg.URL, gorm: gdb, side: side, sql: sqlDB, dialect: dialect, eng: eng, now: now,
		statementTimeout: strconv.FormatInt(max(1, timeout.Milliseconds()), 10)}, nil
}

// Dialect returns the engine under the store.
func (db *DB) Dialect() Dialect { return db.dialect }

// Now returns the store's clock reading in UTC.
func (db *DB) Now() time.Time { return db.now().UTC() }

// Close closes the pools.
func (db *DB) Close() error {
	if db.side != db.gorm {
		if s, err := db.side.DB(); err == nil {
			s.Close()
		}
	}
	return db.sql.Close()
}

// Ping checks that the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return cordon.Err(cordon.EUNAVAILABLE, "store.database_unreachable")
	}
	return nil
}

// Migrate applies every pending migration of the dialect.
func (db *DB) Migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.dialect))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(db.eng.goose(), db.sql, sub)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

type txKey struct{}

// WithTx runs fn in one transaction; services called with the context fn
// receives use that transaction. Nested calls join the outer transaction.
func (db *DB) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	return db.gorm.WithContext(ctx).Connection(func(c *gorm.DB) error {
		ctx := withTxConn(ctx, c)
		return c.Transaction(func(tx *gorm.DB) error {
			return fn(context.WithValue(ctx, txKey{}, tx))
		})
	})
}

// withTxConn returns ctx holding the connection c (from gorm's
// Connection) runs on, for txConn.
func withTxConn(ctx context.Context, c *gorm.DB) context.Context {
	if sc, ok := c.Statement.ConnPool.(*sql.Conn); ok {
		return context.WithValue(ctx, txConnKey{}, sc)
	}
	return ctx
}

// conn returns the transaction in ctx, or the pool.
func (db *DB) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx.WithContext(ctx)
	}
	return db.gorm.WithContext(ctx)
}

// detached shadows any transaction and scope in a context.
type detached struct{}

// detach returns ctx without the request's transaction and data scope.
// Authentication state (sessions, refresh tokens, the login throttle) lives
// outside every data scope: the application role may not touch it, and a
// logout must not roll back with a failing request.
func detach(ctx context.Context) context.Context {
	return context.WithValue(context.WithValue(ctx, txKey{}, detached{}), scopeKey{}, detached{})
}
