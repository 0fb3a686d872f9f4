package cordon

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in the server's error table.
const (
	EINVALID         = "invalid"         // 400
	EUNAUTHENTICATED = "unauthenticated" // 401
	EFORBIDDEN       = "forbidden"       // 403
	ENOTFOUND        = "not_found"       // 404
	ECONFLICT        = "conflict"        // 409
	ETOOLARGE        = "too_large"       // 413
	ETOOMANY         = "too_many"        // 429
	EUNAVAILABLE     = "unavailable"     // 503
	EINTERNAL        = "internal"        // 500
)

// Error is the one error type of the application. Key names its message in
// the catalogue (catalogue.go) and Args are the message's values, so that a
// page or a client can say it in its own language; Message is the English
// text, safe to show to any user, partners included. Field names the input
// at fault, when there is one. RetryAfter, when set, tells a client how long
// to wait (ETOOMANY).
type Error struct {
	Code       string
	Key        string
	Args       []any
	Message    string
	Field      string
	RetryAfter int // seconds
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("cordon error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("cordon error: code=%s message=%s", e.Code, e.Message)
}

// Err returns an *Error with the given code and the catalogue's message
// for key, formatted with args. A key the catalogue lacks is its own
// message (and fails the catalogue test).
func Err(code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args, Message: messageText(LangEN, key, args)}
}

// FieldErr returns an EINVALID error with the catalogue's message for key
// that names the field at fault.
func FieldErr(field, key string, args ...any) *Error {
	e := Err(EINVALID, key, args...)
	e.Field = field
	return e
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the safe message of the first *Error in err's chain,
// and "Internal error." for any other error.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// AsError returns the first *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// ErrNotFound is the one answer for a record that does not exist or lies
// outside the caller's scope: the two must be indistinguishable.
func ErrNotFound(what string) *Error {
	return Err(ENOTFOUND, "record.not_found", what)
}
