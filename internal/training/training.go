// Package training keeps the records of training jobs: their sessions,
// their trainees (customer identity) and assessments, and the
// certificates the institute issues, with their Chinese PDF
// (docs/training.md).
package training

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cordon/cordon/internal/cordon"
)

// Config holds the service's dependencies.
type Config struct {
	Store cordon.TrainingStore
	// Jobs finds a job within the caller's scope (dispatch.Desk).
	Jobs cordon.JobAccess
	// Dispatch discloses a job's customer: a partner sees trainees'
	// identity exactly when it may see the customer's contacts.
	Dispatch cordon.DispatchService
	Access   cordon.AccessLog
	Now      cordon.Clock
}

// Service implements cordon.TrainingService.
type Service struct{ cfg Config }

var _ cordon.TrainingService = (*Service)(nil)

// New returns the training service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}
}

// identityFields are the customer-identity fields of a trainee, named in
// access events.
var identityFields = []string{"trainee.name", "trainee.position", "trainee.department"}

// Limits on what is typed.
const (
	maxTopics  = 2000
	maxName    = 100
	maxField   = 100
	maxComment = 1000
)

// job finds a training job for the caller, for action (view or update).
func (s *Service) job(ctx context.Context, jobID int64, action string) (*cordon.Actor, *cordon.Job, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, nil, err
	}
	var j *cordon.Job
	if action == cordon.ActView { // an ended job's records are gone for its partner
		j, _, err = s.cfg.Jobs.AccessJobRecords(ctx, jobID)
	} else {
		j, _, err = s.cfg.Jobs.AccessJob(ctx, jobID, action, false)
	}
	if err != nil {
		return nil, nil, err
	}
	if j.Request == nil || j.Request.Category != cordon.CatTraining {
		return nil, nil, cordon.Err(cordon.EINVALID, "training.not_training_job")
	}
	return a, j, nil
}

// mayRecord says whether the caller may record on the job now, and why
// not: the partner holding it (its technician on it, or its admin), or an
// institute engineer on an in-house job (who works it, as for reports),
// while on site or resolved; the institute's quality supervisor at any
// time.
func mayRecord(a *cordon.Actor, j *cordon.Job) error {
	if !a.IsPartner() && a.HasRole(cordon.RoleQualitySupervisor) {
		return nil // quality corrects at any time
	}
	switch cordon.WorkRefusal(a, j) { // the job's worker, as for reports
	case cordon.NotAssigned:
		return cordon.Err(cordon.EFORBIDDEN, "training.job_assigned_someone_else")
	case cordon.NotWorker:
		return cordon.Err(cordon.EFORBIDDEN, "training.only_quality_engineer_records")
	}
	if j.Status != cordon.JobOnSite && j.Status != cordon.JobResolved {
		return cordon.Err(cordon.ECONFLICT, "training.record_on_site_resolved", j.Status)
	}
	return nil
}

// names says whether the caller sees the job's trainees' identity, and the
// contract and clause that let a partner: the institute always does; a
// partner when its contract discloses the customer's contacts for the job
// now (Dispatcher.DiscloseCustomer, which records the disclosure).
func (s *Service) names(ctx context.Context, a *cordon.Actor, j *cordon.Job) (bool, *cordon.Disclosure, error) {
	if !a.IsPartner() {
		return true, nil, nil
	}
	if !j.Status.MayDisclose() {
		return false, nil, nil
	}
	d, err := s.cfg.Dispatch.DiscloseCustomer(ctx, j.ID)
	if cordon.ErrorCode(err) == cordon.ENOTFOUND {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, err
	}
	return d.Level.AtLeast(cordon.DiscloseSiteContact), d, nil
}

// record writes an access event about the job's training records.
func (s *Service) record(ctx context.Context, a *cordon.Actor, j *cordon.Job, resourceID, action string, fields []string, d *cordon.Disclosure) error {
	m := cordon.MetaFromContext(ctx)
	ev := &cordon.AccessEvent{UserID: a.UserID, OrgID: a.OrgID, Resource: cordon.ResTraining, ResourceID: resourceID, Action: action,
		Decision: cordon.Allow, Purpose: "job:" + strconv.FormatInt(j.ID, 10), Fields: fields, RequestID: m.RequestID, ClientIP: m.ClientIP}
	if d != nil {
		ev.ContractNo, ev.Clause = d.ContractNo, d.Clause
	}
	if err := s.cfg.Access.RecordAccess(ctx, ev); err != nil {
		return fmt.Errorf("record training %s: %w", action, err)
	}
	return nil
}

// hide blanks the trainees' identity for a caller who may not see it.
func hide(ts []*cordon.Trainee) {
	for _, t := range ts {
		t.Name, t.Position, t.Department, t.NameHidden = "", "", "", true
	}
}

// Training returns the job's training record for the caller.
func (s *Service) Training(ctx context.Context, jobID int64) (*cordon.TrainingRecord, error) {
	a, j, err := s.job(ctx, jobID, cordon.ActView)
	if err != nil {
		return nil, err
	}
	sessions, err := s.cfg.Store.FindSessions(ctx, j.ID)
	if err != nil {
		return nil, err
	}
	trainees, err := s.cfg.Store.FindTrainees(ctx, j.ID)
	if err != nil {
		return nil, err
	}
	shown := false
	var d *cordon.Disclosure
	if len(trainees) > 0 || a.IsPartner() {
		if shown, d, err = s.names(ctx, a, j); err != nil {
			return nil, err
		}
	}
	var fields []string
	if shown && len(trainees) > 0 {
		fields = identityFields
	}
	if !shown {
		hide(trainees)
	}
	if err := s.record(ctx, a, j, strconv.FormatInt(j.ID, 10), cordon.ActView, fields, d); err != nil {
		return nil, err
	}
	rec := &cordon.TrainingRecord{JobID: j.ID, JobStatus: j.Status, Sessions: sessions, Trainees: trainees, NamesShown: shown,
		CanRecord: mayRecord(a, j) == nil, CanIssue: !a.IsPartner() && a.HasRole(cordon.RoleQualitySupervisor)}
	for _, x := range sessions {
		rec.Hours += x.Hours
	}
	return rec, nil
}

// checkSession validates a session's input and returns its day.
func checkSession(in *cordon.SessionInput) (time.Time, error) {
	day, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(in.HeldOn), cordon.ChinaTime)
	if err != nil {
		return time.Time{}, cordon.FieldErr("held_on", "training.held_on_date")
	}
	in.Topics = strings.TrimSpace(in.Topics)
	switch {
	case !(in.Hours > 0 && in.Hours <= 24):
		return time.Time{}, cordon.FieldErr("hours", "training.hours_range")
	case in.Topics == "" || utf8.RuneCountInString(in.Topics) > maxTopics:
		return time.Time{}, cordon.FieldErr("topics", "training.topics_required", maxTopics)
	}
	return day, nil
}

// AddSession records a session.
func (s *Service) AddSession(ctx context.Context, jobID int64, in cordon.SessionInput) (*cordon.TrainingSession, error) {
	a, j, err := s.job(ctx, jobID, cordon.ActUpdate)
	if err != nil {
		return nil, err
	}
	if err := mayRecord(a, j); err != nil {
		return nil, err
	}
	day, err := checkSession(&in)
	if err != nil {
		return nil, err
	}
	ts := &cordon.TrainingSession{JobID: j.ID, HeldOn: day, Hours: in.Hours, Topics: in.Topics, RecordedBy: a.UserID}
	if err := s.cfg.Store.CreateSession(ctx, ts); err != nil {
		return nil, err
	}
	return ts, nil
}

// UpdateSession corrects a session.
func (s *Service) UpdateSession(ctx context.Context, jobID, sessionID int64, in cordon.SessionInput) (*cordon.TrainingSession, error) {
	a, j, err := s.job(ctx, jobID, cordon.ActUpdate)
	if err != nil {
		return nil, err
	}
	if err := mayRecord(a, j); err != nil {
		return nil, err
	}
	day, err := checkSession(&in)
	if err != nil {
		return nil, err
	}
	ts := &cordon.TrainingSession{ID: sessionID, JobID: j.ID, HeldOn: day, Hours: in.Hours, Topics: in.Topics}
	if err := s.cfg.Store.UpdateSession(ctx, ts); err != nil {
		return nil, err
	}
	return ts, nil
}

// checkTrainee validates a trainee's identity.
func checkTrainee(in *cordon.TraineeInput) error {
	in.Name, in.Position, in.Department = strings.TrimSpace(in.Name), strings.TrimSpace(in.Position), strings.TrimSpace(in.Department)
	switch {
	case in.Name == "" || utf8.RuneCountInString(in.Name) > maxName:
		return cordon.FieldErr("name", "training.name_required", maxName)
	case utf8.RuneCountInString(in.Position) > maxField:
		return cordon.FieldErr("position", "training.field_too_long", maxField)
	case utf8.RuneCountInString(in.Department) > maxField:
		return cordon.FieldErr("department", "training.field_too_long", maxField)
	}
	return nil
}

// writeIdentity checks that the caller may record on the job and see the
// identity it types.
func (s *Service) writeIdentity(ctx context.Context, jobID int64) (*cordon.Actor, *cordon.Job, *cordon.Disclosure, error) {
	a, j, err := s.job(ctx, jobID, cordon.ActUpdate)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := mayRecord(a, j); err != nil {
		return nil, nil, nil, err
	}
	shown, d, err := s.names(ctx, a, j)
	if err != nil {
		return nil, nil, nil, err
	}
	if !shown {
		return nil, nil, nil, cordon.Err(cordon.EFORBIDDEN, "training.identity_not_disclosed")
	}
	return a, j, d, nil
}

// AddTrainee records a trainee.
func (s *Service) AddTrainee(ctx context.Context, jobID int64, in cordon.TraineeInput) (*cordon.Trainee, error) {
	a, j, d, err := s.writeIdentity(ctx, jobID)
	if err != nil {
		return nil, err
	}
	if err := checkTrainee(&in); err != nil {
		return nil, err
	}
	t := &cordon.Trainee{JobID: j.ID, Name: in.Name, Position: in.Position, Department: in.Department}
	if err := s.cfg.Store.CreateTrainee(ctx, t); err != nil {
		return nil, err
	}
	if err := s.record(ctx, a, j, strconv.FormatInt(t.ID, 10), cordon.ActCreate, identityFields, d); err != nil {
		return nil, err
	}
	return t, nil
}

// trainee finds one of the job's trainees.
func (s *Service) trainee(ctx context.Context, jobID, traineeID int64) (*cordon.Trainee, error) {
	ts, err := s.cfg.Store.FindTrainees(ctx, jobID)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.ID == traineeID {
			return t, nil
		}
	}
	return nil, cordon.ErrNotFound("Trainee")
}

// UpdateTrainee corrects a trainee's identity.
func (s *Service) UpdateTrainee(ctx context.Context, jobID, traineeID int64, in cordon.TraineeInput) (*cordon.Trainee, error) {
	a, j, d, err := s.writeIdentity(ctx, jobID)
	if err != nil {
		return nil, err
	}
	if err := checkTrainee(&in); err != nil {
		return nil, err
	}
	t, err := s.trainee(ctx, j.ID, traineeID)
	if err != nil {
		return nil, err
	}
	if t.Certificate != nil {
		return nil, cordon.Err(cordon.ECONFLICT, "training.certificate_issued_no_change")
	}
	t.Name, t.Position, t.Department = in.Name, in.Position, in.Department
	if err := s.cfg.Store.UpdateTrainee(ctx, t); err != nil {
		return nil, err
	}
	if err := s.record(ctx, a, j, strconv.FormatInt(t.ID, 10), cordon.ActUpdate, identityFields, d); err != nil {
		return nil, err
	}
	return t, nil
}

// Assess records a trainee's assessment.
func (s *Service) Assess(ctx context.Context, jobID, traineeID int64, in cordon.AssessmentInput) (*cordon.Trainee, error) {
	a, j, err := s.job(ctx, jobID, cordon.ActUpdate)
	if err != nil {
		return nil, err
	}
	if err := mayRecord(a, j); err != nil {
		return nil, err
	}
	in.Comment = strings.TrimSpace(in.Comment)
	switch {
	case in.Score != nil && (*in.Score < 0 || *in.Score > 100):
		return nil, cordon.FieldErr("score", "training.score_range")
	case utf8.RuneCountInString(in.Comment) > maxComment:
		return nil, cordon.FieldErr("comment", "training.comment_too_long", maxComment)
	}
	t, err := s.trainee(ctx, j.ID, traineeID)
	if err != nil {
		return nil, err
	}
	if t.Certificate != nil {
		return nil, cordon.Err(cordon.ECONFLICT, "training.certificate_issued_no_change")
	}
	now := s.cfg.Now()
	passed := in.Passed
	t.Passed, t.Score, t.Comment, t.AssessedBy, t.AssessedAt = &passed, in.Score, in.Comment, &a.UserID, &now
	if err := s.cfg.Store.UpdateTrainee(ctx, t); err != nil {
		return nil, err
	}
	shown, _, err := s.names(ctx, a, j)
	if err != nil {
		return nil, err
	}
	if !shown {
		hide([]*cordon.Trainee{t})
	}
	return t, nil
}

// IssueCertificate numbers a certificate for a trainee who passed.
func (s *Service) IssueCertificate(ctx context.Context, jobID, traineeID int64) (*cordon.TrainingCertificate, error) {
	a, j, err := s.job(ctx, jobID, cordon.ActView)
	if err != nil {
		return nil, err
	}
	if a.IsPartner() || !a.HasRole(cordon.RoleQualitySupervisor) {
		return nil, cordon.Err(cordon.EFORBIDDEN, "training.only_quality_issues")
	}
	t, err := s.trainee(ctx, j.ID, traineeID)
	if err != nil {
		return nil, err
	}
	switch {
	case t.Certificate != nil:
		return nil, cordon.Err(cordon.ECONFLICT, "training.certificate_already_issued")
	case t.Passed == nil || !*t.Passed:
		return nil, cordon.Err(cordon.ECONFLICT, "training.not_passed")
	}
	c := &cordon.TrainingCertificate{TraineeID: t.ID, JobID: j.ID, Year: s.cfg.Now().In(cordon.ChinaTime).Year(), IssuedBy: a.UserID}
	if err := s.cfg.Store.CreateCertificate(ctx, c); err != nil {
		return nil, err
	}
	if err := s.record(ctx, a, j, strconv.FormatInt(t.ID, 10), cordon.ActCreate, []string{"trainee.name"}, nil); err != nil {
		return nil, err
	}
	return c, nil
}

// WriteCertificate writes a trainee's certificate as a Chinese PDF.
func (s *Service) WriteCertificate(ctx context.Context, w io.Writer, jobID, traineeID int64) (string, error) {
	a, j, err := s.job(ctx, jobID, cordon.ActView)
	if err != nil {
		return "", err
	}
	shown, d, err := s.names(ctx, a, j)
	if err != nil {
		return "", err
	}
	if !shown {
		return "", cordon.Err(cordon.ENOTFOUND, "training.certificate_not_found")
	}
	t, err := s.trainee(ctx, j.ID, traineeID)
	if err != nil {
		return "", err
	}
	if t.Certificate == nil {
		return "", cordon.Err(cordon.ENOTFOUND, "training.certificate_not_found")
	}
	sessions, err := s.cfg.Store.FindSessions(ctx, j.ID)
	if err != nil {
		return "", err
	}
	if err := s.record(ctx, a, j, strconv.FormatInt(t.ID, 10), cordon.ActDownload, []string{"trainee.name", "trainee.position", "trainee.department"}, d); err != nil {
		return "", err
	}
	if err := certificate(j, t, sessions).Render(w); err != nil {
		return "", fmt.Errorf("certificate %s: %w", t.Certificate.Number, err)
	}
	return t.Certificate.Number, nil
}

// FindTrainees lists trainees for the institute.
func (s *Service) FindTrainees(ctx context.Context, f cordon.TraineeFilter) ([]*cordon.TraineeRow, int, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, 0, err
	}
	if a.IsPartner() {
		return nil, 0, cordon.Err(cordon.EFORBIDDEN, "training.only_institute_lists")
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	f.Offset = max(f.Offset, 0)
	rows, total, err := s.cfg.Store.SearchTrainees(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if err := s.recordList(ctx, a, rows); err != nil {
		return nil, 0, err
	}
	return rows, total, nil
}

// recordList records that the institute saw these trainees.
func (s *Service) recordList(ctx context.Context, a *cordon.Actor, rows []*cordon.TraineeRow) error {
	if len(rows) == 0 {
		return nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = strconv.FormatInt(r.Trainee.ID, 10)
	}
	m := cordon.MetaFromContext(ctx)
	ev := &cordon.AccessEvent{UserID: a.UserID, OrgID: a.OrgID, Resource: cordon.ResTraining, ResourceID: strings.Join(ids, ","),
		Action: cordon.ActList, Decision: cordon.Allow, Purpose: "trainees", Fields: identityFields, RequestID: m.RequestID, ClientIP: m.ClientIP}
	if err := s.cfg.Access.RecordAccess(ctx, ev); err != nil {
		return fmt.Errorf("record trainee list: %w", err)
	}
	return nil
}

// csvWords are the CSV's header and values per language.
var csvWords = map[string][]string{
	"zh-CN": {"学员编号", "姓名", "职务", "部门", "工单", "合作方", "客户", "学时", "最后培训日", "考核结果", "成绩", "证书编号", "发证日期", "合格", "不合格", "未考核"},
	"en":    {"trainee", "name", "position", "department", "job", "partner", "customer", "hours", "last day", "result", "score", "certificate", "issued on", "passed", "failed", "not assessed"},
}

// WriteTrainees writes the matching trainees (up to 10,000) as CSV.
func (s *Service) WriteTrainees(ctx context.Context, w io.Writer, f cordon.TraineeFilter, lang string) error {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return err
	}
	if a.IsPartner() {
		return cordon.Err(cordon.EFORBIDDEN, "training.only_institute_lists")
	}
	f.Offset, f.Limit = 0, 10000
	rows, _, err := s.cfg.Store.SearchTrainees(ctx, f)
	if err != nil {
		return err
	}
	if err := s.recordList(ctx, a, rows); err != nil {
		return err
	}
	words := csvWords["zh-CN"]
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		words = csvWords["en"]
	}
	cw := csv.NewWriter(w)
	_ = cw.Write(words[:13])
	for _, r := range rows {
		t := r.Trainee
		result, score, cert, issued, last := words[15], "", "", "", ""
		if t.Passed != nil {
			result = words[14]
			if *t.Passed {
				result = words[13]
			}
		}
		if t.Score != nil {
			score = strconv.Itoa(*t.Score)
		}
		if t.Certificate != nil {
			cert, issued = t.Certificate.Number, t.Certificate.IssuedAt.In(cordon.ChinaTime).Format("2006-01-02")
		}
		if r.LastDay != nil {
			last = r.LastDay.Format("2006-01-02")
		}
		_ = cw.Write([]string{strconv.FormatInt(t.ID, 10), safeCell(t.Name), safeCell(t.Position), safeCell(t.Department),
			strconv.FormatInt(t.JobID, 10), r.Partner, r.Customer, hours(r.Hours), last, result, score, cert, issued})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write trainees: %w", err)
	}
	return nil
}

// safeCell keeps a spreadsheet from running typed text as a formula.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// hours formats hours without a needless fraction: 3, 2.5.
func hours(h float64) string { return strconv.FormatFloat(h, 'f', -1, 64) }
