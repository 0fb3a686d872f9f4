package store

import "time"

// sessionRow is the sessions table.
type sessionRow struct {
	ID        string `gorm:"primaryKey"`
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
	Reason    string
}

func (sessionRow) TableName() string { return "sessions" }
