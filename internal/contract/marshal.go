package contract

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/cordon/cordon/internal/cordon"
)

// Marshal renders c, a contract of the partner with code partnerCode, in
// its source form: the YAML that Parse reads back into the same contract.
// Durations are written in whole minutes (rounded up); clauses in the order
// jobs, customers, documents, sla, then the rest by name.
func Marshal(c *cordon.Contract, partnerCode string) ([]byte, error) {
	if c == nil {
		return nil, fmt.Errorf("marshal contract: nil contract")
	}
	status := c.Status
	if status == "" {
		status = cordon.ContractDraft
	}
	disclosure := mapping(
		"level", str(string(c.Scope.Disclosure)),
		"grace_hours", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(c.Scope.DisclosureGraceHours)},
	)
	types := make([]string, len(c.Scope.ServiceTypes))
	for i, t := range c.Scope.ServiceTypes {
		types[i] = string(t)
	}
	scope := mapping(
		"cities", seq(c.Scope.Cities, true),
		"product_lines", seq(c.Scope.ProductLines, true),
		"service_types", seq(types, len(types) <= 4),
		"document_ceiling", str(string(c.Scope.DocumentCeiling)),
		"disclosure", disclosure,
	)
	sla := mapping()
	for _, p := range cordon.Priorities {
		t, ok := c.SLA[p]
		if !ok {
			continue
		}
		terms := mapping(
			"accept", str(formatDuration(t.Accept)),
			"respond", str(formatDuration(t.Respond)),
			"on_site", str(formatDuration(t.OnSite)),
			"resolve", str(formatDuration(t.Resolve)),
		)
		terms.Style = yaml.FlowStyle
		sla.Content = append(sla.Content, str(string(p)), terms)
	}
	clauses := mapping()
	for _, k := range clauseOrder(c.Clauses) {
		v := str(c.Clauses[k])
		v.Style = yaml.DoubleQuotedStyle
		clauses.Content = append(clauses.Content, str(k), v)
	}
	root := mapping(
		"number", str(c.Number),
		"partner", str(partnerCode),
		"effective", date(c.EffectiveFrom.IsZero(), Date(c.EffectiveFrom)),
		"expires", date(c.ExpiresOn.IsZero(), Date(c.ExpiresOn)),
		"status", str(string(status)),
		"scope", scope,
		"sla", sla,
		"clauses", clauses,
	)
	if c.Incentives != nil {
		root.Content = append(root.Content, str("incentives"), incentivesNode(c.Incentives))
	}
	if c.Calendar != nil {
		root.Content = append(root.Content, str("calendar"), calendarNode(c.Calendar))
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("marshal contract %s: %w", c.Number, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("marshal contract %s: %w", c.Number, err)
	}
	return b.Bytes(), nil
}

// clauseOrder lists the clause keys: the well-known ones first, then the
// rest by name.
func clauseOrder(cl cordon.Clauses) []string {
	known := []string{ClauseJobs, ClauseCustomers, ClauseDocuments, ClauseSLA}
	var out, rest []string
	for _, k := range known {
		if _, ok := cl[k]; ok {
			out = append(out, k)
		}
	}
	for k := range cl {
		if !slices.Contains(known, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// mapping makes a mapping node of key, value pairs.
func mapping(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(kv); i += 2 {
		n.Content = append(n.Content, str(kv[i].(string)), kv[i+1].(*yaml.Node))
	}
	return n
}

// str makes a text node; the encoder quotes it when it would read as
// anything but text.
func str(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// date makes a plain date node (a YAML timestamp, which Parse reads as
// text), or null when the date is unset.
func date(zero bool, s string) *yaml.Node {
	if zero {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: s}
}

// seq makes a list node of text, on one line when flow.
func seq(items []string, flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode}
	if flow {
		n.Style = yaml.FlowStyle
	}
	for _, s := range items {
		n.Content = append(n.Content, str(s))
	}
	return n
}
