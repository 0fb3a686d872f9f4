package cordon

import "time"

// SurveyChannel is how a satisfaction answer came in.
type SurveyChannel string

// The survey channels.
const (
	SurveyLink SurveyChannel = "link" // a one-time signed link, no login
	SurveyCall SurveyChannel = "call" // a follow-up call recorded by the institute
)

// Survey is a customer's satisfaction with a job.
type Survey struct {
	ID         int64
	JobID      int64
	Channel    SurveyChannel
	TokenHash  string // for links: hex SHA-256 of the token
	ExpiresAt  *time.Time
	AnsweredAt *time.Time
	Score      int // 1–5; 0 until answered
	Comment    string
	RecordedBy *int64 // for calls
	CreatedAt  time.Time
}
