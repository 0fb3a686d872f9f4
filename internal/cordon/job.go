package cordon

import (
	"context"
	"time"
)

// JobStatus is a job's state in its life:
// offered → accepted → en_route → on_site → resolved → verified → closed,
// with waiting_customer and waiting_parts pauses, declined and expired ending
// an offer, and reopened after verification.
type JobStatus string

// The job statuses.
const (
	JobOffered         JobStatus = "offered"
	JobAccepted        JobStatus = "accepted"
	JobDeclined        JobStatus = "declined"
	JobExpired         JobStatus = "expired"
	JobEnRoute         JobStatus = "en_route"
	JobOnSite          JobStatus = "on_site"
	JobWaitingCustomer JobStatus = "waiting_customer"
	JobWaitingParts    JobStatus = "waiting_parts"
	JobResolved        JobStatus = "resolved"
	JobVerified        JobStatus = "verified"
	JobReopened        JobStatus = "reopened"
	JobClosed          JobStatus = "closed"
	JobRevoked         JobStatus = "revoked" // taken back when the contract ended
)

// JobStatuses lists every status.
var JobStatuses = []JobStatus{JobOffered, JobAccepted, JobDeclined, JobExpired, JobEnRoute, JobOnSite, JobWaitingCustomer, JobWaitingParts, JobResolved, JobVerified, JobReopened, JobClosed, JobRevoked}

// Job is the dispatch of a service request to a partner, or in-house to
// an institute engineer.
type Job struct {
	ID             int64
	RequestID      int64
	PartnerID      *int64 // nil: in-house
	ContractID     *int64 // the contract the offer was made under
	AssigneeID     *int64 // the technician or engineer doing the work
	Status         JobStatus
	OfferedAt      time.Time
	OfferExpiresAt *time.Time
	AcceptedAt     *time.Time
	ResolvedAt     *time.Time
	ClosedAt       *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// JobEvent is one change of a job: the timeline.
type JobEvent struct {
	ID      int64
	JobID   int64
	At      time.Time
	ActorID *int64
	From    JobStatus
	To      JobStatus
	Note    string
}

// JobService reads and writes jobs.
type JobService interface {
	// CreateJob stores the job and its first event.
	CreateJob(ctx context.Context, j *Job, first *JobEvent) error
	// AddJobEvent appends an event to a job's timeline.
	AddJobEvent(ctx context.Context, e *JobEvent) error
}
