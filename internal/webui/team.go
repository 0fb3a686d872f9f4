package webui

import (
	"crypto/rand"
	"math/big"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// The team pages: a partner's admin manages its own technicians; the
// institute's admin sees and manages the users of every organisation. The
// route guards are the role rules of user:list, user:create and
// user:manage; which users a caller may touch is checked here and, on
// PostgreSQL, again by row-level security (a partner's transaction sees and
// writes only its own organisation's users).
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

// teamScope is the organisation whose users the caller may see: a
// partner's own (nil when its contract is out of force), or every one for
// the institute (all true).
func (h *Handler) teamScope(a *cordon.Actor) (org *int64, all bool) {
	if !a.IsPartner() {
		return nil, true
	}
	if h.svc.Scope != nil && len(h.svc.Scope.Grants(a.PartnerID, cordon.ResJob, cordon.ActView)) == 0 {
		return nil, false
	}
	id := a.PartnerID
	return &id, false
}

// teamPage gathers the list of users the caller may see.
func (h *Handler) teamPage(c *fiber.Ctx) (*teamData, error) {
	ctx := c.UserContext()
	a := cordon.ActorFromContext(ctx)
	d := &teamData{Partner: a.IsPartner(), Pages: listPagerOf(c, "page"), Self: a.UserID, Errors: map[string]string{},
		MayCreate: h.allow(a, cordon.ResUser, cordon.ActCreate), MayManage: h.allow(a, cordon.ResUser, cordon.ActManage)}
	org, all := h.teamScope(a)
	if !all && org == nil {
		d.MayCreate, d.MayManage = false, false
		return d, nil // out of force: nothing, as the API and row-level security have it
	}
	f := cordon.UserFilter{OrgID: org, Offset: d.Pages.Offset(), Limit: d.Pages.Limit()}
	if all {
		orgs, _, err := h.svc.Orgs.FindOrgs(ctx, cordon.OrgFilter{})
		if err != nil {
			return nil, err
		}
		d.Orgs = orgs
		if v := c.Query("org"); v != "" {
			for _, o := range orgs {
				if itoa(o.ID) == v {
					d.Org = o.ID
				}
			}
			if d.Org == 0 {
				return nil, cordon.Err(cordon.ENOTFOUND, "organisation_not_found")
			}
			f.OrgID = &d.Org
		}
		d.Roles = append(append([]cordon.Role{}, cordon.PartnerRoles...), cordon.InstituteRoles...)
		d.Form.Org = d.Org
	} else {
		d.Roles = cordon.PartnerRoles
	}
	d.Form.Role = string(cordon.RolePartnerTechnician)
	var err error
	if d.Users, d.Pages.Total, err = h.svc.Users.FindUsers(ctx, f); err != nil {
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

// passwordAlphabet has no characters that read alike (0/O, 1/l/I).
const passwordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"

// oneTimePassword returns a random 16-character password (about 93 bits).
func oneTimePassword() string {
	var b strings.Builder
	for b.Len() < 16 {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(passwordAlphabet))))
		if err != nil {
			panic("webui: no randomness: " + err.Error())
		}
		b.WriteByte(passwordAlphabet[n.Int64()])
	}
	return b.String()
}

// validUsername: 3 to 64 lower-case letters, digits, dots, dashes or
// underscores.
func validUsername(s string) bool {
	if len(s) < 3 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// handleTeamCreate adds a user with a generated one-time password, shown
// once on the page that answers the form and never stored in the clear.
// A partner's admin adds users to its own company with partner roles only.
func (h *Handler) handleTeamCreate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	a := cordon.ActorFromContext(ctx)
	org, all := h.teamScope(a)
	if !all && org == nil {
		return cordon.Err(cordon.ENOTFOUND, "organisation_not_found")
	}
	form := teamForm{Username: strings.TrimSpace(c.FormValue("username")), DisplayName: strings.TrimSpace(c.FormValue("display_name")),
		Role: c.FormValue("role")}
	// The page to show a refusal on is read first: on PostgreSQL a write
	// the database refuses (a username taken) ends the transaction's reads.
	d, err := h.teamPage(c)
	if err != nil {
		return err
	}
	err = func() error {
		if all {
			id, err := formID(c, "org")
			if err != nil || id == nil {
				return cordon.FieldErr("org", "webui.choose_organisation")
			}
			form.Org = *id
		} else {
			form.Org = *org
		}
		switch {
		case !validUsername(form.Username):
			return cordon.FieldErr("username", "webui.username_must_3_64_lower")
		case form.DisplayName == "" || len(form.DisplayName) > 100:
			return cordon.FieldErr("display_name", "webui.name_must_1_100_characters")
		case !cordon.Role(form.Role).Valid() || (!all && !cordon.Role(form.Role).AllowedFor(cordon.OrgPartner)):
			return cordon.FieldErr("role", "webui.choose_role")
		}
		return nil
	}()
	var pw string
	if err == nil {
		pw = oneTimePassword()
		var hash string
		if hash, err = h.svc.HashPassword(pw); err == nil {
			u := &cordon.User{OrgID: form.Org, Username: form.Username, DisplayName: form.DisplayName, PasswordHash: hash,
				Roles: []cordon.Role{cordon.Role(form.Role)}}
			err = h.svc.Users.CreateUser(ctx, u)
		}
	}
	switch cordon.ErrorCode(err) {
	case "":
	case cordon.EINVALID, cordon.ECONFLICT:
		l := Locale{Lang: language(c)}
		d.Form = form
		if f := errorField(err); f == "username" || f == "display_name" || f == "role" || f == "org" {
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
	d.Created = &created{Username: form.Username, Password: pw}
	c.Status(fiber.StatusCreated)
	showsPage(c, "/team")
	return h.render(c, "team", "/team", "team.title", d)
}

// handleTeamDisable disables a user and ends every session of it at once.
// A user outside the caller's organisation is the same 404 as one that
// does not exist; nobody disables themselves.
func (h *Handler) handleTeamDisable(c *fiber.Ctx) error {
	id, err := idParam(c, "User")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	a := cordon.ActorFromContext(ctx)
	org, all := h.teamScope(a)
	if !all && org == nil {
		return cordon.Err(cordon.ENOTFOUND, "user.not_found")
	}
	u, err := h.svc.Users.FindUserByID(ctx, id)
	if err != nil {
		return err
	}
	if !all && u.OrgID != *org {
		return cordon.Err(cordon.ENOTFOUND, "user.not_found")
	}
	back := "/team"
	if all {
		back = "/team?org=" + itoa(u.OrgID)
	}
	if u.ID == a.UserID {
		return h.refused(c, back, cordon.Err(cordon.ECONFLICT, "webui.you_cannot_disable_your_own"))
	}
	if u.Disabled() {
		return h.refused(c, back, cordon.Err(cordon.ECONFLICT, "webui.user_already_disabled"))
	}
	if err := h.svc.Users.DisableUser(ctx, u.ID, h.svc.Now()); err != nil {
		return err
	}
	l := Locale{Lang: language(c)}
	return done(c, back, l.T("team.disabled", u.Username))
}
