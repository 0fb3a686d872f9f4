package cordon

import (
	"context"
	"io"
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
	// CountAccess counts matching events outside any data scope, for
	// quotas and alerts that must see a partner's own events.
	CountAccess(ctx context.Context, f AccessEventFilter) (int, error)
}

// The sealed access log (docs/audit.md): a single sealer folds access events,
// in id order, into an RFC 6962 Merkle log and signs a checkpoint of it per
// batch. Hashes are SHA-256.

// AuditCheckpoint is a signed statement of the sealed log: its size (the
// number of sealed events) and Merkle root, when the sealer made it, and the
// signed note (golang.org/x/mod/sumdb/note) that says so.
type AuditCheckpoint struct {
	Size uint64
	Root [32]byte
	At   time.Time
	Note []byte
}

// AuditLeaf is one sealed event: its index in the log, its id, and the
// RFC 6962 hash of its canonical leaf.
type AuditLeaf struct {
	Index   uint64
	EventID int64
	Hash    [32]byte
}

// AuditNode is the hash of a perfect subtree of the log: the 2^Level leaves
// from index Index<<Level on. Level 0 nodes are the leaves.
type AuditNode struct {
	Level uint8
	Index uint64
	Hash  [32]byte
}

// AuditGap is a run of event ids the sealer passed over because no event
// with them was ever committed: inserts that rolled back.
type AuditGap struct {
	FirstID, LastID int64
	At              time.Time
}

// AuditState is how far sealing has come: the log's size, the lowest event
// id not yet sealed (every lower id is a leaf or a gap), and the compact
// Merkle tree of the log.
type AuditState struct {
	Size        uint64
	NextEventID int64
	Tree        []byte
}

// AuditSeal is one batch of sealing, written all or nothing.
type AuditSeal struct {
	Prev, Next AuditState // the batch applies only while the state is still Prev
	Leaves     []AuditLeaf
	Nodes      []AuditNode // the perfect subtrees the leaves complete
	Gaps       []AuditGap
	Checkpoint *AuditCheckpoint // nil when the batch only records gaps
}

// AuditInclusion proves that an event is in the log: the audit path from
// its leaf to the root of the checkpoint.
type AuditInclusion struct {
	EventID    int64
	LeafIndex  uint64
	Leaf       []byte // the canonical leaf content
	LeafHash   [32]byte
	Path       [][32]byte
	Checkpoint *AuditCheckpoint
}

// AuditConsistency proves that the log at size To extends the log at size
// From, with the roots at both sizes and the checkpoints, where there are
// checkpoints of those sizes.
type AuditConsistency struct {
	From, To                     uint64
	FromRoot, ToRoot             [32]byte
	Path                         [][32]byte
	FromCheckpoint, ToCheckpoint *AuditCheckpoint
}

// AuditExport selects the sealed events an export holds: At in [From, To);
// nil bounds do not limit.
type AuditExport struct {
	From, To *time.Time
}

// AuditService is the access log as legal reads it: events, checkpoints,
// proofs and evidence for offline verification. Callers must hold the
// audit and access_event rights; the route guards check them.
type AuditService interface {
	AccessReports
	// FindAccessEvents returns a page of events in id order, and the total.
	FindAccessEvents(ctx context.Context, f AccessEventFilter) ([]*AccessEvent, int, error)
	// LeafIndexes returns the leaf index of each of the events that is
	// sealed; events not sealed yet are absent from the map.
	LeafIndexes(ctx context.Context, eventIDs []int64) (map[int64]uint64, error)
	// ExportAccessEvents writes every event the filter selects as CSV and
	// records the export in the access log. It returns EINVALID when the
	// filter selects more than an export may hold.
	ExportAccessEvents(ctx context.Context, f AccessEventFilter, w io.Writer) error
	// PublicKey returns the verifier key of the checkpoints, in the note
	// verifier key format (name+hash+key).
	PublicKey(ctx context.Context) (string, error)
	// FindCheckpoints returns a page of checkpoints, latest first, and the
	// total.
	FindCheckpoints(ctx context.Context, offset, limit int) ([]*AuditCheckpoint, int, error)
	// ProveInclusion proves that the event is in the latest checkpoint.
	// ENOTFOUND: no such event, or not sealed yet.
	ProveInclusion(ctx context.Context, eventID int64) (*AuditInclusion, error)
	// ProveConsistency proves that the log at size to extends the log at
	// size from; to 0 means the latest checkpoint. EINVALID: from > to, or
	// to beyond the latest checkpoint.
	ProveConsistency(ctx context.Context, from, to uint64) (*AuditConsistency, error)
	// ExportBundle writes an evidence bundle (a zip) of the sealed events
	// the export selects, with their proofs, the checkpoint, the verifier
	// key and instructions, and records the export in the access log.
	// ENOTFOUND: nothing sealed yet; EINVALID: too many events.
	ExportBundle(ctx context.Context, f AuditExport, w io.Writer) (int, error)
}

// Reports on the access log for legal (docs/audit.md, "Reports").

// DisclosureGroup is one line of the who-saw-a-customer report: the
// disclosures of the customer's identity made by one user of one
// organisation under one contract clause, of one set of fields, with one
// decision.
type DisclosureGroup struct {
	OrgID       int64
	UserID      int64
	ContractNo  string // "" for denials and institute users
	Clause      string
	Fields      []string
	Decision    Decision
	Count       int
	First, Last time.Time
}

// DisclosureFilter selects the disclosures of one customer's identity, At
// in [From, To); nil bounds do not limit.
type DisclosureFilter struct {
	CustomerID int64
	From, To   *time.Time
}

// Denial report buckets.
const (
	BucketHour = "hour"
	BucketDay  = "day"
)

// DenialFilter selects the denials report: denials with At in [From, To),
// counted per Bucket (BucketHour or BucketDay). A zero To is the clock's
// now; a zero From is seven days before To.
type DenialFilter struct {
	From, To time.Time
	Bucket   string
}

// DenialCount is the number of denials in one bucket or window starting at
// Start.
type DenialCount struct {
	Start time.Time
	Count int
}

// DenialSpike is one hour in which a partner's denials reached the spike
// threshold: at least max(SpikeFloor, SpikeFactor × Median), Median being
// the median of the partner's hourly denials over the SpikeBaseline before
// the hour.
type DenialSpike struct {
	Start     time.Time // the hour
	Count     int
	Median    float64
	Threshold int
}

// PartnerDenials is one organisation's line in the denials report: its
// non-empty buckets in time order, the total, and the hours flagged as
// spikes.
type PartnerDenials struct {
	OrgID   int64
	Total   int
	Buckets []DenialCount
	Spike   bool // any hour in the range is a spike
	Spikes  []DenialSpike
}

// DenialReport is the denied attempts by partner over a time range, with
// spikes flagged.
type DenialReport struct {
	From, To time.Time
	Bucket   string
	Rule     string // the spike rule, in words
	Partners []*PartnerDenials
}

// The spike rule of the denials report: an hour whose denials number at
// least max(SpikeFloor, SpikeFactor × the median of the partner's hourly
// denials over the SpikeBaseline before it, empty hours counted as 0).
const (
	SpikeFloor    = 10
	SpikeFactor   = 3
	SpikeBaseline = 7 * 24 * time.Hour
)

// AccessReports are the reports legal reads from the access log. Callers
// must hold the access_event list right; the route guards check it.
// audit.Service implements it.
type AccessReports interface {
	// FindDisclosures reports who saw a customer's identity: every
	// disclosure and refused disclosure of it, grouped by user, contract,
	// clause, fields and decision, first seen first. EINVALID: a bad range.
	FindDisclosures(ctx context.Context, f DisclosureFilter) ([]*DisclosureGroup, error)
	// DenialReport counts denied attempts per organisation and bucket and
	// flags the hours that are spikes. EINVALID: a bad range or bucket, or
	// a range of more than 92 days.
	DenialReport(ctx context.Context, f DenialFilter) (*DenialReport, error)
}
