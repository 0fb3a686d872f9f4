package store

import (
	"context"
	"encoding/json"
	"fmt"
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
	ID       int64 `gorm:"primaryKey"`
	JobID    int64
	At       time.Time
	ActorID  *int64
	From     string `gorm:"column:from_status"`
	To       string `gorm:"column:to_status"`
	Note     string
	NoteKey  string
	NoteArgs string // a JSON array of strings
}

func (jobEventRow) TableName() string { return "job_events" }

func toJobEvent(r *jobEventRow) *cordon.JobEvent {
	e := &cordon.JobEvent{
		ID: r.ID, JobID: r.JobID, At: r.At, ActorID: r.ActorID,
		From: cordon.JobStatus(r.From), To: cordon.JobStatus(r.To), Note: r.Note, NoteKey: r.NoteKey,
	}
	if r.NoteArgs != "" {
		_ = json.Unmarshal([]byte(r.NoteArgs), &e.NoteArgs) // written below; a bad value shows the English note
	}
	return e
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

// JobStore implements cordon.JobStore.
type JobStore struct{ db *DB }

var _ cordon.JobStore = (*JobStore)(nil)

// NewJobStore returns the job store.
func NewJobStore(db *DB) *JobStore { return &JobStore{db: db} }

// CreateJob stores j and its first event in one transaction and sets their
// IDs. A zero CreatedAt means now, a zero UpdatedAt means CreatedAt, a zero
// OfferedAt means CreatedAt; a zero first.At means the offer time. A nil
// first records the job's creation in its current status. EINVALID naming
// the field for an unknown status.
func (s *JobStore) CreateJob(ctx context.Context, j *cordon.Job, first *cordon.JobEvent) error {
	if !validJobStatus(j.Status) {
		return cordon.FieldErr("status", "store.status_not_job_status", j.Status)
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
func (s *JobStore) AddJobEvent(ctx context.Context, e *cordon.JobEvent) error {
	if err := validateJobEvent(e); err != nil {
		return err
	}
	return s.addEvent(ctx, e)
}

func validateJobEvent(e *cordon.JobEvent) error {
	if e.From != "" && !validJobStatus(e.From) {
		return cordon.FieldErr("from", "store.status_not_job_status", e.From)
	}
	if !validJobStatus(e.To) {
		return cordon.FieldErr("to", "store.status_not_job_status", e.To)
	}
	return nil
}

func (s *JobStore) addEvent(ctx context.Context, e *cordon.JobEvent) error {
	return s.db.addJobEvent(ctx, e)
}

// addJobEvent appends e to its job's timeline; the stores that write a job
// event beside their own records (a sign-off) call it in their transaction.
func (db *DB) addJobEvent(ctx context.Context, e *cordon.JobEvent) error {
	row := jobEventRow{
		JobID: e.JobID, At: timeOrNow(db, e.At), ActorID: e.ActorID,
		From: string(e.From), To: string(e.To), Note: e.Note, NoteKey: e.NoteKey,
	}
	if len(e.NoteArgs) > 0 {
		b, err := json.Marshal(e.NoteArgs)
		if err != nil {
			return fmt.Errorf("note values: %w", err)
		}
		row.NoteArgs = string(b)
	}
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return TranslateError(err, "Job event")
	}
	*e = *toJobEvent(&row)
	return nil
}

// FindJobByID returns ENOTFOUND when there is no such job.
func (s *JobStore) FindJobByID(ctx context.Context, id int64) (*cordon.Job, error) {
	var r jobRow
	if err := s.db.conn(ctx).First(&r, id).Error; err != nil {
		return nil, TranslateError(err, "Job")
	}
	jobs := []*cordon.Job{toJob(&r)}
	if err := s.withRequests(ctx, jobs); err != nil {
		return nil, err
	}
	return jobs[0], nil
}

// withRequests fills each job's request, with its product line code, in
// two more queries, and its checklist flags in a third.
func (s *JobStore) withRequests(ctx context.Context, jobs []*cordon.Job) error {
	if len(jobs) == 0 {
		return nil
	}
	ids := make([]int64, len(jobs))
	for i, j := range jobs {
		ids[i] = j.RequestID
	}
	var rows []requestRow
	if err := s.db.conn(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return TranslateError(err, "Service request")
	}
	lineIDs := make([]int64, 0, len(rows))
	for _, r := range rows {
		lineIDs = append(lineIDs, r.ProductLineID)
	}
	var lines []productLineRow
	if err := s.db.conn(ctx).Where("id IN ?", lineIDs).Find(&lines).Error; err != nil {
		return TranslateError(err, "Product line")
	}
	code := make(map[int64]string, len(lines))
	for _, l := range lines {
		code[l.ID] = l.Code
	}
	byID := make(map[int64]*cordon.ServiceRequest, len(rows))
	for i := range rows {
		r := toRequest(&rows[i])
		r.ProductLine = code[r.ProductLineID]
		byID[r.ID] = r
	}
	for _, j := range jobs {
		j.Request = byID[j.RequestID]
		if j.Request == nil {
			return cordon.Err(cordon.ENOTFOUND, "service_request.not_found")
		}
	}
	return withChecklistFlags(s.db.conn(ctx), jobs) // checklist.go
}

// FindJobEvents returns the timeline of a job, oldest first; empty when the
// job has none or does not exist.
func (s *JobStore) FindJobEvents(ctx context.Context, jobID int64) ([]*cordon.JobEvent, error) {
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

// FindJobs returns a page of jobs, newest first, and the total. The scope
// becomes parameterised SQL: one OR-ed term per grant on the request's site
// city, product line and category; an empty scope matches nothing.
func (s *JobStore) FindJobs(ctx context.Context, f cordon.JobFilter) ([]*cordon.Job, int, error) {
	q := s.db.conn(ctx).Model(&jobRow{}).
		Joins("JOIN service_requests r ON r.id = jobs.request_id").
		Joins("JOIN product_lines pl ON pl.id = r.product_line_id")
	if f.PartnerID != nil {
		q = q.Where("jobs.partner_id = ?", *f.PartnerID)
	}
	if f.RequestID != nil {
		q = q.Where("jobs.request_id = ?", *f.RequestID)
	}
	if f.OfferedFrom != nil {
		q = q.Where("jobs.offered_at >= ?", f.OfferedFrom.UTC())
	}
	if f.OfferedTo != nil {
		q = q.Where("jobs.offered_at < ?", f.OfferedTo.UTC())
	}
	if f.OfferLapsedBy != nil {
		q = q.Where("jobs.status = ? AND jobs.offer_expires_at <= ?", string(cordon.JobOffered), f.OfferLapsedBy.UTC())
	}
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, x := range f.Statuses {
			st[i] = string(x)
		}
		q = q.Where("jobs.status IN ?", st)
	}
	if !f.Scope.All {
		terms := s.db.gorm.Where("1 = 0")
		for _, g := range f.Scope.Grants {
			if len(g.Cities) == 0 || len(g.ProductLines) == 0 || len(g.ServiceTypes) == 0 {
				continue // a grant with an empty set grants nothing
			}
			cats := make([]string, len(g.ServiceTypes))
			for i, c := range g.ServiceTypes {
				cats[i] = string(c)
			}
			terms = terms.Or(s.db.gorm.Where("jobs.partner_id = ? AND r.site_city IN ? AND pl.code IN ? AND r.category IN ?",
				g.PartnerID, g.Cities, g.ProductLines, cats))
		}
		q = q.Where(terms)
	}
	var rows []jobRow
	total, err := findPage(q, "jobs.*", "jobs.created_at DESC, jobs.id DESC", f.Offset, f.Limit, &rows)
	if err != nil {
		return nil, 0, TranslateError(err, "Job")
	}
	out := make([]*cordon.Job, len(rows))
	for i := range rows {
		out[i] = toJob(&rows[i])
	}
	if err := s.withRequests(ctx, out); err != nil {
		return nil, 0, err
	}
	return out, int(total), nil
}

// MoveJob stores the job's new status, assignee and timestamps and appends
// ev, only if the job is still in from: a conditional UPDATE, so of many
// concurrent moves from one status exactly one succeeds. The request
// follows by trigger (migration 00004): back to dispatch when the job is
// declined, expired or revoked; closed when the job closes.
func (s *JobStore) MoveJob(ctx context.Context, j *cordon.Job, from cordon.JobStatus, ev *cordon.JobEvent) error {
	if err := validateJobEvent(ev); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		res := s.db.conn(ctx).Model(&jobRow{}).Where("id = ? AND status = ?", j.ID, string(from)).
			Updates(map[string]any{
				"status": string(j.Status), "assignee_id": j.AssigneeID, "accepted_at": utcPtr(j.AcceptedAt),
				"resolved_at": utcPtr(j.ResolvedAt), "closed_at": utcPtr(j.ClosedAt), "updated_at": j.UpdatedAt.UTC(),
			})
		if res.Error != nil {
			return TranslateError(res.Error, "Job")
		}
		if res.RowsAffected == 0 {
			return cordon.Err(cordon.ECONFLICT, "store.job_changed_meanwhile_reload_try")
		}
		ev.JobID = j.ID
		if err := s.addEvent(ctx, ev); err != nil {
			return err
		}
		return s.db.writeJobEvent(ctx, j, ev) // outbox: the move
	})
}

// CountOpenJobs returns the number of open jobs per partner.
func (s *JobStore) CountOpenJobs(ctx context.Context) (map[int64]int, error) {
	var rows []struct {
		PartnerID int64
		N         int
	}
	err := s.db.conn(ctx).Model(&jobRow{}).Select("partner_id, count(*) AS n").
		Where("partner_id IS NOT NULL AND status IN ?", openJobStatuses).Group("partner_id").Scan(&rows).Error
	if err != nil {
		return nil, TranslateError(err, "Job")
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.PartnerID] = r.N
	}
	return out, nil
}

// OfferJob creates an offer for an open request and marks the request
// dispatched, only if it is still open: ECONFLICT otherwise.
func (s *JobStore) OfferJob(ctx context.Context, j *cordon.Job, ev *cordon.JobEvent) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		res := s.db.conn(ctx).Model(&requestRow{}).Where("id = ? AND status = ?", j.RequestID, string(cordon.RequestOpen)).
			Update("status", string(cordon.RequestDispatched))
		if res.Error != nil {
			return TranslateError(res.Error, "Service request")
		}
		if res.RowsAffected == 0 {
			return cordon.Err(cordon.ECONFLICT, "store.request_not_waiting_dispatch")
		}
		if err := s.CreateJob(ctx, j, ev); err != nil {
			return err
		}
		return s.db.writeJobEvent(ctx, j, ev) // outbox: the offer
	})
}
