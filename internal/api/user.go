package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// User and team management: the institute's admin manages the users of
// every organisation, a partner's admin its own company's technicians
// (cordon.TeamService decides which); the role rules are user:list,
// user:create and user:manage.
func registerUserRoutes(r fiber.Router, h *Handler, g Guards) {
	r.Get("/users", g.Authenticated, g.Require(cordon.ResUser, cordon.ActList), h.handleUserList)
	r.Post("/users", g.Authenticated, g.Require(cordon.ResUser, cordon.ActCreate), h.handleUserCreate)
	r.Post("/users/:id/disable", g.Authenticated, g.Require(cordon.ResUser, cordon.ActManage), h.handleUserDisable)
}

type userJSON struct {
	ID          int64      `json:"id"`
	OrgID       int64      `json:"org_id"`
	Username    string     `json:"username"`
	DisplayName string     `json:"display_name"`
	Roles       []string   `json:"roles"`
	DisabledAt  *time.Time `json:"disabled_at"`
	CreatedAt   time.Time  `json:"created_at"`
}

func toUserJSON(u *cordon.User) userJSON {
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = string(r)
	}
	return userJSON{ID: u.ID, OrgID: u.OrgID, Username: u.Username, DisplayName: u.DisplayName, Roles: roles,
		DisabledAt: u.DisabledAt, CreatedAt: u.CreatedAt}
}

type userCreateJSON struct {
	OrgID       int64    `json:"org_id"`
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Roles       []string `json:"roles"`
}

// userCreatedJSON answers a new user with its one-time password, the only
// time it is shown.
type userCreatedJSON struct {
	User            userJSON `json:"user"`
	OneTimePassword string   `json:"one_time_password"`
}

func (h *Handler) handleUserList(c *fiber.Ctx) error {
	offset, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	f := cordon.TeamFilter{Query: c.Query("q"), Offset: offset, Limit: limit}
	if v := c.Query("org_id"); v != "" {
		id, err := queryID(v, "org_id")
		if err != nil {
			return err
		}
		f.OrgID = &id
	}
	users, total, err := h.svc.Team.FindUsers(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := listJSON[userJSON]{Items: make([]userJSON, len(users)), Total: total, Offset: offset, Limit: limit}
	for i, u := range users {
		out.Items[i] = toUserJSON(u)
	}
	return c.JSON(out)
}

func (h *Handler) handleUserCreate(c *fiber.Ctx) error {
	var in userCreateJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	nu := cordon.NewUser{OrgID: in.OrgID, Username: in.Username, DisplayName: in.DisplayName}
	for _, r := range in.Roles {
		nu.Roles = append(nu.Roles, cordon.Role(r))
	}
	u, pw, err := h.svc.Team.CreateUser(c.UserContext(), nu)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(userCreatedJSON{User: toUserJSON(u), OneTimePassword: pw})
}

func (h *Handler) handleUserDisable(c *fiber.Ctx) error {
	id, err := idParam(c, "User")
	if err != nil {
		return err
	}
	u, err := h.svc.Team.DisableUser(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toUserJSON(u))
}
