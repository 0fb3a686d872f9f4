package store

import (
	"strings"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// TestParseSQLiteTime: the hand-written parse of the form the driver
// writes gives the instant the driver's own rules give, and anything else
// goes by those rules.
func TestParseSQLiteTime(t *testing.T) {
	base := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for _, d := range []time.Duration{0, 1, 10, 123456789, 999999999, time.Second + 500*time.Millisecond, 1000, 23*time.Hour + 59*time.Minute + 59*time.Second + 999999999} {
		tm := base.Add(d)
		s := tm.Format(sqliteTimeFormats[0])
		got, err := parseSQLiteTime(s)
		if err != nil || !got.Equal(tm) || got.Location() != time.UTC {
			t.Errorf("%q: %v %v, want %v", s, got, err, tm)
		}
		if _, ok := fastSQLiteTime(s); !ok {
			t.Errorf("%q: not on the fast path", s)
		}
	}
	for s, want := range map[string]time.Time{
		"2026-11-02 09:00:00.001+00:00":        base.Add(time.Millisecond),
		"2026-11-02 09:00:00.5+00:00":          base.Add(500 * time.Millisecond),
		"2026-11-02 10:00:00+01:00":            base,
		"2026-11-02T09:00:00Z":                 base,
		"2026-11-02 09:00:00":                  base,
		"2026-11-02":                           base.Add(-9 * time.Hour),
		"2026-11-02 09:00:00 +0000 UTC":        base,
		"2026-11-02 09:00:00.1234567891+00:00": base.Add(123456789),
	} {
		got, err := parseSQLiteTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: %v %v, want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "yesterday", "2026-13-02 09:00:00+00:00", "2026-02-30 09:00:00+00:00", "2026-11-02 24:00:00+00:00"} {
		if got, err := parseSQLiteTime(s); err == nil {
			t.Errorf("%q: %v, want an error", s, got)
		}
	}
}

// TestDecodeSQLiteEvent: a row is split only when that is unambiguous
// (otherwise it is read again column by column), and its values decode as
// the driver would read them column by column.
func TestDecodeSQLiteEvent(t *testing.T) {
	row := func(parts ...string) string { return strings.Join(parts, "\x00") }
	good := []string{"7", "2026-11-02 09:00:00.5+00:00", "10", "-2", "HF-1", "§4.2", "customer", "3", "disclose", "allow", "job:1",
		"name,phone", "req", "10.0.0.1", "", ""}
	var p [16]string
	var e cordon.AccessEvent
	if !splitSQLiteEvent(row(good...), &p) {
		t.Fatal("a good row does not split")
	}
	if err := decodeSQLiteEvent(&p, &e); err != nil || e.ID != 7 || e.OrgID != -2 || e.Clause != "§4.2" || len(e.Fields) != 2 ||
		e.At.Nanosecond() != 500000000 || e.DownloadID != "" {
		t.Fatalf("%+v %v", e, err)
	}
	for name, change := range map[string]func(p []string) []string{
		"a NUL in a value": func(p []string) []string { p[5] = "a\x00b"; return p },
		"a value missing":  func(p []string) []string { return p[:15] },
	} {
		if splitSQLiteEvent(row(change(append([]string(nil), good...))...), &p) {
			t.Errorf("%s: split", name)
		}
	}
	for name, tc := range map[string]struct {
		change func(p []string)
		ok     bool
	}{
		"not an integer":  {func(p []string) { p[2] = "1.5" }, false},
		"text":            {func(p []string) { p[3] = "x" }, false},
		"not a time":      {func(p []string) { p[1] = "yesterday" }, false},
		"a leading zero":  {func(p []string) { p[2] = "010" }, true},
		"another time":    {func(p []string) { p[1] = "2026-11-02T09:00:00Z" }, true},
		"a plus and zero": {func(p []string) { p[3] = "+0" }, true},
	} {
		copy(p[:], good)
		tc.change(p[:])
		if err := decodeSQLiteEvent(&p, &e); (err == nil) != tc.ok {
			t.Errorf("%s: error %v, want ok %v", name, err, tc.ok)
		}
	}
}
