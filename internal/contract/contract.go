// Package contract owns the source form of partner contracts: it parses a
// contract file (YAML or JSON) and validates it against the JSON Schema in
// contracts/ and the catalog, applies the lifecycle rules, compiles an
// active contract into the grants that become Casbin scope rules, describes
// grants in words, and renders a contract back to its source form.
//
// Dates in the source form are calendar days in China Standard Time
// (UTC+8, see Zone). "effective" is the first day in force; "expires" is the
// last day in force: the domain's ExpiresOn is the last instant of that day,
// so Contract.InForce holds through the whole of it and ExpiresOn still
// formats as the day written in the file.
package contract

import (
	"fmt"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// MaxSize is the largest contract file Parse reads, in bytes.
const MaxSize = 256 << 10

// Clause keys: the clause behind each kind of grant, and the SLA clause.
const (
	ClauseJobs      = "jobs"
	ClauseCustomers = "customers"
	ClauseDocuments = "documents"
	ClauseSLA       = "sla"
)

// requiredClauses are the clause keys every contract must name: one for each
// kind of grant it compiles to.
var requiredClauses = []string{ClauseJobs, ClauseCustomers, ClauseDocuments}

// Catalog answers whether the names a contract uses exist. Parse calls it
// for the partner, each city and each product line.
type Catalog interface {
	// KnownPartner reports whether code is a partner organisation's code.
	KnownPartner(code string) bool
	// KnownCity reports whether name is a city the institute serves.
	KnownCity(name string) bool
	// KnownProductLine reports whether code is a product line's code.
	KnownProductLine(code string) bool
}

// Problem is one thing wrong with a contract file, where it is and what it
// is. Line and Column are 1-based; 0 when unknown. Field is the path of the
// value at fault, such as "scope.cities[1]", or "" for the file as a whole.
type Problem struct {
	File    string
	Line    int
	Column  int
	Field   string
	Message string
}

// String renders the problem as `file:line:col: field: message`, e.g.
// `hefei.yaml:12:5: scope.cities[1]: unknown city "Hefie"`.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Invalid turns problems into one EINVALID *cordon.Error naming the field of
// the first problem and listing them all, one per line; nil when there are
// none. Problems carry no data beyond the submitted file, so the message is
// safe to show to its author.
func Invalid(problems []Problem) error {
	if len(problems) == 0 {
		return nil
	}
	lines := make([]string, len(problems))
	for i, p := range problems {
		lines[i] = p.String()
	}
	return cordon.FieldErr(problems[0].Field, "contract.problems", strings.Join(lines, "\n"))
}

// Zone returns the time zone of contract dates: China Standard Time, UTC+8.
func Zone() *time.Location { return cordon.ChinaTime }

const dateLayout = "2006-01-02"

// Date formats t as a contract date (YYYY-MM-DD) in Zone. For ExpiresOn it
// gives the last day the contract is in force.
func Date(t time.Time) string { return t.In(cordon.ChinaTime).Format(dateLayout) }

// parseDate reads a contract date as midnight at its start in Zone.
func parseDate(s string) (time.Time, error) {
	return time.ParseInLocation(dateLayout, s, cordon.ChinaTime)
}

// endOfDay returns the last instant of the day that starts at day.
func endOfDay(day time.Time) time.Time {
	return day.AddDate(0, 0, 1).Add(-time.Nanosecond)
}

// ClauseRef returns the reference part of a clause, the text before the
// first space: "§3.1" for "§3.1 Service territory and product lines".
func ClauseRef(clause string) string {
	clause = strings.TrimSpace(clause)
	if i := strings.IndexAny(clause, " \t"); i >= 0 {
		return clause[:i]
	}
	return clause
}
