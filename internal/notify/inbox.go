package notify

import (
	"context"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// Inbox is the caller's own in-app notifications (cordon.NotificationService).
// A partner user whose company has no contract in force sees none and can
// mark none, as under row-level security.
type Inbox struct {
	store cordon.NotificationStore
	scope cordon.ScopePolicy
	now   cordon.Clock
}

var _ cordon.NotificationService = (*Inbox)(nil)

// NewInbox returns the inbox service over the store; scope tells whose
// contract is in force, now is the clock (nil: time.Now).
func NewInbox(store cordon.NotificationStore, scope cordon.ScopePolicy, now cordon.Clock) *Inbox {
	if now == nil {
		now = time.Now
	}
	return &Inbox{store: store, scope: scope, now: now}
}

// reader returns the caller, and whether it may read its inbox.
func (b *Inbox) reader(ctx context.Context) (*cordon.Actor, bool, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, false, err
	}
	return a, !a.IsPartner() || cordon.PartnerInForce(b.scope, a.PartnerID), nil
}

// FindNotifications returns a page of the caller's notifications.
func (b *Inbox) FindNotifications(ctx context.Context, f cordon.NotificationFilter) ([]*cordon.Notification, int, int, error) {
	a, ok, err := b.reader(ctx)
	if err != nil || !ok {
		return nil, 0, 0, err
	}
	return b.store.FindNotifications(ctx, a.UserID, f)
}

// CountUnread returns the number of the caller's unread notifications.
func (b *Inbox) CountUnread(ctx context.Context) (int, error) {
	a, ok, err := b.reader(ctx)
	if err != nil || !ok {
		return 0, err
	}
	return b.store.CountUnread(ctx, a.UserID)
}

// MarkNotificationRead marks one of the caller's notifications read.
func (b *Inbox) MarkNotificationRead(ctx context.Context, id int64) (*cordon.Notification, error) {
	a, ok, err := b.reader(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, cordon.Err(cordon.ENOTFOUND, "notification.not_found")
	}
	return b.store.MarkNotificationRead(ctx, a.UserID, id, b.now())
}

// MarkAllNotificationsRead marks every unread notification of the caller read.
func (b *Inbox) MarkAllNotificationsRead(ctx context.Context) (int, error) {
	a, ok, err := b.reader(ctx)
	if err != nil || !ok {
		return 0, err
	}
	return b.store.MarkAllNotificationsRead(ctx, a.UserID, b.now())
}
