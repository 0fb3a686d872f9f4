package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// TestProbeMatrixThreads attacks the job messages: messages with photos
// on jobs of every partner and status, then every demo user reads every
// job's thread and asks for every job × message × attachment triple, the
// ones that belong together and the ones that do not. A partner gets only
// its own jobs' threads while they have not ended; anything else is the
// 404 of a job (or an attachment) that does not exist.
func TestProbeMatrixThreads(t *testing.T) {
	t.Parallel()
	fields := newFieldRecorder(t)
	eachDBUnbudgeted(t, func(t *testing.T, h *harness) {
		loadSpec(t)
		w := loadProbeWorld(t, h)
		o := newOracle(t, w)
		tokens := h.loginAll()
		// A photo on a job of each partner in each status, by the
		// dispatcher (the institute may post on every job's thread).
		type msgAt struct{ job, msg, att int64 }
		var posted []msgAt
		seen := map[string]bool{}
		for _, id := range sortedIDs(w.jobs) {
			j := w.jobs[id]
			key := fmt.Sprint(idOrNil(j.PartnerID), j.Status)
			if seen[key] {
				continue
			}
			seen[key] = true
			r := h.h.PostMessage(tokens["dispatcher"], id, "请补充现场照片。", pngOf(len(posted)))
			if r.Status != 201 {
				t.Fatalf("post on job %d: %d %s", id, r.Status, r.Body)
			}
			var m struct {
				ID          int64
				Attachments []struct{ ID int64 }
			}
			json.Unmarshal(r.Body, &m)
			posted = append(posted, msgAt{id, m.ID, m.Attachments[0].ID})
		}
		if len(posted) < 8 {
			t.Fatalf("only %d jobs carry a message", len(posted))
		}
		st := &probeStats{}
		var reqs []*probeRequest
		type cell struct {
			u        probeUser
			job      int64
			together bool
			p        *probeRequest
		}
		var cells []cell
		for _, u := range probeUsers {
			for _, a := range posted {
				for _, b := range posted {
					// Every attachment under every job, with its own message.
					p := &probeRequest{method: "GET", path: fmt.Sprintf("/api/v1/jobs/%d/messages/%d/attachments/%d", a.job, b.msg, b.att), token: tokens[u.name]}
					cells = append(cells, cell{u, a.job, a == b, p})
					reqs = append(reqs, p)
				}
				p := &probeRequest{method: "GET", path: fmt.Sprintf("/api/v1/jobs/%d/messages", a.job), token: tokens[u.name]}
				cells = append(cells, cell{u, a.job, true, p})
				reqs = append(reqs, p)
			}
			missing := &probeRequest{method: "GET", path: fmt.Sprintf("/api/v1/jobs/%d/messages/%d/attachments/%d", w.maxID+1000, posted[0].msg, posted[0].att), token: tokens[u.name]}
			cells = append(cells, cell{u, w.maxID + 1000, false, missing})
			reqs = append(reqs, missing)
		}
		h.send(reqs)
		missing := map[string]string{}
		for _, c := range cells {
			if c.job == w.maxID+1000 && c.p.res != nil {
				missing[c.u.name] = problemDetail(c.p.res)
			}
		}
		for _, c := range cells {
			st.probes.Add(1)
			if c.p.err != nil {
				t.Errorf("%s GET %s: %v", c.u.name, c.p.path, c.p.err)
				continue
			}
			list := strings.HasSuffix(c.p.path, "/messages")
			guard := [2]string{cordon.ResMessage, cordon.ActView}
			if list {
				guard[1] = cordon.ActList
			}
			j := w.jobs[c.job]
			open := j != nil && o.recordsVisible(c.u, j)
			want := 404
			switch {
			case !o.may(c.u, guard):
				want = 403
			case open && c.together:
				want = 200
			}
			if c.p.res.Status != want {
				if c.p.res.Status == 200 {
					st.leaks.Add(1)
					t.Errorf("LEAK: %s GET %s: got 200, the oracle says %d", c.u.name, c.p.path, want)
				} else {
					t.Errorf("%s GET %s: got %d, want %d: %.300s", c.u.name, c.p.path, c.p.res.Status, want, c.p.res.Body)
				}
				continue
			}
			switch {
			case want == 404 && c.u.partner() && !open && problemDetail(c.p.res) != missing[c.u.name]:
				st.leaks.Add(1)
				t.Errorf("LEAK: %s GET %s: 404 %q differs from a missing job's %q", c.u.name, c.p.path, problemDetail(c.p.res), missing[c.u.name])
			case want == 200 && list:
				fields.record(t, "GET /jobs/{id}/messages+posted", fieldClass(c.u), c.p.res.Body)
				var page struct {
					Items []struct {
						JobID int64 `json:"job_id"`
					}
				}
				json.Unmarshal(c.p.res.Body, &page)
				if len(page.Items) != 1 || page.Items[0].JobID != c.job {
					st.leaks.Add(1)
					t.Errorf("LEAK: %s GET %s: %s", c.u.name, c.p.path, c.p.res.Body)
				}
			case want == 200:
				if ct := c.p.res.Header.Get("Content-Type"); ct != "image/png" || c.p.res.Header.Get("X-Content-Type-Options") != "nosniff" ||
					!strings.HasPrefix(c.p.res.Header.Get("Content-Disposition"), "attachment;") {
					t.Errorf("%s GET %s: headers %v", c.u.name, c.p.path, c.p.res.Header)
				}
			}
		}
		// Every partner read and download was logged, and denials too.
		res := cordon.ResMessage
		evs, _, err := store.NewAccessLog(h.db).FindAccessEvents(context.Background(), cordon.AccessEventFilter{Resource: &res})
		if err != nil || len(evs) == 0 {
			t.Errorf("no message access events: %v", err)
		}
		t.Logf("%d thread probes, %d leaks", st.probes.Load(), st.leaks.Load())
	})
}

// pngOf is a small PNG that differs per n, so each attachment has its own
// content.
func pngOf(n int) []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 8+n, 8)))
	return buf.Bytes()
}
