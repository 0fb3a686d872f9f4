package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/pdfdoc/pdftest"
)

// trainingJob takes in a training request for a Hefei radar unit, offers
// it to hefei and moves it to on_site as hefei's technician; it returns
// the job's id.
func trainingJob(t *testing.T, h *apptest.Harness, category string) int64 {
	t.Helper()
	disp, _ := h.Login("dispatcher")
	contracts, _ := h.Login("contracts")
	req := h.Intake(disp, h.UnitIn("Hefei", "radar"), category, "P3")
	r := h.Do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"partner_id": h.PartnerIDs(contracts)["hefei"]})
	if r.Status != 201 {
		t.Fatalf("dispatch: %d %s", r.Status, r.Body)
	}
	job := int64(r.JSON(t)["id"].(float64))
	tech, _ := h.Login("hefei.tech")
	if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/accept", job), tech, nil); r.Status != 200 {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	return job
}

func move(t *testing.T, h *apptest.Harness, job int64, tok, to string) {
	t.Helper()
	if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/transition", job), tok, map[string]string{"to": to}); r.Status != 200 {
		t.Fatalf("move to %s: %d %s", to, r.Status, r.Body)
	}
}

// TestTrainingRecords: the partner's technician records sessions, trainees
// and assessments on site; other partners see nothing; the quality
// supervisor issues a numbered certificate to a trainee who passed, and
// the institute and the partner download it as a Chinese PDF; every sight
// of a trainee's identity is an access event.
func TestTrainingRecords(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		job := trainingJob(t, h, "training")
		tech, _ := h.Login("hefei.tech")
		padm, _ := h.Login("hefei.admin")
		wuhan, _ := h.Login("wuhan.admin")
		quality, _ := h.Login("quality")
		disp, _ := h.Login("dispatcher")
		base := fmt.Sprintf("/api/v1/jobs/%d/training", job)
		session := map[string]any{"held_on": "2026-05-04", "hours": 3.5, "topics": "雷达开机自检与日常维护"}

		// Accepted is too early.
		if r := h.Do("POST", base+"/sessions", tech, session); r.Status != 409 {
			t.Errorf("session while accepted: %d %s, want 409", r.Status, r.Body)
		}
		move(t, h, job, tech, "en_route")
		move(t, h, job, tech, "on_site")

		for _, bad := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"held_on": "04/05/2026", "hours": 2, "topics": "x"}, "held_on"},
			{map[string]any{"held_on": "2026-05-04", "hours": 0, "topics": "x"}, "hours"},
			{map[string]any{"held_on": "2026-05-04", "hours": 2, "topics": " "}, "topics"},
		} {
			if r := h.Do("POST", base+"/sessions", tech, bad.body); r.Status != 400 || r.JSON(t)["field"] != bad.field {
				t.Errorf("session %v: %d %s, want 400 naming %s", bad.body, r.Status, r.Body, bad.field)
			}
		}
		r := h.Do("POST", base+"/sessions", tech, session)
		if r.Status != 201 {
			t.Fatalf("session: %d %s", r.Status, r.Body)
		}
		sid := int64(r.JSON(t)["id"].(float64))
		if r := h.Do("PUT", fmt.Sprintf("%s/sessions/%d", base, sid), quality, map[string]any{"held_on": "2026-05-04", "hours": 4, "topics": "雷达开机自检与日常维护；故障排查"}); r.Status != 200 || r.JSON(t)["hours"] != 4.0 {
			t.Errorf("quality corrects the session: %d %s", r.Status, r.Body)
		}
		if r := h.Do("POST", base+"/trainees", tech, map[string]any{"name": ""}); r.Status != 400 || r.JSON(t)["field"] != "name" {
			t.Errorf("nameless trainee: %d %s", r.Status, r.Body)
		}
		r = h.Do("POST", base+"/trainees", tech, map[string]any{"name": "王小明", "position": "技术员", "department": "雷达站"})
		if r.Status != 201 {
			t.Fatalf("trainee: %d %s", r.Status, r.Body)
		}
		tid := int64(r.JSON(t)["id"].(float64))
		r = h.Do("POST", base+"/trainees", tech, map[string]any{"name": "李四"})
		failed := int64(r.JSON(t)["id"].(float64))

		// Another partner: not found, for every route.
		for _, p := range []struct {
			method, path string
			body         any
		}{
			{"GET", base, nil}, {"POST", base + "/sessions", session}, {"PUT", fmt.Sprintf("%s/sessions/%d", base, sid), session},
			{"POST", base + "/trainees", map[string]any{"name": "x"}}, {"PUT", fmt.Sprintf("%s/trainees/%d", base, tid), map[string]any{"name": "x"}},
			{"PUT", fmt.Sprintf("%s/trainees/%d/assessment", base, tid), map[string]any{"passed": true}}, {"GET", fmt.Sprintf("%s/trainees/%d/certificate", base, tid), nil},
		} {
			if r := h.Do(p.method, p.path, wuhan, p.body); r.Status != 404 || strings.Contains(string(r.Body), "王小明") {
				t.Errorf("wuhan %s %s: %d %s, want 404", p.method, p.path, r.Status, r.Body)
			}
		}

		if r := h.Do("PUT", fmt.Sprintf("%s/trainees/%d/assessment", base, tid), tech, map[string]any{"passed": true, "score": 101}); r.Status != 400 || r.JSON(t)["field"] != "score" {
			t.Errorf("score 101: %d %s", r.Status, r.Body)
		}
		if r := h.Do("PUT", fmt.Sprintf("%s/trainees/%d/assessment", base, tid), tech, map[string]any{"passed": true, "score": 92, "comment": "操作熟练"}); r.Status != 200 || r.JSON(t)["passed"] != true {
			t.Errorf("assess: %d %s", r.Status, r.Body)
		}
		h.Do("PUT", fmt.Sprintf("%s/trainees/%d/assessment", base, failed), tech, map[string]any{"passed": false, "score": 40})

		r = h.Do("GET", base, padm, nil)
		body := r.JSON(t)
		if r.Status != 200 || body["trainee_count"] != 2.0 || body["names_shown"] != true || body["hours"] != 4.0 || !strings.Contains(string(r.Body), "王小明") {
			t.Errorf("hefei's view: %d %s", r.Status, r.Body)
		}

		// Certificates: the quality supervisor only, to who passed, once.
		cert := fmt.Sprintf("%s/trainees/%d/certificate", base, tid)
		if r := h.Do("POST", cert, padm, nil); r.Status != 403 {
			t.Errorf("partner issues: %d, want 403", r.Status)
		}
		if r := h.Do("POST", fmt.Sprintf("%s/trainees/%d/certificate", base, failed), quality, nil); r.Status != 409 {
			t.Errorf("certificate for a failed trainee: %d, want 409", r.Status)
		}
		if r := h.Do("GET", cert, padm, nil); r.Status != 404 {
			t.Errorf("download before issue: %d, want 404", r.Status)
		}
		r = h.Do("POST", cert, quality, nil)
		// The demo world issued the year's first certificate.
		want := cordon.CertificateNumber(h.Clock.Now().In(cordon.ChinaTime).Year(), 2)
		if r.Status != 201 || r.JSON(t)["number"] != want {
			t.Fatalf("issue: %d %s, want %s", r.Status, r.Body, want)
		}
		if r := h.Do("POST", cert, quality, nil); r.Status != 409 {
			t.Errorf("second issue: %d, want 409", r.Status)
		}
		if r := h.Do("PUT", fmt.Sprintf("%s/trainees/%d/assessment", base, tid), tech, map[string]any{"passed": false}); r.Status != 409 {
			t.Errorf("reassess after the certificate: %d, want 409", r.Status)
		}
		for _, tok := range []string{padm, disp} {
			r := h.Do("GET", cert, tok, nil)
			if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" {
				t.Fatalf("download: %d %s", r.Status, r.Body)
			}
			text := pdftest.Squeeze(pdftest.Text(t, r.Body))
			for _, s := range []string{"培训合格证书", "王小明", want, "雷达站", "技术员", "合格（92分）", "雷达开机自检与日常维护；故障排查", "共4学时"} {
				if !strings.Contains(text, s) {
					t.Errorf("the certificate lacks %q:\n%s", s, text)
				}
			}
		}
		evs := h.AccessEvents(cordon.AccessEventFilter{Resource: ptr(cordon.ResTraining), Action: ptr(cordon.ActDownload)})
		if len(evs) != 2 || evs[0].ResourceID != fmt.Sprint(tid) || evs[0].Purpose != fmt.Sprintf("job:%d", job) {
			t.Errorf("download events: %+v", evs)
		}

		// The institute's list and export; partners have none.
		r = h.Do("GET", "/api/v1/trainees?q=王小&certified=true", quality, nil)
		if r.Status != 200 || r.JSON(t)["total"] != 1.0 || !strings.Contains(string(r.Body), want) {
			t.Errorf("list: %d %s", r.Status, r.Body)
		}
		if r := h.Do("GET", "/api/v1/trainees?passed=maybe", quality, nil); r.Status != 400 {
			t.Errorf("passed=maybe: %d, want 400", r.Status)
		}
		r = h.Do("GET", "/api/v1/trainees?format=csv", disp, nil)
		if r.Status != 200 || !strings.HasPrefix(string(r.Body), "学员编号,姓名") || !strings.Contains(string(r.Body), "王小明,技术员,雷达站") {
			t.Errorf("csv: %d %s", r.Status, r.Body)
		}
		if r := h.Do("GET", "/api/v1/trainees", padm, nil); r.Status != 403 {
			t.Errorf("partner lists trainees: %d, want 403", r.Status)
		}
	})
}

// TestTrainingNotTrainingJob: a repair job has no training record.
func TestTrainingNotTrainingJob(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		job := trainingJob(t, h, "repair")
		tech, _ := h.Login("hefei.tech")
		if r := h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d/training", job), tech, nil); r.Status != 400 {
			t.Errorf("training of a repair job: %d %s, want 400", r.Status, r.Body)
		}
	})
}

// TestTrainingInHouse: on a training job the institute keeps, its
// engineer records sessions, trainees and assessments while on site, as a
// partner's technician would; the engineer issues no certificate and
// records nothing on a partner's job.
func TestTrainingInHouse(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		disp, _ := h.Login("dispatcher")
		eng, _ := h.Login("engineer")
		req := h.Intake(disp, h.UnitIn("Hefei", "radar"), "training", "P3")
		r := h.Do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"to": "in_house"})
		if r.Status != 201 {
			t.Fatalf("dispatch in-house: %d %s", r.Status, r.Body)
		}
		job := int64(r.JSON(t)["id"].(float64))
		base := fmt.Sprintf("/api/v1/jobs/%d/training", job)
		session := map[string]any{"held_on": "2026-05-04", "hours": 2, "topics": "电源系统操作"}
		if r := h.Do("POST", base+"/sessions", eng, session); r.Status != 409 {
			t.Errorf("session on an offer: %d %s, want 409", r.Status, r.Body)
		}
		if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/accept", job), eng, nil); r.Status != 200 {
			t.Fatalf("accept: %d %s", r.Status, r.Body)
		}
		move(t, h, job, eng, "en_route")
		move(t, h, job, eng, "on_site")
		if r := h.Do("POST", base+"/sessions", eng, session); r.Status != 201 {
			t.Errorf("engineer's session: %d %s", r.Status, r.Body)
		}
		r = h.Do("POST", base+"/trainees", eng, map[string]any{"name": "赵六", "department": "电源连"})
		if r.Status != 201 || r.JSON(t)["name"] != "赵六" {
			t.Fatalf("engineer's trainee: %d %s", r.Status, r.Body)
		}
		tid := int64(r.JSON(t)["id"].(float64))
		if r := h.Do("PUT", fmt.Sprintf("%s/trainees/%d/assessment", base, tid), eng, map[string]any{"passed": true, "score": 80}); r.Status != 200 {
			t.Errorf("engineer assesses: %d %s", r.Status, r.Body)
		}
		if r := h.Do("POST", fmt.Sprintf("%s/trainees/%d/certificate", base, tid), eng, nil); r.Status != 403 {
			t.Errorf("engineer issues: %d %s, want 403", r.Status, r.Body)
		}
		r = h.Do("GET", base, eng, nil)
		if body := r.JSON(t); r.Status != 200 || body["can_record"] != true || body["can_issue"] != false {
			t.Errorf("engineer's view: %d %s", r.Status, r.Body)
		}
		if r := h.Do("POST", base+"/sessions", disp, session); r.Status != 403 {
			t.Errorf("dispatcher records: %d, want 403", r.Status)
		}

		// A partner's training job is the partner's to record.
		pjob := trainingJob(t, h, "training")
		tech, _ := h.Login("hefei.tech")
		move(t, h, pjob, tech, "en_route")
		move(t, h, pjob, tech, "on_site")
		r = h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/training/sessions", pjob), eng, session)
		if r.Status != 403 || r.JSON(t)["code"] != "training.only_quality_engineer_records" {
			t.Errorf("engineer on a partner's job: %d %s, want 403", r.Status, r.Body)
		}
	})
}
