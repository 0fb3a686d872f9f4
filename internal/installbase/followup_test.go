package installbase_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// TestFollowUpPlan: a plan's interval, next due day and pause, each
// change checked; a plan without an interval has no next visit.
func TestFollowUpPlan(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		f := newFixture(t, h)
		u := f.unit(f.customer("FP-C1"), "FP-0001", nil) // first visit 2026-09-15
		type plan struct {
			Months  int
			NextDue *time.Time
			Paused  string
		}
		planOf := func(u *cordon.Unit) plan { return plan{u.FollowUpMonths, u.NextVisitDue, u.FollowUpPaused} }
		yesterday, today := f.today.AddDate(0, 0, -1), f.today
		for _, tc := range []struct {
			name  string
			up    cordon.FollowUpUpdate
			field string // EINVALID naming it; "" for success
			want  plan   // after a success, as stored
		}{
			{"interval above 60", cordon.FollowUpUpdate{Months: ptr(61)}, "follow_up_months", plan{}},
			{"negative interval", cordon.FollowUpUpdate{Months: ptr(-6)}, "follow_up_months", plan{}},
			{"next due yesterday", cordon.FollowUpUpdate{NextDue: &yesterday}, "next_due", plan{}},
			{"pause without a reason", cordon.FollowUpUpdate{Pause: ptr("  ")}, "pause", plan{}},
			{"pause and resume", cordon.FollowUpUpdate{Pause: ptr("换防"), Resume: true}, "pause", plan{}},
			{"no interval", cordon.FollowUpUpdate{Months: ptr(0)}, "", plan{0, nil, ""}},
			{"no interval, a next due day", cordon.FollowUpUpdate{NextDue: ptr(today.AddDate(0, 1, 0))}, "", plan{0, nil, ""}},
			{"an interval again", cordon.FollowUpUpdate{Months: ptr(3)}, "", plan{3, ptr(today.AddDate(0, 3, 0)), ""}},
			{"due today, late", cordon.FollowUpUpdate{NextDue: ptr(today.Add(23 * time.Hour))}, "", plan{3, &today, ""}},
			{"paused", cordon.FollowUpUpdate{Pause: ptr(" 客户换防，暂停回访 ")}, "", plan{3, &today, "客户换防，暂停回访"}},
			{"interval while paused", cordon.FollowUpUpdate{Months: ptr(12)}, "", plan{12, &today, "客户换防，暂停回访"}},
			{"resumed", cordon.FollowUpUpdate{Resume: true}, "", plan{12, &today, ""}},
		} {
			got, err := call(f, "quality", func(ctx context.Context) (*cordon.Unit, error) { return f.svc.UpdateFollowUp(ctx, u.ID, tc.up) })
			if tc.field != "" {
				wantErr(t, tc.name, err, cordon.EINVALID, tc.field)
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			if diff := cmp.Diff(tc.want, planOf(got)); diff != "" {
				t.Errorf("%s: answered (-want +got):\n%s", tc.name, diff)
			}
			if diff := cmp.Diff(tc.want, planOf(f.stored(u.ID))); diff != "" {
				t.Errorf("%s: stored (-want +got):\n%s", tc.name, diff)
			}
		}
		_, err := call(f, "quality", func(ctx context.Context) (*cordon.Unit, error) {
			return f.svc.UpdateFollowUp(ctx, 1<<40, cordon.FollowUpUpdate{Months: ptr(3)})
		})
		wantErr(t, "the plan of no unit", err, cordon.ENOTFOUND, "")
	})
}

// TestVisitCalendar: the calendar holds the visits due in the weeks asked
// for and those overdue, soonest first, of units whose plan runs: not
// paused, not retired, under warranty or a service agreement. The sweep
// turns each due visit into one request, once.
func TestVisitCalendar(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		f := newFixture(t, h)
		c := f.customer("VC-C1")
		// Delivered 2026-03-15 under warranty to 2029, every 6 months: the
		// first visit was due 2026-09-15, overdue on 2026-11-02.
		overdue := f.unit(c, "VC-OVERDUE", nil)
		soon := f.unit(c, "VC-SOON", func(u *cordon.NewUnit) { u.DeliveredOn = date(2026, 5, 12) }) // 2026-11-12
		later := f.unit(c, "VC-LATER", func(u *cordon.NewUnit) { u.DeliveredOn, u.FollowUpMonths = date(2026, 1, 1), 12 })
		comms := f.unit(c, "VC-COMMS", func(u *cordon.NewUnit) { u.ModelID = f.comms.ID })
		elsewhere := f.unit(c, "VC-WUHU", func(u *cordon.NewUnit) { u.SiteCity = "Wuhu" })
		// Warranty to 2025 and a service agreement to 2028: visits go on.
		agreed := f.unit(c, "VC-AGREED", func(u *cordon.NewUnit) {
			u.DeliveredOn, u.WarrantyEnd, u.ServiceEnd = date(2023, 1, 10), date(2025, 1, 10), ptr(date(2028, 1, 1))
		})
		// Warranty and agreement over: no visits any more.
		expired := f.unit(c, "VC-EXPIRED", func(u *cordon.NewUnit) {
			u.DeliveredOn, u.WarrantyEnd, u.ServiceEnd = date(2023, 1, 10), date(2025, 1, 10), ptr(date(2025, 6, 1))
		})
		paused := f.unit(c, "VC-PAUSED", nil)
		must(f, "pause", func(ctx context.Context) (*cordon.Unit, error) {
			return f.svc.UpdateFollowUp(ctx, paused.ID, cordon.FollowUpUpdate{Pause: ptr("客户换防")})
		})
		retired := f.unit(c, "VC-RETIRED", nil)
		must(f, "retire", func(ctx context.Context) (*cordon.Unit, error) { return f.svc.RetireUnit(ctx, retired.ID, "报废") })
		noPlan := f.unit(c, "VC-NOPLAN", func(u *cordon.NewUnit) { u.FollowUpMonths = 0 })

		type visit struct {
			Serial, Line, Model, Customer string
			Due                           time.Time
			Overdue                       bool
		}
		calendar := func(cf cordon.CalendarFilter) []visit {
			t.Helper()
			vs := must(f, "calendar", func(ctx context.Context) ([]*cordon.VisitDue, error) { return f.svc.VisitCalendar(ctx, cf) })
			var out []visit
			for _, v := range vs {
				if v.Unit.SiteCity == testCity || v.Unit.SiteCity == "Wuhu" && v.CustomerRef == c.Code {
					out = append(out, visit{v.Unit.Serial, v.ProductLine, v.Model.Code, v.CustomerRef, v.Due, v.Overdue})
				}
			}
			return out
		}
		vAgreed := visit{"VC-AGREED", "radar", "RD-200", "VC-C1", date(2023, 7, 10), true}
		vOverdue := visit{"VC-OVERDUE", "radar", "RD-200", "VC-C1", date(2026, 9, 15), true}
		vComms := visit{"VC-COMMS", "comms", "CM-10", "VC-C1", date(2026, 9, 15), true}
		vSoon := visit{"VC-SOON", "radar", "RD-200", "VC-C1", date(2026, 11, 12), false}
		vLater := visit{"VC-LATER", "radar", "RD-200", "VC-C1", date(2027, 1, 1), false}
		for _, tc := range []struct {
			name string
			f    cordon.CalendarFilter
			want []visit
		}{
			{"8 weeks by default", cordon.CalendarFilter{SiteCity: testCity}, []visit{vAgreed, vOverdue, vComms, vSoon}},
			{"10 weeks", cordon.CalendarFilter{SiteCity: testCity, Weeks: 10}, []visit{vAgreed, vOverdue, vComms, vSoon, vLater}},
			{"1 week", cordon.CalendarFilter{SiteCity: testCity, Weeks: 1}, []visit{vAgreed, vOverdue, vComms}},
			{"radar", cordon.CalendarFilter{SiteCity: testCity, ProductLine: "radar"}, []visit{vAgreed, vOverdue, vSoon}},
			{"from a later day", cordon.CalendarFilter{SiteCity: testCity, From: date(2026, 12, 1), Weeks: 1},
				[]visit{vAgreed, vOverdue, vComms, {"VC-SOON", "radar", "RD-200", "VC-C1", date(2026, 11, 12), true}}},
		} {
			if diff := cmp.Diff(tc.want, calendar(tc.f)); diff != "" {
				t.Errorf("calendar %s (-want +got):\n%s", tc.name, diff)
			}
		}
		wuhu := calendar(cordon.CalendarFilter{SiteCity: "Wuhu"})
		if len(wuhu) != 1 || wuhu[0].Serial != elsewhere.Serial {
			t.Errorf("calendar of Wuhu: %+v, want only %s of ours", wuhu, elsewhere.Serial)
		}
		for _, weeks := range []int{-1, 27} {
			_, err := call(f, "quality", func(ctx context.Context) ([]*cordon.VisitDue, error) {
				return f.svc.VisitCalendar(ctx, cordon.CalendarFilter{Weeks: weeks})
			})
			wantErr(t, "weeks out of range", err, cordon.EINVALID, "weeks")
		}

		// The sweep makes one request for each visit due, once, and moves
		// the plan on; the calendar follows.
		requests := func() map[int64]int {
			t.Helper()
			rs, _, err := store.NewRequestStore(h.DB).FindRequests(context.Background(), cordon.RequestFilter{})
			if err != nil {
				t.Fatal(err)
			}
			out := map[int64]int{}
			for _, r := range rs {
				if r.UnitID != nil && r.Category == cordon.CatFollowUp {
					out[*r.UnitID]++
				}
			}
			return out
		}
		for range 2 {
			if _, err := h.App.Sweeper.SweepOnce(context.Background()); err != nil {
				t.Fatalf("sweep: %v", err)
			}
		}
		got := requests()
		for _, u := range []*cordon.Unit{overdue, comms, agreed, elsewhere, soon, later, expired, paused, retired, noPlan} {
			want := 0
			switch u {
			case overdue, comms, agreed, elsewhere:
				want = 1
			}
			if got[u.ID] != want {
				t.Errorf("%s: %d follow-up requests after two sweeps, want %d", u.Serial, got[u.ID], want)
			}
		}
		if s := f.stored(agreed.ID); s.NextVisitDue == nil || !s.NextVisitDue.Equal(date(2027, 1, 10)) {
			t.Errorf("%s's next visit after the sweep: %v, want 2027-01-10", agreed.Serial, s.NextVisitDue)
		}
		if diff := cmp.Diff([]visit{vSoon}, calendar(cordon.CalendarFilter{SiteCity: testCity})); diff != "" {
			t.Errorf("calendar after the sweep (-want +got):\n%s", diff)
		}
	})
}
