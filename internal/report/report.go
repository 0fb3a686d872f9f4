// Package report is the work on record: a job's service report, never
// overwritten (an amendment is a new version with its reason), the files
// attached to it, and the customer's sign-off, drawn on the technician's
// phone or, where no touch screen is at hand, typed.
//
// Every read is an access event naming the job and the records shown, with
// the contract and clause that allowed a partner; anything outside the
// caller's scope is the same ENOTFOUND as a job that does not exist.
package report

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// Config wires the service.
type Config struct {
	Desk    cordon.JobAccess // the scoped job look-up
	Jobs    cordon.JobStore  // the timeline a sign-off is checked against
	Reports cordon.ReportStore
	Access  cordon.AccessLog
	Orgs    cordon.OrgStore // the partner named on the PDF
	// Checklist reads the job's checklist for the PDF (the checklist
	// service, scoped like every read here); nil leaves it out.
	Checklist func(ctx context.Context, jobID int64) (*cordon.JobChecklist, error)
	// CheckContent tells an attachment's type by its content and checks
	// its limits.
	CheckContent func(ctx context.Context, content []byte) (mediaType string, err error)
	Now          func() time.Time
}

// Service implements cordon.ReportService.
type Service struct{ cfg Config }

var _ cordon.ReportService = (*Service)(nil)

// New returns the report service.
func New(cfg Config) *Service { return &Service{cfg: cfg} }

// The access-log resources of the records this service shows.
const (
	resReport  = "report"
	resSignOff = "signoff"
)

// mayWork refuses a caller who is not the job's worker (cordon.WorkRefusal).
func mayWork(a *cordon.Actor, j *cordon.Job) error {
	switch cordon.WorkRefusal(a, j) {
	case cordon.NotAssigned:
		return cordon.Err(cordon.EFORBIDDEN, "dispatch.job_assigned_someone_else")
	case cordon.NotWorker:
		return cordon.Err(cordon.EFORBIDDEN, "dispatch.only_job_technician_engineer_files")
	}
	return nil
}

// work finds the job for its worker, in a status that takes field records.
func (s *Service) work(ctx context.Context, jobID int64) (*cordon.Actor, *cordon.Job, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, nil, err
	}
	j, _, err := s.cfg.Desk.AccessJob(ctx, jobID, cordon.ActUpdate, false)
	if err != nil {
		return nil, nil, err
	}
	if err := mayWork(a, j); err != nil {
		return nil, nil, err
	}
	if !j.Status.Reportable() {
		return nil, nil, cordon.Err(cordon.ECONFLICT, "dispatch.job_report_filed_site_once", j.Status)
	}
	return a, j, nil
}

// FileReport files the report, or amends it: the first filing is version
// 1; once a report exists, a filing needs a reason and becomes the next
// version, pointing at the one it amends. Nothing filed is ever changed.
func (s *Service) FileReport(ctx context.Context, jobID int64, in cordon.ReportInput) (*cordon.ServiceReport, error) {
	a, j, err := s.work(ctx, jobID)
	if err != nil {
		return nil, err
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
	if in.Reason, err = cordon.Text("reason", in.Reason, 2000, false); err != nil {
		return nil, err
	}
	have, err := s.cfg.Reports.FindReports(ctx, j.ID)
	if err != nil {
		return nil, fmt.Errorf("file report on job %d: %w", j.ID, err)
	}
	r := &cordon.ServiceReport{JobID: j.ID, Version: 1, Actions: in.Actions, PartsUsed: in.PartsUsed, RootCause: in.RootCause,
		SignoffName: in.SignoffName, SignoffAt: in.SignoffAt, CreatedBy: a.UserID, CreatedAt: s.cfg.Now(), Reason: in.Reason}
	switch {
	case len(have) == 0 && in.Reason != "":
		return nil, cordon.FieldErr("reason", "report.nothing_to_amend")
	case len(have) > 0 && in.Reason == "":
		return nil, cordon.Err(cordon.ECONFLICT, "report.amend_with_reason", have[0].Version)
	case len(have) > 0:
		r.Version, r.AmendsID = have[0].Version+1, &have[0].ID
	}
	var files []cordon.AttachmentUpload
	for _, f := range in.Files {
		if len(f) > cordon.MaxReportAttachmentBytes {
			return nil, cordon.Err(cordon.ETOOLARGE, "dispatch.attachment_larger_than_mib", cordon.MaxReportAttachmentBytes>>20)
		}
		mt, err := s.cfg.CheckContent(ctx, f)
		if err != nil {
			return nil, err
		}
		files = append(files, cordon.AttachmentUpload{MediaType: mt, Content: f})
	}
	if _, err := s.cfg.Reports.FileReport(ctx, r, files); err != nil {
		return nil, err
	}
	return r, nil
}

// JobReports returns every version of the job's report, newest first; the
// read is one access event per version shown.
func (s *Service) JobReports(ctx context.Context, jobID int64) ([]*cordon.ServiceReport, error) {
	a, j, dec, err := s.read(ctx, jobID)
	if err != nil {
		return nil, err
	}
	reports, err := s.cfg.Reports.FindReports(ctx, j.ID)
	if err != nil {
		return nil, fmt.Errorf("reports of job %d: %w", j.ID, err)
	}
	for _, r := range reports {
		if err := s.record(ctx, a, j, dec, resReport, r.ID, cordon.ActView, ""); err != nil {
			return nil, err
		}
	}
	return reports, nil
}

// ReportAttachment returns one attachment of the job's reports, the
// download recorded with the SHA-256 of the bytes served.
func (s *Service) ReportAttachment(ctx context.Context, jobID, attachmentID int64) (*cordon.Attachment, []byte, error) {
	a, j, dec, err := s.read(ctx, jobID)
	if err != nil {
		return nil, nil, err
	}
	att, content, err := s.cfg.Reports.FindAttachment(ctx, j.ID, attachmentID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.record(ctx, a, j, dec, resReport, att.ReportID, cordon.ActDownload, att.SHA256); err != nil {
		return nil, nil, err
	}
	return att, content, nil
}

// read finds the job for a reader within scope; an ended job is closed to
// the partner that held it.
func (s *Service) read(ctx context.Context, jobID int64) (*cordon.Actor, *cordon.Job, cordon.Decided, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, nil, cordon.Decided{}, err
	}
	j, dec, err := s.cfg.Desk.AccessJobRecords(ctx, jobID)
	if err != nil {
		return nil, nil, cordon.Decided{}, err
	}
	return a, j, dec, nil
}

// record writes the access event of one record shown or served; a failing
// access log means nothing is served.
func (s *Service) record(ctx context.Context, a *cordon.Actor, j *cordon.Job, dec cordon.Decided, resource string, id int64, action, sha string) error {
	m := cordon.MetaFromContext(ctx)
	ev := &cordon.AccessEvent{
		At: s.cfg.Now(), UserID: a.UserID, OrgID: a.OrgID, Resource: resource, ResourceID: strconv.FormatInt(id, 10),
		Action: action, Decision: cordon.Allow, Purpose: "job:" + strconv.FormatInt(j.ID, 10),
		RequestID: m.RequestID, ClientIP: m.ClientIP, FileSHA256: sha,
	}
	if a.IsPartner() {
		ev.ContractNo, ev.Clause = dec.ContractNo, dec.Clause
	}
	if err := s.cfg.Access.RecordAccess(ctx, ev); err != nil {
		return fmt.Errorf("record %s %s: %w", resource, action, err)
	}
	return nil
}
