package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
)

// TestChecklistTemplateAPI: quality creates, imports, revises, exports
// and retires templates through the API; an old version is 409, bad
// input a problem naming its field or line; the dispatcher reads only.
func TestChecklistTemplateAPI(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		q, _ := h.Login("quality")
		r := h.Do("GET", "/api/v1/checklist-templates?category=installation", q, nil)
		if r.Status != 200 || r.JSON(t)["total"] != 1.0 {
			t.Fatalf("list: %d %s", r.Status, r.Body)
		}
		body := map[string]any{"key": "repair-comms", "title": "通信维修", "category": "repair", "product_line": "comms",
			"items": []map[string]any{{"key": "vswr", "label": "驻波比", "kind": "measurement", "required": true, "max": 1.5}}}
		r = h.Do("POST", "/api/v1/checklist-templates", q, body)
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		v1 := int64(r.JSON(t)["id"].(float64))
		if m := r.JSON(t); m["version"] != 1.0 || m["product_line"] != "comms" || m["latest"] != true {
			t.Errorf("created %v", m)
		}
		r = h.Do("GET", fmt.Sprintf("/api/v1/checklist-templates/%d/export", v1), q, nil)
		if r.Status != 200 || !strings.Contains(string(r.Body), "key: repair-comms") || !strings.Contains(r.Header.Get("Content-Type"), "yaml") {
			t.Fatalf("export: %d %s", r.Status, r.Body)
		}
		src := strings.Replace(string(r.Body), "通信维修", "通信设备维修", 1)
		r = h.Do("POST", "/api/v1/checklist-templates/import", q, src, "Content-Type", "application/yaml")
		if r.Status != 200 || r.JSON(t)["version"] != 2.0 || r.JSON(t)["title"] != "通信设备维修" {
			t.Fatalf("import an existing key: %d %s", r.Status, r.Body)
		}
		v2 := int64(r.JSON(t)["id"].(float64))
		r = h.Do("PUT", fmt.Sprintf("/api/v1/checklist-templates/%d", v1), q, body)
		if r.Status != 409 || r.JSON(t)["code"] != "checklist.not_latest_version" {
			t.Errorf("edit version 1: %d %s", r.Status, r.Body)
		}
		r = h.Do("PUT", fmt.Sprintf("/api/v1/checklist-templates/%d", v2), q, body)
		if r.Status != 200 || r.JSON(t)["version"] != 3.0 {
			t.Errorf("edit version 2: %d %s", r.Status, r.Body)
		}
		r = h.Do("GET", fmt.Sprintf("/api/v1/checklist-templates/%d/versions", v1), q, nil)
		if items := r.JSON(t)["items"].([]any); r.Status != 200 || len(items) != 3 || items[2].(map[string]any)["title"] != "通信维修" {
			t.Errorf("versions: %d %s", r.Status, r.Body)
		}
		// Bad input: named by field, or by line.
		bad := map[string]any{"key": "x", "title": "x", "category": "repair",
			"items": []map[string]any{{"key": "v", "label": "v", "kind": "check", "unit": "V"}}}
		if r := h.Do("POST", "/api/v1/checklist-templates", q, bad); r.Status != 400 || r.JSON(t)["field"] != "items[0].unit" {
			t.Errorf("a unit on a check: %d %s", r.Status, r.Body)
		}
		if r := h.Do("POST", "/api/v1/checklist-templates", q, map[string]any{"key": "x", "colour": "red"}); r.Status != 400 || r.JSON(t)["field"] != "colour" {
			t.Errorf("an unknown field: %d %s", r.Status, r.Body)
		}
		r = h.Do("POST", "/api/v1/checklist-templates/import", q, "key: y\ntitle: y\ncategory: repair\nitems:\n  - key: a\n    label: a\n    kind: dial\n", "Content-Type", "application/yaml")
		if r.Status != 400 || !strings.Contains(r.JSON(t)["detail"].(string), "line 7") {
			t.Errorf("a bad kind: %d %s", r.Status, r.Body)
		}
		if r := h.Do("POST", "/api/v1/checklist-templates/import", q, "key: y", "Content-Type", "text/plain"); r.Status != 400 {
			t.Errorf("plain text: %d", r.Status)
		}
		// Retire.
		if r := h.Do("POST", fmt.Sprintf("/api/v1/checklist-templates/%d/retire", v2), q, nil); r.Status != 409 {
			t.Errorf("retire an old version: %d %s", r.Status, r.Body)
		}
		latest := h.Do("GET", "/api/v1/checklist-templates?q=repair-comms", q, nil).JSON(t)["items"].([]any)[0].(map[string]any)
		if r := h.Do("POST", fmt.Sprintf("/api/v1/checklist-templates/%d/retire", int64(latest["id"].(float64))), q, nil); r.Status != 200 || r.JSON(t)["retired_at"] == nil {
			t.Errorf("retire: %d %s", r.Status, r.Body)
		}
		if r := h.Do("GET", "/api/v1/checklist-templates?retired=true", q, nil); r.JSON(t)["total"] != 1.0 {
			t.Errorf("retired list: %s", r.Body)
		}
		if r := h.Do("GET", "/api/v1/checklist-templates?retired=maybe", q, nil); r.Status != 400 {
			t.Errorf("retired=maybe: %d", r.Status)
		}
		// The dispatcher reads and may not write; partners may not read.
		d, _ := h.Login("dispatcher")
		if r := h.Do("GET", fmt.Sprintf("/api/v1/checklist-templates/%d", v1), d, nil); r.Status != 200 {
			t.Errorf("dispatcher reads: %d", r.Status)
		}
		if r := h.Do("PUT", fmt.Sprintf("/api/v1/checklist-templates/%d", v2), d, body); r.Status != 403 {
			t.Errorf("dispatcher edits: %d", r.Status)
		}
	})
}

// TestJobChecklistAPI: the demo installation job's checklist through the
// API: hefei.tech saves answers, one out of limits (flagged, counted on
// the job); a bad value is a 400 naming the item and saves nothing; the
// job resolves only once the required items are answered.
func TestJobChecklistAPI(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		tech, _ := h.Login("hefei.tech")
		var job int64
		for id, m := range h.JobIDs(tech) {
			if m["category"] == "installation" && m["status"] == "on_site" {
				job = id
			}
		}
		if job == 0 {
			t.Fatal("hefei.tech has no installation job on site")
		}
		path := fmt.Sprintf("/api/v1/jobs/%d/checklist", job)
		r := h.Do("GET", path, tech, nil)
		if m := r.JSON(t); r.Status != 200 || m["key"] != "installation" || m["version"] != 1.0 || len(m["missing"].([]any)) != 7 || m["can_answer"] != true {
			t.Fatalf("checklist: %d %s", r.Status, r.Body)
		}
		answers := func(kv ...string) map[string]any {
			var out []map[string]string
			for i := 0; i+1 < len(kv); i += 2 {
				out = append(out, map[string]string{"item": kv[i], "value": kv[i+1]})
			}
			return map[string]any{"answers": out}
		}
		r = h.Do("PUT", path, tech, answers("site_ready", "pass", "earth_resistance", "x4"))
		if r.Status != 400 || r.JSON(t)["field"] != "answers.earth_resistance" || r.JSON(t)["code"] != "checklist.measurement_not_number" {
			t.Errorf("a measurement that is not a number: %d %s", r.Status, r.Body)
		}
		r = h.Do("PUT", path, tech, answers("site_ready", "pass", "voltage", "220"))
		if r.Status != 400 || r.JSON(t)["code"] != "checklist.no_such_item" {
			t.Errorf("an item that does not exist: %d %s", r.Status, r.Body)
		}
		if m := h.Do("GET", path, tech, nil).JSON(t); len(m["missing"].([]any)) != 7 {
			t.Errorf("a refused save saved something: %v", m["missing"])
		}
		r = h.Do("PUT", path, tech, answers("site_ready", "pass", "earth_resistance", "6.5"))
		if m := r.JSON(t); r.Status != 200 || m["flags"] != 1.0 {
			t.Fatalf("save: %d %s", r.Status, r.Body)
		}
		for _, it := range r.JSON(t)["items"].([]any) {
			m := it.(map[string]any)
			if m["key"] == "earth_resistance" && (m["answer"] == nil || m["answer"].(map[string]any)["flagged"] != true || m["limits"] != "≤ 4 Ω") {
				t.Errorf("earth resistance: %v", m)
			}
		}
		if m := h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d", job), tech, nil).JSON(t); m["checklist_flags"] != 1.0 {
			t.Errorf("the job's flags: %v", m["checklist_flags"])
		}
		move := func(to string) *apptest.Response {
			return h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/transition", job), tech, map[string]string{"to": to})
		}
		if r := move("resolved"); r.Status != 409 || r.JSON(t)["code"] != "checklist.required_items_missing" {
			t.Errorf("resolve early: %d %s", r.Status, r.Body)
		}
		h.FillChecklist(tech, job)
		if r := move("resolved"); r.Status != 200 {
			t.Errorf("resolve: %d %s", r.Status, r.Body)
		}
		if r := h.Do("PUT", path, tech, answers("earth_resistance", "3")); r.Status != 409 {
			t.Errorf("answer once resolved: %d %s", r.Status, r.Body)
		}
		// Another partner: the job does not exist.
		w, _ := h.Login("wuhan.tech")
		if r := h.Do("GET", path, w, nil); r.Status != 404 {
			t.Errorf("wuhan.tech reads hefei's checklist: %d", r.Status)
		}
	})
}
