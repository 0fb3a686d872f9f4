package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store/storetest"
)

// TestJobIsolation is the isolation issue's "done when" for jobs: each
// partner lists exactly the jobs its contract covers, another partner's job
// is the same 404 as a missing one, an expired partner sees nothing, and
// every access is in the log with its contract and clause.
func TestJobIsolation(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		admin, _ := h.Login("contracts")
		ids := h.PartnerIDs(admin)
		hefeiJobs, wuhanJobs, xianJobs := h.JobsOf(ids["hefei"]), h.JobsOf(ids["wuhan"]), h.JobsOf(ids["xian"])
		if len(hefeiJobs) == 0 || len(wuhanJobs) == 0 || len(xianJobs) == 0 {
			t.Fatalf("the demo world lacks partner jobs: %d %d %d", len(hefeiJobs), len(wuhanJobs), len(xianJobs))
		}

		// The oracle, from the contracts: hefei covers Hefei and Wuhu, radar
		// and comms, every type; wuhan covers Wuhan, comms, repair and
		// maintenance; xian's contract has expired.
		covered := func(m map[string]any, cities, lines, types []string) bool {
			in := func(list []string, s any) bool {
				for _, x := range list {
					if x == s {
						return true
					}
				}
				return false
			}
			return in(cities, m["site_city"]) && in(lines, m["product_line"]) && (types == nil || in(types, m["category"]))
		}
		for _, tc := range []struct {
			user   string
			own    map[int64]bool
			cities []string
			lines  []string
			types  []string
		}{
			{"hefei.tech", hefeiJobs, []string{"Hefei", "Wuhu"}, []string{"radar", "comms"}, nil},
			{"wuhan.admin", wuhanJobs, []string{"Wuhan"}, []string{"comms"}, []string{"repair", "maintenance"}},
			{"xian.tech", nil, nil, nil, nil},
		} {
			t.Run(tc.user, func(t *testing.T) {
				tok, _ := h.Login(tc.user)
				got := h.JobIDs(tok)
				for id, m := range got {
					if !tc.own[id] {
						t.Errorf("%s lists job %d, which is not its own", tc.user, id)
					}
					if !covered(m, tc.cities, tc.lines, tc.types) {
						t.Errorf("%s lists job %d outside its contract: %v", tc.user, id, m)
					}
					if c, _ := m["customer"].(string); !strings.HasPrefix(c, "CUST-") {
						t.Errorf("%s sees customer %q, not a pseudonym", tc.user, c)
					}
					if m["contract_no"] == "" || m["clause"] == "" {
						t.Errorf("%s sees job %d without its contract and clause", tc.user, id)
					}
				}
				if tc.own != nil && len(got) != len(tc.own) {
					t.Errorf("%s lists %d jobs, the contract covers %d", tc.user, len(got), len(tc.own))
				}
				if tc.own == nil && len(got) != 0 {
					t.Errorf("%s (expired contract) lists %d jobs, want none", tc.user, len(got))
				}
			})
		}

		tech, _ := h.Login("hefei.tech")
		var hefeiJob, wuhanJob, xianJob int64
		for id := range hefeiJobs {
			hefeiJob = id
		}
		for id := range wuhanJobs {
			wuhanJob = id
		}
		for id := range xianJobs {
			xianJob = id
		}
		missing := h.Do("GET", "/api/v1/jobs/99999999", tech, nil)
		for _, id := range []int64{wuhanJob, xianJob} {
			r := h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d", id), tech, nil)
			if r.Status != 404 || r.JSON(t)["detail"] != missing.JSON(t)["detail"] || r.JSON(t)["title"] != missing.JSON(t)["title"] {
				t.Errorf("hefei.tech asks for foreign job %d: %d %s; a missing one: %d %s", id, r.Status, r.Body, missing.Status, missing.Body)
			}
		}
		r := h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d", hefeiJob), tech, nil)
		if r.Status != 200 || r.JSON(t)["contract_no"] != "HF-2026-001" {
			t.Fatalf("hefei.tech views its own job: %d %s", r.Status, r.Body)
		}
		xtech, _ := h.Login("xian.tech")
		if r := h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d", xianJob), xtech, nil); r.Status != 404 {
			t.Errorf("xian (expired) views its old job: got %d, want 404", r.Status)
		}

		// The log names the contract and clause of each allowed view, and
		// keeps the denials.
		res, view := cordon.ResJob, cordon.ActView
		allowed, denied := cordon.Allow, cordon.Deny
		hid := fmt.Sprint(hefeiJob)
		evs := h.AccessEvents(cordon.AccessEventFilter{Resource: &res, Action: &view, Decision: &allowed, ResourceID: &hid})
		if len(evs) != 1 || evs[0].ContractNo != "HF-2026-001" || evs[0].Clause == "" || evs[0].Purpose != "job:"+hid || evs[0].RequestID == "" {
			t.Errorf("allowed view events = %+v, want one under HF-2026-001 with a clause, purpose and request id", evs)
		}
		evs = h.AccessEvents(cordon.AccessEventFilter{Resource: &res, Decision: &denied})
		if len(evs) != 4 { // wuhan's, xian's and the missing job by hefei; xian's own by xian
			t.Errorf("denied events = %d, want 4: %+v", len(evs), evs)
		}

		// Institute users see every job, with the customer by reference.
		disp, _ := h.Login("dispatcher")
		all := h.JobIDs(disp)
		for id := range wuhanJobs {
			if all[id] == nil {
				t.Errorf("the dispatcher does not see wuhan's job %d", id)
			}
		}
	})
}

// TestAccessLogFailsClosed: when the access event cannot be written, the
// job is not served.
func TestAccessLogFailsClosed(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			engine := apptest.SQLite
			if dialect == "postgres" {
				engine = apptest.Postgres
			}
			h := apptest.New(t, engine)
			admin, _ := h.Login("contracts")
			var job int64
			for id := range h.JobsOf(h.PartnerIDs(admin)["hefei"]) {
				job = id
			}
			tech, _ := h.Login("hefei.tech")
			if r := h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d", job), tech, nil); r.Status != 200 {
				t.Fatalf("before: %d", r.Status)
			}
			if dialect == "postgres" {
				storetest.Exec(t, h.URL, "", "CREATE FUNCTION refuse_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'broken log'; END $$; CREATE TRIGGER broken BEFORE INSERT ON access_events FOR EACH ROW EXECUTE FUNCTION refuse_insert()")
			} else {
				storetest.Exec(t, "", h.DataDir, "CREATE TRIGGER broken BEFORE INSERT ON access_events BEGIN SELECT RAISE(ABORT, 'broken log'); END")
			}
			r := h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d", job), tech, nil)
			if r.Status != 500 || strings.Contains(string(r.Body), "site_city") || strings.Contains(string(r.Body), "broken log") {
				t.Errorf("with the log broken: %d %s, want 500 without data or driver text", r.Status, r.Body)
			}
		})
	}
}

// TestExpiredPartnerKeepsOnlyItsProfile: out of force, a partner's users
// can still log in and see who they are, and nothing else.
func TestExpiredPartnerKeepsOnlyItsProfile(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		tok, _ := h.Login("xian.tech")
		if r := h.Do("GET", "/api/v1/me", tok, nil); r.Status != 200 || r.JSON(t)["username"] != "xian.tech" {
			t.Errorf("/me out of force: %d %s", r.Status, r.Body)
		}
		if got := h.JobIDs(tok); len(got) != 0 {
			t.Errorf("out of force, %d jobs listed", len(got))
		}
		if got := h.Documents(tok); len(got) != 0 {
			t.Errorf("out of force, %d documents listed", len(got))
		}
	})
}
