package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
)

func TestSignAndVerify(t *testing.T) {
	body := []byte(`{"id":1,"type":"job.offered"}`)
	m := hmac.New(sha256.New, []byte("whsec_x"))
	m.Write([]byte("1700000000." + string(body)))
	want := "sha256=" + hex.EncodeToString(m.Sum(nil))
	if got := Sign("whsec_x", 1700000000, body); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	now := time.Unix(1700000000, 0)
	tests := []struct {
		name, secret, ts, sig string
		body                  []byte
		now                   time.Time
		ok                    bool
	}{
		{"good", "whsec_x", "1700000000", want, body, now, true},
		{"within tolerance", "whsec_x", "1700000000", want, body, now.Add(4 * time.Minute), true},
		{"replayed late", "whsec_x", "1700000000", want, body, now.Add(6 * time.Minute), false},
		{"from the future", "whsec_x", "1700000000", want, body, now.Add(-6 * time.Minute), false},
		{"wrong secret", "whsec_y", "1700000000", want, body, now, false},
		{"changed body", "whsec_x", "1700000000", want, append(slices.Clone(body), ' '), now, false},
		{"changed timestamp", "whsec_x", "1700000001", want, body, now, false},
		{"bad timestamp", "whsec_x", "soon", want, body, now, false},
		{"no prefix", "whsec_x", "1700000000", want[len("sha256="):], body, now, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.secret, tc.ts, tc.sig, tc.body, tc.now, 5*time.Minute)
			if (err == nil) != tc.ok {
				t.Errorf("Verify: %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// fakeOutbox answers FindRecipients from a table of users and records
// finished attempts.
type fakeOutbox struct {
	users    []fakeUser
	finished []cordon.DeliveryOutcome
	due      []*cordon.DueDelivery
}

type fakeUser struct {
	id, org int64 // org 0: the institute
	role    cordon.Role
}

func (f *fakeOutbox) RelayOutbox(context.Context, int, func(context.Context, *cordon.OutboxEvent) (cordon.Fanout, error)) (int, error) {
	return 0, nil
}

func (f *fakeOutbox) FindRecipients(_ context.Context, org int64, roles []cordon.Role, ids []int64) ([]cordon.Recipient, error) {
	var out []cordon.Recipient
	for _, u := range f.users {
		if u.org == org && (slices.Contains(roles, u.role) || slices.Contains(ids, u.id)) {
			out = append(out, cordon.Recipient{UserID: u.id, OrgID: u.org})
		}
	}
	return out, nil
}

func (f *fakeOutbox) ClaimDeliveries(context.Context, time.Time, time.Duration, int) ([]*cordon.DueDelivery, error) {
	d := f.due
	f.due = nil
	return d, nil
}

func (f *fakeOutbox) FinishDelivery(_ context.Context, _ *cordon.DueDelivery, o cordon.DeliveryOutcome) error {
	f.finished = append(f.finished, o)
	return nil
}

func TestRoute(t *testing.T) {
	const hefei = 3
	f := &fakeOutbox{users: []fakeUser{
		{1, 0, cordon.RoleDispatcher}, {2, 0, cordon.RoleQualitySupervisor}, {3, 0, cordon.RoleEngineer}, {4, 0, cordon.RoleAdmin},
		{10, hefei, cordon.RolePartnerAdmin}, {11, hefei, cordon.RolePartnerTechnician}, {12, hefei, cordon.RolePartnerTechnician},
		{20, 9, cordon.RolePartnerAdmin}, {21, 9, cordon.RolePartnerTechnician},
	}}
	r := New(Config{Outbox: f})
	p := int64(hefei)
	actor := func(id int64) *int64 { return &id }
	tests := []struct {
		kind    string
		partner *int64
		actor   *int64
		payload string
		want    []int64
		webhook bool
	}{
		{"job.offered", &p, actor(1), `{}`, []int64{10, 11, 12}, true},
		{"job.accepted", &p, actor(11), `{"assignee_id":11}`, []int64{10}, true},
		{"job.declined", &p, actor(11), `{}`, []int64{10, 1}, true},
		{"job.expired", &p, nil, `{}`, []int64{10, 1}, true},
		{"job.revoked", &p, nil, `{"assignee_id":12}`, []int64{10, 12, 1}, true},
		{"job.assigned", &p, actor(10), `{"assignee_id":12}`, []int64{12}, true},
		{"job.resolved", &p, actor(12), `{"assignee_id":12}`, []int64{10, 2}, true},
		{"job.verified", &p, actor(2), `{"assignee_id":12}`, []int64{10, 12}, true},
		{"report.filed", &p, actor(12), `{"assignee_id":12}`, []int64{2}, true},
		{"sla.escalated", &p, nil, `{"assignee_id":12}`, []int64{2}, false},
		{"checklist.flagged", &p, actor(12), `{"assignee_id":12,"item":"earth_resistance"}`, []int64{2}, true},
		{"checklist.flagged", nil, actor(3), `{"assignee_id":3,"item":"earth_resistance"}`, []int64{2}, false},
		{"job.message", &p, actor(11), `{"assignee_id":11,"author_side":"partner"}`, []int64{1, 2}, true},
		{"job.message", &p, actor(1), `{"assignee_id":11,"author_side":"institute"}`, []int64{10, 11}, true},
		{"job.message", &p, actor(1), `{"assignee_id":11,"author_side":"institute","status":"on_site"}`, []int64{10, 11}, true},
		{"job.message", &p, actor(1), `{"assignee_id":11,"author_side":"institute","status":"revoked"}`, nil, false},
		{"job.message", nil, actor(2), `{"assignee_id":3,"author_side":"institute"}`, []int64{3}, false},
		{"job.offered", nil, actor(1), `{}`, []int64{3}, false},
		{"job.on_site", nil, actor(3), `{"assignee_id":3}`, nil, false},
		{"job.verified", nil, actor(2), `{"assignee_id":3}`, []int64{3}, false},
	}
	for _, tc := range tests {
		t.Run(tc.kind, func(t *testing.T) {
			e := &cordon.OutboxEvent{Kind: tc.kind, PartnerID: tc.partner, ActorID: tc.actor, Payload: []byte(tc.payload)}
			fan, err := r.route(context.Background(), e, map[string][]cordon.Recipient{})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, x := range fan.Recipients {
				got = append(got, x.UserID)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" || fan.Webhook != tc.webhook {
				t.Errorf("recipients (-want +got):\n%s\nwebhook %v, want %v", diff, fan.Webhook, tc.webhook)
			}
		})
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestAttemptsBackoffThenDead(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	var status int
	client := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		if status == 0 {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
		}
		return &http.Response{StatusCode: status, Body: http.NoBody, Header: http.Header{}}, nil
	})}
	f := &fakeOutbox{}
	r := New(Config{Outbox: f, Client: client, Now: func() time.Time { return now }})
	want := []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour}
	for attempt := 1; attempt <= DefaultMaxAttempts; attempt++ {
		status = []int{0, 500, 302, 404}[attempt%4]
		f.due = []*cordon.DueDelivery{{Delivery: cordon.WebhookDelivery{ID: 1, Attempts: attempt}, URL: "https://hooks.example/x", Secret: "s",
			Event: cordon.OutboxEvent{ID: 7, Kind: "job.offered", Payload: []byte(`{}`)}}}
		if _, err := r.DeliverOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		o := f.finished[len(f.finished)-1]
		if o.Delivered || o.Error == "" || o.Status != status {
			t.Errorf("attempt %d: %+v", attempt, o)
		}
		if attempt == DefaultMaxAttempts {
			if !o.Dead {
				t.Errorf("the last attempt is not dead: %+v", o)
			}
			continue
		}
		if o.Dead || !o.NextAttemptAt.Equal(now.Add(want[attempt-1])) {
			t.Errorf("attempt %d: next at %v (dead %v), want %v", attempt, o.NextAttemptAt, o.Dead, now.Add(want[attempt-1]))
		}
		if d, last := Backoff(attempt); d != want[attempt-1] || last {
			t.Errorf("Backoff(%d) = %v, %v", attempt, d, last)
		}
	}
	if f.finished[3].Error != "the endpoint refused the connection" || f.finished[0].Error != "the endpoint answered HTTP 500" {
		t.Errorf("a refused connection reads %q, a 500 %q", f.finished[3].Error, f.finished[0].Error)
	}
	status = 202
	f.due = []*cordon.DueDelivery{{Delivery: cordon.WebhookDelivery{ID: 2, Attempts: 1}, URL: "https://hooks.example/x", Event: cordon.OutboxEvent{Payload: []byte(`{}`)}}}
	if res, _ := r.DeliverOnce(context.Background()); res.Delivered != 1 || !f.finished[len(f.finished)-1].Delivered {
		t.Errorf("202 is not delivered: %+v", res)
	}
}

func TestNewClientRefusesLoopback(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	defer srv.Close()
	for _, u := range []string{srv.URL, "http://[::1]:1/", "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0:" + strconv.Itoa(1) + "/"} {
		d := &cordon.DueDelivery{URL: u, Event: cordon.OutboxEvent{Payload: []byte(`{}`)}}
		status, msg := post(context.Background(), NewClient(), d, time.Now())
		if status != 0 || msg != "the endpoint's address is not allowed" {
			t.Errorf("%s: %d %q, want the address refused", u, status, msg)
		}
	}
	if hit {
		t.Error("the loopback server was reached")
	}
}
