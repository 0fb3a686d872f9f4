package server

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// statusOf maps error codes to HTTP statuses: the one table.
var statusOf = map[string]int{
	cordon.EINVALID:         http.StatusBadRequest,
	cordon.EUNAUTHENTICATED: http.StatusUnauthorized,
	cordon.EFORBIDDEN:       http.StatusForbidden,
	cordon.ENOTFOUND:        http.StatusNotFound,
	cordon.ECONFLICT:        http.StatusConflict,
	cordon.ETOOLARGE:        http.StatusRequestEntityTooLarge,
	cordon.ETOOMANY:         http.StatusTooManyRequests,
	cordon.EUNAVAILABLE:     http.StatusServiceUnavailable,
	cordon.EINTERNAL:        http.StatusInternalServerError,
}

// fromFiber turns Fiber's own errors (unknown route, body too large,
// method not allowed, timeouts) into cordon errors with our wording.
func fromFiber(fe *fiber.Error) *cordon.Error {
	switch fe.Code {
	case fiber.StatusNotFound:
		return cordon.Err(cordon.ENOTFOUND, "page.not_found")
	case fiber.StatusRequestEntityTooLarge:
		return cordon.Err(cordon.ETOOLARGE, "server.request_body_too_large")
	case fiber.StatusRequestHeaderFieldsTooLarge:
		return cordon.Err(cordon.ETOOLARGE, "server.request_headers_too_large")
	case fiber.StatusMethodNotAllowed:
		return cordon.Err(cordon.ENOTFOUND, "page.not_found")
	case fiber.StatusBadRequest:
		return cordon.Err(cordon.EINVALID, "server.request_malformed")
	case fiber.StatusRequestTimeout:
		return cordon.Err(cordon.EUNAVAILABLE, "request_took_too_long")
	case fiber.StatusUnauthorized:
		return cordon.Err(cordon.EUNAUTHENTICATED, "authentication_required")
	case fiber.StatusForbidden:
		return cordon.Err(cordon.EFORBIDDEN, "server.you_may_not_do")
	case fiber.StatusTooManyRequests:
		return cordon.Err(cordon.ETOOMANY, "server.too_many_requests_try_again")
	}
	return cordon.Err(cordon.EINTERNAL, "internal_error")
}

// problem is an RFC 9457 problem+json body: the category of the error in
// its type and status, the English message in detail, and the message's
// key in the catalogue as code, for a client to say it in its language.
type problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Code      string `json:"code"`
	Field     string `json:"field,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// handleError is the one error handler: code → status from the table,
// internal errors logged with the request id and answered generically.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	e := cordon.AsError(err)
	var fe *fiber.Error
	if e == nil && errors.As(err, &fe) {
		e = fromFiber(fe)
	}
	if e == nil {
		e = cordon.Err(cordon.EINTERNAL, "internal_error")
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	rid := requestID(c)
	if status >= 500 {
		s.log.Error("request failed", "request_id", rid, "method", c.Method(), "route", routeOf(c), "code", e.Code, "err", err.Error())
	}
	if e.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(e.RetryAfter))
	}
	if status == http.StatusUnauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="cordon"`)
	}
	p := problem{
		Type:      "https://cordon.invalid/problems/" + strings.ReplaceAll(e.Code, "_", "-"),
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    e.Message,
		Code:      cmp.Or(e.Key, e.Code),
		Field:     e.Field,
		RequestID: rid,
	}
	c.Status(status)
	// Pages for browsers, problem+json for everything else (and always
	// under /api, and when the request could not even be parsed).
	if !strings.HasPrefix(c.Path(), "/api/") && strings.Contains(c.Get(fiber.HeaderAccept), fiber.MIMETextHTML) {
		return s.pages.renderError(c, status, rid)
	}
	c.Set(fiber.HeaderContentType, "application/problem+json")
	body, merr := json.Marshal(p)
	if merr != nil {
		return c.SendString(`{"title":"Internal Server Error","status":500}`)
	}
	return c.Send(body)
}
