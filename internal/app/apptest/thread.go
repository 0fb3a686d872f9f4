package apptest

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"slices"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// Multipart encodes fields and files (each named attachment) as
// multipart/form-data and returns the body and its content type.
func Multipart(fields map[string]string, files ...[]byte) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for i, f := range files {
		p, _ := w.CreateFormFile("attachment", fmt.Sprintf("photo-%d.png", i+1))
		p.Write(f)
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// PostMessage posts a message with files on a job's thread through the
// API (multipart when there are files, JSON otherwise).
func (h *Harness) PostMessage(token string, jobID int64, body string, files ...[]byte) *Response {
	h.T.Helper()
	path := fmt.Sprintf("/api/v1/jobs/%d/messages", jobID)
	if len(files) == 0 {
		return h.Do("POST", path, token, map[string]string{"body": body})
	}
	b, ct := Multipart(map[string]string{"body": body}, files...)
	return h.Do("POST", path, token, b, "Content-Type", ct)
}

// JobOf returns a job of the partner (by code) in one of the statuses,
// straight from the store; it fails the test when there is none.
func (h *Harness) JobOf(partner string, statuses ...cordon.JobStatus) *cordon.Job {
	h.T.Helper()
	org, err := store.NewOrgStore(h.DB).FindOrgByCode(context.Background(), partner)
	if err != nil {
		h.T.Fatal(err)
	}
	jobs, _, err := store.NewJobStore(h.DB).FindJobs(context.Background(), cordon.JobFilter{PartnerID: &org.ID, Scope: cordon.ListScope{All: true}})
	if err != nil {
		h.T.Fatal(err)
	}
	for _, j := range jobs {
		if slices.Contains(statuses, j.Status) {
			return j
		}
	}
	h.T.Fatalf("no job of %s in %v", partner, statuses)
	return nil
}
