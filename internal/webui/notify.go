package webui

import (
	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func init() { pageNames = append(pageNames, "notifications") }

func registerNotifyPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	r.Get("/notifications", auth, g.Require(cordon.ResMe, cordon.ActView), h.handleNotifications)
	r.Post("/notifications/read", h.checkCSRF, auth, g.Require(cordon.ResMe, cordon.ActUpdate), h.handleNotificationsReadAll)
	r.Post("/notifications/:id/read", h.checkCSRF, auth, g.Require(cordon.ResMe, cordon.ActUpdate), h.handleNotificationRead)
}

// notificationRow is one line of the list, its text already in the
// page's language.
type notificationRow struct {
	N    *cordon.Notification
	Text string
}

type notificationsData struct {
	Rows   []notificationRow
	Unread int
	Pages  *listPager
}

// notificationText puts a notification into words: the kind's own text
// when the catalogue has one, else the job and its new status.
func notificationText(l Locale, n *cordon.Notification) string {
	var id int64
	if n.JobID != nil {
		id = *n.JobID
	}
	key := "notify.kind." + n.Kind
	if _, ok := catalogue[l.Lang][key]; ok {
		return l.T(key, id)
	}
	return l.T("notify.kind.job", id, l.Status(n.Status))
}

// handleNotifications lists the caller's own notifications, newest first.
func (h *Handler) handleNotifications(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := listPagerOf(c, "page")
	list, total, unread, err := h.svc.Notifications.FindNotifications(ctx, cordon.NotificationFilter{Offset: p.Offset(), Limit: p.Limit()})
	if err != nil {
		return err
	}
	p.Total = total
	l := Locale{Lang: language(c), now: h.svc.Now()}
	d := notificationsData{Unread: unread, Pages: p}
	for _, n := range list {
		d.Rows = append(d.Rows, notificationRow{N: n, Text: notificationText(l, n)})
	}
	return h.render(c, "notifications", "/notifications", "notify.title", d)
}

// handleNotificationRead marks one of the caller's notifications read and
// goes back to the list, or on to its job when the form asks.
func (h *Handler) handleNotificationRead(c *fiber.Ctx) error {
	id, err := idParam(c, "Notification")
	if err != nil {
		return err
	}
	n, err := h.svc.Notifications.MarkNotificationRead(c.UserContext(), id)
	if err != nil {
		return err
	}
	if c.FormValue("open") == "1" && n.JobID != nil {
		return c.Redirect("/jobs/"+itoa(*n.JobID), fiber.StatusSeeOther)
	}
	return c.Redirect("/notifications", fiber.StatusSeeOther)
}

// handleNotificationsReadAll marks every unread notification of the caller read.
func (h *Handler) handleNotificationsReadAll(c *fiber.Ctx) error {
	if _, err := h.svc.Notifications.MarkAllNotificationsRead(c.UserContext()); err != nil {
		return err
	}
	return done(c, "/notifications", Locale{Lang: language(c)}.T("notify.allread"))
}

// unreadBadge puts the caller's unread count on the navigation's
// notifications entry.
func (h *Handler) unreadBadge(c *fiber.Ctx, a *cordon.Actor, nav []navItem) {
	if a == nil || h.svc.Notifications == nil {
		return
	}
	for i := range nav {
		if nav[i].Href == "/notifications" {
			n, err := h.svc.Notifications.CountUnread(c.UserContext())
			if err == nil {
				nav[i].Badge = n
			}
		}
	}
}
