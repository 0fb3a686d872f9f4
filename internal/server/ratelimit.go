package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// RateCounter counts requests in fixed windows shared by every replica.
// store.RateCounter implements it.
type RateCounter interface {
	// Hit counts one request against each key in the window of length
	// window holding now, and returns each key's count and how long the
	// window has left.
	Hit(ctx context.Context, window time.Duration, keys ...string) ([]int, time.Duration, error)
}

// Rate is a budget: at most N requests per Per. A zero N is no limit.
type Rate struct {
	N   int
	Per time.Duration
}

func (r Rate) on() bool { return r.N > 0 && r.Per > 0 }

// RateLimits are the budgets the server enforces. The counters live in the
// database, so one budget holds across every replica.
type RateLimits struct {
	Counter   RateCounter // nil: no limits at all
	LoginIP   Rate        // login attempts per client address (API and portal)
	LoginUser Rate        // login attempts per username, known or not
	Partner   Rate        // authenticated requests per partner organisation
	User      Rate        // authenticated requests per user
}

// limit is one budget a request draws on.
type limit struct {
	key  string
	rate Rate
}

// charge counts the request against every budget in ls, with one
// statement per distinct window length, and refuses it with ETOOMANY and
// Retry-After (the end of the window) when any budget is spent.
func (s *Server) charge(ctx context.Context, ls ...limit) error {
	rl := s.cfg.Rates
	if rl.Counter == nil {
		return nil
	}
	for len(ls) > 0 {
		per := ls[0].rate.Per
		var keys []string
		var same, rest []limit
		for _, l := range ls {
			if l.rate.Per == per {
				same = append(same, l)
				keys = append(keys, l.key)
			} else {
				rest = append(rest, l)
			}
		}
		counts, left, err := rl.Counter.Hit(ctx, per, keys...)
		if err != nil {
			return err
		}
		for i, l := range same {
			if counts[i] > l.rate.N {
				e := cordon.Err(cordon.ETOOMANY, "server.too_many_requests_try_again")
				e.RetryAfter = max(1, int(math.Ceil(left.Seconds())))
				return e
			}
		}
		ls = rest
	}
	return nil
}

// budget is the piece between authentication and the role check: it
// draws an authenticated request (API or page) on the caller's budgets
// (the user's, and a partner user's organisation's), before the role check
// and outside the scoped transaction, so that a refused or failing request
// still counts and no row lock is held for the request's length.
func (s *Server) budget(c *fiber.Ctx) error {
	a := cordon.ActorFromContext(c.UserContext())
	if a == nil {
		return cordon.Err(cordon.EUNAUTHENTICATED, "authentication_required")
	}
	rl := s.cfg.Rates
	var ls []limit
	if a.IsPartner() && rl.Partner.on() {
		ls = append(ls, limit{"partner:" + strconv.FormatInt(a.OrgID, 10), rl.Partner})
	}
	if rl.User.on() {
		ls = append(ls, limit{"user:" + strconv.FormatInt(a.UserID, 10), rl.User})
	}
	return s.charge(c.UserContext(), ls...)
}

// Login paths: the API's and the portal's form.
const (
	apiLoginPath  = "/api/v1/auth/login"
	pageLoginPath = "/login"
)

// limitLogin draws every login attempt, good or bad, on the budget of its
// client address (as requestContext worked it out: X-Forwarded-For only
// from a trusted proxy) and of the username it names. Failed logins also
// lock the username (authn's lockout); this bounds how fast anyone can
// try, across usernames and replicas.
func (s *Server) limitLogin(c *fiber.Ctx) error {
	rl := s.cfg.Rates
	if c.Method() != fiber.MethodPost || rl.Counter == nil {
		return c.Next()
	}
	path := strings.TrimRight(c.Path(), "/")
	if path != apiLoginPath && path != pageLoginPath {
		return c.Next()
	}
	if len(c.Body()) > maxLoginBody {
		// A login is a name and a password. A larger body would escape the
		// username's budget (loginUsername reads no more), yet the
		// handlers would still accept it: refuse it here.
		return cordon.Err(cordon.ETOOLARGE, "server.login_request_most_kib", maxLoginBody>>10)
	}
	var ls []limit
	if rl.LoginIP.on() {
		ls = append(ls, limit{"login-ip:" + addressKey(cordon.MetaFromContext(c.UserContext()).ClientIP), rl.LoginIP})
	}
	if u := loginUsername(c, path); u != "" && rl.LoginUser.on() {
		ls = append(ls, limit{"login-user:" + u, rl.LoginUser})
	}
	if err := s.charge(c.UserContext(), ls...); err != nil {
		return err
	}
	return c.Next()
}

// maxLoginBody is the largest login request: far above a username of 128
// bytes and a password of 1,024 (what the handlers accept), form or JSON.
const maxLoginBody = 8 << 10

// addressKey is the budget key of a client address: an IPv4 address (or
// an IPv4-mapped IPv6 one) as itself, an IPv6 address by its /64, the
// smallest network a site is given, so that one client cannot draw a
// fresh budget from each of its 2^64 addresses. Anything else (no address
// known) is used as it is.
func addressKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap()
	if addr.Is4() {
		return addr.String()
	}
	p, err := addr.WithZone("").Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// loginUsername returns the key of the username a login names: the SHA-256
// of its trimmed, lower-cased form (so that any text, NUL or invalid UTF-8
// included, makes a short key, and the table holds no names), or "" when
// the body names none or is too large to be a login.
func loginUsername(c *fiber.Ctx, path string) string {
	if len(c.Body()) > maxLoginBody {
		return ""
	}
	var name string
	if path == apiLoginPath {
		var in struct {
			Username string `json:"username"`
		}
		if json.Unmarshal(c.Body(), &in) != nil {
			return ""
		}
		name = in.Username
	} else {
		name = c.FormValue("username")
	}
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:16])
}
