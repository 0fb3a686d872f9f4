package app_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// pageIDRoute is a portal page with an id, the guard it should have, the
// statuses that count as "served" and who may see which object.
type pageIDRoute struct {
	path    string // with %d for the id
	guard   [][2]string
	served  []int // statuses of an object the caller may reach
	visible func(o *oracle, u probeUser, id int64) bool
	kind    func(w *probeWorld) map[int64]bool // the ids of the page's kind
}

func pageIDRoutes() []pageIDRoute {
	job := func(o *oracle, u probeUser, id int64) bool { return o.jobVisible(u, o.w.jobs[id]) }
	doc := func(o *oracle, u probeUser, id int64) bool { return o.documentVisible(u, o.w.docs[id]) }
	contract := func(o *oracle, u probeUser, id int64) bool { return o.w.contracts[id] != nil }
	jobs := func(w *probeWorld) map[int64]bool { return keys(w.jobs) }
	docs := func(w *probeWorld) map[int64]bool { return keys(w.docs) }
	contracts := func(w *probeWorld) map[int64]bool { return keys(w.contracts) }
	orgs := func(w *probeWorld) map[int64]bool { return keys(w.orgs) }
	out := []pageIDRoute{
		{"/jobs/%d", [][2]string{{cordon.ResJob, cordon.ActView}}, []int{200}, job, jobs},
		{"/documents/%d/download", [][2]string{{cordon.ResDocument, cordon.ActDownload}}, []int{200}, doc, docs},
		{"/contracts/%d", [][2]string{{cordon.ResContract, cordon.ActView}}, []int{200}, contract, contracts},
		{"/scorecards/%d/report?period=2026-Q4&format=csv", [][2]string{{cordon.ResScorecard, cordon.ActView}}, []int{200},
			func(o *oracle, u probeUser, id int64) bool { return o.partnerVisible(u, id) }, orgs},
		{"/customers/%d", [][2]string{{cordon.ResCustomer, cordon.ActView}}, []int{200},
			func(o *oracle, u probeUser, id int64) bool { return !u.partner() && o.w.customers[id] != nil },
			func(w *probeWorld) map[int64]bool { return keys(w.customers) }},
		{"/jobs/%d/signoff/image", [][2]string{{cordon.ResJob, cordon.ActView}}, []int{200},
			func(o *oracle, u probeUser, id int64) bool { return o.w.drawn[id] && o.recordsVisible(u, o.w.jobs[id]) },
			func(w *probeWorld) map[int64]bool { return trueKeys(w.drawn) }},
		{"/jobs/%d/service-report.pdf", [][2]string{{cordon.ResJob, cordon.ActView}}, []int{200},
			func(o *oracle, u probeUser, id int64) bool {
				return o.w.reported[id] && o.recordsVisible(u, o.w.jobs[id])
			},
			func(w *probeWorld) map[int64]bool { return trueKeys(w.reported) }},
		{"/units/%d", [][2]string{{cordon.ResUnit, cordon.ActView}}, []int{200},
			func(o *oracle, u probeUser, id int64) bool { return !u.partner() && o.w.units[id] != nil },
			func(w *probeWorld) map[int64]bool { return keys(w.units) }},
	}
	// Checklist templates: the institute's (probe_checklist_test.go).
	tmpl := func(o *oracle, u probeUser, id int64) bool { return !u.partner() && o.w.templates[id] != nil }
	templates := func(w *probeWorld) map[int64]bool { return keys(w.templates) }
	out = append(out,
		pageIDRoute{"/checklists/%d", [][2]string{{cordon.ResChecklist, cordon.ActView}}, []int{200}, tmpl, templates},
		pageIDRoute{"/checklists/%d/edit", [][2]string{{cordon.ResChecklist, cordon.ActUpdate}}, []int{200}, tmpl, templates},
		pageIDRoute{"/checklists/%d/export", [][2]string{{cordon.ResChecklist, cordon.ActView}}, []int{200}, tmpl, templates})
	for _, action := range []string{cordon.ActActivate, cordon.ActSuspend, cordon.ActTerminate} {
		// The confirmation page of a step the contract's status does not
		// allow sends the browser back to the contract (303).
		out = append(out, pageIDRoute{"/contracts/%d/" + action, [][2]string{{cordon.ResContract, action}}, []int{200, 303}, contract, contracts})
	}
	return out
}

// notInPageMatrix are GET pages with a parameter that TestProbePages does
// not probe, each with the reason.
var notInPageMatrix = map[string]string{
	"/survey/:token":                                   "public by design: a signed one-time link, attacked in the evaluation tests",
	"/quality/campaigns/:id":                           "campaigns are not in the demo world; institute-only (quality_supervisor)",
	"/static/*":                                        "static assets",
	"/jobs/:id/reports/attachments/:aid":               "two ids: TestProbeReportAttachments aims every job at every attachment, pages and API",
	"/jobs/:id/messages/:mid/attachments/:aid":         "three ids; the API route's service (thread.Service.DownloadAttachment), probed triple by triple in TestProbeMatrixThreads; TestThreadPage checks another partner's 404 on the page",
	"/jobs/:id/checklist/photos/:item":                 "the demo world has no photo answers; the page serves the API's ChecklistPhoto, which TestChecklistPhotoProbe probes",
	"/jobs/:id/training/trainees/:tid/certificate.pdf": "two ids: TestProbeCertificates (probe_training_test.go) aims every job at every trainee, pages and API",
}

// apiListProbe is an API list outside the main matrix: its guard, and for
// a partner's 200 the keys whose values must be jobs it may see.
type apiListProbe struct {
	path  string
	guard [][2]string
}

func moreAPILists() []apiListProbe {
	return []apiListProbe{
		{"/access-events?limit=200", [][2]string{{cordon.ResAccessEvent, cordon.ActList}}},
		{"/access-events/disclosures?customer=1", [][2]string{{cordon.ResAccessEvent, cordon.ActList}}},
		{"/access-events/denials", [][2]string{{cordon.ResAccessEvent, cordon.ActList}}},
		{"/audit/checkpoints", [][2]string{{cordon.ResAudit, cordon.ActList}}},
		{"/audit/public-key", [][2]string{{cordon.ResAudit, cordon.ActView}}},
		{"/scorecards?period=2026-Q4", [][2]string{{cordon.ResScorecard, cordon.ActList}}},
		{"/evaluation-report?period=2026-Q4", [][2]string{{cordon.ResScorecard, cordon.ActList}}},
		{"/sla/jobs", [][2]string{{cordon.ResSLA, cordon.ActList}}},
		{"/quality/root-causes", [][2]string{{cordon.ResQuality, cordon.ActView}}},
		{"/quality/campaigns", [][2]string{{cordon.ResCampaign, cordon.ActList}}},
		{"/notifications", [][2]string{{cordon.ResMe, cordon.ActView}}},
	}
}

// hexRun matches request ids and other long hex runs in a page.
var hexRun = regexp.MustCompile(`[0-9a-f]{16,}`)

// sendPages runs GET requests for pages with a session cookie on a few
// workers.
func (h *harness) sendPages(reqs []*probeRequest) {
	work := make(chan *probeRequest)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				req := httptest.NewRequest("GET", p.path, nil)
				req.Header.Set("Cookie", "cordon_access="+p.token)
				req.Header.Set("Accept", "text/html")
				res, err := h.app.Server.App().Test(req, -1)
				if err != nil {
					p.err = err
					continue
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				p.res = &response{Status: res.StatusCode, Header: res.Header, Body: body}
			}
		}()
	}
	for _, p := range reqs {
		work <- p
	}
	close(work)
	wg.Wait()
}

// TestProbePages carries the matrix to the portal and to the API lists the
// main matrix leaves out. Pages: every page with an id × the 12 demo users,
// each with a real cookie session (logged in through the form) × every
// object of the page's kind (a third of them for institute users) and ids
// that exist nowhere: 403 when the role rule forbids
// the page, else the page or 404 from the contract, and a partner's 404
// page reads exactly like a missing id's. The job and document list pages:
// every link is to an object the user may see. API lists (access log,
// audit, SLA, scorecards, campaigns, quality, notifications) × every user:
// 403 when the role rule forbids, else 200; a partner's answer names no
// other partner's contract, and every job id in it is one it may see.
func TestProbePages(t *testing.T) {
	t.Parallel()
	var total atomic.Int64
	eachDB(t, func(t *testing.T, h *harness) {
		loadSpec(t)
		w := loadProbeWorld(t, h)
		o := newOracle(t, w)
		start := time.Now()
		// A cookie session per user, through the login form. Its access
		// token is a bearer token too: the API lists use it.
		cookies := map[string]string{}
		for _, u := range probeUsers {
			b := h.browser()
			b.login(u.name)
			cookies[u.name] = b.jar["cordon_access"]
		}
		h.checkPageCoverage(t)
		n := h.probePageIDs(t, o, cookies)
		n += h.probePageLists(t, o, cookies)
		n += h.probeMoreAPILists(t, o, cookies)
		total.Add(int64(n))
		t.Logf("%d page and list probes in %v", n, time.Since(start).Round(time.Millisecond))
	})
	t.Logf("pages and lists: %d probes in all", total.Load())
}

// checkPageCoverage: every GET page with a parameter is probed or, with a
// reason, left out.
func (h *harness) checkPageCoverage(t *testing.T) {
	in := map[string]bool{}
	for _, r := range pageIDRoutes() {
		in[strings.ReplaceAll(strings.SplitN(r.path, "?", 2)[0], "%d", ":id")] = true
	}
	for _, r := range h.routes() {
		if r.method != "GET" || strings.HasPrefix(r.path, "/api/") || !strings.ContainsAny(r.path, ":*") {
			continue
		}
		if !in[r.path] && notInPageMatrix[r.path] == "" {
			t.Errorf("GET %s is a page with a parameter but is not in pageIDRoutes nor in notInPageMatrix", r.path)
		}
	}
}

func (h *harness) probePageIDs(t *testing.T, o *oracle, cookies map[string]string) int {
	type cell struct {
		u     probeUser
		r     pageIDRoute
		id    int64
		probe *probeRequest
	}
	var cells []cell
	var reqs []*probeRequest
	for _, r := range pageIDRoutes() {
		for _, u := range probeUsers {
			for _, id := range o.w.probeIDs() {
				if id <= o.w.maxID && !r.kind(o.w)[id] {
					// Every object of the page's kind and ids that exist
					// nowhere; the API matrix tries every id on every
					// route, the pages draw on the same finders.
					continue
				}
				if id <= o.w.maxID && !u.partner() && id%3 != 0 {
					// The institute sees every object: a third of them
					// shows its pages work (a job page costs 50 ms
					// under -race).
					continue
				}
				p := &probeRequest{method: "GET", path: fmt.Sprintf(r.path, id), token: cookies[u.name]}
				cells = append(cells, cell{u, r, id, p})
				reqs = append(reqs, p)
			}
		}
	}
	h.sendPages(reqs)
	missing := map[string]string{}
	for _, c := range cells {
		if c.id == o.w.maxID+1000 && c.probe.res != nil && c.probe.res.Status == 404 {
			missing[c.r.path+" "+c.u.name] = hexRun.ReplaceAllString(string(c.probe.res.Body), "")
		}
	}
	for _, c := range cells {
		p := c.probe
		if p.err != nil {
			t.Errorf("%s GET %s: %v", c.u.name, p.path, p.err)
			continue
		}
		want := []int{404}
		switch {
		case !o.may(c.u, c.r.guard...):
			want = []int{403}
		case c.r.visible(o, c.u, c.id):
			want = c.r.served
		}
		got := p.res.Status
		if !slices.Contains(want, got) {
			if slices.Contains(c.r.served, got) {
				t.Errorf("LEAK: %s GET %s (page): got %d, the oracle says %v", c.u.name, p.path, got, want)
			} else {
				t.Errorf("%s GET %s (page): got %d, want %v: %.200s", c.u.name, p.path, got, want, p.res.Body)
			}
			continue
		}
		if got == 404 && c.u.partner() {
			if m, ok := missing[c.r.path+" "+c.u.name]; ok && hexRun.ReplaceAllString(string(p.res.Body), "") != m {
				t.Errorf("LEAK: %s GET %s (page): its 404 differs from a missing object's", c.u.name, p.path)
			}
		}
	}
	return len(cells)
}

// linkRE finds the objects a list page links to.
var linkRE = regexp.MustCompile(`href="/(jobs|documents)/([0-9]+)`)

func (h *harness) probePageLists(t *testing.T, o *oracle, cookies map[string]string) int {
	var reqs []*probeRequest
	for _, path := range []string{"/jobs", "/documents", "/jobs?status=offered", "/documents?q=a", "/trainees", "/trainees?certified=true", "/trainees.csv"} {
		for _, u := range probeUsers {
			reqs = append(reqs, &probeRequest{method: "GET", path: path, token: cookies[u.name]})
		}
	}
	h.sendPages(reqs)
	for i, p := range reqs {
		u := probeUsers[i%len(probeUsers)]
		if p.err != nil {
			t.Errorf("%s GET %s: %v", u.name, p.path, p.err)
			continue
		}
		kind := strings.TrimPrefix(strings.SplitN(p.path, "?", 2)[0], "/")
		guard := [2]string{cordon.ResJob, cordon.ActList}
		switch kind {
		case "documents":
			guard = [2]string{cordon.ResDocument, cordon.ActList}
		case "trainees", "trainees.csv":
			guard = [2]string{cordon.ResTraining, cordon.ActList} // the institute's list; partners' roles have no right
		}
		if !o.may(u, guard) {
			if p.res.Status != 403 {
				t.Errorf("%s GET %s (page): got %d, want 403", u.name, p.path, p.res.Status)
			}
			continue
		}
		if p.res.Status != 200 {
			t.Errorf("%s GET %s (page): got %d, want 200: %.200s", u.name, p.path, p.res.Status, p.res.Body)
			continue
		}
		for _, m := range linkRE.FindAllStringSubmatch(string(p.res.Body), -1) {
			var id int64
			fmt.Sscan(m[2], &id)
			ok := m[1] == "jobs" && o.jobVisible(u, o.w.jobs[id]) || m[1] == "documents" && o.documentVisible(u, o.w.docs[id])
			if !ok {
				t.Errorf("LEAK: %s GET %s (page) links to /%s/%d, outside its scope", u.name, p.path, m[1], id)
			}
		}
	}
	return len(reqs)
}

func (h *harness) probeMoreAPILists(t *testing.T, o *oracle, tokens map[string]string) int {
	type cell struct {
		u     probeUser
		l     apiListProbe
		probe *probeRequest
	}
	var cells []cell
	var reqs []*probeRequest
	for _, l := range moreAPILists() {
		for _, u := range probeUsers {
			p := &probeRequest{method: "GET", path: "/api/v1" + l.path, token: tokens[u.name]}
			cells = append(cells, cell{u, l, p})
			reqs = append(reqs, p)
		}
	}
	h.send(reqs)
	for _, c := range cells {
		p := c.probe
		if p.err != nil {
			t.Errorf("%s GET %s: %v", c.u.name, p.path, p.err)
			continue
		}
		want := 200
		if !o.may(c.u, c.l.guard...) {
			want = 403
		}
		if p.res.Status != want {
			t.Errorf("%s GET %s: got %d, want %d: %.200s", c.u.name, p.path, p.res.Status, want, p.res.Body)
			continue
		}
		if want != 200 || !c.u.partner() {
			continue
		}
		body := string(p.res.Body)
		for code, terms := range demoTerms {
			if code != c.u.org && strings.Contains(body, terms.number) {
				t.Errorf("LEAK: %s GET %s names %s's contract %s", c.u.name, p.path, code, terms.number)
			}
		}
		var v any
		if json.Unmarshal(p.res.Body, &v) == nil {
			for _, id := range jobIDsIn(v, "") {
				if !o.jobVisible(c.u, o.w.jobs[id]) {
					t.Errorf("LEAK: %s GET %s names job %d, outside its scope", c.u.name, p.path, id)
				}
			}
		}
	}
	return len(cells)
}

// jobIDsIn returns every number under a "job_id" key, and under "id" in
// items of a list whose items carry a job's "status" and "priority".
func jobIDsIn(v any, key string) []int64 {
	var out []int64
	switch x := v.(type) {
	case map[string]any:
		_, st := x["status"]
		_, pr := x["priority"]
		ks := make([]string, 0, len(x))
		for k := range x {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			if n, ok := x[k].(float64); ok && (k == "job_id" || k == "id" && st && pr && key == "items") {
				out = append(out, int64(n))
				continue
			}
			out = append(out, jobIDsIn(x[k], k)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, jobIDsIn(e, key)...)
		}
	}
	return out
}

// trueKeys are the ids whose value is true.
func trueKeys(m map[int64]bool) map[int64]bool {
	out := map[int64]bool{}
	for id, v := range m {
		if v {
			out[id] = true
		}
	}
	return out
}
