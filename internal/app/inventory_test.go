package app_test

// The route inventory (every route is either behind authentication or on
// the public allowlist), bad input on every {id} route and in query
// strings, and mass assignment on every route that takes a body.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// publicRoutes answer without credentials, on purpose. Anything else must
// demand them.
var publicRoutes = map[string]bool{
	"POST /api/v1/auth/login":   true,
	"POST /api/v1/auth/refresh": true,
	"GET /healthz":              true,
	"HEAD /healthz":             true,
	"GET /readyz":               true,
	"HEAD /readyz":              true,
	"GET /metrics":              true,
	"HEAD /metrics":             true,
	// The portal's login form and language switch.
	"GET /login":  true,
	"HEAD /login": true,
	"POST /login": true,
	"GET /lang":   true,
	"HEAD /lang":  true,
	// A customer answers a satisfaction survey with the one-time token in
	// the link, not a login (a bad token is 404).
	"POST /api/v1/surveys/answer": true,
	// The customer's survey page: the token in the path is the credential
	// (an invalid one is a 404 page), the form's token is derived from it.
	"GET /survey/:token":  true,
	"HEAD /survey/:token": true,
	"POST /survey/:token": true,
}

// publicPrefixes are mounted handlers (app.Use) that serve public files.
var publicPrefixes = []string{"/static/"}

type route struct{ method, path string }

// routes lists every registered route (API and pages), without middleware
// mounted by Use, each method once.
func (h *harness) routes() []route {
	seen := map[route]bool{}
	var out []route
	for _, r := range h.app.Server.App().GetRoutes(true) {
		k := route{r.Method, r.Path}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

var paramRE = regexp.MustCompile(`:[A-Za-z_]+\??|\*[0-9]*|\+[0-9]*`)

// concrete fills a route pattern's parameters with v.
func concrete(pattern, v string) string { return paramRE.ReplaceAllString(pattern, v) }

// attackTokens are credentials that must not pass: none, malformed headers,
// garbage, an unsigned token, a token signed by a stranger, and a refresh
// token in place of an access token.
func (h *harness) attackTokens(t *testing.T) map[string][]string {
	_, refresh := h.login("hefei.tech")
	b64 := base64.RawURLEncoding.EncodeToString
	none := b64([]byte(`{"alg":"none","typ":"access"}`)) + "." + b64([]byte(`{"sub":"1","sid":"x","typ":"access","exp":9999999999}`)) + "."
	hs := b64([]byte(`{"alg":"HS256","typ":"access"}`)) + "." + b64([]byte(`{"sub":"1","sid":"x","typ":"access","exp":9999999999}`)) + "." + b64([]byte("sig"))
	return map[string][]string{
		"no credentials":     nil,
		"empty bearer":       {"Authorization", "Bearer "},
		"garbage bearer":     {"Authorization", "Bearer garbage"},
		"three dots":         {"Authorization", "Bearer a.b.c"},
		"alg none":           {"Authorization", "Bearer " + none},
		"alg HS256":          {"Authorization", "Bearer " + hs},
		"basic auth":         {"Authorization", "Basic " + b64([]byte("admin:"+demoPassword))},
		"refresh as access":  {"Authorization", "Bearer " + refresh},
		"cookie only":        {"Cookie", "session=garbage; access_token=garbage"},
		"token in the query": nil, // added as ?access_token= below
	}
}

// TestRouteInventory: every registered route, every method, without
// credentials and with bad ones, must refuse (401 under /api; a redirect to
// /login, 401 or 404 for pages), unless it is on the public allowlist.
// A new route that is neither fails here.
func TestRouteInventory(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	routes := h.routes()
	if len(routes) < 30 {
		t.Fatalf("only %d routes registered; the inventory is not looking at the app", len(routes))
	}
	attacks := h.attackTokens(t)
	var probes int
	stillPublic := map[string]bool{}
	for _, r := range routes {
		key := r.method + " " + r.path
		public := publicRoutes[key]
		for _, p := range publicPrefixes {
			public = public || strings.HasPrefix(r.path, p)
		}
		if public {
			stillPublic[key] = true
			continue
		}
		for name, hdr := range attacks {
			path := concrete(r.path, "1")
			if name == "token in the query" {
				path += "?access_token=garbage&token=garbage"
			}
			req := httptest.NewRequest(r.method, path, strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/json")
			if hdr != nil {
				req.Header.Set(hdr[0], hdr[1])
			}
			res, err := h.app.Server.App().Test(req, -1)
			if err != nil {
				t.Fatalf("%s %s: %v", r.method, path, err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			probes++
			if strings.HasPrefix(r.path, "/api/") {
				if res.StatusCode != 401 {
					t.Errorf("%s %s with %s: got %d, want 401: %.200s", r.method, path, name, res.StatusCode, body)
				}
				continue
			}
			if !pageRefused(r.method, res.StatusCode, res.Header.Get("Location")) {
				t.Errorf("page %s %s with %s: got %d (Location %q), want a redirect to /login, 401 or 404", r.method, path, name, res.StatusCode, res.Header.Get("Location"))
			}
		}
	}
	// The allowlist must not outlive its routes.
	for k := range publicRoutes {
		if !stillPublic[k] {
			t.Errorf("public allowlist names %s, which is not registered", k)
		}
	}
	t.Logf("route inventory: %d routes, %d unauthenticated probes", len(routes), probes)
}

// pageRefused tells whether a page answered a request without a session
// by refusing it: 401, 404, a redirect to the login form, or — for a form
// post, whose CSRF check runs first — 403.
func pageRefused(method string, status int, location string) bool {
	switch {
	case status == 401, status == 404:
		return true
	case status >= 300 && status < 400 && strings.HasPrefix(location, "/login"):
		return true
	case status == 403 && method != "GET" && method != "HEAD":
		return true
	}
	return false
}

// badIDs are path segments that are not ids. Each must be 400 or 404 on
// every {id} route, never 500 and never anything served.
var badIDs = []string{
	"0", "-1", "-0", "+1", "01x", "1.5", "1e3", "0x1F", "1_000",
	"9223372036854775807", "9223372036854775808", "-9223372036854775808", "99999999999999999999999999999999",
	"..", "%2e%2e", "..%2F..%2Fhealthz", "%2E%2E%2F", "%2F", "%5C", "1%2F2",
	"%00", "1%00", "%001", "%20", "1%20", "%201", "%09", "%0A",
	"%D9%A1", "%EF%BC%91", "%E2%80%8B1", "%F0%9D%9F%8F", // Arabic-Indic one, fullwidth one, zero-width space, mathematical one
	"1%27", "1%27%20OR%20%271%27%3D%271", "1%3BDROP%20TABLE%20jobs", "%25", "%2A", "null", "undefined", "NaN", "true", "[1]", "%7B%7D",
	strings.Repeat("9", 400),
}

// TestBadInputIDs sends every bad id to every API route with an id, as
// users whose roles between them pass every guard.
func TestBadInputIDs(t *testing.T) {
	t.Parallel()
	eachDBUnbudgeted(t, func(t *testing.T, h *harness) {
		loadSpec(t)
		tokens := h.loginAll()
		var reqs []*probeRequest
		for _, r := range h.routes() {
			// Pages take a session cookie, not a bearer token, and refuse
			// before reading an id (TestRouteInventory); the API reads it.
			if !strings.Contains(r.path, ":") || r.method == "HEAD" || !strings.HasPrefix(r.path, "/api/") {
				continue
			}
			for _, id := range badIDs {
				// Between them these roles pass every guard of a route with an id.
				for _, u := range []string{"dispatcher", "quality", "engineer", "contracts", "hefei.admin"} {
					reqs = append(reqs, &probeRequest{method: r.method, path: concrete(r.path, id), token: tokens[u], body: []byte("{}")})
				}
			}
		}
		h.send(reqs)
		for _, p := range reqs {
			switch {
			case p.res == nil:
				t.Errorf("%s %s: %v", p.method, p.path, p.err)
			case !strings.HasPrefix(p.path, "/api/") && pageRefused(p.method, p.res.Status, p.res.Header.Get("Location")):
				// Pages take a session cookie, not a bearer token: refused
				// before the id is read.
			case p.res.Status >= 500:
				t.Errorf("%s %s: got %d: %s", p.method, p.path, p.res.Status, p.res.Body)
			case p.res.Status < 400:
				t.Errorf("%s %s: got %d, a bad id served something: %.200s", p.method, p.path, p.res.Status, p.res.Body)
			case p.res.Status != 400 && p.res.Status != 404 && p.res.Status != 403:
				t.Errorf("%s %s: got %d, want 400 or 404 (403 where the role forbids the route)", p.method, p.path, p.res.Status)
			case p.err != nil:
				t.Errorf("%s %s: %v", p.method, p.path, p.err)
			}
		}
		t.Logf("%d bad-id probes", len(reqs))
	})
}

// TestBadInputQueries: page sizes are clamped, bad paging is 400, and SQL
// metacharacters in search and filter parameters never give 500 — nor more
// than the caller's scope.
func TestBadInputQueries(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		loadSpec(t)
		w := loadProbeWorld(t, h)
		o := newOracle(t, w)
		tokens := h.loginAll()
		lists := map[string]string{"/jobs": "dispatcher", "/documents": "engineer", "/contracts": "contracts", "/partners": "admin", "/requests": "dispatcher"}
		for path, user := range lists {
			r := h.do("GET", "/api/v1"+path+"?limit=100000", tokens[user], nil)
			if r.Status != 200 {
				t.Errorf("%s?limit=100000: %d", path, r.Status)
				continue
			}
			m := r.JSON(t)
			if n := len(m["items"].([]any)); n > 200 || m["limit"].(float64) > 200 {
				t.Errorf("%s?limit=100000: %d items, limit %v; want at most 200", path, n, m["limit"])
			}
			for _, q := range []string{"limit=0", "limit=-1", "limit=abc", "limit=1e3", "limit=99999999999999999999", "offset=-1",
				"offset=99999999999", "offset=1.5", "limit=%00", "offset=%EF%BC%91"} {
				if r := h.do("GET", "/api/v1"+path+"?"+q, tokens[user], nil); r.Status != 400 {
					t.Errorf("%s?%s: got %d, want 400", path, q, r.Status)
				}
			}
		}
		evil := []string{"'", "''", "' OR '1'='1", "' OR 1=1 --", "1; DROP TABLE jobs; --", "%", "%%", "_", "\\", "\\%", "%' --",
			"' UNION SELECT * FROM customer_identities --", "$1", "?", "`", "\"", "*/", "/*", "ＡＢＣ", "radar' --", "\u202e"} // NUL and invalid UTF-8: TestBadInputNULByte
		params := []string{"/documents?q=", "/documents?product_line=", "/documents?model_id=", "/jobs?status=", "/requests?status=",
			"/contracts?status=", "/contracts?partner_id=", "/policy/explain?action=view&resource=job&user=",
			"/policy/explain?user=hefei.tech&action=view&resource=", "/policy/explain?user=hefei.tech&resource=job:1&action=",
			"/access-events?contract=", "/access-events/disclosures?customer=", "/access-events/denials?bucket="}
		var reqs []*probeRequest
		var who []probeUser
		for _, u := range probeUsers {
			for _, p := range params {
				for _, e := range evil {
					reqs = append(reqs, &probeRequest{method: "GET", path: "/api/v1" + p + url.QueryEscape(e), token: tokens[u.name]})
					who = append(who, u)
				}
			}
		}
		h.send(reqs)
		for i, p := range reqs {
			u := who[i]
			if p.res == nil || p.err != nil {
				t.Errorf("%s GET %s: %v", u.name, p.path, p.err)
				continue
			}
			if p.res.Status >= 500 {
				t.Errorf("%s GET %s: got %d: %s", u.name, p.path, p.res.Status, p.res.Body)
				continue
			}
			if p.res.Status != 200 || !strings.HasPrefix(p.path, "/api/v1/documents") {
				continue
			}
			var l struct {
				Items []map[string]any `json:"items"`
			}
			json.Unmarshal(p.res.Body, &l)
			for _, it := range l.Items {
				id := int64(it["id"].(float64))
				if !o.documentVisible(u, w.docs[id]) {
					t.Errorf("LEAK: %s GET %s lists document %d outside its scope", u.name, p.path, id)
				}
			}
		}
		t.Logf("%d query-string probes with SQL metacharacters", len(reqs))
	})
}

// TestFieldLevelMassAssignment: a body that tries to set what the caller
// may not — ids, the partner, the contract, roles, the organisation, a
// status a route sets itself — is refused, and nothing changes.
func TestFieldLevelMassAssignment(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		loadSpec(t)
		w := loadProbeWorld(t, h)
		o := newOracle(t, w)
		tokens := h.loginAll()
		var hefeiOffer, hefeiOnSite, openRequest int64
		for _, id := range sortedIDs(w.jobs) {
			j := w.jobs[id]
			if o.jobVisible(probeUsers[7], j) && j.Status == cordon.JobOffered && hefeiOffer == 0 {
				hefeiOffer = id
			}
			if o.jobVisible(probeUsers[7], j) && j.Status == cordon.JobOnSite && hefeiOnSite == 0 {
				hefeiOnSite = id
			}
		}
		for _, id := range sortedIDs(w.requests) {
			if w.requests[id].Status == cordon.RequestOpen && openRequest == 0 {
				openRequest = id
			}
		}
		if hefeiOffer == 0 || hefeiOnSite == 0 || openRequest == 0 {
			t.Fatalf("demo world lacks a hefei offer (%d), a hefei job on site (%d) or an open request (%d)", hefeiOffer, hefeiOnSite, openRequest)
		}
		unit := h.unitIn("Hefei", "radar")
		hefei, wuhan := w.partnerID["hefei"], w.partnerID["wuhan"]
		var wuhanContract int64
		for id, c := range w.contracts {
			if c.PartnerID == wuhan {
				wuhanContract = id
			}
		}
		tech, err := store.NewUserStore(h.db).FindUserByUsername(context.Background(), "hefei.tech")
		if err != nil {
			t.Fatal(err)
		}
		intake := func(extra map[string]any) map[string]any {
			m := map[string]any{"unit_id": unit.ID, "category": "fault", "priority": "P2", "description": "probe"}
			for k, v := range extra {
				m[k] = v
			}
			return m
		}
		partner := func(extra map[string]any) map[string]any {
			m := map[string]any{"code": "probe-co", "name": "Probe", "home_city": "Hefei"}
			for k, v := range extra {
				m[k] = v
			}
			return m
		}
		cases := []struct {
			user, method, path string
			body               map[string]any
			field              string // the field the refusal names
		}{
			{"dispatcher", "POST", "/requests", intake(map[string]any{"partner_id": wuhan}), "partner_id"},
			{"dispatcher", "POST", "/requests", intake(map[string]any{"contract_id": wuhanContract}), "contract_id"},
			{"dispatcher", "POST", "/requests", intake(map[string]any{"id": 1}), "id"},
			{"dispatcher", "POST", "/requests", intake(map[string]any{"status": "closed"}), "status"},
			{"dispatcher", "POST", "/requests", intake(map[string]any{"created_by": 1}), "created_by"},
			{"dispatcher", "POST", "/requests", intake(map[string]any{"product_line": "power"}), "product_line"},
			{"dispatcher", "POST", fmt.Sprintf("/requests/%d/dispatch", openRequest), map[string]any{"to": "auto", "contract_id": wuhanContract}, "contract_id"},
			{"dispatcher", "POST", fmt.Sprintf("/requests/%d/dispatch", openRequest), map[string]any{"to": "auto", "status": "accepted"}, "status"},
			{"hefei.tech", "POST", fmt.Sprintf("/jobs/%d/accept", hefeiOffer), map[string]any{"partner_id": wuhan}, "partner_id"},
			{"hefei.tech", "POST", fmt.Sprintf("/jobs/%d/accept", hefeiOffer), map[string]any{"assignee_id": 1}, "assignee_id"},
			{"hefei.tech", "POST", fmt.Sprintf("/jobs/%d/accept", hefeiOffer), map[string]any{"to": "closed"}, "to"},
			{"hefei.tech", "POST", fmt.Sprintf("/jobs/%d/transition", hefeiOnSite), map[string]any{"to": "resolved", "contract_id": wuhanContract}, "contract_id"},
			{"hefei.tech", "POST", fmt.Sprintf("/jobs/%d/transition", hefeiOnSite), map[string]any{"to": "resolved", "resolved_at": "2020-01-01T00:00:00Z"}, "resolved_at"},
			{"hefei.admin", "POST", fmt.Sprintf("/jobs/%d/assign", hefeiOnSite), map[string]any{"user_id": tech.ID, "partner_id": wuhan}, "partner_id"},
			{"hefei.tech", "POST", fmt.Sprintf("/jobs/%d/report", hefeiOnSite), map[string]any{"actions": "x", "root_cause": "component", "job_id": 1}, "job_id"},
			{"hefei.tech", "POST", fmt.Sprintf("/jobs/%d/report", hefeiOnSite), map[string]any{"actions": "x", "root_cause": "component", "id": 1}, "id"},
			{"admin", "POST", "/partners", partner(map[string]any{"kind": "institute"}), "kind"},
			{"admin", "POST", "/partners", partner(map[string]any{"id": 1}), "id"},
			{"admin", "POST", "/partners", partner(map[string]any{"org": "institute"}), "org"},
			{"admin", "POST", "/partners", partner(map[string]any{"pseudonym_key": "AAAA"}), "pseudonym_key"},
			{"contracts", "PATCH", fmt.Sprintf("/partners/%d", hefei), map[string]any{"code": "wuhan"}, "code"},
			{"hefei.admin", "PUT", fmt.Sprintf("/partners/%d/webhook", hefei), map[string]any{"url": "https://hooks.example/cordon", "secret": "chosen"}, "secret"},
			{"hefei.admin", "PUT", fmt.Sprintf("/partners/%d/webhook", hefei), map[string]any{"url": "https://hooks.example/cordon", "partner_id": wuhan}, "partner_id"},
			{"hefei.admin", "PUT", fmt.Sprintf("/partners/%d/webhook", hefei), map[string]any{"url": "https://user:pw@hooks.example/cordon"}, "url"},
			{"contracts", "PATCH", fmt.Sprintf("/partners/%d", hefei), map[string]any{"kind": "institute"}, "kind"},
			{"contracts", "PATCH", fmt.Sprintf("/partners/%d", hefei), map[string]any{"id": wuhan}, "id"},
			{"contracts", "PATCH", fmt.Sprintf("/partners/%d", hefei), map[string]any{"roles": []string{"admin"}}, "roles"},
			{"", "POST", "/auth/login", map[string]any{"username": "hefei.tech", "password": demoPassword, "roles": []string{"admin"}}, "roles"},
			{"", "POST", "/auth/login", map[string]any{"username": "hefei.tech", "password": demoPassword, "org": "institute"}, "org"},
			{"", "POST", "/auth/login", map[string]any{"username": "hefei.tech", "password": demoPassword, "org_id": 1}, "org_id"},
		}
		before := h.worldSnapshot(t)
		for _, c := range cases {
			r := h.do(c.method, "/api/v1"+c.path, tokens[c.user], c.body)
			if r.Status != 400 {
				t.Errorf("%s %s %s with %s: got %d, want 400: %.300s", c.user, c.method, c.path, c.field, r.Status, r.Body)
				continue
			}
			if got := r.JSON(t)["field"]; got != c.field {
				t.Errorf("%s %s %s with %s: the refusal names %v", c.user, c.method, c.path, c.field, got)
			}
		}
		// The contract import: its source form has no ids, and an import
		// is a draft whatever its status says.
		yaml, err := os.ReadFile("../../contracts/examples/wuhan.yaml")
		if err != nil {
			t.Fatal(err)
		}
		src := strings.Replace(string(yaml), "number: WH-2026-001", "number: MA-2026-001", 1)
		for _, extra := range []string{"id: 1\n", "partner_id: 2\n", "org: institute\n", "compiled: true\n"} {
			r := h.doRaw("POST", "/api/v1/contracts", tokens["contracts"], "application/yaml", []byte(src+extra))
			if r.Status != 400 {
				t.Errorf("contract import with %q: got %d, want 400: %.300s", strings.TrimSpace(extra), r.Status, r.Body)
			}
		}
		if after := h.worldSnapshot(t); after != before {
			t.Errorf("refused bodies changed the world:\n%s", lineDiff(before, after))
		}
		r := h.doRaw("POST", "/api/v1/contracts", tokens["contracts"], "application/yaml", []byte(src))
		if !(r.Status == 400 && r.JSON(t)["field"] == "status") && !(r.Status == 201 && r.JSON(t)["status"] == "draft") {
			t.Errorf("contract import with status: active: %d %s, want it refused (naming status) or made a draft", r.Status, r.Body)
		}
		// The document upload: multipart, every field but its own refused.
		var img bytes.Buffer
		png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 8, 8)))
		for _, extra := range []string{"partner_id", "uploaded_by", "id", "sha256"} {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			for k, v := range map[string]string{"title": "Probe", "product_line": "radar", "classification": "public", "version": "1", extra: "1"} {
				mw.WriteField(k, v)
			}
			fw, _ := mw.CreateFormFile("file", "probe.png")
			fw.Write(img.Bytes())
			mw.Close()
			r := h.doRaw("POST", "/api/v1/documents", tokens["engineer"], mw.FormDataContentType(), buf.Bytes())
			if r.Status != 400 || r.JSON(t)["field"] != extra {
				t.Errorf("document upload with %s: %d %s, want 400 naming it", extra, r.Status, r.Body)
			}
		}
	})
}

// doRaw sends a body with its own content type, checked against the spec.
func (h *harness) doRaw(method, path, token, contentType string, body []byte) *response {
	h.t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := h.app.Server.App().Test(req, -1)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	r := &response{Status: res.StatusCode, Header: res.Header, Body: out}
	if err := specMismatch(method, path, nil, r); err != nil {
		h.t.Error(err)
	}
	return r
}

// TestFieldLevelGolden: the golden allowlists themselves never grant a
// partner what no contract can: the customer's name or unit designation,
// the customer's id, secrets. (Regenerating them with -update cannot
// quietly widen what partners see.)
func TestFieldLevelGolden(t *testing.T) {
	t.Parallel()
	files, err := os.ReadDir("testdata/fields")
	if err != nil || len(files) < 10 {
		t.Fatalf("testdata/fields: %d files, %v", len(files), err)
	}
	forbidden := []string{"unit_designation", "customer_id", "password", "password_hash", "pseudonym_key", "secret", "token"}
	for _, f := range files {
		b, err := os.ReadFile("testdata/fields/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			class, path, ok := strings.Cut(line, " ")
			if !ok || !strings.HasPrefix(class, "partner_") {
				continue
			}
			last := path[strings.LastIndex(path, ".")+1:]
			customerName := last == "name" && strings.HasPrefix(f.Name(), "GET_jobs_id_customer")
			if slices.Contains(forbidden, last) || customerName {
				t.Errorf("%s allows %s to see %s", f.Name(), class, path)
			}
			if strings.HasSuffix(class, "/city") && slices.Contains([]string{"site_address", "contact_person", "phone"}, last) {
				t.Errorf("%s allows %s (disclosure city) to see %s", f.Name(), class, path)
			}
		}
	}
}

// TestBadInputNULByte: a NUL byte, or bytes that are not UTF-8, in a query
// parameter or a JSON string must be a 400 (401 for a login), never a 500.
// PostgreSQL refuses both in text ("invalid byte sequence for encoding
// UTF8"), so on PostgreSQL any that reaches a query as a parameter becomes
// an internal error unless the API refuses it first; SQLite stores it.
// (JSON strings cannot carry invalid UTF-8: the decoder replaces it.)
func TestBadInputNULByte(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		loadSpec(t)
		tokens := h.loginAll()
		w := loadProbeWorld(t, h)
		hefei := w.partnerID["hefei"]
		nul := "a\x00b"
		q := url.QueryEscape(nul)
		cases := []struct {
			user, method, path string
			body               any
		}{
			{"engineer", "GET", "/api/v1/documents?product_line=%FF%FE", nil},
			{"engineer", "GET", "/api/v1/documents?q=%FF%FE", nil},
			{"legal", "GET", "/api/v1/policy/explain?action=view&resource=job&user=%FF%FE", nil},
			{"legal", "GET", "/api/v1/policy/explain?user=hefei.tech&action=view&resource=%FF%FE", nil},
			{"engineer", "GET", "/api/v1/documents?q=" + q, nil},
			{"hefei.tech", "GET", "/api/v1/documents?q=" + q, nil},
			{"engineer", "GET", "/api/v1/documents?product_line=" + q, nil},
			{"legal", "GET", "/api/v1/policy/explain?action=view&resource=job&user=" + q, nil},
			{"legal", "GET", "/api/v1/policy/explain?user=hefei.tech&action=view&resource=" + q, nil},
			{"legal", "GET", "/api/v1/policy/explain?user=hefei.tech&resource=job&action=" + q, nil},
			{"", "POST", "/api/v1/auth/login", map[string]string{"username": nul, "password": demoPassword}},
			{"", "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": nul}},
			{"admin", "POST", "/api/v1/partners", map[string]string{"code": "nul-co", "name": nul, "home_city": "Hefei"}},
			{"contracts", "PATCH", fmt.Sprintf("/api/v1/partners/%d", hefei), map[string]string{"contact": nul}},
			{"dispatcher", "POST", "/api/v1/requests", map[string]any{"unit_id": h.unitIn("Hefei", "radar").ID, "category": "fault", "priority": "P2", "description": nul}},
		}
		for _, c := range cases {
			var body []byte
			if c.body != nil {
				body, _ = json.Marshal(c.body)
			}
			r, err := h.sendOne(c.method, c.path, tokens[c.user], body)
			if r == nil {
				t.Fatalf("%s %s: %v", c.method, c.path, err)
			}
			if r.Status >= 500 {
				t.Errorf("%s %s %s with a NUL byte or invalid UTF-8: got %d, want 400: %s", c.user, c.method, c.path, r.Status, r.Body)
			} else if err != nil {
				t.Errorf("%s %s %s: %v", c.user, c.method, c.path, err)
			}
		}
	})
}
