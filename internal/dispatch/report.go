package dispatch

import (
	"context"
	"strings"

	"github.com/cordon/cordon/internal/cordon"
)

// ContentChecker tells a file's type by its content and checks its limits.
type ContentChecker func(ctx context.Context, content []byte) (mediaType string, err error)

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

// FileReport records what was done: actions, parts, the root cause, the
// customer's sign-off, and attachments checked by content. The job's worker
// files it while on site or once resolved.
func (d *Dispatcher) FileReport(ctx context.Context, jobID int64, in cordon.ReportInput) (*cordon.ServiceReport, error) {
	a, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	j, _, err := d.cfg.Desk.find(ctx, a, jobID, cordon.ActUpdate, false)
	if err != nil {
		return nil, err
	}
	if a.IsPartner() {
		if j.AssigneeID != nil && *j.AssigneeID != a.UserID && !a.HasRole(cordon.RolePartnerAdmin) {
			return nil, cordon.Err(cordon.EFORBIDDEN, "dispatch.job_assigned_someone_else")
		}
	} else if j.PartnerID != nil || !a.HasRole(cordon.RoleEngineer) {
		return nil, cordon.Err(cordon.EFORBIDDEN, "dispatch.only_job_technician_engineer_files")
	}
	if !j.Status.Reportable() {
		return nil, cordon.Err(cordon.ECONFLICT, "dispatch.job_report_filed_site_once", j.Status)
	}
	in.Actions, in.SignoffName = strings.TrimSpace(in.Actions), strings.TrimSpace(in.SignoffName)
	switch {
	case in.Actions == "" || len(in.Actions) > 8000:
		return nil, cordon.FieldErr("actions", "dispatch.describe_actions_taken_most_8000")
	case len(in.PartsUsed) > 4000:
		return nil, cordon.FieldErr("parts_used", "dispatch.parts_list_longer_than_4000")
	case !in.RootCause.Valid():
		return nil, cordon.FieldErr("root_cause", "root_cause_must_one_design")
	case len(in.SignoffName) > 200:
		return nil, cordon.FieldErr("signoff_name", "dispatch.sign_off_name_longer_than")
	case (in.SignoffName == "") != (in.SignoffAt == nil):
		return nil, cordon.FieldErr("signoff_at", "dispatch.give_customer_sign_off_name")
	case len(in.Files) > cordon.MaxReportAttachments:
		return nil, cordon.FieldErr("attachments", "dispatch.most_attachments", cordon.MaxReportAttachments)
	}
	var files []cordon.AttachmentUpload
	for _, f := range in.Files {
		if len(f) > cordon.MaxReportAttachmentBytes {
			return nil, cordon.Err(cordon.ETOOLARGE, "dispatch.attachment_larger_than_mib", cordon.MaxReportAttachmentBytes>>20)
		}
		mt, err := d.cfg.CheckContent(ctx, f)
		if err != nil {
			return nil, err
		}
		files = append(files, cordon.AttachmentUpload{MediaType: mt, Content: f})
	}
	r := &cordon.ServiceReport{JobID: j.ID, Actions: in.Actions, PartsUsed: in.PartsUsed, RootCause: in.RootCause,
		SignoffName: in.SignoffName, SignoffAt: in.SignoffAt, CreatedBy: a.UserID, CreatedAt: d.cfg.Now()}
	if _, err := d.cfg.Reports.FileReport(ctx, r, files); err != nil {
		return nil, err
	}
	return r, nil
}
