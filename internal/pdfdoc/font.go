package pdfdoc

import (
	_ "embed"
	"encoding/binary"
	"strings"
	"sync"
	"unicode"
)

// fontTTF is the subset of WenQuanYi Micro Hei that font/subset.sh makes:
// GB2312 (all 6,763 hanzi and its symbols), ASCII, Latin-1, CJK
// punctuation, full-width forms and the symbols reports use. Each PDF
// embeds only the glyphs it uses.
//
//go:embed font/wqy-microhei-subset.ttf
var fontTTF []byte

// fontFamily is the name the font is registered under in each PDF.
const fontFamily = "wqy"

// Missing is drawn in place of a character the font has no glyph for.
const Missing = '□'

var (
	coverOnce sync.Once
	cover     map[rune]bool
)

// Covers reports whether the embedded font can draw r.
func Covers(r rune) bool {
	coverOnce.Do(func() { cover = cmapRunes(fontTTF) })
	return cover[r]
}

// substitutes stand in for characters the font lacks but can spell with
// others (its ℃ and Ⅴ glyphs are empty, for one).
var substitutes = map[rune]string{
	'℃': "°C", '℉': "°F", 'Ⅴ': "V", 'Ⅹ': "X", '\u212b': "Å", '∼': "~", '‾': "¯",
	'ǎ': "a", 'ǐ': "i", 'ǒ': "o", 'ǔ': "u", 'ǘ': "ü", 'ǚ': "ü", 'ǜ': "ü",
	'\u2212': "-",
}

// clean makes s printable: tabs become spaces, carriage returns line
// breaks, other control characters go, and characters the font lacks are
// spelt with others where they can be, else become Missing.
func clean(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
		case r == '\t' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r) || r == '\u200b' || r == '\ufeff':
		case Covers(r):
			b.WriteRune(r)
		default:
			if sub, ok := substitutes[r]; ok {
				b.WriteString(sub)
			} else {
				b.WriteRune(Missing)
			}
		}
	}
	return b.String()
}

// cmapRunes reads the characters a TrueType font maps to a glyph, from
// its Windows Unicode (3,1) format 4 cmap subtable. A font it cannot read
// covers nothing.
func cmapRunes(font []byte) map[rune]bool {
	out := map[rune]bool{}
	u16 := func(b []byte, off int) int {
		if off < 0 || off+2 > len(b) {
			return -1
		}
		return int(binary.BigEndian.Uint16(b[off:]))
	}
	u32 := func(b []byte, off int) int {
		if off < 0 || off+4 > len(b) {
			return -1
		}
		return int(binary.BigEndian.Uint32(b[off:]))
	}
	var cmap []byte
	for i, n := 0, u16(font, 4); i < n; i++ {
		rec := 12 + 16*i
		if rec+16 > len(font) {
			return out
		}
		if string(font[rec:rec+4]) == "cmap" {
			off, length := u32(font, rec+8), u32(font, rec+12)
			if off < 0 || length < 0 || off+length > len(font) {
				return out
			}
			cmap = font[off : off+length]
		}
	}
	var sub []byte
	for i, n := 0, u16(cmap, 2); i < n; i++ {
		rec := 4 + 8*i
		if u16(cmap, rec) == 3 && u16(cmap, rec+2) == 1 {
			off := u32(cmap, rec+4)
			if off >= 0 && u16(cmap, off) == 4 {
				length := u16(cmap, off+2)
				if off+length <= len(cmap) {
					sub = cmap[off : off+length]
				}
			}
		}
	}
	segs := u16(sub, 6) / 2
	if segs <= 0 {
		return out
	}
	ends, starts, deltas, ranges := 14, 16+2*segs, 16+4*segs, 16+6*segs
	for s := 0; s < segs; s++ {
		end, start := u16(sub, ends+2*s), u16(sub, starts+2*s)
		delta, rangeOff := u16(sub, deltas+2*s), u16(sub, ranges+2*s)
		if end < 0 || start < 0 || delta < 0 || rangeOff < 0 {
			return out
		}
		for c := start; c <= end && c != 0xFFFF; c++ {
			glyph := 0
			if rangeOff == 0 {
				glyph = (c + delta) & 0xFFFF
			} else if g := u16(sub, ranges+2*s+rangeOff+2*(c-start)); g > 0 {
				glyph = (g + delta) & 0xFFFF
			}
			if glyph != 0 {
				out[rune(c)] = true
			}
		}
	}
	return out
}
