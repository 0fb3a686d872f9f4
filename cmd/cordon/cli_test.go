package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/store/storetest"
)

// cli runs the binary's commands in-process against one database.
type cli struct {
	t   *testing.T
	env map[string]string
}

func (c *cli) run(stdin string, args ...string) (string, error) {
	c.t.Helper()
	var out strings.Builder
	err := run(context.Background(), args, func(k string) string { return c.env[k] }, strings.NewReader(stdin), &out, &out)
	return out.String(), err
}

func eachCLI(t *testing.T, fn func(t *testing.T, c *cli)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, &cli{t: t, env: map[string]string{"CORDON_DATA_DIR": t.TempDir()}})
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, &cli{t: t, env: map[string]string{"CORDON_DATA_DIR": t.TempDir(), "DATABASE_URL": storetest.PostgresURL(t)}})
	})
}

func TestCommands(t *testing.T) {
	eachCLI(t, func(t *testing.T, c *cli) {
		if out, err := c.run("", "migrate"); err != nil || !strings.Contains(out, "Migrated") {
			t.Fatalf("migrate: %v: %s", err, out)
		}
		if _, err := c.run("", "seed"); err == nil {
			t.Error("seed without --demo succeeded")
		}
		c.env["CORDON_DEMO_PASSWORD"] = "short"
		if _, err := c.run("", "seed", "--demo"); err == nil {
			t.Error("seed with a too-short demo password succeeded")
		}
		c.env["CORDON_DEMO_PASSWORD"] = demoPassword
		out, err := c.run("", "seed", "--demo")
		if err != nil || !strings.Contains(out, "hefei.tech") {
			t.Fatalf("seed --demo: %v: %s", err, out)
		}
		if strings.Contains(out, demoPassword) {
			t.Error("seed printed a password it was given")
		}
		if _, err := c.run("", "seed", "--demo"); err == nil {
			t.Error("seeding twice succeeded")
		}
		out, err = c.run("a-long-enough-password\n", "users", "create", "--org", "hefei", "--username", "hefei.tech2", "--roles", "partner_technician", "--display-name", "Tech Two")
		if err != nil || !strings.Contains(out, "Created user hefei.tech2") {
			t.Fatalf("users create: %v: %s", err, out)
		}
		if strings.Contains(out, "a-long-enough-password") {
			t.Error("users create echoed the password")
		}
		for _, bad := range [][]string{
			{"users", "create", "--org", "hefei", "--username", "x.admin", "--roles", "admin"},                  // institute role at a partner
			{"users", "create", "--org", "nowhere", "--username", "y", "--roles", "dispatcher"},                 // unknown org
			{"users", "create", "--org", "hefei", "--username", "hefei.tech2", "--roles", "partner_technician"}, // taken
		} {
			if out, err := c.run("a-long-enough-password\n", bad...); err == nil {
				t.Errorf("%v succeeded: %s", bad, out)
			}
		}
		out, err = c.run("", "users", "list", "--org", "hefei")
		if err != nil || !strings.Contains(out, "hefei.tech2") || !strings.Contains(out, "3 users.") {
			t.Fatalf("users list: %v: %s", err, out)
		}
		if _, err := c.run("", "users", "disable", "--username", "hefei.tech2"); err != nil {
			t.Fatalf("users disable: %v", err)
		}
		out, _ = c.run("", "users", "list", "--org", "hefei")
		if !regexp.MustCompile(`hefei\.tech2\s+hefei\s+partner_technician\s+disabled`).MatchString(out) {
			t.Errorf("users list after disable: %s", out)
		}
		if _, err := c.run("", "users", "frobnicate"); err == nil {
			t.Error("unknown users command succeeded")
		}
		if _, err := c.run("", "nonsense"); err == nil {
			t.Error("unknown command succeeded")
		}
	})
}

// TestServeFirstStart runs `cordon` with no configuration but a data
// directory, as a new user would: it migrates, seeds, prints how to log in,
// serves, and shuts down when asked.
func TestServeFirstStart(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CORDON_DATA_DIR": dir, "CORDON_ADDR": "127.0.0.1:0"}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, nil, func(k string) string { return env[k] }, strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	var password, url string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		if m := regexp.MustCompile(`Demo password .*: (\S+)$`).FindStringSubmatch(line); m != nil {
			password = m[1]
		}
		if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(line); m != nil {
			url = m[1]
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if password == "" || url == "" {
		cancel()
		t.Fatalf("first start did not print a password and a URL (password %q, url %q)", password, url)
	}
	body := strings.NewReader(`{"username":"hefei.tech","password":"` + password + `"}`)
	res, err := http.Post(url+"/api/v1/auth/login", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]any
	json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	if res.StatusCode != 200 || tok["access_token"] == nil {
		t.Fatalf("login with the printed password: %d %v", res.StatusCode, tok)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after shutdown", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

func TestContractAndPolicyCommands(t *testing.T) {
	eachCLI(t, func(t *testing.T, c *cli) {
		c.env["CORDON_DEMO_PASSWORD"] = demoPassword
		if _, err := c.run("", "seed", "--demo"); err != nil {
			t.Fatal(err)
		}
		examples, _ := filepath.Glob("../../contracts/examples/*.yaml")
		if len(examples) != 3 {
			t.Fatalf("examples: %v", examples)
		}
		out, err := c.run("", append([]string{"contracts", "validate"}, examples...)...)
		if err != nil || !strings.Contains(out, "3 files valid.") {
			t.Fatalf("validate the examples: %v: %s", err, out)
		}
		dir := t.TempDir()
		bad := filepath.Join(dir, "bad.yaml")
		os.WriteFile(bad, []byte(strings.Replace(nanjingContract, "expires: 2027-12-31", "expires: 2025-12-31\nbonus: yes", 1)), 0o600)
		good := filepath.Join(dir, "good.yaml")
		os.WriteFile(good, []byte(strings.Replace(nanjingContract, "partner: nanjing", "partner: wuhan", 1)), 0o600)
		out, err = c.run("", "contracts", "import", good, bad)
		if err == nil {
			t.Fatalf("import with a bad file succeeded: %s", out)
		}
		for _, want := range []string{"bad.yaml:5:", "bonus", "bad.yaml:4:"} {
			if !strings.Contains(out, want) {
				t.Errorf("problems lack %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "Created draft") {
			t.Errorf("something was imported although a file was bad:\n%s", out)
		}
		out, err = c.run("", "contracts", "import", good)
		if err != nil || !strings.Contains(out, "Created draft NJ-2026-001") {
			t.Fatalf("import: %v: %s", err, out)
		}
		out, err = c.run("", "policy", "explain", "--user", "wuhan.tech", "--action", "list", "--resource", "document")
		if err != nil || !strings.HasPrefix(out, "ALLOW (role)") {
			t.Errorf("policy explain: %v: %s", err, out)
		}
		out, err = c.run("", "policy", "explain", "--user", "wuhan.tech", "--action", "create", "--resource", "contract")
		if err != nil || !strings.HasPrefix(out, "DENY (role)") {
			t.Errorf("policy explain deny: %v: %s", err, out)
		}
	})
}
