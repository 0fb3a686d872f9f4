package api

import (
	"bytes"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

func registerTrainingRoutes(r fiber.Router, h *Handler, g Guards) {
	view, update := g.Require(cordon.ResTraining, cordon.ActView), g.Require(cordon.ResTraining, cordon.ActUpdate)
	r.Get("/jobs/:id/training", g.Authenticated, view, h.handleTrainingView)
	r.Post("/jobs/:id/training/sessions", g.Authenticated, update, h.handleSessionCreate)
	r.Put("/jobs/:id/training/sessions/:sid", g.Authenticated, update, h.handleSessionUpdate)
	r.Post("/jobs/:id/training/trainees", g.Authenticated, update, h.handleTraineeCreate)
	r.Put("/jobs/:id/training/trainees/:tid", g.Authenticated, update, h.handleTraineeUpdate)
	r.Put("/jobs/:id/training/trainees/:tid/assessment", g.Authenticated, update, h.handleTraineeAssess)
	r.Post("/jobs/:id/training/trainees/:tid/certificate", g.Authenticated, g.Require(cordon.ResTraining, cordon.ActCreate), h.handleCertificateIssue)
	r.Get("/jobs/:id/training/trainees/:tid/certificate", g.Authenticated, g.Require(cordon.ResTraining, cordon.ActDownload), h.handleCertificateDownload)
	r.Get("/trainees", g.Authenticated, g.Require(cordon.ResTraining, cordon.ActList), h.handleTraineeList)
}

// jobAnd reads the job id and a second id from the path.
func jobAnd(c *fiber.Ctx, name, what string) (int64, int64, error) {
	job, err := idParam(c, "Job")
	if err != nil {
		return 0, 0, err
	}
	id, err := idParamNamed(c, name, what)
	return job, id, err
}

type sessionJSON struct {
	ID        int64     `json:"id"`
	HeldOn    string    `json:"held_on"`
	Hours     float64   `json:"hours"`
	Topics    string    `json:"topics"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toSessionJSON(s *cordon.TrainingSession) sessionJSON {
	return sessionJSON{ID: s.ID, HeldOn: s.HeldOn.In(cordon.ChinaTime).Format("2006-01-02"), Hours: s.Hours, Topics: s.Topics,
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

type certificateJSON struct {
	Number   string    `json:"number"`
	IssuedAt time.Time `json:"issued_at"`
}

type traineeJSON struct {
	ID          int64            `json:"id"`
	JobID       int64            `json:"job_id"`
	Name        *string          `json:"name"`
	Position    *string          `json:"position"`
	Department  *string          `json:"department"`
	Passed      *bool            `json:"passed"`
	Score       *int             `json:"score"`
	Comment     string           `json:"comment"`
	AssessedAt  *time.Time       `json:"assessed_at"`
	Certificate *certificateJSON `json:"certificate"`
}

// toTraineeJSON gives the identity as null when the caller may not see it.
func toTraineeJSON(t *cordon.Trainee) traineeJSON {
	out := traineeJSON{ID: t.ID, JobID: t.JobID, Passed: t.Passed, Score: t.Score, Comment: t.Comment, AssessedAt: t.AssessedAt}
	if !t.NameHidden {
		out.Name, out.Position, out.Department = &t.Name, &t.Position, &t.Department
	}
	if c := t.Certificate; c != nil {
		out.Certificate = &certificateJSON{Number: c.Number, IssuedAt: c.IssuedAt}
	}
	return out
}

type trainingJSON struct {
	JobID        int64         `json:"job_id"`
	Sessions     []sessionJSON `json:"sessions"`
	Trainees     []traineeJSON `json:"trainees"`
	TraineeCount int           `json:"trainee_count"`
	Hours        float64       `json:"hours"`
	NamesShown   bool          `json:"names_shown"`
	CanRecord    bool          `json:"can_record"`
	CanIssue     bool          `json:"can_issue"`
}

func (h *Handler) handleTrainingView(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	rec, err := h.svc.Training.Training(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := trainingJSON{JobID: rec.JobID, Sessions: []sessionJSON{}, Trainees: []traineeJSON{}, TraineeCount: len(rec.Trainees),
		Hours: rec.Hours, NamesShown: rec.NamesShown, CanRecord: rec.CanRecord, CanIssue: rec.CanIssue}
	for _, s := range rec.Sessions {
		out.Sessions = append(out.Sessions, toSessionJSON(s))
	}
	for _, t := range rec.Trainees {
		out.Trainees = append(out.Trainees, toTraineeJSON(t))
	}
	return c.JSON(out)
}

type sessionInputJSON struct {
	HeldOn string  `json:"held_on"`
	Hours  float64 `json:"hours"`
	Topics string  `json:"topics"`
}

func (h *Handler) handleSessionCreate(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	var in sessionInputJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	s, err := h.svc.Training.AddSession(c.UserContext(), id, cordon.SessionInput{HeldOn: in.HeldOn, Hours: in.Hours, Topics: in.Topics})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toSessionJSON(s))
}

func (h *Handler) handleSessionUpdate(c *fiber.Ctx) error {
	job, sid, err := jobAnd(c, "sid", "Training session")
	if err != nil {
		return err
	}
	var in sessionInputJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	s, err := h.svc.Training.UpdateSession(c.UserContext(), job, sid, cordon.SessionInput{HeldOn: in.HeldOn, Hours: in.Hours, Topics: in.Topics})
	if err != nil {
		return err
	}
	return c.JSON(toSessionJSON(s))
}

type traineeInputJSON struct {
	Name       string `json:"name"`
	Position   string `json:"position"`
	Department string `json:"department"`
}

func (h *Handler) handleTraineeCreate(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	var in traineeInputJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	t, err := h.svc.Training.AddTrainee(c.UserContext(), id, cordon.TraineeInput{Name: in.Name, Position: in.Position, Department: in.Department})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toTraineeJSON(t))
}

func (h *Handler) handleTraineeUpdate(c *fiber.Ctx) error {
	job, tid, err := jobAnd(c, "tid", "Trainee")
	if err != nil {
		return err
	}
	var in traineeInputJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	t, err := h.svc.Training.UpdateTrainee(c.UserContext(), job, tid, cordon.TraineeInput{Name: in.Name, Position: in.Position, Department: in.Department})
	if err != nil {
		return err
	}
	return c.JSON(toTraineeJSON(t))
}

type assessmentJSON struct {
	Passed  *bool  `json:"passed"`
	Score   *int   `json:"score"`
	Comment string `json:"comment"`
}

func (h *Handler) handleTraineeAssess(c *fiber.Ctx) error {
	job, tid, err := jobAnd(c, "tid", "Trainee")
	if err != nil {
		return err
	}
	var in assessmentJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Passed == nil {
		return cordon.FieldErr("passed", "training.passed_required")
	}
	t, err := h.svc.Training.Assess(c.UserContext(), job, tid, cordon.AssessmentInput{Passed: *in.Passed, Score: in.Score, Comment: in.Comment})
	if err != nil {
		return err
	}
	return c.JSON(toTraineeJSON(t))
}

func (h *Handler) handleCertificateIssue(c *fiber.Ctx) error {
	job, tid, err := jobAnd(c, "tid", "Trainee")
	if err != nil {
		return err
	}
	cert, err := h.svc.Training.IssueCertificate(c.UserContext(), job, tid)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(certificateJSON{Number: cert.Number, IssuedAt: cert.IssuedAt})
}

func (h *Handler) handleCertificateDownload(c *fiber.Ctx) error {
	job, tid, err := jobAnd(c, "tid", "Trainee")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	number, err := h.svc.Training.WriteCertificate(c.UserContext(), &buf, job, tid)
	if err != nil {
		return err
	}
	return sendReport(c, buf.Bytes(), "application/pdf", reportName("certificate", number)+".pdf")
}

type traineeRowJSON struct {
	traineeJSON
	Partner  string  `json:"partner"`
	Customer string  `json:"customer"`
	Hours    float64 `json:"hours"`
	LastDay  *string `json:"last_day"`
}

// traineeFilter reads q, passed and certified.
func traineeFilter(c *fiber.Ctx) (cordon.TraineeFilter, error) {
	f := cordon.TraineeFilter{Query: c.Query("q")}
	for name, dst := range map[string]**bool{"passed": &f.Passed, "certified": &f.Certified} {
		switch c.Query(name) {
		case "":
		case "true":
			v := true
			*dst = &v
		case "false":
			v := false
			*dst = &v
		default:
			return f, cordon.FieldErr(name, "training.true_or_false", name)
		}
	}
	return f, nil
}

func (h *Handler) handleTraineeList(c *fiber.Ctx) error {
	f, err := traineeFilter(c)
	if err != nil {
		return err
	}
	switch c.Query("format", "json") {
	case "csv":
		var buf bytes.Buffer
		if err := h.svc.Training.WriteTrainees(c.UserContext(), &buf, f, c.Query("lang")); err != nil {
			return err
		}
		return sendReport(c, buf.Bytes(), "text/csv; charset=utf-8", "trainees.csv")
	case "json":
	default:
		return cordon.FieldErr("format", "api.format_json_csv")
	}
	if f.Offset, f.Limit, err = pageParams(c); err != nil {
		return err
	}
	rows, total, err := h.svc.Training.FindTrainees(c.UserContext(), f)
	if err != nil {
		return err
	}
	items := make([]traineeRowJSON, len(rows))
	for i, r := range rows {
		items[i] = traineeRowJSON{traineeJSON: toTraineeJSON(r.Trainee), Partner: r.Partner, Customer: r.Customer, Hours: r.Hours}
		if r.LastDay != nil {
			d := r.LastDay.Format("2006-01-02")
			items[i].LastDay = &d
		}
	}
	return c.JSON(fiber.Map{"items": items, "total": total, "offset": f.Offset, "limit": f.Limit})
}
