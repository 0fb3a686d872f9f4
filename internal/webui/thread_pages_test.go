package webui_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
)

// TestThreadPage: the job page's thread. The partner's technician posts
// a message with a photo from the form (CSRF, the camera input), the
// dispatcher sees it with the photo as a thumbnail served through the
// scoped route and replies; a screened message comes back with the text
// as typed and the reason by its field; another partner reaches nothing;
// legal reads without a form.
func TestThreadPage(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		j := h.JobOf("hefei", cordon.ActiveJobStatuses...)
		path := fmt.Sprintf("/jobs/%d", j.ID)
		b := h.Browser()
		b.Login("hefei.tech")
		page := b.Page(path, "留言", "暂无留言。", `accept="image/*"`, `capture="environment"`, `action="`+path+`/messages"`)
		if strings.Contains(page, `name="override"`) {
			t.Error("a partner is offered the override")
		}
		if r := postMultipart(b, path+"/messages", url.Values{"body": {"hi"}}, nil, true); r.Status != 403 {
			t.Errorf("post without CSRF: %d, want 403", r.Status)
		}
		// Refused: the customer's phone; the page again, the text kept.
		r := postMultipart(b, path+"/messages", url.Values{"body": {"客户电话 13912345678，请回电"}}, nil, false)
		body := string(r.Body)
		if r.Status != 400 || !strings.Contains(body, `id="body-error"`) || !strings.Contains(body, "消息中含有电话号码") || !strings.Contains(body, ">客户电话 13912345678，请回电</textarea>") {
			t.Errorf("a screened message: %d\n%.2000s", r.Status, body)
		}
		r = postMultipart(b, path+"/messages", url.Values{"body": {"天线接头松动，已拍照。"}}, map[string][]byte{"attachment:photo.png": apptest.PNG()}, false)
		if r.Status != 303 || r.Header.Get("Location") != path+"#messages" {
			t.Fatalf("post: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
		}
		page = b.Page(path, "留言已发送。", "天线接头松动，已拍照。", "合作方")
		img := regexp.MustCompile(`<img src="(/jobs/\d+/messages/\d+/attachments/\d+)"`).FindStringSubmatch(page)
		if img == nil {
			t.Fatalf("no thumbnail in the thread:\n%.3000s", page)
		}
		d := h.Browser()
		d.Login("dispatcher")
		d.Page(path, "天线接头松动，已拍照。", img[1], `name="override"`)
		if r := d.Get(img[1]); r.Status != 200 || r.Header.Get("Content-Type") != "image/png" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("the thumbnail: %d %v", r.Status, r.Header)
		}
		if r := d.Post(path+"/messages", url.Values{"body": {"收到，请更换后回复。"}}); r.Status != 303 {
			t.Fatalf("reply: %d %s", r.Status, r.Body)
		}
		b.Page(path, "收到，请更换后回复。", "研究所")
		b.Page(path+"?lang=en", "Messages", "Institute", "Partner")
		// Another partner: neither the page, nor the post, nor the photo.
		w := h.Browser()
		w.Login("wuhan.tech")
		for _, r := range []*apptest.Response{w.Get(path), w.Get(img[1]), postMultipart(w, path+"/messages", url.Values{"body": {"hi"}}, nil, false)} {
			if r.Status != 404 {
				t.Errorf("wuhan: %d, want 404", r.Status)
			}
		}
		// Legal reads the thread, and has no form.
		l := h.Browser()
		l.Login("legal")
		if strings.Contains(l.Page(path, "天线接头松动，已拍照。"), `action="`+path+`/messages"`) {
			t.Error("legal is offered the message form")
		}
		// Admin has no part: the job page itself is not its.
		a := h.Browser()
		a.Login("admin")
		if r := a.Get(img[1]); r.Status != 403 {
			t.Errorf("admin gets the photo: %d, want 403", r.Status)
		}
	})
}
