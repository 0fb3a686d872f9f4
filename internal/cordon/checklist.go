package cordon

import (
	"context"
	"strconv"
	"time"
)

// Checklists: what a technician checks, measures, writes down and
// photographs on a job, from a template quality keeps per service type
// (a request category), optionally narrowed to a product line or one
// model. Templates are versioned: an edit is a new version, and a job
// keeps the version it was offered with (docs/checklists.md).

// ResChecklist is the resource of checklist templates in role rules. A
// job's own checklist is reached through the job (ResJob) instead.
const ResChecklist = "checklist"

// ChecklistItemKind is what an item asks for.
type ChecklistItemKind string

// The item kinds.
const (
	ItemCheck       ChecklistItemKind = "check"       // pass, fail or not applicable
	ItemMeasurement ChecklistItemKind = "measurement" // a number in a unit, within limits
	ItemText        ChecklistItemKind = "text"        // free text
	ItemPhoto       ChecklistItemKind = "photo"       // an image, uploaded
)

// ChecklistItemKinds lists every item kind.
var ChecklistItemKinds = []ChecklistItemKind{ItemCheck, ItemMeasurement, ItemText, ItemPhoto}

// Valid reports whether k is a known item kind.
func (k ChecklistItemKind) Valid() bool {
	for _, x := range ChecklistItemKinds {
		if k == x {
			return true
		}
	}
	return false
}

// The answers of a check item.
const (
	CheckPass = "pass"
	CheckFail = "fail"
	CheckNA   = "na"
)

// CheckAnswers lists the answers of a check item.
var CheckAnswers = []string{CheckPass, CheckFail, CheckNA}

// ChecklistItem is one line of a template. Its key is stable across the
// template's versions; Unit, Min and Max belong to measurements only.
type ChecklistItem struct {
	Key      string
	Label    string
	Kind     ChecklistItemKind
	Required bool
	Unit     string
	Min, Max *float64
	Help     string
}

// InLimits reports whether v lies within the item's limits (inclusive);
// an item without limits takes any number.
func (it *ChecklistItem) InLimits(v float64) bool {
	return (it.Min == nil || v >= *it.Min) && (it.Max == nil || v <= *it.Max)
}

// Limits puts the item's limits into words any language reads: "≤ 4 Ω",
// "≥ 2 MΩ", "198–242 V"; "" when it has none.
func (it *ChecklistItem) Limits() string {
	unit := ""
	if it.Unit != "" {
		unit = " " + it.Unit
	}
	switch {
	case it.Min != nil && it.Max != nil:
		return FormatMeasurement(*it.Min) + "–" + FormatMeasurement(*it.Max) + unit
	case it.Min != nil:
		return "≥ " + FormatMeasurement(*it.Min) + unit
	case it.Max != nil:
		return "≤ " + FormatMeasurement(*it.Max) + unit
	}
	return ""
}

// FormatMeasurement writes a number as measurements are shown and kept:
// the shortest form that reads back the same (3.5, 4, 1e-06).
func FormatMeasurement(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// ChecklistTemplate is one version of a template. ID names the version;
// Key names the template across its versions.
type ChecklistTemplate struct {
	ID            int64
	Key           string
	Version       int
	Title         string
	Category      Category
	ProductLineID *int64
	ProductLine   string // the line's code, filled by finders; "" for any line
	ModelID       *int64
	Model         string // the model's code, filled by finders; "" for any model
	Items         []ChecklistItem
	CreatedBy     int64
	CreatedAt     time.Time
	RetiredAt     *time.Time // set on the latest version when the template is retired
	Latest        bool       // the template's newest version, filled by finders
	Jobs          int        // jobs bound to this version, filled by finders
}

// Item returns the template's item with key, or nil.
func (t *ChecklistTemplate) Item(key string) *ChecklistItem {
	for i := range t.Items {
		if t.Items[i].Key == key {
			return &t.Items[i]
		}
	}
	return nil
}

// Specificity ranks how closely a template targets a job: 2 for one
// model, 1 for a product line, 0 for the category alone.
func (t *ChecklistTemplate) Specificity() int {
	switch {
	case t.ModelID != nil:
		return 2
	case t.ProductLineID != nil:
		return 1
	}
	return 0
}

// Fits reports whether the template applies to a request: same category,
// and the line and model, where the template names them, the request's.
func (t *ChecklistTemplate) Fits(r *ServiceRequest) bool {
	if r == nil || t.Category != r.Category {
		return false
	}
	if t.ModelID != nil && (r.ModelID == nil || *r.ModelID != *t.ModelID) {
		return false
	}
	return t.ProductLineID == nil || *t.ProductLineID == r.ProductLineID
}

// ChecklistTemplateInput is a template as its author writes it: product
// line and model by code ("" for any).
type ChecklistTemplateInput struct {
	Key         string
	Title       string
	Category    Category
	ProductLine string
	Model       string
	Items       []ChecklistItem
}

// ChecklistTemplateFilter selects the latest versions of templates.
type ChecklistTemplateFilter struct {
	Query    string // in the key or title
	Category Category
	Retired  bool // list retired templates instead of active ones
	Offset   int
	Limit    int
}

// ChecklistAnswer is a job's answer to one item: the value as text (a
// check's pass/fail/na, a measurement's number, the text, a photo's
// SHA-256), a measurement's number, a photo's type, and whether it lies
// outside the item's limits. An empty Value is an answer cleared.
type ChecklistAnswer struct {
	JobID      int64
	ItemKey    string
	Value      string
	Number     *float64
	MediaType  string
	Flagged    bool
	AnsweredBy int64
	AnsweredAt time.Time
}

// ChecklistAnswerInput is one answer as a technician gives it. Value ""
// clears the answer; a photo is uploaded instead (SavePhoto).
type ChecklistAnswerInput struct {
	Item  string
	Value string
}

// JobChecklist is a job's checklist: the template version it was bound
// to, the answers by item key, the required items still empty, and the
// answers out of limits.
type JobChecklist struct {
	JobID     int64
	Template  *ChecklistTemplate
	Answers   map[string]*ChecklistAnswer
	Missing   []string // keys of required items without an answer, in template order
	Flags     int      // answers out of limits
	CanAnswer bool     // the caller may answer now
	BoundAt   time.Time
}

// Answer returns the answer to item key, or nil when there is none.
func (c *JobChecklist) Answer(key string) *ChecklistAnswer {
	if a := c.Answers[key]; a != nil && a.Value != "" {
		return a
	}
	return nil
}

// ChecklistPhoto is a photo answer's file.
type ChecklistPhoto struct {
	MediaType string
	SHA256    string
	Content   []byte
}

// The limits of templates and answers.
const (
	MaxChecklistItems      = 100
	MaxChecklistTextAnswer = 2000
	MaxChecklistPhotoBytes = MaxReportAttachmentBytes
	MaxChecklistYAMLBytes  = 256 << 10
)

// ChecklistStates are the job statuses in which a checklist may be
// answered: at the site, paused there included. Once the job is resolved
// the answers are what quality verifies; a reopened job goes back on site.
var ChecklistStates = []JobStatus{JobOnSite, JobWaitingCustomer, JobWaitingParts}

// ChecklistService is checklist templates as quality keeps them and job
// checklists as technicians fill them. Template methods answer a partner
// ENOTFOUND; job methods find the job as JobAccess does.
type ChecklistService interface {
	// FindTemplates returns a page of templates (their latest versions)
	// and the total.
	FindTemplates(ctx context.Context, f ChecklistTemplateFilter) ([]*ChecklistTemplate, int, error)
	// FindTemplateByID returns one version; ENOTFOUND.
	FindTemplateByID(ctx context.Context, id int64) (*ChecklistTemplate, error)
	// TemplateVersions returns every version of the template the version
	// id belongs to, newest first; ENOTFOUND.
	TemplateVersions(ctx context.Context, id int64) ([]*ChecklistTemplate, error)
	// CreateTemplate stores version 1 of a new template; EINVALID naming
	// the field, ECONFLICT when the key is taken or an active template
	// targets the same category, line and model.
	CreateTemplate(ctx context.Context, in ChecklistTemplateInput) (*ChecklistTemplate, error)
	// ReviseTemplate stores the next version of the template whose latest
	// version is id; the versions before stay as they are. ECONFLICT when
	// id is not the latest version (an old version never changes: jobs
	// keep it) or the template is retired.
	ReviseTemplate(ctx context.Context, id int64, in ChecklistTemplateInput) (*ChecklistTemplate, error)
	// RetireTemplate stops offering the template to new jobs; jobs bound
	// to it keep it. ECONFLICT when already retired or id is not the latest.
	RetireTemplate(ctx context.Context, id int64) (*ChecklistTemplate, error)
	// ImportTemplate reads a template's YAML source (checked against
	// contracts/checklist.schema.json) and creates it, or revises it when
	// its key exists; EINVALID naming each problem's line.
	ImportTemplate(ctx context.Context, src []byte) (*ChecklistTemplate, error)
	// ReviseTemplateSource is ReviseTemplate from YAML source, whose key
	// must be the template's; EINVALID naming each problem's line.
	ReviseTemplateSource(ctx context.Context, id int64, src []byte) (*ChecklistTemplate, error)
	// ExportTemplate returns the version as YAML source; ENOTFOUND.
	ExportTemplate(ctx context.Context, id int64) ([]byte, error)

	// JobChecklist returns the job's checklist with its answers; a
	// partner's read is an access event naming the job. ENOTFOUND when
	// the job is outside the caller's scope or has no checklist.
	JobChecklist(ctx context.Context, jobID int64) (*JobChecklist, error)
	// SaveAnswers saves some of the job's answers, all or none: EINVALID
	// naming the item for an unknown item or a bad value, EFORBIDDEN for
	// someone not working the job, ECONFLICT outside ChecklistStates.
	// An answer outside an item's limits is flagged, on the timeline and
	// to quality.
	SaveAnswers(ctx context.Context, jobID int64, in []ChecklistAnswerInput) (*JobChecklist, error)
	// SavePhoto answers a photo item with an image checked by content;
	// errors as SaveAnswers, ETOOLARGE for a file too large.
	SavePhoto(ctx context.Context, jobID int64, item string, content []byte) (*JobChecklist, error)
	// ChecklistPhoto returns a photo answer's file; every download is an
	// access event with the file's SHA-256. ENOTFOUND.
	ChecklistPhoto(ctx context.Context, jobID int64, item string) (*ChecklistPhoto, error)
}

// ChecklistGate is what the dispatcher asks of checklists: bind one to a
// job when it is offered, and say whether the job may be resolved.
type ChecklistGate interface {
	// BindChecklist binds the most specific active template that fits the
	// job's request (model, then product line, then category alone) to
	// the job; a job no template fits gets none.
	BindChecklist(ctx context.Context, j *Job) error
	// CheckResolvable returns ECONFLICT naming the required items still
	// empty; nil for a job without a checklist.
	CheckResolvable(ctx context.Context, j *Job) error
}

// ChecklistStore keeps templates, the bindings of jobs to versions, and
// the answers.
type ChecklistStore interface {
	// CreateTemplate stores a version; ECONFLICT when the key has it.
	CreateTemplate(ctx context.Context, t *ChecklistTemplate) error
	// FindTemplates returns a page of latest versions and the total.
	FindTemplates(ctx context.Context, f ChecklistTemplateFilter) ([]*ChecklistTemplate, int, error)
	// FindTemplateByID returns one version; ENOTFOUND.
	FindTemplateByID(ctx context.Context, id int64) (*ChecklistTemplate, error)
	// FindTemplateVersions returns the key's versions, newest first.
	FindTemplateVersions(ctx context.Context, key string) ([]*ChecklistTemplate, error)
	// FindActiveTemplates returns the latest, unretired version of every
	// template of the category.
	FindActiveTemplates(ctx context.Context, c Category) ([]*ChecklistTemplate, error)
	// RetireTemplate marks the version retired, only if it is not yet;
	// ECONFLICT otherwise.
	RetireTemplate(ctx context.Context, id int64, at time.Time) error
	// BindJob binds the job to the version; ECONFLICT when it has one.
	BindJob(ctx context.Context, jobID, templateID int64, at time.Time) error
	// FindJobChecklist returns the version the job is bound to, when, and
	// its answers; ENOTFOUND when it has none.
	FindJobChecklist(ctx context.Context, jobID int64) (*ChecklistTemplate, time.Time, []*ChecklistAnswer, error)
	// SaveAnswers writes the answers (one per item, replacing any before),
	// the timeline events and, for each flagged answer, an outbox event
	// for quality, in one transaction. photo holds an uploaded file's
	// content, stored by its SHA-256, when one answer is a photo.
	SaveAnswers(ctx context.Context, j *Job, answers []*ChecklistAnswer, events []*JobEvent, photo []byte) error
	// FindPhoto returns a photo answer and its file; ENOTFOUND.
	FindPhoto(ctx context.Context, jobID int64, item string) (*ChecklistAnswer, []byte, error)
}
