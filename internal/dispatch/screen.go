package dispatch

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cordon/cordon/internal/cordon"
)

// Screening: free text a partner will read (a request's description) must
// not carry what the contract discloses only after acceptance, and under
// a logged clause: the unit's serial, the customer's name or unit
// designation, a phone number. Intake refuses it, saying which part to
// remove and where; an institute user may override with a reason, which
// the access log keeps.

// phonePatterns are how phone numbers are written in China: mobiles
// (optionally +86) and landlines with an area code.
var phonePatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}`),
	regexp.MustCompile(`\(?0\d{2,3}\)?[\s-]?\d{7,8}`),
}

// screenFinding is one thing screening found: its kind (a message key)
// and the character where it starts, counted from 1.
type screenFinding struct {
	key string
	at  int
}

// findSensitive returns the first sensitive part of text, if any.
func findSensitive(text, serial string, id *cordon.CustomerIdentity) *screenFinding {
	// Compared character by character in lower case: an index into lower
	// is a character's place in text, whatever the UTF-8 length of its
	// lower case (the ohm sign, a dotted İ, an invalid byte).
	lower := folded(text)
	at := func(i int) int { return utf8.RuneCountInString(text[:i]) + 1 }
	// check finds needle; whole, it must not sit inside a longer code
	// (RD2024-00012 is another unit than RD2024-0001).
	check := func(needle, key string, whole bool) *screenFinding {
		n := folded(strings.TrimSpace(needle))
		if len(n) < 2 {
			return nil
		}
		for i := indexRunes(lower, n, 0); i >= 0; i = indexRunes(lower, n, i+1) {
			if whole && (i > 0 && isWordRune(lower[i-1]) || i+len(n) < len(lower) && isWordRune(lower[i+len(n)])) {
				continue
			}
			return &screenFinding{key: key, at: i + 1}
		}
		return nil
	}
	if f := check(serial, "dispatch.screen_serial", true); f != nil {
		return f
	}
	if id != nil {
		if f := check(id.Name, "dispatch.screen_customer_name", false); f != nil {
			return f
		}
		if f := check(id.UnitDesignation, "dispatch.screen_unit_designation", false); f != nil {
			return f
		}
		if f := check(id.Phone, "dispatch.screen_phone", true); f != nil {
			return f
		}
	}
	for _, re := range phonePatterns {
		for _, m := range re.FindAllStringIndex(text, -1) {
			// A number inside a longer token (a part number, a date) is
			// not a phone number.
			before, _ := utf8.DecodeLastRuneInString(text[:m[0]])
			after, _ := utf8.DecodeRuneInString(text[m[1]:])
			if m[0] > 0 && (isWordRune(before) || before == '-' || before == '/') || m[1] < len(text) && (isWordRune(after) || after == '-' || after == '/') {
				continue
			}
			return &screenFinding{key: "dispatch.screen_phone", at: at(m[0])}
		}
	}
	return nil
}

// folded is s in lower case, one rune per character of s.
func folded(s string) []rune {
	rs := []rune(s)
	for i, r := range rs {
		rs[i] = unicode.ToLower(r)
	}
	return rs
}

// indexRunes is where sub first starts in s at or after from, -1 if nowhere.
func indexRunes(s, sub []rune, from int) int {
	for i := from; i+len(sub) <= len(s); i++ {
		if slices.Equal(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func isWordRune(r rune) bool { return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// screen refuses a description that carries sensitive text, unless the
// caller overrides with a reason; the override is an access event that
// names what was found (never the text itself).
func (d *Dispatcher) screen(ctx context.Context, a *cordon.Actor, r *cordon.ServiceRequest, override string) error {
	f, err := d.sensitiveIn(ctx, r, r.Description)
	if err != nil || f == nil {
		return err
	}
	override = strings.TrimSpace(override)
	if override == "" {
		return cordon.FieldErr("description", f.key, f.at)
	}
	if utf8.RuneCountInString(override) > 500 {
		return cordon.FieldErr("override", "dispatch.override_too_long")
	}
	m := cordon.MetaFromContext(ctx)
	ev := &cordon.AccessEvent{UserID: a.UserID, OrgID: a.OrgID, Resource: cordon.ResCustomer,
		ResourceID: strconv.FormatInt(r.CustomerID, 10), Action: "override", Decision: cordon.Allow,
		Purpose: fmt.Sprintf("intake screening %s: %s", strings.TrimPrefix(f.key, "dispatch.screen_"), override),
		Fields:  []string{strings.TrimPrefix(f.key, "dispatch.screen_")}, RequestID: m.RequestID, ClientIP: m.ClientIP}
	if err := d.cfg.Access.RecordAccess(ctx, ev); err != nil {
		return fmt.Errorf("record screening override: %w", err)
	}
	return nil
}

// sensitiveIn looks in text for what screening refuses about the request's
// unit and customer.
func (d *Dispatcher) sensitiveIn(ctx context.Context, r *cordon.ServiceRequest, text string) (*screenFinding, error) {
	var serial string
	if r.UnitID != nil {
		u, err := d.cfg.Catalog.FindUnitByID(ctx, *r.UnitID)
		if err != nil {
			return nil, err
		}
		serial = u.Serial
	}
	c, err := d.cfg.Customers.FindCustomerByID(ctx, r.CustomerID)
	if err != nil {
		return nil, err
	}
	return findSensitive(text, serial, c.Identity), nil
}

// screenReason refuses a reason the institute gives for a move (a reopen,
// a revocation) that carries what the partner may not read: the partner
// sees it on the job's timeline.
func (d *Dispatcher) screenReason(ctx context.Context, a *cordon.Actor, j *cordon.Job, reason string) error {
	if a.IsPartner() || strings.TrimSpace(reason) == "" || j.Request == nil || j.PartnerID == nil {
		return nil
	}
	f, err := d.sensitiveIn(ctx, j.Request, reason)
	if err != nil || f == nil {
		return err
	}
	return cordon.FieldErr("reason", strings.Replace(f.key, "dispatch.screen_", "dispatch.screen_reason_", 1), f.at)
}
