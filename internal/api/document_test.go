package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cordon/cordon/internal/app"
	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/document"
)

// TestDocumentIsolation is the documents issue's "done when": each partner
// sees exactly its contract's product lines up to its ceiling, by list, id
// and download; a partner's download is stamped and matches the access log.
func TestDocumentIsolation(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		eng, _ := h.Login("engineer")
		all := h.Documents(eng)
		if len(all) < 16 {
			t.Fatalf("the engineer sees %d documents; the demo world has more", len(all))
		}
		rank := map[string]int{"public": 0, "internal": 1, "restricted": 2, "confidential": 3}
		for _, tc := range []struct {
			user    string
			lines   []string
			ceiling string
		}{
			{"hefei.tech", []string{"radar", "comms"}, "internal"},
			{"wuhan.tech", []string{"comms"}, "public"},
			{"xian.tech", nil, ""},
		} {
			t.Run(tc.user, func(t *testing.T) {
				tok, _ := h.Login(tc.user)
				got := h.Documents(tok)
				for id, d := range all {
					inScope := false
					for _, l := range tc.lines {
						if d["product_line"] == l && rank[d["classification"].(string)] <= rank[tc.ceiling] {
							inScope = true
						}
					}
					if inScope != (got[id] != nil) {
						t.Errorf("%s: document %d (%s, %s) listed=%v, want %v", tc.user, id, d["product_line"], d["classification"], got[id] != nil, inScope)
					}
					view := h.Do("GET", fmt.Sprintf("/api/v1/documents/%d", id), tok, nil)
					dl := h.Do("GET", fmt.Sprintf("/api/v1/documents/%d/download", id), tok, nil)
					if inScope && (view.Status != 200 || dl.Status != 200) {
						t.Errorf("%s: document %d in scope: view %d, download %d", tc.user, id, view.Status, dl.Status)
					}
					if !inScope && (view.Status != 404 || dl.Status != 404) {
						t.Errorf("%s: document %d outside scope: view %d, download %d, want 404", tc.user, id, view.Status, dl.Status)
					}
				}
			})
		}

		// A partner's PDF is stamped, carries its download id, and its
		// SHA-256 is the one the access log records.
		tech, _ := h.Login("hefei.tech")
		var pdfID int64
		for id, d := range h.Documents(tech) {
			if d["media_type"] == "application/pdf" {
				pdfID = id
			}
		}
		r := h.Do("GET", fmt.Sprintf("/api/v1/documents/%d/download", pdfID), tech, nil)
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("download: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		id, err := document.ReadMark(r.Body)
		if err != nil || id == "" || id != r.Header.Get("X-Download-ID") {
			t.Fatalf("download id in the PDF = %q (%v), header %q", id, err, r.Header.Get("X-Download-ID"))
		}
		sum := sha256.Sum256(r.Body)
		if all[pdfID]["sha256"] == hex.EncodeToString(sum[:]) {
			t.Error("the partner got the original, not a stamped copy")
		}
		res, dl := cordon.ResDocument, cordon.ActDownload
		evs := h.AccessEvents(cordon.AccessEventFilter{Resource: &res, Action: &dl, ResourceID: ptr(fmt.Sprint(pdfID)), Decision: ptr(cordon.Allow)})
		var found bool
		for _, e := range evs {
			if e.DownloadID == id {
				found = true
				if e.FileSHA256 != hex.EncodeToString(sum[:]) || e.ContractNo != "HF-2026-001" || e.Clause == "" {
					t.Errorf("download event %+v does not match the bytes served or lacks its clause", e)
				}
			}
		}
		if !found {
			t.Error("no access event for the download")
		}
		// The institute gets the original.
		r = h.Do("GET", fmt.Sprintf("/api/v1/documents/%d/download", pdfID), eng, nil)
		sum = sha256.Sum256(r.Body)
		if r.Status != 200 || all[pdfID]["sha256"] != hex.EncodeToString(sum[:]) {
			t.Errorf("the engineer's download is not the original")
		}
		for _, bad := range []string{"..%2F..%2Fetc%2Fpasswd", "%2e%2e", "1%00", "-1", "99999999999999999999", "1.5", "0x10"} {
			if r := h.Do("GET", "/api/v1/documents/"+bad+"/download", tech, nil); r.Status != 404 && r.Status != 400 {
				t.Errorf("document id %q: got %d, want 404 or 400", bad, r.Status)
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestDownloadQuota: past the daily quota a download answers 429 with
// Retry-After, and the refusal is in the log.
func TestDownloadQuota(t *testing.T) {
	t.Parallel()
	h := apptest.NewWith(t, apptest.SQLite, apptest.Setup{Tune: func(c *app.Config) { c.DownloadQuota = 2 }})
	tech, _ := h.Login("wuhan.tech")
	var id int64
	for k := range h.Documents(tech) {
		id = k
	}
	for i := 0; i < 2; i++ {
		if r := h.Do("GET", fmt.Sprintf("/api/v1/documents/%d/download", id), tech, nil); r.Status != 200 {
			t.Fatalf("download %d: %d", i, r.Status)
		}
	}
	r := h.Do("GET", fmt.Sprintf("/api/v1/documents/%d/download", id), tech, nil)
	if r.Status != 429 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("third download: %d, Retry-After %q; want 429 with Retry-After", r.Status, r.Header.Get("Retry-After"))
	}
	act := "quota_exceeded"
	if evs := h.AccessEvents(cordon.AccessEventFilter{Action: &act}); len(evs) != 1 {
		t.Errorf("quota alerts: %d, want 1", len(evs))
	}
}

// TestDocumentUpload: the institute uploads by content; anything that is
// not a PDF, PNG or JPEG is refused whatever its name.
func TestDocumentUpload(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		eng, _ := h.Login("engineer")
		var pdfID int64
		for id, d := range h.Documents(eng) {
			if d["media_type"] == "application/pdf" && d["product_line"] == "radar" {
				pdfID = id
			}
		}
		original := h.Do("GET", fmt.Sprintf("/api/v1/documents/%d/download", pdfID), eng, nil).Body
		upload := func(token string, fields map[string]string, name string, content []byte) *apptest.Response {
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			for k, v := range fields {
				w.WriteField(k, v)
			}
			fw, _ := w.CreateFormFile("file", name)
			fw.Write(content)
			w.Close()
			req := httptest.NewRequest("POST", "/api/v1/documents", &buf)
			req.Header.Set("Content-Type", w.FormDataContentType())
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := h.App.Server.App().Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			return &apptest.Response{Status: res.StatusCode, Header: res.Header, Body: body}
		}
		fields := map[string]string{"title": "RD-500 维修手册", "product_line": "radar", "classification": "restricted", "version": "2.0", "previous_id": fmt.Sprint(pdfID)}
		r := upload(eng, fields, "../../etc/passwd.pdf", original)
		if r.Status != 201 {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		m := r.JSON(t)
		if m["media_type"] != "application/pdf" || m["classification"] != "restricted" || m["previous_id"] != float64(pdfID) {
			t.Errorf("uploaded = %v", m)
		}
		if r := upload(eng, fields, "manual.pdf", []byte("<html>%PDF-1.7 not really</html>")); r.Status != 400 {
			t.Errorf("an HTML file named .pdf: got %d, want 400: %s", r.Status, r.Body)
		}
		bad := map[string]string{"title": "x", "product_line": "radar", "classification": "secret", "version": "1"}
		if r := upload(eng, bad, "a.pdf", original); r.Status != 400 || r.JSON(t)["field"] != "classification" {
			t.Errorf("unknown classification: %d %s", r.Status, r.Body)
		}
		extra := map[string]string{"title": "x", "product_line": "radar", "classification": "public", "version": "1", "uploaded_by": "1"}
		if r := upload(eng, extra, "a.pdf", original); r.Status != 400 || r.JSON(t)["field"] != "uploaded_by" {
			t.Errorf("mass assignment of uploaded_by: %d %s", r.Status, r.Body)
		}
		tech, _ := h.Login("hefei.tech")
		if r := upload(tech, fields, "a.pdf", original); r.Status != 403 {
			t.Errorf("a partner uploads: got %d, want 403", r.Status)
		}
		if strings.Contains(h.Logs.String(), "passwd") {
			t.Error("the uploaded file name reached the logs")
		}
	})
}
