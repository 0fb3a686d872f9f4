package sla

import (
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// DefaultAtRisk is the share of a limit used at which a running clock is at
// risk, when the Meter does not say.
const DefaultAtRisk = 0.8

// Clock is one SLA clock of a job, as of the time it was computed.
type Clock struct {
	Name  string        // cordon.ClockAccept, cordon.ClockRespond, cordon.ClockOnSite or cordon.ClockResolve
	Limit time.Duration // the contract's term, in calendar time
	Used  time.Duration // calendar time counted so far: pauses and stopped spans left out
	// Due is when Used reaches Limit, projected from the pauses so far: for
	// a breached clock, the instant it was reached; for a running or paused
	// clock, as if it ran on from now; for a stopped one, as if it had run
	// on from where it stopped.
	Due       time.Time
	Paused    bool       // the job waits on the customer or on parts; the clock is not counting
	Met       bool       // the milestone came with Used < Limit
	Breached  bool       // Used ≥ Limit
	AtRisk    bool       // not stopped, not breached, Used ≥ the at-risk share of Limit
	StoppedAt *time.Time // when the milestone came or the job ended; nil while the clock runs or is paused
}

// Meter computes SLA clocks. The zero Meter counts every hour (24×7) and
// flags clocks at risk at DefaultAtRisk.
type Meter struct {
	Calendar Calendar // nil: Always
	AtRisk   float64  // share of a limit, 0 to 1; 0 (or NaN) means DefaultAtRisk
}

// Clocks returns j's clocks as of now with calendar cal (nil: Always) and
// the default at-risk share. See Meter.Clocks.
func Clocks(j *cordon.Job, events []*cordon.JobEvent, terms cordon.SLATerms, cal Calendar, now time.Time) []Clock {
	return Meter{Calendar: cal}.Clocks(j, events, terms, now)
}

// clock milestones: the progress a job must reach to stop each clock.
var milestones = [4]int{1, 2, 3, 4}

var names = cordon.ClockNames

// progress is how far along the work a status is; -1 for statuses that
// are not a step of the work (pauses, reopened, and the endings).
func progress(s cordon.JobStatus) int {
	switch s {
	case cordon.JobOffered:
		return 0
	case cordon.JobAccepted:
		return 1
	case cordon.JobEnRoute:
		return 2
	case cordon.JobOnSite:
		return 3
	case cordon.JobResolved:
		return 4
	case cordon.JobVerified:
		return 5
	case cordon.JobClosed:
		return 6
	}
	return -1
}

// ends reports whether a job in status s is over without its work done:
// every clock still counting stops, unmet.
func ends(s cordon.JobStatus) bool {
	return s == cordon.JobDeclined || s == cordon.JobExpired || s == cordon.JobRevoked
}

// paused reports whether the clocks pause while a job is in status s.
func paused(s cordon.JobStatus) bool {
	return s == cordon.JobWaitingCustomer || s == cordon.JobWaitingParts
}

// Clocks returns the SLA clocks of job j as of now, one for each term of
// terms that is set (> 0), in the order accept, respond, on_site, resolve.
//
// events is j's timeline, oldest first, as the store returns it; events
// after now are ignored, so clocks can be computed for any past instant.
// Every clock starts at j.OfferedAt (or, when that is zero, at the first
// event) and counts calendar time while j is in any status but a pause
// (waiting_customer, waiting_parts). A clock stops, met or late, when j first
// reaches its milestone or a later step (accepted, en_route, on_site,
// resolved); it stops unmet when j is declined, expires or is revoked.
// Reopening a resolved job restarts the resolve clock from the time it had
// used: the time between resolution and reopening does not count, the time
// after does.
func (m Meter) Clocks(j *cordon.Job, events []*cordon.JobEvent, terms cordon.SLATerms, now time.Time) []Clock {
	cal := m.Calendar
	if cal == nil {
		cal = Always
	}
	share := m.AtRisk
	if !(share > 0) {
		share = DefaultAtRisk
	}
	limits := [4]time.Duration{terms.Accept, terms.Respond, terms.OnSite, terms.Resolve}

	// One pass over the timeline: each span between two events is measured
	// on the calendar once, and added to every clock that counts it.
	var st [4]struct {
		used     time.Duration
		running  bool
		reached  bool
		stopped  time.Time
		breached time.Time // when used reached the limit
	}
	counting := 0
	for i, l := range limits {
		if l > 0 {
			st[i].running = true
			counting++
		}
	}
	t := j.OfferedAt
	if t.IsZero() && len(events) > 0 && events[0] != nil {
		t = events[0].At
	}
	status := cordon.JobOffered
	advance := func(to time.Time) {
		if !to.After(t) {
			return
		}
		if counting > 0 && !paused(status) {
			d := cal.Elapsed(t, to)
			for i := range st {
				c := &st[i]
				if !c.running {
					continue
				}
				if c.used < limits[i] && c.used+d >= limits[i] {
					c.breached = cal.Add(t, limits[i]-c.used)
				}
				c.used += d
			}
		}
		t = to
	}
	for _, e := range events {
		if e == nil {
			continue
		}
		if e.At.After(now) {
			break
		}
		advance(e.At)
		status = e.To
		p := progress(status)
		for i := range st {
			c := &st[i]
			switch {
			case c.running && (p >= milestones[i] || ends(status)):
				c.running, c.reached, c.stopped = false, !ends(status), t
				counting--
			case i == 3 && status == cordon.JobReopened && c.reached:
				c.running, c.reached, c.stopped = true, false, time.Time{}
				counting++
			}
		}
	}
	advance(now)

	n := 0
	for _, l := range limits {
		if l > 0 {
			n++
		}
	}
	out := make([]Clock, 0, n)
	stops := make([]time.Time, n)
	for i, l := range limits {
		if l <= 0 {
			continue
		}
		c := &st[i]
		k := Clock{Name: names[i], Limit: l, Used: c.used, Breached: c.used >= l}
		switch {
		case k.Breached:
			k.Due = c.breached
		case c.running:
			k.Due = cal.Add(t, l-c.used)
		default:
			k.Due = cal.Add(c.stopped, l-c.used)
		}
		if c.running {
			k.Paused = paused(status)
			k.AtRisk = !k.Breached && float64(c.used) >= share*float64(l)
		} else {
			stops[len(out)] = c.stopped
			k.StoppedAt = &stops[len(out)]
			k.Met = c.reached && !k.Breached
		}
		out = append(out, k)
	}
	return out
}

// Calendar counts the time an SLA clock runs: all of it (Always), or only
// business hours.
type Calendar interface {
	// Elapsed returns the counted time in [from, to); 0 when to is not
	// after from.
	Elapsed(from, to time.Time) time.Duration
	// Add returns the earliest instant at which d of counted time has
	// passed since from; from itself when d ≤ 0.
	Add(from time.Time, d time.Duration) time.Time
}

// Always is the 24×7 calendar: every instant counts.
var Always Calendar = always{}

type always struct{}

func (always) Elapsed(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	return to.Sub(from)
}

func (always) Add(from time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return from
	}
	return from.Add(d)
}

// BusinessHours describes a working week, for NewBusinessCalendar.
type BusinessHours struct {
	Location *time.Location // where the hours are kept, e.g. Asia/Shanghai
	// Open and Close are wall-clock times since local midnight, e.g. 8h30m
	// and 17h30m; 0 ≤ Open < Close ≤ 24h.
	Open, Close time.Duration
	Days        []time.Weekday // the working weekdays; nil: Monday to Friday
	// Holidays are dates (year, month and day in Location) not worked,
	// whatever their weekday.
	Holidays []time.Time
	// Workdays are dates worked whatever their weekday: the weekend days
	// worked to make up for a long holiday (调休). A date may not be both.
	Workdays []time.Time
}

// BusinessCalendar counts only business hours: from Open to Close on
// working days, in its location. Make one with NewBusinessCalendar; the
// zero BusinessCalendar counts every instant, like Always. It is safe for
// concurrent use.
type BusinessCalendar struct {
	loc         *time.Location
	open, close [4]int // hour, minute, second, nanosecond
	days        [7]bool
	off, on     map[int]bool // holidays, make-up workdays; keyed by yyyymmdd
}

var _ Calendar = (*BusinessCalendar)(nil)

// NewBusinessCalendar returns the calendar of h. It returns EINVALID naming
// the field at fault: "location" when there is none, "hours" unless
// 0 ≤ Open < Close ≤ 24h, "days" for an unknown weekday, and "workdays" for
// a date that is also a holiday.
func NewBusinessCalendar(h BusinessHours) (*BusinessCalendar, error) {
	if h.Location == nil {
		return nil, cordon.FieldErr("location", "sla.business_hours_need_time_zone")
	}
	if h.Open < 0 || h.Close > 24*time.Hour || h.Open >= h.Close {
		return nil, cordon.FieldErr("hours", "sla.business_hours_must_open_before", h.Open, h.Close)
	}
	c := &BusinessCalendar{loc: h.Location, open: split(h.Open), close: split(h.Close)}
	days := h.Days
	if days == nil {
		days = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	}
	for _, d := range days {
		if d < time.Sunday || d > time.Saturday {
			return nil, cordon.FieldErr("days", "sla.unknown_weekday", int(d))
		}
		c.days[d] = true
	}
	if len(h.Holidays) > 0 {
		c.off = map[int]bool{}
		for _, d := range h.Holidays {
			c.off[dateKey(d.In(h.Location).Date())] = true
		}
	}
	if len(h.Workdays) > 0 {
		c.on = map[int]bool{}
		for _, d := range h.Workdays {
			k := dateKey(d.In(h.Location).Date())
			if c.off[k] {
				return nil, cordon.FieldErr("workdays", "sla.both_holiday_workday", d.In(h.Location).Format(time.DateOnly))
			}
			c.on[k] = true
		}
	}
	if c.days == [7]bool{} {
		return nil, cordon.FieldErr("days", "sla.business_hours_need_least_one")
	}
	return c, nil
}

// Elapsed returns the business time in [from, to).
func (c *BusinessCalendar) Elapsed(from, to time.Time) time.Duration {
	if c == nil || c.loc == nil {
		return Always.Elapsed(from, to)
	}
	if !to.After(from) {
		return 0
	}
	f := from.In(c.loc)
	y, m, d := f.Date()
	wd := f.Weekday()
	last := dateKey(to.In(c.loc).Date())
	var sum time.Duration
	for {
		if c.works(y, m, d, wd) {
			lo, hi := c.hours(y, m, d)
			if from.After(lo) {
				lo = from
			}
			if to.Before(hi) {
				hi = to
			}
			if hi.After(lo) {
				sum += hi.Sub(lo)
			}
		}
		if dateKey(y, m, d) >= last {
			return sum
		}
		y, m, d = nextDay(y, m, d)
		wd = (wd + 1) % 7
	}
}

// Add returns the earliest instant at which d of business time has passed
// since from, in from's location. When d ends exactly at a closing time, it
// is that closing time.
func (c *BusinessCalendar) Add(from time.Time, d time.Duration) time.Time {
	if c == nil || c.loc == nil || d <= 0 {
		return Always.Add(from, d)
	}
	f := from.In(c.loc)
	y, m, day := f.Date()
	wd := f.Weekday()
	// Every working week has business time (NewBusinessCalendar insists on
	// a working weekday), so the loop ends.
	for {
		if c.works(y, m, day, wd) {
			lo, hi := c.hours(y, m, day)
			if from.After(lo) {
				lo = from
			}
			if avail := hi.Sub(lo); avail > 0 {
				if d <= avail {
					return lo.Add(d).In(from.Location())
				}
				d -= avail
			}
		}
		y, m, day = nextDay(y, m, day)
		wd = (wd + 1) % 7
	}
}

// works reports whether the date is a working day.
func (c *BusinessCalendar) works(y int, m time.Month, d int, wd time.Weekday) bool {
	if c.on != nil || c.off != nil {
		k := dateKey(y, m, d)
		if c.on[k] {
			return true
		}
		if c.off[k] {
			return false
		}
	}
	return c.days[wd]
}

// hours returns the opening and closing instants of the date.
func (c *BusinessCalendar) hours(y int, m time.Month, d int) (open, close time.Time) {
	o, k := c.open, c.close
	return time.Date(y, m, d, o[0], o[1], o[2], o[3], c.loc), time.Date(y, m, d, k[0], k[1], k[2], k[3], c.loc)
}

// split cuts a time of day into hour, minute, second and nanosecond.
func split(d time.Duration) [4]int {
	return [4]int{int(d / time.Hour), int(d % time.Hour / time.Minute), int(d % time.Minute / time.Second), int(d % time.Second)}
}

// dateKey is a date as yyyymmdd.
func dateKey(y int, m time.Month, d int) int { return y*10000 + int(m)*100 + d }

// nextDay returns the date after y-m-d.
func nextDay(y int, m time.Month, d int) (int, time.Month, int) {
	if d < daysIn(y, m) {
		return y, m, d + 1
	}
	if m == time.December {
		return y + 1, time.January, 1
	}
	return y, m + 1, 1
}

// daysIn returns the number of days in month m of year y.
func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}
