package webui_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// The checklist's pages on both engines: hefei.tech fills the demo
// installation job's checklist on the job page (a refused value comes
// back as typed, next to its item; a measurement out of limits is
// flagged), and quality reads it and keeps the templates.

// demoInstallationJob is the demo world's installation job on site.
func demoInstallationJob(t *testing.T, h *apptest.Harness) int64 {
	t.Helper()
	jobs, _, err := store.NewJobStore(h.DB).FindJobs(context.Background(), cordon.JobFilter{
		Statuses: []cordon.JobStatus{cordon.JobOnSite}, Scope: cordon.ListScope{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j.PartnerID != nil && j.Request.Category == cordon.CatInstallation {
			return j.ID
		}
	}
	t.Fatal("no demo installation job on site")
	return 0
}

func TestChecklistJobPage(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		job := demoInstallationJob(t, h)
		path := fmt.Sprintf("/jobs/%d", job)
		b := h.Browser()
		b.Login("hefei.tech")
		b.Page(path, `id="checklist"`, "设备安装检查单", `name="a.earth_resistance"`, `inputmode="decimal"`, "限值 ≤ 4 Ω",
			`name="a.site_ready" value="pass"`, `name="p.site_photo"`, `capture="environment"`, "尚有 7 个必填项未填写")
		// A measurement that is not a number: refused, nothing saved, the
		// typed values back in the form with the message at the item.
		r := b.Post(path+"/checklist", url.Values{"a.site_ready": {"pass"}, "a.earth_resistance": {"六点五"}, "a.remarks": {"接地排锈蚀"}})
		body := string(r.Body)
		if r.Status != 400 || !strings.Contains(body, `value="六点五"`) || !strings.Contains(body, "接地排锈蚀") ||
			!strings.Contains(body, "不是数值") || !strings.Contains(body, `class="checklist-item invalid`) {
			t.Fatalf("a bad measurement: %d, want 400 with the form as typed and the message:\n%s", r.Status, body)
		}
		b.Page(path, "尚有 7 个必填项未填写")
		// Out of limits: saved, flagged.
		r = b.Post(path+"/checklist", url.Values{"a.site_ready": {"pass"}, "a.earth_resistance": {"6.5"}, "a.remarks": {"接地排锈蚀"}})
		if r.Status != 303 {
			t.Fatalf("save: %d %s", r.Status, r.Body)
		}
		b.Page(path, "检查单已保存", "1 项测量值超出限值", "超限", `value="6.5"`, "尚有 5 个必填项未填写", "实测 6.5 Ω，超出限值 ≤ 4 Ω")
		// Resolving now is refused with the items named.
		r = b.Post(path+"/move", url.Values{"to": {"resolved"}})
		if r.Status != 303 {
			t.Fatalf("resolve: %d", r.Status)
		}
		b.Page(path, "flash-error", "必填项未填写", "绝缘电阻")
		// The institute reads it, flagged, without a form.
		q := h.Browser()
		q.Login("quality")
		body = q.Page(path, "设备安装检查单", "超限", "接地排锈蚀", "合格")
		if strings.Contains(body, `name="a.earth_resistance"`) {
			t.Error("quality gets the fill form")
		}
		q.Page(path+"?lang=en", "Checklist", "Out of limits", "Pass")
		// Another partner: the job does not exist.
		w := h.Browser()
		w.Login("wuhan.tech")
		if r := w.Post(path+"/checklist", url.Values{"a.site_ready": {"fail"}}); r.Status != 404 {
			t.Errorf("wuhan.tech posts hefei's checklist: %d, want 404", r.Status)
		}
		// Complete and resolved: quality's summary beside the verify
		// button names the checklist's flag, item by item.
		r = b.Post(path+"/checklist", url.Values{"a.site_ready": {"pass"}, "a.unit_intact": {"pass"}, "a.serial_matches": {"pass"},
			"a.power_on_selftest": {"pass"}, "a.earth_resistance": {"6.5"}, "a.insulation_resistance": {"50"}, "a.supply_voltage": {"221"}})
		if r.Status != 303 {
			t.Fatalf("complete the checklist: %d %s", r.Status, r.Body)
		}
		if r = b.Post(path+"/move", url.Values{"to": {"resolved"}}); r.Status != 303 {
			t.Fatalf("resolve: %d", r.Status)
		}
		body = q.Page(path, `id="verify-summary"`, `data-to="verified"`)
		_, sum, _ := strings.Cut(body, `id="verify-summary"`)
		sum, _, _ = strings.Cut(sum, `id="checklist-card"`)
		for _, want := range []string{`id="verify-checklist"`, "设备安装检查单", "超限 1 项", "接地电阻 <strong>6.5</strong> Ω", "≤ 4 Ω", "必填项均已填写"} {
			if !strings.Contains(sum, want) {
				t.Errorf("the verify summary lacks %q:\n%s", want, sum)
			}
		}
		// Verified: the unit, delivered days ago, is installed by this job.
		if r = q.Post(path+"/move", url.Values{"to": {"verified"}}); r.Status != 303 {
			t.Fatalf("verify: %d %s", r.Status, r.Body)
		}
		j, err := store.NewJobStore(h.DB).FindJobByID(context.Background(), job)
		if err != nil || j.Request == nil || j.Request.UnitID == nil {
			t.Fatalf("the job's unit: %v", err)
		}
		q.Page(fmt.Sprintf("/units/%d", *j.Request.UnitID), `<li class="ms-done" id="ms-installed">`,
			fmt.Sprintf(`<a href="/jobs/%d">工单 #%d</a>`, job, job))
	})
}

func TestChecklistTemplatePages(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		b := h.Browser()
		b.Login("quality")
		b.Page("/checklists", "检查单模板", "installation", "设备安装检查单", `id="new-checklist"`)
		b.Page("/checklists?q=维护", "maintenance")
		if body := b.Page("/checklists?category=training", "<code>training</code>"); strings.Contains(body, "<code>installation</code>") {
			t.Error("the category filter lets installation through")
		}
		b.Page("/checklists/new", "key:")
		// A broken template: refused with its line, the text kept.
		src := "key: radar-install\ntitle: 雷达安装\ncategory: installation\nproduct_line: radar\nitems:\n  - key: earth\n    label: 接地电阻\n    kind: measurement\n    max: four\n"
		r := b.Post("/checklists/import", url.Values{"source": {src}})
		if r.Status != 400 || !strings.Contains(string(r.Body), "line 9") || !strings.Contains(string(r.Body), "radar-install") {
			t.Fatalf("a bad template: %d, want 400 naming line 9 with the text kept:\n%s", r.Status, r.Body)
		}
		src = strings.Replace(src, "max: four", "max: 4\n    required: true", 1)
		r = b.Post("/checklists/import", url.Values{"source": {src}})
		if r.Status != 303 {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		view := r.Header.Get("Location")
		b.Page(view, "雷达安装", "radar", "≤ 4", `id="edit-checklist"`, "版本历史")
		b.Page(view+"/edit", "key: radar-install", "max: 4")
		r = b.Post(view+"/edit", url.Values{"source": {strings.Replace(src, "雷达安装", "雷达安装（第二版）", 1)}})
		if r.Status != 303 {
			t.Fatalf("edit: %d %s", r.Status, r.Body)
		}
		v2 := r.Header.Get("Location")
		if v2 == view {
			t.Fatal("an edit kept the version's id")
		}
		b.Page(v2, "雷达安装（第二版）", "第 2 版")
		// The old version: shown as old, never edited.
		b.Page(view, "这是旧版本")
		r = b.Post(view+"/edit", url.Values{"source": {src}})
		if r.Status != 409 || !strings.Contains(string(r.Body), "不是最新版") {
			t.Errorf("editing version 1: %d, want 409 saying it is not the latest", r.Status)
		}
		if r := b.Get(v2 + "/export"); r.Status != 200 || !strings.Contains(string(r.Body), "雷达安装（第二版）") {
			t.Errorf("export: %d %s", r.Status, r.Body)
		}
		if r := b.Post(v2+"/retire", nil); r.Status != 303 {
			t.Fatalf("retire: %d", r.Status)
		}
		b.Page(v2, "已停用")
		b.Page("/checklists?retired=1", "radar-install")
		// The dispatcher reads, does not write; a partner has no such page.
		d := h.Browser()
		d.Login("dispatcher")
		if body := d.Page("/checklists", "installation"); strings.Contains(body, `id="new-checklist"`) {
			t.Error("the dispatcher is offered a new template")
		}
		if r := d.Post("/checklists/import", url.Values{"source": {src}}); r.Status != 403 {
			t.Errorf("the dispatcher imports: %d, want 403", r.Status)
		}
		p := h.Browser()
		p.Login("hefei.admin")
		if r := p.Get("/checklists"); r.Status != 403 {
			t.Errorf("a partner opens the templates: %d, want 403", r.Status)
		}
	})
}
