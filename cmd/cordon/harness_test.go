package main

import (
	"bytes"
	"os"
	"sync"
	"testing"

	"github.com/cordon/cordon/internal/app"
	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/store"
)

// The journeys here run on internal/app/apptest's harness, with the
// binary's own configuration type, so that a test can also run the CLI
// (h.cmd, h.env) on the harness's database.

const demoPassword = apptest.DemoPassword

func TestMain(m *testing.M) { apptest.Main(m) }

// clock is a test clock that only moves when told.
type clock = apptest.Clock

// response is what a request got back.
type response = apptest.Response

// harness is the wired application on a real database with the demo world.
type harness struct {
	t     *testing.T
	app   *app.App
	db    *store.DB
	clock *clock
	logs  *bytes.Buffer
	cfg   *config
	h     *apptest.Harness
}

// eachDB runs fn on SQLite and on PostgreSQL, each with the demo world.
func eachDB(t *testing.T, fn func(t *testing.T, h *harness)) {
	t.Helper()
	eachDBWith(t, nil, fn)
}

// eachDBWith is eachDB with the configuration changed by tune. The two
// engines run at once, each on a database of its own; eachDBWith returns
// when both have ended, so a test may sum up after it.
func eachDBWith(t *testing.T, tune func(*config), fn func(t *testing.T, h *harness)) {
	t.Helper()
	var wg sync.WaitGroup
	wg.Go(func() { t.Run("sqlite", func(t *testing.T) { fn(t, newHarnessWith(t, "", tune)) }) })
	wg.Go(func() { t.Run("postgres", func(t *testing.T) { fn(t, newHarnessWith(t, seededPostgres, tune)) }) })
	wg.Wait()
}

// seededPostgres asks newHarness for PostgreSQL: a database of the test's
// own, copied from apptest's seeded template.
const seededPostgres = "postgres"

// newHarness wires the app with a test clock on a database holding the demo
// world: url "" is SQLite in a temporary data directory, seededPostgres a
// PostgreSQL database of the test's own.
func newHarness(t *testing.T, url string) *harness {
	t.Helper()
	return newHarnessWith(t, url, nil)
}

// newHarnessWith is newHarness with the configuration changed by tune
// (nil: the defaults) before anything is wired.
func newHarnessWith(t *testing.T, url string, tune func(*config)) *harness {
	t.Helper()
	engine := apptest.SQLite
	switch url {
	case "":
	case seededPostgres:
		engine = apptest.Postgres
	default:
		t.Fatalf("newHarness: url must be empty or seededPostgres, not %q", url)
	}
	c := &config{DataDir: t.TempDir(), DemoPassword: demoPassword, Demo: "on", DownloadQuota: 100,
		Rates: defaultRates(), StatementTimeout: store.DefaultStatementTimeout}
	if tune != nil {
		tune(c)
	}
	a := apptest.NewWith(t, engine, apptest.Setup{DataDir: c.DataDir, StatementTimeout: c.StatementTimeout,
		Config: c.wiring(os.Getenv)})
	c.DatabaseURL = a.URL
	return wrap(a, c)
}

func wrap(a *apptest.Harness, c *config) *harness {
	return &harness{t: a.T, app: a.App, db: a.DB, clock: a.Clock, logs: a.Logs, cfg: c, h: a}
}

// replica wires a second application on the harness's database, data
// directory (the same signing key) and clock, as a second replica behind
// a load balancer would run: nothing shared with the first but the
// database.
func (h *harness) replica() *harness { return wrap(h.h.Replica(), h.cfg) }

// env returns a getenv that points the binary at the harness's database.
func (h *harness) env() func(string) string {
	return func(k string) string {
		return map[string]string{"DATABASE_URL": h.cfg.DatabaseURL, "CORDON_DATA_DIR": h.cfg.DataDir}[k]
	}
}

type lockedWriter = apptest.LockedWriter

// do sends a request through the app and checks every /api/v1 response
// against contracts/openapi.yaml.
func (h *harness) do(method, path, token string, body any, headers ...string) *response {
	h.t.Helper()
	return h.h.Do(method, path, token, body, headers...)
}

// serve runs the app on a loopback port until the test ends and returns
// its base URL, for what only a real connection shows (body and header caps).
func (h *harness) serve() string { h.t.Helper(); return h.h.Serve() }

// login returns an access and a refresh token for a demo user.
func (h *harness) login(username string) (access, refresh string) {
	h.t.Helper()
	return h.h.Login(username)
}

func loadSpec(t *testing.T) { t.Helper(); apptest.Spec(t) }

func specMismatch(method, fullPath string, reqBody []byte, r *response) error {
	return apptest.SpecMismatch(method, fullPath, reqBody, r)
}
