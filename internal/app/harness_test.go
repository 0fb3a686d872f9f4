package app_test

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/app"
	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/server"
	"github.com/cordon/cordon/internal/store"
)

// The tests here probe the whole wired application, API and pages, for
// what each user may see and send: the isolation matrix and the attack
// inventory. They moved from cmd/cordon, whose lower-case harness names
// this file keeps over internal/app/apptest.

const demoPassword = apptest.DemoPassword

func TestMain(m *testing.M) { apptest.Main(m) }

type response = apptest.Response

// harness is apptest's harness with cmd/cordon's names.
type harness struct {
	t     *testing.T
	app   *app.App
	db    *store.DB
	clock *apptest.Clock
	logs  *bytes.Buffer
	h     *apptest.Harness
}

// seededPostgres asks newHarness for PostgreSQL.
const seededPostgres = "postgres"

// eachDB runs fn on SQLite and on PostgreSQL at once, each with the demo
// world, and returns when both have ended.
func eachDB(t *testing.T, fn func(t *testing.T, h *harness)) {
	t.Helper()
	apptest.Each(t, func(t *testing.T, a *apptest.Harness) { fn(t, wrap(a)) })
}

// eachDBUnbudgeted is eachDB with the request budgets out of the way:
// for the attacks on isolation and input (the matrix sends some 1,700
// requests a user, the bad ids 2,200, all in one minute of the harness
// clock). The budgets have tests of their own.
func eachDBUnbudgeted(t *testing.T, fn func(t *testing.T, h *harness)) {
	t.Helper()
	unlimited := server.Rate{N: 1_000_000, Per: time.Minute}
	s := apptest.Setup{Tune: func(c *app.Config) { c.Rates.User, c.Rates.Partner = unlimited, unlimited }}
	apptest.EachWith(t, s, func(t *testing.T, a *apptest.Harness) { fn(t, wrap(a)) })
}

// newHarness wires the app on SQLite ("") or PostgreSQL (seededPostgres).
func newHarness(t *testing.T, engine string) *harness {
	t.Helper()
	if engine == seededPostgres {
		return wrap(apptest.New(t, apptest.Postgres))
	}
	return wrap(apptest.New(t, apptest.SQLite))
}

func wrap(a *apptest.Harness) *harness {
	return &harness{t: a.T, app: a.App, db: a.DB, clock: a.Clock, logs: a.Logs, h: a}
}

func (h *harness) do(method, path, token string, body any, headers ...string) *response {
	h.t.Helper()
	return h.h.Do(method, path, token, body, headers...)
}

func (h *harness) login(username string) (access, refresh string) {
	h.t.Helper()
	return h.h.Login(username)
}

func (h *harness) unitIn(city, line string) *cordon.Unit { h.t.Helper(); return h.h.UnitIn(city, line) }

func loadSpec(t *testing.T) { t.Helper(); apptest.Spec(t) }

func specMismatch(method, fullPath string, reqBody []byte, r *response) error {
	return apptest.SpecMismatch(method, fullPath, reqBody, r)
}

// browser is apptest's cookie-keeping client of the portal's pages.
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
func (b *browser) post(path string, form url.Values) *response {
	b.h.t.Helper()
	return b.Post(path, form)
}
