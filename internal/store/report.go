package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/cordon/cordon/internal/cordon"
)

// reportRow is the service_reports table.
type reportRow struct {
	ID          int64 `gorm:"primaryKey"`
	JobID       int64
	Version     int
	AmendsID    *int64
	Reason      string
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
		ID: r.ID, JobID: r.JobID, Version: r.Version, AmendsID: r.AmendsID, Reason: r.Reason,
		Actions: r.Actions, PartsUsed: r.PartsUsed,
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
	if r.Version == 0 {
		r.Version = 1
	}
	row := reportRow{
		JobID: r.JobID, Version: r.Version, AmendsID: r.AmendsID, Reason: r.Reason, Actions: r.Actions, PartsUsed: r.PartsUsed, RootCause: string(r.RootCause),
		SignoffName: r.SignoffName, SignoffAt: utcPtr(r.SignoffAt), CreatedBy: r.CreatedBy,
		CreatedAt: timeOrNow(s.db, r.CreatedAt),
	}
	// A savepoint, so that losing the race to another filing leaves the
	// request's transaction usable (the page shows the form again).
	if err := s.db.conn(ctx).Transaction(func(tx *gorm.DB) error { return tx.Create(&row).Error }); err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) { // (job, version) or amends: another filing won
			return cordon.Err(cordon.ECONFLICT, "store.report_amended_meanwhile")
		}
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
// blob store by its SHA-256, in one transaction, and tells the outbox.
func (s *ReportStore) FileReport(ctx context.Context, r *cordon.ServiceReport, files []cordon.AttachmentUpload) ([]*cordon.Attachment, error) {
	return s.fileReport(ctx, r, files, true)
}

// ImportReport is FileReport for work done in the past (the demo world):
// the same rows, no outbox event.
func (s *ReportStore) ImportReport(ctx context.Context, r *cordon.ServiceReport, files []cordon.AttachmentUpload) ([]*cordon.Attachment, error) {
	return s.fileReport(ctx, r, files, false)
}

func (s *ReportStore) fileReport(ctx context.Context, r *cordon.ServiceReport, files []cordon.AttachmentUpload, tell bool) ([]*cordon.Attachment, error) {
	var out []*cordon.Attachment
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.CreateReport(ctx, r); err != nil {
			return err
		}
		for _, f := range files {
			now := s.db.Now()
			hexSum, err := s.db.putBlob(ctx, f.Content, now)
			if err != nil {
				return err
			}
			row := attachmentRow{ReportID: r.ID, MediaType: f.MediaType, Size: int64(len(f.Content)), SHA256: hexSum, CreatedAt: now}
			if err := s.db.conn(ctx).Create(&row).Error; err != nil {
				return TranslateError(err, "Attachment")
			}
			out = append(out, &cordon.Attachment{ID: row.ID, ReportID: r.ID, MediaType: row.MediaType, Size: row.Size, SHA256: hexSum, CreatedAt: now})
		}
		if !tell {
			return nil
		}
		var j jobRow // outbox: the report
		if err := s.db.conn(ctx).First(&j, r.JobID).Error; err != nil {
			return TranslateError(err, "Job")
		}
		by := r.CreatedBy
		return s.db.writeOutbox(ctx, cordon.EventReportFiled, &j, &by, r.CreatedAt,
			map[string]any{"report_id": r.ID, "version": r.Version, "root_cause": r.RootCause, "attachments": len(out)})
	})
	r.Attachments = out
	return out, err
}

func toAttachment(a *attachmentRow) *cordon.Attachment {
	return &cordon.Attachment{ID: a.ID, ReportID: a.ReportID, MediaType: a.MediaType, Size: a.Size, SHA256: a.SHA256, CreatedAt: a.CreatedAt}
}

// FindReports returns every version of the job's report with its
// attachments, newest first.
func (s *ReportStore) FindReports(ctx context.Context, jobID int64) ([]*cordon.ServiceReport, error) {
	var rows []reportRow
	if err := s.db.conn(ctx).Where("job_id = ?", jobID).Order("version DESC").Find(&rows).Error; err != nil {
		return nil, TranslateError(err, "Service report")
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	byID := make(map[int64]*cordon.ServiceReport, len(rows))
	out := make([]*cordon.ServiceReport, len(rows))
	for i := range rows {
		out[i] = toReport(&rows[i])
		ids[i], byID[rows[i].ID] = rows[i].ID, out[i]
	}
	var atts []attachmentRow
	if err := s.db.conn(ctx).Where("report_id IN ?", ids).Order("id").Find(&atts).Error; err != nil {
		return nil, TranslateError(err, "Attachment")
	}
	for i := range atts {
		r := byID[atts[i].ReportID]
		r.Attachments = append(r.Attachments, toAttachment(&atts[i]))
	}
	return out, nil
}

// FindAttachment returns an attachment of one of the job's reports and
// its content; ENOTFOUND when the job has no such attachment.
func (s *ReportStore) FindAttachment(ctx context.Context, jobID, attachmentID int64) (*cordon.Attachment, []byte, error) {
	var a attachmentRow
	err := s.db.conn(ctx).Table("report_attachments").Select("report_attachments.*").
		Joins("JOIN service_reports sr ON sr.id = report_attachments.report_id").
		Where("report_attachments.id = ? AND sr.job_id = ?", attachmentID, jobID).Take(&a).Error
	if err != nil {
		return nil, nil, TranslateError(err, "Attachment")
	}
	content, err := s.db.findBlob(ctx, a.SHA256)
	if err != nil {
		return nil, nil, err
	}
	return toAttachment(&a), content, nil
}

// signoffRow is the job_signoffs table.
type signoffRow struct {
	ID             int64 `gorm:"primaryKey"`
	JobID          int64
	Method         string
	SignerName     string
	SignerPosition string
	SHA256         *string `gorm:"column:sha256"`
	Size           int64
	SignedAt       time.Time
	RecordedBy     int64
}

func (signoffRow) TableName() string { return "job_signoffs" }

func toSignOff(r *signoffRow) *cordon.SignOff {
	out := &cordon.SignOff{ID: r.ID, JobID: r.JobID, Method: cordon.SignOffMethod(r.Method), SignerName: r.SignerName,
		SignerPosition: r.SignerPosition, Size: r.Size, SignedAt: r.SignedAt, RecordedBy: r.RecordedBy}
	if r.SHA256 != nil {
		out.SHA256 = *r.SHA256
	}
	return out
}

// CreateSignOff stores the sign-off, its image and the timeline event in
// one transaction, and tells the outbox (EventSignedOff).
func (s *ReportStore) CreateSignOff(ctx context.Context, so *cordon.SignOff, image []byte, ev *cordon.JobEvent) error {
	return s.createSignOff(ctx, so, image, ev, true)
}

// ImportSignOff is CreateSignOff for a sign-off given in the past (the
// demo world): the same rows, no outbox event.
func (s *ReportStore) ImportSignOff(ctx context.Context, so *cordon.SignOff, image []byte, ev *cordon.JobEvent) error {
	return s.createSignOff(ctx, so, image, ev, false)
}

func (s *ReportStore) createSignOff(ctx context.Context, so *cordon.SignOff, image []byte, ev *cordon.JobEvent, tell bool) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		var j jobRow
		if err := s.db.conn(ctx).First(&j, so.JobID).Error; err != nil {
			return TranslateError(err, "Job")
		}
		row := signoffRow{JobID: so.JobID, Method: string(so.Method), SignerName: so.SignerName,
			SignerPosition: so.SignerPosition, SignedAt: timeOrNow(s.db, so.SignedAt), RecordedBy: so.RecordedBy}
		if len(image) > 0 {
			sum, err := s.db.putBlob(ctx, image, row.SignedAt)
			if err != nil {
				return err
			}
			row.SHA256, row.Size = &sum, int64(len(image))
		}
		if err := s.db.conn(ctx).Create(&row).Error; err != nil {
			return TranslateError(err, "Sign-off")
		}
		*so = *toSignOff(&row)
		ev.JobID = so.JobID
		if err := s.db.addJobEvent(ctx, ev); err != nil {
			return err
		}
		if !tell {
			return nil
		}
		by := so.RecordedBy
		return s.db.writeOutbox(ctx, cordon.EventSignedOff, &j, &by, row.SignedAt,
			map[string]any{"signoff_id": so.ID, "method": so.Method})
	})
}

// FindSignOffs returns the job's sign-offs, newest first.
func (s *ReportStore) FindSignOffs(ctx context.Context, jobID int64) ([]*cordon.SignOff, error) {
	var rows []signoffRow
	if err := s.db.conn(ctx).Where("job_id = ?", jobID).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, TranslateError(err, "Sign-off")
	}
	out := make([]*cordon.SignOff, len(rows))
	for i := range rows {
		out[i] = toSignOff(&rows[i])
	}
	return out, nil
}

// FindBlob returns a stored file's content by its SHA-256; ENOTFOUND.
func (s *ReportStore) FindBlob(ctx context.Context, sha string) ([]byte, error) {
	return s.db.findBlob(ctx, sha)
}
