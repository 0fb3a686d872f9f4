package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// maxDisclosureGroups caps the lines of one who-saw-a-customer report.
const maxDisclosureGroups = 10000

// FindDisclosures returns the disclosures (and refused disclosures) of a
// customer's identity, grouped by organisation, user, contract, clause,
// fields and decision, first seen first. It reads in the caller's scope,
// as FindAccessEvents does.
func (l *AuditLog) FindDisclosures(ctx context.Context, f cordon.DisclosureFilter) ([]*cordon.DisclosureGroup, error) {
	q := "SELECT org_id, user_id, contract_no, clause, fields, decision, count(*), min(at), max(at) FROM access_events " +
		"WHERE resource = ? AND resource_id = ? AND action = ?"
	args := []any{cordon.ResCustomer, fmt.Sprint(f.CustomerID), cordon.ActDisclose}
	if f.From != nil {
		q += " AND at >= ?"
		args = append(args, f.From.UTC())
	}
	if f.To != nil {
		q += " AND at < ?"
		args = append(args, f.To.UTC())
	}
	q += " GROUP BY org_id, user_id, contract_no, clause, fields, decision ORDER BY min(at), org_id, user_id, contract_no, clause, fields, decision LIMIT ?"
	args = append(args, maxDisclosureGroups)
	rows, err := l.db.conn(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, TranslateError(err, "Access event")
	}
	defer rows.Close()
	var out []*cordon.DisclosureGroup
	for rows.Next() {
		var g cordon.DisclosureGroup
		var fields, decision string
		var first, last anyTime
		if err := rows.Scan(&g.OrgID, &g.UserID, &g.ContractNo, &g.Clause, &fields, &decision, &g.Count, &first, &last); err != nil {
			return nil, TranslateError(err, "Access event")
		}
		g.Decision, g.First, g.Last = cordon.Decision(decision), first.t, last.t
		if fields != "" {
			g.Fields = strings.Split(fields, ",")
		}
		out = append(out, &g)
	}
	return out, TranslateError(rows.Err(), "Access event")
}

// DenialCounts returns, per organisation, the number of denied attempts in
// each clock hour (UTC) with any, for At in [from, to), in time order.
func (l *AuditLog) DenialCounts(ctx context.Context, from, to time.Time) (map[int64][]cordon.DenialCount, error) {
	hour := l.db.eng.unixHour("at")
	rows, err := l.db.conn(ctx).Raw("SELECT org_id, "+hour+" AS h, count(*) FROM access_events "+
		"WHERE decision = ? AND at >= ? AND at < ? GROUP BY org_id, h ORDER BY org_id, h", string(cordon.Deny), from.UTC(), to.UTC()).Rows()
	if err != nil {
		return nil, TranslateError(err, "Access event")
	}
	defer rows.Close()
	out := map[int64][]cordon.DenialCount{}
	for rows.Next() {
		var org int64
		var h sql.NullInt64
		var n int
		if err := rows.Scan(&org, &h, &n); err != nil {
			return nil, TranslateError(err, "Access event")
		}
		if !h.Valid { // a time SQLite cannot read: not a row RecordAccess wrote
			return nil, cordon.Err(cordon.EINTERNAL, "internal_error")
		}
		out[org] = append(out[org], cordon.DenialCount{Start: time.Unix(h.Int64*3600, 0).UTC(), Count: n})
	}
	return out, TranslateError(rows.Err(), "Access event")
}

// anyTime scans a time that PostgreSQL returns as a time and SQLite, from
// an aggregate, as text.
type anyTime struct{ t time.Time }

func (a *anyTime) Scan(v any) error {
	switch x := v.(type) {
	case time.Time:
		a.t = x.UTC()
		return nil
	case string:
		t, err := parseSQLiteTime(x)
		a.t = t
		return err
	case []byte:
		t, err := parseSQLiteTime(string(x))
		a.t = t
		return err
	}
	return fmt.Errorf("store: %T is not a time", v)
}
