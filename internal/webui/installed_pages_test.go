package webui_test

import (
	"bytes"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
)

// The installed base's pages: customers, units, milestones, follow-up
// plans, the visit calendar, stuck units, imports and exports, and the
// catalogue, on both engines through the wired application.

// location is where a 303 sends the browser.
func location(t *testing.T, r *apptest.Response, what string) string {
	t.Helper()
	if r.Status != 303 {
		t.Fatalf("%s: %d, want 303\n%s", what, r.Status, r.Body)
	}
	return r.Header.Get("Location")
}

// idIn is the id at the end of a path like /units/12 (before any #).
var idIn = regexp.MustCompile(`/(\d+)(?:#.*)?$`)

func idOf(t *testing.T, path string) string {
	t.Helper()
	m := idIn.FindStringSubmatch(path)
	if m == nil {
		t.Fatalf("no id in %q", path)
	}
	return m[1]
}

// flashOf follows a form's redirect and returns the page with its flash.
func flashOf(t *testing.T, b *apptest.Browser, r *apptest.Response, what string) string {
	t.Helper()
	to := location(t, r, what)
	got := b.Get(to)
	if got.Status != 200 {
		t.Fatalf("%s: GET %s: %d", what, to, got.Status)
	}
	m := regexp.MustCompile(`(?s)<p class="flash flash-(ok|error)"[^>]*>(.*?)</p>`).FindStringSubmatch(string(got.Body))
	if m == nil {
		t.Fatalf("%s: no flash on %s", what, to)
	}
	return m[1] + ": " + m[2]
}

// hidden reads the value of a hidden input of a page.
func hidden(t *testing.T, body, name string) string {
	t.Helper()
	m := regexp.MustCompile(`<input type="hidden" name="` + name + `" value="([^"]*)">`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no hidden %s in the page", name)
	}
	return html.UnescapeString(m[1])
}

// day is a date input's value, SeedTime plus days, in China time.
func day(days int) string {
	return apptest.SeedTime.AddDate(0, 0, days).In(cordon.ChinaTime).Format("2006-01-02")
}

// TestCustomerPages: quality lists and searches customers a keyset page at
// a time, creates one (refusals shown on the form with what was typed),
// edits it, deactivates and reactivates it; each view is in the access log.
func TestCustomerPages(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		b := h.Browser()
		b.Login("quality")
		body := b.Page("/customers?size=3", "客户", "CU-0001", "搜索", `rel="next"`, "显示已停用的客户")
		if strings.Contains(body, "pager.") || strings.Contains(body, `aria-label="第 2 页"`) {
			t.Error("the customer list shows page numbers or an untranslated key")
		}
		next := regexp.MustCompile(`href="(/customers\?[^"]*after=\d+[^"]*)" rel="next"`).FindStringSubmatch(body)
		if next == nil {
			t.Fatal("no next-page link with after=")
		}
		page2 := b.Page(strings.ReplaceAll(next[1], "&amp;", "&"), "CU-0004", `rel="first"`)
		if strings.Contains(page2, ">CU-0001<") {
			t.Error("the second page repeats the first")
		}
		b.Page("/customers?lang=en", "Customers", "Show deactivated customers", "Unit designation")
		b.Page("/customers?q=CU-0002", "CU-0002")

		// The form refuses what the service refuses, beside the field.
		b.Page("/customers/new", "新建客户", `name="code"`)
		form := url.Values{"code": {"CU-9001"}, "city": {"Hefei"}, "name": {""}, "unit_designation": {"61234部队"},
			"contact_person": {"王工"}, "phone": {"0551-6288 1234"}, "site_address": {"合肥市蜀山区"}}
		r := b.Post("/customers", form)
		if r.Status != 400 || !strings.Contains(string(r.Body), `id="name-error"`) || !strings.Contains(string(r.Body), "请填写名称") ||
			!strings.Contains(string(r.Body), `value="61234部队"`) {
			t.Errorf("a customer without a name: %d, want 400 with the message beside the name and the form kept\n%s", r.Status, r.Body)
		}
		form.Set("name", "合肥某部")
		to := location(t, b.Post("/customers", form), "create a customer")
		id := idOf(t, to)
		b.Page(to, "合肥某部", "61234部队", "CU-9001", "客户 CU-9001 已创建")
		if r := b.Post("/customers", form); r.Status != 409 || !strings.Contains(string(r.Body), `id="code-error"`) {
			t.Errorf("a code taken: %d, want 409 with the message beside the code\n%s", r.Status, r.Body)
		}
		events := h.AccessEvents(cordon.AccessEventFilter{Resource: ptr("customer"), ResourceID: &id})
		var viewed, created bool
		for _, e := range events {
			viewed = viewed || e.Action == cordon.ActView
			created = created || e.Action == cordon.ActCreate
		}
		if !viewed || !created {
			t.Errorf("customer %s: access events %d (view %v, create %v), want its creation and its view", id, len(events), viewed, created)
		}

		// Edit: a bad phone is refused with a message; a good edit is saved.
		edit := url.Values{"city": {"Hefei"}, "name": {"合肥某部（新）"}, "unit_designation": {"61234部队"}, "contact_person": {"李工"},
			"phone": {"abc"}, "site_address": {"合肥市蜀山区"}}
		if f := flashOf(t, b, b.Post("/customers/"+id, edit), "bad phone"); !strings.HasPrefix(f, "error") || !strings.Contains(f, "电话号码") {
			t.Errorf("a bad phone: flash %q", f)
		}
		edit.Set("phone", "13800001111")
		if f := flashOf(t, b, b.Post("/customers/"+id, edit), "edit"); !strings.Contains(f, "已保存") {
			t.Errorf("edit: flash %q", f)
		}
		b.Page("/customers/"+id, "合肥某部（新）", "李工", "13800001111")

		// Deactivate: gone from the list unless asked; reactivate.
		if f := flashOf(t, b, b.Post("/customers/"+id+"/deactivate", nil), "deactivate"); !strings.Contains(f, "已停用") {
			t.Errorf("deactivate: flash %q", f)
		}
		b.Page("/customers/"+id, `id="customer-inactive"`, `action="/customers/`+id+`/reactivate"`)
		if strings.Contains(b.Page("/customers?q=CU-9001"), "CU-9001</code>") {
			t.Error("a deactivated customer is listed without show-deactivated")
		}
		b.Page("/customers?q=CU-9001&inactive=1", "CU-9001</code>", "已停用")
		if f := flashOf(t, b, b.Post("/customers/"+id+"/reactivate", nil), "reactivate"); !strings.Contains(f, "已重新启用") {
			t.Errorf("reactivate: flash %q", f)
		}

		// The dispatcher may create and edit but not deactivate.
		d := h.Browser()
		d.Login("dispatcher")
		if body := d.Page("/customers/" + id); strings.Contains(body, "/deactivate") {
			t.Error("the dispatcher is offered deactivation")
		}
		if r := d.Post("/customers/"+id+"/deactivate", nil); r.Status != 403 {
			t.Errorf("the dispatcher deactivates: %d, want 403", r.Status)
		}
		if r := b.Get("/customers/999999"); r.Status != 404 {
			t.Errorf("a customer that does not exist: %d, want 404", r.Status)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// registerUnit registers a unit through the form and returns its page.
func registerUnit(t *testing.T, h *apptest.Harness, b *apptest.Browser, serial string, form url.Values) string {
	t.Helper()
	body := b.Page("/units/new?customer=CU-0001", "登记交付装备", `value="CU-0001"`)
	model := regexp.MustCompile(`<option value="(\d+)">[^<]*RD-200`).FindStringSubmatch(body)
	if model == nil {
		t.Fatal("no RD-200 in the model list")
	}
	f := url.Values{"model_id": {model[1]}, "customer": {"CU-0001"}, "serial": {serial}, "batch": {"RD200-26A"}, "site_city": {"Hefei"},
		"delivered_on": {day(-30)}, "warranty_end": {day(700)}, "follow_up_months": {"6"}}
	for k, v := range form {
		f[k] = v
	}
	return location(t, b.Post("/units", f), "register "+serial)
}

// TestUnitPages: quality registers a unit (a duplicate serial is refused
// on the form), records milestones (one out of order is refused with a
// message), edits and pauses the follow-up plan, sees the visit on the
// calendar and the unit among the stuck ones, transfers and retires it.
func TestUnitPages(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		b := h.Browser()
		b.Login("quality")
		b.Page("/units", "交付装备", "序列号", `href="/units/import"`, `href="/units/new"`, `href="/units/stuck"`, "导出 Excel")
		b.Page("/units?lang=en", "Delivered units", "Register a unit", "Export CSV")
		to := registerUnit(t, h, b, "WEB-0001", nil)
		id := idOf(t, to)
		b.Page(to, "WEB-0001", "RD200-26A", "装备 WEB-0001 已登记", "交付进度", "已发运", "回访计划", "服务履历", "每 6 个月")
		b.Page("/units?q=WEB-0001", `href="/units/`+id+`"`)

		// The same serial on the same model is a conflict, on the form.
		body := b.Page("/units/new")
		model := regexp.MustCompile(`<option value="(\d+)">[^<]*RD-200`).FindStringSubmatch(body)[1]
		r := b.Post("/units", url.Values{"model_id": {model}, "customer": {"CU-0001"}, "serial": {"WEB-0001"}, "batch": {"B"},
			"delivered_on": {day(-3)}, "warranty_end": {day(300)}})
		if r.Status != 409 || !strings.Contains(string(r.Body), `id="serial-error"`) || !strings.Contains(string(r.Body), `value="WEB-0001"`) {
			t.Errorf("a serial taken: %d, want 409 with the message beside the serial\n%s", r.Status, r.Body)
		}
		r = b.Post("/units", url.Values{"model_id": {model}, "customer": {"NOPE-1"}, "serial": {"WEB-0002"}, "batch": {"B"},
			"delivered_on": {"2026/13/40"}, "warranty_end": {day(300)}})
		if r.Status != 400 || !strings.Contains(string(r.Body), `id="customer-error"`) || !strings.Contains(string(r.Body), "NOPE-1") {
			t.Errorf("an unknown customer: %d, want 400 with the message beside the customer\n%s", r.Status, r.Body)
		}

		// Milestones: accepted before installed is refused; in order works.
		post := func(kind, on string) string {
			return flashOf(t, b, b.Post(to+"/milestones", url.Values{"kind": {kind}, "on": {on}, "note": {"随车"}}), "milestone "+kind)
		}
		if f := post("accepted", day(-1)); !strings.HasPrefix(f, "error") || !strings.Contains(f, "已验收") {
			t.Errorf("accepted before installed: flash %q, want the refusal naming 已验收", f)
		}
		if f := post("shipped", day(1)); !strings.HasPrefix(f, "error") {
			t.Errorf("a milestone in the future: flash %q, want a refusal", f)
		}
		if f := post("shipped", day(-29)); !strings.HasPrefix(f, "ok") || !strings.Contains(f, "已发运") {
			t.Errorf("shipped: flash %q", f)
		}
		if f := post("shipped", day(-28)); !strings.HasPrefix(f, "error") {
			t.Errorf("shipped twice: flash %q, want a refusal", f)
		}
		page := b.Page(to, "随车")
		if !regexp.MustCompile(`<li class="ms-done" id="ms-shipped">`).MatchString(page) ||
			!regexp.MustCompile(`<option value="arrived" selected>`).MatchString(page) {
			t.Error("the unit page does not show shipped done and arrived next")
		}
		b.Page(to+"?lang=en", "Accepted", "Shipped", "Record a milestone")

		// The unit waits at "shipped": stuck after 14 days, not after 60.
		b.Page("/units/stuck", "交付停滞的装备", `href="/units/`+id+`#milestones"`)
		if strings.Contains(b.Page("/units/stuck?days=60"), `href="/units/`+id+`#milestones"`) {
			t.Error("a unit shipped 29 days ago is stuck for more than 60 days")
		}
		if f := flashOf(t, b, b.Get("/units/stuck?days=0"), "days 0"); !strings.HasPrefix(f, "error") {
			t.Errorf("days=0: flash %q", f)
		}

		// The follow-up plan: interval and next visit, then pause, resume.
		due := day(10)
		if f := flashOf(t, b, b.Post(to+"/follow-up", url.Values{"action": {"save"}, "months": {"3"}, "next_due": {due}}), "plan"); !strings.Contains(f, "回访计划已保存") {
			t.Errorf("the plan: flash %q", f)
		}
		b.Page(to, "每 3 个月", `value="`+due+`"`)
		if f := flashOf(t, b, b.Post(to+"/follow-up", url.Values{"action": {"save"}, "months": {"x"}}), "bad months"); !strings.HasPrefix(f, "error") {
			t.Errorf("months x: flash %q", f)
		}
		// The calendar shows the visit in its week, by city and line.
		b.Page("/visits", "回访日历", `id="visit-`+id+`"`, "WEB-0001")
		b.Page("/visits?city=Hefei&product_line=radar&weeks=4", `id="visit-`+id+`"`)
		if strings.Contains(b.Page("/visits?product_line=comms"), `id="visit-`+id+`"`) {
			t.Error("a radar visit shows under comms")
		}
		b.Page("/visits?lang=en", "Visit calendar", "Week of")
		if f := flashOf(t, b, b.Post(to+"/follow-up", url.Values{"action": {"pause"}, "reason": {"客户搬迁"}}), "pause"); !strings.Contains(f, "已暂停") {
			t.Errorf("pause: flash %q", f)
		}
		b.Page(to, "客户搬迁", `id="resume-plan"`)
		if strings.Contains(b.Page("/visits"), `id="visit-`+id+`"`) {
			t.Error("a paused plan's visit is on the calendar")
		}
		if f := flashOf(t, b, b.Post(to+"/follow-up", url.Values{"action": {"resume"}}), "resume"); !strings.Contains(f, "已恢复") {
			t.Errorf("resume: flash %q", f)
		}
		// Ten days on, unvisited, the visit is overdue.
		h.Clock.Add(12 * 24 * time.Hour)
		visits := b.Page("/visits", "已逾期")
		if !regexp.MustCompile(`class="visit visit-overdue" id="visit-` + id + `"`).MatchString(visits) {
			t.Error("the late visit is not marked overdue")
		}

		// Edit the record; transfer; retire.
		if f := flashOf(t, b, b.Post(to, url.Values{"batch": {"RD200-26B"}, "site_city": {"Hefei"}, "delivered_on": {day(-30)},
			"warranty_end": {day(700)}, "service_end": {day(900)}}), "edit"); !strings.Contains(f, "已保存") {
			t.Errorf("edit: flash %q", f)
		}
		b.Page(to, "RD200-26B", `value="`+day(900)+`"`)
		if f := flashOf(t, b, b.Post(to+"/transfer", url.Values{"customer": {"CU-0002"}, "reason": {"调拨"}}), "transfer"); !strings.Contains(f, "已转给客户") {
			t.Errorf("transfer: flash %q", f)
		}
		b.Page(to, "转移记录", "调拨")
		if f := flashOf(t, b, b.Post(to+"/retire", url.Values{"reason": {"报废"}}), "retire unconfirmed"); !strings.HasPrefix(f, "error") {
			t.Errorf("retire without the box: flash %q", f)
		}
		if f := flashOf(t, b, b.Post(to+"/retire", url.Values{"reason": {"报废"}, "confirm": {"yes"}}), "retire"); !strings.Contains(f, "已退役") {
			t.Errorf("retire: flash %q", f)
		}
		if body := b.Page(to, `id="unit-retired"`, "报废"); strings.Contains(body, `id="milestone-form"`) || strings.Contains(body, `id="save-unit"`) {
			t.Error("a retired unit still offers its forms")
		}
		if r := b.Get("/units/999999"); r.Status != 404 {
			t.Errorf("a unit that does not exist: %d, want 404", r.Status)
		}
		// The engineer updates but may not transfer or retire.
		e := h.Browser()
		e.Login("engineer")
		if body := e.Page("/units/" + registerAs(t, b)); strings.Contains(body, `id="transfer-unit"`) || !strings.Contains(body, `id="milestone-form"`) {
			t.Error("the engineer's unit page: want the milestone form and no transfer")
		}
	})
}

// registerAs registers one more unit as b and returns its id.
func registerAs(t *testing.T, b *apptest.Browser) string {
	t.Helper()
	body := b.Page("/units/new")
	model := regexp.MustCompile(`<option value="(\d+)">[^<]*RD-200`).FindStringSubmatch(body)[1]
	return idOf(t, location(t, b.Post("/units", url.Values{"model_id": {model}, "customer": {"CU-0003"}, "serial": {"WEB-0100"},
		"batch": {"B"}, "delivered_on": {day(-3)}, "warranty_end": {day(300)}}), "register WEB-0100"))
}

// importCSV is a unit spreadsheet in CSV with Chinese headers.
func importCSV(rows ...string) []byte {
	return []byte("客户编号,客户城市,客户名称,单位代号,联系人,联系电话,现场地址,型号,序列号,批次,使用城市,交付日期,保修截止,服务协议截止,回访间隔(月)\n" +
		strings.Join(rows, "\n") + "\n")
}

// TestUnitImportPages: a dry run shows every problem with its row and
// column and writes nothing; a clean file's dry run shows the changes and
// a commit button that imports the very file; the template and the export
// download.
func TestUnitImportPages(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		b := h.Browser()
		b.Login("quality")
		b.Page("/units/import", "导入客户与装备", `enctype="multipart/form-data"`, `href="/units/template?format=xlsx"`)
		bad := importCSV(
			"IMP-01,Hefei,合肥试验站,,,,,RD-200,IMP-S1,B1,Hefei,2026-01-05,2028-01-05,,6",
			"IMP-01,Hefei,合肥试验站,,,,,RD-999,IMP-S2,B1,Hefei,2026-01-05,2028-01-05,,6",
			"IMP-02,Wuhu,芜湖试验站,,,,,RD-200,IMP-S3,B1,Wuhu,2026-13-45,2028-01-05,,6",
		)
		r := postMultipart(b, "/units/import", nil, map[string][]byte{"file:units.csv": bad}, false)
		body := string(r.Body)
		if r.Status != 422 || !strings.Contains(body, "表格有问题，未导入任何数据") {
			t.Fatalf("a file with problems: %d, want 422 with the refusal\n%s", r.Status, body)
		}
		rows := regexp.MustCompile(`(?s)<tr class="problem">.*?class="p-row">(\d+)</td>\s*<td[^>]*class="p-col">([A-Z]+)</td>`).FindAllStringSubmatch(body, -1)
		got := map[string]bool{}
		for _, m := range rows {
			got[m[1]+m[2]] = true
		}
		for _, want := range []string{"3H", "4L"} { // the unknown model; the bad date
			if !got[want] {
				t.Errorf("no problem at row %s column %s; problems at %v", want[:1], want[1:], got)
			}
		}
		if !strings.Contains(body, "RD-999") || strings.Contains(body, `id="commit-form"`) {
			t.Error("the problems do not name the unknown model, or a commit is offered")
		}
		if strings.Contains(b.Page("/units?q=IMP-S1"), "<code>IMP-S1</code>") {
			t.Error("a dry run with problems wrote a unit")
		}

		good := importCSV(
			"IMP-01,Hefei,合肥试验站,61001部队,张工,0551-6500 0001,合肥市包河区,RD-200,IMP-S1,B1,Hefei,2026-01-05,2028-01-05,,6",
			"IMP-01,Hefei,合肥试验站,61001部队,张工,0551-6500 0001,合肥市包河区,RD-350,IMP-S2,B1,Hefei,2026-01-05,2028-01-05,,6",
			"IMP-02,Wuhu,芜湖试验站,,,,,RD-200,IMP-S3,B2,Wuhu,2026-02-10,2028-02-10,2029-02-10,",
		)
		r = postMultipart(b, "/units/import", nil, map[string][]byte{"file:units.csv": good}, false)
		body = string(r.Body)
		if r.Status != 200 || !strings.Contains(body, `id="commit-form"`) || !strings.Contains(body, "检查通过") {
			t.Fatalf("a clean file's dry run: %d, want 200 with the commit form\n%s", r.Status, body)
		}
		for _, s := range []string{`<dd id="sum-units-created">3</dd>`, `<dd id="sum-customers-created">2</dd>`, "IMP-S3", "新建"} {
			if !strings.Contains(body, s) {
				t.Errorf("the dry run lacks %q", s)
			}
		}
		if strings.Contains(b.Page("/units?q=IMP-S"), "<code>IMP-S1</code>") {
			t.Error("a dry run wrote a unit")
		}
		// Another file under the checked file's digest is checked, not imported.
		other := postMultipart(b, "/units/import", url.Values{"commit": {"1"}, "sha256": {hidden(t, body, "sha256")}},
			map[string][]byte{"file:units.csv": importCSV("IMP-03,Hefei,另一站,,,,,RD-200,IMP-S9,B1,Hefei,2026-01-05,2028-01-05,,")}, false)
		if other.Status != 200 || !strings.Contains(string(other.Body), "这不是刚才检查过的文件") || strings.Contains(b.Page("/units?q=IMP-S9"), "<code>IMP-S9</code>") {
			t.Errorf("a different file under the checked digest: %d; it must be checked, not imported", other.Status)
		}
		// The commit form carries the file back.
		commit := url.Values{"commit": {"1"}}
		for _, k := range []string{"sha256", "filename", "data"} {
			commit.Set(k, hidden(t, body, k))
		}
		r = postMultipart(b, "/units/import", commit, nil, false)
		if r.Status != 200 || !strings.Contains(string(r.Body), "导入完成") {
			t.Fatalf("commit: %d, want 200 and the result\n%s", r.Status, r.Body)
		}
		b.Page("/units?q=IMP-S", "<code>IMP-S1</code>", "<code>IMP-S2</code>", "<code>IMP-S3</code>")
		b.Page("/customers?q=IMP-0", "IMP-01", "IMP-02", "合肥试验站")

		// The template: Chinese headers, English with lang=en.
		for _, tc := range []struct{ path, ctype, want string }{
			{"/units/template?format=csv", "text/csv", "序列号"},
			{"/units/template?format=csv&lang=en", "text/csv", "Serial"},
			{"/units/template", "spreadsheetml", "PK"},
			{"/units/export?format=csv&q=IMP-S", "text/csv", "IMP-S2"},
			{"/units/export?format=csv&q=IMP-S&lang=en", "text/csv", "Customer code"},
		} {
			r := b.Get(tc.path)
			if r.Status != 200 || !strings.Contains(r.Header.Get("Content-Type"), tc.ctype) ||
				!strings.Contains(r.Header.Get("Content-Disposition"), "attachment") || !bytes.Contains(r.Body, []byte(tc.want)) {
				t.Errorf("GET %s: %d %s %q, want %s with %q", tc.path, r.Status, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"), tc.ctype, tc.want)
			}
		}
		if f := flashOf(t, b, b.Get("/units/export?format=pdf"), "export pdf"); !strings.HasPrefix(f, "error") {
			t.Errorf("export as pdf: flash %q", f)
		}
		// No file at all is a message on the page, not an error page.
		if r := postMultipart(b, "/units/import", nil, nil, false); r.Status != 400 || !strings.Contains(string(r.Body), "请选择要导入的") {
			t.Errorf("no file: %d, want 400 with the message\n%s", r.Status, r.Body)
		}
		// The dispatcher imports too, but does not export identities.
		d := h.Browser()
		d.Login("dispatcher")
		d.Page("/units/import")
		if r := d.Get("/units/export?format=csv"); r.Status != 403 {
			t.Errorf("the dispatcher exports: %d, want 403", r.Status)
		}
	})
}

// TestCataloguePage: quality adds a line, a model and a component and
// renames them; the dispatcher reads the catalogue without forms.
func TestCataloguePage(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		b := h.Browser()
		b.Login("quality")
		b.Page("/catalogue", "产品目录", "RD-200", `action="/catalogue/lines"`)
		to := location(t, b.Post("/catalogue/lines", url.Values{"code": {"sonar"}, "name": {"声呐"}}), "new line")
		body := b.Page(strings.SplitN(to, "#", 2)[0], "产品线 sonar 已添加", "声呐")
		line := regexp.MustCompile(`<option value="(\d+)">声呐</option>`).FindStringSubmatch(body)
		if line == nil {
			t.Fatal("the new line is not offered for a model")
		}
		if f := flashOf(t, b, b.Post("/catalogue/lines", url.Values{"code": {"sonar"}, "name": {"again"}}), "line twice"); !strings.HasPrefix(f, "error") {
			t.Errorf("a line code taken: flash %q", f)
		}
		to = location(t, b.Post("/catalogue/models", url.Values{"product_line_id": {line[1]}, "code": {"SN-1"}, "name": {"SN-1 声呐"}}), "new model")
		model := regexp.MustCompile(`model=(\d+)`).FindStringSubmatch(to)[1]
		b.Page("/catalogue?model="+model, "SN-1", "型号 SN-1 的元器件", `action="/catalogue/models/`+model+`/components"`)
		if f := flashOf(t, b, b.Post("/catalogue/models/"+model+"/components", url.Values{"part_number": {"PSU-7"}, "name": {"电源模块"}, "supplier": {"华东电子"}}), "component"); !strings.Contains(f, "PSU-7") {
			t.Errorf("a component: flash %q", f)
		}
		body = b.Page("/catalogue?model="+model, "PSU-7", "华东电子")
		comp := regexp.MustCompile(`action="/catalogue/components/(\d+)"`).FindStringSubmatch(body)[1]
		flashOf(t, b, b.Post("/catalogue/components/"+comp, url.Values{"name": {"电源模块 B"}, "supplier": {"华南电子"}, "model_id": {model}}), "component edit")
		flashOf(t, b, b.Post("/catalogue/models/"+model, url.Values{"name": {"SN-1 主动声呐"}}), "model rename")
		flashOf(t, b, b.Post("/catalogue/lines/"+line[1], url.Values{"name": {"声呐系统"}}), "line rename")
		b.Page("/catalogue?model="+model+"&lang=en", "Components of SN-1", "华南电子", "SN-1 主动声呐", "声呐系统")

		d := h.Browser()
		d.Login("dispatcher")
		if body := d.Page("/catalogue?model="+model, "PSU-7"); strings.Contains(body, `method="post"`) && strings.Contains(body, "/catalogue/") {
			t.Error("the dispatcher is offered the catalogue's forms")
		}
		if r := d.Post("/catalogue/lines", url.Values{"code": {"x"}, "name": {"x"}}); r.Status != 403 {
			t.Errorf("the dispatcher adds a line: %d, want 403", r.Status)
		}
	})
}

// installedGETs are the installed base's pages.
var installedGETs = []string{"/customers", "/customers/new", "/customers/1", "/units", "/units/new", "/units/1", "/units/stuck",
	"/units/import", "/units/template", "/units/export", "/visits", "/catalogue"}

// installedPOSTs are its forms.
var installedPOSTs = []string{"/customers", "/customers/1", "/customers/1/deactivate", "/customers/1/reactivate", "/units", "/units/1",
	"/units/1/milestones", "/units/1/follow-up", "/units/1/transfer", "/units/1/retire", "/units/import", "/catalogue/lines",
	"/catalogue/lines/1", "/catalogue/models", "/catalogue/models/1", "/catalogue/models/1/components", "/catalogue/components/1"}

// TestInstalledPagesGuarded: partners, the admin and legal reach no page
// of the installed base (403, as the API's routes answer them), and their
// navigation offers none; the institute's roles see the entries their
// rights give.
func TestInstalledPagesGuarded(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		for _, user := range []string{"hefei.admin", "wuhan.tech", "admin", "legal"} {
			b := h.Browser()
			b.Login(user)
			for _, p := range installedGETs {
				if r := b.Get(p); r.Status != 403 || !strings.Contains(string(r.Body), "无权执行此操作") {
					t.Errorf("%s GET %s: %d, want the 403 page", user, p, r.Status)
				}
			}
			for _, p := range installedPOSTs {
				if r := b.Post(p, url.Values{"code": {"X"}, "name": {"X"}}); r.Status != 403 {
					t.Errorf("%s POST %s: %d, want 403", user, p, r.Status)
				}
			}
			nav := regexp.MustCompile(`(?s)<nav aria-label="[^"]*"><ul>.*?</ul></nav>`).FindString(b.Page("/me"))
			for _, p := range []string{"/customers", "/units", "/visits", "/catalogue"} {
				if strings.Contains(nav, `href="`+p+`"`) {
					t.Errorf("%s's navigation offers %s", user, p)
				}
			}
		}
		// The API answers the partner the same for the lists.
		tok, _ := h.Login("wuhan.tech")
		for _, p := range []string{"/api/v1/customers", "/api/v1/units"} {
			if r := h.Do("GET", p, tok, nil); r.Status != 403 {
				t.Errorf("wuhan.tech GET %s: %d; the pages answer 403", p, r.Status)
			}
		}
		for user, want := range map[string][]string{
			"quality":    {"/customers", "/units", "/visits", "/catalogue"},
			"dispatcher": {"/customers", "/units", "/visits", "/catalogue"},
			"engineer":   {"/units", "/visits", "/catalogue"},
		} {
			b := h.Browser()
			b.Login(user)
			nav := regexp.MustCompile(`(?s)<nav aria-label="[^"]*"><ul>.*?</ul></nav>`).FindString(b.Page("/me"))
			for _, p := range want {
				if !strings.Contains(nav, `href="`+p+`"`) {
					t.Errorf("%s's navigation lacks %s", user, p)
				}
			}
			if user == "engineer" && strings.Contains(nav, `href="/customers"`) {
				t.Error("the engineer's navigation offers the customer list")
			}
		}
		e := h.Browser()
		e.Login("engineer")
		if r := e.Get("/customers"); r.Status != 403 {
			t.Errorf("the engineer lists customers: %d, want 403", r.Status)
		}
		e.Page(fmt.Sprintf("/customers/%d", 1), "CU-0001")
	})
}
