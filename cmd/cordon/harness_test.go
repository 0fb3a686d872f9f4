package main

import (
	"bytes"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/cordon/cordon/internal/app"
	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
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
		Config: c.wiring()})
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

// browser is apptest's cookie-keeping client of the portal's pages, with
// this package's lower-case names.
type browser struct {
	*apptest.Browser
	h   *harness
	jar map[string]string // the same map as Browser.Jar
}

func (h *harness) browser() *browser {
	b := h.h.Browser()
	return &browser{Browser: b, h: h, jar: b.Jar}
}

func (b *browser) send(method, path string, form url.Values) *response {
	b.h.t.Helper()
	return b.Send(method, path, form)
}
func (b *browser) do(req *http.Request) *response { b.h.t.Helper(); return b.Do(req) }
func (b *browser) get(path string) *response      { b.h.t.Helper(); return b.Get(path) }
func (b *browser) login(username string)          { b.h.t.Helper(); b.Login(username) }
func (b *browser) page(path string, texts ...string) string {
	b.h.t.Helper()
	return b.Page(path, texts...)
}

// post sends a form with the CSRF token the last page set.
func (b *browser) post(path string, form url.Values) *response {
	b.h.t.Helper()
	return b.Post(path, form)
}

// apiJobIDs lists the job ids the API shows the user, with their statuses.
func (h *harness) apiJobIDs(user string) map[int64]string { h.t.Helper(); return h.h.APIJobIDs(user) }

// offeredTo returns a job offered to the partner of user.
func (h *harness) offeredTo(user string) int64 { h.t.Helper(); return h.h.OfferedTo(user) }

// pngFile is a small real PNG.
func pngFile() []byte { return apptest.PNG() }

func (h *harness) unitIn(city, line string) *cordon.Unit { h.t.Helper(); return h.h.UnitIn(city, line) }
func (h *harness) intake(token string, unit *cordon.Unit, category, priority string) int64 {
	h.t.Helper()
	return h.h.Intake(token, unit, category, priority)
}
func (h *harness) jobIDs(token string) map[int64]map[string]any {
	h.t.Helper()
	return h.h.JobIDs(token)
}
func (h *harness) jobsOf(partnerID int64) map[int64]bool { h.t.Helper(); return h.h.JobsOf(partnerID) }
func (h *harness) accessEvents(f cordon.AccessEventFilter) []*cordon.AccessEvent {
	h.t.Helper()
	return h.h.AccessEvents(f)
}
func (h *harness) documents(token string) map[int64]map[string]any {
	h.t.Helper()
	return h.h.Documents(token)
}

// surveyLink creates a survey link for a closed job.
func surveyLink(t *testing.T, h *harness) (int64, string) { t.Helper(); return h.h.SurveyLink() }
