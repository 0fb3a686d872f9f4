package checklist_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/checklist"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// The checklist service on the wired application and the demo world, on
// SQLite and PostgreSQL, called as a request calls it (Harness.As: the
// user's actor, inside the scoped transaction, one call a transaction).

func TestMain(m *testing.M) { apptest.Main(m) }

// actors are the demo users logged in once per harness: a login per
// call would meet the login rate limit.
var actors = struct {
	sync.Mutex
	m map[*apptest.Harness]map[string]*cordon.Actor
}{m: map[*apptest.Harness]map[string]*cordon.Actor{}}

// as runs fn as user would reach the service through a request: the
// user's actor in the context, inside the scoped transaction.
func as(h *apptest.Harness, user string, fn func(ctx context.Context) error) error {
	h.T.Helper()
	actors.Lock()
	if actors.m[h] == nil {
		actors.m[h] = map[string]*cordon.Actor{}
	}
	a := actors.m[h][user]
	actors.Unlock()
	if a == nil {
		tok, _ := h.Login(user)
		var err error
		if a, err = h.App.Auth.Authenticate(context.Background(), tok); err != nil {
			h.T.Fatalf("authenticate %s: %v", user, err)
		}
		actors.Lock()
		actors.m[h][user] = a
		actors.Unlock()
	}
	return h.DB.InScope(cordon.NewContextWithActor(context.Background(), a), a, fn)
}

// call runs fn as user and returns what it returns.
func call[T any](h *apptest.Harness, user string, fn func(ctx context.Context) (T, error)) (T, error) {
	h.T.Helper()
	var out T
	err := as(h, user, func(ctx context.Context) (err error) {
		out, err = fn(ctx)
		return err
	})
	return out, err
}

// must is call, failing the test on an error.
func must[T any](h *apptest.Harness, user, what string, fn func(ctx context.Context) (T, error)) T {
	h.T.Helper()
	out, err := call(h, user, fn)
	if err != nil {
		h.T.Fatalf("%s: %v", what, err)
	}
	return out
}

// wantErr checks an error's code and, when given, its key and field.
func wantErr(t *testing.T, what string, err error, code, key, field string) {
	t.Helper()
	var e *cordon.Error
	switch {
	case code == "" && err == nil:
		return
	case code == "":
		t.Errorf("%s: %v, want no error", what, err)
	case err == nil:
		t.Errorf("%s: no error, want %s", what, code)
	case cordon.ErrorCode(err) != code:
		t.Errorf("%s: %v (%s), want %s", what, err, cordon.ErrorCode(err), code)
	default:
		if !asError(err, &e) {
			return
		}
		if key != "" && e.Key != key {
			t.Errorf("%s: key %s, want %s (%v)", what, e.Key, key, err)
		}
		if field != "" && e.Field != field {
			t.Errorf("%s: field %q, want %q (%v)", what, e.Field, field, err)
		}
	}
}

func asError(err error, e **cordon.Error) bool {
	for err != nil {
		if x, ok := err.(*cordon.Error); ok {
			*e = x
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

// demoInstallation is the demo world's installation job of hefei.tech,
// on site with its checklist empty.
func demoInstallation(t *testing.T, h *apptest.Harness) *cordon.Job {
	t.Helper()
	jobs, _, err := store.NewJobStore(h.DB).FindJobs(context.Background(), cordon.JobFilter{
		Statuses: []cordon.JobStatus{cordon.JobOnSite}, Scope: cordon.ListScope{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j.PartnerID != nil && j.Request.Category == cordon.CatInstallation {
			return j
		}
	}
	t.Fatal("the demo world has no installation job on site")
	return nil
}

// dispatch takes in a request for a unit in city of line and offers it
// to the best candidate; it returns the job.
func dispatch(t *testing.T, h *apptest.Harness, city, line, category string) int64 {
	t.Helper()
	disp, _ := h.Login("dispatcher")
	req := h.Intake(disp, h.UnitIn(city, line), category, "P3")
	r := h.Do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"to": "auto"})
	if r.Status != 201 {
		t.Fatalf("dispatch: %d %s", r.Status, r.Body)
	}
	return int64(r.JSON(t)["id"].(float64))
}

func move(h *apptest.Harness, user string, job int64, to cordon.JobStatus) error {
	_, err := call(h, user, func(ctx context.Context) (*cordon.Job, error) {
		return h.App.Dispatcher.MoveJob(ctx, job, cordon.JobMove{To: to})
	})
	return err
}

// TestDemoTemplates: the demo world has a template per service type, each
// example file valid; installation and commissioning measure something
// within limits; the installation template has 接地电阻 at most 4 Ω.
func TestDemoTemplates(t *testing.T) {
	t.Parallel()
	examples, err := checklist.Examples()
	if err != nil {
		t.Fatal(err)
	}
	var cats []cordon.Category
	for _, e := range examples {
		cats = append(cats, e.Category)
	}
	for _, want := range []cordon.Category{cordon.CatInstallation, cordon.CatCommissioning, cordon.CatTraining,
		cordon.CatFollowUp, cordon.CatInspection, cordon.CatRepair, cordon.CatMaintenance} {
		if !slices.Contains(cats, want) {
			t.Errorf("no example template for %s", want)
		}
	}
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		list, total := must2(h, "quality", func(ctx context.Context) ([]*cordon.ChecklistTemplate, int, error) {
			return h.App.Checklists.FindTemplates(ctx, cordon.ChecklistTemplateFilter{})
		})
		if total != len(examples) || len(list) != total {
			t.Fatalf("demo templates: %d (total %d), want %d", len(list), total, len(examples))
		}
		for _, tm := range list {
			limited := false
			for _, it := range tm.Items {
				if it.Kind == cordon.ItemMeasurement && (it.Min != nil || it.Max != nil) {
					limited = true
				}
			}
			if (tm.Category == cordon.CatInstallation || tm.Category == cordon.CatCommissioning) && !limited {
				t.Errorf("%s: no measurement with limits", tm.Key)
			}
			if tm.Category == cordon.CatInstallation {
				it := tm.Item("earth_resistance")
				if it == nil || it.Label != "接地电阻" || it.Unit != "Ω" || it.Max == nil || *it.Max != 4 || it.Limits() != "≤ 4 Ω" {
					t.Errorf("installation earth resistance: %+v", it)
				}
			}
		}
		// Partners: templates do not exist.
		if _, _, err := must3(h, "hefei.tech", func(ctx context.Context) ([]*cordon.ChecklistTemplate, int, error) {
			return h.App.Checklists.FindTemplates(ctx, cordon.ChecklistTemplateFilter{})
		}); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("a partner lists templates: %v, want ENOTFOUND", err)
		}
	})
}

func must2[A, B any](h *apptest.Harness, user string, fn func(ctx context.Context) (A, B, error)) (A, B) {
	h.T.Helper()
	a, b, err := must3(h, user, fn)
	if err != nil {
		h.T.Fatal(err)
	}
	return a, b
}

func must3[A, B any](h *apptest.Harness, user string, fn func(ctx context.Context) (A, B, error)) (A, B, error) {
	h.T.Helper()
	var a A
	var b B
	err := as(h, user, func(ctx context.Context) (err error) {
		a, b, err = fn(ctx)
		return err
	})
	return a, b, err
}

// TestGateAndFlags: the demo installation job cannot be resolved while a
// required item is empty (the message names them); an answer out of
// limits is flagged on the answer, on the job, on the timeline and to
// quality; once every required item is answered the job resolves.
func TestGateAndFlags(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		job := demoInstallation(t, h)
		err := move(h, "hefei.tech", job.ID, cordon.JobResolved)
		wantErr(t, "resolve with the checklist empty", err, cordon.ECONFLICT, "checklist.required_items_missing", "")
		if err != nil && !strings.Contains(err.Error(), "接地电阻") {
			t.Errorf("the refusal does not name the missing items: %v", err)
		}
		cl := must(h, "hefei.tech", "answer", func(ctx context.Context) (*cordon.JobChecklist, error) {
			return h.App.Checklists.SaveAnswers(ctx, job.ID, []cordon.ChecklistAnswerInput{
				{Item: "site_ready", Value: "pass"}, {Item: "earth_resistance", Value: " 6.5 "}, {Item: "remarks", Value: "接地排锈蚀"},
			})
		})
		if a := cl.Answer("earth_resistance"); a == nil || !a.Flagged || a.Value != "6.5" || *a.Number != 6.5 {
			t.Errorf("earth resistance 6.5 Ω: %+v, want flagged", a)
		}
		if cl.Flags != 1 || cl.Answer("site_ready").Flagged || len(cl.Missing) != 5 {
			t.Errorf("flags %d, missing %v", cl.Flags, cl.Missing)
		}
		// The timeline says so, without a change of status.
		evs := must(h, "quality", "timeline", func(ctx context.Context) ([]*cordon.JobEvent, error) {
			return h.App.Dispatcher.JobTimeline(ctx, job.ID)
		})
		last := evs[len(evs)-1]
		if last.NoteKey != "note.checklist_out_of_limits" || last.From != cordon.JobOnSite || last.To != cordon.JobOnSite ||
			!slices.Equal(last.NoteArgs, []string{"接地电阻", "6.5 Ω", "≤ 4 Ω"}) {
			t.Errorf("timeline ends with %+v", last)
		}
		// The job shows its flag.
		v := must(h, "quality", "view", func(ctx context.Context) (*cordon.JobView, error) { return h.App.Desk.ViewJob(ctx, job.ID) })
		if v.Job.ChecklistFlags != 1 {
			t.Errorf("job view flags %d, want 1", v.Job.ChecklistFlags)
		}
		// Quality hears of it, in-app.
		if _, err := h.App.Relay.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		q, _ := h.Login("quality")
		r := h.Do("GET", "/api/v1/notifications", q, nil)
		found := false
		for _, it := range r.JSON(t)["items"].([]any) {
			m := it.(map[string]any)
			if m["kind"] == cordon.EventChecklistFlagged && m["job_id"] == float64(job.ID) {
				found = true
			}
		}
		if !found {
			t.Errorf("quality's notifications lack the flag: %s", r.Body)
		}
		// Saving the same value again adds nothing; a value back within
		// limits clears the flag, and the event stays.
		must(h, "hefei.tech", "same again", func(ctx context.Context) (*cordon.JobChecklist, error) {
			return h.App.Checklists.SaveAnswers(ctx, job.ID, []cordon.ChecklistAnswerInput{{Item: "earth_resistance", Value: "6.50"}})
		})
		if n := len(must(h, "quality", "timeline", func(ctx context.Context) ([]*cordon.JobEvent, error) {
			return h.App.Dispatcher.JobTimeline(ctx, job.ID)
		})); n != len(evs) {
			t.Errorf("the same value again made %d events", n-len(evs))
		}
		err = move(h, "hefei.tech", job.ID, cordon.JobResolved)
		wantErr(t, "resolve half done", err, cordon.ECONFLICT, "checklist.required_items_missing", "")
		tok, _ := h.Login("hefei.tech")
		h.FillChecklist(tok, job.ID)
		if err := move(h, "hefei.tech", job.ID, cordon.JobResolved); err != nil {
			t.Fatalf("resolve with the checklist done: %v", err)
		}
		cl = must(h, "quality", "checklist", func(ctx context.Context) (*cordon.JobChecklist, error) {
			return h.App.Checklists.JobChecklist(ctx, job.ID)
		})
		if cl.Flags != 1 || len(cl.Missing) != 0 || cl.CanAnswer || cl.Answer("remarks").Value != "接地排锈蚀" {
			t.Errorf("quality sees flags %d, missing %v, can answer %v, remarks %+v", cl.Flags, cl.Missing, cl.CanAnswer, cl.Answer("remarks"))
		}
		// Resolved: the answers are what quality verifies.
		_, err = call(h, "hefei.tech", func(ctx context.Context) (*cordon.JobChecklist, error) {
			return h.App.Checklists.SaveAnswers(ctx, job.ID, []cordon.ChecklistAnswerInput{{Item: "earth_resistance", Value: "3"}})
		})
		wantErr(t, "answer once resolved", err, cordon.ECONFLICT, "checklist.not_answerable_now", "")
	})
}

func f(v float64) *float64 { return &v }

// TestVersionsAndBinding: an edit is a new version and jobs keep theirs,
// answers included; an old version cannot be edited; the most specific
// active template wins; retiring one falls back to the next.
func TestVersionsAndBinding(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		svc := h.App.Checklists
		items := []cordon.ChecklistItem{{Key: "earth", Label: "接地电阻", Kind: cordon.ItemMeasurement, Required: true, Unit: "Ω", Max: f(4)}}
		line := must(h, "quality", "create", func(ctx context.Context) (*cordon.ChecklistTemplate, error) {
			return svc.CreateTemplate(ctx, cordon.ChecklistTemplateInput{Key: "installation-radar", Title: "雷达安装", Category: cordon.CatInstallation,
				ProductLine: "radar", Items: items})
		})
		if line.Version != 1 || !line.Latest || line.ProductLine != "radar" || line.Specificity() != 1 {
			t.Fatalf("created %+v", line)
		}
		bound := func(job int64) *cordon.ChecklistTemplate {
			t.Helper()
			return must(h, "quality", "checklist", func(ctx context.Context) (*cordon.JobChecklist, error) {
				return svc.JobChecklist(ctx, job)
			}).Template
		}
		a := dispatch(t, h, "Hefei", "radar", "installation")
		if got := bound(a); got.ID != line.ID {
			t.Fatalf("job A bound to %s v%d, want installation-radar v1", got.Key, got.Version)
		}
		if got := bound(dispatch(t, h, "Hefei", "comms", "installation")); got.Key != "installation" {
			t.Errorf("a comms installation got %s, want the category's template", got.Key)
		}
		// The template changes; job A keeps version 1.
		two := append(append([]cordon.ChecklistItem{}, items...), cordon.ChecklistItem{Key: "photo", Label: "照片", Kind: cordon.ItemPhoto, Required: true})
		v2 := must(h, "quality", "revise", func(ctx context.Context) (*cordon.ChecklistTemplate, error) {
			return svc.ReviseTemplate(ctx, line.ID, cordon.ChecklistTemplateInput{Title: "雷达安装 v2", Category: cordon.CatInstallation,
				ProductLine: "radar", Items: two})
		})
		if v2.Version != 2 || v2.Key != line.Key || v2.ID == line.ID || len(v2.Items) != 2 {
			t.Fatalf("revised %+v", v2)
		}
		if got := bound(a); got.ID != line.ID || len(got.Items) != 1 || got.Title != "雷达安装" || got.Latest {
			t.Errorf("job A after the edit: %s v%d %q (%d items), want v1 as it was", got.Key, got.Version, got.Title, len(got.Items))
		}
		b := dispatch(t, h, "Hefei", "radar", "installation")
		if got := bound(b); got.ID != v2.ID {
			t.Errorf("job B bound to v%d, want v2", got.Version)
		}
		// Version 1 never changes.
		_, err := call(h, "quality", func(ctx context.Context) (*cordon.ChecklistTemplate, error) {
			return svc.ReviseTemplate(ctx, line.ID, cordon.ChecklistTemplateInput{Title: "x", Category: cordon.CatInstallation, Items: items})
		})
		wantErr(t, "edit version 1", err, cordon.ECONFLICT, "checklist.not_latest_version", "")
		_, err = call(h, "quality", func(ctx context.Context) (*cordon.ChecklistTemplate, error) {
			return svc.ReviseTemplate(ctx, v2.ID, cordon.ChecklistTemplateInput{Key: "other", Title: "x", Category: cordon.CatInstallation, Items: items})
		})
		wantErr(t, "change the key", err, cordon.EINVALID, "checklist.key_cannot_change", "key")
		versions := must(h, "quality", "versions", func(ctx context.Context) ([]*cordon.ChecklistTemplate, error) {
			return svc.TemplateVersions(ctx, line.ID)
		})
		if len(versions) != 2 || versions[0].Version != 2 || versions[0].Jobs != 1 || versions[1].Jobs != 1 {
			t.Errorf("versions: %d, first v%d with %d jobs", len(versions), versions[0].Version, versions[0].Jobs)
		}
		// One template per target; a key once.
		_, err = call(h, "quality", func(ctx context.Context) (*cordon.ChecklistTemplate, error) {
			return svc.CreateTemplate(ctx, cordon.ChecklistTemplateInput{Key: "radar-2", Title: "x", Category: cordon.CatInstallation, ProductLine: "radar", Items: items})
		})
		wantErr(t, "a second template for radar installations", err, cordon.ECONFLICT, "checklist.target_taken", "")
		_, err = call(h, "quality", func(ctx context.Context) (*cordon.ChecklistTemplate, error) {
			return svc.CreateTemplate(ctx, cordon.ChecklistTemplateInput{Key: "installation-radar", Title: "x", Category: cordon.CatRepair, Items: items})
		})
		wantErr(t, "a key twice", err, cordon.EINVALID, "checklist.key_taken", "key")
		// A model's template beats the line's.
		unit := h.UnitIn("Hefei", "radar")
		m, err := store.NewCatalogStore(h.DB).FindModelByID(context.Background(), unit.ModelID)
		if err != nil {
			t.Fatal(err)
		}
		model := must(h, "quality", "model template", func(ctx context.Context) (*cordon.ChecklistTemplate, error) {
			return svc.CreateTemplate(ctx, cordon.ChecklistTemplateInput{Key: "installation-" + strings.ToLower(m.Code), Title: "型号安装",
				Category: cordon.CatInstallation, Model: m.Code, Items: items})
		})
		if model.ProductLine != "radar" || model.Specificity() != 2 {
			t.Errorf("model template: line %q", model.ProductLine)
		}
		if got := bound(dispatch(t, h, "Hefei", "radar", "installation")); got.ID != model.ID {
			t.Errorf("with a model template the job got %s", got.Key)
		}
		// Retired: no new job gets it, and it cannot be retired twice.
		must(h, "quality", "retire", func(ctx context.Context) (*cordon.ChecklistTemplate, error) { return svc.RetireTemplate(ctx, model.ID) })
		_, err = call(h, "quality", func(ctx context.Context) (*cordon.ChecklistTemplate, error) { return svc.RetireTemplate(ctx, model.ID) })
		wantErr(t, "retire twice", err, cordon.ECONFLICT, "checklist.already_retired", "")
		_, err = call(h, "quality", func(ctx context.Context) (*cordon.ChecklistTemplate, error) {
			return svc.ReviseTemplate(ctx, model.ID, cordon.ChecklistTemplateInput{Title: "x", Category: cordon.CatInstallation, Items: items})
		})
		wantErr(t, "edit a retired template", err, cordon.ECONFLICT, "checklist.retired", "")
		if got := bound(dispatch(t, h, "Hefei", "radar", "installation")); got.ID != v2.ID {
			t.Errorf("after retiring the model's, the job got %s v%d", got.Key, got.Version)
		}
		// A category with no template: no checklist, no gate.
		job := dispatch(t, h, "Hefei", "radar", "fault")
		_, err = call(h, "quality", func(ctx context.Context) (*cordon.JobChecklist, error) { return svc.JobChecklist(ctx, job) })
		wantErr(t, "a fault job's checklist", err, cordon.ENOTFOUND, "checklist.job_has_none", "")
	})
}

// TestBadAnswers: each bad answer is refused naming its item, a save is
// all or none, and what was filed before stays.
func TestBadAnswers(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		svc := h.App.Checklists
		job := demoInstallation(t, h).ID
		save := func(user string, in ...cordon.ChecklistAnswerInput) error {
			_, err := call(h, user, func(ctx context.Context) (*cordon.JobChecklist, error) { return svc.SaveAnswers(ctx, job, in) })
			return err
		}
		if err := save("hefei.tech", cordon.ChecklistAnswerInput{Item: "earth_resistance", Value: "3.2"},
			cordon.ChecklistAnswerInput{Item: "remarks", Value: "正常"}); err != nil {
			t.Fatal(err)
		}
		a := func(item, v string) cordon.ChecklistAnswerInput {
			return cordon.ChecklistAnswerInput{Item: item, Value: v}
		}
		for _, tc := range []struct {
			name             string
			user             string
			in               []cordon.ChecklistAnswerInput
			code, key, field string
		}{
			{"no such item", "hefei.tech", []cordon.ChecklistAnswerInput{a("site_ready", "pass"), a("voltage", "220")}, cordon.EINVALID, "checklist.no_such_item", "item"},
			{"not a number", "hefei.tech", []cordon.ChecklistAnswerInput{a("site_ready", "pass"), a("earth_resistance", "三点二")}, cordon.EINVALID, "checklist.measurement_not_number", "answers.earth_resistance"},
			{"NaN", "hefei.tech", []cordon.ChecklistAnswerInput{a("earth_resistance", "NaN")}, cordon.EINVALID, "checklist.measurement_not_number", "answers.earth_resistance"},
			{"infinite", "hefei.tech", []cordon.ChecklistAnswerInput{a("earth_resistance", "1e400")}, cordon.EINVALID, "checklist.measurement_not_number", "answers.earth_resistance"},
			{"a unit typed along", "hefei.tech", []cordon.ChecklistAnswerInput{a("earth_resistance", "3 Ω")}, cordon.EINVALID, "checklist.measurement_not_number", "answers.earth_resistance"},
			{"check", "hefei.tech", []cordon.ChecklistAnswerInput{a("site_ready", "ok")}, cordon.EINVALID, "checklist.check_answer_invalid", "answers.site_ready"},
			{"photo as text", "hefei.tech", []cordon.ChecklistAnswerInput{a("site_photo", "photo.jpg")}, cordon.EINVALID, "checklist.photo_needs_upload", "answers.site_photo"},
			{"twice", "hefei.tech", []cordon.ChecklistAnswerInput{a("site_ready", "pass"), a("site_ready", "fail")}, cordon.EINVALID, "checklist.item_answered_twice", "answers.site_ready"},
			{"nothing", "hefei.tech", nil, cordon.EINVALID, "checklist.no_answers", "answers"},
			{"text too long", "hefei.tech", []cordon.ChecklistAnswerInput{a("remarks", strings.Repeat("长", 2001))}, cordon.EINVALID, "installed.field_too_long", "answers.remarks"},
			{"another partner", "wuhan.tech", []cordon.ChecklistAnswerInput{a("site_ready", "pass")}, cordon.ENOTFOUND, "job.not_found", ""},
			{"quality", "quality", []cordon.ChecklistAnswerInput{a("site_ready", "pass")}, cordon.EFORBIDDEN, "checklist.only_worker_answers", ""},
			{"an engineer on a partner's job", "engineer", []cordon.ChecklistAnswerInput{a("site_ready", "pass")}, cordon.EFORBIDDEN, "checklist.only_worker_answers", ""},
		} {
			wantErr(t, tc.name, save(tc.user, tc.in...), tc.code, tc.key, tc.field)
		}
		cl := must(h, "hefei.admin", "checklist", func(ctx context.Context) (*cordon.JobChecklist, error) { return svc.JobChecklist(ctx, job) })
		if cl.Answer("earth_resistance").Value != "3.2" || cl.Answer("remarks").Value != "正常" || cl.Answer("site_ready") != nil || cl.Flags != 0 {
			t.Errorf("after the refusals: %+v %+v %+v", cl.Answer("earth_resistance"), cl.Answer("remarks"), cl.Answer("site_ready"))
		}
		if !cl.CanAnswer {
			t.Error("the partner's admin may not answer")
		}
		// The partner's read was logged, naming the job.
		evs := h.AccessEvents(cordon.AccessEventFilter{ResourceID: ptr(fmt.Sprint(job)), Action: ptr(cordon.ActView)})
		if len(evs) == 0 || evs[len(evs)-1].Purpose != fmt.Sprintf("job:%d", job) || evs[len(evs)-1].ContractNo == "" {
			t.Errorf("no access event for the partner's read of job %d's checklist", job)
		}
		// Clearing an answer empties it; the admin may.
		if err := save("hefei.admin", a("remarks", "")); err != nil {
			t.Fatal(err)
		}
		// Photos: an image only, a photo item only, within the size.
		photo := func(item string, b []byte) error {
			_, err := call(h, "hefei.tech", func(ctx context.Context) (*cordon.JobChecklist, error) { return svc.SavePhoto(ctx, job, item, b) })
			return err
		}
		wantErr(t, "not an image", photo("site_photo", []byte("hello, world")), cordon.EINVALID, "", "")
		wantErr(t, "not a photo item", photo("remarks", apptest.PNG()), cordon.EINVALID, "checklist.not_photo_item", "answers.remarks")
		wantErr(t, "no such photo item", photo("selfie", apptest.PNG()), cordon.EINVALID, "checklist.no_such_item", "item")
		wantErr(t, "too large", photo("site_photo", make([]byte, cordon.MaxChecklistPhotoBytes+1)), cordon.ETOOLARGE, "checklist.photo_too_large", "")
		if err := photo("site_photo", apptest.PNG()); err != nil {
			t.Fatalf("a PNG: %v", err)
		}
		p := must(h, "hefei.tech", "photo", func(ctx context.Context) (*cordon.ChecklistPhoto, error) {
			return svc.ChecklistPhoto(ctx, job, "site_photo")
		})
		if p.MediaType != "image/png" || len(p.Content) == 0 || len(p.SHA256) != 64 {
			t.Errorf("photo %s %d bytes %s", p.MediaType, len(p.Content), p.SHA256)
		}
		// Before the site: nothing to answer yet.
		off := dispatch(t, h, "Hefei", "radar", "installation")
		_, err := call(h, "hefei.tech", func(ctx context.Context) (*cordon.JobChecklist, error) {
			return svc.SaveAnswers(ctx, off, []cordon.ChecklistAnswerInput{a("site_ready", "pass")})
		})
		wantErr(t, "answer an offer", err, cordon.ECONFLICT, "checklist.not_answerable_now", "")
	})
}

func ptr[T any](v T) *T { return &v }

// TestTemplateInput: each bad template is refused naming its field, and a
// bad source names its line.
func TestTemplateInput(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		svc := h.App.Checklists
		ok := cordon.ChecklistItem{Key: "v", Label: "电压", Kind: cordon.ItemMeasurement, Unit: "V", Min: f(198), Max: f(242)}
		for _, tc := range []struct {
			name       string
			in         cordon.ChecklistTemplateInput
			key, field string
		}{
			{"bad key", cordon.ChecklistTemplateInput{Key: "Bad Key", Title: "x", Category: cordon.CatRepair, Items: []cordon.ChecklistItem{ok}}, "checklist.key_invalid", "key"},
			{"no title", cordon.ChecklistTemplateInput{Key: "k", Category: cordon.CatRepair, Items: []cordon.ChecklistItem{ok}}, "installed.field_required", "title"},
			{"category", cordon.ChecklistTemplateInput{Key: "k", Title: "x", Category: "cleaning", Items: []cordon.ChecklistItem{ok}}, "checklist.category_unknown", "category"},
			{"line", cordon.ChecklistTemplateInput{Key: "k", Title: "x", Category: cordon.CatRepair, ProductLine: "sonar", Items: []cordon.ChecklistItem{ok}}, "checklist.product_line_unknown", "product_line"},
			{"model", cordon.ChecklistTemplateInput{Key: "k", Title: "x", Category: cordon.CatRepair, Model: "XX-1", Items: []cordon.ChecklistItem{ok}}, "checklist.model_unknown", "model"},
			{"model of another line", cordon.ChecklistTemplateInput{Key: "k", Title: "x", Category: cordon.CatRepair, ProductLine: "comms", Model: "RD-200", Items: []cordon.ChecklistItem{ok}}, "checklist.model_not_in_line", "model"},
			{"no items", cordon.ChecklistTemplateInput{Key: "k", Title: "x", Category: cordon.CatRepair}, "checklist.items_count", "items"},
			{"item key twice", cordon.ChecklistTemplateInput{Key: "k", Title: "x", Category: cordon.CatRepair, Items: []cordon.ChecklistItem{ok, ok}}, "checklist.item_key_twice", "items[1].key"},
			{"kind", cordon.ChecklistTemplateInput{Key: "k", Title: "x", Category: cordon.CatRepair, Items: []cordon.ChecklistItem{{Key: "a", Label: "a", Kind: "rating"}}}, "checklist.item_kind_unknown", "items[0].kind"},
			{"limits on a check", cordon.ChecklistTemplateInput{Key: "k", Title: "x", Category: cordon.CatRepair, Items: []cordon.ChecklistItem{{Key: "a", Label: "a", Kind: cordon.ItemCheck, Max: f(1)}}}, "checklist.limits_only_measurement", "items[0].max"},
			{"min above max", cordon.ChecklistTemplateInput{Key: "k", Title: "x", Category: cordon.CatRepair, Items: []cordon.ChecklistItem{{Key: "a", Label: "a", Kind: cordon.ItemMeasurement, Min: f(5), Max: f(4)}}}, "checklist.min_above_max", "items[0].min"},
			{"no label", cordon.ChecklistTemplateInput{Key: "k", Title: "x", Category: cordon.CatRepair, Items: []cordon.ChecklistItem{{Key: "a", Kind: cordon.ItemText}}}, "installed.field_required", "items[0].label"},
		} {
			_, err := call(h, "quality", func(ctx context.Context) (*cordon.ChecklistTemplate, error) { return svc.CreateTemplate(ctx, tc.in) })
			wantErr(t, tc.name, err, cordon.EINVALID, tc.key, tc.field)
		}
		for _, tc := range []struct {
			name, src, want string
		}{
			{"schema", "key: k\ntitle: x\ncategory: repair\nitems:\n  - key: a\n    label: a\n    kind: measurement\n    max: four\n", "line 8: items[0].max"},
			{"unknown field", "key: k\ntitle: x\ncategory: repair\ncolour: red\nitems:\n  - {key: a, label: a, kind: text}\n", "line 1"},
			{"service", "key: k\ntitle: x\ncategory: repair\nproduct_line: sonar\nitems:\n  - {key: a, label: a, kind: text}\n", "line 4: product_line: No product line has code \"sonar\""},
			{"service, deep", "key: k\ntitle: x\ncategory: repair\nitems:\n  - {key: a, label: a, kind: text}\n  - key: a\n    label: b\n    kind: text\n", "line 6: items[1].key"},
			{"syntax", "key: k\ntitle: [x\n", "invalid YAML"},
			{"alias", "key: &k k\ntitle: *k\ncategory: repair\nitems:\n  - {key: a, label: a, kind: text}\n", "line 2: title: aliases"},
			{"empty", "", "line 1: the file is empty"},
		} {
			_, err := call(h, "quality", func(ctx context.Context) (*cordon.ChecklistTemplate, error) {
				return svc.ImportTemplate(ctx, []byte(tc.src))
			})
			wantErr(t, tc.name, err, cordon.EINVALID, "checklist.source_problems", "source")
			if err != nil && !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
			}
		}
		// Export and import again: the same template, as version 2.
		list, _ := must2(h, "quality", func(ctx context.Context) ([]*cordon.ChecklistTemplate, int, error) {
			return svc.FindTemplates(ctx, cordon.ChecklistTemplateFilter{Query: "installation"})
		})
		src := must(h, "quality", "export", func(ctx context.Context) ([]byte, error) { return svc.ExportTemplate(ctx, list[0].ID) })
		again := must(h, "quality", "import", func(ctx context.Context) (*cordon.ChecklistTemplate, error) { return svc.ImportTemplate(ctx, src) })
		if again.Key != list[0].Key || again.Version != 2 || len(again.Items) != len(list[0].Items) || again.Items[3].Label != "接地电阻" {
			t.Errorf("round trip: %s v%d, %d items", again.Key, again.Version, len(again.Items))
		}
	})
}

// TestInHouse: a job the institute keeps gets its checklist too; its
// engineer fills it, and no partner sees it.
func TestInHouse(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		disp, _ := h.Login("dispatcher")
		req := h.Intake(disp, h.UnitIn("Hefei", "radar"), "commissioning", "P3")
		r := h.Do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"to": "in_house"})
		if r.Status != 201 {
			t.Fatalf("dispatch in-house: %d %s", r.Status, r.Body)
		}
		job := int64(r.JSON(t)["id"].(float64))
		for _, to := range []cordon.JobStatus{cordon.JobAccepted, cordon.JobEnRoute, cordon.JobOnSite} {
			if err := move(h, "engineer", job, to); err != nil {
				t.Fatalf("→ %s: %v", to, err)
			}
		}
		cl := must(h, "engineer", "answer", func(ctx context.Context) (*cordon.JobChecklist, error) {
			return h.App.Checklists.SaveAnswers(ctx, job, []cordon.ChecklistAnswerInput{{Item: "vswr", Value: "1.8"}, {Item: "selftest", Value: "pass"}})
		})
		if cl.Template.Key != "commissioning" || cl.Flags != 1 {
			t.Errorf("in-house checklist %s, %d flags", cl.Template.Key, cl.Flags)
		}
		wantErr(t, "resolve", move(h, "engineer", job, cordon.JobResolved), cordon.ECONFLICT, "checklist.required_items_missing", "")
		_, err := call(h, "hefei.admin", func(ctx context.Context) (*cordon.JobChecklist, error) {
			return h.App.Checklists.JobChecklist(ctx, job)
		})
		wantErr(t, "a partner reads an in-house checklist", err, cordon.ENOTFOUND, "job.not_found", "")
	})
}
