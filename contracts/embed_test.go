package contracts_test

import (
	"encoding/json"
	"io/fs"
	"path"
	"testing"

	"github.com/cordon/cordon/contracts"
	"github.com/cordon/cordon/internal/contract"
)

func TestSchema(t *testing.T) {
	src, err := fs.ReadFile(contracts.FS(), contracts.SchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema               string   `json:"$schema"`
		AdditionalProperties *bool    `json:"additionalProperties"`
		Required             []string `json:"required"`
	}
	if err := json.Unmarshal(src, &doc); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	if got, want := doc.Schema, "https://json-schema.org/draft/2020-12/schema"; got != want {
		t.Errorf("$schema: got %q, want %q", got, want)
	}
	if doc.AdditionalProperties == nil || *doc.AdditionalProperties {
		t.Errorf("additionalProperties: got %v, want false", doc.AdditionalProperties)
	}
}

func TestExamplesParse(t *testing.T) {
	names, err := fs.Glob(contracts.FS(), path.Join(contracts.ExamplesDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(names), 3; got != want {
		t.Fatalf("examples: got %d (%v), want %d", got, names, want)
	}
	for _, name := range names {
		t.Run(path.Base(name), func(t *testing.T) {
			src, err := fs.ReadFile(contracts.FS(), name)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, problems := contract.Parse(path.Base(name), src, nil); len(problems) > 0 {
				t.Errorf("got problems %q, want none", problems)
			}
		})
	}
}
