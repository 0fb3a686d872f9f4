package cordon

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Training records (docs/training.md): a training job (category
// CatTraining) records its sessions, its trainees — customer identity,
// seen by the institute and by the partner holding the job as far as its
// contract discloses the customer's contacts — and each trainee's
// assessment. The institute issues a certificate to a trainee who passed.

// ResTraining names training records in role rules and access events.
const ResTraining = "training"

// TrainingSession is one session of a training job.
type TrainingSession struct {
	ID         int64
	JobID      int64
	HeldOn     time.Time // the day, midnight China time
	Hours      float64
	Topics     string
	RecordedBy int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Trainee is one person trained on a job, with the assessment once made.
type Trainee struct {
	ID         int64
	JobID      int64
	Name       string // customer identity; "" when NameHidden
	Position   string
	Department string
	NameHidden bool  // the caller may not see the trainee's identity
	Passed     *bool // nil until assessed
	Score      *int  // 0–100, optional
	Comment    string
	AssessedBy *int64
	AssessedAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time

	Certificate *TrainingCertificate // filled by finders; nil until issued
}

// TrainingCertificate is the certificate issued to a trainee who passed.
type TrainingCertificate struct {
	ID        int64
	TraineeID int64
	JobID     int64
	Number    string // PX-2026-0001: sequential per year (China time)
	Year      int
	Seq       int
	IssuedBy  int64
	IssuedAt  time.Time
}

// CertificateNumber formats a certificate's number.
func CertificateNumber(year, seq int) string {
	return fmt.Sprintf("PX-%04d-%04d", year, seq)
}

// TrainingRecord is what one caller may see of a training job.
type TrainingRecord struct {
	JobID      int64
	JobStatus  JobStatus
	Sessions   []*TrainingSession
	Trainees   []*Trainee
	Hours      float64 // the sessions' total
	NamesShown bool    // the caller sees the trainees' identity
	// CanRecord and CanIssue say what the caller may do now: record
	// sessions, trainees and assessments; issue certificates.
	CanRecord bool
	CanIssue  bool
}

// SessionInput is a session as recorded or corrected.
type SessionInput struct {
	HeldOn string // 2006-01-02
	Hours  float64
	Topics string
}

// TraineeInput is a trainee's identity as recorded or corrected.
type TraineeInput struct {
	Name       string
	Position   string
	Department string
}

// AssessmentInput is a trainee's assessment.
type AssessmentInput struct {
	Passed  bool
	Score   *int
	Comment string
}

// TraineeFilter selects trainees for the institute's list.
type TraineeFilter struct {
	Query     string // part of a name, position, department or certificate number
	Passed    *bool
	Certified *bool
	Offset    int
	Limit     int
}

// TraineeRow is one line of the institute's trainee list.
type TraineeRow struct {
	Trainee  *Trainee
	Partner  string // the partner's code; "" for an in-house job
	Customer string // the customer's code
	Hours    float64
	LastDay  *time.Time
}

// TrainingService records training and issues certificates.
type TrainingService interface {
	// Training returns the job's training record as the caller may see it,
	// and records the access. ENOTFOUND outside scope; EINVALID when the
	// job is not a training job.
	Training(ctx context.Context, jobID int64) (*TrainingRecord, error)
	// AddSession and UpdateSession record a session (the partner holding
	// the job while on site or resolved; the institute's quality
	// supervisor at any time). EINVALID naming the field, ECONFLICT when
	// the job is in another state, EFORBIDDEN for someone else's job.
	AddSession(ctx context.Context, jobID int64, in SessionInput) (*TrainingSession, error)
	UpdateSession(ctx context.Context, jobID, sessionID int64, in SessionInput) (*TrainingSession, error)
	// AddTrainee and UpdateTrainee record a trainee's identity, as the
	// sessions; EFORBIDDEN when the caller may not see identities.
	AddTrainee(ctx context.Context, jobID int64, in TraineeInput) (*Trainee, error)
	UpdateTrainee(ctx context.Context, jobID, traineeID int64, in TraineeInput) (*Trainee, error)
	// Assess records a trainee's assessment; ECONFLICT once a certificate
	// is issued.
	Assess(ctx context.Context, jobID, traineeID int64, in AssessmentInput) (*Trainee, error)
	// IssueCertificate numbers a certificate for a trainee who passed
	// (the institute only); ECONFLICT when not passed or already issued.
	IssueCertificate(ctx context.Context, jobID, traineeID int64) (*TrainingCertificate, error)
	// WriteCertificate writes the certificate's PDF in Chinese and
	// records the download; ENOTFOUND when none was issued or outside
	// scope. It returns the certificate's number.
	WriteCertificate(ctx context.Context, w io.Writer, jobID, traineeID int64) (string, error)
	// FindTrainees lists trainees for the institute, newest first, with
	// the total, and records the access.
	FindTrainees(ctx context.Context, f TraineeFilter) ([]*TraineeRow, int, error)
	// WriteTrainees writes the matching trainees as CSV (UTF-8) in lang.
	WriteTrainees(ctx context.Context, w io.Writer, f TraineeFilter, lang string) error
}

// TrainingStore stores training records. Reads run in the caller's scope.
type TrainingStore interface {
	FindSessions(ctx context.Context, jobID int64) ([]*TrainingSession, error)
	CreateSession(ctx context.Context, s *TrainingSession) error
	// UpdateSession changes held_on, hours and topics; ENOTFOUND when the
	// session is not the job's.
	UpdateSession(ctx context.Context, s *TrainingSession) error
	// FindTrainees returns the job's trainees with their certificates.
	FindTrainees(ctx context.Context, jobID int64) ([]*Trainee, error)
	CreateTrainee(ctx context.Context, t *Trainee) error
	// UpdateTrainee writes identity and assessment; ENOTFOUND when the
	// trainee is not the job's.
	UpdateTrainee(ctx context.Context, t *Trainee) error
	// CreateCertificate numbers the certificate the next in its year and
	// stores it; ECONFLICT when the trainee has one.
	CreateCertificate(ctx context.Context, c *TrainingCertificate) error
	// SearchTrainees is the institute's list.
	SearchTrainees(ctx context.Context, f TraineeFilter) ([]*TraineeRow, int, error)
}
