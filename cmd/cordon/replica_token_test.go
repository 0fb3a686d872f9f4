package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestReplicaTokenAfterContractEnd: two replicas on one PostgreSQL. The
// institute ends hefei's contract through replica A (termination, or the
// clock passing its expiry); hefei's token, issued before, gets nothing on
// its very next request to replica B: an empty job list and a 404 for the
// job it saw a moment ago. Replica B's contract registry is not running
// (no LISTEN, no reload): its compiled Casbin rows still allow hefei, and
// row-level security alone ends the contract on that replica.
func TestReplicaTokenAfterContractEnd(t *testing.T) {
	for _, end := range []string{"terminate", "expire"} {
		t.Run(end, func(t *testing.T) {
			a := newHarness(t, seededPostgres)
			b := a.replica()
			admin, _ := a.login("contracts")
			hefei := a.partnerIDs(admin)["hefei"]
			r := a.do("GET", fmt.Sprintf("/api/v1/contracts?partner_id=%d&status=active", hefei), admin, nil)
			contract := r.JSON(t)["items"].([]any)[0].(map[string]any)
			if end == "expire" {
				expires, err := time.Parse("2006-01-02", contract["expires"].(string))
				if err != nil {
					t.Fatalf("contract expiry %v: %v", contract["expires"], err)
				}
				a.clock.Add(expires.Add(-5 * time.Minute).Sub(a.clock.Now()))
			}
			token, _ := a.login("hefei.admin")
			ids := b.jobIDs(token)
			if len(ids) == 0 {
				t.Fatal("hefei sees no job on replica B before the contract ends")
			}
			var id int64
			for k := range ids {
				id = k
				break
			}
			if r := b.do("GET", fmt.Sprintf("/api/v1/jobs/%d", id), token, nil); r.Status != 200 {
				t.Fatalf("before: job %d on replica B: %d %s", id, r.Status, r.Body)
			}
			switch end {
			case "terminate":
				if r := a.do("POST", fmt.Sprintf("/api/v1/contracts/%d/terminate", int64(contract["id"].(float64))), admin, nil); r.Status != 200 {
					t.Fatalf("terminate on replica A: %d %s", r.Status, r.Body)
				}
			case "expire":
				a.clock.Add(10 * time.Minute) // the token (15 min) is still valid
			}
			if len(b.app.Scope.Rows(hefei)) == 0 {
				t.Fatal("replica B's registry dropped hefei's rows: the test no longer shows the data layer alone")
			}
			if got := b.jobIDs(token); len(got) != 0 {
				t.Errorf("after the contract ended on A, hefei lists %d jobs on replica B, want none", len(got))
			}
			r = b.do("GET", fmt.Sprintf("/api/v1/jobs/%d", id), token, nil)
			if r.Status != 404 {
				t.Errorf("after the contract ended on A, job %d on replica B: %d %s, want 404", id, r.Status, r.Body)
			}
			missing := b.do("GET", "/api/v1/jobs/987654", token, nil)
			if string(stripRequestID(r.Body)) != string(stripRequestID(missing.Body)) {
				t.Errorf("the 404 differs from a missing job's:\n%s\n%s", r.Body, missing.Body)
			}
		})
	}
}

// stripRequestID removes the request id from a problem body.
func stripRequestID(b []byte) string {
	s := string(b)
	if i := strings.Index(s, `"request_id"`); i >= 0 {
		return s[:i]
	}
	return s
}

// TestReplicaLogoutAndDisable: a logout through replica A, and a user
// disabled by the CLI (a third process), refuse the token on replica B's
// next request.
func TestReplicaLogoutAndDisable(t *testing.T) {
	a := newHarness(t, seededPostgres)
	b := a.replica()
	access, refresh := a.login("hefei.tech")
	if r := b.do("GET", "/api/v1/me", access, nil); r.Status != 200 {
		t.Fatalf("before logout, on replica B: %d %s", r.Status, r.Body)
	}
	if r := a.do("POST", "/api/v1/auth/logout", access, nil); r.Status != 204 {
		t.Fatalf("logout on replica A: %d %s", r.Status, r.Body)
	}
	if r := b.do("GET", "/api/v1/me", access, nil); r.Status != 401 {
		t.Errorf("access token after logout on A, on replica B: %d, want 401", r.Status)
	}
	if r := b.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh}); r.Status != 401 {
		t.Errorf("refresh token after logout on A, on replica B: %d, want 401", r.Status)
	}

	access, _ = b.login("wuhan.tech")
	if r := a.do("GET", "/api/v1/me", access, nil); r.Status != 200 {
		t.Fatalf("before disable, on replica A: %d %s", r.Status, r.Body)
	}
	var out strings.Builder
	if err := run(t.Context(), []string{"users", "disable", "--username", "wuhan.tech"}, a.env(), strings.NewReader(""), &out, &out); err != nil {
		t.Fatalf("users disable: %v: %s", err, out.String())
	}
	for name, h := range map[string]*harness{"A": a, "B": b} {
		if r := h.do("GET", "/api/v1/me", access, nil); r.Status != 401 {
			t.Errorf("access token after disable, on replica %s: %d, want 401", name, r.Status)
		}
	}
}
