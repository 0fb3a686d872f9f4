package sla

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
)

// TestState: what the sweeper stores for a job, and when it next changes
// by time alone.
func TestState(t *testing.T) {
	tests := []struct {
		name     string
		job      func() (*cordon.Job, []*cordon.JobEvent)
		at       float64 // minutes after t0
		want     cordon.SLAState
		wantNext float64 // minutes after t0; -1: none
	}{
		{"fresh offer: ok until 48 minutes", func() (*cordon.Job, []*cordon.JobEvent) { return timeline() }, 10,
			cordon.SLAState{State: cordon.SLAOK, Clock: cordon.ClockAccept, Due: mins(60)}, 48},
		{"at risk after 80 % of the accept term, next the breach", func() (*cordon.Job, []*cordon.JobEvent) { return timeline() }, 50,
			cordon.SLAState{State: cordon.SLAAtRisk, Clock: cordon.ClockAccept, Due: mins(60)}, 60},
		{"breached: next the respond clock's breach", func() (*cordon.Job, []*cordon.JobEvent) { return timeline() }, 61,
			cordon.SLAState{State: cordon.SLABreached, Clock: cordon.ClockAccept, Breached: []string{cordon.ClockAccept}, Due: mins(60)}, 120},
		{"accepted in time: respond is next", func() (*cordon.Job, []*cordon.JobEvent) { return timeline(20, accepted) }, 30,
			cordon.SLAState{State: cordon.SLAOK, Clock: cordon.ClockRespond, Due: mins(120)}, 96},
		{"paused for parts: nothing changes by time alone", func() (*cordon.Job, []*cordon.JobEvent) {
			return timeline(10, accepted, 20, enRoute, 30, onSite, 60, waitingParts)
		}, 600, cordon.SLAState{State: cordon.SLAOK, Clock: cordon.ClockResolve, Due: mins(600 + 24*60 - 60)}, -1},
		{"accepted late, later breached twice", func() (*cordon.Job, []*cordon.JobEvent) { return timeline(70, accepted) }, 125,
			cordon.SLAState{State: cordon.SLABreached, Clock: cordon.ClockAccept, Breached: []string{cordon.ClockAccept, cordon.ClockRespond}, Due: mins(60)}, 240},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, evs := tt.job()
			now := mins(tt.at)
			m := Meter{}
			got := m.State(m.Clocks(j, evs, terms, now), now)
			next := got.NextAt
			got.NextAt = nil
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
			switch {
			case tt.wantNext < 0 && next != nil:
				t.Errorf("next: got %v, want none", *next)
			case tt.wantNext >= 0 && (next == nil || !next.Equal(mins(tt.wantNext))):
				t.Errorf("next: got %v, want %v", next, mins(tt.wantNext))
			}
		})
	}
}

// TestStateNextIsExact: at NextAt the state has changed, and just before
// it has not.
func TestStateNextIsExact(t *testing.T) {
	j, evs := timeline(20, accepted)
	m := Meter{AtRisk: 0.5}
	now := mins(30)
	st := m.State(m.Clocks(j, evs, terms, now), now)
	if st.NextAt == nil {
		t.Fatal("no next")
	}
	before := st.NextAt.Add(-time.Nanosecond)
	if got := m.State(m.Clocks(j, evs, terms, before), before); got.State != st.State {
		t.Errorf("just before NextAt: got %s, want %s", got.State, st.State)
	}
	if got := m.State(m.Clocks(j, evs, terms, *st.NextAt), *st.NextAt); got.State == st.State {
		t.Errorf("at NextAt: still %s", got.State)
	}
}

// TestCalendarOf: a contract's calendar (Mon–Fri 08:30–17:30 China
// Standard Time, National Day off, a make-up Saturday) counts business
// time only, over a weekend and a holiday.
func TestCalendarOf(t *testing.T) {
	cal, err := CalendarOf(&cordon.Calendar{
		Offset: 8 * time.Hour, Open: 8*time.Hour + 30*time.Minute, Close: 17*time.Hour + 30*time.Minute,
		Days:     []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
		Holidays: []string{"2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"},
		Workdays: []string{"2026-10-10"},
	})
	if err != nil {
		t.Fatal(err)
	}
	cst := time.FixedZone("CST", 8*3600)
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, cst) }
	h := func(x float64) time.Duration { return time.Duration(x * float64(time.Hour)) }
	tests := []struct {
		name     string
		from, to time.Time
		want     time.Duration
	}{
		{"within a day", at(11, 2, 9, 0), at(11, 2, 12, 0), h(3)},
		{"Friday evening to Monday morning", at(11, 6, 16, 30), at(11, 9, 9, 30), h(2)},
		{"a whole weekend", at(11, 7, 0, 0), at(11, 9, 0, 0), 0},
		{"over National Day", at(9, 30, 16, 30), at(10, 8, 9, 30), h(2)},
		{"the make-up Saturday counts", at(10, 9, 17, 0), at(10, 12, 9, 0), h(0.5 + 9 + 0.5)},
		{"in UTC", at(11, 2, 9, 0).UTC(), at(11, 2, 10, 0).UTC(), h(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cal.Elapsed(tt.from, tt.to); got != tt.want {
				t.Errorf("Elapsed: got %v, want %v", got, tt.want)
			}
		})
	}
	if got, want := cal.Add(at(11, 6, 17, 0), h(1)), at(11, 9, 9, 0); !got.Equal(want) {
		t.Errorf("Add over the weekend: got %v, want %v", got, want)
	}
	if c, _ := CalendarOf(nil); c != Always {
		t.Errorf("no calendar: got %v, want Always", c)
	}
	for _, bad := range []*cordon.Calendar{
		{Offset: 8 * time.Hour, Open: 9 * time.Hour, Close: 8 * time.Hour, Days: []time.Weekday{time.Monday}},
		{Offset: 8 * time.Hour, Open: 9 * time.Hour, Close: 17 * time.Hour},
		{Offset: 8 * time.Hour, Open: 9 * time.Hour, Close: 17 * time.Hour, Days: []time.Weekday{time.Monday}, Holidays: []string{"2026-13-01"}},
	} {
		if _, err := CalendarOf(bad); cordon.ErrorCode(err) != cordon.EINVALID {
			t.Errorf("CalendarOf(%+v): got %v, want EINVALID", bad, err)
		}
	}
}
