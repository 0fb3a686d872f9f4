package sla_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/sla"
)

// TestBusinessCalendarAddElapsedAgree: for instants around midnights,
// opening and closing times, a National Day holiday and its make-up
// Sunday (China Standard Time, and a zone behind UTC), Add(from, d) is the
// earliest instant by which Elapsed(from, ·) reaches d.
func TestBusinessCalendarAddElapsedAgree(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	west := time.FixedZone("UTC-05:00", -5*3600)
	for _, loc := range []*time.Location{cst, west} {
		d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 0, 0, 0, 0, loc) }
		cal, err := sla.NewBusinessCalendar(sla.BusinessHours{
			Location: loc, Open: 8*time.Hour + 30*time.Minute, Close: 24 * time.Hour,
			Holidays: []time.Time{d(10, 1), d(10, 2), d(10, 5)},
			Workdays: []time.Time{d(9, 27), d(10, 10)}, // a Sunday and a Saturday
		})
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, 2))
		base := time.Date(2026, 9, 25, 0, 0, 0, 0, loc)
		for i := 0; i < 3000; i++ {
			from := base.Add(time.Duration(r.Int64N(int64(20 * 24 * time.Hour))))
			if i%3 == 0 { // exactly on a boundary
				from = from.Truncate(30 * time.Minute)
			}
			dur := time.Duration(r.Int64N(int64(40 * time.Hour)))
			if i%5 == 0 {
				dur = dur.Truncate(time.Hour)
			}
			if dur <= 0 {
				continue
			}
			at := cal.Add(from, dur)
			if got := cal.Elapsed(from, at); got != dur {
				t.Fatalf("%s: Elapsed(%s, Add(+%s) = %s) = %s; want %s", loc, from, dur, at, got, dur)
			}
			if got := cal.Elapsed(from, at.Add(-time.Nanosecond)); got >= dur {
				t.Fatalf("%s: Add(%s, %s) = %s is not the earliest: a nanosecond before, %s has passed", loc, from, dur, at, got)
			}
			if wd := at.In(loc).Weekday(); (wd == time.Saturday || wd == time.Sunday) && !sameDay(at, d(9, 27)) && !sameDay(at, d(10, 10)) &&
				!(at.Hour() == 0 && at.Minute() == 0 && at.Second() == 0 && at.Nanosecond() == 0) {
				t.Fatalf("%s: Add(%s, %s) = %s falls on a weekend that is not a make-up workday", loc, from, dur, at)
			}
			midnight := at.In(loc).Hour() == 0 && at.In(loc).Minute() == 0 && at.Second() == 0 && at.Nanosecond() == 0
			for _, h := range []time.Time{d(10, 1), d(10, 2), d(10, 5)} {
				if sameDay(at, h) && !midnight {
					t.Fatalf("%s: Add(%s, %s) = %s falls on a holiday", loc, from, dur, at)
				}
			}
		}
	}
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.In(b.Location()).Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}
