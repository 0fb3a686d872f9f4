package webui_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// TestSignOffPage: the technician records the customer's sign-off on the
// job page: a refusal keeps what was typed and says why by the field; a
// drawn signature (the pad's data URL) shows back with its check; another
// partner reaches none of it.
func TestSignOffPage(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		job, _ := h.JobOnSite("fault")
		path := fmt.Sprintf("/jobs/%d", job)
		b := h.Browser()
		b.Login("hefei.tech")
		b.Page(path, "客户签字确认", `id="signature-pad"`, `name="signer_name"`, "客户尚未签字确认。")
		if r := b.Send("POST", path+"/signoff", url.Values{"method": {"typed"}, "signer_name": {"王建国"}}); r.Status != 403 {
			t.Errorf("sign-off without CSRF: %d, want 403", r.Status)
		}
		// An empty pad: refused by the field, the name kept.
		blank := "data:image/png;base64," + base64.StdEncoding.EncodeToString(apptest.PNG())
		r := b.Post(path+"/signoff", url.Values{"method": {"drawn"}, "signer_name": {"王建国"}, "signer_position": {"站长"}, "signature": {blank}})
		if body := string(r.Body); r.Status != 400 || !strings.Contains(body, `id="signature-error"`) || !strings.Contains(body, "签名为空") ||
			!strings.Contains(body, `value="王建国"`) || !strings.Contains(body, `value="站长"`) {
			t.Errorf("a blank signature: %d\n%.2000s", r.Status, r.Body)
		}
		// Another partner: the same 404 as a job that does not exist.
		w := h.Browser()
		w.Login("wuhan.tech")
		if r := w.Post(path+"/signoff", url.Values{"method": {"typed"}, "signer_name": {"x"}}); r.Status != 404 {
			t.Errorf("wuhan signs off hefei's job: %d, want 404", r.Status)
		}
		sig := "data:image/png;base64," + base64.StdEncoding.EncodeToString(apptest.Signature())
		r = b.Post(path+"/signoff", url.Values{"method": {"drawn"}, "signer_name": {"王建国"}, "signer_position": {"站长"}, "signature": {sig}})
		if r.Status != 303 || r.Header.Get("Location") != path+"#signoff" {
			t.Fatalf("sign off: %d %s", r.Status, r.Body)
		}
		b.Page(path, "客户签字已记录。", "王建国", "站长", `src="`+path+`/signoff/image"`, `id="signoff-intact"`, "手写签名")
		if img := b.Get(path + "/signoff/image"); img.Status != 200 || !bytes.Equal(img.Body, apptest.Signature()) {
			t.Errorf("the signature image: %d", img.Status)
		}
		if r := w.Get(path + "/signoff/image"); r.Status != 404 {
			t.Errorf("wuhan sees hefei's signature: %d, want 404", r.Status)
		}
		b.Page(path+"?lang=en", "Customer sign-off", "Drawn signature", "The signature matches the SHA-256")
	})
}

// TestVerifySummary: beside quality's verify button stand the latest
// report version, its attachments and the customer's signature, checked;
// the service report PDF is a link away.
func TestVerifySummary(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		ctx := context.Background()
		org, err := store.NewOrgStore(h.DB).FindOrgByCode(ctx, "hefei")
		if err != nil {
			t.Fatal(err)
		}
		hefei := org.ID
		var job int64
		for id := range h.JobsOf(hefei) {
			j, err := store.NewJobStore(h.DB).FindJobByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if j.Status == cordon.JobResolved {
				job = id
			}
		}
		if job == 0 {
			t.Fatal("the demo world has no resolved hefei job")
		}
		path := fmt.Sprintf("/jobs/%d", job)
		q := h.Browser()
		q.Login("quality")
		page := q.Page(path, `id="verify-summary"`, "验证前请核对", "第 2 版", "附件 1 个。", `id="signoff-intact"`, `data-to="verified"`, "下载服务报告单（PDF）")
		if i, j := strings.Index(page, `id="verify-summary"`), strings.Index(page, `data-to="verified"`); i < 0 || j < i {
			t.Error("the summary does not stand before the verify button")
		}
		pdf := q.Get(path + "/service-report.pdf")
		if pdf.Status != 200 || !bytes.HasPrefix(pdf.Body, []byte("%PDF-")) {
			t.Errorf("the PDF from the page: %d", pdf.Status)
		}
		// The partner sees the versions and the signature, not the verify step.
		b := h.Browser()
		b.Login("hefei.tech")
		page = b.Page(path, "服务报告记录", "补充现场照片。", `id="signoff-intact"`)
		if strings.Contains(page, `id="verify-summary"`) {
			t.Error("the partner is shown the verify summary")
		}
		if regexp.MustCompile(`data-to="verified"`).MatchString(page) {
			t.Error("the partner may verify")
		}
	})
}
