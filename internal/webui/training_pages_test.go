package webui_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
)

// TestTrainingSection: the demo's training job on its page. Its partner
// reads the sessions, the named trainees and downloads the certificate but
// records nothing while the job waits on the customer; the quality
// supervisor issues the certificate of the trainee who passed and corrects
// a session, a refused form coming back with what was typed and the
// message by its field; another partner reaches nothing.
func TestTrainingSection(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		j := h.JobOf("hefei", cordon.JobWaitingCustomer)
		path := fmt.Sprintf("/jobs/%d", j.ID)
		year := h.Clock.Now().In(cordon.ChinaTime).Year()
		first, second := cordon.CertificateNumber(year, 1), cordon.CertificateNumber(year, 2)

		tech := h.Browser()
		tech.Login("hefei.tech")
		page := tech.Page(path, "培训记录", "2 次培训，共 5.5 学时，3 名学员。", "雷达开机、自检与日常维护流程", "王建国", "李晓明", "张伟",
			"合格", "不合格", "92 分", first, "/training/trainees/")
		for _, s := range []string{`action="` + path + `/training/sessions"`, "颁发证书", `name="passed"`} {
			if strings.Contains(page, s) {
				t.Errorf("the partner, waiting on the customer, is offered %q", s)
			}
		}
		cert := between(page, `href="`+path+`/training/trainees/`, `"`)
		if cert == "" {
			t.Fatalf("no certificate link:\n%.3000s", page)
		}
		cert = path + "/training/trainees/" + cert
		if r := tech.Get(cert); r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("the partner's certificate: %d %v", r.Status, r.Header)
		}
		w := h.Browser()
		w.Login("wuhan.tech")
		for _, p := range []string{path, cert} {
			if r := w.Get(p); r.Status != 404 || strings.Contains(string(r.Body), "王建国") {
				t.Errorf("wuhan GET %s: %d, want 404", p, r.Status)
			}
		}

		q := h.Browser()
		q.Login("quality")
		page = q.Page(path, "颁发证书", `action="`+path+`/training/sessions"`, "添加学员")
		issue := between(page, `<form method="post" action="`+path+`/training/trainees/`, `/certificate"`)
		if issue == "" {
			t.Fatalf("no issue button:\n%.3000s", page)
		}
		r := q.Post(path+"/training/trainees/"+issue+"/certificate", nil)
		if r.Status != 303 || r.Header.Get("Location") != path+"#trainee-"+issue {
			t.Fatalf("issue: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
		}
		q.Page(path, "已颁发证书 "+second+"。", second)
		if r := w.Post(path+"/training/trainees/"+issue+"/certificate", nil); r.Status != 403 {
			t.Errorf("a partner posts an issue: %d, want 403", r.Status)
		}

		// A refused session: the page again, the form open with what was
		// typed and the message by the hours.
		r = q.Post(path+"/training/sessions", url.Values{"held_on": {"2026-10-20"}, "hours": {"三"}, "topics": {"补训：故障代码判读"}})
		body := string(r.Body)
		if r.Status != 400 || !strings.Contains(body, `id="hours-new-error"`) || !strings.Contains(body, "学时须大于 0 且不超过 24。") ||
			!strings.Contains(body, ">补训：故障代码判读</textarea>") || !strings.Contains(body, `value="三"`) {
			t.Errorf("a refused session: %d\n%.3000s", r.Status, body)
		}
		if r := q.Post(path+"/training/sessions", url.Values{"held_on": {"2026-10-20"}, "hours": {"1.5"}, "topics": {"补训：故障代码判读"}}); r.Status != 303 {
			t.Fatalf("a session: %d %s", r.Status, r.Body)
		}
		q.Page(path, "培训课次已保存。", "3 次培训，共 7 学时", "补训：故障代码判读")
		q.Page(path+"?lang=en", "Training", "3 sessions, 7 hours in all, 3 trainees.", "Download the certificate (PDF)", "Record a session")
	})
}

// TestTrainingForms: the partner's technician on site records a trainee
// and assesses it from the page; refusals come back by their fields.
func TestTrainingForms(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		job, _ := h.JobOnSite("training")
		path := fmt.Sprintf("/jobs/%d", job)
		b := h.Browser()
		b.Login("hefei.tech")
		b.Page(path, "尚未记录培训课次。", "尚未记录学员。", `action="`+path+`/training/trainees"`)
		r := b.Post(path+"/training/trainees", url.Values{"name": {" "}, "position": {"操作员"}})
		if body := string(r.Body); r.Status != 400 || !strings.Contains(body, `id="name-new-error"`) || !strings.Contains(body, `value="操作员"`) {
			t.Errorf("a nameless trainee: %d\n%.3000s", r.Status, body)
		}
		if r := b.Post(path+"/training/trainees", url.Values{"name": {"陈晨"}, "position": {"操作员"}, "department": {"雷达站"}}); r.Status != 303 {
			t.Fatalf("a trainee: %d %s", r.Status, r.Body)
		}
		page := b.Page(path, "学员信息已保存。", "陈晨", "未考核")
		tid := between(page, `<li class="trainee" id="trainee-`, `"`)
		if tid == "" {
			t.Fatalf("no trainee:\n%.3000s", page)
		}
		assess := path + "/training/trainees/" + tid + "/assessment"
		r = b.Post(assess, url.Values{"passed": {"true"}, "score": {"101"}, "comment": {"熟练"}})
		if body := string(r.Body); r.Status != 400 || !strings.Contains(body, `id="score-`+tid+`-error"`) || !strings.Contains(body, ">熟练</textarea>") {
			t.Errorf("score 101: %d\n%.3000s", r.Status, body)
		}
		r = b.Post(assess, url.Values{"score": {"80"}})
		if body := string(r.Body); r.Status != 400 || !strings.Contains(body, `id="passed-`+tid+`-error"`) {
			t.Errorf("no result: %d\n%.3000s", r.Status, body)
		}
		if r := b.Post(assess, url.Values{"passed": {"true"}, "score": {"88"}, "comment": {"熟练"}}); r.Status != 303 {
			t.Fatalf("assess: %d %s", r.Status, r.Body)
		}
		b.Page(path, "考核结果已保存。", "88 分", "熟练")
		if r := b.Post(path+"/training/trainees/"+tid+"/certificate", nil); r.Status != 403 {
			t.Errorf("the technician issues: %d, want 403", r.Status)
		}
		if r := b.Post(path+"/training/sessions/x", url.Values{"hours": {"1"}}); r.Status != 404 {
			t.Errorf("a session id that is no number: %d, want 404", r.Status)
		}
	})
}

// TestTraineesPage: the institute's list with its search, filters, pages
// and CSV export; partners have neither the page nor the entry.
func TestTraineesPage(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		d := h.Browser()
		d.Login("dispatcher")
		page := d.Page("/trainees", `href="/trainees"`, "学员名单", "王建国", "李晓明", "张伟", cordon.CertificateNumber(h.Clock.Now().In(cordon.ChinaTime).Year(), 1),
			`href="/trainees.csv"`, "hefei")
		if !strings.Contains(page, `data-label="姓名"`) {
			t.Error("the list's cells carry no labels for a phone")
		}
		page = d.Page("/trainees?passed=false", "张伟", `href="/trainees.csv?passed=false"`)
		if strings.Contains(page, "王建国") {
			t.Error("passed=false lists a trainee who passed")
		}
		page = d.Page("/trainees?q=李&certified=false", "李晓明")
		if strings.Contains(page, "张伟") {
			t.Error("the search lists another")
		}
		d.Page("/trainees?size=1&page=2", "第 2")
		if r := d.Get("/trainees?passed=maybe"); r.Status != 303 {
			t.Errorf("passed=maybe: %d, want a refusal", r.Status)
		}
		r := d.Get("/trainees.csv?certified=true")
		if body := string(r.Body); r.Status != 200 || !strings.HasPrefix(body, "学员编号,姓名") || !strings.Contains(body, "王建国,技师,雷达站") || strings.Contains(body, "张伟") {
			t.Errorf("csv: %d %s", r.Status, body)
		}
		if r := d.Get("/trainees.csv?lang=en"); !strings.HasPrefix(string(r.Body), "trainee,name") {
			t.Errorf("csv in English: %.200s", r.Body)
		}
		p := h.Browser()
		p.Login("hefei.admin")
		if page := p.Page("/jobs"); strings.Contains(page, `href="/trainees"`) {
			t.Error("a partner has the trainees entry")
		}
		for _, path := range []string{"/trainees", "/trainees.csv"} {
			if r := p.Get(path); r.Status != 403 {
				t.Errorf("partner GET %s: %d, want 403", path, r.Status)
			}
		}
	})
}

// between returns the text of s after the first from, up to to.
func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, to)
	return v
}
