package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/pdfdoc/pdftest"
	"github.com/cordon/cordon/internal/store/storetest"
)

// TestReportVersions: a filed report is read back with its attachments,
// never overwritten (an amendment is a new version with its reason), and
// every read is an access event; another partner finds none of it.
func TestReportVersions(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		job, tech := h.JobOnSite("fault")
		path := fmt.Sprintf("/api/v1/jobs/%d", job)
		if r := h.Do("GET", path+"/reports", tech, nil); r.Status != 200 || len(r.JSON(t)["items"].([]any)) != 0 {
			t.Fatalf("no report yet: %d %s", r.Status, r.Body)
		}
		first := map[string]any{"actions": "Replaced the power supply board.", "parts_used": "PSU-7 ×1", "root_cause": "component"}
		if r := h.Do("POST", path+"/report", tech, map[string]any{"reason": "typo", "actions": "x", "root_cause": "component"}); r.Status != 400 || r.JSON(t)["field"] != "reason" {
			t.Errorf("a reason on the first filing: %d %s", r.Status, r.Body)
		}
		r := h.Do("POST", path+"/report", tech, first)
		if r.Status != 201 || r.JSON(t)["version"].(float64) != 1 {
			t.Fatalf("file: %d %s", r.Status, r.Body)
		}
		v1 := r.JSON(t)["id"].(float64)
		if r := h.Do("POST", path+"/report", tech, first); r.Status != 409 || !strings.Contains(string(r.Body), "amendment") {
			t.Errorf("filing again without a reason: %d %s, want 409", r.Status, r.Body)
		}
		amend := map[string]any{"reason": "The fuse was replaced too.", "actions": "Replaced the PSU and its fuse.", "parts_used": "PSU-7 ×1, F2 ×1", "root_cause": "component"}
		r = h.Do("POST", path+"/report", tech, amend)
		if r.Status != 201 || r.JSON(t)["version"].(float64) != 2 || r.JSON(t)["amends_id"].(float64) != v1 {
			t.Fatalf("amend: %d %s", r.Status, r.Body)
		}
		r = h.Do("GET", path+"/reports", tech, nil)
		items := r.JSON(t)["items"].([]any)
		if r.Status != 200 || len(items) != 2 {
			t.Fatalf("versions: %d %s", r.Status, r.Body)
		}
		latest, oldest := items[0].(map[string]any), items[1].(map[string]any)
		if latest["version"].(float64) != 2 || latest["reason"] != "The fuse was replaced too." || oldest["actions"] != "Replaced the power supply board." {
			t.Errorf("versions newest first, both kept: %s", r.Body)
		}
		// Amendments at once: each is a version of its own or a 409,
		// never a 500, never two of the same number.
		var wg sync.WaitGroup
		statuses := make([]int, 6)
		for i := range statuses {
			wg.Go(func() {
				statuses[i] = h.Do("POST", path+"/report", tech, map[string]any{"reason": fmt.Sprintf("race %d", i), "actions": "x", "root_cause": "component"}).Status
			})
		}
		wg.Wait()
		created := 0
		for _, st := range statuses {
			switch st {
			case 201:
				created++
			case 409:
			default:
				t.Errorf("concurrent amendments: %v", statuses)
			}
		}
		r = h.Do("GET", path+"/reports", tech, nil)
		if items := r.JSON(t)["items"].([]any); len(items) != 2+created || items[0].(map[string]any)["version"].(float64) != float64(2+created) {
			t.Errorf("after %d concurrent amendments: %d versions", created, len(items))
		}
		res := "report"
		if evs := h.AccessEvents(cordon.AccessEventFilter{Resource: &res}); len(evs) < 2 || evs[0].ContractNo == "" {
			t.Errorf("reading the versions: %d report events, want 2 with the contract", len(evs))
		}
		// Another partner, and a partner on another job: the same 404.
		wuhan, _ := h.Login("wuhan.tech")
		for _, p := range []string{"/reports", "/reports/attachments/1", "/signoff", "/signoff/image"} {
			if r := h.Do("GET", path+p, wuhan, nil); r.Status != 404 {
				t.Errorf("wuhan GET %s on hefei's job: %d, want 404", p, r.Status)
			}
		}
		if r := h.Do("POST", path+"/signoff", wuhan, map[string]any{"method": "typed", "signer_name": "王工"}); r.Status != 404 {
			t.Errorf("wuhan signs off hefei's job: %d, want 404", r.Status)
		}
		// Quality reads what was filed.
		q, _ := h.Login("quality")
		if r := h.Do("GET", path+"/reports", q, nil); r.Status != 200 || len(r.JSON(t)["items"].([]any)) < 2 {
			t.Errorf("quality reads the reports: %d %s", r.Status, r.Body)
		}
		// The institute takes the job back: its records are gone for the
		// partner that held it (the job itself stays on its list).
		// (Revoked with the partner's contract still in force, as after a
		// renewal: only the job's status stands between it and the records.)
		storetest.Exec(t, h.URL, h.DataDir, fmt.Sprintf("UPDATE jobs SET status = 'revoked' WHERE id = %d", job))
		for _, p := range []string{"/reports", "/signoff", "/service-report.pdf"} {
			if r := h.Do("GET", path+p, tech, nil); r.Status != 404 {
				t.Errorf("the old partner GET %s after revocation: %d, want 404", p, r.Status)
			}
		}
		if r := h.Do("GET", path, tech, nil); r.Status != 200 {
			t.Errorf("the old partner's revoked job itself: %d, want 200", r.Status)
		}
		if r := h.Do("GET", path+"/reports", q, nil); r.Status != 200 {
			t.Errorf("quality after revocation: %d", r.Status)
		}
	})
}

// TestSignOff: the customer's drawn signature is checked (a PNG, at most
// 512 KB, not blank), stored, its SHA-256 put in the timeline, and the
// sign-off verifies against it until the stored image is changed.
func TestSignOff(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		job, tech := h.JobOnSite("installation")
		path := fmt.Sprintf("/api/v1/jobs/%d", job)
		if r := h.Do("GET", path+"/signoff", tech, nil); r.Status != 200 || r.JSON(t)["signoff"] != nil {
			t.Fatalf("no sign-off yet: %d %s", r.Status, r.Body)
		}
		sig := apptest.Signature()
		dataURL := "data:image/png;base64," + base64.StdEncoding.EncodeToString(sig)
		big := append(append([]byte{}, sig...), make([]byte, cordon.MaxSignatureBytes)...)
		for _, c := range []struct {
			name   string
			body   map[string]any
			status int
			field  string
		}{
			{"not a PNG", map[string]any{"method": "drawn", "signer_name": "王工", "signature": base64.StdEncoding.EncodeToString([]byte("GIF89a not a png"))}, 400, "signature"},
			{"over 512 KB", map[string]any{"method": "drawn", "signer_name": "王工", "signature": base64.StdEncoding.EncodeToString(big)}, 413, ""},
			{"blank", map[string]any{"method": "drawn", "signer_name": "王工", "signature": base64.StdEncoding.EncodeToString(apptest.PNG())}, 400, "signature"},
			{"no image", map[string]any{"method": "drawn", "signer_name": "王工"}, 400, "signature"},
			{"no name", map[string]any{"method": "drawn", "signature": dataURL}, 400, "signer_name"},
			{"typed with an image", map[string]any{"method": "typed", "signer_name": "王工", "signature": dataURL}, 400, "signature"},
			{"unknown method", map[string]any{"method": "stamped", "signer_name": "王工"}, 400, "method"},
			{"bad base64", map[string]any{"method": "drawn", "signer_name": "王工", "signature": "data:image/png;base64,@@@"}, 400, "signature"},
		} {
			r := h.Do("POST", path+"/signoff", tech, c.body)
			if r.Status != c.status || (c.field != "" && r.JSON(t)["field"] != c.field) || strings.Contains(string(r.Body), "png:") {
				t.Errorf("%s: %d %s, want %d on %q", c.name, r.Status, r.Body, c.status, c.field)
			}
		}
		if r := h.Do("GET", path+"/signoff", tech, nil); r.JSON(t)["signoff"] != nil {
			t.Errorf("a refused sign-off was stored: %s", r.Body)
		}
		r := h.Do("POST", path+"/signoff", tech, map[string]any{"method": "drawn", "signer_name": "王建国", "signer_position": "站长", "signature": dataURL})
		if r.Status != 201 {
			t.Fatalf("sign off: %d %s", r.Status, r.Body)
		}
		sum := sha256.Sum256(sig)
		want := hex.EncodeToString(sum[:])
		if r.JSON(t)["sha256"] != want {
			t.Errorf("sha256 %v, want %s", r.JSON(t)["sha256"], want)
		}
		ev := h.Do("GET", path+"/events", tech, nil)
		if !strings.Contains(string(ev.Body), want) {
			t.Errorf("the timeline does not carry the signature's SHA-256: %s", ev.Body)
		}
		q, _ := h.Login("quality")
		chk := h.Do("GET", path+"/signoff", q, nil).JSON(t)
		so := chk["signoff"].(map[string]any)
		if chk["intact"] != true || chk["timeline_sha256"] != want || so["signer_name"] != "王建国" || so["method"] != "drawn" {
			t.Errorf("the sign-off as quality reads it: %v", chk)
		}
		img := h.Do("GET", path+"/signoff/image", q, nil)
		if img.Status != 200 || !bytes.Equal(img.Body, sig) {
			t.Errorf("the image: %d, %d bytes", img.Status, len(img.Body))
		}
		// Someone changes the stored image: the check says so.
		tamper := "UPDATE blobs SET content = x'89504e470d0a1a0a00' WHERE sha256 = '" + want + "'"
		if h.URL != "" {
			tamper = "UPDATE blobs SET content = '\\x89504e470d0a1a0a00'::bytea WHERE sha256 = '" + want + "'"
		}
		storetest.Exec(t, h.URL, h.DataDir, tamper)
		if chk := h.Do("GET", path+"/signoff", q, nil).JSON(t); chk["intact"] != false {
			t.Errorf("a changed image still verifies: %v", chk)
		}
		// A typed name where no touch screen is at hand, marked as such.
		r = h.Do("POST", path+"/signoff", tech, map[string]any{"method": "typed", "signer_name": "王建国", "signer_position": "站长"})
		if r.Status != 201 || r.JSON(t)["method"] != "typed" || r.JSON(t)["image_url"] != "" {
			t.Errorf("typed: %d %s", r.Status, r.Body)
		}
		res := "signoff"
		if evs := h.AccessEvents(cordon.AccessEventFilter{Resource: &res}); len(evs) < 3 {
			t.Errorf("sign-off reads: %d access events, want at least 3", len(evs))
		}
	})
}

// TestServiceReportPDF: the acceptance record of an installation job is a
// Chinese PDF whose text extracts as Chinese: the job, the work, the
// checklist with a measurement flagged out of limits, and the customer's
// drawn signature as an image. The partner downloads it for its own job,
// another partner gets 404, and each download is an access event.
func TestServiceReportPDF(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		job, tech := h.JobOnSite("installation")
		path := fmt.Sprintf("/api/v1/jobs/%d", job)
		if r := h.Do("GET", path+"/service-report.pdf", tech, nil); r.Status != 404 {
			t.Errorf("the PDF before a report: %d, want 404", r.Status)
		}
		if r := h.Do("PUT", path+"/checklist", tech, map[string]any{"answers": []map[string]string{
			{"item": "earth_resistance", "value": "6.5"}, {"item": "supply_voltage", "value": "220"},
		}}); r.Status != 200 {
			t.Fatalf("checklist: %d %s", r.Status, r.Body)
		}
		if r := h.Do("POST", path+"/report", tech, map[string]any{"actions": "完成设备安装与联调，通电自检正常。", "parts_used": "接地线 ×1", "root_cause": "installation"}); r.Status != 201 {
			t.Fatalf("report: %d %s", r.Status, r.Body)
		}
		sig := "data:image/png;base64," + base64.StdEncoding.EncodeToString(apptest.Signature())
		if r := h.Do("POST", path+"/signoff", tech, map[string]any{"method": "drawn", "signer_name": "王建国", "signer_position": "站长", "signature": sig}); r.Status != 201 {
			t.Fatalf("sign off: %d %s", r.Status, r.Body)
		}
		r := h.Do("GET", path+"/service-report.pdf", tech, nil)
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("the PDF: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		text := pdftest.Squeeze(pdftest.Text(t, r.Body))
		for _, want := range []string{"验收单", "完成设备安装与联调，通电自检正常。", "接地线×1", "设备安装检查单", "接地电阻", "6.5Ω", "超限", "王建国", "站长", "手写签名", "安装"} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF's text lacks %q:\n%s", want, text)
			}
		}
		if n := pdftest.Images(t, r.Body); n[1]+n[2]+n[3] == 0 {
			t.Errorf("no signature image in the PDF: %v", n)
		}
		en := h.Do("GET", path+"/service-report.pdf?lang=en", tech, nil)
		if !strings.Contains(pdftest.Squeeze(pdftest.Text(t, en.Body)), "Acceptancerecord") {
			t.Error("the English PDF is not titled Acceptance record")
		}
		wuhan, _ := h.Login("wuhan.tech")
		if r := h.Do("GET", path+"/service-report.pdf", wuhan, nil); r.Status != 404 {
			t.Errorf("wuhan downloads hefei's report: %d, want 404", r.Status)
		}
		act := "export"
		for _, res := range []string{"report", "signoff"} {
			if evs := h.AccessEvents(cordon.AccessEventFilter{Resource: &res, Action: &act}); len(evs) != 2 || evs[0].FileSHA256 == "" || evs[0].ContractNo == "" {
				t.Errorf("PDF downloads: %d %s access events %v, want 2 with the file's SHA-256 and the contract", len(evs), res, evs)
			}
		}
	})
}
