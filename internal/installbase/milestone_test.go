package installbase_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// TestMilestoneOrder: each milestone once, never one before a later one,
// commissioning, acceptance and training only after installation, no
// date before the milestone before it; shipping and arrival may be
// skipped.
func TestMilestoneOrder(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		f := newFixture(t, h)
		c := f.customer("MO-C1")
		type ms struct {
			kind cordon.MilestoneKind
			on   time.Time
		}
		d := func(m time.Month, dd int) time.Time { return date(2026, m, dd) }
		shipped, arrived, installed := cordon.MilestoneShipped, cordon.MilestoneArrived, cordon.MilestoneInstalled
		commissioned, accepted, trained := cordon.MilestoneCommissioned, cordon.MilestoneAccepted, cordon.MilestoneTrained
		for i, tc := range []struct {
			name  string
			have  []ms
			next  ms
			code  string
			field string
		}{
			{"shipped first", nil, ms{shipped, d(3, 1)}, "", ""},
			{"installed first", nil, ms{installed, d(3, 20)}, "", ""},
			{"all in order", []ms{{shipped, d(3, 1)}, {arrived, d(3, 10)}, {installed, d(3, 20)}, {commissioned, d(3, 25)}, {accepted, d(4, 1)}}, ms{trained, d(4, 1)}, "", ""},
			{"accepted without installed", []ms{{shipped, d(3, 1)}, {arrived, d(3, 10)}}, ms{accepted, d(4, 1)}, cordon.ECONFLICT, ""},
			{"commissioned without installed", nil, ms{commissioned, d(4, 1)}, cordon.ECONFLICT, ""},
			{"trained without installed", []ms{{arrived, d(3, 10)}}, ms{trained, d(4, 1)}, cordon.ECONFLICT, ""},
			{"accepted after installed, commissioning skipped", []ms{{installed, d(3, 20)}}, ms{accepted, d(3, 20)}, "", ""},
			{"installed twice", []ms{{installed, d(3, 20)}}, ms{installed, d(3, 21)}, cordon.ECONFLICT, ""},
			{"arrived after installed", []ms{{installed, d(3, 20)}}, ms{arrived, d(3, 21)}, cordon.ECONFLICT, ""},
			{"shipped after accepted", []ms{{installed, d(3, 20)}, {accepted, d(4, 1)}}, ms{shipped, d(4, 2)}, cordon.ECONFLICT, ""},
			{"commissioned after accepted", []ms{{installed, d(3, 20)}, {accepted, d(4, 1)}}, ms{commissioned, d(4, 2)}, cordon.ECONFLICT, ""},
			{"installed before arrived", []ms{{arrived, d(3, 10)}}, ms{installed, d(3, 9)}, cordon.EINVALID, "on"},
			{"trained before shipped", []ms{{shipped, d(3, 1)}, {installed, d(3, 20)}}, ms{trained, d(2, 28)}, cordon.EINVALID, "on"},
			{"the same day as the one before", []ms{{arrived, d(3, 10)}}, ms{installed, d(3, 10)}, "", ""},
			{"in the future", nil, ms{installed, f.today.AddDate(0, 0, 1)}, cordon.EINVALID, "on"},
			{"today", nil, ms{installed, f.today}, "", ""},
			{"no date", nil, ms{installed, time.Time{}}, cordon.EINVALID, "on"},
			{"unknown kind", nil, ms{"painted", d(3, 1)}, cordon.EINVALID, "kind"},
		} {
			u := f.unit(c, fmt.Sprintf("MO-%04d", i), nil)
			for _, m := range tc.have {
				must(f, tc.name+": record "+string(m.kind), func(ctx context.Context) (*cordon.Milestone, error) {
					return f.svc.RecordMilestone(ctx, u.ID, cordon.MilestoneInput{Kind: m.kind, On: m.on})
				})
			}
			got, err := call(f, "quality", func(ctx context.Context) (*cordon.Milestone, error) {
				return f.svc.RecordMilestone(ctx, u.ID, cordon.MilestoneInput{Kind: tc.next.kind, On: tc.next.on, Note: " 备注 "})
			})
			wantErr(t, tc.name, err, tc.code, tc.field)
			if err == nil && (got.Kind != tc.next.kind || !got.On.Equal(tc.next.on) || got.Note != "备注" || got.JobID != nil) {
				t.Errorf("%s: recorded %+v", tc.name, got)
			}
			list := must(f, "milestones", func(ctx context.Context) ([]*cordon.Milestone, error) { return f.svc.UnitMilestones(ctx, u.ID) })
			want := len(tc.have)
			if err == nil {
				want++
			}
			if len(list) != want {
				t.Errorf("%s: %d milestones, want %d", tc.name, len(list), want)
			}
		}
	})
}

// TestJobMilestones: a verified installation job records the unit's
// installation with the job and the day it was resolved; a job of
// another kind, a job without a unit, a milestone the unit has or one out
// of order record nothing, and verification never fails for them.
func TestJobMilestones(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		f := newFixture(t, h)
		c := f.customer("JM-C1")
		// Hefei's radars are what the hefei partner's contract covers.
		inHefei := func(u *cordon.NewUnit) { u.SiteCity = "Hefei" }
		u := f.unit(c, "JM-0001", inHefei)
		milestones := func(unit *cordon.Unit) []*cordon.Milestone {
			t.Helper()
			ms, err := store.NewCatalogStore(h.DB).FindMilestones(context.Background(), unit.ID)
			if err != nil {
				t.Fatal(err)
			}
			return ms
		}
		verified := func(in cordon.Intake) *cordon.Job {
			t.Helper()
			in.Priority, in.Description = cordon.P3, "按合同安装调试。"
			var req *cordon.ServiceRequest
			err := f.as("dispatcher", func(ctx context.Context) (err error) {
				req, err = h.App.Dispatcher.CreateRequest(ctx, in)
				return err
			})
			if err != nil {
				t.Fatalf("intake: %v", err)
			}
			var job *cordon.Job
			if err := f.as("dispatcher", func(ctx context.Context) (err error) {
				job, err = h.App.Dispatcher.Dispatch(ctx, req.ID, cordon.DispatchTarget{Auto: true})
				return err
			}); err != nil {
				t.Fatalf("dispatch: %v", err)
			}
			for _, to := range []cordon.JobStatus{cordon.JobAccepted, cordon.JobEnRoute, cordon.JobOnSite, cordon.JobResolved} {
				if to == cordon.JobResolved {
					tok, _ := h.Login("hefei.tech")
					h.FillChecklist(tok, job.ID) // installation and commissioning have checklists
				}
				if err := f.as("hefei.tech", func(ctx context.Context) error {
					_, err := h.App.Dispatcher.MoveJob(ctx, job.ID, cordon.JobMove{To: to})
					return err
				}); err != nil {
					t.Fatalf("job %d → %s: %v", job.ID, to, err)
				}
			}
			// Verified the next day: the milestone is the day of the work.
			h.Clock.Add(24 * time.Hour)
			if err := f.as("quality", func(ctx context.Context) (err error) {
				job, err = h.App.Dispatcher.MoveJob(ctx, job.ID, cordon.JobMove{To: cordon.JobVerified})
				return err
			}); err != nil {
				t.Fatalf("verify job %d: %v", job.ID, err)
			}
			return job
		}

		verified(cordon.Intake{UnitID: &u.ID, Category: cordon.CatFault})
		if ms := milestones(u); len(ms) != 0 {
			t.Errorf("a verified fault job recorded %s", ms[0].Kind)
		}

		resolvedOn := day(h.Clock.Now())
		job := verified(cordon.Intake{UnitID: &u.ID, Category: cordon.CatInstallation})
		type milestone struct {
			Kind cordon.MilestoneKind
			On   time.Time
			Job  int64
		}
		got := func(unit *cordon.Unit) []milestone {
			var out []milestone
			for _, m := range milestones(unit) {
				var id int64
				if m.JobID != nil {
					id = *m.JobID
				}
				out = append(out, milestone{m.Kind, m.On, id})
			}
			return out
		}
		want := []milestone{{cordon.MilestoneInstalled, resolvedOn, job.ID}}
		if diff := cmp.Diff(want, got(u)); diff != "" {
			t.Errorf("after a verified installation (-want +got):\n%s", diff)
		}

		// A second installation job verified: no failure, nothing new.
		verified(cordon.Intake{UnitID: &u.ID, Category: cordon.CatInstallation})
		if err := f.as("quality", func(ctx context.Context) error { return f.svc.RecordJobMilestone(ctx, job) }); err != nil {
			t.Errorf("the same job's milestone again: %v", err)
		}
		if diff := cmp.Diff(want, got(u)); diff != "" {
			t.Errorf("after a second installation (-want +got):\n%s", diff)
		}

		// Commissioning before installation is left alone.
		u2 := f.unit(c, "JM-0002", inHefei)
		verified(cordon.Intake{UnitID: &u2.ID, Category: cordon.CatCommissioning})
		if ms := got(u2); len(ms) != 0 {
			t.Errorf("a commissioning before installation recorded %+v", ms)
		}

		// An installation job without a unit.
		job = verified(cordon.Intake{CustomerID: &c.ID, ModelID: &f.radar.ID, SiteCity: "Hefei", Category: cordon.CatInstallation})
		if job.Request == nil || job.Request.UnitID != nil {
			t.Fatalf("job %d has a unit", job.ID)
		}
		if ms := got(u2); len(ms) != 0 {
			t.Errorf("a job without a unit recorded %+v", ms)
		}
	})
}
