package cordon

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Screening: free text a partner will read (a request's description, a
// reason on the timeline, a message on a job's thread) must not carry
// what the contract discloses only after acceptance, and under a logged
// clause: the unit's serial, the customer's name or unit designation, a
// phone number. The services refuse such text, saying which part to
// remove and where; the rule is this one function, whoever calls it.

// The kinds of sensitive text screening finds.
const (
	SensitiveSerial          = "serial"
	SensitiveCustomerName    = "customer_name"
	SensitiveUnitDesignation = "unit_designation"
	SensitivePhone           = "phone"
)

// phonePatterns are how phone numbers are written in China: mobiles
// (optionally +86) and landlines with an area code.
var phonePatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}`),
	regexp.MustCompile(`\(?0\d{2,3}\)?[\s-]?\d{7,8}`),
}

// Sensitive is one thing screening found: its kind (Sensitive…) and the
// character where it starts, counted from 1.
type Sensitive struct {
	Kind string
	At   int
}

// FindSensitive returns the first sensitive part of text, if any: the
// unit's serial (whole, not inside a longer code), the customer's name or
// unit designation, the customer's phone, or anything written like a
// phone number. id may be nil (no identity stored).
func FindSensitive(text, serial string, id *CustomerIdentity) *Sensitive {
	// Compared character by character in lower case: an index into lower
	// is a character's place in text, whatever the UTF-8 length of its
	// lower case (the ohm sign, a dotted İ, an invalid byte).
	lower := folded(text)
	at := func(i int) int { return utf8.RuneCountInString(text[:i]) + 1 }
	// check finds needle; whole, it must not sit inside a longer code
	// (RD2024-00012 is another unit than RD2024-0001).
	check := func(needle, kind string, whole bool) *Sensitive {
		n := folded(strings.TrimSpace(needle))
		if len(n) < 2 {
			return nil
		}
		for i := indexRunes(lower, n, 0); i >= 0; i = indexRunes(lower, n, i+1) {
			if whole && (i > 0 && isWordRune(lower[i-1]) || i+len(n) < len(lower) && isWordRune(lower[i+len(n)])) {
				continue
			}
			return &Sensitive{Kind: kind, At: i + 1}
		}
		return nil
	}
	if f := check(serial, SensitiveSerial, true); f != nil {
		return f
	}
	if id != nil {
		if f := check(id.Name, SensitiveCustomerName, false); f != nil {
			return f
		}
		if f := check(id.UnitDesignation, SensitiveUnitDesignation, false); f != nil {
			return f
		}
		if f := check(id.Phone, SensitivePhone, true); f != nil {
			return f
		}
	}
	for _, re := range phonePatterns {
		for _, m := range re.FindAllStringIndex(text, -1) {
			// A number inside a longer token (a part number, a date) is
			// not a phone number.
			before, _ := utf8.DecodeLastRuneInString(text[:m[0]])
			after, _ := utf8.DecodeRuneInString(text[m[1]:])
			if m[0] > 0 && (isWordRune(before) || before == '-' || before == '/') || m[1] < len(text) && (isWordRune(after) || after == '-' || after == '/') {
				continue
			}
			return &Sensitive{Kind: SensitivePhone, At: at(m[0])}
		}
	}
	return nil
}

// folded is s in lower case, one rune per character of s.
func folded(s string) []rune {
	rs := []rune(s)
	for i, r := range rs {
		rs[i] = unicode.ToLower(r)
	}
	return rs
}

// indexRunes is where sub first starts in s at or after from, -1 if nowhere.
func indexRunes(s, sub []rune, from int) int {
	for i := from; i+len(sub) <= len(s); i++ {
		if slices.Equal(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func isWordRune(r rune) bool { return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) }
