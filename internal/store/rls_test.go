package store_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/demo"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// The row-level security suite is the "application checks bypassed"
// harness: it runs raw SQL and the store's finders inside InScope, with no
// WHERE clause of its own and no Casbin anywhere, and compares what each
// demo actor sees with what the contracts say it may see. The expectations
// are computed in Go from rows read as the owner (the rlsFacts rules below),
// never from the policies' SQL.

// rlsNow is the reference time of the seeded world: both the hefei and the
// wuhan contract are in force, the xian contract has expired.
var rlsNow = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// rlsTables are the tables under row-level security, each with the
// expression that keys its rows.
var rlsTables = []struct{ name, key string }{
	{"orgs", "id"},
	{"users", "id"},
	{"user_roles", "user_id || ':' || role"},
	{"customers", "id"},
	{"customer_identities", "customer_id"},
	{"units", "id"},
	{"blobs", "sha256"},
	{"documents", "id"},
	{"contracts", "id"},
	{"service_requests", "id"},
	{"jobs", "id"},
	{"job_events", "id"},
	{"service_reports", "id"},
	{"report_attachments", "id"},
	{"job_signoffs", "id"},
	{"surveys", "id"},
	{"training_sessions", "id"},
	{"trainees", "id"},
	{"training_certificates", "id"},
	{"access_events", "id"},
}

// rlsClock is a clock the test moves.
type rlsClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *rlsClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *rlsClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// rlsEnv is the seeded demo world on PostgreSQL.
type rlsEnv struct {
	db    *store.DB // one connection: every scoped transaction reuses the last one's
	owner *sql.DB   // the owner, for set-up and for reading what a scope wrote
	clock *rlsClock
	world *demo.World
	jobs  []*cordon.Job      // as the seeder created them
	docs  []*cordon.Document // as the seeder created them
	// rows the demo does not make, added as the owner
	hefeiAttachment, wuhanAttachment string // blob sha256
}

type rlsRecJobs struct {
	cordon.JobStore
	jobs *[]*cordon.Job
}

func (s rlsRecJobs) CreateJob(ctx context.Context, j *cordon.Job, first *cordon.JobEvent) error {
	err := s.JobStore.CreateJob(ctx, j, first)
	if err == nil {
		*s.jobs = append(*s.jobs, j)
	}
	return err
}

type rlsRecDocs struct {
	cordon.DocumentStore
	docs *[]*cordon.Document
}

func (s rlsRecDocs) CreateDocument(ctx context.Context, d *cordon.Document, content []byte) error {
	err := s.DocumentStore.CreateDocument(ctx, d, content)
	if err == nil {
		*s.docs = append(*s.docs, d)
	}
	return err
}

// newRLSEnv migrates a fresh schema, seeds the demo world through the store
// constructors, and adds the rows the demo lacks: a survey and an
// attachment on a hefei and on a wuhan job, and an access event of hefei's.
// It opens the store itself (storetest.Postgres does the same) because it
// needs the schema's URL for the owner connection, and one connection in
// the pool so that scopes follow each other on the same session.
func newRLSEnv(t *testing.T) *rlsEnv {
	t.Helper()
	ctx := context.Background()
	url := storetest.PostgresURL(t)
	e := &rlsEnv{clock: &rlsClock{t: rlsNow}}
	db, err := store.Open(ctx, store.Config{URL: url, MaxOpenConns: 1, Now: e.clock.Now})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	e.db = db
	owner, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatalf("open owner connection: %v", err)
	}
	t.Cleanup(func() { owner.Close() })
	e.owner = owner

	stores := demo.Stores{
		Orgs:      store.NewOrgStore(db),
		Users:     store.NewUserStore(db),
		Customers: store.NewCustomerStore(db),
		Catalog:   store.NewCatalogStore(db),
		Documents: rlsRecDocs{store.NewDocumentStore(db), &e.docs},
		Contracts: store.NewContractStore(db),
		Requests:  store.NewRequestStore(db),
		Jobs:      rlsRecJobs{store.NewJobStore(db), &e.jobs},
		Reports:   store.NewReportStore(db),
		Tx:        db.WithTx,
		Training:  store.NewTrainingStore(db),
	}
	hash := func(p string) (string, error) { return "plain:" + p, nil }
	e.world, err = demo.Seed(ctx, stores, hash, "secret", rlsNow)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}

	e.ownerExec(t, `CREATE TABLE rls_probe (run text NOT NULL, tbl text NOT NULL, k text)`)
	e.ownerExec(t, `GRANT INSERT ON rls_probe TO cordon_app`)
	for partner, sha := range map[string]*string{"hefei": &e.hefeiAttachment, "wuhan": &e.wuhanAttachment} {
		content := []byte("photo from " + partner)
		sum := sha256.Sum256(content)
		*sha = hex.EncodeToString(sum[:])
		var report, job int64
		if err := owner.QueryRow(`SELECT s.id, j.id FROM service_reports s JOIN jobs j ON j.id = s.job_id
			WHERE j.partner_id = $1 ORDER BY s.id LIMIT 1`, e.world.Orgs[partner]).Scan(&report, &job); err != nil {
			t.Fatalf("find a %s report: %v", partner, err)
		}
		e.ownerExec(t, `INSERT INTO blobs (sha256, size, content, created_at) VALUES ($1, $2, $3, $4)`, *sha, len(content), content, rlsNow)
		e.ownerExec(t, `INSERT INTO report_attachments (report_id, media_type, size, sha256, created_at) VALUES ($1, 'image/png', $2, $3, $4)`,
			report, len(content), *sha, rlsNow)
		e.ownerExec(t, `INSERT INTO surveys (job_id, channel, created_at) VALUES ($1, 'call', $2)`, job, rlsNow)
	}
	e.ownerExec(t, `INSERT INTO access_events (at, user_id, org_id, resource, resource_id, action, decision)
		VALUES ($1, $2, $3, 'job', '1', 'view', 'allow')`, rlsNow, e.world.Users["hefei.tech"], e.world.Orgs["hefei"])
	return e
}

func (e *rlsEnv) ownerExec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := e.owner.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// actor returns the actor of a demo user.
func (e *rlsEnv) actor(username string) *cordon.Actor {
	a := &cordon.Actor{UserID: e.world.Users[username], Username: username}
	if code, _, ok := strings.Cut(username, "."); ok {
		if id, ok := e.world.Orgs[code]; ok {
			a.OrgID, a.OrgKind, a.PartnerID = id, cordon.OrgPartner, id
			a.Roles = []cordon.Role{cordon.RolePartnerTechnician}
			return a
		}
	}
	a.OrgID, a.OrgKind = e.world.Orgs[demo.InstituteCode], cordon.OrgInstitute
	a.Roles = []cordon.Role{cordon.RoleDispatcher}
	return a
}

// probe runs each query (one column) inside InScope for a and returns the
// values each produced, sorted. The scoped transaction copies its results
// into rls_probe, which the owner reads after the commit: the store lends
// tests Exec only, never a query.
func (e *rlsEnv) probe(t *testing.T, a *cordon.Actor, queries map[string]string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	var b [8]byte
	rand.Read(b[:])
	run := hex.EncodeToString(b[:])
	err := e.db.InScope(ctx, a, func(ctx context.Context) error {
		for name, q := range queries {
			err := store.ExecForTest(ctx, e.db, `INSERT INTO rls_probe (run, tbl, k) SELECT ?, ?, q.k::text FROM (`+q+`) AS q(k)`, run, name)
			if err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("InScope as %s: %v", a.Username, err)
	}
	rows, err := e.owner.Query(`SELECT tbl, k FROM rls_probe WHERE run = $1 ORDER BY tbl, k`, run)
	if err != nil {
		t.Fatalf("read probe: %v", err)
	}
	defer rows.Close()
	got := map[string][]string{}
	for rows.Next() {
		var name, k string
		if err := rows.Scan(&name, &k); err != nil {
			t.Fatal(err)
		}
		got[name] = append(got[name], k)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

// scopedKeys returns the keys of every row of every RLS table that a sees.
func (e *rlsEnv) scopedKeys(t *testing.T, a *cordon.Actor) map[string][]string {
	t.Helper()
	queries := map[string]string{}
	for _, tb := range rlsTables {
		queries[tb.name] = "SELECT " + tb.key + " FROM " + tb.name
	}
	return e.probe(t, a, queries)
}

// rlsJob and the other fact types are the rows as the owner sees them.
type rlsJob struct {
	id, request    int64
	partner, contr *int64
	status         cordon.JobStatus
	resolvedAt     *time.Time
}

type rlsDoc struct {
	id    int64
	line  string
	class cordon.Classification
	sha   string
}

type rlsFacts struct {
	contracts   []*cordon.Contract
	jobs        []rlsJob
	requests    map[int64][2]*int64        // id → customer, unit
	events      map[int64]int64            // id → job
	reports     map[int64]int64            // id → job
	attachments map[int64]int64            // id → report
	attSHA      map[int64]string           // id → blob
	signatures  map[string]int64           // a drawn signature's blob → its job
	signoffs    map[int64]int64            // sign-off id → its job
	surveys     map[int64]int64            // id → job
	training    map[string]map[int64]int64 // training table → id → job
	docs        []rlsDoc
	users       map[int64]int64 // id → org
	roles       []string        // user_id:role
	all         map[string][]string
}

func (e *rlsEnv) facts(t *testing.T) *rlsFacts {
	t.Helper()
	ctx := context.Background()
	f := &rlsFacts{
		requests: map[int64][2]*int64{}, events: map[int64]int64{}, reports: map[int64]int64{},
		attachments: map[int64]int64{}, attSHA: map[int64]string{}, signatures: map[string]int64{}, signoffs: map[int64]int64{}, surveys: map[int64]int64{},
		training: map[string]map[int64]int64{"training_sessions": {}, "trainees": {}, "training_certificates": {}},
		users:    map[int64]int64{}, all: map[string][]string{},
	}
	var err error
	f.contracts, _, err = store.NewContractStore(e.db).FindContracts(ctx, cordon.ContractFilter{})
	if err != nil {
		t.Fatal(err)
	}
	query := func(q string, scan func(rows *sql.Rows) error) {
		t.Helper()
		rows, err := e.owner.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	query(`SELECT id, request_id, partner_id, contract_id, status, resolved_at FROM jobs`, func(r *sql.Rows) error {
		var j rlsJob
		err := r.Scan(&j.id, &j.request, &j.partner, &j.contr, &j.status, &j.resolvedAt)
		f.jobs = append(f.jobs, j)
		return err
	})
	query(`SELECT id, customer_id, unit_id FROM service_requests`, func(r *sql.Rows) error {
		var id int64
		var cu [2]*int64
		err := r.Scan(&id, &cu[0], &cu[1])
		f.requests[id] = cu
		return err
	})
	pairs := map[string]map[int64]int64{
		`SELECT id, job_id FROM job_events`:            f.events,
		`SELECT id, job_id FROM service_reports`:       f.reports,
		`SELECT id, report_id FROM report_attachments`: f.attachments,
		`SELECT id, job_id FROM surveys`:               f.surveys,
		`SELECT id, org_id FROM users`:                 f.users,
		`SELECT id, job_id FROM training_sessions`:     f.training["training_sessions"],
		`SELECT id, job_id FROM trainees`:              f.training["trainees"],
		`SELECT id, job_id FROM training_certificates`: f.training["training_certificates"],
	}
	for q, m := range pairs {
		query(q, func(r *sql.Rows) error {
			var a, b int64
			err := r.Scan(&a, &b)
			m[a] = b
			return err
		})
	}
	query(`SELECT id, sha256 FROM report_attachments`, func(r *sql.Rows) error {
		var id int64
		var sha string
		err := r.Scan(&id, &sha)
		f.attSHA[id] = sha
		return err
	})
	query(`SELECT id, job_id, COALESCE(sha256, '') FROM job_signoffs`, func(r *sql.Rows) error {
		var id, job int64
		var sha string
		err := r.Scan(&id, &job, &sha)
		f.signoffs[id] = job
		if sha != "" {
			f.signatures[sha] = job
		}
		return err
	})
	query(`SELECT d.id, p.code, d.classification, d.sha256 FROM documents d JOIN product_lines p ON p.id = d.product_line_id`, func(r *sql.Rows) error {
		var d rlsDoc
		err := r.Scan(&d.id, &d.line, &d.class, &d.sha)
		f.docs = append(f.docs, d)
		return err
	})
	for _, tb := range rlsTables {
		query(`SELECT (`+tb.key+`)::text FROM `+tb.name, func(r *sql.Rows) error {
			var k string
			err := r.Scan(&k)
			f.all[tb.name] = append(f.all[tb.name], k)
			return err
		})
		slices.Sort(f.all[tb.name])
	}
	f.roles = f.all["user_roles"]
	return f
}

// inWindow reports whether a job's customer identity may be disclosed at
// now under contract c: the job is being worked, or was resolved less than
// the contract's grace hours ago.
func inWindow(j rlsJob, c *cordon.Contract, now time.Time) bool {
	switch j.status {
	case cordon.JobAccepted, cordon.JobEnRoute, cordon.JobOnSite, cordon.JobWaitingCustomer, cordon.JobWaitingParts:
		return true
	case cordon.JobResolved:
		return j.resolvedAt != nil && j.resolvedAt.Add(time.Duration(c.Scope.DisclosureGraceHours)*time.Hour).After(now)
	}
	return false
}

// visible returns, per table, the keys of the rows a may see at now: the
// contract rules of docs/isolation.md, written in Go.
func (f *rlsFacts) visible(a *cordon.Actor, now time.Time) map[string][]string {
	if a.OrgKind == cordon.OrgInstitute {
		return f.all
	}
	p := a.PartnerID
	out := map[string][]string{}
	add := func(table string, k any) { out[table] = append(out[table], fmt.Sprint(k)) }
	contract := map[int64]*cordon.Contract{}
	inForce := false
	for _, c := range f.contracts {
		contract[c.ID] = c
		if c.PartnerID == p && c.InForce(now) {
			inForce = true
			add("contracts", c.ID)
		}
	}
	if inForce {
		add("orgs", p)
	}
	users := map[int64]bool{}
	for id, org := range f.users {
		if inForce && org == p {
			users[id] = true
			add("users", id)
		}
	}
	for _, r := range f.roles {
		user, _, _ := strings.Cut(r, ":")
		id, _ := strconv.ParseInt(user, 10, 64)
		if users[id] {
			add("user_roles", r)
		}
	}
	jobs, requests, customers, units, reports, blobs := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}, map[int64]bool{}, map[int64]bool{}, map[string]bool{}
	identities := map[int64]bool{}
	for _, j := range f.jobs {
		if !inForce || j.partner == nil || *j.partner != p {
			continue
		}
		jobs[j.id] = true
		add("jobs", j.id)
		if !requests[j.request] {
			requests[j.request] = true
			add("service_requests", j.request)
		}
		cu := f.requests[j.request]
		if !customers[*cu[0]] {
			customers[*cu[0]] = true
			add("customers", *cu[0])
		}
		if cu[1] != nil && !units[*cu[1]] {
			units[*cu[1]] = true
			add("units", *cu[1])
		}
		if j.contr == nil {
			continue
		}
		c := contract[*j.contr]
		if c.PartnerID == p && c.InForce(now) && c.Scope.Disclosure.AtLeast(cordon.DiscloseSite) && inWindow(j, c, now) && !identities[*cu[0]] {
			identities[*cu[0]] = true
		}
	}
	for id := range identities {
		if slices.Contains(f.all["customer_identities"], fmt.Sprint(id)) {
			add("customer_identities", id)
		}
	}
	for id, job := range f.events {
		if jobs[job] {
			add("job_events", id)
		}
	}
	for id, job := range f.reports {
		if jobs[job] {
			reports[id] = true
			add("service_reports", id)
		}
	}
	for id, job := range f.surveys {
		if jobs[job] {
			add("surveys", id)
		}
	}
	for id, report := range f.attachments {
		if reports[report] {
			add("report_attachments", id)
			blobs[f.attSHA[id]] = true
		}
	}
	for id, job := range f.signoffs {
		if jobs[job] {
			add("job_signoffs", id)
		}
	}
	for table, rows := range f.training {
		for id, job := range rows {
			if jobs[job] {
				add(table, id)
			}
		}
	}
	for sha, job := range f.signatures {
		if jobs[job] {
			blobs[sha] = true
		}
	}
	for _, d := range f.docs {
		for _, c := range f.contracts {
			if c.PartnerID == p && c.InForce(now) && slices.Contains(c.Scope.ProductLines, d.line) && d.class.AtMost(c.Scope.DocumentCeiling) {
				add("documents", d.id)
				blobs[d.sha] = true
				break
			}
		}
	}
	for sha := range blobs {
		add("blobs", sha)
	}
	for _, keys := range out {
		slices.Sort(keys)
	}
	return out
}

// compareScope checks, table by table, that a sees exactly what the rules allow.
func (e *rlsEnv) compareScope(t *testing.T, a *cordon.Actor, want map[string][]string) {
	t.Helper()
	got := e.scopedKeys(t, a)
	for _, tb := range rlsTables {
		t.Run(tb.name, func(t *testing.T) {
			if diff := cmp.Diff(want[tb.name], got[tb.name], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s sees in %s (-want +got):\n%s", a.Username, tb.name, diff)
			}
		})
	}
}

func allEmpty(m map[string][]string) bool {
	for _, v := range m {
		if len(v) > 0 {
			return false
		}
	}
	return true
}

func TestRowLevelSecurity(t *testing.T) {
	e := newRLSEnv(t)
	ctx := context.Background()
	f := e.facts(t)
	hefei, wuhan, xian := e.actor("hefei.tech"), e.actor("wuhan.admin"), e.actor("xian.admin")
	institute := e.actor("dispatcher")

	t.Run("role", func(t *testing.T) {
		checks := []struct {
			name, q string
			want    string
		}{
			{"attributes", `SELECT rolsuper::text || rolbypassrls::text || rolcanlogin::text FROM pg_roles WHERE rolname = 'cordon_app'`, "falsefalsefalse"},
			{"owns no table", `SELECT count(*)::text FROM pg_tables WHERE tableowner = 'cordon_app'`, "0"},
			{"owns no relation", `SELECT count(*)::text FROM pg_class WHERE relowner = 'cordon_app'::regrole`, "0"},
			{"owns no function", `SELECT count(*)::text FROM pg_proc WHERE proowner = 'cordon_app'::regrole`, "0"},
			{"member of no role", `SELECT count(*)::text FROM pg_auth_members WHERE member = 'cordon_app'::regrole`, "0"},
			// Every table holds partner-visible or sensitive data unless it is
			// named here: a new table must choose, and may not forget.
			{"every other table enabled and forced", `SELECT COALESCE(string_agg(relname, ',' ORDER BY relname), '') FROM pg_class
				WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'
				AND NOT (relrowsecurity AND relforcerowsecurity)
				AND relname NOT IN ('goose_db_version', 'sessions', 'refresh_tokens', 'login_throttle', 'product_lines', 'models',
					'components', 'rls_probe')`, // the catalogue is no secret; rls_probe: this test's own scratch table
				""},
			{"the core tables enabled and forced", `SELECT count(*)::text FROM pg_class
				WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' AND relrowsecurity AND relforcerowsecurity
				AND relname IN ('access_events', 'blobs', 'contracts', 'customer_identities', 'customers', 'documents', 'job_events',
				'jobs', 'orgs', 'report_attachments', 'service_reports', 'service_requests', 'surveys', 'units', 'user_roles', 'users',
				'unit_transfers', 'unit_milestones')`,
				"18"},
		}
		for _, c := range checks {
			t.Run(c.name, func(t *testing.T) {
				var got string
				if err := e.owner.QueryRow(c.q).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != c.want {
					t.Errorf("got %q, want %q", got, c.want)
				}
			})
		}
	})

	// The world must give every rule something to show and something to hide.
	seededJobs := func(partner string) []string {
		var ids []string
		for _, j := range e.jobs {
			if j.PartnerID != nil && *j.PartnerID == e.world.Orgs[partner] {
				ids = append(ids, fmt.Sprint(j.ID))
			}
		}
		slices.Sort(ids)
		return ids
	}
	seededDocs := func(lines []string, ceiling cordon.Classification) string {
		n := 0
		for _, d := range e.docs {
			for _, l := range lines {
				if d.ProductLineID == e.world.ProductLines[l] && d.Classification.AtMost(ceiling) {
					n++
				}
			}
		}
		return strconv.Itoa(n)
	}
	wantHefei, wantWuhan := f.visible(hefei, rlsNow), f.visible(wuhan, rlsNow)
	if len(wantHefei["customer_identities"]) == 0 || len(wantHefei["report_attachments"]) == 0 || len(wantHefei["surveys"]) == 0 {
		t.Fatalf("the demo world no longer gives hefei identities, attachments and surveys to see: %v", wantHefei)
	}
	if len(wantWuhan["jobs"]) == 0 || len(wantWuhan["customer_identities"]) != 0 {
		t.Fatalf("the demo world no longer gives wuhan jobs without identities: %v", wantWuhan)
	}
	if !allEmpty(f.visible(xian, rlsNow)) {
		t.Fatalf("the xian contract is in force at %s: the test wants it expired", rlsNow)
	}

	t.Run("contracts", func(t *testing.T) {
		// What the brief of layer 2 names, by hand: raw SQL, no WHERE.
		cases := []struct {
			name  string
			a     *cordon.Actor
			query string
			want  []string
		}{
			{"hefei jobs are the jobs seeded for hefei", hefei, "SELECT id FROM jobs", seededJobs("hefei")},
			{"wuhan jobs are the jobs seeded for wuhan", wuhan, "SELECT id FROM jobs", seededJobs("wuhan")},
			{"xian sees no job", xian, "SELECT id FROM jobs", nil},
			{"hefei documents: radar and comms, public and internal", hefei, "SELECT count(*) FROM documents",
				[]string{seededDocs([]string{"radar", "comms"}, cordon.ClassInternal)}},
			{"wuhan documents: comms, public", wuhan, "SELECT count(*) FROM documents",
				[]string{seededDocs([]string{"comms"}, cordon.ClassPublic)}},
			{"xian documents: none", xian, "SELECT count(*) FROM documents", []string{"0"}},
			{"hefei sees no in-house job", hefei, "SELECT count(*) FROM jobs WHERE partner_id IS NULL", []string{"0"}},
			{"hefei sees no access event, not even its own", hefei, "SELECT count(*) FROM access_events", []string{"0"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got := e.probe(t, c.a, map[string]string{"q": c.query})["q"]
				if diff := cmp.Diff(c.want, got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s (-want +got):\n%s", c.query, diff)
				}
			})
		}
	})

	t.Run("actors", func(t *testing.T) {
		for _, a := range []*cordon.Actor{institute, e.actor("legal"), hefei, e.actor("hefei.admin"), wuhan, xian} {
			t.Run(a.Username, func(t *testing.T) { e.compareScope(t, a, f.visible(a, rlsNow)) })
		}
	})

	t.Run("finders", func(t *testing.T) {
		jobOf := func(partner *int64, status cordon.JobStatus) rlsJob {
			t.Helper()
			for _, j := range f.jobs {
				if (partner == nil) == (j.partner == nil) && (partner == nil || *partner == *j.partner) && (status == "" || j.status == status) {
					return j
				}
			}
			t.Fatalf("no job of partner %v in status %q", partner, status)
			return rlsJob{}
		}
		hefeiID, wuhanID, xianID := e.world.Orgs["hefei"], e.world.Orgs["wuhan"], e.world.Orgs["xian"]
		working, closed := jobOf(&hefeiID, cordon.JobOnSite), jobOf(&hefeiID, cordon.JobClosed)
		wuhanJob, xianJob := jobOf(&wuhanID, ""), jobOf(&xianID, "")
		// An in-house job on a request no hefei job shares.
		var inHouse rlsJob
		for _, j := range f.jobs {
			if j.partner == nil && !slices.Contains(wantHefei["service_requests"], fmt.Sprint(j.request)) {
				inHouse = j
				break
			}
		}
		customerOf := func(j rlsJob) int64 { return *f.requests[j.request][0] }
		// A customer hefei has no job for.
		var stranger int64
		for _, j := range f.jobs {
			c := customerOf(j)
			if !slices.Contains(f.visible(hefei, rlsNow)["customers"], fmt.Sprint(c)) {
				stranger = c
				break
			}
		}
		closedOnly := customerOf(closed)
		if slices.Contains(wantHefei["customer_identities"], fmt.Sprint(closedOnly)) {
			t.Fatalf("the closed job's customer %d also has a job in the window", closedOnly)
		}
		docOf := func(line string, class cordon.Classification) rlsDoc {
			t.Helper()
			for _, d := range f.docs {
				if d.line == line && d.class == class {
					return d
				}
			}
			t.Fatalf("no %s %s document", line, class)
			return rlsDoc{}
		}
		jobs, requests := store.NewJobStore(e.db), store.NewRequestStore(e.db)
		customers, docs := store.NewCustomerStore(e.db), store.NewDocumentStore(e.db)
		orgs, users, contracts := store.NewOrgStore(e.db), store.NewUserStore(e.db), store.NewContractStore(e.db)
		reports := store.NewReportStore(e.db)
		outcome := func(err error) string {
			if err == nil {
				return "found"
			}
			return cordon.ErrorCode(err)
		}
		identity := func(c *cordon.Customer, err error) string {
			switch {
			case err != nil:
				return cordon.ErrorCode(err)
			case c.Identity != nil:
				return "identity"
			}
			return "no identity"
		}
		var wuhanReport int64
		for id, job := range f.reports {
			if slices.Contains(wantWuhan["jobs"], fmt.Sprint(job)) {
				wuhanReport = id
			}
		}
		if wuhanReport == 0 {
			t.Fatal("wuhan has no report")
		}
		cases := []struct {
			name string
			got  func(ctx context.Context) string
			want string
		}{
			{"own job", func(ctx context.Context) string { _, err := jobs.FindJobByID(ctx, working.id); return outcome(err) }, "found"},
			{"wuhan's job", func(ctx context.Context) string { _, err := jobs.FindJobByID(ctx, wuhanJob.id); return outcome(err) }, cordon.ENOTFOUND},
			{"xian's job", func(ctx context.Context) string { _, err := jobs.FindJobByID(ctx, xianJob.id); return outcome(err) }, cordon.ENOTFOUND},
			{"in-house job", func(ctx context.Context) string { _, err := jobs.FindJobByID(ctx, inHouse.id); return outcome(err) }, cordon.ENOTFOUND},
			{"in-house request", func(ctx context.Context) string {
				_, err := requests.FindRequestByID(ctx, inHouse.request)
				return outcome(err)
			}, cordon.ENOTFOUND},
			{"wuhan's report", func(ctx context.Context) string {
				_, err := reports.FindReportByID(ctx, wuhanReport)
				return outcome(err)
			}, cordon.ENOTFOUND},
			{"customer of a job on site", func(ctx context.Context) string {
				return identity(customers.FindCustomerByID(ctx, customerOf(working)))
			}, "identity"},
			{"customer of a closed job", func(ctx context.Context) string { return identity(customers.FindCustomerByID(ctx, closedOnly)) }, "no identity"},
			{"customer without a hefei job", func(ctx context.Context) string { return identity(customers.FindCustomerByID(ctx, stranger)) }, cordon.ENOTFOUND},
			{"radar internal document", func(ctx context.Context) string {
				_, err := docs.FindDocumentByID(ctx, docOf("radar", cordon.ClassInternal).id)
				return outcome(err)
			}, "found"},
			{"radar restricted document", func(ctx context.Context) string {
				_, err := docs.FindDocumentByID(ctx, docOf("radar", cordon.ClassRestricted).id)
				return outcome(err)
			}, cordon.ENOTFOUND},
			{"power public document", func(ctx context.Context) string {
				_, err := docs.FindDocumentByID(ctx, docOf("power", cordon.ClassPublic).id)
				return outcome(err)
			}, cordon.ENOTFOUND},
			{"file of a comms public document", func(ctx context.Context) string {
				_, err := docs.FindContent(ctx, docOf("comms", cordon.ClassPublic).sha)
				return outcome(err)
			}, "found"},
			{"file of a confidential document", func(ctx context.Context) string {
				_, err := docs.FindContent(ctx, docOf("radar", cordon.ClassConfidential).sha)
				return outcome(err)
			}, cordon.ENOTFOUND},
			{"own attachment", func(ctx context.Context) string {
				_, err := docs.FindContent(ctx, e.hefeiAttachment)
				return outcome(err)
			}, "found"},
			{"wuhan's attachment", func(ctx context.Context) string {
				_, err := docs.FindContent(ctx, e.wuhanAttachment)
				return outcome(err)
			}, cordon.ENOTFOUND},
			{"own organisation", func(ctx context.Context) string { _, err := orgs.FindOrgByCode(ctx, "hefei"); return outcome(err) }, "found"},
			{"wuhan organisation", func(ctx context.Context) string { _, err := orgs.FindOrgByCode(ctx, "wuhan"); return outcome(err) }, cordon.ENOTFOUND},
			{"institute organisation", func(ctx context.Context) string {
				_, err := orgs.FindOrgByCode(ctx, demo.InstituteCode)
				return outcome(err)
			}, cordon.ENOTFOUND},
			{"institute user", func(ctx context.Context) string {
				_, err := users.FindUserByUsername(ctx, "dispatcher")
				return outcome(err)
			}, cordon.ENOTFOUND},
			{"all users", func(ctx context.Context) string {
				list, total, err := users.FindUsers(ctx, cordon.UserFilter{})
				if err != nil {
					return cordon.ErrorCode(err)
				}
				var names []string
				for _, u := range list {
					names = append(names, u.Username)
				}
				return fmt.Sprintf("%d %v", total, names)
			}, "2 [hefei.admin hefei.tech]"},
			{"wuhan contract", func(ctx context.Context) string {
				_, err := contracts.FindContractByID(ctx, e.world.Contracts[demo.ContractWuhan])
				return outcome(err)
			}, cordon.ENOTFOUND},
			{"own contract", func(ctx context.Context) string {
				_, err := contracts.FindContractByID(ctx, e.world.Contracts[demo.ContractHefei])
				return outcome(err)
			}, "found"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var got string
				if err := e.db.InScope(ctx, hefei, func(ctx context.Context) error { got = c.got(ctx); return nil }); err != nil {
					t.Fatal(err)
				}
				if got != c.want {
					t.Errorf("as hefei: got %s, want %s", got, c.want)
				}
			})
		}
	})

	t.Run("unset settings", func(t *testing.T) {
		// A fresh session, and one whose last transaction was scoped (where
		// the app.* settings read as '' rather than NULL).
		for _, prior := range []bool{false, true} {
			t.Run(fmt.Sprintf("after a scoped transaction %v", prior), func(t *testing.T) {
				conn, err := e.owner.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				if prior {
					tx, err := conn.BeginTx(ctx, nil)
					if err != nil {
						t.Fatal(err)
					}
					id := fmt.Sprint(hefei.PartnerID)
					if _, err := tx.Exec(`SELECT set_config('role', 'cordon_app', true), set_config('app.org_kind', 'partner', true),
						set_config('app.org_id', $1, true), set_config('app.partner_id', $2, true), set_config('app.now', $3, true)`,
						id, id, rlsNow.Format(time.RFC3339)); err != nil {
						t.Fatal(err)
					}
					if err := tx.Commit(); err != nil {
						t.Fatal(err)
					}
				}
				tx, err := conn.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				if _, err := tx.Exec(`SET LOCAL ROLE cordon_app`); err != nil {
					t.Fatal(err)
				}
				for _, tb := range rlsTables {
					var n int
					if err := tx.QueryRow(`SELECT count(*) FROM ` + tb.name).Scan(&n); err != nil {
						t.Fatalf("%s: %v", tb.name, err)
					}
					if n != 0 {
						t.Errorf("%s: got %d rows, want 0", tb.name, n)
					}
				}
			})
		}
	})

	t.Run("privileges", func(t *testing.T) {
		own, theirs := wantHefei["jobs"][0], wantWuhan["jobs"][0]
		const event = `INSERT INTO access_events (at, user_id, org_id, resource, action, decision) VALUES (now(), 1, 1, 'job', 'view', 'allow')`
		cases := []struct {
			name string
			a    *cordon.Actor
			q    string
			want string // SQLSTATE; "" for success
		}{
			{"institute updates the access log", institute, `UPDATE access_events SET action = action`, "42501"},
			{"institute deletes from the access log", institute, `DELETE FROM access_events`, "42501"},
			{"institute truncates the access log", institute, `TRUNCATE access_events`, "42501"},
			{"institute appends to the access log", institute, event, ""},
			{"hefei appends to the access log", hefei, event, "42501"},
			{"institute reads sessions", institute, `SELECT count(*) FROM sessions`, "42501"},
			{"institute reads refresh tokens", institute, `SELECT count(*) FROM refresh_tokens`, "42501"},
			{"institute reads the login throttle", institute, `SELECT count(*) FROM login_throttle`, "42501"},
			{"institute deletes a job", institute, `DELETE FROM jobs WHERE id = ` + own, "42501"},
			{"hefei updates its job", hefei, `UPDATE jobs SET updated_at = updated_at WHERE id = ` + own, ""},
			{"hefei hands its job to wuhan", hefei, fmt.Sprintf(`UPDATE jobs SET partner_id = %d WHERE id = %s`, wuhan.PartnerID, own), "42501"},
			{"hefei creates a job", hefei, fmt.Sprintf(`INSERT INTO jobs (request_id, partner_id, status, offered_at, created_at, updated_at)
				SELECT request_id, partner_id, 'offered', now(), now(), now() FROM jobs WHERE id = %s`, own), "42501"},
			{"hefei logs an event on its job", hefei, `INSERT INTO job_events (job_id, at, to_status) VALUES (` + own + `, now(), 'on_site')`, ""},
			{"hefei logs an event on wuhan's job", hefei, `INSERT INTO job_events (job_id, at, to_status) VALUES (` + theirs + `, now(), 'on_site')`, "42501"},
			{"hefei gives a user an institute role", hefei, fmt.Sprintf(`INSERT INTO user_roles (user_id, role) VALUES (%d, 'admin')`, hefei.UserID), "42501"},
			{"hefei adds a user to wuhan", hefei, fmt.Sprintf(`INSERT INTO users (org_id, username, password_hash, created_at) VALUES (%d, 'mole', 'x', now())`, wuhan.PartnerID), "42501"},
			{"hefei stores a file", hefei, `INSERT INTO blobs (sha256, size, content, created_at) VALUES ('new', 0, '', now()) ON CONFLICT DO NOTHING`, ""},
			{"xian stores a file", xian, `INSERT INTO blobs (sha256, size, content, created_at) VALUES ('new', 0, '', now()) ON CONFLICT DO NOTHING`, "42501"},
			{"hefei creates a customer", hefei, `INSERT INTO customers (code, city, created_at) VALUES ('CU-X', 'Hefei', now())`, "42501"},
		}
		errRollback := errors.New("roll back")
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := e.db.InScope(ctx, c.a, func(ctx context.Context) error {
					if err := store.ExecForTest(ctx, e.db, c.q); err != nil {
						return err
					}
					return errRollback
				})
				got := ""
				var pgErr *pgconn.PgError
				switch {
				case errors.As(err, &pgErr):
					got = pgErr.Code
				case errors.Is(err, errRollback):
				default:
					t.Fatalf("%s: %v", c.q, err)
				}
				if got != c.want {
					t.Errorf("%s: got SQLSTATE %q (%v), want %q", c.q, got, err, c.want)
				}
			})
		}
	})

	t.Run("disclosure grace", func(t *testing.T) {
		// Hefei's resolved job discloses its customer for 72 hours.
		var resolved rlsJob
		for _, j := range f.jobs {
			if j.partner != nil && *j.partner == hefei.PartnerID && j.status == cordon.JobResolved {
				resolved = j
			}
		}
		if resolved.resolvedAt == nil {
			t.Fatal("hefei has no resolved job")
		}
		customer := fmt.Sprint(*f.requests[resolved.request][0])
		later := resolved.resolvedAt.Add(72*time.Hour + time.Minute)
		wantLater := f.visible(hefei, later)
		if !slices.Contains(wantHefei["customer_identities"], customer) || slices.Contains(wantLater["customer_identities"], customer) {
			t.Fatalf("customer %s: the world does not show the grace ending", customer)
		}
		got := e.scopedKeys(t, hefei)["customer_identities"]
		if !slices.Contains(got, customer) {
			t.Errorf("at %s: identities %v, want %s among them", rlsNow, got, customer)
		}
		e.clock.Set(later)
		defer e.clock.Set(rlsNow)
		e.compareScope(t, hefei, wantLater)
	})

	t.Run("expiry follows the clock", func(t *testing.T) {
		after := time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC) // wuhan's contract ended on 30 June
		want := f.visible(wuhan, after)
		if !allEmpty(want) {
			t.Fatalf("wuhan's contract is in force at %s", after)
		}
		e.clock.Set(after)
		defer e.clock.Set(rlsNow)
		t.Run("wuhan", func(t *testing.T) { e.compareScope(t, wuhan, want) })
		t.Run("hefei", func(t *testing.T) { e.compareScope(t, hefei, f.visible(hefei, after)) })
	})

	// Last: it ends hefei's contract for good.
	t.Run("termination", func(t *testing.T) {
		e.ownerExec(t, `UPDATE contracts SET status = 'terminated' WHERE number = $1`, demo.ContractHefei)
		f := e.facts(t)
		want := f.visible(hefei, rlsNow)
		if !allEmpty(want) {
			t.Fatalf("hefei still has a contract in force: %v", want["contracts"])
		}
		e.compareScope(t, hefei, want)
		t.Run("wuhan unaffected", func(t *testing.T) { e.compareScope(t, wuhan, f.visible(wuhan, rlsNow)) })
	})
}

// TestInScopeNesting: a scope joins only itself, never an unscoped
// transaction; services' own WithTx join the scope.
func TestInScopeNesting(t *testing.T) {
	e := newRLSEnv(t)
	ctx := context.Background()
	f := e.facts(t)
	hefei, wuhan := e.actor("hefei.tech"), e.actor("wuhan.admin")
	jobs := store.NewJobStore(e.db)
	own, _ := strconv.ParseInt(f.visible(hefei, rlsNow)["jobs"][0], 10, 64)
	theirs, _ := strconv.ParseInt(f.visible(wuhan, rlsNow)["jobs"][0], 10, 64)

	t.Run("same organisation joins", func(t *testing.T) {
		err := e.db.InScope(ctx, hefei, func(ctx context.Context) error {
			return e.db.InScope(ctx, e.actor("hefei.admin"), func(ctx context.Context) error {
				_, err := jobs.FindJobByID(ctx, own)
				return err
			})
		})
		if err != nil {
			t.Errorf("got %v, want nil", err)
		}
	})
	t.Run("another organisation is refused", func(t *testing.T) {
		called := false
		err := e.db.InScope(ctx, hefei, func(ctx context.Context) error {
			return e.db.InScope(ctx, wuhan, func(ctx context.Context) error { called = true; return nil })
		})
		if err == nil || called {
			t.Errorf("got err %v, called %v; want an error and no call", err, called)
		}
	})
	t.Run("inside an unscoped transaction is refused", func(t *testing.T) {
		called := false
		err := e.db.WithTx(ctx, func(ctx context.Context) error {
			return e.db.InScope(ctx, hefei, func(ctx context.Context) error { called = true; return nil })
		})
		if err == nil || called {
			t.Errorf("got err %v, called %v; want an error and no call", err, called)
		}
	})
	t.Run("services write inside the scope", func(t *testing.T) {
		for _, c := range []struct {
			name string
			job  int64
			ok   bool
		}{{"own job", own, true}, {"wuhan's job", theirs, false}} {
			t.Run(c.name, func(t *testing.T) {
				err := e.db.InScope(ctx, hefei, func(ctx context.Context) error {
					return jobs.AddJobEvent(ctx, &cordon.JobEvent{JobID: c.job, To: cordon.JobOnSite, Note: "rls test"})
				})
				if got := err == nil; got != c.ok {
					t.Errorf("AddJobEvent on job %d: got err %v, want success %v", c.job, err, c.ok)
				}
			})
		}
		// The session is the owner's again after each scope.
		if _, err := jobs.FindJobByID(ctx, theirs); err != nil {
			t.Errorf("unscoped FindJobByID after scopes: %v", err)
		}
	})
}

// TestInScopeNilActor: no actor, no data, on either engine.
func TestInScopeNilActor(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		called := false
		err := db.InScope(context.Background(), nil, func(context.Context) error { called = true; return nil })
		if got := cordon.ErrorCode(err); got != cordon.EUNAUTHENTICATED || called {
			t.Errorf("got code %q, called %v; want %q and no call", got, called, cordon.EUNAUTHENTICATED)
		}
	})
}

// TestInScopeSQLite: SQLite has no row-level security; InScope runs fn as
// it is and returns its error.
func TestInScopeSQLite(t *testing.T) {
	db := storetest.SQLite(t, storetest.Options{})
	want := errors.New("from fn")
	calls := 0
	err := db.InScope(context.Background(), &cordon.Actor{OrgKind: cordon.OrgPartner, OrgID: 2, PartnerID: 2}, func(context.Context) error {
		calls++
		return want
	})
	if !errors.Is(err, want) || calls != 1 {
		t.Errorf("got err %v after %d calls, want %v after 1", err, calls, want)
	}
}

// TestInstalledBaseRLS: a unit's transfers and milestones are the
// institute's alone. A partner that sees the unit itself (through its job)
// reads none of them and writes none; the institute reads both.
func TestInstalledBaseRLS(t *testing.T) {
	e := newRLSEnv(t)
	ctx := context.Background()
	hefei, institute := e.actor("hefei.tech"), e.actor("dispatcher")
	var unit, from int64
	if err := e.owner.QueryRow(`SELECT u.id, u.customer_id FROM units u JOIN service_requests r ON r.unit_id = u.id
		JOIN jobs j ON j.request_id = r.id WHERE j.partner_id = $1 ORDER BY u.id LIMIT 1`, e.world.Orgs["hefei"]).Scan(&unit, &from); err != nil {
		t.Fatalf("find a unit of a hefei job: %v", err)
	}
	var to int64
	if err := e.owner.QueryRow(`SELECT id FROM customers WHERE id <> $1 ORDER BY id LIMIT 1`, from).Scan(&to); err != nil {
		t.Fatal(err)
	}
	by := e.world.Users["dispatcher"]
	// The demo world tracks its units: start this one from nothing.
	e.ownerExec(t, `DELETE FROM unit_milestones WHERE unit_id = $1`, unit)
	e.ownerExec(t, `INSERT INTO unit_transfers (unit_id, from_customer_id, to_customer_id, from_site_city, to_site_city, at, by_user)
		VALUES ($1, $2, $3, 'Hefei', 'Hefei', $4, $5)`, unit, from, to, rlsNow, by)
	e.ownerExec(t, `INSERT INTO unit_milestones (unit_id, kind, happened_on, recorded_by, recorded_at)
		VALUES ($1, 'shipped', $2, $3, $2)`, unit, rlsNow, by)

	catalog := store.NewCatalogStore(e.db)
	type seen struct{ unit, transfers, milestones int }
	look := func(a *cordon.Actor) seen {
		t.Helper()
		var s seen
		err := e.db.InScope(ctx, a, func(ctx context.Context) error {
			if _, err := catalog.FindUnitByID(ctx, unit); err == nil {
				s.unit = 1
			}
			trs, err := catalog.FindTransfers(ctx, unit)
			if err != nil {
				return err
			}
			ms, err := catalog.FindMilestones(ctx, unit)
			if err != nil {
				return err
			}
			s.transfers, s.milestones = len(trs), len(ms)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", a.Username, err)
		}
		return s
	}
	if got, want := look(hefei), (seen{unit: 1}); got != want {
		t.Errorf("hefei sees %+v, want %+v", got, want)
	}
	if got, want := look(institute), (seen{unit: 1, transfers: 1, milestones: 1}); got != want {
		t.Errorf("the institute sees %+v, want %+v", got, want)
	}
	for name, write := range map[string]func(ctx context.Context) error{
		"milestone": func(ctx context.Context) error {
			return catalog.CreateMilestone(ctx, &cordon.Milestone{UnitID: unit, Kind: cordon.MilestoneArrived, On: rlsNow, RecordedBy: hefei.UserID})
		},
		"transfer": func(ctx context.Context) error {
			return catalog.CreateTransfer(ctx, &cordon.UnitTransfer{UnitID: unit, FromCustomerID: from, ToCustomerID: to, By: hefei.UserID})
		},
	} {
		if err := e.db.InScope(ctx, hefei, write); err == nil {
			t.Errorf("hefei wrote a %s", name)
		}
	}
	var n int
	if err := e.owner.QueryRow(`SELECT (SELECT count(*) FROM unit_milestones WHERE unit_id = $1) + (SELECT count(*) FROM unit_transfers WHERE unit_id = $1)`, unit).Scan(&n); err != nil || n != 2 {
		t.Errorf("rows after hefei's writes: %d, %v; want 2", n, err)
	}
}
