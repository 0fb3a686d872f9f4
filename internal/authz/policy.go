package authz

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
)

// loadModel reads a Casbin model from fsys and checks that its request and
// policy definitions have exactly the fields this package fills, in order:
// a model edited out of step with the code fails at start, not at run time.
func loadModel(fsys fs.FS, name string, request, policy []string) (model.Model, error) {
	text, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	m, err := model.NewModelFromString(string(text))
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	if err := checkTokens(m, "r", request); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := checkTokens(m, "p", policy); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if _, ok := m["g"]; ok {
		// Role links would make Casbin's enforce write shared state and
		// are not part of either model.
		return nil, fmt.Errorf("%s: role definitions are not supported", name)
	}
	return m, nil
}

func checkTokens(m model.Model, sec string, want []string) error {
	ast, ok := m[sec][sec]
	if !ok {
		return fmt.Errorf("no %s definition", sec)
	}
	got := make([]string, len(ast.Tokens))
	for i, t := range ast.Tokens {
		got[i] = strings.TrimPrefix(t, sec+"_")
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("%s = %s; want %s = %s", sec, strings.Join(got, ", "), sec, strings.Join(want, ", "))
	}
	return nil
}

// newEnforcer returns a Casbin enforcer on m with no adapter: policy rows
// are added by the caller.
func newEnforcer(m model.Model) (*casbin.Enforcer, error) {
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		return nil, err
	}
	e.EnableLog(false)
	e.EnableAutoSave(false)
	return e, nil
}

// csvRow is one policy row of a file, without its "p", and its line number.
type csvRow struct {
	line   int
	fields []string
}

// readPolicyCSV reads the "p" rows of a Casbin policy file: comma-separated,
// '#' comments, blank lines ignored. Unlike Casbin's own file adapter it
// reports malformed lines instead of skipping them.
func readPolicyCSV(fsys fs.FS, name string) ([]csvRow, error) {
	text, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	r := csv.NewReader(strings.NewReader(string(text)))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = -1
	var rows []csvRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := r.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if rec[0] != "p" {
			return nil, fmt.Errorf("%s:%d: policy type %q; want p", name, line, rec[0])
		}
		rows = append(rows, csvRow{line: line, fields: rec[1:]})
	}
	return rows, nil
}
