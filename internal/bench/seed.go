package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cordon/cordon/internal/cordon"
)

// Stores are the product's services the seeder writes the rows through
// whose format the product owns.
type Stores struct {
	Orgs      cordon.OrgStore
	Users     cordon.UserStore
	Catalog   cordon.CatalogStore
	Contracts cordon.ContractStore
	// Tx runs fn in one transaction (store.DB.WithTx).
	Tx func(ctx context.Context, fn func(ctx context.Context) error) error
}

// Partner is one seeded partner company with its technician and contract.
type Partner struct {
	OrgID, UserID, ContractID int64
	Username, ContractNo      string
	Cities, Lines             []string
	// Disclose are jobs of the partner whose customer it may see now.
	Disclose []int64
}

// World is what Seed made, or found.
type World struct {
	Partners []*Partner
	Lines    []string // product line codes
	Cities   []string
	Found    bool // the world was already there: nothing was seeded
}

// The product lines of the bench world; each partner's contract covers two.
var benchLines = []string{"radar", "comms", "power", "sonar", "nav", "optics"}

// cityCount is how many cities customers live in; each contract names three.
const cityCount = 20

// InstituteCode is the institute's organisation code (the product's own).
const InstituteCode = "institute"

func partnerCode(p int) string { return fmt.Sprintf("bench-p%04d", p+1) }

// partnerScope is the cities and product lines partner p's contract covers.
func partnerScope(p int, cities []string) (cs, ls []string) {
	for k := range 3 {
		cs = append(cs, cities[(p+k)%cityCount])
	}
	return cs, []string{benchLines[p%len(benchLines)], benchLines[(p+1)%len(benchLines)]}
}

// Seed fills an empty database (migrated, with no institute) with size's
// world at now, or finds the world an earlier Seed of the same size left.
// Every user's password is Password, hashed once by hash. log hears what
// it does and how long each step took.
func Seed(ctx context.Context, pool *pgxpool.Pool, s Stores, size Size, cities []string, hash func(string) (string, error), now time.Time, log io.Writer) (*World, error) {
	if len(cities) < cityCount {
		return nil, fmt.Errorf("seed: need %d cities, have %d", cityCount, len(cities))
	}
	if size.Customers < cityCount {
		return nil, fmt.Errorf("seed: need at least %d customers", cityCount)
	}
	w := &World{Lines: benchLines, Cities: cities[:cityCount]}
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM orgs WHERE code = $1", InstituteCode).Scan(&n); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if n > 0 {
		if err := w.find(ctx, pool, size); err != nil {
			return nil, err
		}
		w.Found = true
		return w, w.disclosable(ctx, pool)
	}
	step := func(name string, t0 time.Time) { fmt.Fprintf(log, "  %-28s %6.1fs\n", name, time.Since(t0).Seconds()) }
	t0 := time.Now()
	hashed, err := hash(Password)
	if err != nil {
		return nil, err
	}
	var inst, desk int64
	lineIDs := make([]int64, len(benchLines))
	var modelIDs []int64
	err = s.Tx(ctx, func(ctx context.Context) error {
		org := &cordon.Org{Code: InstituteCode, Name: "Institute (bench)", Kind: cordon.OrgInstitute, HomeCity: w.Cities[0]}
		if err := s.Orgs.CreateOrg(ctx, org); err != nil {
			return err
		}
		inst = org.ID
		u := &cordon.User{OrgID: inst, Username: "bench.dispatcher", DisplayName: "Dispatcher (bench)",
			PasswordHash: hashed, Roles: []cordon.Role{cordon.RoleDispatcher}}
		if err := s.Users.CreateUser(ctx, u); err != nil {
			return err
		}
		desk = u.ID
		for i, code := range benchLines {
			l := &cordon.ProductLine{Code: code, Name: code}
			if err := s.Catalog.CreateProductLine(ctx, l); err != nil {
				return err
			}
			lineIDs[i] = l.ID
			for m := range 3 {
				md := &cordon.Model{ProductLineID: l.ID, Code: fmt.Sprintf("%s-%d", code, m+1), Name: fmt.Sprintf("%s model %d", code, m+1)}
				if err := s.Catalog.CreateModel(ctx, md); err != nil {
					return err
				}
				modelIDs = append(modelIDs, md.ID)
			}
		}
		for p := range size.Partners {
			cs, ls := partnerScope(p, w.Cities)
			o := &cordon.Org{Code: partnerCode(p), Name: fmt.Sprintf("Partner %d (bench)", p+1), Kind: cordon.OrgPartner, HomeCity: cs[0]}
			if err := s.Orgs.CreateOrg(ctx, o); err != nil {
				return err
			}
			u := &cordon.User{OrgID: o.ID, Username: fmt.Sprintf("p%04d.tech", p+1), DisplayName: "Technician",
				PasswordHash: hashed, Roles: []cordon.Role{cordon.RolePartnerTechnician}}
			if err := s.Users.CreateUser(ctx, u); err != nil {
				return err
			}
			c := &cordon.Contract{
				Number: fmt.Sprintf("BN-%04d", p+1), PartnerID: o.ID, Status: cordon.ContractActive,
				EffectiveFrom: now.AddDate(-2, 0, 0).Truncate(24 * time.Hour), ExpiresOn: now.AddDate(1, 0, 0).Truncate(24 * time.Hour),
				Scope: cordon.Scope{Cities: cs, ProductLines: ls, ServiceTypes: cordon.Categories,
					DocumentCeiling: cordon.ClassInternal, Disclosure: cordon.DiscloseSiteContact, DisclosureGraceHours: 72},
				SLA: map[cordon.Priority]cordon.SLATerms{
					cordon.P1: {Accept: 30 * time.Minute, Respond: time.Hour, OnSite: 4 * time.Hour, Resolve: 24 * time.Hour},
					cordon.P2: {Accept: time.Hour, Respond: 2 * time.Hour, OnSite: 8 * time.Hour, Resolve: 48 * time.Hour},
					cordon.P3: {Accept: 4 * time.Hour, Respond: 8 * time.Hour, OnSite: 48 * time.Hour, Resolve: 120 * time.Hour},
					cordon.P4: {Accept: 24 * time.Hour, Respond: 48 * time.Hour, OnSite: 168 * time.Hour, Resolve: 720 * time.Hour},
				},
				Clauses: cordon.Clauses{"jobs": "§3.1", "customers": "§6.2", "documents": "§5.1", "sla": "§4", "breach": "§9.3"},
			}
			if err := s.Contracts.CreateContract(ctx, c); err != nil {
				return err
			}
			w.Partners = append(w.Partners, &Partner{OrgID: o.ID, UserID: u.ID, ContractID: c.ID,
				Username: u.Username, ContractNo: c.Number, Cities: cs, Lines: ls})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seed organisations and contracts: %w", err)
	}
	step(fmt.Sprintf("%d partners, contracts", size.Partners), t0)
	orgIDs, userIDs, contractIDs, contractNos := make([]int64, 0, len(w.Partners)), make([]int64, 0, len(w.Partners)), make([]int64, 0, len(w.Partners)), make([]string, 0, len(w.Partners))
	for _, p := range w.Partners {
		orgIDs, userIDs, contractIDs, contractNos = append(orgIDs, p.OrgID), append(userIDs, p.UserID), append(contractIDs, p.ContractID), append(contractNos, p.ContractNo)
	}
	cats := make([]string, len(cordon.Categories))
	for i, c := range cordon.Categories {
		cats[i] = string(c)
	}
	at := now.UTC()
	custPerCity := size.Customers / cityCount
	steps := []struct {
		name string
		sql  string
		args []any
	}{
		{fmt.Sprintf("%d customers", size.Customers), `
INSERT INTO customers (id, code, city, created_at, updated_at)
SELECT g, 'BC' || lpad(g::text, 7, '0'), ($2::text[])[(g - 1) % 20 + 1], $3::timestamptz - interval '3 years',
       $3::timestamptz - interval '3 years'
FROM generate_series(1, $1::int) g`, []any{size.Customers, w.Cities, at}},
		{"customer identities", `
INSERT INTO customer_identities (customer_id, name, unit_designation, contact_person, phone, site_address)
SELECT id, 'Customer ' || id, 'Unit ' || (id % 977), 'Contact ' || id, '0551-' || lpad((id % 10000000)::text, 7, '0'),
       city || ' site ' || id
FROM customers`, nil},
		{"units", `
INSERT INTO units (id, model_id, customer_id, serial, batch, site_city, delivered_on, warranty_end, created_at, updated_at)
SELECT id, ($1::bigint[])[id % array_length($1::bigint[], 1) + 1], id, 'BU' || lpad(id::text, 7, '0'), 'B' || (id % 50),
       city, $2::timestamptz - interval '2 years', $2::timestamptz + interval '1 year',
       $2::timestamptz - interval '2 years', $2::timestamptz - interval '2 years'
FROM customers`, []any{modelIDs, at}},
		// Job g (from 1) belongs to partner (g-1) % P in round r = (g-1) / P;
		// its customer lives in one of the partner's three cities; the round
		// decides its status (r % 20: 14 of 20 closed) and, one round in ten
		// (r % 10 = 9), a product line outside the contract. The newest job
		// is g = J.
		{fmt.Sprintf("%d service requests", size.Jobs), `
INSERT INTO service_requests (id, customer_id, model_id, product_line_id, category, priority, description, site_city, status, created_by, created_at)
SELECT g, cust, ($6::bigint[])[li * 3 + g % 3 + 1], ($5::bigint[])[li + 1], ($7::text[])[g % 10 + 1],
       'P' || (g % 4 + 1), 'Bench request ' || g, ($8::text[])[ci + 1],
       CASE WHEN (g - 1) / $2::int % 20 < 14 THEN 'closed' ELSE 'dispatched' END, $4, $3::timestamptz - ($1::int - g) * interval '30 seconds'
FROM (SELECT g, ci, ci + 1 + 20 * (((g - 1) / $2::int * 7 + (g - 1) % $2::int * 13) % $9::int) AS cust,
             ((g - 1) % $2::int + CASE WHEN (g - 1) / $2::int % 10 = 9 THEN 2 ELSE (g - 1) / $2::int % 2 END) % 6 AS li
      FROM (SELECT g, ((g - 1) % $2::int + (g - 1) / $2::int % 3) % 20 AS ci FROM generate_series(1, $1::int) g) s) t`,
			[]any{size.Jobs, size.Partners, at, desk, lineIDs, modelIDs, cats, w.Cities, custPerCity}},
		{fmt.Sprintf("%d jobs", size.Jobs), `
INSERT INTO jobs (id, request_id, partner_id, contract_id, status, offered_at, offer_expires_at, accepted_at, resolved_at, closed_at, created_at, updated_at)
SELECT g, g, ($2::bigint[])[p + 1], ($3::bigint[])[p + 1], st, c, CASE WHEN st = 'offered' THEN c + interval '1 hour' END,
       CASE WHEN st <> 'offered' THEN c + interval '10 minutes' END,
       CASE WHEN st IN ('resolved', 'closed') THEN least(c + interval '1 hour', $4::timestamptz) END,
       CASE WHEN st = 'closed' THEN least(c + interval '2 hours', $4::timestamptz) END, c, c
FROM (SELECT g, (g - 1) % $5::int AS p, $4::timestamptz - ($1::int - g) * interval '30 seconds' AS c,
             CASE WHEN (g - 1) / $5::int % 20 < 14 THEN 'closed' WHEN (g - 1) / $5::int % 20 IN (14, 19) THEN 'accepted'
                  WHEN (g - 1) / $5::int % 20 = 15 THEN 'en_route' WHEN (g - 1) / $5::int % 20 = 16 THEN 'on_site'
                  WHEN (g - 1) / $5::int % 20 = 17 THEN 'resolved' ELSE 'offered' END AS st
      FROM generate_series(1, $1::int) g) t`, []any{size.Jobs, orgIDs, contractIDs, at, size.Partners}},
		{"job events", `
INSERT INTO job_events (job_id, at, actor_id, from_status, to_status, note)
SELECT id, created_at, NULL, '', status, '' FROM jobs ORDER BY id`, nil},
		{fmt.Sprintf("%d documents", size.Documents), `
INSERT INTO documents (id, title, product_line_id, model_id, classification, version, media_type, size, sha256, uploaded_by, created_at)
SELECT g, 'Bench manual ' || g, ($2::bigint[])[g % 6 + 1], ($3::bigint[])[(g % 6) * 3 + g % 3 + 1],
       (ARRAY['public', 'internal', 'restricted', 'confidential'])[g / 6 % 4 + 1], '1.' || (g % 10),
       'application/pdf', length(b.content), b.sha256, $4, $5::timestamptz - ($1::int - g) * interval '1 hour'
FROM generate_series(1, $1::int) g JOIN (SELECT sha256, content, row_number() OVER (ORDER BY sha256) - 1 AS i FROM blobs) b
  ON b.i = g % 16`, []any{size.Documents, lineIDs, modelIDs, desk, at}},
		{fmt.Sprintf("%d access events", size.Events), `
INSERT INTO access_events (at, user_id, org_id, contract_no, clause, resource, resource_id, action, decision, purpose, request_id, client_ip)
SELECT $3::timestamptz - ($1::int - g) * interval '5 milliseconds', ($4::bigint[])[p + 1], ($5::bigint[])[p + 1],
       ($6::text[])[p + 1], '§3.1', 'job', j::text, 'view', 'allow', 'job:' || j, 'bench-' || g, '127.0.0.1'
FROM (SELECT g, (g - 1) % $2::int AS p, (g::bigint * 7919) % $7::int + 1 AS j FROM generate_series(1, $1::int) g) t
ORDER BY g`, []any{size.Events, size.Partners, at, userIDs, orgIDs, contractNos, size.Jobs}},
	}
	t0 = time.Now()
	if err := seedBlobs(ctx, pool, at); err != nil {
		return nil, err
	}
	for _, st := range steps {
		t0 := time.Now()
		if _, err := pool.Exec(ctx, st.sql, st.args...); err != nil {
			return nil, fmt.Errorf("seed %s: %w", st.name, err)
		}
		step(st.name, t0)
	}
	// Explicit ids leave the identity sequences behind: move them on.
	for _, t := range []string{"customers", "units", "service_requests", "jobs", "documents"} {
		q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT max(id) FROM %s))", t, t)
		if _, err := pool.Exec(ctx, q); err != nil {
			return nil, fmt.Errorf("seed: sequence of %s: %w", t, err)
		}
	}
	// Statistics for the planner, and the visibility map that index-only
	// scans need: what autovacuum keeps up in a database in service.
	t0 = time.Now()
	if _, err := pool.Exec(ctx, "VACUUM (ANALYZE)"); err != nil {
		return nil, fmt.Errorf("seed: vacuum: %w", err)
	}
	step("vacuum, analyze", t0)
	return w, w.disclosable(ctx, pool)
}

// seedBlobs stores the sixteen files the documents share.
func seedBlobs(ctx context.Context, pool *pgxpool.Pool, at time.Time) error {
	rows := make([][]any, 16)
	for i := range rows {
		content := fmt.Appendf(nil, "%%PDF-1.4\n%% bench document %d\n%%%%EOF\n", i)
		sum := sha256.Sum256(content)
		rows[i] = []any{hex.EncodeToString(sum[:]), int64(len(content)), content, at}
	}
	_, err := pool.CopyFrom(ctx, pgx.Identifier{"blobs"}, []string{"sha256", "size", "content", "created_at"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("seed blobs: %w", err)
	}
	return nil
}

// find reads back the partners an earlier Seed made.
func (w *World) find(ctx context.Context, pool *pgxpool.Pool, size Size) error {
	rows, err := pool.Query(ctx, `
SELECT o.id, u.id, u.username, c.id, c.number FROM orgs o
JOIN users u ON u.org_id = o.id JOIN contracts c ON c.partner_id = o.id
WHERE o.code LIKE 'bench-p%' ORDER BY o.code`)
	if err != nil {
		return fmt.Errorf("find the bench world: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p := &Partner{}
		if err := rows.Scan(&p.OrgID, &p.UserID, &p.Username, &p.ContractID, &p.ContractNo); err != nil {
			return fmt.Errorf("find the bench world: %w", err)
		}
		p.Cities, p.Lines = partnerScope(len(w.Partners), w.Cities)
		w.Partners = append(w.Partners, p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find the bench world: %w", err)
	}
	if len(w.Partners) != size.Partners {
		return fmt.Errorf("the database holds another world (%d bench partners, want %d): use an empty database", len(w.Partners), size.Partners)
	}
	return nil
}

// disclosable finds, for each partner, up to ten newest jobs whose
// customer it may see now (accepted, on the way, on site; in scope).
func (w *World) disclosable(ctx context.Context, pool *pgxpool.Pool) error {
	byOrg := make(map[int64]*Partner, len(w.Partners))
	for _, p := range w.Partners {
		byOrg[p.OrgID] = p
	}
	rows, err := pool.Query(ctx, `
SELECT partner_id, id FROM (
  SELECT j.partner_id, j.id, row_number() OVER (PARTITION BY j.partner_id ORDER BY j.id DESC) AS n
  FROM jobs j JOIN service_requests r ON r.id = j.request_id
  WHERE j.status IN ('accepted', 'en_route', 'on_site') AND (j.id - 1) / $1::int % 10 <> 9) t
WHERE n <= 10`, len(w.Partners))
	if err != nil {
		return fmt.Errorf("find disclosable jobs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var org, id int64
		if err := rows.Scan(&org, &id); err != nil {
			return fmt.Errorf("find disclosable jobs: %w", err)
		}
		if p := byOrg[org]; p != nil {
			p.Disclose = append(p.Disclose, id)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find disclosable jobs: %w", err)
	}
	for _, p := range w.Partners {
		if len(p.Disclose) == 0 {
			return errors.New("seed: a partner has no job to disclose: too few jobs for the partners")
		}
	}
	return nil
}
