package webui

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// rendered is a page's answer that it has already written the response (a
// form shown again with the service's refusal) and that its transaction
// must not commit.
type rendered struct{}

func (rendered) Error() string { return "page rendered; roll back" }

// isRendered reports whether err says the page has been written.
func isRendered(err error) bool { return errors.As(err, new(rendered)) }

// pathLocal is the Locals key of the page a form's answer shows.
const pathLocal = "webui.page"

// showsPage says that the answer to a form shows the page at path: the
// language switch goes back there rather than to the form's address.
func showsPage(c *fiber.Ctx, path string) { c.Locals(pathLocal, path) }

// errorField names the input a service's refusal is about, "" for none.
func errorField(err error) string {
	if e := cordon.AsError(err); e != nil {
		return e.Field
	}
	return ""
}

// statusOf is the HTTP status of a refusal shown on the form's page.
func statusOf(err error) int {
	switch cordon.ErrorCode(err) {
	case cordon.ECONFLICT:
		return fiber.StatusConflict
	case cordon.ETOOLARGE:
		return fiber.StatusRequestEntityTooLarge
	case cordon.ETOOMANY:
		return fiber.StatusTooManyRequests
	}
	return fiber.StatusBadRequest
}

// sendFile answers with a download (every page's: documents, reports,
// the access log's CSV, the evidence bundle): never cached, never sniffed.
func sendFile(c *fiber.Ctx, body []byte, contentType, name string) error {
	setPageHeaders(c)
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Send(body)
}

// parseID reads an optional positive id from a form field or a filter's
// query parameter named field: nil for an empty value.
func parseID(field, v string) (*int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return nil, errBadID(field)
	}
	return &n, nil
}

// formID reads an optional positive id from a form field.
func formID(c *fiber.Ctx, field string) (*int64, error) {
	return parseID(field, c.FormValue(field))
}

// parseLocalTime reads a time from a datetime-local input (China Standard
// Time, the portal's zone) or in RFC 3339.
func parseLocalTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, cordon.ChinaTime); err == nil {
			return t, nil
		}
	}
	return time.Parse(time.RFC3339, s)
}

// formFiles reads the files of a multipart form's field, at most max of
// them and each at most size bytes; an empty file input sends a nameless,
// empty part, which is no file. A form that is not multipart has none.
func formFiles(c *fiber.Ctx, field string, max int, size int64) ([][]byte, error) {
	if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEMultipartForm) {
		return nil, nil
	}
	form, err := c.MultipartForm()
	if err != nil {
		return nil, cordon.Err(cordon.EINVALID, "form_could_not_read")
	}
	var out [][]byte
	for _, fh := range form.File[field] {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		if len(out) > max {
			break // one too many is enough for the service to refuse
		}
		f, err := fh.Open()
		if err != nil {
			return nil, cordon.FieldErr(field, "attachment_could_not_read")
		}
		b, err := io.ReadAll(io.LimitReader(f, size+1))
		f.Close()
		if err != nil {
			return nil, cordon.FieldErr(field, "attachment_could_not_read")
		}
		out = append(out, b)
	}
	return out, nil
}

// dayLayout is how date inputs send a day.
const dayLayout = "2006-01-02"

// formDay reads a date input (YYYY-MM-DD) as the start of that day in
// China Standard Time; an empty input is the zero time.
func formDay(c *fiber.Ctx, field string) (time.Time, error) {
	v := strings.TrimSpace(c.FormValue(field))
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(dayLayout, v, cordon.ChinaTime)
	if err != nil {
		return time.Time{}, fieldErr(field, "form.bad_day")
	}
	return t, nil
}

// formDayPtr is formDay with nil for an empty input.
func formDayPtr(c *fiber.Ctx, field string) (*time.Time, error) {
	t, err := formDay(c, field)
	if err != nil || t.IsZero() {
		return nil, err
	}
	return &t, nil
}

// formInt reads a whole number from a form field; an empty field is 0.
func formInt(c *fiber.Ctx, field string) (int, error) {
	v := strings.TrimSpace(c.FormValue(field))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || len(v) > 9 {
		return 0, fieldErr(field, "form.bad_number")
	}
	return n, nil
}

// ymd is a time as a date input's value, in China Standard Time; "" for
// none.
func ymd(t any) string {
	tt, ok := timeOf(t)
	if !ok {
		return ""
	}
	return tt.In(cordon.ChinaTime).Format(dayLayout)
}
