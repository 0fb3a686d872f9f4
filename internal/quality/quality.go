// Package quality is the feedback loop of the quality department: root
// causes by product line, model and batch, and inspection campaigns that
// check every unit sharing a cause, dispatched within the partners' scope.
package quality

import (
	"context"
	"fmt"
	"strings"

	"github.com/cordon/cordon/internal/cordon"
)

// Service implements cordon.QualityService.
type Service struct {
	store    cordon.QualityStore
	dispatch cordon.DispatchService
}

var _ cordon.QualityService = (*Service)(nil)

// NewService returns the quality service.
func NewService(store cordon.QualityStore, dispatch cordon.DispatchService) *Service {
	return &Service{store: store, dispatch: dispatch}
}

// RootCauses returns the counts for the filter, most frequent first.
func (s *Service) RootCauses(ctx context.Context, f cordon.RootCauseFilter) ([]cordon.RootCauseCount, error) {
	return s.store.RootCauseCounts(ctx, f)
}

// StartCampaign creates one inspection request per unit of the campaign's
// model and batch and dispatches each to its best candidate.
func (s *Service) StartCampaign(ctx context.Context, c *cordon.Campaign) (*cordon.CampaignProgress, error) {
	a := cordon.ActorFromContext(ctx)
	if a == nil || a.IsPartner() {
		return nil, cordon.Err(cordon.EFORBIDDEN, "quality.only_institute_runs_inspection_campaigns")
	}
	c.Title, c.Description, c.Batch = strings.TrimSpace(c.Title), strings.TrimSpace(c.Description), strings.TrimSpace(c.Batch)
	if c.Priority == "" {
		c.Priority = cordon.P3
	}
	switch {
	case c.Title == "" || len(c.Title) > 200:
		return nil, cordon.FieldErr("title", "quality.title_must_1_200_characters")
	case !c.RootCause.Valid():
		return nil, cordon.FieldErr("root_cause", "root_cause_must_one_design")
	case c.ModelID <= 0:
		return nil, cordon.FieldErr("model_id", "quality.name_model")
	case c.Batch == "":
		return nil, cordon.FieldErr("batch", "quality.name_batch")
	case !c.Priority.Valid():
		return nil, cordon.FieldErr("priority", "priority_must_p1_p2_p3")
	case c.Description == "" || len(c.Description) > 2000:
		return nil, cordon.FieldErr("description", "quality.say_what_inspect_most_2000")
	}
	c.CreatedBy = a.UserID
	ids, err := s.store.CreateCampaign(ctx, c)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, err := s.dispatch.Dispatch(ctx, id, cordon.DispatchTarget{Auto: true}); err != nil {
			return nil, fmt.Errorf("campaign %d: dispatch request %d: %w", c.ID, id, err)
		}
	}
	return s.store.CampaignProgress(ctx, c.ID)
}

// FindCampaigns returns every campaign, newest first.
func (s *Service) FindCampaigns(ctx context.Context) ([]*cordon.Campaign, error) {
	return s.store.FindCampaigns(ctx)
}

// CampaignProgress returns where a campaign stands.
func (s *Service) CampaignProgress(ctx context.Context, id int64) (*cordon.CampaignProgress, error) {
	return s.store.CampaignProgress(ctx, id)
}
