package app_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// TestProbeCertificates aims every demo user at every trainee under every
// job (its own and all the others), and at ids that exist nowhere, through
// the API and the portal: a certificate is served only under its own job,
// to a user who may see that job and its trainees' names; a job of another
// kind the user sees is refused as such (400); everything else is the 403
// of the role or the 404 of a missing object, read the same way.
func TestProbeCertificates(t *testing.T) {
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
		// Every trainee's job, and whether it has a certificate.
		trainees, certified := map[int64]int64{}, map[int64]bool{}
		ts := store.NewTrainingStore(h.db)
		for id := range w.jobs {
			list, err := ts.FindTrainees(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range list {
				trainees[x.ID], certified[x.ID] = id, x.Certificate != nil
			}
		}
		if len(trainees) == 0 || len(trueKeys(certified)) == 0 {
			t.Fatal("the demo world has no certified trainee to probe")
		}
		tids := append(sortedIDs(trainees), w.maxID+1000)
		jobs := append(sortedIDs(w.jobs), w.maxID+1000)
		type cell struct {
			u        probeUser
			page     bool
			job, tid int64
			p        *probeRequest
		}
		var cells []cell
		var api, pages []*probeRequest
		for _, u := range probeUsers {
			for _, j := range jobs {
				for _, x := range tids {
					p := &probeRequest{method: "GET", path: fmt.Sprintf("/api/v1/jobs/%d/training/trainees/%d/certificate", j, x), token: tokens[u.name]}
					q := &probeRequest{method: "GET", path: fmt.Sprintf("/jobs/%d/training/trainees/%d/certificate.pdf", j, x), token: cookies[u.name]}
					cells = append(cells, cell{u, false, j, x, p}, cell{u, true, j, x, q})
					api, pages = append(api, p), append(pages, q)
				}
			}
		}
		h.send(api)
		h.sendPages(pages)
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
		served := 0
		for _, c := range cells {
			if c.p.err != nil {
				t.Errorf("%s GET %s: %v", c.u.name, c.p.path, c.p.err)
				continue
			}
			job := w.jobs[c.job]
			names := o.disclosable(c.u, job) && (!c.u.partner() || o.terms(c.u).disclosure.AtLeast(cordon.DiscloseSiteContact))
			want := 404
			switch {
			case !o.may(c.u, [2]string{cordon.ResTraining, cordon.ActDownload}):
				want = 403
			case o.recordsVisible(c.u, job) && !o.trainingJob(c.job):
				want = 400
			case trainees[c.tid] == c.job && certified[c.tid] && names:
				want = 200
			}
			if got := c.p.res.Status; got != want {
				if got == 200 {
					t.Errorf("LEAK: %s GET %s: 200, the oracle says %d", c.u.name, c.p.path, want)
				} else {
					t.Errorf("%s GET %s: %d, want %d: %.200s", c.u.name, c.p.path, got, want, c.p.res.Body)
				}
				continue
			}
			switch want {
			case 200:
				served++
				if c.p.res.Header.Get("Content-Type") != "application/pdf" {
					t.Errorf("%s GET %s: served as %q", c.u.name, c.p.path, c.p.res.Header.Get("Content-Type"))
				}
			case 404:
				// To a partner, a certificate of a job outside its scope
				// reads like one of a job that does not exist.
				if d, ok := missing[fmt.Sprint(c.u.name, c.page)]; ok && c.u.partner() && !o.recordsVisible(c.u, job) && body(c) != d {
					t.Errorf("LEAK: %s GET %s: 404 %q differs from a missing job's %q", c.u.name, c.p.path, body(c), d)
				}
			}
		}
		if served == 0 {
			t.Error("no certificate was served to anyone: the probe proves nothing")
		}
		t.Logf("%d certificate probes, %d served", len(cells), served)
	})
}
