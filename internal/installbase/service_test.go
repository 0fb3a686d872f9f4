package installbase_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/app"
	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/installbase"
	"github.com/cordon/cordon/internal/store"
)

// The installed-base service on the wired application's stores and demo
// world, on SQLite and PostgreSQL, called as a request calls it: a demo
// user's actor in the context, inside its scoped transaction, one call a
// transaction (an error rolls it back, as it does a request's).

func TestMain(m *testing.M) { apptest.Main(m) }

// fixture is a harness with the service and what the tests build on: two
// models of different product lines, and the city their customers are in
// (no demo customer is there, so lists and calendars hold only ours).
type fixture struct {
	t     *testing.T
	h     *apptest.Harness
	svc   *installbase.Service
	radar *cordon.Model // RD-200
	comms *cordon.Model // CM-10
	today time.Time     // the harness clock's day in China
	// actors are the demo users logged in once each: a login a call
	// would meet the login rate limit.
	actors map[string]*cordon.Actor
}

const testCity = "Bengbu"

func newFixture(t *testing.T, h *apptest.Harness) *fixture {
	t.Helper()
	f := &fixture{t: t, h: h, svc: app.NewInstalledBase(h.DB, h.Clock.Now), actors: map[string]*cordon.Actor{}}
	models, err := store.NewCatalogStore(h.DB).FindModels(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range models {
		switch m.Code {
		case "RD-200":
			f.radar = m
		case "CM-10":
			f.comms = m
		}
	}
	if f.radar == nil || f.comms == nil {
		t.Fatal("the demo world has no RD-200 or CM-10")
	}
	f.today = day(h.Clock.Now())
	return f
}

// as runs fn as a demo user would reach a service through a request, as
// apptest's Harness.As does: the user's actor in the context, inside the
// scoped transaction.
func (f *fixture) as(user string, fn func(ctx context.Context) error) error {
	f.t.Helper()
	a := f.actors[user]
	if a == nil {
		tok, _ := f.h.Login(user)
		var err error
		if a, err = f.h.App.Auth.Authenticate(context.Background(), tok); err != nil {
			f.t.Fatalf("authenticate %s: %v", user, err)
		}
		f.actors[user] = a
	}
	return f.h.DB.InScope(cordon.NewContextWithActor(context.Background(), a), a, fn)
}

// call runs fn as user the way one request would and returns what it
// returns.
func call[T any](f *fixture, user string, fn func(ctx context.Context) (T, error)) (T, error) {
	f.t.Helper()
	var out T
	err := f.as(user, func(ctx context.Context) (err error) {
		out, err = fn(ctx)
		return err
	})
	return out, err
}

// must is call as quality, failing the test on an error.
func must[T any](f *fixture, what string, fn func(ctx context.Context) (T, error)) T {
	f.t.Helper()
	out, err := call(f, "quality", fn)
	if err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
	return out
}

// customer registers a customer in testCity.
func (f *fixture) customer(code string) *cordon.Customer {
	f.t.Helper()
	return must(f, "create customer "+code, func(ctx context.Context) (*cordon.Customer, error) {
		return f.svc.CreateCustomer(ctx, cordon.NewCustomer{Code: code, City: testCity,
			Identity: cordon.CustomerIdentity{Name: "客户" + code, UnitDesignation: code + " 部队", ContactPerson: "王工", Phone: "0552-62345678"}})
	})
}

// newUnit is a radar delivered on 2026-03-15 to c, under warranty to
// 2029, visited every 6 months; edit changes it.
func (f *fixture) newUnit(c *cordon.Customer, serial string, edit func(*cordon.NewUnit)) cordon.NewUnit {
	in := cordon.NewUnit{ModelID: f.radar.ID, CustomerID: c.ID, Serial: serial, Batch: "B2026-03",
		DeliveredOn: date(2026, 3, 15), WarrantyEnd: date(2029, 3, 15), FollowUpMonths: 6}
	if edit != nil {
		edit(&in)
	}
	return in
}

// unit registers the unit newUnit makes.
func (f *fixture) unit(c *cordon.Customer, serial string, edit func(*cordon.NewUnit)) *cordon.Unit {
	f.t.Helper()
	in := f.newUnit(c, serial, edit)
	return must(f, "create unit "+serial, func(ctx context.Context) (*cordon.Unit, error) { return f.svc.CreateUnit(ctx, in) })
}

// stored reads a unit straight from the store.
func (f *fixture) stored(id int64) *cordon.Unit {
	f.t.Helper()
	u, err := store.NewCatalogStore(f.h.DB).FindUnitByID(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

// customerEvents are the access log's events about customer id.
func (f *fixture) customerEvents(id int64, action string) []*cordon.AccessEvent {
	f.t.Helper()
	res, rid := cordon.ResCustomer, fmt.Sprint(id)
	return f.h.AccessEvents(cordon.AccessEventFilter{Resource: &res, ResourceID: &rid, Action: &action})
}

// day is the start of t's day in China.
func day(t time.Time) time.Time {
	t = t.In(cordon.ChinaTime)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, cordon.ChinaTime)
}

// date is a day in China.
func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, cordon.ChinaTime)
}

func ptr[T any](v T) *T { return &v }

// wantErr checks err's code and, for EINVALID, the field it names.
func wantErr(t *testing.T, what string, err error, code, field string) {
	t.Helper()
	if got := cordon.ErrorCode(err); got != code {
		t.Errorf("%s: got %v, want %s", what, err, code)
		return
	}
	if e := cordon.AsError(err); field != "" && (e == nil || e.Field != field) {
		t.Errorf("%s: got %v, want %s naming %q", what, err, code, field)
	}
}

// TestOnlyTheInstitute: partners reach no method (ENOTFOUND, as if
// nothing existed), a caller without an actor none (EUNAUTHENTICATED),
// and neither changes anything.
func TestOnlyTheInstitute(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		f := newFixture(t, h)
		c := f.customer("OI-C1")
		other := f.customer("OI-C2")
		u := f.unit(c, "OI-0001", nil)
		beforeUnit, beforeCustomer := f.stored(u.ID), must(f, "find customer", func(ctx context.Context) (*cordon.Customer, error) {
			return f.svc.FindCustomerByID(ctx, c.ID)
		})
		job := &cordon.Job{ID: 1, Request: &cordon.ServiceRequest{UnitID: &u.ID, Category: cordon.CatInstallation}}
		sheet := importSheet(importRow("OI-C3", "OI-0002", nil))
		methods := []struct {
			name string
			call func(ctx context.Context) error
		}{
			{"FindCustomers", func(ctx context.Context) error {
				_, _, err := f.svc.FindCustomers(ctx, cordon.CustomerFilter{})
				return err
			}},
			{"FindCustomerByID", func(ctx context.Context) error { _, err := f.svc.FindCustomerByID(ctx, c.ID); return err }},
			{"CreateCustomer", func(ctx context.Context) error {
				_, err := f.svc.CreateCustomer(ctx, cordon.NewCustomer{Code: "OI-X", City: testCity, Identity: cordon.CustomerIdentity{Name: "x"}})
				return err
			}},
			{"UpdateCustomer", func(ctx context.Context) error {
				_, err := f.svc.UpdateCustomer(ctx, c.ID, cordon.CustomerUpdate{Phone: ptr("13912345678")})
				return err
			}},
			{"SetCustomerActive", func(ctx context.Context) error { _, err := f.svc.SetCustomerActive(ctx, c.ID, false); return err }},
			{"FindUnits", func(ctx context.Context) error { _, _, err := f.svc.FindUnits(ctx, cordon.UnitFilter{}); return err }},
			{"FindUnitByID", func(ctx context.Context) error { _, err := f.svc.FindUnitByID(ctx, u.ID); return err }},
			{"CreateUnit", func(ctx context.Context) error {
				_, err := f.svc.CreateUnit(ctx, f.newUnit(c, "OI-0003", nil))
				return err
			}},
			{"UpdateUnit", func(ctx context.Context) error {
				_, err := f.svc.UpdateUnit(ctx, u.ID, cordon.UnitUpdate{Batch: ptr("X")})
				return err
			}},
			{"TransferUnit", func(ctx context.Context) error {
				_, err := f.svc.TransferUnit(ctx, u.ID, cordon.UnitTransferInput{CustomerID: other.ID, Reason: "moved"})
				return err
			}},
			{"RetireUnit", func(ctx context.Context) error { _, err := f.svc.RetireUnit(ctx, u.ID, "scrapped"); return err }},
			{"UnitTransfers", func(ctx context.Context) error { _, err := f.svc.UnitTransfers(ctx, u.ID); return err }},
			{"RecordMilestone", func(ctx context.Context) error {
				_, err := f.svc.RecordMilestone(ctx, u.ID, cordon.MilestoneInput{Kind: cordon.MilestoneInstalled, On: f.today})
				return err
			}},
			{"RecordJobMilestone", func(ctx context.Context) error { return f.svc.RecordJobMilestone(ctx, job) }},
			{"UnitMilestones", func(ctx context.Context) error { _, err := f.svc.UnitMilestones(ctx, u.ID); return err }},
			{"StuckUnits", func(ctx context.Context) error { _, err := f.svc.StuckUnits(ctx, 30*24*time.Hour, 10); return err }},
			{"UnitHistory", func(ctx context.Context) error { _, err := f.svc.UnitHistory(ctx, u.ID); return err }},
			{"UpdateFollowUp", func(ctx context.Context) error {
				_, err := f.svc.UpdateFollowUp(ctx, u.ID, cordon.FollowUpUpdate{Pause: ptr("why not")})
				return err
			}},
			{"VisitCalendar", func(ctx context.Context) error {
				_, err := f.svc.VisitCalendar(ctx, cordon.CalendarFilter{})
				return err
			}},
			{"ImportUnits", func(ctx context.Context) error { _, err := f.svc.ImportUnits(ctx, sheet, false); return err }},
			{"ExportUnits", func(ctx context.Context) error { _, err := f.svc.ExportUnits(ctx, cordon.UnitFilter{}); return err }},
		}
		for _, m := range methods {
			for _, user := range []string{"hefei.admin", "wuhan.tech"} {
				err := f.as(user, m.call)
				if got := cordon.ErrorCode(err); got != cordon.ENOTFOUND {
					t.Errorf("LEAK: %s %s: got %v, want %s", user, m.name, err, cordon.ENOTFOUND)
				}
			}
			if got := cordon.ErrorCode(m.call(context.Background())); got != cordon.EUNAUTHENTICATED {
				t.Errorf("anonymous %s: got %q, want %s", m.name, got, cordon.EUNAUTHENTICATED)
			}
		}
		if diff := cmp.Diff(beforeUnit, f.stored(u.ID)); diff != "" {
			t.Errorf("partners changed the unit (-before +after):\n%s", diff)
		}
		after := must(f, "find customer", func(ctx context.Context) (*cordon.Customer, error) { return f.svc.FindCustomerByID(ctx, c.ID) })
		if diff := cmp.Diff(beforeCustomer, after); diff != "" {
			t.Errorf("partners changed the customer (-before +after):\n%s", diff)
		}
		ms, _ := store.NewCatalogStore(h.DB).FindMilestones(context.Background(), u.ID)
		if len(ms) != 0 {
			t.Errorf("partners recorded milestones: %+v", ms[0])
		}
		if cs, _ := store.NewCustomerStore(h.DB).FindCustomersByCode(context.Background(), []string{"OI-X", "OI-C3"}); len(cs) != 0 {
			t.Errorf("partners created customers: %v", cs)
		}
	})
}

// TestCustomerRules: what a customer needs, how its changes are logged,
// and what deactivation stops.
func TestCustomerRules(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		f := newFixture(t, h)
		for _, c := range []struct {
			name   string
			in     cordon.NewCustomer
			code   string
			field  string
			phone  string // as stored, when created
			stored string
		}{
			{"no name", cordon.NewCustomer{Code: "CR-1", City: testCity}, cordon.EINVALID, "name", "", ""},
			{"blank name", cordon.NewCustomer{Code: "CR-1", City: testCity, Identity: cordon.CustomerIdentity{Name: "  "}}, cordon.EINVALID, "name", "", ""},
			{"name too long", cordon.NewCustomer{Code: "CR-1", City: testCity, Identity: cordon.CustomerIdentity{Name: strings.Repeat("名", 201)}}, cordon.EINVALID, "name", "", ""},
			{"no code", cordon.NewCustomer{City: testCity, Identity: cordon.CustomerIdentity{Name: "某部"}}, cordon.EINVALID, "code", "", ""},
			{"no city", cordon.NewCustomer{Code: "CR-1", Identity: cordon.CustomerIdentity{Name: "某部"}}, cordon.EINVALID, "city", "", ""},
			{"phone with letters", cordon.NewCustomer{Code: "CR-1", City: testCity, Identity: cordon.CustomerIdentity{Name: "某部", Phone: "call me"}}, cordon.EINVALID, "phone", "", ""},
			{"phone too short", cordon.NewCustomer{Code: "CR-1", City: testCity, Identity: cordon.CustomerIdentity{Name: "某部", Phone: "1234"}}, cordon.EINVALID, "phone", "", ""},
			{"phone with a letter among digits", cordon.NewCustomer{Code: "CR-1", City: testCity, Identity: cordon.CustomerIdentity{Name: "某部", Phone: "0551-6234x5678"}}, cordon.EINVALID, "phone", "", ""},
			{"landline with extension", cordon.NewCustomer{Code: "CR-2", City: testCity, Identity: cordon.CustomerIdentity{Name: "某部", Phone: " (0551) 6234-5678 转 12 "}}, "", "", "", "(0551) 6234-5678 转 12"},
			{"mobile", cordon.NewCustomer{Code: "CR-3", City: testCity, Identity: cordon.CustomerIdentity{Name: "某部", Phone: "+86 139 1234 5678"}}, "", "", "", "+86 139 1234 5678"},
			{"no phone", cordon.NewCustomer{Code: "CR-4", City: testCity, Identity: cordon.CustomerIdentity{Name: "  某部  "}}, "", "", "", ""},
		} {
			got, err := call(f, "quality", func(ctx context.Context) (*cordon.Customer, error) { return f.svc.CreateCustomer(ctx, c.in) })
			wantErr(t, c.name, err, c.code, c.field)
			if err == nil && (got.Identity.Phone != c.stored || got.Identity.Name != "某部") {
				t.Errorf("%s: stored name %q phone %q, want 某部 and %q", c.name, got.Identity.Name, got.Identity.Phone, c.stored)
			}
		}
		_, err := call(f, "quality", func(ctx context.Context) (*cordon.Customer, error) {
			return f.svc.CreateCustomer(ctx, cordon.NewCustomer{Code: "CR-2", City: testCity, Identity: cordon.CustomerIdentity{Name: "又一个"}})
		})
		wantErr(t, "a taken code", err, cordon.ECONFLICT, "")

		// An update: checked as it will be, logged by field name only.
		c := f.customer("CR-5")
		for _, u := range []struct {
			name  string
			up    cordon.CustomerUpdate
			field string
		}{
			{"blank name", cordon.CustomerUpdate{Name: ptr(" ")}, "name"},
			{"bad phone", cordon.CustomerUpdate{Phone: ptr("ext. 5")}, "phone"},
			{"blank city", cordon.CustomerUpdate{City: ptr("")}, "city"},
		} {
			_, err := call(f, "quality", func(ctx context.Context) (*cordon.Customer, error) { return f.svc.UpdateCustomer(ctx, c.ID, u.up) })
			wantErr(t, "update with "+u.name, err, cordon.EINVALID, u.field)
		}
		_, err = call(f, "quality", func(ctx context.Context) (*cordon.Customer, error) {
			return f.svc.UpdateCustomer(ctx, 1<<40, cordon.CustomerUpdate{Phone: ptr("13912345678")})
		})
		wantErr(t, "update of no customer", err, cordon.ENOTFOUND, "")
		// The name given again as it is, the phone changed: one event, naming the phone.
		got := must(f, "update", func(ctx context.Context) (*cordon.Customer, error) {
			return f.svc.UpdateCustomer(ctx, c.ID, cordon.CustomerUpdate{Name: ptr(c.Identity.Name), Phone: ptr(" 13987654321 ")})
		})
		if got.Identity.Phone != "13987654321" || got.Identity.Name != c.Identity.Name {
			t.Errorf("updated identity %+v, want the phone trimmed and the name kept", got.Identity)
		}
		must(f, "update nothing", func(ctx context.Context) (*cordon.Customer, error) {
			return f.svc.UpdateCustomer(ctx, c.ID, cordon.CustomerUpdate{Phone: ptr("13987654321"), SiteAddress: ptr("")})
		})
		must(f, "update the city and the address", func(ctx context.Context) (*cordon.Customer, error) {
			return f.svc.UpdateCustomer(ctx, c.ID, cordon.CustomerUpdate{City: ptr("Wuhu"), SiteAddress: ptr("芜湖市镜湖区 1 号")})
		})
		var fields [][]string
		for _, e := range f.customerEvents(c.ID, cordon.ActUpdate) {
			fields = append(fields, e.Fields)
			for _, v := range []string{"13987654321", "芜湖", "Wuhu", c.Identity.Name} {
				if strings.Contains(e.Purpose, v) || slices.Contains(e.Fields, v) {
					t.Errorf("an update event carries the value %q: %+v", v, e)
				}
			}
		}
		slices.SortFunc(fields, func(a, b []string) int { return len(a) - len(b) })
		if diff := cmp.Diff([][]string{{"phone"}, {"city", "site_address"}}, fields); diff != "" {
			t.Errorf("update events' fields (-want +got):\n%s", diff)
		}

		// Deactivated: no new unit, no transfer to it; reactivated: both.
		other := f.customer("CR-6")
		u := f.unit(other, "CR-0001", nil)
		off := must(f, "deactivate", func(ctx context.Context) (*cordon.Customer, error) { return f.svc.SetCustomerActive(ctx, c.ID, false) })
		if off.Active() {
			t.Fatalf("deactivated customer is active: %+v", off)
		}
		_, err = call(f, "quality", func(ctx context.Context) (*cordon.Unit, error) {
			return f.svc.CreateUnit(ctx, f.newUnit(c, "CR-0002", nil))
		})
		wantErr(t, "a unit for a deactivated customer", err, cordon.EINVALID, "customer_id")
		transfer := func(ctx context.Context) (*cordon.Unit, error) {
			return f.svc.TransferUnit(ctx, u.ID, cordon.UnitTransferInput{CustomerID: c.ID, Reason: "换防"})
		}
		_, err = call(f, "quality", transfer)
		wantErr(t, "a transfer to a deactivated customer", err, cordon.EINVALID, "customer_id")
		if e := cordon.AsError(err); e == nil || e.Key != "installed.customer_deactivated" {
			t.Errorf("transfer to a deactivated customer: %v, want installed.customer_deactivated", err)
		}
		listed := must(f, "list", func(ctx context.Context) ([]*cordon.Customer, error) {
			cs, _, err := f.svc.FindCustomers(ctx, cordon.CustomerFilter{Query: "CR-5"})
			return cs, err
		})
		if len(listed) != 0 {
			t.Errorf("a deactivated customer is listed without Inactive: %+v", listed[0])
		}
		if on := must(f, "reactivate", func(ctx context.Context) (*cordon.Customer, error) { return f.svc.SetCustomerActive(ctx, c.ID, true) }); !on.Active() {
			t.Errorf("reactivated customer is not active: %+v", on)
		}
		must(f, "a unit after reactivation", func(ctx context.Context) (*cordon.Unit, error) {
			return f.svc.CreateUnit(ctx, f.newUnit(c, "CR-0002", nil))
		})
		moved := must(f, "a transfer after reactivation", transfer)
		if moved.CustomerID != c.ID {
			t.Errorf("transferred unit belongs to %d, want %d", moved.CustomerID, c.ID)
		}
		if evs := f.customerEvents(c.ID, cordon.ActManage); len(evs) != 2 || !slices.Equal(evs[0].Fields, []string{"active"}) {
			t.Errorf("de- and reactivation events: %+v, want two naming active", evs)
		}
		_, err = call(f, "quality", func(ctx context.Context) (*cordon.Customer, error) { return f.svc.SetCustomerActive(ctx, 1<<40, false) })
		wantErr(t, "deactivate no customer", err, cordon.ENOTFOUND, "")
	})
}
