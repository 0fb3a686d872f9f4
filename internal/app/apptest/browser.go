package apptest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// Browser is a cookie-keeping client of the portal's pages through
// app.Test, as a browser would send them (Accept: text/html).
type Browser struct {
	h   *Harness
	Jar map[string]string // cookie name → value
}

// T is the test the browser's harness runs in.
func (b *Browser) T() *testing.T { return b.h.T }

// Browser returns a browser with no cookies.
func (h *Harness) Browser() *Browser { return &Browser{h: h, Jar: map[string]string{}} }

// Send sends a request, with form (if any) as its body.
func (b *Browser) Send(method, path string, form url.Values) *Response {
	b.h.T.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return b.Do(req)
}

// Do sends req with the browser's cookies and keeps the cookies the
// answer sets or clears.
func (b *Browser) Do(req *http.Request) *Response {
	b.h.T.Helper()
	for k, v := range b.Jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := b.h.App.Server.App().Test(req, -1)
	if err != nil {
		b.h.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(b.Jar, ck.Name)
		} else {
			b.Jar[ck.Name] = ck.Value
		}
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: out}
}

// Get gets a page.
func (b *Browser) Get(path string) *Response { b.h.T.Helper(); return b.Send("GET", path, nil) }

// Post sends a form with the CSRF token the last page set.
func (b *Browser) Post(path string, form url.Values) *Response {
	b.h.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.Jar["cordon_csrf"])
	return b.Send("POST", path, form)
}

// Login logs in through the form and checks the session cookies.
func (b *Browser) Login(username string) {
	b.h.T.Helper()
	if r := b.Get("/login"); r.Status != 200 {
		b.h.T.Fatalf("GET /login: %d", r.Status)
	}
	r := b.Post("/login", url.Values{"username": {username}, "password": {DemoPassword}})
	if r.Status != 303 || b.Jar["cordon_access"] == "" || b.Jar["cordon_refresh"] == "" {
		b.h.T.Fatalf("login %s: %d %s (cookies %v)", username, r.Status, r.Body, b.Jar)
	}
}

// Page gets a page and fails unless it answers 200 with every text.
func (b *Browser) Page(path string, texts ...string) string {
	b.h.T.Helper()
	r := b.Get(path)
	if r.Status != 200 {
		b.h.T.Fatalf("GET %s: %d\n%s", path, r.Status, r.Body)
	}
	body := string(r.Body)
	for _, s := range texts {
		if !strings.Contains(body, s) {
			b.h.T.Errorf("GET %s: no %q in the page", path, s)
		}
	}
	return body
}
