package sla

import (
	"fmt"
	"math"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// CalendarOf returns the calendar SLA clocks count on under a contract's
// business calendar: Always when c is nil. EINVALID naming the field for
// hours out of order, no working day, or a date that is not one.
func CalendarOf(c *cordon.Calendar) (Calendar, error) {
	if c == nil {
		return Always, nil
	}
	loc := time.FixedZone(zoneName(c.Offset), int(c.Offset/time.Second))
	h := BusinessHours{Location: loc, Open: c.Open, Close: c.Close, Days: c.Days}
	if h.Days == nil {
		h.Days = []time.Weekday{} // none named: NewBusinessCalendar refuses it
	}
	for _, list := range []struct {
		field string
		in    []string
		out   *[]time.Time
	}{{"calendar.holidays", c.Holidays, &h.Holidays}, {"calendar.workdays", c.Workdays, &h.Workdays}} {
		for _, s := range list.in {
			d, err := time.ParseInLocation(time.DateOnly, s, loc)
			if err != nil {
				return nil, cordon.FieldErr(list.field, "sla.not_date_want_yyyy_mm", s)
			}
			*list.out = append(*list.out, d)
		}
	}
	return NewBusinessCalendar(h)
}

// zoneName names a fixed zone: CST for UTC+8, else UTC±hh:mm.
func zoneName(off time.Duration) string {
	if off == 8*time.Hour {
		return "CST"
	}
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return fmt.Sprintf("UTC%s%02d:%02d", sign, int(off/time.Hour), int(off%time.Hour/time.Minute))
}

// State sums up a job's clocks, as computed by m at now, as the state the
// sweeper stores: breached when any clock is (Clock the first to breach,
// Breached all of them), else at risk when any running clock is (Clock the
// soonest due), else ok (Clock the next due, if any runs). NextAt is the
// instant the state changes if nothing happens to the job: the soonest at
// which a counting clock reaches its limit (another breach, escalated on
// its own) or, short of any breach, the at-risk share; nil while every
// clock is paused or stopped.
func (m Meter) State(clocks []Clock, now time.Time) cordon.SLAState {
	cal := m.Calendar
	if cal == nil {
		cal = Always
	}
	share := m.share()
	st := cordon.SLAState{State: cordon.SLAOK}
	for _, c := range clocks {
		if c.Breached {
			st.Breached = append(st.Breached, c.Name)
			if st.State != cordon.SLABreached || c.Due.Before(st.Due) {
				st.State, st.Clock, st.Due = cordon.SLABreached, c.Name, c.Due
			}
		}
	}
	var risk, due *Clock
	var next time.Time
	for i := range clocks {
		c := &clocks[i]
		if c.Breached || c.StoppedAt != nil {
			continue
		}
		if c.AtRisk && (risk == nil || c.Due.Before(risk.Due)) {
			risk = c
		}
		if due == nil || c.Due.Before(due.Due) {
			due = c
		}
		if c.Paused {
			continue
		}
		at := c.Due
		if !c.AtRisk && st.State != cordon.SLABreached {
			if left := time.Duration(math.Ceil(share*float64(c.Limit))) - c.Used; left > 0 {
				at = cal.Add(now, left)
			}
		}
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	switch {
	case st.State == cordon.SLABreached:
	case risk != nil:
		st.State, st.Clock, st.Due = cordon.SLAAtRisk, risk.Name, risk.Due
	case due != nil:
		st.Clock, st.Due = due.Name, due.Due
	}
	if !next.IsZero() {
		st.NextAt = &next
	}
	return st
}

// share is the at-risk share of a limit.
func (m Meter) share() float64 {
	if !(m.AtRisk > 0) {
		return DefaultAtRisk
	}
	return m.AtRisk
}
