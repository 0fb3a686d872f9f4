package apptest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"path/filepath"

	"github.com/cordon/cordon/internal/audit"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// The demo world as tests look it up: through the API where a caller's
// view matters, straight from the store where it does not.

// PartnerIDs returns the demo partners' ids by code, as the API lists them.
func (h *Harness) PartnerIDs(token string) map[string]int64 {
	h.T.Helper()
	r := h.Do("GET", "/api/v1/partners", token, nil)
	if r.Status != 200 {
		h.T.Fatalf("list partners: %d %s", r.Status, r.Body)
	}
	out := map[string]int64{}
	for _, it := range r.JSON(h.T)["items"].([]any) {
		m := it.(map[string]any)
		out[m["code"].(string)] = int64(m["id"].(float64))
	}
	return out
}

// JobIDs lists every job id a caller gets from GET /jobs, page by page.
func (h *Harness) JobIDs(token string) map[int64]map[string]any {
	h.T.Helper()
	out := map[int64]map[string]any{}
	for offset := 0; ; offset += 200 {
		r := h.Do("GET", fmt.Sprintf("/api/v1/jobs?limit=200&offset=%d", offset), token, nil)
		if r.Status != 200 {
			h.T.Fatalf("list jobs: %d %s", r.Status, r.Body)
		}
		items := r.JSON(h.T)["items"].([]any)
		for _, it := range items {
			m := it.(map[string]any)
			out[int64(m["id"].(float64))] = m
		}
		if len(items) < 200 {
			return out
		}
	}
}

// JobsOf returns the ids of a partner's jobs straight from the store.
func (h *Harness) JobsOf(partnerID int64) map[int64]bool {
	h.T.Helper()
	jobs, _, err := store.NewJobStore(h.DB).FindJobs(context.Background(), cordon.JobFilter{PartnerID: &partnerID, Scope: cordon.ListScope{All: true}})
	if err != nil {
		h.T.Fatal(err)
	}
	out := map[int64]bool{}
	for _, j := range jobs {
		out[j.ID] = true
	}
	return out
}

// AccessEvents returns the access log's events that f selects.
func (h *Harness) AccessEvents(f cordon.AccessEventFilter) []*cordon.AccessEvent {
	h.T.Helper()
	evs, _, err := store.NewAccessLog(h.DB).FindAccessEvents(context.Background(), f)
	if err != nil {
		h.T.Fatal(err)
	}
	return evs
}

// UnitIn returns a delivered unit in city of product line code.
func (h *Harness) UnitIn(city, line string) *cordon.Unit {
	h.T.Helper()
	units, err := store.NewCatalogStore(h.DB).FindUnits(context.Background(), cordon.UnitFilter{SiteCity: &city, ProductLine: &line, Limit: 1})
	if err != nil || len(units) == 0 {
		h.T.Fatalf("no %s unit in %s: %v", line, city, err)
	}
	return units[0]
}

// Intake takes in a request as the dispatcher and returns its id.
func (h *Harness) Intake(token string, unit *cordon.Unit, category, priority string) int64 {
	h.T.Helper()
	r := h.Do("POST", "/api/v1/requests", token, map[string]any{
		"unit_id": unit.ID, "category": category, "priority": priority, "description": "Radar does not power on after a storm.",
	})
	if r.Status != 201 {
		h.T.Fatalf("intake: %d %s", r.Status, r.Body)
	}
	return int64(r.JSON(h.T)["id"].(float64))
}

// DemoUsers are the demo world's logins: the institute's, then each
// partner's admin and technician.
var DemoUsers = []string{"dispatcher", "quality", "engineer", "contracts", "legal", "admin",
	"hefei.admin", "hefei.tech", "wuhan.admin", "wuhan.tech", "xian.admin", "xian.tech"}

// LoginAll logs every demo user in once and returns their access tokens.
func (h *Harness) LoginAll() map[string]string {
	h.T.Helper()
	out := map[string]string{}
	for _, u := range DemoUsers {
		out[u], _ = h.Login(u)
	}
	return out
}

// CountJobs counts a partner's jobs in a status, straight from the store.
func (h *Harness) CountJobs(partnerID int64, st cordon.JobStatus) (int, error) {
	_, n, err := store.NewJobStore(h.DB).FindJobs(context.Background(), cordon.JobFilter{
		PartnerID: &partnerID, Statuses: []cordon.JobStatus{st}, Scope: cordon.ListScope{All: true},
	})
	return n, err
}

// Seal runs the app's sealer once; it fails the test unless it leads.
func (h *Harness) Seal() audit.SealResult {
	h.T.Helper()
	res, err := h.App.Sealer.SealOnce(context.Background())
	if err != nil {
		h.T.Fatalf("seal: %v", err)
	}
	if !res.Leading {
		h.T.Fatal("the app's sealer does not lead")
	}
	return res
}

// PartnerAccesses has the demo partners list and view jobs: allowed views
// under their contracts, and denials.
func (h *Harness) PartnerAccesses() {
	h.T.Helper()
	for _, u := range []string{"hefei.tech", "wuhan.admin", "xian.tech"} {
		tok, _ := h.Login(u)
		for id := range h.JobIDs(tok) {
			h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d", id), tok, nil)
			break
		}
		for id := 1; id <= 3; id++ {
			h.Do("GET", fmt.Sprintf("/api/v1/jobs/%d", id), tok, nil)
		}
	}
}

// VerifierKey returns the key the app signs checkpoints with, from its
// data directory.
func (h *Harness) VerifierKey() string {
	h.T.Helper()
	key, err := audit.ReadKey(filepath.Join(h.DataDir, audit.KeyFile))
	if err != nil {
		h.T.Fatal(err)
	}
	vkey, err := audit.VerifierKey(audit.DefaultOrigin, key)
	if err != nil {
		h.T.Fatal(err)
	}
	return vkey
}

// APIJobIDs logs user in and lists the job ids the API shows it (the first
// 200), with their statuses.
func (h *Harness) APIJobIDs(user string) map[int64]string {
	h.T.Helper()
	tok, _ := h.Login(user)
	r := h.Do("GET", "/api/v1/jobs?limit=200", tok, nil)
	if r.Status != 200 {
		h.T.Fatalf("jobs of %s: %d", user, r.Status)
	}
	out := map[int64]string{}
	for _, it := range r.JSON(h.T)["items"].([]any) {
		m := it.(map[string]any)
		out[int64(m["id"].(float64))] = m["status"].(string)
	}
	return out
}

// OfferedTo returns a job offered to the partner of user; it fails the
// test when there is none.
func (h *Harness) OfferedTo(user string) int64 {
	h.T.Helper()
	for id, st := range h.APIJobIDs(user) {
		if st == "offered" {
			return id
		}
	}
	h.T.Fatalf("no offer for %s", user)
	return 0
}

// PNG is a small real PNG.
func PNG() []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 24, 16)))
	return buf.Bytes()
}

// Documents lists the documents a caller gets from GET /documents (the
// first 200), by id.
func (h *Harness) Documents(token string) map[int64]map[string]any {
	h.T.Helper()
	r := h.Do("GET", "/api/v1/documents?limit=200", token, nil)
	if r.Status != 200 {
		h.T.Fatalf("list documents: %d %s", r.Status, r.Body)
	}
	out := map[int64]map[string]any{}
	for _, it := range r.JSON(h.T)["items"].([]any) {
		m := it.(map[string]any)
		out[int64(m["id"].(float64))] = m
	}
	return out
}

// SurveyLink has the quality supervisor create a survey link for a closed
// job and returns the job and the link's token.
func (h *Harness) SurveyLink() (int64, string) {
	h.T.Helper()
	q, _ := h.Login("quality")
	var closed int64
	for id, m := range h.JobIDs(q) {
		if m["status"] == "closed" {
			closed = id
		}
	}
	r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/survey-link", closed), q, nil)
	if r.Status != 201 {
		h.T.Fatalf("survey link: %d %s", r.Status, r.Body)
	}
	return closed, r.JSON(h.T)["token"].(string)
}

// As runs fn as a demo user would reach a service through a request: with
// the user's actor (from a fresh login) in the context, inside the scoped
// transaction (row-level security on PostgreSQL).
func (h *Harness) As(user string, fn func(ctx context.Context) error) error {
	h.T.Helper()
	tok, _ := h.Login(user)
	ctx := context.Background()
	a, err := h.App.Auth.Authenticate(ctx, tok)
	if err != nil {
		h.T.Fatalf("authenticate %s: %v", user, err)
	}
	ctx = cordon.NewContextWithActor(ctx, a)
	return h.DB.InScope(ctx, a, fn)
}

// Signature returns a drawn signature: a white PNG with a dark stroke, as
// the job page's signature pad sends it.
func Signature() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 300, 120))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for x := 20; x < 280; x++ {
		y := 60 + (x%40 - 20)
		img.Set(x, y, color.Black)
		img.Set(x, y+1, color.Black)
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

// JobOnSite takes a new request of category for a radar unit in Hefei to
// hefei.tech on site: dispatched to hefei, accepted and assigned by
// hefei.admin, then en route and on site. It returns the job's id and
// hefei.tech's access token.
func (h *Harness) JobOnSite(category string) (int64, string) {
	h.T.Helper()
	disp, _ := h.Login("dispatcher")
	req := h.Intake(disp, h.UnitIn("Hefei", "radar"), category, "P2")
	r := h.Do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"to": "auto"})
	if r.Status != 201 && r.Status != 200 {
		h.T.Fatalf("dispatch: %d %s", r.Status, r.Body)
	}
	job := int64(r.JSON(h.T)["id"].(float64))
	adm, _ := h.Login("hefei.admin")
	if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/accept", job), adm, nil); r.Status != 200 {
		h.T.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	tech, err := store.NewUserStore(h.DB).FindUserByUsername(context.Background(), "hefei.tech")
	if err != nil {
		h.T.Fatal(err)
	}
	if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/assign", job), adm, map[string]any{"user_id": tech.ID}); r.Status != 200 {
		h.T.Fatalf("assign: %d %s", r.Status, r.Body)
	}
	token, _ := h.Login("hefei.tech")
	for _, to := range []string{"en_route", "on_site"} {
		if r := h.Do("POST", fmt.Sprintf("/api/v1/jobs/%d/transition", job), token, map[string]string{"to": to}); r.Status != 200 {
			h.T.Fatalf("→ %s: %d %s", to, r.Status, r.Body)
		}
	}
	return job, token
}
