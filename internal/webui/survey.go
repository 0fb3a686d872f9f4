package webui

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// registerSurveyPages adds the customer's survey page. No login: the
// signed one-time token in the link is the only credential, and the form
// carries a token derived from it (an HMAC) in place of the session's
// CSRF token, since there is no session.
func registerSurveyPages(r fiber.Router, h *Handler) {
	if h.svc.Evaluation == nil {
		return
	}
	r.Get("/survey/:token", h.handleSurveyForm)
	r.Post("/survey/:token", h.handleSurveyAnswer)
}

// scoreChoice is one radio button of the form.
type scoreChoice struct {
	N       int
	Key     string
	Checked bool
}

// surveyData is what the page shows: the form while the link is open,
// otherwise one short text for its state. Nothing about the customer.
type surveyData struct {
	Open      bool
	State     string
	TitleKey  string
	TextKey   string
	Token     string
	FormToken string
	JobID     int64
	ExpiresAt time.Time
	Scores    []scoreChoice
	Comment   string
	Error     string // a catalogue key
}

// surveyStates are the page's words and status for each state but open.
var surveyStates = map[string]struct {
	title, text string
	status      int
}{
	"thanks":                      {"survey.thanks.title", "survey.thanks.text", fiber.StatusOK},
	string(cordon.SurveyAnswered): {"survey.answered.title", "survey.answered.text", fiber.StatusGone},
	string(cordon.SurveyExpired):  {"survey.expired.title", "survey.expired.text", fiber.StatusGone},
	string(cordon.SurveyInvalid):  {"survey.invalid.title", "survey.invalid.text", fiber.StatusNotFound},
}

// surveyToken reads the token from the path, a copy (Fiber reuses the
// request's memory).
func surveyToken(c *fiber.Ctx) string { return strings.Clone(c.Params("token")) }

func (h *Handler) handleSurveyForm(c *fiber.Ctx) error {
	token := surveyToken(c)
	v, err := h.svc.Evaluation.OpenSurvey(c.UserContext(), token)
	if err != nil {
		return err
	}
	if v.State != cordon.SurveyOpen {
		return h.surveyState(c, string(v.State))
	}
	return h.surveyForm(c, fiber.StatusOK, token, v, 0, "", "")
}

func (h *Handler) handleSurveyAnswer(c *fiber.Ctx) error {
	token := surveyToken(c)
	ctx := c.UserContext()
	v, err := h.svc.Evaluation.OpenSurvey(ctx, token)
	if err != nil {
		return err
	}
	if v.State != cordon.SurveyOpen {
		return h.surveyState(c, string(v.State))
	}
	score, _ := strconv.Atoi(c.FormValue("score"))
	comment := strings.TrimSpace(c.FormValue("comment"))
	switch {
	case !h.svc.Evaluation.CheckSurveyForm(token, c.FormValue("form")):
		return h.surveyForm(c, fiber.StatusForbidden, token, v, score, comment, "survey.stale")
	case score < 1 || score > 5:
		return h.surveyForm(c, fiber.StatusBadRequest, token, v, 0, comment, "survey.pick")
	case utf8.RuneCountInString(comment) > 2000 || len(comment) > 8000:
		return h.surveyForm(c, fiber.StatusBadRequest, token, v, score, comment, "survey.long")
	}
	err = h.svc.Evaluation.AnswerSurvey(ctx, token, score, comment)
	switch cordon.ErrorCode(err) {
	case "":
		return h.surveyState(c, "thanks")
	case cordon.ENOTFOUND: // answered a moment ago, or expired since
		return h.surveyState(c, string(cordon.SurveyAnswered))
	case cordon.EINVALID:
		return h.surveyForm(c, fiber.StatusBadRequest, token, v, score, comment, "survey.long")
	}
	return err
}

// surveyForm shows the form, with the answer so far and an error.
func (h *Handler) surveyForm(c *fiber.Ctx, status int, token string, v *cordon.SurveyView, score int, comment, errKey string) error {
	d := surveyData{Open: true, State: string(v.State), Token: token, FormToken: v.FormToken, JobID: v.JobID,
		ExpiresAt: v.ExpiresAt, Comment: comment, Error: errKey}
	for n := 5; n >= 1; n-- {
		d.Scores = append(d.Scores, scoreChoice{N: n, Key: "survey.score." + strconv.Itoa(n), Checked: n == score})
	}
	c.Status(status)
	return h.renderPublic(c, "survey", "survey.title", d)
}

// surveyState shows one state's page: thanks, used, expired or invalid.
func (h *Handler) surveyState(c *fiber.Ctx, state string) error {
	s, ok := surveyStates[state]
	if !ok {
		s, state = surveyStates[string(cordon.SurveyInvalid)], string(cordon.SurveyInvalid)
	}
	c.Status(s.status)
	return h.renderPublic(c, "survey", s.title, surveyData{State: state, TitleKey: s.title, TextKey: s.text})
}

// renderPublic writes a page for someone who is not logged in and has no
// session: no navigation, no CSRF cookie, no flash message.
func (h *Handler) renderPublic(c *fiber.Ctx, name, title string, data any) error {
	now := h.svc.Now()
	p := page{L: Locale{Lang: language(c), now: now}, Path: c.OriginalURL(), Now: now, Data: data}
	p.Title = p.L.T(title)
	return h.write(c, name, p)
}
