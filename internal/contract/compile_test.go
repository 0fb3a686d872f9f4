package contract

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
)

// hefeiGrants are the grants of hefei.yaml (contract 7 of partner 3).
func hefeiGrants() []cordon.Grant {
	base := cordon.Grant{PartnerID: 3, PartnerCode: "hefei", ContractID: 7, ContractNo: "HF-2026-001"}
	cities, lines := []string{"Hefei", "Wuhu"}, []string{"radar", "comms"}
	var out []cordon.Grant
	for _, act := range []string{"view", "accept", "decline", "update"} {
		g := base
		g.Clause, g.Resource, g.Action = "§3.1", "job", act
		g.Cities, g.ProductLines, g.ServiceTypes = cities, lines, cordon.Categories
		out = append(out, g)
	}
	g := base
	g.Clause, g.Resource, g.Action = "§4.2", "customer", "disclose"
	g.Cities, g.ProductLines, g.Disclosure = cities, lines, cordon.DiscloseSiteContact
	out = append(out, g)
	for _, act := range []string{"list", "view", "download"} {
		g := base
		g.Clause, g.Resource, g.Action = "§5.1", "document", act
		g.ProductLines, g.Ceiling = lines, cordon.ClassInternal
		out = append(out, g)
	}
	return out
}

func TestCompile(t *testing.T) {
	parsed := func(edit func(c *cordon.Contract)) *cordon.Contract {
		c, _, problems := Parse("hefei.yaml", example(t, "hefei.yaml"), testCatalog{})
		if len(problems) > 0 {
			t.Fatalf("Parse: %q", problems)
		}
		c.ID, c.PartnerID = 7, 3
		if edit != nil {
			edit(c)
		}
		return c
	}
	tests := []struct {
		name string
		c    *cordon.Contract
		at   string
		want []cordon.Grant
	}{
		{"active, inside its period", parsed(nil), "2026-06-15", hefeiGrants()},
		{"on its first day", parsed(nil), "2026-01-01", hefeiGrants()},
		{"on its last day", parsed(nil), "2027-12-31", hefeiGrants()},
		{"before it starts", parsed(nil), "2025-12-31", nil},
		{"after it expires", parsed(nil), "2028-01-01", nil},
		{"expired", parsed(func(c *cordon.Contract) { c.Status = cordon.ContractExpired }), "2026-06-15", nil},
		{"suspended", parsed(func(c *cordon.Contract) { c.Status = cordon.ContractSuspended }), "2026-06-15", nil},
		{"draft", parsed(func(c *cordon.Contract) { c.Status = cordon.ContractDraft }), "2026-06-15", nil},
		{"terminated", parsed(func(c *cordon.Contract) { c.Status = cordon.ContractTerminated }), "2026-06-15", nil},
		{"no disclosure, no customer grant", parsed(func(c *cordon.Contract) { c.Scope.Disclosure = cordon.DiscloseNone }), "2026-06-15",
			append(hefeiGrants()[:4:4], hefeiGrants()[5:]...)},
		{"nil", nil, "2026-06-15", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := day(tt.at).Add(12 * time.Hour) // noon
			got := Compile(tt.c, "hefei", at)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("grants (-want +got):\n%s", diff)
			}
			if len(got) > 10 {
				t.Errorf("got %d grants, want at most 10 per contract", len(got))
			}
		})
	}
}

func TestCompileCopies(t *testing.T) {
	c := hefei()
	grants := Compile(c, "hefei", day("2026-06-15"))
	grants[0].Cities[0] = "Nowhere"
	grants[0].ServiceTypes[0] = "nothing"
	if c.Scope.Cities[0] != "Hefei" || c.Scope.ServiceTypes[0] != cordon.CatFault {
		t.Errorf("changing a grant changed the contract: %v, %v", c.Scope.Cities, c.Scope.ServiceTypes)
	}
}

func TestDescribe(t *testing.T) {
	g := hefeiGrants()
	wuhanJob := cordon.Grant{ContractNo: "WH-2026-001", Clause: "§3.1", Resource: "job", Action: "accept",
		Cities: []string{"Wuhan"}, ProductLines: []string{"comms"}, ServiceTypes: []cordon.Category{"repair", "follow_up"}}
	wuhanCustomer := cordon.Grant{ContractNo: "WH-2026-001", Clause: "§4.2", Resource: "customer", Action: "disclose",
		Cities: []string{"Wuhan"}, ProductLines: []string{"comms"}, Disclosure: cordon.DiscloseCity}
	tests := []struct {
		name string
		g    cordon.Grant
		lang string
		want string
	}{
		{"job en", g[0], "en", "HF-2026-001 §3.1: may view jobs of every service type for radar, comms in Hefei, Wuhu"},
		{"job some types en", wuhanJob, "en-GB", "WH-2026-001 §3.1: may accept repair, follow-up jobs for comms in Wuhan"},
		{"customer en", g[4], "en", "HF-2026-001 §4.2: may see the customer's name, site address and contact person for its jobs for radar, comms in Hefei, Wuhu"},
		{"customer city en", wuhanCustomer, "en", "WH-2026-001 §4.2: may see the customer's city for its jobs for comms in Wuhan"},
		{"document en", g[7], "en", "HF-2026-001 §5.1: may download documents of radar, comms up to internal"},
		{"job zh", g[0], "zh-CN", "HF-2026-001 §3.1：可查看Hefei、Wuhu的 radar、comms 产品线各类工单"},
		{"job some types zh", wuhanJob, "", "WH-2026-001 §3.1：可接受Wuhan的 comms 产品线维修、回访工单"},
		{"customer zh", g[4], "", "HF-2026-001 §4.2：在Hefei、Wuhu的 radar、comms 产品线工单中，可查看客户名称、现场地址和联系人"},
		{"document zh", g[7], "zh", "HF-2026-001 §5.1：可下载 radar、comms 产品线密级不高于「内部」的技术文档"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Describe(tt.g, tt.lang); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	for _, name := range []string{"hefei.yaml", "wuhan.yaml", "xian.yaml"} {
		t.Run(name, func(t *testing.T) {
			want, partner, problems := Parse(name, example(t, name), testCatalog{})
			if len(problems) > 0 {
				t.Fatalf("Parse: %q", problems)
			}
			out, err := Marshal(want, partner)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			got, gotPartner, problems := Parse("exported.yaml", out, testCatalog{})
			if len(problems) > 0 {
				t.Fatalf("Parse(Marshal): %q\n%s", problems, out)
			}
			if gotPartner != partner {
				t.Errorf("partner: got %q, want %q", gotPartner, partner)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
			// A second export is byte for byte the first.
			again, err := Marshal(got, gotPartner)
			if err != nil {
				t.Fatalf("Marshal again: %v", err)
			}
			if !bytes.Equal(out, again) {
				t.Errorf("second export differs:\n%s\nthen\n%s", out, again)
			}
		})
	}
}

func TestMarshal(t *testing.T) {
	c := hefei()
	c.Scope.ServiceTypes = []cordon.Category{cordon.CatFault, cordon.CatRepair}
	c.SLA = map[cordon.Priority]cordon.SLATerms{
		cordon.P1: {Accept: 30 * time.Minute, Respond: time.Hour, OnSite: 4 * time.Hour, Resolve: 24 * time.Hour},
	}
	c.Clauses = cordon.Clauses{"liability": "§9.2 Liability", "sla": "§6.1 Service levels", "documents": "§5.1 Technical documents",
		"customers": "§4.2 Customer identity disclosure", "jobs": "§3.1 Territory"}
	got, err := Marshal(c, "hefei")
	if err != nil {
		t.Fatal(err)
	}
	want := `number: HF-2026-001
partner: hefei
effective: 2026-01-01
expires: 2027-12-31
status: active
scope:
  cities: [Hefei, Wuhu]
  product_lines: [radar, comms]
  service_types: [fault, repair]
  document_ceiling: internal
  disclosure:
    level: site_contact
    grace_hours: 72
sla:
  P1: {accept: 30m, respond: 1h, on_site: 4h, resolve: 24h}
clauses:
  jobs: "§3.1 Territory"
  customers: "§4.2 Customer identity disclosure"
  documents: "§5.1 Technical documents"
  sla: "§6.1 Service levels"
  liability: "§9.2 Liability"
incentives:
  penalties:
    jobs: {incident: lapsed_offer, points: 1, amount_per_point: 200}
    sla: {incident: sla_breach, points: 2, amount_per_point: 500}
    liability: {incident: complaint, points: 3, amount_per_point: 1000}
  reward:
    amount: 20000
    min_score: 0.75
    max_points: 5
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := Marshal(nil, "hefei"); err == nil {
		t.Error("Marshal(nil): got no error")
	}
}
