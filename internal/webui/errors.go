package webui

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/cordon/cordon/internal/cordon"
)

// A service's refusal carries a message key and its values
// (cordon.Error); a page says it in its language from the one message
// catalogue in package cordon. Values that are words of the domain (a job
// status, a role, a lifecycle phrase such as "en route", or a list of
// them) are put into the page's language too; any other value (a number,
// a contract number, a name) stays as it is.

// ErrorText is the message of a service's refusal in the page's language;
// an error that is not a cordon.Error is the catalogue's internal error.
func (l Locale) ErrorText(err error) string {
	var fe *formErr
	if errors.As(err, &fe) {
		return l.T(fe.key, fe.args...)
	}
	e := cordon.AsError(err)
	if e == nil {
		e = cordon.Err(cordon.EINTERNAL, "internal_error")
	}
	return l.say(e.Key, e.Args, e.Message)
}

// say is the catalogue's message for key with its values in the page's
// language; english is the message in English, for English pages and keys
// the catalogue lacks.
func (l Locale) say(key string, vals []any, english string) string {
	named := namedWords(key)
	if l.Lang == langEN && named == "" {
		return english
	}
	lang := cordon.LangZH
	if l.Lang == langEN {
		lang = cordon.LangEN
	}
	f, ok := cordon.MessageFormat(lang, key)
	if !ok {
		return english
	}
	if len(vals) == 0 {
		return f
	}
	args := make([]any, len(vals))
	for i, a := range vals {
		args[i] = a
		if v := reflect.ValueOf(a); v.Kind() == reflect.String {
			if t, ok := catalogue[l.Lang][named+v.String()]; ok && named != "" {
				args[i] = t
			} else {
				args[i] = l.word(v.String())
			}
		}
	}
	return fmt.Sprintf(f, args...)
}

// namedWords is the catalogue prefix of the words the installed base's
// refusals quote: a milestone ("accepted", which a job status would
// misname) or a field ("delivered_on"), said in both languages; "" for
// the other messages.
func namedWords(key string) string {
	switch {
	case strings.HasPrefix(key, "installed.milestone_"):
		return "milestone."
	case strings.HasPrefix(key, "installed."):
		return "fieldname."
	}
	return ""
}

// word names a value a message quotes in the page's language: a job
// status, a role, or one of the lifecycle's phrases ("en route", "mark it
// resolved"), alone or in a list ("a, b or c"); anything else as it is.
func (l Locale) word(s string) string {
	if l.Lang == langEN {
		return s
	}
	var parts []string
	for _, p := range strings.Split(s, ", ") {
		parts = append(parts, strings.Split(p, " or ")...)
	}
	if len(parts) > 1 {
		for i, p := range parts {
			if _, ok := lifecyclePhrases[p]; !ok {
				if _, ok := lifecyclePhrases[p+" it"]; ok {
					parts[i] = p + " it" // "accept or decline it"
				}
			}
		}
	}
	for i, w := range parts {
		parts[i] = l.oneWord(w)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], "、") + "或" + parts[len(parts)-1]
}

func (l Locale) oneWord(w string) string {
	if t, ok := lifecyclePhrases[w]; ok {
		return t
	}
	for _, prefix := range []string{"status.", "role.", "class.", "category.", "contract.", "record."} {
		if t, ok := catalogue[l.Lang][prefix+w]; ok {
			return t
		}
	}
	return w
}

// formErr is a page's own refusal of a form field it cannot read (a date
// that is not YYYY-MM-DD, a customer code nobody has), said from the
// page catalogue. It carries an EINVALID cordon.Error naming the field, so
// that it travels the same way as a service's refusal.
type formErr struct {
	err  *cordon.Error
	key  string
	args []any
}

func (e *formErr) Error() string { return "form field " + e.err.Field + ": " + e.key }
func (e *formErr) Unwrap() error { return e.err }

// fieldErr refuses the form's field with the page catalogue's text key.
func fieldErr(field, key string, args ...any) error {
	return &formErr{err: cordon.FieldErr(field, "form_could_not_read"), key: key, args: args}
}
