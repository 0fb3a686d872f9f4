package dispatch_test

import (
	"context"
	"slices"
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
)

// TestJobActions: what a job page offers each caller follows the job's
// status, the caller's roles and its place in the job, from the one
// service the page calls; outside scope the job does not exist.
func TestJobActions(t *testing.T) {
	apptest.Each(t, func(t *testing.T, h *apptest.Harness) {
		req := intake(t, h, h.UnitIn("Hefei", "radar"), cordon.CatFault, cordon.P2)
		admin, _ := h.Login("contracts")
		hefei := h.PartnerIDs(admin)["hefei"]
		job, err := dispatch(h, req.ID, cordon.DispatchTarget{PartnerID: hefei})
		if err != nil {
			t.Fatalf("offer: %v", err)
		}
		actions := func(user string) *cordon.JobActions {
			t.Helper()
			var acts *cordon.JobActions
			if err := h.As(user, func(ctx context.Context) (err error) {
				acts, err = h.App.Dispatcher.JobActions(ctx, job.ID)
				return err
			}); err != nil {
				t.Fatalf("%s: %v", user, err)
			}
			return acts
		}
		move := func(user string, to cordon.JobStatus) {
			t.Helper()
			if err := h.As(user, func(ctx context.Context) error {
				_, err := h.App.Dispatcher.MoveJob(ctx, job.ID, cordon.JobMove{To: to})
				return err
			}); err != nil {
				t.Fatalf("%s moves to %s: %v", user, to, err)
			}
		}

		// Offered: the partner may accept or decline, nothing else yet.
		if a := actions("hefei.tech"); !a.Accept || !a.Decline || a.Report || a.Assign || a.Disclose {
			t.Errorf("offered, hefei.tech: %+v, want accept and decline only", a)
		}
		if a := actions("dispatcher"); a.Accept || a.Decline || a.Report || !a.Disclose {
			t.Errorf("offered, dispatcher: %+v, want only the customer's details", a)
		}
		err = h.As("wuhan.tech", func(ctx context.Context) error {
			_, err := h.App.Dispatcher.JobActions(ctx, job.ID)
			return err
		})
		if cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("wuhan.tech: %v, want %s", err, cordon.ENOTFOUND)
		}

		// Accepted: the admin may assign to its enabled technicians; the
		// technician may set out and see the customer, but not yet report.
		move("hefei.tech", cordon.JobAccepted)
		a := actions("hefei.admin")
		if !a.Assign || !slices.ContainsFunc(a.Technicians, func(u *cordon.User) bool { return u.Username == "hefei.tech" }) {
			t.Errorf("accepted, hefei.admin: %+v, want to assign to hefei.tech", a)
		}
		for _, u := range a.Technicians {
			if u.Disabled() || !u.HasRole(cordon.RolePartnerTechnician) || u.OrgID != hefei {
				t.Errorf("assignable %s is not an enabled technician of hefei", u.Username)
			}
		}
		if a := actions("hefei.tech"); a.Accept || a.Assign || a.Report || !a.Disclose || !slices.Contains(a.Moves, cordon.JobEnRoute) {
			t.Errorf("accepted, hefei.tech: %+v, want en route and the customer, no report", a)
		}

		// On site: the report form appears.
		move("hefei.tech", cordon.JobEnRoute)
		move("hefei.tech", cordon.JobOnSite)
		if a := actions("hefei.tech"); !a.Report || !slices.Contains(a.Moves, cordon.JobResolved) {
			t.Errorf("on site, hefei.tech: %+v, want the report and resolve", a)
		}
	})
}
