package dispatch

import (
	"context"

	"github.com/cordon/cordon/internal/cordon"
)

// AssignJob hands an accepted job to one of the partner's technicians.
// Only the holding partner's admin may; the assignee must be an enabled
// technician of that partner.
func (d *Dispatcher) AssignJob(ctx context.Context, jobID, userID int64) (*cordon.Job, error) {
	a, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	j, _, err := d.cfg.Desk.find(ctx, a, jobID, cordon.ActUpdate, false)
	if err != nil {
		return nil, err
	}
	u, err := d.cfg.Users.FindUserByID(ctx, userID)
	if err != nil || !assignable(u, j) {
		return nil, cordon.FieldErr("user_id", "dispatch.assign_job_active_technician_partner")
	}
	from := j.Status
	now := d.cfg.Now()
	if err := Assign(j, By(a), userID, now); err != nil {
		return nil, err
	}
	uid := a.UserID
	ev := &cordon.JobEvent{At: now, ActorID: &uid, From: from, To: from}
	ev.SetNote("note.assigned", u.Username)
	if err := d.cfg.Jobs.MoveJob(ctx, j, from, ev); err != nil {
		return nil, err
	}
	return d.cfg.Jobs.FindJobByID(ctx, j.ID)
}

// assignable reports whether job j may be handed to user u: an enabled
// technician of the partner that holds it.
func assignable(u *cordon.User, j *cordon.Job) bool {
	return !u.Disabled() && j.PartnerID != nil && u.OrgID == *j.PartnerID && u.HasRole(cordon.RolePartnerTechnician)
}
