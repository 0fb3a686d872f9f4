package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/cordon/cordon/internal/cordon"
)

// trainingSessionRow is the training_sessions table.
type trainingSessionRow struct {
	ID         int64 `gorm:"primaryKey"`
	JobID      int64
	HeldOn     time.Time
	Hours      float64
	Topics     string
	RecordedBy int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (trainingSessionRow) TableName() string { return "training_sessions" }

func toTrainingSession(r *trainingSessionRow) *cordon.TrainingSession {
	return &cordon.TrainingSession{ID: r.ID, JobID: r.JobID, HeldOn: r.HeldOn.In(cordon.ChinaTime), Hours: r.Hours, Topics: r.Topics,
		RecordedBy: r.RecordedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// traineeRow is the trainees table.
type traineeRow struct {
	ID         int64 `gorm:"primaryKey"`
	JobID      int64
	Name       string
	Position   string
	Department string
	Passed     *bool
	Score      *int
	Comment    string
	AssessedBy *int64
	AssessedAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (traineeRow) TableName() string { return "trainees" }

func toTrainee(r *traineeRow) *cordon.Trainee {
	return &cordon.Trainee{ID: r.ID, JobID: r.JobID, Name: r.Name, Position: r.Position, Department: r.Department,
		Passed: r.Passed, Score: r.Score, Comment: r.Comment, AssessedBy: r.AssessedBy, AssessedAt: r.AssessedAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// certificateRow is the training_certificates table.
type certificateRow struct {
	ID        int64 `gorm:"primaryKey"`
	TraineeID int64
	JobID     int64
	Number    string
	Year      int
	Seq       int
	IssuedBy  int64
	IssuedAt  time.Time
}

func (certificateRow) TableName() string { return "training_certificates" }

func toCertificate(r *certificateRow) *cordon.TrainingCertificate {
	return &cordon.TrainingCertificate{ID: r.ID, TraineeID: r.TraineeID, JobID: r.JobID, Number: r.Number, Year: r.Year, Seq: r.Seq,
		IssuedBy: r.IssuedBy, IssuedAt: r.IssuedAt}
}

// TrainingStore implements cordon.TrainingStore.
type TrainingStore struct{ db *DB }

var _ cordon.TrainingStore = (*TrainingStore)(nil)

// NewTrainingStore returns the training store.
func NewTrainingStore(db *DB) *TrainingStore { return &TrainingStore{db: db} }

// FindSessions returns the job's sessions by day.
func (s *TrainingStore) FindSessions(ctx context.Context, jobID int64) ([]*cordon.TrainingSession, error) {
	var rows []trainingSessionRow
	if err := s.db.conn(ctx).Where("job_id = ?", jobID).Order("held_on, id").Find(&rows).Error; err != nil {
		return nil, TranslateError(err, "Training session")
	}
	out := make([]*cordon.TrainingSession, len(rows))
	for i := range rows {
		out[i] = toTrainingSession(&rows[i])
	}
	return out, nil
}

// CreateSession stores the session and sets its id and times.
func (s *TrainingStore) CreateSession(ctx context.Context, ts *cordon.TrainingSession) error {
	now := s.db.Now()
	r := trainingSessionRow{JobID: ts.JobID, HeldOn: ts.HeldOn.UTC(), Hours: ts.Hours, Topics: ts.Topics, RecordedBy: ts.RecordedBy,
		CreatedAt: now, UpdatedAt: now}
	if err := s.db.conn(ctx).Create(&r).Error; err != nil {
		return TranslateError(err, "Training session")
	}
	*ts = *toTrainingSession(&r)
	return nil
}

// UpdateSession changes the session's day, hours and topics.
func (s *TrainingStore) UpdateSession(ctx context.Context, ts *cordon.TrainingSession) error {
	now := s.db.Now()
	res := s.db.conn(ctx).Model(&trainingSessionRow{}).Where("id = ? AND job_id = ?", ts.ID, ts.JobID).
		Updates(map[string]any{"held_on": ts.HeldOn.UTC(), "hours": ts.Hours, "topics": ts.Topics, "updated_at": now})
	if res.Error != nil {
		return TranslateError(res.Error, "Training session")
	}
	if res.RowsAffected == 0 {
		return cordon.ErrNotFound("Training session")
	}
	var r trainingSessionRow
	if err := s.db.conn(ctx).First(&r, ts.ID).Error; err != nil {
		return TranslateError(err, "Training session")
	}
	*ts = *toTrainingSession(&r)
	return nil
}

// FindTrainees returns the job's trainees in the order recorded, each
// with its certificate.
func (s *TrainingStore) FindTrainees(ctx context.Context, jobID int64) ([]*cordon.Trainee, error) {
	var rows []traineeRow
	if err := s.db.conn(ctx).Where("job_id = ?", jobID).Order("id").Find(&rows).Error; err != nil {
		return nil, TranslateError(err, "Trainee")
	}
	var certs []certificateRow
	if err := s.db.conn(ctx).Where("job_id = ?", jobID).Find(&certs).Error; err != nil {
		return nil, TranslateError(err, "Certificate")
	}
	byTrainee := map[int64]*cordon.TrainingCertificate{}
	for i := range certs {
		byTrainee[certs[i].TraineeID] = toCertificate(&certs[i])
	}
	out := make([]*cordon.Trainee, len(rows))
	for i := range rows {
		out[i] = toTrainee(&rows[i])
		out[i].Certificate = byTrainee[rows[i].ID]
	}
	return out, nil
}

// CreateTrainee stores the trainee and sets its id and times.
func (s *TrainingStore) CreateTrainee(ctx context.Context, t *cordon.Trainee) error {
	now := s.db.Now()
	r := traineeRow{JobID: t.JobID, Name: t.Name, Position: t.Position, Department: t.Department, CreatedAt: now, UpdatedAt: now}
	if err := s.db.conn(ctx).Create(&r).Error; err != nil {
		return TranslateError(err, "Trainee")
	}
	*t = *toTrainee(&r)
	return nil
}

// UpdateTrainee writes the trainee's identity and assessment.
func (s *TrainingStore) UpdateTrainee(ctx context.Context, t *cordon.Trainee) error {
	now := s.db.Now()
	res := s.db.conn(ctx).Model(&traineeRow{}).Where("id = ? AND job_id = ?", t.ID, t.JobID).Updates(map[string]any{
		"name": t.Name, "position": t.Position, "department": t.Department, "passed": t.Passed, "score": t.Score,
		"comment": t.Comment, "assessed_by": t.AssessedBy, "assessed_at": utcPtr(t.AssessedAt), "updated_at": now})
	if res.Error != nil {
		return TranslateError(res.Error, "Trainee")
	}
	if res.RowsAffected == 0 {
		return cordon.ErrNotFound("Trainee")
	}
	var r traineeRow
	if err := s.db.conn(ctx).First(&r, t.ID).Error; err != nil {
		return TranslateError(err, "Trainee")
	}
	cert := t.Certificate
	*t = *toTrainee(&r)
	t.Certificate = cert
	return nil
}

// CreateCertificate gives the certificate the next number of its year and
// stores it. Two issues racing for a number: the loser's insert breaks
// the (year, seq) unique key and is tried again with the next number.
func (s *TrainingStore) CreateCertificate(ctx context.Context, c *cordon.TrainingCertificate) error {
	for attempt := 0; ; attempt++ {
		var next int
		if err := s.db.conn(ctx).Model(&certificateRow{}).Select("COALESCE(MAX(seq), 0) + 1").Where("year = ?", c.Year).Scan(&next).Error; err != nil {
			return TranslateError(err, "Certificate")
		}
		var existing int64
		if err := s.db.conn(ctx).Model(&certificateRow{}).Where("trainee_id = ?", c.TraineeID).Count(&existing).Error; err != nil {
			return TranslateError(err, "Certificate")
		}
		if existing > 0 {
			return cordon.Err(cordon.ECONFLICT, "training.certificate_already_issued")
		}
		r := certificateRow{TraineeID: c.TraineeID, JobID: c.JobID, Number: cordon.CertificateNumber(c.Year, next), Year: c.Year, Seq: next,
			IssuedBy: c.IssuedBy, IssuedAt: s.db.Now()}
		// A savepoint, so that a lost race leaves the request's
		// transaction usable for the next try.
		err := s.db.conn(ctx).Transaction(func(tx *gorm.DB) error { return tx.Create(&r).Error })
		if err == nil {
			*c = *toCertificate(&r)
			return nil
		}
		if terr := TranslateError(err, "Certificate"); cordon.ErrorCode(terr) != cordon.ECONFLICT || attempt >= 4 {
			return terr
		}
	}
}

// SearchTrainees lists trainees, newest first, with the partner and
// customer codes, the job's hours and last training day.
func (s *TrainingStore) SearchTrainees(ctx context.Context, f cordon.TraineeFilter) ([]*cordon.TraineeRow, int, error) {
	q := s.db.conn(ctx).Table("trainees t").
		Joins("JOIN jobs j ON j.id = t.job_id").
		Joins("JOIN service_requests r ON r.id = j.request_id").
		Joins("JOIN customers c ON c.id = r.customer_id").
		Joins("LEFT JOIN orgs o ON o.id = j.partner_id").
		Joins("LEFT JOIN training_certificates tc ON tc.trainee_id = t.id")
	if v := strings.ToLower(strings.TrimSpace(f.Query)); v != "" {
		p := "%" + escapeLike(v) + "%"
		q = q.Where(`lower(t.name) LIKE ? ESCAPE '\' OR lower(t.position) LIKE ? ESCAPE '\' OR lower(t.department) LIKE ? ESCAPE '\' OR lower(COALESCE(tc.number, '')) LIKE ? ESCAPE '\'`, p, p, p, p)
	}
	if f.Passed != nil {
		q = q.Where("t.passed = ?", *f.Passed)
	}
	if f.Certified != nil {
		if *f.Certified {
			q = q.Where("tc.id IS NOT NULL")
		} else {
			q = q.Where("tc.id IS NULL")
		}
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, TranslateError(err, "Trainee")
	}
	var rows []struct {
		Row      traineeRow `gorm:"embedded"`
		Partner  string
		Customer string
		CertID   *int64
		CertNo   *string
		CertYear *int
		CertSeq  *int
		CertBy   *int64
		CertAt   *time.Time
	}
	q = q.Select("t.*, COALESCE(o.code, '') AS partner, c.code AS customer, tc.id AS cert_id, tc.number AS cert_no, tc.year AS cert_year, " +
		"tc.seq AS cert_seq, tc.issued_by AS cert_by, tc.issued_at AS cert_at").Order("t.id DESC").Offset(f.Offset)
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, 0, TranslateError(err, "Trainee")
	}
	out := make([]*cordon.TraineeRow, len(rows))
	jobs := map[int64]bool{}
	for i := range rows {
		r := &rows[i]
		t := toTrainee(&r.Row)
		if r.CertID != nil {
			t.Certificate = &cordon.TrainingCertificate{ID: *r.CertID, TraineeID: t.ID, JobID: t.JobID, Number: deref(r.CertNo),
				Year: derefInt(r.CertYear), Seq: derefInt(r.CertSeq), IssuedBy: derefID(r.CertBy), IssuedAt: derefTime(r.CertAt)}
		}
		out[i] = &cordon.TraineeRow{Trainee: t, Partner: r.Partner, Customer: r.Customer}
		jobs[t.JobID] = true
	}
	if len(jobs) == 0 {
		return out, int(total), nil
	}
	ids := make([]int64, 0, len(jobs))
	for id := range jobs {
		ids = append(ids, id)
	}
	// Summed in Go: SQLite's MAX of a datetime column is text.
	var sessions []trainingSessionRow
	if err := s.db.conn(ctx).Where("job_id IN ?", ids).Find(&sessions).Error; err != nil {
		return nil, 0, TranslateError(err, "Training session")
	}
	hours, last := map[int64]float64{}, map[int64]time.Time{}
	for _, x := range sessions {
		hours[x.JobID] += x.Hours
		if x.HeldOn.After(last[x.JobID]) {
			last[x.JobID] = x.HeldOn
		}
	}
	for _, r := range out {
		if l, ok := last[r.Trainee.JobID]; ok {
			l = l.In(cordon.ChinaTime)
			r.Hours, r.LastDay = hours[r.Trainee.JobID], &l
		}
	}
	return out, int(total), nil
}

func derefInt(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

func derefID(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
