package webui

import (
	"regexp"
	"strings"
	"sync"
)

// timelineNotes are the Chinese texts of the notes the services write on
// a job's timeline; a note a person typed (a reason) stays as typed.
var timelineNotes = map[string]string{
	"Offered to the institute's engineers.": "已派给本所工程师。",
	"Offered to %s under %s %s.":            "已依据 %[2]s %[3]s 派给 %[1]s。",
	"Assigned to %s.":                       "已指派给 %s。",
	"The offer lapsed.":                     "接单期限已过。",
}

// notePattern is one note format turned into a pattern.
type notePattern struct {
	re *regexp.Regexp
	zh string
}

var (
	notePatternsOnce sync.Once
	notePatterns     []notePattern
	// verb matches a format verb; a translation may pick an argument by
	// its number (%[2]s) where its word order differs.
	verb = regexp.MustCompile(`%(?:\[(\d)\])?[-+# 0-9.]*[sdqv]`)
)

// Message puts a timeline note into the page's language: a note the
// services wrote in one of the formats above, with its values; a note a
// person typed stays as it is.
func (l Locale) Message(msg string) string {
	if l.Lang == langEN || msg == "" {
		return msg
	}
	notePatternsOnce.Do(func() {
		for en, zh := range timelineNotes {
			var b strings.Builder
			b.WriteString("^")
			last := 0
			for _, loc := range verb.FindAllStringIndex(en, -1) {
				b.WriteString(regexp.QuoteMeta(en[last:loc[0]]))
				b.WriteString("(.+?)")
				last = loc[1]
			}
			b.WriteString(regexp.QuoteMeta(en[last:]) + "$")
			notePatterns = append(notePatterns, notePattern{re: regexp.MustCompile(b.String()), zh: zh})
		}
	})
	for _, p := range notePatterns {
		m := p.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		args, i := m[1:], 0
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
			return args[n]
		})
	}
	return msg
}
