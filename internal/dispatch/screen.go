package dispatch

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cordon/cordon/internal/cordon"
)

// Screening: free text a partner will read (a request's description) must
// not carry what the contract discloses only after acceptance, and under
// a logged clause: the unit's serial, the customer's name or unit
// designation, a phone number. Intake refuses it, saying which part to
// remove and where; an institute user may override with a reason, which
// the access log keeps. What counts as sensitive is
// [cordon.FindSensitive], the one rule job messages use too.

// screenFinding is one thing screening found: its kind (a message key)
// and the character where it starts, counted from 1.
type screenFinding struct {
	key string
	at  int
}

// findSensitive returns the first sensitive part of text, if any, named
// by intake's message key.
func findSensitive(text, serial string, id *cordon.CustomerIdentity) *screenFinding {
	f := cordon.FindSensitive(text, serial, id)
	if f == nil {
		return nil
	}
	return &screenFinding{key: "dispatch.screen_" + f.Kind, at: f.At}
}

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
