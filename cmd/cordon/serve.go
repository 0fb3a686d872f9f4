package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/cordon/cordon/internal/app"
	"github.com/cordon/cordon/internal/authn"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/demo"
	"github.com/cordon/cordon/internal/store"
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

// newApp wires the application (internal/app) with the binary's
// configuration.
func newApp(c *config, db *store.DB, log *slog.Logger, now cordon.Clock) (*app.App, error) {
	return app.New(c.wiring(), db, log, now)
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
		a.Registry.Run,
		a.Sealer.Run,
		func(ctx context.Context) { a.SLA.Run(ctx, 15*time.Second) },
		func(ctx context.Context) { a.Relay.Run(ctx, 5*time.Second) },
	} {
		bg.Go(func() { run(bgctx) })
	}
	errc := make(chan error, 1)
	go func() { errc <- a.Server.App().Listener(ln) }()
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
		err = a.Server.Shutdown(sctx)
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
	w, err := demo.Seed(ctx, app.DemoStores(db), authn.HashPassword, password, now())
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
