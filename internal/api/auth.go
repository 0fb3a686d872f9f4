package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerAuthRoutes(r fiber.Router, h *Handler, g Guards) {
	r.Post("/auth/login", h.handleLogin)
	r.Post("/auth/refresh", h.handleRefresh)
	r.Post("/auth/logout", g.Authenticated, g.Require(cordon.ResAuth, cordon.ActDelete), h.handleLogout)
	r.Get("/me", g.Authenticated, g.Require(cordon.ResMe, cordon.ActView), h.handleMe)
}

type loginJSON struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type refreshJSON struct {
	RefreshToken string `json:"refresh_token"`
}

type tokensJSON struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

func toTokensJSON(t *cordon.Tokens) tokensJSON {
	return tokensJSON{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, TokenType: t.TokenType, ExpiresIn: t.ExpiresIn}
}

func (h *Handler) handleLogin(c *fiber.Ctx) error {
	var in loginJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Username == "" {
		return cordon.FieldErr("username", "api.username_required")
	}
	if in.Password == "" {
		return cordon.FieldErr("password", "password_required")
	}
	if len(in.Username) > 128 || len(in.Password) > 1024 {
		return cordon.Err(cordon.EUNAUTHENTICATED, "wrong_username_password")
	}
	t, err := h.auth.Login(c.UserContext(), in.Username, in.Password)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(toTokensJSON(t))
}

func (h *Handler) handleRefresh(c *fiber.Ctx) error {
	var in refreshJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.RefreshToken == "" {
		return cordon.FieldErr("refresh_token", "refresh_token_required")
	}
	t, err := h.auth.Refresh(c.UserContext(), in.RefreshToken)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(toTokensJSON(t))
}

func (h *Handler) handleLogout(c *fiber.Ctx) error {
	a := cordon.ActorFromContext(c.UserContext())
	if err := h.auth.Logout(c.UserContext(), a.SessionID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type orgJSON struct {
	ID       int64  `json:"id"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	HomeCity string `json:"home_city"`
}

type meJSON struct {
	ID          int64    `json:"id"`
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Roles       []string `json:"roles"`
	Org         orgJSON  `json:"org"`
}

func toMeJSON(u *cordon.User) meJSON {
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = string(r)
	}
	m := meJSON{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Roles: roles}
	if u.Org != nil {
		m.Org = orgJSON{ID: u.Org.ID, Code: u.Org.Code, Name: u.Org.Name, Kind: string(u.Org.Kind), HomeCity: u.Org.HomeCity}
	}
	return m
}

func (h *Handler) handleMe(c *fiber.Ctx) error {
	u, err := h.svc.Team.Self(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(toMeJSON(u))
}
