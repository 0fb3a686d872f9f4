package cordon

import (
	"context"
	"time"
)

// Decision is the outcome of an access attempt.
type Decision string

// The decisions.
const (
	Allow Decision = "allow"
	Deny  Decision = "deny"
)

// AccessEvent records one sensitive access or attempt, for legal. Rows are
// append-only.
type AccessEvent struct {
	ID         int64
	At         time.Time
	UserID     int64
	OrgID      int64
	ContractNo string // the contract whose clause allowed it; "" for denials and institute access
	Clause     string
	Resource   string // "job", "customer", "document", ...
	ResourceID string
	Action     string // "view", "disclose", "download", ...
	Decision   Decision
	Purpose    string   // e.g. "job:42"
	Fields     []string // identity fields disclosed
	RequestID  string
	ClientIP   string
	FileSHA256 string
	DownloadID string
}

// AccessEventFilter selects access events; nil fields do not filter.
type AccessEventFilter struct {
	OrgID      *int64
	UserID     *int64
	ContractNo *string
	Resource   *string
	ResourceID *string
	Action     *string
	Decision   *Decision
	From, To   *time.Time
	Offset     int
	Limit      int // 0: all
}

// AccessLog writes and reads access events. A failing write must stop the
// data being served: callers write the event before they answer.
type AccessLog interface {
	// RecordAccess appends the event, committed on its own (not inside the
	// request's transaction, so a denial is kept even when the request
	// fails); any error means the access must not proceed.
	RecordAccess(ctx context.Context, e *AccessEvent) error
	// FindAccessEvents returns a page of events in order of id, and the total.
	FindAccessEvents(ctx context.Context, f AccessEventFilter) ([]*AccessEvent, int, error)
}
