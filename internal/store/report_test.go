package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

func TestReportRoundTrip(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		r := newRequest(t, db, f)
		j := &cordon.Job{RequestID: r.ID, AssigneeID: &f.engineer.ID, Status: cordon.JobResolved}
		if err := store.NewJobStore(db).CreateJob(ctx, j, nil); err != nil {
			t.Fatal(err)
		}
		reports := store.NewReportStore(db)
		signed := time.Date(2026, 6, 2, 15, 0, 0, 0, time.UTC)
		rep := &cordon.ServiceReport{
			JobID: j.ID, Actions: "更换电源模块，复测正常", PartsUsed: "PM-48V ×1", RootCause: cordon.CauseComponent,
			SignoffName: "值班员 张某", SignoffAt: &signed, CreatedBy: f.engineer.ID, CreatedAt: signed,
		}
		if err := reports.CreateReport(ctx, rep); err != nil {
			t.Fatal(err)
		}
		got, err := reports.FindReportByID(ctx, rep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(rep, got); diff != "" {
			t.Errorf("FindReportByID mismatch (-want +got):\n%s", diff)
		}
		if _, err := reports.FindReportByID(ctx, 9999); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("missing: got %v, want not found", err)
		}
		for _, tc := range []struct {
			field string
			r     cordon.ServiceReport
		}{
			{"root_cause", cordon.ServiceReport{JobID: j.ID, Actions: "x", RootCause: "gremlins", CreatedBy: f.engineer.ID}},
			{"actions", cordon.ServiceReport{JobID: j.ID, RootCause: cordon.CauseUnknown, CreatedBy: f.engineer.ID}},
		} {
			err := reports.CreateReport(ctx, &tc.r)
			if e := cordon.AsError(err); e == nil || e.Code != cordon.EINVALID || e.Field != tc.field {
				t.Errorf("bad %s: got %v, want invalid naming %s", tc.field, err, tc.field)
			}
		}
		if err := reports.CreateReport(ctx, &cordon.ServiceReport{JobID: 9999, Actions: "x", RootCause: cordon.CauseUnknown, CreatedBy: f.engineer.ID}); cordon.ErrorCode(err) != cordon.EINVALID {
			t.Errorf("report of a missing job: got %v, want invalid", err)
		}
	})
}
