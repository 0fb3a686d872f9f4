package apptest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create and drop databases

	"github.com/cordon/cordon/internal/app"
	"github.com/cordon/cordon/internal/authn"
	"github.com/cordon/cordon/internal/demo"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// Migrating and seeding the demo world took 1.5–2.5 s per harness and
// engine. The templates are migrated and seeded once per test binary; each
// harness starts from a copy: the SQLite file, or CREATE DATABASE ...
// TEMPLATE on PostgreSQL (a database of the test's own, dropped after).
// Both hold what a harness that built them itself would hold: the same
// migrations, the same seed and the same fixed clock.

// SeedTime is the harness clock's start, and the demo world's "now".
var SeedTime = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// HashParams hash the demo password of the templates, and the wiring's
// unknown-user dummy hash. Logins verify with the parameters a hash
// records, so every demo login is cheap; no test of the application tests
// argon2id's cost (internal/authn does). New passwords (the team page, the
// CLI) still hash with authn.DefaultParams.
var HashParams = authn.Params{Memory: 64, Time: 1, Threads: 1}

var templates struct {
	sqliteOnce sync.Once
	sqliteDir  string // holds cordon.db
	sqliteErr  error

	pgOnce sync.Once
	pgBase string // CORDON_TEST_DATABASE_URL
	pgName string // the template database
	pgErr  error
	pgMu   sync.Mutex // one CREATE DATABASE ... TEMPLATE at a time
}

// Main runs the tests of a package that uses apptest, then removes the
// templates: call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if templates.sqliteDir != "" {
		os.RemoveAll(templates.sqliteDir)
	}
	if templates.pgName != "" {
		if admin, err := sql.Open("pgx", templates.pgBase); err == nil {
			admin.Exec("DROP DATABASE IF EXISTS " + quote(templates.pgName) + " WITH (FORCE)")
			admin.Close()
		}
	}
	os.Exit(code)
}

// seedTemplate migrates db and seeds the demo world into it.
func seedTemplate(ctx context.Context, db *store.DB) error {
	if err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	hash := func(pw string) (string, error) { return HashParams.Hash(pw) }
	if _, err := demo.Seed(ctx, app.DemoStores(db), hash, DemoPassword, SeedTime); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

// copySQLiteTemplate puts a copy of the seeded SQLite database in dataDir.
func copySQLiteTemplate(t *testing.T, dataDir string) {
	t.Helper()
	templates.sqliteOnce.Do(func() {
		templates.sqliteErr = func() error {
			dir, err := os.MkdirTemp("", "cordon-template-")
			if err != nil {
				return err
			}
			templates.sqliteDir = dir
			ctx := context.Background()
			db, err := store.Open(ctx, store.Config{DataDir: dir, Now: func() time.Time { return SeedTime }})
			if err != nil {
				return err
			}
			if err := seedTemplate(ctx, db); err != nil {
				db.Close()
				return err
			}
			// The last connection to close checkpoints the WAL into cordon.db.
			return db.Close()
		}()
	})
	if templates.sqliteErr != nil {
		t.Fatalf("SQLite template: %v", templates.sqliteErr)
	}
	names, err := filepath.Glob(filepath.Join(templates.sqliteDir, "cordon.db*"))
	if err != nil || len(names) == 0 {
		t.Fatalf("SQLite template: no cordon.db in %s (%v)", templates.sqliteDir, err)
	}
	for _, name := range names {
		if err := copyFile(name, filepath.Join(dataDir, filepath.Base(name))); err != nil {
			t.Fatalf("copy the SQLite template: %v", err)
		}
	}
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// clonePostgresTemplate creates a database of the test's own from the
// seeded PostgreSQL template, dropped when the test ends, and returns its
// URL. Like storetest.PostgresURL it skips without CORDON_TEST_DATABASE_URL
// and fails under CI=true.
func clonePostgresTemplate(t *testing.T) string {
	t.Helper()
	base := os.Getenv(storetest.EnvURL)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must test on PostgreSQL", storetest.EnvURL)
		}
		t.Skipf("PostgreSQL tests skipped: set %s=postgres://postgres@127.0.0.1:5432/cordon_test?sslmode=disable to run them", storetest.EnvURL)
	}
	templates.pgOnce.Do(func() { templates.pgErr = buildPostgresTemplate(base) })
	if templates.pgErr != nil {
		t.Fatalf("PostgreSQL template: %v", templates.pgErr)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	name := databaseName(base, "h")
	templates.pgMu.Lock()
	_, err = admin.Exec("CREATE DATABASE " + quote(name) + " TEMPLATE " + quote(templates.pgName))
	templates.pgMu.Unlock()
	if err != nil {
		t.Fatalf("copy the PostgreSQL template: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec("DROP DATABASE IF EXISTS " + quote(name) + " WITH (FORCE)")
	})
	return withDatabase(base, name)
}

// buildPostgresTemplate creates the template database, migrates and seeds
// it in a schema as storetest would, and leaves no connection to it.
func buildPostgresTemplate(base string) error {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return err
	}
	defer admin.Close()
	name := databaseName(base, "tpl")
	if _, err := admin.Exec("CREATE DATABASE " + quote(name)); err != nil {
		return err
	}
	templates.pgBase, templates.pgName = base, name
	u := withDatabase(base, name)
	setup, err := sql.Open("pgx", u)
	if err != nil {
		return err
	}
	_, err = setup.Exec("CREATE SCHEMA cordon")
	setup.Close()
	if err != nil {
		return err
	}
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{URL: u, MaxOpenConns: 8, Now: func() time.Time { return SeedTime }})
	if err != nil {
		return err
	}
	if err := seedTemplate(ctx, db); err != nil {
		db.Close()
		return err
	}
	return db.Close()
}

// databaseName is a new database name beside the one base names.
func databaseName(base, kind string) string {
	var b [6]byte
	rand.Read(b[:])
	db := "cordon"
	if u, err := url.Parse(base); err == nil && strings.Trim(u.Path, "/") != "" {
		db = strings.Trim(u.Path, "/")
	}
	if len(db) > 40 {
		db = db[:40]
	}
	return strings.ToLower(db) + "_" + kind + "_" + hex.EncodeToString(b[:])
}

// withDatabase returns base pointed at database name, with search_path set
// to the templates' schema.
func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(errors.New("unparsable " + storetest.EnvURL))
	}
	u.Path = "/" + name
	q := u.Query()
	q.Set("search_path", "cordon")
	u.RawQuery = q.Encode()
	return u.String()
}

// quote quotes a PostgreSQL identifier.
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }
