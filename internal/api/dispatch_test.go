package api_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// TestDispatchJourney is the dispatch issue's "done when", through the API:
// intake, candidates, dispatch, accept, disclosure, the lifecycle to closed,
// and the disclosure window closing.
func TestDispatchJourney(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		disp, _ := h.Login("dispatcher")
		unit := h.UnitIn("Hefei", "radar")
		req := h.Intake(disp, unit, "fault", "P1")

		r := h.Do("GET", fmt.Sprintf("/api/v1/requests/%d/candidates", req), disp, nil)
		if r.Status != 200 {
			t.Fatalf("candidates: %d %s", r.Status, r.Body)
		}
		items := r.JSON(t)["items"].([]any)
		first, last := items[0].(map[string]any), items[len(items)-1].(map[string]any)
		if first["partner_code"] != "hefei" || first["contract_no"] != "HF-2026-001" || first["clause"] == "" || last["in_house"] != true {
			t.Errorf("candidates = %v, want hefei first with its clause and the engineers last", items)
		}
		for _, it := range items {
			if code := it.(map[string]any)["partner_code"]; code == "wuhan" || code == "xian" {
				t.Errorf("%s is a candidate outside its contract", code)
			}
		}
		hefei := int64(first["partner_id"].(float64))
		admin, _ := h.Login("contracts")
		wuhan := h.PartnerIDs(admin)["wuhan"]
		if r := h.Do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"partner_id": wuhan}); r.Status != 400 || r.JSON(t)["field"] != "partner_id" {
			t.Errorf("dispatch to wuhan: %d %s, want 400 naming partner_id", r.Status, r.Body)
		}
		r = h.Do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"partner_id": hefei})
		if r.Status != 201 {
			t.Fatalf("dispatch to hefei: %d %s", r.Status, r.Body)
		}
		job := int64(r.JSON(t)["id"].(float64))
		deadline, _ := time.Parse(time.RFC3339, r.JSON(t)["offer_expires_at"].(string))
		if want := h.Clock.Now().Add(30 * time.Minute); !deadline.Equal(want) {
			t.Errorf("offer deadline %v, want %v (P1 accept within 30m)", deadline, want)
		}
		if r := h.Do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"to": "auto"}); r.Status != 409 {
			t.Errorf("dispatching a dispatched request: got %d, want 409", r.Status)
		}

		wtech, _ := h.Login("wuhan.tech")
		for _, p := range []string{"", "/accept", "/customer", "/events"} {
			method := "GET"
			if p == "/accept" {
				method = "POST"
			}
			if r := h.Do(method, fmt.Sprintf("/api/v1/jobs/%d%s", job, p), wtech, nil); r.Status != 404 {
				t.Errorf("wuhan.tech %s /jobs/%d%s: got %d, want 404", method, job, p, r.Status)
			}
		}

		tech, _ := h.Login("hefei.tech")
		if h.JobIDs(tech)[job] == nil {
			t.Fatal("hefei.tech does not see the offer in its inbox")
		}
		if r := h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d/customer", job), tech, nil); r.Status != 404 {
			t.Errorf("customer before acceptance: got %d, want 404", r.Status)
		}
		if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/accept", job), tech, nil); r.Status != 200 || r.JSON(t)["status"] != "accepted" {
			t.Fatalf("accept: %d %s", r.Status, r.Body)
		}
		r = h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d/customer", job), tech, nil)
		if r.Status != 200 {
			t.Fatalf("customer after acceptance: %d %s", r.Status, r.Body)
		}
		m := r.JSON(t)
		if m["level"] != "site_contact" || m["site_address"] == nil || m["phone"] == nil || m["contact_person"] == nil || m["name"] != nil || m["unit_designation"] != nil {
			t.Errorf("disclosure = %v, want site and contact but never the name", m)
		}
		if m["serial"] != unit.Serial {
			t.Errorf("disclosure serial %v, want %s after acceptance", m["serial"], unit.Serial)
		}
		if m["contract_no"] != "HF-2026-001" || m["clause"] == "" {
			t.Errorf("disclosure without its contract and clause: %v", m)
		}

		// The lifecycle, each role its own moves.
		for _, step := range []struct {
			user, to, reason string
			want             int
		}{
			{"hefei.tech", "on_site", "", 409}, // not yet en route
			{"hefei.tech", "en_route", "", 200},
			{"hefei.tech", "on_site", "", 200},
			{"hefei.tech", "waiting_parts", "", 200},
			{"hefei.tech", "resolved", "", 409}, // paused
			{"hefei.tech", "on_site", "", 200},  // resume
			{"hefei.tech", "resolved", "", 200},
			{"hefei.tech", "verified", "", 403}, // the quality department's move
			{"quality", "verified", "", 200},
			{"quality", "closed", "", 200},
		} {
			tok, _ := h.Login(step.user)
			r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/transition", job), tok, map[string]string{"to": step.to, "reason": step.reason})
			if r.Status != step.want {
				t.Fatalf("%s → %s: got %d, want %d: %s", step.user, step.to, r.Status, step.want, r.Body)
			}
			if step.want == 409 && !strings.Contains(r.JSON(t)["detail"].(string), "you may") {
				t.Errorf("%s → %s: 409 does not say what is allowed: %s", step.user, step.to, r.Body)
			}
		}
		r = h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d/events", job), tech, nil)
		if n := len(r.JSON(t)["items"].([]any)); r.Status != 200 || n != 9 {
			t.Errorf("timeline: %d with %d events, want 9", r.Status, n)
		}
		// Within the grace after resolution the site stays visible; after it, not.
		if r := h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d/customer", job), tech, nil); r.Status != 200 {
			t.Errorf("customer within the grace: got %d", r.Status)
		}
		h.Clock.Add(73 * time.Hour)
		tech, _ = h.Login("hefei.tech")
		if r := h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d/customer", job), tech, nil); r.Status != 404 {
			t.Errorf("customer after the window: got %d, want 404", r.Status)
		}
		res, disclose := cordon.ResCustomer, cordon.ActDisclose
		evs := h.AccessEvents(cordon.AccessEventFilter{Resource: &res, Action: &disclose})
		var allowed, denied int
		for _, e := range evs {
			if e.Decision == cordon.Allow {
				allowed++
				if e.ContractNo != "HF-2026-001" || strings.Join(e.Fields, ",") != "city,site_address,contact_person,phone,serial" || e.Purpose != fmt.Sprintf("job:%d", job) {
					t.Errorf("disclosure event %+v", e)
				}
			} else {
				denied++
			}
		}
		// wuhan's attempt is refused (and recorded) at the job, before any customer is named.
		if allowed != 2 || denied != 2 {
			t.Errorf("disclosure events: %d allowed, %d denied; want 2 and 2 (before acceptance, after the window)", allowed, denied)
		}
	})
}

// TestAcceptRace: many concurrent accepts of one offer give exactly one
// success and 409 for the rest.
func TestAcceptRace(t *testing.T) {
	t.Parallel()
	h := apptest.New(t, apptest.Postgres)
	disp, _ := h.Login("dispatcher")
	req := h.Intake(disp, h.UnitIn("Wuhu", "comms"), "maintenance", "P3")
	r := h.Do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"to": "auto"})
	if r.Status != 201 {
		t.Fatalf("dispatch: %d %s", r.Status, r.Body)
	}
	job := int64(r.JSON(t)["id"].(float64))
	tech, _ := h.Login("hefei.tech")
	adm, _ := h.Login("hefei.admin")
	const n = 16
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tok := tech
			if i%2 == 1 {
				tok = adm
			}
			codes[i] = h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/accept", job), tok, nil).Status
		}(i)
	}
	wg.Wait()
	ok, conflict := 0, 0
	for _, c := range codes {
		switch c {
		case 200:
			ok++
		case 409:
			conflict++
		}
	}
	if ok != 1 || conflict != n-1 {
		t.Errorf("concurrent accepts: %d succeeded, %d conflicted of %d (%v); want exactly one success", ok, conflict, n, codes)
	}
}

// TestReportAndAssignment: the partner's admin assigns the job, the
// technician files the report with an attachment checked by content.
func TestReportAndAssignment(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		disp, _ := h.Login("dispatcher")
		req := h.Intake(disp, h.UnitIn("Hefei", "radar"), "fault", "P2")
		job := int64(h.Do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"to": "auto"}).JSON(t)["id"].(float64))
		adm, _ := h.Login("hefei.admin")
		if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/accept", job), adm, nil); r.Status != 200 {
			t.Fatalf("accept: %d %s", r.Status, r.Body)
		}
		techUser, err := store.NewUserStore(h.DB).FindUserByUsername(context.Background(), "hefei.tech")
		if err != nil {
			t.Fatal(err)
		}
		wuhanTech, _ := store.NewUserStore(h.DB).FindUserByUsername(context.Background(), "wuhan.tech")
		if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/assign", job), adm, map[string]any{"user_id": wuhanTech.ID}); r.Status != 400 {
			t.Errorf("assign to another partner's technician: got %d, want 400", r.Status)
		}
		if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/assign", job), adm, map[string]any{"user_id": techUser.ID}); r.Status != 200 {
			t.Fatalf("assign: %d %s", r.Status, r.Body)
		}
		tech, _ := h.Login("hefei.tech")
		if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/assign", job), tech, map[string]any{"user_id": techUser.ID}); r.Status != 403 {
			t.Errorf("a technician assigns: got %d, want 403", r.Status)
		}
		report := map[string]any{"actions": "Replaced the power supply board.", "parts_used": "PSU-7 ×1", "root_cause": "component"}
		if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/report", job), tech, report); r.Status != 409 {
			t.Errorf("report before on site: got %d, want 409", r.Status)
		}
		for _, to := range []string{"en_route", "on_site"} {
			if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/transition", job), tech, map[string]string{"to": to}); r.Status != 200 {
				t.Fatalf("→ %s: %d %s", to, r.Status, r.Body)
			}
		}
		bad := map[string]any{"actions": "x", "root_cause": "gremlins"}
		if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/report", job), tech, bad); r.Status != 400 || r.JSON(t)["field"] != "root_cause" {
			t.Errorf("unknown root cause: %d %s", r.Status, r.Body)
		}
		// A real PNG attachment, and a text file pretending to be one.
		var pngBuf bytes.Buffer
		img := image.NewRGBA(image.Rect(0, 0, 40, 30))
		png.Encode(&pngBuf, img)
		post := func(files map[string][]byte) *apptest.Response {
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			w.WriteField("actions", "Replaced the power supply board.")
			w.WriteField("root_cause", "component")
			w.WriteField("signoff_name", "王工")
			w.WriteField("signoff_at", "2026-11-02T17:30:00+08:00")
			for name, b := range files {
				fw, _ := w.CreateFormFile("attachment", name)
				fw.Write(b)
			}
			w.Close()
			req := httptest.NewRequest("POST", fmt.Sprintf("/api/v1/jobs/%d/report", job), &buf)
			req.Header.Set("Content-Type", w.FormDataContentType())
			req.Header.Set("Authorization", "Bearer "+tech)
			res, err := h.App.Server.App().Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			return &apptest.Response{Status: res.StatusCode, Body: body}
		}
		if r := post(map[string][]byte{"photo.png": []byte("just text")}); r.Status != 400 {
			t.Errorf("a text file as attachment: got %d, want 400: %s", r.Status, r.Body)
		}
		if r := post(map[string][]byte{"photo.png": pngBuf.Bytes()}); r.Status != 201 {
			t.Fatalf("report with a photo: %d %s", r.Status, r.Body)
		}
	})
}

// TestRedispatch: a declined offer and a lapsed one go to the next
// candidate by themselves; due follow-up visits become requests once.
func TestRedispatch(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		// The demo world's lapsed offers go first, so what follows is ours.
		if _, err := h.App.Sweeper.SweepOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		disp, _ := h.Login("dispatcher")
		req := h.Intake(disp, h.UnitIn("Hefei", "radar"), "fault", "P1")
		job := int64(h.Do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"to": "auto"}).JSON(t)["id"].(float64))
		tech, _ := h.Login("hefei.tech")
		if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/decline", job), tech, map[string]string{}); r.Status != 400 {
			t.Errorf("decline without a reason: got %d, want 400", r.Status)
		}
		if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/decline", job), tech, map[string]string{"reason": "No radar engineer free this week."}); r.Status != 200 {
			t.Fatalf("decline: %d %s", r.Status, r.Body)
		}
		res, err := h.App.Sweeper.SweepOnce(context.Background())
		if err != nil || res.Redispatched < 1 {
			t.Fatalf("sweep after decline: %+v %v", res, err)
		}
		rid := req
		jobs, _, _ := store.NewJobStore(h.DB).FindJobs(context.Background(), cordon.JobFilter{RequestID: &rid, Scope: cordon.ListScope{All: true}})
		if len(jobs) != 2 || jobs[0].PartnerID != nil || jobs[0].Status != cordon.JobOffered {
			t.Fatalf("after hefei declined, the request should be offered in-house: %d jobs, newest %+v", len(jobs), jobs[0])
		}

		// A lapsed offer expires by the clock and goes on.
		req2 := h.Intake(disp, h.UnitIn("Wuhu", "comms"), "maintenance", "P1")
		job2 := int64(h.Do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req2), disp, map[string]any{"to": "auto"}).JSON(t)["id"].(float64))
		status := func(id int64) string {
			tok, _ := h.Login("dispatcher")
			return h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d", id), tok, nil).JSON(t)["status"].(string)
		}
		h.Clock.Add(29 * time.Minute)
		h.App.Sweeper.SweepOnce(context.Background())
		if st := status(job2); st != "offered" {
			t.Errorf("before its deadline the offer is %s", st)
		}
		h.Clock.Add(time.Minute)
		if _, err := h.App.Sweeper.SweepOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		if st := status(job2); st != "expired" {
			t.Errorf("at its deadline the offer is %s, want expired", st)
		}
		rid2 := req2
		jobs, _, _ = store.NewJobStore(h.DB).FindJobs(context.Background(), cordon.JobFilter{RequestID: &rid2, Scope: cordon.ListScope{All: true}})
		if len(jobs) != 2 || jobs[0].Status != cordon.JobOffered {
			t.Errorf("the lapsed request was not offered again: %d jobs", len(jobs))
		}
		// Follow-up visits: the first sweep made the due ones; another makes none.
		h.Clock.Add(400 * 24 * time.Hour)
		first, err := h.App.Sweeper.SweepOnce(context.Background())
		if err != nil || first.Visits == 0 {
			t.Fatalf("follow-up visits after a year: %+v %v", first, err)
		}
		again, _ := h.App.Sweeper.SweepOnce(context.Background())
		if again.Visits != 0 {
			t.Errorf("the same visits were made twice: %+v", again)
		}
	})
}
