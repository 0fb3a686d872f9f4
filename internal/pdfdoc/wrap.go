package pdfdoc

import (
	"strings"
	"unicode"
)

// Line breaking: Chinese may break between any two characters, other
// scripts at spaces; a word longer than the line breaks between
// characters. Closing punctuation (，。）…) never starts a line and opening
// punctuation (（《“…) never ends one: each sticks to its neighbour.

const (
	closing = "，。、；：？！）》」』】〕〉”’…·％,.;:?!)]}%"
	opening = "（《「『【〔〈“‘([{"
)

// wrap breaks s into lines no wider than w millimetres in the current
// font. Line breaks in s are kept; an empty s is one empty line.
func (r *renderer) wrap(s string, w float64) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		out = append(out, wrapLine(para, w, r.pdf.GetStringWidth)...)
	}
	return out
}

// wrapLine breaks one paragraph, measuring with width.
func wrapLine(s string, w float64, width func(string) float64) []string {
	var lines []string
	var cur strings.Builder
	curW := 0.0
	emit := func() {
		lines = append(lines, strings.TrimRight(cur.String(), " "))
		cur.Reset()
		curW = 0
	}
	for _, t := range tokens(s) {
		tw := width(t)
		switch {
		case t == " " && cur.Len() == 0:
			// no space at the start of a line
		case curW+tw <= w:
			cur.WriteString(t)
			curW += tw
		case t == " ":
			emit()
		case tw <= w:
			emit()
			cur.WriteString(t)
			curW = tw
		default:
			// A word wider than the line: break between its characters.
			for _, c := range t {
				cw := width(string(c))
				if curW+cw > w && cur.Len() > 0 {
					emit()
				}
				cur.WriteRune(c)
				curW += cw
			}
		}
	}
	if cur.Len() > 0 || len(lines) == 0 {
		emit()
	}
	return lines
}

// tokens splits s into the pieces a line may break between: single
// spaces, single CJK characters and runs of other characters, with
// closing punctuation joined to the piece before and opening punctuation
// to the piece after.
func tokens(s string) []string {
	var raw []string
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			raw = append(raw, word.String())
			word.Reset()
		}
	}
	for _, c := range s {
		switch {
		case unicode.IsSpace(c):
			flush()
			raw = append(raw, " ")
		case wide(c):
			flush()
			raw = append(raw, string(c))
		default:
			word.WriteRune(c)
		}
	}
	flush()
	var out []string
	pending := "" // opening punctuation waiting for the next piece
	for _, t := range raw {
		switch {
		case t != " " && allIn(t, closing) && len(out) > 0 && out[len(out)-1] != " " && pending == "":
			out[len(out)-1] += t
		case t != " " && allIn(t, opening):
			pending += t
		default:
			if pending != "" && t == " " {
				out = append(out, pending)
				pending = ""
			}
			out = append(out, pending+t)
			pending = ""
		}
	}
	if pending != "" {
		out = append(out, pending)
	}
	return out
}

// wide reports whether c is a character a line may break on either side
// of: CJK ideographs, kana, hangul, CJK and full-width punctuation.
func wide(c rune) bool {
	return c >= 0x2E80 || c == Missing || strings.ContainsRune(closing+opening, c) && c > 0x7F
}

// allIn reports whether every character of t is in set.
func allIn(t, set string) bool {
	for _, c := range t {
		if !strings.ContainsRune(set, c) {
			return false
		}
	}
	return t != ""
}
