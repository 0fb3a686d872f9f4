package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerNotifyRoutes(r fiber.Router, h *Handler, g Guards) {
	r.Get("/notifications", g.Authenticated, g.Require(cordon.ResMe, cordon.ActView), h.handleNotificationList)
	r.Post("/notifications/read", g.Authenticated, g.Require(cordon.ResMe, cordon.ActUpdate), h.handleNotificationsReadAll)
	r.Post("/notifications/:id/read", g.Authenticated, g.Require(cordon.ResMe, cordon.ActUpdate), h.handleNotificationRead)
	r.Get("/partners/:id/webhook", g.Authenticated, g.Require(cordon.ResWebhook, cordon.ActView), h.handleWebhookView)
	r.Put("/partners/:id/webhook", g.Authenticated, g.Require(cordon.ResWebhook, cordon.ActManage), h.handleWebhookSave)
	r.Get("/webhooks/deliveries", g.Authenticated, g.Require(cordon.ResWebhook, cordon.ActList), h.handleDeliveryList)
	r.Post("/webhooks/deliveries/:id/retry", g.Authenticated, g.Require(cordon.ResWebhook, cordon.ActUpdate), h.handleDeliveryRetry)
}

type notificationJSON struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	JobID     *int64     `json:"job_id"`
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

func toNotificationJSON(n *cordon.Notification) notificationJSON {
	return notificationJSON{ID: n.ID, Kind: n.Kind, JobID: n.JobID, Status: string(n.Status), CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
}

type notificationListJSON struct {
	Items  []notificationJSON `json:"items"`
	Total  int                `json:"total"`
	Unread int                `json:"unread"`
	Offset int                `json:"offset"`
	Limit  int                `json:"limit"`
}

// handleNotificationList lists the caller's own notifications, newest
// first; ?unread=true for the unread ones only.
func (h *Handler) handleNotificationList(c *fiber.Ctx) error {
	offset, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	f := cordon.NotificationFilter{Offset: offset, Limit: limit}
	switch c.Query("unread") {
	case "", "false":
	case "true":
		f.UnreadOnly = true
	default:
		return cordon.FieldErr("unread", "api.unread_must_true_false")
	}
	list, total, unread, err := h.svc.Notifications.FindNotifications(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := notificationListJSON{Items: make([]notificationJSON, len(list)), Total: total, Unread: unread, Offset: offset, Limit: limit}
	for i, n := range list {
		out.Items[i] = toNotificationJSON(n)
	}
	return c.JSON(out)
}

// handleNotificationRead marks one of the caller's notifications read;
// anyone else's is 404.
func (h *Handler) handleNotificationRead(c *fiber.Ctx) error {
	id, err := idParam(c, "Notification")
	if err != nil {
		return err
	}
	n, err := h.svc.Notifications.MarkNotificationRead(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toNotificationJSON(n))
}

// handleNotificationsReadAll marks every unread notification of the caller read.
func (h *Handler) handleNotificationsReadAll(c *fiber.Ctx) error {
	n, err := h.svc.Notifications.MarkAllNotificationsRead(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"marked": n})
}

// now is the handlers' clock.
func (h *Handler) now() time.Time {
	if h.svc.Now != nil {
		return h.svc.Now()
	}
	return time.Now()
}

type webhookJSON struct {
	PartnerID  int64      `json:"partner_id"`
	Configured bool       `json:"configured"`
	URL        string     `json:"url"`
	Active     bool       `json:"active"`
	CreatedAt  *time.Time `json:"created_at"`
	UpdatedAt  *time.Time `json:"updated_at"`
	// Secret is present only in the answer that generated it.
	Secret string `json:"secret,omitempty"`
}

func toWebhookJSON(partnerID int64, e *cordon.WebhookEndpoint) webhookJSON {
	if e == nil {
		return webhookJSON{PartnerID: partnerID}
	}
	return webhookJSON{PartnerID: partnerID, Configured: true, URL: e.URL, Active: e.Active,
		CreatedAt: &e.CreatedAt, UpdatedAt: &e.UpdatedAt, Secret: e.Secret}
}

type webhookSaveJSON struct {
	URL          string `json:"url"`
	Active       *bool  `json:"active"`
	RotateSecret bool   `json:"rotate_secret"`
}

// handleWebhookView shows a partner's endpoint, never its secret: to the
// partner's admin its own, to the institute any partner's.
func (h *Handler) handleWebhookView(c *fiber.Ctx) error {
	id, err := idParam(c, "Partner")
	if err != nil {
		return err
	}
	e, err := h.svc.Partners.FindWebhook(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toWebhookJSON(id, e))
}

// handleWebhookSave sets the caller's own partner's endpoint. A new
// endpoint, or rotate_secret, answers with the secret, once.
func (h *Handler) handleWebhookSave(c *fiber.Ctx) error {
	id, err := idParam(c, "Partner")
	if err != nil {
		return err
	}
	var in webhookSaveJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	e, created, err := h.svc.Partners.SaveWebhook(c.UserContext(), id, in.URL, in.Active == nil || *in.Active, in.RotateSecret)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
	}
	// The answer may carry the signing secret: no cache may keep it.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).JSON(toWebhookJSON(id, e))
}

type deliveryJSON struct {
	ID            int64     `json:"id"`
	EventID       int64     `json:"event_id"`
	Kind          string    `json:"kind"`
	JobID         *int64    `json:"job_id"`
	PartnerID     int64     `json:"partner_id"`
	State         string    `json:"state"`
	Attempts      int       `json:"attempts"`
	NextAttemptAt time.Time `json:"next_attempt_at"`
	LastStatus    int       `json:"last_status"`
	LastError     string    `json:"last_error"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func toDeliveryJSON(d *cordon.WebhookDelivery) deliveryJSON {
	return deliveryJSON{ID: d.ID, EventID: d.OutboxID, Kind: d.Kind, JobID: d.JobID, PartnerID: d.PartnerID, State: d.State,
		Attempts: d.Attempts, NextAttemptAt: d.NextAttemptAt, LastStatus: d.LastStatus, LastError: d.LastError,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

// handleDeliveryList lists webhook deliveries for the institute, newest
// first, by state: the dead letters with ?state=dead.
func (h *Handler) handleDeliveryList(c *fiber.Ctx) error {
	offset, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	list, total, err := h.svc.Partners.FindDeliveries(c.UserContext(), cordon.DeliveryFilter{State: c.Query("state"), Offset: offset, Limit: limit})
	if err != nil {
		return err
	}
	out := listJSON[deliveryJSON]{Items: make([]deliveryJSON, len(list)), Total: total, Offset: offset, Limit: limit}
	for i, d := range list {
		out.Items[i] = toDeliveryJSON(d)
	}
	return c.JSON(out)
}

// handleDeliveryRetry gives a dead delivery a fresh round of attempts, the
// first one due now.
func (h *Handler) handleDeliveryRetry(c *fiber.Ctx) error {
	id, err := idParam(c, "Webhook delivery")
	if err != nil {
		return err
	}
	d, err := h.svc.Partners.RetryDelivery(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toDeliveryJSON(d))
}
