package webui

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// The team pages: the institute's admin sees and manages the users of
// every organisation, a partner's admin its own company's technicians. The
// route guards are the role rules of user:list, user:create and
// user:manage; which users a caller may see and touch, which roles it may
// grant and what a username may be are the team service's rules, the same
// the API's /api/v1/users follows.
func registerTeamPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	r.Get("/team", auth, g.Require(cordon.ResUser, cordon.ActList), h.handleTeam)
	r.Post("/team", h.checkCSRF, auth, g.Require(cordon.ResUser, cordon.ActCreate), h.handleTeamCreate)
	r.Post("/team/:id/disable", h.checkCSRF, auth, g.Require(cordon.ResUser, cordon.ActManage), h.handleTeamDisable)
}

// teamForm is the new user form, with what was typed.
type teamForm struct {
	Username, DisplayName, Role string
	Org                         int64
}

// created is a user just created, with the one-time password shown once.
type created struct {
	Username, Password string
}

type teamData struct {
	Users     []*cordon.User
	Pages     *listPager
	Partner   bool          // a partner's admin: its own company only
	Orgs      []*cordon.Org // the institute's admin: every organisation
	Org       int64         // the organisation filter, 0 for all
	Roles     []cordon.Role // the roles a new user may get
	MayCreate bool
	MayManage bool
	Self      int64
	Form      teamForm
	Errors    map[string]string
	Error     string
	Created   *created
}

// teamPage gathers the list of users the caller may see.
func (h *Handler) teamPage(c *fiber.Ctx) (*teamData, error) {
	ctx := c.UserContext()
	a := cordon.ActorFromContext(ctx)
	ts, err := h.svc.Team.TeamScope(ctx)
	if err != nil {
		return nil, err
	}
	d := &teamData{Partner: !ts.All, Pages: listPagerOf(c, "page"), Self: a.UserID, Errors: map[string]string{},
		MayCreate: ts.Open && h.allow(a, cordon.ResUser, cordon.ActCreate), MayManage: ts.Open && h.allow(a, cordon.ResUser, cordon.ActManage),
		Orgs: ts.Orgs, Roles: ts.Roles}
	f := cordon.TeamFilter{Offset: d.Pages.Offset(), Limit: d.Pages.Limit()}
	if v := c.Query("org"); v != "" && ts.All {
		id, err := parseID("org", v)
		if err != nil || id == nil {
			return nil, cordon.Err(cordon.ENOTFOUND, "organisation_not_found")
		}
		d.Org, f.OrgID = *id, id
	}
	d.Form = teamForm{Org: d.Org, Role: string(cordon.RolePartnerTechnician)}
	if d.Users, d.Pages.Total, err = h.svc.Team.FindUsers(ctx, f); err != nil {
		return nil, err
	}
	return d, nil
}

func (h *Handler) handleTeam(c *fiber.Ctx) error {
	d, err := h.teamPage(c)
	if err != nil {
		return err
	}
	return h.render(c, "team", "/team", "team.title", d)
}

// handleTeamCreate adds a user with a generated one-time password, shown
// once on the page that answers the form and never stored in the clear.
func (h *Handler) handleTeamCreate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	form := teamForm{Username: strings.TrimSpace(c.FormValue("username")), DisplayName: strings.TrimSpace(c.FormValue("display_name")),
		Role: c.FormValue("role")}
	// The page to show a refusal on is read first: on PostgreSQL a write
	// the database refuses (a username taken) ends the transaction's reads.
	d, err := h.teamPage(c)
	if err != nil {
		return err
	}
	nu := cordon.NewUser{Username: form.Username, DisplayName: form.DisplayName, Roles: []cordon.Role{cordon.Role(form.Role)}}
	if !d.Partner {
		if id, err := formID(c, "org"); err == nil && id != nil {
			nu.OrgID, form.Org = *id, *id
		}
	}
	u, pw, err := h.svc.Team.CreateUser(ctx, nu)
	switch cordon.ErrorCode(err) {
	case "":
	case cordon.EINVALID, cordon.ECONFLICT:
		l := Locale{Lang: language(c)}
		d.Form = form
		f := errorField(err)
		if f == "roles" {
			f = "role"
		}
		if f == "username" || f == "display_name" || f == "role" || f == "org" {
			d.Errors[f] = l.ErrorText(err)
		} else if cordon.ErrorCode(err) == cordon.ECONFLICT {
			d.Errors["username"] = l.T("team.taken")
		} else {
			d.Error = l.ErrorText(err)
		}
		c.Status(statusOf(err))
		showsPage(c, "/team")
		if rerr := h.render(c, "team", "/team", "team.title", d); rerr != nil {
			return rerr
		}
		return rendered{}
	default:
		return err
	}
	if d, err = h.teamPage(c); err != nil {
		return err
	}
	d.Created = &created{Username: u.Username, Password: pw}
	c.Status(fiber.StatusCreated)
	showsPage(c, "/team")
	return h.render(c, "team", "/team", "team.title", d)
}

// handleTeamDisable disables a user and ends every session of it at once.
// A user out of the caller's reach is the same 404 as one that does not
// exist; a refusal (oneself, already disabled) shows on the team page.
func (h *Handler) handleTeamDisable(c *fiber.Ctx) error {
	id, err := idParam(c, "User")
	if err != nil {
		return err
	}
	a := cordon.ActorFromContext(c.UserContext())
	u, err := h.svc.Team.DisableUser(c.UserContext(), id)
	if u == nil && err != nil {
		return err
	}
	back := "/team"
	if !a.IsPartner() {
		back = "/team?org=" + itoa(u.OrgID)
	}
	if err != nil {
		return h.refused(c, back, err)
	}
	l := Locale{Lang: language(c)}
	return done(c, back, l.T("team.disabled", u.Username))
}
