package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
)

// unitsCSV is a spreadsheet of units as an institute keeps it: customers
// customers with perCustomer units each, in Hefei, RD-200 radars, serials
// prefix-0001 on. Chinese headers.
func unitsCSV(prefix string, customers, perCustomer int) string {
	var b strings.Builder
	b.WriteString("客户编号,客户城市,客户名称,单位代号,联系人,联系电话,现场地址,型号,序列号,批次,使用城市,交付日期,保修截止,服务协议截止,回访间隔(月)\n")
	n := 0
	for c := 1; c <= customers; c++ {
		for u := 1; u <= perCustomer; u++ {
			n++
			fmt.Fprintf(&b, "%s-C%02d,Hefei,客户%s%02d,%d 部队,联系人%02d,0551-6%07d,合肥市蜀山区 %d 号,RD-200,%s-%04d,B2026-%02d,Hefei,2026-0%d-15,2028-0%d-15,,6\n",
				prefix, c, prefix, c, 90000+c, c, c, c, prefix, n, c%5, 1+c%8, 1+c%8)
		}
	}
	return b.String()
}

// upload is a multipart body with one file field.
func upload(name, content string) ([]byte, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write([]byte(content))
	w.Close()
	return b.Bytes(), w.FormDataContentType()
}

// TestInstalledBaseJourney is the "done when", through the API: an
// import of 200 units for 20 customers (dry run first), a milestone from a
// verified installation job, a follow-up plan, the visit calendar, and the
// serial a partner sees only after acceptance.
func TestInstalledBaseJourney(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		q, _ := h.Login("quality")
		body, ct := upload("units.csv", unitsCSV("JY", 20, 10))

		r := h.Do("POST", "/api/v1/units/import?dry_run=true", q, body, "Content-Type", ct)
		m := r.JSON(t)
		if r.Status != 200 || m["dry_run"] != true || m["imported"] != false || m["customers_created"] != 20.0 || m["units_created"] != 200.0 {
			t.Fatalf("dry run: %d %s", r.Status, r.Body)
		}
		if r := h.Do("GET", "/api/v1/units?q=JY-0001", q, nil); len(r.JSON(t)["items"].([]any)) != 0 {
			t.Fatalf("the dry run wrote units: %s", r.Body)
		}
		r = h.Do("POST", "/api/v1/units/import", q, body, "Content-Type", ct)
		if m := r.JSON(t); r.Status != 200 || m["imported"] != true || m["units_created"] != 200.0 {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		// The same sheet again changes nothing.
		r = h.Do("POST", "/api/v1/units/import?dry_run=true", q, body, "Content-Type", ct)
		if m := r.JSON(t); r.Status != 200 || m["unchanged"] != 200.0 || m["units_created"] != 0.0 || m["customers_updated"] != 0.0 {
			t.Errorf("re-import: %d %s, want 200 unchanged", r.Status, r.Body)
		}

		// Keyset pages of 50 walk the 200 imported units once each.
		seen, after := map[string]bool{}, ""
		for page := 0; page < 10; page++ {
			r := h.Do("GET", "/api/v1/units?q=JY-&limit=50"+after, q, nil)
			m := r.JSON(t)
			for _, it := range m["items"].([]any) {
				s := it.(map[string]any)["serial"].(string)
				if seen[s] {
					t.Fatalf("serial %s on two pages", s)
				}
				seen[s] = true
			}
			if m["next"] == nil {
				break
			}
			after = fmt.Sprintf("&after=%d", int64(m["next"].(float64)))
		}
		if len(seen) != 200 {
			t.Errorf("keyset pages walked %d units, want 200", len(seen))
		}

		// A customer's identity read is a view event naming the fields.
		r = h.Do("GET", "/api/v1/customers?q=JY-C07", q, nil)
		items := r.JSON(t)["items"].([]any)
		if r.Status != 200 || len(items) != 1 || items[0].(map[string]any)["name"] != "客户JY07" {
			t.Fatalf("customer search: %d %s", r.Status, r.Body)
		}
		cust := int64(items[0].(map[string]any)["id"].(float64))
		r = h.Do("PATCH", fmt.Sprintf("/api/v1/customers/%d", cust), q, map[string]any{"phone": "0551-62000000", "contact_person": "新联系人"})
		if r.Status != 200 || r.JSON(t)["phone"] != "0551-62000000" {
			t.Fatalf("update customer: %d %s", r.Status, r.Body)
		}
		res, id := cordon.ResCustomer, fmt.Sprint(cust)
		var sawView, sawUpdate bool
		for _, e := range h.AccessEvents(cordon.AccessEventFilter{Resource: &res, ResourceID: &id}) {
			if strings.Contains(e.Purpose, "0551") || strings.Contains(strings.Join(e.Fields, ","), "0551") {
				t.Errorf("an access event carries a value: %+v", e)
			}
			switch e.Action {
			case cordon.ActView:
				sawView = true
			case cordon.ActUpdate:
				sawUpdate = true
				if got := strings.Join(e.Fields, ","); got != "contact_person,phone" {
					t.Errorf("update event fields %q, want contact_person,phone", got)
				}
			}
		}
		if !sawView || !sawUpdate {
			t.Errorf("customer events: view %v, update %v; want both", sawView, sawUpdate)
		}

		// An installation job, verified, records the unit's installation.
		r = h.Do("GET", "/api/v1/units?q=JY-0001", q, nil)
		unitJSON := r.JSON(t)["items"].([]any)[0].(map[string]any)
		unitID := int64(unitJSON["id"].(float64))
		unit := &cordon.Unit{ID: unitID, Serial: "JY-0001"}
		disp, _ := h.Login("dispatcher")
		req := h.Intake(disp, unit, "installation", "P3")
		r = h.Do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"to": "auto"})
		if r.Status != 201 {
			t.Fatalf("dispatch: %d %s", r.Status, r.Body)
		}
		job := int64(r.JSON(t)["id"].(float64))
		tech, _ := h.Login("hefei.tech")
		if r := h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d", job), tech, nil); strings.Contains(string(r.Body), "JY-0001") {
			t.Errorf("LEAK: the offer shows the serial before acceptance: %s", r.Body)
		}
		if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/accept", job), tech, nil); r.Status != 200 {
			t.Fatalf("accept: %d %s", r.Status, r.Body)
		}
		r = h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d/customer", job), tech, nil)
		if m := r.JSON(t); r.Status != 200 || m["serial"] != "JY-0001" {
			t.Errorf("disclosure after acceptance: %d %s, want the serial", r.Status, r.Body)
		}
		for _, to := range []string{"en_route", "on_site", "resolved"} {
			if to == "resolved" {
				h.FillChecklist(tech, job) // the installation checklist's required items
			}
			if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/transition", job), tech, map[string]string{"to": to}); r.Status != 200 {
				t.Fatalf("→ %s: %d %s", to, r.Status, r.Body)
			}
		}
		if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/transition", job), q, map[string]string{"to": "verified"}); r.Status != 200 {
			t.Fatalf("verify: %d %s", r.Status, r.Body)
		}
		// A reopen reason is on the partner's timeline: screened too.
		r = h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/transition", job), q, map[string]string{"to": "reopened", "reason": "JY-0001 还有告警，客户电话 13912345678"})
		if m := r.JSON(t); r.Status != 400 || m["field"] != "reason" || m["code"] != "dispatch.screen_reason_serial" {
			t.Errorf("a reopen reason naming the serial: %d %s, want 400 on reason", r.Status, r.Body)
		}
		r = h.Do("GET", fmt.Sprintf("/api/v1/units/%d/milestones", unitID), q, nil)
		var ms []any
		if err := json.Unmarshal(r.Body, &ms); err != nil {
			t.Fatalf("milestones: %d %s", r.Status, r.Body)
		}
		if len(ms) != 1 || ms[0].(map[string]any)["kind"] != "installed" || ms[0].(map[string]any)["job_id"] != float64(job) {
			t.Fatalf("milestones after the verified installation: %d %s", r.Status, r.Body)
		}
		today := h.Clock.Now().In(cordon.ChinaTime).Format(time.DateOnly)
		if r := h.Do("POST", fmt.Sprintf("/api/v1/units/%d/milestones", unitID), q, map[string]any{"kind": "commissioned", "on": today}); r.Status != 201 {
			t.Errorf("commissioned: %d %s", r.Status, r.Body)
		}
		for _, c := range []struct {
			name string
			body map[string]any
			want int
		}{
			{"again", map[string]any{"kind": "commissioned", "on": today}, 409},
			{"going back", map[string]any{"kind": "arrived", "on": today}, 409},
			{"in the future", map[string]any{"kind": "accepted", "on": "2031-01-01"}, 400},
			{"unknown", map[string]any{"kind": "painted", "on": today}, 400},
			{"not a date", map[string]any{"kind": "accepted", "on": "01/02/2026"}, 400},
		} {
			if r := h.Do("POST", fmt.Sprintf("/api/v1/units/%d/milestones", unitID), q, c.body); r.Status != c.want {
				t.Errorf("milestone %s: %d %s, want %d", c.name, r.Status, r.Body, c.want)
			}
		}
		r = h.Do("GET", "/api/v1/units?q=JY-0002", q, nil)
		other := int64(r.JSON(t)["items"].([]any)[0].(map[string]any)["id"].(float64))
		if r := h.Do("POST", fmt.Sprintf("/api/v1/units/%d/milestones", other), q, map[string]any{"kind": "accepted", "on": today}); r.Status != 409 {
			t.Errorf("accepted before installed: %d %s, want 409", r.Status, r.Body)
		}
		r = h.Do("GET", fmt.Sprintf("/api/v1/units/%d/history", unitID), q, nil)
		if b := string(r.Body); r.Status != 200 || !strings.Contains(b, `"kind":"milestone"`) || !strings.Contains(b, `"kind":"job"`) || !strings.Contains(b, `"kind":"request"`) {
			t.Errorf("history: %d %s", r.Status, r.Body)
		}

		// The follow-up plan, then the calendar.
		due := h.Clock.Now().In(cordon.ChinaTime).AddDate(0, 0, 10).Format(time.DateOnly)
		r = h.Do("PUT", fmt.Sprintf("/api/v1/units/%d/follow-up", other), q, map[string]any{"months": 3, "next_due": due})
		if r.Status != 200 || r.JSON(t)["next_visit_due"] != due || r.JSON(t)["follow_up_months"] != 3.0 {
			t.Fatalf("follow-up: %d %s", r.Status, r.Body)
		}
		if r := h.Do("PUT", fmt.Sprintf("/api/v1/units/%d/follow-up", other), q, map[string]any{"pause": " "}); r.Status != 400 {
			t.Errorf("a pause without a reason: %d, want 400", r.Status)
		}
		r = h.Do("GET", "/api/v1/visits?weeks=2&city=Hefei", q, nil)
		if !strings.Contains(string(r.Body), `"serial":"JY-0002"`) {
			t.Errorf("the calendar misses the planned visit: %d %s", r.Status, r.Body)
		}
		if r := h.Do("PUT", fmt.Sprintf("/api/v1/units/%d/follow-up", other), q, map[string]any{"pause": "客户换防，暂停回访"}); r.Status != 200 {
			t.Errorf("pause: %d %s", r.Status, r.Body)
		}
		if r := h.Do("GET", "/api/v1/visits?weeks=2&city=Hefei", q, nil); strings.Contains(string(r.Body), `"serial":"JY-0002"`) {
			t.Errorf("a paused plan is on the calendar: %s", r.Body)
		}

		// wuhan reaches nothing of it.
		wuhan, _ := h.Login("wuhan.admin")
		for _, p := range []string{"/customers", fmt.Sprintf("/customers/%d", cust), "/units", fmt.Sprintf("/units/%d", unitID),
			fmt.Sprintf("/units/%d/history", unitID), fmt.Sprintf("/units/%d/milestones", unitID), "/visits", "/units/stuck",
			"/units/export", "/product-lines", "/models"} {
			if r := h.Do("GET", "/api/v1"+p, wuhan, nil); r.Status != 403 && r.Status != 404 {
				t.Errorf("LEAK: wuhan.admin GET %s: %d", p, r.Status)
			}
		}
	})
}

// TestImportProblems: every problem is reported with its row and column,
// and nothing at all is written.
func TestImportProblems(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		q, _ := h.Login("quality")
		good := unitsCSV("PB", 2, 3)
		lines := strings.Split(strings.TrimSpace(good), "\n")
		// Row 3 repeats row 2's serial; row 4 names an unknown model; row 5
		// has a bad date; row 6 is delivered in the future.
		set := func(i, col int, v string) {
			cells := strings.Split(lines[i], ",")
			cells[col] = v
			lines[i] = strings.Join(cells, ",")
		}
		set(2, 8, "PB-0001")     // row 3 repeats row 2's serial
		set(3, 7, "XX-999")      // row 4: an unknown model
		set(4, 11, "2026/13/45") // row 5: not a date
		set(5, 11, "2031-01-01") // row 6: delivered in the future
		body, ct := upload("bad.csv", strings.Join(lines, "\n")+"\n")
		r := h.Do("POST", "/api/v1/units/import", q, body, "Content-Type", ct)
		if r.Status != 422 {
			t.Fatalf("import with problems: %d %s, want 422", r.Status, r.Body)
		}
		type place struct {
			row         int
			column, key string
		}
		var got []place
		for _, p := range r.JSON(t)["problems"].([]any) {
			m := p.(map[string]any)
			got = append(got, place{int(m["row"].(float64)), m["column"].(string), m["code"].(string)})
			if m["sheet"] != "bad.csv" || m["message"] == "" {
				t.Errorf("problem without its sheet or message: %v", m)
			}
		}
		for _, want := range []place{{3, "I", "installed.import_serial_twice"}, {4, "H", "installed.import_unknown_model"},
			{5, "L", "installed.import_bad_date"}, {6, "L", "installed.date_in_future"}} {
			found := false
			for _, g := range got {
				found = found || g == want
			}
			if !found {
				t.Errorf("problem %+v not reported; got %+v", want, got)
			}
		}
		if r := h.Do("GET", "/api/v1/customers?q=PB-C", q, nil); len(r.JSON(t)["items"].([]any)) != 0 {
			t.Errorf("a failed import wrote customers: %s", r.Body)
		}
		// A file that is not a spreadsheet, and one with no file.
		body, ct = upload("units.csv", "\xff\xfe\x00garbage")
		if r := h.Do("POST", "/api/v1/units/import", q, body, "Content-Type", ct); r.Status < 400 || r.Status == 500 {
			t.Errorf("a binary file: %d %s", r.Status, r.Body)
		}
		if r := h.Do("POST", "/api/v1/units/import", q, map[string]any{}); r.Status != 400 {
			t.Errorf("JSON instead of a file: %d %s", r.Status, r.Body)
		}
	})
}

// TestIntakeScreening: a description naming the unit's serial, the
// customer or a phone number is refused with what to remove; an institute
// override with a reason goes through and is logged.
func TestIntakeScreening(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		disp, _ := h.Login("dispatcher")
		unit := h.UnitIn("Hefei", "radar")
		for _, c := range []struct{ desc, key string }{
			{"Unit " + unit.Serial + " does not power on.", "dispatch.screen_serial"},
			{"Call the duty officer on 13912345678.", "dispatch.screen_phone"},
			{"Call 0551-62345678 first.", "dispatch.screen_phone"},
		} {
			r := h.Do("POST", "/api/v1/requests", disp, map[string]any{"unit_id": unit.ID, "category": "fault", "priority": "P2", "description": c.desc})
			if m := r.JSON(t); r.Status != 400 || m["code"] != c.key || m["field"] != "description" {
				t.Errorf("%q: %d %s, want 400 %s", c.desc, r.Status, r.Body, c.key)
			}
		}
		for _, ok := range []string{"Software V3.2 fails after the 2026-10-01 update; part 123-4567 replaced.", "RD-200 radar: transmitter fault"} {
			if r := h.Do("POST", "/api/v1/requests", disp, map[string]any{"unit_id": unit.ID, "category": "fault", "priority": "P2", "description": ok}); r.Status != 201 {
				t.Errorf("%q refused: %d %s", ok, r.Status, r.Body)
			}
		}
		r := h.Do("POST", "/api/v1/requests", disp, map[string]any{"unit_id": unit.ID, "category": "fault", "priority": "P2",
			"description": "Unit " + unit.Serial + " does not power on.", "override": "the customer's own label; partner must match it on site"})
		if r.Status != 201 {
			t.Fatalf("override: %d %s", r.Status, r.Body)
		}
		act := "override"
		evs := h.AccessEvents(cordon.AccessEventFilter{Action: &act})
		if len(evs) != 1 || !strings.Contains(evs[0].Purpose, "customer's own label") || strings.Contains(evs[0].Purpose, unit.Serial) {
			t.Errorf("override events %+v, want one with the reason and never the serial", evs)
		}
	})
}

// TestCatalogueAPI: the institute keeps models and their components;
// partners reach none of it.
func TestCatalogueAPI(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		eng, _ := h.Login("engineer")
		r := h.Do("POST", "/api/v1/product-lines", eng, map[string]any{"code": "sonar", "name": "声呐"})
		if r.Status != 201 {
			t.Fatalf("line: %d %s", r.Status, r.Body)
		}
		line := r.JSON(t)["id"].(float64)
		r = h.Do("POST", "/api/v1/models", eng, map[string]any{"product_line_id": line, "code": "SN-10", "name": "SN-10 声呐"})
		if r.Status != 201 {
			t.Fatalf("model: %d %s", r.Status, r.Body)
		}
		model := int64(r.JSON(t)["id"].(float64))
		comp := map[string]any{"part_number": "PWR-7731", "name": "电源模块", "supplier": "合肥某电子厂"}
		if r := h.Do("POST", fmt.Sprintf("/api/v1/models/%d/components", model), eng, comp); r.Status != 201 {
			t.Fatalf("component: %d %s", r.Status, r.Body)
		}
		if r := h.Do("POST", fmt.Sprintf("/api/v1/models/%d/components", model), eng, comp); r.Status != 409 {
			t.Errorf("the same part number twice: %d, want 409", r.Status)
		}
		if r := h.Do("POST", "/api/v1/product-lines", eng, map[string]any{"code": "sonar", "name": "x"}); r.Status != 409 {
			t.Errorf("a taken line code: %d, want 409", r.Status)
		}
		r = h.Do("GET", fmt.Sprintf("/api/v1/models/%d/components", model), eng, nil)
		if r.Status != 200 || !strings.Contains(string(r.Body), "PWR-7731") {
			t.Errorf("components: %d %s", r.Status, r.Body)
		}
		for _, user := range []string{"hefei.admin", "hefei.tech"} {
			tok, _ := h.Login(user)
			for _, p := range []string{"/product-lines", "/models", fmt.Sprintf("/models/%d", model), fmt.Sprintf("/models/%d/components", model)} {
				if r := h.Do("GET", "/api/v1"+p, tok, nil); r.Status != 403 && r.Status != 404 {
					t.Errorf("LEAK: %s GET %s: %d", user, p, r.Status)
				}
			}
		}
	})
}
