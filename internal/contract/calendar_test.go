package contract

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
)

// calendarContract is hefei.yaml with a calendar block.
func calendarContract(t *testing.T, block string) []byte {
	t.Helper()
	return append(append([]byte(nil), example(t, "hefei.yaml")...), []byte("\ncalendar:\n"+block)...)
}

func TestParseCalendar(t *testing.T) {
	src := calendarContract(t, `  days: [mon, tue, wed, thu, fri, sat]
  hours: "09:00-24:00"
  holidays: [2026-10-01]
  workdays: [2026-10-11]
`)
	c, _, problems := Parse("hefei.yaml", src, testCatalog{})
	if len(problems) > 0 {
		t.Fatalf("Parse: %q", problems)
	}
	want := &cordon.Calendar{Offset: 8 * time.Hour, Open: 9 * time.Hour, Close: 24 * time.Hour,
		Days:     []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday},
		Holidays: []string{"2026-10-01"}, Workdays: []string{"2026-10-11"}}
	if diff := cmp.Diff(want, c.Calendar); diff != "" {
		t.Errorf("calendar (-want +got):\n%s", diff)
	}
	// Marshal writes it back as Parse reads it.
	out, err := Marshal(c, "hefei")
	if err != nil {
		t.Fatal(err)
	}
	again, _, problems := Parse("again.yaml", out, testCatalog{})
	if len(problems) > 0 {
		t.Fatalf("Parse(Marshal): %q\n%s", problems, out)
	}
	if diff := cmp.Diff(c.Calendar, again.Calendar); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if c, _, _ := Parse("hefei.yaml", example(t, "hefei.yaml"), testCatalog{}); c.Calendar != nil {
		t.Errorf("no calendar block: got %+v, want 24×7 (nil)", c.Calendar)
	}
}

func TestParseCalendarProblems(t *testing.T) {
	tests := []struct {
		name, block, field, message string
	}{
		{"closes before it opens", "  days: [mon]\n  hours: \"17:30-08:30\"\n", "calendar.hours", "closes before it opens"},
		{"not a time", "  days: [mon]\n  hours: \"25:00-26:00\"\n", "calendar.hours", "is not business hours"},
		{"bad pattern", "  days: [mon]\n  hours: \"8:30-17:30\"\n", "calendar.hours", "HH:MM-HH:MM"},
		{"unknown day", "  days: [mon, funday]\n  hours: \"08:30-17:30\"\n", "calendar.days[1]", ""},
		{"no days", "  days: []\n  hours: \"08:30-17:30\"\n", "calendar.days", ""},
		{"workday also a holiday", "  days: [mon]\n  hours: \"08:30-17:30\"\n  holidays: [2026-10-01]\n  workdays: [2026-10-01]\n",
			"calendar.workdays[0]", "also a holiday"},
		{"bad date", "  days: [mon]\n  hours: \"08:30-17:30\"\n  holidays: [2026-02-30]\n", "calendar.holidays[0]", "not a date"},
		{"unknown field", "  days: [mon]\n  hours: \"08:30-17:30\"\n  cordon.ChinaTime: UTC\n", "calendar", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, problems := Parse("hefei.yaml", calendarContract(t, tt.block), testCatalog{})
			if len(problems) == 0 {
				t.Fatal("no problem found")
			}
			found := false
			for _, p := range problems {
				if strings.HasPrefix(p.Field, tt.field) && strings.Contains(p.Message, tt.message) {
					found = true
				}
			}
			if !found {
				t.Errorf("got %q, want one at %s saying %q", problems, tt.field, tt.message)
			}
		})
	}
}

func TestDescribeCalendar(t *testing.T) {
	cal := &cordon.Calendar{Offset: 8 * time.Hour, Open: 8*time.Hour + 30*time.Minute, Close: 17*time.Hour + 30*time.Minute,
		Days: []time.Weekday{time.Monday, time.Friday}, Holidays: []string{"2026-10-01", "2026-10-02"}}
	for _, tt := range []struct {
		cal  *cordon.Calendar
		lang string
		want string
	}{
		{nil, "en", "SLA clocks run around the clock (24×7)."},
		{nil, "zh", "SLA 计时全天候（7×24 小时）。"},
		{cal, "en", "SLA clocks count business hours only: Mon, Fri 08:30–17:30 China Standard Time, except 2 holiday(s)."},
		{cal, "zh-CN", "SLA 仅在工作时间计时：周一、周五 08:30–17:30（北京时间），节假日 2 天除外。"},
	} {
		if got := DescribeCalendar(tt.cal, tt.lang); got != tt.want {
			t.Errorf("DescribeCalendar(%s): got %q, want %q", tt.lang, got, tt.want)
		}
	}
}
