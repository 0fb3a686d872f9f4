package sla

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
)

const (
	offered         = cordon.JobOffered
	accepted        = cordon.JobAccepted
	declined        = cordon.JobDeclined
	expired         = cordon.JobExpired
	enRoute         = cordon.JobEnRoute
	onSite          = cordon.JobOnSite
	waitingCustomer = cordon.JobWaitingCustomer
	waitingParts    = cordon.JobWaitingParts
	resolved        = cordon.JobResolved
	verified        = cordon.JobVerified
	reopened        = cordon.JobReopened
	closed          = cordon.JobClosed
	revoked         = cordon.JobRevoked
)

var t0 = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC) // a Monday

// terms are the SLA of the tests: accept 1h, respond 2h, on site 4h,
// resolve 24h.
var terms = cordon.SLATerms{Accept: time.Hour, Respond: 2 * time.Hour, OnSite: 4 * time.Hour, Resolve: 24 * time.Hour}

func ptr[T any](v T) *T { return &v }

// mins returns t0 plus m minutes.
func mins(m float64) time.Time { return t0.Add(time.Duration(m * float64(time.Minute))) }

// timeline builds a job offered at t0 and its events: pairs of (minutes
// after t0, status), the first event being the offer.
func timeline(steps ...any) (*cordon.Job, []*cordon.JobEvent) {
	j := &cordon.Job{ID: 1, Status: offered, OfferedAt: t0}
	evs := []*cordon.JobEvent{{JobID: 1, At: t0, To: offered}}
	prev := offered
	for i := 0; i < len(steps); i += 2 {
		at, to := mins(float64(steps[i].(int))), steps[i+1].(cordon.JobStatus)
		evs = append(evs, &cordon.JobEvent{JobID: 1, At: at, From: prev, To: to})
		prev, j.Status = to, to
	}
	return j, evs
}

// clock is a want: name, limit and used in minutes, due in minutes after
// t0, then the flags.
type clock struct {
	name      string
	limit     float64
	used      float64
	due       float64
	state     string // "running", "paused", "met", "late" (stopped past the limit) or "ended" (stopped unmet)
	atRisk    bool
	stoppedAt float64
}

func (c clock) Clock() Clock {
	k := Clock{
		Name: c.name, Limit: time.Duration(c.limit * float64(time.Minute)), Used: time.Duration(c.used * float64(time.Minute)),
		Due: mins(c.due), AtRisk: c.atRisk,
	}
	k.Breached = k.Used >= k.Limit
	switch c.state {
	case "paused":
		k.Paused = true
	case "met":
		k.Met = true
	}
	if c.state == "met" || c.state == "late" || c.state == "ended" {
		k.StoppedAt = ptr(mins(c.stoppedAt))
	}
	return k
}

func wants(cs ...clock) []Clock {
	out := make([]Clock, len(cs))
	for i, c := range cs {
		out[i] = c.Clock()
	}
	return out
}

func TestClocks(t *testing.T) {
	tests := []struct {
		name  string
		steps []any
		now   float64 // minutes after t0
		terms cordon.SLATerms
		want  []Clock
	}{
		{
			name: "fresh offer", now: 30, terms: terms,
			want: wants(
				clock{name: cordon.ClockAccept, limit: 60, used: 30, due: 60, state: "running"},
				clock{name: cordon.ClockRespond, limit: 120, used: 30, due: 120, state: "running"},
				clock{name: cordon.ClockOnSite, limit: 240, used: 30, due: 240, state: "running"},
				clock{name: cordon.ClockResolve, limit: 1440, used: 30, due: 1440, state: "running"},
			),
		},
		{
			name: "just under the at-risk share", now: 47.99, terms: cordon.SLATerms{Accept: time.Hour},
			want: wants(clock{name: cordon.ClockAccept, limit: 60, used: 47.99, due: 60, state: "running"}),
		},
		{
			name: "at risk at exactly 80% of the limit", now: 48, terms: cordon.SLATerms{Accept: time.Hour},
			want: wants(clock{name: cordon.ClockAccept, limit: 60, used: 48, due: 60, state: "running", atRisk: true}),
		},
		{
			name: "running clock breached at exactly the limit", now: 60, terms: cordon.SLATerms{Accept: time.Hour},
			want: wants(clock{name: cordon.ClockAccept, limit: 60, used: 60, due: 60, state: "running"}),
		},
		{
			name: "running clock breached past the limit: due is when it was reached", now: 75, terms: cordon.SLATerms{Accept: time.Hour},
			want: wants(clock{name: cordon.ClockAccept, limit: 60, used: 75, due: 60, state: "running"}),
		},
		{
			name: "accepted at once: met", steps: []any{0, accepted}, now: 90, terms: cordon.SLATerms{Accept: time.Hour},
			want: wants(clock{name: cordon.ClockAccept, limit: 60, used: 0, due: 60, state: "met", stoppedAt: 0}),
		},
		{
			name: "met clocks stop; later ones run", steps: []any{20, accepted, 50, enRoute, 100, onSite}, now: 200, terms: terms,
			want: wants(
				clock{name: cordon.ClockAccept, limit: 60, used: 20, due: 60, state: "met", stoppedAt: 20},
				clock{name: cordon.ClockRespond, limit: 120, used: 50, due: 120, state: "met", stoppedAt: 50},
				clock{name: cordon.ClockOnSite, limit: 240, used: 100, due: 240, state: "met", stoppedAt: 100},
				clock{name: cordon.ClockResolve, limit: 1440, used: 200, due: 1440, state: "running"},
			),
		},
		{
			name: "late on site: stopped, breached, not met", steps: []any{20, accepted, 50, enRoute, 300, onSite}, now: 400, terms: terms,
			want: wants(
				clock{name: cordon.ClockAccept, limit: 60, used: 20, due: 60, state: "met", stoppedAt: 20},
				clock{name: cordon.ClockRespond, limit: 120, used: 50, due: 120, state: "met", stoppedAt: 50},
				clock{name: cordon.ClockOnSite, limit: 240, used: 300, due: 240, state: "late", stoppedAt: 300},
				clock{name: cordon.ClockResolve, limit: 1440, used: 400, due: 1440, state: "running"},
			),
		},
		{
			name: "paused for parts: used does not grow", steps: []any{10, accepted, 20, enRoute, 60, onSite, 120, waitingParts}, now: 3000, terms: terms,
			want: wants(
				clock{name: cordon.ClockAccept, limit: 60, used: 10, due: 60, state: "met", stoppedAt: 10},
				clock{name: cordon.ClockRespond, limit: 120, used: 20, due: 120, state: "met", stoppedAt: 20},
				clock{name: cordon.ClockOnSite, limit: 240, used: 60, due: 240, state: "met", stoppedAt: 60},
				clock{name: cordon.ClockResolve, limit: 1440, used: 120, due: 3000 + 1320, state: "paused"},
			),
		},
		{
			name: "resumed after parts: the pause is left out", steps: []any{10, accepted, 20, enRoute, 60, onSite, 120, waitingParts, 3000, onSite, 3060, resolved}, now: 5000, terms: terms,
			want: wants(
				clock{name: cordon.ClockAccept, limit: 60, used: 10, due: 60, state: "met", stoppedAt: 10},
				clock{name: cordon.ClockRespond, limit: 120, used: 20, due: 120, state: "met", stoppedAt: 20},
				clock{name: cordon.ClockOnSite, limit: 240, used: 60, due: 240, state: "met", stoppedAt: 60},
				clock{name: cordon.ClockResolve, limit: 1440, used: 180, due: 3060 + 1260, state: "met", stoppedAt: 3060},
			),
		},
		{
			name: "paused before setting out: respond paused too", steps: []any{10, accepted, 40, waitingCustomer}, now: 1000, terms: terms,
			want: wants(
				clock{name: cordon.ClockAccept, limit: 60, used: 10, due: 60, state: "met", stoppedAt: 10},
				clock{name: cordon.ClockRespond, limit: 120, used: 40, due: 1000 + 80, state: "paused"},
				clock{name: cordon.ClockOnSite, limit: 240, used: 40, due: 1000 + 200, state: "paused"},
				clock{name: cordon.ClockResolve, limit: 1440, used: 40, due: 1000 + 1400, state: "paused"},
			),
		},
		{
			name: "at risk while paused", steps: []any{10, accepted, 100, waitingCustomer}, now: 1000, terms: terms,
			want: wants(
				clock{name: cordon.ClockAccept, limit: 60, used: 10, due: 60, state: "met", stoppedAt: 10},
				clock{name: cordon.ClockRespond, limit: 120, used: 100, due: 1000 + 20, state: "paused", atRisk: true},
				clock{name: cordon.ClockOnSite, limit: 240, used: 100, due: 1000 + 140, state: "paused"},
				clock{name: cordon.ClockResolve, limit: 1440, used: 100, due: 1000 + 1340, state: "paused"},
			),
		},
		{
			name: "breach reached inside a span after a pause", steps: []any{10, accepted, 20, enRoute, 60, onSite, 120, waitingParts, 3000, onSite}, now: 5000, terms: terms,
			// resolve used 120 before the pause, reaches 1440 at 3000+1320
			want: wants(
				clock{name: cordon.ClockAccept, limit: 60, used: 10, due: 60, state: "met", stoppedAt: 10},
				clock{name: cordon.ClockRespond, limit: 120, used: 20, due: 120, state: "met", stoppedAt: 20},
				clock{name: cordon.ClockOnSite, limit: 240, used: 60, due: 240, state: "met", stoppedAt: 60},
				clock{name: cordon.ClockResolve, limit: 1440, used: 120 + 2000, due: 4320, state: "running"},
			),
		},
		{
			name: "offer expired at the deadline: accept breached, the rest ended", steps: []any{60, expired}, now: 500, terms: terms,
			want: wants(
				clock{name: cordon.ClockAccept, limit: 60, used: 60, due: 60, state: "late", stoppedAt: 60},
				clock{name: cordon.ClockRespond, limit: 120, used: 60, due: 120, state: "ended", stoppedAt: 60},
				clock{name: cordon.ClockOnSite, limit: 240, used: 60, due: 240, state: "ended", stoppedAt: 60},
				clock{name: cordon.ClockResolve, limit: 1440, used: 60, due: 1440, state: "ended", stoppedAt: 60},
			),
		},
		{
			name: "declined early: every clock ended, none breached", steps: []any{5, declined}, now: 500, terms: cordon.SLATerms{Accept: time.Hour, Resolve: 24 * time.Hour},
			want: wants(
				clock{name: cordon.ClockAccept, limit: 60, used: 5, due: 60, state: "ended", stoppedAt: 5},
				clock{name: cordon.ClockResolve, limit: 1440, used: 5, due: 1440, state: "ended", stoppedAt: 5},
			),
		},
		{
			name: "revoked while paused: resolve ended", steps: []any{10, accepted, 20, enRoute, 60, onSite, 120, waitingParts, 900, revoked}, now: 5000, terms: cordon.SLATerms{Resolve: 24 * time.Hour},
			want: wants(clock{name: cordon.ClockResolve, limit: 1440, used: 120, due: 900 + 1320, state: "ended", stoppedAt: 900}),
		},
		{
			name: "reopened: resolve runs on from what it had used", steps: []any{10, accepted, 20, enRoute, 60, onSite, 300, resolved, 2000, reopened, 2100, onSite}, now: 2200, terms: terms,
			want: wants(
				clock{name: cordon.ClockAccept, limit: 60, used: 10, due: 60, state: "met", stoppedAt: 10},
				clock{name: cordon.ClockRespond, limit: 120, used: 20, due: 120, state: "met", stoppedAt: 20},
				clock{name: cordon.ClockOnSite, limit: 240, used: 60, due: 240, state: "met", stoppedAt: 60},
				clock{name: cordon.ClockResolve, limit: 1440, used: 300 + 200, due: 2200 + 940, state: "running"},
			),
		},
		{
			name: "resolved again after reopening, then closed", steps: []any{10, accepted, 20, enRoute, 60, onSite, 300, resolved, 2000, reopened, 2100, onSite, 2400, resolved, 3000, verified, 4000, closed}, now: 9000, terms: cordon.SLATerms{Resolve: 24 * time.Hour},
			want: wants(clock{name: cordon.ClockResolve, limit: 1440, used: 700, due: 2400 + 740, state: "met", stoppedAt: 2400}),
		},
		{
			name: "events after now are ignored", steps: []any{10, accepted, 20, enRoute, 60, onSite}, now: 15, terms: terms,
			want: wants(
				clock{name: cordon.ClockAccept, limit: 60, used: 10, due: 60, state: "met", stoppedAt: 10},
				clock{name: cordon.ClockRespond, limit: 120, used: 15, due: 120, state: "running"},
				clock{name: cordon.ClockOnSite, limit: 240, used: 15, due: 240, state: "running"},
				clock{name: cordon.ClockResolve, limit: 1440, used: 15, due: 1440, state: "running"},
			),
		},
		{
			name: "no terms: no clocks", steps: []any{10, accepted}, now: 15, terms: cordon.SLATerms{},
			want: []Clock{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, evs := timeline(tt.steps...)
			got := Clocks(j, evs, tt.terms, nil, mins(tt.now))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("clocks (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBreachBoundary pins the boundary: reaching the milestone at exactly
// the limit is late (used ≥ limit), a nanosecond before is in time.
func TestBreachBoundary(t *testing.T) {
	for _, tt := range []struct {
		at                time.Time
		wantMet, wantLate bool
	}{
		{t0.Add(time.Hour - time.Nanosecond), true, false},
		{t0.Add(time.Hour), false, true},
		{t0.Add(time.Hour + time.Nanosecond), false, true},
	} {
		t.Run(tt.at.Sub(t0).String(), func(t *testing.T) {
			j := &cordon.Job{OfferedAt: t0, Status: accepted}
			evs := []*cordon.JobEvent{{At: t0, To: offered}, {At: tt.at, From: offered, To: accepted}}
			got := Clocks(j, evs, cordon.SLATerms{Accept: time.Hour}, Always, t0.Add(2*time.Hour))[0]
			if got.Met != tt.wantMet || got.Breached != tt.wantLate {
				t.Errorf("met %v breached %v, want met %v breached %v", got.Met, got.Breached, tt.wantMet, tt.wantLate)
			}
			if got.StoppedAt == nil || !got.StoppedAt.Equal(tt.at) {
				t.Errorf("stopped at %v, want %v", got.StoppedAt, tt.at)
			}
		})
	}
}

func TestPausedClockDoesNotGrow(t *testing.T) {
	j, evs := timeline(10, accepted, 20, enRoute, 60, onSite, 120, waitingParts)
	var prev *Clock
	for _, now := range []float64{120, 121, 600, 6000, 60000} {
		got := Clocks(j, evs, terms, nil, mins(now))[3]
		if !got.Paused || got.Used != 2*time.Hour {
			t.Errorf("at %v min: resolve paused %v used %v, want paused with 2h0m0s", now, got.Paused, got.Used)
		}
		if prev != nil && !got.Due.After(prev.Due) {
			t.Errorf("at %v min: due %v did not move on from %v while paused", now, got.Due, prev.Due)
		}
		prev = &got
	}
}

func TestMeterAtRiskShare(t *testing.T) {
	j, evs := timeline()
	for _, tt := range []struct {
		share float64
		now   float64
		want  bool
	}{
		{0.5, 29, false},
		{0.5, 30, true},
		{0.9, 53, false},
		{0.9, 54, true},
		{0, 48, true},  // 0 is the default, 0.8
		{0, 47, false}, // "
		{1, 59, false},
		{1, 60, false}, // breached, no longer merely at risk
	} {
		got := Meter{AtRisk: tt.share}.Clocks(j, evs, cordon.SLATerms{Accept: time.Hour}, mins(tt.now))[0]
		if got.AtRisk != tt.want {
			t.Errorf("share %v at %v min: at risk %v, want %v", tt.share, tt.now, got.AtRisk, tt.want)
		}
	}
}

func TestOfferedAtFallback(t *testing.T) {
	// A job without OfferedAt starts its clocks at its first event.
	j := &cordon.Job{Status: offered}
	evs := []*cordon.JobEvent{{At: t0, To: offered}}
	got := Clocks(j, evs, cordon.SLATerms{Accept: time.Hour}, nil, mins(10))[0]
	if got.Used != 10*time.Minute {
		t.Errorf("used %v, want 10m0s", got.Used)
	}
}

// shanghai is Asia/Shanghai, which has kept UTC+8 without daylight saving
// since 1991; a fixed zone stands in where the tz database is missing.
func shanghai(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Logf("no tz database (%v): using a fixed UTC+8 zone", err)
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// workweek is Mon–Fri 08:30–17:30 in Shanghai, with the 2025 National Day
// holiday (1–8 October) and its make-up working days (Sunday 28 September
// and Saturday 11 October).
func workweek(t testing.TB) *BusinessCalendar {
	loc := shanghai(t)
	d := func(m time.Month, day int) time.Time { return time.Date(2025, m, day, 0, 0, 0, 0, loc) }
	var holidays []time.Time
	for day := 1; day <= 8; day++ {
		holidays = append(holidays, d(time.October, day))
	}
	c, err := NewBusinessCalendar(BusinessHours{
		Location: loc, Open: 8*time.Hour + 30*time.Minute, Close: 17*time.Hour + 30*time.Minute,
		Holidays: holidays, Workdays: []time.Time{d(time.September, 28), d(time.October, 11)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestBusinessCalendar(t *testing.T) {
	cal := workweek(t)
	loc := shanghai(t)
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2025, m, d, h, min, 0, 0, loc) }
	h := func(x float64) time.Duration { return time.Duration(x * float64(time.Hour)) }
	tests := []struct {
		name     string
		from, to time.Time
		elapsed  time.Duration
	}{
		{"within a day", at(6, 2, 9, 0), at(6, 2, 12, 0), h(3)},
		{"before opening to after closing", at(6, 2, 6, 0), at(6, 2, 20, 0), h(9)},
		{"overnight", at(6, 2, 16, 30), at(6, 3, 9, 30), h(2)},
		{"across the weekend", at(6, 6, 16, 30), at(6, 9, 9, 30), h(2)}, // Friday → Monday
		{"all weekend", at(6, 7, 0, 0), at(6, 9, 0, 0), 0},
		{"a full week", at(6, 2, 0, 0), at(6, 9, 0, 0), h(45)},
		{"into the National Day holiday", at(9, 30, 16, 30), at(10, 9, 9, 30), h(2)}, // Tuesday → Thursday after 8 days off
		{"make-up Sunday counts", at(9, 27, 12, 0), at(9, 29, 8, 30), h(9)},          // Saturday → Monday
		{"make-up Saturday counts", at(10, 10, 17, 0), at(10, 13, 9, 0), h(0.5 + 9 + 0.5)},
		{"backwards is nothing", at(6, 3, 12, 0), at(6, 2, 12, 0), 0},
		{"from in another zone", at(6, 2, 9, 0).UTC(), at(6, 2, 10, 0).UTC(), h(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cal.Elapsed(tt.from, tt.to); got != tt.elapsed {
				t.Errorf("Elapsed: got %v, want %v", got, tt.elapsed)
			}
			if tt.elapsed > 0 {
				got := cal.Add(tt.from, tt.elapsed)
				// Add lands on the earliest instant with that much business
				// time: the end itself, or the last closing before it.
				if back := cal.Elapsed(tt.from, got); back != tt.elapsed || got.After(tt.to) {
					t.Errorf("Add(%v): got %v (elapsed %v), want at or before %v", tt.elapsed, got, back, tt.to)
				}
			}
		})
	}

	adds := []struct {
		name string
		from time.Time
		d    time.Duration
		want time.Time
	}{
		{"within a day", at(6, 2, 9, 0), h(3), at(6, 2, 12, 0)},
		{"ends exactly at closing", at(6, 2, 8, 30), h(9), at(6, 2, 17, 30)},
		{"starts before opening", at(6, 2, 3, 0), h(1), at(6, 2, 9, 30)},
		{"starts after closing", at(6, 2, 20, 0), h(1), at(6, 3, 9, 30)},
		{"over the weekend", at(6, 6, 16, 30), h(2), at(6, 9, 9, 30)},
		{"from a Saturday", at(6, 7, 10, 0), h(1), at(6, 9, 9, 30)},
		{"over the holiday", at(9, 30, 16, 30), h(2), at(10, 9, 9, 30)},
		{"onto a make-up Saturday", at(10, 10, 17, 0), h(1), at(10, 11, 9, 0)},
		{"zero", at(6, 7, 10, 0), 0, at(6, 7, 10, 0)},
	}
	for _, tt := range adds {
		t.Run("Add/"+tt.name, func(t *testing.T) {
			if got := cal.Add(tt.from, tt.d); !got.Equal(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestClocksBusinessCalendar: a P2 job offered late on a Friday in
// Shanghai, against business-hours terms, across a weekend and, in the
// second case, a holiday.
func TestClocksBusinessCalendar(t *testing.T) {
	loc := shanghai(t)
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2025, m, d, h, min, 0, 0, loc) }
	bterms := cordon.SLATerms{Accept: 2 * time.Hour, Resolve: 18 * time.Hour} // two business days to resolve

	t.Run("weekend", func(t *testing.T) {
		cal := workweek(t)
		offer := at(6, 6, 16, 30) // Friday
		j := &cordon.Job{OfferedAt: offer, Status: accepted}
		evs := []*cordon.JobEvent{{At: offer, To: offered}, {At: at(6, 9, 9, 0), From: offered, To: accepted}} // Monday 09:00
		got := Clocks(j, evs, bterms, cal, at(6, 9, 10, 0))
		want := []Clock{
			{Name: cordon.ClockAccept, Limit: 2 * time.Hour, Used: 90 * time.Minute, Due: at(6, 9, 9, 30), Met: true, StoppedAt: ptr(at(6, 9, 9, 0))},
			{Name: cordon.ClockResolve, Limit: 18 * time.Hour, Used: 150 * time.Minute, Due: at(6, 10, 16, 30)},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("clocks (-want +got):\n%s", diff)
		}
	})
	t.Run("weekend and holiday", func(t *testing.T) {
		cal := workweek(t)
		offer := at(9, 30, 16, 30) // Tuesday before the National Day week
		j := &cordon.Job{OfferedAt: offer, Status: offered}
		evs := []*cordon.JobEvent{{At: offer, To: offered}}
		long := cordon.SLATerms{Accept: 2 * time.Hour, Resolve: 27 * time.Hour}
		got := Clocks(j, evs, long, cal, at(10, 6, 12, 0)) // in the holiday
		want := []Clock{
			{Name: cordon.ClockAccept, Limit: 2 * time.Hour, Used: time.Hour, Due: at(10, 9, 9, 30)},
			// 26h left: 9h Thursday 9th, 9h Friday 10th, 8h on the make-up Saturday 11th
			{Name: cordon.ClockResolve, Limit: 27 * time.Hour, Used: time.Hour, Due: at(10, 11, 16, 30)},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("clocks (-want +got):\n%s", diff)
		}
	})
	t.Run("breached over the weekend is not breached in business time", func(t *testing.T) {
		offer := at(6, 6, 16, 30)
		j := &cordon.Job{OfferedAt: offer, Status: offered}
		evs := []*cordon.JobEvent{{At: offer, To: offered}}
		now := at(6, 9, 8, 0) // Monday before opening: 63.5 hours later
		if got := Clocks(j, evs, bterms, nil, now)[0]; !got.Breached {
			t.Errorf("24×7: accept not breached after %v", now.Sub(offer))
		}
		if got := Clocks(j, evs, bterms, workweek(t), now)[0]; got.Breached || got.Used != time.Hour {
			t.Errorf("business hours: breached %v used %v, want not breached, 1h0m0s", got.Breached, got.Used)
		}
	})
}

func TestNewBusinessCalendar(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	day := time.Date(2025, 10, 1, 0, 0, 0, 0, loc)
	tests := []struct {
		name      string
		h         BusinessHours
		wantField string
	}{
		{"ok", BusinessHours{Location: loc, Open: 8 * time.Hour, Close: 17 * time.Hour}, ""},
		{"round the clock", BusinessHours{Location: loc, Open: 0, Close: 24 * time.Hour, Days: []time.Weekday{time.Sunday}}, ""},
		{"no zone", BusinessHours{Open: 8 * time.Hour, Close: 17 * time.Hour}, "location"},
		{"closes before it opens", BusinessHours{Location: loc, Open: 17 * time.Hour, Close: 8 * time.Hour}, "hours"},
		{"past midnight", BusinessHours{Location: loc, Open: 8 * time.Hour, Close: 25 * time.Hour}, "hours"},
		{"negative", BusinessHours{Location: loc, Open: -time.Hour, Close: 8 * time.Hour}, "hours"},
		{"no working day", BusinessHours{Location: loc, Open: 8 * time.Hour, Close: 17 * time.Hour, Days: []time.Weekday{}}, "days"},
		{"bad weekday", BusinessHours{Location: loc, Open: 8 * time.Hour, Close: 17 * time.Hour, Days: []time.Weekday{7}}, "days"},
		{"holiday and workday", BusinessHours{Location: loc, Open: 8 * time.Hour, Close: 17 * time.Hour, Holidays: []time.Time{day}, Workdays: []time.Time{day.Add(time.Hour)}}, "workdays"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewBusinessCalendar(tt.h)
			var got string
			if err != nil {
				e := cordon.AsError(err)
				if e == nil || e.Code != cordon.EINVALID {
					t.Fatalf("got %v, want EINVALID", err)
				}
				got = e.Field
			}
			if got != tt.wantField {
				t.Errorf("field: got %q (%v), want %q", got, err, tt.wantField)
			}
		})
	}
}

func TestZeroBusinessCalendarCountsEverything(t *testing.T) {
	var c BusinessCalendar
	if got := c.Elapsed(t0, t0.Add(time.Hour)); got != time.Hour {
		t.Errorf("Elapsed: got %v, want 1h0m0s", got)
	}
	if got := c.Add(t0, time.Hour); !got.Equal(t0.Add(time.Hour)) {
		t.Errorf("Add: got %v, want %v", got, t0.Add(time.Hour))
	}
}

// TestNextDay checks the hand-rolled calendar stepping against the time
// package over several years, leap days included.
func TestNextDay(t *testing.T) {
	d := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	y, m, day := d.Date()
	for i := 0; i < 4*366; i++ {
		d = d.AddDate(0, 0, 1)
		y, m, day = nextDay(y, m, day)
		wy, wm, wd := d.Date()
		if y != wy || m != wm || day != wd {
			t.Fatalf("after %d steps: got %d-%02d-%02d, want %s", i+1, y, m, day, d.Format(time.DateOnly))
		}
	}
}

// benchTimeline is a 20-event timeline of a job still open: two pauses on
// the way, resolved, reopened, paused again, back on site.
func benchTimeline() (*cordon.Job, []*cordon.JobEvent) {
	return timeline(
		10, accepted, 30, waitingCustomer, 90, accepted, 100, enRoute, 160, onSite,
		200, waitingParts, 2000, onSite, 2100, waitingCustomer, 2200, onSite, 2300, resolved,
		3000, reopened, 3100, enRoute, 3200, onSite, 3300, waitingParts, 4000, onSite,
		4100, waitingCustomer, 4200, onSite, 4300, waitingParts, 4400, onSite,
	)
}

func BenchmarkClocks(b *testing.B) {
	j, evs := benchTimeline()
	if len(evs) != 20 {
		b.Fatalf("timeline has %d events, want 20", len(evs))
	}
	now := mins(5000)
	b.Run("24x7", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Clocks(j, evs, terms, nil, now)
		}
	})
	b.Run("business", func(b *testing.B) {
		cal := workweek(b)
		b.ReportAllocs()
		for b.Loop() {
			Clocks(j, evs, terms, cal, now)
		}
	})
}

// BenchmarkClocksLongOverdue measures the worst case the sweeper meets: a
// job on site for 90 days past its limits, every day walked on the
// business calendar.
func BenchmarkClocksLongOverdue(b *testing.B) {
	j, evs := timeline(10, accepted, 20, enRoute, 60, onSite)
	now := mins(90 * 24 * 60)
	cal := workweek(b)
	b.ReportAllocs()
	for b.Loop() {
		Clocks(j, evs, terms, cal, now)
	}
}
