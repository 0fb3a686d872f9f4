package contract

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/cordon/cordon/internal/cordon"
)

// A contract's optional business calendar, in its source form:
//
//	calendar:
//	  days: [mon, tue, wed, thu, fri]
//	  hours: "08:30-17:30"
//	  holidays: [2026-10-01, 2026-10-02]
//	  workdays: [2026-10-10]
//
// in China Standard Time, like the contract's dates. With one, the SLA
// clocks count only business hours on working days; without, every hour.

// weekdays are the day names of a calendar, Sunday first.
var weekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// checkCalendar reads the calendar, if there is one: hours that open
// before they close, and no date both a holiday and a workday.
func (p *parser) checkCalendar(c *cordon.Contract, root map[string]any) {
	raw, ok := root["calendar"].(map[string]any)
	if !ok {
		return
	}
	cal := &cordon.Calendar{Offset: 8 * time.Hour}
	days, _ := raw["days"].([]any)
	for _, v := range days {
		s, _ := v.(string)
		for i, name := range weekdays {
			if s == name {
				cal.Days = append(cal.Days, time.Weekday(i))
			}
		}
	}
	if s, ok := raw["hours"].(string); ok {
		open, close, okHours := parseHours(s)
		switch {
		case !okHours:
			p.at([]string{"calendar", "hours"}, false, fmt.Sprintf("%s is not business hours: want HH:MM-HH:MM", quoteValue(s)))
		case open >= close:
			p.at([]string{"calendar", "hours"}, false, fmt.Sprintf("%s closes before it opens", quoteValue(s)))
		}
		cal.Open, cal.Close = open, close
	}
	holidays := map[string]bool{}
	for _, key := range []string{"holidays", "workdays"} {
		list, _ := raw[key].([]any)
		for i, v := range list {
			s, ok := v.(string)
			if !ok {
				continue
			}
			path := []string{"calendar", key, strconv.Itoa(i)}
			if _, err := parseDate(s); err != nil {
				p.at(path, false, fmt.Sprintf("%s is not a date: want YYYY-MM-DD", quoteValue(s)))
				continue
			}
			if key == "holidays" {
				holidays[s] = true
				cal.Holidays = append(cal.Holidays, s)
				continue
			}
			if holidays[s] {
				p.at(path, false, fmt.Sprintf("%s is also a holiday", s))
			}
			cal.Workdays = append(cal.Workdays, s)
		}
	}
	c.Calendar = cal
}

// parseHours reads "HH:MM-HH:MM" as times since midnight; the close may be
// 24:00.
func parseHours(s string) (open, close time.Duration, ok bool) {
	a, b, found := strings.Cut(s, "-")
	if !found {
		return 0, 0, false
	}
	open, ok1 := parseClock(a)
	close, ok2 := parseClock(b)
	return open, close, ok1 && ok2 && open < 24*time.Hour
}

func parseClock(s string) (time.Duration, bool) {
	h, m, found := strings.Cut(s, ":")
	if !found || len(h) != 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || hh == 24 && mm != 0 {
		return 0, false
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, true
}

// formatClock writes a time since midnight as HH:MM.
func formatClock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// calendarNode renders a calendar in its source form.
func calendarNode(cal *cordon.Calendar) *yaml.Node {
	days := make([]string, 0, len(cal.Days))
	for _, d := range cal.Days {
		if d >= time.Sunday && d <= time.Saturday {
			days = append(days, weekdays[d])
		}
	}
	n := mapping(
		"days", seq(days, true),
		"hours", str(formatClock(cal.Open)+"-"+formatClock(cal.Close)),
	)
	for _, l := range []struct {
		key   string
		dates []string
	}{{"holidays", cal.Holidays}, {"workdays", cal.Workdays}} {
		if len(l.dates) == 0 {
			continue
		}
		s := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, d := range l.dates {
			s.Content = append(s.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: d})
		}
		n.Content = append(n.Content, str(l.key), s)
	}
	return n
}

var (
	enDays = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	zhDays = []string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}
)

// DescribeCalendar says in words when a contract's SLA clocks run, e.g.
// (en) "SLA clocks count business hours only: Mon, Tue, Wed, Thu, Fri
// 08:30–17:30 China Standard Time, except 3 holidays; 1 make-up workday".
// A nil calendar runs around the clock. lang as for Describe.
func DescribeCalendar(cal *cordon.Calendar, lang string) string {
	en := lang == "en" || strings.HasPrefix(lang, "en-") || strings.HasPrefix(lang, "en_")
	if cal == nil {
		if en {
			return "SLA clocks run around the clock (24×7)."
		}
		return "SLA 计时全天候（7×24 小时）。"
	}
	names := enDays
	if !en {
		names = zhDays
	}
	var days []string
	for _, d := range cal.Days {
		if d >= time.Sunday && d <= time.Saturday {
			days = append(days, names[d])
		}
	}
	hours := formatClock(cal.Open) + "–" + formatClock(cal.Close)
	if en {
		s := fmt.Sprintf("SLA clocks count business hours only: %s %s China Standard Time", list(days, ", "), hours)
		if n := len(cal.Holidays); n > 0 {
			s += fmt.Sprintf(", except %d holiday(s)", n)
		}
		if n := len(cal.Workdays); n > 0 {
			s += fmt.Sprintf("; %d make-up workday(s)", n)
		}
		return s + "."
	}
	s := fmt.Sprintf("SLA 仅在工作时间计时：%s %s（北京时间）", list(days, "、"), hours)
	if n := len(cal.Holidays); n > 0 {
		s += fmt.Sprintf("，节假日 %d 天除外", n)
	}
	if n := len(cal.Workdays); n > 0 {
		s += fmt.Sprintf("；调休工作日 %d 天", n)
	}
	return s + "。"
}
