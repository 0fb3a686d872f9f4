package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// throttleRow is the login_throttle table.
type throttleRow struct {
	Username      string `gorm:"primaryKey"`
	Failures      int
	LastFailureAt time.Time
	LockedUntil   *time.Time
}

func (throttleRow) TableName() string { return "login_throttle" }

// LoginThrottle counts failed logins per username and keeps the lock the
// caller's policy decides on. Usernames are keyed lower-cased and need not
// belong to a user, so that a lock reveals nothing about who exists.
type LoginThrottle struct{ db *DB }

// NewLoginThrottle returns the login throttle store.
func NewLoginThrottle(db *DB) *LoginThrottle { return &LoginThrottle{db: db} }

// throttleKey is the key a username is counted under.
func throttleKey(username string) string {
	return strings.ToLower(strings.TrimSpace(username))
}

// Check returns the end of the username's lock when it is locked at now, and
// nil when it is not.
func (t *LoginThrottle) Check(ctx context.Context, username string, now time.Time) (*time.Time, error) {
	ctx = detach(ctx)
	var r throttleRow
	err := t.db.conn(ctx).Where("username = ?", throttleKey(username)).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, TranslateError(err, "Login throttle")
	}
	if r.LockedUntil == nil || !now.Before(*r.LockedUntil) {
		return nil, nil
	}
	return r.LockedUntil, nil
}

// Fail records one failed login for username at now and returns the end of
// its lock, or nil when it is not locked. Failures older than window (when
// positive) are forgotten first; lockFor turns the new failure count into a
// lock duration, zero for none. A lock still running is never shortened.
//
// Concurrent failures for one username are counted exactly: the row is
// upserted, then locked (FOR UPDATE on PostgreSQL; SQLite transactions take
// the write lock at BEGIN).
func (t *LoginThrottle) Fail(ctx context.Context, username string, now time.Time, window time.Duration, lockFor func(failures int) time.Duration) (*time.Time, error) {
	ctx = detach(ctx)
	key := throttleKey(username)
	now = now.UTC()
	var lockedUntil *time.Time
	err := t.db.WithTx(ctx, func(ctx context.Context) error {
		// Make sure the row exists, whoever creates it.
		seed := throttleRow{Username: key, LastFailureAt: now}
		if err := t.db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&seed).Error; err != nil {
			return TranslateError(err, "Login throttle")
		}
		var r throttleRow
		if err := t.db.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("username = ?", key).Take(&r).Error; err != nil {
			return TranslateError(err, "Login throttle")
		}
		failures := r.Failures
		if window > 0 && now.Sub(r.LastFailureAt) > window {
			failures = 0
		}
		failures++
		if r.LockedUntil != nil && now.Before(*r.LockedUntil) {
			lockedUntil = r.LockedUntil
		}
		if d := lockFor(failures); d > 0 {
			until := now.Add(d)
			if lockedUntil == nil || until.After(*lockedUntil) {
				lockedUntil = &until
			}
		}
		err := t.db.conn(ctx).Model(&throttleRow{}).Where("username = ?", key).
			Updates(map[string]any{"failures": failures, "last_failure_at": now, "locked_until": lockedUntil}).Error
		return TranslateError(err, "Login throttle")
	})
	if err != nil {
		return nil, err
	}
	return lockedUntil, nil
}

// Reset forgets the failures and any lock of username, after a good login.
func (t *LoginThrottle) Reset(ctx context.Context, username string) error {
	ctx = detach(ctx)
	err := t.db.conn(ctx).Where("username = ?", throttleKey(username)).Delete(&throttleRow{}).Error
	return TranslateError(err, "Login throttle")
}
