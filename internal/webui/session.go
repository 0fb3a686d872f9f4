package webui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// The portal's cookies. The session cookies hold the tokens of authn:
// HttpOnly, SameSite=Strict, Secure over TLS.
const (
	cookieAccess  = "cordon_access"
	cookieRefresh = "cordon_refresh"
	cookieCSRF    = "cordon_csrf"
	cookieFlash   = "cordon_flash"
	cookieLang    = "lang"
	// refreshLife is how long the browser keeps the refresh cookie; authn
	// decides how long the token is good for.
	refreshLife = 30 * 24 * time.Hour
)

func (h *Handler) setCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	ck := &fiber.Cookie{Name: name, Value: value, Path: "/", HTTPOnly: true,
		SameSite: fiber.CookieSameSiteStrictMode, Secure: c.Protocol() == "https"}
	switch {
	case maxAge > 0:
		ck.MaxAge = int(maxAge / time.Second)
	case maxAge < 0:
		ck.Value, ck.MaxAge, ck.Expires = "", -1, time.Unix(1, 0)
	}
	c.Cookie(ck)
}

// setSession stores the tokens in the session cookies.
func (h *Handler) setSession(c *fiber.Ctx, t *cordon.Tokens) {
	h.setCookie(c, cookieAccess, t.AccessToken, 0)
	h.setCookie(c, cookieRefresh, t.RefreshToken, refreshLife)
}

// clearSession removes the session cookies and the CSRF token.
func (h *Handler) clearSession(c *fiber.Ctx) {
	for _, name := range []string{cookieAccess, cookieRefresh, cookieCSRF} {
		h.setCookie(c, name, "", -1)
	}
}

// sessionActor authenticates the access cookie; when the access token has
// expired it spends the refresh cookie for new tokens, transparently.
func (h *Handler) sessionActor(c *fiber.Ctx) (*cordon.Actor, error) {
	ctx := c.UserContext()
	if tok := c.Cookies(cookieAccess); tok != "" {
		a, err := h.auth.Authenticate(ctx, tok)
		if err == nil {
			return a, nil
		}
		if cordon.ErrorCode(err) != cordon.EUNAUTHENTICATED {
			return nil, err
		}
	}
	rt := c.Cookies(cookieRefresh)
	if rt == "" {
		return nil, cordon.Err(cordon.EUNAUTHENTICATED, "authentication_required")
	}
	t, err := h.auth.Refresh(ctx, rt)
	if err != nil {
		h.setCookie(c, cookieAccess, "", -1)
		h.setCookie(c, cookieRefresh, "", -1)
		return nil, err
	}
	h.setSession(c, t)
	return h.auth.Authenticate(ctx, t.AccessToken)
}

func randomToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// csrfToken returns the CSRF token of this browser, setting one when it
// has none. Every POST form carries it in a hidden field named csrf.
func (h *Handler) csrfToken(c *fiber.Ctx) string {
	if t := c.Cookies(cookieCSRF); len(t) == 43 {
		return strings.Clone(t)
	}
	t := randomToken()
	h.setCookie(c, cookieCSRF, t, 0)
	c.Request().Header.SetCookie(cookieCSRF, t) // later reads in this request see it
	return t
}

// checkCSRF refuses a POST whose csrf field does not match the browser's
// CSRF cookie (double submit: another site can neither read the cookie nor,
// SameSite=Strict, send it).
func (h *Handler) checkCSRF(c *fiber.Ctx) error {
	cookie, field := c.Cookies(cookieCSRF), c.FormValue("csrf")
	if len(cookie) != 43 || subtle.ConstantTimeCompare([]byte(cookie), []byte(field)) != 1 {
		return cordon.Err(cordon.EFORBIDDEN, "webui.form_security_token_missing_stale")
	}
	return c.Next()
}

// flash is a one-time message shown on the next page.
type flash struct {
	Kind string // "ok" or "error"
	Text string
}

func setFlash(c *fiber.Ctx, kind, text string) {
	if len(text) > 600 {
		text = text[:600]
	}
	v := base64.RawURLEncoding.EncodeToString([]byte(kind + "|" + text))
	c.Cookie(&fiber.Cookie{Name: cookieFlash, Value: v, Path: "/", HTTPOnly: true,
		SameSite: fiber.CookieSameSiteStrictMode, Secure: c.Protocol() == "https"})
}

// takeFlash reads and clears the flash message.
func takeFlash(c *fiber.Ctx) *flash {
	v := c.Cookies(cookieFlash)
	if v == "" {
		return nil
	}
	c.Cookie(&fiber.Cookie{Name: cookieFlash, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(1, 0),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode})
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return nil
	}
	kind, text, ok := strings.Cut(string(b), "|")
	if !ok || (kind != "ok" && kind != "error") {
		return nil
	}
	return &flash{Kind: kind, Text: text}
}

// authenticated is the pages' first guard: it requires a live cookie
// session (without one it sends the browser to the login form), puts the
// actor into the request's context, draws the request on the caller's
// budgets and hands on to the route's role guard, which enters the data
// scope. When the chain returns, the scope has ended: a page already
// written, or a refusal to show on another page, is answered here after
// its transaction rolled back.
func (h *Handler) authenticated(g Guards) fiber.Handler {
	return func(c *fiber.Ctx) error {
		a, err := h.sessionActor(c)
		if err != nil {
			if cordon.ErrorCode(err) != cordon.EUNAUTHENTICATED {
				return err
			}
			next := ""
			if c.Method() == fiber.MethodGet {
				next = "?next=" + url.QueryEscape(c.OriginalURL())
			}
			return c.Redirect("/login"+next, fiber.StatusSeeOther)
		}
		c.SetUserContext(cordon.NewContextWithActor(c.UserContext(), a))
		if err := g.Budget(c); err != nil {
			return err
		}
		err = c.Next()
		var r *redirect
		if isRendered(err) {
			return nil // the page is written; its transaction rolled back
		}
		if errors.As(err, &r) {
			return c.Redirect(r.to, fiber.StatusSeeOther)
		}
		return err
	}
}

type loginData struct {
	Username string
	Error    string
	Next     string
}

func (h *Handler) handleLoginForm(c *fiber.Ctx) error {
	if _, err := h.sessionActor(c); err == nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	next := c.Query("next")
	if !localPath(next) {
		next = ""
	}
	return h.render(c, "login", "/login", "login.title", loginData{Next: next})
}

// handleLogin checks the password through authn and starts the cookie
// session. A failure shows the form again with the same words for every
// cause.
func (h *Handler) handleLogin(c *fiber.Ctx) error {
	user, pass := strings.TrimSpace(c.FormValue("username")), c.FormValue("password")
	next := c.FormValue("next")
	if !localPath(next) {
		next = "/"
	}
	l := Locale{Lang: language(c)}
	fail := func(status int, key string) error {
		c.Status(status)
		return h.render(c, "login", "/login", "login.title", loginData{Username: user, Error: l.T(key), Next: c.FormValue("next")})
	}
	if user == "" || pass == "" {
		return fail(fiber.StatusBadRequest, "login.missing")
	}
	if len(user) > 128 || len(pass) > 1024 {
		return fail(fiber.StatusUnauthorized, "login.failed")
	}
	t, err := h.auth.Login(c.UserContext(), user, pass)
	switch cordon.ErrorCode(err) {
	case "":
	case cordon.EUNAUTHENTICATED:
		return fail(fiber.StatusUnauthorized, "login.failed")
	case cordon.ETOOMANY:
		if e := cordon.AsError(err); e != nil && e.RetryAfter > 0 {
			c.Set(fiber.HeaderRetryAfter, itoa(int64(e.RetryAfter)))
		}
		if e := cordon.AsError(err); e != nil && e.Key == keyLoginsBusy {
			// The server is busy hashing other logins: not a lockout.
			return fail(fiber.StatusTooManyRequests, "login.busy")
		}
		return fail(fiber.StatusTooManyRequests, "login.locked")
	default:
		return err
	}
	h.setSession(c, t)
	// A new session gets a new CSRF token.
	h.setCookie(c, cookieCSRF, randomToken(), 0)
	return c.Redirect(next, fiber.StatusSeeOther)
}

// keyLoginsBusy is the key of authn's refusal when too many logins are
// being checked at once, told apart from a lockout.
const keyLoginsBusy = "too_many_logins_once_try"

// handleLogout ends the session at once, for every replica, and clears
// the cookies.
func (h *Handler) handleLogout(c *fiber.Ctx) error {
	a := cordon.ActorFromContext(c.UserContext())
	if err := h.auth.Logout(c.UserContext(), a.SessionID); err != nil {
		return err
	}
	h.clearSession(c)
	return c.Redirect("/login", fiber.StatusSeeOther)
}
