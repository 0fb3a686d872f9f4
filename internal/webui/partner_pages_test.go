package webui_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// multipart posts a multipart form with the browser's CSRF token (unless
// noCSRF), as a browser sends a form with a file input.
func postMultipart(b *apptest.Browser, path string, fields url.Values, files map[string][]byte, noCSRF bool) *apptest.Response {
	b.T().Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if !noCSRF {
		w.WriteField("csrf", b.Jar["cordon_csrf"])
	}
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	for name, content := range files {
		field, file, _ := strings.Cut(name, ":")
		fw, _ := w.CreateFormFile(field, file)
		fw.Write(content)
	}
	w.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.Do(req)
}

// loginWith logs in through the form with a password.
func loginWith(b *apptest.Browser, username, password string) *apptest.Response {
	b.T().Helper()
	b.Get("/login")
	return b.Post("/login", url.Values{"username": {username}, "password": {password}})
}

// onSite takes hefei's offer on site through the job page's forms.
func onSite(b *apptest.Browser, job int64) string {
	b.T().Helper()
	path := fmt.Sprintf("/jobs/%d", job)
	if r := b.Post(path+"/accept", nil); r.Status != 303 {
		b.T().Fatalf("accept: %d %s", r.Status, r.Body)
	}
	for _, to := range []string{"en_route", "on_site"} {
		if r := b.Post(path+"/move", url.Values{"to": {to}}); r.Status != 303 {
			b.T().Fatalf("→ %s: %d %s", to, r.Status, r.Body)
		}
	}
	return path
}

func userID(h *apptest.Harness, username string) int64 {
	h.T.Helper()
	u, err := store.NewUserStore(h.DB).FindUserByUsername(context.Background(), username)
	if err != nil {
		h.T.Fatal(err)
	}
	return u.ID
}

// TestPartnerPagesRender: the team, customers and paged lists render for
// the roles that may see them, in both languages; the others get 403, and
// a partner never sees another partner's people.
func TestPartnerPagesRender(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		cases := []struct {
			user, path string
			zh, en     []string
		}{
			{"hefei.admin", "/team", []string{"团队", "hefei.tech", "新增用户", "合作伙伴技术员", "停用"}, []string{"Team", "Add a user", "Disable"}},
			{"admin", "/team", []string{"全部单位", "hefei.tech", "wuhan.tech", "dispatcher"}, []string{"Every organisation"}},
			{"dispatcher", "/units", []string{"交付装备", "回访计划", "序列号"}, []string{"Delivered units", "Follow-up plan"}},
			{"quality", "/units", []string{"交付装备"}, []string{"Next visit"}},
			{"quality", "/documents", []string{"上传技术资料", "上传新版本", `enctype="multipart/form-data"`}, []string{"Upload a document", "New version"}},
			{"hefei.tech", "/jobs?page=1&size=1", []string{"待接单", "已完成"}, []string{"Offers"}},
			{"dispatcher", "/jobs?size=2", []string{`aria-label="分页"`, `rel="next"`, "第 1–2 条"}, []string{`aria-label="Pages"`, "1–2 of"}},
			{"dispatcher", "/jobs?size=100000&page=-3", []string{"全部工单"}, []string{"All jobs"}},
			{"dispatcher", "/dispatch?size=1", []string{"派单台"}, []string{"Dispatch desk"}},
			{"hefei.tech", "/documents?size=1", []string{"第 1–1 条"}, []string{"1–1 of"}},
		}
		for _, tc := range cases {
			b := h.Browser()
			b.Login(tc.user)
			b.Page(tc.path, tc.zh...)
			sep := "?"
			if strings.Contains(tc.path, "?") {
				sep = "&"
			}
			b.Page(tc.path+sep+"lang=en", tc.en...)
		}
		// Pages a role may not open: 403, as from the API.
		for _, tc := range []struct{ user, path string }{
			{"hefei.tech", "/team"}, {"dispatcher", "/team"}, {"hefei.tech", "/customers"}, {"hefei.admin", "/customers"},
			{"admin", "/customers"}, {"legal", "/team"},
		} {
			b := h.Browser()
			b.Login(tc.user)
			if r := b.Get(tc.path); r.Status != 403 {
				t.Errorf("%s GET %s: %d, want 403", tc.user, tc.path, r.Status)
			}
		}
		// A partner's team is its own.
		b := h.Browser()
		b.Login("wuhan.admin")
		body := b.Page("/team", "wuhan.tech")
		for _, s := range []string{"hefei", "xian", "dispatcher"} {
			if strings.Contains(body, s) {
				t.Errorf("wuhan's team page mentions %q", s)
			}
		}
		// Partners get no upload form; the paged list links only its own page.
		b = h.Browser()
		b.Login("hefei.tech")
		if strings.Contains(b.Page("/documents"), `enctype="multipart/form-data"`) {
			t.Error("a partner sees the upload form")
		}
		// An organisation that does not exist is the 404 page.
		a := h.Browser()
		a.Login("admin")
		if r := a.Get("/team?org=999999"); r.Status != 404 {
			t.Errorf("admin /team?org=999999: %d, want 404", r.Status)
		}
		// Page 2 of one row at a time shows the second job, and the pages
		// together show what the API lists.
		d := h.Browser()
		d.Login("dispatcher")
		seen := map[string]bool{}
		for p := 1; p <= 400; p++ {
			body := d.Page(fmt.Sprintf("/jobs?size=25&page=%d", p))
			links := jobLink.FindAllStringSubmatch(body, -1)
			if len(links) == 0 {
				break
			}
			for _, m := range links {
				if seen[m[1]] {
					t.Errorf("job %s on two pages", m[1])
				}
				seen[m[1]] = true
			}
		}
		if api := h.APIJobIDs("dispatcher"); len(seen) != len(api) {
			t.Errorf("the pages of /jobs show %d jobs, the API %d", len(seen), len(api))
		}
	})
}

// TestPartnerReportForm: the report form on the job page, with the SLA
// clocks; refusals come back in the page's language next to their field
// with what was typed; CSRF is required; another partner gets 404.
func TestPartnerReportForm(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		job := h.OfferedTo("hefei.tech")
		b := h.Browser()
		b.Login("hefei.tech")
		path := fmt.Sprintf("/jobs/%d", job)
		if strings.Contains(b.Page(path, "服务时限", "接单"), `action="`+path+`/report"`) {
			t.Error("an offer shows the report form")
		}
		onSite(b, job)
		b.Page(path, "服务报告", `enctype="multipart/form-data"`, "故障原因", "服务时限", "已达成", "处理记录")
		b.Page(path+"?lang=en", "Service report", "Root cause", "Service levels")

		// Without the CSRF token: refused before anything is read.
		fields := url.Values{"actions": {"更换电源板"}, "root_cause": {"component"}}
		if r := postMultipart(b, path+"/report", fields, nil, true); r.Status != 403 {
			t.Errorf("report without CSRF: %d, want 403", r.Status)
		}
		// A refusal: the page again, 400, the message in Chinese next to its
		// field, and what was typed still there.
		r := postMultipart(b, path+"/report", url.Values{"actions": {"  "}, "parts_used": {"PSU-7 ×1"}, "root_cause": {"component"}}, nil, false)
		body := string(r.Body)
		if r.Status != 400 || !strings.Contains(body, `id="actions-error"`) || !strings.Contains(body, "请填写处理措施") {
			t.Errorf("empty actions: %d, want 400 with the Chinese message by the field\n%.2000s", r.Status, body)
		}
		for _, s := range []string{">PSU-7 ×1</textarea>", `value="component" selected`, `aria-invalid="true"`} {
			if !strings.Contains(body, s) {
				t.Errorf("the refused form lost %q", s)
			}
		}
		// The language switch on the refused form goes back to the job page.
		if sw := regexp.MustCompile(`class="lang" href="([^"]*)"`).FindStringSubmatch(body); sw == nil || !strings.HasSuffix(strings.ToLower(sw[1]), fmt.Sprintf("next=%%2fjobs%%2f%d", job)) {
			t.Errorf("the refused form's language switch: %q, want it back to the job page", sw)
		}
		// In English, a reason with nothing to amend.
		r = postMultipart(b, path+"/report?lang=en", url.Values{"reason": {"typo"}, "actions": {"Replaced the PSU."}, "root_cause": {"component"}}, nil, false)
		if r.Status != 400 || !strings.Contains(string(r.Body), "nothing to amend") || !strings.Contains(string(r.Body), `>Replaced the PSU.</textarea>`) {
			t.Errorf("a reason on the first filing, English: %d\n%.1500s", r.Status, r.Body)
		}
		// A text file pretending to be a photo: refused by content.
		r = postMultipart(b, path+"/report", url.Values{"actions": {"更换电源板"}, "root_cause": {"component"}}, map[string][]byte{"attachment:photo.png": []byte("just text")}, false)
		if r.Status != 400 || !strings.Contains(string(r.Body), "flash-error") || !strings.Contains(string(r.Body), ">更换电源板</textarea>") {
			t.Errorf("a text file as attachment: %d", r.Status)
		}
		// Six files: more than the API takes.
		six := map[string][]byte{}
		for i := range 6 {
			six[fmt.Sprintf("attachment:p%d.png", i)] = apptest.PNG()
		}
		r = postMultipart(b, path+"/report", url.Values{"actions": {"更换电源板"}, "root_cause": {"component"}}, six, false)
		if r.Status != 400 || !strings.Contains(string(r.Body), "附件最多 5 个") {
			t.Errorf("six attachments: %d", r.Status)
		}
		// Another partner: the job does not exist for it.
		w := h.Browser()
		w.Login("wuhan.tech")
		w.Get("/jobs")
		if r := postMultipart(w, path+"/report", fields, map[string][]byte{"attachment:p.png": apptest.PNG()}, false); r.Status != 404 {
			t.Errorf("wuhan files a report on hefei's job: %d, want 404", r.Status)
		}
		// Success: a report with a photo, read back on the page with the
		// photo's download link.
		before := componentReports(h)
		r = postMultipart(b, path+"/report", url.Values{"actions": {"更换电源板，通电测试正常。"}, "parts_used": {"PSU-7 ×1"}, "root_cause": {"component"}},
			map[string][]byte{"attachment:photo.png": apptest.PNG()}, false)
		if r.Status != 303 || r.Header.Get("Location") != path+"#reports" {
			t.Fatalf("report: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
		}
		page := b.Page(path, "服务报告已提交", "第 1 版", "更换电源板，通电测试正常。", path+"/reports/attachments/", "修订服务报告（当前第 1 版）")
		link := regexp.MustCompile(`href="(` + path + `/reports/attachments/\d+)"`).FindStringSubmatch(page)
		if link == nil {
			t.Fatal("no attachment link on the job page")
		}
		if r := b.Get(link[1]); r.Status != 200 || !bytes.Equal(r.Body, apptest.PNG()) || r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("the attachment: %d, %d bytes", r.Status, len(r.Body))
		}
		if r := w.Get(link[1]); r.Status != 404 {
			t.Errorf("wuhan downloads hefei's attachment: %d, want 404", r.Status)
		}
		if got := componentReports(h); got != before+1 {
			t.Errorf("component reports: %d after filing, %d before", got, before)
		}
		// Filing again without a reason is refused and keeps what was typed;
		// with one it is version 2, and version 1 stays.
		r = postMultipart(b, path+"/report", url.Values{"actions": {"更换电源板及保险丝。"}, "root_cause": {"component"}}, nil, false)
		if r.Status != 409 || !strings.Contains(string(r.Body), "请填写原因提交修订版") || !strings.Contains(string(r.Body), ">更换电源板及保险丝。</textarea>") {
			t.Errorf("a second filing without a reason: %d\n%.1500s", r.Status, r.Body)
		}
		r = postMultipart(b, path+"/report", url.Values{"reason": {"漏记保险丝"}, "actions": {"更换电源板及保险丝。"}, "root_cause": {"component"}}, nil, false)
		if r.Status != 303 {
			t.Fatalf("the amendment: %d %s", r.Status, r.Body)
		}
		b.Page(path, "第 2 版", "漏记保险丝", "第 1 版", "更换电源板，通电测试正常。")
		if got := componentReports(h); got != before+1 {
			t.Errorf("component reports after an amendment: %d, want %d (the current version only)", got, before+1)
		}
	})
}

// TestPartnerTeamAndAssign: a partner's admin creates a technician (the
// one-time password works once shown), assigns a job to it and disables
// it; another partner's admin reaches none of it.
func TestPartnerTeamAndAssign(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		a := h.Browser()
		a.Login("hefei.admin")
		a.Page("/team")
		if r := a.Send("POST", "/team", url.Values{"username": {"hefei.li"}, "display_name": {"李工"}, "role": {"partner_technician"}}); r.Status != 403 {
			t.Errorf("create without CSRF: %d, want 403", r.Status)
		}
		r := a.Post("/team", url.Values{"username": {"Hefei Li"}, "display_name": {"李工"}, "role": {"partner_technician"}})
		if r.Status != 400 || !strings.Contains(string(r.Body), `id="username-error"`) || !strings.Contains(string(r.Body), `value="李工"`) {
			t.Errorf("bad username: %d", r.Status)
		}
		r = a.Post("/team", url.Values{"username": {"hefei.li"}, "display_name": {"李工"}, "role": {"dispatcher"}})
		if r.Status != 400 || !strings.Contains(string(r.Body), "请选择角色") {
			t.Errorf("a partner admin makes a dispatcher: %d", r.Status)
		}
		r = a.Post("/team", url.Values{"username": {"hefei.li"}, "display_name": {"李工"}, "role": {"partner_technician"}})
		m := regexp.MustCompile(`<code id="one-time-password">([A-Za-z0-9]{16})</code>`).FindStringSubmatch(string(r.Body))
		if r.Status != 201 || m == nil {
			t.Fatalf("create: %d\n%.1500s", r.Status, r.Body)
		}
		if r := a.Post("/team", url.Values{"username": {"hefei.li"}, "display_name": {"李工"}, "role": {"partner_technician"}}); r.Status != 409 || !strings.Contains(string(r.Body), "该用户名已被使用") {
			t.Errorf("the same username again: %d", r.Status)
		}
		li := userID(h, "hefei.li")
		u, _ := store.NewUserStore(h.DB).FindUserByID(context.Background(), li)
		if u.OrgID != userOrg(h, "hefei.admin") || !u.HasRole(cordon.RolePartnerTechnician) {
			t.Errorf("the new user is in org %d with %v", u.OrgID, u.Roles)
		}
		nb := h.Browser()
		if r := loginWith(nb, "hefei.li", m[1]); r.Status != 303 {
			t.Fatalf("the one-time password does not log in: %d", r.Status)
		}
		nb.Page("/jobs", "待接单")

		// Assign a job to the new technician.
		job := h.OfferedTo("hefei.admin")
		path := fmt.Sprintf("/jobs/%d", job)
		if r := a.Post(path+"/accept", nil); r.Status != 303 {
			t.Fatalf("accept: %d", r.Status)
		}
		a.Page(path, `action="`+path+`/assign"`, "hefei.li", "当前负责人")
		if r := a.Send("POST", path+"/assign", url.Values{"user_id": {fmt.Sprint(li)}}); r.Status != 403 {
			t.Errorf("assign without CSRF: %d, want 403", r.Status)
		}
		wuhanTech := userID(h, "wuhan.tech")
		if r := a.Post(path+"/assign", url.Values{"user_id": {fmt.Sprint(wuhanTech)}}); r.Status != 303 {
			t.Errorf("assign to wuhan's technician: %d, want a redirect with the refusal", r.Status)
		}
		a.Page(path, "flash-error", "只能指派给承接该工单的合作伙伴名下在职的技术员")
		if r := a.Post(path+"/assign", url.Values{"user_id": {fmt.Sprint(li)}}); r.Status != 303 {
			t.Fatalf("assign: %d %s", r.Status, r.Body)
		}
		a.Page(path, "已指派技术员", "<strong>李工 (hefei.li)</strong>")
		// A technician has no assignment form and may not post one.
		tb := h.Browser()
		tb.Login("hefei.tech")
		if strings.Contains(tb.Page(path), `/assign"`) {
			t.Error("a technician sees the assignment form")
		}
		if r := tb.Post(path+"/assign", url.Values{"user_id": {fmt.Sprint(li)}}); r.Status != 403 {
			t.Errorf("a technician assigns: %d, want 403", r.Status)
		}

		// Wuhan's admin cannot disable hefei's user: the same 404 as none.
		w := h.Browser()
		w.Login("wuhan.admin")
		w.Page("/team")
		for _, id := range []int64{li, 999999} {
			if r := w.Post(fmt.Sprintf("/team/%d/disable", id), nil); r.Status != 404 {
				t.Errorf("wuhan.admin disables user %d: %d, want 404", id, r.Status)
			}
		}
		if r := a.Post(fmt.Sprintf("/team/%d/disable", userID(h, "hefei.admin")), nil); r.Status != 303 {
			t.Errorf("disable oneself: %d, want a redirect with the refusal", r.Status)
		}
		a.Page("/team", "不能停用自己的账号")
		if r := a.Post(fmt.Sprintf("/team/%d/disable", li), nil); r.Status != 303 {
			t.Fatalf("disable: %d %s", r.Status, r.Body)
		}
		a.Page("/team", "已停用用户 hefei.li")
		// The disabled user's session ends at once.
		if r := nb.Get("/jobs"); r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Errorf("a disabled user's page: %d %q, want the login form", r.Status, r.Header.Get("Location"))
		}
		// The institute's admin creates a user in any organisation.
		ad := h.Browser()
		ad.Login("admin")
		ad.Page("/team")
		r = ad.Post("/team", url.Values{"org": {fmt.Sprint(userOrg(h, "wuhan.admin"))}, "username": {"wuhan.zhao"}, "display_name": {"赵工"}, "role": {"partner_admin"}})
		if r.Status != 201 || !strings.Contains(string(r.Body), "one-time-password") {
			t.Errorf("admin creates a wuhan admin: %d", r.Status)
		}
		r = ad.Post("/team", url.Values{"org": {fmt.Sprint(userOrg(h, "wuhan.admin"))}, "username": {"wuhan.qian"}, "display_name": {"钱"}, "role": {"dispatcher"}})
		if r.Status != 400 || !strings.Contains(string(r.Body), "不适用于") {
			t.Errorf("admin makes a partner's dispatcher: %d", r.Status)
		}
	})
}

// componentReports counts the service reports that name a component
// fault, through the quality API.
func componentReports(h *apptest.Harness) int {
	h.T.Helper()
	tok, _ := h.Login("quality")
	r := h.Do("GET", "/api/v1/quality/root-causes", tok, nil)
	if r.Status != 200 {
		h.T.Fatalf("root causes: %d", r.Status)
	}
	n := 0
	for _, it := range r.JSON(h.T)["items"].([]any) {
		if m := it.(map[string]any); m["cause"] == "component" {
			n += int(m["count"].(float64))
		}
	}
	return n
}

func userOrg(h *apptest.Harness, username string) int64 {
	h.T.Helper()
	u, err := store.NewUserStore(h.DB).FindUserByUsername(context.Background(), username)
	if err != nil {
		h.T.Fatal(err)
	}
	return u.OrgID
}

// TestInstituteDocumentUpload: the quality department uploads a document
// and a new version of it through the library page; a refusal keeps what
// was typed; a partner may not post the form.
func TestInstituteDocumentUpload(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		q := h.Browser()
		q.Login("quality")
		q.Page("/documents")
		fields := url.Values{"title": {"雷达电源维修手册"}, "product_line": {"radar"}, "classification": {"internal"}, "version": {"1.0"}}
		if r := postMultipart(q, "/documents", fields, map[string][]byte{"file:manual.png": apptest.PNG()}, true); r.Status != 403 {
			t.Errorf("upload without CSRF: %d, want 403", r.Status)
		}
		r := postMultipart(q, "/documents", url.Values{"title": {""}, "product_line": {"radar"}, "classification": {"restricted"}, "version": {"1.0"}},
			map[string][]byte{"file:manual.png": apptest.PNG()}, false)
		if r.Status != 400 || !strings.Contains(string(r.Body), `id="title-error"`) || !strings.Contains(string(r.Body), `value="restricted" selected`) {
			t.Errorf("upload without a title: %d", r.Status)
		}
		r = postMultipart(q, "/documents", fields, nil, false)
		if r.Status != 400 || !strings.Contains(string(r.Body), `id="file-error"`) {
			t.Errorf("upload without a file: %d", r.Status)
		}
		r = postMultipart(q, "/documents", fields, map[string][]byte{"file:manual.png": apptest.PNG()}, false)
		if r.Status != 303 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		body := q.Page(r.Header.Get("Location"), "已上传：雷达电源维修手册（版本 1.0）")
		m := regexp.MustCompile(`href="/documents\?version_of=(\d+)#upload"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no new-version link")
		}
		// The new-version link fills the form from the document.
		q.Page("/documents?version_of="+m[1], `name="previous_id" inputmode="numeric" pattern="[0-9]*" value="`+m[1]+`"`, `value="雷达电源维修手册"`)
		fields.Set("version", "1.1")
		fields.Set("previous_id", m[1])
		if r := postMultipart(q, "/documents", fields, map[string][]byte{"file:manual.png": apptest.PNG()}, false); r.Status != 303 {
			t.Fatalf("new version: %d %s", r.Status, r.Body)
		}
		q.Page("/documents?q="+url.QueryEscape("雷达电源维修手册"), "替代 #"+m[1])
		// A partner cannot post the form.
		b := h.Browser()
		b.Login("hefei.tech")
		b.Get("/documents")
		if r := postMultipart(b, "/documents", fields, map[string][]byte{"file:manual.png": apptest.PNG()}, false); r.Status != 403 {
			t.Errorf("a partner uploads: %d, want 403", r.Status)
		}
	})
}
