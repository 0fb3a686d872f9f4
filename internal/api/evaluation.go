package api

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerEvaluationRoutes(r fiber.Router, h *Handler, g Guards) {
	r.Get("/scorecards", g.Authenticated, g.Require(cordon.ResScorecard, cordon.ActList), h.handleScorecards)
	r.Get("/partners/:id/scorecard", g.Authenticated, g.Require(cordon.ResScorecard, cordon.ActView), h.handleScorecard)
	r.Get("/partners/:id/evaluation-report", g.Authenticated, g.Require(cordon.ResScorecard, cordon.ActView), h.handleEvaluationReport)
	r.Get("/evaluation-report", g.Authenticated, g.Require(cordon.ResScorecard, cordon.ActList), h.handleEvaluationRanking)
	r.Post("/jobs/:id/survey-link", g.Authenticated, g.Require(cordon.ResSurvey, cordon.ActCreate), h.handleSurveyLink)
	r.Post("/jobs/:id/survey-call", g.Authenticated, g.Require(cordon.ResSurvey, cordon.ActCreate), h.handleSurveyCall)
	// The customer answers without logging in: the signed one-time token
	// is the only credential.
	r.Post("/surveys/answer", h.handleSurveyAnswer)
}

type complianceJSON struct {
	Met      int     `json:"met"`
	Breached int     `json:"breached"`
	Rate     float64 `json:"rate"`
}

type scorecardJSON struct {
	PartnerID       int64                     `json:"partner_id"`
	PartnerCode     string                    `json:"partner_code"`
	Period          string                    `json:"period"`
	From            time.Time                 `json:"from"`
	To              time.Time                 `json:"to"`
	Offers          int                       `json:"offers"`
	Accepted        int                       `json:"accepted"`
	Declined        int                       `json:"declined"`
	Expired         int                       `json:"expired"`
	AcceptanceRate  float64                   `json:"acceptance_rate"`
	SLA             map[string]complianceJSON `json:"sla"`
	Resolved        int                       `json:"resolved"`
	FirstTimeFix    float64                   `json:"first_time_fix_rate"`
	ReopenRate      float64                   `json:"reopen_rate"`
	Satisfaction    float64                   `json:"satisfaction"`
	Responses       int                       `json:"responses"`
	Complaints      int                       `json:"complaints"`
	PenaltyByClause map[string]int            `json:"penalty_by_clause"`
	Score           float64                   `json:"score"`
}

func toScorecardJSON(s *cordon.Scorecard) scorecardJSON {
	out := scorecardJSON{PartnerID: s.PartnerID, PartnerCode: s.PartnerCode, Period: s.Period, From: s.From, To: s.To,
		Offers: s.Offers, Accepted: s.Accepted, Declined: s.Declined, Expired: s.Expired, AcceptanceRate: s.AcceptanceRate,
		SLA: map[string]complianceJSON{}, Resolved: s.Resolved, FirstTimeFix: s.FirstTimeFix, ReopenRate: s.ReopenRate,
		Satisfaction: s.Satisfaction, Responses: s.Responses, Complaints: s.Complaints, PenaltyByClause: s.PenaltyByClause, Score: s.Score}
	for k, v := range s.SLA {
		out.SLA[k] = complianceJSON{Met: v.Met, Breached: v.Breached, Rate: v.Rate}
	}
	return out
}

func (h *Handler) handleScorecard(c *fiber.Ctx) error {
	id, err := idParam(c, "Partner")
	if err != nil {
		return err
	}
	sc, err := h.svc.Evaluation.Scorecard(c.UserContext(), id, c.Query("period"))
	if err != nil {
		return err
	}
	return c.JSON(toScorecardJSON(sc))
}

func (h *Handler) handleScorecards(c *fiber.Ctx) error {
	list, err := h.svc.Evaluation.Scorecards(c.UserContext(), c.Query("period"))
	if err != nil {
		return err
	}
	out := make([]scorecardJSON, len(list))
	for i, s := range list {
		out[i] = toScorecardJSON(s)
	}
	return c.JSON(fiber.Map{"items": out})
}

// sendReport answers with a report file, never cached.
func sendReport(c *fiber.Ctx, body []byte, contentType, name string) error {
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(body)
}

// reportName makes a file name of safe parts: letters, digits and -.
func reportName(parts ...string) string {
	name := strings.Join(parts, "-")
	return strings.Map(func(r rune) rune {
		if r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, name)
}

func (h *Handler) handleEvaluationReport(c *fiber.Ctx) error {
	id, err := idParam(c, "Partner")
	if err != nil {
		return err
	}
	format := c.Query("format", "csv")
	var buf bytes.Buffer
	if err := h.svc.Evaluation.WriteReport(c.UserContext(), &buf, id, c.Query("period"), format, c.Query("lang")); err != nil {
		return err
	}
	name := reportName("evaluation", strconv.FormatInt(id, 10), c.Query("period"))
	if format == "pdf" {
		return sendReport(c, buf.Bytes(), "application/pdf", name+".pdf")
	}
	return sendReport(c, buf.Bytes(), "text/csv; charset=utf-8", name+".csv")
}

func (h *Handler) handleEvaluationRanking(c *fiber.Ctx) error {
	if f := c.Query("format", "csv"); f != "csv" {
		return cordon.FieldErr("format", "api.format_csv")
	}
	var buf bytes.Buffer
	if err := h.svc.Evaluation.WriteRanking(c.UserContext(), &buf, c.Query("period"), c.Query("lang")); err != nil {
		return err
	}
	return sendReport(c, buf.Bytes(), "text/csv; charset=utf-8", reportName("evaluation", c.Query("period"))+".csv")
}

func (h *Handler) handleSurveyLink(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	token, exp, err := h.svc.Evaluation.SurveyLink(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"url": h.svc.PublicURL + "/survey/" + token, "token": token, "expires_at": exp})
}

type surveyAnswerJSON struct {
	Token   string `json:"token"`
	Score   int    `json:"score"`
	Comment string `json:"comment"`
}

func (h *Handler) handleSurveyAnswer(c *fiber.Ctx) error {
	var in surveyAnswerJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := h.svc.Evaluation.AnswerSurvey(c.UserContext(), in.Token, in.Score, in.Comment); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type surveyCallJSON struct {
	Score   int    `json:"score"`
	Comment string `json:"comment"`
}

func (h *Handler) handleSurveyCall(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	var in surveyCallJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := h.svc.Evaluation.RecordCall(c.UserContext(), id, in.Score, in.Comment); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
