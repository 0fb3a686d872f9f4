package apptest

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"strconv"
)

// FillChecklist answers every required item of a job's checklist that is
// still empty as the user with token would, within its limits (a check
// passes, a measurement is its lower limit or else its upper or 1, a
// photo is a small PNG), so that the job may be resolved. A job without
// a checklist is left alone.
func (h *Harness) FillChecklist(token string, jobID int64) {
	h.T.Helper()
	path := fmt.Sprintf("/api/v1/jobs/%d/checklist", jobID)
	r := h.Do("GET", path, token, nil)
	if r.Status == 404 {
		return
	}
	if r.Status != 200 {
		h.T.Fatalf("checklist of job %d: %d %s", jobID, r.Status, r.Body)
	}
	var answers []map[string]string
	for _, it := range r.JSON(h.T)["items"].([]any) {
		m := it.(map[string]any)
		if m["required"] != true || m["answer"] != nil {
			continue
		}
		key := m["key"].(string)
		switch m["kind"] {
		case "check":
			answers = append(answers, map[string]string{"item": key, "value": "pass"})
		case "measurement":
			v := 1.0
			if f, ok := m["max"].(float64); ok {
				v = f
			}
			if f, ok := m["min"].(float64); ok {
				v = f
			}
			answers = append(answers, map[string]string{"item": key, "value": strconv.FormatFloat(v, 'g', -1, 64)})
		case "text":
			answers = append(answers, map[string]string{"item": key, "value": "正常"})
		case "photo":
			if r := h.UploadChecklistPhoto(token, jobID, key, PNG()); r.Status != 200 {
				h.T.Fatalf("photo %s of job %d: %d %s", key, jobID, r.Status, r.Body)
			}
		}
	}
	if len(answers) == 0 {
		return
	}
	if r := h.Do("PUT", path, token, map[string]any{"answers": answers}); r.Status != 200 {
		h.T.Fatalf("fill the checklist of job %d: %d %s", jobID, r.Status, r.Body)
	}
}

// UploadChecklistPhoto posts content as the photo answering item.
func (h *Harness) UploadChecklistPhoto(token string, jobID int64, item string, content []byte) *Response {
	h.T.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("photo", "photo.png")
	part.Write(content)
	w.Close()
	path := fmt.Sprintf("/api/v1/jobs/%d/checklist/photos/%s", jobID, item)
	req := httptest.NewRequest("POST", path, bytes.NewReader(body.Bytes()))
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := h.App.Server.App().Test(req, -1)
	if err != nil {
		h.T.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(res.Body)
	r := &Response{Status: res.StatusCode, Header: res.Header, Body: out.Bytes()}
	CheckAgainstSpec(h.T, "POST", path, nil, r)
	return r
}
