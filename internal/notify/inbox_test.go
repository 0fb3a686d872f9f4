package notify_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/notify"
	"github.com/cordon/cordon/internal/store"
)

// TestInbox: a user reads and marks only its own notifications; a
// partner's user whose contract has expired (xian) has an empty inbox and
// can mark nothing, as under row-level security.
func TestInbox(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		notes := store.NewNotificationStore(h.DB)
		inbox := notify.NewInbox(notes, h.App.Scope, h.Clock.Now)
		ctx := context.Background()
		users := store.NewUserStore(h.DB)
		var ids = map[string]int64{}
		for _, name := range []string{"hefei.tech", "wuhan.tech", "xian.tech"} {
			u, err := users.FindUserByUsername(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			ids[name] = u.ID
		}
		// An offer writes an outbox event; the store relays it to all three.
		disp, _ := h.Login("dispatcher")
		req := h.Intake(disp, h.UnitIn("Hefei", "radar"), "fault", "P2")
		if r := h.Do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"to": "auto"}); r.Status != 201 {
			t.Fatalf("dispatch: %d %s", r.Status, r.Body)
		}
		var to []cordon.Recipient
		for name, uid := range ids {
			u, err := users.FindUserByID(ctx, uid)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			to = append(to, cordon.Recipient{UserID: uid, OrgID: u.OrgID})
		}
		n, err := notes.RelayOutbox(ctx, 5, func(context.Context, *cordon.OutboxEvent) (cordon.Fanout, error) {
			return cordon.Fanout{Recipients: to}, nil
		})
		if err != nil || n == 0 {
			t.Fatalf("relay: %d events, %v; the demo world has an outbox", n, err)
		}
		mine := map[string]int64{}
		for name := range ids {
			err := h.As(name, func(ctx context.Context) error {
				list, total, unread, err := inbox.FindNotifications(ctx, cordon.NotificationFilter{Limit: 50})
				if err != nil {
					return err
				}
				if name == "xian.tech" {
					if total != 0 || len(list) != 0 || unread != 0 {
						t.Errorf("xian.tech out of force sees %d notifications", total)
					}
					return nil
				}
				if len(list) == 0 || unread == 0 {
					t.Errorf("%s sees no notification of its own", name)
					return nil
				}
				mine[name] = list[0].ID
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		err = h.As("wuhan.tech", func(ctx context.Context) error {
			if _, err := inbox.MarkNotificationRead(ctx, mine["hefei.tech"]); cordon.ErrorCode(err) != cordon.ENOTFOUND {
				t.Errorf("wuhan.tech marks hefei.tech's notification: %v, want %s", err, cordon.ENOTFOUND)
			}
			n, err := inbox.MarkNotificationRead(ctx, mine["wuhan.tech"])
			if err != nil || n.ReadAt == nil {
				t.Errorf("wuhan.tech marks its own: %+v, %v", n, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
