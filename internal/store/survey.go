package store

import (
	"context"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// surveyRow is the surveys table.
type surveyRow struct {
	ID         int64 `gorm:"primaryKey"`
	JobID      int64
	Channel    string
	TokenHash  *string
	ExpiresAt  *time.Time
	AnsweredAt *time.Time
	Score      int
	Comment    string
	RecordedBy *int64
	CreatedAt  time.Time
}

func (surveyRow) TableName() string { return "surveys" }

func toSurvey(r *surveyRow) *cordon.Survey {
	s := &cordon.Survey{ID: r.ID, JobID: r.JobID, Channel: cordon.SurveyChannel(r.Channel), ExpiresAt: r.ExpiresAt,
		AnsweredAt: r.AnsweredAt, Score: r.Score, Comment: r.Comment, RecordedBy: r.RecordedBy, CreatedAt: r.CreatedAt}
	if r.TokenHash != nil {
		s.TokenHash = *r.TokenHash
	}
	return s
}

// SurveyStore implements cordon.SurveyStore.
type SurveyStore struct{ db *DB }

var _ cordon.SurveyStore = (*SurveyStore)(nil)

// NewSurveyStore returns the survey store.
func NewSurveyStore(db *DB) *SurveyStore { return &SurveyStore{db: db} }

// CreateSurvey stores s and sets its ID.
func (s *SurveyStore) CreateSurvey(ctx context.Context, sv *cordon.Survey) error {
	r := surveyRow{JobID: sv.JobID, Channel: string(sv.Channel), ExpiresAt: utcPtr(sv.ExpiresAt), AnsweredAt: utcPtr(sv.AnsweredAt),
		Score: sv.Score, Comment: sv.Comment, RecordedBy: sv.RecordedBy, CreatedAt: timeOrNow(s.db, sv.CreatedAt)}
	if sv.TokenHash != "" {
		r.TokenHash = &sv.TokenHash
	}
	if err := s.db.conn(ctx).Create(&r).Error; err != nil {
		return TranslateError(err, "Survey")
	}
	*sv = *toSurvey(&r)
	return nil
}

// AnswerSurvey records the answer once, before the link expires.
func (s *SurveyStore) AnswerSurvey(ctx context.Context, tokenHash string, score int, comment string, now time.Time) error {
	res := s.db.conn(ctx).Model(&surveyRow{}).
		Where("token_hash = ? AND answered_at IS NULL AND expires_at > ?", tokenHash, now.UTC()).
		Updates(map[string]any{"answered_at": now.UTC(), "score": score, "comment": comment})
	if res.Error != nil {
		return TranslateError(res.Error, "Survey")
	}
	if res.RowsAffected == 0 {
		return cordon.Err(cordon.ENOTFOUND, "survey_link_not_valid_has")
	}
	return nil
}

// FindSurveyByToken returns the link with tokenHash; ENOTFOUND when none.
func (s *SurveyStore) FindSurveyByToken(ctx context.Context, tokenHash string) (*cordon.Survey, error) {
	var r surveyRow
	if err := s.db.conn(ctx).Where("token_hash = ?", tokenHash).First(&r).Error; err != nil {
		return nil, TranslateError(err, "Survey")
	}
	return toSurvey(&r), nil
}

// FindSurveys returns the answered surveys of the jobs.
func (s *SurveyStore) FindSurveys(ctx context.Context, jobIDs []int64) ([]*cordon.Survey, error) {
	if len(jobIDs) == 0 {
		return nil, nil
	}
	var rows []surveyRow
	if err := s.db.conn(ctx).Where("job_id IN ? AND answered_at IS NOT NULL", jobIDs).Order("id").Find(&rows).Error; err != nil {
		return nil, TranslateError(err, "Survey")
	}
	out := make([]*cordon.Survey, len(rows))
	for i := range rows {
		out[i] = toSurvey(&rows[i])
	}
	return out, nil
}
