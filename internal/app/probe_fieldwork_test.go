package app_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/cordon/cordon/internal/cordon"
)

// TestProbeReportAttachments aims every demo user at every report
// attachment under every job (its own job and all the others), and at ids
// that exist nowhere, through the API and the portal: an attachment is
// served only under its own job, to a user who may see that job;
// everything else is the 403 of the role or the 404 of a missing object,
// read the same way.
func TestProbeReportAttachments(t *testing.T) {
	t.Parallel()
	eachDBUnbudgeted(t, func(t *testing.T, h *harness) {
		loadSpec(t)
		w := loadProbeWorld(t, h)
		o := newOracle(t, w)
		tokens := h.loginAll()
		cookies := map[string]string{}
		for _, u := range probeUsers {
			b := h.browser()
			b.login(u.name)
			cookies[u.name] = b.jar["cordon_access"]
		}
		if len(w.attachments) == 0 {
			t.Fatal("the demo world has no report attachments to probe")
		}
		aids := append(sortedIDs(w.attachments), w.maxID+1000)
		jobs := append(sortedIDs(w.jobs), w.maxID+1000)
		type cell struct {
			u        probeUser
			page     bool
			job, aid int64
			p        *probeRequest
		}
		var cells []cell
		var api, pages []*probeRequest
		for _, u := range probeUsers {
			for _, j := range jobs {
				for _, a := range aids {
					p := &probeRequest{method: "GET", path: fmt.Sprintf("/api/v1/jobs/%d/reports/attachments/%d", j, a), token: tokens[u.name]}
					q := &probeRequest{method: "GET", path: fmt.Sprintf("/jobs/%d/reports/attachments/%d", j, a), token: cookies[u.name]}
					cells = append(cells, cell{u, false, j, a, p}, cell{u, true, j, a, q})
					api, pages = append(api, p), append(pages, q)
				}
			}
		}
		h.send(api)
		h.sendPages(pages)
		// What a job that exists nowhere reads like, per user and surface.
		body := func(c cell) string {
			if c.page {
				return hexRun.ReplaceAllString(string(c.p.res.Body), "")
			}
			return problemDetail(c.p.res)
		}
		missing := map[string]string{}
		for _, c := range cells {
			if c.job == w.maxID+1000 && c.p.res != nil && c.p.res.Status == 404 {
				missing[fmt.Sprint(c.u.name, c.page)] = body(c)
			}
		}
		leaks, served := 0, 0
		for _, c := range cells {
			if c.p.err != nil {
				t.Errorf("%s GET %s: %v", c.u.name, c.p.path, c.p.err)
				continue
			}
			want := 404
			switch {
			case !o.may(c.u, [2]string{cordon.ResJob, cordon.ActView}):
				want = 403
			case w.attachments[c.aid] == c.job && o.recordsVisible(c.u, w.jobs[c.job]):
				want = 200
			}
			if got := c.p.res.Status; got != want {
				if got == 200 {
					leaks++
					t.Errorf("LEAK: %s GET %s: 200, the oracle says %d", c.u.name, c.p.path, want)
				} else {
					t.Errorf("%s GET %s: %d, want %d: %.200s", c.u.name, c.p.path, got, want, c.p.res.Body)
				}
				continue
			}
			switch want {
			case 200:
				served++
				if c.p.res.Header.Get("X-Content-Type-Options") != "nosniff" || !slices.Contains([]string{"image/png", "image/jpeg", "application/pdf"}, c.p.res.Header.Get("Content-Type")) {
					t.Errorf("%s GET %s: served as %q without nosniff", c.u.name, c.p.path, c.p.res.Header.Get("Content-Type"))
				}
			case 404:
				// To a partner, an attachment outside its scope reads like
				// a job that does not exist, or, under a job it sees, like
				// an attachment that does not exist.
				if d := missing[fmt.Sprint(c.u.name, c.page)]; c.u.partner() && !o.recordsVisible(c.u, w.jobs[c.job]) && body(c) != d {
					leaks++
					t.Errorf("LEAK: %s GET %s: its 404 differs from a missing job's: %.200q", c.u.name, c.p.path, body(c))
				}
			}
		}
		if served == 0 {
			t.Error("no attachment was served to anyone: the probe proves nothing")
		}
		t.Logf("%d attachment probes, %d served, %d leaks", len(cells), served, leaks)
	})
}
