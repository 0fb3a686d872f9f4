package store

import (
	"context"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// jobRow is the jobs table.
type jobRow struct {
	ID             int64 `gorm:"primaryKey"`
	RequestID      int64
	PartnerID      *int64
	ContractID     *int64
	AssigneeID     *int64
	Status         string
	OfferedAt      time.Time
	OfferExpiresAt *time.Time
	AcceptedAt     *time.Time
	ResolvedAt     *time.Time
	ClosedAt       *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (jobRow) TableName() string { return "jobs" }

func toJob(r *jobRow) *cordon.Job {
	return &cordon.Job{
		ID: r.ID, RequestID: r.RequestID, PartnerID: r.PartnerID, ContractID: r.ContractID,
		AssigneeID: r.AssigneeID, Status: cordon.JobStatus(r.Status), OfferedAt: r.OfferedAt,
		OfferExpiresAt: r.OfferExpiresAt, AcceptedAt: r.AcceptedAt, ResolvedAt: r.ResolvedAt,
		ClosedAt: r.ClosedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// jobEventRow is the job_events table.
type jobEventRow struct {
	ID      int64 `gorm:"primaryKey"`
	JobID   int64
	At      time.Time
	ActorID *int64
	From    string `gorm:"column:from_status"`
	To      string `gorm:"column:to_status"`
	Note    string
}

func (jobEventRow) TableName() string { return "job_events" }

func toJobEvent(r *jobEventRow) *cordon.JobEvent {
	return &cordon.JobEvent{
		ID: r.ID, JobID: r.JobID, At: r.At, ActorID: r.ActorID,
		From: cordon.JobStatus(r.From), To: cordon.JobStatus(r.To), Note: r.Note,
	}
}

// validJobStatus reports whether s is one of cordon.JobStatuses.
func validJobStatus(s cordon.JobStatus) bool {
	for _, x := range cordon.JobStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// JobService implements cordon.JobService.
type JobService struct{ db *DB }

var _ cordon.JobService = (*JobService)(nil)

// NewJobService returns the job store.
func NewJobService(db *DB) *JobService { return &JobService{db: db} }

// CreateJob stores j and its first event in one transaction and sets their
// IDs. A zero CreatedAt means now, a zero UpdatedAt means CreatedAt, a zero
// OfferedAt means CreatedAt; a zero first.At means the offer time. A nil
// first records the job's creation in its current status. EINVALID naming
// the field for an unknown status.
func (s *JobService) CreateJob(ctx context.Context, j *cordon.Job, first *cordon.JobEvent) error {
	if !validJobStatus(j.Status) {
		return cordon.FieldErrorf("status", "Status %q is not a job status.", j.Status)
	}
	if first == nil {
		first = &cordon.JobEvent{To: j.Status}
	}
	if err := validateJobEvent(first); err != nil {
		return err
	}
	created := timeOrNow(s.db, j.CreatedAt)
	updated := j.UpdatedAt.UTC()
	if j.UpdatedAt.IsZero() {
		updated = created
	}
	offered := j.OfferedAt.UTC()
	if j.OfferedAt.IsZero() {
		offered = created
	}
	row := jobRow{
		RequestID: j.RequestID, PartnerID: j.PartnerID, ContractID: j.ContractID,
		AssigneeID: j.AssigneeID, Status: string(j.Status), OfferedAt: offered,
		OfferExpiresAt: utcPtr(j.OfferExpiresAt), AcceptedAt: utcPtr(j.AcceptedAt),
		ResolvedAt: utcPtr(j.ResolvedAt), ClosedAt: utcPtr(j.ClosedAt),
		CreatedAt: created, UpdatedAt: updated,
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.db.conn(ctx).Create(&row).Error; err != nil {
			return TranslateError(err, "Job")
		}
		first.JobID = row.ID
		if first.At.IsZero() {
			first.At = offered
		}
		if err := s.addEvent(ctx, first); err != nil {
			return err
		}
		*j = *toJob(&row)
		return nil
	})
}

// AddJobEvent appends e to its job's timeline and sets its ID; a zero At
// means now. It does not change the job itself. EINVALID naming the field
// for an unknown status, or when the job or actor does not exist.
func (s *JobService) AddJobEvent(ctx context.Context, e *cordon.JobEvent) error {
	if err := validateJobEvent(e); err != nil {
		return err
	}
	return s.addEvent(ctx, e)
}

func validateJobEvent(e *cordon.JobEvent) error {
	if e.From != "" && !validJobStatus(e.From) {
		return cordon.FieldErrorf("from", "Status %q is not a job status.", e.From)
	}
	if !validJobStatus(e.To) {
		return cordon.FieldErrorf("to", "Status %q is not a job status.", e.To)
	}
	return nil
}

func (s *JobService) addEvent(ctx context.Context, e *cordon.JobEvent) error {
	row := jobEventRow{
		JobID: e.JobID, At: timeOrNow(s.db, e.At), ActorID: e.ActorID,
		From: string(e.From), To: string(e.To), Note: e.Note,
	}
	if err := s.db.conn(ctx).Create(&row).Error; err != nil {
		return TranslateError(err, "Job event")
	}
	*e = *toJobEvent(&row)
	return nil
}

// FindJobByID returns ENOTFOUND when there is no such job.
func (s *JobService) FindJobByID(ctx context.Context, id int64) (*cordon.Job, error) {
	var r jobRow
	if err := s.db.conn(ctx).First(&r, id).Error; err != nil {
		return nil, TranslateError(err, "Job")
	}
	return toJob(&r), nil
}

// FindJobEvents returns the timeline of a job, oldest first; empty when the
// job has none or does not exist.
func (s *JobService) FindJobEvents(ctx context.Context, jobID int64) ([]*cordon.JobEvent, error) {
	var rows []jobEventRow
	if err := s.db.conn(ctx).Where("job_id = ?", jobID).Order("at, id").Find(&rows).Error; err != nil {
		return nil, TranslateError(err, "Job event")
	}
	out := make([]*cordon.JobEvent, len(rows))
	for i := range rows {
		out[i] = toJobEvent(&rows[i])
	}
	return out, nil
}
