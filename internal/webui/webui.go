// Package webui serves the portal's HTML pages for partners, the institute
// and legal: server-rendered html/template pages from web/templates, in
// Simplified Chinese by default and English on request, over a cookie
// session on top of the access and refresh tokens of authn. It decides
// nothing about who may see what: the server's route guards make the
// function-level check and the services the object level, exactly as for
// the JSON API, and every page runs in the caller's data scope.
package webui

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// Services are the domain services the pages call: the same values the
// API gets.
type Services struct {
	Partners  cordon.PartnerService
	Manager   cordon.ContractManager
	Jobs      cordon.JobDesk
	Dispatch  cordon.DispatchService
	Reports   cordon.ReportService
	Documents cordon.DocumentLibrary
	// Catalog is the product catalogue: lines, models, components.
	Catalog cordon.CatalogService
	// Installed is the installed base: customers, delivered units, their
	// milestones, follow-up plans, history, imports and exports.
	Installed cordon.InstalledBaseService
	// WriteSheet writes unit rows as "xlsx" or "csv" with the headers in
	// a language: sheet.Write.
	WriteSheet func(w io.Writer, format, lang string, rows []cordon.SheetRow) error
	// SheetTemplate writes an empty unit spreadsheet to fill in:
	// sheet.Template.
	SheetTemplate func(w io.Writer, format, lang string) error
	// Describe puts a compiled grant into words in a language ("zh-CN",
	// "en"): contract.Describe, handed in by cmd.
	Describe func(g cordon.Grant, lang string) string
	// Now is the clock; nil means time.Now.
	Now cordon.Clock
	// Team is user and team management (team.go): the same service the
	// API's /api/v1/users calls.
	Team cordon.TeamService

	// The institute's and legal's pages (sla.go, scorecard.go, quality.go,
	// audit.go): the services the API's routes for them call.
	SLA        cordon.SLAMonitor
	Evaluation cordon.Evaluation
	Quality    cordon.QualityService
	// Training is the training records of training jobs.
	Training cordon.TrainingService
	Audit    cordon.AuditService
	// ContractActions lists the lifecycle actions a contract in a status
	// allows: contract.Actions, handed in by cmd.
	ContractActions func(cordon.ContractStatus) []string
	// OpenCheckpoint verifies a signed checkpoint with the verifier key and
	// returns its size and root: audit.OpenCheckpoint, handed in by cmd.
	OpenCheckpoint func(note []byte, key string) (size uint64, root [32]byte, err error)
	// Notifications is the caller's inbox (notify.go) and the unread count
	// in the navigation.
	Notifications cordon.NotificationService
	// Checklists is checklist templates and jobs' checklists
	// (checklist.go): the service the API's checklist routes call.
	Checklists cordon.ChecklistService
	// Threads are the messages on jobs (thread.go): the job page's thread.
	Threads cordon.ThreadService
}

// Guards are what the server lends the pages: the very pieces the API
// routes use after authentication. A page route is the cookie session
// (authenticated), then Budget, then one role guard, which enters the
// caller's data scope (on PostgreSQL one transaction under row-level
// security, committed only when the page succeeds) once it has allowed
// the request.
type Guards struct {
	// Budget draws an authenticated request on the caller's rate budgets;
	// it returns ETOOMANY when one is spent and does not call Next.
	Budget func(c *fiber.Ctx) error
	// Require allows only roles that may take action on resource.
	Require func(resource, action string) fiber.Handler
	// RequireAny allows roles that may take any of the (resource, action) pairs.
	RequireAny func(pairs ...[2]string) fiber.Handler
	// RequireAll allows roles that may take every one of the pairs.
	RequireAll func(pairs ...[2]string) fiber.Handler
}

// Handler holds the services and the parsed templates; its methods are
// the page handlers.
type Handler struct {
	svc   Services
	auth  cordon.AuthService
	roles cordon.RoleAuthorizer
	pages map[string]*template.Template
}

// pageNames are the templates under web/templates that render inside
// layout.html.
var pageNames = []string{"login", "jobs", "job", "documents", "dispatch", "contracts", "contract", "me", "team",
	"customers", "customer", "customer_new", "units", "unit", "unit_new", "unit_import", "units_stuck", "visits", "catalogue",
	"sla", "scorecards", "quality", "quality_new", "quality_campaign", "contract_action",
	"audit", "audit_customer", "audit_denials", "audit_seal", "survey",
	"checklists", "checklist", "checklist_edit", "trainees"}

// partialNames are templates that only define pieces of pages (the job
// page's checklist and thread), parsed with every page beside
// templates/parts/*.html.
var partialNames = []string{"job_checklist", "job_messages", "job_training"}

// New parses the page templates from web (the fs.FS of package web) and
// returns the handlers.
func New(svc Services, auth cordon.AuthService, roles cordon.RoleAuthorizer, web fs.FS) (*Handler, error) {
	if svc.Now == nil {
		svc.Now = time.Now
	}
	if svc.Describe == nil {
		svc.Describe = func(g cordon.Grant, _ string) string { return g.ContractNo + " " + g.Clause }
	}
	h := &Handler{svc: svc, auth: auth, roles: roles, pages: map[string]*template.Template{}}
	funcs := template.FuncMap{
		"join": func(s []string) string { return strings.Join(s, ", ") },
		"rows": func(p page, rows []jobRow, offers bool) jobRows {
			return jobRows{L: p.L, Partner: p.Actor.IsPartner(), Rows: rows, Offers: offers}
		},
		"field":       disclosedField,
		"pager":       func(p page, lp *listPager) pagerView { return pagerView{L: p.L, P: lp} },
		"keyset":      func(p page, k *keysetPager) keysetView { return keysetView{L: p.L, K: k} },
		"ymd":         ymd,
		"unitRows":    func(p page, rows []unitRow) unitRowsView { return unitRowsView{L: p.L, Rows: rows} },
		"historyLink": historyLink,
		"historyRef":  historyRef,
		"checklist":   func(p page, v *checklistView) *checklistView { v.L, v.CSRF = p.L, p.CSRF; return v },
		"hours":       hoursText,
		"deref":       deref,
		"trainingForm": func(p page, f *trainingForm, action, suffix string) trainingFormView {
			return trainingFormView{L: p.L, CSRF: p.CSRF, F: f, Action: action, Suffix: suffix}
		},
	}
	for _, name := range pageNames {
		files := []string{"templates/layout.html", "templates/parts/*.html"}
		for _, p := range partialNames {
			files = append(files, "templates/"+p+".html")
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(web, append(files, "templates/"+name+".html")...)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		h.pages[name] = t
	}
	return h, nil
}

// Register adds the portal's pages to r (the application's root).
func Register(r fiber.Router, h *Handler, g Guards) {
	auth := h.authenticated(g)
	r.Get("/login", h.handleLoginForm)
	r.Post("/login", h.checkCSRF, h.handleLogin)
	r.Get("/lang", h.handleLanguage)
	r.Post("/logout", h.checkCSRF, auth, g.Require(cordon.ResAuth, cordon.ActDelete), h.handleLogout)
	r.Get("/", auth, g.Require(cordon.ResMe, cordon.ActView), h.handleHome)
	r.Get("/me", auth, g.Require(cordon.ResMe, cordon.ActView), h.handleMe)
	registerJobPages(r, h, g, auth)
	registerDispatchPages(r, h, g, auth)
	registerDocumentPages(r, h, g, auth)
	registerContractPages(r, h, g, auth)
	registerTeamPages(r, h, g, auth)
	registerCustomerPages(r, h, g, auth)
	registerUnitPages(r, h, g, auth)
	registerVisitPages(r, h, g, auth)
	registerProductPages(r, h, g, auth)
	registerSLAPages(r, h, g, auth)
	registerScorecardPages(r, h, g, auth)
	registerQualityPages(r, h, g, auth)
	registerAuditPages(r, h, g, auth)
	registerNotifyPages(r, h, g, auth)
	registerChecklistPages(r, h, g, auth)
	registerSurveyPages(r, h)
	registerThreadPages(r, h, g, auth)
	registerTrainingPages(r, h, g, auth)
}

// allow reports whether the actor's roles may take action on resource.
func (h *Handler) allow(a *cordon.Actor, resource, action string) bool {
	return a != nil && h.roles.Allow(a.Roles, resource, action)
}

// navItem is one entry of the navigation.
type navItem struct {
	Key, Href string
	Active    bool
	Badge     int // a count shown beside the entry (unread notifications)
}

// nav lists the pages the actor's roles may open, in a fixed order.
func (h *Handler) nav(a *cordon.Actor, active string) []navItem {
	all := []struct{ key, href, res, act string }{
		{"nav.jobs", "/jobs", cordon.ResJob, cordon.ActList},
		{"nav.dispatch", "/dispatch", cordon.ResRequest, cordon.ActList},
		{"nav.documents", "/documents", cordon.ResDocument, cordon.ActList},
		{"nav.contracts", "/contracts", cordon.ResContract, cordon.ActList},
		{"nav.sla", "/sla", cordon.ResSLA, cordon.ActList},
		{"nav.scorecards", "/scorecards", cordon.ResScorecard, cordon.ActView},
		{"nav.quality", "/quality", cordon.ResQuality, cordon.ActView},
		{"nav.audit", "/audit", cordon.ResAccessEvent, cordon.ActList},
		{"nav.customers", "/customers", cordon.ResCustomer, cordon.ActList},
		{"nav.units", "/units", cordon.ResUnit, cordon.ActList},
		{"nav.visits", "/visits", cordon.ResUnit, cordon.ActList},
		{"nav.catalogue", "/catalogue", cordon.ResProduct, cordon.ActList},
		{"nav.checklists", "/checklists", cordon.ResChecklist, cordon.ActList},
		{"nav.trainees", "/trainees", cordon.ResTraining, cordon.ActList},
		{"nav.team", "/team", cordon.ResUser, cordon.ActList},
		{"nav.notifications", "/notifications", cordon.ResMe, cordon.ActView},
		{"nav.me", "/me", cordon.ResMe, cordon.ActView},
	}
	var out []navItem
	for _, x := range all {
		if h.allow(a, x.res, x.act) {
			out = append(out, navItem{Key: x.key, Href: x.href, Active: x.href == active})
		}
	}
	return out
}

// page is what every template gets: the locale, the user, the navigation,
// the CSRF token for its forms, a flash message, and the page's own data.
type page struct {
	L     Locale
	Title string
	Actor *cordon.Actor
	Nav   []navItem
	CSRF  string
	Path  string // the current path and query, for the language switch
	Flash *flash
	Now   time.Time
	Data  any
}

// render writes a page inside the layout.
func (h *Handler) render(c *fiber.Ctx, name, active, title string, data any) error {
	lang := language(c)
	now := h.svc.Now()
	a := cordon.ActorFromContext(c.UserContext())
	p := page{
		L: Locale{Lang: lang, now: now}, Actor: a, Nav: h.nav(a, active), CSRF: h.csrfToken(c),
		Path: c.OriginalURL(), Flash: takeFlash(c), Now: now, Data: data,
	}
	if path, ok := c.Locals(pathLocal).(string); ok {
		p.Path = path // a form's answer: the switch goes back to its page
	}
	p.Title = p.L.T(title)
	h.unreadBadge(c, a, p.Nav)
	return h.write(c, name, p)
}

// write executes a page's template inside the layout and sends it.
func (h *Handler) write(c *fiber.Ctx, name string, p page) error {
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	setPageHeaders(c)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
}

// setPageHeaders forbids caching of pages (they carry what a user may
// see) and limits what a page may load to this server.
func setPageHeaders(c *fiber.Ctx) {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "same-origin")
}

// redirect is a page's answer that the transaction must not commit but the
// browser should go elsewhere, with a flash message already set: a form
// the service refused.
type redirect struct{ to string }

func (r *redirect) Error() string { return "redirect to " + r.to }

// refused turns a service's refusal of a form (EINVALID, ECONFLICT,
// ETOOMANY) into a flash message on the page at to, after the data scope
// rolls back; every other error stays an error page.
func (h *Handler) refused(c *fiber.Ctx, to string, err error) error {
	switch cordon.ErrorCode(err) {
	case cordon.EINVALID, cordon.ECONFLICT, cordon.ETOOMANY:
		setFlash(c, "error", Locale{Lang: language(c)}.ErrorText(err))
		return &redirect{to: to}
	}
	return err
}

// done sets a flash message and sends the browser to to (303: the
// post/redirect/get pattern).
func done(c *fiber.Ctx, to, msg string) error {
	setFlash(c, "ok", msg)
	return c.Redirect(to, fiber.StatusSeeOther)
}

// home is the page each role starts from.
func (h *Handler) home(a *cordon.Actor) string {
	switch {
	case a.HasRole(cordon.RoleDispatcher):
		return "/dispatch"
	case a.HasRole(cordon.RoleQualitySupervisor):
		return "/sla"
	case a.HasRole(cordon.RoleLegalAuditor):
		return "/audit"
	case h.allow(a, cordon.ResJob, cordon.ActList):
		return "/jobs"
	case h.allow(a, cordon.ResContract, cordon.ActList):
		return "/contracts"
	case h.allow(a, cordon.ResDocument, cordon.ActList):
		return "/documents"
	}
	return "/me"
}

func (h *Handler) handleHome(c *fiber.Ctx) error {
	return c.Redirect(h.home(cordon.ActorFromContext(c.UserContext())), fiber.StatusSeeOther)
}

// localPath reports whether s is a path on this site: it begins with one
// slash and names no other host.
func localPath(s string) bool {
	return strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") && !strings.ContainsAny(s, "\\\r\n")
}

// handleLanguage sets the lang cookie and goes back to the page.
func (h *Handler) handleLanguage(c *fiber.Ctx) error {
	lang := langZH
	if strings.HasPrefix(strings.ToLower(c.Query("to")), "en") {
		lang = langEN
	}
	c.Cookie(&fiber.Cookie{Name: cookieLang, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
	next := c.Query("next")
	if !localPath(next) {
		next = "/"
	}
	// The query's own lang would win over the cookie: drop it.
	if u, err := url.Parse(next); err == nil {
		q := u.Query()
		if q.Has("lang") {
			q.Del("lang")
			u.RawQuery = q.Encode()
			next = u.String()
		}
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

type meData struct {
	User *cordon.User
}

func (h *Handler) handleMe(c *fiber.Ctx) error {
	u, err := h.svc.Team.Self(c.UserContext())
	if err != nil {
		return err
	}
	return h.render(c, "me", "/me", "me.title", meData{User: u})
}

// idParam reads a positive id from the path; anything else is a page
// that does not exist.
func idParam(c *fiber.Ctx, what string) (int64, error) {
	v := c.Params("id")
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || len(v) > 18 {
		return 0, cordon.ErrNotFound(what)
	}
	return n, nil
}
