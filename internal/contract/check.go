package contract

import (
	"fmt"
	"strconv"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// check runs the checks the schema cannot and builds the contract. It reads
// doc defensively: where the schema already found a value of the wrong
// shape, it skips it (and add drops any second problem about it).
func (p *parser) check(doc any, cat Catalog) (*cordon.Contract, string) {
	root, _ := doc.(map[string]any)
	c := &cordon.Contract{
		Status:  cordon.ContractDraft,
		SLA:     make(map[cordon.Priority]cordon.SLATerms, len(cordon.Priorities)),
		Clauses: cordon.Clauses{},
	}
	c.Number, _ = root["number"].(string)
	partner, _ := root["partner"].(string)
	if partner != "" && cat != nil && !cat.KnownPartner(partner) {
		p.at([]string{"partner"}, false, fmt.Sprintf("unknown partner %s", quoteValue(partner)))
	}

	eff, effOK := p.date(root, "effective")
	exp, expOK := p.date(root, "expires")
	if effOK && expOK && !exp.After(eff) {
		p.at([]string{"expires"}, false, fmt.Sprintf("%s is not after effective %s", Date(exp), Date(eff)))
	}
	c.EffectiveFrom, c.ExpiresOn = eff, endOfDay(exp)
	if s, ok := root["status"].(string); ok {
		c.Status = cordon.ContractStatus(s)
	}

	p.checkScope(c, root, cat)
	p.checkSLA(c, root)

	clauses, _ := root["clauses"].(map[string]any)
	for k, v := range clauses {
		if s, ok := v.(string); ok {
			c.Clauses[k] = s
		}
	}
	for _, k := range requiredClauses {
		if _, ok := c.Clauses[k]; !ok {
			p.at([]string{"clauses", k}, true, fmt.Sprintf("required, but missing: the %s grants need a clause", k))
		}
	}
	p.checkIncentives(c, root)
	p.checkCalendar(c, root)
	return c, partner
}

// date reads the date at root[key].
func (p *parser) date(root map[string]any, key string) (time.Time, bool) {
	s, ok := root[key].(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := parseDate(s)
	if err != nil {
		p.at([]string{key}, false, fmt.Sprintf("%s is not a date: want YYYY-MM-DD", quoteValue(s)))
		return time.Time{}, false
	}
	return t, true
}

// checkScope reads the scope, checking names against the catalog.
func (p *parser) checkScope(c *cordon.Contract, root map[string]any, cat Catalog) {
	scope, _ := root["scope"].(map[string]any)
	known := func(string) bool { return true }
	if cat != nil {
		known = cat.KnownCity
	}
	c.Scope.Cities = p.names(scope, "cities", "city", known)
	known = func(string) bool { return true }
	if cat != nil {
		known = cat.KnownProductLine
	}
	c.Scope.ProductLines = p.names(scope, "product_lines", "product line", known)
	for _, s := range p.names(scope, "service_types", "service type", func(s string) bool { return cordon.Category(s).Valid() }) {
		c.Scope.ServiceTypes = append(c.Scope.ServiceTypes, cordon.Category(s))
	}
	if s, ok := scope["document_ceiling"].(string); ok {
		c.Scope.DocumentCeiling = cordon.Classification(s)
	}
	disclosure, _ := scope["disclosure"].(map[string]any)
	if s, ok := disclosure["level"].(string); ok {
		c.Scope.Disclosure = cordon.DisclosureLevel(s)
	}
	if h, ok := disclosure["grace_hours"].(int64); ok && h >= 0 && h <= 8760 {
		c.Scope.DisclosureGraceHours = int(h)
	}
}

// names reads the list of text at obj[key], recording a problem for each
// item known rejects, and returns the text items.
func (p *parser) names(obj map[string]any, key, what string, known func(string) bool) []string {
	list, _ := obj[key].([]any)
	var out []string
	for i, v := range list {
		s, ok := v.(string)
		if !ok {
			continue
		}
		if !known(s) {
			p.at([]string{"scope", key, strconv.Itoa(i)}, false, fmt.Sprintf("unknown %s %s", what, quoteValue(s)))
		}
		out = append(out, s)
	}
	return out
}

// checkSLA reads the SLA terms: every priority present, every limit longer
// than zero and no shorter than the one before.
func (p *parser) checkSLA(c *cordon.Contract, root map[string]any) {
	sla, ok := root["sla"].(map[string]any)
	if !ok {
		return
	}
	for _, pr := range cordon.Priorities {
		raw, present := sla[string(pr)]
		if !present {
			p.at([]string{"sla", string(pr)}, true, "required, but missing: every priority needs its terms")
			continue
		}
		terms, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		var d [4]time.Duration
		complete := true
		prev := -1
		for i, name := range cordon.ClockNames {
			path := []string{"sla", string(pr), name}
			s, ok := terms[name].(string)
			if !ok {
				complete = false
				continue
			}
			v, err := parseDuration(s)
			if err != nil {
				p.at(path, false, fmt.Sprintf("%s %s", quoteValue(s), err))
				complete = false
				continue
			}
			if v <= 0 {
				p.at(path, false, "must be longer than zero")
				complete = false
				continue
			}
			d[i] = v
			if prev >= 0 && v < d[prev] {
				p.at(path, false, fmt.Sprintf("%s is shorter than %s (%s)", formatDuration(v), cordon.ClockNames[prev], formatDuration(d[prev])))
			}
			prev = i
		}
		if complete {
			c.SLA[pr] = cordon.SLATerms{Accept: d[0], Respond: d[1], OnSite: d[2], Resolve: d[3]}
		}
	}
}

// parseDuration reads a duration in days, hours and minutes, in that
// order, each at most four digits: "30m", "4h", "1h30m", "3d".
func parseDuration(s string) (time.Duration, error) {
	units := []struct {
		suffix byte
		unit   time.Duration
	}{{'d', 24 * time.Hour}, {'h', time.Hour}, {'m', time.Minute}}
	var total time.Duration
	rest := s
	next := 0
	for rest != "" {
		n := 0
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 0 || n > 4 || n == len(rest) {
			return 0, errBadDuration
		}
		v, _ := strconv.Atoi(rest[:n])
		u := next
		for u < len(units) && units[u].suffix != rest[n] {
			u++
		}
		if u == len(units) {
			return 0, errBadDuration
		}
		total += time.Duration(v) * units[u].unit
		next = u + 1
		rest = rest[n+1:]
	}
	if s == "" {
		return 0, errBadDuration
	}
	return total, nil
}

var errBadDuration = durationError{}

type durationError struct{}

func (durationError) Error() string {
	return "is not a duration: want days, hours and minutes such as 30m, 4h, 1h30m or 3d"
}

// formatDuration writes d the way contracts do: days, hours and minutes,
// with days only from two days up (so "24h" and "36h" stay hours); any part
// of a minute rounds up.
func formatDuration(d time.Duration) string {
	if d <= 0 {
		return "0m"
	}
	if r := d % time.Minute; r != 0 {
		d += time.Minute - r
	}
	const day = 24 * time.Hour
	var b []byte
	if d >= 2*day {
		b = strconv.AppendInt(b, int64(d/day), 10)
		b = append(b, 'd')
		d %= day
	}
	if h := d / time.Hour; h > 0 {
		b = strconv.AppendInt(b, int64(h), 10)
		b = append(b, 'h')
	}
	if m := d % time.Hour / time.Minute; m > 0 || len(b) == 0 {
		b = strconv.AppendInt(b, int64(m), 10)
		b = append(b, 'm')
	}
	return string(b)
}
