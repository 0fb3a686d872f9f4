package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// fuzzApp is a Fiber app whose handlers run only the request parsing of
// this package: decodeJSON into each request body type, and the path and
// query parameter readers. Its error handler fails loudly on anything that
// is not a cordon error with a client-side code.
func fuzzApp() *fiber.App {
	app := fiber.New(fiber.Config{
		DisableStartupMessage: true,
		BodyLimit:             4 << 20,
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			var fe *fiber.Error
			if errors.As(err, &fe) {
				return c.Status(fe.Code).SendString("fiber")
			}
			e := cordon.AsError(err)
			if e == nil {
				return c.Status(599).SendString("not a cordon error: " + err.Error())
			}
			switch e.Code {
			case cordon.EINVALID, cordon.ENOTFOUND, cordon.ETOOLARGE:
				return c.Status(400).SendString(e.Code)
			}
			return c.Status(598).SendString("unexpected code " + e.Code)
		},
	})
	bodies := []func() any{
		func() any { return &requestCreateJSON{} }, func() any { return &moveJSON{} }, func() any { return &dispatchJSON{} },
		func() any { return &partnerCreateJSON{} }, func() any { return &partnerUpdateJSON{} }, func() any { return &loginJSON{} },
		func() any { return &refreshJSON{} }, func() any { return &reportJSON{} }, func() any { return &assignJSON{} },
	}
	app.Post("/decode/:kind", func(c *fiber.Ctx) error {
		k := int(c.Params("kind")[0]) % len(bodies)
		if err := decodeJSON(c, bodies[k]()); err != nil {
			return err
		}
		return c.SendStatus(200)
	})
	app.Get("/params/:id", func(c *fiber.Ctx) error {
		id, err := idParam(c, "Thing")
		if err != nil {
			return err
		}
		if id <= 0 {
			return c.Status(597).SendString("idParam accepted a non-positive id")
		}
		offset, limit, err := pageParams(c)
		if err != nil {
			return err
		}
		if offset < 0 || offset > 1_000_000 || limit < 1 || limit > 200 {
			return c.Status(597).SendString("pageParams let through an out-of-range page")
		}
		if v := c.Query("model_id"); v != "" {
			n, err := queryID(v, "model_id")
			if err != nil {
				return err
			}
			if n <= 0 {
				return c.Status(597).SendString("queryID accepted a non-positive id")
			}
		}
		return c.SendStatus(200)
	})
	return app
}

// FuzzDecodeJSON: no body, content type or choice of body type makes the
// decoder panic or answer with anything but a clear client error.
func FuzzDecodeJSON(f *testing.F) {
	app := fuzzApp()
	f.Add(byte('a'), "application/json", []byte(`{"unit_id": 1, "category": "fault", "priority": "P2", "description": "x"}`))
	f.Add(byte('b'), "application/json; charset=utf-8", []byte(`{"to": "en_route", "reason": "x"}`))
	f.Add(byte('c'), "APPLICATION/JSON", []byte(`{"partner_id": 9223372036854775807, "to": "partner"}`))
	f.Add(byte('d'), "application/json", []byte(`{"code": "x", "code": "y", "name": "\u0000"}`))
	f.Add(byte('e'), "application/json", []byte(`{"name": null} {"name": 1}`))
	f.Add(byte('f'), "text/plain", []byte(`{"username": "a", "password": "b"}`))
	f.Add(byte('g'), "application/json", []byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`))
	f.Add(byte('h'), "application/json", []byte(`{"signoff_at": "2026-13-45T25:61:61Z", "actions": 1e999}`))
	f.Add(byte('i'), "application/json", []byte(`{"user_id": -1.5e300, "__proto__": {}}`))
	f.Add(byte('a'), "application/json", []byte("\xef\xbb\xbf{\"unit_id\": \"1\"}"))
	f.Fuzz(func(t *testing.T, kind byte, contentType string, body []byte) {
		req, err := http.NewRequest("POST", "/decode/"+url.PathEscape(string([]byte{'a' + kind%26})), bytes.NewReader(body))
		if err != nil {
			t.Skip()
		}
		req.Header.Set("Content-Type", contentType)
		res, err := app.Test(req, -1)
		if err != nil {
			return // the client side refused to send it
		}
		defer res.Body.Close()
		if res.StatusCode >= 500 {
			out, _ := io.ReadAll(res.Body)
			t.Fatalf("status %d: %s", res.StatusCode, out)
		}
	})
}

// FuzzParams: path ids, offsets, limits and query ids that are not
// numbers in range are refused; those accepted are in range.
func FuzzParams(f *testing.F) {
	app := fuzzApp()
	for _, s := range [][4]string{
		{"1", "0", "50", ""}, {"0", "", "", ""}, {"-1", "-1", "0", "-1"}, {"9223372036854775808", "1000001", "100000", "9223372036854775807"},
		{"1e3", "1.5", "0x10", "١"}, {"%00", "\x00", "+1", " 1"}, {"000000000000000001", "00", "0200", "0000000000000000001"},
		{"999999999999999999", "1000000", "201", "999999999999999999"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, id, offset, limit, model string) {
		q := url.Values{}
		q.Set("offset", offset)
		q.Set("limit", limit)
		q.Set("model_id", model)
		u := &url.URL{Path: "/params/" + id, RawQuery: q.Encode()}
		req, err := http.NewRequest("GET", u.String(), nil)
		if err != nil || id == "" {
			t.Skip()
		}
		res, err := app.Test(req, -1)
		if err != nil {
			return
		}
		defer res.Body.Close()
		if res.StatusCode >= 500 {
			out, _ := io.ReadAll(res.Body)
			t.Fatalf("id %q offset %q limit %q model_id %q: status %d: %s", id, offset, limit, model, res.StatusCode, out)
		}
	})
}
