// Package app wires Cordon's packages into one application; only
// cmd/cordon and tests import it.
package app

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"path/filepath"

	"github.com/cordon/cordon/contracts"
	"github.com/cordon/cordon/internal/api"
	"github.com/cordon/cordon/internal/audit"
	"github.com/cordon/cordon/internal/authn"
	"github.com/cordon/cordon/internal/authz"
	"github.com/cordon/cordon/internal/catalog"
	"github.com/cordon/cordon/internal/checklist"
	"github.com/cordon/cordon/internal/contract"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/demo"
	"github.com/cordon/cordon/internal/dispatch"
	"github.com/cordon/cordon/internal/document"
	"github.com/cordon/cordon/internal/evaluation"
	"github.com/cordon/cordon/internal/installbase"
	"github.com/cordon/cordon/internal/notify"
	"github.com/cordon/cordon/internal/partner"
	"github.com/cordon/cordon/internal/quality"
	"github.com/cordon/cordon/internal/report"
	"github.com/cordon/cordon/internal/server"
	"github.com/cordon/cordon/internal/sheet"
	"github.com/cordon/cordon/internal/sla"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/team"
	"github.com/cordon/cordon/internal/thread"
	"github.com/cordon/cordon/internal/training"
	"github.com/cordon/cordon/internal/webui"
	"github.com/cordon/cordon/policies"
	"github.com/cordon/cordon/web"
)

// Config is what the wiring reads from the binary's configuration.
type Config struct {
	DataDir string // the signing keys (and SQLite's file, which the store opens)
	// AuditKeyFile is the checkpoint signing key; empty means
	// audit.KeyFile in DataDir.
	AuditKeyFile   string
	TrustedProxies []*net.IPNet
	// WebhookNetworks are private or loopback networks webhooks may go
	// to; public addresses need no listing.
	WebhookNetworks []*net.IPNet
	DownloadQuota   int    // documents per user per day
	PublicURL       string // where customers reach the portal
	Rates           Rates
	// SLAAtRisk is the share of an SLA term used at which a job is at
	// risk; 0 means 0.8.
	SLAAtRisk float64
	// PasswordParams are the argon2id parameters of the dummy hash logins
	// of unknown users are checked against; zero means
	// authn.DefaultParams(). Only tests set them (apptest, to what its
	// demo hashes use).
	PasswordParams authn.Params
}

// Rates are the request budgets, shared by every replica through the
// database. A zero rate is no limit.
type Rates struct {
	LoginIP, LoginUser, Partner, User server.Rate
}

// App is the wired application: the store, the services and the server.
type App struct {
	DB         *store.DB
	Desk       *dispatch.Desk
	Dispatcher *dispatch.Dispatcher
	Sweeper    *dispatch.Sweeper
	SLA        *sla.Sweeper // the leader's background work: SLA states and escalations, then the dispatch sweep
	Explainer  *authz.Explainer
	Auth       *authn.Service
	Scope      *authz.ScopeEnforcer
	Registry   *contract.Registry
	Manager    *contract.Manager
	Server     *server.Server
	Sealer     *audit.Sealer // seals the access log in the background
	Relay      *notify.Relay // relays the outbox and delivers webhooks in the background
	Checklists *checklist.Service
	Threads    *thread.Service
}

// New wires every package together. Only this package does that.
func New(c *Config, db *store.DB, log *slog.Logger, now cordon.Clock) (*App, error) {
	key, err := authn.LoadOrCreateKey(c.DataDir)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	roles, err := authz.NewRoleEnforcer(policies.FS)
	if err != nil {
		return nil, fmt.Errorf("role rules: %w", err)
	}
	scope, err := authz.NewScopeEnforcer(policies.FS)
	if err != nil {
		return nil, fmt.Errorf("scope rules: %w", err)
	}
	users, orgs, contractStore := store.NewUserStore(db), store.NewOrgStore(db), store.NewContractStore(db)
	catalogStore, documents, jobs := store.NewCatalogStore(db), store.NewDocumentStore(db), store.NewJobStore(db)
	registry := contract.NewRegistry(contract.RegistryConfig{
		Contracts: contractStore, Orgs: orgs, Scope: scope, Events: store.NewEvents(db), Now: now, Log: log,
	})
	if err := registry.Reload(context.Background()); err != nil {
		return nil, err
	}
	cities, err := fs.ReadFile(contracts.FS(), contracts.CitiesFile)
	if err != nil {
		return nil, fmt.Errorf("cities: %w", err)
	}
	manager := contract.NewManager(contract.ManagerConfig{
		Contracts: contractStore, Jobs: jobs, Orgs: orgs, Catalog: catalogStore, Registry: registry,
		Cities: contract.ParseCities(cities), Now: now,
	})
	explainer := authz.NewExplainer(authz.ExplainerConfig{
		Users: users, Jobs: jobs, Documents: documents, Catalog: catalogStore,
		Roles: roles, Scope: scope,
	})
	access, requests := store.NewAccessLog(db), store.NewRequestStore(db)
	surveyKey, err := evaluation.LoadOrCreateKey(c.DataDir)
	if err != nil {
		return nil, fmt.Errorf("survey key: %w", err)
	}
	evaluator := evaluation.NewService(evaluation.Config{
		Jobs: jobs, Contracts: contractStore, Orgs: orgs, Surveys: store.NewSurveyStore(db), Scope: scope,
		Meter: sla.Meter{}.ContractClocks, Key: surveyKey, Now: now,
	})
	desk := dispatch.NewDesk(dispatch.DeskConfig{Jobs: jobs, Orgs: orgs, Scope: scope, Access: access})
	installed := NewInstalledBase(db, now)
	checklists := checklist.New(checklist.Config{Checklists: store.NewChecklistStore(db), Catalog: catalogStore,
		Jobs: desk, Access: access, CheckContent: checkContent, Now: now})
	dispatcher := dispatch.NewDispatcher(dispatch.DispatcherConfig{
		Desk: desk, Requests: requests, Jobs: jobs, Catalog: catalogStore,
		Customers: store.NewCustomerStore(db), Contracts: contractStore, Orgs: orgs, Scope: scope, Access: access, Now: now,
		Users: users, Roles: roles, Scores: evaluator, Milestones: installed, Checklists: checklists,
	})
	reports := report.New(report.Config{Desk: desk, Jobs: jobs, Reports: store.NewReportStore(db), Access: access, Orgs: orgs,
		Checklist: checklists.JobChecklist, CheckContent: checkContent, Now: now})
	threads := thread.New(thread.Config{Jobs: desk, Threads: store.NewThreadStore(db), Access: access,
		CheckContent: checkContent, Now: now})
	sweeper := dispatch.NewSweeper(dispatcher, serviceDesk(context.Background(), users, orgs), log)
	slaStore := store.NewSLAStore(db)
	var srv *server.Server
	slaSweeper := sla.NewSweeper(sla.SweeperConfig{
		Store: slaStore, Contracts: contractStore, Lock: store.NewLeaderLock(db), AtRisk: c.SLAAtRisk, Now: now, Log: log,
		Also:   []func(context.Context) error{sweeper.Sweep},
		OnLead: func(leading bool) { srv.SetLeader(sla.TaskSweeper, leading) },
	})
	slaMonitor := sla.NewMonitor(jobs, contractStore, slaStore, c.SLAAtRisk, now)
	library := document.NewLibrary(document.LibraryConfig{
		Documents: documents, Catalog: catalogStore, Orgs: orgs,
		Scope: scope, Access: access, Now: now, Limits: document.DefaultLimits(), DailyQuota: c.DownloadQuota,
	})
	auth := authn.NewService(authn.Config{
		Users:    users,
		Sessions: store.NewSessionStore(db),
		Throttle: store.NewLoginThrottle(db),
		Key:      key,
		Issuer:   "cordon",
		Audience: "cordon-api",
		Now:      now,
		Password: c.PasswordParams,
	})
	notes := store.NewNotificationStore(db)
	relay := notify.New(notify.Config{Outbox: notes, Networks: c.WebhookNetworks, Now: now, Log: log})
	auditSvc, sealer, err := wireAudit(c, db, log, now)
	if err != nil {
		return nil, err
	}
	// One SLA monitor and one quality service for the API and the pages.
	monitor := slaMonitor
	qualitySvc := quality.NewService(store.NewQualityStore(db), dispatcher)
	teamSvc := NewTeam(db, scope, now)
	partners := partner.NewService(partner.Config{Orgs: orgs, Webhooks: notes, Scope: scope, Now: now})
	inbox := notify.NewInbox(notes, scope, now)
	catalogSvc := catalog.NewService(catalogStore)
	trainingSvc := training.New(training.Config{Store: store.NewTrainingStore(db), Jobs: desk, Dispatch: dispatcher, Access: access, Now: now})
	srv, err = server.New(server.Config{
		Logger: log,
		Web:    web.FS,
		Auth:   auth,
		Roles:  roles,
		DB:     db,
		Scope:  db,
		API: api.Services{Partners: partners, Manager: manager, Explainer: explainer,
			Jobs: desk, Dispatch: dispatcher, Reports: reports, Documents: library,
			SLA: monitor, Audit: auditSvc,
			Quality: qualitySvc, Evaluation: evaluator, PublicURL: c.PublicURL,
			Notifications: inbox, Team: teamSvc, Installed: installed, Catalog: catalogSvc, Training: trainingSvc,
			WriteSheet: sheet.Write, SheetTemplate: sheet.Template, Now: now, Checklists: checklists,
			Threads: threads},
		Pages: webui.Services{Partners: partners, Manager: manager,
			Jobs: desk, Dispatch: dispatcher, Reports: reports, Documents: library,
			Catalog: catalogSvc, Installed: installed,
			WriteSheet: sheet.Write, SheetTemplate: sheet.Template, Describe: contract.Describe, Now: now, Notifications: inbox,
			SLA: monitor, Evaluation: evaluator, Audit: auditSvc, Quality: qualitySvc,
			ContractActions: contract.Actions, OpenCheckpoint: openCheckpoint,
			Team: teamSvc, Checklists: checklists, Threads: threads, Training: trainingSvc},
		TrustedProxies: c.TrustedProxies,
		Rates: server.RateLimits{Counter: store.NewRateCounter(db),
			LoginIP: c.Rates.LoginIP, LoginUser: c.Rates.LoginUser, Partner: c.Rates.Partner, User: c.Rates.User},
	})
	if err != nil {
		return nil, err
	}
	return &App{DB: db, Desk: desk, Dispatcher: dispatcher, Sweeper: sweeper, SLA: slaSweeper, Explainer: explainer, Auth: auth, Scope: scope, Registry: registry, Manager: manager, Server: srv, Sealer: sealer, Relay: relay, Checklists: checklists, Threads: threads}, nil
}

// NewTeam wires user and team management, for the server and the users
// command alike.
func NewTeam(db *store.DB, scope cordon.ScopePolicy, now cordon.Clock) *team.Service {
	return team.New(team.Config{
		Users: store.NewUserStore(db), Orgs: store.NewOrgStore(db), Scope: scope,
		HashPassword: authn.HashPassword, CheckPassword: authn.ValidatePassword, Now: now,
	})
}

// NewInstalledBase returns the installed-base service on db: the API, the
// pages and the command line (cordon units) use the same one.
func NewInstalledBase(db *store.DB, now cordon.Clock) *installbase.Service {
	catalogStore := store.NewCatalogStore(db)
	return installbase.New(installbase.Config{
		Customers: store.NewCustomerStore(db), Catalog: catalogStore, History: catalogStore,
		Jobs: store.NewJobStore(db), Access: store.NewAccessLog(db), ReadSheet: sheet.Read, Now: now,
	})
}

// wireAudit builds the sealed access log: the service legal reads through,
// and the sealer, which runs in the background (runServe starts it). The
// key is created on first start.
func wireAudit(c *Config, db *store.DB, log *slog.Logger, now cordon.Clock) (*audit.Service, *audit.Sealer, error) {
	keyFile := c.AuditKeyFile
	if keyFile == "" {
		keyFile = filepath.Join(c.DataDir, audit.KeyFile)
	}
	key, err := audit.LoadOrCreateKey(keyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint key: %w", err)
	}
	st := store.NewAuditLog(db)
	svc, err := audit.NewService(audit.ServiceConfig{Store: st, Access: store.NewAccessLog(db), Key: key, Now: now})
	if err != nil {
		return nil, nil, err
	}
	sealer, err := audit.NewSealer(audit.SealerConfig{Store: st, Key: key, Now: now, Log: log})
	if err != nil {
		return nil, nil, err
	}
	return svc, sealer, nil
}

// DemoStores hands the seeder the store services it writes through.
func DemoStores(db *store.DB) demo.Stores {
	return demo.Stores{
		Orgs:      store.NewOrgStore(db),
		Users:     store.NewUserStore(db),
		Customers: store.NewCustomerStore(db),
		Catalog:   store.NewCatalogStore(db),
		Documents: store.NewDocumentStore(db),
		Contracts: store.NewContractStore(db),
		Requests:  store.NewRequestStore(db),
		Jobs:      store.NewJobStore(db),
		Reports:   store.NewReportStore(db),
		Tx:        db.WithTx,
		// The example templates of contracts/checklists, one per service
		// type.
		Checklists:         store.NewChecklistStore(db),
		ChecklistTemplates: checklist.Examples,
		Training:           store.NewTrainingStore(db),
	}
}

// serviceDesk returns the institute user follow-up requests are recorded
// as created by: the first enabled dispatcher, or 0 (no automatic visits).
func serviceDesk(ctx context.Context, users cordon.UserStore, orgs cordon.OrgStore) int64 {
	inst, err := orgs.FindOrgByCode(ctx, demo.InstituteCode)
	if err != nil {
		return 0
	}
	list, _, err := users.FindUsers(ctx, cordon.UserFilter{OrgID: &inst.ID})
	if err != nil {
		return 0
	}
	for _, u := range list {
		if !u.Disabled() && u.HasRole(cordon.RoleDispatcher) {
			return u.ID
		}
	}
	return 0
}

// openCheckpoint verifies a signed checkpoint with the verifier key, for
// the portal's seal page (webui cannot import audit).
func openCheckpoint(note []byte, key string) (uint64, [32]byte, error) {
	c, err := audit.OpenCheckpoint(note, key)
	return c.Size, c.Root, err
}

// checkContent tells an uploaded file's type by its content and checks its
// limits (document.Sniff and Check): report attachments and every other
// file a job takes.
func checkContent(ctx context.Context, b []byte) (string, error) {
	mt, err := document.Sniff(b)
	if err != nil {
		return "", err
	}
	_, err = document.Check(ctx, b, mt, document.DefaultLimits())
	return mt, err
}
