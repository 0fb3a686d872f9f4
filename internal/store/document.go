package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/cordon/cordon/internal/cordon"
)

// blobRow is the blobs table: file content addressed by its SHA-256, shared
// by documents and report attachments.
type blobRow struct {
	SHA256    string `gorm:"column:sha256;primaryKey"`
	Size      int64
	Content   []byte
	CreatedAt time.Time
}

func (blobRow) TableName() string { return "blobs" }

// putBlob stores content once by its SHA-256 and returns the hex digest.
func (db *DB) putBlob(ctx context.Context, content []byte, now time.Time) (string, error) {
	sum := sha256.Sum256(content)
	b := blobRow{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(content)), Content: content, CreatedAt: now}
	if err := db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&b).Error; err != nil {
		return "", TranslateError(err, "File")
	}
	return b.SHA256, nil
}

// findBlob returns a stored file's content; ENOTFOUND.
func (db *DB) findBlob(ctx context.Context, sha string) ([]byte, error) {
	var b blobRow
	if err := db.conn(ctx).Where("sha256 = ?", sha).First(&b).Error; err != nil {
		return nil, TranslateError(err, "File")
	}
	if b.Content == nil {
		b.Content = []byte{}
	}
	return b.Content, nil
}

// documentRow is the documents table.
type documentRow struct {
	ID             int64 `gorm:"primaryKey"`
	Title          string
	ProductLineID  int64
	ModelID        *int64
	Classification string
	Version        string
	PreviousID     *int64
	MediaType      string
	Size           int64
	SHA256         string `gorm:"column:sha256"`
	UploadedBy     int64
	CreatedAt      time.Time
}

func (documentRow) TableName() string { return "documents" }

func toDocument(r *documentRow) *cordon.Document {
	return &cordon.Document{
		ID: r.ID, Title: r.Title, ProductLineID: r.ProductLineID, ModelID: r.ModelID,
		Classification: cordon.Classification(r.Classification), Version: r.Version,
		PreviousID: r.PreviousID, MediaType: r.MediaType, Size: r.Size, SHA256: r.SHA256,
		UploadedBy: r.UploadedBy, CreatedAt: r.CreatedAt,
	}
}

// DocumentStore implements cordon.DocumentStore.
type DocumentStore struct{ db *DB }

var _ cordon.DocumentStore = (*DocumentStore)(nil)

// NewDocumentStore returns the store of technical documents and their files.
func NewDocumentStore(db *DB) *DocumentStore { return &DocumentStore{db: db} }

// CreateDocument stores content in the blob store (once per SHA-256) and the
// record pointing at it, in one transaction, and sets d's ID, Size, SHA256
// and CreatedAt. The size and checksum are computed here: whatever the
// caller set is ignored. EINVALID naming the field on bad input.
func (s *DocumentStore) CreateDocument(ctx context.Context, d *cordon.Document, content []byte) error {
	d.Title = strings.TrimSpace(d.Title)
	switch {
	case d.Title == "":
		return cordon.FieldErr("title", "store.title_required")
	case !d.Classification.Valid():
		return cordon.FieldErr("classification", "classification_must_public_internal_restricted")
	case strings.TrimSpace(d.Version) == "":
		return cordon.FieldErr("version", "store.version_required")
	case strings.TrimSpace(d.MediaType) == "":
		return cordon.FieldErr("media_type", "store.media_type_required")
	}
	sum := sha256.Sum256(content)
	if content == nil {
		content = []byte{} // NOT NULL: an empty file is still a file
	}
	now := s.db.Now()
	r := documentRow{
		Title: d.Title, ProductLineID: d.ProductLineID, ModelID: d.ModelID,
		Classification: string(d.Classification), Version: d.Version, PreviousID: d.PreviousID,
		MediaType: d.MediaType, Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]),
		UploadedBy: d.UploadedBy, CreatedAt: now,
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.putBlob(ctx, content, now); err != nil {
			return err
		}
		if err := s.db.conn(ctx).Create(&r).Error; err != nil {
			return TranslateError(err, "Document")
		}
		*d = *toDocument(&r)
		return nil
	})
}

// FindDocumentByID returns the document record; ENOTFOUND when absent.
func (s *DocumentStore) FindDocumentByID(ctx context.Context, id int64) (*cordon.Document, error) {
	var r documentRow
	if err := s.db.conn(ctx).First(&r, id).Error; err != nil {
		return nil, TranslateError(err, "Document")
	}
	docs := []*cordon.Document{toDocument(&r)}
	if err := s.withLines(ctx, docs); err != nil {
		return nil, err
	}
	return docs[0], nil
}

// withLines fills each document's product line code.
func (s *DocumentStore) withLines(ctx context.Context, docs []*cordon.Document) error {
	var lines []productLineRow
	if err := s.db.conn(ctx).Find(&lines).Error; err != nil {
		return TranslateError(err, "Product line")
	}
	code := make(map[int64]string, len(lines))
	for _, l := range lines {
		code[l.ID] = l.Code
	}
	for _, d := range docs {
		d.ProductLine = code[d.ProductLineID]
	}
	return nil
}

// FindDocuments returns a page of documents, newest first, and the total.
// The scope becomes parameterised SQL: one OR-ed term per grant, its
// product lines and the classifications at or below its ceiling; an empty
// scope matches nothing.
func (s *DocumentStore) FindDocuments(ctx context.Context, f cordon.DocumentFilter) ([]*cordon.Document, int, error) {
	q := s.db.conn(ctx).Model(&documentRow{}).Joins("JOIN product_lines pl ON pl.id = documents.product_line_id")
	if f.Title != nil && *f.Title != "" {
		q = q.Where("LOWER(documents.title) LIKE ? ESCAPE '\\'", "%"+escapeLike(strings.ToLower(*f.Title))+"%")
	}
	if f.ProductLine != nil {
		q = q.Where("pl.code = ?", *f.ProductLine)
	}
	if f.ModelID != nil {
		q = q.Where("documents.model_id = ?", *f.ModelID)
	}
	if !f.Scope.All {
		terms := s.db.gorm.Where("1 = 0")
		for _, g := range f.Scope.Grants {
			var classes []string
			for _, c := range cordon.Classifications {
				if c.AtMost(g.Ceiling) {
					classes = append(classes, string(c))
				}
			}
			if len(g.ProductLines) == 0 || len(classes) == 0 {
				continue // a grant with an empty set grants nothing
			}
			terms = terms.Or(s.db.gorm.Where("pl.code IN ? AND documents.classification IN ?", g.ProductLines, classes))
		}
		q = q.Where(terms)
	}
	var rows []documentRow
	total, err := findPage(q, "documents.*", "documents.created_at DESC, documents.id DESC", f.Offset, f.Limit, &rows)
	if err != nil {
		return nil, 0, TranslateError(err, "Document")
	}
	out := make([]*cordon.Document, len(rows))
	for i := range rows {
		out[i] = toDocument(&rows[i])
	}
	if err := s.withLines(ctx, out); err != nil {
		return nil, 0, err
	}
	return out, int(total), nil
}

// escapeLike escapes LIKE's wildcards in a user's search text.
func escapeLike(s string) string {
	return strings.NewReplacer("\\", "\\\\", "%", "\\%", "_", "\\_").Replace(s)
}

// FindContent returns the file stored under the hex SHA-256 sum;
// ENOTFOUND when there is none.
func (s *DocumentStore) FindContent(ctx context.Context, sha256 string) ([]byte, error) {
	return s.db.findBlob(ctx, sha256)
}
