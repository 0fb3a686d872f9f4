package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image/png"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// refTime is the reference time of the seeded world in tests.
var refTime = time.Date(2026, 6, 15, 9, 30, 0, 0, time.UTC)

// recorder remembers what the seeder created, so the test can read each
// record back from the database.
type recorder struct {
	customers []*cordon.Customer
	units     []*cordon.Unit
	docs      []*cordon.Document
	requests  []*cordon.ServiceRequest
	jobs      []*cordon.Job
	events    int
	reports   map[int64]*cordon.ServiceReport // by job
	signoffs  int
}

type recCustomers struct {
	cordon.CustomerStore
	r *recorder
}

func (s recCustomers) CreateCustomer(ctx context.Context, c *cordon.Customer) error {
	err := s.CustomerStore.CreateCustomer(ctx, c)
	if err == nil {
		s.r.customers = append(s.r.customers, c)
	}
	return err
}

type recCatalog struct {
	cordon.CatalogStore
	r *recorder
}

func (s recCatalog) CreateUnit(ctx context.Context, u *cordon.Unit) error {
	err := s.CatalogStore.CreateUnit(ctx, u)
	if err == nil {
		s.r.units = append(s.r.units, u)
	}
	return err
}

type recDocuments struct {
	cordon.DocumentStore
	r *recorder
}

func (s recDocuments) CreateDocument(ctx context.Context, d *cordon.Document, content []byte) error {
	err := s.DocumentStore.CreateDocument(ctx, d, content)
	if err == nil {
		s.r.docs = append(s.r.docs, d)
	}
	return err
}

type recRequests struct {
	cordon.RequestStore
	r *recorder
}

func (s recRequests) CreateRequest(ctx context.Context, q *cordon.ServiceRequest) error {
	err := s.RequestStore.CreateRequest(ctx, q)
	if err == nil {
		s.r.requests = append(s.r.requests, q)
	}
	return err
}

type recJobs struct {
	cordon.JobStore
	r *recorder
}

func (s recJobs) CreateJob(ctx context.Context, j *cordon.Job, first *cordon.JobEvent) error {
	err := s.JobStore.CreateJob(ctx, j, first)
	if err == nil {
		s.r.jobs = append(s.r.jobs, j)
		s.r.events++
	}
	return err
}

func (s recJobs) AddJobEvent(ctx context.Context, e *cordon.JobEvent) error {
	err := s.JobStore.AddJobEvent(ctx, e)
	if err == nil {
		s.r.events++
	}
	return err
}

type recReports struct {
	cordon.ReportStore
	r *recorder
}

func (s recReports) CreateReport(ctx context.Context, rep *cordon.ServiceReport) error {
	err := s.ReportStore.CreateReport(ctx, rep)
	if err == nil {
		s.r.reports[rep.JobID] = rep
	}
	return err
}

// ImportSignOff writes a timeline event too.
func (s recReports) ImportSignOff(ctx context.Context, so *cordon.SignOff, image []byte, ev *cordon.JobEvent) error {
	err := s.ReportStore.ImportSignOff(ctx, so, image, ev)
	if err == nil {
		s.r.events++
		s.r.signoffs++
	}
	return err
}

// stores wires the seeder to db through recorders.
func stores(db *store.DB, r *recorder) Stores {
	return Stores{
		Orgs:      store.NewOrgStore(db),
		Users:     store.NewUserStore(db),
		Customers: recCustomers{store.NewCustomerStore(db), r},
		Catalog:   recCatalog{store.NewCatalogStore(db), r},
		Documents: recDocuments{store.NewDocumentStore(db), r},
		Contracts: store.NewContractStore(db),
		Requests:  recRequests{store.NewRequestStore(db), r},
		Jobs:      recJobs{store.NewJobStore(db), r},
		Reports:   recReports{store.NewReportStore(db), r},
		Tx:        db.WithTx,
		Training:  store.NewTrainingStore(db),
	}
}

// fakeHash stands in for the real password hash, which is slow on purpose.
func fakeHash(calls *int) func(string) (string, error) {
	return func(p string) (string, error) { *calls++; return "hash:" + p, nil }
}

func seed(t *testing.T, db *store.DB) (*World, *recorder) {
	t.Helper()
	return seedAt(t, db, refTime)
}

func seedAt(t *testing.T, db *store.DB, now time.Time) (*World, *recorder) {
	t.Helper()
	r := &recorder{reports: map[int64]*cordon.ServiceReport{}}
	calls := 0
	w, err := Seed(context.Background(), stores(db, r), fakeHash(&calls), "demo-password", now)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("password hashed %d times, want once", calls)
	}
	return w, r
}

func TestSeed(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: func() time.Time { return refTime }}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if seeded, err := Seeded(ctx, store.NewOrgStore(db)); err != nil || seeded {
			t.Fatalf("Seeded before seeding = %v, %v", seeded, err)
		}
		w, r := seed(t, db)

		t.Run("counts", func(t *testing.T) {
			got := []int{w.Customers, w.Units, w.Documents, w.Requests, w.Jobs, w.Reports}
			want := []int{len(r.customers), len(r.units), len(r.docs), len(r.requests), len(r.jobs), len(r.reports)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("World counts differ from what was stored (-stored +world):\n%s", diff)
			}
			if w.Customers < 24 || w.Units < w.Customers || w.Documents < 12 || w.Requests < 30 || w.Jobs < 30 {
				t.Errorf("world too small: %+v", w)
			}
		})
		t.Run("people", func(t *testing.T) { checkPeople(t, db, w) })
		t.Run("contracts", func(t *testing.T) { checkContracts(t, db, w) })
		t.Run("customers", func(t *testing.T) { checkCustomers(t, db, r) })
		t.Run("documents", func(t *testing.T) { checkDocuments(t, db, w, r) })
		t.Run("jobs", func(t *testing.T) { checkJobs(t, db, w, r, refTime) })
		t.Run("training", func(t *testing.T) { checkTraining(t, db, w, r, refTime) })

		if seeded, err := Seeded(ctx, store.NewOrgStore(db)); err != nil || !seeded {
			t.Fatalf("Seeded after seeding = %v, %v", seeded, err)
		}
		calls := 0
		again := &recorder{reports: map[int64]*cordon.ServiceReport{}}
		if _, err := Seed(ctx, stores(db, again), fakeHash(&calls), "x", refTime); cordon.ErrorCode(err) != cordon.ECONFLICT {
			t.Errorf("seeding twice: got %v, want conflict", err)
		}
		if len(again.customers) != 0 {
			t.Errorf("seeding twice stored %d customers", len(again.customers))
		}
	})
}

func checkPeople(t *testing.T, db *store.DB, w *World) {
	ctx := context.Background()
	orgs, users := store.NewOrgStore(db), store.NewUserStore(db)
	for _, o := range []struct {
		code string
		kind cordon.OrgKind
		city string
	}{{"institute", cordon.OrgInstitute, "Hefei"}, {"hefei", cordon.OrgPartner, "Hefei"}, {"wuhan", cordon.OrgPartner, "Wuhan"}, {"xian", cordon.OrgPartner, "Xi'an"}} {
		got, err := orgs.FindOrgByCode(ctx, o.code)
		if err != nil {
			t.Fatalf("org %s: %v", o.code, err)
		}
		if got.ID != w.Orgs[o.code] || got.Kind != o.kind || got.HomeCity != o.city {
			t.Errorf("org %s: got %+v, want kind %s in %s, id %d", o.code, got, o.kind, o.city, w.Orgs[o.code])
		}
	}
	want := map[string]struct {
		org  string
		role cordon.Role
	}{
		"dispatcher": {"institute", cordon.RoleDispatcher}, "quality": {"institute", cordon.RoleQualitySupervisor},
		"engineer": {"institute", cordon.RoleEngineer}, "contracts": {"institute", cordon.RoleContractAdmin},
		"legal": {"institute", cordon.RoleLegalAuditor}, "admin": {"institute", cordon.RoleAdmin},
	}
	for _, p := range []string{"hefei", "wuhan", "xian"} {
		want[p+".admin"] = struct {
			org  string
			role cordon.Role
		}{p, cordon.RolePartnerAdmin}
		want[p+".tech"] = struct {
			org  string
			role cordon.Role
		}{p, cordon.RolePartnerTechnician}
	}
	if len(w.Users) != len(want) {
		t.Errorf("World.Users has %d users, want %d", len(w.Users), len(want))
	}
	for name, wu := range want {
		u, err := users.FindUserByUsername(ctx, name)
		if err != nil {
			t.Errorf("user %s: %v", name, err)
			continue
		}
		if u.ID != w.Users[name] || u.Org.Code != wu.org || !slices.Equal(u.Roles, []cordon.Role{wu.role}) || u.PasswordHash != "hash:demo-password" {
			t.Errorf("user %s: got id %d org %s roles %v hash %q", name, u.ID, u.Org.Code, u.Roles, u.PasswordHash)
		}
	}
}

func checkContracts(t *testing.T, db *store.DB, w *World) {
	ctx := context.Background()
	contracts := store.NewContractStore(db)
	type want struct {
		partner         string
		status          cordon.ContractStatus
		from, to        time.Time
		cities, lines   []string
		types           []cordon.Category
		ceiling         cordon.Classification
		disclosure      cordon.DisclosureLevel
		grace           int
		inForceAtRefNow bool
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := map[string]want{
		"HF-2026-001": {"hefei", cordon.ContractActive, day(2026, 1, 1), day(2027, 12, 31), []string{"Hefei", "Wuhu"}, []string{"radar", "comms"},
			cordon.Categories, cordon.ClassInternal, cordon.DiscloseSiteContact, 72, true},
		"WH-2026-001": {"wuhan", cordon.ContractActive, day(2026, 1, 1), day(2027, 6, 30), []string{"Wuhan"}, []string{"comms"},
			[]cordon.Category{cordon.CatRepair, cordon.CatMaintenance}, cordon.ClassPublic, cordon.DiscloseCity, 24, true},
		"XA-2024-001": {"xian", cordon.ContractExpired, day(2024, 1, 1), day(2025, 12, 31), []string{"Xi'an"}, []string{"radar"},
			cordon.Categories, cordon.ClassInternal, cordon.DiscloseSite, 48, false},
	}
	if len(w.Contracts) != len(tests) {
		t.Errorf("World.Contracts = %v", w.Contracts)
	}
	clauses := map[string]string{}
	for number, tc := range tests {
		c, err := contracts.FindContractByID(ctx, w.Contracts[number])
		if err != nil {
			t.Fatalf("%s: %v", number, err)
		}
		got := want{
			partner: codeOf(w.Orgs, c.PartnerID), status: c.Status, from: c.EffectiveFrom, to: c.ExpiresOn,
			cities: c.Scope.Cities, lines: c.Scope.ProductLines, types: c.Scope.ServiceTypes,
			ceiling: c.Scope.DocumentCeiling, disclosure: c.Scope.Disclosure, grace: c.Scope.DisclosureGraceHours,
			inForceAtRefNow: c.InForce(refTime),
		}
		if diff := cmp.Diff(tc, got, cmp.AllowUnexported(want{})); diff != "" || c.Number != number {
			t.Errorf("%s mismatch (-want +got):\n%s", number, diff)
		}
		for _, p := range cordon.Priorities {
			terms, ok := c.SLA[p]
			if !ok || terms.Accept <= 0 || terms.Accept > terms.Respond || terms.Respond > terms.OnSite || terms.OnSite > terms.Resolve {
				t.Errorf("%s: SLA %s = %+v", number, p, terms)
			}
		}
		if c.SLA[cordon.P4].Resolve <= c.SLA[cordon.P1].Resolve {
			t.Errorf("%s: P4 resolves no later than P1", number)
		}
		for _, key := range []string{"jobs", "customers", "documents", "sla"} {
			if c.Clauses[key] == "" {
				t.Errorf("%s: no clause for %s", number, key)
			}
		}
		if other, dup := clauses[c.Clauses["jobs"]]; dup {
			t.Errorf("%s and %s share the jobs clause %s", number, other, c.Clauses["jobs"])
		}
		clauses[c.Clauses["jobs"]] = number
	}
	hf, _ := contracts.FindContractByID(ctx, w.Contracts["HF-2026-001"])
	if diff := cmp.Diff(cordon.SLATerms{Accept: 30 * time.Minute, Respond: time.Hour, OnSite: 4 * time.Hour, Resolve: 24 * time.Hour}, hf.SLA[cordon.P1]); diff != "" {
		t.Errorf("HF-2026-001 P1 terms (-want +got):\n%s", diff)
	}
}

func codeOf(ids map[string]int64, id int64) string {
	for code, x := range ids {
		if x == id {
			return code
		}
	}
	return ""
}

func checkCustomers(t *testing.T, db *store.DB, r *recorder) {
	ctx := context.Background()
	customers, catalog := store.NewCustomerStore(db), store.NewCatalogStore(db)
	cities := map[string]int{}
	for _, want := range r.customers {
		c, err := customers.FindCustomerByID(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, c); diff != "" {
			t.Errorf("customer %s (-seeded +stored):\n%s", want.Code, diff)
		}
		id := c.Identity
		if id == nil || id.Name == "" || id.ContactPerson == "" || id.Phone == "" || id.SiteAddress == "" {
			t.Errorf("customer %s: identity %+v", c.Code, id)
		}
		cities[c.City]++
	}
	for _, city := range []string{"Hefei", "Wuhu", "Wuhan", "Xi'an", "Nanjing", "Chengdu"} {
		if cities[city] == 0 {
			t.Errorf("no customer in %s", city)
		}
	}
	planned := 0
	for _, want := range r.units {
		u, err := catalog.FindUnitByID(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, u); diff != "" {
			t.Errorf("unit %s (-seeded +stored):\n%s", want.Serial, diff)
		}
		if !u.DeliveredOn.Before(refTime) || !u.WarrantyEnd.After(u.DeliveredOn) || u.Batch == "" {
			t.Errorf("unit %s: delivered %v, warranty to %v, batch %q", u.Serial, u.DeliveredOn, u.WarrantyEnd, u.Batch)
		}
		if u.FollowUpMonths > 0 {
			planned++
			if u.NextVisitDue != nil && u.NextVisitDue.After(u.WarrantyEnd) {
				t.Errorf("unit %s: visit due after the warranty", u.Serial)
			}
		}
	}
	if planned == 0 || planned == len(r.units) {
		t.Errorf("%d of %d units have a follow-up plan, want some", planned, len(r.units))
	}
}

func checkDocuments(t *testing.T, db *store.DB, w *World, r *recorder) {
	ctx := context.Background()
	docs := store.NewDocumentStore(db)
	type key struct {
		line  int64
		class cordon.Classification
	}
	seen := map[key]bool{}
	media := map[string]int{}
	for _, want := range r.docs {
		d, err := docs.FindDocumentByID(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, d, cmpopts.IgnoreFields(cordon.Document{}, "ProductLine")); diff != "" {
			t.Errorf("document %d (-seeded +stored):\n%s", want.ID, diff)
		}
		if d.UploadedBy != w.Users["engineer"] {
			t.Errorf("%s uploaded by %d, want engineer", d.Title, d.UploadedBy)
		}
		content, err := docs.FindContent(ctx, d.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(content)
		if hex.EncodeToString(sum[:]) != d.SHA256 || int64(len(content)) != d.Size {
			t.Errorf("%s: content does not match its checksum and size", d.Title)
		}
		switch d.MediaType {
		case "application/pdf":
			pages, err := checkPDF(content)
			if err != nil {
				t.Errorf("%s: %v", d.Title, err)
			} else if pages < 1 || pages > 3 {
				t.Errorf("%s: %d pages", d.Title, pages)
			}
		case "image/png":
			img, err := png.Decode(bytes.NewReader(content))
			if err != nil {
				t.Errorf("%s: %v", d.Title, err)
			} else if b := img.Bounds(); b.Dx() != 200 || b.Dy() != 120 {
				t.Errorf("%s: %dx%d image", d.Title, b.Dx(), b.Dy())
			}
		default:
			t.Errorf("%s: media type %q", d.Title, d.MediaType)
		}
		media[d.MediaType]++
		seen[key{d.ProductLineID, d.Classification}] = true
		if d.PreviousID != nil {
			prev, err := docs.FindDocumentByID(ctx, *d.PreviousID)
			if err != nil || prev.Title != d.Title || prev.Version >= d.Version {
				t.Errorf("%s v%s supersedes %+v, %v", d.Title, d.Version, prev, err)
			}
		}
	}
	for _, line := range []string{"radar", "comms", "power"} {
		for _, class := range cordon.Classifications {
			if !seen[key{w.ProductLines[line], class}] {
				t.Errorf("no %s document for %s", class, line)
			}
		}
	}
	if media["application/pdf"] == 0 || media["image/png"] == 0 {
		t.Errorf("media types: %v", media)
	}
}

// checkJobs checks the service history of a world seeded at now.
func checkJobs(t *testing.T, db *store.DB, w *World, r *recorder, now time.Time) {
	ctx := context.Background()
	jobs, requests, contracts := store.NewJobStore(db), store.NewRequestStore(db), store.NewContractStore(db)
	catalog, reports := store.NewCatalogStore(db), store.NewReportStore(db)
	lines, err := catalog.FindProductLines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lineCode := map[int64]string{}
	for _, l := range lines {
		lineCode[l.ID] = l.Code
	}
	statuses := map[cordon.JobStatus]int{}
	perPartner := map[string]int{}
	dispatched := map[int64]bool{}
	events := 0
	for _, want := range r.jobs {
		j, err := jobs.FindJobByID(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, j, cmpopts.IgnoreFields(cordon.Job{}, "Request")); diff != "" {
			t.Errorf("job %d (-seeded +stored):\n%s", want.ID, diff)
		}
		statuses[j.Status]++
		dispatched[j.RequestID] = true
		req, err := requests.FindRequestByID(ctx, j.RequestID)
		if err != nil {
			t.Fatal(err)
		}

		// The timeline: from offered to the job's status, in order, in the past.
		evs, err := jobs.FindJobEvents(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		events += len(evs)
		if len(evs) == 0 || evs[0].To != cordon.JobOffered || evs[0].From != "" || evs[len(evs)-1].To != j.Status {
			t.Errorf("job %d (%s): timeline %v", j.ID, j.Status, statusesOf(evs))
		}
		for i, e := range evs {
			if e.At.After(now) || e.At.Before(req.CreatedAt) || (i > 0 && (e.At.Before(evs[i-1].At) || e.From != evs[i-1].To)) {
				t.Errorf("job %d: event %d (%s→%s at %v) out of order", j.ID, i, e.From, e.To, e.At)
			}
		}
		if !j.OfferedAt.Equal(evs[0].At) || !j.UpdatedAt.Equal(evs[len(evs)-1].At) {
			t.Errorf("job %d: offered %v updated %v, timeline %v..%v", j.ID, j.OfferedAt, j.UpdatedAt, evs[0].At, evs[len(evs)-1].At)
		}

		if j.PartnerID == nil {
			perPartner["in-house"]++
			if j.AssigneeID == nil || *j.AssigneeID != w.Users["engineer"] || j.ContractID != nil {
				t.Errorf("in-house job %d: assignee %v contract %v", j.ID, j.AssigneeID, j.ContractID)
			}
		} else {
			partner := codeOf(w.Orgs, *j.PartnerID)
			perPartner[partner]++
			c, err := contracts.FindContractByID(ctx, *j.ContractID)
			if err != nil {
				t.Fatal(err)
			}
			inScope := c.PartnerID == *j.PartnerID && slices.Contains(c.Scope.Cities, req.SiteCity) &&
				slices.Contains(c.Scope.ProductLines, lineCode[req.ProductLineID]) && slices.Contains(c.Scope.ServiceTypes, req.Category) &&
				!j.OfferedAt.Before(c.EffectiveFrom) && j.OfferedAt.Before(c.ExpiresOn)
			if !inScope {
				t.Errorf("job %d for %s is outside %s: %s %s %s offered %v", j.ID, partner, c.Number, req.SiteCity, lineCode[req.ProductLineID], req.Category, j.OfferedAt)
			}
			if j.Status == cordon.JobOffered && (j.OfferExpiresAt == nil || !j.OfferExpiresAt.After(now)) {
				t.Errorf("job %d: a live offer expired at %v", j.ID, j.OfferExpiresAt)
			}
			if partner == "xian" && j.Status != cordon.JobClosed && j.Status != cordon.JobRevoked {
				t.Errorf("xian job %d is %s under an expired contract", j.ID, j.Status)
			}
			if (j.AcceptedAt != nil) != (j.AssigneeID != nil) {
				t.Errorf("job %d: accepted %v, assignee %v", j.ID, j.AcceptedAt, j.AssigneeID)
			}
		}

		rep, hasReport := r.reports[j.ID]
		switch j.Status {
		case cordon.JobResolved, cordon.JobVerified, cordon.JobClosed, cordon.JobReopened:
			if !hasReport {
				t.Errorf("job %d (%s) has no service report", j.ID, j.Status)
				continue
			}
			got, err := reports.FindReportByID(ctx, rep.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(rep, got); diff != "" || !got.RootCause.Valid() || got.Actions == "" {
				t.Errorf("report of job %d (-seeded +stored):\n%s", j.ID, diff)
			}
			// Jobs awaiting verification carry a drawn sign-off; a partner's
			// also an amendment with a site photo.
			if j.Status == cordon.JobResolved {
				signoffs, err := reports.FindSignOffs(ctx, j.ID)
				if err != nil || len(signoffs) != 1 || signoffs[0].Method != cordon.SignDrawn || signoffs[0].SHA256 == "" {
					t.Errorf("resolved job %d: sign-offs %v %v", j.ID, signoffs, err)
				}
				versions, err := reports.FindReports(ctx, j.ID)
				if err != nil || (j.PartnerID != nil) != (len(versions) == 2 && len(versions[0].Attachments) == 1) {
					t.Errorf("resolved job %d: %d report versions %v", j.ID, len(versions), err)
				}
			}
		default:
			if hasReport {
				t.Errorf("job %d (%s) has a report", j.ID, j.Status)
			}
		}
	}
	for _, s := range cordon.JobStatuses {
		if statuses[s] == 0 {
			t.Errorf("no job is %s", s)
		}
	}
	for _, p := range []string{"hefei", "wuhan", "xian", "in-house"} {
		if perPartner[p] < 3 {
			t.Errorf("%s has %d jobs, want at least 3", p, perPartner[p])
		}
	}
	if events != r.events {
		t.Errorf("%d events in the database, %d stored", events, r.events)
	}
	waiting := 0
	for _, q := range r.requests {
		got, err := requests.FindRequestByID(ctx, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(q, got, cmpopts.IgnoreFields(cordon.ServiceRequest{}, "ProductLine")); diff != "" {
			t.Errorf("request %d (-seeded +stored):\n%s", q.ID, diff)
		}
		if !dispatched[q.ID] && q.Status == cordon.RequestOpen {
			waiting++
		}
	}
	if waiting < 3 {
		t.Errorf("%d requests wait for a first dispatch, want a few", waiting)
	}
}

func statusesOf(evs []*cordon.JobEvent) []cordon.JobStatus {
	var out []cordon.JobStatus
	for _, e := range evs {
		out = append(out, e.To)
	}
	return out
}

// failingReports breaks the seeding late, to show it leaves nothing behind.
type failingReports struct{ cordon.ReportStore }

func (failingReports) CreateReport(context.Context, *cordon.ServiceReport) error {
	return errors.New("disk on fire")
}

func TestSeedRollsBack(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: func() time.Time { return refTime }}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := &recorder{reports: map[int64]*cordon.ServiceReport{}}
		s := stores(db, r)
		s.Reports = failingReports{}
		calls := 0
		if _, err := Seed(ctx, s, fakeHash(&calls), "x", refTime); err == nil {
			t.Fatal("seeding with a failing store succeeded")
		}
		if seeded, err := Seeded(ctx, store.NewOrgStore(db)); err != nil || seeded {
			t.Errorf("after a failed seeding, Seeded = %v, %v; want nothing left", seeded, err)
		}
		seed(t, db) // and the database is still good for a real one
	})
}

// TestSeedDeterministic seeds two databases at the same reference time and
// expects the same world, files included.
func TestSeedDeterministic(t *testing.T) {
	type digest struct {
		Customers []cordon.CustomerIdentity
		Serials   []string
		Files     []string
		Jobs      []string
	}
	digestOf := func(r *recorder) digest {
		var d digest
		for _, c := range r.customers {
			id := *c.Identity
			id.CustomerID = 0
			d.Customers = append(d.Customers, id)
		}
		for _, u := range r.units {
			d.Serials = append(d.Serials, u.Serial)
		}
		for _, doc := range r.docs {
			d.Files = append(d.Files, doc.SHA256)
		}
		for _, j := range r.jobs {
			d.Jobs = append(d.Jobs, string(j.Status)+"@"+j.UpdatedAt.Format(time.RFC3339))
		}
		return d
	}
	_, r1 := seed(t, storetest.SQLite(t, storetest.Options{}))
	_, r2 := seed(t, storetest.SQLite(t, storetest.Options{}))
	if diff := cmp.Diff(digestOf(r1), digestOf(r2)); diff != "" {
		t.Errorf("two seedings differ (-first +second):\n%s", diff)
	}
}

// TestSeedOverTheContractYears seeds at other reference times within the
// span of the partner contracts: the history must stay in scope and in the
// past wherever now falls.
func TestSeedOverTheContractYears(t *testing.T) {
	for _, now := range []time.Time{
		time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 27, 16, 45, 12, 0, time.UTC),
		time.Date(2027, 6, 1, 23, 59, 0, 0, time.UTC),
	} {
		t.Run(now.Format(time.DateOnly), func(t *testing.T) {
			db := storetest.SQLite(t, storetest.Options{})
			w, r := seedAt(t, db, now)
			checkJobs(t, db, w, r, now)
		})
	}
}

// checkTraining: the partner's training job at work carries two sessions
// and three named trainees, all assessed, one certified with the year's
// first number; no other job has training records.
func checkTraining(t *testing.T, db *store.DB, w *World, r *recorder, now time.Time) {
	ctx := context.Background()
	ts := store.NewTrainingStore(db)
	requests := map[int64]*cordon.ServiceRequest{}
	for _, q := range r.requests {
		requests[q.ID] = q
	}
	withRecords := 0
	for _, j := range r.jobs {
		sessions, err := ts.FindSessions(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		trainees, err := ts.FindTrainees(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(sessions) == 0 && len(trainees) == 0 {
			continue
		}
		withRecords++
		if requests[j.RequestID].Category != cordon.CatTraining || j.PartnerID == nil || *j.PartnerID != w.Orgs["hefei"] || !j.Status.Active() {
			t.Errorf("job %d (%s, %s) has training records", j.ID, requests[j.RequestID].Category, j.Status)
		}
		var hours float64
		for _, s := range sessions {
			hours += s.Hours
			if s.HeldOn.After(now) || s.Topics == "" || s.RecordedBy != w.Users["hefei.tech"] {
				t.Errorf("session %+v", s)
			}
		}
		if len(sessions) != 2 || hours != 5.5 {
			t.Errorf("job %d: %d sessions, %v hours; want 2 and 5.5", j.ID, len(sessions), hours)
		}
		var passed, certified []string
		for _, x := range trainees {
			if x.Name == "" || x.Passed == nil || x.Score == nil || x.AssessedAt == nil || x.AssessedAt.After(now) {
				t.Errorf("trainee %+v: want a name and an assessment", x)
				continue
			}
			if *x.Passed {
				passed = append(passed, x.Name)
			}
			if c := x.Certificate; c != nil {
				certified = append(certified, x.Name+" "+c.Number)
				if c.IssuedBy != w.Users["quality"] {
					t.Errorf("certificate %s issued by %d", c.Number, c.IssuedBy)
				}
			}
		}
		year := now.In(cordon.ChinaTime).Year()
		if diff := cmp.Diff([]string{"王建国", "李晓明"}, passed); diff != "" {
			t.Errorf("passed (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"王建国 " + cordon.CertificateNumber(year, 1)}, certified); diff != "" {
			t.Errorf("certified (-want +got):\n%s", diff)
		}
		if w.Trainees != len(trainees) {
			t.Errorf("World.Trainees = %d, stored %d", w.Trainees, len(trainees))
		}
	}
	if withRecords != 1 {
		t.Errorf("%d jobs carry training records, want the one partner training job", withRecords)
	}
}
