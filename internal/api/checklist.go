package api

import (
	"io"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// Checklists (docs/checklists.md): templates for the institute, and each
// job's checklist for whoever may see the job.
func registerChecklistRoutes(r fiber.Router, h *Handler, g Guards) {
	tmpl := func(action string) fiber.Handler { return g.Require(cordon.ResChecklist, action) }
	r.Get("/checklist-templates", g.Authenticated, tmpl(cordon.ActList), h.handleChecklistTemplateList)
	r.Post("/checklist-templates", g.Authenticated, tmpl(cordon.ActCreate), h.handleChecklistTemplateCreate)
	r.Post("/checklist-templates/import", g.Authenticated, tmpl(cordon.ActCreate), h.handleChecklistTemplateImport)
	r.Get("/checklist-templates/:id", g.Authenticated, tmpl(cordon.ActView), h.handleChecklistTemplateView)
	r.Put("/checklist-templates/:id", g.Authenticated, tmpl(cordon.ActUpdate), h.handleChecklistTemplateRevise)
	r.Get("/checklist-templates/:id/versions", g.Authenticated, tmpl(cordon.ActView), h.handleChecklistTemplateVersions)
	r.Get("/checklist-templates/:id/export", g.Authenticated, tmpl(cordon.ActView), h.handleChecklistTemplateExport)
	r.Post("/checklist-templates/:id/retire", g.Authenticated, tmpl(cordon.ActManage), h.handleChecklistTemplateRetire)

	work := g.RequireAny([2]string{cordon.ResJob, cordon.ActReport}, [2]string{cordon.ResJob, cordon.ActUpdate})
	r.Get("/jobs/:id/checklist", g.Authenticated, g.Require(cordon.ResJob, cordon.ActView), h.handleJobChecklist)
	r.Put("/jobs/:id/checklist", g.Authenticated, work, h.handleJobChecklistAnswers)
	r.Post("/jobs/:id/checklist/photos/:item", g.Authenticated, work, h.handleJobChecklistPhotoUpload)
	r.Get("/jobs/:id/checklist/photos/:item", g.Authenticated, g.Require(cordon.ResJob, cordon.ActView), h.handleJobChecklistPhoto)
}

type checklistItemJSON struct {
	Key      string   `json:"key"`
	Label    string   `json:"label"`
	Kind     string   `json:"kind"`
	Required bool     `json:"required"`
	Unit     string   `json:"unit"`
	Min      *float64 `json:"min"`
	Max      *float64 `json:"max"`
	Help     string   `json:"help"`
}

type checklistTemplateJSON struct {
	ID          int64               `json:"id"`
	Key         string              `json:"key"`
	Version     int                 `json:"version"`
	Latest      bool                `json:"latest"`
	Title       string              `json:"title"`
	Category    string              `json:"category"`
	ProductLine string              `json:"product_line"`
	Model       string              `json:"model"`
	Items       []checklistItemJSON `json:"items"`
	Jobs        int                 `json:"jobs"`
	CreatedBy   int64               `json:"created_by"`
	CreatedAt   time.Time           `json:"created_at"`
	RetiredAt   *time.Time          `json:"retired_at"`
}

func toChecklistItemJSON(it cordon.ChecklistItem) checklistItemJSON {
	return checklistItemJSON{Key: it.Key, Label: it.Label, Kind: string(it.Kind), Required: it.Required,
		Unit: it.Unit, Min: it.Min, Max: it.Max, Help: it.Help}
}

func toChecklistTemplateJSON(t *cordon.ChecklistTemplate) checklistTemplateJSON {
	out := checklistTemplateJSON{ID: t.ID, Key: t.Key, Version: t.Version, Latest: t.Latest, Title: t.Title,
		Category: string(t.Category), ProductLine: t.ProductLine, Model: t.Model, Jobs: t.Jobs,
		CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt, RetiredAt: t.RetiredAt, Items: make([]checklistItemJSON, len(t.Items))}
	for i, it := range t.Items {
		out.Items[i] = toChecklistItemJSON(it)
	}
	return out
}

func (h *Handler) handleChecklistTemplateList(c *fiber.Ctx) error {
	offset, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	f := cordon.ChecklistTemplateFilter{Query: c.Query("q"), Category: cordon.Category(c.Query("category")), Offset: offset, Limit: limit}
	switch c.Query("retired") {
	case "", "false":
	case "true":
		f.Retired = true
	default:
		return cordon.FieldErr("retired", "api.retired_true_false")
	}
	list, total, err := h.svc.Checklists.FindTemplates(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := listJSON[checklistTemplateJSON]{Items: make([]checklistTemplateJSON, len(list)), Total: total, Offset: offset, Limit: limit}
	for i, t := range list {
		out.Items[i] = toChecklistTemplateJSON(t)
	}
	return c.JSON(out)
}

// checklistTemplateInJSON is a template as the API takes it.
type checklistTemplateInJSON struct {
	Key         string              `json:"key"`
	Title       string              `json:"title"`
	Category    string              `json:"category"`
	ProductLine string              `json:"product_line"`
	Model       string              `json:"model"`
	Items       []checklistItemJSON `json:"items"`
}

func (in *checklistTemplateInJSON) toInput() cordon.ChecklistTemplateInput {
	out := cordon.ChecklistTemplateInput{Key: in.Key, Title: in.Title, Category: cordon.Category(in.Category),
		ProductLine: in.ProductLine, Model: in.Model, Items: make([]cordon.ChecklistItem, len(in.Items))}
	for i, it := range in.Items {
		out.Items[i] = cordon.ChecklistItem{Key: it.Key, Label: it.Label, Kind: cordon.ChecklistItemKind(it.Kind),
			Required: it.Required, Unit: it.Unit, Min: it.Min, Max: it.Max, Help: it.Help}
	}
	return out
}

func (h *Handler) handleChecklistTemplateCreate(c *fiber.Ctx) error {
	var in checklistTemplateInJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	t, err := h.svc.Checklists.CreateTemplate(c.UserContext(), in.toInput())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toChecklistTemplateJSON(t))
}

// handleChecklistTemplateImport takes a template's source form (YAML, or
// the same document as JSON): a new template (201), or the next version
// of the one with its key (200).
func (h *Handler) handleChecklistTemplateImport(c *fiber.Ctx) error {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(c.Get(fiber.HeaderContentType), ";", 2)[0]))
	switch ct {
	case fiber.MIMEApplicationJSON, "application/yaml", "application/x-yaml", "text/yaml":
	default:
		return cordon.Err(cordon.EINVALID, "api.send_checklist_yaml")
	}
	if !cleanText(c.Body()) {
		return cordon.Err(cordon.EINVALID, "text_must_valid_utf_8")
	}
	t, err := h.svc.Checklists.ImportTemplate(c.UserContext(), c.Body())
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if t.Version == 1 {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(toChecklistTemplateJSON(t))
}

func (h *Handler) handleChecklistTemplateView(c *fiber.Ctx) error {
	id, err := idParam(c, "Checklist template")
	if err != nil {
		return err
	}
	t, err := h.svc.Checklists.FindTemplateByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toChecklistTemplateJSON(t))
}

// handleChecklistTemplateRevise stores the next version of the template
// whose latest version is id.
func (h *Handler) handleChecklistTemplateRevise(c *fiber.Ctx) error {
	id, err := idParam(c, "Checklist template")
	if err != nil {
		return err
	}
	var in checklistTemplateInJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	t, err := h.svc.Checklists.ReviseTemplate(c.UserContext(), id, in.toInput())
	if err != nil {
		return err
	}
	return c.JSON(toChecklistTemplateJSON(t))
}

func (h *Handler) handleChecklistTemplateVersions(c *fiber.Ctx) error {
	id, err := idParam(c, "Checklist template")
	if err != nil {
		return err
	}
	list, err := h.svc.Checklists.TemplateVersions(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := make([]checklistTemplateJSON, len(list))
	for i, t := range list {
		out[i] = toChecklistTemplateJSON(t)
	}
	return c.JSON(fiber.Map{"items": out})
}

func (h *Handler) handleChecklistTemplateExport(c *fiber.Ctx) error {
	id, err := idParam(c, "Checklist template")
	if err != nil {
		return err
	}
	src, err := h.svc.Checklists.ExportTemplate(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/yaml; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="checklist-`+itoa(id)+`.yaml"`)
	return c.Send(src)
}

func (h *Handler) handleChecklistTemplateRetire(c *fiber.Ctx) error {
	id, err := idParam(c, "Checklist template")
	if err != nil {
		return err
	}
	t, err := h.svc.Checklists.RetireTemplate(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toChecklistTemplateJSON(t))
}

// ---- A job's checklist ----

type checklistAnswerJSON struct {
	Value      string    `json:"value"`
	Number     *float64  `json:"number"`
	MediaType  string    `json:"media_type"`
	Flagged    bool      `json:"flagged"`
	AnsweredBy int64     `json:"answered_by"`
	AnsweredAt time.Time `json:"answered_at"`
}

type jobChecklistItemJSON struct {
	checklistItemJSON
	Limits string               `json:"limits"`
	Answer *checklistAnswerJSON `json:"answer"`
}

type jobChecklistJSON struct {
	JobID     int64                  `json:"job_id"`
	Template  int64                  `json:"template_id"`
	Key       string                 `json:"key"`
	Version   int                    `json:"version"`
	Title     string                 `json:"title"`
	BoundAt   time.Time              `json:"bound_at"`
	Items     []jobChecklistItemJSON `json:"items"`
	Missing   []string               `json:"missing"`
	Flags     int                    `json:"flags"`
	CanAnswer bool                   `json:"can_answer"`
}

func toJobChecklistJSON(cl *cordon.JobChecklist) jobChecklistJSON {
	t := cl.Template
	out := jobChecklistJSON{JobID: cl.JobID, Template: t.ID, Key: t.Key, Version: t.Version, Title: t.Title,
		BoundAt: cl.BoundAt, Items: make([]jobChecklistItemJSON, len(t.Items)), Missing: cl.Missing,
		Flags: cl.Flags, CanAnswer: cl.CanAnswer}
	if out.Missing == nil {
		out.Missing = []string{}
	}
	for i := range t.Items {
		it := &t.Items[i]
		out.Items[i] = jobChecklistItemJSON{checklistItemJSON: toChecklistItemJSON(*it), Limits: it.Limits()}
		if a := cl.Answer(it.Key); a != nil {
			out.Items[i].Answer = &checklistAnswerJSON{Value: a.Value, Number: a.Number, MediaType: a.MediaType,
				Flagged: a.Flagged, AnsweredBy: a.AnsweredBy, AnsweredAt: a.AnsweredAt}
		}
	}
	return out
}

func (h *Handler) handleJobChecklist(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	cl, err := h.svc.Checklists.JobChecklist(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(toJobChecklistJSON(cl))
}

type checklistAnswersInJSON struct {
	Answers []struct {
		Item  string `json:"item"`
		Value string `json:"value"`
	} `json:"answers"`
}

// handleJobChecklistAnswers saves some answers: all of them, or none when
// one is refused.
func (h *Handler) handleJobChecklistAnswers(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	var in checklistAnswersInJSON
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	answers := make([]cordon.ChecklistAnswerInput, len(in.Answers))
	for i, a := range in.Answers {
		answers[i] = cordon.ChecklistAnswerInput{Item: a.Item, Value: a.Value}
	}
	cl, err := h.svc.Checklists.SaveAnswers(c.UserContext(), id, answers)
	if err != nil {
		return err
	}
	return c.JSON(toJobChecklistJSON(cl))
}

// handleJobChecklistPhotoUpload takes multipart/form-data with one image
// in the field photo.
func (h *Handler) handleJobChecklistPhotoUpload(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	form, err := c.MultipartForm()
	if err != nil {
		return cordon.Err(cordon.EINVALID, "api.send_photo_multipart")
	}
	files := form.File["photo"]
	if len(files) != 1 || len(form.File) != 1 || len(form.Value) != 0 {
		return cordon.FieldErr("photo", "api.attach_one_photo")
	}
	f, err := files[0].Open()
	if err != nil {
		return cordon.FieldErr("photo", "api.file_could_not_read")
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, cordon.MaxChecklistPhotoBytes+1))
	if err != nil {
		return cordon.FieldErr("photo", "api.file_could_not_read")
	}
	cl, err := h.svc.Checklists.SavePhoto(c.UserContext(), id, c.Params("item"), content)
	if err != nil {
		return err
	}
	return c.JSON(toJobChecklistJSON(cl))
}

func (h *Handler) handleJobChecklistPhoto(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	p, err := h.svc.Checklists.ChecklistPhoto(c.UserContext(), id, c.Params("item"))
	if err != nil {
		return err
	}
	return sendFile(c, p.Content, p.MediaType, "checklist-"+itoa(id)+"-"+p.SHA256[:12], p.SHA256)
}
