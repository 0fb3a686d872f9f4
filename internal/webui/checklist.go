package webui

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// Checklists in the portal (docs/checklists.md): quality's templates,
// authored as YAML in the page and versioned, and each job's checklist,
// filled on a phone by whoever works the job and read by the institute
// with its flags.

func registerChecklistPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	tmpl := func(action string) fiber.Handler { return g.Require(cordon.ResChecklist, action) }
	r.Get("/checklists", auth, tmpl(cordon.ActList), h.handleChecklistList)
	r.Get("/checklists/new", auth, tmpl(cordon.ActCreate), h.handleChecklistNew)
	r.Post("/checklists/import", h.checkCSRF, auth, tmpl(cordon.ActCreate), h.handleChecklistImport)
	r.Get("/checklists/:id", auth, tmpl(cordon.ActView), h.handleChecklistView)
	r.Get("/checklists/:id/edit", auth, tmpl(cordon.ActUpdate), h.handleChecklistEdit)
	r.Post("/checklists/:id/edit", h.checkCSRF, auth, tmpl(cordon.ActUpdate), h.handleChecklistRevise)
	r.Get("/checklists/:id/export", auth, tmpl(cordon.ActView), h.handleChecklistExport)
	r.Post("/checklists/:id/retire", h.checkCSRF, auth, tmpl(cordon.ActManage), h.handleChecklistRetire)

	work := g.RequireAny([2]string{cordon.ResJob, cordon.ActReport}, [2]string{cordon.ResJob, cordon.ActUpdate})
	r.Post("/jobs/:id/checklist", h.checkCSRF, auth, work, h.handleJobChecklistSave)
	r.Get("/jobs/:id/checklist/photos/:item", auth, g.Require(cordon.ResJob, cordon.ActView), h.handleJobChecklistPhoto)
}

// ---- A job's checklist ----

// checklistView is what the job_checklist partial renders, on its own:
// the checklist, whether to show the fill form or the read-only view,
// and after a refusal what was typed and why, item by item.
type checklistView struct {
	L      Locale
	CSRF   string
	JobID  int64
	List   *cordon.JobChecklist
	Edit   bool
	Values map[string]string // item key → the value as typed
	Errors map[string]string // item key → the refusal, in the page's language
	Error  string            // a refusal that names no item
}

// checklistItem is one item of the partial with its answer and state.
type checklistItem struct {
	*cordon.ChecklistItem
	Answer *cordon.ChecklistAnswer
	Value  string // the value in the form: as typed after a refusal, else the answer
	Error  string
	Limits string
}

// Items pairs each item with its answer, what the form shows and any
// refusal.
func (v *checklistView) Items() []checklistItem {
	out := make([]checklistItem, len(v.List.Template.Items))
	for i := range v.List.Template.Items {
		it := &v.List.Template.Items[i]
		x := checklistItem{ChecklistItem: it, Answer: v.List.Answer(it.Key), Error: v.Errors[it.Key], Limits: it.Limits()}
		if typed, ok := v.Values[it.Key]; ok {
			x.Value = typed
		} else if x.Answer != nil && it.Kind != cordon.ItemPhoto {
			x.Value = x.Answer.Value
		}
		out[i] = x
	}
	return out
}

// CheckOptions are a check item's answers, in order.
func (v *checklistView) CheckOptions() []string { return cordon.CheckAnswers }

// Flagged are the items answered out of their limits, for the summary
// quality reads before verifying.
func (v *checklistView) Flagged() []checklistItem {
	var out []checklistItem
	for _, it := range v.Items() {
		if it.Answer != nil && it.Answer.Flagged {
			out = append(out, it)
		}
	}
	return out
}

// Missing names the required items still empty, by label.
func (v *checklistView) Missing() []string {
	out := make([]string, len(v.List.Missing))
	for i, k := range v.List.Missing {
		out[i] = v.List.Template.Item(k).Label
	}
	return out
}

// jobChecklist is the job page's checklist section: nil when the job has
// none.
func (h *Handler) jobChecklist(c *fiber.Ctx, jobID int64) (*checklistView, error) {
	if h.svc.Checklists == nil {
		return nil, nil
	}
	cl, err := h.svc.Checklists.JobChecklist(c.UserContext(), jobID)
	switch cordon.ErrorCode(err) {
	case "":
	case cordon.ENOTFOUND:
		return nil, nil
	default:
		return nil, err
	}
	return &checklistView{JobID: jobID, List: cl, Edit: cl.CanAnswer}, nil
}

// handleJobChecklistSave saves the fill form: every answer field (a.KEY),
// then each photo chosen (p.KEY), all in the page's one transaction. A
// refusal shows the page again with what was typed and the message at its
// item; nothing is saved then.
func (h *Handler) handleJobChecklistSave(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	l := Locale{Lang: language(c)}
	values := map[string]string{}
	var answers []cordon.ChecklistAnswerInput
	err = func() error {
		args := c.Request().PostArgs()
		if form, ferr := c.MultipartForm(); ferr == nil {
			for k, vs := range form.Value {
				if key, ok := strings.CutPrefix(k, "a."); ok && len(vs) > 0 {
					values[key] = vs[0]
				}
			}
		} else {
			args.VisitAll(func(k, v []byte) {
				if key, ok := strings.CutPrefix(string(k), "a."); ok {
					values[key] = string(v)
				}
			})
		}
		for key, v := range values {
			answers = append(answers, cordon.ChecklistAnswerInput{Item: key, Value: v})
		}
		if len(answers) > 0 {
			if _, err := h.svc.Checklists.SaveAnswers(ctx, id, answers); err != nil {
				return err
			}
		}
		form, ferr := c.MultipartForm()
		if ferr != nil {
			return nil
		}
		for name := range form.File {
			key, ok := strings.CutPrefix(name, "p.")
			if !ok {
				return cordon.FieldErr(name, "checklist.unknown_form_field", name)
			}
			files, err := formFiles(c, name, 1, cordon.MaxChecklistPhotoBytes)
			if err != nil {
				return cordon.FieldErr("answers."+key, "attachment_could_not_read")
			}
			if len(files) == 0 {
				continue // no photo chosen
			}
			if _, err := h.svc.Checklists.SavePhoto(ctx, id, key, files[0]); err != nil {
				return err
			}
		}
		return nil
	}()
	if err == nil {
		return done(c, "/jobs/"+itoa(id)+"#checklist", l.T("checklist.saved"))
	}
	switch cordon.ErrorCode(err) {
	case cordon.EINVALID, cordon.ECONFLICT, cordon.ETOOLARGE, cordon.EFORBIDDEN:
	default:
		return err
	}
	d, perr := h.jobPage(c, id)
	if perr != nil {
		return perr
	}
	if d.Checklist == nil {
		return err
	}
	msg := l.ErrorText(err)
	d.Checklist.Values, d.Checklist.Errors = values, map[string]string{}
	if key, ok := strings.CutPrefix(errorField(err), "answers."); ok && d.Checklist.List.Template.Item(key) != nil {
		d.Checklist.Errors[key] = msg
	} else {
		d.Checklist.Error = msg
	}
	c.Status(statusOf(err))
	showsPage(c, "/jobs/"+itoa(id))
	if rerr := h.render(c, "job", "/jobs", "job.details", d); rerr != nil {
		return rerr
	}
	return rendered{}
}

// handleJobChecklistPhoto serves a photo answer: the API's route, logged
// with its SHA-256.
func (h *Handler) handleJobChecklistPhoto(c *fiber.Ctx) error {
	id, err := idParam(c, "Job")
	if err != nil {
		return err
	}
	p, err := h.svc.Checklists.ChecklistPhoto(c.UserContext(), id, c.Params("item"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, p.MediaType)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Content-Type-Options", "nosniff")
	return c.Send(p.Content)
}

// ---- Templates ----

type checklistListData struct {
	Items    []*cordon.ChecklistTemplate
	Query    string
	Category string
	Retired  bool
	Cats     []cordon.Category
	Pages    *listPager
	MayEdit  bool
}

// handleChecklistList lists the templates (latest versions) with a search,
// a service-type filter and the retired ones on request, a page at a time.
func (h *Handler) handleChecklistList(c *fiber.Ctx) error {
	a := cordon.ActorFromContext(c.UserContext())
	d := checklistListData{Query: c.Query("q"), Category: c.Query("category"), Retired: c.Query("retired") == "1",
		Cats: cordon.Categories, Pages: listPagerOf(c, "page"), MayEdit: h.allow(a, cordon.ResChecklist, cordon.ActCreate)}
	var err error
	d.Items, d.Pages.Total, err = h.svc.Checklists.FindTemplates(c.UserContext(), cordon.ChecklistTemplateFilter{
		Query: d.Query, Category: cordon.Category(d.Category), Retired: d.Retired, Offset: d.Pages.Offset(), Limit: d.Pages.Limit()})
	if err != nil {
		if cordon.ErrorCode(err) == cordon.EINVALID {
			return h.refused(c, "/checklists", err)
		}
		return err
	}
	return h.render(c, "checklists", "/checklists", "checklists.title", d)
}

// checklistSourceData is the YAML form: a new template, or the next
// version of one.
type checklistSourceData struct {
	Template *cordon.ChecklistTemplate // nil for a new one
	Source   string
	Error    string
}

// checklistSkeleton is what a new template's form starts from.
const checklistSkeleton = `key: 
title: 
category: installation
items:
  - key: earth_resistance
    label: 接地电阻
    kind: measurement
    required: true
    unit: Ω
    max: 4
`

func (h *Handler) handleChecklistNew(c *fiber.Ctx) error {
	return h.render(c, "checklist_edit", "/checklists", "checklists.new", checklistSourceData{Source: checklistSkeleton})
}

// sourceOf reads the form's YAML: the uploaded file when one is chosen,
// else the text area.
func sourceOf(c *fiber.Ctx) ([]byte, error) {
	files, err := formFiles(c, "file", 1, cordon.MaxChecklistYAMLBytes)
	if err != nil {
		return nil, err
	}
	if len(files) > 0 && len(files[0]) > 0 {
		return files[0], nil
	}
	return []byte(c.FormValue("source")), nil
}

// handleChecklistImport creates a template from YAML, or the next version
// of the one with its key.
func (h *Handler) handleChecklistImport(c *fiber.Ctx) error {
	l := Locale{Lang: language(c)}
	src, err := sourceOf(c)
	if err == nil {
		var t *cordon.ChecklistTemplate
		if t, err = h.svc.Checklists.ImportTemplate(c.UserContext(), src); err == nil {
			return done(c, "/checklists/"+itoa(t.ID), l.T("checklists.saved", t.Key, t.Version))
		}
	}
	return h.sourceRefused(c, nil, src, err)
}

// sourceRefused shows the YAML form again with what was written and why.
func (h *Handler) sourceRefused(c *fiber.Ctx, t *cordon.ChecklistTemplate, src []byte, err error) error {
	switch cordon.ErrorCode(err) {
	case cordon.EINVALID, cordon.ECONFLICT, cordon.ETOOLARGE:
	default:
		return err
	}
	l := Locale{Lang: language(c)}
	c.Status(statusOf(err))
	title, path := "checklists.new", "/checklists/new"
	if t != nil {
		title, path = "checklists.edit", "/checklists/"+itoa(t.ID)+"/edit"
	}
	showsPage(c, path)
	if rerr := h.render(c, "checklist_edit", "/checklists", title, checklistSourceData{Template: t, Source: string(src), Error: l.ErrorText(err)}); rerr != nil {
		return rerr
	}
	return rendered{}
}

type checklistData struct {
	Template  *cordon.ChecklistTemplate
	Versions  []*cordon.ChecklistTemplate
	MayEdit   bool
	MayRetire bool
}

// handleChecklistView shows one version, its items, and every version
// with the jobs bound to each.
func (h *Handler) handleChecklistView(c *fiber.Ctx) error {
	id, err := idParam(c, "Checklist template")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	a := cordon.ActorFromContext(ctx)
	d := checklistData{MayEdit: h.allow(a, cordon.ResChecklist, cordon.ActUpdate), MayRetire: h.allow(a, cordon.ResChecklist, cordon.ActManage)}
	if d.Template, err = h.svc.Checklists.FindTemplateByID(ctx, id); err != nil {
		return err
	}
	if d.Versions, err = h.svc.Checklists.TemplateVersions(ctx, id); err != nil {
		return err
	}
	return h.render(c, "checklist", "/checklists", "checklists.title", d)
}

// handleChecklistEdit is the YAML form of the latest version, to save as
// the next one.
func (h *Handler) handleChecklistEdit(c *fiber.Ctx) error {
	id, err := idParam(c, "Checklist template")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	t, err := h.svc.Checklists.FindTemplateByID(ctx, id)
	if err != nil {
		return err
	}
	src, err := h.svc.Checklists.ExportTemplate(ctx, id)
	if err != nil {
		return err
	}
	return h.render(c, "checklist_edit", "/checklists", "checklists.edit", checklistSourceData{Template: t, Source: string(src)})
}

// handleChecklistRevise saves the form as the template's next version.
func (h *Handler) handleChecklistRevise(c *fiber.Ctx) error {
	id, err := idParam(c, "Checklist template")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	l := Locale{Lang: language(c)}
	t, err := h.svc.Checklists.FindTemplateByID(ctx, id)
	if err != nil {
		return err
	}
	src, err := sourceOf(c)
	if err == nil {
		var next *cordon.ChecklistTemplate
		if next, err = h.svc.Checklists.ReviseTemplateSource(ctx, id, src); err == nil {
			return done(c, "/checklists/"+itoa(next.ID), l.T("checklists.saved", next.Key, next.Version))
		}
	}
	return h.sourceRefused(c, t, src, err)
}

func (h *Handler) handleChecklistExport(c *fiber.Ctx) error {
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

func (h *Handler) handleChecklistRetire(c *fiber.Ctx) error {
	id, err := idParam(c, "Checklist template")
	if err != nil {
		return err
	}
	back := "/checklists/" + itoa(id)
	if _, err := h.svc.Checklists.RetireTemplate(c.UserContext(), id); err != nil {
		return h.refused(c, back, err)
	}
	return done(c, back, Locale{Lang: language(c)}.T("checklists.retired.done"))
}
