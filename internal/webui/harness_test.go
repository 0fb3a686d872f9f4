package webui_test

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"

	"github.com/cordon/cordon/internal/app"
	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/audit"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// The page tests run the portal through the wired application
// (internal/app/apptest) on SQLite and PostgreSQL with the demo world. They
// moved from cmd/cordon, whose lower-case harness names this file keeps.

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
func (b *browser) page(path string, texts ...string) string {
	b.h.t.Helper()
	return b.Page(path, texts...)
}
func (b *browser) post(path string, form url.Values) *response {
	b.h.t.Helper()
	return b.Post(path, form)
}

func (h *harness) partnerIDs(token string) map[string]int64 {
	h.t.Helper()
	return h.h.PartnerIDs(token)
}
func (h *harness) apiJobIDs(user string) map[int64]string { h.t.Helper(); return h.h.APIJobIDs(user) }
func (h *harness) offeredTo(user string) int64            { h.t.Helper(); return h.h.OfferedTo(user) }
func (h *harness) seal() audit.SealResult                 { h.t.Helper(); return h.h.Seal() }
func (h *harness) partnerAccesses()                       { h.t.Helper(); h.h.PartnerAccesses() }
func (h *harness) verifierKey() string                    { h.t.Helper(); return h.h.VerifierKey() }
func (h *harness) accessEvents(f cordon.AccessEventFilter) []*cordon.AccessEvent {
	h.t.Helper()
	return h.h.AccessEvents(f)
}
func (h *harness) intake(token string, unit *cordon.Unit, category, priority string) int64 {
	h.t.Helper()
	return h.h.Intake(token, unit, category, priority)
}
func (h *harness) countJobs(partnerID int64, st cordon.JobStatus) (int, error) {
	return h.h.CountJobs(partnerID, st)
}

func pngFile() []byte { return apptest.PNG() }
