package webui

import (
	"regexp"
	"strings"
	"sync"

	"github.com/cordon/cordon/internal/cordon"
)

// The services speak English: a cordon.Error's Message is the API's text.
// A page in Chinese shows the Chinese of it from serviceMessages
// (messages_partner.go), keyed by the service's format string: the verbs
// (%s, %d, %q) become the captured parts of the message, put back in order
// into the translation. We key by the English text rather than by a new
// message code because the API's bodies, its golden files and every service
// already speak these texts: a code would have to be added to every
// cordon.Errorf in every package, while this table needs nothing of them.
// A test lists every format the services behind the pages can return and
// fails when one has no Chinese text.

// messagePattern is one English format turned into a pattern.
type messagePattern struct {
	re *regexp.Regexp
	zh string
}

var (
	patternsOnce sync.Once
	patterns     []messagePattern
	// verb matches a format verb; a translation may pick an argument by
	// its number (%[2]s) where its word order differs.
	verb = regexp.MustCompile(`%(?:\[(\d)\])?[-+# 0-9.]*[sdqv]`)
)

// compilePatterns turns each English format into an anchored pattern.
func compilePatterns() {
	all := map[string]string{}
	for _, t := range []map[string]string{serviceMessages, timelineNotes} {
		for en, zh := range t {
			all[en] = zh
		}
	}
	for en, zh := range all {
		var b strings.Builder
		b.WriteString("^")
		last := 0
		for _, loc := range verb.FindAllStringIndex(en, -1) {
			b.WriteString(regexp.QuoteMeta(en[last:loc[0]]))
			b.WriteString("(.+?)")
			last = loc[1]
		}
		b.WriteString(regexp.QuoteMeta(en[last:]))
		b.WriteString("$")
		patterns = append(patterns, messagePattern{re: regexp.MustCompile(b.String()), zh: zh})
	}
}

// Message translates a service's message into the page's language; a
// message the table does not know stays in English.
func (l Locale) Message(msg string) string {
	if l.Lang == langEN || msg == "" {
		return msg
	}
	if zh, ok := serviceMessages[msg]; ok && !verb.MatchString(msg) {
		return zh
	}
	if zh, ok := timelineNotes[msg]; ok && !verb.MatchString(msg) {
		return zh
	}
	patternsOnce.Do(compilePatterns)
	for _, p := range patterns {
		m := p.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		args := m[1:]
		i := 0
		return verb.ReplaceAllStringFunc(p.zh, func(v string) string {
			n := i
			if sub := verb.FindStringSubmatch(v); sub[1] != "" {
				n = int(sub[1][0]-'0') - 1
			} else {
				i++
			}
			if n < 0 || n >= len(args) {
				return ""
			}
			return l.word(strings.Trim(args[n], `"`))
		})
	}
	return msg
}

// word names a value a message quotes in the page's language: a job
// status, a role, or one of the lifecycle's phrases ("en route", "mark it
// resolved"), alone or in a list ("a, b or c"); anything else as it is.
func (l Locale) word(s string) string {
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
	for _, prefix := range []string{"status.", "role.", "class.", "category.", "contract."} {
		if t, ok := catalogue[l.Lang][prefix+w]; ok {
			return t
		}
	}
	return w
}

// ErrorText is the message of a service's refusal in the page's language.
func (l Locale) ErrorText(err error) string {
	return l.Message(cordon.ErrorMessage(err))
}
