package webui

import (
	"bytes"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// The training records on the job page of a training job (docs/training.md)
// and the institute's trainee list, through the service the API's training
// routes call (cordon.TrainingService): it decides who may record, who
// sees trainees' names and what each sight records in the access log; the
// pages only show what it returns.
func registerTrainingPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	update := g.Require(cordon.ResTraining, cordon.ActUpdate)
	r.Post("/jobs/:id/training/sessions", h.checkCSRF, auth, update, h.handleTrainingSession)
	r.Post("/jobs/:id/training/sessions/:sid", h.checkCSRF, auth, update, h.handleTrainingSession)
	r.Post("/jobs/:id/training/trainees", h.checkCSRF, auth, update, h.handleTrainee)
	r.Post("/jobs/:id/training/trainees/:tid", h.checkCSRF, auth, update, h.handleTrainee)
	r.Post("/jobs/:id/training/trainees/:tid/assessment", h.checkCSRF, auth, update, h.handleTraineeAssessment)
	r.Post("/jobs/:id/training/trainees/:tid/certificate", h.checkCSRF, auth, g.Require(cordon.ResTraining, cordon.ActCreate), h.handleCertificateIssue)
	r.Get("/jobs/:id/training/trainees/:tid/certificate.pdf", auth, g.Require(cordon.ResTraining, cordon.ActDownload), h.handleCertificatePDF)
	list := g.Require(cordon.ResTraining, cordon.ActList)
	r.Get("/trainees", auth, list, h.handleTrainees)
	r.Get("/trainees.csv", auth, list, h.handleTraineesCSV)
}

// trainingForm is one of the training section's forms: its values (the
// record's, or what was typed when the service refused it) and the
// refusal, next to its field or above the form.
type trainingForm struct {
	Values map[string]string
	Errors map[string]string
	Error  string
}

// V is a field's value.
func (f *trainingForm) V(name string) string { return f.Values[name] }

// E is a field's refusal, "" for none.
func (f *trainingForm) E(name string) string { return f.Errors[name] }

// Open says whether the form was refused: it shows unfolded.
func (f *trainingForm) Open() bool { return f.Error != "" || len(f.Errors) > 0 }

func newTrainingForm(values map[string]string) *trainingForm {
	if values == nil {
		values = map[string]string{}
	}
	return &trainingForm{Values: values, Errors: map[string]string{}}
}

// sessionView is one session with its correction form (nil when the
// caller may not record).
type sessionView struct {
	S    *cordon.TrainingSession
	Form *trainingForm
}

// traineeView is one trainee: N numbers it on the page ("学员 n" when its
// identity is hidden); the forms are nil where the caller may not use
// them.
type traineeView struct {
	T        *cordon.Trainee
	N        int
	Edit     *trainingForm // identity
	Assess   *trainingForm
	Issue    bool // may issue the certificate now
	Download bool // may download the certificate
}

// trainingSection is the training section of the job page.
type trainingSection struct {
	Rec        *cordon.TrainingRecord
	Sessions   []sessionView
	Trainees   []traineeView
	NewSession *trainingForm // nil: the caller may not record
	NewTrainee *trainingForm // nil: the caller may not add trainees
	Error      string        // a refusal whose form is no longer shown
	forms      map[string]*trainingForm
}

// trainingOf gathers the job's training records for the page: nothing
// unless the job is a training job and the caller's role may view them.
func (h *Handler) trainingOf(c *fiber.Ctx, j *cordon.Job) (*trainingSection, error) {
	a := cordon.ActorFromContext(c.UserContext())
	if h.svc.Training == nil || j.Request == nil || j.Request.Category != cordon.CatTraining || !h.allow(a, cordon.ResTraining, cordon.ActView) {
		return nil, nil
	}
	rec, err := h.svc.Training.Training(c.UserContext(), j.ID)
	if err != nil {
		return nil, err
	}
	s := &trainingSection{Rec: rec, forms: map[string]*trainingForm{}}
	mayRecord := rec.CanRecord && h.allow(a, cordon.ResTraining, cordon.ActUpdate)
	for _, x := range rec.Sessions {
		v := sessionView{S: x}
		if mayRecord {
			v.Form = newTrainingForm(map[string]string{"held_on": ymd(x.HeldOn), "hours": hoursText(x.Hours), "topics": x.Topics})
			s.forms["session-"+itoa(x.ID)] = v.Form
		}
		s.Sessions = append(s.Sessions, v)
	}
	for i, t := range rec.Trainees {
		v := traineeView{T: t, N: i + 1}
		open := t.Certificate == nil
		if mayRecord && open && rec.NamesShown {
			v.Edit = newTrainingForm(map[string]string{"name": t.Name, "position": t.Position, "department": t.Department})
			s.forms["trainee-"+itoa(t.ID)] = v.Edit
		}
		if mayRecord && open {
			vals := map[string]string{"comment": t.Comment}
			if t.Passed != nil {
				vals["passed"] = strconv.FormatBool(*t.Passed)
			}
			if t.Score != nil {
				vals["score"] = strconv.Itoa(*t.Score)
			}
			v.Assess = newTrainingForm(vals)
			s.forms["assess-"+itoa(t.ID)] = v.Assess
		}
		v.Issue = rec.CanIssue && open && t.Passed != nil && *t.Passed && h.allow(a, cordon.ResTraining, cordon.ActCreate)
		v.Download = t.Certificate != nil && rec.NamesShown && h.allow(a, cordon.ResTraining, cordon.ActDownload)
		s.Trainees = append(s.Trainees, v)
	}
	if mayRecord {
		s.NewSession = newTrainingForm(nil)
		s.forms["session-new"] = s.NewSession
		if rec.NamesShown {
			s.NewTrainee = newTrainingForm(nil)
			s.forms["trainee-new"] = s.NewTrainee
		}
	}
	return s, nil
}

// trainingFormView is what a training form's template gets: the page's
// locale and CSRF token, the form, where it posts, and the suffix that
// keeps its inputs' ids unique on the page.
type trainingFormView struct {
	L      Locale
	CSRF   string
	F      *trainingForm
	Action string
	Suffix string
}

// deref is the value a *bool or *int points to (the zero value for nil).
func deref(v any) any {
	switch x := v.(type) {
	case *bool:
		return x != nil && *x
	case *int:
		if x == nil {
			return 0
		}
		return *x
	}
	return v
}

// hoursText is hours without a needless fraction: 3, 2.5.
func hoursText(h float64) string { return strconv.FormatFloat(h, 'f', -1, 64) }

// trainingRefused shows the job page again with what was typed into the
// form named key and the refusal next to its field (fields names the
// form's inputs); a refusal of something else goes above the form.
func (h *Handler) trainingRefused(c *fiber.Ctx, id int64, key string, values map[string]string, fields []string, err error) error {
	return h.jobRefused(c, id, err, func(d *jobData, field, msg string) {
		f := newTrainingForm(values)
		if d.Training != nil {
			if have := d.Training.forms[key]; have != nil {
				*have = *f
				f = have
			}
		}
		for _, x := range fields {
			if x == field {
				f.Errors[field] = msg
				return
			}
		}
		f.Error = msg
		if d.Training != nil && d.Training.forms[key] == nil {
			d.Training.Error = msg // the form is gone (the job moved on): say it above the section
		}
	})
}

// secondID reads the second id of a path (a session's, a trainee's); an
// absent one is 0, anything else not a positive number is not found.
func secondID(c *fiber.Ctx, name, what string) (int64, error) {
	v := c.Params(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || len(v) > 18 {
		return 0, cordon.ErrNotFound(what)
	}
	return n, nil
}

// handleTrainingSession records a session, or corrects one.
func (h *Handler) handleTrainingSession(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	sid, err := secondID(c, "sid", "Training session")
	if err != nil {
		return err
	}
	values := map[string]string{"held_on": formText(c, "held_on"), "hours": formText(c, "hours"), "topics": formText(c, "topics")}
	err = func() error {
		hours, perr := strconv.ParseFloat(values["hours"], 64)
		if perr != nil {
			return cordon.FieldErr("hours", "training.hours_range")
		}
		in := cordon.SessionInput{HeldOn: values["held_on"], Hours: hours, Topics: values["topics"]}
		if sid == 0 {
			_, err := h.svc.Training.AddSession(c.UserContext(), id, in)
			return err
		}
		_, err := h.svc.Training.UpdateSession(c.UserContext(), id, sid, in)
		return err
	}()
	if err == nil {
		return done(c, "/jobs/"+itoa(id)+"#training", Locale{Lang: language(c)}.T("training.session.saved"))
	}
	key := "session-new"
	if sid != 0 {
		key = "session-" + itoa(sid)
	}
	return h.trainingRefused(c, id, key, values, []string{"held_on", "hours", "topics"}, err)
}

// handleTrainee records a trainee, or corrects one's identity.
func (h *Handler) handleTrainee(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	tid, err := secondID(c, "tid", "Trainee")
	if err != nil {
		return err
	}
	values := map[string]string{"name": formText(c, "name"), "position": formText(c, "position"), "department": formText(c, "department")}
	in := cordon.TraineeInput{Name: values["name"], Position: values["position"], Department: values["department"]}
	if tid == 0 {
		_, err = h.svc.Training.AddTrainee(c.UserContext(), id, in)
	} else {
		_, err = h.svc.Training.UpdateTrainee(c.UserContext(), id, tid, in)
	}
	if err == nil {
		return done(c, "/jobs/"+itoa(id)+"#training", Locale{Lang: language(c)}.T("training.trainee.saved"))
	}
	key := "trainee-new"
	if tid != 0 {
		key = "trainee-" + itoa(tid)
	}
	return h.trainingRefused(c, id, key, values, []string{"name", "position", "department"}, err)
}

// handleTraineeAssessment records a trainee's assessment: passed or
// failed, a score (optional) and a comment.
func (h *Handler) handleTraineeAssessment(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	tid, err := secondID(c, "tid", "Trainee")
	if err != nil {
		return err
	}
	values := map[string]string{"passed": formText(c, "passed"), "score": formText(c, "score"), "comment": formText(c, "comment")}
	err = func() error {
		in := cordon.AssessmentInput{Comment: values["comment"]}
		switch values["passed"] {
		case "true":
			in.Passed = true
		case "false":
		default:
			return cordon.FieldErr("passed", "training.passed_required")
		}
		if v := values["score"]; v != "" {
			n, perr := strconv.Atoi(v)
			if perr != nil {
				return cordon.FieldErr("score", "training.score_range")
			}
			in.Score = &n
		}
		_, err := h.svc.Training.Assess(c.UserContext(), id, tid, in)
		return err
	}()
	if err == nil {
		return done(c, "/jobs/"+itoa(id)+"#trainee-"+itoa(tid), Locale{Lang: language(c)}.T("training.assessment.saved"))
	}
	return h.trainingRefused(c, id, "assess-"+itoa(tid), values, []string{"passed", "score", "comment"}, err)
}

// handleCertificateIssue issues a trainee's certificate.
func (h *Handler) handleCertificateIssue(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	tid, err := secondID(c, "tid", "Trainee")
	if err != nil || tid == 0 {
		return cordon.ErrNotFound("Trainee")
	}
	back := "/jobs/" + itoa(id) + "#trainee-" + itoa(tid)
	cert, err := h.svc.Training.IssueCertificate(c.UserContext(), id, tid)
	if err != nil {
		return h.refused(c, back, err)
	}
	return done(c, back, Locale{Lang: language(c)}.T("training.certificate.issued", cert.Number))
}

// handleCertificatePDF sends a trainee's certificate (the download
// recorded by the service).
func (h *Handler) handleCertificatePDF(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	tid, err := secondID(c, "tid", "Trainee")
	if err != nil || tid == 0 {
		return cordon.ErrNotFound("Trainee")
	}
	var buf bytes.Buffer
	number, err := h.svc.Training.WriteCertificate(c.UserContext(), &buf, id, tid)
	if err != nil {
		return err
	}
	return sendStored(c, buf.Bytes(), "application/pdf", "certificate-"+number, "")
}

// traineesData is the institute's trainee list.
type traineesData struct {
	Rows              []*cordon.TraineeRow
	Pages             *listPager
	Query             string
	Passed, Certified string // "", "true" or "false"
}

// CSV is the export link's query: the filters, already escaped.
func (d traineesData) CSV() template.URL {
	v := url.Values{}
	for k, x := range map[string]string{"q": d.Query, "passed": d.Passed, "certified": d.Certified} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if len(v) == 0 {
		return ""
	}
	return template.URL("?" + v.Encode())
}

// traineeFilter reads the list's filters: q, passed and certified.
func (h *Handler) traineeFilter(c *fiber.Ctx) (traineesData, cordon.TraineeFilter, error) {
	var d traineesData
	var ok bool
	if d.Query, ok = queryText(c, "q"); !ok {
		return d, cordon.TraineeFilter{}, errLongFilter
	}
	f := cordon.TraineeFilter{Query: d.Query}
	for name, dst := range map[string]struct {
		text *string
		val  **bool
	}{"passed": {&d.Passed, &f.Passed}, "certified": {&d.Certified, &f.Certified}} {
		switch v := c.Query(name); v {
		case "":
		case "true", "false":
			b := v == "true"
			*dst.text, *dst.val = v, &b
		default:
			return d, f, cordon.FieldErr(name, "training.true_or_false", name)
		}
	}
	return d, f, nil
}

// handleTrainees lists every trainee for the institute, newest first, a
// page at a time, searchable and filtered by assessment and certificate.
func (h *Handler) handleTrainees(c *fiber.Ctx) error {
	d, f, err := h.traineeFilter(c)
	if err != nil {
		return h.refused(c, "/trainees", err)
	}
	d.Pages = listPagerOf(c, "page")
	f.Offset, f.Limit = d.Pages.Offset(), d.Pages.Limit()
	if d.Rows, d.Pages.Total, err = h.svc.Training.FindTrainees(c.UserContext(), f); err != nil {
		return err
	}
	return h.render(c, "trainees", "/trainees", "trainees.title", d)
}

// handleTraineesCSV exports the matching trainees in the page's language.
func (h *Handler) handleTraineesCSV(c *fiber.Ctx) error {
	_, f, err := h.traineeFilter(c)
	if err != nil {
		return h.refused(c, "/trainees", err)
	}
	var buf bytes.Buffer
	if err := h.svc.Training.WriteTrainees(c.UserContext(), &buf, f, strings.ToLower(language(c))); err != nil {
		return err
	}
	return sendFile(c, buf.Bytes(), "text/csv; charset=utf-8", "trainees.csv")
}
