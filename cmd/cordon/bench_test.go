package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cordon/cordon/internal/store/storetest"
)

// TestBench runs "cordon bench --tiny" end to end on PostgreSQL: it seeds,
// drives every case against the server and the baselines without an error,
// prints the table and writes the JSON. On SQLite it refuses to run.
func TestBench(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		env := map[string]string{"CORDON_DATA_DIR": t.TempDir()}
		err := run(context.Background(), []string{"bench", "--tiny"}, func(k string) string { return env[k] }, nil, io.Discard, io.Discard)
		var u usageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), "PostgreSQL") {
			t.Fatalf("bench on SQLite: got %v, want a usage error asking for PostgreSQL", err)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		url := storetest.PostgresURL(t)
		out := filepath.Join(t.TempDir(), "bench.json")
		var stdout bytes.Buffer
		env := map[string]string{"DATABASE_URL": url, "CORDON_DATA_DIR": t.TempDir()}
		err := run(context.Background(), []string{"bench", "--tiny", "--json", out}, func(k string) string { return env[k] }, nil, &stdout, io.Discard)
		if err != nil {
			t.Fatalf("bench --tiny: %v\n%s", err, stdout.String())
		}
		for _, want := range []string{"inbox", "disclosure", "documents", "login", "baseline req/s", "authorization decision", "sealing"} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("the table lacks %q:\n%s", want, stdout.String())
			}
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Machine struct {
				Cores    int    `json:"cores"`
				Postgres string `json:"pg_version"`
			} `json:"machine"`
			Cases []struct {
				Name        string  `json:"name"`
				RPS         float64 `json:"rps"`
				P50         float64 `json:"p50_ms"`
				P99         float64 `json:"p99_ms"`
				BaselineRPS float64 `json:"baseline_rps"`
				Ratio       float64 `json:"ratio"`
				CPU         float64 `json:"cpu_us_per_req"`
				RSS         float64 `json:"peak_rss_mb"`
				Errors      int     `json:"errors"`
			} `json:"cases"`
			Uncached float64 `json:"authz_decide_uncached_us"`
			Seal     float64 `json:"seal_events_per_s"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("bench JSON: %v\n%s", err, b)
		}
		if got.Machine.Cores < 1 || got.Machine.Postgres == "" {
			t.Errorf("machine = %+v, want cores and a PostgreSQL version", got.Machine)
		}
		var names []string
		for _, c := range got.Cases {
			names = append(names, c.Name)
			if c.RPS <= 0 || c.BaselineRPS <= 0 || c.Ratio <= 0 || c.P99 < c.P50 || c.CPU <= 0 || c.RSS <= 0 || c.Errors != 0 {
				t.Errorf("case %+v: want positive figures, p99 ≥ p50 and no errors", c)
			}
		}
		if strings.Join(names, ",") != "inbox,disclosure,documents,login" {
			t.Errorf("cases = %v, want inbox, disclosure, documents, login", names)
		}
		if got.Uncached <= 0 || got.Seal <= 0 {
			t.Errorf("decision %v µs, sealing %v ev/s: want both measured", got.Uncached, got.Seal)
		}
		// A second run finds the world and reuses it.
		stdout.Reset()
		if err := run(context.Background(), []string{"bench", "--tiny"}, func(k string) string { return env[k] }, nil, &stdout, io.Discard); err != nil {
			t.Fatalf("second bench --tiny: %v", err)
		}
		if !strings.Contains(stdout.String(), "reused") {
			t.Errorf("second run did not reuse the world:\n%s", stdout.String())
		}
	})
}
