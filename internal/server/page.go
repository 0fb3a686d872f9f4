package server

import (
	"bytes"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
)

// errorTexts are the error page's words per language: the portal speaks
// Simplified Chinese by default and English on request.
var errorTexts = map[string]map[int]string{
	"zh-CN": {
		400: "请求有误", 401: "请先登录", 403: "无权执行此操作", 404: "页面不存在",
		409: "操作与当前状态冲突", 413: "请求内容过大", 429: "请求过于频繁，请稍后再试",
		500: "系统内部错误", 503: "服务暂不可用",
	},
	"en": {
		400: "Bad request", 401: "Please log in", 403: "You may not do this", 404: "Page not found",
		409: "Conflicts with the current state", 413: "Request too large", 429: "Too many requests; try again later",
		500: "Internal error", 503: "Service unavailable",
	},
}

var pageWords = map[string][2]string{ // request id label, home link
	"zh-CN": {"请求编号", "返回首页"},
	"en":    {"Request id", "Home"},
}

// language picks the page language: a lang cookie or query parameter of
// "en" asks for English; everything else is Simplified Chinese.
func language(c *fiber.Ctx) string {
	l := c.Query("lang")
	if l == "" {
		l = c.Cookies("lang")
	}
	if strings.HasPrefix(strings.ToLower(l), "en") {
		return "en"
	}
	return "zh-CN"
}

// pages renders server-side pages from the web templates.
type pages struct {
	errorPage *template.Template
}

func newPages(web fs.FS) (*pages, error) {
	t, err := template.ParseFS(web, "templates/error.html")
	if err != nil {
		return nil, err
	}
	return &pages{errorPage: t}, nil
}

// renderError writes the HTML error page for status.
func (p *pages) renderError(c *fiber.Ctx, status int, rid string) error {
	lang := language(c)
	msg := errorTexts[lang][status]
	if msg == "" {
		msg = errorTexts[lang][500]
	}
	var buf bytes.Buffer
	err := p.errorPage.Execute(&buf, map[string]any{
		"Lang": lang, "Status": status, "Title": http.StatusText(status), "Message": msg,
		"RequestID": rid, "RequestIDLabel": pageWords[lang][0], "Home": pageWords[lang][1],
	})
	if err != nil {
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.SendString(msg)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
}

// staticHandler serves web/static under /static.
func staticHandler(web fs.FS) (fiber.Handler, error) {
	sub, err := fs.Sub(web, "static")
	if err != nil {
		return nil, err
	}
	return filesystem.New(filesystem.Config{Root: http.FS(sub), MaxAge: 3600}), nil
}
