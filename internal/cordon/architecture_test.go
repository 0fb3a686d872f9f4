package cordon_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/cordon/cordon"

// importsOf returns the non-test imports of every package directory under
// root, keyed by the directory relative to root.
func importsOf(t *testing.T, root string) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel(root, filepath.Dir(path))
		dir = filepath.ToSlash(dir)
		if out[dir] == nil {
			out[dir] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			out[dir][strings.Trim(imp.Path.Value, `"`)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestArchitecture guards the import rules of STYLE.md: the domain imports
// only the standard library; only store imports GORM, only authz Casbin,
// only authn the JWT library; only server and api import Fiber; and
// internal packages depend on each other one way only; only cmd/cordon
// imports the wiring (internal/app), and only tests its test support.
func TestArchitecture(t *testing.T) {
	pkgs := importsOf(t, "../..")
	if len(pkgs) < 5 {
		t.Fatalf("found only %d packages: is the walk rooted at the module?", len(pkgs))
	}
	// Third-party imports allowed only in the named package directories.
	exclusive := map[string][]string{
		"gorm.io/":                 {"internal/store"},
		"github.com/glebarez/":     {"internal/store", "internal/store/storetest"},
		"github.com/pressly/goose": {"internal/store"},
		"github.com/casbin/":       {"internal/authz"},
		"github.com/golang-jwt/":   {"internal/authn"},
		"github.com/gofiber/":      {"internal/server", "internal/api", "internal/webui"},
		"github.com/jackc/":        {"internal/store", "internal/store/storetest", "internal/bench", "internal/app/apptest"},
		"github.com/pdfcpu/":       {"internal/document", "internal/evaluation", "internal/pdfdoc/pdftest"},
		"codeberg.org/go-pdf/":     {"internal/pdfdoc"},
		"github.com/chromedp/":     {},
		"github.com/getkin/":       {"internal/app/apptest"},
		"github.com/xuri/":         {"internal/sheet"},
	}
	// Internal packages each may import; internal/app wires everything.
	wiring := []string{"internal/cordon", "internal/store", "internal/authn", "internal/authz", "internal/contract",
		"internal/audit", "internal/demo", "internal/dispatch", "internal/document", "internal/sla", "internal/quality",
		"internal/notify", "internal/evaluation", "internal/team", "internal/partner", "internal/catalog",
		"internal/installbase", "internal/sheet", "internal/report", "internal/checklist",
		"internal/thread", "internal/training",
		"internal/api", "internal/server", "internal/webui"}
	allowed := map[string][]string{
		"internal/app":             wiring,
		"internal/app/apptest":     append([]string{"internal/app", "internal/store/storetest"}, wiring...),
		"internal/cordon":          {},
		"internal/store":           {"internal/cordon"},
		"internal/store/storetest": {"internal/cordon", "internal/store"},
		"internal/authn":           {"internal/cordon", "internal/keyfile"},
		"internal/keyfile":         {},
		"internal/authz":           {"internal/cordon"},
		"internal/contract":        {"internal/cordon"},
		"internal/audit":           {"internal/cordon", "internal/keyfile"},
		"internal/demo":            {"internal/cordon"},
		"internal/document":        {"internal/cordon"},
		"internal/dispatch":        {"internal/cordon"},
		"internal/sla":             {"internal/cordon"},
		"internal/quality":         {"internal/cordon"},
		"internal/team":            {"internal/cordon"},
		"internal/partner":         {"internal/cordon"},
		"internal/catalog":         {"internal/cordon"},
		"internal/installbase":     {"internal/cordon"},
		"internal/report":          {"internal/cordon", "internal/pdfdoc"},
		"internal/checklist":       {"internal/cordon"},
		"internal/sheet":           {"internal/cordon"},
		"internal/notify":          {"internal/cordon"},
		"internal/evaluation":      {"internal/cordon", "internal/keyfile", "internal/pdfdoc"},
		"internal/pdfdoc":          {},
		"internal/training":        {"internal/cordon", "internal/pdfdoc"},
		"internal/pdfdoc/pdftest":  {},
		"internal/api":             {"internal/cordon", "internal/contract"},
		"internal/server":          {"internal/cordon", "internal/api", "internal/webui"},
		"internal/webui":           {"internal/cordon"},
		"internal/bench":           {"internal/cordon"},
		"internal/thread":          {"internal/cordon"},
	}
	dirs := make([]string, 0, len(pkgs))
	for d := range pkgs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		for imp := range pkgs[dir] {
			if dir == "internal/cordon" && strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
				t.Errorf("internal/cordon imports %s: the domain may import only the standard library", imp)
			}
			for prefix, owners := range exclusive {
				if strings.HasPrefix(imp, prefix) && !contains(owners, dir) {
					t.Errorf("%s imports %s: only %v may", dir, imp, owners)
				}
			}
			// The wiring is for the binary; its test support for tests.
			if imp == module+"/internal/app" && dir != "cmd/cordon" && dir != "internal/app/apptest" {
				t.Errorf("%s imports internal/app: only cmd/cordon (and tests) may", dir)
			}
			if imp == module+"/internal/app/apptest" || imp == module+"/internal/pdfdoc/pdftest" {
				t.Errorf("%s imports %s: only tests may", dir, strings.TrimPrefix(imp, module+"/"))
			}
			if !strings.HasPrefix(imp, module+"/internal/") || strings.HasPrefix(dir, "cmd/") {
				continue
			}
			target := strings.TrimPrefix(imp, module+"/")
			ok, known := allowed[dir]
			if !known {
				if strings.HasPrefix(dir, "internal/") {
					t.Errorf("%s is not in the architecture table: add it with the packages it may import", dir)
				}
				continue
			}
			if !contains(ok, target) {
				t.Errorf("%s imports %s: it may import only %v", dir, target, ok)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
