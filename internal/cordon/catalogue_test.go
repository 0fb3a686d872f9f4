package cordon

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// verb matches a format verb, with an explicit argument index where a
// translation reorders them.
var verb = regexp.MustCompile(`%(?:\[(\d)\])?[-+# 0-9.]*[sdqvx]`)

// TestCatalogueComplete: every message has English and Chinese text with
// the same number of values.
func TestCatalogueComplete(t *testing.T) {
	if len(messages) < 200 {
		t.Fatalf("the catalogue has only %d messages", len(messages))
	}
	for _, k := range MessageKeys() {
		m := messages[k]
		if m.EN == "" || m.ZH == "" {
			t.Errorf("%s: missing a language: en %q, zh %q", k, m.EN, m.ZH)
			continue
		}
		if got, want := len(verb.FindAllString(m.ZH, -1)), len(verb.FindAllString(m.EN, -1)); got != want {
			t.Errorf("%s: the Chinese has %d values, the English %d", k, got, want)
		}
	}
}

// TestCatalogueKeysUsed reads the project's Go sources (tests aside):
// every key an error is made with (Err, FieldErr) is in the catalogue, and
// every key of the catalogue is named somewhere.
func TestCatalogueKeysUsed(t *testing.T) {
	root := filepath.Join("..", "..")
	named := map[string]bool{} // every string literal of the sources
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		test := strings.HasSuffix(path, "_test.go")
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if s, err := strconv.Unquote(n.Value); err == nil && n.Kind == token.STRING && !test {
					named[s] = true
				}
			case *ast.CallExpr:
				name, keyArg := calleeKeyArg(n, f.Name.Name == "cordon")
				if name == "" || len(n.Args) <= keyArg || test {
					return true
				}
				lit, ok := n.Args[keyArg].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true // a key handed through a variable or constant: named[] covers it
				}
				key, _ := strconv.Unquote(lit.Value)
				checked++
				if _, ok := messages[key]; !ok {
					t.Errorf("%s: %s(%q): the catalogue has no such key", fset.Position(lit.Pos()), name, key)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 200 {
		t.Fatalf("checked only %d keys; is the scan broken?", checked)
	}
	for _, k := range MessageKeys() {
		if !named[k] {
			t.Errorf("the catalogue has %q, which no source names any more", k)
		}
	}
}

// calleeKeyArg says whether call makes an error from a key, and which
// argument holds the key.
func calleeKeyArg(call *ast.CallExpr, inCordon bool) (string, int) {
	var name string
	switch fn := call.Fun.(type) {
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok && x.Name == "cordon" {
			name = fn.Sel.Name
		}
	case *ast.Ident:
		if inCordon {
			name = fn.Name
		}
	}
	switch name {
	case "Err", "FieldErr":
		return name, 1
	}
	return "", 0
}

// TestErrFormatsArgs: an error's English message is the catalogue's
// format with its values; an unknown key is its own message.
func TestErrFormatsArgs(t *testing.T) {
	e := Err(ECONFLICT, "record.not_found", "Job")
	if e.Message != "Job not found." || e.Key != "record.not_found" || len(e.Args) != 1 {
		t.Errorf("Err = %+v", e)
	}
	if f := FieldErr("title", "no.such.key"); f.Message != "no.such.key" || f.Field != "title" || f.Code != EINVALID {
		t.Errorf("FieldErr = %+v", f)
	}
	if zh, ok := MessageFormat(LangZH, "record.not_found"); !ok || zh == "" {
		t.Errorf("no Chinese for record.not_found")
	}
}
