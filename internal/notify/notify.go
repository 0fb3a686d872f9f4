// Package notify tells people and partners' systems what happened to jobs.
// The store writes one outbox event in the transaction of each job event;
// the [Relay] turns each event, once, into in-app notifications for the
// users concerned and a webhook delivery for the holding partner's
// endpoint, and delivers those as HMAC-signed HTTP POSTs, retrying with
// backoff until the endpoint takes them or the delivery is dead.
//
// Several replicas may run the relay at once: the store claims events and
// attempts with conditional updates, so each event is relayed once and
// each attempt is made once (docs/notifications.md).
package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// DefaultBackoff is the wait after each failed attempt, the last one
// repeating: 30 s, 2 min, 10 min, 1 h, then 2, 4 and 8 hours.
var DefaultBackoff = []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour}

// DefaultMaxAttempts is how many attempts a delivery gets before it is dead.
const DefaultMaxAttempts = 8

// Timeout is how long one attempt may take, connection included.
const Timeout = 5 * time.Second

// Config holds what the relay needs.
type Config struct {
	Outbox cordon.Outbox
	// Client posts the webhooks; nil means [NewClient] with Networks.
	Client *http.Client
	// Networks are the private or loopback networks webhooks may reach
	// (partners' systems inside a closed network); public addresses need
	// no listing.
	Networks []*net.IPNet
	// Now is the clock; nil means time.Now.
	Now cordon.Clock
	// Backoff and MaxAttempts shape the retries; zero values mean
	// DefaultBackoff and DefaultMaxAttempts.
	Backoff     []time.Duration
	MaxAttempts int
	// Batch is how many events and deliveries one round takes; 0 means 100.
	Batch int
	// Workers is how many deliveries are posted at once; 0 means 4.
	Workers int
	Log     *slog.Logger
}

// Relay relays the outbox and delivers webhooks.
type Relay struct{ cfg Config }

// New returns a relay.
func New(cfg Config) *Relay {
	if cfg.Client == nil {
		cfg.Client = NewClient(cfg.Networks...)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if len(cfg.Backoff) == 0 {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 100
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Relay{cfg: cfg}
}

// Result counts what one round did.
type Result struct {
	Relayed   int // outbox events turned into notifications and deliveries
	Delivered int // webhook attempts the endpoint took
	Failed    int // attempts that failed and will be retried
	Dead      int // deliveries that used their last attempt
}

// RunOnce relays every waiting event, batch by batch, then makes one
// attempt of every delivery due now.
func (r *Relay) RunOnce(ctx context.Context) (Result, error) {
	var res Result
	for {
		// Within one batch the same people are looked up again and
		// again: ask the store once per question.
		cache := map[string][]cordon.Recipient{}
		route := func(ctx context.Context, e *cordon.OutboxEvent) (cordon.Fanout, error) { return r.route(ctx, e, cache) }
		n, err := r.cfg.Outbox.RelayOutbox(ctx, r.cfg.Batch, route)
		res.Relayed += n
		if err != nil {
			return res, err
		}
		if n < r.cfg.Batch {
			break
		}
	}
	d, err := r.DeliverOnce(ctx)
	res.Delivered, res.Failed, res.Dead = d.Delivered, d.Failed, d.Dead
	return res, err
}

// Run relays and delivers every period until ctx ends.
func (r *Relay) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		res, err := r.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			r.cfg.Log.Error("notify", "err", err.Error())
		}
		if res != (Result{}) {
			r.cfg.Log.Info("notify", "relayed", res.Relayed, "delivered", res.Delivered, "failed", res.Failed, "dead", res.Dead)
		}
	}
}

// DeliverOnce claims the deliveries due now, one batch, and makes one
// attempt of each, a few at a time.
func (r *Relay) DeliverOnce(ctx context.Context) (Result, error) {
	var res Result
	now := r.cfg.Now()
	// The lease outlives an attempt: nobody else tries a delivery while
	// this replica is posting it.
	due, err := r.cfg.Outbox.ClaimDeliveries(ctx, now, 2*Timeout+time.Minute, r.cfg.Batch)
	if err != nil {
		return res, err
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	work := make(chan *cordon.DueDelivery)
	var firstErr error
	for i := 0; i < min(r.cfg.Workers, len(due)); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				o := r.attempt(ctx, d)
				// The outcome is recorded even when the relay is stopping
				// (SIGTERM mid-post): otherwise the attempt would be made
				// again once its lease ran out.
				fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				err := r.cfg.Outbox.FinishDelivery(fctx, d, o)
				cancel()
				mu.Lock()
				switch {
				case err != nil && cordon.ErrorCode(err) != cordon.ECONFLICT:
					if firstErr == nil {
						firstErr = err
					}
				case err != nil:
				case o.Delivered:
					res.Delivered++
				case o.Dead:
					res.Dead++
				default:
					res.Failed++
				}
				mu.Unlock()
			}
		}()
	}
	for _, d := range due {
		work <- d
	}
	close(work)
	wg.Wait()
	return res, firstErr
}

// attempt posts d once and says what comes next.
func (r *Relay) attempt(ctx context.Context, d *cordon.DueDelivery) cordon.DeliveryOutcome {
	status, errText := post(ctx, r.cfg.Client, d, r.cfg.Now())
	o := cordon.DeliveryOutcome{Status: status, Error: errText, At: r.cfg.Now()}
	switch {
	case errText == "":
		o.Delivered = true
	case d.Delivery.Attempts >= r.cfg.MaxAttempts:
		o.Dead = true
	default:
		i := min(d.Delivery.Attempts-1, len(r.cfg.Backoff)-1)
		o.NextAttemptAt = o.At.Add(r.cfg.Backoff[max(i, 0)])
	}
	return o
}

// Backoff returns the wait after failed attempt n (1-based) under the
// default schedule, and whether attempt n was the last.
func Backoff(n int) (time.Duration, bool) {
	if n >= DefaultMaxAttempts {
		return 0, true
	}
	return DefaultBackoff[min(max(n-1, 0), len(DefaultBackoff)-1)], false
}

// payload is the part of an outbox event's payload routing reads.
type payload struct {
	AssigneeID *int64 `json:"assignee_id"`
	AuthorSide string `json:"author_side"` // job.message: who wrote it
	Status     string `json:"status"`      // the job's, when the event was written
}

// route decides who hears of an event: the holding partner's people for
// its jobs (everyone who may accept an offer; afterwards its admins and
// the assignee), the dispatchers when a request needs dispatching again
// (decline, expiry, revocation), the quality supervisors when work awaits
// their verification (resolution, a filed report), for escalations and
// for checklist answers out of limits, and the engineers for in-house
// offers. Whoever caused the event is not told of it. Every job event but
// an escalation also goes to the partner's webhook.
func (r *Relay) route(ctx context.Context, e *cordon.OutboxEvent, cache map[string][]cordon.Recipient) (cordon.Fanout, error) {
	var p payload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return cordon.Fanout{}, err
	}
	var assignee []int64
	if p.AssigneeID != nil {
		assignee = []int64{*p.AssigneeID}
	}
	var institute []cordon.Role
	switch e.Kind {
	case "job." + string(cordon.JobDeclined), "job." + string(cordon.JobExpired), "job." + string(cordon.JobRevoked):
		institute = append(institute, cordon.RoleDispatcher)
	case "job." + string(cordon.JobResolved), cordon.EventReportFiled, cordon.EventSignedOff, cordon.EventEscalated, cordon.EventChecklistFlagged:
		institute = append(institute, cordon.RoleQualitySupervisor)
	}
	// A message goes to the other side: the partner's writes to the
	// dispatchers and quality supervisors; the institute's to the
	// partner's admins and assignee (or the in-house engineer), below.
	fromPartner := e.Kind == cordon.EventJobMessage && p.AuthorSide == cordon.SidePartner
	// The institute's message on a job that has ended for the partner
	// (declined, expired, revoked) is not the partner's to hear of: its
	// thread is gone for it.
	closed := e.Kind == cordon.EventJobMessage && e.PartnerID != nil && !cordon.JobStatus(p.Status).PartnerRecordsOpen()
	if fromPartner {
		institute = append(institute, cordon.RoleDispatcher, cordon.RoleQualitySupervisor)
	}
	var out []cordon.Recipient
	add := func(orgID int64, roles []cordon.Role, users []int64) error {
		key := fmt.Sprint(orgID, roles, users)
		list, ok := cache[key]
		if !ok {
			var err error
			if list, err = r.cfg.Outbox.FindRecipients(ctx, orgID, roles, users); err != nil {
				return err
			}
			cache[key] = list
		}
		out = append(out, list...)
		return nil
	}
	switch {
	case e.Kind == cordon.EventEscalated || e.Kind == cordon.EventReportFiled || e.Kind == cordon.EventSignedOff ||
		e.Kind == cordon.EventChecklistFlagged || fromPartner:
		// For the institute; the partner learns of its report (and its
		// own message) by webhook.
	case closed:
	case e.PartnerID != nil && e.Kind == "job."+string(cordon.JobOffered):
		if err := add(*e.PartnerID, []cordon.Role{cordon.RolePartnerAdmin, cordon.RolePartnerTechnician}, nil); err != nil {
			return cordon.Fanout{}, err
		}
	case e.PartnerID != nil:
		if err := add(*e.PartnerID, []cordon.Role{cordon.RolePartnerAdmin}, assignee); err != nil {
			return cordon.Fanout{}, err
		}
	case e.Kind == "job."+string(cordon.JobOffered):
		institute = append(institute, cordon.RoleEngineer)
	default:
		if err := add(0, nil, assignee); err != nil { // the engineer on an in-house job
			return cordon.Fanout{}, err
		}
	}
	if err := add(0, institute, nil); err != nil {
		return cordon.Fanout{}, err
	}
	if e.ActorID != nil {
		out = slices.DeleteFunc(slices.Clone(out), func(x cordon.Recipient) bool { return x.UserID == *e.ActorID })
	}
	return cordon.Fanout{Recipients: out, Webhook: e.PartnerID != nil && e.Kind != cordon.EventEscalated && !closed}, nil
}
