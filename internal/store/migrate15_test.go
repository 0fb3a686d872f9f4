package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// TestMigrationInstalledBase migrates a database holding a unit and a
// request that names it through 00015 (which rebuilds units on SQLite)
// and back: the rows survive, the request still refers to the unit, and
// the references are still enforced against the new table.
func TestMigrationInstalledBase(t *testing.T) {
	open := map[string]func(t *testing.T) *store.DB{
		"sqlite": func(t *testing.T) *store.DB {
			db, err := store.Open(context.Background(), store.Config{DataDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
		"postgres": func(t *testing.T) *store.DB {
			db, err := store.Open(context.Background(), store.Config{URL: storetest.PostgresURL(t), MaxOpenConns: 2})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open[name](t)
			if err := store.MigrateToForTest(ctx, db, 14); err != nil {
				t.Fatalf("migrate to 14: %v", err)
			}
			exec := func(q string, args ...any) {
				t.Helper()
				if err := store.ExecForTest(ctx, db, q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			delivered := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
			exec("INSERT INTO orgs (id, code, name, kind, pseudonym_key, created_at) VALUES (1, 'institute', 'I', 'institute', ?, ?)", []byte("k"), delivered)
			exec("INSERT INTO users (id, org_id, username, password_hash, created_at) VALUES (1, 1, 'u', 'x', ?)", delivered)
			exec("INSERT INTO customers (id, code, city, created_at) VALUES (1, 'C-1', 'Hefei', ?)", delivered)
			exec("INSERT INTO product_lines (id, code, name) VALUES (1, 'radar', 'R')")
			exec("INSERT INTO models (id, product_line_id, code, name) VALUES (1, 1, 'M-1', 'M')")
			exec("INSERT INTO models (id, product_line_id, code, name) VALUES (2, 1, 'M-2', 'M')")
			exec(`INSERT INTO units (id, model_id, customer_id, serial, batch, site_city, delivered_on, warranty_end)
				VALUES (7, 1, 1, 'S-1', 'B', 'Hefei', ?, ?)`, delivered, delivered.AddDate(3, 0, 0))
			exec(`INSERT INTO service_requests (unit_id, customer_id, model_id, product_line_id, category, priority, description,
				site_city, status, created_by, created_at) VALUES (7, 1, 1, 1, 'repair', 'P2', 'd', 'Hefei', 'open', 1, ?)`, delivered)

			if err := store.MigrateToForTest(ctx, db, 15); err != nil {
				t.Fatalf("migrate to 15: %v", err)
			}
			checkReferences(t, db)
			var created time.Time
			rows, err := store.QueryForTest(ctx, db, "SELECT created_at FROM units WHERE id = 7")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				if err := rows.Scan(&created); err != nil {
					t.Fatal(err)
				}
			}
			rows.Close()
			if !created.Equal(delivered) {
				t.Errorf("units.created_at: got %v, want the delivery date %v", created, delivered)
			}
			// A serial is unique per model now.
			exec(`INSERT INTO units (model_id, customer_id, serial, batch, site_city, delivered_on, warranty_end, created_at, updated_at)
				VALUES (2, 1, 'S-1', 'B', 'Hefei', ?, ?, ?, ?)`, delivered, delivered, delivered, delivered)
			if err := store.ExecForTest(ctx, db, `INSERT INTO units (model_id, customer_id, serial, batch, site_city, delivered_on,
				warranty_end, created_at, updated_at) VALUES (1, 1, 'S-1', 'B', 'Hefei', ?, ?, ?, ?)`, delivered, delivered, delivered, delivered); err == nil {
				t.Error("a second S-1 of model 1 was accepted")
			}
			exec("DELETE FROM units WHERE model_id = 2")

			if err := store.MigrateToForTest(ctx, db, 14); err != nil {
				t.Fatalf("migrate down to 14: %v", err)
			}
			checkReferences(t, db)
			if err := store.MigrateToForTest(ctx, db, 15); err != nil {
				t.Fatalf("migrate up again: %v", err)
			}
			checkReferences(t, db)
		})
	}
}

// checkReferences fails the test unless the request still names unit 7,
// every foreign key holds, and a request naming a missing unit is refused.
func checkReferences(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	if db.Dialect() == store.SQLite {
		rows, err := store.QueryForTest(ctx, db, "PRAGMA foreign_key_check")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if n != 0 {
			t.Errorf("foreign_key_check: %d violations", n)
		}
		rows, err = store.QueryForTest(ctx, db, "SELECT sql FROM sqlite_master WHERE sql LIKE '%units_copy%'")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var sql string
			rows.Scan(&sql)
			t.Errorf("the schema still names the copy of units: %s", strings.SplitN(sql, "\n", 2)[0])
		}
		rows.Close()
	}
	rows, err := store.QueryForTest(ctx, db, "SELECT count(*) FROM service_requests r JOIN units u ON u.id = r.unit_id WHERE u.id = 7")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for rows.Next() {
		rows.Scan(&n)
	}
	rows.Close()
	if n != 1 {
		t.Errorf("requests of unit 7: got %d, want 1", n)
	}
	err = store.ExecForTest(ctx, db, `INSERT INTO service_requests (unit_id, customer_id, model_id, product_line_id, category, priority,
		description, site_city, status, created_by, created_at) VALUES (999, 1, 1, 1, 'repair', 'P2', 'd', 'Hefei', 'open', 1, ?)`, time.Now().UTC())
	if err == nil {
		t.Error("a request naming a missing unit was accepted")
	}
}
