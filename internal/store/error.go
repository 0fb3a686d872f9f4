package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/cordon/cordon/internal/cordon"
)

// TranslateError turns a database error into a cordon error with a message
// safe for any user. what names the record ("Job", "User") for not-found and
// conflict messages. Errors it does not know stay internal: the driver's text
// is kept for the log, never shown.
func TranslateError(err error, what string) error {
	if err == nil {
		return nil
	}
	if cordon.AsError(err) != nil {
		return err
	}
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return cordon.ErrNotFound(what)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return cordon.Err(cordon.ECONFLICT, "store.already_exists", what)
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return cordon.Err(cordon.EINVALID, "store.refers_record_does_not_exist", what)
	case errors.Is(err, gorm.ErrCheckConstraintViolated):
		return cordon.Err(cordon.EINVALID, "store.has_value_not_allowed", what)
	case badText(err):
		return &wrapped{cordon.Err(cordon.EINVALID, "text_must_valid_utf_8"), err}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return &wrapped{cordon.Err(cordon.EUNAVAILABLE, "request_took_too_long"), err}
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// wrapped keeps the cause for the log while answering with a cordon error.
type wrapped struct {
	err   *cordon.Error
	cause error
}

func (w *wrapped) Error() string   { return w.err.Error() + ": " + w.cause.Error() }
func (w *wrapped) Unwrap() []error { return []error{w.err, w.cause} }

// badText reports PostgreSQL's refusal of text that is not valid UTF-8 or
// holds a NUL character.
func badText(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "22021" || pg.Code == "22P05")
}
