package store_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// schema is what the parity test compares of a migrated database: every
// table's columns (a type family, nullability), primary key and indexes.
// Row-level security, grants, triggers and roles exist on PostgreSQL only
// and are not compared.
type schema map[string]*schemaTable

type schemaTable struct {
	Columns    map[string]schemaColumn
	PrimaryKey []string
	// Indexes by name; indexes that back a UNIQUE constraint, whose
	// names each engine picks, by "unique(columns)".
	Indexes map[string]schemaIndex
}

type schemaColumn struct {
	Type    string // a family: integer, text, time, boolean, blob, real, numeric, date, json
	NotNull bool
}

type schemaIndex struct {
	Columns []string // "(expression)" for an expression
	Unique  bool
	Partial bool
}

// typeFamily maps a declared type of either engine to its family.
func typeFamily(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	switch t {
	case "integer", "int", "bigint", "smallint", "int2", "int4", "int8":
		return "integer"
	case "text", "character varying", "varchar", "character", "char", "citext":
		return "text"
	case "timestamp with time zone", "timestamptz", "timestamp", "timestamp without time zone", "datetime":
		return "time"
	case "boolean", "bool":
		return "boolean"
	case "bytea", "blob":
		return "blob"
	case "double precision", "real", "float", "double":
		return "real"
	case "numeric", "decimal":
		return "numeric"
	case "date":
		return "date"
	case "json", "jsonb":
		return "json"
	}
	return "?" + t
}

// ignoredTables are bookkeeping, not Cordon's schema.
var ignoredTables = map[string]bool{"goose_db_version": true}

func queryRows(t *testing.T, db *store.DB, q string, args []any, dest ...any) [][]any {
	t.Helper()
	rows, err := store.QueryForTest(context.Background(), db, q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(dest))
		ptrs := make([]any, len(dest))
		for i, d := range dest {
			switch d.(type) {
			case string:
				vals[i] = new(string)
			case int64:
				vals[i] = new(int64)
			case bool:
				vals[i] = new(bool)
			}
			ptrs[i] = vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			switch p := v.(type) {
			case *string:
				row[i] = *p
			case *int64:
				row[i] = *p
			case *bool:
				row[i] = *p
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// sqliteSchema reads the schema of a migrated SQLite database.
func sqliteSchema(t *testing.T, db *store.DB) schema {
	s := schema{}
	for _, r := range queryRows(t, db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name", nil, "") {
		name := r[0].(string)
		if ignoredTables[name] {
			continue
		}
		tb := &schemaTable{Columns: map[string]schemaColumn{}, Indexes: map[string]schemaIndex{}}
		s[name] = tb
		pk := map[int64]string{}
		for _, c := range queryRows(t, db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)", []any{name}, "", "", int64(0), int64(0)) {
			col, typ, notNull, pos := c[0].(string), c[1].(string), c[2].(int64) == 1, c[3].(int64)
			if pos > 0 {
				pk[pos] = col
				notNull = true // a primary key is never NULL where it matters: PostgreSQL says so, SQLite implies it
			}
			tb.Columns[col] = schemaColumn{Type: typeFamily(typ), NotNull: notNull}
		}
		for _, k := range slices.Sorted(maps.Keys(pk)) {
			tb.PrimaryKey = append(tb.PrimaryKey, pk[k])
		}
		for _, ix := range queryRows(t, db, "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)", []any{name}, "", int64(0), "", int64(0)) {
			iname, unique, origin, partial := ix[0].(string), ix[1].(int64) == 1, ix[2].(string), ix[3].(int64) == 1
			if origin == "pk" {
				continue
			}
			var cols []string
			for _, c := range queryRows(t, db, "SELECT coalesce(name, '(expression)') FROM pragma_index_info(?) ORDER BY seqno", []any{iname}, "") {
				cols = append(cols, c[0].(string))
			}
			key := iname
			if origin == "u" {
				key = "unique(" + strings.Join(cols, ", ") + ")"
			}
			tb.Indexes[key] = schemaIndex{Columns: cols, Unique: unique, Partial: partial}
		}
	}
	return s
}

// postgresSchema reads the schema of a migrated PostgreSQL database, in
// its current schema.
func postgresSchema(t *testing.T, db *store.DB) schema {
	s := schema{}
	for _, r := range queryRows(t, db, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`, nil, "") {
		name := r[0].(string)
		if ignoredTables[name] {
			continue
		}
		s[name] = &schemaTable{Columns: map[string]schemaColumn{}, Indexes: map[string]schemaIndex{}}
	}
	for _, c := range queryRows(t, db, `SELECT table_name, column_name, data_type, is_nullable = 'NO' FROM information_schema.columns
		WHERE table_schema = current_schema()`, nil, "", "", "", false) {
		if tb := s[c[0].(string)]; tb != nil {
			tb.Columns[c[1].(string)] = schemaColumn{Type: typeFamily(c[2].(string)), NotNull: c[3].(bool)}
		}
	}
	// Every index: its columns in order, whether unique or partial, and
	// whether a constraint (primary key or UNIQUE) owns it.
	for _, ix := range queryRows(t, db, `SELECT t.relname, i.relname, x.indisunique, x.indpred IS NOT NULL,
			coalesce((SELECT contype::text FROM pg_constraint WHERE conindid = i.oid AND contype IN ('p', 'u')), ''),
			array_to_string(ARRAY(SELECT coalesce(a.attname::text, '(expression)') FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(n, o)
				LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n AND k.n > 0 ORDER BY k.o), ',')
		FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
		WHERE t.relnamespace = current_schema()::regnamespace`, nil, "", "", false, false, "", "") {
		tb := s[ix[0].(string)]
		if tb == nil {
			continue
		}
		cols := strings.Split(ix[5].(string), ",")
		switch ix[4].(string) {
		case "p":
			tb.PrimaryKey = cols
		case "u":
			tb.Indexes["unique("+strings.Join(cols, ", ")+")"] = schemaIndex{Columns: cols, Unique: true, Partial: ix[3].(bool)}
		default:
			tb.Indexes[ix[1].(string)] = schemaIndex{Columns: cols, Unique: ix[2].(bool), Partial: ix[3].(bool)}
		}
	}
	return s
}

// intendedDifferences are the differences between the engines' schemas
// that are meant, each with its reason: the path of the difference as
// cmp reports it, and why.
var intendedDifferences = map[string]string{
	"column contracts.calendar: PostgreSQL {Type:json NotNull:false}, SQLite {Type:text NotNull:false}":   noJSON,
	"column contracts.clauses: PostgreSQL {Type:json NotNull:true}, SQLite {Type:text NotNull:true}":      noJSON,
	"column contracts.incentives: PostgreSQL {Type:json NotNull:false}, SQLite {Type:text NotNull:false}": noJSON,
	"column contracts.scope: PostgreSQL {Type:json NotNull:true}, SQLite {Type:text NotNull:true}":        noJSON,
	"column contracts.sla: PostgreSQL {Type:json NotNull:true}, SQLite {Type:text NotNull:true}":          noJSON,
}

// noJSON: SQLite has no JSON type. The store holds a contract's documents
// as JSON text (contractRow's strings) on both engines; PostgreSQL stores
// it as jsonb, which its policies read.
const noJSON = "SQLite has no JSON type"

// TestMigrationParity migrates both engines to the latest version and
// compares their tables, columns (type family, nullability), primary keys
// and indexes (columns, uniqueness, partial or not).
func TestMigrationParity(t *testing.T) {
	lite := sqliteSchema(t, storetest.SQLite(t, storetest.Options{}))
	pg := postgresSchema(t, storetest.Postgres(t, storetest.Options{}))
	if len(lite) < 10 {
		t.Fatalf("SQLite has %d tables: the inspection reads nothing", len(lite))
	}
	for _, d := range schemaDiff(pg, lite) {
		t.Errorf("%s", d)
	}
}

// schemaDiff lists the differences of b from a, one a line, leaving out
// the intended ones.
func schemaDiff(a, b schema) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(mergeKeys(a, b))) {
		ta, tb := a[name], b[name]
		switch {
		case ta == nil:
			out = append(out, fmt.Sprintf("table %s: only on SQLite", name))
			continue
		case tb == nil:
			out = append(out, fmt.Sprintf("table %s: only on PostgreSQL", name))
			continue
		}
		for _, c := range slices.Sorted(maps.Keys(mergeKeys(ta.Columns, tb.Columns))) {
			ca, oka := ta.Columns[c]
			cb, okb := tb.Columns[c]
			switch {
			case !oka:
				out = append(out, fmt.Sprintf("column %s.%s: only on SQLite", name, c))
			case !okb:
				out = append(out, fmt.Sprintf("column %s.%s: only on PostgreSQL", name, c))
			case ca != cb:
				out = append(out, fmt.Sprintf("column %s.%s: PostgreSQL %+v, SQLite %+v", name, c, ca, cb))
			}
		}
		if !slices.Equal(ta.PrimaryKey, tb.PrimaryKey) {
			out = append(out, fmt.Sprintf("table %s: primary key PostgreSQL %v, SQLite %v", name, ta.PrimaryKey, tb.PrimaryKey))
		}
		for _, ix := range slices.Sorted(maps.Keys(mergeKeys(ta.Indexes, tb.Indexes))) {
			ia, oka := ta.Indexes[ix]
			ib, okb := tb.Indexes[ix]
			switch {
			case !oka:
				out = append(out, fmt.Sprintf("index %s %s: only on SQLite", name, ix))
			case !okb:
				out = append(out, fmt.Sprintf("index %s %s: only on PostgreSQL", name, ix))
			case !cmp.Equal(ia, ib):
				out = append(out, fmt.Sprintf("index %s %s: PostgreSQL %+v, SQLite %+v", name, ix, ia, ib))
			}
		}
	}
	return slices.DeleteFunc(out, func(d string) bool { _, ok := intendedDifferences[d]; return ok })
}

func mergeKeys[V any](a, b map[string]V) map[string]bool {
	m := map[string]bool{}
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	return m
}
