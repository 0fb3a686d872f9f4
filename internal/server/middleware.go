package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/cordon/cordon/internal/cordon"
)

const localRequestID = "request_id"

// requestContext gives every request an id (a sane X-Request-ID from the
// client is kept), works out the client address, and puts both into the
// request's context for the services and the access log.
func (s *Server) requestContext(c *fiber.Ctx) error {
	rid := c.Get(fiber.HeaderXRequestID)
	if !validRequestID(rid) {
		var b [12]byte
		rand.Read(b[:])
		rid = hex.EncodeToString(b[:])
	} else {
		rid = utils.CopyString(rid)
	}
	c.Locals(localRequestID, rid)
	c.Set(fiber.HeaderXRequestID, rid)
	meta := cordon.RequestMeta{RequestID: rid, ClientIP: clientIP(c, s.cfg.TrustedProxies)}
	c.SetUserContext(cordon.NewContextWithMeta(c.UserContext(), meta))
	if !cleanQuery(c) {
		return cordon.Err(cordon.EINVALID, "server.query_has_text_not_valid")
	}
	return c.Next()
}

// cleanQuery reports whether every query parameter, decoded, is valid
// UTF-8 without NUL bytes: nothing else may reach a handler or a database.
func cleanQuery(c *fiber.Ctx) bool {
	ok := true
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		if !utf8.Valid(k) || !utf8.Valid(v) || bytes.IndexByte(k, 0) >= 0 || bytes.IndexByte(v, 0) >= 0 {
			ok = false
		}
	})
	return ok
}

func validRequestID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func requestID(c *fiber.Ctx) string {
	rid, _ := c.Locals(localRequestID).(string)
	return rid
}

// clientIP returns the peer address, or — only when the peer is a trusted
// proxy — the right-most address in X-Forwarded-For that is not itself a
// trusted proxy.
func clientIP(c *fiber.Ctx, trusted []*net.IPNet) string {
	peer := c.Context().RemoteIP()
	if len(trusted) == 0 || !inNets(peer, trusted) {
		return peer.String()
	}
	hops := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		ip := net.ParseIP(strings.TrimSpace(hops[i]))
		if ip == nil {
			break
		}
		if !inNets(ip, trusted) {
			return ip.String()
		}
	}
	return peer.String()
}

func inNets(ip net.IP, nets []*net.IPNet) bool {
	for _, n := range nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// recoverPanic turns a panic into an internal error, logged with its stack
// and never shown to the client.
func (s *Server) recoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic", "request_id", requestID(c), "route", routeOf(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = cordon.Err(cordon.EINTERNAL, "internal_error")
		}
	}()
	return c.Next()
}

// logRequest writes one JSON log line per request and feeds the metrics.
// It logs the route pattern, never bodies, headers or query strings.
func (s *Server) logRequest(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.app.ErrorHandler(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	elapsed := time.Since(start)
	route := routeOf(c)
	// Fiber's strings point into reused buffers; the metric keeps its labels.
	s.metrics.observe(utils.CopyString(c.Method()), route, status, elapsed)
	attrs := []any{
		"request_id", requestID(c), "method", c.Method(), "route", route,
		"status", status, "duration_ms", float64(elapsed.Microseconds()) / 1000,
	}
	if a := cordon.ActorFromContext(c.UserContext()); a != nil {
		attrs = append(attrs, "user_id", a.UserID, "org_id", a.OrgID)
	}
	s.log.Info("request", attrs...)
	return nil
}

// routeOf returns the registered pattern that matched, so logs and metrics
// never carry ids or free text from the path.
func routeOf(c *fiber.Ctx) string {
	if r := c.Route(); r != nil && r.Path != "" && r.Path != "/" {
		return r.Path
	}
	return "unmatched"
}

// authenticate requires a valid bearer token whose session is live, puts
// the actor into the request's context, and runs the rest of the request
// in the actor's data scope.
func (s *Server) authenticate(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	const prefix = "Bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return cordon.Err(cordon.EUNAUTHENTICATED, "authentication_required")
	}
	actor, err := s.cfg.Auth.Authenticate(c.UserContext(), h[len(prefix):])
	if err != nil {
		return err
	}
	// The rest of the request runs in the caller's data scope (once the
	// caller's rate budgets allow it): on PostgreSQL one transaction under
	// row-level security, committed only when the handler succeeds.
	return s.inScope(cordon.NewContextWithActor(c.UserContext(), actor), actor, func(ctx context.Context) error {
		c.SetUserContext(ctx)
		return c.Next()
	})
}

// require is the function-level check: one of the actor's roles must be
// allowed action on resource by the static role rules.
func (s *Server) require(resource, action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		a := cordon.ActorFromContext(c.UserContext())
		if a == nil {
			return cordon.Err(cordon.EUNAUTHENTICATED, "authentication_required")
		}
		if !s.cfg.Roles.Allow(a.Roles, resource, action) {
			return cordon.Err(cordon.EFORBIDDEN, "server.your_role_may_not_do")
		}
		return c.Next()
	}
}

// requireAny allows the request when one of the actor's roles may take one
// of the (resource, action) pairs.
func (s *Server) requireAny(pairs ...[2]string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		a := cordon.ActorFromContext(c.UserContext())
		if a == nil {
			return cordon.Err(cordon.EUNAUTHENTICATED, "authentication_required")
		}
		for _, p := range pairs {
			if s.cfg.Roles.Allow(a.Roles, p[0], p[1]) {
				return c.Next()
			}
		}
		return cordon.Err(cordon.EFORBIDDEN, "server.your_role_may_not_do")
	}
}
