package checklist

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"gopkg.in/yaml.v3"

	"github.com/cordon/cordon/contracts"
	"github.com/cordon/cordon/internal/cordon"
)

// The source form of a template: YAML (JSON is YAML too) checked against
// contracts/checklist.schema.json, every problem with its line.

// schemaURL is the $id of the schema: a name only, nothing is fetched.
const schemaURL = "https://cordon.invalid/contracts/checklist.schema.json"

var schema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	src, err := fs.ReadFile(contracts.FS(), contracts.ChecklistSchemaFile)
	if err != nil {
		return nil, fmt.Errorf("read checklist schema: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("decode checklist schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("load checklist schema: %w", err)
	}
	return c.Compile(schemaURL)
})

var english = message.NewPrinter(language.English)

// sourceItem and sourceTemplate are the source form's fields.
type sourceItem struct {
	Key      string   `json:"key" yaml:"key"`
	Label    string   `json:"label" yaml:"label"`
	Kind     string   `json:"kind" yaml:"kind"`
	Required bool     `json:"required,omitempty" yaml:"required,omitempty"`
	Unit     string   `json:"unit,omitempty" yaml:"unit,omitempty"`
	Min      *float64 `json:"min,omitempty" yaml:"min,omitempty"`
	Max      *float64 `json:"max,omitempty" yaml:"max,omitempty"`
	Help     string   `json:"help,omitempty" yaml:"help,omitempty"`
}

type sourceTemplate struct {
	Key         string       `json:"key" yaml:"key"`
	Title       string       `json:"title" yaml:"title"`
	Category    string       `json:"category" yaml:"category"`
	ProductLine string       `json:"product_line,omitempty" yaml:"product_line,omitempty"`
	Model       string       `json:"model,omitempty" yaml:"model,omitempty"`
	Items       []sourceItem `json:"items" yaml:"items"`
}

// problem is one thing wrong with a source, where it is.
type problem struct {
	line  int
	field string
	msg   string
}

// source is a parsed file: its values by path (tokens joined with /) and
// the line of each.
type source struct {
	lines    map[string]int
	problems []problem
}

// maxProblems is the most problems one import reports.
const maxProblems = 20

func (s *source) add(line int, field, msg string) {
	if len(s.problems) < maxProblems {
		s.problems = append(s.problems, problem{line, field, msg})
	}
}

// lineOf is the line of the value at tokens, or of its nearest ancestor.
func (s *source) lineOf(tokens []string) int {
	for i := len(tokens); i >= 0; i-- {
		if l, ok := s.lines[strings.Join(tokens[:i], "/")]; ok {
			return l
		}
	}
	return 0
}

// err is the source's problems as one EINVALID naming the source, each
// problem as "line N: field: message", in file order.
func (s *source) err() error {
	sort.SliceStable(s.problems, func(i, j int) bool { return s.problems[i].line < s.problems[j].line })
	parts := make([]string, len(s.problems))
	for i, p := range s.problems {
		var b strings.Builder
		if p.line > 0 {
			fmt.Fprintf(&b, "line %d: ", p.line)
		}
		if p.field != "" {
			b.WriteString(p.field + ": ")
		}
		b.WriteString(p.msg)
		parts[i] = b.String()
	}
	e := cordon.Err(cordon.EINVALID, "checklist.source_problems", strings.Join(parts, "; "))
	e.Field = "source"
	return e
}

// fieldName renders tokens as the API names fields: items[2].min.
func fieldName(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		if _, err := strconv.Atoi(t); err == nil {
			b.WriteString("[" + t + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(t)
	}
	return b.String()
}

// fieldTokens is fieldName's inverse.
func fieldTokens(field string) []string {
	r := strings.NewReplacer("[", ".", "]", "")
	var out []string
	for _, t := range strings.Split(r.Replace(field), ".") {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseSource reads a template's source: one YAML document, no aliases or
// tags, valid against the schema. It returns the template as written, and
// the source for placing later problems; or the problems as an EINVALID.
func parseSource(src []byte) (*cordon.ChecklistTemplateInput, *source, error) {
	s := &source{lines: map[string]int{}}
	if len(src) > cordon.MaxChecklistYAMLBytes {
		return nil, nil, cordon.Err(cordon.ETOOLARGE, "checklist.source_too_large", cordon.MaxChecklistYAMLBytes>>10)
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			s.add(1, "", "the file is empty: want a checklist template")
		} else if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			n, _ := strconv.Atoi(m[1])
			s.add(n, "", "invalid YAML: "+m[2])
		} else {
			s.add(1, "", "invalid YAML: "+strings.TrimPrefix(err.Error(), "yaml: "))
		}
		return nil, nil, s.err()
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		s.add(extra.Line, "", "a second document: a template file holds exactly one")
		return nil, nil, s.err()
	}
	if len(doc.Content) == 0 {
		s.add(1, "", "the file is empty: want a checklist template")
		return nil, nil, s.err()
	}
	v := s.convert(doc.Content[0], nil)
	if len(s.problems) > 0 {
		return nil, nil, s.err()
	}
	sch, err := schema()
	if err != nil {
		return nil, nil, err
	}
	if err := sch.Validate(v); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, nil, fmt.Errorf("check checklist source: %w", err)
		}
		var walk func(e *jsonschema.ValidationError)
		walk = func(e *jsonschema.ValidationError) {
			if len(e.Causes) == 0 {
				s.add(s.lineOf(e.InstanceLocation), fieldName(e.InstanceLocation), e.ErrorKind.LocalizedString(english))
			}
			for _, c := range e.Causes {
				walk(c)
			}
		}
		walk(ve)
		return nil, nil, s.err()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, nil, fmt.Errorf("checklist source: %w", err)
	}
	var st sourceTemplate
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, nil, fmt.Errorf("checklist source: %w", err)
	}
	in := &cordon.ChecklistTemplateInput{Key: st.Key, Title: st.Title, Category: cordon.Category(st.Category),
		ProductLine: st.ProductLine, Model: st.Model, Items: make([]cordon.ChecklistItem, len(st.Items))}
	for i, it := range st.Items {
		in.Items[i] = cordon.ChecklistItem{Key: it.Key, Label: it.Label, Kind: cordon.ChecklistItemKind(it.Kind),
			Required: it.Required, Unit: it.Unit, Min: it.Min, Max: it.Max, Help: it.Help}
	}
	return in, s, nil
}

// convert turns the node tree into the values a JSON Schema validator
// reads, recording the line of each. It refuses what JSON cannot say:
// aliases, tags, keys that are not text, keys twice.
func (s *source) convert(n *yaml.Node, tokens []string) any {
	s.lines[strings.Join(tokens, "/")] = n.Line
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
				s.add(k.Line, fieldName(tokens), "a key must be plain text")
				continue
			}
			if _, dup := m[k.Value]; dup {
				s.add(k.Line, fieldName(append(tokens, k.Value)), "the key is there twice")
				continue
			}
			m[k.Value] = s.convert(v, append(append([]string{}, tokens...), k.Value))
		}
		return m
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			out[i] = s.convert(c, append(append([]string{}, tokens...), strconv.Itoa(i)))
		}
		return out
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str":
			return n.Value
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				s.add(n.Line, fieldName(tokens), "not true or false")
			}
			return b
		case "!!int", "!!float":
			f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				s.add(n.Line, fieldName(tokens), "not a number JSON can hold")
			}
			return f
		case "!!null":
			return nil
		}
		s.add(n.Line, fieldName(tokens), "a custom tag "+n.ShortTag()+": write plain values")
		return nil
	case yaml.AliasNode:
		s.add(n.Line, fieldName(tokens), "aliases (*name) are not allowed: write the value out")
		return nil
	}
	s.add(n.Line, fieldName(tokens), "not a value")
	return nil
}

// place puts a service's refusal of a parsed source at its line, as one
// of the source's problems; other errors pass through.
func (s *source) place(err error) error {
	var e *cordon.Error
	if !errors.As(err, &e) || e.Code != cordon.EINVALID || e.Field == "" {
		return err
	}
	tokens := fieldTokens(e.Field)
	s.add(s.lineOf(tokens), e.Field, e.Message)
	return s.err()
}

// marshalSource renders a template version in its source form.
func marshalSource(t *cordon.ChecklistTemplate) ([]byte, error) {
	st := sourceTemplate{Key: t.Key, Title: t.Title, Category: string(t.Category), ProductLine: t.ProductLine,
		Model: t.Model, Items: make([]sourceItem, len(t.Items))}
	if t.Model != "" {
		st.ProductLine = "" // implied by the model
	}
	for i, it := range t.Items {
		st.Items[i] = sourceItem{Key: it.Key, Label: it.Label, Kind: string(it.Kind), Required: it.Required,
			Unit: it.Unit, Min: it.Min, Max: it.Max, Help: it.Help}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s, version %d (Cordon checklist template; contracts/checklist.schema.json)\n", t.Key, t.Version)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(st); err != nil {
		return nil, fmt.Errorf("export checklist %s: %w", t.Key, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("export checklist %s: %w", t.Key, err)
	}
	return b.Bytes(), nil
}

// Examples returns the example templates of contracts/checklists, one per
// service type, as written: the demo world seeds them.
func Examples() ([]cordon.ChecklistTemplateInput, error) {
	names, err := fs.Glob(contracts.FS(), path.Join(contracts.ChecklistsDir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	var out []cordon.ChecklistTemplateInput
	for _, name := range names {
		src, err := fs.ReadFile(contracts.FS(), name)
		if err != nil {
			return nil, err
		}
		in, _, err := parseSource(src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, *in)
	}
	return out, nil
}
