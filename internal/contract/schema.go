package contract

import (
	"bytes"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/cordon/cordon/contracts"
)

// schemaURL is the $id of contracts/contract.schema.json. It is only a
// name: the schema is embedded, nothing is fetched.
const schemaURL = "https://cordon.invalid/contracts/contract.schema.json"

// schema compiles the embedded contract schema once.
var schema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	src, err := fs.ReadFile(contracts.FS(), contracts.SchemaFile)
	if err != nil {
		return nil, fmt.Errorf("read contract schema: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("decode contract schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("load contract schema: %w", err)
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		return nil, fmt.Errorf("compile contract schema: %w", err)
	}
	return s, nil
})

var english = message.NewPrinter(language.English)

// validate checks doc against the contract schema and records a problem
// for each failure, at the line of the value at fault.
func (p *parser) validate(doc any) {
	s, err := schema()
	if err != nil {
		p.add(Problem{File: p.file, Message: "cannot check the file: " + err.Error()}, nil)
		return
	}
	err = s.Validate(doc)
	if err == nil {
		return
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		p.add(Problem{File: p.file, Message: "cannot check the file: " + err.Error()}, nil)
		return
	}
	type leaf struct {
		key string // path, then keyword: the validator's order is not stable
		err *jsonschema.ValidationError
	}
	var leaves []leaf
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			key := joinPath(e.InstanceLocation) + "\x01" + strings.Join(e.ErrorKind.KeywordPath(), "/")
			leaves = append(leaves, leaf{key, e})
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	sort.SliceStable(leaves, func(i, j int) bool { return leaves[i].key < leaves[j].key })
	for _, l := range leaves {
		if p.full() {
			p.truncated = true
			return
		}
		p.schemaProblem(l.err.InstanceLocation, l.err.ErrorKind)
	}
}

// schemaProblem records one schema failure in words a contract author
// reads, at the value it concerns.
func (p *parser) schemaProblem(path []string, k jsonschema.ErrorKind) {
	switch k := k.(type) {
	case *kind.AdditionalProperties:
		msg := "unknown field"
		if len(path) == 1 && path[0] == "clauses" {
			msg = "not a clause key: want lower-case letters and _, such as jobs or liability"
		}
		for _, name := range p.inFileOrder(path, k.Properties) {
			p.at(child(path, name), true, msg)
		}
	case *kind.Required:
		for _, name := range k.Missing { // in the schema's order
			p.at(child(path, name), true, "required, but missing")
		}
	case *kind.Type:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = typeWords(w)
		}
		p.at(path, false, fmt.Sprintf("got %s, want %s", typeWords(k.Got), strings.Join(want, " or ")))
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = fmt.Sprint(w)
		}
		p.at(path, false, fmt.Sprintf("%s is not one of: %s", describeValue(k.Got), strings.Join(want, ", ")))
	case *kind.Pattern:
		hint, ok := patternHints[k.Want]
		if !ok {
			hint = "does not match " + k.Want
		}
		p.at(path, false, quoteValue(k.Got)+" "+hint)
	case *kind.Format:
		p.at(path, false, fmt.Sprintf("%s is not a %s: want YYYY-MM-DD", describeValue(k.Got), k.Want))
	case *kind.UniqueItems:
		p.at(child(path, fmt.Sprint(k.Duplicates[1])), false, fmt.Sprintf("listed twice (also item %d)", k.Duplicates[0]))
	case *kind.MinItems:
		p.at(path, false, fmt.Sprintf("must list at least %d", k.Want))
	case *kind.MaxItems:
		p.at(path, false, fmt.Sprintf("lists %d; at most %d allowed", k.Got, k.Want))
	case *kind.MinLength:
		p.at(path, false, fmt.Sprintf("is %d characters long; at least %d needed", k.Got, k.Want))
	case *kind.MaxLength:
		p.at(path, false, fmt.Sprintf("is %d characters long; at most %d allowed", k.Got, k.Want))
	case *kind.Minimum:
		p.at(path, false, fmt.Sprintf("must be at least %s", k.Want.RatString()))
	case *kind.Maximum:
		p.at(path, false, fmt.Sprintf("must be at most %s", k.Want.RatString()))
	default:
		p.at(path, false, k.LocalizedString(english))
	}
}

// inFileOrder sorts the keys of the mapping at path by their line.
func (p *parser) inFileOrder(path []string, keys []string) []string {
	line := func(k string) int {
		if e, ok := p.index[joinPath(child(path, k))]; ok && e.key != nil {
			return e.key.Line
		}
		return 0
	}
	out := slices.Clone(keys)
	sort.SliceStable(out, func(i, j int) bool { return line(out[i]) < line(out[j]) })
	return out
}

// patternHints say in words what each pattern of the schema wants. A test
// checks that every pattern in the schema has one.
var patternHints = map[string]string{
	"^[A-Z0-9]+(-[A-Z0-9]+)*$":                     "is not a contract number: want capital letters and digits in groups joined by -, e.g. HF-2026-001",
	"^[a-z][a-z0-9_-]*$":                           "is not a code: want lower-case letters, digits, _ and -, starting with a letter",
	"^[0-9]{4}-[0-9]{2}-[0-9]{2}$":                 "is not a date: want YYYY-MM-DD",
	"^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$":        "is not business hours: want HH:MM-HH:MM, e.g. 08:30-17:30",
	`^\S(.*\S)?$`:                                  "must not start or end with a space",
	"^([0-9]{1,4}d)?([0-9]{1,4}h)?([0-9]{1,4}m)?$": "is not a duration: want days, hours and minutes such as 30m, 4h, 1h30m or 3d",
	`^§[0-9]+(\.[0-9]+)*( \S.*)?$`:                 `is not a clause reference: want § and a number, then a title, e.g. "§3.1 Service territory"`,
}

// typeWords names a JSON type the way a YAML author knows it.
func typeWords(t string) string {
	switch t {
	case "object":
		return "a mapping"
	case "array":
		return "a list"
	case "string":
		return "text"
	case "integer":
		return "a whole number"
	case "number":
		return "a number"
	case "boolean":
		return "true or false"
	case "null":
		return "nothing"
	}
	return t
}

// describeValue names a value in a message.
func describeValue(v any) string {
	switch v := v.(type) {
	case string:
		return quoteValue(v)
	case nil:
		return "nothing"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	default:
		return fmt.Sprint(v)
	}
}
