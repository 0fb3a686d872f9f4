package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/cordon/cordon/internal/cordon"
)

// messageRow is the job_messages table (migration 00017).
type messageRow struct {
	ID          int64 `gorm:"primaryKey"`
	JobID       int64
	AuthorID    int64
	AuthorOrgID int64
	AuthorName  string
	AuthorSide  string
	Body        string
	CreatedAt   time.Time
}

func (messageRow) TableName() string { return "job_messages" }

// messageAttachmentRow is the job_message_attachments table.
type messageAttachmentRow struct {
	ID        int64 `gorm:"primaryKey"`
	MessageID int64
	MediaType string
	Size      int64
	SHA256    string `gorm:"column:sha256"`
	CreatedAt time.Time
}

func (messageAttachmentRow) TableName() string { return "job_message_attachments" }

func toJobMessage(r *messageRow) *cordon.JobMessage {
	return &cordon.JobMessage{ID: r.ID, JobID: r.JobID, AuthorID: r.AuthorID, AuthorOrgID: r.AuthorOrgID,
		AuthorName: r.AuthorName, AuthorSide: r.AuthorSide, Body: r.Body, CreatedAt: r.CreatedAt.UTC()}
}

func toMessageAttachment(r *messageAttachmentRow) *cordon.MessageAttachment {
	return &cordon.MessageAttachment{ID: r.ID, MessageID: r.MessageID, MediaType: r.MediaType, Size: r.Size,
		SHA256: r.SHA256, CreatedAt: r.CreatedAt.UTC()}
}

// ThreadStore implements cordon.ThreadStore.
type ThreadStore struct{ db *DB }

var _ cordon.ThreadStore = (*ThreadStore)(nil)

// NewThreadStore returns the job message store.
func NewThreadStore(db *DB) *ThreadStore { return &ThreadStore{db: db} }

// PostMessage stores m, each file once in the blob store by its SHA-256,
// the attachments, and the outbox event, in one transaction; it sets the
// ids and m.Attachments. A zero CreatedAt means now.
func (s *ThreadStore) PostMessage(ctx context.Context, m *cordon.JobMessage, files []cordon.AttachmentUpload) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		at := timeOrNow(s.db, m.CreatedAt)
		row := messageRow{JobID: m.JobID, AuthorID: m.AuthorID, AuthorOrgID: m.AuthorOrgID, AuthorName: m.AuthorName,
			AuthorSide: m.AuthorSide, Body: m.Body, CreatedAt: at}
		if err := s.db.conn(ctx).Create(&row).Error; err != nil {
			return TranslateError(err, "Message")
		}
		*m = *toJobMessage(&row)
		for _, f := range files {
			sum := sha256.Sum256(f.Content)
			hexSum := hex.EncodeToString(sum[:])
			blob := blobRow{SHA256: hexSum, Size: int64(len(f.Content)), Content: f.Content, CreatedAt: at}
			if err := s.db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&blob).Error; err != nil {
				return TranslateError(err, "Attachment")
			}
			a := messageAttachmentRow{MessageID: row.ID, MediaType: f.MediaType, Size: int64(len(f.Content)), SHA256: hexSum, CreatedAt: at}
			if err := s.db.conn(ctx).Create(&a).Error; err != nil {
				return TranslateError(err, "Attachment")
			}
			m.Attachments = append(m.Attachments, toMessageAttachment(&a))
		}
		var j jobRow // outbox: the message, by ids only
		if err := s.db.conn(ctx).First(&j, m.JobID).Error; err != nil {
			return TranslateError(err, "Job")
		}
		by := m.AuthorID
		return s.db.writeOutbox(ctx, cordon.EventJobMessage, &j, &by, at,
			map[string]any{"message_id": m.ID, "author_side": m.AuthorSide, "attachments": len(m.Attachments)})
	})
}

// FindMessages returns up to limit of the job's messages after the id
// given, oldest first, with their attachments, and whether more follow.
func (s *ThreadStore) FindMessages(ctx context.Context, jobID, after int64, limit int) ([]*cordon.JobMessage, bool, error) {
	var rows []messageRow
	if err := s.db.conn(ctx).Where("job_id = ? AND id > ?", jobID, after).Order("id").Limit(limit + 1).Find(&rows).Error; err != nil {
		return nil, false, TranslateError(err, "Message")
	}
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	out := make([]*cordon.JobMessage, len(rows))
	byID := map[int64]*cordon.JobMessage{}
	ids := make([]int64, len(rows))
	for i := range rows {
		out[i] = toJobMessage(&rows[i])
		byID[rows[i].ID], ids[i] = out[i], rows[i].ID
	}
	if len(ids) == 0 {
		return out, false, nil
	}
	var atts []messageAttachmentRow
	if err := s.db.conn(ctx).Where("message_id IN ?", ids).Order("id").Find(&atts).Error; err != nil {
		return nil, false, TranslateError(err, "Attachment")
	}
	for i := range atts {
		m := byID[atts[i].MessageID]
		m.Attachments = append(m.Attachments, toMessageAttachment(&atts[i]))
	}
	return out, more, nil
}

// FindMessageFile returns the attachment with its content when the
// attachment is the message's and the message the job's.
func (s *ThreadStore) FindMessageFile(ctx context.Context, jobID, messageID, attachmentID int64) (*cordon.MessageFile, error) {
	var a messageAttachmentRow
	err := s.db.conn(ctx).Table("job_message_attachments").Select("job_message_attachments.*").
		Joins("JOIN job_messages ON job_messages.id = job_message_attachments.message_id").
		Where("job_message_attachments.id = ? AND job_messages.id = ? AND job_messages.job_id = ?", attachmentID, messageID, jobID).
		Take(&a).Error
	if err != nil {
		return nil, TranslateError(err, "Attachment")
	}
	var b blobRow
	if err := s.db.conn(ctx).Where("sha256 = ?", a.SHA256).First(&b).Error; err != nil {
		return nil, TranslateError(err, "Attachment")
	}
	if b.Content == nil {
		b.Content = []byte{}
	}
	return &cordon.MessageFile{Attachment: toMessageAttachment(&a), JobID: jobID, Content: b.Content}, nil
}

// ScreeningFacts reads the job's unit serial and customer identity as the
// owner, outside any data scope (the screening of a partner's message
// compares it with identity the partner may not read); the service shows
// none of it. ENOTFOUND when the job does not exist.
func (s *ThreadStore) ScreeningFacts(ctx context.Context, jobID int64) (*cordon.ScreeningFacts, error) {
	ctx = detach(ctx)
	var r struct {
		UnitID     *int64
		CustomerID int64
	}
	err := s.db.conn(ctx).Table("jobs").Select("service_requests.unit_id, service_requests.customer_id").
		Joins("JOIN service_requests ON service_requests.id = jobs.request_id").
		Where("jobs.id = ?", jobID).Take(&r).Error
	if err != nil {
		return nil, TranslateError(err, "Job")
	}
	out := &cordon.ScreeningFacts{CustomerID: r.CustomerID}
	if r.UnitID != nil {
		var u struct{ Serial string }
		if err := s.db.conn(ctx).Table("units").Select("serial").Where("id = ?", *r.UnitID).Take(&u).Error; err != nil {
			return nil, TranslateError(err, "Unit")
		}
		out.Serial = u.Serial
	}
	var ir customerIdentityRow
	err = s.db.conn(ctx).Where("customer_id = ?", r.CustomerID).First(&ir).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
	case err != nil:
		return nil, TranslateError(err, "Customer")
	default:
		out.Identity = toCustomerIdentity(&ir)
	}
	return out, nil
}
