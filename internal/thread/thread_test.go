package thread_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/notify"
	"github.com/cordon/cordon/internal/store"
)

// The thread service on the wired application and its demo world, on
// SQLite and PostgreSQL, called as a request calls it: the user's actor in
// the context, inside its scoped transaction, one call a transaction.

func TestMain(m *testing.M) { apptest.Main(m) }

type fixture struct {
	t      *testing.T
	h      *apptest.Harness
	actors map[string]*cordon.Actor
}

func newFixture(t *testing.T, h *apptest.Harness) *fixture {
	return &fixture{t: t, h: h, actors: map[string]*cordon.Actor{}}
}

// actor logs the demo user in once.
func (f *fixture) actor(user string) *cordon.Actor {
	f.t.Helper()
	a := f.actors[user]
	if a == nil {
		tok, _ := f.h.Login(user)
		var err error
		if a, err = f.h.App.Auth.Authenticate(context.Background(), tok); err != nil {
			f.t.Fatalf("authenticate %s: %v", user, err)
		}
		f.actors[user] = a
	}
	return a
}

// as runs fn as user, inside the user's scoped transaction.
func (f *fixture) as(user string, fn func(ctx context.Context) error) error {
	f.t.Helper()
	a := f.actor(user)
	return f.h.DB.InScope(cordon.NewContextWithActor(context.Background(), a), a, fn)
}

func (f *fixture) post(user string, jobID int64, in cordon.MessageInput) (*cordon.JobMessage, error) {
	f.t.Helper()
	var m *cordon.JobMessage
	err := f.as(user, func(ctx context.Context) (err error) {
		m, err = f.h.App.Threads.PostMessage(ctx, jobID, in)
		return err
	})
	return m, err
}

func (f *fixture) list(user string, jobID, after int64, limit int) (*cordon.MessagePage, error) {
	f.t.Helper()
	var p *cordon.MessagePage
	err := f.as(user, func(ctx context.Context) (err error) {
		p, err = f.h.App.Threads.FindMessages(ctx, jobID, after, limit)
		return err
	})
	return p, err
}

func (f *fixture) download(user string, jobID, mid, aid int64) (*cordon.MessageFile, error) {
	f.t.Helper()
	var file *cordon.MessageFile
	err := f.as(user, func(ctx context.Context) (err error) {
		file, err = f.h.App.Threads.DownloadAttachment(ctx, jobID, mid, aid)
		return err
	})
	return file, err
}

// events are the access log's events of resource res by user.
func (f *fixture) events(user, res, action string) []*cordon.AccessEvent {
	f.t.Helper()
	uid := f.actor(user).UserID
	return f.h.AccessEvents(cordon.AccessEventFilter{UserID: &uid, Resource: &res, Action: &action})
}

func wantCode(t *testing.T, what string, err error, code, key string) {
	t.Helper()
	e := cordon.AsError(err)
	if err == nil || cordon.ErrorCode(err) != code || key != "" && (e == nil || e.Key != key) {
		t.Errorf("%s: got %v (%s), want %s %s", what, err, cordon.ErrorCode(err), code, key)
	}
}

var active = cordon.ActiveJobStatuses

// TestExchange: the partner's technician posts a photo on its job, the
// dispatcher reads it and replies, the technician reads both, oldest
// first; the partner's read names the job and the messages, and the
// photo's download is logged with its SHA-256.
func TestExchange(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		f := newFixture(t, h)
		j := h.JobOf("hefei", active...)
		photo := apptest.PNG()
		m1, err := f.post("hefei.tech", j.ID, cordon.MessageInput{Body: "  天线接头松动，已拍照。  ", Files: [][]byte{photo}})
		if err != nil {
			t.Fatal(err)
		}
		if m1.AuthorSide != cordon.SidePartner || m1.Body != "天线接头松动，已拍照。" || len(m1.Attachments) != 1 || m1.Attachments[0].MediaType != "image/png" {
			t.Fatalf("posted %+v", m1)
		}
		p, err := f.list("dispatcher", j.ID, 0, 0)
		if err != nil || len(p.Items) != 1 || p.Items[0].ID != m1.ID || len(p.Items[0].Attachments) != 1 || p.Next != 0 {
			t.Fatalf("dispatcher's thread: %+v, %v", p, err)
		}
		m2, err := f.post("dispatcher", j.ID, cordon.MessageInput{Body: "收到，请更换接头后回复。"})
		if err != nil || m2.AuthorSide != cordon.SideInstitute || m2.AuthorName != "dispatcher" {
			t.Fatalf("reply: %+v, %v", m2, err)
		}
		p, err = f.list("hefei.tech", j.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, m := range p.Items {
			ids = append(ids, m.ID)
		}
		if !slices.Equal(ids, []int64{m1.ID, m2.ID}) {
			t.Fatalf("the technician's thread: %v, want %d then %d", ids, m1.ID, m2.ID)
		}
		evs := f.events("hefei.tech", cordon.ResMessage, cordon.ActList)
		if len(evs) != 1 {
			t.Fatalf("the partner's reads: %d events, want 1", len(evs))
		}
		want := strings.Join([]string{itoa(m1.ID), itoa(m2.ID)}, ",")
		if e := evs[0]; e.ResourceID != want || e.Purpose != "job:"+itoa(j.ID) || e.ContractNo != "HF-2026-001" || e.Clause == "" || e.Decision != cordon.Allow {
			t.Errorf("read event %+v, want messages %s of job %d under HF-2026-001", e, want, j.ID)
		}
		if len(f.events("dispatcher", cordon.ResMessage, cordon.ActList)) != 0 {
			t.Error("the institute's reads are recorded; only a partner's are")
		}
		file, err := f.download("hefei.tech", j.ID, m1.ID, m1.Attachments[0].ID)
		if err != nil || !bytes.Equal(file.Content, photo) {
			t.Fatalf("download: %v", err)
		}
		dl := f.events("hefei.tech", cordon.ResMessage, cordon.ActDownload)
		if len(dl) != 1 || dl[0].FileSHA256 != m1.Attachments[0].SHA256 || dl[0].ResourceID != itoa(m1.ID) || dl[0].ContractNo != "HF-2026-001" {
			t.Errorf("download events %+v", dl)
		}
		// Pages: one at a time, then the end.
		p, err = f.list("quality", j.ID, 0, 1)
		if err != nil || len(p.Items) != 1 || p.Next != m1.ID {
			t.Fatalf("first page: %+v %v", p, err)
		}
		p, err = f.list("quality", j.ID, p.Next, 1)
		if err != nil || len(p.Items) != 1 || p.Items[0].ID != m2.ID || p.Next != 0 {
			t.Fatalf("second page: %+v %v", p, err)
		}
		_, err = f.list("quality", j.ID, 0, cordon.MaxMessagePage+1)
		wantCode(t, "a page too long", err, cordon.EINVALID, "thread.limit")
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestScope: another partner, a partner out of force, and ids that do not
// belong together all get the 404 of a job that does not exist.
func TestScope(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		f := newFixture(t, h)
		j := h.JobOf("hefei", active...)
		m, err := f.post("hefei.admin", j.ID, cordon.MessageInput{Body: "请看照片。", Files: [][]byte{apptest.PNG()}})
		if err != nil {
			t.Fatal(err)
		}
		att := m.Attachments[0].ID
		for _, user := range []string{"wuhan.tech", "wuhan.admin", "xian.tech"} {
			_, err := f.list(user, j.ID, 0, 0)
			wantCode(t, user+" reads hefei's thread", err, cordon.ENOTFOUND, "job.not_found")
			_, err = f.post(user, j.ID, cordon.MessageInput{Body: "hello"})
			wantCode(t, user+" posts on hefei's thread", err, cordon.ENOTFOUND, "job.not_found")
			_, err = f.download(user, j.ID, m.ID, att)
			wantCode(t, user+" downloads hefei's photo", err, cordon.ENOTFOUND, "job.not_found")
		}
		// xian's contract has expired: its own job's thread is gone too.
		x := h.JobOf("xian", cordon.JobStatuses...)
		_, err = f.list("xian.admin", x.ID, 0, 0)
		wantCode(t, "xian reads its own thread out of force", err, cordon.ENOTFOUND, "job.not_found")
		// The attachment under another job, another message: not found.
		other := h.JobOf("hefei", cordon.DoneJobStatuses...)
		_, err = f.download("hefei.tech", other.ID, m.ID, att)
		wantCode(t, "the attachment under another job", err, cordon.ENOTFOUND, "record.not_found")
		_, err = f.download("dispatcher", j.ID, m.ID+1000, att)
		wantCode(t, "the attachment under another message", err, cordon.ENOTFOUND, "record.not_found")
		_, err = f.download("dispatcher", j.ID, m.ID, att+1000)
		wantCode(t, "an attachment that does not exist", err, cordon.ENOTFOUND, "record.not_found")
	})
}

// TestRevokedLosesThread: a job the dispatcher revokes still names its
// partner, but the partner's thread is gone, at the service and (on
// PostgreSQL) under row-level security alone; the institute keeps it.
func TestRevokedLosesThread(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		f := newFixture(t, h)
		j := h.JobOf("hefei", cordon.JobOffered)
		m, err := f.post("hefei.tech", j.ID, cordon.MessageInput{Body: "请问备件何时到？", Files: [][]byte{apptest.PNG()}})
		if err != nil {
			t.Fatal(err)
		}
		threads := store.NewThreadStore(h.DB)
		rlsRows := func() int {
			var n int
			if err := f.as("hefei.tech", func(ctx context.Context) error {
				msgs, _, err := threads.FindMessages(ctx, j.ID, 0, 10)
				n = len(msgs)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := rlsRows(); n != 1 {
			t.Fatalf("before revocation the partner's transaction sees %d messages, want 1", n)
		}
		if err := f.as("dispatcher", func(ctx context.Context) error {
			_, err := h.App.Dispatcher.MoveJob(ctx, j.ID, cordon.JobMove{To: cordon.JobRevoked, Reason: "改由研究所处理"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		_, err = f.list("hefei.tech", j.ID, 0, 0)
		wantCode(t, "the old partner reads the revoked job's thread", err, cordon.ENOTFOUND, "job.not_found")
		_, err = f.post("hefei.tech", j.ID, cordon.MessageInput{Body: "还在吗？"})
		wantCode(t, "the old partner posts", err, cordon.ENOTFOUND, "job.not_found")
		_, err = f.download("hefei.tech", j.ID, m.ID, m.Attachments[0].ID)
		wantCode(t, "the old partner downloads", err, cordon.ENOTFOUND, "job.not_found")
		denied := cordon.Deny
		res := cordon.ResJob // the desk refuses the ended job itself
		uid := f.actor("hefei.tech").UserID
		if evs := h.AccessEvents(cordon.AccessEventFilter{UserID: &uid, Resource: &res, Decision: &denied}); len(evs) != 3 {
			t.Errorf("%d denials recorded, want 3", len(evs))
		}
		if p, err := f.list("dispatcher", j.ID, 0, 0); err != nil || len(p.Items) != 1 {
			t.Errorf("the institute's thread after revocation: %+v %v", p, err)
		}
		if h.URL != "" {
			if n := rlsRows(); n != 0 {
				t.Errorf("LEAK: row-level security shows the old partner %d messages of a revoked job", n)
			}
			err := f.as("hefei.tech", func(ctx context.Context) error {
				_, err := threads.FindMessageFile(ctx, j.ID, m.ID, m.Attachments[0].ID)
				return err
			})
			wantCode(t, "row-level security: the old partner's attachment", err, cordon.ENOTFOUND, "")
		}
	})
}

// TestScreening: a partner is refused the customer's identity, the
// serial and phone numbers, with no override, each refusal recorded; the
// institute may keep screened text with a reason, recorded as an
// override; an in-house job's thread is the institute's alone and is not
// screened.
func TestScreening(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		f := newFixture(t, h)
		j := h.JobOf("hefei", active...)
		var facts *cordon.ScreeningFacts
		facts, err := store.NewThreadStore(h.DB).ScreeningFacts(context.Background(), j.ID)
		if err != nil || facts.Identity == nil || facts.Serial == "" {
			t.Fatalf("screening facts: %+v %v", facts, err)
		}
		tests := []struct {
			body, key string
		}{
			{"客户" + facts.Identity.Name + "要求周五到场", "thread.screen_customer_name"},
			{"装备 " + facts.Serial + " 已修复", "thread.screen_serial"},
			{"请致电 139 1234 5678 联系", "thread.screen_phone"},
		}
		for _, tc := range tests {
			_, err := f.post("hefei.tech", j.ID, cordon.MessageInput{Body: tc.body})
			wantCode(t, "partner: "+tc.key, err, cordon.EINVALID, tc.key)
			_, err = f.post("dispatcher", j.ID, cordon.MessageInput{Body: tc.body})
			wantCode(t, "institute: "+tc.key, err, cordon.EINVALID, tc.key+"_override")
		}
		if evs := f.events("hefei.tech", cordon.ResMessage, "screen"); len(evs) != 3 || evs[0].Decision != cordon.Deny || !slices.Equal(evs[0].Fields, []string{cordon.SensitiveCustomerName}) {
			t.Errorf("the partner's refusals: %+v", evs)
		}
		_, err = f.post("hefei.tech", j.ID, cordon.MessageInput{Body: "装备 " + facts.Serial, Override: "需要核对"})
		wantCode(t, "a partner's override", err, cordon.EINVALID, "thread.partner_no_override")
		m, err := f.post("dispatcher", j.ID, cordon.MessageInput{Body: "请核对装备 " + facts.Serial + " 的铭牌", Override: "合作方已接单，序列号已披露"})
		if err != nil {
			t.Fatalf("the dispatcher's override: %v", err)
		}
		ov := f.events("dispatcher", cordon.ResCustomer, "override")
		if len(ov) != 1 || !strings.Contains(ov[0].Purpose, "message screening serial on job:"+itoa(j.ID)) || ov[0].ResourceID != itoa(facts.CustomerID) {
			t.Errorf("override events %+v", ov)
		}
		if strings.Contains(ov[0].Purpose, facts.Serial) {
			t.Error("the override event carries the screened text")
		}
		if p, err := f.list("hefei.tech", j.ID, 0, 0); err != nil || len(p.Items) != 1 || p.Items[0].ID != m.ID {
			t.Errorf("only the overridden message is on the thread: %+v %v", p, err)
		}
		// In-house: no partner reads it.
		jobs, _, err := store.NewJobStore(h.DB).FindJobs(context.Background(), cordon.JobFilter{Scope: cordon.ListScope{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range jobs {
			if x.PartnerID == nil {
				if _, err := f.post("engineer", x.ID, cordon.MessageInput{Body: "客户电话 139 1234 5678"}); err != nil {
					t.Errorf("an in-house job's thread is screened: %v", err)
				}
				break
			}
		}
	})
}

// TestInput: bodies and attachments out of bounds are refused, clearly.
func TestInput(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		f := newFixture(t, h)
		j := h.JobOf("hefei", active...)
		png := apptest.PNG()
		tests := []struct {
			name string
			in   cordon.MessageInput
			code string
			key  string
		}{
			{"empty", cordon.MessageInput{Body: "   "}, cordon.EINVALID, "thread.body_required"},
			{"too long", cordon.MessageInput{Body: strings.Repeat("长", cordon.MaxMessageBody+1)}, cordon.EINVALID, "thread.body_too_long"},
			{"not text", cordon.MessageInput{Body: "a\x00b"}, cordon.EINVALID, "thread.body_text"},
			{"six files", cordon.MessageInput{Body: "photos", Files: [][]byte{png, png, png, png, png, png}}, cordon.EINVALID, "thread.too_many_attachments"},
			{"too large", cordon.MessageInput{Body: "big", Files: [][]byte{append(slices.Clone(png), make([]byte, cordon.MaxMessageAttachmentBytes)...)}}, cordon.ETOOLARGE, "thread.attachment_too_large"},
			{"not a photo", cordon.MessageInput{Body: "text", Files: [][]byte{[]byte("just some text")}}, cordon.EINVALID, ""},
		}
		for _, tc := range tests {
			_, err := f.post("hefei.tech", j.ID, tc.in)
			wantCode(t, tc.name, err, tc.code, tc.key)
		}
		if p, err := f.list("dispatcher", j.ID, 0, 0); err != nil || len(p.Items) != 0 {
			t.Errorf("refused messages were stored: %+v %v", p, err)
		}
		if m, err := f.post("hefei.tech", j.ID, cordon.MessageInput{Body: "five", Files: [][]byte{png, png, png, png, png}}); err != nil || len(m.Attachments) != 5 {
			t.Errorf("five photos: %v", err)
		}
	})
}

// TestNotify: a partner's message notifies the dispatchers and quality
// supervisors in-app and reaches the partner's webhook with ids only;
// the institute's reply notifies the partner's admin.
func TestNotify(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		f := newFixture(t, h)
		ctx := context.Background()
		var mu sync.Mutex
		var hooks [][]byte
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			hooks = append(hooks, b)
			mu.Unlock()
		}))
		defer srv.Close()
		notes := store.NewNotificationStore(h.DB)
		hefei := f.actor("hefei.admin").PartnerID
		if err := notes.SaveWebhookEndpoint(ctx, &cordon.WebhookEndpoint{PartnerID: hefei, URL: srv.URL, Active: true}, false); err != nil {
			t.Fatal(err)
		}
		_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
		relay := notify.New(notify.Config{Outbox: notes, Client: notify.NewClient(loopback), Now: h.Clock.Now})
		if _, err := relay.RunOnce(ctx); err != nil { // what the demo world left waiting
			t.Fatal(err)
		}
		mu.Lock()
		hooks = nil
		mu.Unlock()
		j := h.JobOf("hefei", active...)
		const secret = "天线接头松动"
		m, err := f.post("hefei.tech", j.ID, cordon.MessageInput{Body: secret, Files: [][]byte{apptest.PNG()}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := relay.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		told := func(user string) bool {
			t.Helper()
			list, _, _, err := notes.FindNotifications(ctx, f.actor(user).UserID, cordon.NotificationFilter{Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, x := range list {
				if x.Kind == cordon.EventJobMessage && x.JobID != nil && *x.JobID == j.ID {
					n++
				}
			}
			return n > 0
		}
		for user, want := range map[string]bool{"dispatcher": true, "quality": true, "hefei.admin": false, "hefei.tech": false, "engineer": false} {
			if got := told(user); got != want {
				t.Errorf("after the partner's message, %s told: %v, want %v", user, got, want)
			}
		}
		mu.Lock()
		got := slices.Clone(hooks)
		mu.Unlock()
		if len(got) != 1 {
			t.Fatalf("%d webhook deliveries, want 1", len(got))
		}
		var ev struct {
			Kind string         `json:"type"`
			Data map[string]any `json:"data"`
		}
		if err := json.Unmarshal(got[0], &ev); err != nil || ev.Kind != cordon.EventJobMessage {
			t.Fatalf("webhook body %s: %v", got[0], err)
		}
		if bytes.Contains(got[0], []byte(secret)) || !bytes.Contains(got[0], []byte(`"message_id":`+itoa(m.ID))) {
			t.Errorf("the webhook carries the body, or not the message id: %s", got[0])
		}
		if _, err := f.post("quality", j.ID, cordon.MessageInput{Body: "请补充更换后的照片。"}); err != nil {
			t.Fatal(err)
		}
		if _, err := relay.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if !told("hefei.admin") {
			t.Error("the institute's reply did not notify the partner's admin")
		}
	})
}
