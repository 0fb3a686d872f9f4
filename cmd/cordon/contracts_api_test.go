package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// partnerIDs returns the demo partners' ids by code, as the API lists them.
func (h *harness) partnerIDs(token string) map[string]int64 {
	h.t.Helper()
	return h.h.PartnerIDs(token)
}

func TestPartnerAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin, _ := h.login("contracts")
		ids := h.partnerIDs(admin)
		if len(ids) != 3 || ids["hefei"] == 0 || ids["wuhan"] == 0 || ids["xian"] == 0 {
			t.Fatalf("partners = %v, want hefei, wuhan, xian", ids)
		}
		tech, _ := h.login("hefei.tech")
		if got := h.partnerIDs(tech); len(got) != 1 || got["hefei"] != ids["hefei"] {
			t.Errorf("hefei.tech lists %v, want only hefei", got)
		}
		own := h.do("GET", fmt.Sprintf("/api/v1/partners/%d", ids["hefei"]), tech, nil)
		if own.Status != 200 {
			t.Errorf("hefei.tech views its own partner: %d", own.Status)
		}
		other := h.do("GET", fmt.Sprintf("/api/v1/partners/%d", ids["wuhan"]), tech, nil)
		missing := h.do("GET", "/api/v1/partners/999999", tech, nil)
		if other.Status != 404 || missing.Status != 404 || other.JSON(t)["detail"] != missing.JSON(t)["detail"] {
			t.Errorf("another partner: %d %s; a missing one: %d %s; want the same 404", other.Status, other.Body, missing.Status, missing.Body)
		}
		inst := int64(h.do("GET", "/api/v1/me", admin, nil).JSON(t)["org"].(map[string]any)["id"].(float64))
		if r := h.do("GET", fmt.Sprintf("/api/v1/partners/%d", inst), admin, nil); r.Status != 404 || r.JSON(t)["detail"] != missing.JSON(t)["detail"] {
			t.Errorf("the institute's own org as a partner: %d %s, want the 404 of a missing partner", r.Status, r.Body)
		}
		for _, bad := range []string{"abc", "-1", "0", "1%2F..%2F2", "99999999999999999999"} {
			if r := h.do("GET", "/api/v1/partners/"+bad, admin, nil); r.Status != 404 {
				t.Errorf("partner id %q: got %d, want 404", bad, r.Status)
			}
		}
		r := h.do("POST", "/api/v1/partners", admin, map[string]string{"code": "nanjing", "name": "南京服务", "home_city": "Nanjing"})
		if r.Status != 201 {
			t.Fatalf("create partner: %d %s", r.Status, r.Body)
		}
		if r := h.do("POST", "/api/v1/partners", admin, map[string]string{"code": "nanjing", "name": "again", "home_city": "Nanjing"}); r.Status != 409 {
			t.Errorf("duplicate partner code: got %d, want 409", r.Status)
		}
		if r := h.do("POST", "/api/v1/partners", admin, map[string]any{"code": "x1", "name": "n", "home_city": "c", "id": 5}); r.Status != 400 {
			t.Errorf("mass assignment of id: got %d, want 400", r.Status)
		}
		r = h.do("PATCH", fmt.Sprintf("/api/v1/partners/%d", ids["wuhan"]), admin, map[string]string{"contact": "027-0000"})
		if r.Status != 200 || r.JSON(t)["contact"] != "027-0000" {
			t.Errorf("patch partner: %d %s", r.Status, r.Body)
		}
		if r := h.do("PATCH", fmt.Sprintf("/api/v1/partners/%d", ids["hefei"]), tech, map[string]string{"name": "mine now"}); r.Status != 403 {
			t.Errorf("partner technician patches its partner: got %d, want 403", r.Status)
		}
	})
}

const nanjingContract = `number: NJ-2026-001
partner: nanjing
effective: 2026-01-01
expires: 2027-12-31
scope:
  cities: [Nanjing]
  product_lines: [radar]
  service_types: [fault, maintenance]
  document_ceiling: public
  disclosure:
    level: city
    grace_hours: 24
sla:
  P1: {accept: 30m, respond: 1h, on_site: 4h, resolve: 24h}
  P2: {accept: 1h, respond: 2h, on_site: 8h, resolve: 48h}
  P3: {accept: 4h, respond: 8h, on_site: 24h, resolve: 5d}
  P4: {accept: 8h, respond: 24h, on_site: 3d, resolve: 10d}
clauses:
  jobs: "§2.1 Territory"
  customers: "§4.1 Customer data"
  documents: "§5.1 Documents"
`

func TestContractAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin, _ := h.login("contracts")
		r := h.do("GET", "/api/v1/contracts?status=active", admin, nil)
		if r.Status != 200 || r.JSON(t)["total"].(float64) != 2 {
			t.Fatalf("active contracts: %d %s", r.Status, r.Body)
		}
		legal, _ := h.login("legal")
		if r := h.do("GET", "/api/v1/contracts", legal, nil); r.Status != 200 {
			t.Errorf("legal lists contracts: %d", r.Status)
		}
		tech, _ := h.login("hefei.tech")
		if r := h.do("GET", "/api/v1/contracts", tech, nil); r.Status != 403 {
			t.Errorf("partner lists contracts: got %d, want 403", r.Status)
		}
		if r := h.do("POST", "/api/v1/partners", admin, map[string]string{"code": "nanjing", "name": "南京服务", "home_city": "Nanjing"}); r.Status != 201 {
			t.Fatalf("create partner: %d %s", r.Status, r.Body)
		}
		bad := strings.Replace(nanjingContract, "cities: [Nanjing]", "cities: [Nanjing, Atlantis]", 1)
		r = h.do("POST", "/api/v1/contracts", admin, bad, "Content-Type", "application/yaml")
		if r.Status != 400 || !strings.Contains(r.JSON(t)["detail"].(string), `contract:6:21:`) || !strings.Contains(string(r.Body), "Atlantis") {
			t.Errorf("unknown city: got %d %s, want 400 naming line 6 and the city", r.Status, r.Body)
		}
		r = h.do("POST", "/api/v1/contracts", admin, nanjingContract, "Content-Type", "application/yaml")
		if r.Status != 201 || r.JSON(t)["status"] != "draft" {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		id := int64(r.JSON(t)["id"].(float64))
		r = h.do("POST", "/api/v1/contracts", admin, strings.Replace(nanjingContract, "document_ceiling: public", "document_ceiling: internal", 1), "Content-Type", "application/yaml")
		if r.Status != 200 || r.JSON(t)["scope"].(map[string]any)["document_ceiling"] != "internal" {
			t.Fatalf("re-import of the draft: %d %s", r.Status, r.Body)
		}
		if r := h.do("GET", fmt.Sprintf("/api/v1/contracts/%d/policy", id), admin, nil); r.Status != 200 || r.JSON(t)["in_force"] != false {
			t.Errorf("policy of a draft: %d %s, want no rows", r.Status, r.Body)
		}
		if r := h.do("POST", fmt.Sprintf("/api/v1/contracts/%d/suspend", id), admin, nil); r.Status != 409 {
			t.Errorf("suspend a draft: got %d, want 409", r.Status)
		}
		r = h.do("POST", fmt.Sprintf("/api/v1/contracts/%d/activate", id), admin, nil)
		if r.Status != 200 || r.JSON(t)["status"] != "active" {
			t.Fatalf("activate: %d %s", r.Status, r.Body)
		}
		r = h.do("GET", fmt.Sprintf("/api/v1/contracts/%d/policy?lang=en", id), legal, nil)
		if r.Status != 200 {
			t.Fatalf("policy: %d %s", r.Status, r.Body)
		}
		rows := r.JSON(t)["rows"].([]any)
		if len(rows) == 0 {
			t.Fatal("an active contract compiles to no rows")
		}
		for _, row := range rows {
			m := row.(map[string]any)
			if m["contract_no"] != "NJ-2026-001" || m["clause"] == "" || m["description"] == "" {
				t.Errorf("row without contract, clause or words: %v", m)
			}
		}
		// A second contract of the same partner over the same scope may not be active at once.
		dup := strings.Replace(nanjingContract, "NJ-2026-001", "NJ-2026-002", 1)
		r = h.do("POST", "/api/v1/contracts", admin, dup, "Content-Type", "application/yaml")
		if r.Status != 201 {
			t.Fatalf("import second: %d %s", r.Status, r.Body)
		}
		id2 := int64(r.JSON(t)["id"].(float64))
		if r := h.do("POST", fmt.Sprintf("/api/v1/contracts/%d/activate", id2), admin, nil); r.Status != 409 {
			t.Errorf("overlapping activation: got %d, want 409: %s", r.Status, r.Body)
		}
	})
}

// TestContractEndRevokesAtOnce: terminating hefei's contract removes its
// compiled scope at once and returns its open jobs for redispatch.
func TestContractEndRevokesAtOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin, _ := h.login("contracts")
		hefei := h.partnerIDs(admin)["hefei"]
		q := cordon.ScopeQuery{PartnerID: hefei, Resource: cordon.ResJob, Action: cordon.ActView, City: "Hefei", ProductLine: "radar", Category: cordon.CatFault}
		if d, err := h.app.Scope.Decide(q); err != nil || !d.Allowed || d.ContractNo != "HF-2026-001" || d.Clause == "" {
			t.Fatalf("before: %+v %v, want allowed under HF-2026-001 with a clause", d, err)
		}
		r := h.do("GET", fmt.Sprintf("/api/v1/contracts?partner_id=%d&status=active", hefei), admin, nil)
		id := int64(r.JSON(t)["items"].([]any)[0].(map[string]any)["id"].(float64))
		if r := h.do("POST", fmt.Sprintf("/api/v1/contracts/%d/terminate", id), admin, nil); r.Status != 200 {
			t.Fatalf("terminate: %d %s", r.Status, r.Body)
		}
		if d, _ := h.app.Scope.Decide(q); d.Allowed {
			t.Errorf("after termination hefei is still allowed: %+v", d)
		}
		if rows := h.app.Scope.Rows(hefei); len(rows) != 0 {
			t.Errorf("after termination hefei still has %d rows", len(rows))
		}
		open, err := countOpenJobs(h, hefei)
		if err != nil {
			t.Fatal(err)
		}
		if open != 0 {
			t.Errorf("hefei still holds %d open jobs after termination", open)
		}
		if r := h.do("POST", fmt.Sprintf("/api/v1/contracts/%d/activate", id), admin, nil); r.Status != 409 {
			t.Errorf("activate a terminated contract: got %d, want 409", r.Status)
		}
	})
}

// countOpenJobs counts the jobs a partner still holds.
func countOpenJobs(h *harness, partnerID int64) (int, error) {
	n := 0
	for _, st := range []cordon.JobStatus{cordon.JobOffered, cordon.JobAccepted, cordon.JobEnRoute, cordon.JobOnSite, cordon.JobWaitingCustomer, cordon.JobWaitingParts, cordon.JobReopened} {
		c, err := h.countJobs(partnerID, st)
		if err != nil {
			return 0, err
		}
		n += c
	}
	return n, nil
}

// TestReplicasFollowContractChanges runs a second replica on the same
// PostgreSQL: a termination on the first reaches the second within 1 s.
func TestReplicasFollowContractChanges(t *testing.T) {
	h := newHarness(t, seededPostgres)
	admin, _ := h.login("contracts")
	hefei := h.partnerIDs(admin)["hefei"]

	second, err := newApp(h.cfg, h.db, slog.New(slog.NewJSONHandler(io.Discard, nil)), h.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go second.Registry.Run(ctx)
	if len(second.Scope.Rows(hefei)) == 0 {
		t.Fatal("the second replica starts without hefei's rows")
	}
	// No wait for the listener: it reloads right after it connects, so a
	// change made before then is seen too.
	r := h.do("GET", fmt.Sprintf("/api/v1/contracts?partner_id=%d&status=active", hefei), admin, nil)
	id := int64(r.JSON(t)["items"].([]any)[0].(map[string]any)["id"].(float64))
	start := time.Now()
	if r := h.do("POST", fmt.Sprintf("/api/v1/contracts/%d/terminate", id), admin, nil); r.Status != 200 {
		t.Fatalf("terminate: %d %s", r.Status, r.Body)
	}
	for len(second.Scope.Rows(hefei)) != 0 {
		if time.Since(start) > time.Second {
			t.Fatalf("the second replica still had hefei's rows %v after the termination", time.Since(start))
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("second replica followed in %v", time.Since(start))
}

// countJobs counts a partner's jobs in a status, straight from the store.
func (h *harness) countJobs(partnerID int64, st cordon.JobStatus) (int, error) {
	return h.h.CountJobs(partnerID, st)
}

func TestPolicyExplain(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		legal, _ := h.login("legal")
		admin, _ := h.login("contracts")
		ids := h.partnerIDs(admin)
		var hefeiJob, wuhanJob int64
		for id := range h.jobsOf(ids["hefei"]) {
			hefeiJob = id
		}
		for id := range h.jobsOf(ids["wuhan"]) {
			wuhanJob = id
		}
		for _, tc := range []struct {
			user, action, resource string
			allowed                bool
			layer, contract        string
		}{
			{"hefei.tech", "view", fmt.Sprintf("job:%d", hefeiJob), true, "scope", "HF-2026-001"},
			{"hefei.tech", "view", fmt.Sprintf("job:%d", wuhanJob), false, "scope", ""},
			{"hefei.tech", "view", "contract", false, "role", ""},
			{"dispatcher", "view", fmt.Sprintf("job:%d", wuhanJob), true, "role", ""},
			{"legal", "create", "contract", false, "role", ""},
		} {
			t.Run(tc.user+" "+tc.action+" "+tc.resource, func(t *testing.T) {
				r := h.do("GET", "/api/v1/policy/explain?user="+tc.user+"&action="+tc.action+"&resource="+tc.resource, legal, nil)
				if r.Status != 200 {
					t.Fatalf("explain: %d %s", r.Status, r.Body)
				}
				m := r.JSON(t)
				if m["allowed"] != tc.allowed || m["layer"] != tc.layer || (tc.contract != "" && (m["contract_no"] != tc.contract || m["clause"] == "")) {
					t.Errorf("got %v, want allowed=%v layer=%s contract=%q", m, tc.allowed, tc.layer, tc.contract)
				}
			})
		}
		tech, _ := h.login("hefei.tech")
		if r := h.do("GET", "/api/v1/policy/explain?user=hefei.tech&action=view&resource=job", tech, nil); r.Status != 403 {
			t.Errorf("a partner asks for explanations: got %d, want 403", r.Status)
		}
		if r := h.do("GET", "/api/v1/policy/explain?user=nobody&action=view&resource=job", legal, nil); r.Status != 404 {
			t.Errorf("unknown user: got %d, want 404", r.Status)
		}
		if r := h.do("GET", "/api/v1/policy/explain?user=legal&action=view&resource=spaceship", legal, nil); r.Status != 400 {
			t.Errorf("unknown resource: got %d, want 400", r.Status)
		}
	})
}

// TestContractExpiryFollowsTheClock: when the clock passes a contract's
// expiry, with no manual step, the contract expires, the partner sees
// nothing, and its open jobs go back to dispatch.
func TestContractExpiryFollowsTheClock(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin, _ := h.login("contracts")
		wuhan := h.partnerIDs(admin)["wuhan"]
		tech, _ := h.login("wuhan.tech")
		if len(h.jobIDs(tech)) == 0 {
			t.Fatal("wuhan sees no jobs before expiry")
		}
		open, _ := countOpenJobs(h, wuhan)
		if open == 0 {
			t.Fatal("wuhan holds no open jobs to return")
		}
		h.clock.Set(time.Date(2027, 7, 1, 0, 0, 1, 0, time.UTC)) // WH-2026-001's last day was 2027-06-30 (UTC+8)
		n, err := h.app.Registry.ExpireDue(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("ExpireDue = %d, %v; want wuhan's contract expired", n, err)
		}
		tech, _ = h.login("wuhan.tech")
		if got := h.jobIDs(tech); len(got) != 0 {
			t.Errorf("after expiry wuhan lists %d jobs", len(got))
		}
		if got := h.documents(tech); len(got) != 0 {
			t.Errorf("after expiry wuhan lists %d documents", len(got))
		}
		if open, _ := countOpenJobs(h, wuhan); open != 0 {
			t.Errorf("after expiry wuhan still holds %d open jobs", open)
		}
		admin, _ = h.login("contracts") // the clock moved past the old token
		r := h.do("GET", fmt.Sprintf("/api/v1/contracts?partner_id=%d", wuhan), admin, nil)
		if st := r.JSON(t)["items"].([]any)[0].(map[string]any)["status"]; st != "expired" {
			t.Errorf("wuhan's contract is %v, want expired", st)
		}
		disp, _ := h.login("dispatcher")
		r = h.do("GET", "/api/v1/requests?status=open&limit=200", disp, nil)
		if r.JSON(t)["total"].(float64) < float64(open) {
			t.Errorf("open requests after expiry: %v, want at least wuhan's %d returned jobs", r.JSON(t)["total"], open)
		}
	})
}
