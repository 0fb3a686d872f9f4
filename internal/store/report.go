package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/cordon/cordon/internal/cordon"
)

// reportRow is the service_reports table.
type reportRow struct {
	ID          int64 `gorm:"primaryKey"`
	JobID       int64
	Actions     string
	PartsUsed   string
	RootCause   string
	SignoffName string
	SignoffAt   *time.Time
	CreatedBy   int64
	CreatedAt   time.Time
}

func (reportRow) TableName() string { return "service_reports" }

func toReport(r *reportRow) *cordon.ServiceReport {
	return &cordon.ServiceReport{
		ID: r.ID, JobID: r.JobID, Actions: r.Actions, PartsUsed: r.PartsUsed,
		RootCause: cordon.RootCause(r.RootCause), SignoffName: r.SignoffName,
		SignoffAt: r.SignoffAt, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
	}
}

// ReportStore implements cordon.ReportStore.
type ReportStore struct{ db *DB }

var _ cordon.ReportStore = (*ReportStore)(nil)

// NewReportStore returns the service report store.
func NewReportStore(db *DB) *ReportStore { return &ReportStore{db: db} }

// CreateReport stores r and sets its ID; a zero CreatedAt means now.
// EINVALID naming the field on bad input or an unknown job.
func (s *ReportStore) CreateReport(ctx context.Context, r *cordon.ServiceReport) error {
	switch {
	case strings.TrimSpace(r.Actions) == "":
		return cordon.FieldErr("actions", "store.actions_required")
	case !r.RootCause.Valid():
		return cordon.FieldErr("root_cause", "store.root_cause_not_taxonomy", r.RootCause)
	}
	row := reportRow{
		JobID: r.JobID, Actions: r.Actions, PartsUsed: r.PartsUsed, RootCause: string(r.RootCause),
		SignoffName: r.SignoffName, SignoffAt: utcPtr(r.SignoffAt), CreatedBy: r.CreatedBy,
		CreatedAt: timeOrNow(s.db, r.CreatedAt),
	}
	if err := s.db.conn(ctx).Create(&row).Error; err != nil {
		return TranslateError(err, "Service report")
	}
	*r = *toReport(&row)
	return nil
}

// FindReportByID returns ENOTFOUND when there is no such report.
func (s *ReportStore) FindReportByID(ctx context.Context, id int64) (*cordon.ServiceReport, error) {
	var r reportRow
	if err := s.db.conn(ctx).First(&r, id).Error; err != nil {
		return nil, TranslateError(err, "Service report")
	}
	return toReport(&r), nil
}

// attachmentRow is the report_attachments table.
type attachmentRow struct {
	ID        int64 `gorm:"primaryKey"`
	ReportID  int64
	MediaType string
	Size      int64
	SHA256    string `gorm:"column:sha256"`
	CreatedAt time.Time
}

func (attachmentRow) TableName() string { return "report_attachments" }

// FileReport stores the report and its attachments, each file once in the
// blob store by its SHA-256, in one transaction.
func (s *ReportStore) FileReport(ctx context.Context, r *cordon.ServiceReport, files []cordon.AttachmentUpload) ([]*cordon.Attachment, error) {
	var out []*cordon.Attachment
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.CreateReport(ctx, r); err != nil {
			return err
		}
		for _, f := range files {
			sum := sha256.Sum256(f.Content)
			hexSum := hex.EncodeToString(sum[:])
			now := s.db.Now()
			blob := blobRow{SHA256: hexSum, Size: int64(len(f.Content)), Content: f.Content, CreatedAt: now}
			if err := s.db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&blob).Error; err != nil {
				return TranslateError(err, "Attachment")
			}
			row := attachmentRow{ReportID: r.ID, MediaType: f.MediaType, Size: int64(len(f.Content)), SHA256: hexSum, CreatedAt: now}
			if err := s.db.conn(ctx).Create(&row).Error; err != nil {
				return TranslateError(err, "Attachment")
			}
			out = append(out, &cordon.Attachment{ID: row.ID, ReportID: r.ID, MediaType: row.MediaType, Size: row.Size, SHA256: hexSum, CreatedAt: now})
		}
		var j jobRow // outbox: the report
		if err := s.db.conn(ctx).First(&j, r.JobID).Error; err != nil {
			return TranslateError(err, "Job")
		}
		by := r.CreatedBy
		return s.db.writeOutbox(ctx, cordon.EventReportFiled, &j, &by, r.CreatedAt,
			map[string]any{"report_id": r.ID, "root_cause": r.RootCause, "attachments": len(out)})
	})
	return out, err
}
