package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"github.com/cordon/cordon/internal/catalog"
	"github.com/cordon/cordon/internal/partner"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/cordon/cordon/contracts"
	"github.com/cordon/cordon/internal/api"
	"github.com/cordon/cordon/internal/audit"
	"github.com/cordon/cordon/internal/authn"
	"github.com/cordon/cordon/internal/authz"
	"github.com/cordon/cordon/internal/contract"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/demo"
	"github.com/cordon/cordon/internal/dispatch"
	"github.com/cordon/cordon/internal/document"
	"github.com/cordon/cordon/internal/evaluation"
	"github.com/cordon/cordon/internal/notify"
	"github.com/cordon/cordon/internal/quality"
	"github.com/cordon/cordon/internal/server"
	"github.com/cordon/cordon/internal/sla"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/team"
	"github.com/cordon/cordon/internal/webui"
	"github.com/cordon/cordon/policies"
	"github.com/cordon/cordon/web"
)

// openStore opens and migrates the database the config names.
func openStore(ctx context.Context, c *config) (*store.DB, error) {
	db, err := store.Open(ctx, store.Config{URL: c.DatabaseURL, DataDir: c.DataDir, MaxOpenConns: c.MaxConns, StatementTimeout: c.StatementTimeout})
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// app is the wired application: the store, the services and the server.
type app struct {
	db        *store.DB
	sweeper   *dispatch.Sweeper
	sla       *sla.Sweeper // the leader's background work: SLA states and escalations, then the dispatch sweep
	explainer *authz.Explainer
	auth      *authn.Service
	scope     *authz.ScopeEnforcer
	registry  *contract.Registry
	manager   *contract.Manager
	server    *server.Server
	sealer    *audit.Sealer // seals the access log in the background
	relay     *notify.Relay // relays the outbox and delivers webhooks in the background
}

// newApp wires every package together. Only this package does that.
func newApp(c *config, db *store.DB, log *slog.Logger, now cordon.Clock) (*app, error) {
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
	dispatcher := dispatch.NewDispatcher(dispatch.DispatcherConfig{
		Desk: desk, Requests: requests, Jobs: jobs, Catalog: catalogStore,
		Customers: store.NewCustomerStore(db), Contracts: contractStore, Orgs: orgs, Scope: scope, Access: access, Now: now,
		Users: users, Reports: store.NewReportStore(db), Roles: roles, Scores: evaluator,
		CheckContent: func(ctx context.Context, b []byte) (string, error) {
			mt, err := document.Sniff(b)
			if err != nil {
				return "", err
			}
			_, err = document.Check(ctx, b, mt, document.DefaultLimits())
			return mt, err
		},
	})
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
	teamSvc := newTeam(db, scope, now)
	partners := partner.NewService(partner.Config{Orgs: orgs, Webhooks: notes, Scope: scope, Now: now})
	inbox := notify.NewInbox(notes, scope, now)
	srv, err = server.New(server.Config{
		Logger: log,
		Web:    web.FS,
		Auth:   auth,
		Roles:  roles,
		DB:     db,
		Scope:  db,
		API: api.Services{Partners: partners, Manager: manager, Explainer: explainer,
			Jobs: desk, Dispatch: dispatcher, Documents: library,
			SLA: monitor, Audit: auditSvc,
			Quality: qualitySvc, Evaluation: evaluator, PublicURL: c.PublicURL,
			Notifications: inbox, Team: teamSvc, Now: now},
		Pages: webui.Services{Partners: partners, Manager: manager,
			Jobs: desk, Dispatch: dispatcher, Documents: library,
			Catalog: catalog.NewService(catalogStore), Describe: contract.Describe, Now: now, Notifications: inbox,
			SLA: monitor, Evaluation: evaluator, Audit: auditSvc, Quality: qualitySvc,
			ContractActions: contract.Actions, OpenCheckpoint: openCheckpoint,
			Team: teamSvc},
		TrustedProxies: c.TrustedProxies,
		Rates: server.RateLimits{Counter: store.NewRateCounter(db),
			LoginIP: c.Rates.LoginIP, LoginUser: c.Rates.LoginUser, Partner: c.Rates.Partner, User: c.Rates.User},
	})
	if err != nil {
		return nil, err
	}
	return &app{db: db, sweeper: sweeper, sla: slaSweeper, explainer: explainer, auth: auth, scope: scope, registry: registry, manager: manager, server: srv, sealer: sealer, relay: relay}, nil
}

// newTeam wires user and team management, for the server and the users
// command alike.
func newTeam(db *store.DB, scope cordon.ScopePolicy, now cordon.Clock) *team.Service {
	return team.New(team.Config{
		Users: store.NewUserStore(db), Orgs: store.NewOrgStore(db), Scope: scope,
		HashPassword: authn.HashPassword, CheckPassword: authn.ValidatePassword, Now: now,
	})
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, _, err := loadConfig("serve", args, getenv, func(fs *flag.FlagSet, c *config) {
		fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (CORDON_ADDR)")
	})
	if err != nil {
		return err
	}
	log := newLogger(stderr, c.LogLevel)
	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := maybeSeedDemo(ctx, c, db, stdout); err != nil {
		return err
	}
	a, err := newApp(c, db, log, time.Now)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	fmt.Fprintf(stdout, "Cordon is listening on http://%s (database: %s)\n", ln.Addr(), db.Dialect())
	log.Info("listening", "addr", ln.Addr().String(), "dialect", string(db.Dialect()))
	// The background loops stop when ctx ends or the server fails, and
	// are waited for before the database closes: the leaders (sealer, SLA
	// sweeper) unlock on their own connections, so a follower takes over
	// at once, and no loop is cut off mid-transaction by the exit.
	bgctx, stop := context.WithCancel(ctx)
	defer stop()
	var bg sync.WaitGroup
	for _, run := range []func(context.Context){
		a.registry.Run,
		a.sealer.Run,
		func(ctx context.Context) { a.sla.Run(ctx, 15*time.Second) },
		func(ctx context.Context) { a.relay.Run(ctx, 5*time.Second) },
	} {
		bg.Go(func() { run(bgctx) })
	}
	errc := make(chan error, 1)
	go func() { errc <- a.server.App().Listener(ln) }()
	select {
	case err = <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
	case <-ctx.Done():
		log.Info("shutting down")
		stop()
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		err = a.server.Shutdown(sctx)
	}
	stop()
	done := make(chan struct{})
	go func() { bg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		log.Warn("background work did not stop within 10 s")
	}
	return err
}

// maybeSeedDemo seeds the demo world on first start: always with
// CORDON_DEMO=on, on the embedded SQLite default with CORDON_DEMO=auto.
func maybeSeedDemo(ctx context.Context, c *config, db *store.DB, stdout io.Writer) error {
	if c.Demo == "off" || (c.Demo == "auto" && db.Dialect() != store.SQLite) {
		return nil
	}
	return seedDemo(ctx, c, db, stdout, false, time.Now)
}

// seedDemo seeds the world unless it is there; explicit asks for an error
// when it is.
func seedDemo(ctx context.Context, c *config, db *store.DB, stdout io.Writer, explicit bool, now cordon.Clock) error {
	seeded, err := demo.Seeded(ctx, store.NewOrgStore(db))
	if err != nil {
		return err
	}
	if seeded {
		if explicit {
			return errors.New("the database already holds the demo world (or an institute): nothing seeded")
		}
		fmt.Fprintln(stdout, "Demo world present. Logins: dispatcher, quality, engineer, contracts, legal, admin, hefei.admin, hefei.tech, wuhan.admin, wuhan.tech, xian.admin, xian.tech (password as printed at first start, or CORDON_DEMO_PASSWORD).")
		return nil
	}
	password, generated := c.DemoPassword, false
	if password == "" {
		var b [12]byte
		rand.Read(b[:])
		password, generated = base64.RawURLEncoding.EncodeToString(b[:]), true
	}
	if err := authn.ValidatePassword(password); err != nil {
		return fmt.Errorf("CORDON_DEMO_PASSWORD: %s", cordon.ErrorMessage(err))
	}
	w, err := demo.Seed(ctx, demoStores(db), authn.HashPassword, password, now())
	if err != nil {
		return fmt.Errorf("seed demo world: %w", err)
	}
	fmt.Fprintf(stdout, "Seeded the demo world: %d partners, %d customers, %d units, %d documents, %d requests, %d jobs.\n",
		3, w.Customers, w.Units, w.Documents, w.Requests, w.Jobs)
	fmt.Fprintln(stdout, "Demo logins: dispatcher, quality, engineer, contracts, legal, admin (institute); hefei.admin, hefei.tech, wuhan.admin, wuhan.tech, xian.admin, xian.tech (partners).")
	if generated {
		fmt.Fprintf(stdout, "Demo password (shown once; set CORDON_DEMO_PASSWORD to choose it): %s\n", password)
	} else {
		fmt.Fprintln(stdout, "Demo password: the value of CORDON_DEMO_PASSWORD.")
	}
	return nil
}

// demoStores hands the seeder the store services it writes through.
func demoStores(db *store.DB) demo.Stores {
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
