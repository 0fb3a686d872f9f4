package contract

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cordon/cordon/internal/cordon"
)

// defaultIncident is the incident a clause penalises when its penalty
// names none: lapsed offers for jobs, breached SLA clocks for sla.
func defaultIncident(key string) cordon.Incident {
	switch key {
	case ClauseJobs:
		return cordon.IncidentLapsedOffer
	case ClauseSLA:
		return cordon.IncidentSLABreach
	}
	return ""
}

// checkIncentives reads the incentives block: each penalty under a clause
// the contract names, each incident penalised under one clause only.
func (p *parser) checkIncentives(c *cordon.Contract, root map[string]any) {
	block, ok := root["incentives"].(map[string]any)
	if !ok {
		return
	}
	out := &cordon.Incentives{Penalties: map[string]cordon.Penalty{}}
	penalties, _ := block["penalties"].(map[string]any)
	keys := make([]string, 0, len(penalties))
	for k := range penalties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	base := []string{"incentives", "penalties"}
	under := map[cordon.Incident]string{}
	for _, key := range p.inFileOrder(base, keys) {
		m, ok := penalties[key].(map[string]any)
		if !ok {
			continue
		}
		path := child(base, key)
		if _, named := c.Clauses[key]; !named {
			p.at(path, true, fmt.Sprintf("no clause %s: name it under clauses first", quoteValue(key)))
			continue
		}
		inc := defaultIncident(key)
		if s, ok := m["incident"].(string); ok {
			inc = cordon.Incident(s)
		}
		if inc == "" {
			p.at(child(path, "incident"), true, "required, but missing: say which incident the clause penalises (lapsed_offer, sla_breach, complaint or reopen)")
			continue
		}
		if prev, dup := under[inc]; dup {
			p.at(path, true, fmt.Sprintf("%s is already penalised under %s", inc, prev))
			continue
		}
		under[inc] = key
		points, _ := m["points"].(int64)
		amount, _ := m["amount_per_point"].(int64)
		out.Penalties[key] = cordon.Penalty{Incident: inc, Points: int(points), AmountPerPoint: amount}
	}
	if r, ok := block["reward"].(map[string]any); ok {
		amount, _ := r["amount"].(int64)
		maxPoints, _ := r["max_points"].(int64)
		rw := &cordon.Reward{Amount: amount, MaxPoints: int(maxPoints)}
		switch v := r["min_score"].(type) {
		case int64:
			rw.MinScore = float64(v)
		case float64:
			rw.MinScore = v
		}
		out.Reward = rw
	}
	c.Incentives = out
}

// incentivesNode renders the incentives block: penalties in clause order,
// each on one line.
func incentivesNode(in *cordon.Incentives) *yaml.Node {
	n := mapping()
	if len(in.Penalties) > 0 {
		keys := cordon.Clauses{}
		for k := range in.Penalties {
			keys[k] = ""
		}
		pens := mapping()
		for _, k := range clauseOrder(keys) {
			pen := in.Penalties[k]
			v := mapping(
				"incident", str(string(pen.Incident)),
				"points", integer(int64(pen.Points)),
				"amount_per_point", integer(pen.AmountPerPoint),
			)
			v.Style = yaml.FlowStyle
			pens.Content = append(pens.Content, str(k), v)
		}
		n.Content = append(n.Content, str("penalties"), pens)
	}
	if r := in.Reward; r != nil {
		score := strconv.FormatFloat(r.MinScore, 'g', -1, 64)
		if !strings.ContainsAny(score, ".e") {
			score += ".0"
		}
		n.Content = append(n.Content, str("reward"), mapping(
			"amount", integer(r.Amount),
			"min_score", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: score},
			"max_points", integer(int64(r.MaxPoints)),
		))
	}
	return n
}

// integer makes a whole-number node.
func integer(v int64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v, 10)}
}

var (
	incidentEN = map[cordon.Incident]string{
		cordon.IncidentLapsedOffer: "lapsed offer", cordon.IncidentSLABreach: "breached SLA clock",
		cordon.IncidentComplaint: "complaint", cordon.IncidentReopen: "reopened job",
	}
	incidentZH = map[cordon.Incident]string{
		cordon.IncidentLapsedOffer: "派单超时未接", cordon.IncidentSLABreach: "SLA时限违约",
		cordon.IncidentComplaint: "客户投诉", cordon.IncidentReopen: "工单返修",
	}
)

// DescribeIncentives says in words what the contract's incentives mean,
// one line per penalty (in clause order) and one for the reward, each
// prefixed by the contract and clause; none when it has no incentives.
// lang as for Describe.
func DescribeIncentives(c *cordon.Contract, lang string) []string {
	if c == nil || c.Incentives == nil {
		return nil
	}
	en := lang == "en" || strings.HasPrefix(lang, "en-") || strings.HasPrefix(lang, "en_")
	keys := cordon.Clauses{}
	for k := range c.Incentives.Penalties {
		keys[k] = ""
	}
	var out []string
	for _, k := range clauseOrder(keys) {
		pen := c.Incentives.Penalties[k]
		head := strings.TrimSpace(c.Number + " " + ClauseRef(c.Clauses[k]))
		if en {
			out = append(out, fmt.Sprintf("%s: %d point(s) per %s, %d yuan a point", head, pen.Points, zh(incidentEN, pen.Incident), pen.AmountPerPoint))
		} else {
			out = append(out, fmt.Sprintf("%s：每次%s扣%d分，每分%d元", head, zh(incidentZH, pen.Incident), pen.Points, pen.AmountPerPoint))
		}
	}
	if r := c.Incentives.Reward; r != nil {
		if en {
			out = append(out, fmt.Sprintf("%s: a reward of %d yuan for a period scoring at least %g with at most %d penalty points", c.Number, r.Amount, r.MinScore, r.MaxPoints))
		} else {
			out = append(out, fmt.Sprintf("%s：考核期得分不低于%g且扣分不超过%d分，奖励%d元", c.Number, r.MinScore, r.MaxPoints, r.Amount))
		}
	}
	return out
}
