// Package cordon is the domain at the centre of Cordon: the types of the
// partner-network service portal, the service interfaces the other packages
// implement, the one error type, and the Actor carried in a request context.
//
// It imports only the standard library. Fiber, GORM, Casbin and JWT types
// never appear here.
package cordon

import (
	"strings"
	"time"
	"unicode/utf8"
)

// ChinaTime is China Standard Time (UTC+8), the zone in which the
// institute keeps its days: daily quotas, periods, dates on pages and in
// reports. A fixed zone, so the binary needs no time zone database.
var ChinaTime = time.FixedZone("CST", 8*3600)

// The names of a job's SLA clocks, each measured from the offer: to
// acceptance, to setting out, to arrival on site, to resolution.
const (
	ClockAccept  = "accept"
	ClockRespond = "respond"
	ClockOnSite  = "on_site"
	ClockResolve = "resolve"
)

// ClockNames lists the SLA clocks in their order.
var ClockNames = []string{ClockAccept, ClockRespond, ClockOnSite, ClockResolve}

// Clock returns the current time. Packages that read the time take one so
// tests can move it.
type Clock func() time.Time

// Text trims a free-text field and checks it: required when req, at most
// max characters. The errors name the field (installed.field_required,
// installed.field_too_long).
func Text(field, v string, max int, req bool) (string, error) {
	v = strings.TrimSpace(v)
	if req && v == "" {
		return "", FieldErr(field, "installed.field_required", field)
	}
	if utf8.RuneCountInString(v) > max {
		return "", FieldErr(field, "installed.field_too_long", field, max)
	}
	return v, nil
}
