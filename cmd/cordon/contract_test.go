package main

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestOpenAPICoversRoutes fails when a registered /api/v1 route is missing
// from contracts/openapi.yaml, or the document names a route that is not
// registered.
func TestOpenAPICoversRoutes(t *testing.T) {
	h := newHarness(t, "")
	doc := loadSpec(t)
	param := regexp.MustCompile(`:([A-Za-z_]+)`)
	registered := map[string]bool{}
	for _, r := range h.app.server.App().GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Method == "HEAD" {
			continue
		}
		p := param.ReplaceAllString(strings.TrimPrefix(r.Path, "/api/v1"), "{$1}")
		key := r.Method + " " + p
		registered[key] = true
		item := doc.Paths.Value(p)
		if item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("route %s is registered but not in contracts/openapi.yaml", key)
		}
	}
	var documented []string
	for p, item := range doc.Paths.Map() {
		for m := range item.Operations() {
			documented = append(documented, m+" "+p)
		}
	}
	sort.Strings(documented)
	for _, key := range documented {
		if !registered[key] {
			t.Errorf("contracts/openapi.yaml documents %s, which is not registered", key)
		}
	}
	if len(registered) == 0 {
		t.Fatal("no /api/v1 routes registered")
	}
}

// TestComposeFile checks that docker-compose.yml parses and wires what the
// README describes: PostgreSQL with a healthcheck, Cordon on it.
func TestComposeFile(t *testing.T) {
	raw, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Environment map[string]string `yaml:"environment"`
			DependsOn   map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
			Healthcheck struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	pg, ok := f.Services["postgres"]
	if !ok || !strings.HasPrefix(pg.Image, "postgres:") || len(pg.Healthcheck.Test) == 0 {
		t.Errorf("postgres service missing, not PostgreSQL, or without a healthcheck: %+v", pg)
	}
	app, ok := f.Services["cordon"]
	if !ok {
		t.Fatal("no cordon service")
	}
	if !strings.HasPrefix(app.Environment["DATABASE_URL"], "postgres://") || !strings.Contains(app.Environment["DATABASE_URL"], "@postgres:5432/") {
		t.Errorf("cordon's DATABASE_URL does not point at the postgres service: %q", app.Environment["DATABASE_URL"])
	}
	if app.DependsOn["postgres"].Condition != "service_healthy" {
		t.Errorf("cordon does not wait for a healthy postgres")
	}
	if len(app.Healthcheck.Test) == 0 || !strings.Contains(strings.Join(app.Healthcheck.Test, " "), "/readyz") {
		t.Errorf("cordon's healthcheck does not ask /readyz")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for name := range app.Environment {
		if !strings.Contains(string(readme), "`"+name+"`") {
			t.Errorf("docker-compose.yml sets %s, which README.md's configuration does not describe", name)
		}
	}
}
