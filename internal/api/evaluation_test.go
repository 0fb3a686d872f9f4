package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/pdfdoc/pdftest"
	"github.com/google/go-cmp/cmp"
)

// TestScorecardFixture: hefei's scorecard for a quarter the demo world does
// not touch, against figures worked out by hand from what the test does.
func TestScorecardFixture(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		h.Clock.Set(time.Date(2027, 1, 5, 1, 0, 0, 0, time.UTC)) // 2027-Q1, China time
		h.App.Sweeper.SweepOnce(context.Background())            // the demo world's own backlog first
		disp, _ := h.Login("dispatcher")
		unit := h.UnitIn("Hefei", "radar")
		offer := func() int64 {
			req := h.Intake(disp, unit, "fault", "P1")
			r := h.Do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"to": "auto"})
			if r.Status != 201 || r.JSON(t)["contract_no"] != nil && r.JSON(t)["in_house"] == true {
				t.Fatalf("dispatch: %d %s", r.Status, r.Body)
			}
			return int64(r.JSON(t)["id"].(float64))
		}
		a, b, c := offer(), offer(), offer()
		tech, _ := h.Login("hefei.tech")
		move := func(user string, job int64, to string) {
			tok, _ := h.Login(user) // the clock moves past access tokens' lifetime
			if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/transition", job), tok, map[string]string{"to": to}); r.Status != 200 {
				t.Fatalf("job %d → %s: %d %s", job, to, r.Status, r.Body)
			}
		}
		// A: accepted in 5 minutes and done within the hour: every clock met.
		h.Clock.Add(5 * time.Minute)
		move("hefei.tech", a, "accepted")
		// B: declined.
		if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/decline", b), tech, map[string]string{"reason": "No one free."}); r.Status != 200 {
			t.Fatalf("decline: %d %s", r.Status, r.Body)
		}
		move("hefei.tech", a, "en_route")
		h.Clock.Add(20 * time.Minute)
		move("hefei.tech", a, "on_site")
		h.Clock.Add(20 * time.Minute)
		move("hefei.tech", a, "resolved")
		move("quality", a, "verified")
		q, _ := h.Login("quality")
		if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/survey-call", a), q, map[string]any{"score": 5, "comment": "很满意"}); r.Status != 204 {
			t.Fatalf("survey call: %d %s", r.Status, r.Body)
		}
		// C: left to lapse; the sweep 46 minutes after the offer expires it.
		h.Clock.Add(time.Minute)
		if _, err := h.App.Sweeper.SweepOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		disp, _ = h.Login("dispatcher")
		if r := h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d", c), disp, nil); r.JSON(t)["status"] != "expired" {
			t.Fatalf("job C is %v, want expired", r.JSON(t)["status"])
		}

		r := h.Do("GET", "/api/v1/partners/"+fmt.Sprint(h.PartnerIDs(disp2(h))["hefei"])+"/scorecard?period=2027-Q1", q, nil)
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
			// hefei's incentives: one breach under the SLA clause (§4) at two
			// points, one lapsed offer under the jobs clause (§3.1) at one.
			"penalty_by_clause": map[string]any{"§4": 2.0, "§3.1": 1.0},
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
		adm, _ := h.Login("hefei.admin")
		ids := h.PartnerIDs(disp2(h))
		if r := h.Do("GET", fmt.Sprintf("/api/v1/partners/%d/scorecard?period=2027-Q1", ids["hefei"]), adm, nil); r.Status != 200 {
			t.Errorf("own scorecard: %d", r.Status)
		}
		if r := h.Do("GET", fmt.Sprintf("/api/v1/partners/%d/scorecard?period=2027-Q1", ids["wuhan"]), adm, nil); r.Status != 404 {
			t.Errorf("another partner's scorecard: got %d, want 404", r.Status)
		}
		r = h.Do("GET", "/api/v1/scorecards?period=2027-Q1", q, nil)
		if items := r.JSON(t)["items"].([]any); r.Status != 200 || len(items) != 3 || items[0].(map[string]any)["partner_code"] != "hefei" {
			t.Errorf("ranking: %d %s", r.Status, r.Body)
		}
		if r := h.Do("GET", "/api/v1/scorecards?period=2027-Q5", q, nil); r.Status != 400 {
			t.Errorf("bad period: got %d, want 400", r.Status)
		}
		checkEvaluationReport(t, h, q, adm, ids)
	})
}

// checkEvaluationReport: hefei's report for the fixture's quarter, against
// the same hand-computed figures and the amounts its incentives imply:
// jobs §3.1 1 lapsed offer × 1 point × 200 yuan = 200; sla §4 1 breach × 2
// points × 500 yuan = 1000; 3 points, 1200 yuan of penalties; the score
// 0.7625 ≥ 0.75 with 3 ≤ 5 points earns the 20000 yuan reward; net 18800.
func checkEvaluationReport(t *testing.T, h *apptest.Harness, institute, hefeiAdmin string, ids map[string]int64) {
	t.Helper()
	report := fmt.Sprintf("/api/v1/partners/%d/evaluation-report?period=2027-Q1", ids["hefei"])
	for _, tc := range []struct{ lang, offers, lapsed, breach, reward, earned, net string }{
		{"en", "offers", "lapsed offer", "breached SLA clock", "reward", "earned", "net (reward − penalties)"},
		{"zh-CN", "派单数", "派单超时未接", "SLA时限违约", "奖励", "已达成", "净额（奖励−扣罚）"},
	} {
		r := h.Do("GET", report+"&format=csv&lang="+tc.lang, institute, nil)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s CSV: %d %s %s", tc.lang, r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		if bytes.HasPrefix(r.Body, []byte("\xef\xbb\xbf")) {
			t.Errorf("%s CSV starts with a byte order mark", tc.lang)
		}
		rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
		if err != nil {
			t.Fatalf("%s CSV does not parse: %v\n%s", tc.lang, err, r.Body)
		}
		byItem := map[string][]string{}
		for _, row := range rows[1:] {
			byItem[row[1]] = row
		}
		for item, want := range map[string][]string{
			tc.offers: {"", "", "", "", "3"},
			tc.lapsed: {"HF-2026-001 §3.1", "1", "1", "200", "200"},
			tc.breach: {"HF-2026-001 §4", "1", "2", "1000", "500"},
			tc.reward: {"", "", "", "20000", tc.earned},
			tc.net:    {"", "", "", "18800", ""},
		} {
			got := byItem[item]
			if len(got) != 7 {
				t.Errorf("%s CSV: no row %q in\n%s", tc.lang, item, r.Body)
				continue
			}
			if diff := cmp.Diff(want, got[2:]); diff != "" {
				t.Errorf("%s CSV %s (-want +got):\n%s", tc.lang, item, diff)
			}
		}
	}
	// The default is Chinese.
	if r := h.Do("GET", report, institute, nil); r.Status != 200 || !strings.HasPrefix(string(r.Body), "类别,") {
		t.Errorf("default report: %d %.80s", r.Status, r.Body)
	}
	r := h.Do("GET", report+"&format=pdf", hefeiAdmin, nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("PDF: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	// The PDF is Chinese by default, English on request.
	text := pdftest.Squeeze(pdftest.Text(t, r.Body))
	for _, want := range []string{"合作方考核报告", "hefei", "2027-Q1", "综合得分0.7625", "接单率0.3333", "HF-2026-001§3.1派单超时未接11200200",
		"扣罚金额（元）1200", "奖励金额（元）20000", "净额（元）18800", "奖励结果已达成"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not show %q", want)
		}
	}
	r = h.Do("GET", report+"&format=pdf&lang=en", hefeiAdmin, nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("English PDF: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	text = pdftest.Squeeze(pdftest.Text(t, r.Body))
	for _, want := range []string{"Partnerevaluationreport", "score0.7625", "net(yuan)18800", "rewardearned"} {
		if !strings.Contains(text, want) {
			t.Errorf("the English PDF does not show %q", want)
		}
	}
	// A partner reads its own report only; the institute ranks everyone.
	if r := h.Do("GET", fmt.Sprintf("/api/v1/partners/%d/evaluation-report?period=2027-Q1&format=pdf", ids["wuhan"]), hefeiAdmin, nil); r.Status != 404 {
		t.Errorf("another partner's report: got %d, want 404", r.Status)
	}
	if r := h.Do("GET", "/api/v1/evaluation-report?period=2027-Q1", hefeiAdmin, nil); r.Status != 403 {
		t.Errorf("the ranking as a partner: got %d, want 403", r.Status)
	}
	if r := h.Do("GET", report+"&format=docx", institute, nil); r.Status != 400 {
		t.Errorf("format docx: got %d, want 400", r.Status)
	}
	r = h.Do("GET", "/api/v1/evaluation-report?period=2027-Q1&lang=en", institute, nil)
	rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if r.Status != 200 || err != nil || len(rows) != 4 {
		t.Fatalf("ranking: %d %v\n%s", r.Status, err, r.Body)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	if got := []string{rows[1][col["rank"]], rows[1][col["partner"]], rows[1][col["penalty points"]], rows[1][col["penalties (yuan)"]],
		rows[1][col["reward (yuan)"]], rows[1][col["net (yuan)"]], rows[1][col["score"]]}; !cmp.Equal(got, []string{"1", "hefei", "3", "1200", "20000", "18800", "0.7625"}) {
		t.Errorf("ranking's first row: got %q", got)
	}
}

// disp2 logs in the contract administrator, who lists partners.
func disp2(h *apptest.Harness) string { tok, _ := h.Login("contracts"); return tok }

// TestSurveyLink: a link works once, not after it expires, and not when
// altered; no login is needed.
func TestSurveyLink(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		q, _ := h.Login("quality")
		var resolved int64
		for id, m := range h.JobIDs(q) {
			if m["status"] == "closed" {
				resolved = id
			}
		}
		r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/survey-link", resolved), q, nil)
		if r.Status != 201 || !strings.Contains(r.JSON(t)["url"].(string), "/survey/") {
			t.Fatalf("survey link: %d %s", r.Status, r.Body)
		}
		token := r.JSON(t)["token"].(string)
		answer := func(tok string, score int) int {
			return h.Do("POST", "/api/v1/surveys/answer", "", map[string]any{"token": tok, "score": score, "comment": "好"}).Status
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
		r = h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/survey-link", resolved), q, nil)
		late := r.JSON(t)["token"].(string)
		h.Clock.Add(15 * 24 * time.Hour)
		if got := answer(late, 4); got != 404 {
			t.Errorf("expired link: got %d, want 404", got)
		}
		tech, _ := h.Login("hefei.tech")
		if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/survey-link", resolved), tech, nil); r.Status != 403 {
			t.Errorf("a partner makes a survey link: got %d, want 403", r.Status)
		}
	})
}

// formField reads the value of the hidden input name from a page.
func formField(page, name string) string {
	m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestSurveyPage: the customer's page at /survey/{token}, without login:
// the form (radio buttons with labels) in Chinese and English, nothing
// about the customer, the form token required, one answer only, and plain
// pages for a used, an expired and an invalid link.
func TestSurveyPage(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		job, token := h.SurveyLink()
		b := h.Browser()
		page := b.Page("/survey/"+token, "服务满意度回访", fmt.Sprintf("服务单 #%d", job), `type="radio"`, `<label for="score-5">5 · 非常满意</label>`, `<legend>`)
		b.Page("/survey/"+token+"?lang=en", "How was our service?", `<label for="score-1">1 · very dissatisfied</label>`)
		if _, ok := b.Jar["cordon_csrf"]; ok {
			t.Error("the survey page sets a session CSRF cookie")
		}
		// Nothing of the customer: no name, site or contact of the job.
		eng, _ := h.Login("engineer")
		if r := h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d", job), eng, nil); r.Status == 200 {
			for k, v := range r.JSON(t) {
				if s, ok := v.(string); ok && len(s) > 3 && (strings.Contains(k, "customer") || strings.Contains(k, "site") || strings.Contains(k, "contact")) && strings.Contains(page, s) {
					t.Errorf("the survey page shows the job's %s %q", k, s)
				}
			}
		}
		form := formField(page, "form")
		if form == "" {
			t.Fatalf("no form token in the page:\n%s", page)
		}
		post := func(values url.Values) *apptest.Response { return b.Send("POST", "/survey/"+token, values) }
		if r := post(url.Values{"score": {"4"}, "comment": {"好"}}); r.Status != 403 || !strings.Contains(string(r.Body), "表单已失效") {
			t.Errorf("no form token: %d, want 403 and the form again", r.Status)
		}
		if r := post(url.Values{"form": {form + "x"}, "score": {"4"}}); r.Status != 403 {
			t.Errorf("altered form token: %d, want 403", r.Status)
		}
		if r := post(url.Values{"form": {form}, "score": {"9"}, "comment": {"保留这段话"}}); r.Status != 400 || !strings.Contains(string(r.Body), "保留这段话") {
			t.Errorf("score 9: %d, want 400 and the comment kept", r.Status)
		}
		if r := post(url.Values{"form": {form}, "score": {"4"}, "comment": {"响应及时"}}); r.Status != 200 || !strings.Contains(string(r.Body), "感谢您的评价") {
			t.Fatalf("answer: %d\n%s", r.Status, r.Body)
		}
		// Once only: the page and the form say so.
		for _, r := range []*apptest.Response{b.Get("/survey/" + token), post(url.Values{"form": {form}, "score": {"1"}})} {
			if r.Status != 410 || !strings.Contains(string(r.Body), "此链接已使用") {
				t.Errorf("used link: %d, want 410 and the used page", r.Status)
			}
		}
		// The answer counts: the API refuses a second one.
		if r := h.Do("POST", "/api/v1/surveys/answer", "", map[string]any{"token": token, "score": 1}); r.Status != 404 {
			t.Errorf("API answer after the page's: %d, want 404", r.Status)
		}
		// Invalid links: a plain page, never a trace.
		for _, bad := range []string{token[:len(token)-2] + "xx", "nonsense", strings.Repeat("a.", 150) + "b", "%00%ff"} {
			r := b.Get("/survey/" + bad)
			if body := string(r.Body); r.Status != 404 || !strings.Contains(body, "链接无效") || strings.Contains(body, "goroutine") {
				t.Errorf("GET /survey/%.20s: %d, want 404 and the invalid page", bad, r.Status)
			}
		}
		// An expired link, by the injected clock.
		_, late := h.SurveyLink()
		h.Clock.Add(15 * 24 * time.Hour)
		if r := b.Get("/survey/" + late + "?lang=en"); r.Status != 410 || !strings.Contains(string(r.Body), "This link has expired") {
			t.Errorf("expired link: %d, want 410 and the expired page", r.Status)
		}
		if r := post(url.Values{"form": {form}, "score": {"3"}}); r.Status != 410 {
			t.Errorf("POST to a used link after expiry: %d, want 410", r.Status)
		}
	})
}
