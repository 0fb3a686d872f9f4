package app_test

// The generated cross-tenant probe matrix: every /api/v1 read route × every
// demo user × every object of the demo world (and ids that exist nowhere),
// each answer compared with an oracle built from the demo contracts and the
// static role rules — never from the application's own query code.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/authz"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/policies"
)

// demoUser is a login of the demo world: its role and organisation, as
// README.md describes them (hard-coded here on purpose: the oracle must not
// ask the application who is who).
type probeUser struct {
	name string
	role cordon.Role
	org  string // "institute" or the partner's code
}

var probeUsers = []probeUser{
	{"dispatcher", cordon.RoleDispatcher, "institute"},
	{"quality", cordon.RoleQualitySupervisor, "institute"},
	{"engineer", cordon.RoleEngineer, "institute"},
	{"contracts", cordon.RoleContractAdmin, "institute"},
	{"legal", cordon.RoleLegalAuditor, "institute"},
	{"admin", cordon.RoleAdmin, "institute"},
	{"hefei.admin", cordon.RolePartnerAdmin, "hefei"},
	{"hefei.tech", cordon.RolePartnerTechnician, "hefei"},
	{"wuhan.admin", cordon.RolePartnerAdmin, "wuhan"},
	{"wuhan.tech", cordon.RolePartnerTechnician, "wuhan"},
	{"xian.admin", cordon.RolePartnerAdmin, "xian"},
	{"xian.tech", cordon.RolePartnerTechnician, "xian"},
}

func (u probeUser) partner() bool { return u.org != "institute" }

// contractTerms are the demo contracts as their paper says (README.md, "The
// demo world"): the oracle's whole idea of scope.
type contractTerms struct {
	number     string
	inForce    bool // at the harness clock, 2 November 2026
	cities     []string
	lines      []string
	types      []cordon.Category // nil: every type
	ceiling    cordon.Classification
	disclosure cordon.DisclosureLevel
	grace      time.Duration
}

var demoTerms = map[string]contractTerms{
	"hefei": {number: "HF-2026-001", inForce: true, cities: []string{"Hefei", "Wuhu"}, lines: []string{"radar", "comms"},
		ceiling: cordon.ClassInternal, disclosure: cordon.DiscloseSiteContact, grace: 72 * time.Hour},
	"wuhan": {number: "WH-2026-001", inForce: true, cities: []string{"Wuhan"}, lines: []string{"comms"},
		types: []cordon.Category{cordon.CatRepair, cordon.CatMaintenance}, ceiling: cordon.ClassPublic,
		disclosure: cordon.DiscloseCity, grace: 24 * time.Hour},
	"xian": {number: "XA-2024-001", inForce: false}, // expired
}

func (c contractTerms) coversJob(r *cordon.ServiceRequest) bool {
	return c.inForce && slices.Contains(c.cities, r.SiteCity) && slices.Contains(c.lines, r.ProductLine) &&
		(c.types == nil || slices.Contains(c.types, r.Category))
}

func (c contractTerms) coversDocument(d *cordon.Document) bool {
	return c.inForce && slices.Contains(c.lines, d.ProductLine) && d.Classification.Valid() &&
		d.Classification.Rank() <= c.ceiling.Rank() && c.ceiling.Valid()
}

// probeWorld is the demo world's raw facts, read as the database owner
// (no actor, no scope): who holds which job, where, what, and so on.
type probeWorld struct {
	now       time.Time
	orgs      map[int64]*cordon.Org
	partnerID map[string]int64
	jobs      map[int64]*cordon.Job
	docs      map[int64]*cordon.Document
	requests  map[int64]*cordon.ServiceRequest
	contracts map[int64]*cordon.Contract
	// The installed base: institute-only records.
	customers map[int64]*cordon.Customer
	units     map[int64]*cordon.Unit
	models    map[int64]*cordon.Model
	// The work on record: each report attachment's job, and the jobs with
	// a drawn signature.
	attachments map[int64]int64
	drawn       map[int64]bool
	reported    map[int64]bool // jobs with a report
	// Checklists (probe_checklist_test.go): the jobs that have one, and
	// every template version.
	checklists map[int64]bool
	templates  map[int64]*cordon.ChecklistTemplate
	maxID      int64
}

func loadProbeWorld(t *testing.T, h *harness) *probeWorld {
	t.Helper()
	ctx := context.Background()
	w := &probeWorld{now: h.clock.Now(), orgs: map[int64]*cordon.Org{}, partnerID: map[string]int64{},
		jobs: map[int64]*cordon.Job{}, docs: map[int64]*cordon.Document{}, requests: map[int64]*cordon.ServiceRequest{},
		contracts: map[int64]*cordon.Contract{}, customers: map[int64]*cordon.Customer{}, units: map[int64]*cordon.Unit{},
		models: map[int64]*cordon.Model{}, attachments: map[int64]int64{}, drawn: map[int64]bool{}, reported: map[int64]bool{}}
	orgs, _, err := store.NewOrgStore(h.db).FindOrgs(ctx, cordon.OrgFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		w.orgs[o.ID] = o
		if o.Kind == cordon.OrgPartner {
			w.partnerID[o.Code] = o.ID
		}
	}
	jobs, _, err := store.NewJobStore(h.db).FindJobs(ctx, cordon.JobFilter{Scope: cordon.ListScope{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	reports := store.NewReportStore(h.db)
	for _, j := range jobs {
		w.jobs[j.ID] = j
		versions, err := reports.FindReports(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		w.reported[j.ID] = len(versions) > 0
		for _, v := range versions {
			for _, a := range v.Attachments {
				w.attachments[a.ID] = j.ID
			}
		}
		signoffs, err := reports.FindSignOffs(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		w.drawn[j.ID] = len(signoffs) > 0 && signoffs[0].Method == cordon.SignDrawn
	}
	docs, _, err := store.NewDocumentStore(h.db).FindDocuments(ctx, cordon.DocumentFilter{Scope: cordon.ListScope{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		w.docs[d.ID] = d
	}
	reqs, _, err := store.NewRequestStore(h.db).FindRequests(ctx, cordon.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reqs {
		w.requests[r.ID] = r
	}
	cs, _, err := store.NewContractStore(h.db).FindContracts(ctx, cordon.ContractFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		w.contracts[c.ID] = c
	}
	custs, err := store.NewCustomerStore(h.db).FindCustomers(ctx, cordon.CustomerFilter{Inactive: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range custs {
		w.customers[c.ID] = c
	}
	units, err := store.NewCatalogStore(h.db).FindUnits(ctx, cordon.UnitFilter{Retired: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		w.units[u.ID] = u
	}
	models, err := store.NewCatalogStore(h.db).FindModels(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range models {
		w.models[m.ID] = m
	}
	loadChecklists(t, h, w)
	// The paper and the database must describe the same world, or the
	// oracle would be judging another one.
	if len(w.partnerID) != 3 || len(w.jobs) < 30 || len(w.docs) < 16 || len(w.requests) < 25 || len(w.contracts) != 3 ||
		len(w.customers) < 10 || len(w.units) < 20 || len(w.models) < 5 {
		t.Fatalf("unexpected demo world: %d partners, %d jobs, %d documents, %d requests, %d contracts",
			len(w.partnerID), len(w.jobs), len(w.docs), len(w.requests), len(w.contracts))
	}
	for code, terms := range demoTerms {
		var found bool
		for _, c := range w.contracts {
			if c.Number == terms.number {
				found = true
				if c.PartnerID != w.partnerID[code] || c.InForce(w.now) != terms.inForce {
					t.Fatalf("contract %s: partner %d in force %v; the oracle says %s, %v", c.Number, c.PartnerID, c.InForce(w.now), code, terms.inForce)
				}
			}
		}
		if !found {
			t.Fatalf("contract %s is not in the demo world", terms.number)
		}
	}
	for _, m := range []map[int64]bool{keys(w.orgs), keys(w.jobs), keys(w.docs), keys(w.requests), keys(w.contracts),
		keys(w.customers), keys(w.units), keys(w.models)} {
		for id := range m {
			w.maxID = max(w.maxID, id)
		}
	}
	return w
}

func keys[V any](m map[int64]V) map[int64]bool {
	out := map[int64]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// oracle decides what each demo user may see, from demoTerms and the role
// rules in policies/roles.csv.
type oracle struct {
	w     *probeWorld
	roles *authz.RoleEnforcer
}

func newOracle(t *testing.T, w *probeWorld) *oracle {
	t.Helper()
	roles, err := authz.NewRoleEnforcer(policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	return &oracle{w: w, roles: roles}
}

// may reports whether the user's role passes a route guard that accepts
// any of pairs.
func (o *oracle) may(u probeUser, pairs ...[2]string) bool {
	for _, p := range pairs {
		if o.roles.Allow([]cordon.Role{u.role}, p[0], p[1]) {
			return true
		}
	}
	return false
}

func (o *oracle) terms(u probeUser) contractTerms { return demoTerms[u.org] }

// jobVisible: institute users see every job; a partner its own jobs that
// its contract in force covers.
func (o *oracle) jobVisible(u probeUser, j *cordon.Job) bool {
	if j == nil {
		return false
	}
	if !u.partner() {
		return true
	}
	return j.PartnerID != nil && *j.PartnerID == o.w.partnerID[u.org] && o.terms(u).coversJob(j.Request)
}

// disclosable: a partner sees the customer of a visible job it has
// accepted, from acceptance until resolution plus the contract's grace.
func (o *oracle) disclosable(u probeUser, j *cordon.Job) bool {
	if !o.jobVisible(u, j) {
		return false
	}
	if !u.partner() {
		return true
	}
	c := o.terms(u)
	if c.disclosure == cordon.DiscloseNone || c.disclosure == "" || j.AcceptedAt == nil || o.w.now.Before(*j.AcceptedAt) {
		return false
	}
	switch j.Status {
	case cordon.JobAccepted, cordon.JobEnRoute, cordon.JobOnSite, cordon.JobWaitingCustomer, cordon.JobWaitingParts, cordon.JobReopened:
		return true
	case cordon.JobResolved, cordon.JobVerified, cordon.JobClosed:
		return j.ResolvedAt != nil && o.w.now.Before(j.ResolvedAt.Add(c.grace))
	}
	return false
}

func (o *oracle) documentVisible(u probeUser, d *cordon.Document) bool {
	if d == nil {
		return false
	}
	return !u.partner() || o.terms(u).coversDocument(d)
}

// partnerVisible: institute users see every partner; a partner user only
// its own company, and only while its contract is in force (contract end
// takes effect at once, DESIGN.md §3).
func (o *oracle) partnerVisible(u probeUser, id int64) bool {
	org := o.w.orgs[id]
	if org == nil || org.Kind != cordon.OrgPartner {
		return false
	}
	return !u.partner() || (id == o.w.partnerID[u.org] && o.terms(u).inForce)
}

// candidates: the partners whose contract in force covers the request.
func (o *oracle) candidates(r *cordon.ServiceRequest) []string {
	var out []string
	for code, c := range demoTerms {
		if c.coversJob(r) {
			out = append(out, code)
		}
	}
	sort.Strings(out)
	return out
}

// idRoute is a GET route with an {id}, the guard it should have, and who
// may see which object through it.
type idRoute struct {
	path    string // with %d for the id
	guard   [][2]string
	visible func(o *oracle, u probeUser, id int64) bool
}

// institute is an installed-base record's visibility: it exists, and the
// user is the institute's.
func institute(exists func(w *probeWorld, id int64) bool) func(o *oracle, u probeUser, id int64) bool {
	return func(o *oracle, u probeUser, id int64) bool { return !u.partner() && exists(o.w, id) }
}

func unit(w *probeWorld, id int64) bool  { return w.units[id] != nil }
func model(w *probeWorld, id int64) bool { return w.models[id] != nil }

func idRoutes() []idRoute {
	job := func(o *oracle, u probeUser, id int64) bool { return o.jobVisible(u, o.w.jobs[id]) }
	records := func(o *oracle, u probeUser, id int64) bool { return o.recordsVisible(u, o.w.jobs[id]) }
	doc := func(o *oracle, u probeUser, id int64) bool { return o.documentVisible(u, o.w.docs[id]) }
	contract := func(o *oracle, u probeUser, id int64) bool { return o.w.contracts[id] != nil }
	request := func(o *oracle, u probeUser, id int64) bool { return o.w.requests[id] != nil }
	return []idRoute{
		{"/jobs/%d", [][2]string{{cordon.ResJob, cordon.ActView}}, job},
		{"/jobs/%d/events", [][2]string{{cordon.ResJob, cordon.ActView}}, job},
		{"/jobs/%d/sla", [][2]string{{cordon.ResJob, cordon.ActView}}, job},
		// The work on record: a partner's only while its job has not ended.
		{"/jobs/%d/reports", [][2]string{{cordon.ResJob, cordon.ActView}}, records},
		{"/jobs/%d/signoff", [][2]string{{cordon.ResJob, cordon.ActView}}, records},
		{"/jobs/%d/signoff/image", [][2]string{{cordon.ResJob, cordon.ActView}},
			func(o *oracle, u probeUser, id int64) bool { return o.w.drawn[id] && records(o, u, id) }},
		{"/jobs/%d/service-report.pdf", [][2]string{{cordon.ResJob, cordon.ActView}},
			func(o *oracle, u probeUser, id int64) bool { return o.w.reported[id] && records(o, u, id) }},
		{"/jobs/%d/messages", [][2]string{{cordon.ResMessage, cordon.ActList}}, records},
		{"/jobs/%d/customer", [][2]string{{cordon.ResCustomer, cordon.ActDisclose}, {cordon.ResCustomer, cordon.ActView}},
			func(o *oracle, u probeUser, id int64) bool { return o.disclosable(u, o.w.jobs[id]) }},
		{"/documents/%d", [][2]string{{cordon.ResDocument, cordon.ActView}}, doc},
		{"/documents/%d/download", [][2]string{{cordon.ResDocument, cordon.ActDownload}}, doc},
		{"/contracts/%d", [][2]string{{cordon.ResContract, cordon.ActView}}, contract},
		{"/contracts/%d/policy", [][2]string{{cordon.ResPolicy, cordon.ActView}}, contract},
		{"/partners/%d", [][2]string{{cordon.ResPartner, cordon.ActView}}, func(o *oracle, u probeUser, id int64) bool { return o.partnerVisible(u, id) }},
		{"/partners/%d/scorecard?period=2026-Q4", [][2]string{{cordon.ResScorecard, cordon.ActView}}, func(o *oracle, u probeUser, id int64) bool { return o.partnerVisible(u, id) }},
		{"/partners/%d/evaluation-report?period=2026-Q4&format=csv", [][2]string{{cordon.ResScorecard, cordon.ActView}}, func(o *oracle, u probeUser, id int64) bool { return o.partnerVisible(u, id) }},
		{"/requests/%d", [][2]string{{cordon.ResRequest, cordon.ActView}}, request},
		{"/partners/%d/webhook", [][2]string{{cordon.ResWebhook, cordon.ActView}}, func(o *oracle, u probeUser, id int64) bool { return o.partnerVisible(u, id) }},
		{"/requests/%d/candidates", [][2]string{{cordon.ResRequest, cordon.ActDispatch}}, request},
		// The installed base: the institute's roles with the right see
		// every record; partners none (their roles have no right at all).
		{"/customers/%d", [][2]string{{cordon.ResCustomer, cordon.ActView}}, institute(func(w *probeWorld, id int64) bool { return w.customers[id] != nil })},
		{"/units/%d", [][2]string{{cordon.ResUnit, cordon.ActView}}, institute(unit)},
		{"/units/%d/history", [][2]string{{cordon.ResUnit, cordon.ActView}}, institute(unit)},
		{"/units/%d/milestones", [][2]string{{cordon.ResUnit, cordon.ActView}}, institute(unit)},
		{"/units/%d/transfers", [][2]string{{cordon.ResUnit, cordon.ActView}}, institute(unit)},
		{"/models/%d", [][2]string{{cordon.ResProduct, cordon.ActView}}, institute(model)},
		{"/models/%d/components", [][2]string{{cordon.ResProduct, cordon.ActView}}, institute(model)},
		// Checklists: a job's through the job; templates the institute's.
		{"/jobs/%d/checklist", [][2]string{{cordon.ResJob, cordon.ActView}},
			func(o *oracle, u probeUser, id int64) bool {
				return o.w.checklists[id] && records(o, u, id)
			}},
		{"/checklist-templates/%d", [][2]string{{cordon.ResChecklist, cordon.ActView}}, institute(template)},
		{"/checklist-templates/%d/versions", [][2]string{{cordon.ResChecklist, cordon.ActView}}, institute(template)},
		{"/checklist-templates/%d/export", [][2]string{{cordon.ResChecklist, cordon.ActView}}, institute(template)},
		// Training records: a training job's, through the job.
		{"/jobs/%d/training", [][2]string{{cordon.ResTraining, cordon.ActView}},
			func(o *oracle, u probeUser, id int64) bool {
				return o.trainingJob(id) && o.recordsVisible(u, o.w.jobs[id])
			}},
	}
}

// answers400 are routes that refuse an object the caller sees but that is
// of the wrong kind (400): a job's training record when the job is no
// training job.
var answers400 = map[string]func(o *oracle, u probeUser, id int64) bool{
	"/jobs/%d/training": func(o *oracle, u probeUser, id int64) bool {
		return !o.trainingJob(id) && o.recordsVisible(u, o.w.jobs[id])
	},
}

// trainingJob reports whether the job exists and is a training job.
func (o *oracle) trainingJob(id int64) bool {
	j := o.w.jobs[id]
	return j != nil && o.w.requests[j.RequestID] != nil && o.w.requests[j.RequestID].Category == cordon.CatTraining
}

// probeIDs are every id of every kind in the demo world, and ids that
// exist nowhere.
// recordsVisible: the work on record on a job (reports, sign-off,
// checklist, thread) is the partner's only while the job has not ended.
func (o *oracle) recordsVisible(u probeUser, j *cordon.Job) bool {
	return o.jobVisible(u, j) && (!u.partner() || j.Status.PartnerRecordsOpen())
}

func (w *probeWorld) probeIDs() []int64 {
	var ids []int64
	for id := int64(1); id <= w.maxID+2; id++ {
		ids = append(ids, id)
	}
	return append(ids, w.maxID+1000, 1<<31, 1<<53, 999_999_999_999_999_999)
}

// probeRequest is one request of the matrix and what came back.
type probeRequest struct {
	method, path, token string
	body                []byte
	res                 *response
	err                 error
}

// send runs requests through the app on a few workers and checks each
// /api/v1 answer against contracts/openapi.yaml; it never calls t.Fatal
// off the test's goroutine.
func (h *harness) send(reqs []*probeRequest) {
	work := make(chan *probeRequest)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				p.res, p.err = h.sendOne(p.method, p.path, p.token, p.body)
			}
		}()
	}
	for _, p := range reqs {
		work <- p
	}
	close(work)
	wg.Wait()
}

func (h *harness) sendOne(method, path, token string, body []byte) (*response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := h.app.Server.App().Test(req, -1)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	r := &response{Status: res.StatusCode, Header: res.Header, Body: out}
	if strings.HasPrefix(path, "/api/v1/") {
		if err := specMismatch(method, path, body, r); err != nil {
			return r, err
		}
	}
	return r, nil
}

// loginAll logs every demo user in once; the matrix reuses the tokens.
func (h *harness) loginAll() map[string]string {
	h.t.Helper()
	out := map[string]string{}
	for _, u := range probeUsers {
		out[u.name], _ = h.login(u.name)
	}
	return out
}

// probeStats counts the probes of one run and what they found.
type probeStats struct {
	probes, leaks, wrong atomic.Int64
}

// TestProbeMatrix is the heart of the isolation attack: every read route
// with an id × every demo user × every object and missing ids, and every
// list × every user, compared with the oracle.
func TestProbeMatrix(t *testing.T) {
	t.Parallel()
	fields := newFieldRecorder(t)
	var total atomic.Int64
	eachDBUnbudgeted(t, func(t *testing.T, h *harness) {
		loadSpec(t)
		w := loadProbeWorld(t, h)
		o := newOracle(t, w)
		tokens := h.loginAll()
		h.checkMatrixCoverage(t)
		st := &probeStats{}
		start := time.Now()
		h.probeIDRoutes(t, o, tokens, st, fields)
		h.probeLists(t, o, tokens, st, fields)
		h.probeKeysetLists(t, o, tokens, st, fields)
		t.Logf("%d probes, %d leaks (a 200 the oracle forbids, or an item outside scope), %d other mismatches, in %v",
			st.probes.Load(), st.leaks.Load(), st.wrong.Load(), time.Since(start).Round(time.Millisecond))
		total.Add(st.probes.Load())
	})
	t.Logf("probe matrix: %d probes in all", total.Load())
	if n := total.Load(); n < 10_000 && !t.Failed() && !t.Skipped() && postgresConfigured() {
		t.Errorf("only %d probes; the matrix should make at least 10,000", n)
	}
}

// notInMatrix are GET routes with an id that the matrix does not probe
// yet, each with the reason. A new one that is in neither list fails
// TestProbeMatrix.
var notInMatrix = map[string]string{
	"/api/v1/jobs/:id/checklist/photos/:item":             "the demo world has no photo answers; TestChecklistPhotoProbe probes it",
	"/api/v1/quality/campaigns/:id":                       "campaigns are not in the demo world; institute-only (quality_supervisor)",
	"/api/v1/jobs/:id/reports/attachments/:aid":           "two ids: TestProbeReportAttachments aims every job at every attachment",
	"/api/v1/jobs/:id/messages/:mid/attachments/:aid":     "three ids: TestProbeThreads (probe_thread_test.go) probes every job × message × attachment triple",
	"/api/v1/jobs/:id/training/trainees/:tid/certificate": "two ids: TestProbeCertificates (probe_training_test.go) aims every job at every trainee, pages and API",
}

// checkMatrixCoverage: every registered GET /api/v1 route with an id is in
// the matrix or, with a reason, in notInMatrix.
func (h *harness) checkMatrixCoverage(t *testing.T) {
	in := map[string]bool{}
	for _, r := range idRoutes() {
		in["/api/v1"+strings.ReplaceAll(strings.SplitN(r.path, "?", 2)[0], "%d", ":id")] = true
	}
	for _, r := range h.routes() {
		if r.method == "GET" && strings.HasPrefix(r.path, "/api/v1/") && strings.Contains(r.path, ":") && !in[r.path] && notInMatrix[r.path] == "" {
			t.Errorf("GET %s takes an id but is not in the probe matrix (idRoutes) nor in notInMatrix", r.path)
		}
	}
}

func (h *harness) probeIDRoutes(t *testing.T, o *oracle, tokens map[string]string, st *probeStats, fields *fieldRecorder) {
	type cell struct {
		u     probeUser
		r     idRoute
		id    int64
		probe *probeRequest
	}
	var cells []cell
	var reqs []*probeRequest
	ids := o.w.probeIDs()
	for _, r := range idRoutes() {
		for _, u := range probeUsers {
			for _, id := range ids {
				p := &probeRequest{method: "GET", path: "/api/v1" + fmt.Sprintf(r.path, id), token: tokens[u.name]}
				cells = append(cells, cell{u, r, id, p})
				reqs = append(reqs, p)
			}
		}
	}
	h.send(reqs)
	// The answer for an id that exists nowhere, per route and user: an
	// object outside scope must look exactly like it.
	missing := map[string]string{}
	for _, c := range cells {
		if c.id == o.w.maxID+1000 && c.probe.res != nil && c.probe.res.Status == 404 {
			missing[c.r.path+" "+c.u.name] = problemDetail(c.probe.res)
		}
	}
	for _, c := range cells {
		st.probes.Add(1)
		p := c.probe
		if p.err != nil {
			st.wrong.Add(1)
			t.Errorf("%s GET %s: %v", c.u.name, p.path, p.err)
			continue
		}
		want := 404
		switch {
		case !o.may(c.u, c.r.guard...):
			want = 403
		case c.r.visible(o, c.u, c.id):
			want = 200
		case answers400[c.r.path] != nil && answers400[c.r.path](o, c.u, c.id):
			want = 400
		}
		if p.res.Status != want {
			if p.res.Status == 200 {
				st.leaks.Add(1)
				t.Errorf("LEAK: %s GET %s: got 200, the oracle says %d: %.300s", c.u.name, p.path, want, p.res.Body)
			} else {
				st.wrong.Add(1)
				t.Errorf("%s GET %s: got %d, want %d: %.300s", c.u.name, p.path, p.res.Status, want, p.res.Body)
			}
			continue
		}
		switch want {
		case 404:
			// To a partner, an object outside its scope must read exactly
			// like one that does not exist. (A job it can see but whose
			// customer it may not see yet says "Customer not found.":
			// the job itself is no secret to it.)
			// So does a job it sees without a checklist or a drawn signature
			// yet.
			hidden := !(c.r.path == "/jobs/%d/customer" && o.jobVisible(c.u, o.w.jobs[c.id]) ||
				(c.r.path == "/jobs/%d/checklist" || c.r.path == "/jobs/%d/signoff/image" || c.r.path == "/jobs/%d/service-report.pdf") &&
					o.recordsVisible(c.u, o.w.jobs[c.id]))
			if d, ok := missing[c.r.path+" "+c.u.name]; ok && c.u.partner() && hidden && problemDetail(p.res) != d {
				st.leaks.Add(1)
				t.Errorf("LEAK: %s GET %s: 404 %q differs from a missing object's %q", c.u.name, p.path, problemDetail(p.res), d)
			}
		case 200:
			if c.r.path != "/documents/%d/download" && c.r.path != "/jobs/%d/signoff/image" && c.r.path != "/jobs/%d/service-report.pdf" && c.r.path != "/checklist-templates/%d/export" && !strings.HasPrefix(c.r.path, "/partners/%d/evaluation-report") {
				fields.record(t, "GET "+strings.ReplaceAll(strings.SplitN(c.r.path, "?", 2)[0], "%d", "{id}"), fieldClass(c.u), p.res.Body)
			}
			if err := h.checkObject(o, c.u, c.r.path, c.id, p.res); err != nil {
				st.leaks.Add(1)
				t.Errorf("LEAK: %s GET %s: %v", c.u.name, p.path, err)
			}
		}
	}
}

// checkObject looks inside an allowed answer: the right object, the
// customer as a pseudonym for partners, the partner's own contract named.
func (h *harness) checkObject(o *oracle, u probeUser, route string, id int64, r *response) error {
	if route == "/jobs/%d/service-report.pdf" {
		if ct := r.Header.Get("Content-Type"); ct != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
			return fmt.Errorf("a service report of type %q", ct)
		}
		return nil
	}
	if route == "/jobs/%d/signoff/image" {
		if ct := r.Header.Get("Content-Type"); ct != "image/png" || !bytes.HasPrefix(r.Body, []byte("\x89PNG")) {
			return fmt.Errorf("a signature of type %q", ct)
		}
		return nil
	}
	if route == "/jobs/%d/reports" {
		var m struct {
			Items []struct {
				JobID int64 `json:"job_id"`
			}
		}
		if err := json.Unmarshal(r.Body, &m); err != nil {
			return err
		}
		for _, it := range m.Items {
			if it.JobID != id {
				return fmt.Errorf("asked for job %d's reports, got one of job %d", id, it.JobID)
			}
		}
		return nil
	}
	if route == "/documents/%d/download" {
		d := o.w.docs[id]
		if ct := r.Header.Get("Content-Type"); ct != d.MediaType {
			return fmt.Errorf("content type %q, want %q", ct, d.MediaType)
		}
		if r.Header.Get("X-Download-ID") == "" || len(r.Body) == 0 {
			return fmt.Errorf("a download without its id or content")
		}
		return nil
	}
	if strings.HasPrefix(route, "/partners/%d/evaluation-report") {
		// The report's second row is the partner's code.
		rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
		if err != nil || len(rows) < 2 || len(rows[1]) != 7 || o.w.partnerID[rows[1][6]] != id {
			return fmt.Errorf("asked for partner %d's report, got %.200q (%v)", id, r.Body, err)
		}
		return nil
	}
	if err, ok := checkChecklistObject(o, route, id, r); ok {
		return err
	}
	if strings.HasPrefix(route, "/units/%d/") || route == "/models/%d/components" {
		var items []map[string]any
		if err := json.Unmarshal(r.Body, &items); err != nil {
			return fmt.Errorf("not a JSON array: %v", err)
		}
		for _, it := range items {
			if v, ok := it["model_id"].(float64); ok && int64(v) != id {
				return fmt.Errorf("asked for model %d's components, got one of model %v", id, v)
			}
		}
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		return fmt.Errorf("not a JSON object: %v", err)
	}
	num := func(k string) int64 { f, _ := m[k].(float64); return int64(f) }
	switch route {
	case "/jobs/%d", "/documents/%d", "/contracts/%d", "/partners/%d", "/requests/%d", "/customers/%d", "/units/%d", "/models/%d":
		if num("id") != id {
			return fmt.Errorf("asked for %d, got object %v", id, m["id"])
		}
	case "/jobs/%d/messages":
		items, ok := m["items"].([]any)
		if !ok {
			return fmt.Errorf("no items: %.200v", m)
		}
		for _, it := range items {
			if j, _ := it.(map[string]any)["job_id"].(float64); int64(j) != id {
				return fmt.Errorf("asked for job %d's thread, got a message of job %v", id, j)
			}
		}
	case "/partners/%d/webhook":
		if num("partner_id") != id || m["secret"] != nil {
			return fmt.Errorf("asked for partner %d's endpoint, got %v (a secret: %v)", id, m["partner_id"], m["secret"] != nil)
		}
	case "/contracts/%d/policy":
		if num("contract_id") != id {
			return fmt.Errorf("asked for contract %d, got %v", id, m["contract_id"])
		}
	case "/requests/%d/candidates":
		var got []string
		items, _ := m["items"].([]any)
		for i, it := range items {
			c := it.(map[string]any)
			if c["in_house"] == true {
				if i != len(items)-1 {
					return fmt.Errorf("the in-house engineers are not last: %v", items)
				}
				continue
			}
			got = append(got, fmt.Sprint(c["partner_code"]))
		}
		sort.Strings(got)
		if want := o.candidates(o.w.requests[id]); !slices.Equal(got, want) {
			return fmt.Errorf("candidates %v, the contracts allow %v", got, want)
		}
	}
	if !u.partner() {
		return nil
	}
	terms := o.terms(u)
	switch route {
	case "/jobs/%d":
		if c, _ := m["customer"].(string); !strings.HasPrefix(c, "CUST-") || len(c) != 9 {
			return fmt.Errorf("customer %q is not a pseudonym", c)
		}
		if m["contract_no"] != terms.number || m["clause"] == "" {
			return fmt.Errorf("contract %v clause %v, want %s and a clause", m["contract_no"], m["clause"], terms.number)
		}
	case "/jobs/%d/customer":
		allowed := map[cordon.DisclosureLevel][]string{
			cordon.DiscloseCity:        {"city"},
			cordon.DiscloseSite:        {"city", "site_address"},
			cordon.DiscloseSiteContact: {"city", "site_address", "contact_person", "phone"},
		}[terms.disclosure]
		for _, k := range []string{"name", "unit_designation", "site_address", "contact_person", "phone", "city"} {
			if _, ok := m[k]; ok && !slices.Contains(allowed, k) {
				return fmt.Errorf("discloses %s beyond the contract's %s", k, terms.disclosure)
			}
		}
		if m["level"] != string(terms.disclosure) || m["contract_no"] != terms.number {
			return fmt.Errorf("level %v under %v, want %s under %s", m["level"], m["contract_no"], terms.disclosure, terms.number)
		}
	case "/documents/%d":
		d := o.w.docs[id]
		if m["classification"] != string(d.Classification) || m["product_line"] != d.ProductLine {
			return fmt.Errorf("document %d answered as %v %v", id, m["product_line"], m["classification"])
		}
	}
	return nil
}

func problemDetail(r *response) string {
	var p struct {
		Title, Detail, Code string
	}
	json.Unmarshal(r.Body, &p)
	return p.Title + "|" + p.Detail + "|" + p.Code
}

// listRoute is a list, its guard, and the ids the oracle lets a user see.
type listRoute struct {
	path    string
	guard   [2]string
	visible func(o *oracle, u probeUser) map[int64]bool
}

func listRoutes() []listRoute {
	return []listRoute{
		{"/jobs", [2]string{cordon.ResJob, cordon.ActList}, func(o *oracle, u probeUser) map[int64]bool {
			out := map[int64]bool{}
			for id, j := range o.w.jobs {
				if o.jobVisible(u, j) {
					out[id] = true
				}
			}
			return out
		}},
		{"/documents", [2]string{cordon.ResDocument, cordon.ActList}, func(o *oracle, u probeUser) map[int64]bool {
			out := map[int64]bool{}
			for id, d := range o.w.docs {
				if o.documentVisible(u, d) {
					out[id] = true
				}
			}
			return out
		}},
		{"/contracts", [2]string{cordon.ResContract, cordon.ActList}, func(o *oracle, u probeUser) map[int64]bool { return keys(o.w.contracts) }},
		{"/partners", [2]string{cordon.ResPartner, cordon.ActList}, func(o *oracle, u probeUser) map[int64]bool {
			out := map[int64]bool{}
			for id := range o.w.orgs {
				if o.partnerVisible(u, id) {
					out[id] = true
				}
			}
			return out
		}},
		{"/requests", [2]string{cordon.ResRequest, cordon.ActList}, func(o *oracle, u probeUser) map[int64]bool { return keys(o.w.requests) }},
	}
}

// probeLists reads every list as every user: whole (limit=200), page by
// page (limit=7), and for jobs filtered by each status; the ids and the
// total must be exactly the oracle's.
func (h *harness) probeLists(t *testing.T, o *oracle, tokens map[string]string, st *probeStats, fields *fieldRecorder) {
	type cell struct {
		u      probeUser
		r      listRoute
		want   map[int64]bool
		offset int
		paged  bool
		probe  *probeRequest
	}
	var cells []cell
	var reqs []*probeRequest
	add := func(u probeUser, r listRoute, want map[int64]bool, query string, offset int, paged bool) {
		p := &probeRequest{method: "GET", path: "/api/v1" + r.path + "?" + query, token: tokens[u.name]}
		cells = append(cells, cell{u, r, want, offset, paged, p})
		reqs = append(reqs, p)
	}
	for _, r := range listRoutes() {
		for _, u := range probeUsers {
			want := r.visible(o, u)
			add(u, r, want, "limit=200", 0, false)
			for off := 0; off < len(want)+7; off += 7 {
				add(u, r, want, fmt.Sprintf("limit=7&offset=%d", off), off, true)
			}
			if r.path == "/jobs" {
				for _, s := range cordon.JobStatuses {
					sub := map[int64]bool{}
					for id := range want {
						if o.w.jobs[id].Status == s {
							sub[id] = true
						}
					}
					add(u, r, sub, "limit=200&status="+string(s), 0, false)
				}
			}
		}
	}
	h.send(reqs)
	pages := map[string]map[int64]bool{} // user+route → ids seen over the pages
	for _, c := range cells {
		st.probes.Add(1)
		p := c.probe
		if p.err != nil {
			st.wrong.Add(1)
			t.Errorf("%s GET %s: %v", c.u.name, p.path, p.err)
			continue
		}
		if !o.may(c.u, c.r.guard) {
			if p.res.Status != 403 {
				if p.res.Status == 200 {
					st.leaks.Add(1)
				} else {
					st.wrong.Add(1)
				}
				t.Errorf("%s GET %s: got %d, want 403 (role)", c.u.name, p.path, p.res.Status)
			}
			continue
		}
		if p.res.Status != 200 {
			st.wrong.Add(1)
			t.Errorf("%s GET %s: got %d, want 200: %.300s", c.u.name, p.path, p.res.Status, p.res.Body)
			continue
		}
		var l struct {
			Items []map[string]any `json:"items"`
			Total int              `json:"total"`
		}
		if err := json.Unmarshal(p.res.Body, &l); err != nil {
			t.Errorf("%s GET %s: %v", c.u.name, p.path, err)
			continue
		}
		if !c.paged {
			fields.record(t, "GET "+c.r.path, fieldClass(c.u), p.res.Body)
		}
		got := map[int64]bool{}
		for _, it := range l.Items {
			id := int64(it["id"].(float64))
			got[id] = true
			if !c.want[id] {
				st.leaks.Add(1)
				t.Errorf("LEAK: %s GET %s lists %d, outside what the contracts allow: %v", c.u.name, p.path, id, it)
			}
		}
		if l.Total != len(c.want) {
			st.wrong.Add(1)
			t.Errorf("%s GET %s: total %d, the oracle counts %d", c.u.name, p.path, l.Total, len(c.want))
		}
		if !c.paged {
			if len(got) != len(c.want) || len(l.Items) != len(got) {
				st.wrong.Add(1)
				t.Errorf("%s GET %s: %d items (%d distinct), the oracle counts %d", c.u.name, p.path, len(l.Items), len(got), len(c.want))
			}
			continue
		}
		if wantN := min(7, max(0, len(c.want)-c.offset)); len(l.Items) != wantN {
			st.wrong.Add(1)
			t.Errorf("%s GET %s: page of %d, want %d", c.u.name, p.path, len(l.Items), wantN)
		}
		k := c.u.name + " " + c.r.path
		if pages[k] == nil {
			pages[k] = map[int64]bool{}
		}
		for id := range got {
			pages[k][id] = true
		}
	}
	for _, r := range listRoutes() {
		for _, u := range probeUsers {
			if !o.may(u, r.guard) {
				continue
			}
			if got, want := pages[u.name+" "+r.path], r.visible(o, u); len(got) != len(want) {
				t.Errorf("%s pages through %s and sees %d objects, the oracle counts %d", u.name, r.path, len(got), len(want))
			}
		}
	}
}

// TestProbeExpiredPartnerOwnRecord: a partner whose contract has ended
// sees nothing, "its own contracts and organisation included"
// (docs/isolation.md; DESIGN.md §3: contract end takes effect at once).
// Row-level security does that on PostgreSQL; this run found the
// application layer, alone on SQLite, still serving the expired partner its
// own company record and scorecard (GET /partners/{id}, GET /partners,
// GET /partners/{id}/scorecard). Kept as the named regression test; the
// matrix checks the same cells.
func TestProbeExpiredPartnerOwnRecord(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		w := loadProbeWorld(t, h)
		for _, name := range []string{"xian.admin", "xian.tech"} {
			tok, _ := h.login(name)
			if r := h.do("GET", fmt.Sprintf("/api/v1/partners/%d", w.partnerID["xian"]), tok, nil); r.Status != 404 {
				t.Errorf("%s (contract expired) GET its own partner record: got %d, want 404: %s", name, r.Status, r.Body)
			}
			if r := h.do("GET", fmt.Sprintf("/api/v1/partners/%d/scorecard?period=2026-Q4", w.partnerID["xian"]), tok, nil); r.Status != 404 && r.Status != 403 {
				t.Errorf("%s (contract expired) GET its own scorecard: got %d, want 404: %.200s", name, r.Status, r.Body)
			}
			if r := h.do("GET", "/api/v1/partners", tok, nil); r.Status != 200 || r.JSON(t)["total"] != float64(0) {
				t.Errorf("%s (contract expired) lists partners: %d %s, want none", name, r.Status, r.Body)
			}
		}
	})
}

// postgresConfigured tells whether this run includes PostgreSQL.
func postgresConfigured() bool { return os.Getenv("CORDON_TEST_DATABASE_URL") != "" }

var updateFields = flag.Bool("update", false, "rewrite the golden field lists in testdata/fields/")

// fieldClass is how the field allowlists group callers: by role, and for
// partners by their contract's disclosure level.
func fieldClass(u probeUser) string {
	if !u.partner() {
		return string(u.role)
	}
	d := demoTerms[u.org].disclosure
	if !demoTerms[u.org].inForce || d == "" {
		d = cordon.DiscloseNone
	}
	return string(u.role) + "/" + string(d)
}

// fieldRecorder checks that every JSON field a response carries is on the
// golden allowlist for its route and caller class
// (testdata/fields/<route>.golden), and with -update rewrites the lists
// from what the run saw.
type fieldRecorder struct {
	mu   sync.Mutex
	seen map[string]map[string]bool // file → "class path" lines
	gold map[string]map[string]bool
}

func newFieldRecorder(t *testing.T) *fieldRecorder {
	f := &fieldRecorder{seen: map[string]map[string]bool{}, gold: map[string]map[string]bool{}}
	t.Cleanup(func() {
		if !*updateFields || t.Failed() {
			return
		}
		if err := os.MkdirAll(filepath.Join("testdata", "fields"), 0o755); err != nil {
			t.Error(err)
			return
		}
		for file, lines := range f.seen {
			list := make([]string, 0, len(lines))
			for l := range lines {
				list = append(list, l)
			}
			sort.Strings(list)
			body := "# Fields each caller class may receive from this route; regenerate with\n# go test ./internal/app -run 'ProbeMatrix|FieldLevel' -update\n" + strings.Join(list, "\n") + "\n"
			if err := os.WriteFile(filepath.Join("testdata", "fields", file), []byte(body), 0o644); err != nil {
				t.Error(err)
			}
		}
	})
	return f
}

func goldenName(route string) string {
	r := strings.NewReplacer("/", "_", "{", "", "}", "", " ", "")
	return strings.Trim(r.Replace(route), "_") + ".golden"
}

// record checks body's field paths for route and class against the golden
// list, once per new path.
func (f *fieldRecorder) record(t *testing.T, route, class string, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Errorf("%s: not JSON: %v", route, err)
		return
	}
	paths := map[string]bool{}
	fieldPaths(v, "", paths)
	file := goldenName(route)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seen[file] == nil {
		f.seen[file] = map[string]bool{}
	}
	gold, ok := f.gold[file]
	if !ok && !*updateFields {
		gold = map[string]bool{}
		b, err := os.ReadFile(filepath.Join("testdata", "fields", file))
		if err != nil {
			t.Errorf("%s: no golden field list (run with -update): %v", route, err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if l != "" && !strings.HasPrefix(l, "#") {
				gold[l] = true
			}
		}
		f.gold[file] = gold
	}
	for p := range paths {
		line := class + " " + p
		if f.seen[file][line] {
			continue
		}
		f.seen[file][line] = true
		if !*updateFields && !gold[line] {
			t.Errorf("%s as %s: field %s is not on the allowlist testdata/fields/%s", route, class, p, file)
		}
	}
}

// fieldPaths lists the object keys in v as dotted paths, [] for arrays;
// the keys of maps keyed by data (SLA priorities, clause names) are
// fields too, which is what we want: a new one is a new disclosure.
func fieldPaths(v any, prefix string, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out[p] = true
			fieldPaths(e, p, out)
		}
	case []any:
		for _, e := range x {
			fieldPaths(e, prefix+"[]", out)
		}
	}
}

// worldSnapshot is everything a state-changing probe could have changed,
// read as the owner: jobs and their timelines, requests, organisations,
// contracts and the document count.
func (h *harness) worldSnapshot(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	w := loadProbeWorld(t, h)
	var b strings.Builder
	jobs, reports := store.NewJobStore(h.db), store.NewReportStore(h.db)
	for _, id := range sortedIDs(w.jobs) {
		j := w.jobs[id]
		evs, err := jobs.FindJobEvents(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		versions, err := reports.FindReports(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		signoffs, err := reports.FindSignOffs(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "job %d %s p=%v c=%v a=%v acc=%v res=%v closed=%v upd=%v events=%d reports=%d signoffs=%d\n", id, j.Status, idOrNil(j.PartnerID), idOrNil(j.ContractID),
			idOrNil(j.AssigneeID), j.AcceptedAt, j.ResolvedAt, j.ClosedAt, j.UpdatedAt.UTC(), len(evs), len(versions), len(signoffs))
	}
	for _, id := range sortedIDs(w.requests) {
		fmt.Fprintf(&b, "request %d %s\n", id, w.requests[id].Status)
	}
	for _, id := range sortedIDs(w.orgs) {
		o := w.orgs[id]
		fmt.Fprintf(&b, "org %d %s %s %s %s %s %s\n", id, o.Code, o.Kind, o.Name, o.HomeCity, o.Contact, o.WebhookURL)
	}
	for _, id := range sortedIDs(w.contracts) {
		c := w.contracts[id]
		fmt.Fprintf(&b, "contract %d %s %s p=%d upd=%v\n", id, c.Number, c.Status, c.PartnerID, c.UpdatedAt.UTC())
	}
	fmt.Fprintf(&b, "documents %d\n", len(w.docs))
	return b.String()
}

func sortedIDs[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func idOrNil(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// stateRoute is a state-changing route, the body a probe sends, and its guard.
type stateRoute struct {
	method, path string
	body         func(u probeUser) any
	guard        [][2]string
	kind         string // job, contract, partner, request: which ids to aim at
}

// TestProbeStateChanges aims every state-changing route with an id at
// objects outside each caller's scope (and, for institute callers, at ids
// that do not exist, or at anything when their role forbids the route):
// each answer must be 403 (role) or 404 (scope), and afterwards the world
// must be exactly as before.
func TestProbeStateChanges(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		loadSpec(t)
		w := loadProbeWorld(t, h)
		o := newOracle(t, w)
		tokens := h.loginAll()
		techOf := map[string]int64{}
		for _, u := range probeUsers {
			usr, err := store.NewUserStore(h.db).FindUserByUsername(context.Background(), u.org+".tech")
			if err == nil {
				techOf[u.org] = usr.ID
			}
		}
		routes := []stateRoute{
			{"POST", "/jobs/%d/accept", nil, [][2]string{{cordon.ResJob, cordon.ActAccept}}, "job"},
			{"POST", "/jobs/%d/decline", func(probeUser) any { return map[string]string{"reason": "probe"} }, [][2]string{{cordon.ResJob, cordon.ActDecline}}, "job"},
			{"POST", "/jobs/%d/transition", func(probeUser) any { return map[string]string{"to": "en_route"} },
				[][2]string{{cordon.ResJob, cordon.ActUpdate}, {cordon.ResJob, cordon.ActVerify}, {cordon.ResJob, cordon.ActClose}, {cordon.ResJob, cordon.ActReopen}}, "job"},
			{"POST", "/jobs/%d/transition", func(probeUser) any { return map[string]string{"to": "closed"} },
				[][2]string{{cordon.ResJob, cordon.ActUpdate}, {cordon.ResJob, cordon.ActVerify}, {cordon.ResJob, cordon.ActClose}, {cordon.ResJob, cordon.ActReopen}}, "job"},
			{"POST", "/jobs/%d/assign", func(u probeUser) any { return map[string]int64{"user_id": max(techOf[u.org], 1)} }, [][2]string{{cordon.ResJob, cordon.ActAssign}}, "job"},
			{"POST", "/jobs/%d/report", func(probeUser) any { return map[string]string{"actions": "probe", "root_cause": "component"} },
				[][2]string{{cordon.ResJob, cordon.ActReport}, {cordon.ResJob, cordon.ActUpdate}}, "job"},
			{"POST", "/jobs/%d/signoff", func(probeUser) any { return map[string]string{"method": "typed", "signer_name": "probe"} },
				[][2]string{{cordon.ResJob, cordon.ActReport}, {cordon.ResJob, cordon.ActUpdate}}, "job"},
			{"POST", "/contracts/%d/activate", nil, [][2]string{{cordon.ResContract, cordon.ActActivate}}, "contract"},
			{"POST", "/contracts/%d/suspend", nil, [][2]string{{cordon.ResContract, cordon.ActSuspend}}, "contract"},
			{"POST", "/contracts/%d/terminate", nil, [][2]string{{cordon.ResContract, cordon.ActTerminate}}, "contract"},
			{"PATCH", "/partners/%d", func(probeUser) any { return map[string]string{"name": "probe", "webhook_url": "https://evil.invalid/"} },
				[][2]string{{cordon.ResPartner, cordon.ActUpdate}}, "partner"},
			{"POST", "/requests/%d/dispatch", func(probeUser) any { return map[string]string{"to": "auto"} }, [][2]string{{cordon.ResRequest, cordon.ActDispatch}}, "request"},
		}
		idsOf := map[string][]int64{"job": sortedIDs(w.jobs), "contract": sortedIDs(w.contracts), "partner": sortedIDs(w.orgs), "request": sortedIDs(w.requests)}
		missing := []int64{w.maxID + 1000, 1 << 40}
		before := h.worldSnapshot(t)
		type cell struct {
			u    probeUser
			want int
			p    *probeRequest
		}
		var cells []cell
		var reqs []*probeRequest
		for _, r := range routes {
			for _, u := range probeUsers {
				allowed := o.may(u, r.guard...)
				var targets []int64
				for i, id := range idsOf[r.kind] {
					switch {
					case !allowed && (u.partner() || i%4 == 0):
						// The role forbids it whatever the object: every
						// object for partners, a quarter for the institute.
						targets = append(targets, id)
					case u.partner() && r.kind == "job" && !o.jobVisible(u, w.jobs[id]):
						targets = append(targets, id)
					case u.partner() && r.kind == "partner" && id != w.partnerID[u.org]:
						targets = append(targets, id)
					}
				}
				targets = append(targets, missing...)
				want := 404
				if !allowed {
					want = 403
				}
				for _, id := range targets {
					var body []byte
					if r.body != nil {
						body, _ = json.Marshal(r.body(u))
					}
					p := &probeRequest{method: r.method, path: "/api/v1" + fmt.Sprintf(r.path, id), token: tokens[u.name], body: body}
					cells = append(cells, cell{u, want, p})
					reqs = append(reqs, p)
				}
			}
		}
		h.send(reqs)
		var leaks, wrong int
		for _, c := range cells {
			switch {
			case c.p.err != nil:
				wrong++
				t.Errorf("%s %s %s: %v", c.u.name, c.p.method, c.p.path, c.p.err)
			case c.p.res.Status == c.want:
			case c.p.res.Status < 300:
				leaks++
				t.Errorf("LEAK: %s %s %s: got %d, want %d: %.300s", c.u.name, c.p.method, c.p.path, c.p.res.Status, c.want, c.p.res.Body)
			default:
				wrong++
				t.Errorf("%s %s %s: got %d, want %d: %.300s", c.u.name, c.p.method, c.p.path, c.p.res.Status, c.want, c.p.res.Body)
			}
		}
		if after := h.worldSnapshot(t); after != before {
			t.Errorf("state-changing probes outside scope changed the world:\n%s", lineDiff(before, after))
		}
		t.Logf("%d state-changing probes outside scope, %d succeeded (leaks), %d other mismatches; world unchanged: %v",
			len(cells), leaks, wrong, !t.Failed())
		// The snapshot must notice a change when there is one: one allowed
		// accept of an offer inside scope.
		for _, id := range sortedIDs(w.jobs) {
			if j := w.jobs[id]; j.Status == cordon.JobOffered && o.jobVisible(probeUsers[7], j) {
				if r := h.do("POST", fmt.Sprintf("/api/v1/jobs/%d/accept", id), tokens["hefei.tech"], nil); r.Status != 200 {
					t.Fatalf("hefei.tech accepts its own offer %d: %d %s", id, r.Status, r.Body)
				}
				if h.worldSnapshot(t) == before {
					t.Error("the world snapshot did not notice an accepted offer")
				}
				break
			}
		}
	})
}

func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for _, l := range al {
		if !slices.Contains(bl, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range bl {
		if !slices.Contains(al, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

// TestProbeRowLevelSecurityAlone is the matrix with the application's
// scope checks out of the way, on PostgreSQL: each partner actor's
// transaction (store.DB.InScope, as the API runs it) calls the store's
// finders by id for every id of the demo world, and the list finders with
// no filter at all — what a handler that forgot its WHERE clause would
// run. Row-level security alone must give exactly what the contracts
// allow at the data layer (docs/isolation.md, "The policies"): its own jobs
// while in force, requests and customers of those jobs, documents of its
// lines up to its ceiling, its own contract and organisation; nothing for
// xian. internal/store/rls_test.go proves the same per table with raw SQL;
// this adds every id through the finders and every partner user.
func TestProbeRowLevelSecurityAlone(t *testing.T) {
	t.Parallel()
	h := newHarness(t, seededPostgres)
	w := loadProbeWorld(t, h)
	ctx := context.Background()
	jobs, docs, reqs := store.NewJobStore(h.db), store.NewDocumentStore(h.db), store.NewRequestStore(h.db)
	contracts, orgs, customers := store.NewContractStore(h.db), store.NewOrgStore(h.db), store.NewCustomerStore(h.db)
	ids := w.probeIDs()
	var probes, leaks int
	for _, u := range probeUsers {
		if !u.partner() {
			continue
		}
		usr, err := store.NewUserStore(h.db).FindUserByUsername(ctx, u.name)
		if err != nil {
			t.Fatal(err)
		}
		a := &cordon.Actor{UserID: usr.ID, Username: u.name, OrgID: usr.OrgID, OrgKind: cordon.OrgPartner, PartnerID: usr.OrgID, Roles: usr.Roles}
		terms := demoTerms[u.org]
		// The data layer's rule, from the contract: in force, its own jobs
		// (whatever their city or line: the application narrows those).
		wantJob := func(id int64) bool {
			j := w.jobs[id]
			return j != nil && terms.inForce && j.PartnerID != nil && *j.PartnerID == usr.OrgID
		}
		wantRequest := func(id int64) bool {
			for jid, j := range w.jobs {
				if j.RequestID == id && wantJob(jid) {
					return true
				}
			}
			return false
		}
		wantCustomer := func(id int64) bool {
			for rid, r := range w.requests {
				if r.CustomerID == id && wantRequest(rid) {
					return true
				}
			}
			return false
		}
		wantDoc := func(id int64) bool { d := w.docs[id]; return d != nil && terms.coversDocument(d) }
		wantContract := func(id int64) bool {
			c := w.contracts[id]
			return c != nil && terms.inForce && c.PartnerID == usr.OrgID
		}
		wantOrg := func(id int64) bool { return terms.inForce && id == usr.OrgID }
		found := func(err error) (bool, error) {
			switch cordon.ErrorCode(err) {
			case "":
				return true, nil
			case cordon.ENOTFOUND:
				return false, nil
			}
			return false, err
		}
		check := func(what string, id int64, got, want bool) {
			probes++
			if got != want {
				if got {
					leaks++
					t.Errorf("LEAK (RLS alone): %s finds %s %d", u.name, what, id)
				} else {
					t.Errorf("%s does not find %s %d, which the contract allows it", u.name, what, id)
				}
			}
		}
		err = h.db.InScope(ctx, a, func(ctx context.Context) error {
			for _, id := range ids {
				for _, f := range []struct {
					what string
					find func() error
					want func(int64) bool
				}{
					{"job", func() error { _, err := jobs.FindJobByID(ctx, id); return err }, wantJob},
					{"document", func() error { _, err := docs.FindDocumentByID(ctx, id); return err }, wantDoc},
					{"request", func() error { _, err := reqs.FindRequestByID(ctx, id); return err }, wantRequest},
					{"contract", func() error { _, err := contracts.FindContractByID(ctx, id); return err }, wantContract},
					{"organisation", func() error { _, err := orgs.FindOrgByID(ctx, id); return err }, wantOrg},
					{"customer", func() error { _, err := customers.FindCustomerByID(ctx, id); return err }, wantCustomer},
				} {
					got, err := found(f.find())
					if err != nil {
						return fmt.Errorf("%s %d: %w", f.what, id, err)
					}
					check(f.what, id, got, f.want(id))
				}
				evs, err := jobs.FindJobEvents(ctx, id)
				if err != nil {
					return err
				}
				check("job events of", id, len(evs) > 0, wantJob(id))
			}
			// Lists with no filter of the application's own.
			lists := []struct {
				what string
				list func() ([]int64, int, error)
				want func(int64) bool
			}{
				{"jobs", func() ([]int64, int, error) {
					l, n, err := jobs.FindJobs(ctx, cordon.JobFilter{Scope: cordon.ListScope{All: true}})
					return idsOfJobs(l), n, err
				}, wantJob},
				{"documents", func() ([]int64, int, error) {
					l, n, err := docs.FindDocuments(ctx, cordon.DocumentFilter{Scope: cordon.ListScope{All: true}})
					out := []int64{}
					for _, d := range l {
						out = append(out, d.ID)
					}
					return out, n, err
				}, wantDoc},
				{"requests", func() ([]int64, int, error) {
					l, n, err := reqs.FindRequests(ctx, cordon.RequestFilter{})
					out := []int64{}
					for _, r := range l {
						out = append(out, r.ID)
					}
					return out, n, err
				}, wantRequest},
				{"contracts", func() ([]int64, int, error) {
					l, n, err := contracts.FindContracts(ctx, cordon.ContractFilter{})
					out := []int64{}
					for _, c := range l {
						out = append(out, c.ID)
					}
					return out, n, err
				}, wantContract},
				{"organisations", func() ([]int64, int, error) {
					l, n, err := orgs.FindOrgs(ctx, cordon.OrgFilter{})
					out := []int64{}
					for _, o := range l {
						out = append(out, o.ID)
					}
					return out, n, err
				}, wantOrg},
			}
			for _, l := range lists {
				got, total, err := l.list()
				if err != nil {
					return fmt.Errorf("list %s: %w", l.what, err)
				}
				probes++
				want := 0
				for _, id := range ids {
					if l.want(id) {
						want++
					}
				}
				for _, id := range got {
					if !l.want(id) {
						leaks++
						t.Errorf("LEAK (RLS alone): %s lists %s %d with no WHERE clause", u.name, l.what, id)
					}
				}
				if len(got) != want || total != want {
					t.Errorf("%s lists %d %s (total %d) with no WHERE clause; the contract allows %d", u.name, len(got), l.what, total, want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", u.name, err)
		}
	}
	t.Logf("row-level security alone: %d finder probes, %d leaks", probes, leaks)
}

func idsOfJobs(l []*cordon.Job) []int64 {
	out := []int64{}
	for _, j := range l {
		out = append(out, j.ID)
	}
	return out
}
