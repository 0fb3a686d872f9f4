package webui

import (
	"fmt"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/gofiber/fiber/v2"
)

// The portal's languages: Simplified Chinese by default, English on request.
const (
	langZH = "zh-CN"
	langEN = "en"
)

// language picks the page language as the server's error page does: a
// lang query parameter or cookie of "en" asks for English; everything else
// is Simplified Chinese.
func language(c *fiber.Ctx) string {
	l := c.Query("lang")
	if l == "" {
		l = c.Cookies(cookieLang)
	}
	if strings.HasPrefix(strings.ToLower(l), "en") {
		return langEN
	}
	return langZH
}

// Locale is the page's language as templates use it: words from the
// catalogue and dates in the language's form.
type Locale struct {
	Lang string
	now  time.Time
}

// T returns the catalogue text for key, formatted with args when given. A
// key missing from the catalogue shows as itself, and a test fails.
func (l Locale) T(key string, args ...any) string {
	s, ok := catalogue[l.Lang][key]
	if !ok {
		s = key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Other is the language the switch offers.
func (l Locale) Other() string {
	if l.Lang == langEN {
		return langZH
	}
	return langEN
}

// OtherName is the other language's name, in that language.
func (l Locale) OtherName() string {
	if l.Lang == langEN {
		return "中文"
	}
	return "English"
}

// Date formats t (in China Standard Time) with the date and the minute.
func (l Locale) Date(t any) string {
	tt, ok := timeOf(t)
	if !ok {
		return "—"
	}
	tt = tt.In(cordon.ChinaTime)
	if l.Lang == langEN {
		return tt.Format("2 Jan 2006, 15:04")
	}
	return fmt.Sprintf("%d年%d月%d日 %s", tt.Year(), tt.Month(), tt.Day(), tt.Format("15:04"))
}

// Day formats t (in China Standard Time) as a date only.
func (l Locale) Day(t any) string {
	tt, ok := timeOf(t)
	if !ok {
		return "—"
	}
	tt = tt.In(cordon.ChinaTime)
	if l.Lang == langEN {
		return tt.Format("2 Jan 2006")
	}
	return fmt.Sprintf("%d年%d月%d日", tt.Year(), tt.Month(), tt.Day())
}

// ISO formats t for a <time datetime> attribute.
func (l Locale) ISO(t any) string {
	tt, ok := timeOf(t)
	if !ok {
		return ""
	}
	return tt.UTC().Format(time.RFC3339)
}

// Left says how long is left until t, rounded down to the minute: the text
// a countdown shows before its script takes over, and without scripts.
func (l Locale) Left(t any) string {
	tt, ok := timeOf(t)
	if !ok {
		return ""
	}
	d := tt.Sub(l.now)
	if d <= 0 {
		return l.T("countdown.over")
	}
	h, m := int(d.Hours()), int(d.Minutes())%60
	if h > 0 {
		return l.T("countdown.hm", h, m)
	}
	return l.T("countdown.m", m)
}

// Status names a job status.
func (l Locale) Status(s any) string { return l.T("status." + fmt.Sprint(s)) }

// Category names a service category.
func (l Locale) Category(s any) string { return l.T("category." + fmt.Sprint(s)) }

// Class names a document classification.
func (l Locale) Class(s any) string { return l.T("class." + fmt.Sprint(s)) }

// Role names a role.
func (l Locale) Role(s any) string { return l.T("role." + fmt.Sprint(s)) }

// Field names a disclosed identity field.
func (l Locale) Field(s any) string { return l.T("field." + fmt.Sprint(s)) }

// ContractStatus names a contract status.
func (l Locale) ContractStatus(s any) string { return l.T("contract." + fmt.Sprint(s)) }

func timeOf(t any) (time.Time, bool) {
	switch v := t.(type) {
	case time.Time:
		return v, !v.IsZero()
	case *time.Time:
		if v == nil || v.IsZero() {
			return time.Time{}, false
		}
		return *v, true
	}
	return time.Time{}, false
}

// catalogue holds every text of the portal, per language: the core
// messages and each area's own (messages_*.go), merged. Keys are grouped
// by page; the package test checks that both languages have the same keys,
// that no key is defined twice, and that every key a template names exists.
var catalogue = mergeCatalogues(coreMessages, insightMessages, notifyMessages, partnerMessages, surveyMessages, installedMessages, reportMessages, checklistMessages, threadMessages, trainingMessages)

// mergeCatalogues joins message tables into one; a key defined in two
// tables panics at start, so a test catches it.
func mergeCatalogues(tables ...map[string]map[string]string) map[string]map[string]string {
	out := map[string]map[string]string{langZH: {}, langEN: {}}
	for _, t := range tables {
		for lang, msgs := range t {
			if out[lang] == nil {
				out[lang] = map[string]string{}
			}
			for k, v := range msgs {
				if _, dup := out[lang][k]; dup {
					panic("webui: message " + k + " defined twice")
				}
				out[lang][k] = v
			}
		}
	}
	return out
}
