package installbase_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
)

// TestUnitRules: a unit's dates, interval and serial; its first visit;
// transfers kept as history; a retired unit that no longer changes; its
// history, newest first.
func TestUnitRules(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		f := newFixture(t, h)
		c := f.customer("UR-C1")
		// The harness clock is 17:00 in China: 23:00 is still today, and
		// 20:00 UTC is tomorrow there.
		now := h.Clock.Now()
		lateToday := f.today.Add(23 * time.Hour)
		tomorrow := time.Date(now.Year(), now.Month(), now.Day(), 20, 0, 0, 0, time.UTC)
		for _, tc := range []struct {
			name  string
			edit  func(*cordon.NewUnit)
			code  string
			field string
		}{
			{"delivered today, late", func(u *cordon.NewUnit) { u.DeliveredOn = lateToday }, "", ""},
			{"delivered tomorrow in China", func(u *cordon.NewUnit) { u.DeliveredOn = tomorrow }, cordon.EINVALID, "delivered_on"},
			{"delivered next year", func(u *cordon.NewUnit) { u.DeliveredOn = date(2027, 1, 1); u.WarrantyEnd = date(2030, 1, 1) }, cordon.EINVALID, "delivered_on"},
			{"no delivery date", func(u *cordon.NewUnit) { u.DeliveredOn = time.Time{} }, cordon.EINVALID, "delivered_on"},
			{"no warranty end", func(u *cordon.NewUnit) { u.WarrantyEnd = time.Time{} }, cordon.EINVALID, "warranty_end"},
			{"warranty ends before delivery", func(u *cordon.NewUnit) { u.WarrantyEnd = date(2026, 3, 14) }, cordon.EINVALID, "warranty_end"},
			{"warranty ends on delivery", func(u *cordon.NewUnit) { u.WarrantyEnd = u.DeliveredOn }, "", ""},
			{"service ends before delivery", func(u *cordon.NewUnit) { u.ServiceEnd = ptr(date(2025, 1, 1)) }, cordon.EINVALID, "service_end"},
			{"interval below 0", func(u *cordon.NewUnit) { u.FollowUpMonths = -1 }, cordon.EINVALID, "follow_up_months"},
			{"interval above 60", func(u *cordon.NewUnit) { u.FollowUpMonths = 61 }, cordon.EINVALID, "follow_up_months"},
			{"interval of 60", func(u *cordon.NewUnit) { u.FollowUpMonths = 60 }, "", ""},
			{"no serial", func(u *cordon.NewUnit) { u.Serial = " " }, cordon.EINVALID, "serial"},
			{"no batch", func(u *cordon.NewUnit) { u.Batch = "" }, cordon.EINVALID, "batch"},
			{"unknown model", func(u *cordon.NewUnit) { u.ModelID = 1 << 40 }, cordon.EINVALID, "model_id"},
			{"unknown customer", func(u *cordon.NewUnit) { u.CustomerID = 1 << 40 }, cordon.EINVALID, "customer_id"},
		} {
			serial := "UR-" + tc.name
			_, err := call(f, "quality", func(ctx context.Context) (*cordon.Unit, error) {
				return f.svc.CreateUnit(ctx, f.newUnit(c, serial, tc.edit))
			})
			wantErr(t, tc.name, err, tc.code, tc.field)
		}

		// The first visit is the interval after delivery; no interval, no
		// visit; the site is the customer's city unless given.
		u := f.unit(c, "UR-0001", func(u *cordon.NewUnit) { u.DeliveredOn = date(2026, 3, 15).Add(20 * time.Hour) })
		if !u.DeliveredOn.Equal(date(2026, 3, 15)) || u.NextVisitDue == nil || !u.NextVisitDue.Equal(date(2026, 9, 15)) || u.SiteCity != testCity {
			t.Errorf("unit delivered %v, first visit %v, site %q; want 2026-03-15, 2026-09-15, %s", u.DeliveredOn, u.NextVisitDue, u.SiteCity, testCity)
		}
		none := f.unit(c, "UR-0002", func(u *cordon.NewUnit) { u.FollowUpMonths = 0; u.SiteCity = "Wuhu" })
		if none.NextVisitDue != nil || none.SiteCity != "Wuhu" {
			t.Errorf("unit without a plan: next visit %v, site %q; want none, Wuhu", none.NextVisitDue, none.SiteCity)
		}

		// A serial is unique within its model only.
		_, err := call(f, "quality", func(ctx context.Context) (*cordon.Unit, error) {
			return f.svc.CreateUnit(ctx, f.newUnit(c, "UR-0001", nil))
		})
		wantErr(t, "the model's serial again", err, cordon.ECONFLICT, "")
		f.unit(c, "UR-0001", func(u *cordon.NewUnit) { u.ModelID = f.comms.ID })

		// Updates check the dates as they will be.
		for _, up := range []struct {
			name  string
			up    cordon.UnitUpdate
			field string
		}{
			{"delivered in the future", cordon.UnitUpdate{DeliveredOn: ptr(date(2027, 1, 1))}, "delivered_on"},
			{"warranty before delivery", cordon.UnitUpdate{WarrantyEnd: ptr(date(2026, 1, 1))}, "warranty_end"},
			{"delivered after the warranty", cordon.UnitUpdate{DeliveredOn: ptr(date(2026, 10, 1)), WarrantyEnd: ptr(date(2026, 9, 1))}, "warranty_end"},
			{"blank batch", cordon.UnitUpdate{Batch: ptr(" ")}, "batch"},
			{"blank site", cordon.UnitUpdate{SiteCity: ptr("")}, "site_city"},
		} {
			_, err := call(f, "quality", func(ctx context.Context) (*cordon.Unit, error) { return f.svc.UpdateUnit(ctx, u.ID, up.up) })
			wantErr(t, "update: "+up.name, err, cordon.EINVALID, up.field)
		}
		upd := must(f, "update", func(ctx context.Context) (*cordon.Unit, error) {
			return f.svc.UpdateUnit(ctx, u.ID, cordon.UnitUpdate{Batch: ptr("B2026-04"), ServiceEnd: ptr(ptr(date(2031, 1, 1)))})
		})
		if upd.Batch != "B2026-04" || upd.ServiceEnd == nil || !upd.ServiceEnd.Equal(date(2031, 1, 1)) {
			t.Errorf("updated unit: batch %q, service end %v", upd.Batch, upd.ServiceEnd)
		}
		upd = must(f, "clear the service end", func(ctx context.Context) (*cordon.Unit, error) {
			return f.svc.UpdateUnit(ctx, u.ID, cordon.UnitUpdate{ServiceEnd: ptr((*time.Time)(nil))})
		})
		if upd.ServiceEnd != nil || f.stored(u.ID).ServiceEnd != nil {
			t.Errorf("service end not cleared: %v", upd.ServiceEnd)
		}

		// Transfers: a reason, another customer, history kept; the site
		// city moves when given.
		c2, c3 := f.customer("UR-C2"), f.customer("UR-C3")
		for _, tr := range []struct {
			name  string
			in    cordon.UnitTransferInput
			field string
		}{
			{"no reason", cordon.UnitTransferInput{CustomerID: c2.ID, Reason: " "}, "reason"},
			{"the same customer", cordon.UnitTransferInput{CustomerID: c.ID, Reason: "换防"}, "customer_id"},
			{"no such customer", cordon.UnitTransferInput{CustomerID: 1 << 40, Reason: "换防"}, "customer_id"},
		} {
			_, err := call(f, "quality", func(ctx context.Context) (*cordon.Unit, error) { return f.svc.TransferUnit(ctx, u.ID, tr.in) })
			wantErr(t, "transfer: "+tr.name, err, cordon.EINVALID, tr.field)
		}
		t1 := h.Clock.Now()
		moved := must(f, "transfer", func(ctx context.Context) (*cordon.Unit, error) {
			return f.svc.TransferUnit(ctx, u.ID, cordon.UnitTransferInput{CustomerID: c2.ID, SiteCity: "Wuhu", Reason: "换防"})
		})
		if moved.CustomerID != c2.ID || moved.SiteCity != "Wuhu" {
			t.Errorf("transferred unit: customer %d, site %q; want %d, Wuhu", moved.CustomerID, moved.SiteCity, c2.ID)
		}
		h.Clock.Add(time.Hour)
		t2 := h.Clock.Now()
		moved = must(f, "transfer again", func(ctx context.Context) (*cordon.Unit, error) {
			return f.svc.TransferUnit(ctx, u.ID, cordon.UnitTransferInput{CustomerID: c3.ID, Reason: "调拨"})
		})
		if s := f.stored(u.ID); s.CustomerID != c3.ID || s.SiteCity != "Wuhu" {
			t.Errorf("stored after the second transfer: customer %d, site %q; want %d, Wuhu kept", s.CustomerID, s.SiteCity, c3.ID)
		}
		ts := must(f, "transfers", func(ctx context.Context) ([]*cordon.UnitTransfer, error) { return f.svc.UnitTransfers(ctx, u.ID) })
		type move struct {
			From, To         int64
			FromCity, ToCity string
			Reason           string
		}
		var got []move
		for _, x := range ts {
			got = append(got, move{x.FromCustomerID, x.ToCustomerID, x.FromSiteCity, x.ToSiteCity, x.Reason})
		}
		if diff := cmp.Diff([]move{{c2.ID, c3.ID, "Wuhu", "Wuhu", "调拨"}, {c.ID, c2.ID, testCity, "Wuhu", "换防"}}, got); diff != "" {
			t.Errorf("transfers, newest first (-want +got):\n%s", diff)
		}

		// Retired: nothing about it changes any more.
		h.Clock.Add(time.Hour)
		_, err = call(f, "quality", func(ctx context.Context) (*cordon.Unit, error) { return f.svc.RetireUnit(ctx, u.ID, "  ") })
		wantErr(t, "retire without a reason", err, cordon.EINVALID, "reason")
		t3 := h.Clock.Now()
		must(f, "retire", func(ctx context.Context) (*cordon.Unit, error) { return f.svc.RetireUnit(ctx, u.ID, "雷击报废") })
		for name, fn := range map[string]func(ctx context.Context) error{
			"update": func(ctx context.Context) error {
				_, err := f.svc.UpdateUnit(ctx, u.ID, cordon.UnitUpdate{Batch: ptr("X")})
				return err
			},
			"transfer": func(ctx context.Context) error {
				_, err := f.svc.TransferUnit(ctx, u.ID, cordon.UnitTransferInput{CustomerID: c.ID, Reason: "back"})
				return err
			},
			"milestone": func(ctx context.Context) error {
				_, err := f.svc.RecordMilestone(ctx, u.ID, cordon.MilestoneInput{Kind: cordon.MilestoneInstalled, On: f.today})
				return err
			},
			"follow-up": func(ctx context.Context) error {
				_, err := f.svc.UpdateFollowUp(ctx, u.ID, cordon.FollowUpUpdate{Months: ptr(3)})
				return err
			},
			"retire again": func(ctx context.Context) error { _, err := f.svc.RetireUnit(ctx, u.ID, "again"); return err },
		} {
			wantErr(t, name+" of a retired unit", f.as("quality", fn), cordon.ECONFLICT, "")
		}
		if s := f.stored(u.ID); s.CustomerID != c3.ID || s.Batch != "B2026-04" || s.RetireReason != "雷击报废" {
			t.Errorf("a retired unit changed: %+v", s)
		}

		hist := must(f, "history", func(ctx context.Context) ([]*cordon.HistoryEntry, error) { return f.svc.UnitHistory(ctx, u.ID) })
		type line struct {
			Kind    cordon.HistoryKind
			Summary string
		}
		var lines []line
		for i, e := range hist {
			lines = append(lines, line{e.Kind, e.Summary})
			if i > 0 && e.At.After(hist[i-1].At) {
				t.Errorf("history not newest first: %v after %v", e.At, hist[i-1].At)
			}
		}
		want := []line{{cordon.HistoryRetired, "雷击报废"}, {cordon.HistoryTransfer, "调拨"}, {cordon.HistoryTransfer, "换防"}}
		if diff := cmp.Diff(want, lines); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
		if len(hist) == 3 && (!hist[0].At.Equal(t3) || !hist[1].At.Equal(t2) || !hist[2].At.Equal(t1)) {
			t.Errorf("history times %v %v %v, want %v %v %v", hist[0].At, hist[1].At, hist[2].At, t3, t2, t1)
		}
	})
}
