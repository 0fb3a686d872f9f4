package contract

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/contracts"
	"github.com/cordon/cordon/internal/cordon"
)

// testCatalog knows the partners, cities and product lines of the examples.
type testCatalog struct{}

func (testCatalog) KnownPartner(code string) bool {
	return code == "hefei" || code == "wuhan" || code == "xian"
}

func (testCatalog) KnownCity(name string) bool {
	return name == "Hefei" || name == "Wuhu" || name == "Wuhan" || name == "Xi'an"
}

func (testCatalog) KnownProductLine(code string) bool { return code == "radar" || code == "comms" }

// example reads an embedded example contract.
func example(t testing.TB, name string) []byte {
	t.Helper()
	src, err := fs.ReadFile(contracts.FS(), path.Join(contracts.ExamplesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// day is midnight at the start of a contract date.
func day(s string) time.Time {
	t, err := parseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

// standardSLA is the SLA of all three examples.
var standardSLA = map[cordon.Priority]cordon.SLATerms{
	cordon.P1: {Accept: 30 * time.Minute, Respond: time.Hour, OnSite: 4 * time.Hour, Resolve: 24 * time.Hour},
	cordon.P2: {Accept: time.Hour, Respond: 4 * time.Hour, OnSite: 12 * time.Hour, Resolve: 72 * time.Hour},
	cordon.P3: {Accept: 4 * time.Hour, Respond: 12 * time.Hour, OnSite: 48 * time.Hour, Resolve: 168 * time.Hour},
	cordon.P4: {Accept: 24 * time.Hour, Respond: 48 * time.Hour, OnSite: 120 * time.Hour, Resolve: 336 * time.Hour},
}

var standardClauses = cordon.Clauses{
	"jobs":      "§3.1 Service territory and product lines",
	"customers": "§4.2 Customer identity disclosure",
	"documents": "§5.1 Technical documents",
	"sla":       "§6.1 Service levels",
}

func withClause(cl cordon.Clauses, k, v string) cordon.Clauses {
	out := cordon.Clauses{k: v}
	for k, v := range cl {
		out[k] = v
	}
	return out
}

// hefei is what contracts/examples/hefei.yaml says.
func hefei() *cordon.Contract {
	return &cordon.Contract{
		Number:        "HF-2026-001",
		EffectiveFrom: day("2026-01-01"),
		ExpiresOn:     day("2028-01-01").Add(-time.Nanosecond),
		Status:        cordon.ContractActive,
		Scope: cordon.Scope{
			Cities:               []string{"Hefei", "Wuhu"},
			ProductLines:         []string{"radar", "comms"},
			ServiceTypes:         append([]cordon.Category(nil), cordon.Categories...),
			DocumentCeiling:      cordon.ClassInternal,
			Disclosure:           cordon.DiscloseSiteContact,
			DisclosureGraceHours: 72,
		},
		SLA:     standardSLA,
		Clauses: withClause(standardClauses, "liability", "§9.2 Liability for breach"),
		Incentives: &cordon.Incentives{
			Penalties: map[string]cordon.Penalty{
				"jobs":      {Incident: cordon.IncidentLapsedOffer, Points: 1, AmountPerPoint: 200},
				"sla":       {Incident: cordon.IncidentSLABreach, Points: 2, AmountPerPoint: 500},
				"liability": {Incident: cordon.IncidentComplaint, Points: 3, AmountPerPoint: 1000},
			},
			Reward: &cordon.Reward{Amount: 20000, MinScore: 0.75, MaxPoints: 5},
		},
	}
}

func TestParseExamples(t *testing.T) {
	tests := []struct {
		file    string
		partner string
		want    *cordon.Contract
	}{
		{"hefei.yaml", "hefei", hefei()},
		{"wuhan.yaml", "wuhan", &cordon.Contract{
			Number:        "WH-2026-001",
			EffectiveFrom: day("2026-01-01"),
			ExpiresOn:     day("2027-07-01").Add(-time.Nanosecond),
			Status:        cordon.ContractActive,
			Scope: cordon.Scope{
				Cities:               []string{"Wuhan"},
				ProductLines:         []string{"comms"},
				ServiceTypes:         []cordon.Category{cordon.CatRepair, cordon.CatMaintenance},
				DocumentCeiling:      cordon.ClassPublic,
				Disclosure:           cordon.DiscloseCity,
				DisclosureGraceHours: 24,
			},
			SLA:     standardSLA,
			Clauses: standardClauses,
			Incentives: &cordon.Incentives{
				Penalties: map[string]cordon.Penalty{
					"jobs": {Incident: cordon.IncidentLapsedOffer, Points: 1, AmountPerPoint: 300},
					"sla":  {Incident: cordon.IncidentSLABreach, Points: 1, AmountPerPoint: 300},
				},
				Reward: &cordon.Reward{Amount: 10000, MinScore: 0.8},
			},
			Calendar: &cordon.Calendar{
				Offset: 8 * time.Hour, Open: 8*time.Hour + 30*time.Minute, Close: 17*time.Hour + 30*time.Minute,
				Days:     []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
				Holidays: []string{"2026-01-01", "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"},
				Workdays: []string{"2026-10-10"},
			},
		}},
		{"xian.yaml", "xian", &cordon.Contract{
			Number:        "XA-2024-001",
			EffectiveFrom: day("2024-01-01"),
			ExpiresOn:     day("2026-01-01").Add(-time.Nanosecond),
			Status:        cordon.ContractExpired,
			Scope: cordon.Scope{
				Cities:               []string{"Xi'an"},
				ProductLines:         []string{"radar"},
				ServiceTypes:         append([]cordon.Category(nil), cordon.Categories...),
				DocumentCeiling:      cordon.ClassInternal,
				Disclosure:           cordon.DiscloseSite,
				DisclosureGraceHours: 48,
			},
			SLA:     standardSLA,
			Clauses: standardClauses,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, partner, problems := Parse(tt.file, example(t, tt.file), testCatalog{})
			if len(problems) > 0 {
				t.Fatalf("Parse: got problems %q, want none", problems)
			}
			if partner != tt.partner {
				t.Errorf("partner: got %q, want %q", partner, tt.partner)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("contract (-want +got):\n%s", diff)
			}
		})
	}
}

// TestExamplesCoverEmbed makes sure the example table above sees every
// embedded example, so a new one cannot go unchecked.
func TestExamplesCoverEmbed(t *testing.T) {
	names, err := fs.Glob(contracts.FS(), contracts.ExamplesDir+"/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for i := range names {
		names[i] = path.Base(names[i])
	}
	want := []string{"hefei.yaml", "wuhan.yaml", "xian.yaml"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("examples (-want +got):\n%s", diff)
	}
}

// valid is a small valid contract; the problem cases below each change one
// thing in it, so their lines are known.
const valid = `number: HF-2026-001
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
  P2: {accept: 1h, respond: 4h, on_site: 12h, resolve: 3d}
  P3: {accept: 4h, respond: 12h, on_site: 2d, resolve: 7d}
  P4: {accept: 1d, respond: 2d, on_site: 5d, resolve: 14d}
clauses:
  jobs: "§3.1 Service territory and product lines"
  customers: "§4.2 Customer identity disclosure"
  documents: "§5.1 Technical documents"
`

func TestParseValidVariants(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
	}{
		{"as given", "", ""},
		{"status defaults to draft", "status: active\n", ""},
		{"grace hours default to 0", "    grace_hours: 72\n", ""},
		{"quoted dates", "effective: 2026-01-01", `effective: "2026-01-01"`},
		{"named extra clause", "clauses:\n", "clauses:\n  liability: \"§9.2 Liability for breach\"\n"},
		{"title and notes", "status: active\n", "status: active\ntitle: Partnership\nnotes: |\n  Two lines\n  of notes.\n"},
		{"compound durations", "resolve: 24h}", "resolve: 1d1h30m}"},
		{"anchor without alias", "  P1: {", "  P1: &p1 {"},
		{"comments", "scope:\n", "scope: # what the partner may do\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(valid, tt.old, tt.new, 1)
			if tt.old != "" && src == valid {
				t.Fatalf("the case changes nothing: %q not found", tt.old)
			}
			c, partner, problems := Parse("t.yaml", []byte(src), testCatalog{})
			if len(problems) > 0 || c == nil {
				t.Fatalf("Parse: got problems %q, want none", problems)
			}
			if partner != "hefei" {
				t.Errorf("partner: got %q, want hefei", partner)
			}
		})
	}
	t.Run("defaults", func(t *testing.T) {
		src := strings.Replace(strings.Replace(valid, "status: active\n", "", 1), "    grace_hours: 72\n", "", 1)
		c, _, problems := Parse("t.yaml", []byte(src), testCatalog{})
		if len(problems) > 0 {
			t.Fatalf("Parse: got problems %q, want none", problems)
		}
		if got, want := c.Status, cordon.ContractDraft; got != want {
			t.Errorf("status: got %q, want %q", got, want)
		}
		if got := c.Scope.DisclosureGraceHours; got != 0 {
			t.Errorf("grace hours: got %d, want 0", got)
		}
	})
}

// TestParseJSON: the source form may be JSON, which is YAML too.
func TestParseJSON(t *testing.T) {
	want, _, problems := Parse("hefei.yaml", example(t, "hefei.yaml"), testCatalog{})
	if len(problems) > 0 {
		t.Fatalf("Parse YAML: %q", problems)
	}
	src, err := json.MarshalIndent(map[string]any{
		"number": "HF-2026-001", "partner": "hefei", "effective": "2026-01-01", "expires": "2027-12-31", "status": "active",
		"scope": map[string]any{
			"cities": []string{"Hefei", "Wuhu"}, "product_lines": []string{"radar", "comms"},
			"service_types":    cordon.Categories,
			"document_ceiling": "internal",
			"disclosure":       map[string]any{"level": "site_contact", "grace_hours": 72},
		},
		"sla": map[string]any{
			"P1": map[string]string{"accept": "30m", "respond": "1h", "on_site": "4h", "resolve": "24h"},
			"P2": map[string]string{"accept": "1h", "respond": "4h", "on_site": "12h", "resolve": "3d"},
			"P3": map[string]string{"accept": "4h", "respond": "12h", "on_site": "2d", "resolve": "7d"},
			"P4": map[string]string{"accept": "1d", "respond": "2d", "on_site": "5d", "resolve": "14d"},
		},
		"clauses": want.Clauses,
		"incentives": map[string]any{
			"penalties": map[string]any{
				"jobs":      map[string]any{"points": 1, "amount_per_point": 200},
				"sla":       map[string]any{"points": 2, "amount_per_point": 500},
				"liability": map[string]any{"incident": "complaint", "points": 3, "amount_per_point": 1000},
			},
			"reward": map[string]any{"amount": 20000, "min_score": 0.75, "max_points": 5},
		},
	}, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	got, _, problems := Parse("hefei.json", src, testCatalog{})
	if len(problems) > 0 {
		t.Fatalf("Parse JSON: %q", problems)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("contract (-YAML +JSON):\n%s", diff)
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name     string
		old, new string // a change to valid
		want     []string
	}{
		{"bad YAML", "cities: [Hefei, Wuhu]", "cities: [Hefei, Wuhu",
			[]string{`t.yaml:7: invalid YAML: did not find expected ',' or ']'`}},
		{"bad indentation", "status: active", "status: active\n  x: 1",
			[]string{`t.yaml:6: invalid YAML: mapping values are not allowed in this context`}},
		{"unknown field at top", "clauses:\n", "colour: red\nclauses:\n",
			[]string{`t.yaml:19:1: colour: unknown field`}},
		{"unknown field nested", "    grace_hours: 72", "    grace_hours: 72\n    window: 3",
			[]string{`t.yaml:14:5: scope.disclosure.window: unknown field`}},
		{"unknown field in terms", "resolve: 24h}", "resolve: 24h, close: 1d}",
			[]string{`t.yaml:15:61: sla.P1.close: unknown field`}},
		{"unknown city", "[Hefei, Wuhu]", "[Hefei, Hefie]",
			[]string{`t.yaml:7:19: scope.cities[1]: unknown city "Hefie"`}},
		{"unknown product line", "radar, comms", "radar, sonar",
			[]string{`t.yaml:8:26: scope.product_lines[1]: unknown product line "sonar"`}},
		{"unknown partner", "partner: hefei", "partner: hefie",
			[]string{`t.yaml:2:10: partner: unknown partner "hefie"`}},
		{"expires before effective", "expires: 2027-12-31", "expires: 2025-12-31",
			[]string{`t.yaml:4:10: expires: 2025-12-31 is not after effective 2026-01-01`}},
		{"expires on effective", "expires: 2027-12-31", "expires: 2026-01-01",
			[]string{`t.yaml:4:10: expires: 2026-01-01 is not after effective 2026-01-01`}},
		{"no such day", "expires: 2027-12-31", "expires: 2027-02-30",
			[]string{`t.yaml:4:10: expires: "2027-02-30" is not a date: want YYYY-MM-DD`}},
		{"not a date", "effective: 2026-01-01", "effective: next year",
			[]string{`t.yaml:3:12: effective: "next year" is not a date: want YYYY-MM-DD`}},
		{"missing SLA priority", "  P3: {accept: 4h, respond: 12h, on_site: 2d, resolve: 7d}\n", "",
			[]string{`t.yaml:14:1: sla.P3: required, but missing`}},
		{"missing SLA term", "P1: {accept: 30m, ", "P1: {",
			[]string{`t.yaml:15:3: sla.P1.accept: required, but missing`}},
		{"bad duration", "respond: 4h", "respond: 4 hours",
			[]string{`t.yaml:16:29: sla.P2.respond: "4 hours" is not a duration: want days, hours and minutes such as 30m, 4h, 1h30m or 3d`}},
		{"duration out of order", "on_site: 4h", "on_site: 30m",
			[]string{`t.yaml:15:43: sla.P1.on_site: 30m is shorter than respond (1h)`}},
		{"zero duration", "accept: 30m", "accept: 0m",
			[]string{`t.yaml:15:16: sla.P1.accept: must be longer than zero`}},
		{"wrong type: text for list", "cities: [Hefei, Wuhu]", "cities: Hefei",
			[]string{`t.yaml:7:11: scope.cities: got text, want a list`}},
		{"wrong type: number for text", "number: HF-2026-001", "number: 2026",
			[]string{`t.yaml:1:9: number: got a number, want text`}},
		{"wrong type: bare number for duration", "respond: 4h", "respond: 4",
			[]string{`t.yaml:16:29: sla.P2.respond: got a number, want text`}},
		{"wrong type: text for number", "grace_hours: 72", "grace_hours: seventy",
			[]string{`t.yaml:13:18: scope.disclosure.grace_hours: got text, want a whole number`}},
		{"wrong type: fraction", "grace_hours: 72", "grace_hours: 7.5",
			[]string{`t.yaml:13:18: scope.disclosure.grace_hours: got a number, want a whole number`}},
		{"huge number", "grace_hours: 72", "grace_hours: 99999999999999999999",
			[]string{`t.yaml:13:18: scope.disclosure.grace_hours: must be at most 8760`}},
		{"negative number", "grace_hours: 72", "grace_hours: -1",
			[]string{`t.yaml:13:18: scope.disclosure.grace_hours: must be at least 0`}},
		{"not a number", "grace_hours: 72", "grace_hours: .nan",
			[]string{`t.yaml:13:18: scope.disclosure.grace_hours: ".nan" is not a number in range`}},
		{"missing clause", "  documents: \"§5.1 Technical documents\"\n", "",
			[]string{`t.yaml:19:1: clauses.documents: required, but missing`}},
		{"bad clause reference", `"§3.1 Service territory and product lines"`, `"3.1 Territory"`,
			[]string{`t.yaml:20:9: clauses.jobs: "3.1 Territory" is not a clause reference: want § and a number, then a title, e.g. "§3.1 Service territory"`}},
		{"bad clause key", "clauses:\n", "clauses:\n  Liability: \"§9.2 Liability\"\n",
			[]string{`t.yaml:20:3: clauses.Liability: not a clause key: want lower-case letters and _, such as jobs or liability`}},
		{"bad ceiling", "document_ceiling: internal", "document_ceiling: secret",
			[]string{`t.yaml:10:21: scope.document_ceiling: "secret" is not one of: public, internal, restricted, confidential`}},
		{"bad status", "status: active", "status: live",
			[]string{`t.yaml:5:9: status: "live" is not one of: draft, active, suspended, terminated, expired`}},
		{"bad service type", "[fault, repair]", "[fault, teleport]",
			[]string{`t.yaml:9:26: scope.service_types[1]: "teleport" is not one of: fault, installation, commissioning, training, maintenance, follow_up, upgrade, consultation, repair, inspection`}},
		{"no service types", "[fault, repair]", "[]",
			[]string{`t.yaml:9:18: scope.service_types: must list at least 1`}},
		{"city twice", "[Hefei, Wuhu]", "[Hefei, Wuhu, Hefei]",
			[]string{`t.yaml:7:25: scope.cities[2]: listed twice (also item 0)`}},
		{"bad number", "number: HF-2026-001", "number: hf 1",
			[]string{`t.yaml:1:9: number: "hf 1" is not a contract number: want capital letters and digits in groups joined by -, e.g. HF-2026-001`}},
		{"duplicate key", "partner: hefei", "partner: hefei\npartner: wuhan",
			[]string{`t.yaml:3:1: partner: duplicate key (first at line 2)`}},
		{"alias", "  P2: {accept: 1h, respond: 4h, on_site: 12h, resolve: 3d}\n", "  P2: &t {accept: 1h, respond: 4h, on_site: 12h, resolve: 3d}\n  P5: *t\n",
			[]string{`t.yaml:17:7: sla.P5: YAML aliases are not allowed in a contract`}},
		{"unknown anchor", "  P3: {accept: 4h, respond: 12h, on_site: 2d, resolve: 7d}", "  P3: *t",
			[]string{`t.yaml: invalid YAML: unknown anchor 't' referenced`}},
		{"custom tag", "partner: hefei", "partner: !secret hefei",
			[]string{`t.yaml:2:10: partner: the YAML tag "!secret" is not allowed in a contract`}},
		{"complex key", "scope:\n", "scope:\n  ? [a]\n  : b\n",
			[]string{`t.yaml:7:5: scope: a key must be plain text`}},
		{"several problems, in file order", "partner: hefei", "partner: hefie\ncolour: red",
			[]string{
				`t.yaml:2:10: partner: unknown partner "hefie"`,
				`t.yaml:3:1: colour: unknown field`,
			}},
		{"several problems across checks", "[Hefei, Wuhu]", "[Hefei, Hefie]\n  extra: 1",
			[]string{
				`t.yaml:7:19: scope.cities[1]: unknown city "Hefie"`,
				`t.yaml:8:3: scope.extra: unknown field`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(valid, tt.old, tt.new, 1)
			if src == valid {
				t.Fatalf("the case changes nothing: %q not found", tt.old)
			}
			checkProblems(t, src, tt.want)
		})
	}
}

func TestParseRefuses(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x]\n"
	for i, prev := 0, "a"; i < 9; i++ {
		name := string(rune('b' + i))
		bomb += name + ": &" + name + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
		prev = name
	}
	bombProblems := make([]string, 0, 9*9)
	for i := 0; i < 9; i++ {
		name := string(rune('b' + i))
		col := 7 + len(name)
		for j := 0; j < 9; j++ {
			bombProblems = append(bombProblems, sprintf("t.yaml:%d:%d: %s[%d]: YAML aliases are not allowed in a contract", i+2, col+4*j, name, j))
		}
	}
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"empty", "", []string{`t.yaml:1: the file is empty: want a contract`}},
		{"only comments", "# nothing\n", []string{`t.yaml:1: the file is empty: want a contract`}},
		{"a list", "- a\n- b\n", []string{`t.yaml:1:1: got a list, want a mapping`}},
		{"text", "hello", []string{`t.yaml:1:1: got text, want a mapping`}},
		{"two documents", valid + "---\nnumber: X\n", []string{`t.yaml:23:1: a second document: a contract file holds exactly one`}},
		{"too large", valid + "notes: " + strings.Repeat("x", MaxSize) + "\n", []string{sprintf("t.yaml:1: file is %d bytes; a contract may be at most %d", len(valid)+len("notes: \n")+MaxSize, MaxSize)}},
		{"alias bomb", bomb, bombProblems},
		{"unclosed flow", "number: [[[[[", []string{`t.yaml:1: invalid YAML: did not find expected node content`}},
		{"mostly missing", `{"number": 1}`, []string{
			`t.yaml:1:1: partner: required, but missing`,
			`t.yaml:1:1: effective: required, but missing`,
			`t.yaml:1:1: expires: required, but missing`,
			`t.yaml:1:1: scope: required, but missing`,
			`t.yaml:1:1: sla: required, but missing`,
			`t.yaml:1:1: clauses: required, but missing`,
			`t.yaml:1:12: number: got a number, want text`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, tt.src, tt.want)
		})
	}
}

// checkProblems parses src and compares the problems, as strings, to want.
func checkProblems(t *testing.T, src string, want []string) {
	t.Helper()
	c, _, problems := Parse("t.yaml", []byte(src), testCatalog{})
	got := make([]string, len(problems))
	for i, p := range problems {
		got[i] = p.String()
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if c != nil {
		t.Errorf("contract: got %+v, want nil", c)
	}
}

func TestParseHostile(t *testing.T) {
	var many strings.Builder
	for i := 0; i < 3*maxProblems; i++ {
		fmt.Fprintf(&many, "k%03d: 1\n", i)
	}
	tests := []struct {
		name      string
		src       string
		wantFirst string
		wantLast  string
		wantCount int
	}{
		{"too many problems", many.String(),
			"t.yaml:1:1: k000: unknown field", "t.yaml: too many problems: stopped after 100", maxProblems + 1},
		{"deep lists", valid + "x: " + strings.Repeat("[", 9000) + strings.Repeat("]", 9000) + "\n",
			"t.yaml:23:1: x: unknown field", "t.yaml:23:1: x: unknown field", 1},
		{"deep list in scope", strings.Replace(valid, "[Hefei, Wuhu]", "[Hefei, "+strings.Repeat("[", 5000)+strings.Repeat("]", 5000)+"]", 1),
			"t.yaml:7:19: scope.cities[1]: got a list, want text", "t.yaml:7:19: scope.cities[1]: got a list, want text", 1},
		{"deep aliases", "a: &a x\nb: " + strings.Repeat("{c: ", 50) + "*a" + strings.Repeat("}", 50) + "\n",
			"t.yaml:2:204: b.c.c.c.c.c: YAML aliases are not allowed in a contract", "t.yaml:2:204: b.c.c.c.c.c: YAML aliases are not allowed in a contract", 1},
		{"empty key", strings.Replace(valid, "status: active\n", "status: active\n\"\": 1\n", 1),
			`t.yaml:6:1: [""]: unknown field`, `t.yaml:6:1: [""]: unknown field`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, problems := Parse("t.yaml", []byte(tt.src), testCatalog{})
			if c != nil {
				t.Fatalf("contract: got %+v, want nil", c)
			}
			if got := len(problems); got != tt.wantCount {
				t.Errorf("problems: got %d, want %d: %q", got, tt.wantCount, problems)
			}
			if len(problems) == 0 {
				return
			}
			if got := problems[0].String(); got != tt.wantFirst {
				t.Errorf("first problem: got %q, want %q", got, tt.wantFirst)
			}
			if got := problems[len(problems)-1].String(); got != tt.wantLast {
				t.Errorf("last problem: got %q, want %q", got, tt.wantLast)
			}
		})
	}
}

func TestParseNilCatalog(t *testing.T) {
	src := strings.Replace(valid, "[Hefei, Wuhu]", "[Atlantis]", 1)
	if _, _, problems := Parse("t.yaml", []byte(src), nil); len(problems) > 0 {
		t.Errorf("Parse with a nil catalog: got %q, want no problems", problems)
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "hefei.yaml", Line: 12, Column: 5, Field: "scope.cities[1]", Message: `unknown city "Hefie"`}, `hefei.yaml:12:5: scope.cities[1]: unknown city "Hefie"`},
		{Problem{File: "hefei.yaml", Line: 3, Message: "invalid YAML: x"}, `hefei.yaml:3: invalid YAML: x`},
		{Problem{File: "hefei.yaml", Message: "bad"}, `hefei.yaml: bad`},
		{Problem{Field: "partner", Message: "bad"}, `partner: bad`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestInvalid(t *testing.T) {
	if err := Invalid(nil); err != nil {
		t.Errorf("Invalid(nil): got %v, want nil", err)
	}
	err := Invalid([]Problem{
		{File: "a.yaml", Line: 2, Column: 10, Field: "partner", Message: "unknown partner"},
		{File: "a.yaml", Line: 3, Column: 1, Field: "colour", Message: "unknown field"},
	})
	got := cordon.AsError(err)
	lines := "a.yaml:2:10: partner: unknown partner\na.yaml:3:1: colour: unknown field"
	want := &cordon.Error{Code: cordon.EINVALID, Key: "contract.problems", Args: []any{lines}, Field: "partner", Message: lines}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Invalid (-want +got):\n%s", diff)
	}
}

// TestSchemaPatternsHaveHints: every pattern in the schema has words in
// patternHints, so no author sees a bare regular expression.
func TestSchemaPatternsHaveHints(t *testing.T) {
	src, err := fs.ReadFile(contracts.FS(), contracts.SchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(src, &doc); err != nil {
		t.Fatal(err)
	}
	var patterns []string
	var walk func(v any, key string)
	walk = func(v any, key string) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "pattern" {
					if s, ok := x.(string); ok {
						patterns = append(patterns, s)
					}
					continue
				}
				walk(x, k)
			}
		case []any:
			for _, x := range v {
				walk(x, key)
			}
		}
	}
	walk(doc, "")
	if len(patterns) == 0 {
		t.Fatal("found no patterns in the schema")
	}
	for _, p := range patterns {
		if _, ok := patternHints[p]; !ok {
			t.Errorf("pattern %q has no hint", p)
		}
		if _, err := regexp.Compile(p); err != nil {
			t.Errorf("pattern %q: %v", p, err)
		}
	}
}

func TestDurations(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
		out     string // formatDuration(want), when it differs from in
	}{
		{in: "30m", want: 30 * time.Minute},
		{in: "4h", want: 4 * time.Hour},
		{in: "24h", want: 24 * time.Hour},
		{in: "1d", want: 24 * time.Hour, out: "24h"},
		{in: "3d", want: 72 * time.Hour},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "2d1h", want: 49 * time.Hour},
		{in: "1d1h30m", want: 25*time.Hour + 30*time.Minute, out: "25h30m"},
		{in: "90m", want: 90 * time.Minute, out: "1h30m"},
		{in: "9999d", want: 9999 * 24 * time.Hour},
		{in: "0m", want: 0},
		{in: "", wantErr: true},
		{in: "4", wantErr: true},
		{in: "h", wantErr: true},
		{in: "4s", wantErr: true},
		{in: "30m4h", wantErr: true},
		{in: "4h4h", wantErr: true},
		{in: "10000d", wantErr: true},
		{in: "-4h", wantErr: true},
		{in: "4 hours", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseDuration(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseDuration(%q): got error %v, want error %v", tt.in, err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if got != tt.want {
				t.Errorf("parseDuration(%q): got %v, want %v", tt.in, got, tt.want)
			}
			out := tt.out
			if out == "" {
				out = tt.in
			}
			if got := formatDuration(tt.want); got != out {
				t.Errorf("formatDuration(%v): got %q, want %q", tt.want, got, out)
			}
		})
	}
	if got, want := formatDuration(90*time.Second), "2m"; got != want {
		t.Errorf("formatDuration(90s): got %q, want %q (rounded up)", got, want)
	}
}

func TestClauseRef(t *testing.T) {
	tests := []struct{ in, want string }{
		{"§3.1 Service territory and product lines", "§3.1"},
		{"§5.1", "§5.1"},
		{"  §6.1\tService levels", "§6.1"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := ClauseRef(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"hefei.yaml", "wuhan.yaml", "xian.yaml"} {
		f.Add(example(f, name))
	}
	f.Add([]byte(valid))
	f.Add([]byte(`{"number": "X", "sla": {"P1": {"accept": "1d2h3m"}}, "scope": {"cities": ["a", "a"]}}`))
	f.Add([]byte("a: &a [x]\nb: [*a, *a]\n"))
	f.Add([]byte("grace_hours: 1e400\nx: .nan\ny: 0x1F\nz: !!binary aGk=\n? [k]\n: v\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		c, partner, problems := Parse("f.yaml", src, testCatalog{})
		if (c == nil) == (len(problems) == 0) {
			t.Fatalf("got contract %v and %d problems: want exactly one of them", c != nil, len(problems))
		}
		if c == nil {
			return
		}
		// Whatever parses must survive a round trip unchanged.
		out, err := Marshal(c, partner)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		again, partner2, problems := Parse("again.yaml", out, testCatalog{})
		if len(problems) > 0 {
			t.Fatalf("Parse(Marshal(c)): %q\n%s", problems, out)
		}
		if partner2 != partner {
			t.Errorf("partner: got %q, want %q", partner2, partner)
		}
		if diff := cmp.Diff(c, again); diff != "" {
			t.Errorf("round trip (-parsed +reparsed):\n%s", diff)
		}
	})
}

var sprintf = fmt.Sprintf
