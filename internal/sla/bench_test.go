package sla_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/sla"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// benchNow is the sweeper's clock in the benchmark.
var benchNow = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// seedOpenJobs makes a fresh PostgreSQL schema with n open jobs under one
// contract, offered over the two days before benchNow, spread over the four
// priorities and the open statuses with their timelines (offered 1 event,
// up to waiting for parts 5): a mix of ok, at risk and breached. The bulk
// goes in with generate_series, in seconds.
func seedOpenJobs(b *testing.B, n int) (*store.DB, string) {
	b.Helper()
	ctx := context.Background()
	url := storetest.PostgresURL(b)
	db, err := store.Open(ctx, store.Config{URL: url, MaxOpenConns: 8, Now: func() time.Time { return benchNow }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	inst := &cordon.Org{Code: "institute", Name: "研究所", Kind: cordon.OrgInstitute, HomeCity: "Hefei"}
	partner := &cordon.Org{Code: "hefei", Name: "Hefei Service", Kind: cordon.OrgPartner, HomeCity: "Hefei"}
	for _, o := range []*cordon.Org{inst, partner} {
		if err := store.NewOrgStore(db).CreateOrg(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
	user := &cordon.User{OrgID: inst.ID, Username: "dispatcher", PasswordHash: "x", Roles: []cordon.Role{cordon.RoleDispatcher}}
	if err := store.NewUserStore(db).CreateUser(ctx, user); err != nil {
		b.Fatal(err)
	}
	cust := &cordon.Customer{Code: "C-0001", City: "Hefei"}
	if err := store.NewCustomerStore(db).CreateCustomer(ctx, cust); err != nil {
		b.Fatal(err)
	}
	line := &cordon.ProductLine{Code: "radar", Name: "雷达"}
	if err := store.NewCatalogStore(db).CreateProductLine(ctx, line); err != nil {
		b.Fatal(err)
	}
	h := time.Hour
	c := &cordon.Contract{Number: "HF-2026-001", PartnerID: partner.ID, Status: cordon.ContractActive,
		EffectiveFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), ExpiresOn: time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC),
		Scope: cordon.Scope{Cities: []string{"Hefei"}, ProductLines: []string{"radar"}, ServiceTypes: cordon.Categories,
			DocumentCeiling: cordon.ClassInternal, Disclosure: cordon.DiscloseCity},
		SLA: map[cordon.Priority]cordon.SLATerms{
			cordon.P1: {Accept: 30 * time.Minute, Respond: h, OnSite: 4 * h, Resolve: 24 * h},
			cordon.P2: {Accept: h, Respond: 2 * h, OnSite: 8 * h, Resolve: 48 * h},
			cordon.P3: {Accept: 4 * h, Respond: 8 * h, OnSite: 48 * h, Resolve: 120 * h},
			cordon.P4: {Accept: 24 * h, Respond: 48 * h, OnSite: 168 * h, Resolve: 720 * h},
		},
		Clauses: cordon.Clauses{"jobs": "§3.1", "customers": "§6.2", "documents": "§5.1"},
	}
	if err := store.NewContractStore(db).CreateContract(ctx, c); err != nil {
		b.Fatal(err)
	}
	now := "'" + benchNow.Format(time.RFC3339) + "'::timestamptz"
	for _, q := range []string{
		fmt.Sprintf(`INSERT INTO service_requests (customer_id, product_line_id, category, priority, description, site_city, status, created_by, created_at)
			SELECT %d, %d, 'fault', (ARRAY['P1','P2','P3','P4'])[1 + g %% 4], 'bench', 'Hefei', 'dispatched', %d, %s - (g %% 2880) * interval '1 minute'
			FROM generate_series(1, %d) g`, cust.ID, line.ID, user.ID, now, n),
		// Status by id: offered, accepted, en_route, on_site, waiting_parts,
		// reached 0, 10, 20, 40 and 60 minutes after the offer.
		fmt.Sprintf(`INSERT INTO jobs (request_id, partner_id, contract_id, status, offered_at, created_at, updated_at)
			SELECT r.id, %d, %d, (ARRAY['offered','accepted','en_route','on_site','waiting_parts'])[1 + (r.id / 4) %% 5],
				r.created_at, r.created_at, r.created_at + (ARRAY[0, 10, 20, 40, 60])[1 + (r.id / 4) %% 5] * interval '1 minute'
			FROM service_requests r`, partner.ID, c.ID),
		`INSERT INTO job_events (job_id, at, from_status, to_status)
			SELECT j.id, j.offered_at + s.after * interval '1 minute', s.from_status, s.to_status
			FROM jobs j JOIN (VALUES (0, '', 'offered', 0), (10, 'offered', 'accepted', 1), (20, 'accepted', 'en_route', 2),
				(40, 'en_route', 'on_site', 3), (60, 'on_site', 'waiting_parts', 4)) AS s(after, from_status, to_status, step)
				ON s.step <= (j.request_id / 4) % 5
			ORDER BY j.id, s.step`,
		`VACUUM ANALYZE jobs`,
		`VACUUM ANALYZE job_events`,
		`VACUUM ANALYZE service_requests`,
	} {
		storetest.Exec(b, url, "", q)
	}
	return db, url
}

// BenchmarkSweep100k sweeps 100,000 open jobs on PostgreSQL: "first" with
// every job's state to store (and the breaches to escalate), "steady" a
// full sweep with nothing changed since the last, "stale-only" a round
// between full sweeps with nothing changed. The target is ≤ 2 s a sweep.
//
//	CORDON_TEST_DATABASE_URL=... go test ./internal/sla/ -run '^$' -bench Sweep100k -benchtime 3x -count 5
func BenchmarkSweep100k(b *testing.B) {
	const n = 100000
	db, url := seedOpenJobs(b, n)
	s := sla.NewSweeper(sla.SweeperConfig{Store: store.NewSLAStore(db), Contracts: store.NewContractStore(db),
		Now: func() time.Time { return benchNow }})
	ctx := context.Background()
	check := func(res sla.SweepResult) {
		if res.Jobs != n {
			b.Fatalf("swept %d jobs, want %d", res.Jobs, n)
		}
	}
	b.Run("first", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			storetest.Exec(b, url, "", "UPDATE jobs SET sla_state = 'ok', sla_breached = '', sla_checked_at = NULL")
			storetest.Exec(b, url, "", "DELETE FROM sla_escalations")
			b.StartTimer()
			res, err := s.SweepOnce(ctx)
			if err != nil {
				b.Fatal(err)
			}
			check(res)
			if res.Saved != n || res.Breached == 0 || res.AtRisk == 0 || res.Escalated == 0 {
				b.Fatalf("first sweep: %+v, want every job saved, some at risk and breached", res)
			}
			b.ReportMetric(float64(res.Breached), "breached/op")
			b.ReportMetric(float64(res.AtRisk), "at-risk/op")
			b.ReportMetric(float64(res.Escalated), "escalated/op")
		}
	})
	b.Run("steady", func(b *testing.B) {
		if _, err := s.SweepOnce(ctx); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			res, err := s.SweepOnce(ctx)
			if err != nil {
				b.Fatal(err)
			}
			check(res)
			if res.Saved != 0 || res.Escalated != 0 {
				b.Fatalf("steady sweep: %+v, want nothing to save", res)
			}
		}
	})
	b.Run("stale-only", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			res, err := s.SweepStale(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if res.Jobs != 0 {
				b.Fatalf("a round between full sweeps: %+v, want nothing stale", res)
			}
		}
	})
}
