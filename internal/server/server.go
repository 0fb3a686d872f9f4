// Package server builds Cordon's HTTP application: the Fiber app, its
// middleware (request ids, logging, metrics, authentication, rate budgets,
// role checks, the data scope),
// the one error handler, the health endpoints and the routes of the api
// package.
package server

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cordon/cordon/internal/api"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/webui"
)

// Scoper runs a request's work in the caller's data scope: on PostgreSQL
// one transaction under row-level security for the caller's organisation.
type Scoper interface {
	InScope(ctx context.Context, a *cordon.Actor, fn func(ctx context.Context) error) error
}

// Pinger tells whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Config holds what the server needs. Zero limits take the defaults.
type Config struct {
	Logger   *slog.Logger
	Web      fs.FS // templates/ and static/ (package web)
	Auth     cordon.AuthService
	Roles    cordon.RoleAuthorizer
	DB       Pinger
	Scope    Scoper
	Registry *prometheus.Registry // nil: a fresh registry
	API      api.Services
	Pages    webui.Services // the portal's pages; nil Users: no pages

	BodyLimit      int           // bytes; default 32 MiB (documents); JSON bodies are capped at 1 MiB by the API
	ReadTimeout    time.Duration // default 15 s
	WriteTimeout   time.Duration // default 60 s
	IdleTimeout    time.Duration // default 60 s
	TrustedProxies []*net.IPNet  // X-Forwarded-For is honoured only from these
	Rates          RateLimits    // login and per-caller budgets; a nil Counter: none
}

// Server is the HTTP application.
type Server struct {
	app     *fiber.App
	log     *slog.Logger
	cfg     Config
	metrics *metrics
	pages   *pages
	static  fiber.Handler
}

// New builds the application and registers every route.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = 32 << 20
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 15 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 60 * time.Second
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 60 * time.Second
	}
	if cfg.Auth == nil || cfg.Roles == nil || cfg.DB == nil || cfg.Scope == nil {
		return nil, fmt.Errorf("server: Auth, Roles, DB and Scope are required")
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	s := &Server{log: cfg.Logger, cfg: cfg, metrics: newMetrics(cfg.Registry)}
	var err error
	if s.pages, err = newPages(cfg.Web); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	if s.static, err = staticHandler(cfg.Web); err != nil {
		return nil, fmt.Errorf("static assets: %w", err)
	}
	s.app = fiber.New(fiber.Config{
		AppName:               "cordon",
		BodyLimit:             cfg.BodyLimit,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           cfg.IdleTimeout,
		ErrorHandler:          s.handleError,
		DisableStartupMessage: true,
		ReadBufferSize:        16 << 10,
		StrictRouting:         false,
		CaseSensitive:         true,
	})
	if err := s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

// Logger returns the server's logger.
func (s *Server) Logger() *slog.Logger { return s.log }

// App returns the Fiber application, for tests (app.Test) and for Listen.
func (s *Server) App() *fiber.App { return s.app }

// Listen serves on addr until Shutdown.
func (s *Server) Listen(addr string) error { return s.app.Listen(addr) }

// Shutdown stops accepting connections and waits for requests in flight,
// at most until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.app.ShutdownWithContext(ctx)
}

func (s *Server) routes() error {
	s.app.Use(s.requestContext, s.logRequest, s.recoverPanic, s.limitLogin)
	s.app.Get("/healthz", s.handleHealth)
	s.app.Get("/readyz", s.handleReady)
	s.app.Get("/metrics", s.handleMetrics)
	s.app.Use("/static", s.static)

	v1 := s.app.Group("/api/v1")
	api.Register(v1, api.New(s.cfg.API, s.cfg.Auth), api.Guards{
		Authenticated: s.authenticated,
		Require:       s.require,
		RequireAny:    s.requireAny,
		RequireAll:    s.requireAll,
	})
	if s.cfg.Pages.Team != nil {
		h, err := webui.New(s.cfg.Pages, s.cfg.Auth, s.cfg.Roles, s.cfg.Web)
		if err != nil {
			return fmt.Errorf("pages: %w", err)
		}
		webui.Register(s.app, h, webui.Guards{Budget: s.budget, Require: s.require, RequireAny: s.requireAny, RequireAll: s.requireAll})
	}
	// Anything else is a 404: problem+json under /api, the error page elsewhere.
	s.app.Use(func(c *fiber.Ctx) error { return cordon.Err(cordon.ENOTFOUND, "page.not_found") })
	return nil
}

func (s *Server) handleHealth(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

func (s *Server) handleReady(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := s.cfg.DB.Ping(ctx); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": "ready"})
}
