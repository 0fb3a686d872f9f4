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

// An authenticated route runs four pieces, in this order, each on its own:
//
//  1. authenticate: who asks (a bearer token here; the portal's cookie
//     session in webui), put into the request's context as the actor;
//  2. budget: the caller's rate budgets (ratelimit.go), drawn outside any
//     transaction so that a refused or failing request still counts;
//  3. authorize: the function-level role check of the route (require,
//     requireAny, requireAll);
//  4. enterScope: the rest of the request in the caller's data scope (on
//     PostgreSQL one transaction under row-level security).
//
// The API's Authenticated guard is pieces 1 and 2; the role guards are 3
// and then 4, so a request its role may not make never opens a transaction,
// and no route reaches its handler outside the scope without a role check.

// authenticated is the API's guard: a bearer token, then the budgets.
func (s *Server) authenticated(c *fiber.Ctx) error {
	if err := s.authenticate(c); err != nil {
		return err
	}
	if err := s.budget(c); err != nil {
		return err
	}
	return c.Next()
}

// authenticate requires a valid bearer token whose session is live and
// puts the actor into the request's context.
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
	c.SetUserContext(cordon.NewContextWithActor(c.UserContext(), actor))
	return nil
}

// localScoped marks a request whose data scope has been entered.
const localScoped = "scoped"

// authorize is the function-level check: one of the actor's roles must be
// allowed one of the (resource, action) pairs, or every pair when all is
// set. It runs before the scope is entered; a role check inside the scope
// is a route registered with its guards in the wrong order, refused as an
// internal error so that it cannot go unnoticed.
func (s *Server) authorize(c *fiber.Ctx, all bool, pairs ...[2]string) error {
	a := cordon.ActorFromContext(c.UserContext())
	if a == nil {
		return cordon.Err(cordon.EUNAUTHENTICATED, "authentication_required")
	}
	if c.Locals(localScoped) != nil {
		return fmt.Errorf("route %s: a role check after the data scope was entered: use one guard (RequireAll)", routeOf(c))
	}
	allowed := 0
	for _, p := range pairs {
		if s.cfg.Roles.Allow(a.Roles, p[0], p[1]) {
			allowed++
		}
	}
	if allowed > 0 && (!all || allowed == len(pairs)) {
		return nil
	}
	return cordon.Err(cordon.EFORBIDDEN, "server.your_role_may_not_do")
}

// enterScope runs the rest of the request in the actor's data scope: on
// PostgreSQL one transaction under row-level security, committed only
// when the handler succeeds.
func (s *Server) enterScope(c *fiber.Ctx) error {
	a := cordon.ActorFromContext(c.UserContext())
	c.Locals(localScoped, true)
	return s.cfg.Scope.InScope(c.UserContext(), a, func(ctx context.Context) error {
		c.SetUserContext(ctx)
		return c.Next()
	})
}

// require allows the request when one of the actor's roles may take
// action on resource, then enters the scope.
func (s *Server) require(resource, action string) fiber.Handler {
	return s.roleGuard(false, [2]string{resource, action})
}

// requireAny allows the request when one of the actor's roles may take one
// of the (resource, action) pairs, then enters the scope.
func (s *Server) requireAny(pairs ...[2]string) fiber.Handler {
	return s.roleGuard(false, pairs...)
}

// requireAll allows the request when the actor's roles may take every one
// of the (resource, action) pairs, then enters the scope.
func (s *Server) requireAll(pairs ...[2]string) fiber.Handler {
	return s.roleGuard(true, pairs...)
}

// roleGuard is pieces 3 and 4: authorize, then enter the scope.
func (s *Server) roleGuard(all bool, pairs ...[2]string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := s.authorize(c, all, pairs...); err != nil {
			return err
		}
		return s.enterScope(c)
	}
}
