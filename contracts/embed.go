// Package contracts holds the contracts Cordon keeps: the source form of
// partner contracts (the JSON Schema every contract file is validated
// against, and the example contracts) and the API contract, openapi.yaml.
// It only embeds files; internal/contract and the tests read them.
package contracts

import (
	"embed"
	"io/fs"
)

// SchemaFile is the name of the contract JSON Schema within FS.
const SchemaFile = "contract.schema.json"

// ExamplesDir is the directory of example contracts within FS.
const ExamplesDir = "examples"

// CitiesFile lists the cities a contract may name, one per line.
const CitiesFile = "cities.txt"

// ChecklistSchemaFile is the name of the checklist template JSON Schema
// within FS, and ChecklistsDir the directory of the example templates
// (one per service type) the demo world seeds.
const (
	ChecklistSchemaFile = "checklist.schema.json"
	ChecklistsDir       = "checklists"
)

// OpenAPIFile is the name of the API contract (OpenAPI 3.1) within FS.
const OpenAPIFile = "openapi.yaml"

// files holds everything this directory ships in the binary. Add a pattern
// here for each new file.
//
//go:embed contract.schema.json
//go:embed examples/*.yaml
//go:embed openapi.yaml
//go:embed cities.txt
//go:embed checklist.schema.json
//go:embed checklists/*.yaml
var files embed.FS

// FS returns the embedded files: the schema at SchemaFile, the example
// contracts under ExamplesDir and the API contract at OpenAPIFile.
func FS() fs.FS { return files }
