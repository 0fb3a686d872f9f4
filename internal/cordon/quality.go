package cordon

import (
	"context"
	"time"
)

// RootCauseFilter selects the service reports root-cause statistics count.
type RootCauseFilter struct {
	ProductLine *string // code
	ModelID     *int64
	From, To    *time.Time // report time
}

// RootCauseCount is how many reports named a cause, for one model and
// batch, in one month.
type RootCauseCount struct {
	Cause       RootCause
	ProductLine string
	ModelID     int64
	Model       string
	Batch       string
	Month       string // YYYY-MM, China Standard Time
	Count       int
}

// Campaign is an inspection campaign: every delivered unit of a model and
// batch that shares a root cause gets a proactive inspection request.
type Campaign struct {
	ID          int64
	Title       string
	RootCause   RootCause
	ModelID     int64
	Batch       string
	Description string
	Priority    Priority
	CreatedBy   int64
	CreatedAt   time.Time
}

// CampaignProgress is where a campaign's requests and jobs stand.
type CampaignProgress struct {
	Campaign *Campaign
	Requests map[RequestStatus]int
	Jobs     map[JobStatus]int
}

// QualityStore keeps the quality department's records.
type QualityStore interface {
	// RootCauseCounts counts service reports by cause, model, batch and month.
	RootCauseCounts(ctx context.Context, f RootCauseFilter) ([]RootCauseCount, error)
	// CreateCampaign stores the campaign and one inspection request per
	// delivered unit of its model and batch, in one transaction, and
	// returns the requests' ids.
	CreateCampaign(ctx context.Context, c *Campaign) ([]int64, error)
	// FindCampaigns returns every campaign, newest first.
	FindCampaigns(ctx context.Context) ([]*Campaign, error)
	// CampaignProgress counts a campaign's requests and their newest jobs by status.
	CampaignProgress(ctx context.Context, id int64) (*CampaignProgress, error)
}

// QualityService is the feedback loop: root causes by product line, model
// and batch, and inspection campaigns dispatched by scope.
type QualityService interface {
	// RootCauses returns the counts for the filter.
	RootCauses(ctx context.Context, f RootCauseFilter) ([]RootCauseCount, error)
	// StartCampaign creates the campaign's requests and dispatches each to
	// the best candidate its contracts allow (the engineers when none).
	StartCampaign(ctx context.Context, c *Campaign) (*CampaignProgress, error)
	// FindCampaigns returns every campaign, newest first.
	FindCampaigns(ctx context.Context) ([]*Campaign, error)
	// CampaignProgress returns where a campaign stands; ENOTFOUND when absent.
	CampaignProgress(ctx context.Context, id int64) (*CampaignProgress, error)
}
