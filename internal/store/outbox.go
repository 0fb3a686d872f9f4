package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/cordon/cordon/internal/cordon"
)

// outboxRow is the outbox table (migration 00008).
type outboxRow struct {
	ID        int64 `gorm:"primaryKey"`
	Kind      string
	JobID     *int64
	PartnerID *int64
	ActorID   *int64
	Payload   string
	CreatedAt time.Time
	RelayedAt *time.Time
}

func (outboxRow) TableName() string { return "outbox" }

func toOutboxEvent(r *outboxRow) *cordon.OutboxEvent {
	return &cordon.OutboxEvent{ID: r.ID, Kind: r.Kind, JobID: r.JobID, PartnerID: r.PartnerID, ActorID: r.ActorID,
		Payload: []byte(r.Payload), CreatedAt: r.CreatedAt, RelayedAt: r.RelayedAt}
}

// writeOutbox records an event of job j in the outbox, in the transaction
// of ctx: it commits with the change it reports or not at all. The payload
// names the job, its request, partner, status and assignee, the time, and
// the extra fields given: never a customer's identity, and never free text
// a user typed (a decline's reason stays in the timeline).
func (db *DB) writeOutbox(ctx context.Context, kind string, j *jobRow, actorID *int64, at time.Time, extra map[string]any) error {
	row, err := outboxEventRow(kind, j, actorID, timeOrNow(db, at), extra) // sla.go: the same row, built for batches
	if err != nil {
		return err
	}
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return TranslateError(err, "Outbox event")
	}
	return nil
}

// outboxJob is the part of a job an outbox event names.
func outboxJob(j *cordon.Job) *jobRow {
	return &jobRow{ID: j.ID, RequestID: j.RequestID, PartnerID: j.PartnerID, AssigneeID: j.AssigneeID, Status: string(j.Status)}
}

// writeJobEvent records a job event (an offer, a move, an assignment) in
// the outbox.
func (db *DB) writeJobEvent(ctx context.Context, j *cordon.Job, ev *cordon.JobEvent) error {
	return db.writeOutbox(ctx, cordon.JobEventKind(ev.From, ev.To), outboxJob(j), ev.ActorID, ev.At,
		map[string]any{"from": ev.From, "to": ev.To})
}

// notificationRow is the notifications table.
type notificationRow struct {
	ID        int64 `gorm:"primaryKey"`
	UserID    int64
	OrgID     int64
	OutboxID  int64
	Kind      string
	JobID     *int64
	Status    string
	CreatedAt time.Time
	ReadAt    *time.Time
}

func (notificationRow) TableName() string { return "notifications" }

func toNotification(r *notificationRow) *cordon.Notification {
	return &cordon.Notification{ID: r.ID, UserID: r.UserID, Kind: r.Kind, JobID: r.JobID,
		Status: cordon.JobStatus(r.Status), CreatedAt: r.CreatedAt, ReadAt: r.ReadAt}
}

// webhookEndpointRow is the webhook_endpoints table without its secret,
// which no scoped transaction may read.
type webhookEndpointRow struct {
	ID        int64 `gorm:"primaryKey"`
	PartnerID int64
	URL       string `gorm:"column:url"`
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (webhookEndpointRow) TableName() string { return "webhook_endpoints" }

// webhookSecretRow is a new row of webhook_endpoints, secret included.
type webhookSecretRow struct {
	ID        int64 `gorm:"primaryKey"`
	PartnerID int64
	URL       string `gorm:"column:url"`
	Secret    string
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (webhookSecretRow) TableName() string { return "webhook_endpoints" }

// endpointColumns are the columns of webhook_endpoints a scoped
// transaction may read (migration 00008 grants no more).
var endpointColumns = []string{"id", "partner_id", "url", "active", "created_at", "updated_at"}

// webhookDeliveryRow is the webhook_deliveries table.
type webhookDeliveryRow struct {
	ID            int64 `gorm:"primaryKey"`
	OutboxID      int64
	EndpointID    int64
	PartnerID     int64
	State         string
	Attempts      int
	NextAttemptAt time.Time
	LastStatus    int
	LastError     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (webhookDeliveryRow) TableName() string { return "webhook_deliveries" }

// deliveryView is a delivery with its event's kind and job (flat: GORM
// does not fill an embedded struct of an unexported type).
type deliveryView struct {
	ID            int64
	OutboxID      int64
	EndpointID    int64
	PartnerID     int64
	State         string
	Attempts      int
	NextAttemptAt time.Time
	LastStatus    int
	LastError     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Kind          string
	JobID         *int64
}

func toDelivery(r *deliveryView) *cordon.WebhookDelivery {
	return &cordon.WebhookDelivery{
		ID: r.ID, OutboxID: r.OutboxID, EndpointID: r.EndpointID, PartnerID: r.PartnerID, Kind: r.Kind, JobID: r.JobID,
		State: r.State, Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt, LastStatus: r.LastStatus,
		LastError: r.LastError, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// NotificationStore implements cordon.NotificationStore,
// cordon.WebhookStore and cordon.Outbox.
type NotificationStore struct{ db *DB }

var (
	_ cordon.NotificationStore = (*NotificationStore)(nil)
	_ cordon.WebhookStore      = (*NotificationStore)(nil)
	_ cordon.Outbox            = (*NotificationStore)(nil)
)

// NewNotificationStore returns the store of the outbox, notifications and
// webhooks.
func NewNotificationStore(db *DB) *NotificationStore { return &NotificationStore{db: db} }

// FindNotifications returns a page of the user's notifications, newest
// first, the total and the number unread.
func (s *NotificationStore) FindNotifications(ctx context.Context, userID int64, f cordon.NotificationFilter) ([]*cordon.Notification, int, int, error) {
	q := s.db.conn(ctx).Model(&notificationRow{}).Where("user_id = ?", userID)
	if f.UnreadOnly {
		q = q.Where("read_at IS NULL")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, 0, TranslateError(err, "Notification")
	}
	unread, err := s.CountUnread(ctx, userID)
	if err != nil {
		return nil, 0, 0, err
	}
	q = q.Order("id DESC").Offset(f.Offset)
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []notificationRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, 0, 0, TranslateError(err, "Notification")
	}
	out := make([]*cordon.Notification, len(rows))
	for i := range rows {
		out[i] = toNotification(&rows[i])
	}
	return out, int(total), unread, nil
}

// CountUnread returns the number of the user's unread notifications.
func (s *NotificationStore) CountUnread(ctx context.Context, userID int64) (int, error) {
	var n int64
	if err := s.db.conn(ctx).Model(&notificationRow{}).Where("user_id = ? AND read_at IS NULL", userID).Count(&n).Error; err != nil {
		return 0, TranslateError(err, "Notification")
	}
	return int(n), nil
}

// MarkNotificationRead marks one of the user's notifications read; one
// already read keeps its first reading time. ENOTFOUND when it is not the
// user's.
func (s *NotificationStore) MarkNotificationRead(ctx context.Context, userID, id int64, at time.Time) (*cordon.Notification, error) {
	var out *cordon.Notification
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		res := s.db.conn(ctx).Model(&notificationRow{}).Where("id = ? AND user_id = ? AND read_at IS NULL", id, userID).
			Update("read_at", at.UTC())
		if res.Error != nil {
			return TranslateError(res.Error, "Notification")
		}
		var r notificationRow
		if err := s.db.conn(ctx).Where("id = ? AND user_id = ?", id, userID).First(&r).Error; err != nil {
			return TranslateError(err, "Notification")
		}
		out = toNotification(&r)
		return nil
	})
	return out, err
}

// MarkAllNotificationsRead marks every unread notification of the user read.
func (s *NotificationStore) MarkAllNotificationsRead(ctx context.Context, userID int64, at time.Time) (int, error) {
	res := s.db.conn(ctx).Model(&notificationRow{}).Where("user_id = ? AND read_at IS NULL", userID).Update("read_at", at.UTC())
	if res.Error != nil {
		return 0, TranslateError(res.Error, "Notification")
	}
	return int(res.RowsAffected), nil
}

// FindWebhookEndpoint returns the partner's endpoint, without its secret;
// ENOTFOUND when it has none.
func (s *NotificationStore) FindWebhookEndpoint(ctx context.Context, partnerID int64) (*cordon.WebhookEndpoint, error) {
	var r webhookEndpointRow
	if err := s.db.conn(ctx).Select(endpointColumns).Where("partner_id = ?", partnerID).First(&r).Error; err != nil {
		return nil, TranslateError(err, "Webhook endpoint")
	}
	return toEndpoint(&r), nil
}

func toEndpoint(r *webhookEndpointRow) *cordon.WebhookEndpoint {
	return &cordon.WebhookEndpoint{ID: r.ID, PartnerID: r.PartnerID, URL: r.URL, Active: r.Active, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// newWebhookSecret returns 32 random bytes in hex, prefixed so that a
// leaked one is easy to recognise.
func newWebhookSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "whsec_" + hex.EncodeToString(b[:]), nil
}

// SaveWebhookEndpoint creates the partner's endpoint with a new secret, or
// changes its URL and activity (and, with rotate, its secret). The new
// secret, if any, is in e.Secret; it cannot be read back later.
func (s *NotificationStore) SaveWebhookEndpoint(ctx context.Context, e *cordon.WebhookEndpoint, rotate bool) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		now := s.db.Now()
		var cur webhookEndpointRow
		err := s.db.conn(ctx).Select(endpointColumns).Where("partner_id = ?", e.PartnerID).First(&cur).Error
		if err != nil && cordon.ErrorCode(TranslateError(err, "Webhook endpoint")) != cordon.ENOTFOUND {
			return TranslateError(err, "Webhook endpoint")
		}
		e.Secret = ""
		if err != nil || rotate {
			if e.Secret, err = newWebhookSecret(); err != nil {
				return err
			}
		}
		if cur.ID == 0 {
			row := webhookSecretRow{PartnerID: e.PartnerID, URL: e.URL, Secret: e.Secret, Active: e.Active, CreatedAt: now, UpdatedAt: now}
			if err := s.db.conn(ctx).Create(&row).Error; err != nil {
				return TranslateError(err, "Webhook endpoint")
			}
			e.ID, e.CreatedAt, e.UpdatedAt = row.ID, now, now
			return nil
		}
		set := map[string]any{"url": e.URL, "active": e.Active, "updated_at": now}
		if e.Secret != "" {
			set["secret"] = e.Secret
		}
		if err := s.db.conn(ctx).Model(&webhookEndpointRow{}).Where("id = ?", cur.ID).Updates(set).Error; err != nil {
			return TranslateError(err, "Webhook endpoint")
		}
		e.ID, e.CreatedAt, e.UpdatedAt = cur.ID, cur.CreatedAt, now
		return nil
	})
}

// deliveryQuery selects deliveries with their event's kind and job.
func (s *NotificationStore) deliveryQuery(ctx context.Context) *gorm.DB {
	return s.db.conn(ctx).Table("webhook_deliveries d").Joins("JOIN outbox o ON o.id = d.outbox_id").
		Select("d.*, o.kind, o.job_id")
}

// FindDeliveries returns a page of deliveries, newest first, and the total.
func (s *NotificationStore) FindDeliveries(ctx context.Context, f cordon.DeliveryFilter) ([]*cordon.WebhookDelivery, int, error) {
	q := s.deliveryQuery(ctx)
	if f.State != "" {
		q = q.Where("d.state = ?", f.State)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, TranslateError(err, "Webhook delivery")
	}
	q = q.Order("d.id DESC").Offset(f.Offset)
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []deliveryView
	if err := q.Find(&rows).Error; err != nil {
		return nil, 0, TranslateError(err, "Webhook delivery")
	}
	out := make([]*cordon.WebhookDelivery, len(rows))
	for i := range rows {
		out[i] = toDelivery(&rows[i])
	}
	return out, int(total), nil
}

// RetryDelivery makes a dead delivery pending again with a fresh round of
// attempts, the first due at at. ENOTFOUND when absent; ECONFLICT when it
// is not dead.
func (s *NotificationStore) RetryDelivery(ctx context.Context, id int64, at time.Time) (*cordon.WebhookDelivery, error) {
	var out *cordon.WebhookDelivery
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		res := s.db.conn(ctx).Model(&webhookDeliveryRow{}).Where("id = ? AND state = ?", id, cordon.DeliveryDead).
			Updates(map[string]any{"state": cordon.DeliveryPending, "attempts": 0, "next_attempt_at": at.UTC(), "updated_at": at.UTC()})
		if res.Error != nil {
			return TranslateError(res.Error, "Webhook delivery")
		}
		var r deliveryView
		if err := s.deliveryQuery(ctx).Where("d.id = ?", id).Take(&r).Error; err != nil {
			return TranslateError(err, "Webhook delivery")
		}
		if res.RowsAffected == 0 {
			return cordon.Err(cordon.ECONFLICT, "store.only_dead_delivery_can_retried", r.State)
		}
		out = toDelivery(&r)
		return nil
	})
	return out, err
}

// RelayOutbox claims up to limit unrelayed events in one transaction and
// stores, for each, the notifications and the webhook delivery route
// decides, in that same transaction. The events are read with FOR UPDATE
// SKIP LOCKED on PostgreSQL (relays on several replicas take different
// events) and under SQLite's single writer, then claimed by one
// conditional update (relayed_at IS NULL) that must take them all: an
// event is relayed once. Notifications and deliveries go in a few batched
// inserts per round.
func (s *NotificationStore) RelayOutbox(ctx context.Context, limit int, route func(ctx context.Context, e *cordon.OutboxEvent) (cordon.Fanout, error)) (int, error) {
	relayed := 0
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		q := s.db.eng.skipLocked(s.db.conn(ctx).Where("relayed_at IS NULL").Order("id").Limit(limit))
		var rows []outboxRow
		if err := q.Find(&rows).Error; err != nil {
			return TranslateError(err, "Outbox event")
		}
		if len(rows) == 0 {
			return nil
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		now := s.db.Now()
		res := s.db.conn(ctx).Model(&outboxRow{}).Where("id IN ? AND relayed_at IS NULL", ids).Update("relayed_at", now)
		if res.Error != nil {
			return TranslateError(res.Error, "Outbox event")
		}
		if res.RowsAffected != int64(len(rows)) {
			return fmt.Errorf("store: claimed %d of %d outbox events; another relay got in between", res.RowsAffected, len(rows))
		}
		var notes []notificationRow
		var deliveries []webhookDeliveryRow
		endpoints := map[int64]*webhookEndpointRow{} // by partner; nil: none active
		for i := range rows {
			r := &rows[i]
			fan, err := route(ctx, toOutboxEvent(r))
			if err != nil {
				return err
			}
			notes = append(notes, notificationsOf(r, fan)...)
			if !fan.Webhook || r.PartnerID == nil {
				continue
			}
			ep, ok := endpoints[*r.PartnerID]
			if !ok {
				var row webhookEndpointRow
				err := s.db.conn(ctx).Select(endpointColumns).Where("partner_id = ? AND active", *r.PartnerID).Limit(1).Find(&row).Error
				if err != nil {
					return TranslateError(err, "Webhook endpoint")
				}
				if row.ID != 0 {
					ep = &row
				}
				endpoints[*r.PartnerID] = ep
			}
			if ep != nil {
				deliveries = append(deliveries, webhookDeliveryRow{OutboxID: r.ID, EndpointID: ep.ID, PartnerID: ep.PartnerID,
					State: cordon.DeliveryPending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now})
			}
		}
		if len(notes) > 0 {
			if err := s.db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&notes, 200).Error; err != nil {
				return TranslateError(err, "Notification")
			}
		}
		if len(deliveries) > 0 {
			if err := s.db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&deliveries, 200).Error; err != nil {
				return TranslateError(err, "Webhook delivery")
			}
		}
		relayed = len(rows)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return relayed, nil
}

// notificationsOf returns the notifications of one event, one per
// recipient.
func notificationsOf(r *outboxRow, fan cordon.Fanout) []notificationRow {
	var p struct {
		Status string `json:"status"`
	}
	json.Unmarshal([]byte(r.Payload), &p) // the store wrote it; a bad one only loses the status
	seen := map[int64]bool{}
	var out []notificationRow
	for _, u := range fan.Recipients {
		if seen[u.UserID] {
			continue
		}
		seen[u.UserID] = true
		out = append(out, notificationRow{UserID: u.UserID, OrgID: u.OrgID, OutboxID: r.ID, Kind: r.Kind,
			JobID: r.JobID, Status: p.Status, CreatedAt: r.CreatedAt})
	}
	return out
}

// FindRecipients returns the enabled users of the organisation (0: the
// institute) that hold any of roles, or whose id is in userIDs.
func (s *NotificationStore) FindRecipients(ctx context.Context, orgID int64, roles []cordon.Role, userIDs []int64) ([]cordon.Recipient, error) {
	if len(roles) == 0 && len(userIDs) == 0 {
		return nil, nil
	}
	q := s.db.conn(ctx).Table("users u").Joins("JOIN orgs o ON o.id = u.org_id").
		Select("DISTINCT u.id AS user_id, u.org_id AS org_id").Where("u.disabled_at IS NULL")
	if orgID == 0 {
		q = q.Where("o.kind = ?", string(cordon.OrgInstitute))
	} else {
		q = q.Where("o.id = ?", orgID)
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	who := s.db.gorm.Where("1 = 0")
	if len(names) > 0 {
		who = who.Or("EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN ?)", names)
	}
	if len(userIDs) > 0 {
		who = who.Or("u.id IN ?", userIDs)
	}
	var out []cordon.Recipient
	if err := q.Where(who).Order("u.id").Scan(&out).Error; err != nil {
		return nil, TranslateError(err, "User")
	}
	return out, nil
}

// dueRow is a pending delivery with its endpoint and event.
type dueRow struct {
	View    deliveryView `gorm:"embedded"`
	URL     string       `gorm:"column:url"`
	Secret  string
	Payload string
	EventAt time.Time
}

// ClaimDeliveries claims up to limit pending deliveries due at now, each
// for one attempt: its attempt count goes up and its next attempt moves a
// lease ahead, so of several deliverers exactly one makes the attempt, and
// a deliverer that dies mid-attempt leaves the delivery to be tried again
// when the lease ends. On PostgreSQL one UPDATE claims the batch, its
// rows picked with FOR UPDATE SKIP LOCKED; on SQLite (one process) each
// row is claimed by a conditional update on its attempt count.
func (s *NotificationStore) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*cordon.DueDelivery, error) {
	now = now.UTC()
	due := s.db.conn(ctx).Table("webhook_deliveries d").
		Joins("JOIN webhook_endpoints e ON e.id = d.endpoint_id").Joins("JOIN outbox o ON o.id = d.outbox_id").
		Select("d.*, e.url, e.secret, o.kind, o.job_id, o.payload, o.created_at AS event_at")
	var rows []dueRow
	if s.db.dialect == Postgres {
		var ids []int64
		err := s.db.conn(ctx).Raw(`UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = ?, updated_at = ?
			FROM (SELECT d2.id FROM webhook_deliveries d2 JOIN webhook_endpoints e ON e.id = d2.endpoint_id
			      WHERE d2.state = ? AND d2.next_attempt_at <= ? AND e.active
			      ORDER BY d2.next_attempt_at, d2.id LIMIT ? FOR UPDATE OF d2 SKIP LOCKED) c
			WHERE d.id = c.id RETURNING d.id`, now.Add(lease), now, cordon.DeliveryPending, now, limit).Scan(&ids).Error
		if err != nil {
			return nil, TranslateError(err, "Webhook delivery")
		}
		if len(ids) == 0 {
			return nil, nil
		}
		if err := due.Where("d.id IN ?", ids).Order("d.id").Scan(&rows).Error; err != nil {
			return nil, TranslateError(err, "Webhook delivery")
		}
	} else {
		var cands []dueRow
		err := due.Where("d.state = ? AND d.next_attempt_at <= ? AND e.active", cordon.DeliveryPending, now).
			Order("d.next_attempt_at, d.id").Limit(limit).Scan(&cands).Error
		if err != nil {
			return nil, TranslateError(err, "Webhook delivery")
		}
		for _, r := range cands {
			v := &r.View
			res := s.db.conn(ctx).Model(&webhookDeliveryRow{}).
				Where("id = ? AND state = ? AND attempts = ? AND next_attempt_at <= ?", v.ID, cordon.DeliveryPending, v.Attempts, now).
				Updates(map[string]any{"attempts": v.Attempts + 1, "next_attempt_at": now.Add(lease), "updated_at": now})
			if res.Error != nil {
				return nil, TranslateError(res.Error, "Webhook delivery")
			}
			if res.RowsAffected == 0 {
				continue // another deliverer has it
			}
			v.Attempts++
			rows = append(rows, r)
		}
	}
	out := make([]*cordon.DueDelivery, len(rows))
	for i := range rows {
		r := &rows[i]
		v := &r.View
		out[i] = &cordon.DueDelivery{Delivery: *toDelivery(v), URL: r.URL, Secret: r.Secret,
			Event: cordon.OutboxEvent{ID: v.OutboxID, Kind: v.Kind, JobID: v.JobID, PartnerID: &v.PartnerID, Payload: []byte(r.Payload), CreatedAt: r.EventAt}}
	}
	return out, nil
}

// FinishDelivery records the outcome of the attempt d was claimed for;
// ECONFLICT when the delivery moved on meanwhile (a retry by the
// institute, or another deliverer after the lease ran out).
func (s *NotificationStore) FinishDelivery(ctx context.Context, d *cordon.DueDelivery, o cordon.DeliveryOutcome) error {
	set := map[string]any{"last_status": o.Status, "last_error": o.Error, "updated_at": o.At.UTC()}
	switch {
	case o.Delivered:
		set["state"] = cordon.DeliveryDelivered
	case o.Dead:
		set["state"] = cordon.DeliveryDead
	default:
		set["next_attempt_at"] = o.NextAttemptAt.UTC()
	}
	res := s.db.conn(ctx).Model(&webhookDeliveryRow{}).
		Where("id = ? AND state = ? AND attempts = ?", d.Delivery.ID, cordon.DeliveryPending, d.Delivery.Attempts).Updates(set)
	if res.Error != nil {
		return TranslateError(res.Error, "Webhook delivery")
	}
	if res.RowsAffected == 0 {
		return cordon.Err(cordon.ECONFLICT, "store.delivery_changed_meanwhile")
	}
	return nil
}
