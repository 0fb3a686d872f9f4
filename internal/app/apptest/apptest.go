// Package apptest runs the wired application (internal/app) in tests: on a
// real SQLite database always, and on PostgreSQL when
// CORDON_TEST_DATABASE_URL is set (under CI=true a missing PostgreSQL fails
// the test), each with the demo world and a test clock. Requests go through
// app.Test, and every /api/v1 answer is checked against
// contracts/openapi.yaml. Only tests import it.
//
// The demo world is migrated and seeded once per test binary and engine
// (templates.go); every harness starts from a copy of its own. A package
// using it calls Main from its TestMain, which removes the templates.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/app"
	"github.com/cordon/cordon/internal/server"
	"github.com/cordon/cordon/internal/store"
)

// DemoPassword is every demo user's password.
const DemoPassword = "demo-password-for-tests"

// Engine names the database a harness runs on.
type Engine string

// The engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Clock is a test clock that only moves when told.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set sets the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Setup is how a harness is built; the zero value is the defaults.
type Setup struct {
	// DataDir is the data directory (SQLite's file, the signing keys);
	// empty means a temporary one.
	DataDir string
	// StatementTimeout stops a statement on PostgreSQL; zero means
	// store.DefaultStatementTimeout.
	StatementTimeout time.Duration
	// Config is the wiring's configuration; nil means Defaults(DataDir).
	// PasswordParams is always set to the templates' cheap parameters.
	Config *app.Config
	// Tune changes the configuration before anything is wired.
	Tune func(*app.Config)
}

// DefaultRates are cmd/cordon's default request budgets.
func DefaultRates() app.Rates {
	return app.Rates{
		LoginIP:   server.Rate{N: 60, Per: time.Minute},
		LoginUser: server.Rate{N: 20, Per: time.Minute},
		Partner:   server.Rate{N: 3000, Per: time.Minute},
		User:      server.Rate{N: 1500, Per: time.Minute},
	}
}

// Defaults returns the configuration cmd/cordon runs with by default.
func Defaults(dataDir string) *app.Config {
	return &app.Config{DataDir: dataDir, DownloadQuota: 100, Rates: DefaultRates()}
}

// Harness is the wired application on a database of its own that holds
// the demo world.
type Harness struct {
	T       *testing.T
	App     *app.App
	DB      *store.DB
	Clock   *Clock
	Logs    *bytes.Buffer // the application's log, JSON lines
	Config  *app.Config
	URL     string // the PostgreSQL URL; empty on SQLite
	DataDir string
	timeout time.Duration
}

// Each runs fn as subtests "sqlite" and "postgres", each with a harness of
// its own. The two run at once (on two cores one waits for PostgreSQL while
// the other computes); Each returns when both have ended.
func Each(t *testing.T, fn func(t *testing.T, h *Harness)) {
	t.Helper()
	EachWith(t, Setup{}, fn)
}

// EachWith is Each with a setup.
func EachWith(t *testing.T, s Setup, fn func(t *testing.T, h *Harness)) {
	t.Helper()
	var wg sync.WaitGroup
	for _, e := range []Engine{SQLite, Postgres} {
		wg.Go(func() { t.Run(string(e), func(t *testing.T) { fn(t, NewWith(t, e, s)) }) })
	}
	wg.Wait()
}

// New wires the application with the defaults on engine.
func New(t *testing.T, e Engine) *Harness {
	t.Helper()
	return NewWith(t, e, Setup{})
}

// NewWith wires the application on engine as s says.
func NewWith(t *testing.T, e Engine, s Setup) *Harness {
	t.Helper()
	clk := &Clock{t: SeedTime}
	dir := s.DataDir
	if dir == "" {
		dir = t.TempDir()
	}
	url := ""
	switch e {
	case SQLite:
		copySQLiteTemplate(t, dir)
	case Postgres:
		url = clonePostgresTemplate(t)
	default:
		t.Fatalf("apptest: unknown engine %q", e)
	}
	cfg := s.Config
	if cfg == nil {
		cfg = Defaults(dir)
	}
	if s.Tune != nil {
		s.Tune(cfg)
	}
	timeout := s.StatementTimeout
	if timeout == 0 {
		timeout = store.DefaultStatementTimeout
	}
	h := &Harness{T: t, Clock: clk, Config: cfg, URL: url, DataDir: dir, timeout: timeout}
	h.DB, h.App, h.Logs = h.wire()
	return h
}

// wire opens the harness's database and wires an application on it.
func (h *Harness) wire() (*store.DB, *app.App, *bytes.Buffer) {
	h.T.Helper()
	db, err := store.Open(context.Background(), store.Config{URL: h.URL, DataDir: h.DataDir, MaxOpenConns: 8,
		Now: h.Clock.Now, StatementTimeout: h.timeout})
	if err != nil {
		h.T.Fatalf("open: %v", err)
	}
	h.T.Cleanup(func() { db.Close() })
	logs := &bytes.Buffer{}
	cfg := *h.Config
	cfg.PasswordParams = HashParams
	a, err := app.New(&cfg, db, slog.New(slog.NewJSONHandler(&LockedWriter{W: logs}, nil)), h.Clock.Now)
	if err != nil {
		h.T.Fatalf("wire: %v", err)
	}
	return db, a, logs
}

// Replica wires a second application on the harness's database, data
// directory (the same signing keys) and clock, as a second replica behind a
// load balancer would run: nothing shared with the first but the database.
func (h *Harness) Replica() *Harness {
	h.T.Helper()
	r := *h
	r.DB, r.App, r.Logs = r.wire()
	return &r
}

// LockedWriter serialises writes to W.
type LockedWriter struct {
	mu sync.Mutex
	W  io.Writer
}

func (l *LockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.W.Write(p)
}

// Response is what a request got back.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map.
func (r *Response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// Do sends a request through the app and checks every /api/v1 response
// against contracts/openapi.yaml. body is nil, a string, bytes, or a value
// sent as JSON; headers are name, value pairs.
func (h *Harness) Do(method, path, token string, body any, headers ...string) *Response {
	h.T.Helper()
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
	res, err := h.App.Server.App().Test(req, -1)
	if err != nil {
		h.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	r := &Response{Status: res.StatusCode, Header: res.Header, Body: out}
	if strings.HasPrefix(path, "/api/v1/") {
		CheckAgainstSpec(h.T, method, path, raw, r)
	}
	return r
}

// Serve runs the app on a loopback port until the test ends and returns
// its base URL, for what only a real connection shows (body and header caps).
func (h *Harness) Serve() string {
	h.T.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.T.Fatal(err)
	}
	go h.App.Server.App().Listener(ln)
	h.T.Cleanup(func() { h.App.Server.Shutdown(context.Background()) })
	return "http://" + ln.Addr().String()
}

// Login returns an access and a refresh token for a demo user.
func (h *Harness) Login(username string) (access, refresh string) {
	h.T.Helper()
	r := h.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": DemoPassword})
	if r.Status != 200 {
		h.T.Fatalf("login %s: status %d: %s", username, r.Status, r.Body)
	}
	m := r.JSON(h.T)
	return m["access_token"].(string), m["refresh_token"].(string)
}
