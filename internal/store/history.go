package store

import (
	"context"
	"strconv"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

var _ cordon.HistoryStore = (*CatalogStore)(nil)

// FindUnitHistory returns the unit's requests (follow-up visits and
// campaign requests as such), their jobs, and the jobs' reports with their
// root causes, as history entries in no particular order. Three
// statements, each on an indexed column.
func (s *CatalogStore) FindUnitHistory(ctx context.Context, unitID int64) ([]*cordon.HistoryEntry, error) {
	var reqs []requestRow
	if err := s.db.conn(ctx).Where("unit_id = ?", unitID).Order("id").Find(&reqs).Error; err != nil {
		return nil, TranslateError(err, "Service request")
	}
	if len(reqs) == 0 {
		return nil, nil
	}
	var out []*cordon.HistoryEntry
	ids := make([]int64, len(reqs))
	for i, r := range reqs {
		ids[i] = r.ID
		kind := cordon.HistoryRequest
		switch {
		case r.CampaignID != nil:
			kind = cordon.HistoryCampaign
		case r.Category == string(cordon.CatFollowUp):
			kind = cordon.HistoryVisit
		}
		out = append(out, &cordon.HistoryEntry{At: r.CreatedAt, Kind: kind, RefID: r.ID, Status: r.Status, Summary: r.Description})
	}
	var jobs []struct {
		ID         int64
		Status     string
		OfferedAt  time.Time
		ResolvedAt *time.Time
	}
	if err := s.db.conn(ctx).Table("jobs").Select("id, status, offered_at, resolved_at").
		Where("request_id IN ?", ids).Order("id").Scan(&jobs).Error; err != nil {
		return nil, TranslateError(err, "Job")
	}
	if len(jobs) == 0 {
		return out, nil
	}
	jobIDs := make([]int64, len(jobs))
	for i, j := range jobs {
		jobIDs[i] = j.ID
		out = append(out, &cordon.HistoryEntry{At: j.OfferedAt, Kind: cordon.HistoryJob, RefID: j.ID, Status: j.Status})
	}
	var reports []struct {
		ID        int64
		JobID     int64
		Actions   string
		RootCause string
		CreatedAt time.Time
	}
	if err := s.db.conn(ctx).Table("service_reports").Select("id, job_id, actions, root_cause, created_at").
		Where("job_id IN ?", jobIDs).Order("id").Scan(&reports).Error; err != nil {
		return nil, TranslateError(err, "Service report")
	}
	for _, r := range reports {
		out = append(out, &cordon.HistoryEntry{At: r.CreatedAt, Kind: cordon.HistoryReport, RefID: r.ID, Status: "job:" + strconv.FormatInt(r.JobID, 10), Summary: r.Actions})
		if r.RootCause != "" {
			out = append(out, &cordon.HistoryEntry{At: r.CreatedAt, Kind: cordon.HistoryRootCause, RefID: r.ID, Status: r.RootCause})
		}
	}
	return out, nil
}
