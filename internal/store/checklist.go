package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/cordon/cordon/internal/cordon"
)

// checklistTemplateRow is the checklist_templates table: one row per
// version.
type checklistTemplateRow struct {
	ID            int64 `gorm:"primaryKey"`
	Key           string
	Version       int
	Title         string
	Category      string
	ProductLineID *int64
	ModelID       *int64
	Items         string // a JSON array of itemJSON
	CreatedBy     int64
	CreatedAt     time.Time
	RetiredAt     *time.Time
}

func (checklistTemplateRow) TableName() string { return "checklist_templates" }

// itemJSON is how a template item is stored in the items column.
type itemJSON struct {
	Key      string   `json:"key"`
	Label    string   `json:"label"`
	Kind     string   `json:"kind"`
	Required bool     `json:"required,omitempty"`
	Unit     string   `json:"unit,omitempty"`
	Min      *float64 `json:"min,omitempty"`
	Max      *float64 `json:"max,omitempty"`
	Help     string   `json:"help,omitempty"`
}

// jobChecklistRow is the job_checklists table.
type jobChecklistRow struct {
	JobID      int64 `gorm:"primaryKey;autoIncrement:false"`
	TemplateID int64
	BoundAt    time.Time
}

func (jobChecklistRow) TableName() string { return "job_checklists" }

// checklistAnswerRow is the checklist_answers table.
type checklistAnswerRow struct {
	ID         int64 `gorm:"primaryKey"`
	JobID      int64
	ItemKey    string
	Value      string
	Number     *float64
	Photo      *string
	MediaType  string
	Flagged    bool
	AnsweredBy int64
	AnsweredAt time.Time
}

func (checklistAnswerRow) TableName() string { return "checklist_answers" }

func toChecklistAnswer(r *checklistAnswerRow) *cordon.ChecklistAnswer {
	return &cordon.ChecklistAnswer{JobID: r.JobID, ItemKey: r.ItemKey, Value: r.Value, Number: r.Number,
		MediaType: r.MediaType, Flagged: r.Flagged, AnsweredBy: r.AnsweredBy, AnsweredAt: r.AnsweredAt}
}

// ChecklistStore implements cordon.ChecklistStore.
type ChecklistStore struct{ db *DB }

var _ cordon.ChecklistStore = (*ChecklistStore)(nil)

// NewChecklistStore returns the checklist store.
func NewChecklistStore(db *DB) *ChecklistStore { return &ChecklistStore{db: db} }

// CreateTemplate stores t as a new version and sets its ID; ECONFLICT
// when the key has that version already.
func (s *ChecklistStore) CreateTemplate(ctx context.Context, t *cordon.ChecklistTemplate) error {
	items := make([]itemJSON, len(t.Items))
	for i, it := range t.Items {
		items[i] = itemJSON{Key: it.Key, Label: it.Label, Kind: string(it.Kind), Required: it.Required,
			Unit: it.Unit, Min: it.Min, Max: it.Max, Help: it.Help}
	}
	b, err := json.Marshal(items)
	if err != nil {
		return fmt.Errorf("checklist items: %w", err)
	}
	row := checklistTemplateRow{Key: t.Key, Version: t.Version, Title: t.Title, Category: string(t.Category),
		ProductLineID: t.ProductLineID, ModelID: t.ModelID, Items: string(b), CreatedBy: t.CreatedBy,
		CreatedAt: timeOrNow(s.db, t.CreatedAt)}
	if err := s.db.conn(ctx).Create(&row).Error; err != nil {
		return TranslateError(err, "Checklist template")
	}
	t.ID, t.CreatedAt = row.ID, row.CreatedAt
	return nil
}

// latest selects the rows that are their key's newest version.
const latest = "NOT EXISTS (SELECT 1 FROM checklist_templates n WHERE n.key = checklist_templates.key AND n.version > checklist_templates.version)"

// FindTemplates returns a page of latest versions, by key, and the total.
func (s *ChecklistStore) FindTemplates(ctx context.Context, f cordon.ChecklistTemplateFilter) ([]*cordon.ChecklistTemplate, int, error) {
	q := s.db.conn(ctx).Model(&checklistTemplateRow{}).Where(latest)
	if f.Retired {
		q = q.Where("retired_at IS NOT NULL")
	} else {
		q = q.Where("retired_at IS NULL")
	}
	if f.Category != "" {
		q = q.Where("category = ?", string(f.Category))
	}
	if text := strings.TrimSpace(f.Query); text != "" {
		p := containsPattern(text)
		q = q.Where(`(lower(key) LIKE ? ESCAPE '\' OR lower(title) LIKE ? ESCAPE '\')`, p, p)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, TranslateError(err, "Checklist template")
	}
	q = q.Order("category, key").Offset(f.Offset)
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []checklistTemplateRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, 0, TranslateError(err, "Checklist template")
	}
	out, err := s.toTemplates(ctx, rows)
	return out, int(total), err
}

// FindTemplateByID returns one version; ENOTFOUND.
func (s *ChecklistStore) FindTemplateByID(ctx context.Context, id int64) (*cordon.ChecklistTemplate, error) {
	var r checklistTemplateRow
	if err := s.db.conn(ctx).First(&r, id).Error; err != nil {
		return nil, TranslateError(err, "Checklist template")
	}
	out, err := s.toTemplates(ctx, []checklistTemplateRow{r})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// FindTemplateVersions returns the key's versions, newest first.
func (s *ChecklistStore) FindTemplateVersions(ctx context.Context, key string) ([]*cordon.ChecklistTemplate, error) {
	var rows []checklistTemplateRow
	if err := s.db.conn(ctx).Where("key = ?", key).Order("version DESC").Find(&rows).Error; err != nil {
		return nil, TranslateError(err, "Checklist template")
	}
	return s.toTemplates(ctx, rows)
}

// FindActiveTemplates returns the latest unretired version of every
// template of the category.
func (s *ChecklistStore) FindActiveTemplates(ctx context.Context, c cordon.Category) ([]*cordon.ChecklistTemplate, error) {
	var rows []checklistTemplateRow
	err := s.db.conn(ctx).Where(latest).Where("retired_at IS NULL AND category = ?", string(c)).Order("key").Find(&rows).Error
	if err != nil {
		return nil, TranslateError(err, "Checklist template")
	}
	return s.toTemplates(ctx, rows)
}

// RetireTemplate marks the version retired, once; ECONFLICT when it is.
func (s *ChecklistStore) RetireTemplate(ctx context.Context, id int64, at time.Time) error {
	res := s.db.conn(ctx).Model(&checklistTemplateRow{}).Where("id = ? AND retired_at IS NULL", id).Update("retired_at", at.UTC())
	if res.Error != nil {
		return TranslateError(res.Error, "Checklist template")
	}
	if res.RowsAffected == 0 {
		return cordon.Err(cordon.ECONFLICT, "checklist.already_retired")
	}
	return nil
}

// toTemplates converts rows, with their line and model codes, whether
// each is its key's latest version, and the jobs bound to each.
func (s *ChecklistStore) toTemplates(ctx context.Context, rows []checklistTemplateRow) ([]*cordon.ChecklistTemplate, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	ids, keys := make([]int64, len(rows)), make([]string, len(rows))
	var lineIDs, modelIDs []int64
	for i, r := range rows {
		ids[i], keys[i] = r.ID, r.Key
		if r.ProductLineID != nil {
			lineIDs = append(lineIDs, *r.ProductLineID)
		}
		if r.ModelID != nil {
			modelIDs = append(modelIDs, *r.ModelID)
		}
	}
	lines, models := map[int64]string{}, map[int64]string{}
	if len(lineIDs) > 0 {
		var ls []productLineRow
		if err := s.db.conn(ctx).Where("id IN ?", lineIDs).Find(&ls).Error; err != nil {
			return nil, TranslateError(err, "Product line")
		}
		for _, l := range ls {
			lines[l.ID] = l.Code
		}
	}
	if len(modelIDs) > 0 {
		var ms []modelRow
		if err := s.db.conn(ctx).Where("id IN ?", modelIDs).Find(&ms).Error; err != nil {
			return nil, TranslateError(err, "Model")
		}
		for _, m := range ms {
			models[m.ID] = m.Code
		}
	}
	var newest []struct {
		Key     string
		Version int
	}
	if err := s.db.conn(ctx).Model(&checklistTemplateRow{}).Select("key, max(version) AS version").
		Where("key IN ?", keys).Group("key").Scan(&newest).Error; err != nil {
		return nil, TranslateError(err, "Checklist template")
	}
	top := map[string]int{}
	for _, n := range newest {
		top[n.Key] = n.Version
	}
	var bound []struct {
		TemplateID int64
		N          int
	}
	if err := s.db.conn(ctx).Model(&jobChecklistRow{}).Select("template_id, count(*) AS n").
		Where("template_id IN ?", ids).Group("template_id").Scan(&bound).Error; err != nil {
		return nil, TranslateError(err, "Checklist template")
	}
	jobs := map[int64]int{}
	for _, b := range bound {
		jobs[b.TemplateID] = b.N
	}
	out := make([]*cordon.ChecklistTemplate, len(rows))
	for i := range rows {
		r := &rows[i]
		var items []itemJSON
		if err := json.Unmarshal([]byte(r.Items), &items); err != nil {
			return nil, fmt.Errorf("checklist template %d: items: %w", r.ID, err)
		}
		t := &cordon.ChecklistTemplate{ID: r.ID, Key: r.Key, Version: r.Version, Title: r.Title,
			Category: cordon.Category(r.Category), ProductLineID: r.ProductLineID, ModelID: r.ModelID,
			CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, RetiredAt: r.RetiredAt,
			Latest: top[r.Key] == r.Version, Jobs: jobs[r.ID], Items: make([]cordon.ChecklistItem, len(items))}
		if r.ProductLineID != nil {
			t.ProductLine = lines[*r.ProductLineID]
		}
		if r.ModelID != nil {
			t.Model = models[*r.ModelID]
		}
		for k, it := range items {
			t.Items[k] = cordon.ChecklistItem{Key: it.Key, Label: it.Label, Kind: cordon.ChecklistItemKind(it.Kind),
				Required: it.Required, Unit: it.Unit, Min: it.Min, Max: it.Max, Help: it.Help}
		}
		out[i] = t
	}
	return out, nil
}

// BindJob binds the job to the version; ECONFLICT when it has one.
func (s *ChecklistStore) BindJob(ctx context.Context, jobID, templateID int64, at time.Time) error {
	row := jobChecklistRow{JobID: jobID, TemplateID: templateID, BoundAt: at.UTC()}
	if err := s.db.conn(ctx).Create(&row).Error; err != nil {
		return TranslateError(err, "Job checklist")
	}
	return nil
}

// FindJobChecklist returns the job's version, when it was bound, and its
// answers; ENOTFOUND when the job has no checklist.
func (s *ChecklistStore) FindJobChecklist(ctx context.Context, jobID int64) (*cordon.ChecklistTemplate, time.Time, []*cordon.ChecklistAnswer, error) {
	var b jobChecklistRow
	if err := s.db.conn(ctx).Where("job_id = ?", jobID).First(&b).Error; err != nil {
		return nil, time.Time{}, nil, TranslateError(err, "Job checklist")
	}
	t, err := s.FindTemplateByID(ctx, b.TemplateID)
	if err != nil {
		return nil, time.Time{}, nil, err
	}
	var rows []checklistAnswerRow
	if err := s.db.conn(ctx).Where("job_id = ?", jobID).Order("id").Find(&rows).Error; err != nil {
		return nil, time.Time{}, nil, TranslateError(err, "Checklist answer")
	}
	out := make([]*cordon.ChecklistAnswer, len(rows))
	for i := range rows {
		out[i] = toChecklistAnswer(&rows[i])
	}
	return t, b.BoundAt, out, nil
}

// SaveAnswers writes the answers, replacing each item's answer before,
// the timeline events, and an outbox event for each flagged answer, in
// one transaction. photo is the content of the one photo answer, if any,
// stored once by its SHA-256 (the answer's Value).
func (s *ChecklistStore) SaveAnswers(ctx context.Context, j *cordon.Job, answers []*cordon.ChecklistAnswer, events []*cordon.JobEvent, photo []byte) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		now := s.db.Now()
		var sum string
		if photo != nil {
			h := sha256.Sum256(photo)
			sum = hex.EncodeToString(h[:])
			blob := blobRow{SHA256: sum, Size: int64(len(photo)), Content: photo, CreatedAt: now}
			if err := s.db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&blob).Error; err != nil {
				return TranslateError(err, "Photo")
			}
		}
		for _, a := range answers {
			row := checklistAnswerRow{JobID: j.ID, ItemKey: a.ItemKey, Value: a.Value, Number: a.Number, MediaType: a.MediaType,
				Flagged: a.Flagged, AnsweredBy: a.AnsweredBy, AnsweredAt: timeOrNow(s.db, a.AnsweredAt)}
			if a.MediaType != "" && a.Value != "" {
				if a.Value != sum {
					return fmt.Errorf("checklist photo answer %s: value %s is not the file's sum", a.ItemKey, a.Value)
				}
				row.Photo = &sum
			}
			err := s.db.conn(ctx).Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "job_id"}, {Name: "item_key"}},
				DoUpdates: clause.AssignmentColumns([]string{"value", "number", "photo", "media_type", "flagged", "answered_by", "answered_at"}),
			}).Create(&row).Error
			if err != nil {
				return TranslateError(err, "Checklist answer")
			}
			a.JobID, a.AnsweredAt = j.ID, row.AnsweredAt
		}
		jobs := NewJobStore(s.db)
		for _, e := range events {
			e.JobID = j.ID
			if err := jobs.AddJobEvent(ctx, e); err != nil {
				return err
			}
		}
		for _, a := range answers {
			if !a.Flagged {
				continue
			}
			by := a.AnsweredBy
			if err := s.db.writeOutbox(ctx, cordon.EventChecklistFlagged, outboxJob(j), &by, a.AnsweredAt,
				map[string]any{"item": a.ItemKey}); err != nil {
				return err
			}
		}
		return nil
	})
}

// FindPhoto returns a photo answer and its file; ENOTFOUND when the item
// has no photo.
func (s *ChecklistStore) FindPhoto(ctx context.Context, jobID int64, item string) (*cordon.ChecklistAnswer, []byte, error) {
	var r checklistAnswerRow
	err := s.db.conn(ctx).Where("job_id = ? AND item_key = ? AND photo IS NOT NULL AND value <> ''", jobID, item).First(&r).Error
	if err != nil {
		return nil, nil, TranslateError(err, "Photo")
	}
	var b blobRow
	if err := s.db.conn(ctx).Where("sha256 = ?", *r.Photo).First(&b).Error; err != nil {
		return nil, nil, TranslateError(err, "Photo")
	}
	return toChecklistAnswer(&r), b.Content, nil
}

// withChecklistFlags fills each job's ChecklistFlags: its answers out of
// limits, in one query.
func withChecklistFlags(conn *gorm.DB, jobs []*cordon.Job) error {
	if len(jobs) == 0 {
		return nil
	}
	ids := make([]int64, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
	}
	var rows []struct {
		JobID int64
		N     int
	}
	if err := conn.Model(&checklistAnswerRow{}).Select("job_id, count(*) AS n").
		Where("job_id IN ? AND flagged", ids).Group("job_id").Scan(&rows).Error; err != nil {
		return TranslateError(err, "Checklist answer")
	}
	n := make(map[int64]int, len(rows))
	for _, r := range rows {
		n[r.JobID] = r.N
	}
	for _, j := range jobs {
		j.ChecklistFlags = n[j.ID]
	}
	return nil
}
