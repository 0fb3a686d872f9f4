package installbase_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/installbase"
	"github.com/cordon/cordon/internal/sheet"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// Benchmarks of issue 15's scale target: 100,000 units imported in under
// 60 s on both engines, and unit lists paged by keyset so that the last
// page costs what the first does. They are benchmarks only: plain go test
// (and CI) never runs them. PostgreSQL runs when CORDON_TEST_DATABASE_URL
// is set, each database in a schema of its own (docs/performance.md):
//
//	export CORDON_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cordon_bench?sslmode=disable
//	go test ./internal/installbase -run '^$' -bench 'Import100k|Reimport100k' -benchtime 1x -count 3 -benchmem -timeout 60m
//	go test ./internal/installbase -run '^$' -bench UnitsPage -count 3 -benchmem -timeout 60m
//
// The imports run once per count (-benchtime 1x): each takes seconds.

const (
	benchCustomers = 5_000
	benchPerCust   = 20
	benchUnits     = benchCustomers * benchPerCust
	benchPage      = 50
)

// benchNow is the clock of every benchmark database: the sheet's delivery
// dates lie before it.
var benchNow = time.Date(2026, 6, 1, 9, 0, 0, 0, cordon.ChinaTime)

func benchClock() time.Time { return benchNow }

// benchCities are the customers' cities, a tenth of the units each.
var benchCities = []string{"合肥", "武汉", "西安", "成都", "南京", "沈阳", "长沙", "郑州", "济南", "昆明"}

// benchModels are the models the sheet names, by product line.
var benchModels = []struct{ line, code, name string }{
	{"radar", "RD-200", "低空监视雷达"}, {"radar", "RD-300", "气象雷达"},
	{"comms", "CM-10", "短波电台"}, {"comms", "CM-20", "卫星终端"},
}

// benchWorkbook is the sheet every import benchmark reads: 5,000
// customers with 20 units each, every column of cordon.UnitSheetFields
// filled, Chinese headers, as Cordon's own export and template write it.
// It is built once.
var benchWorkbook = sync.OnceValues(func() ([]byte, error) {
	rows := make([]cordon.SheetRow, 0, benchUnits)
	for i := range benchUnits {
		c := i / benchPerCust
		city := benchCities[c%len(benchCities)]
		delivered := time.Date(2019, 1, 1, 0, 0, 0, 0, cordon.ChinaTime).AddDate(0, 0, i%2500)
		cells := map[string]string{
			"customer_code": fmt.Sprintf("C-%05d", c), "customer_city": city,
			"name": fmt.Sprintf("某部第%d分队", c), "unit_designation": fmt.Sprintf("9%04d部队", c),
			"contact_person": "张工", "phone": fmt.Sprintf("0551-6%07d", c),
			"site_address": fmt.Sprintf("%s市高新区创新大道 %d 号", city, c),
			"model":        benchModels[i%len(benchModels)].code, "serial": fmt.Sprintf("SN-%07d", i),
			"batch": fmt.Sprintf("B-%d%02d", 2019+i%7, i%12+1), "site_city": city,
			"delivered_on": delivered.Format("2006-01-02"), "warranty_end": delivered.AddDate(3, 0, 0).Format("2006-01-02"),
			"follow_up_months": "6",
		}
		if i%2 == 0 {
			cells["service_end"] = delivered.AddDate(5, 0, 0).Format("2006-01-02")
		}
		rows = append(rows, cordon.SheetRow{Row: i + 2, Cells: cells})
	}
	var buf bytes.Buffer
	if err := sheet.Write(&buf, sheet.FormatXLSX, cordon.LangZH, rows); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
})

// benchEngine opens a fresh, migrated database as the product opens it
// (store.Open with its default pools), and a raw connection to the same
// database for the comparison queries.
type benchEngine struct {
	name string
	open func(b *testing.B) (*store.DB, *sql.DB)
}

var benchEngines = []benchEngine{
	{"sqlite", func(b *testing.B) (*store.DB, *sql.DB) {
		dir := b.TempDir()
		db := openBenchStore(b, store.Config{DataDir: dir, Now: benchClock})
		return db, benchRaw(b, "sqlite", "file:"+dir+"/cordon.db?_pragma=busy_timeout(10000)")
	}},
	{"postgres", func(b *testing.B) (*store.DB, *sql.DB) {
		url := storetest.PostgresURL(b) // skips without CORDON_TEST_DATABASE_URL
		db := openBenchStore(b, store.Config{URL: url, Now: benchClock})
		return db, benchRaw(b, "pgx", url)
	}},
}

func openBenchStore(b *testing.B, c store.Config) *store.DB {
	b.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, c)
	if err != nil {
		b.Fatalf("open: %v", err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatalf("migrate: %v", err)
	}
	return db
}

func benchRaw(b *testing.B, driver, dsn string) *sql.DB {
	b.Helper()
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		b.Fatalf("open raw: %v", err)
	}
	b.Cleanup(func() { raw.Close() })
	return raw
}

// benchPhases is where an import's time goes: reading the workbook,
// looking up the customers and units it names, writing the batch,
// recording one access event per new customer, committing the scoped
// transaction (PostgreSQL; on SQLite the batch commits as it is written);
// checking is the rest of ImportUnits.
type benchPhases struct {
	read, lookup, write, access, commit, total time.Duration
	events                                     int
}

// benchTimedCatalog, benchTimedCustomers and benchTimedAccess time the
// store calls of an import: decorators, so the service runs unchanged.
type benchTimedCatalog struct {
	cordon.CatalogStore
	p *benchPhases
}

func (c benchTimedCatalog) FindUnitsBySerial(ctx context.Context, keys []cordon.UnitKey) (map[cordon.UnitKey]*cordon.Unit, error) {
	defer benchSince(time.Now(), &c.p.lookup)
	return c.CatalogStore.FindUnitsBySerial(ctx, keys)
}

func (c benchTimedCatalog) ImportUnits(ctx context.Context, batch *cordon.ImportBatch) error {
	defer benchSince(time.Now(), &c.p.write)
	return c.CatalogStore.ImportUnits(ctx, batch)
}

type benchTimedCustomers struct {
	cordon.CustomerStore
	p *benchPhases
}

func (c benchTimedCustomers) FindCustomersByCode(ctx context.Context, codes []string) (map[string]*cordon.Customer, error) {
	defer benchSince(time.Now(), &c.p.lookup)
	return c.CustomerStore.FindCustomersByCode(ctx, codes)
}

type benchTimedAccess struct {
	cordon.AccessLog
	p *benchPhases
}

func (a benchTimedAccess) RecordAccess(ctx context.Context, e *cordon.AccessEvent) error {
	defer benchSince(time.Now(), &a.p.access)
	a.p.events++
	return a.AccessLog.RecordAccess(ctx, e)
}

func benchSince(t time.Time, d *time.Duration) { *d += time.Since(t) }

// benchService is app.NewInstalledBase with the import's store calls timed.
func benchService(db *store.DB, p *benchPhases) *installbase.Service {
	catalog := store.NewCatalogStore(db)
	return installbase.New(installbase.Config{
		Customers: benchTimedCustomers{store.NewCustomerStore(db), p}, Catalog: benchTimedCatalog{catalog, p}, History: catalog,
		Jobs: store.NewJobStore(db), Access: benchTimedAccess{store.NewAccessLog(db), p}, Now: benchClock,
	})
}

// benchWorld makes the institute, a quality supervisor (who runs the
// installed base) and the catalogue the sheet names, and returns a context
// acting as that user, as the CLI and the API do.
func benchWorld(b *testing.B, db *store.DB) (context.Context, *cordon.Actor) {
	b.Helper()
	ctx := context.Background()
	org := &cordon.Org{Code: "institute", Name: "研究所", Kind: cordon.OrgInstitute, HomeCity: "合肥"}
	if err := store.NewOrgStore(db).CreateOrg(ctx, org); err != nil {
		b.Fatal(err)
	}
	u := &cordon.User{OrgID: org.ID, Username: "quality", DisplayName: "质量主管", PasswordHash: "x",
		Roles: []cordon.Role{cordon.RoleQualitySupervisor}}
	if err := store.NewUserStore(db).CreateUser(ctx, u); err != nil {
		b.Fatal(err)
	}
	catalog := store.NewCatalogStore(db)
	lines := map[string]int64{}
	for _, m := range benchModels {
		if lines[m.line] == 0 {
			l := &cordon.ProductLine{Code: m.line, Name: m.line}
			if err := catalog.CreateProductLine(ctx, l); err != nil {
				b.Fatal(err)
			}
			lines[m.line] = l.ID
		}
		if err := catalog.CreateModel(ctx, &cordon.Model{ProductLineID: lines[m.line], Code: m.code, Name: m.name}); err != nil {
			b.Fatal(err)
		}
	}
	a := &cordon.Actor{UserID: u.ID, Username: u.Username, OrgID: org.ID, OrgKind: cordon.OrgInstitute, Roles: u.Roles}
	ctx = cordon.NewContextWithMeta(ctx, cordon.RequestMeta{RequestID: "bench"})
	return cordon.NewContextWithActor(ctx, a), a
}

// benchImport reads the workbook and imports it in one scoped
// transaction, as `cordon units import` does, timing each phase into p.
func benchImport(ctx context.Context, db *store.DB, a *cordon.Actor, svc *installbase.Service, file []byte, p *benchPhases) (*cordon.ImportResult, error) {
	t0 := time.Now()
	sh, problems, err := sheet.Read(bytes.NewReader(file), "units.xlsx")
	p.read += time.Since(t0)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("sheet problems: %v", problems[0].Err)
	}
	var res *cordon.ImportResult
	var done time.Time
	err = db.InScope(ctx, a, func(ctx context.Context) error {
		res, err = svc.ImportUnits(ctx, sh, false)
		done = time.Now()
		return err
	})
	p.commit += time.Since(done)
	p.total += time.Since(t0)
	if err != nil {
		return nil, err
	}
	if len(res.Problems) > 0 {
		return nil, fmt.Errorf("%d import problems, the first at row %d: %v", len(res.Problems), res.Problems[0].Row, res.Problems[0].Err)
	}
	return res, nil
}

// benchNew imports the workbook into a database without it.
func benchNew(ctx context.Context, db *store.DB, a *cordon.Actor, svc *installbase.Service, file []byte, p *benchPhases) error {
	res, err := benchImport(ctx, db, a, svc, file, p)
	if err != nil {
		return err
	}
	if res.UnitsCreated != benchUnits || res.CustomersCreated != benchCustomers {
		return fmt.Errorf("imported %d units of %d customers, want %d of %d", res.UnitsCreated, res.CustomersCreated, benchUnits, benchCustomers)
	}
	return nil
}

// benchReport reports where the time of b.N imports went, in seconds per
// import.
func benchReport(b *testing.B, p *benchPhases) {
	n := float64(b.N)
	check := p.total - p.read - p.lookup - p.write - p.access - p.commit
	b.ReportMetric(p.read.Seconds()/n, "read-s/op")
	b.ReportMetric(check.Seconds()/n, "check-s/op")
	b.ReportMetric(p.lookup.Seconds()/n, "lookup-s/op")
	b.ReportMetric(p.write.Seconds()/n, "write-s/op")
	b.ReportMetric(p.access.Seconds()/n, "access-s/op")
	b.ReportMetric(p.commit.Seconds()/n, "commit-s/op")
	b.ReportMetric(benchUnits*n/p.total.Seconds(), "units/s")
}

// BenchmarkImport100k is the whole import a user makes: a workbook of
// 100,000 units of 5,000 customers read by sheet.Read, then checked and
// written by ImportUnits as an institute user, one access event per new
// customer. Each iteration imports into a fresh database. Besides ns/op it
// reports the phases in seconds per import: read-s (the workbook),
// lookup-s (existing customers and units), write-s (the batch), access-s
// (the access events), commit-s, check-s (the rest of ImportUnits).
func BenchmarkImport100k(b *testing.B) {
	file, err := benchWorkbook()
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range benchEngines {
		b.Run(e.name, func(b *testing.B) {
			var p benchPhases
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				db, _ := e.open(b)
				ctx, a := benchWorld(b, db)
				svc := benchService(db, &p)
				b.StartTimer()
				if err := benchNew(ctx, db, a, svc, file, &p); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if want := benchCustomers * b.N; p.events != want {
				b.Fatalf("%d access events, want one per new customer (%d)", p.events, want)
			}
			benchReport(b, &p)
		})
	}
}

// benchImported is a database holding the workbook's 100,000 units, with
// the context, actor and service that imported them. On PostgreSQL,
// autovacuum is off for the imported tables, so that the planner's
// statistics stay as the import left them until benchStates analyzes them.
type benchImported struct {
	db  *store.DB
	raw *sql.DB
	ctx context.Context
	a   *cordon.Actor
	svc *installbase.Service
}

func benchPopulate(b *testing.B, e benchEngine, file []byte) *benchImported {
	b.Helper()
	db, raw := e.open(b)
	if db.Dialect() == store.Postgres {
		for _, t := range []string{"customers", "customer_identities", "units"} {
			if _, err := raw.Exec("ALTER TABLE " + t + " SET (autovacuum_enabled = false)"); err != nil {
				b.Fatal(err)
			}
		}
	}
	ctx, a := benchWorld(b, db)
	w := &benchImported{db: db, raw: raw, ctx: ctx, a: a, svc: benchService(db, &benchPhases{})}
	if err := benchNew(ctx, db, a, w.svc, file, &benchPhases{}); err != nil {
		b.Fatal(err)
	}
	return w
}

// benchStates runs the cases on the database as the import left it
// ("imported"), and on PostgreSQL again after ANALYZE ("analyzed"). On
// PostgreSQL the imported tables have never been analyzed: what a user
// meets until autovacuum analyzes them, within about a minute where it is
// on, never where it is off. Cordon never analyzes SQLite, so there the
// imported state is the only one.
func benchStates(b *testing.B, w *benchImported, cases func(b *testing.B)) {
	b.Run("imported", cases)
	if w.db.Dialect() != store.Postgres {
		return
	}
	if _, err := w.raw.Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
	b.Run("analyzed", cases)
}

// BenchmarkUnitsPage lists units a page of 50 at a time through
// Service.FindUnits, in a scoped transaction as a request does, on a
// database of 100,000 imported units: the first page against the last
// (after the 99,950th unit, page 2,000), without and with a city filter
// (10,000 units). For comparison, raw SQL of the same page by keyset and by
// OFFSET shows what offset paging would cost at the end of the list.
func BenchmarkUnitsPage(b *testing.B) {
	file, err := benchWorkbook()
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range benchEngines {
		b.Run(e.name, func(b *testing.B) {
			w := benchPopulate(b, e, file)
			city := benchCities[0]
			inCity := 0
			if err := w.raw.QueryRow("SELECT count(*) FROM units WHERE site_city = $1", city).Scan(&inCity); err != nil {
				b.Fatal(err)
			}
			nth := func(where string, n int, args ...any) int64 {
				var id int64
				q := fmt.Sprintf("SELECT id FROM units %s ORDER BY id LIMIT 1 OFFSET %d", where, n-1)
				if err := w.raw.QueryRow(q, args...).Scan(&id); err != nil {
					b.Fatal(err)
				}
				return id
			}
			last := nth("", benchUnits-benchPage)
			lastInCity := nth("WHERE site_city = $1", inCity-benchPage, city)

			benchStates(b, w, func(b *testing.B) {
				for _, c := range []struct {
					name  string
					after int64
					city  *string
				}{
					{"keyset/first", 0, nil},
					{"keyset/last", last, nil},
					{"keyset-city/first", 0, &city},
					{"keyset-city/last", lastInCity, &city},
				} {
					b.Run(c.name, func(b *testing.B) {
						f := cordon.UnitFilter{After: c.after, SiteCity: c.city, Limit: benchPage}
						b.ReportAllocs()
						for b.Loop() {
							var page []*cordon.Unit
							var next int64
							err := w.db.InScope(w.ctx, w.a, func(ctx context.Context) error {
								var err error
								page, next, err = w.svc.FindUnits(ctx, f)
								return err
							})
							if err != nil {
								b.Fatal(err)
							}
							if len(page) != benchPage || (c.after != 0) != (next == 0) {
								b.Fatalf("a page of %d units, next %d", len(page), next)
							}
						}
					})
				}
				const keyset = "SELECT * FROM units WHERE id > $1 AND retired_at IS NULL ORDER BY id LIMIT 51"
				const offset = "SELECT * FROM units WHERE retired_at IS NULL ORDER BY id LIMIT 51 OFFSET $1"
				for _, c := range []struct {
					name, q string
					arg     int64
				}{
					{"raw-keyset/first", keyset, 0},
					{"raw-keyset/last", keyset, last},
					{"raw-offset/first", offset, 0},
					{"raw-offset/last", offset, benchUnits - benchPage},
				} {
					b.Run(c.name, func(b *testing.B) {
						b.ReportAllocs()
						for b.Loop() {
							rows, err := w.raw.Query(c.q, c.arg)
							if err != nil {
								b.Fatal(err)
							}
							n := 0
							for rows.Next() {
								n++
							}
							if err := rows.Close(); err != nil {
								b.Fatal(err)
							}
							if n != benchPage && n != benchPage+1 {
								b.Fatalf("%d rows", n)
							}
						}
					})
				}
			})
		})
	}
}

// BenchmarkReimport100k imports the same workbook again into the database
// that holds it, as a user does who checks an updated sheet: every row is
// read, checked and looked up, and found unchanged, so nothing is written
// and each iteration sees the same database.
func BenchmarkReimport100k(b *testing.B) {
	file, err := benchWorkbook()
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range benchEngines {
		b.Run(e.name, func(b *testing.B) {
			w := benchPopulate(b, e, file)
			benchStates(b, w, func(b *testing.B) {
				var p benchPhases
				svc := benchService(w.db, &p)
				b.ReportAllocs()
				for range b.N {
					res, err := benchImport(w.ctx, w.db, w.a, svc, file, &p)
					if err != nil {
						b.Fatal(err)
					}
					if res.Unchanged != benchUnits {
						b.Fatalf("%d rows unchanged, want %d", res.Unchanged, benchUnits)
					}
				}
				benchReport(b, &p)
			})
		})
	}
}
