package api_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
)

// TestThreadAPI: the thread's routes end to end, checked against the
// OpenAPI document: a multipart post with a photo, a JSON reply, the page,
// the download's headers; the roles without a part get 403, other
// partners 404, bad input a problem naming the field.
func TestThreadAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		tech, _ := h.Login("hefei.tech")
		disp, _ := h.Login("dispatcher")
		j := h.JobOf("hefei", cordon.ActiveJobStatuses...)
		photo := apptest.PNG()
		r := h.PostMessage(tech, j.ID, "接头已更换，见照片。", photo)
		if r.Status != 201 {
			t.Fatalf("post: %d %s", r.Status, r.Body)
		}
		m := r.JSON(t)
		atts := m["attachments"].([]any)
		if m["author_side"] != "partner" || len(atts) != 1 {
			t.Fatalf("posted %v", m)
		}
		url := atts[0].(map[string]any)["url"].(string)
		if r := h.PostMessage(disp, j.ID, "收到。"); r.Status != 201 || r.JSON(t)["author_side"] != "institute" {
			t.Fatalf("reply: %d %s", r.Status, r.Body)
		}
		r = h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d/messages?limit=1", j.ID), tech, nil)
		page := r.JSON(t)
		if r.Status != 200 || len(page["items"].([]any)) != 1 || page["next"] == nil {
			t.Fatalf("first page: %d %s", r.Status, r.Body)
		}
		r = h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d/messages?after=%d", j.ID, int64(page["next"].(float64))), tech, nil)
		if page := r.JSON(t); r.Status != 200 || len(page["items"].([]any)) != 1 || page["next"] != nil {
			t.Fatalf("second page: %d %s", r.Status, r.Body)
		}
		r = h.Do("GET", url, disp, nil)
		if r.Status != 200 || !bytes.Equal(r.Body, photo) || r.Header.Get("Content-Type") != "image/png" ||
			r.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(r.Header.Get("Content-Disposition"), `attachment; filename="job-`) {
			t.Fatalf("download: %d %v", r.Status, r.Header)
		}
		for _, c := range []struct {
			user, method, path string
			want               int
		}{
			{"admin", "GET", fmt.Sprintf("/api/v1/jobs/%d/messages", j.ID), 403},
			{"contracts", "GET", fmt.Sprintf("/api/v1/jobs/%d/messages", j.ID), 403},
			{"legal", "GET", fmt.Sprintf("/api/v1/jobs/%d/messages", j.ID), 200},
			{"legal", "GET", url, 200},
			{"legal", "POST", fmt.Sprintf("/api/v1/jobs/%d/messages", j.ID), 403},
			{"wuhan.tech", "GET", fmt.Sprintf("/api/v1/jobs/%d/messages", j.ID), 404},
			{"wuhan.tech", "GET", url, 404},
			{"wuhan.admin", "POST", fmt.Sprintf("/api/v1/jobs/%d/messages", j.ID), 404},
		} {
			tok, _ := h.Login(c.user)
			var body any
			if c.method == "POST" {
				body = map[string]string{"body": "hello"}
			}
			if r := h.Do(c.method, c.path, tok, body); r.Status != c.want {
				t.Errorf("%s %s %s: %d, want %d: %s", c.user, c.method, c.path, r.Status, c.want, r.Body)
			}
		}
		bad := []struct {
			name, ct string
			body     any
			field    string
			code     string
		}{
			{"unknown field", "", map[string]string{"body": "x", "to": "y"}, "to", "api.unknown_field"},
			{"empty", "", map[string]string{"body": ""}, "body", "thread.body_required"},
			{"partner override", "", map[string]string{"body": "x", "override": "y"}, "override", "thread.partner_no_override"},
			{"phone", "", map[string]string{"body": "电话 13912345678"}, "body", "thread.screen_phone"},
		}
		for _, b := range bad {
			r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/messages", j.ID), tech, b.body)
			if p := r.JSON(t); r.Status != 400 || p["field"] != b.field || p["code"] != b.code || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: %d %s", b.name, r.Status, r.Body)
			}
		}
		mp, ct := apptest.Multipart(map[string]string{"body": "x"})
		mp = bytes.Replace(mp, []byte(`name="body"`), []byte(`name="file"`), 1)
		if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/messages", j.ID), tech, mp, "Content-Type", ct); r.Status != 400 || r.JSON(t)["field"] != "file" {
			t.Errorf("an unknown form field: %d %s", r.Status, r.Body)
		}
		if r := h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d/messages?limit=201", j.ID), tech, nil); r.Status != 400 || r.JSON(t)["field"] != "limit" {
			t.Errorf("limit 201: %d %s", r.Status, r.Body)
		}
		if r := h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d/messages/x/attachments/1", j.ID), tech, nil); r.Status != 404 {
			t.Errorf("a bad message id: %d %s", r.Status, r.Body)
		}
	})
}
