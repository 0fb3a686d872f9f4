package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/cordon/cordon/internal/app"
	"github.com/cordon/cordon/internal/store"
)

const demoPassword = "demo-password-for-tests"

// clock is a test clock that only moves when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness is the wired application on a real database with the demo world.
type harness struct {
	t     *testing.T
	app   *app.App
	db    *store.DB
	clock *clock
	logs  *bytes.Buffer
	cfg   *config
}

// eachDB runs fn on SQLite and on PostgreSQL, each with the demo world.
func eachDB(t *testing.T, fn func(t *testing.T, h *harness)) {
	t.Helper()
	eachDBWith(t, nil, fn)
}

// eachDBWith is eachDB with the configuration changed by tune. The two
// engines run at once, each on a database of its own: on two cores one
// waits for PostgreSQL while the other computes. eachDBWith returns when
// both have ended, so a test may sum up after it.
func eachDBWith(t *testing.T, tune func(*config), fn func(t *testing.T, h *harness)) {
	t.Helper()
	var wg sync.WaitGroup
	wg.Go(func() { t.Run("sqlite", func(t *testing.T) { fn(t, newHarnessWith(t, "", tune)) }) })
	wg.Go(func() { t.Run("postgres", func(t *testing.T) { fn(t, newHarnessWith(t, seededPostgres, tune)) }) })
	wg.Wait()
}

// seededPostgres asks newHarness for PostgreSQL: a database of the test's
// own, copied from the seeded template.
const seededPostgres = "postgres"

// newHarness wires the app with a test clock on a database holding the demo
// world: url "" is SQLite in a temporary data directory, seededPostgres a
// PostgreSQL database of its own (both copied from the seeded templates, see
// template_test.go), and any other URL an empty schema that is migrated and
// seeded here.
func newHarness(t *testing.T, url string) *harness {
	t.Helper()
	return newHarnessWith(t, url, nil)
}

// newHarnessWith is newHarness with the configuration changed by tune
// (nil: the defaults) before anything is wired.
func newHarnessWith(t *testing.T, url string, tune func(*config)) *harness {
	t.Helper()
	clk := &clock{t: seedTime}
	dataDir := t.TempDir()
	fresh := false
	switch url {
	case "":
		copySQLiteTemplate(t, dataDir)
	case seededPostgres:
		url = clonePostgresTemplate(t)
	default:
		fresh = true
	}
	c := &config{DatabaseURL: url, DataDir: dataDir, DemoPassword: demoPassword, Demo: "on", DownloadQuota: 100,
		Rates: defaultRates(), StatementTimeout: store.DefaultStatementTimeout}
	if tune != nil {
		tune(c)
	}
	db, err := store.Open(context.Background(), store.Config{URL: url, DataDir: c.DataDir, MaxOpenConns: 8, Now: clk.Now, StatementTimeout: c.StatementTimeout})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if fresh {
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		if err := seedDemo(context.Background(), c, db, io.Discard, true, clk.Now); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	logs := &bytes.Buffer{}
	a, err := wireForTest(c, db, slog.New(slog.NewJSONHandler(&lockedWriter{w: logs}, nil)), clk.Now)
	if err != nil {
		t.Fatalf("wire: %v", err)
	}
	return &harness{t: t, app: a, db: db, clock: clk, logs: logs, cfg: c}
}

// wireForTest is newApp with the unknown-user dummy hash as cheap as the
// templates' demo hashes (testHashParams).
func wireForTest(c *config, db *store.DB, log *slog.Logger, now func() time.Time) (*app.App, error) {
	w := c.wiring(os.Getenv)
	w.PasswordParams = testHashParams
	return app.New(w, db, log, now)
}

// replica wires a second application on the harness's database, data
// directory (the same signing key) and clock, as a second replica behind
// a load balancer would run: nothing shared with the first but the
// database.
func (h *harness) replica() *harness {
	h.t.Helper()
	db, err := store.Open(context.Background(), store.Config{URL: h.cfg.DatabaseURL, DataDir: h.cfg.DataDir, MaxOpenConns: 8,
		Now: h.clock.Now, StatementTimeout: h.cfg.StatementTimeout})
	if err != nil {
		h.t.Fatalf("open replica: %v", err)
	}
	h.t.Cleanup(func() { db.Close() })
	logs := &bytes.Buffer{}
	a, err := wireForTest(h.cfg, db, slog.New(slog.NewJSONHandler(&lockedWriter{w: logs}, nil)), h.clock.Now)
	if err != nil {
		h.t.Fatalf("wire replica: %v", err)
	}
	return &harness{t: h.t, app: a, db: db, clock: h.clock, logs: logs, cfg: h.cfg}
}

// env returns a getenv that points the binary at the harness's database.
func (h *harness) env() func(string) string {
	return func(k string) string {
		return map[string]string{"DATABASE_URL": h.cfg.DatabaseURL, "CORDON_DATA_DIR": h.cfg.DataDir}[k]
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// response is what a request got back.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map.
func (r *response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// do sends a request through the app and checks every /api/v1 response
// against contracts/openapi.yaml.
func (h *harness) do(method, path, token string, body any, headers ...string) *response {
	h.t.Helper()
	var rd io.Reader
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		raw, _ = json.Marshal(b)
	}
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := h.app.Server.App().Test(req, -1)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	r := &response{Status: res.StatusCode, Header: res.Header, Body: out}
	if strings.HasPrefix(path, "/api/v1/") {
		checkAgainstSpec(h.t, method, path, raw, r)
	}
	return r
}

// serve runs the app on a loopback port until the test ends and returns
// its base URL, for what only a real connection shows (body and header caps).
func (h *harness) serve() string {
	h.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.t.Fatal(err)
	}
	go h.app.Server.App().Listener(ln)
	h.t.Cleanup(func() { h.app.Server.Shutdown(context.Background()) })
	return "http://" + ln.Addr().String()
}

// login returns an access and a refresh token for a demo user.
func (h *harness) login(username string) (access, refresh string) {
	h.t.Helper()
	r := h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": demoPassword})
	if r.Status != 200 {
		h.t.Fatalf("login %s: status %d: %s", username, r.Status, r.Body)
	}
	m := r.JSON(h.t)
	return m["access_token"].(string), m["refresh_token"].(string)
}

var (
	specOnce sync.Once
	spec     *openapi3.T
	specErr  error
)

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	specOnce.Do(func() {
		l := openapi3.NewLoader()
		spec, specErr = l.LoadFromFile("../../contracts/openapi.yaml")
		if specErr == nil {
			specErr = spec.Validate(l.Context)
		}
	})
	if specErr != nil {
		t.Fatalf("contracts/openapi.yaml: %v", specErr)
	}
	return spec
}

// findOperation matches a concrete path against the spec's templates,
// segment by segment; a {name} segment matches any one segment.
func findOperation(doc *openapi3.T, method, path string) (string, *openapi3.PathItem, *openapi3.Operation, map[string]string) {
	got := strings.Split(path, "/")
	for tmpl, item := range doc.Paths.Map() {
		want := strings.Split(tmpl, "/")
		if len(want) != len(got) {
			continue
		}
		params := map[string]string{}
		ok := true
		for i, w := range want {
			switch {
			case strings.HasPrefix(w, "{") && strings.HasSuffix(w, "}") && got[i] != "":
				params[strings.Trim(w, "{}")] = got[i]
			case w != got[i]:
				ok = false
			}
		}
		if ok {
			return tmpl, item, item.GetOperation(method), params
		}
	}
	return "", nil, nil, nil
}

func checkAgainstSpec(t *testing.T, method, fullPath string, reqBody []byte, r *response) {
	t.Helper()
	doc := loadSpec(t)
	path := strings.TrimPrefix(strings.SplitN(fullPath, "?", 2)[0], "/api/v1")
	tmpl, item, op, params := findOperation(doc, method, path)
	if op == nil {
		if r.Status == 404 || r.Status == 405 {
			return // an unknown route answered as such
		}
		t.Fatalf("%s %s answered %d but is not in contracts/openapi.yaml", method, fullPath, r.Status)
	}
	req := httptest.NewRequest(method, fullPath, bytes.NewReader(reqBody))
	in := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      &routers.Route{Spec: doc, Path: tmpl, PathItem: item, Method: method, Operation: op},
		Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if op.Responses.Status(r.Status) == nil && op.Responses.Default() == nil {
		t.Fatalf("%s %s answered %d, which contracts/openapi.yaml does not document: %s", method, fullPath, r.Status, r.Body)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 r.Status,
		Header:                 r.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	out.SetBodyBytes(r.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Fatalf("%s %s: response %d does not match contracts/openapi.yaml: %v\nbody: %s", method, fullPath, r.Status, err, r.Body)
	}
}
