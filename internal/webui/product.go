package webui

import (
	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// The catalogue page: product lines, their models, and one model's
// components (part number, name, supplier), with the forms that add and
// rename them (CatalogService). Everyone at the institute with product
// list reads it; product create and update change it.
func registerProductPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	r.Get("/catalogue", auth, g.Require(cordon.ResProduct, cordon.ActList), h.handleCatalogue)
	r.Post("/catalogue/lines", h.checkCSRF, auth, g.Require(cordon.ResProduct, cordon.ActCreate), h.handleLineCreate)
	r.Post("/catalogue/lines/:id", h.checkCSRF, auth, g.Require(cordon.ResProduct, cordon.ActUpdate), h.handleLineRename)
	r.Post("/catalogue/models", h.checkCSRF, auth, g.Require(cordon.ResProduct, cordon.ActCreate), h.handleModelCreate)
	r.Post("/catalogue/models/:id", h.checkCSRF, auth, g.Require(cordon.ResProduct, cordon.ActUpdate), h.handleModelRename)
	r.Post("/catalogue/models/:id/components", h.checkCSRF, auth, g.Require(cordon.ResProduct, cordon.ActCreate), h.handleComponentCreate)
	r.Post("/catalogue/components/:id", h.checkCSRF, auth, g.Require(cordon.ResProduct, cordon.ActUpdate), h.handleComponentUpdate)
}

// lineModels is a product line with its models.
type lineModels struct {
	Line   *cordon.ProductLine
	Models []*cordon.Model
}

type catalogueData struct {
	Lines      []lineModels
	Model      *cordon.Model // the model whose components show
	Components []*cordon.Component
	MayCreate  bool
	MayUpdate  bool
}

// handleCatalogue shows the lines and models, and the components of the
// model asked for (?model=).
func (h *Handler) handleCatalogue(c *fiber.Ctx) error {
	ctx := c.UserContext()
	a := cordon.ActorFromContext(ctx)
	model, err := parseID("model", c.Query("model"))
	if err != nil {
		return h.refused(c, "/catalogue", err)
	}
	d := catalogueData{MayCreate: h.allow(a, cordon.ResProduct, cordon.ActCreate), MayUpdate: h.allow(a, cordon.ResProduct, cordon.ActUpdate)}
	x, err := h.catalogIndex(ctx)
	if err != nil {
		return err
	}
	at := map[int64]int{}
	for _, l := range x.Lines {
		at[l.ID] = len(d.Lines)
		d.Lines = append(d.Lines, lineModels{Line: l})
	}
	for _, m := range x.Models {
		if i, ok := at[m.ProductLineID]; ok {
			d.Lines[i].Models = append(d.Lines[i].Models, m)
		}
	}
	if model != nil {
		if d.Model, err = h.svc.Catalog.FindModelByID(ctx, *model); err != nil {
			return err
		}
		if d.Components, err = h.svc.Catalog.FindComponents(ctx, *model); err != nil {
			return err
		}
	}
	return h.render(c, "catalogue", "/catalogue", "catalogue.title", d)
}

func (h *Handler) handleLineCreate(c *fiber.Ctx) error {
	p, err := h.svc.Catalog.CreateProductLine(c.UserContext(), formText(c, "code"), formText(c, "name"))
	if err != nil {
		return h.refused(c, "/catalogue#new-line", err)
	}
	l := Locale{Lang: language(c)}
	return done(c, "/catalogue#line-"+itoa(p.ID), l.T("catalogue.line.created", p.Code))
}

func (h *Handler) handleLineRename(c *fiber.Ctx) error {
	id, err := idParam(c, "Product line")
	if err != nil {
		return err
	}
	p, err := h.svc.Catalog.UpdateProductLine(c.UserContext(), id, formText(c, "name"))
	if err != nil {
		return h.refused(c, "/catalogue#line-"+itoa(id), err)
	}
	l := Locale{Lang: language(c)}
	return done(c, "/catalogue#line-"+itoa(p.ID), l.T("catalogue.renamed", p.Code))
}

func (h *Handler) handleModelCreate(c *fiber.Ctx) error {
	line, err := formID(c, "product_line_id")
	if err == nil && line == nil {
		err = fieldErr("product_line_id", "form.pick_line")
	}
	if err != nil {
		return h.refused(c, "/catalogue#new-model", err)
	}
	m, err := h.svc.Catalog.CreateModel(c.UserContext(), *line, formText(c, "code"), formText(c, "name"))
	if err != nil {
		return h.refused(c, "/catalogue#new-model", err)
	}
	l := Locale{Lang: language(c)}
	return done(c, "/catalogue?model="+itoa(m.ID)+"#components", l.T("catalogue.model.created", m.Code))
}

func (h *Handler) handleModelRename(c *fiber.Ctx) error {
	id, err := idParam(c, "Model")
	if err != nil {
		return err
	}
	m, err := h.svc.Catalog.UpdateModel(c.UserContext(), id, formText(c, "name"))
	if err != nil {
		return h.refused(c, "/catalogue#model-"+itoa(id), err)
	}
	l := Locale{Lang: language(c)}
	return done(c, "/catalogue#model-"+itoa(m.ID), l.T("catalogue.renamed", m.Code))
}

func (h *Handler) handleComponentCreate(c *fiber.Ctx) error {
	id, err := idParam(c, "Model")
	if err != nil {
		return err
	}
	back := "/catalogue?model=" + itoa(id) + "#components"
	p, err := h.svc.Catalog.CreateComponent(c.UserContext(), cordon.Component{ModelID: id, PartNumber: formText(c, "part_number"),
		Name: formText(c, "name"), Supplier: formText(c, "supplier")})
	if err != nil {
		return h.refused(c, back, err)
	}
	l := Locale{Lang: language(c)}
	return done(c, back, l.T("catalogue.component.created", p.PartNumber))
}

func (h *Handler) handleComponentUpdate(c *fiber.Ctx) error {
	id, err := idParam(c, "Component")
	if err != nil {
		return err
	}
	back := "/catalogue"
	if m, err := formID(c, "model_id"); err == nil && m != nil {
		back = "/catalogue?model=" + itoa(*m) + "#components"
	}
	p, err := h.svc.Catalog.UpdateComponent(c.UserContext(), id, formText(c, "name"), formText(c, "supplier"))
	if err != nil {
		return h.refused(c, back, err)
	}
	l := Locale{Lang: language(c)}
	return done(c, "/catalogue?model="+itoa(p.ModelID)+"#components", l.T("catalogue.component.saved", p.PartNumber))
}
