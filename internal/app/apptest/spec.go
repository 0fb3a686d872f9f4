package apptest

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/cordon/cordon/contracts"
)

var (
	specOnce sync.Once
	spec     *openapi3.T
	specErr  error
)

// Spec returns contracts/openapi.yaml, loaded and validated once.
func Spec(t testing.TB) *openapi3.T {
	t.Helper()
	specOnce.Do(func() {
		l := openapi3.NewLoader()
		var raw []byte
		if raw, specErr = fs.ReadFile(contracts.FS(), contracts.OpenAPIFile); specErr != nil {
			return
		}
		spec, specErr = l.LoadFromData(raw)
		if specErr == nil {
			specErr = spec.Validate(l.Context)
		}
	})
	if specErr != nil {
		t.Fatalf("contracts/openapi.yaml: %v", specErr)
	}
	return spec
}

// FindOperation matches a concrete path against the spec's templates,
// segment by segment; a {name} segment matches any one segment, and a
// literal segment wins over a parameter (/units/import before /units/{id}).
func FindOperation(doc *openapi3.T, method, path string) (string, *openapi3.PathItem, *openapi3.Operation, map[string]string) {
	got := strings.Split(path, "/")
	var best string
	var bestParams map[string]string
	for tmpl := range doc.Paths.Map() {
		want := strings.Split(tmpl, "/")
		if len(want) != len(got) {
			continue
		}
		params := map[string]string{}
		ok := true
		for i, w := range want {
			switch {
			case strings.HasPrefix(w, "{") && strings.HasSuffix(w, "}") && got[i] != "":
				params[strings.Trim(w, "{}")] = got[i]
			case w != got[i]:
				ok = false
			}
		}
		if ok && (bestParams == nil || len(params) < len(bestParams)) {
			best, bestParams = tmpl, params
		}
	}
	if bestParams == nil {
		return "", nil, nil, nil
	}
	item := doc.Paths.Value(best)
	return best, item, item.GetOperation(method), bestParams
}

// CheckAgainstSpec fails the test when a response differs from
// contracts/openapi.yaml: an undocumented route or status, or a body that
// does not match.
func CheckAgainstSpec(t testing.TB, method, fullPath string, reqBody []byte, r *Response) {
	t.Helper()
	doc := Spec(t)
	path := strings.TrimPrefix(strings.SplitN(fullPath, "?", 2)[0], "/api/v1")
	tmpl, item, op, params := FindOperation(doc, method, path)
	if op == nil {
		if r.Status == 404 || r.Status == 405 {
			return // an unknown route answered as such
		}
		t.Fatalf("%s %s answered %d but is not in contracts/openapi.yaml", method, fullPath, r.Status)
	}
	req := httptest.NewRequest(method, fullPath, bytes.NewReader(reqBody))
	in := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      &routers.Route{Spec: doc, Path: tmpl, PathItem: item, Method: method, Operation: op},
		Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if op.Responses.Status(r.Status) == nil && op.Responses.Default() == nil {
		t.Fatalf("%s %s answered %d, which contracts/openapi.yaml does not document: %s", method, fullPath, r.Status, r.Body)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 r.Status,
		Header:                 r.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	out.SetBodyBytes(r.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Fatalf("%s %s: response %d does not match contracts/openapi.yaml: %v\nbody: %s", method, fullPath, r.Status, err, r.Body)
	}
}

// SpecMismatch says how a response differs from contracts/openapi.yaml, or
// nil; call Spec first. Safe for concurrent use.
func SpecMismatch(method, fullPath string, reqBody []byte, r *Response) error {
	doc := spec // loaded by Spec before any worker starts
	path := strings.TrimPrefix(strings.SplitN(fullPath, "?", 2)[0], "/api/v1")
	tmpl, item, op, params := FindOperation(doc, method, path)
	if op == nil {
		if r.Status == 404 || r.Status == 405 {
			return nil
		}
		return fmt.Errorf("%s %s answered %d but is not in contracts/openapi.yaml", method, fullPath, r.Status)
	}
	req := httptest.NewRequest(method, fullPath, bytes.NewReader(reqBody))
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params,
		Route:   &routers.Route{Spec: doc, Path: tmpl, PathItem: item, Method: method, Operation: op},
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if op.Responses.Status(r.Status) == nil && op.Responses.Default() == nil {
		return fmt.Errorf("%s %s answered %d, which contracts/openapi.yaml does not document: %s", method, fullPath, r.Status, r.Body)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.Status, Header: r.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	out.SetBodyBytes(r.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		return fmt.Errorf("%s %s: response %d does not match contracts/openapi.yaml: %v", method, fullPath, r.Status, err)
	}
	return nil
}
