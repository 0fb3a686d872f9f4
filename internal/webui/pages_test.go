package webui_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/app/apptest"
)

var jobLink = regexp.MustCompile(`href="/jobs/(\d+)"`)

// TestPagesRender: every page renders for the roles that may see it, in
// Chinese by default and in English on request, and answers 403 to the
// roles that may not.
func TestPagesRender(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		cases := []struct {
			user, path string
			zh, en     []string
		}{
			{"hefei.tech", "/jobs", []string{"待接单", "进行中", "已完成", "CUST-", "data-countdown"}, []string{"Offers", "In progress", "Done"}},
			{"hefei.tech", "/documents", []string{"技术资料", "下载", "水印"}, []string{"Technical documents", "Download"}},
			{"hefei.tech", "/me", []string{"我的账户", "hefei.tech", "合作伙伴技术员"}, []string{"My account", "Partner technician"}},
			{"hefei.admin", "/jobs", []string{"待接单"}, []string{"Offers"}},
			{"dispatcher", "/dispatch", []string{"派单台", "待派单的服务请求", "候选承接方", "登记服务请求", "本所工程师"}, []string{"Dispatch desk", "Take in a request", "In-house engineers"}},
			{"dispatcher", "/jobs", []string{"全部工单", "筛选", "本所自办"}, []string{"Any status", "In-house"}},
			{"dispatcher", "/jobs?status=offered", []string{"待接单"}, []string{"Offered"}},
			{"dispatcher", "/documents", []string{"技术资料"}, []string{"Technical documents"}},
			{"quality", "/jobs", []string{"全部工单"}, []string{"Any status"}},
			{"contracts", "/contracts", []string{"HF-2026-001", "生效中", "已到期"}, []string{"HF-2026-001", "Active", "Expired"}},
			{"legal", "/contracts", []string{"HF-2026-001"}, []string{"Contracts"}},
			{"legal", "/jobs", []string{"全部工单"}, []string{"Any status"}},
			{"admin", "/me", []string{"系统管理员"}, []string{"Administrator"}},
		}
		for _, tc := range cases {
			b := h.Browser()
			b.Login(tc.user)
			body := b.Page(tc.path, tc.zh...)
			if !strings.Contains(body, `<html lang="zh-CN">`) || !strings.Contains(body, `href="/lang?to=en`) {
				t.Errorf("%s %s: not a Chinese page with a language switch", tc.user, tc.path)
			}
			sep := "?"
			if strings.Contains(tc.path, "?") {
				sep = "&"
			}
			b.Page(tc.path+sep+"lang=en", tc.en...)
			// The switch sets the cookie; later pages stay English.
			if r := b.Get("/lang?to=en&next=" + url.QueryEscape(tc.path)); r.Status != 303 || r.Header.Get("Location") != tc.path {
				t.Errorf("language switch: %d to %q", r.Status, r.Header.Get("Location"))
			}
			body = b.Page(tc.path, tc.en...)
			if !strings.Contains(body, `<html lang="en">`) {
				t.Errorf("%s %s after the switch: not English", tc.user, tc.path)
			}
		}

		// A role without the right gets the 403 page, as from the API.
		for _, tc := range []struct{ user, path string }{
			{"hefei.tech", "/dispatch"}, {"hefei.tech", "/contracts"}, {"wuhan.admin", "/contracts/1"},
			{"admin", "/jobs"}, {"legal", "/dispatch"}, {"dispatcher", "/contracts"},
		} {
			b := h.Browser()
			b.Login(tc.user)
			if r := b.Get(tc.path); r.Status != 403 || !strings.Contains(string(r.Body), "无权执行此操作") {
				t.Errorf("%s GET %s: %d, want the 403 page", tc.user, tc.path, r.Status)
			}
		}

		// The contract page puts the compiled scope into words.
		b := h.Browser()
		b.Login("contracts")
		id := regexp.MustCompile(`href="/contracts/(\d+)">HF-2026-001<`).FindStringSubmatch(b.Page("/contracts"))
		if id == nil {
			t.Fatal("no link to HF-2026-001")
		}
		b.Page("/contracts/"+id[1], "当前生效的授权", "HF-2026-001 §", "合肥", "服务时限")
		b.Page("/contracts/"+id[1]+"?lang=en", "What it grants now", "Service levels")
	})
}

// TestPagesSession: the login form, CSRF, cookies, refresh and logout.
func TestPagesSession(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		b := h.Browser()
		// Without a session every page sends the browser to the login form.
		if r := b.Get("/jobs"); r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login?next=") {
			t.Errorf("GET /jobs without a session: %d %q", r.Status, r.Header.Get("Location"))
		}
		b.Page("/login", "登录", `name="csrf"`, `<label for="username">用户名</label>`, `<label for="password">密码</label>`)
		b.Page("/login?lang=en", "Log in", "Username", "Password")

		// No token, or a wrong one: refused.
		r := b.Send("POST", "/login", url.Values{"username": {"hefei.tech"}, "password": {apptest.DemoPassword}})
		if r.Status != 403 {
			t.Errorf("login without the CSRF token: %d, want 403", r.Status)
		}
		r = b.Send("POST", "/login", url.Values{"username": {"hefei.tech"}, "password": {apptest.DemoPassword}, "csrf": {strings.Repeat("x", 43)}})
		if r.Status != 403 {
			t.Errorf("login with a wrong CSRF token: %d, want 403", r.Status)
		}
		r = b.Post("/login", url.Values{"username": {"hefei.tech"}, "password": {"wrong-password-1"}})
		if r.Status != 401 || !strings.Contains(string(r.Body), "用户名或密码错误") {
			t.Errorf("wrong password: %d, want 401 with the form again", r.Status)
		}

		// Log in: HttpOnly, SameSite=Strict cookies, then home by role.
		csrfBefore := b.Jar["cordon_csrf"]
		r = b.Post("/login", url.Values{"username": {"hefei.tech"}, "password": {apptest.DemoPassword}, "next": {"/documents"}})
		if r.Status != 303 || r.Header.Get("Location") != "/documents" {
			t.Fatalf("login: %d %q", r.Status, r.Header.Get("Location"))
		}
		for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
			if (ck.Name == "cordon_access" || ck.Name == "cordon_refresh" || ck.Name == "cordon_csrf") && (!ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode) {
				t.Errorf("cookie %s: HttpOnly %v SameSite %v, want HttpOnly and Strict", ck.Name, ck.HttpOnly, ck.SameSite)
			}
		}
		if b.Jar["cordon_csrf"] == csrfBefore {
			t.Error("the CSRF token did not change at login")
		}
		if r := b.Get("/"); r.Status != 303 || r.Header.Get("Location") != "/jobs" {
			t.Errorf("home of a technician: %d %q, want /jobs", r.Status, r.Header.Get("Location"))
		}
		if r := b.Get("/login"); r.Status != 303 {
			t.Errorf("login form with a session: %d, want 303 home", r.Status)
		}
		// An offsite next is ignored.
		b2 := h.Browser()
		b2.Get("/login")
		if r := b2.Post("/login", url.Values{"username": {"wuhan.tech"}, "password": {apptest.DemoPassword}, "next": {"//evil.example/"}}); r.Header.Get("Location") != "/" {
			t.Errorf("login next //evil.example/: redirected to %q", r.Header.Get("Location"))
		}

		// POST forms need the token even with a live session.
		offered := 0
		for id, st := range h.APIJobIDs("hefei.tech") {
			if st == "offered" {
				offered = int(id)
			}
		}
		if r := b.Send("POST", fmt.Sprintf("/jobs/%d/accept", offered), url.Values{}); r.Status != 403 {
			t.Errorf("accept without the CSRF token: %d, want 403", r.Status)
		}
		if r := b.Send("POST", "/logout", url.Values{"csrf": {"nope"}}); r.Status != 403 {
			t.Errorf("logout with a wrong CSRF token: %d, want 403", r.Status)
		}

		// The access token expires; the refresh cookie renews it unseen.
		oldAccess := b.Jar["cordon_access"]
		h.Clock.Add(20 * time.Minute)
		b.Page("/jobs", "待接单")
		if b.Jar["cordon_access"] == oldAccess {
			t.Error("the access cookie was not renewed after expiry")
		}

		// Logout ends the session at once: the old cookies are dead.
		stale := map[string]string{}
		for k, v := range b.Jar {
			stale[k] = v
		}
		if r := b.Post("/logout", nil); r.Status != 303 || r.Header.Get("Location") != "/login" {
			t.Fatalf("logout: %d %q", r.Status, r.Header.Get("Location"))
		}
		if b.Jar["cordon_access"] != "" || b.Jar["cordon_refresh"] != "" {
			t.Errorf("logout left cookies: %v", b.Jar)
		}
		b.Jar, b.Jar = stale, stale
		if r := b.Get("/jobs"); r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Errorf("old cookies after logout: %d %q, want the login form", r.Status, r.Header.Get("Location"))
		}
	})
}

// TestPagesIsolation: a page never shows what the API would hide. Another
// partner's job is the same 404 page as a job that does not exist, and
// the lists show exactly what the API lists.
func TestPagesIsolation(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		hefeiJobs, wuhanJobs := h.APIJobIDs("hefei.tech"), h.APIJobIDs("wuhan.tech")
		b := h.Browser()
		b.Login("hefei.tech")
		for id := range wuhanJobs {
			r := b.Get(fmt.Sprintf("/jobs/%d", id))
			if r.Status != 404 || !strings.Contains(string(r.Body), "页面不存在") {
				t.Errorf("hefei.tech GET /jobs/%d (wuhan's): %d, want the 404 page", id, r.Status)
			}
			if strings.Contains(string(r.Body), "CUST-") {
				t.Errorf("the 404 page for wuhan's job %d shows a customer", id)
			}
		}
		if r := b.Get("/jobs/999999"); r.Status != 404 {
			t.Errorf("a job that does not exist: %d, want 404", r.Status)
		}
		body := b.Page("/jobs")
		seen := map[int64]bool{}
		for _, m := range jobLink.FindAllStringSubmatch(body, -1) {
			var id int64
			fmt.Sscan(m[1], &id)
			seen[id] = true
			if _, ok := hefeiJobs[id]; !ok {
				t.Errorf("hefei's inbox links job %d, which the API does not show hefei", id)
			}
		}
		if len(seen) != len(hefeiJobs) {
			t.Errorf("hefei's inbox shows %d jobs, the API %d", len(seen), len(hefeiJobs))
		}
		for _, s := range []string{"Wuhan", "武汉", "wuhan"} {
			if strings.Contains(body, s) {
				t.Errorf("hefei's inbox mentions %q", s)
			}
		}

		// Documents: the same list as the API, and nothing above the ceiling.
		tok, _ := h.Login("hefei.tech")
		r := h.Do("GET", "/api/v1/documents?limit=200", tok, nil)
		docs := r.JSON(t)["items"].([]any)
		body = b.Page("/documents", "下载")
		links := regexp.MustCompile(`href="/documents/(\d+)/download"`).FindAllStringSubmatch(body, -1)
		if len(links) != len(docs) {
			t.Errorf("hefei's library shows %d documents, the API %d", len(links), len(docs))
		}
		for _, s := range []string{"机密", "受限"} {
			if strings.Contains(body, "<span class=\"badge c-") && strings.Contains(body, ">"+s+"<") {
				t.Errorf("hefei's library shows a %s document", s)
			}
		}
		// A download through the page is stamped and logged like the API's.
		r = b.Get(fmt.Sprintf("/documents/%s/download", links[0][1]))
		if r.Status != 200 || r.Header.Get("X-Download-ID") == "" || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("download: %d %v", r.Status, r.Header)
		}
		// Wuhan's technician cannot download a document outside its ceiling.
		w := h.Browser()
		w.Login("wuhan.tech")
		for _, m := range links {
			if r := w.Get("/documents/" + m[1] + "/download"); r.Status != 200 && r.Status != 404 {
				t.Errorf("wuhan download of %s: %d, want 200 or 404", m[1], r.Status)
			}
		}
		wbody := w.Page("/documents")
		for _, m := range regexp.MustCompile(`href="/documents/(\d+)/download"`).FindAllStringSubmatch(wbody, -1) {
			if r := w.Get("/documents/" + m[1] + "/download"); r.Status != 200 {
				t.Errorf("wuhan cannot download %s from its own library: %d", m[1], r.Status)
			}
		}
	})
}

// TestPagesJobFlow: a partner accepts an offer and moves it en route
// through the forms; the dispatcher takes in a request and dispatches it.
func TestPagesJobFlow(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		var offered int64
		for id, st := range h.APIJobIDs("hefei.tech") {
			if st == "offered" {
				offered = id
			}
		}
		b := h.Browser()
		b.Login("hefei.tech")
		path := fmt.Sprintf("/jobs/%d", offered)
		body := b.Page(path, "接单", "拒单", "CUST-", "data-countdown")
		if strings.Contains(body, "已披露的客户信息") {
			t.Error("an offer discloses the customer")
		}
		r := b.Post(path+"/accept", nil)
		if r.Status != 303 || r.Header.Get("Location") != path {
			t.Fatalf("accept: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
		}
		body = b.Page(path, "工单状态已更新为：已接单", "已披露的客户信息", "联系人", `data-to="en_route"`)
		if strings.Contains(body, `action="`+path+`/accept"`) {
			t.Error("an accepted job still offers the accept button")
		}
		if r := b.Post(path+"/accept", nil); r.Status != 303 {
			t.Errorf("accepting twice: %d, want a redirect with a message", r.Status)
		}
		b.Page(path) // consumes the flash
		r = b.Post(path+"/move", url.Values{"to": {"en_route"}})
		if r.Status != 303 {
			t.Fatalf("en route: %d %s", r.Status, r.Body)
		}
		b.Page(path, "工单状态已更新为：在途")
		b.Page(path+"?lang=en", "Timeline", "En route", "Move to: On site")
		if got := h.APIJobIDs("hefei.tech")[offered]; got != "en_route" {
			t.Errorf("after the forms the API says %s, want en_route", got)
		}
		// A move the lifecycle refuses comes back as a message, not a change.
		r = b.Post(path+"/move", url.Values{"to": {"resolved"}})
		if r.Status != 303 {
			t.Errorf("a refused move: %d, want a redirect with the message", r.Status)
		}
		b.Page(path, "flash-error", "/jobs/") // the message, on the job page
		// A move the role may never make is the 403 page, as from the API.
		if r := b.Post(path+"/move", url.Values{"to": {"closed"}}); r.Status != 403 {
			t.Errorf("a technician closing a job: %d, want 403", r.Status)
		}
		if got := h.APIJobIDs("hefei.tech")[offered]; got != "en_route" {
			t.Errorf("a refused move changed the job to %s", got)
		}

		// The dispatcher takes a request in and dispatches it to hefei.
		d := h.Browser()
		d.Login("dispatcher")
		unit := h.UnitIn("Hefei", "radar")
		r = d.Post("/dispatch/requests", url.Values{"unit_id": {fmt.Sprint(unit.ID)}, "category": {"fault"}, "priority": {"P1"}, "description": {"雷达开机无显示"}})
		if r.Status != 303 {
			t.Fatalf("intake: %d %s", r.Status, r.Body)
		}
		m := regexp.MustCompile(`#request-(\d+)$`).FindStringSubmatch(r.Header.Get("Location"))
		if m == nil {
			t.Fatalf("intake went to %q", r.Header.Get("Location"))
		}
		body = d.Page("/dispatch", "已登记服务请求 #"+m[1], "雷达开机无显示", "HF-2026-001")
		form := regexp.MustCompile(`action="/dispatch/requests/` + m[1] + `"[^>]*>\s*<input type="hidden" name="csrf" value="[^"]*">\s*<input type="hidden" name="to" value="partner"><input type="hidden" name="partner_id" value="(\d+)">`).FindStringSubmatch(body)
		if form == nil {
			t.Fatalf("no dispatch form for request %s", m[1])
		}
		// A bad intake is refused with the service's message, in the
		// page's language, beside the form as typed: nothing is lost.
		r = d.Post("/dispatch/requests", url.Values{"unit_id": {fmt.Sprint(unit.ID)}, "category": {"fault"}, "priority": {"P9"}, "description": {"雷达告警 x"}})
		if b := string(r.Body); r.Status != 400 || !strings.Contains(b, "优先级须为 P1、P2、P3 或 P4") || !strings.Contains(b, "雷达告警 x</textarea>") {
			t.Errorf("bad intake: %d, want 400 with the message and the description kept: %.300s", r.Status, r.Body)
		}
		// A description naming the serial: refused, kept, and the override field offered.
		r = d.Post("/dispatch/requests", url.Values{"unit_id": {fmt.Sprint(unit.ID)}, "category": {"fault"}, "priority": {"P2"}, "description": {"序列号 " + unit.Serial + " 无显示"}})
		if b := string(r.Body); r.Status != 400 || !strings.Contains(b, "描述中含有装备序列号") || !strings.Contains(b, `name="override"`) {
			t.Errorf("a description with the serial: %d: %.300s", r.Status, r.Body)
		}
		r = d.Post("/dispatch/requests/"+m[1], url.Values{"to": {"partner"}, "partner_id": {form[1]}})
		if r.Status != 303 {
			t.Fatalf("dispatch: %d %s", r.Status, r.Body)
		}
		body = d.Page("/dispatch", "已派单：工单 #")
		if strings.Contains(body, `id="request-`+m[1]+`"`) {
			t.Error("the dispatched request still waits")
		}
		job := regexp.MustCompile(`已派单：工单 #(\d+)`).FindStringSubmatch(body)[1]
		// The offer is in hefei's inbox, and not in wuhan's.
		b.Page("/jobs", `href="/jobs/`+job+`"`)
		b.Page("/jobs/"+job, "雷达开机无显示", "接单")
		w := h.Browser()
		w.Login("wuhan.tech")
		if strings.Contains(w.Page("/jobs"), `href="/jobs/`+job+`"`) {
			t.Error("wuhan's inbox shows hefei's new offer")
		}
		// Partners cannot post the dispatcher's forms.
		if r := b.Post("/dispatch/requests", url.Values{"unit_id": {fmt.Sprint(unit.ID)}, "category": {"fault"}, "priority": {"P1"}, "description": {"x"}}); r.Status != 403 {
			t.Errorf("a partner posting an intake: %d, want 403", r.Status)
		}
	})
}
