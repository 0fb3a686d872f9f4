// Package api holds Cordon's JSON handlers under /api/v1: decoding and
// validating requests, calling the services, and converting domain values
// to response bodies. It never decides who may see what on its own: route
// guards do the function-level check and the services the object level.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// Services are the domain services the handlers call.
type Services struct {
	Partners   cordon.PartnerService
	Manager    cordon.ContractManager
	Jobs       cordon.JobDesk
	Explainer  cordon.PolicyExplainer
	Dispatch   cordon.DispatchService
	Reports    cordon.ReportService
	Documents  cordon.DocumentLibrary
	SLA        cordon.SLAMonitor
	Quality    cordon.QualityService
	Evaluation cordon.Evaluation
	// PublicURL is where customers reach the portal (survey links).
	PublicURL string
	Audit     cordon.AuditService
	// Notifications is the caller's inbox (docs/notifications.md);
	// partners' webhook endpoints and deliveries are the Partners'.
	Notifications cordon.NotificationService
	// Team is user and team management (/api/v1/users): the same service
	// the portal's team page calls.
	Team cordon.TeamService
	// Installed is the installed base: customers, units, milestones,
	// plans, imports; Catalog the product catalogue.
	Installed cordon.InstalledBaseService
	Catalog   cordon.CatalogService
	// Training is the training records of training jobs.
	Training cordon.TrainingService
	// WriteSheet and SheetTemplate are the spreadsheet format
	// (internal/sheet), wired by internal/app; reading is the service's.
	WriteSheet    func(w io.Writer, format, lang string, rows []cordon.SheetRow) error
	SheetTemplate func(w io.Writer, format, lang string) error
	// Now is the clock; nil means time.Now.
	Now cordon.Clock
	// Checklists is checklist templates and jobs' checklists
	// (docs/checklists.md).
	Checklists cordon.ChecklistService
	// Threads are the messages on jobs (thread.go).
	Threads cordon.ThreadService
}

// Handler holds the services; its methods are the route handlers.
type Handler struct {
	svc  Services
	auth cordon.AuthService
}

// New returns the handlers.
func New(svc Services, auth cordon.AuthService) *Handler {
	return &Handler{svc: svc, auth: auth}
}

// Guards are the route middleware the server provides. Every
// authenticated route has Authenticated and then one role guard, which
// enters the caller's data scope once it has allowed the request.
type Guards struct {
	// Authenticated requires a valid access token and draws the request
	// on the caller's rate budgets.
	Authenticated fiber.Handler
	// Require allows only roles that may take action on resource.
	Require func(resource, action string) fiber.Handler
	// RequireAny allows roles that may take any of the (resource, action) pairs.
	RequireAny func(pairs ...[2]string) fiber.Handler
	// RequireAll allows roles that may take every one of the pairs.
	RequireAll func(pairs ...[2]string) fiber.Handler
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Register adds every /api/v1 route to r.
func Register(r fiber.Router, h *Handler, g Guards) {
	registerAuthRoutes(r, h, g)
	registerPartnerRoutes(r, h, g)
	registerContractRoutes(r, h, g)
	registerJobRoutes(r, h, g)
	registerReportRoutes(r, h, g)
	registerRequestRoutes(r, h, g)
	registerDocumentRoutes(r, h, g)
	registerSLARoutes(r, h, g)
	registerQualityRoutes(r, h, g)
	registerTrainingRoutes(r, h, g)
	registerEvaluationRoutes(r, h, g)
	registerPolicyRoutes(r, h, g)
	registerAuditRoutes(r, h, g)
	registerNotifyRoutes(r, h, g)
	registerUserRoutes(r, h, g)
	registerInstalledRoutes(r, h, g)
	registerChecklistRoutes(r, h, g)
	registerThreadRoutes(r, h, g)
}

// maxJSON caps JSON request bodies; the server's own cap is higher, for
// document uploads.
const maxJSON = 1 << 20

// decodeJSON reads a JSON body strictly: the content type must be JSON,
// unknown fields and trailing data are refused, and every problem is a
// clear EINVALID that never echoes parser internals.
func decodeJSON(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(c.Get(fiber.HeaderContentType), ";", 2)[0]))
	if ct != fiber.MIMEApplicationJSON {
		return cordon.Err(cordon.EINVALID, "api.request_body_must_json_content")
	}
	if len(c.Body()) > maxJSON {
		return cordon.Err(cordon.ETOOLARGE, "api.request_body_larger_than_kib", maxJSON>>10)
	}
	if !cleanText(c.Body()) || bytes.Contains(bytes.ToLower(c.Body()), []byte(`\u0000`)) {
		return cordon.Err(cordon.EINVALID, "text_must_valid_utf_8")
	}
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return cordon.Err(cordon.EINVALID, "api.request_body_must_hold_one")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return cordon.Err(cordon.EINVALID, "api.request_body_empty")
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		return cordon.Err(cordon.EINVALID, "api.request_body_not_valid_json")
	case errors.As(err, &typ):
		if typ.Field != "" {
			return cordon.FieldErr(typ.Field, "api.field_has_wrong_type", typ.Field)
		}
		return cordon.Err(cordon.EINVALID, "api.request_body_has_wrong_shape")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return cordon.FieldErr(name, "api.unknown_field", name)
	}
	return cordon.Err(cordon.EINVALID, "api.request_body_not_valid_json")
}

// cleanText reports whether b is valid UTF-8 without NUL bytes.
func cleanText(b []byte) bool { return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 }
