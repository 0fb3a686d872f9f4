// Package checklist is checklists as Cordon keeps them: templates per
// service type (optionally per product line or model) that quality
// authors and versions, the binding of each job to the version it was
// offered with, the answers a technician gives on site, the flags of
// measurements out of limits, and the gate that keeps a job from being
// resolved while a required item is empty. Every rule about checklists
// lives here.
package checklist

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// ContentChecker tells a file's type by its content and checks its limits
// (document.Sniff and Check, wired by internal/app).
type ContentChecker func(ctx context.Context, content []byte) (mediaType string, err error)

// Config is what the service needs.
type Config struct {
	Checklists cordon.ChecklistStore
	Catalog    cordon.CatalogStore
	// Jobs finds a job within the caller's scope (dispatch.Desk).
	Jobs         cordon.JobAccess
	Access       cordon.AccessLog
	CheckContent ContentChecker
	Now          cordon.Clock
}

// Service implements cordon.ChecklistService and cordon.ChecklistGate.
type Service struct{ cfg Config }

var (
	_ cordon.ChecklistService = (*Service)(nil)
	_ cordon.ChecklistGate    = (*Service)(nil)
)

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}
}

// Limits of a template's fields.
const (
	maxKey      = 64
	maxTitle    = 200
	maxLabel    = 200
	maxUnit     = 20
	maxHelp     = 500
	maxNumber   = 32 // characters of a measurement as typed
	defaultPage = 50
	maxPage     = 200
)

var (
	templateKey = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
	itemKey     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// institute returns the caller, or ENOTFOUND for a partner: templates do
// not exist for partners.
func institute(ctx context.Context) (*cordon.Actor, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if a.IsPartner() {
		return nil, cordon.ErrNotFound("Checklist template")
	}
	return a, nil
}

// ---- Templates ----

// FindTemplates returns a page of templates, their latest versions.
func (s *Service) FindTemplates(ctx context.Context, f cordon.ChecklistTemplateFilter) ([]*cordon.ChecklistTemplate, int, error) {
	if _, err := institute(ctx); err != nil {
		return nil, 0, err
	}
	var err error
	if f.Query, err = cordon.Text("q", f.Query, maxTitle, false); err != nil {
		return nil, 0, err
	}
	if f.Category != "" && !f.Category.Valid() {
		return nil, 0, cordon.FieldErr("category", "checklist.category_unknown", f.Category)
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	switch {
	case f.Limit <= 0:
		f.Limit = defaultPage
	case f.Limit > maxPage:
		f.Limit = maxPage
	}
	return s.cfg.Checklists.FindTemplates(ctx, f)
}

// FindTemplateByID returns one version.
func (s *Service) FindTemplateByID(ctx context.Context, id int64) (*cordon.ChecklistTemplate, error) {
	if _, err := institute(ctx); err != nil {
		return nil, err
	}
	return s.cfg.Checklists.FindTemplateByID(ctx, id)
}

// TemplateVersions returns every version of the version's template,
// newest first.
func (s *Service) TemplateVersions(ctx context.Context, id int64) ([]*cordon.ChecklistTemplate, error) {
	t, err := s.FindTemplateByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.cfg.Checklists.FindTemplateVersions(ctx, t.Key)
}

// check validates a template as its author wrote it and resolves its
// product line and model codes: the one place a template's rules live.
func (s *Service) check(ctx context.Context, in cordon.ChecklistTemplateInput) (*cordon.ChecklistTemplate, error) {
	t := &cordon.ChecklistTemplate{Category: in.Category}
	var err error
	if t.Key, err = cordon.Text("key", in.Key, maxKey, true); err != nil {
		return nil, err
	}
	if !templateKey.MatchString(t.Key) {
		return nil, cordon.FieldErr("key", "checklist.key_invalid")
	}
	if t.Title, err = cordon.Text("title", in.Title, maxTitle, true); err != nil {
		return nil, err
	}
	if !t.Category.Valid() {
		return nil, cordon.FieldErr("category", "checklist.category_unknown", in.Category)
	}
	line, model := strings.TrimSpace(in.ProductLine), strings.TrimSpace(in.Model)
	if line != "" {
		lines, err := s.cfg.Catalog.FindProductLines(ctx)
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			if l.Code == line {
				t.ProductLineID, t.ProductLine = &l.ID, l.Code
			}
		}
		if t.ProductLineID == nil {
			return nil, cordon.FieldErr("product_line", "checklist.product_line_unknown", line)
		}
	}
	if model != "" {
		models, err := s.cfg.Catalog.FindModels(ctx, 0)
		if err != nil {
			return nil, err
		}
		for _, m := range models {
			if m.Code == model {
				t.ModelID, t.Model = &m.ID, m.Code
				if t.ProductLineID != nil && *t.ProductLineID != m.ProductLineID {
					return nil, cordon.FieldErr("model", "checklist.model_not_in_line", model, line)
				}
				lid := m.ProductLineID
				t.ProductLineID = &lid
			}
		}
		if t.ModelID == nil {
			return nil, cordon.FieldErr("model", "checklist.model_unknown", model)
		}
	}
	if len(in.Items) == 0 || len(in.Items) > cordon.MaxChecklistItems {
		return nil, cordon.FieldErr("items", "checklist.items_count", cordon.MaxChecklistItems)
	}
	seen := map[string]int{}
	for i, it := range in.Items {
		f := func(name string) string { return fmt.Sprintf("items[%d].%s", i, name) }
		if it.Key, err = cordon.Text(f("key"), it.Key, maxKey, true); err != nil {
			return nil, err
		}
		if !itemKey.MatchString(it.Key) {
			return nil, cordon.FieldErr(f("key"), "checklist.item_key_invalid")
		}
		if j, dup := seen[it.Key]; dup {
			return nil, cordon.FieldErr(f("key"), "checklist.item_key_twice", it.Key, j+1)
		}
		seen[it.Key] = i
		if it.Label, err = cordon.Text(f("label"), it.Label, maxLabel, true); err != nil {
			return nil, err
		}
		if !it.Kind.Valid() {
			return nil, cordon.FieldErr(f("kind"), "checklist.item_kind_unknown", it.Kind)
		}
		if it.Unit, err = cordon.Text(f("unit"), it.Unit, maxUnit, false); err != nil {
			return nil, err
		}
		if it.Help, err = cordon.Text(f("help"), it.Help, maxHelp, false); err != nil {
			return nil, err
		}
		if it.Kind != cordon.ItemMeasurement {
			switch {
			case it.Unit != "":
				return nil, cordon.FieldErr(f("unit"), "checklist.limits_only_measurement")
			case it.Min != nil:
				return nil, cordon.FieldErr(f("min"), "checklist.limits_only_measurement")
			case it.Max != nil:
				return nil, cordon.FieldErr(f("max"), "checklist.limits_only_measurement")
			}
		}
		for name, v := range map[string]*float64{"min": it.Min, "max": it.Max} {
			if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
				return nil, cordon.FieldErr(f(name), "checklist.limit_not_finite")
			}
		}
		if it.Min != nil && it.Max != nil && *it.Min > *it.Max {
			return nil, cordon.FieldErr(f("min"), "checklist.min_above_max", number(*it.Min), number(*it.Max))
		}
		t.Items = append(t.Items, it)
	}
	return t, nil
}

// targetFree returns ECONFLICT when another active template (not key)
// targets the same category, product line and model: which one a job
// gets must never be a tie.
func (s *Service) targetFree(ctx context.Context, t *cordon.ChecklistTemplate) error {
	active, err := s.cfg.Checklists.FindActiveTemplates(ctx, t.Category)
	if err != nil {
		return err
	}
	same := func(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	for _, o := range active {
		if o.Key != t.Key && same(o.ProductLineID, t.ProductLineID) && same(o.ModelID, t.ModelID) {
			return cordon.Err(cordon.ECONFLICT, "checklist.target_taken", o.Key)
		}
	}
	return nil
}

// CreateTemplate stores version 1 of a new template.
func (s *Service) CreateTemplate(ctx context.Context, in cordon.ChecklistTemplateInput) (*cordon.ChecklistTemplate, error) {
	a, err := institute(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.check(ctx, in)
	if err != nil {
		return nil, err
	}
	versions, err := s.cfg.Checklists.FindTemplateVersions(ctx, t.Key)
	if err != nil {
		return nil, err
	}
	if len(versions) > 0 {
		return nil, cordon.FieldErr("key", "checklist.key_taken", t.Key)
	}
	if err := s.targetFree(ctx, t); err != nil {
		return nil, err
	}
	t.Version, t.CreatedBy, t.CreatedAt = 1, a.UserID, s.cfg.Now()
	if err := s.cfg.Checklists.CreateTemplate(ctx, t); err != nil {
		return nil, err
	}
	return s.cfg.Checklists.FindTemplateByID(ctx, t.ID)
}

// latestOf returns version id, which must be its template's latest.
func (s *Service) latestOf(ctx context.Context, id int64) (*cordon.ChecklistTemplate, error) {
	cur, err := s.cfg.Checklists.FindTemplateByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !cur.Latest {
		versions, err := s.cfg.Checklists.FindTemplateVersions(ctx, cur.Key)
		if err != nil {
			return nil, err
		}
		return nil, cordon.Err(cordon.ECONFLICT, "checklist.not_latest_version", cur.Key, cur.Version, versions[0].Version)
	}
	return cur, nil
}

// ReviseTemplate stores the next version; the ones before never change,
// so every job keeps the version it was offered with.
func (s *Service) ReviseTemplate(ctx context.Context, id int64, in cordon.ChecklistTemplateInput) (*cordon.ChecklistTemplate, error) {
	a, err := institute(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := s.latestOf(ctx, id)
	if err != nil {
		return nil, err
	}
	if cur.RetiredAt != nil {
		return nil, cordon.Err(cordon.ECONFLICT, "checklist.retired", cur.Key)
	}
	if strings.TrimSpace(in.Key) == "" {
		in.Key = cur.Key
	}
	t, err := s.check(ctx, in)
	if err != nil {
		return nil, err
	}
	if t.Key != cur.Key {
		return nil, cordon.FieldErr("key", "checklist.key_cannot_change", cur.Key)
	}
	if err := s.targetFree(ctx, t); err != nil {
		return nil, err
	}
	t.Version, t.CreatedBy, t.CreatedAt = cur.Version+1, a.UserID, s.cfg.Now()
	if err := s.cfg.Checklists.CreateTemplate(ctx, t); err != nil {
		return nil, err
	}
	return s.cfg.Checklists.FindTemplateByID(ctx, t.ID)
}

// RetireTemplate stops offering the template to new jobs.
func (s *Service) RetireTemplate(ctx context.Context, id int64) (*cordon.ChecklistTemplate, error) {
	if _, err := institute(ctx); err != nil {
		return nil, err
	}
	cur, err := s.latestOf(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Checklists.RetireTemplate(ctx, cur.ID, s.cfg.Now()); err != nil {
		return nil, err
	}
	return s.cfg.Checklists.FindTemplateByID(ctx, cur.ID)
}

// ImportTemplate creates the template its source describes, or its next
// version when the key exists. Every problem names its line.
func (s *Service) ImportTemplate(ctx context.Context, src []byte) (*cordon.ChecklistTemplate, error) {
	if _, err := institute(ctx); err != nil {
		return nil, err
	}
	in, source, err := parseSource(src)
	if err != nil {
		return nil, err
	}
	versions, err := s.cfg.Checklists.FindTemplateVersions(ctx, in.Key)
	if err != nil {
		return nil, err
	}
	var t *cordon.ChecklistTemplate
	if len(versions) == 0 {
		t, err = s.CreateTemplate(ctx, *in)
	} else {
		t, err = s.ReviseTemplate(ctx, versions[0].ID, *in)
	}
	if err != nil {
		return nil, source.place(err)
	}
	return t, nil
}

// ReviseTemplateSource stores the next version of the template whose
// latest version is id, from its source form.
func (s *Service) ReviseTemplateSource(ctx context.Context, id int64, src []byte) (*cordon.ChecklistTemplate, error) {
	if _, err := institute(ctx); err != nil {
		return nil, err
	}
	in, source, err := parseSource(src)
	if err != nil {
		return nil, err
	}
	t, err := s.ReviseTemplate(ctx, id, *in)
	if err != nil {
		return nil, source.place(err)
	}
	return t, nil
}

// ExportTemplate returns the version in its source form.
func (s *Service) ExportTemplate(ctx context.Context, id int64) ([]byte, error) {
	t, err := s.FindTemplateByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return marshalSource(t)
}

// ---- The gate ----

// BindChecklist binds the most specific active template that fits the
// job's request: a model's over a product line's over the category's.
func (s *Service) BindChecklist(ctx context.Context, j *cordon.Job) error {
	if j.Request == nil {
		return fmt.Errorf("bind checklist: job %d without its request", j.ID)
	}
	active, err := s.cfg.Checklists.FindActiveTemplates(ctx, j.Request.Category)
	if err != nil {
		return fmt.Errorf("bind checklist to job %d: %w", j.ID, err)
	}
	var best *cordon.ChecklistTemplate
	for _, t := range active {
		if t.Fits(j.Request) && (best == nil || t.Specificity() > best.Specificity()) {
			best = t
		}
	}
	if best == nil {
		return nil
	}
	if err := s.cfg.Checklists.BindJob(ctx, j.ID, best.ID, s.cfg.Now()); err != nil {
		return fmt.Errorf("bind checklist to job %d: %w", j.ID, err)
	}
	return nil
}

// CheckResolvable refuses resolution while a required item is empty.
func (s *Service) CheckResolvable(ctx context.Context, j *cordon.Job) error {
	c, err := s.load(ctx, j.ID)
	if cordon.ErrorCode(err) == cordon.ENOTFOUND {
		return nil // no checklist, no gate
	}
	if err != nil {
		return err
	}
	if len(c.Missing) == 0 {
		return nil
	}
	labels := make([]string, len(c.Missing))
	for i, k := range c.Missing {
		labels[i] = c.Template.Item(k).Label
	}
	return cordon.Err(cordon.ECONFLICT, "checklist.required_items_missing", len(labels), strings.Join(labels, "; "))
}

// load reads the job's checklist: its version, answers, what is missing
// and what is flagged. ENOTFOUND when the job has none.
func (s *Service) load(ctx context.Context, jobID int64) (*cordon.JobChecklist, error) {
	t, bound, answers, err := s.cfg.Checklists.FindJobChecklist(ctx, jobID)
	if cordon.ErrorCode(err) == cordon.ENOTFOUND {
		return nil, cordon.Err(cordon.ENOTFOUND, "checklist.job_has_none")
	}
	if err != nil {
		return nil, err
	}
	c := &cordon.JobChecklist{JobID: jobID, Template: t, BoundAt: bound, Answers: map[string]*cordon.ChecklistAnswer{}}
	for _, a := range answers {
		c.Answers[a.ItemKey] = a
		if a.Flagged && a.Value != "" {
			c.Flags++
		}
	}
	for _, it := range t.Items {
		if it.Required && c.Answer(it.Key) == nil {
			c.Missing = append(c.Missing, it.Key)
		}
	}
	return c, nil
}

// ---- Answers ----

// JobChecklist returns the job's checklist; a partner's read is an access
// event naming the job, with the contract and clause that allowed it (a
// job without a checklist shows nothing, and records nothing more than
// the attempt's denial, if it was one).
func (s *Service) JobChecklist(ctx context.Context, jobID int64) (*cordon.JobChecklist, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, err
	}
	j, dec, err := s.cfg.Jobs.AccessJobRecords(ctx, jobID)
	if err != nil {
		return nil, err
	}
	c, err := s.load(ctx, j.ID)
	if err != nil {
		return nil, err // no checklist: nothing read
	}
	if a.IsPartner() {
		m := cordon.MetaFromContext(ctx)
		id := strconv.FormatInt(j.ID, 10)
		ev := &cordon.AccessEvent{UserID: a.UserID, OrgID: a.OrgID, Resource: cordon.ResJob, ResourceID: id,
			Action: cordon.ActView, Decision: cordon.Allow, Purpose: "job:" + id, ContractNo: dec.ContractNo,
			Clause: dec.Clause, RequestID: m.RequestID, ClientIP: m.ClientIP}
		if err := s.cfg.Access.RecordAccess(ctx, ev); err != nil {
			return nil, fmt.Errorf("record checklist view: %w", err)
		}
	}
	c.CanAnswer = mayAnswer(a, j) == nil && slices.Contains(cordon.ChecklistStates, j.Status)
	return c, nil
}

// mayAnswer: the job's worker (cordon.WorkRefusal), as for the service
// report.
func mayAnswer(a *cordon.Actor, j *cordon.Job) error {
	switch cordon.WorkRefusal(a, j) {
	case cordon.NotAssigned:
		return cordon.Err(cordon.EFORBIDDEN, "checklist.job_assigned_someone_else")
	case cordon.NotWorker:
		return cordon.Err(cordon.EFORBIDDEN, "checklist.only_worker_answers")
	}
	return nil
}

// open finds the job for an answer and checks who and when: the caller
// works it and it is at the site.
func (s *Service) open(ctx context.Context, jobID int64) (*cordon.Actor, *cordon.Job, *cordon.JobChecklist, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	j, _, err := s.cfg.Jobs.AccessJob(ctx, jobID, cordon.ActUpdate, false)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := mayAnswer(a, j); err != nil {
		return nil, nil, nil, err
	}
	c, err := s.load(ctx, j.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	if !slices.Contains(cordon.ChecklistStates, j.Status) {
		return nil, nil, nil, cordon.Err(cordon.ECONFLICT, "checklist.not_answerable_now", j.Status)
	}
	return a, j, c, nil
}

// answerField names an item's answer in errors: answers.<key>.
func answerField(key string) string { return "answers." + key }

// SaveAnswers checks every answer first and saves them all or none.
func (s *Service) SaveAnswers(ctx context.Context, jobID int64, in []cordon.ChecklistAnswerInput) (*cordon.JobChecklist, error) {
	a, j, c, err := s.open(ctx, jobID)
	if err != nil {
		return nil, err
	}
	if len(in) == 0 {
		return nil, cordon.FieldErr("answers", "checklist.no_answers")
	}
	if len(in) > len(c.Template.Items) {
		return nil, cordon.FieldErr("answers", "checklist.too_many_answers", len(c.Template.Items))
	}
	now := s.cfg.Now()
	seen := map[string]bool{}
	var out []*cordon.ChecklistAnswer
	var events []*cordon.JobEvent
	for _, x := range in {
		key := strings.TrimSpace(x.Item)
		it := c.Template.Item(key)
		if it == nil {
			return nil, cordon.FieldErr("item", "checklist.no_such_item", key, c.Template.Key, c.Template.Version)
		}
		if seen[key] {
			return nil, cordon.FieldErr(answerField(key), "checklist.item_answered_twice", it.Label)
		}
		seen[key] = true
		ans, err := answer(it, x.Value)
		if err != nil {
			return nil, err
		}
		prev := c.Answers[key]
		if prev != nil && prev.Value == ans.Value && (prev.MediaType == "" || ans.Value == "") {
			continue // as it was: nothing to write
		}
		if prev == nil && ans.Value == "" {
			continue
		}
		ans.AnsweredBy, ans.AnsweredAt = a.UserID, now
		out = append(out, ans)
		if ans.Flagged {
			uid := a.UserID
			ev := &cordon.JobEvent{At: now, ActorID: &uid, From: j.Status, To: j.Status}
			ev.SetNote("note.checklist_out_of_limits", it.Label, number(*ans.Number)+unitSuffix(it.Unit), it.Limits())
			events = append(events, ev)
		}
	}
	if len(out) > 0 {
		if err := s.cfg.Checklists.SaveAnswers(ctx, j, out, events, nil); err != nil {
			return nil, err
		}
	}
	return s.reload(ctx, j)
}

// answer checks one value against its item: a check's pass, fail or na;
// a measurement's number, flagged outside the limits; text; "" clears.
func answer(it *cordon.ChecklistItem, v string) (*cordon.ChecklistAnswer, error) {
	v = strings.TrimSpace(v)
	out := &cordon.ChecklistAnswer{ItemKey: it.Key}
	if v == "" {
		return out, nil
	}
	switch it.Kind {
	case cordon.ItemCheck:
		if !slices.Contains(cordon.CheckAnswers, v) {
			return nil, cordon.FieldErr(answerField(it.Key), "checklist.check_answer_invalid", it.Label)
		}
		out.Value = v
	case cordon.ItemMeasurement:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || len(v) > maxNumber || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, cordon.FieldErr(answerField(it.Key), "checklist.measurement_not_number", it.Label, v)
		}
		out.Value, out.Number, out.Flagged = number(f), &f, !it.InLimits(f)
	case cordon.ItemText:
		t, err := cordon.Text(answerField(it.Key), v, cordon.MaxChecklistTextAnswer, false)
		if err != nil {
			return nil, err
		}
		out.Value = t
	case cordon.ItemPhoto:
		return nil, cordon.FieldErr(answerField(it.Key), "checklist.photo_needs_upload", it.Label)
	}
	return out, nil
}

// SavePhoto answers a photo item with an image checked by content.
func (s *Service) SavePhoto(ctx context.Context, jobID int64, item string, content []byte) (*cordon.JobChecklist, error) {
	a, j, c, err := s.open(ctx, jobID)
	if err != nil {
		return nil, err
	}
	it := c.Template.Item(item)
	switch {
	case it == nil:
		return nil, cordon.FieldErr("item", "checklist.no_such_item", item, c.Template.Key, c.Template.Version)
	case it.Kind != cordon.ItemPhoto:
		return nil, cordon.FieldErr(answerField(it.Key), "checklist.not_photo_item", it.Label)
	case len(content) == 0:
		return nil, cordon.FieldErr(answerField(it.Key), "checklist.photo_empty", it.Label)
	case len(content) > cordon.MaxChecklistPhotoBytes:
		return nil, cordon.Err(cordon.ETOOLARGE, "checklist.photo_too_large", cordon.MaxChecklistPhotoBytes>>20)
	}
	mt, err := s.cfg.CheckContent(ctx, content)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(mt, "image/") {
		return nil, cordon.FieldErr(answerField(it.Key), "checklist.photo_not_image", it.Label)
	}
	sum := sha256Hex(content)
	ans := &cordon.ChecklistAnswer{ItemKey: it.Key, Value: sum, MediaType: mt, AnsweredBy: a.UserID, AnsweredAt: s.cfg.Now()}
	if err := s.cfg.Checklists.SaveAnswers(ctx, j, []*cordon.ChecklistAnswer{ans}, nil, content); err != nil {
		return nil, err
	}
	return s.reload(ctx, j)
}

// reload reads the checklist again after a save, for the caller who
// just saved it (no second access event).
func (s *Service) reload(ctx context.Context, j *cordon.Job) (*cordon.JobChecklist, error) {
	c, err := s.load(ctx, j.ID)
	if err != nil {
		return nil, err
	}
	c.CanAnswer = true
	return c, nil
}

// ChecklistPhoto returns a photo answer's file; every download, the
// institute's included, is an access event with the file's SHA-256.
func (s *Service) ChecklistPhoto(ctx context.Context, jobID int64, item string) (*cordon.ChecklistPhoto, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, err
	}
	j, dec, err := s.cfg.Jobs.AccessJobRecords(ctx, jobID)
	if err != nil {
		return nil, err
	}
	ans, content, err := s.cfg.Checklists.FindPhoto(ctx, j.ID, item)
	if cordon.ErrorCode(err) == cordon.ENOTFOUND {
		return nil, cordon.Err(cordon.ENOTFOUND, "checklist.no_photo")
	}
	if err != nil {
		return nil, err
	}
	m := cordon.MetaFromContext(ctx)
	id := strconv.FormatInt(j.ID, 10)
	ev := &cordon.AccessEvent{UserID: a.UserID, OrgID: a.OrgID, Resource: cordon.ResJob, ResourceID: id,
		Action: cordon.ActDownload, Decision: cordon.Allow, Purpose: "job:" + id, ContractNo: dec.ContractNo,
		Clause: dec.Clause, RequestID: m.RequestID, ClientIP: m.ClientIP, FileSHA256: ans.Value}
	if err := s.cfg.Access.RecordAccess(ctx, ev); err != nil {
		return nil, fmt.Errorf("record checklist photo download: %w", err)
	}
	return &cordon.ChecklistPhoto{MediaType: ans.MediaType, SHA256: ans.Value, Content: content}, nil
}

// number writes a measurement as the domain does.
func number(f float64) string { return cordon.FormatMeasurement(f) }

func unitSuffix(u string) string {
	if u == "" {
		return ""
	}
	return " " + u
}

// sha256Hex is the hex SHA-256 of b, a photo's name in the blob store.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
