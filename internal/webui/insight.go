package webui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// What the institute's and legal's pages share: numbers and percentages in
// the page's language, quarters and time inputs read in China Standard Time
// (pages of long lists use listPager, pager.go).

// Number formats an integer (int, int64 or uint64) with thousands
// separators.
func (l Locale) Number(n any) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Percent formats a rate in [0, 1] as a percentage with one decimal:
// "87.5%" in both languages (the form Chinese and English documents share).
func (l Locale) Percent(rate float64) string {
	if math.IsNaN(rate) || math.IsInf(rate, 0) {
		return "—"
	}
	return strconv.FormatFloat(math.Round(rate*1000)/10, 'f', 1, 64) + "%"
}

// Decimal formats f with one decimal.
func (l Locale) Decimal(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', 1, 64)
}

// Clock names an SLA clock (accept, respond, on_site, resolve).
func (l Locale) Clock(name any) string { key := "clock." + toString(name); return l.T(key) }

// Cause names a root cause.
func (l Locale) Cause(c any) string { key := "cause." + toString(c); return l.T(key) }

// Resource names a resource of the access log; one the catalogue does
// not name shows as its code.
func (l Locale) Resource(r any) string {
	if s, ok := catalogue[l.Lang]["resource."+toString(r)]; ok {
		return s
	}
	return toString(r)
}

// AccessAction names an action of the access log; one the catalogue does
// not name shows as its code.
func (l Locale) AccessAction(a any) string {
	if s, ok := catalogue[l.Lang]["action."+toString(a)]; ok {
		return s
	}
	return toString(a)
}

// Disclosure names a contract's customer disclosure level.
func (l Locale) Disclosure(d any) string { key := "disclosure." + toString(d); return l.T(key) }

// Quarter names a quarter as the evaluation writes it (2026-Q4):
// 2026年第4季度, Q4 2026.
func (l Locale) Quarter(p string) string {
	y, q, ok := strings.Cut(p, "-Q")
	if !ok {
		return p
	}
	if l.Lang == langEN {
		return "Q" + q + " " + y
	}
	return y + "年第" + q + "季度"
}

// Decision names an access decision.
func (l Locale) Decision(d any) string { key := "decision." + toString(d); return l.T(key) }

func toString(v any) string { return fmt.Sprint(v) }

// quarter names the quarter t falls in, in China Standard Time: 2026-Q4.
func quarter(t time.Time) string {
	t = t.In(cordon.ChinaTime)
	return strconv.Itoa(t.Year()) + "-Q" + strconv.Itoa((int(t.Month())-1)/3+1)
}

// recentQuarters lists the quarter of now and the n-1 before it, newest
// first.
func recentQuarters(now time.Time, n int) []string {
	now = now.In(cordon.ChinaTime)
	y, q := now.Year(), (int(now.Month())-1)/3+1
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, strconv.Itoa(y)+"-Q"+strconv.Itoa(q))
		if q--; q == 0 {
			y, q = y-1, 4
		}
	}
	return out
}

// inputTime reads a date (2026-11-02) or a datetime-local input
// (2026-11-02T09:30) in China Standard Time; end moves a bare date to the
// start of the next day, so that "to 2 Nov" includes the 2nd.
func inputTime(v string, end bool) (*time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, true
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02"} {
		t, err := time.ParseInLocation(layout, v, cordon.ChinaTime)
		if err != nil {
			continue
		}
		if end && layout == "2006-01-02" {
			t = t.AddDate(0, 0, 1)
		}
		return &t, true
	}
	return nil, false
}

// timeRange reads a from/to pair of inputTime fields.
// The pages' own refusals of a filter or form they cannot read, shown as
// a flash like a service's (their texts are in cordon's catalogue).
var (
	errBadDate    = cordon.Err(cordon.EINVALID, "webui.give_dates_like_2026_11")
	errBadPick    = cordon.Err(cordon.EINVALID, "webui.pick_root_cause_model_batch")
	errNotConfirm = cordon.FieldErr("confirm", "webui.tick_box_confirm_first")
)

// errBadID refuses a filter or field that must be an id.
func errBadID(field string) error {
	return cordon.FieldErr(field, "webui.id_positive_whole_number")
}

func timeRange(from, to string) (*time.Time, *time.Time, error) {
	f, ok := inputTime(from, false)
	t, ok2 := inputTime(to, true)
	if !ok || !ok2 {
		return nil, nil, errBadDate
	}
	return f, t, nil
}
