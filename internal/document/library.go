package document

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// LibraryConfig holds what the library needs.
type LibraryConfig struct {
	Documents cordon.DocumentStore
	Catalog   cordon.CatalogStore
	Orgs      cordon.OrgStore
	Scope     cordon.ScopePolicy
	Access    cordon.AccessLog
	Now       cordon.Clock
	Limits    Limits
	// DailyQuota caps one user's downloads per day (China Standard Time);
	// 0 means 100.
	DailyQuota int
}

// Library is the technical document library, scoped to the caller:
// institute users see every document and download originals; a partner
// sees only the product lines its contracts in force grant, up to their
// classification ceiling, and downloads stamped copies. Everything else is
// the same 404 as a document that does not exist. Every download, and every
// refusal, is an access event naming the bytes served.
type Library struct{ cfg LibraryConfig }

var _ cordon.DocumentLibrary = (*Library)(nil)

// NewLibrary returns the library.
func NewLibrary(cfg LibraryConfig) *Library {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DailyQuota <= 0 {
		cfg.DailyQuota = 100
	}
	return &Library{cfg: cfg}
}

func caller(ctx context.Context) (*cordon.Actor, error) { return cordon.Caller(ctx) }

// ListDocuments returns the caller's page of documents.
func (l *Library) ListDocuments(ctx context.Context, f cordon.DocumentFilter) ([]*cordon.Document, int, error) {
	a, err := caller(ctx)
	if err != nil {
		return nil, 0, err
	}
	f.Scope = cordon.ListScope{All: true}
	if a.IsPartner() {
		f.Scope = cordon.ListScope{Grants: l.cfg.Scope.Grants(a.PartnerID, cordon.ResDocument, cordon.ActList)}
	}
	return l.cfg.Documents.FindDocuments(ctx, f)
}

// find loads a document the caller may take action on, recording a
// partner's refusal; decided names the grant for a partner.
func (l *Library) find(ctx context.Context, a *cordon.Actor, id int64, action string) (*cordon.Document, cordon.Decided, error) {
	d, err := l.cfg.Documents.FindDocumentByID(ctx, id)
	if err != nil && cordon.ErrorCode(err) != cordon.ENOTFOUND {
		return nil, cordon.Decided{}, fmt.Errorf("find document %d: %w", id, err)
	}
	if !a.IsPartner() {
		return d, cordon.Decided{Allowed: err == nil}, err
	}
	var dec cordon.Decided
	if err == nil {
		dec, err = l.cfg.Scope.Decide(cordon.ScopeQuery{PartnerID: a.PartnerID, Resource: cordon.ResDocument,
			Action: action, ProductLine: d.ProductLine, Classification: d.Classification})
		if err != nil {
			return nil, cordon.Decided{}, fmt.Errorf("decide document %d: %w", id, err)
		}
	}
	if !dec.Allowed {
		ev := l.event(ctx, a, id, action, cordon.Deny)
		if err := l.cfg.Access.RecordAccess(ctx, ev); err != nil {
			return nil, cordon.Decided{}, fmt.Errorf("record document denial: %w", err)
		}
		return nil, cordon.Decided{}, cordon.Err(cordon.ENOTFOUND, "document.not_found")
	}
	return d, dec, nil
}

// ViewDocument returns one document the caller may see.
func (l *Library) ViewDocument(ctx context.Context, id int64) (*cordon.Document, error) {
	a, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	d, _, err := l.find(ctx, a, id, cordon.ActView)
	return d, err
}

func (l *Library) event(ctx context.Context, a *cordon.Actor, id int64, action string, dec cordon.Decision) *cordon.AccessEvent {
	m := cordon.MetaFromContext(ctx)
	return &cordon.AccessEvent{UserID: a.UserID, OrgID: a.OrgID, Resource: cordon.ResDocument,
		ResourceID: strconv.FormatInt(id, 10), Action: action, Decision: dec, RequestID: m.RequestID, ClientIP: m.ClientIP}
}

// DownloadDocument serves the file: the original to the institute, a copy
// stamped on every page with the partner, user, contract, download id and
// time to a partner. The SHA-256 of the bytes served, the download id, the
// contract and the clause are committed to the access log before anything
// is served.
func (l *Library) DownloadDocument(ctx context.Context, id int64) (*cordon.Download, error) {
	a, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	d, dec, err := l.find(ctx, a, id, cordon.ActDownload)
	if err != nil {
		return nil, err
	}
	now := l.cfg.Now()
	if err := l.checkQuota(ctx, a, id, now); err != nil {
		return nil, err
	}
	content, err := l.cfg.Documents.FindContent(ctx, d.SHA256)
	if err != nil {
		return nil, fmt.Errorf("download document %d: %w", id, err)
	}
	var b [16]byte
	rand.Read(b[:])
	out := &cordon.Download{Document: d, Content: content, MediaType: d.MediaType, DownloadID: hex.EncodeToString(b[:])}
	ev := l.event(ctx, a, id, cordon.ActDownload, cordon.Allow)
	if a.IsPartner() {
		partner, err := l.cfg.Orgs.FindOrgByID(ctx, a.PartnerID)
		if err != nil {
			return nil, fmt.Errorf("download document %d: %w", id, err)
		}
		out.Content, err = Stamp(ctx, content, d.MediaType, Mark{
			Partner: partner.Code, User: a.Username, ContractNo: dec.ContractNo, DownloadID: out.DownloadID, At: now,
		}, l.cfg.Limits)
		if err != nil {
			return nil, err
		}
		ev.ContractNo, ev.Clause = dec.ContractNo, dec.Clause
	}
	sum := sha256.Sum256(out.Content)
	out.SHA256 = hex.EncodeToString(sum[:])
	ev.FileSHA256, ev.DownloadID, ev.At = out.SHA256, out.DownloadID, now
	if err := l.cfg.Access.RecordAccess(ctx, ev); err != nil {
		return nil, fmt.Errorf("record download: %w", err)
	}
	return out, nil
}

// checkQuota refuses a download past the user's daily quota, recording an
// alert event the first time and every time after.
func (l *Library) checkQuota(ctx context.Context, a *cordon.Actor, id int64, now time.Time) error {
	local := now.In(cordon.ChinaTime)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, cordon.ChinaTime)
	next := day.AddDate(0, 0, 1)
	res, act, allow := cordon.ResDocument, cordon.ActDownload, cordon.Allow
	n, err := l.cfg.Access.CountAccess(ctx, cordon.AccessEventFilter{UserID: &a.UserID, Resource: &res, Action: &act, Decision: &allow, From: &day})
	if err != nil {
		return fmt.Errorf("download quota: %w", err)
	}
	if n < l.cfg.DailyQuota {
		return nil
	}
	ev := l.event(ctx, a, id, "quota_exceeded", cordon.Deny)
	if err := l.cfg.Access.RecordAccess(ctx, ev); err != nil {
		return fmt.Errorf("record quota alert: %w", err)
	}
	e := cordon.Err(cordon.ETOOMANY, "document.you_have_reached_today_download", l.cfg.DailyQuota)
	e.RetryAfter = int(next.Sub(now).Seconds()) + 1
	return e
}

// UploadDocument checks the file by its content and stores it.
func (l *Library) UploadDocument(ctx context.Context, u cordon.DocumentUpload) (*cordon.Document, error) {
	a, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if a.IsPartner() {
		return nil, cordon.Err(cordon.EFORBIDDEN, "document.only_institute_uploads_documents")
	}
	u.Title, u.Version = strings.TrimSpace(u.Title), strings.TrimSpace(u.Version)
	switch {
	case u.Title == "" || len(u.Title) > 300:
		return nil, cordon.FieldErr("title", "document.title_must_1_300_characters")
	case u.Version == "" || len(u.Version) > 40:
		return nil, cordon.FieldErr("version", "document.version_must_1_40_characters")
	case !u.Classification.Valid():
		return nil, cordon.FieldErr("classification", "classification_must_public_internal_restricted")
	case len(u.Content) == 0:
		return nil, cordon.FieldErr("file", "document.attach_file")
	case len(u.Content) > cordon.MaxDocumentBytes:
		return nil, cordon.Err(cordon.ETOOLARGE, "document.file_larger_than_mib", cordon.MaxDocumentBytes>>20)
	}
	lines, err := l.cfg.Catalog.FindProductLines(ctx)
	if err != nil {
		return nil, err
	}
	d := &cordon.Document{Title: u.Title, Classification: u.Classification, Version: u.Version,
		ModelID: u.ModelID, PreviousID: u.PreviousID, UploadedBy: a.UserID}
	for _, pl := range lines {
		if pl.Code == u.ProductLine {
			d.ProductLineID = pl.ID
		}
	}
	if d.ProductLineID == 0 {
		return nil, cordon.FieldErr("product_line", "document.unknown_product_line", u.ProductLine)
	}
	if u.ModelID != nil {
		m, err := l.cfg.Catalog.FindModelByID(ctx, *u.ModelID)
		if err != nil || m.ProductLineID != d.ProductLineID {
			return nil, cordon.FieldErr("model_id", "document.model_not_one_product_line")
		}
	}
	if u.PreviousID != nil {
		prev, err := l.cfg.Documents.FindDocumentByID(ctx, *u.PreviousID)
		if err != nil || prev.ProductLineID != d.ProductLineID {
			return nil, cordon.FieldErr("previous_id", "document.previous_version_must_document_same")
		}
	}
	if d.MediaType, err = Sniff(u.Content); err != nil {
		return nil, err
	}
	if _, err := Check(ctx, u.Content, d.MediaType, l.cfg.Limits); err != nil {
		return nil, err
	}
	if err := l.cfg.Documents.CreateDocument(ctx, d, u.Content); err != nil {
		return nil, err
	}
	return l.cfg.Documents.FindDocumentByID(ctx, d.ID)
}
