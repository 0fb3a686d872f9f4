package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// requestRow is the service_requests table.
type requestRow struct {
	ID            int64 `gorm:"primaryKey"`
	UnitID        *int64
	CustomerID    int64
	ModelID       *int64
	ProductLineID int64
	Category      string
	Priority      string
	Description   string
	SiteCity      string
	Status        string
	CampaignID    *int64
	CreatedBy     int64
	CreatedAt     time.Time
}

func (requestRow) TableName() string { return "service_requests" }

func toRequest(r *requestRow) *cordon.ServiceRequest {
	return &cordon.ServiceRequest{
		ID: r.ID, UnitID: r.UnitID, CustomerID: r.CustomerID, ModelID: r.ModelID,
		ProductLineID: r.ProductLineID, Category: cordon.Category(r.Category),
		Priority: cordon.Priority(r.Priority), Description: r.Description, SiteCity: r.SiteCity,
		Status: cordon.RequestStatus(r.Status), CampaignID: r.CampaignID, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
	}
}

// RequestStore implements cordon.RequestStore.
type RequestStore struct{ db *DB }

var _ cordon.RequestStore = (*RequestStore)(nil)

// NewRequestStore returns the service request store.
func NewRequestStore(db *DB) *RequestStore { return &RequestStore{db: db} }

// CreateRequest stores r and sets its ID. An empty status means open; a zero
// CreatedAt means now. EINVALID naming the field on bad input.
func (s *RequestStore) CreateRequest(ctx context.Context, r *cordon.ServiceRequest) error {
	if r.Status == "" {
		r.Status = cordon.RequestOpen
	}
	switch {
	case !r.Category.Valid():
		return cordon.FieldErr("category", "store.category_not_service_category", r.Category)
	case !r.Priority.Valid():
		return cordon.FieldErr("priority", "priority_must_p1_p2_p3")
	case strings.TrimSpace(r.SiteCity) == "":
		return cordon.FieldErr("site_city", "store.site_city_required")
	}
	switch r.Status {
	case cordon.RequestOpen, cordon.RequestDispatched, cordon.RequestClosed, cordon.RequestCancelled:
	default:
		return cordon.FieldErr("status", "status_must_open_dispatched_closed")
	}
	row := requestRow{
		UnitID: r.UnitID, CustomerID: r.CustomerID, ModelID: r.ModelID, ProductLineID: r.ProductLineID,
		Category: string(r.Category), Priority: string(r.Priority), Description: r.Description,
		SiteCity: r.SiteCity, Status: string(r.Status), CampaignID: r.CampaignID, CreatedBy: r.CreatedBy,
		CreatedAt: timeOrNow(s.db, r.CreatedAt),
	}
	if err := s.db.conn(ctx).Create(&row).Error; err != nil {
		return TranslateError(err, "Service request")
	}
	*r = *toRequest(&row)
	return nil
}

// FindRequestByID returns ENOTFOUND when there is no such request.
func (s *RequestStore) FindRequestByID(ctx context.Context, id int64) (*cordon.ServiceRequest, error) {
	var r requestRow
	if err := s.db.conn(ctx).First(&r, id).Error; err != nil {
		return nil, TranslateError(err, "Service request")
	}
	out := toRequest(&r)
	var line productLineRow
	if err := s.db.conn(ctx).First(&line, r.ProductLineID).Error; err != nil {
		return nil, TranslateError(err, "Product line")
	}
	out.ProductLine = line.Code
	return out, nil
}

// FindRequests returns a page of requests, oldest first, and the total.
func (s *RequestStore) FindRequests(ctx context.Context, f cordon.RequestFilter) ([]*cordon.ServiceRequest, int, error) {
	q := s.db.conn(ctx).Model(&requestRow{})
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, x := range f.Statuses {
			st[i] = string(x)
		}
		q = q.Where("status IN ?", st)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, TranslateError(err, "Service request")
	}
	q = q.Order("created_at, id").Offset(f.Offset)
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []requestRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, 0, TranslateError(err, "Service request")
	}
	var lines []productLineRow
	if err := s.db.conn(ctx).Find(&lines).Error; err != nil {
		return nil, 0, TranslateError(err, "Product line")
	}
	code := map[int64]string{}
	for _, l := range lines {
		code[l.ID] = l.Code
	}
	out := make([]*cordon.ServiceRequest, len(rows))
	for i := range rows {
		out[i] = toRequest(&rows[i])
		out[i].ProductLine = code[rows[i].ProductLineID]
	}
	return out, int(total), nil
}

// CreateDueVisits turns every follow-up visit due by now into a follow-up
// request, once: for units in service whose plan is not paused, until the
// later of warranty end and service agreement end. The description names
// no serial: a partner reads it.
func (s *RequestStore) CreateDueVisits(ctx context.Context, now time.Time, createdBy int64) (int, error) {
	var units []unitRow
	err := s.db.conn(ctx).Where("follow_up_months > 0 AND follow_up_paused = '' AND retired_at IS NULL AND next_visit_due IS NOT NULL AND next_visit_due <= ?", now.UTC()).
		Where("(warranty_end > ? OR (service_end IS NOT NULL AND service_end > ?))", now.UTC(), now.UTC()).
		Order("id").Find(&units).Error
	if err != nil {
		return 0, TranslateError(err, "Unit")
	}
	n := 0
	for _, u := range units {
		err := s.db.WithTx(ctx, func(ctx context.Context) error {
			// One request for the visit that is due; visits missed while
			// nobody swept are not made up one by one.
			next := u.NextVisitDue.AddDate(0, u.FollowUpMonths, 0)
			for !next.After(now) {
				next = next.AddDate(0, u.FollowUpMonths, 0)
			}
			res := s.db.conn(ctx).Model(&unitRow{}).Where("id = ? AND next_visit_due = ?", u.ID, u.NextVisitDue.UTC()).
				Update("next_visit_due", next.UTC())
			if res.Error != nil {
				return TranslateError(res.Error, "Unit")
			}
			if res.RowsAffected == 0 {
				return nil // another replica took it
			}
			var m modelRow
			if err := s.db.conn(ctx).First(&m, u.ModelID).Error; err != nil {
				return TranslateError(err, "Model")
			}
			r := &cordon.ServiceRequest{UnitID: &u.ID, CustomerID: u.CustomerID, ModelID: &u.ModelID, ProductLineID: m.ProductLineID,
				Category: cordon.CatFollowUp, Priority: cordon.P4, SiteCity: u.SiteCity, CreatedBy: createdBy, CreatedAt: now,
				Description: fmt.Sprintf("Scheduled follow-up visit (every %d months).", u.FollowUpMonths)}
			if err := s.CreateRequest(ctx, r); err != nil {
				return err
			}
			n++
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
