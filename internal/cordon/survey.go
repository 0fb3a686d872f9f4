package cordon

import (
	"context"
	"io"
	"time"
)

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

// SurveyStore keeps satisfaction surveys.
type SurveyStore interface {
	// CreateSurvey stores a survey (a link waiting for its answer, or a
	// call already answered) and sets its ID.
	CreateSurvey(ctx context.Context, s *Survey) error
	// AnswerSurvey records the answer to the link with tokenHash, once and
	// before it expires; ENOTFOUND otherwise (used, expired or unknown alike).
	AnswerSurvey(ctx context.Context, tokenHash string, score int, comment string, now time.Time) error
	// FindSurveys returns the answered surveys of the jobs.
	FindSurveys(ctx context.Context, jobIDs []int64) ([]*Survey, error)
	// FindSurveyByToken returns the link with tokenHash; ENOTFOUND when
	// there is none.
	FindSurveyByToken(ctx context.Context, tokenHash string) (*Survey, error)
}

// SurveyState is where a survey link stands, as its page tells the
// customer.
type SurveyState string

// The survey link states.
const (
	SurveyOpen     SurveyState = "open"     // waiting for the answer
	SurveyAnswered SurveyState = "answered" // used already
	SurveyExpired  SurveyState = "expired"
	SurveyInvalid  SurveyState = "invalid" // altered, unknown or malformed
)

// SurveyView is all the customer's page may show about a link: where it
// stands, the job it asks about, until when, and the form token that
// protects the answer (an HMAC of the link's token).
type SurveyView struct {
	State     SurveyState
	JobID     int64
	ExpiresAt time.Time
	FormToken string
}

// Scorecard is a partner's evaluation for a period: what it was offered,
// how it kept its SLAs, how well it fixed, how satisfied the customers were,
// and the penalty points each contract clause implies.
type Scorecard struct {
	PartnerID       int64
	PartnerCode     string
	Period          string // e.g. 2026-Q3
	From, To        time.Time
	Offers          int
	Accepted        int
	Declined        int
	Expired         int
	AcceptanceRate  float64
	SLA             map[string]SLACompliance // by clock name
	Resolved        int
	FirstTimeFix    float64 // resolved without a reopen
	ReopenRate      float64
	Satisfaction    float64 // average score, 0 when none
	Responses       int
	Complaints      int            // answers scoring 1 or 2
	PenaltyByClause map[string]int // clause reference → points
	Score           float64        // 0..1, for ranking

	PartnerName string
	// Penalties are what each contract clause implies, by contract and
	// clause; PenaltyPoints and PenaltyAmount their sums.
	Penalties     []ClausePenalty
	PenaltyPoints int
	PenaltyAmount int64 // yuan
	// RewardTerms is the reward the contract offers (nil: none);
	// RewardEarned whether the period earned it, and Reward what it pays.
	RewardTerms  *Reward
	RewardEarned bool
	Reward       int64 // yuan
	Net          int64 // Reward − PenaltyAmount, yuan
}

// ClausePenalty is what one contract clause implies over a period.
type ClausePenalty struct {
	ContractNo     string
	Key            string // the clause key, e.g. sla
	Ref            string // the clause reference, e.g. §4
	Incident       Incident
	Incidents      int
	Points         int   // Incidents × points per incident
	AmountPerPoint int64 // yuan
	Amount         int64 // Points × AmountPerPoint, yuan
}

// SLACompliance is how one SLA clock was kept over a period.
type SLACompliance struct {
	Met      int
	Breached int
	Rate     float64 // Met / (Met + Breached); 1 when none was decided
}

// Evaluation computes scorecards and runs satisfaction surveys.
type Evaluation interface {
	// Scorecard returns a partner's scorecard for a period like 2026-Q3;
	// a partner user may read only its own (ENOTFOUND otherwise).
	Scorecard(ctx context.Context, partnerID int64, period string) (*Scorecard, error)
	// Scorecards returns every partner's scorecard for the period, best first.
	Scorecards(ctx context.Context, period string) ([]*Scorecard, error)
	// SurveyLink creates a one-time signed link for a resolved job and
	// returns its token.
	SurveyLink(ctx context.Context, jobID int64) (token string, expires time.Time, err error)
	// AnswerSurvey records a customer's answer to a link: once, before it
	// expires, score 1–5. No login.
	AnswerSurvey(ctx context.Context, token string, score int, comment string) error
	// RecordCall records a follow-up call's answer for a resolved job.
	RecordCall(ctx context.Context, jobID int64, score int, comment string) error
	// OpenSurvey says where the link with token stands, without answering
	// it and without a login; a bad token is State SurveyInvalid, not an
	// error.
	OpenSurvey(ctx context.Context, token string) (*SurveyView, error)
	// CheckSurveyForm reports whether form is the form token of the link
	// with token.
	CheckSurveyForm(token, form string) bool
	// WriteReport writes a partner's evaluation report for the period to
	// w: format "csv" (lang "zh-CN" or "en") or "pdf" (in English). The
	// same access as Scorecard; EINVALID for another format.
	WriteReport(ctx context.Context, w io.Writer, partnerID int64, period, format, lang string) error
	// WriteRanking writes every partner's scorecard for the period, best
	// first, as CSV.
	WriteRanking(ctx context.Context, w io.Writer, period, lang string) error
}
