package main

// Notifications: the outbox written with each job event, in-app
// notifications for the right people only, signed webhooks delivered to a
// loopback server, retries on the injected clock until dead, the dead
// letters for the institute, two relays delivering each thing once, and
// the 404s between partners.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/notify"
	"github.com/cordon/cordon/internal/store"
)

// hook is a loopback webhook receiver that records what it gets and
// answers with the status it is told.
type hook struct {
	srv    *httptest.Server
	status atomic.Int32
	mu     sync.Mutex
	got    []hookCall
}

type hookCall struct {
	header http.Header
	body   []byte
}

func newHook(t *testing.T) *hook {
	h := &hook{}
	h.status.Store(200)
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.got = append(h.got, hookCall{header: r.Header.Clone(), body: b})
		h.mu.Unlock()
		w.WriteHeader(int(h.status.Load()))
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (k *hook) calls() []hookCall {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.got)
}

// relay returns a relay on the harness's clock that posts through client.
func (h *harness) relay(client *http.Client) *notify.Relay {
	return notify.New(notify.Config{Outbox: store.NewNotificationStore(h.db), Client: client, Now: h.clock.Now, Workers: 2})
}

// offerTo takes in a request for a radar unit in Hefei and dispatches it
// to partner, returning the job.
func (h *harness) offerTo(disp string, partner int64) int64 {
	h.t.Helper()
	req := h.intake(disp, h.unitIn("Hefei", "radar"), "fault", "P2")
	r := h.do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"partner_id": partner})
	if r.Status != 201 {
		h.t.Fatalf("dispatch: %d %s", r.Status, r.Body)
	}
	return int64(r.JSON(h.t)["id"].(float64))
}

// notes returns the user's notifications as kind → job ids, and the unread count.
func (h *harness) notes(token string) (map[string][]int64, []map[string]any, int) {
	h.t.Helper()
	r := h.do("GET", "/api/v1/notifications?limit=200", token, nil)
	if r.Status != 200 {
		h.t.Fatalf("notifications: %d %s", r.Status, r.Body)
	}
	m := r.JSON(h.t)
	out := map[string][]int64{}
	var items []map[string]any
	for _, it := range m["items"].([]any) {
		n := it.(map[string]any)
		items = append(items, n)
		if id, ok := n["job_id"].(float64); ok {
			out[n["kind"].(string)] = append(out[n["kind"].(string)], int64(id))
		}
	}
	return out, items, int(m["unread"].(float64))
}

// drain relays the waiting outbox events without notifying anyone and
// returns them: what the outbox holds.
func drain(t *testing.T, db *store.DB) []*cordon.OutboxEvent {
	t.Helper()
	var got []*cordon.OutboxEvent
	_, err := store.NewNotificationStore(db).RelayOutbox(context.Background(), 1000, func(_ context.Context, e *cordon.OutboxEvent) (cordon.Fanout, error) {
		got = append(got, e)
		return cordon.Fanout{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func kinds(events []*cordon.OutboxEvent) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.Kind)
	}
	return out
}

// TestNotifyOutbox: an outbox event exists exactly when its job event
// committed, also when a partner's scoped transaction makes it; its
// payload names no customer.
func TestNotifyOutbox(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		disp, _ := h.login("dispatcher")
		admin, _ := h.login("contracts")
		hefei := h.partnerIDs(admin)["hefei"]
		if got := drain(t, h.db); len(got) != 0 {
			t.Fatalf("the demo world left %d outbox events: %v", len(got), kinds(got))
		}
		job := h.offerTo(disp, hefei)
		tech, _ := h.login("hefei.tech")
		if r := h.do("POST", fmt.Sprintf("/api/v1/jobs/%d/accept", job), tech, nil); r.Status != 200 {
			t.Fatalf("accept: %d %s", r.Status, r.Body)
		}
		got := drain(t, h.db)
		if want := []string{"job.offered", "job.accepted"}; !slices.Equal(kinds(got), want) {
			t.Fatalf("outbox = %v, want %v", kinds(got), want)
		}
		for _, e := range got {
			if e.JobID == nil || *e.JobID != job || e.PartnerID == nil || *e.PartnerID != hefei {
				t.Errorf("%s: job %v partner %v, want %d and %d", e.Kind, e.JobID, e.PartnerID, job, hefei)
			}
			var p map[string]any
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				t.Fatal(err)
			}
			for k := range p {
				if !slices.Contains([]string{"job_id", "request_id", "partner_id", "status", "assignee_id", "at", "from", "to"}, k) {
					t.Errorf("%s: payload field %q is not on the list", e.Kind, k)
				}
			}
		}

		// A move whose transaction rolls back leaves no event; a move
		// that loses the race leaves none either.
		jobs := store.NewJobStore(h.db)
		move := func(ctx context.Context, from cordon.JobStatus) error {
			j, err := jobs.FindJobByID(ctx, job)
			if err != nil {
				return err
			}
			j.Status, j.UpdatedAt = cordon.JobEnRoute, h.clock.Now()
			return jobs.MoveJob(ctx, j, from, &cordon.JobEvent{At: h.clock.Now(), From: from, To: cordon.JobEnRoute})
		}
		boom := errors.New("boom")
		if err := h.db.WithTx(ctx, func(ctx context.Context) error {
			if err := move(ctx, cordon.JobAccepted); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Fatalf("rolled-back move: %v", err)
		}
		if err := move(ctx, cordon.JobOnSite); cordon.ErrorCode(err) != cordon.ECONFLICT {
			t.Fatalf("move from the wrong status: %v, want ECONFLICT", err)
		}
		if got := drain(t, h.db); len(got) != 0 {
			t.Errorf("uncommitted moves left outbox events: %v", kinds(got))
		}
		if err := move(ctx, cordon.JobAccepted); err != nil {
			t.Fatal(err)
		}
		if got := drain(t, h.db); !slices.Equal(kinds(got), []string{"job.en_route"}) {
			t.Errorf("after a committed move the outbox holds %v, want [job.en_route]", kinds(got))
		}
		if got := drain(t, h.db); len(got) != 0 {
			t.Errorf("events relayed twice: %v", kinds(got))
		}
	})
}

// TestNotifyRecipients: an offer reaches the holding partner's people and
// nobody else's; a decline reaches the dispatchers and the partner's
// admin, not the one who declined; a notification is its owner's alone.
func TestNotifyRecipients(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		disp, _ := h.login("dispatcher")
		admin, _ := h.login("contracts")
		hefei := h.partnerIDs(admin)["hefei"]
		tokens := h.h.LoginAll()
		relay := h.relay(http.DefaultClient)
		job := h.offerTo(disp, hefei)
		if _, err := relay.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		for _, u := range apptest.DemoUsers {
			got, _, _ := h.notes(tokens[u])
			want := u == "hefei.tech" || u == "hefei.admin"
			if has := slices.Contains(got["job.offered"], job); has != want {
				t.Errorf("%s told of the offer: %v, want %v (%v)", u, has, want, got)
			}
		}
		r := h.do("POST", fmt.Sprintf("/api/v1/jobs/%d/decline", job), tokens["hefei.tech"], map[string]any{"reason": "No engineer free this week."})
		if r.Status != 200 {
			t.Fatalf("decline: %d %s", r.Status, r.Body)
		}
		if _, err := relay.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		for _, u := range apptest.DemoUsers {
			got, _, _ := h.notes(tokens[u])
			want := u == "dispatcher" || u == "hefei.admin"
			if has := slices.Contains(got["job.declined"], job); has != want {
				t.Errorf("%s told of the decline: %v, want %v (%v)", u, has, want, got)
			}
		}

		// Reading: one's own only; another's is 404, even in one's own company.
		_, items, unread := h.notes(tokens["hefei.tech"])
		if unread != 1 || len(items) != 1 {
			t.Fatalf("hefei.tech: %d unread of %d, want 1 of 1", unread, len(items))
		}
		id := int64(items[0]["id"].(float64))
		for _, u := range []string{"hefei.admin", "wuhan.admin", "xian.tech", "dispatcher"} {
			if r := h.do("POST", fmt.Sprintf("/api/v1/notifications/%d/read", id), tokens[u], nil); r.Status != 404 {
				t.Errorf("%s reads hefei.tech's notification: %d, want 404", u, r.Status)
			}
		}
		r = h.do("POST", fmt.Sprintf("/api/v1/notifications/%d/read", id), tokens["hefei.tech"], nil)
		if r.Status != 200 || r.JSON(t)["read_at"] == nil {
			t.Fatalf("read: %d %s", r.Status, r.Body)
		}
		if _, _, unread := h.notes(tokens["hefei.tech"]); unread != 0 {
			t.Errorf("unread after reading: %d", unread)
		}
		if r := h.do("GET", "/api/v1/notifications?unread=maybe", tokens["hefei.tech"], nil); r.Status != 400 {
			t.Errorf("unread=maybe: %d, want 400", r.Status)
		}

		// The page: the count in the navigation, the list, marking all read.
		b := h.browser()
		b.login("hefei.admin")
		body := b.page("/notifications", fmt.Sprintf("#%d", job), `data-unread="2"`)
		if !strings.Contains(body, `action="/notifications/read"`) {
			t.Errorf("no mark-all form on the page")
		}
		if r := b.post("/notifications/read", nil); r.Status != 303 {
			t.Fatalf("mark all read: %d %s", r.Status, r.Body)
		}
		if body := b.page("/notifications"); strings.Contains(body, "data-unread=") {
			t.Errorf("the navigation still counts unread notifications")
		}
		if _, _, unread := h.notes(tokens["hefei.admin"]); unread != 0 {
			t.Errorf("hefei.admin unread after marking all: %d", unread)
		}

		// Under row-level security a partner's transaction sees no other
		// company's notifications, whatever the query asks.
		if h.db.Dialect() == store.Postgres {
			wuhan := h.partnerIDs(admin)["wuhan"]
			techUser, err := store.NewUserStore(h.db).FindUserByUsername(ctx, "hefei.tech")
			if err != nil {
				t.Fatal(err)
			}
			count := func(a *cordon.Actor) int {
				var total int
				err := h.db.InScope(ctx, a, func(ctx context.Context) error {
					var err error
					_, total, _, err = store.NewNotificationStore(h.db).FindNotifications(ctx, techUser.ID, cordon.NotificationFilter{})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				return total
			}
			partner := &cordon.Actor{UserID: 1, OrgID: wuhan, OrgKind: cordon.OrgPartner, PartnerID: wuhan, Roles: []cordon.Role{cordon.RolePartnerAdmin}}
			if n := count(partner); n != 0 {
				t.Errorf("LEAK: wuhan's transaction reads %d of hefei.tech's notifications", n)
			}
			own := &cordon.Actor{UserID: techUser.ID, OrgID: hefei, OrgKind: cordon.OrgPartner, PartnerID: hefei, Roles: techUser.Roles}
			if n := count(own); n != 1 {
				t.Errorf("hefei's own transaction reads %d of hefei.tech's notifications, want 1", n)
			}
		}
	})
}

// verify checks a delivery's signature the way a partner would, from the
// documented scheme rather than the package's own Sign.
func verify(secret string, c hookCall) error {
	ts := c.header.Get("X-Cordon-Timestamp")
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "." + string(c.body)))
	want := "sha256=" + hex.EncodeToString(m.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(c.header.Get("X-Cordon-Signature"))) {
		return fmt.Errorf("signature %q, want %q", c.header.Get("X-Cordon-Signature"), want)
	}
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
		return fmt.Errorf("timestamp %q: %v", ts, err)
	}
	return nil
}

// setHook configures hefei's endpoint to url and returns the secret.
func (h *harness) setHook(token string, partner int64, u string) string {
	h.t.Helper()
	r := h.do("PUT", fmt.Sprintf("/api/v1/partners/%d/webhook", partner), token, map[string]any{"url": u})
	if r.Status != 201 && r.Status != 200 {
		h.t.Fatalf("set webhook: %d %s", r.Status, r.Body)
	}
	s, _ := r.JSON(h.t)["secret"].(string)
	return s
}

// TestNotifyWebhook: a signed delivery reaches the loopback endpoint; a
// failing endpoint is retried on the backoff schedule of the injected
// clock, then dead, listed for the institute, and retried on its word.
func TestNotifyWebhook(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		disp, _ := h.login("dispatcher")
		contracts, _ := h.login("contracts")
		hefei := h.partnerIDs(contracts)["hefei"]
		padmin, _ := h.login("hefei.admin")
		sysadmin, _ := h.login("admin")
		k := newHook(t)
		relay := h.relay(k.srv.Client())

		secret := h.setHook(padmin, hefei, k.srv.URL+"/cordon")
		if !strings.HasPrefix(secret, "whsec_") || len(secret) < 40 {
			t.Fatalf("secret %q", secret)
		}
		for _, tok := range []string{padmin, sysadmin} {
			r := h.do("GET", fmt.Sprintf("/api/v1/partners/%d/webhook", hefei), tok, nil)
			if m := r.JSON(t); r.Status != 200 || m["secret"] != nil || m["url"] != k.srv.URL+"/cordon" || m["configured"] != true {
				t.Errorf("GET webhook: %d %s", r.Status, r.Body)
			}
		}
		if again := h.setHook(padmin, hefei, k.srv.URL+"/cordon"); again != "" {
			t.Errorf("changing the endpoint showed the secret again")
		}

		job := h.offerTo(disp, hefei)
		res, err := relay.RunOnce(ctx)
		if err != nil || res.Relayed != 1 || res.Delivered != 1 {
			t.Fatalf("relay: %+v %v", res, err)
		}
		calls := k.calls()
		if len(calls) != 1 {
			t.Fatalf("%d deliveries, want 1", len(calls))
		}
		if err := verify(secret, calls[0]); err != nil {
			t.Errorf("signature: %v", err)
		}
		if err := verify("whsec_wrong", calls[0]); err == nil {
			t.Errorf("a wrong secret verifies")
		}
		if err := notify.Verify(secret, calls[0].header.Get(notify.HeaderTimestamp), calls[0].header.Get(notify.HeaderSignature), calls[0].body, h.clock.Now(), 5*time.Minute); err != nil {
			t.Errorf("notify.Verify: %v", err)
		}
		var body struct {
			ID   int64          `json:"id"`
			Type string         `json:"type"`
			Data map[string]any `json:"data"`
		}
		if err := json.Unmarshal(calls[0].body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Type != "job.offered" || int64(body.Data["job_id"].(float64)) != job || calls[0].header.Get("X-Cordon-Event") != "job.offered" {
			t.Errorf("delivery = %s", calls[0].body)
		}
		if ts := calls[0].header.Get("X-Cordon-Timestamp"); ts != strconv.FormatInt(h.clock.Now().Unix(), 10) {
			t.Errorf("timestamp %s, want the injected clock's %d", ts, h.clock.Now().Unix())
		}

		// The endpoint fails: 8 attempts on the backoff schedule, then dead.
		k.status.Store(503)
		job2 := h.offerTo(disp, hefei)
		waits := []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour}
		for attempt := 1; attempt <= 8; attempt++ {
			if _, err := relay.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			if n := len(k.calls()); n != 1+attempt {
				t.Fatalf("after attempt %d: %d calls, want %d", attempt, n, 1+attempt)
			}
			if attempt == 8 {
				break
			}
			// Not a moment early.
			h.clock.Add(waits[attempt-1] - time.Second)
			relay.RunOnce(ctx)
			if n := len(k.calls()); n != 1+attempt {
				t.Fatalf("attempt %d came before its backoff of %v", attempt+1, waits[attempt-1])
			}
			h.clock.Add(time.Second)
		}
		sysadmin, _ = h.login("admin") // the clock moved past the tokens' lifetime
		padmin, _ = h.login("hefei.admin")
		disp, _ = h.login("dispatcher")
		dead := h.do("GET", "/api/v1/webhooks/deliveries?state=dead", sysadmin, nil)
		if dead.Status != 200 {
			t.Fatalf("dead letters: %d %s", dead.Status, dead.Body)
		}
		items := dead.JSON(t)["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("dead letters = %s", dead.Body)
		}
		d := items[0].(map[string]any)
		if int64(d["job_id"].(float64)) != job2 || d["attempts"].(float64) != 8 || d["last_status"].(float64) != 503 || d["last_error"] == "" {
			t.Errorf("dead letter = %v", d)
		}
		h.clock.Add(10 * time.Minute)
		relay.RunOnce(ctx)
		if n := len(k.calls()); n != 9 {
			t.Errorf("a dead delivery was tried again: %d calls", n)
		}
		for _, u := range []string{"hefei.admin", "dispatcher", "quality"} {
			tok, _ := h.login(u)
			if r := h.do("GET", "/api/v1/webhooks/deliveries?state=dead", tok, nil); r.Status != 403 {
				t.Errorf("%s lists deliveries: %d, want 403", u, r.Status)
			}
		}

		// The institute retries it; the endpoint is back.
		k.status.Store(204)
		id := int64(d["id"].(float64))
		if r := h.do("POST", fmt.Sprintf("/api/v1/webhooks/deliveries/%d/retry", id), sysadmin, nil); r.Status != 200 || r.JSON(t)["state"] != "pending" {
			t.Fatalf("retry: %d %s", r.Status, r.Body)
		}
		if r := h.do("POST", fmt.Sprintf("/api/v1/webhooks/deliveries/%d/retry", id), sysadmin, nil); r.Status != 409 {
			t.Errorf("retrying a pending delivery: %d, want 409", r.Status)
		}
		if res, err := relay.RunOnce(ctx); err != nil || res.Delivered != 1 {
			t.Fatalf("after retry: %+v %v", res, err)
		}
		if r := h.do("GET", "/api/v1/webhooks/deliveries?state=delivered", sysadmin, nil); r.Status != 200 || r.JSON(t)["total"].(float64) != 2 {
			t.Errorf("delivered: %d %s", r.Status, r.Body)
		}
		if r := h.do("GET", "/api/v1/webhooks/deliveries?state=lost", sysadmin, nil); r.Status != 400 {
			t.Errorf("state=lost: %d, want 400", r.Status)
		}

		// Rotating gives a new secret, which signs from then on.
		r := h.do("PUT", fmt.Sprintf("/api/v1/partners/%d/webhook", hefei), padmin, map[string]any{"url": k.srv.URL + "/cordon", "rotate_secret": true})
		rotated, _ := r.JSON(t)["secret"].(string)
		if r.Status != 200 || rotated == "" || rotated == secret {
			t.Fatalf("rotate: %d %s", r.Status, r.Body)
		}
		h.offerTo(disp, hefei)
		relay.RunOnce(ctx)
		calls = k.calls()
		if err := verify(rotated, calls[len(calls)-1]); err != nil {
			t.Errorf("after rotation: %v", err)
		}
	})
}

// TestNotifyTwoRelays: two relays running at once relay each event once
// and post each delivery once.
func TestNotifyTwoRelays(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		disp, _ := h.login("dispatcher")
		contracts, _ := h.login("contracts")
		hefei := h.partnerIDs(contracts)["hefei"]
		padmin, _ := h.login("hefei.admin")
		k := newHook(t)
		h.setHook(padmin, hefei, k.srv.URL)
		const n = 6
		for i := 0; i < n; i++ {
			h.offerTo(disp, hefei)
		}
		a, b := h.relay(k.srv.Client()), h.relay(k.srv.Client())
		var relayed, delivered atomic.Int64
		var wg sync.WaitGroup
		for _, r := range []*notify.Relay{a, b, a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := r.RunOnce(ctx)
				if err != nil {
					t.Errorf("relay: %v", err)
				}
				relayed.Add(int64(res.Relayed))
				delivered.Add(int64(res.Delivered))
			}()
		}
		wg.Wait()
		seen := map[string]int{}
		for _, c := range k.calls() {
			seen[c.header.Get("X-Cordon-Delivery")]++
		}
		if relayed.Load() != n || delivered.Load() != n || len(seen) != n {
			t.Errorf("relayed %d, delivered %d, %d distinct deliveries; want %d of each", relayed.Load(), delivered.Load(), len(seen), n)
		}
		for id, c := range seen {
			if c != 1 {
				t.Errorf("delivery %s posted %d times", id, c)
			}
		}
		tech, _ := h.login("hefei.tech")
		if got, _, _ := h.notes(tech); len(got["job.offered"]) != n {
			t.Errorf("hefei.tech has %d offer notifications, want %d", len(got["job.offered"]), n)
		}
	})
}

// TestNotifyWebhookIsolation: a partner's endpoint is its admin's and the
// institute admin's to see; anyone else gets 404 (another partner) or 403
// (a role without the right). URLs are checked.
func TestNotifyWebhookIsolation(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		contracts, _ := h.login("contracts")
		ids := h.partnerIDs(contracts)
		hefei, wuhan := ids["hefei"], ids["wuhan"]
		padmin, _ := h.login("hefei.admin")
		h.setHook(padmin, hefei, "https://hooks.hefei.example/cordon")
		for _, c := range []struct {
			user, method string
			partner      int64
			want         int
		}{
			{"wuhan.admin", "GET", hefei, 404},
			{"wuhan.admin", "PUT", hefei, 404},
			{"hefei.admin", "GET", wuhan, 404},
			{"hefei.admin", "PUT", wuhan, 404},
			{"hefei.admin", "GET", 1 << 40, 404},
			{"hefei.tech", "GET", hefei, 403},
			{"hefei.tech", "PUT", hefei, 403},
			{"dispatcher", "GET", hefei, 403},
			{"admin", "PUT", hefei, 403},
			{"admin", "GET", wuhan, 200},
			{"hefei.admin", "GET", hefei, 200},
		} {
			tok, _ := h.login(c.user)
			var body any
			if c.method == "PUT" {
				body = map[string]any{"url": "https://evil.example/steal"}
			}
			if r := h.do(c.method, fmt.Sprintf("/api/v1/partners/%d/webhook", c.partner), tok, body); r.Status != c.want {
				t.Errorf("%s %s partner %d's webhook: %d, want %d", c.user, c.method, c.partner, r.Status, c.want)
			}
		}
		r := h.do("GET", fmt.Sprintf("/api/v1/partners/%d/webhook", hefei), padmin, nil)
		if r.JSON(t)["url"] != "https://hooks.hefei.example/cordon" {
			t.Errorf("hefei's endpoint changed: %s", r.Body)
		}
		for _, u := range []string{"ftp://hooks.example/x", "javascript:alert(1)", "https://user:pw@hooks.example/", "https://hooks.example/#frag",
			"http:///nohost", "hooks.example/cordon", "", "https://hooks.example/a b", "https://" + strings.Repeat("a", 2001)} {
			r := h.do("PUT", fmt.Sprintf("/api/v1/partners/%d/webhook", hefei), padmin, map[string]any{"url": u})
			if r.Status != 400 || r.JSON(t)["field"] != "url" {
				t.Errorf("url %q: %d %s, want 400 naming url", u, r.Status, r.Body)
			}
		}
	})
}

// TestNotifyEscalation: an SLA breach escalated by the sweeper reaches the
// quality supervisors, once, and no partner's webhook.
func TestNotifyEscalation(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		h.sweep() // the demo world's backlog
		drain(t, h.db)
		disp, _ := h.login("dispatcher")
		contracts, _ := h.login("contracts")
		hefei := h.partnerIDs(contracts)["hefei"]
		padmin, _ := h.login("hefei.admin")
		k := newHook(t)
		h.setHook(padmin, hefei, k.srv.URL)
		req := h.intake(disp, h.unitIn("Hefei", "radar"), "fault", "P1")
		r := h.do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"partner_id": hefei})
		if r.Status != 201 {
			t.Fatalf("dispatch: %d %s", r.Status, r.Body)
		}
		late := int64(r.JSON(t)["id"].(float64))
		relay := h.relay(k.srv.Client())
		relay.RunOnce(ctx)
		h.clock.Add(31 * time.Minute) // the accept clock (30m) has run out
		h.sweep()
		h.sweep()
		if _, err := relay.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		for _, u := range apptest.DemoUsers {
			tok, _ := h.login(u)
			got, _, _ := h.notes(tok)
			want := 0
			if u == "quality" {
				want = 1
			}
			if n := len(slices.DeleteFunc(slices.Clone(got["sla.escalated"]), func(id int64) bool { return id != late })); n != want {
				t.Errorf("%s has %d escalations of job %d, want %d (%v)", u, n, late, want, got)
			}
		}
		for _, c := range k.calls() {
			if c.header.Get("X-Cordon-Event") == "sla.escalated" {
				t.Errorf("an escalation went to the partner's webhook")
			}
		}
	})
}
