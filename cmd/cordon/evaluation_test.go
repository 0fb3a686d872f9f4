package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestScorecardFixture: hefei's scorecard for a quarter the demo world does
// not touch, against figures worked out by hand from what the test does.
func TestScorecardFixture(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.clock.t = time.Date(2027, 1, 5, 1, 0, 0, 0, time.UTC) // 2027-Q1, China time
		h.app.sweeper.SweepOnce(context.Background())           // the demo world's own backlog first
		disp, _ := h.login("dispatcher")
		unit := h.unitIn("Hefei", "radar")
		offer := func() int64 {
			req := h.intake(disp, unit, "fault", "P1")
			r := h.do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"to": "auto"})
			if r.Status != 201 || r.JSON(t)["contract_no"] != nil && r.JSON(t)["in_house"] == true {
				t.Fatalf("dispatch: %d %s", r.Status, r.Body)
			}
			return int64(r.JSON(t)["id"].(float64))
		}
		a, b, c := offer(), offer(), offer()
		tech, _ := h.login("hefei.tech")
		move := func(user string, job int64, to string) {
			tok, _ := h.login(user) // the clock moves past access tokens' lifetime
			if r := h.do("POST", fmt.Sprintf("/api/v1/jobs/%d/transition", job), tok, map[string]string{"to": to}); r.Status != 200 {
				t.Fatalf("job %d → %s: %d %s", job, to, r.Status, r.Body)
			}
		}
		// A: accepted in 5 minutes and done within the hour: every clock met.
		h.clock.Add(5 * time.Minute)
		move("hefei.tech", a, "accepted")
		// B: declined.
		if r := h.do("POST", fmt.Sprintf("/api/v1/jobs/%d/decline", b), tech, map[string]string{"reason": "No one free."}); r.Status != 200 {
			t.Fatalf("decline: %d %s", r.Status, r.Body)
		}
		move("hefei.tech", a, "en_route")
		h.clock.Add(20 * time.Minute)
		move("hefei.tech", a, "on_site")
		h.clock.Add(20 * time.Minute)
		move("hefei.tech", a, "resolved")
		move("quality", a, "verified")
		q, _ := h.login("quality")
		if r := h.do("POST", fmt.Sprintf("/api/v1/jobs/%d/survey-call", a), q, map[string]any{"score": 5, "comment": "很满意"}); r.Status != 204 {
			t.Fatalf("survey call: %d %s", r.Status, r.Body)
		}
		// C: left to lapse; the sweep 46 minutes after the offer expires it.
		h.clock.Add(time.Minute)
		if _, err := h.app.sweeper.SweepOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		disp, _ = h.login("dispatcher")
		if r := h.do("GET", fmt.Sprintf("/api/v1/jobs/%d", c), disp, nil); r.JSON(t)["status"] != "expired" {
			t.Fatalf("job C is %v, want expired", r.JSON(t)["status"])
		}

		r := h.do("GET", "/api/v1/partners/"+fmt.Sprint(h.partnerIDs(disp2(h))["hefei"])+"/scorecard?period=2027-Q1", q, nil)
		if r.Status != 200 {
			t.Fatalf("scorecard: %d %s", r.Status, r.Body)
		}
		got := r.JSON(t)
		want := map[string]any{
			"offers": 3.0, "accepted": 1.0, "declined": 1.0, "expired": 1.0,
			"acceptance_rate": 1.0 / 3, "resolved": 1.0, "first_time_fix_rate": 1.0, "reopen_rate": 0.0,
			"satisfaction": 5.0, "responses": 1.0, "complaints": 0.0,
			// A met all four; C breached accept (46 of 30 minutes) and nothing else.
			"sla": map[string]any{
				"accept":  map[string]any{"met": 1.0, "breached": 1.0, "rate": 0.5},
				"respond": map[string]any{"met": 1.0, "breached": 0.0, "rate": 1.0},
				"on_site": map[string]any{"met": 1.0, "breached": 0.0, "rate": 1.0},
				"resolve": map[string]any{"met": 1.0, "breached": 0.0, "rate": 1.0},
			},
			// One breach under the SLA clause (§4), one lapsed offer under the jobs clause (§3.1).
			"penalty_by_clause": map[string]any{"§4": 1.0, "§3.1": 1.0},
		}
		for k, v := range want {
			if diff := cmp.Diff(v, got[k]); diff != "" {
				t.Errorf("%s (-want +got):\n%s", k, diff)
			}
		}
		// score = 0.3·(1/3) + 0.3·mean(0.5, 1, 1, 1) + 0.2·1 + 0.2·(5−1)/4
		//       = 0.1 + 0.2625 + 0.2 + 0.2 = 0.7625
		if s := got["score"].(float64); s < 0.76249 || s > 0.76251 {
			t.Errorf("score = %v, want 0.7625", s)
		}
		// hefei's admin sees its own, not wuhan's; the institute ranks all.
		adm, _ := h.login("hefei.admin")
		ids := h.partnerIDs(disp2(h))
		if r := h.do("GET", fmt.Sprintf("/api/v1/partners/%d/scorecard?period=2027-Q1", ids["hefei"]), adm, nil); r.Status != 200 {
			t.Errorf("own scorecard: %d", r.Status)
		}
		if r := h.do("GET", fmt.Sprintf("/api/v1/partners/%d/scorecard?period=2027-Q1", ids["wuhan"]), adm, nil); r.Status != 404 {
			t.Errorf("another partner's scorecard: got %d, want 404", r.Status)
		}
		r = h.do("GET", "/api/v1/scorecards?period=2027-Q1", q, nil)
		if items := r.JSON(t)["items"].([]any); r.Status != 200 || len(items) != 3 || items[0].(map[string]any)["partner_code"] != "hefei" {
			t.Errorf("ranking: %d %s", r.Status, r.Body)
		}
		if r := h.do("GET", "/api/v1/scorecards?period=2027-Q5", q, nil); r.Status != 400 {
			t.Errorf("bad period: got %d, want 400", r.Status)
		}
	})
}

// disp2 logs in the contract administrator, who lists partners.
func disp2(h *harness) string { tok, _ := h.login("contracts"); return tok }

// TestSurveyLink: a link works once, not after it expires, and not when
// altered; no login is needed.
func TestSurveyLink(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		q, _ := h.login("quality")
		var resolved int64
		for id, m := range h.jobIDs(q) {
			if m["status"] == "closed" {
				resolved = id
			}
		}
		r := h.do("POST", fmt.Sprintf("/api/v1/jobs/%d/survey-link", resolved), q, nil)
		if r.Status != 201 || !strings.Contains(r.JSON(t)["url"].(string), "/survey/") {
			t.Fatalf("survey link: %d %s", r.Status, r.Body)
		}
		token := r.JSON(t)["token"].(string)
		answer := func(tok string, score int) int {
			return h.do("POST", "/api/v1/surveys/answer", "", map[string]any{"token": tok, "score": score, "comment": "好"}).Status
		}
		if got := answer(token[:len(token)-2]+"xx", 4); got != 404 {
			t.Errorf("altered token: got %d, want 404", got)
		}
		if got := answer(token, 9); got != 400 {
			t.Errorf("score 9: got %d, want 400", got)
		}
		if got := answer(token, 4); got != 204 {
			t.Fatalf("answer: got %d, want 204", got)
		}
		if got := answer(token, 4); got != 404 {
			t.Errorf("second answer: got %d, want 404", got)
		}
		r = h.do("POST", fmt.Sprintf("/api/v1/jobs/%d/survey-link", resolved), q, nil)
		late := r.JSON(t)["token"].(string)
		h.clock.Add(15 * 24 * time.Hour)
		if got := answer(late, 4); got != 404 {
			t.Errorf("expired link: got %d, want 404", got)
		}
		tech, _ := h.login("hefei.tech")
		if r := h.do("POST", fmt.Sprintf("/api/v1/jobs/%d/survey-link", resolved), tech, nil); r.Status != 403 {
			t.Errorf("a partner makes a survey link: got %d, want 403", r.Status)
		}
	})
}
