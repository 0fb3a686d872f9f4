package server

import (
	"bufio"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cordon/cordon/internal/api"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/webui"
	"github.com/cordon/cordon/web"
)

// routeRow is a markdown table row whose first cell names a route:
// | `GET /api/v1/jobs/{id}` | ...
// A query string after the path (`GET /api/v1/audit/proof?event={id}`) is
// allowed and ignored.
var routeRow = regexp.MustCompile("^\\|\\s*`(GET|POST|PUT|PATCH|DELETE) (/[^`\\s?]*)(\\?[^`]*)?`\\s*\\|")

// fiberParam is a Fiber path parameter, :id or :id?, documented as {id}.
var fiberParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)\??`)

// documentedRoute turns a Fiber route into the form the docs use.
func documentedRoute(method, path string) string {
	return method + " " + fiberParam.ReplaceAllString(path, "{$1}")
}

// inventoried says whether a registered route must appear in docs/.
func inventoried(method, path string) bool {
	if method != "GET" && method != "POST" && method != "PUT" && method != "PATCH" && method != "DELETE" {
		return false // HEAD, and the methods app.Use registers
	}
	switch {
	case path == "/" || path == "":
		return method == "GET" || method == "POST"
	case path == "/healthz", path == "/readyz", path == "/metrics":
		return false
	case path == "/static" || strings.HasPrefix(path, "/static/"):
		return false
	case strings.Contains(path, "*"):
		return false
	}
	if strings.HasPrefix(path, "/api/v1/") || path == "/api/v1" {
		return true
	}
	if strings.HasPrefix(path, "/api") {
		return false
	}
	return method == "GET" || method == "POST"
}

// docRoutes reads every route row from the markdown files in dir.
func docRoutes(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no markdown files in %s", dir)
	}
	rows := map[string]string{}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			m := routeRow.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			key := m[1] + " " + m[2]
			if _, ok := rows[key]; !ok {
				rows[key] = filepath.Base(name) + ":" + strconv.Itoa(line)
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return rows
}

// fakeEvaluation is never called: it only makes the portal register the
// survey pages, which exist only when evaluation is wired.
type fakeEvaluation struct{ cordon.Evaluation }

// newDocsServer builds the server as newTestServer does, with every
// optional service present so that every route is registered.
func newDocsServer(t *testing.T) *Server {
	t.Helper()
	srv, err := New(Config{
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Web:    web.FS,
		Auth:   fakeAuth{},
		Roles:  fakeRoles{},
		DB:     fakeDB{},
		Scope:  &fakeScope{},
		API:    api.Services{Team: fakeTeam{}, Evaluation: fakeEvaluation{}},
		Pages:  webui.Services{Team: fakeTeam{}, Evaluation: fakeEvaluation{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestDocsRouteTables checks the route tables in docs/ against the router:
// every documented route is registered, and every registered /api/v1 route
// and page route is documented.
func TestDocsRouteTables(t *testing.T) {
	registered := map[string]bool{}
	for _, r := range newDocsServer(t).App().GetRoutes(true) {
		if !inventoried(r.Method, r.Path) {
			continue
		}
		registered[documentedRoute(r.Method, r.Path)] = true
	}
	if len(registered) < 20 {
		t.Fatalf("only %d routes registered; is the portal wired in newTestServer?", len(registered))
	}
	documented := docRoutes(t, filepath.Join("..", "..", "docs"))

	var missing, stale []string
	for route := range registered {
		if _, ok := documented[route]; !ok {
			missing = append(missing, route)
		}
	}
	for route, where := range documented {
		if !registered[route] {
			stale = append(stale, where+": "+route)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	for _, r := range stale {
		t.Errorf("documented but not registered: %s", r)
	}
	for _, r := range missing {
		t.Errorf("registered but not in any docs/*.md route table: %s", r)
	}
}
