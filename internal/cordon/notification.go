package cordon

import (
	"context"
	"time"
)

// ResWebhook is the resource of partners' webhook endpoints and their
// deliveries.
const ResWebhook = "webhook"

// The kinds of outbox event besides "job.<status>" (a job moved to that
// status, the offer included: "job.offered"). Kinds are message keys too:
// a notification shows as the text of its kind.
const (
	EventJobAssigned = "job.assigned"      // a partner admin handed the job to a technician
	EventReportFiled = "report.filed"      // a service report was filed on the job
	EventSignedOff   = "report.signed_off" // the customer signed off the job's work
	EventEscalated   = "sla.escalated"
	// EventChecklistFlagged: a checklist answer lies outside its limits.
	EventChecklistFlagged = "checklist.flagged"
)

// JobEventKind is the outbox kind of a job moving to status to; a move
// that keeps the status (an assignment) is EventJobAssigned.
func JobEventKind(from, to JobStatus) string {
	if from == to {
		return EventJobAssigned
	}
	return "job." + string(to)
}

// OutboxEvent is one event of the outbox: written in the transaction of
// the change it reports, relayed once to notifications and webhooks. Its
// payload is JSON without any customer identity.
type OutboxEvent struct {
	ID        int64
	Kind      string
	JobID     *int64
	PartnerID *int64 // the partner holding the job; nil for in-house jobs
	ActorID   *int64 // who caused it; nil for the system
	Payload   []byte
	CreatedAt time.Time
	RelayedAt *time.Time
}

// Notification is one in-app message to one user: a kind (its message
// key), the job and the status it names.
type Notification struct {
	ID        int64
	UserID    int64
	Kind      string
	JobID     *int64
	Status    JobStatus
	CreatedAt time.Time
	ReadAt    *time.Time
}

// NotificationFilter selects the caller's notifications.
type NotificationFilter struct {
	UnreadOnly bool
	Offset     int
	Limit      int
}

// NotificationStore is a user's inbox of notifications.
type NotificationStore interface {
	// FindNotifications returns a page of the user's notifications, newest
	// first, the total and the number unread.
	FindNotifications(ctx context.Context, userID int64, f NotificationFilter) ([]*Notification, int, int, error)
	// CountUnread returns the number of the user's unread notifications.
	CountUnread(ctx context.Context, userID int64) (int, error)
	// MarkNotificationRead marks one of the user's notifications read at
	// at; ENOTFOUND when it is not the user's.
	MarkNotificationRead(ctx context.Context, userID, id int64, at time.Time) (*Notification, error)
	// MarkAllNotificationsRead marks every unread notification of the user read.
	MarkAllNotificationsRead(ctx context.Context, userID int64, at time.Time) (int, error)
}

// The states of a webhook delivery.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryDead      = "dead"
)

// WebhookEndpoint is where a partner receives its events. Secret is set
// only when the server has just generated it (creation, rotation): it is
// shown once and never read back.
type WebhookEndpoint struct {
	ID        int64
	PartnerID int64
	URL       string
	Active    bool
	Secret    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// WebhookDelivery is one event on its way to one endpoint.
type WebhookDelivery struct {
	ID            int64
	OutboxID      int64
	EndpointID    int64
	PartnerID     int64
	Kind          string // the event's kind
	JobID         *int64
	State         string
	Attempts      int
	NextAttemptAt time.Time
	LastStatus    int    // the endpoint's last HTTP status; 0 when it never answered
	LastError     string // a short safe description of the last failure
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// DeliveryFilter selects deliveries; an empty State selects all.
type DeliveryFilter struct {
	State  string
	Offset int
	Limit  int
}

// WebhookStore configures endpoints and shows their deliveries.
type WebhookStore interface {
	// FindWebhookEndpoint returns the partner's endpoint; ENOTFOUND when it
	// has none.
	FindWebhookEndpoint(ctx context.Context, partnerID int64) (*WebhookEndpoint, error)
	// SaveWebhookEndpoint creates or changes the partner's endpoint. A new
	// endpoint, or rotate, gets a new secret, returned in Secret.
	SaveWebhookEndpoint(ctx context.Context, e *WebhookEndpoint, rotate bool) error
	// FindDeliveries returns a page of deliveries, newest first, and the total.
	FindDeliveries(ctx context.Context, f DeliveryFilter) ([]*WebhookDelivery, int, error)
	// RetryDelivery makes a dead delivery pending again, due at at;
	// ENOTFOUND when absent, ECONFLICT when it is not dead.
	RetryDelivery(ctx context.Context, id int64, at time.Time) (*WebhookDelivery, error)
}

// Recipient is a user to notify, with the organisation the user belongs to.
type Recipient struct{ UserID, OrgID int64 }

// Fanout is where one outbox event goes: the users to notify, and whether
// the holding partner's webhook endpoint (when it has an active one) gets
// it too.
type Fanout struct {
	Recipients []Recipient
	Webhook    bool
}

// DueDelivery is a delivery claimed for one attempt: the delivery, the
// endpoint to post to with its secret, and the event.
type DueDelivery struct {
	Delivery WebhookDelivery
	URL      string
	Secret   string
	Event    OutboxEvent
}

// DeliveryOutcome is how one attempt went: delivered, to be retried at
// NextAttemptAt, or dead.
type DeliveryOutcome struct {
	Delivered     bool
	Dead          bool
	NextAttemptAt time.Time
	Status        int
	Error         string
	At            time.Time
}

// Outbox is the relay's and the deliverer's view of the store. Every
// method is safe to call from several replicas at once: each event is
// relayed once and each attempt is made by one caller.
type Outbox interface {
	// RelayOutbox claims up to limit unrelayed events, oldest first, and
	// for each stores the notifications and the webhook delivery route
	// decides, in one transaction with the claim. It returns the number
	// relayed.
	RelayOutbox(ctx context.Context, limit int, route func(ctx context.Context, e *OutboxEvent) (Fanout, error)) (int, error)
	// FindRecipients returns the enabled users of the organisation (0: the
	// institute) that hold any of roles, or whose id is in userIDs.
	FindRecipients(ctx context.Context, orgID int64, roles []Role, userIDs []int64) ([]Recipient, error)
	// ClaimDeliveries claims up to limit pending deliveries due at now for
	// one attempt each, holding them for lease.
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*DueDelivery, error)
	// FinishDelivery records the outcome of the attempt d was claimed for;
	// ECONFLICT when the claim was lost meanwhile.
	FinishDelivery(ctx context.Context, d *DueDelivery, o DeliveryOutcome) error
}

// NotificationService is the caller's own inbox. A partner user whose
// company has no contract in force has an empty inbox, as under row-level
// security.
type NotificationService interface {
	// FindNotifications returns a page of the caller's notifications,
	// newest first, the total and the number unread.
	FindNotifications(ctx context.Context, f NotificationFilter) ([]*Notification, int, int, error)
	// CountUnread returns the number of the caller's unread notifications.
	CountUnread(ctx context.Context) (int, error)
	// MarkNotificationRead marks one of the caller's notifications read;
	// ENOTFOUND when it is not the caller's.
	MarkNotificationRead(ctx context.Context, id int64) (*Notification, error)
	// MarkAllNotificationsRead marks every unread notification of the
	// caller read and returns how many.
	MarkAllNotificationsRead(ctx context.Context) (int, error)
}
