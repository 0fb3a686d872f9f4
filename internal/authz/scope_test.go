package authz

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/policies"
)

const (
	hefei int64 = 11
	wuhan int64 = 22
	xian  int64 = 33 // a partner with no active contract
)

// hefeiGrants: two cities, two lines, three service types; documents up to
// internal; customer site disclosed.
func hefeiGrants() []cordon.Grant {
	base := cordon.Grant{
		PartnerID: hefei, PartnerCode: "hefei", ContractID: 1, ContractNo: "HF-2024-001",
		Cities: []string{"Wuhu", "Hefei"}, ProductLines: []string{"radar", "comms"},
		ServiceTypes: []cordon.Category{cordon.CatFault, cordon.CatMaintenance, cordon.CatInstallation},
	}
	var gs []cordon.Grant
	for _, act := range []string{cordon.ActView, cordon.ActAccept, cordon.ActDecline, cordon.ActReport} {
		g := base
		g.Resource, g.Action, g.Clause = cordon.ResJob, act, "§3.1"
		gs = append(gs, g)
	}
	disc := base
	disc.Resource, disc.Action, disc.Clause, disc.Disclosure = cordon.ResCustomer, cordon.ActDisclose, "§6.1", cordon.DiscloseSite
	gs = append(gs, disc)
	for _, act := range []string{cordon.ActView, cordon.ActDownload} {
		g := base
		g.Resource, g.Action, g.Clause, g.Ceiling = cordon.ResDocument, act, "§5.2", cordon.ClassInternal
		g.Cities, g.ServiceTypes = nil, nil
		g.ProductLines = []string{"radar"}
		gs = append(gs, g)
	}
	return gs
}

// wuhanGrants: one city, one line; documents up to restricted; only the
// customer's city disclosed; plus a second contract for training in Wuhan
// on radar.
func wuhanGrants() []cordon.Grant {
	base := cordon.Grant{
		PartnerID: wuhan, PartnerCode: "wuhan", ContractID: 2, ContractNo: "WH-2024-007",
		Cities: []string{"Wuhan"}, ProductLines: []string{"comms"},
		ServiceTypes: []cordon.Category{cordon.CatFault, cordon.CatRepair},
	}
	job := base
	job.Resource, job.Action, job.Clause = cordon.ResJob, cordon.ActView, "§2.1"
	accept := job
	accept.Action = cordon.ActAccept
	disc := base
	disc.Resource, disc.Action, disc.Clause, disc.Disclosure = cordon.ResCustomer, cordon.ActDisclose, "§4.3", cordon.DiscloseCity
	doc := base
	doc.Resource, doc.Action, doc.Clause, doc.Ceiling = cordon.ResDocument, cordon.ActDownload, "§5.1", cordon.ClassRestricted
	doc.Cities, doc.ServiceTypes = nil, nil
	training := job
	training.ContractID, training.ContractNo, training.Clause = 3, "WH-2025-002", "§1.2"
	training.ProductLines, training.ServiceTypes = []string{"radar"}, []cordon.Category{cordon.CatTraining}
	return []cordon.Grant{job, accept, disc, doc, training}
}

func newScope(t testing.TB, opts ...ScopeOption) *ScopeEnforcer {
	t.Helper()
	s, err := NewScopeEnforcer(policies.FS, opts...)
	if err != nil {
		t.Fatalf("NewScopeEnforcer: %v", err)
	}
	if err := s.Load(append(hefeiGrants(), wuhanGrants()...)); err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

func jobQ(p int64, act, city, line string, cat cordon.Category) Query {
	return Query{PartnerID: p, Resource: cordon.ResJob, Action: act, City: city, ProductLine: line, Category: cat}
}

func custQ(p int64, city string, l cordon.DisclosureLevel) Query {
	return Query{PartnerID: p, Resource: cordon.ResCustomer, Action: cordon.ActDisclose, City: city, Disclosure: l}
}

func docQ(p int64, act, line string, c cordon.Classification) Query {
	return Query{PartnerID: p, Resource: cordon.ResDocument, Action: act, ProductLine: line, Classification: c}
}

func allowed(contract, clause string) cordon.Decided {
	return cordon.Decided{Allowed: true, ContractNo: contract, Clause: clause}
}

var denied = cordon.Decided{}

func TestDecide(t *testing.T) {
	tests := []struct {
		name string
		q    Query
		want cordon.Decided
	}{
		// hefei
		{"hefei job view in Hefei", jobQ(hefei, "view", "Hefei", "radar", cordon.CatFault), allowed("HF-2024-001", "§3.1")},
		{"hefei job accept in Wuhu", jobQ(hefei, "accept", "Wuhu", "comms", cordon.CatInstallation), allowed("HF-2024-001", "§3.1")},
		{"hefei job report", jobQ(hefei, "report", "Hefei", "comms", cordon.CatMaintenance), allowed("HF-2024-001", "§3.1")},
		{"hefei job outside city", jobQ(hefei, "view", "Wuhan", "radar", cordon.CatFault), denied},
		{"hefei job outside line", jobQ(hefei, "view", "Hefei", "sonar", cordon.CatFault), denied},
		{"hefei job outside type", jobQ(hefei, "view", "Hefei", "radar", cordon.CatTraining), denied},
		{"hefei job action not granted", jobQ(hefei, "assign", "Hefei", "radar", cordon.CatFault), denied},
		{"hefei job update not granted", jobQ(hefei, "update", "Hefei", "radar", cordon.CatFault), denied},
		{"hefei city is case-sensitive", jobQ(hefei, "view", "hefei", "radar", cordon.CatFault), denied},
		{"hefei disclose site", custQ(hefei, "Hefei", cordon.DiscloseSite), allowed("HF-2024-001", "§6.1")},
		{"hefei disclose city", custQ(hefei, "Wuhu", cordon.DiscloseCity), allowed("HF-2024-001", "§6.1")},
		{"hefei disclose beyond site", custQ(hefei, "Hefei", cordon.DiscloseSiteContact), denied},
		{"hefei disclose outside city", custQ(hefei, "Wuhan", cordon.DiscloseCity), denied},
		{"hefei disclose unknown level", custQ(hefei, "Hefei", "everything"), denied},
		{"hefei doc public", docQ(hefei, "download", "radar", cordon.ClassPublic), allowed("HF-2024-001", "§5.2")},
		{"hefei doc at ceiling", docQ(hefei, "view", "radar", cordon.ClassInternal), allowed("HF-2024-001", "§5.2")},
		{"hefei doc above ceiling", docQ(hefei, "download", "radar", cordon.ClassRestricted), denied},
		{"hefei doc confidential", docQ(hefei, "download", "radar", cordon.ClassConfidential), denied},
		{"hefei doc unknown class", docQ(hefei, "download", "radar", "secret"), denied},
		{"hefei doc outside line", docQ(hefei, "download", "comms", cordon.ClassPublic), denied},
		{"hefei doc naming a city the grant lacks", func() Query {
			q := docQ(hefei, "download", "radar", cordon.ClassPublic)
			q.City = "Hefei"
			return q
		}(), denied},
		// wuhan
		{"wuhan job view", jobQ(wuhan, "view", "Wuhan", "comms", cordon.CatRepair), allowed("WH-2024-007", "§2.1")},
		{"wuhan job accept", jobQ(wuhan, "accept", "Wuhan", "comms", cordon.CatFault), allowed("WH-2024-007", "§2.1")},
		{"wuhan training under 2nd contract", jobQ(wuhan, "view", "Wuhan", "radar", cordon.CatTraining), allowed("WH-2025-002", "§1.2")},
		{"wuhan no mixing across grants", jobQ(wuhan, "view", "Wuhan", "radar", cordon.CatFault), denied},
		{"wuhan training not accept", jobQ(wuhan, "accept", "Wuhan", "radar", cordon.CatTraining), denied},
		{"wuhan job report not granted", jobQ(wuhan, "report", "Wuhan", "comms", cordon.CatFault), denied},
		{"wuhan disclose city", custQ(wuhan, "Wuhan", cordon.DiscloseCity), allowed("WH-2024-007", "§4.3")},
		{"wuhan disclose site", custQ(wuhan, "Wuhan", cordon.DiscloseSite), denied},
		{"wuhan disclose none", custQ(wuhan, "Wuhan", cordon.DiscloseNone), allowed("WH-2024-007", "§4.3")},
		{"wuhan doc restricted", docQ(wuhan, "download", "comms", cordon.ClassRestricted), allowed("WH-2024-007", "§5.1")},
		{"wuhan doc confidential", docQ(wuhan, "download", "comms", cordon.ClassConfidential), denied},
		{"wuhan doc view not granted", docQ(wuhan, "view", "comms", cordon.ClassPublic), denied},
		// another partner's grants never apply
		{"hefei asks for Wuhan job", jobQ(hefei, "view", "Wuhan", "comms", cordon.CatRepair), denied},
		{"hefei asks for restricted comms doc", docQ(hefei, "download", "comms", cordon.ClassRestricted), denied},
		{"wuhan asks for Hefei job", jobQ(wuhan, "view", "Hefei", "radar", cordon.CatFault), denied},
		{"wuhan asks for site disclosure in Hefei", custQ(wuhan, "Hefei", cordon.DiscloseSite), denied},
		// no shard
		{"partner without grants", jobQ(xian, "view", "Xian", "radar", cordon.CatFault), denied},
		{"partner zero", jobQ(0, "view", "Hefei", "radar", cordon.CatFault), denied},
		{"unknown resource", Query{PartnerID: hefei, Resource: "contract", Action: "view"}, denied},
		// values that try to cross set delimiters
		{"city spanning two members", jobQ(hefei, "view", "Hefei|Wuhu", "radar", cordon.CatFault), denied},
		{"city with delimiters", jobQ(hefei, "view", "|Hefei|", "radar", cordon.CatFault), denied},
		{"line spanning", jobQ(hefei, "view", "Hefei", "comms|radar", cordon.CatFault), denied},
	}
	for _, cached := range []bool{false, true} {
		var opts []ScopeOption
		if !cached {
			opts = append(opts, WithDecisionCache(0))
		}
		s := newScope(t, opts...)
		for _, tt := range tests {
			t.Run(fmt.Sprintf("cache=%v/%s", cached, tt.name), func(t *testing.T) {
				for i := 0; i < 2; i++ { // the second time from the cache, if any
					got, err := s.Decide(tt.q)
					if err != nil {
						t.Fatalf("Decide(%+v): %v", tt.q, err)
					}
					if diff := cmp.Diff(tt.want, got); diff != "" {
						t.Errorf("Decide(%+v) #%d mismatch (-want +got):\n%s", tt.q, i, diff)
					}
				}
			})
		}
	}
}

func TestDecideMissingField(t *testing.T) {
	s := newScope(t)
	tests := []struct {
		name string
		q    Query
		want string
	}{
		{"job without city", jobQ(hefei, "view", "", "radar", cordon.CatFault), "City"},
		{"job without line", jobQ(hefei, "view", "Hefei", "", cordon.CatFault), "ProductLine"},
		{"job without category", jobQ(hefei, "view", "Hefei", "radar", ""), "Category"},
		{"customer without city", custQ(hefei, "", cordon.DiscloseSite), "City"},
		{"customer without level", custQ(hefei, "Hefei", ""), "Disclosure"},
		{"document without line", docQ(hefei, "download", "", cordon.ClassPublic), "ProductLine"},
		{"document without class", docQ(hefei, "download", "radar", ""), "Classification"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Decide(tt.q)
			if err == nil || !strings.Contains(err.Error(), "lacks "+tt.want) {
				t.Errorf("Decide(%+v) error = %v, want one saying it lacks %s", tt.q, err, tt.want)
			}
			if got.Allowed {
				t.Errorf("Decide(%+v) allowed, want denied", tt.q)
			}
		})
	}
}

func TestSetPartner(t *testing.T) {
	s := newScope(t)
	inHefei := jobQ(hefei, "view", "Hefei", "radar", cordon.CatFault)
	inWuhu := jobQ(hefei, "view", "Wuhu", "radar", cordon.CatFault)
	inWuhan := jobQ(wuhan, "view", "Wuhan", "comms", cordon.CatFault)
	decide := func(q Query) cordon.Decided {
		t.Helper()
		d, err := s.Decide(q)
		if err != nil {
			t.Fatalf("Decide(%+v): %v", q, err)
		}
		return d
	}
	// Warm the cache with the old answers.
	if d := decide(inWuhu); !d.Allowed {
		t.Fatalf("before: Decide(inWuhu) = %+v, want allowed", d)
	}
	gen := s.Generation()

	// The contract is amended: Hefei only, under a new clause.
	narrow := cordon.Grant{
		PartnerID: hefei, ContractNo: "HF-2024-001", Clause: "§3.1a", Resource: cordon.ResJob, Action: cordon.ActView,
		Cities: []string{"Hefei"}, ProductLines: []string{"radar"}, ServiceTypes: []cordon.Category{cordon.CatFault},
	}
	if err := s.SetPartner(hefei, []cordon.Grant{narrow}); err != nil {
		t.Fatalf("SetPartner: %v", err)
	}
	if got := s.Generation(); got <= gen {
		t.Errorf("Generation() = %d after SetPartner, want > %d", got, gen)
	}
	tests := []struct {
		name string
		q    Query
		want cordon.Decided
	}{
		{"kept city, new clause", inHefei, allowed("HF-2024-001", "§3.1a")},
		{"dropped city", inWuhu, denied},
		{"dropped action", jobQ(hefei, "accept", "Hefei", "radar", cordon.CatFault), denied},
		{"dropped disclosure", custQ(hefei, "Hefei", cordon.DiscloseCity), denied},
		{"other partner untouched", inWuhan, allowed("WH-2024-007", "§2.1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, decide(tt.q)); diff != "" {
				t.Errorf("Decide(%+v) mismatch (-want +got):\n%s", tt.q, diff)
			}
		})
	}

	// The contract ends: no grants left.
	if err := s.SetPartner(hefei, nil); err != nil {
		t.Fatalf("SetPartner(nil): %v", err)
	}
	if d := decide(inHefei); d.Allowed {
		t.Errorf("after termination: Decide(inHefei) = %+v, want denied", d)
	}
	if rows := s.Rows(hefei); rows != nil {
		t.Errorf("after termination: Rows(hefei) = %v, want none", rows)
	}
	if d := decide(inWuhan); !d.Allowed {
		t.Errorf("after hefei's termination: Decide(inWuhan) = %+v, want allowed", d)
	}

	// A new contract for a partner that had none.
	xianGrant := narrow
	xianGrant.PartnerID, xianGrant.ContractNo, xianGrant.Cities = xian, "XA-2025-001", []string{"Xian"}
	if err := s.SetPartner(xian, []cordon.Grant{xianGrant}); err != nil {
		t.Fatalf("SetPartner(xian): %v", err)
	}
	if diff := cmp.Diff(allowed("XA-2025-001", "§3.1a"), decide(jobQ(xian, "view", "Xian", "radar", cordon.CatFault))); diff != "" {
		t.Errorf("new partner mismatch (-want +got):\n%s", diff)
	}
}

func TestSetPartnerRejectsOtherPartnersGrants(t *testing.T) {
	s := newScope(t)
	err := s.SetPartner(hefei, wuhanGrants())
	if err == nil || !strings.Contains(err.Error(), "not partner 11") {
		t.Fatalf("SetPartner(hefei, wuhan's grants) error = %v, want 'not partner 11'", err)
	}
	if d, _ := s.Decide(jobQ(hefei, "view", "Wuhan", "comms", cordon.CatFault)); d.Allowed {
		t.Errorf("hefei got wuhan's grant: %+v", d)
	}
	if d, _ := s.Decide(jobQ(hefei, "view", "Hefei", "radar", cordon.CatFault)); d.Allowed {
		t.Errorf("hefei kept its old grants after SetPartner: %+v", d)
	}
}

func TestLoadReplacesAll(t *testing.T) {
	s := newScope(t)
	if err := s.Load(wuhanGrants()); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if d, _ := s.Decide(jobQ(hefei, "view", "Hefei", "radar", cordon.CatFault)); d.Allowed {
		t.Errorf("hefei kept grants after a Load without them: %+v", d)
	}
	if d, _ := s.Decide(jobQ(wuhan, "view", "Wuhan", "comms", cordon.CatFault)); !d.Allowed {
		t.Errorf("wuhan lost grants after Load: %+v", d)
	}
	if err := s.Load(nil); err != nil {
		t.Fatalf("Load(nil): %v", err)
	}
	if d, _ := s.Decide(jobQ(wuhan, "view", "Wuhan", "comms", cordon.CatFault)); d.Allowed {
		t.Errorf("wuhan allowed after Load(nil): %+v", d)
	}
}

func TestLoadInvalidGrants(t *testing.T) {
	good := hefeiGrants()[0]
	bad := func(f func(*cordon.Grant)) cordon.Grant {
		g := cloneGrant(good)
		f(&g)
		return g
	}
	tests := []struct {
		name    string
		g       cordon.Grant
		wantErr string
	}{
		{"no partner", bad(func(g *cordon.Grant) { g.PartnerID = 0 }), "no partner"},
		{"unknown resource", bad(func(g *cordon.Grant) { g.Resource = "jobs" }), "unknown resource"},
		{"unknown action", bad(func(g *cordon.Grant) { g.Action = "*" }), "unknown action"},
		{"no clause", bad(func(g *cordon.Grant) { g.Clause = "" }), "no contract number or clause"},
		{"no contract", bad(func(g *cordon.Grant) { g.ContractNo = "" }), "no contract number or clause"},
		{"bad ceiling", bad(func(g *cordon.Grant) { g.Ceiling = "secret" }), "unknown classification"},
		{"bad disclosure", bad(func(g *cordon.Grant) { g.Disclosure = "all" }), "unknown disclosure level"},
		{"delimiter in city", bad(func(g *cordon.Grant) { g.Cities = []string{"Hefei|Wuhan"} }), "bad city"},
		{"empty city", bad(func(g *cordon.Grant) { g.Cities = []string{""} }), "bad city"},
		{"delimiter in line", bad(func(g *cordon.Grant) { g.ProductLines = []string{"a|b"} }), "bad product line"},
		{"bad type", bad(func(g *cordon.Grant) { g.ServiceTypes = []cordon.Category{"party"} }), "unknown service type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScope(t)
			other := wuhanGrants()[0]
			err := s.Load([]cordon.Grant{tt.g, other})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Load error = %v, want one containing %q", err, tt.wantErr)
			}
			// The bad grant grants nothing; the good one is in force.
			if d, _ := s.Decide(jobQ(hefei, "view", "Hefei", "radar", cordon.CatFault)); d.Allowed {
				t.Errorf("invalid grant allowed %+v", d)
			}
			if d, _ := s.Decide(jobQ(wuhan, "view", "Wuhan", "comms", cordon.CatFault)); !d.Allowed {
				t.Errorf("valid grant beside an invalid one denied")
			}
		})
	}
}

func TestRows(t *testing.T) {
	s := newScope(t)
	want := [][]string{
		{"22", "customer", "disclose", "|Wuhan|", "|comms|", "|fault|repair|", "", "city", "WH-2024-007", "§4.3"},
		{"22", "document", "download", "", "|comms|", "", "restricted", "", "WH-2024-007", "§5.1"},
		{"22", "job", "accept", "|Wuhan|", "|comms|", "|fault|repair|", "", "", "WH-2024-007", "§2.1"},
		{"22", "job", "view", "|Wuhan|", "|comms|", "|fault|repair|", "", "", "WH-2024-007", "§2.1"},
		{"22", "job", "view", "|Wuhan|", "|radar|", "|training|", "", "", "WH-2025-002", "§1.2"},
	}
	got := s.Rows(wuhan)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Rows(wuhan) mismatch (-want +got):\n%s", diff)
	}
	got[0][0] = "11"
	if diff := cmp.Diff(want, s.Rows(wuhan)); diff != "" {
		t.Errorf("Rows shares storage with the enforcer (-want +got):\n%s", diff)
	}
	if got := s.Rows(xian); got != nil {
		t.Errorf("Rows(xian) = %v, want nil", got)
	}
	// Sets are sorted and deduplicated whatever the input order.
	hefeiRow := s.Rows(hefei)[0]
	if diff := cmp.Diff([]string{"|Hefei|Wuhu|", "|comms|radar|", "|fault|installation|maintenance|"}, hefeiRow[3:6]); diff != "" {
		t.Errorf("Rows(hefei)[0] sets mismatch (-want +got):\n%s", diff)
	}
}

func TestGrants(t *testing.T) {
	s := newScope(t)
	got := s.Grants(wuhan, cordon.ResJob, cordon.ActView)
	want := []cordon.Grant{
		{
			PartnerID: wuhan, PartnerCode: "wuhan", ContractID: 2, ContractNo: "WH-2024-007", Clause: "§2.1",
			Resource: cordon.ResJob, Action: cordon.ActView, Cities: []string{"Wuhan"}, ProductLines: []string{"comms"},
			ServiceTypes: []cordon.Category{cordon.CatFault, cordon.CatRepair},
		},
		{
			PartnerID: wuhan, PartnerCode: "wuhan", ContractID: 3, ContractNo: "WH-2025-002", Clause: "§1.2",
			Resource: cordon.ResJob, Action: cordon.ActView, Cities: []string{"Wuhan"}, ProductLines: []string{"radar"},
			ServiceTypes: []cordon.Category{cordon.CatTraining},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Grants(wuhan, job, view) mismatch (-want +got):\n%s", diff)
	}
	got[0].Cities[0] = "Hefei"
	if diff := cmp.Diff(want, s.Grants(wuhan, cordon.ResJob, cordon.ActView)); diff != "" {
		t.Errorf("Grants shares storage with the enforcer (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		name     string
		partner  int64
		res, act string
	}{
		{"no such action", wuhan, cordon.ResJob, cordon.ActDecline},
		{"no shard", xian, cordon.ResJob, cordon.ActView},
		{"other partner's resource", hefei, cordon.ResContract, cordon.ActView},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.Grants(tt.partner, tt.res, tt.act); len(got) != 0 {
				t.Errorf("Grants(%d, %s, %s) = %v, want none", tt.partner, tt.res, tt.act, got)
			}
		})
	}
}

func TestDuplicateGrantsKeepOneRow(t *testing.T) {
	s := newScope(t)
	g := wuhanGrants()[0]
	if err := s.SetPartner(wuhan, []cordon.Grant{g, g}); err != nil {
		t.Fatalf("SetPartner: %v", err)
	}
	if n := len(s.Rows(wuhan)); n != 1 {
		t.Errorf("Rows(wuhan) has %d rows, want 1", n)
	}
	if n := len(s.Grants(wuhan, g.Resource, g.Action)); n != 1 {
		t.Errorf("Grants(wuhan) has %d grants, want 1", n)
	}
}

// Decisions running while the rules are replaced: run with -race.
func TestDecideDuringLoad(t *testing.T) {
	s := newScope(t)
	q := jobQ(wuhan, "view", "Wuhan", "comms", cordon.CatFault)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				d, err := s.Decide(q)
				if err != nil {
					errs <- err
					return
				}
				// Every generation loaded below allows q, under one of two clauses.
				if !d.Allowed || (d.Clause != "§2.1" && d.Clause != "§2.9") {
					errs <- fmt.Errorf("Decide = %+v, want allowed under §2.1 or §2.9", d)
					return
				}
				_ = s.Rows(wuhan)
				_ = s.Grants(wuhan, cordon.ResJob, cordon.ActView)
			}
		}()
	}
	alt := wuhanGrants()
	alt[0].Clause = "§2.9"
	for i := 0; i < 50; i++ {
		gs := append(hefeiGrants(), wuhanGrants()...)
		if i%2 == 1 {
			gs = append(hefeiGrants(), alt...)
		}
		if err := s.Load(gs); err != nil {
			t.Errorf("Load: %v", err)
		}
		if err := s.SetPartner(hefei, hefeiGrants()[:i%4+1]); err != nil {
			t.Errorf("SetPartner: %v", err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestCacheBounded(t *testing.T) {
	s := newScope(t, WithDecisionCache(3))
	for i := 0; i < 10; i++ {
		q := jobQ(hefei, "view", fmt.Sprintf("City%d", i), "radar", cordon.CatFault)
		if d, err := s.Decide(q); err != nil || d.Allowed {
			t.Fatalf("Decide(%+v) = %+v, %v; want denied", q, d, err)
		}
	}
	sh := s.state.Load().shards[hefei]
	if n := sh.cache.n.Load(); n != 3 {
		t.Errorf("cache holds %d decisions, want 3", n)
	}
}

func TestNewScopeEnforcerRejects(t *testing.T) {
	conf, err := policies.FS.ReadFile("scope.conf")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		edit    func(string) string
		wantErr string
	}{
		{"no city check", func(s string) string {
			return strings.Replace(s, "setContains(p.cities, r.city) && ", "", 1)
		}, "probe"},
		{"no partner check", func(s string) string {
			return strings.Replace(s, "r.partner == p.partner && ", "", 1)
		}, "another partner"},
		{"ceiling reversed", func(s string) string {
			return strings.Replace(s, "classAtMost(r.class, p.ceiling)", "classAtMost(p.ceiling, r.class)", 1)
		}, "probe"},
		{"fields reordered", func(s string) string {
			return strings.Replace(s, "p = partner, resource, action, cities, lines", "p = partner, resource, action, lines, cities", 1)
		}, "want p = partner"},
		{"missing file", func(string) string { return "" }, "scope.conf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			if text := tt.edit(string(conf)); text != "" {
				fsys["scope.conf"] = &fstest.MapFile{Data: []byte(text)}
			}
			_, err := NewScopeEnforcer(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("NewScopeEnforcer error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestSetHas(t *testing.T) {
	tests := []struct {
		set, v string
		want   bool
	}{
		{"|Hefei|Wuhu|", "Hefei", true},
		{"|Hefei|Wuhu|", "Wuhu", true},
		{"|Hefei|Wuhu|", "Wuh", false},
		{"|Hefei|Wuhu|", "efei", false},
		{"|Hefei|Wuhu|", "Hefei|Wuhu", false},
		{"|Hefei|Wuhu|", "", false},
		{"", "Hefei", false},
		{"|", "Hefei", false},
		{"Hefei", "Hefei", false},
	}
	for _, tt := range tests {
		t.Run(tt.set+"/"+tt.v, func(t *testing.T) {
			if got := setHas(tt.set, tt.v); got != tt.want {
				t.Errorf("setHas(%q, %q) = %v, want %v", tt.set, tt.v, got, tt.want)
			}
		})
	}
}

// The cache must not keep a caller's strings: Fiber reuses their bytes.
func TestCacheCopiesKeys(t *testing.T) {
	s := newScope(t)
	buf := []byte("Hefei")
	q := jobQ(hefei, "view", unsafe.String(&buf[0], len(buf)), "radar", cordon.CatFault)
	if d, err := s.Decide(q); err != nil || !d.Allowed {
		t.Fatalf("Decide(%+v) = %+v, %v; want allowed", q, d, err)
	}
	copy(buf, "Wuhan")
	var cities []string
	s.state.Load().shards[hefei].cache.m.Range(func(k, _ any) bool {
		cities = append(cities, k.(Query).City)
		return true
	})
	if diff := cmp.Diff([]string{"Hefei"}, cities); diff != "" {
		t.Errorf("cached keys changed with the caller's buffer (-want +got):\n%s", diff)
	}
}
