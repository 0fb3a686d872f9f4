package contract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cordon/cordon/internal/cordon"
)

// Parse reads a contract in its source form (YAML, or JSON, which is YAML
// too) from src, named name in problems. It checks the file against the
// contract JSON Schema, then checks what the schema cannot: the dates in
// order, the partner, cities and product lines known to cat (nil skips
// those look-ups), every SLA priority present with accept ≤ respond ≤
// on_site ≤ resolve, and a clause for each kind of grant.
//
// It returns the contract (ID and PartnerID unset: the caller resolves the
// partner code it also returns) or, when anything is wrong, nil and every
// problem found, in file order, each with its line and column. Files larger
// than MaxSize, files with more than one document, and YAML aliases are
// refused. Parse never panics, whatever src holds.
func Parse(name string, src []byte, cat Catalog) (*cordon.Contract, string, []Problem) {
	p := &parser{file: name, index: map[string]entry{}, seen: map[string]struct{}{}}
	if len(src) > MaxSize {
		p.add(Problem{File: name, Line: 1, Message: fmt.Sprintf("file is %d bytes; a contract may be at most %d", len(src), MaxSize)}, nil)
		return nil, "", p.problems
	}
	root := p.decode(src)
	if root == nil {
		return nil, "", p.problems
	}
	doc := p.convert(root, nil)
	if len(p.problems) > 0 {
		return nil, "", p.sorted()
	}
	p.validate(doc)
	c, partner := p.check(doc, cat)
	if len(p.problems) > 0 {
		return nil, "", p.sorted()
	}
	return c, partner, nil
}

// entry is one value of the file: the key that names it (nil for the root
// and for list items) and the value node.
type entry struct {
	key, val *yaml.Node
}

// parser gathers problems while reading one file.
type parser struct {
	file      string
	index     map[string]entry // by joinPath of the value's path, to indexDepth
	problems  []Problem
	seen      map[string]struct{} // joinPath of each problem's path
	truncated bool                // a problem was dropped for maxProblems
}

// maxProblems is the most problems Parse reports for one file.
const maxProblems = 100

// indexDepth is how deep convert indexes values. A contract is four levels
// deep; a value deeper down is placed at its ancestor at this depth, which
// keeps the work linear in the size of the file however deep it nests.
const indexDepth = 6

// joinPath makes a map key of a path: each token after a NUL, so the root
// ("") differs from a key that is empty ("\x00").
func joinPath(path []string) string {
	var b strings.Builder
	for _, tok := range path {
		b.WriteByte(0)
		b.WriteString(tok)
	}
	return b.String()
}

// child returns path with tok appended, never sharing path's array.
func child(path []string, tok string) []string {
	out := make([]string, len(path)+1)
	copy(out, path)
	out[len(path)] = tok
	return out
}

var yamlLine = regexp.MustCompile(`(?s)^yaml: line (\d+): (.*)$`)

// decode parses src as exactly one YAML document and returns its root
// value node, or nil after recording why it cannot.
func (p *parser) decode(src []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.add(Problem{File: p.file, Line: 1, Message: "the file is empty: want a contract"}, nil)
		} else {
			p.yamlError(err, src)
		}
		return nil
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		p.yamlError(err, src)
		return nil
	default:
		p.add(Problem{File: p.file, Line: extra.Line, Column: extra.Column, Message: "a second document: a contract file holds exactly one"}, nil)
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		p.add(Problem{File: p.file, Line: 1, Message: "the file is empty: want a contract"}, nil)
		return nil
	}
	root := doc.Content[0]
	p.index[joinPath(nil)] = entry{val: root}
	return root
}

// yamlError records a syntax error from the YAML decoder, with its line
// when the decoder gives one.
func (p *parser) yamlError(err error, src []byte) {
	msg := err.Error()
	pr := Problem{File: p.file, Message: strings.TrimPrefix(msg, "yaml: ")}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			pr.Line = n
		}
		pr.Message = m[2]
	}
	// yaml.v3 reports the line of a parser (not scanner) error counting
	// from 0, and none at all for the first line.
	if parserProblem(pr.Message) {
		pr.Line++
	}
	// At the end of the input it may count a line that is not there.
	if last := bytes.Count(src, []byte("\n")) + 1; pr.Line > last {
		pr.Line = last
	}
	pr.Message = "invalid YAML: " + pr.Message
	p.add(pr, nil)
}

// parserProblem reports whether msg is one of the problems the yaml.v3
// parser (as opposed to its scanner) reports.
func parserProblem(msg string) bool {
	switch msg {
	case "did not find expected <stream-start>",
		"did not find expected <document start>",
		"found undefined tag handle",
		"did not find expected node content",
		"did not find expected '-' indicator",
		"did not find expected key",
		"did not find expected ',' or ']'",
		"did not find expected ',' or '}'",
		"found duplicate %YAML directive",
		"found incompatible YAML document",
		"found duplicate %TAG directive":
		return true
	}
	return false
}

// convert turns the node tree into the plain values a JSON Schema
// validator reads (map[string]any, []any, string, int64, float64, bool,
// nil), indexing every value by its path. It refuses what JSON cannot say
// or what could blow up: aliases, complex or duplicate keys, custom tags,
// numbers out of range.
func (p *parser) convert(n *yaml.Node, path []string) any {
	if p.full() {
		p.truncated = true
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		first := make(map[string]*yaml.Node, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || !plainTag(k.ShortTag()) {
				p.problem(k, path, "a key must be plain text")
				continue
			}
			if prev, dup := first[k.Value]; dup {
				dupPath := path
				if len(path) < indexDepth {
					dupPath = child(path, k.Value)
				}
				p.problem(k, dupPath, fmt.Sprintf("duplicate key (first at line %d)", prev.Line))
				continue
			}
			first[k.Value] = k
			cp := path
			if len(path) < indexDepth {
				cp = child(path, k.Value)
				p.index[joinPath(cp)] = entry{key: k, val: v}
			}
			m[k.Value] = p.convert(v, cp)
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, v := range n.Content {
			cp := path
			if len(path) < indexDepth {
				cp = child(path, strconv.Itoa(i))
				p.index[joinPath(cp)] = entry{val: v}
			}
			s[i] = p.convert(v, cp)
		}
		return s
	case yaml.AliasNode:
		p.problem(n, path, "YAML aliases are not allowed in a contract")
		return nil
	case yaml.ScalarNode:
		return p.scalar(n, path)
	default:
		p.problem(n, path, "unexpected YAML node")
		return nil
	}
}

// plainTag reports whether tag is one of YAML's own scalar tags.
func plainTag(tag string) bool {
	switch tag {
	case "!!str", "!!timestamp", "!!binary", "!!merge", "!!null", "!!bool", "!!int", "!!float":
		return true
	}
	return false
}

// scalar converts one scalar. Dates stay text: the schema checks them.
func (p *parser) scalar(n *yaml.Node, path []string) any {
	switch tag := n.ShortTag(); tag {
	case "!!str", "!!timestamp", "!!binary", "!!merge":
		return n.Value
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			p.problem(n, path, fmt.Sprintf("%s is not true or false", quoteValue(n.Value)))
			return nil
		}
		return b
	case "!!int", "!!float":
		var i int64
		if tag == "!!int" && n.Decode(&i) == nil {
			return i
		}
		var f float64
		if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			p.problem(n, path, fmt.Sprintf("%s is not a number in range", quoteValue(n.Value)))
			return nil
		}
		return f
	default:
		p.problem(n, path, fmt.Sprintf("the YAML tag %s is not allowed in a contract", quoteValue(tag)))
		return nil
	}
}

// problem records a problem at node n about the value at path.
func (p *parser) problem(n *yaml.Node, path []string, msg string) {
	p.add(Problem{File: p.file, Line: n.Line, Column: n.Column, Field: p.field(path), Message: msg}, path)
}

// at records a problem about the value at path, placed at the value (or at
// its key when atKey), or at the nearest enclosing value when path names
// something missing.
func (p *parser) at(path []string, atKey bool, msg string) {
	pr := Problem{File: p.file, Field: p.field(path), Message: msg}
	for n := len(path); n >= 0; n-- {
		e, ok := p.index[joinPath(path[:n])]
		if !ok {
			continue
		}
		node := e.val
		if (atKey || n < len(path)) && e.key != nil {
			node = e.key
		}
		pr.Line, pr.Column = node.Line, node.Column
		break
	}
	p.add(pr, path)
}

// add records pr unless a problem at the same value or one enclosing it is
// already recorded: one problem per value is enough, and the first (the
// schema's, or the parser's) is the most basic. A nil path is the file.
// After maxProblems it records nothing more.
func (p *parser) add(pr Problem, path []string) {
	if p.full() {
		p.truncated = true
		return
	}
	for i := 0; i <= len(path); i++ {
		if _, seen := p.seen[joinPath(path[:i])]; seen {
			return
		}
	}
	p.problems = append(p.problems, pr)
	p.seen[joinPath(path)] = struct{}{}
}

// full reports whether the parser has recorded as many problems as it will.
func (p *parser) full() bool { return len(p.problems) >= maxProblems }

// sorted returns the problems in file order.
func (p *parser) sorted() []Problem {
	out := append([]Problem(nil), p.problems...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Column < out[j].Column
	})
	if p.truncated {
		out = append(out, Problem{File: p.file, Message: fmt.Sprintf("too many problems: stopped after %d", maxProblems)})
	}
	return out
}

var simpleKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// field renders a path the way a reader names it: scope.cities[1].
func (p *parser) field(path []string) string {
	var b strings.Builder
	for i, tok := range path {
		parent, ok := p.index[joinPath(path[:i])]
		index := ok && parent.val.Kind == yaml.SequenceNode
		if !ok {
			_, err := strconv.Atoi(tok)
			index = err == nil
		}
		switch {
		case index:
			b.WriteString("[" + tok + "]")
		case simpleKey.MatchString(tok):
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(tok)
		default:
			b.WriteString("[" + strconv.Quote(tok) + "]")
		}
	}
	return b.String()
}

// quoteValue quotes s for a message, shortened when long.
func quoteValue(s string) string {
	const max = 40
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}
