package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/cordon/cordon/internal/app/apptest"
)

// TestOpenAPICoversRoutes fails when a registered /api/v1 route is missing
// from contracts/openapi.yaml, or the document names a route that is not
// registered.
func TestOpenAPICoversRoutes(t *testing.T) {
	h := newHarness(t, "")
	doc := apptest.Spec(t)
	param := regexp.MustCompile(`:([A-Za-z_]+)`)
	registered := map[string]bool{}
	for _, r := range h.app.Server.App().GetRoutes(true) {
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
// README and docs/scaling.md describe: PostgreSQL with a healthcheck, two
// Cordon replicas on it sharing the key volume, and nginx in front of both
// with the configuration in deploy/.
func TestComposeFile(t *testing.T) {
	raw, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	type service struct {
		Image       string            `yaml:"image"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		Ports       []string          `yaml:"ports"`
		DependsOn   map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Healthcheck struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
	}
	var f struct {
		Services map[string]service `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	pg, ok := f.Services["postgres"]
	if !ok || !strings.HasPrefix(pg.Image, "postgres:") || len(pg.Healthcheck.Test) == 0 {
		t.Errorf("postgres service missing, not PostgreSQL, or without a healthcheck: %+v", pg)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	replicas := []string{"cordon-1", "cordon-2"}
	var dataVolume string
	for _, name := range replicas {
		app, ok := f.Services[name]
		if !ok {
			t.Fatalf("no %s service", name)
		}
		if !strings.HasPrefix(app.Environment["DATABASE_URL"], "postgres://") || !strings.Contains(app.Environment["DATABASE_URL"], "@postgres:5432/") {
			t.Errorf("%s's DATABASE_URL does not point at the postgres service: %q", name, app.Environment["DATABASE_URL"])
		}
		if app.DependsOn["postgres"].Condition != "service_healthy" {
			t.Errorf("%s does not wait for a healthy postgres", name)
		}
		if len(app.Healthcheck.Test) == 0 || !strings.Contains(strings.Join(app.Healthcheck.Test, " "), "/readyz") {
			t.Errorf("%s's healthcheck does not ask /readyz", name)
		}
		if len(app.Ports) != 0 {
			t.Errorf("%s publishes ports %v: only the load balancer may", name, app.Ports)
		}
		vol := ""
		for _, v := range app.Volumes {
			if parts := strings.Split(v, ":"); len(parts) >= 2 && parts[1] == app.Environment["CORDON_DATA_DIR"] {
				vol = parts[0]
			}
		}
		if vol == "" {
			t.Errorf("%s's data directory %q is not a volume", name, app.Environment["CORDON_DATA_DIR"])
		}
		if dataVolume != "" && vol != dataVolume {
			t.Errorf("the replicas do not share their data volume (%s, %s): tokens signed by one would fail on the other", dataVolume, vol)
		}
		dataVolume = vol
		if app.Environment["CORDON_TRUSTED_PROXIES"] == "" {
			t.Errorf("%s trusts no proxy: client addresses in the access log would all be the load balancer's", name)
		}
		for k := range app.Environment {
			if !strings.Contains(string(readme), "`"+k+"`") {
				t.Errorf("docker-compose.yml sets %s, which README.md's configuration does not describe", k)
			}
		}
	}
	if f.Services["cordon-2"].Environment["CORDON_DEMO"] != "off" {
		t.Errorf("cordon-2 may seed the demo world too: only one replica may seed")
	}
	lb, ok := f.Services["lb"]
	if !ok || !strings.HasPrefix(lb.Image, "nginx:") {
		t.Fatalf("no nginx load balancer: %+v", lb)
	}
	if len(lb.Ports) != 1 || !strings.HasPrefix(lb.Ports[0], "127.0.0.1:8080:") {
		t.Errorf("the load balancer publishes %v, want 127.0.0.1:8080", lb.Ports)
	}
	var conf string
	for _, v := range lb.Volumes {
		if parts := strings.Split(v, ":"); len(parts) >= 2 && parts[1] == "/etc/nginx/nginx.conf" {
			conf = parts[0]
		}
	}
	if conf == "" {
		t.Fatalf("the load balancer mounts no nginx.conf: %v", lb.Volumes)
	}
	nginx, err := os.ReadFile(filepath.Join("../..", conf))
	if err != nil {
		t.Fatalf("nginx configuration: %v", err)
	}
	for _, name := range replicas {
		if !regexp.MustCompile(`(?m)^\s*server\s+` + regexp.QuoteMeta(name) + `:8080\b`).Match(nginx) {
			t.Errorf("%s does not list %s:8080 as an upstream server", conf, name)
		}
		if lb.DependsOn[name].Condition != "service_healthy" {
			t.Errorf("the load balancer does not wait for a healthy %s", name)
		}
	}
	for _, want := range []string{"proxy_pass http://cordon;", "proxy_set_header X-Forwarded-For $remote_addr;", "client_max_body_size"} {
		if !strings.Contains(string(nginx), want) {
			t.Errorf("%s lacks %q", conf, want)
		}
	}
	if strings.Count(string(nginx), "{") != strings.Count(string(nginx), "}") {
		t.Errorf("%s: unbalanced braces", conf)
	}
}
