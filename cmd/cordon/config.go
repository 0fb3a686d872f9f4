package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
)

// config is everything the binary reads from its environment and flags.
type config struct {
	DatabaseURL    string
	DataDir        string
	Addr           string
	MaxConns       int
	Demo           string // auto | on | off
	DemoPassword   string
	LogLevel       slog.Level
	TrustedProxies []*net.IPNet
	DownloadQuota  int    // documents per user per day
	PublicURL      string // where customers reach the portal; default http://ADDR
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
	if err := c.LogLevel.UnmarshalText([]byte(orDefault(getenv("CORDON_LOG_LEVEL"), "info"))); err != nil {
		return nil, nil, fmt.Errorf("CORDON_LOG_LEVEL: %w", err)
	}
	for _, s := range strings.Split(getenv("CORDON_TRUSTED_PROXIES"), ",") {
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
			return nil, nil, fmt.Errorf("CORDON_TRUSTED_PROXIES: %q is not an address or CIDR", s)
		}
		c.TrustedProxies = append(c.TrustedProxies, n)
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
	return c, fs, nil
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
