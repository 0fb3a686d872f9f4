package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/cordon/cordon/internal/cordon"
)

// accessEventRow is the access_events table.
type accessEventRow struct {
	ID         int64 `gorm:"primaryKey"`
	At         time.Time
	UserID     int64
	OrgID      int64
	ContractNo string
	Clause     string
	Resource   string
	ResourceID string
	Action     string
	Decision   string
	Purpose    string
	Fields     string
	RequestID  string
	ClientIP   string
	FileSHA256 string `gorm:"column:file_sha256"`
	DownloadID string
}

func (accessEventRow) TableName() string { return "access_events" }

func toAccessEvent(r *accessEventRow) *cordon.AccessEvent {
	e := &cordon.AccessEvent{
		ID: r.ID, At: r.At, UserID: r.UserID, OrgID: r.OrgID, ContractNo: r.ContractNo, Clause: r.Clause,
		Resource: r.Resource, ResourceID: r.ResourceID, Action: r.Action, Decision: cordon.Decision(r.Decision),
		Purpose: r.Purpose, RequestID: r.RequestID, ClientIP: r.ClientIP, FileSHA256: r.FileSHA256, DownloadID: r.DownloadID,
	}
	if r.Fields != "" {
		e.Fields = strings.Split(r.Fields, ",")
	}
	return e
}

// AccessLog implements cordon.AccessLog.
type AccessLog struct{ db *DB }

var _ cordon.AccessLog = (*AccessLog)(nil)

// NewAccessLog returns the access event store.
func NewAccessLog(db *DB) *AccessLog { return &AccessLog{db: db} }

// RecordAccess appends e on the side pool, outside any request
// transaction, so that it is committed before the data is served and
// survives a request that fails afterwards. It sets e.ID and, when zero, e.At.
func (l *AccessLog) RecordAccess(ctx context.Context, e *cordon.AccessEvent) error {
	if e.At.IsZero() {
		e.At = l.db.Now()
	}
	for _, f := range e.Fields {
		if strings.Contains(f, ",") {
			return cordon.Err(cordon.EINTERNAL, "internal_error")
		}
	}
	r := accessEventRow{
		At: e.At.UTC(), UserID: e.UserID, OrgID: e.OrgID, ContractNo: e.ContractNo, Clause: e.Clause,
		Resource: e.Resource, ResourceID: e.ResourceID, Action: e.Action, Decision: string(e.Decision),
		Purpose: e.Purpose, Fields: strings.Join(e.Fields, ","), RequestID: e.RequestID, ClientIP: e.ClientIP,
		FileSHA256: e.FileSHA256, DownloadID: e.DownloadID,
	}
	// Never the request's transaction: a denial must be kept when the
	// request rolls back, and the event must be committed before we answer.
	if err := l.db.side.WithContext(ctx).Create(&r).Error; err != nil {
		return TranslateError(err, "Access event")
	}
	e.ID = r.ID
	return nil
}

// CountAccess counts matching events on the side pool, outside any data
// scope (a partner's scope sees no access events at all).
func (l *AccessLog) CountAccess(ctx context.Context, f cordon.AccessEventFilter) (int, error) {
	var n int64
	err := filterAccess(l.db.side.WithContext(ctx).Model(&accessEventRow{}), f).Count(&n).Error
	return int(n), TranslateError(err, "Access event")
}

// FindAccessEvents returns a page of events in id order, and the total.
func (l *AccessLog) FindAccessEvents(ctx context.Context, f cordon.AccessEventFilter) ([]*cordon.AccessEvent, int, error) {
	q := filterAccess(l.db.conn(ctx).Model(&accessEventRow{}), f)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, TranslateError(err, "Access event")
	}
	q = q.Order("id").Offset(f.Offset)
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []accessEventRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, 0, TranslateError(err, "Access event")
	}
	out := make([]*cordon.AccessEvent, len(rows))
	for i := range rows {
		out[i] = toAccessEvent(&rows[i])
	}
	return out, int(total), nil
}

// filterAccess adds the filter's conditions to q.
func filterAccess(q *gorm.DB, f cordon.AccessEventFilter) *gorm.DB {
	if f.OrgID != nil {
		q = q.Where("org_id = ?", *f.OrgID)
	}
	if f.UserID != nil {
		q = q.Where("user_id = ?", *f.UserID)
	}
	if f.ContractNo != nil {
		q = q.Where("contract_no = ?", *f.ContractNo)
	}
	if f.Resource != nil {
		q = q.Where("resource = ?", *f.Resource)
	}
	if f.ResourceID != nil {
		q = q.Where("resource_id = ?", *f.ResourceID)
	}
	if f.Action != nil {
		q = q.Where("action = ?", *f.Action)
	}
	if f.Decision != nil {
		q = q.Where("decision = ?", string(*f.Decision))
	}
	if f.From != nil {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("at < ?", f.To.UTC())
	}
	return q
}
