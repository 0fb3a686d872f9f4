package app_test

// Checklists in the probe matrix (the job's checklist and the templates
// are idRoutes) and what the matrix cannot reach: photo answers, which
// the demo world has none of, and the writes. A partner probing another
// partner's job gets the 404 of a job that does not exist, and nothing
// changes; partners get 403 on every template route.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// loadChecklists adds the jobs with a checklist and every template
// version to the probe world.
func loadChecklists(t *testing.T, h *harness, w *probeWorld) {
	t.Helper()
	ctx := context.Background()
	cs := store.NewChecklistStore(h.db)
	w.checklists, w.templates = map[int64]bool{}, map[int64]*cordon.ChecklistTemplate{}
	for id := range w.jobs {
		_, _, _, err := cs.FindJobChecklist(ctx, id)
		switch cordon.ErrorCode(err) {
		case "":
			w.checklists[id] = true
		case cordon.ENOTFOUND:
		default:
			t.Fatal(err)
		}
	}
	latest, _, err := cs.FindTemplates(ctx, cordon.ChecklistTemplateFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range latest {
		versions, err := cs.FindTemplateVersions(ctx, l.Key)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range versions {
			w.templates[v.ID] = v
		}
	}
	if len(w.checklists) == 0 || len(w.templates) < 7 {
		t.Fatalf("unexpected demo world: %d jobs with a checklist, %d template versions", len(w.checklists), len(w.templates))
	}
}

func template(w *probeWorld, id int64) bool { return w.templates[id] != nil }

// checkChecklistObject checks a 200 of a checklist route is the object
// asked for; ok is false for other routes.
func checkChecklistObject(o *oracle, route string, id int64, r *response) (error, bool) {
	switch route {
	case "/checklist-templates/%d/export":
		if !strings.Contains(string(r.Body), "key: "+o.w.templates[id].Key+"\n") {
			return fmt.Errorf("asked for template version %d (%s), got %.200q", id, o.w.templates[id].Key, r.Body), true
		}
		return nil, true
	case "/jobs/%d/checklist", "/checklist-templates/%d", "/checklist-templates/%d/versions":
	default:
		return nil, false
	}
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		return fmt.Errorf("not a JSON object: %v", err), true
	}
	num := func(v any) int64 { f, _ := v.(float64); return int64(f) }
	switch route {
	case "/jobs/%d/checklist":
		if num(m["job_id"]) != id {
			return fmt.Errorf("asked for job %d's checklist, got job %v's", id, m["job_id"]), true
		}
	case "/checklist-templates/%d":
		if num(m["id"]) != id {
			return fmt.Errorf("asked for template version %d, got %v", id, m["id"]), true
		}
	case "/checklist-templates/%d/versions":
		items, _ := m["items"].([]any)
		for _, it := range items {
			if k := it.(map[string]any)["key"]; k != o.w.templates[id].Key {
				return fmt.Errorf("versions of %s hold one of %v", o.w.templates[id].Key, k), true
			}
		}
	}
	return nil, true
}

// TestChecklistPhotoProbe: hefei.tech answers the demo installation job's
// photo item; every demo user then asks for that photo, and for the
// photo of every other job. Only the institute and hefei get it; any
// other partner gets the 404 of a job that does not exist, and each
// download is in the access log with the file's SHA-256. Writes by a
// partner to another partner's job are the same 404 and change nothing;
// the template routes answer partners 403.
func TestChecklistPhotoProbe(t *testing.T) {
	t.Parallel()
	eachDBUnbudgeted(t, func(t *testing.T, h *harness) {
		w := loadProbeWorld(t, h)
		var job *cordon.Job
		for id := range w.checklists {
			if j := w.jobs[id]; j.PartnerID != nil && *j.PartnerID == w.partnerID["hefei"] && j.Status == cordon.JobOnSite {
				job = j
			}
		}
		if job == nil {
			t.Fatal("no hefei job on site with a checklist")
		}
		tokens := map[string]string{}
		for _, u := range apptest.DemoUsers {
			tokens[u], _ = h.login(u)
		}
		if r := h.h.UploadChecklistPhoto(tokens["hefei.tech"], job.ID, "site_photo", apptest.PNG()); r.Status != 200 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		photo := func(id int64) string { return fmt.Sprintf("/api/v1/jobs/%d/checklist/photos/site_photo", id) }
		missing := h.do("GET", photo(w.maxID+1000), tokens["wuhan.tech"], nil)
		if missing.Status != 404 {
			t.Fatalf("a missing job's photo: %d", missing.Status)
		}
		readers := map[string]bool{"dispatcher": true, "quality": true, "engineer": true, "legal": true,
			"hefei.admin": true, "hefei.tech": true}
		for _, u := range apptest.DemoUsers {
			before := len(h.h.AccessEvents(cordon.AccessEventFilter{Action: ptr(cordon.ActDownload)}))
			r := h.do("GET", photo(job.ID), tokens[u], nil)
			want := 404
			switch {
			case u == "contracts" || u == "admin":
				want = 403 // no job view at all
			case readers[u]:
				want = 200
			}
			if r.Status != want {
				if r.Status == 200 {
					t.Errorf("LEAK: %s got another partner's photo", u)
				} else {
					t.Errorf("%s: %d, want %d: %s", u, r.Status, want, r.Body)
				}
				continue
			}
			if want == 404 && string(problemDetail(r)) != string(problemDetail(missing)) {
				t.Errorf("LEAK: %s: 404 %q differs from a missing job's %q", u, problemDetail(r), problemDetail(missing))
			}
			if want == 200 {
				evs := h.h.AccessEvents(cordon.AccessEventFilter{Action: ptr(cordon.ActDownload)})
				if len(evs) != before+1 || evs[len(evs)-1].FileSHA256 == "" || evs[len(evs)-1].Purpose != fmt.Sprintf("job:%d", job.ID) ||
					r.Header.Get("Content-Type") != "image/png" {
					t.Errorf("%s's download: %d events (was %d), content type %q", u, len(evs), before, r.Header.Get("Content-Type"))
				}
			}
		}
		// Every other job's photo: none exists, and a partner learns
		// nothing of jobs not its own.
		for id := range w.jobs {
			if id == job.ID {
				continue
			}
			if r := h.do("GET", photo(id), tokens["hefei.tech"], nil); r.Status != 404 {
				t.Errorf("hefei.tech GET %s: %d, want 404", photo(id), r.Status)
			}
		}
		// Writes to another partner's job: 404, and nothing changes.
		before := h.do("GET", fmt.Sprintf("/api/v1/jobs/%d/checklist", job.ID), tokens["quality"], nil).Body
		for _, u := range []string{"wuhan.tech", "wuhan.admin", "xian.tech"} {
			r := h.do("PUT", fmt.Sprintf("/api/v1/jobs/%d/checklist", job.ID), tokens[u], map[string]any{
				"answers": []map[string]string{{"item": "site_ready", "value": "fail"}}})
			if r.Status != 404 || problemDetail(r) != problemDetail(missing) {
				t.Errorf("%s PUT hefei's checklist: %d %s, want the 404 of a missing job", u, r.Status, r.Body)
			}
			if r := h.h.UploadChecklistPhoto(tokens[u], job.ID, "site_photo", apptest.PNG()); r.Status != 404 {
				t.Errorf("%s POST a photo to hefei's job: %d, want 404", u, r.Status)
			}
		}
		if after := h.do("GET", fmt.Sprintf("/api/v1/jobs/%d/checklist", job.ID), tokens["quality"], nil).Body; string(after) != string(before) {
			t.Errorf("another partner's writes changed the checklist:\n%s\n%s", before, after)
		}
		// Template routes: 403 to every partner user, whatever the id.
		var tmpl int64
		for id := range w.templates {
			tmpl = id
		}
		for _, u := range []string{"hefei.admin", "hefei.tech", "wuhan.admin", "wuhan.tech", "xian.admin", "xian.tech"} {
			for _, rq := range []struct {
				method, path string
				body         any
			}{
				{"GET", "/api/v1/checklist-templates", nil},
				{"POST", "/api/v1/checklist-templates", map[string]any{"key": "x", "title": "x", "category": "fault", "items": []any{}}},
				{"POST", "/api/v1/checklist-templates/import", "key: x"},
				{"GET", fmt.Sprintf("/api/v1/checklist-templates/%d", tmpl), nil},
				{"PUT", fmt.Sprintf("/api/v1/checklist-templates/%d", tmpl), map[string]any{"title": "x", "category": "fault", "items": []any{}}},
				{"GET", fmt.Sprintf("/api/v1/checklist-templates/%d/versions", tmpl), nil},
				{"GET", fmt.Sprintf("/api/v1/checklist-templates/%d/export", tmpl), nil},
				{"POST", fmt.Sprintf("/api/v1/checklist-templates/%d/retire", tmpl), nil},
			} {
				if r := h.do(rq.method, rq.path, tokens[u], rq.body); r.Status != 403 {
					t.Errorf("%s %s %s: %d, want 403", u, rq.method, rq.path, r.Status)
				}
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }
