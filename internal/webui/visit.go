package webui

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// The visit calendar: the follow-up visits due in the coming weeks and
// those overdue, by city and product line, week by week
// (InstalledBaseService.VisitCalendar). Due visits still become requests
// by themselves; the calendar is for quality to see what comes.
func registerVisitPages(r fiber.Router, h *Handler, g Guards, auth fiber.Handler) {
	r.Get("/visits", auth, g.Require(cordon.ResUnit, cordon.ActList), h.handleVisits)
}

// visitWeek is one week of the calendar, or (Overdue) the visits already
// late.
type visitWeek struct {
	Start   time.Time // Monday, China Standard Time
	Overdue bool
	Visits  []*cordon.VisitDue
}

type visitsData struct {
	Weeks     int
	City      string
	Line      string
	Lines     []*cordon.ProductLine
	Groups    []visitWeek
	Total     int
	Overdue   int
	WeekCount []int // the choices of the weeks filter
}

// weekStart is the Monday that begins t's week in China Standard Time.
func weekStart(t time.Time) time.Time {
	t = t.In(cordon.ChinaTime)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, cordon.ChinaTime)
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
}

// handleVisits shows the calendar.
func (h *Handler) handleVisits(c *fiber.Ctx) error {
	ctx := c.UserContext()
	d := visitsData{Weeks: cordon.DefaultCalendarWeeks, WeekCount: []int{4, 8, 12, 26}}
	var ok1, ok2 bool
	d.City, ok1 = queryText(c, "city")
	d.Line, ok2 = queryText(c, "product_line")
	if !ok1 || !ok2 {
		return h.refused(c, "/visits", errLongFilter)
	}
	if v := strings.TrimSpace(c.Query("weeks")); v != "" {
		if d.Weeks, _ = strconv.Atoi(v); d.Weeks == 0 {
			d.Weeks = -1 // not a number: the service says what weeks may be
		}
	}
	now := h.svc.Now()
	visits, err := h.svc.Installed.VisitCalendar(ctx, cordon.CalendarFilter{From: now, Weeks: d.Weeks, SiteCity: d.City, ProductLine: d.Line})
	if err != nil {
		return h.refused(c, "/visits", err)
	}
	if d.Lines, err = h.svc.Catalog.FindProductLines(ctx); err != nil {
		return err
	}
	d.Total = len(visits)
	for _, v := range visits {
		if v.Overdue {
			d.Overdue++
			if len(d.Groups) == 0 || !d.Groups[0].Overdue {
				d.Groups = append([]visitWeek{{Overdue: true}}, d.Groups...)
			}
			d.Groups[0].Visits = append(d.Groups[0].Visits, v)
			continue
		}
		start := weekStart(v.Due)
		if n := len(d.Groups); n == 0 || d.Groups[n-1].Overdue || !d.Groups[n-1].Start.Equal(start) {
			d.Groups = append(d.Groups, visitWeek{Start: start})
		}
		d.Groups[len(d.Groups)-1].Visits = append(d.Groups[len(d.Groups)-1].Visits, v)
	}
	return h.render(c, "visits", "/visits", "visits.title", d)
}
