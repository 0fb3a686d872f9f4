package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/app"
	"github.com/cordon/cordon/internal/server"
	"github.com/cordon/cordon/internal/store"
)

// config is everything the binary reads from its environment and flags.
type config struct {
	DatabaseURL    string
	DataDir        string
	AuditKeyFile   string // CORDON_AUDIT_KEY_FILE, or the file in DataDir
	Addr           string
	MaxConns       int
	Demo           string // auto | on | off
	DemoPassword   string
	LogLevel       slog.Level
	TrustedProxies []*net.IPNet
	// WebhookNetworks are private or loopback networks webhooks may go
	// to; public addresses need no listing.
	WebhookNetworks []*net.IPNet
	DownloadQuota   int    // documents per user per day
	PublicURL       string // where customers reach the portal; default http://ADDR
	Rates           rates
	// StatementTimeout stops a request's statement on PostgreSQL.
	StatementTimeout time.Duration
	// SLAAtRisk is the share of an SLA term used at which a job is at
	// risk; 0 means 0.8.
	SLAAtRisk float64
}

// rates are the request budgets, shared by every replica through the
// database. A zero rate is no limit.
type rates struct {
	LoginIP, LoginUser, Partner, User server.Rate
}

// defaultRates are ceilings no person at a browser reaches; they stop
// password guessing and scripts. Tighten them per deployment.
func defaultRates() rates {
	return rates{
		LoginIP:   server.Rate{N: 60, Per: time.Minute},
		LoginUser: server.Rate{N: 20, Per: time.Minute},
		Partner:   server.Rate{N: 3000, Per: time.Minute},
		User:      server.Rate{N: 1500, Per: time.Minute},
	}
}

// parseRate reads "N/DURATION" ("60/1m"), or "0" / "off" for no limit.
func parseRate(name, v string, r *server.Rate) error {
	if v == "" {
		return nil
	}
	if v == "0" || v == "off" {
		*r = server.Rate{}
		return nil
	}
	n, per, ok := strings.Cut(v, "/")
	count, err := strconv.Atoi(n)
	d, derr := time.ParseDuration(per)
	if !ok || err != nil || derr != nil || count < 1 || count > 1_000_000 || d < time.Second || d > 24*time.Hour || d%time.Second != 0 {
		return fmt.Errorf("%s must be N/DURATION (for example 60/1m; whole seconds from 1s to 24h) or off", name)
	}
	*r = server.Rate{N: count, Per: d}
	return nil
}

// loadConfig reads the environment, then lets flags override it.
func loadConfig(name string, args []string, getenv func(string) string, extra func(*flag.FlagSet, *config)) (*config, *flag.FlagSet, error) {
	c := &config{
		DatabaseURL:  getenv("DATABASE_URL"),
		DataDir:      orDefault(getenv("CORDON_DATA_DIR"), "./data"),
		Addr:         orDefault(getenv("CORDON_ADDR"), "127.0.0.1:8080"),
		Demo:         orDefault(getenv("CORDON_DEMO"), "auto"),
		DemoPassword: getenv("CORDON_DEMO_PASSWORD"),
	}
	if v := getenv("CORDON_DB_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, nil, fmt.Errorf("CORDON_DB_MAX_CONNS must be a number from 1 to 1000")
		}
		c.MaxConns = n
	}
	c.PublicURL = strings.TrimRight(getenv("CORDON_PUBLIC_URL"), "/")
	c.DownloadQuota = 100
	if v := getenv("CORDON_DOWNLOAD_QUOTA"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			return nil, nil, fmt.Errorf("CORDON_DOWNLOAD_QUOTA must be a number from 1 to 100000")
		}
		c.DownloadQuota = n
	}
	if v := getenv("CORDON_SLA_AT_RISK"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f > 0 && f < 1) {
			return nil, nil, fmt.Errorf("CORDON_SLA_AT_RISK must be a share between 0 and 1 (for example 0.8)")
		}
		c.SLAAtRisk = f
	}
	c.Rates = defaultRates()
	for _, r := range []struct {
		env  string
		rate *server.Rate
	}{
		{"CORDON_RATE_LOGIN", &c.Rates.LoginIP},
		{"CORDON_RATE_LOGIN_USER", &c.Rates.LoginUser},
		{"CORDON_RATE_PARTNER", &c.Rates.Partner},
		{"CORDON_RATE_USER", &c.Rates.User},
	} {
		if err := parseRate(r.env, getenv(r.env), r.rate); err != nil {
			return nil, nil, err
		}
	}
	c.StatementTimeout = store.DefaultStatementTimeout
	if v := getenv("CORDON_DB_STATEMENT_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 10*time.Millisecond || d > time.Hour {
			return nil, nil, fmt.Errorf("CORDON_DB_STATEMENT_TIMEOUT must be a duration from 10ms to 1h (for example 10s)")
		}
		c.StatementTimeout = d
	}
	if err := c.LogLevel.UnmarshalText([]byte(orDefault(getenv("CORDON_LOG_LEVEL"), "info"))); err != nil {
		return nil, nil, fmt.Errorf("CORDON_LOG_LEVEL: %w", err)
	}
	var err error
	if c.TrustedProxies, err = parseNetworks("CORDON_TRUSTED_PROXIES", getenv("CORDON_TRUSTED_PROXIES")); err != nil {
		return nil, nil, err
	}
	if c.WebhookNetworks, err = parseNetworks("CORDON_WEBHOOK_NETWORKS", getenv("CORDON_WEBHOOK_NETWORKS")); err != nil {
		return nil, nil, err
	}
	switch c.Demo {
	case "auto", "on", "off":
	default:
		return nil, nil, fmt.Errorf("CORDON_DEMO must be auto, on or off")
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data directory (CORDON_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "PostgreSQL URL (DATABASE_URL); empty for SQLite")
	if extra != nil {
		extra(fs, c)
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, usageError{err.Error()}
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	c.AuditKeyFile = auditKeyPath(c, getenv) // after --data-dir
	return c, fs, nil
}

// wiring is what internal/app reads from the configuration; getenv names
// the checkpoint key (auditKeyPath).
func (c *config) wiring() *app.Config {
	return &app.Config{
		DataDir: c.DataDir, AuditKeyFile: c.AuditKeyFile,
		TrustedProxies: c.TrustedProxies, WebhookNetworks: c.WebhookNetworks,
		DownloadQuota: c.DownloadQuota, PublicURL: c.PublicURL, SLAAtRisk: c.SLAAtRisk,
		Rates: app.Rates{LoginIP: c.Rates.LoginIP, LoginUser: c.Rates.LoginUser, Partner: c.Rates.Partner, User: c.Rates.User},
	}
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// parseNetworks reads a comma-separated list of addresses and CIDRs; a
// bare address is its own /32 or /128.
func parseNetworks(name, value string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, s := range strings.Split(value, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			if strings.Contains(s, ":") {
				s += "/128"
			} else {
				s += "/32"
			}
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not an address or CIDR", name, s)
		}
		out = append(out, n)
	}
	return out, nil
}
