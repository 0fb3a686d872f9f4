package webui_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/audit"
	"github.com/cordon/cordon/internal/cordon"
)

// TestInsightPagesRender: the institute's and legal's pages render for
// their roles in both languages; other roles and partners get what the
// API gives them for the same data (the 403 page for a role without the
// right), never the page.
func TestInsightPagesRender(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		for _, tc := range []struct {
			user, path string
			zh, en     []string
		}{
			{"quality", "/sla", []string{"服务时限看板", "已超时", "即将超时"}, []string{"SLA dashboard", "Breached", "At risk"}},
			{"dispatcher", "/sla?state=at_risk", []string{"服务时限看板"}, []string{"SLA dashboard"}},
			{"quality", "/scorecards", []string{"合作方评价排名", "hefei", "wuhan", `role="img"`, "接单率", "一次修复率", "客户满意度"}, []string{"Partner scorecards", "Acceptance rate", "First-time fix", "Satisfaction"}},
			{"hefei.admin", "/scorecards", []string{"本公司评价", "hefei"}, []string{"Our scorecard"}},
			{"quality", "/quality", []string{"质量分析", "元器件", "月度趋势", `id="chart-trend-title"`, "巡检活动"}, []string{"root causes", "Component", "Month by month"}},
			{"legal", "/audit", []string{"访问日志", "谁看过此客户", "导出 CSV", `name="decision"`}, []string{"Access log", "Export CSV", "Who saw a customer"}},
			{"legal", "/audit/customer", []string{"谁看过此客户", `name="customer"`}, []string{"Who saw this customer"}},
			{"legal", "/audit/denials", []string{"被拒绝的访问", "合肥华安", "拒绝次数", "峰值"}, []string{"Denied attempts", "Spike"}},
			{"legal", "/audit/seal", []string{"封存状态与证据导出", "下载证据包"}, []string{"Seal status", "Download the bundle"}},
		} {
			b := h.Browser()
			b.Login(tc.user)
			body := b.Page(tc.path, tc.zh...)
			if !strings.Contains(body, `<html lang="zh-CN">`) {
				t.Errorf("%s %s: not Chinese by default", tc.user, tc.path)
			}
			sep := "?"
			if strings.Contains(tc.path, "?") {
				sep = "&"
			}
			b.Page(tc.path+sep+"lang=en", tc.en...)
		}
		// A partner's scorecard page shows its own card only.
		b := h.Browser()
		b.Login("hefei.admin")
		if body := b.Page("/scorecards"); strings.Contains(body, "wuhan") || strings.Contains(body, "xian") {
			t.Error("hefei's scorecard page names another partner")
		}
		// The navigation offers each role its pages, and only those.
		for user, want := range map[string][]string{
			"quality": {"/sla", "/scorecards", "/quality"}, "legal": {"/audit"}, "hefei.admin": {"/scorecards"}, "dispatcher": {"/sla"},
		} {
			b := h.Browser()
			b.Login(user)
			nav := regexp.MustCompile(`(?s)<nav aria-label="[^"]*"><ul>.*?</ul></nav>`).FindString(b.Page("/me"))
			for _, p := range want {
				if !strings.Contains(nav, `href="`+p+`"`) {
					t.Errorf("%s's navigation lacks %s", user, p)
				}
			}
			for _, p := range []string{"/sla", "/scorecards", "/quality", "/audit"} {
				if !contains(want, p) && strings.Contains(nav, `href="`+p+`"`) {
					t.Errorf("%s's navigation offers %s", user, p)
				}
			}
		}

		// Roles without the right: the page answers as the API does.
		for _, tc := range []struct{ user, path, api string }{
			{"hefei.tech", "/sla", "/api/v1/sla/jobs"},
			{"hefei.admin", "/sla", "/api/v1/sla/jobs"},
			{"hefei.tech", "/scorecards", "/api/v1/scorecards"},
			{"dispatcher", "/scorecards", "/api/v1/scorecards"},
			{"hefei.admin", "/quality", "/api/v1/quality/root-causes"},
			{"legal", "/quality", "/api/v1/quality/root-causes"},
			{"dispatcher", "/quality/campaigns/new?cause=component&model=1&batch=B1", "/api/v1/quality/campaigns"},
			{"quality", "/audit", "/api/v1/access-events"},
			{"hefei.admin", "/audit", "/api/v1/access-events"},
			{"contracts", "/audit/customer?customer=1", "/api/v1/access-events?resource=customer&resource_id=1"},
			{"quality", "/audit/seal", "/api/v1/audit/checkpoints"},
			{"dispatcher", "/audit/export", "/api/v1/audit/export"},
			{"hefei.admin", "/audit/events.csv", "/api/v1/access-events?format=csv"},
			{"legal", "/contracts/1/suspend", ""},
			{"quality", "/contracts/1/terminate", ""},
		} {
			b := h.Browser()
			b.Login(tc.user)
			r := b.Get(tc.path)
			want := 403
			if tc.api != "" {
				tok, _ := h.Login(tc.user)
				want = h.Do("GET", tc.api, tok, nil).Status
			}
			if r.Status != want || r.Status == 200 || !strings.Contains(string(r.Body), "无权执行此操作") {
				t.Errorf("%s GET %s: %d, want %d like the API, with the 403 page", tc.user, tc.path, r.Status, want)
			}
		}
		// Objects out of reach are the 404 page.
		q := h.Browser()
		q.Login("quality")
		if r := q.Get("/quality/campaigns/999999"); r.Status != 404 {
			t.Errorf("a campaign that does not exist: %d, want 404", r.Status)
		}
		c := h.Browser()
		c.Login("contracts")
		if r := c.Get("/contracts/999999/suspend"); r.Status != 404 {
			t.Errorf("suspending a contract that does not exist: %d, want 404", r.Status)
		}
	})
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// TestInsightSLA: a P1 offer left alone shows on the SLA dashboard at
// risk, then breached, with its partner, clock and due time, linked to
// the job; the dashboard lists what the API lists.
func TestInsightSLA(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		disp, _ := h.Login("dispatcher")
		req := h.Intake(disp, h.UnitIn("Hefei", "radar"), "fault", "P1")
		job := int64(h.Do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"to": "auto"}).JSON(t)["id"].(float64))
		b := h.Browser()
		b.Login("quality")
		link := fmt.Sprintf(`href="/jobs/%d"`, job)
		if strings.Contains(b.Page("/sla"), link) || strings.Contains(b.Page("/sla?state=at_risk"), link) {
			t.Fatal("a fresh offer is on the dashboard")
		}
		h.Clock.Add(25 * time.Minute)
		b.Page("/sla?state=at_risk", link, "接单", "sla-at_risk")
		h.Clock.Add(6 * time.Minute)
		body := b.Page("/sla", link, "sla-breached", "合肥华安", "已超时")
		b.Page("/sla?lang=en", "Accept", "Due")
		// The same jobs as the API's list.
		tok, _ := h.Login("quality")
		items := h.Do("GET", "/api/v1/sla/jobs?state=breached&limit=50", tok, nil).JSON(t)["items"].([]any)
		if got := len(jobLink.FindAllString(body, -1)); got != len(items) {
			t.Errorf("the dashboard links %d jobs, the API lists %d", got, len(items))
		}
	})
}

// TestInsightScorecards: the quarter defaults to the clock's, the picker
// changes it, a bad one is refused with a message, and each chart is an
// image with its title and text.
func TestInsightScorecards(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		b := h.Browser()
		b.Login("quality")
		now := h.Clock.Now().In(time.FixedZone("CST", 8*3600))
		current := fmt.Sprintf("%d-Q%d", now.Year(), (int(now.Month())-1)/3+1)
		body := b.Page("/scorecards", `<option value="`+current+`" selected>`)
		for _, id := range []string{"chart-acceptance", "chart-ftf", "chart-satisfaction", "chart-sla-accept"} {
			if !strings.Contains(body, `<title id="`+id+`-title">`) || !strings.Contains(body, `aria-labelledby="`+id+`-title `+id+`-desc"`) {
				t.Errorf("no accessible chart %s", id)
			}
		}
		if strings.Contains(body, "style=") {
			t.Error("a chart uses inline style, which the CSP forbids")
		}
		tok, _ := h.Login("quality")
		items := h.Do("GET", "/api/v1/scorecards?period="+current, tok, nil).JSON(t)["items"].([]any)
		if got := strings.Count(body, "<tr>") - 1; got != len(items) {
			t.Errorf("the ranking has %d rows, the API %d", got, len(items))
		}
		// The evaluation reports: every partner's for the institute, its
		// own for a partner (another's is a 404, as from the API).
		ids := h.PartnerIDs(tok)
		for _, tc := range []struct {
			user, path string
			status     int
			ctype      string
		}{
			{"quality", fmt.Sprintf("/scorecards/%d/report?period=%s&format=csv", ids["wuhan"], current), 200, "text/csv"},
			{"quality", fmt.Sprintf("/scorecards/%d/report?period=%s&format=pdf", ids["hefei"], current), 200, "application/pdf"},
			{"quality", "/scorecards/ranking.csv?period=" + current, 200, "text/csv"},
			{"hefei.admin", fmt.Sprintf("/scorecards/%d/report?period=%s&format=csv", ids["hefei"], current), 200, "text/csv"},
			{"hefei.admin", fmt.Sprintf("/scorecards/%d/report?period=%s&format=csv", ids["wuhan"], current), 404, ""},
			{"hefei.admin", "/scorecards/ranking.csv?period=" + current, 403, ""},
			{"hefei.tech", fmt.Sprintf("/scorecards/%d/report?period=%s&format=csv", ids["hefei"], current), 403, ""},
		} {
			u := h.Browser()
			u.Login(tc.user)
			r := u.Get(tc.path)
			if r.Status != tc.status || (tc.ctype != "" && !strings.HasPrefix(r.Header.Get("Content-Type"), tc.ctype)) {
				t.Errorf("%s GET %s: %d %s, want %d %s", tc.user, tc.path, r.Status, r.Header.Get("Content-Type"), tc.status, tc.ctype)
			}
		}
		if !strings.Contains(body, fmt.Sprintf(`href="/scorecards/%d/report?period=%s&amp;format=pdf"`, ids["hefei"], current)) {
			t.Error("no link to hefei's PDF report")
		}
		b.Page("/scorecards?period=2025-Q4", `<option value="2025-Q4" selected>`)
		if r := b.Get("/scorecards?period=last-year"); r.Status != 303 {
			t.Errorf("a bad period: %d, want a redirect with a message", r.Status)
		}
		b.Page("/scorecards", "flash-error", "季度的格式如")
	})
}

// TestInsightQuality: the root causes by cause, model, batch and month,
// filtered; a campaign started from a cause through the confirmation
// form (CSRF and the box required); its progress.
func TestInsightQuality(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		b := h.Browser()
		b.Login("quality")
		body := b.Page("/quality?product_line=radar", "元器件", "chart-causes")
		start := regexp.MustCompile(`href="(/quality/campaigns/new\?batch=[^"]+&amp;cause=component&amp;model=\d+)"`).FindStringSubmatch(body)
		if start == nil {
			t.Fatalf("no campaign link for a component cause:\n%s", body)
		}
		if r := b.Get("/quality?from=yesterday"); r.Status != 303 {
			t.Errorf("a bad date: %d", r.Status)
		}
		b.Page("/quality", "flash-error")
		b.Page("/quality?from=2000-01-01&to=2000-01-31", "没有符合条件的服务报告")

		confirm := b.Page(strings.ReplaceAll(start[1], "&amp;", "&"), "发起巡检活动", "将要发生什么", `name="confirm"`)
		hidden := func(name string) string {
			m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(confirm)
			if m == nil {
				t.Fatalf("no %s in the confirmation form", name)
			}
			return m[1]
		}
		form := url.Values{"root_cause": {hidden("root_cause")}, "model_id": {hidden("model_id")}, "batch": {hidden("batch")},
			"title": {"电源板批次检查"}, "description": {"检查电源板"}, "priority": {"P3"}}
		if r := b.Send("POST", "/quality/campaigns", form); r.Status != 403 {
			t.Errorf("a campaign without the CSRF token: %d, want 403", r.Status)
		}
		if r := b.Post("/quality/campaigns", form); r.Status != 303 || !strings.Contains(r.Header.Get("Location"), "/quality/campaigns/new?") {
			t.Errorf("a campaign without the confirmation: %d %q", r.Status, r.Header.Get("Location"))
		}
		b.Page("/quality", "请先勾选确认框")
		tok, _ := h.Login("quality")
		before := len(h.Do("GET", "/api/v1/quality/campaigns", tok, nil).JSON(t)["items"].([]any))
		if before != 0 {
			t.Fatalf("%d campaigns before any was started", before)
		}
		form.Set("confirm", "yes")
		r := b.Post("/quality/campaigns", form)
		m := regexp.MustCompile(`^/quality/campaigns/(\d+)$`).FindStringSubmatch(r.Header.Get("Location"))
		if r.Status != 303 || m == nil {
			t.Fatalf("start a campaign: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
		}
		b.Page(m[0], "已发起巡检活动 #"+m[1], "电源板批次检查", "进度", `id="chart-campaign-title"`, "待接单")
		b.Page("/quality", `href="`+m[0]+`"`)
		if got := len(h.Do("GET", "/api/v1/quality/campaigns", tok, nil).JSON(t)["items"].([]any)); got != 1 {
			t.Errorf("the API lists %d campaigns after the form, want 1", got)
		}
		// A partner cannot start one.
		p := h.Browser()
		p.Login("hefei.admin")
		if r := p.Post("/quality/campaigns", form); r.Status != 403 {
			t.Errorf("a partner posting a campaign: %d, want 403", r.Status)
		}
	})
}

// TestInsightContractActions: the contract page offers the actions the
// role may take; suspending goes through a confirmation that says how
// many open jobs it revokes, needs the CSRF token and the box, revokes
// them, and says so.
func TestInsightContractActions(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		b := h.Browser()
		b.Login("contracts")
		id := regexp.MustCompile(`href="/contracts/(\d+)">HF-2026-001<`).FindStringSubmatch(b.Page("/contracts"))
		if id == nil {
			t.Fatal("no link to HF-2026-001")
		}
		path := "/contracts/" + id[1]
		body := b.Page(path, "合同操作", `href="`+path+`/suspend"`, `href="`+path+`/terminate"`)
		if strings.Contains(body, `href="`+path+`/activate"`) {
			t.Error("an active contract offers activation")
		}
		// Legal reads contracts but takes no action.
		l := h.Browser()
		l.Login("legal")
		if body := l.Page(path); strings.Contains(body, path+"/suspend") {
			t.Error("legal is offered a contract action")
		}
		if r := l.Post(path+"/suspend", url.Values{"confirm": {"yes"}}); r.Status != 403 {
			t.Errorf("legal suspending: %d, want 403", r.Status)
		}

		admin, _ := h.Login("contracts")
		hefei := h.PartnerIDs(admin)["hefei"]
		open := 0
		for _, st := range []cordon.JobStatus{cordon.JobOffered, cordon.JobAccepted, cordon.JobEnRoute, cordon.JobOnSite, cordon.JobWaitingCustomer, cordon.JobWaitingParts, cordon.JobReopened} {
			n, err := h.CountJobs(hefei, st)
			if err != nil {
				t.Fatal(err)
			}
			open += n
		}
		if open == 0 {
			t.Fatal("hefei has no open jobs to revoke")
		}
		b.Page(path+"/suspend", "操作的影响", fmt.Sprintf("将收回该合同下 %d 张未结工单", open), "当前生效的授权", "HF-2026-001 §", `name="confirm"`)
		b.Page(path+"/suspend?lang=en", fmt.Sprintf("%d open jobs under this contract will be revoked", open))
		if r := b.Send("POST", path+"/suspend", url.Values{"confirm": {"yes"}}); r.Status != 403 {
			t.Errorf("suspend without the CSRF token: %d, want 403", r.Status)
		}
		if r := b.Post(path+"/suspend", nil); r.Status != 303 || r.Header.Get("Location") != path+"/suspend" {
			t.Errorf("suspend without the box: %d %q", r.Status, r.Header.Get("Location"))
		}
		b.Page(path+"/suspend", "请先勾选确认框")
		if n, _ := h.CountJobs(hefei, cordon.JobRevoked); n != 0 {
			t.Fatalf("%d jobs revoked before the suspension", n)
		}
		r := b.Post(path+"/suspend", url.Values{"confirm": {"yes"}})
		if r.Status != 303 || r.Header.Get("Location") != path {
			t.Fatalf("suspend: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
		}
		b.Page(path, "合同 HF-2026-001 现为：已暂停", fmt.Sprintf("已收回 %d 张未结工单", open))
		if n, _ := h.CountJobs(hefei, cordon.JobRevoked); n != open {
			t.Errorf("%d jobs revoked, want %d", n, open)
		}
		tok, _ := h.Login("contracts")
		if st := h.Do("GET", "/api/v1"+path, tok, nil).JSON(t)["status"]; st != "suspended" {
			t.Errorf("the API says the contract is %v", st)
		}
		// Suspended: no second suspension, and it cannot be confirmed.
		if body := b.Page(path); strings.Contains(body, path+"/suspend") {
			t.Error("a suspended contract offers suspension")
		}
		if r := b.Get(path + "/suspend"); r.Status != 303 {
			t.Errorf("confirming a suspension of a suspended contract: %d", r.Status)
		}
		b.Page(path, "不能对已暂停的合同执行“暂停”；当前允许的操作：生效、恢复处理、终止或作过期处理。")
		// It is activated again, through its own confirmation.
		b.Page(path, `href="`+path+`/activate"`)
		b.Page(path+"/activate", "合肥", "radar", `class="scope-line"`)
		if r := b.Post(path+"/activate", url.Values{"confirm": {"yes"}}); r.Status != 303 {
			t.Fatalf("activate: %d %s", r.Status, r.Body)
		}
		b.Page(path, "合同 HF-2026-001 现为：生效中", "当前生效的授权")
	})
}

// TestInsightAudit: legal filters the access log, exports it as CSV
// (logged), asks who saw a customer, reads the denials by partner, sees
// the seal verified, and downloads an evidence bundle that verifies.
func TestInsightAudit(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		h.PartnerAccesses()
		// A disclosure: hefei's technician accepts an offer and opens it.
		var offered int64
		for id, st := range h.APIJobIDs("hefei.tech") {
			if st == "offered" {
				offered = id
			}
		}
		p := h.Browser()
		p.Login("hefei.tech")
		p.Post(fmt.Sprintf("/jobs/%d/accept", offered), nil)
		p.Page(fmt.Sprintf("/jobs/%d", offered), "已披露的客户信息")
		res := cordon.ResCustomer
		disclosed := h.AccessEvents(cordon.AccessEventFilter{Resource: &res})
		if len(disclosed) == 0 {
			t.Fatal("no disclosure in the log")
		}
		customer := disclosed[0].ResourceID

		b := h.Browser()
		b.Login("legal")
		tok, _ := h.Login("contracts")
		wuhan := h.PartnerIDs(tok)["wuhan"]
		q := fmt.Sprintf("partner=%d&decision=deny", wuhan)
		body := b.Page("/audit?"+q, `<option value="deny" selected>`, fmt.Sprintf(`href="/audit/events.csv?decision=deny&amp;partner=%d"`, wuhan))
		legal, _ := h.Login("legal")
		api := h.Do("GET", "/api/v1/access-events?limit=50&"+q, legal, nil).JSON(t)
		if got, want := strings.Count(body, `<tr class="event d-deny">`), len(api["items"].([]any)); got != want || want == 0 {
			t.Errorf("the filtered log shows %d denials, the API %d", got, want)
		}
		if strings.Contains(body, `class="event d-allow"`) {
			t.Error("the denials filter shows an allowed event")
		}
		if r := b.Get("/audit?from=noon"); r.Status != 303 {
			t.Errorf("a bad time: %d", r.Status)
		}
		b.Page("/audit", "flash-error")
		// CSV of the same filter, and the export is logged.
		r := b.Get("/audit/events.csv?" + q)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("CSV: %d %v", r.Status, r.Header)
		}
		if lines := strings.Count(strings.TrimSpace(string(r.Body)), "\n"); lines != int(api["total"].(float64)) {
			t.Errorf("the CSV has %d rows, the API counts %d", lines, int(api["total"].(float64)))
		}
		ev, act := cordon.ResAccessEvent, cordon.ActExport
		if n := len(h.AccessEvents(cordon.AccessEventFilter{Resource: &ev, Action: &act})); n != 1 {
			t.Errorf("%d CSV exports logged, want 1", n)
		}
		// Who saw the customer: hefei's technician, under HF-2026-001, with the fields.
		body = b.Page("/audit/customer?customer="+customer, "合肥华安", "HF-2026-001", "联系人", fmt.Sprintf("#%d", disclosed[0].UserID))
		if !strings.Contains(body, `class="list compact seen-by"`) {
			t.Error("no summary by user")
		}
		b.Page("/audit/customer?customer=999999", "没有人访问过该客户的身份信息")
		// Denials by partner, with a link to them in the log; a burst of
		// them is a spike.
		body = b.Page("/audit/denials", `href="/audit?decision=deny&amp;from=`, fmt.Sprintf("partner=%d", wuhan), `id="chart-denials-title"`)
		if strings.Contains(body, `<tr class="spike">`) {
			t.Error("a spike before any burst")
		}
		w, _ := h.Login("wuhan.tech")
		for i := 0; i < cordon.SpikeFloor; i++ {
			h.Do("GET", "/api/v1/jobs/1", w, nil)
		}
		body = b.Page("/audit/denials", "异常峰值", `<tr class="spike">`)
		if row := regexp.MustCompile(`(?s)<tr class="spike">.*?</tr>`).FindString(body); !strings.Contains(row, "Wuhan") {
			t.Errorf("the spike row is not wuhan's: %q", row)
		}
		if r := b.Get("/audit/denials?from=noon"); r.Status != 303 {
			t.Errorf("a bad range: %d", r.Status)
		}
		b.Page("/audit/denials", "flash-error")

		// Seal: nothing yet, then the latest checkpoint, verified.
		b.Page("/audit/seal", "尚未封存任何记录")
		if r := b.Get("/audit/export"); r.Status != 303 {
			t.Errorf("export before anything is sealed: %d, want a redirect with the message", r.Status)
		}
		b.Page("/audit/seal", "flash-error")
		h.Seal()
		p.Page(fmt.Sprintf("/jobs/%d", offered)) // more events: a second checkpoint
		h.Seal()
		body = b.Page("/audit/seal", `id="signature-status">有效`, `id="verify-status">通过`, "上一检查点")
		b.Page("/audit/seal?lang=en", "Valid", "Passed")
		if !strings.Contains(body, strings.ReplaceAll(h.VerifierKey(), "+", "&#43;")) {
			t.Error("the seal page does not show the verifier key")
		}
		// The evidence bundle downloads and verifies offline.
		r = b.Get("/audit/export?from=" + url.QueryEscape(h.Clock.Now().Add(-24*time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04")))
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("bundle: %d %v %s", r.Status, r.Header, r.Body)
		}
		if _, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body))); err != nil {
			t.Fatalf("the bundle is not a zip: %v", err)
		}
		if rep := audit.VerifyBundle(r.Body, h.VerifierKey()); !rep.OK() || rep.Leaves == 0 {
			t.Errorf("the bundle does not verify: %+v", rep)
		}
		ar, ax := cordon.ResAudit, cordon.ActExport
		if n := len(h.AccessEvents(cordon.AccessEventFilter{Resource: &ar, Action: &ax})); n != 1 {
			t.Errorf("%d bundle exports logged, want 1", n)
		}
	})
}
