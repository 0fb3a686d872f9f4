package store

import (
	"context"
	"math"
	"strings"
	"time"

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
	where, args := filterAccess(f)
	var n int64
	err := l.db.side.WithContext(ctx).Raw("SELECT count(*) FROM access_events e "+where, args...).Row().Scan(&n)
	return int(n), TranslateError(err, "Access event")
}

// FindAccessEvents returns a page of events in id order, and the total.
func (l *AccessLog) FindAccessEvents(ctx context.Context, f cordon.AccessEventFilter) ([]*cordon.AccessEvent, int, error) {
	where, args := filterAccess(f)
	var total int64
	if err := l.db.conn(ctx).Raw("SELECT count(*) FROM access_events e "+where, args...).Row().Scan(&total); err != nil {
		return nil, 0, TranslateError(err, "Access event")
	}
	limit := int64(math.MaxInt64)
	if f.Limit > 0 {
		limit = int64(f.Limit)
	}
	args = append(args, limit, max(0, f.Offset))
	out := []*cordon.AccessEvent{}
	err := l.db.eng.accessEvents(ctx, l.db, where+" ORDER BY e.id LIMIT ? OFFSET ?", args, func(e *cordon.AccessEvent) error {
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, int(total), nil
}

// filterAccess returns the filter's conditions on access_events e as a
// WHERE clause (empty for none) and its arguments.
func filterAccess(f cordon.AccessEventFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		conds, args = append(conds, cond), append(args, arg)
	}
	if f.OrgID != nil {
		add("e.org_id = ?", *f.OrgID)
	}
	if f.UserID != nil {
		add("e.user_id = ?", *f.UserID)
	}
	if f.ContractNo != nil {
		add("e.contract_no = ?", *f.ContractNo)
	}
	if f.Resource != nil {
		add("e.resource = ?", *f.Resource)
	}
	if f.ResourceID != nil {
		add("e.resource_id = ?", *f.ResourceID)
	}
	if f.Action != nil {
		add("e.action = ?", *f.Action)
	}
	if f.Decision != nil {
		add("e.decision = ?", string(*f.Decision))
	}
	if f.From != nil {
		add("e.at >= ?", f.From.UTC())
	}
	if f.To != nil {
		add("e.at < ?", f.To.UTC())
	}
	if len(conds) == 0 {
		return "", nil
	}
	return "WHERE " + strings.Join(conds, " AND "), args
}
