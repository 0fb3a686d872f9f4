package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// campaignRow is the campaigns table.
type campaignRow struct {
	ID          int64 `gorm:"primaryKey"`
	Title       string
	RootCause   string
	ModelID     int64
	Batch       string
	Description string
	Priority    string
	CreatedBy   int64
	CreatedAt   time.Time
}

func (campaignRow) TableName() string { return "campaigns" }

func toCampaign(r *campaignRow) *cordon.Campaign {
	return &cordon.Campaign{ID: r.ID, Title: r.Title, RootCause: cordon.RootCause(r.RootCause), ModelID: r.ModelID,
		Batch: r.Batch, Description: r.Description, Priority: cordon.Priority(r.Priority), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
}

// QualityStore implements cordon.QualityStore.
type QualityStore struct{ db *DB }

var _ cordon.QualityStore = (*QualityStore)(nil)

// NewQualityStore returns the quality department's store.
func NewQualityStore(db *DB) *QualityStore { return &QualityStore{db: db} }

// RootCauseCounts counts service reports by cause, model, batch and month:
// the current version of each job's report, not the versions it amends.
// Reports of requests with no unit count under batch "".
func (s *QualityStore) RootCauseCounts(ctx context.Context, f cordon.RootCauseFilter) ([]cordon.RootCauseCount, error) {
	q := s.db.conn(ctx).Table("service_reports sr").
		Select("sr.root_cause, sr.created_at, pl.code AS line, m.id AS model_id, m.code AS model, COALESCE(u.batch, '') AS batch").
		Joins("JOIN jobs j ON j.id = sr.job_id").
		Joins("JOIN service_requests r ON r.id = j.request_id").
		Joins("JOIN product_lines pl ON pl.id = r.product_line_id").
		Joins("LEFT JOIN units u ON u.id = r.unit_id").
		Joins("JOIN models m ON m.id = COALESCE(u.model_id, r.model_id)").
		Where("NOT EXISTS (SELECT 1 FROM service_reports n WHERE n.amends_id = sr.id)") // the current version only
	if f.ProductLine != nil {
		q = q.Where("pl.code = ?", *f.ProductLine)
	}
	if f.ModelID != nil {
		q = q.Where("m.id = ?", *f.ModelID)
	}
	if f.From != nil {
		q = q.Where("sr.created_at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("sr.created_at < ?", f.To.UTC())
	}
	var rows []struct {
		RootCause string
		CreatedAt time.Time
		Line      string
		ModelID   int64
		Model     string
		Batch     string
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, TranslateError(err, "Service report")
	}
	counts := map[cordon.RootCauseCount]int{}
	for _, r := range rows {
		k := cordon.RootCauseCount{Cause: cordon.RootCause(r.RootCause), ProductLine: r.Line, ModelID: r.ModelID,
			Model: r.Model, Batch: r.Batch, Month: r.CreatedAt.In(cordon.ChinaTime).Format("2006-01")}
		counts[k]++
	}
	out := make([]cordon.RootCauseCount, 0, len(counts))
	for k, n := range counts {
		k.Count = n
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return strings.Join([]string{string(a.Cause), a.Model, a.Batch, a.Month}, "|") < strings.Join([]string{string(b.Cause), b.Model, b.Batch, b.Month}, "|")
	})
	return out, nil
}

// CreateCampaign stores the campaign and one inspection request per unit
// of its model and batch, in one transaction.
func (s *QualityStore) CreateCampaign(ctx context.Context, c *cordon.Campaign) ([]int64, error) {
	var ids []int64
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		var m modelRow
		if err := s.db.conn(ctx).First(&m, c.ModelID).Error; err != nil {
			return cordon.FieldErr("model_id", "no_model_has_id")
		}
		r := campaignRow{Title: c.Title, RootCause: string(c.RootCause), ModelID: c.ModelID, Batch: c.Batch,
			Description: c.Description, Priority: string(c.Priority), CreatedBy: c.CreatedBy, CreatedAt: s.db.Now()}
		if err := s.db.conn(ctx).Create(&r).Error; err != nil {
			return TranslateError(err, "Campaign")
		}
		var units []unitRow
		if err := s.db.conn(ctx).Where("model_id = ? AND batch = ? AND retired_at IS NULL", c.ModelID, c.Batch).Order("id").Find(&units).Error; err != nil {
			return TranslateError(err, "Unit")
		}
		if len(units) == 0 {
			return cordon.FieldErr("batch", "store.no_delivered_unit_model_batch", c.Batch)
		}
		reqs := NewRequestStore(s.db)
		for _, u := range units {
			u := u
			req := &cordon.ServiceRequest{UnitID: &u.ID, CustomerID: u.CustomerID, ModelID: &u.ModelID, ProductLineID: m.ProductLineID,
				Category: cordon.CatInspection, Priority: c.Priority, SiteCity: u.SiteCity, CampaignID: &r.ID, CreatedBy: c.CreatedBy,
				Description: fmt.Sprintf("Inspection campaign %d: %s (batch %s).", r.ID, c.Description, u.Batch)}
			if err := reqs.CreateRequest(ctx, req); err != nil {
				return err
			}
			ids = append(ids, req.ID)
		}
		*c = *toCampaign(&r)
		return nil
	})
	return ids, err
}

// FindCampaigns returns every campaign, newest first.
func (s *QualityStore) FindCampaigns(ctx context.Context) ([]*cordon.Campaign, error) {
	var rows []campaignRow
	if err := s.db.conn(ctx).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, TranslateError(err, "Campaign")
	}
	out := make([]*cordon.Campaign, len(rows))
	for i := range rows {
		out[i] = toCampaign(&rows[i])
	}
	return out, nil
}

// CampaignProgress counts a campaign's requests by status, and the newest
// job of each by status.
func (s *QualityStore) CampaignProgress(ctx context.Context, id int64) (*cordon.CampaignProgress, error) {
	var r campaignRow
	if err := s.db.conn(ctx).First(&r, id).Error; err != nil {
		return nil, TranslateError(err, "Campaign")
	}
	p := &cordon.CampaignProgress{Campaign: toCampaign(&r), Requests: map[cordon.RequestStatus]int{}, Jobs: map[cordon.JobStatus]int{}}
	var reqs []requestRow
	if err := s.db.conn(ctx).Where("campaign_id = ?", id).Find(&reqs).Error; err != nil {
		return nil, TranslateError(err, "Service request")
	}
	ids := make([]int64, len(reqs))
	for i, q := range reqs {
		p.Requests[cordon.RequestStatus(q.Status)]++
		ids[i] = q.ID
	}
	var jobs []jobRow
	if len(ids) > 0 {
		if err := s.db.conn(ctx).Where("request_id IN ?", ids).Order("id").Find(&jobs).Error; err != nil {
			return nil, TranslateError(err, "Job")
		}
	}
	newest := map[int64]string{}
	for _, j := range jobs {
		newest[j.RequestID] = j.Status
	}
	for _, st := range newest {
		p.Jobs[cordon.JobStatus(st)]++
	}
	return p, nil
}
