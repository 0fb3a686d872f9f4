package store

import (
	"context"
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
	CreatedBy     int64
	CreatedAt     time.Time
}

func (requestRow) TableName() string { return "service_requests" }

func toRequest(r *requestRow) *cordon.ServiceRequest {
	return &cordon.ServiceRequest{
		ID: r.ID, UnitID: r.UnitID, CustomerID: r.CustomerID, ModelID: r.ModelID,
		ProductLineID: r.ProductLineID, Category: cordon.Category(r.Category),
		Priority: cordon.Priority(r.Priority), Description: r.Description, SiteCity: r.SiteCity,
		Status: cordon.RequestStatus(r.Status), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
	}
}

// RequestService implements cordon.RequestService.
type RequestService struct{ db *DB }

var _ cordon.RequestService = (*RequestService)(nil)

// NewRequestService returns the service request store.
func NewRequestService(db *DB) *RequestService { return &RequestService{db: db} }

// CreateRequest stores r and sets its ID. An empty status means open; a zero
// CreatedAt means now. EINVALID naming the field on bad input.
func (s *RequestService) CreateRequest(ctx context.Context, r *cordon.ServiceRequest) error {
	if r.Status == "" {
		r.Status = cordon.RequestOpen
	}
	switch {
	case !r.Category.Valid():
		return cordon.FieldErrorf("category", "Category %q is not a service category.", r.Category)
	case !r.Priority.Valid():
		return cordon.FieldErrorf("priority", "Priority must be P1, P2, P3 or P4.")
	case strings.TrimSpace(r.SiteCity) == "":
		return cordon.FieldErrorf("site_city", "Site city is required.")
	}
	switch r.Status {
	case cordon.RequestOpen, cordon.RequestDispatched, cordon.RequestClosed, cordon.RequestCancelled:
	default:
		return cordon.FieldErrorf("status", "Status must be open, dispatched, closed or cancelled.")
	}
	row := requestRow{
		UnitID: r.UnitID, CustomerID: r.CustomerID, ModelID: r.ModelID, ProductLineID: r.ProductLineID,
		Category: string(r.Category), Priority: string(r.Priority), Description: r.Description,
		SiteCity: r.SiteCity, Status: string(r.Status), CreatedBy: r.CreatedBy,
		CreatedAt: timeOrNow(s.db, r.CreatedAt),
	}
	if err := s.db.conn(ctx).Create(&row).Error; err != nil {
		return TranslateError(err, "Service request")
	}
	*r = *toRequest(&row)
	return nil
}

// FindRequestByID returns ENOTFOUND when there is no such request.
func (s *RequestService) FindRequestByID(ctx context.Context, id int64) (*cordon.ServiceRequest, error) {
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
func (s *RequestService) FindRequests(ctx context.Context, f cordon.RequestFilter) ([]*cordon.ServiceRequest, int, error) {
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
