package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// SLAStore keeps the SLA sweeper's state on the jobs (migration 00006) and
// the escalations of breaches. It implements cordon.SLAStore.
type SLAStore struct{ db *DB }

var _ cordon.SLAStore = (*SLAStore)(nil)

// NewSLAStore returns the SLA state store.
func NewSLAStore(db *DB) *SLAStore { return &SLAStore{db: db} }

// slaJobColumns are the columns FindSLAJobs scans, in its order.
const slaJobColumns = "j.id, j.request_id, j.partner_id, j.contract_id, j.status, j.offered_at, j.updated_at, r.priority, " +
	"j.sla_state, j.sla_clock, j.sla_breached, j.sla_due_at, j.sla_next_at, j.sla_checked_at, " +
	"j.assignee_id, j.offer_expires_at, j.accepted_at, j.resolved_at, j.closed_at, j.created_at"

// slaWhere is the filter of q over jobs j, without its limit.
func slaWhere(q cordon.SLAJobQuery) (string, []any) {
	w := "j.status IN ? AND j.contract_id IS NOT NULL AND j.id > ?"
	args := []any{openJobStatuses, q.AfterID}
	if q.IDs != nil {
		w += " AND j.id IN ?"
		args = append(args, q.IDs)
	}
	if q.StaleAt != nil {
		w += " AND (j.sla_checked_at IS NULL OR j.sla_next_at <= ?)"
		args = append(args, q.StaleAt.UTC())
	}
	return w, args
}

// FindSLAJobs returns the open jobs under a contract that q selects, in id
// order, each with its timeline: one query for the jobs with their
// request's priority and stored state, one for the events of them all.
func (s *SLAStore) FindSLAJobs(ctx context.Context, q cordon.SLAJobQuery) ([]*cordon.SLAJob, error) {
	if q.IDs != nil && len(q.IDs) == 0 {
		return nil, nil
	}
	w, args := slaWhere(q)
	query := "SELECT " + slaJobColumns + " FROM jobs j JOIN service_requests r ON r.id = j.request_id WHERE " + w + " ORDER BY j.id"
	if q.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, q.Limit)
	}
	rows, err := s.db.conn(ctx).Raw(query, args...).Rows()
	if err != nil {
		return nil, TranslateError(err, "Job")
	}
	// The rows go into slabs, and known words are interned: a sweep reads
	// hundreds of thousands of rows, and allocation is most of its cost.
	n := q.Limit
	if n <= 0 || n > 1024 {
		n = 1024
	}
	out := make([]*cordon.SLAJob, 0, n)
	var (
		jobs  []cordon.Job
		sjs   []cordon.SLAJob
		ids   []int64
		times []time.Time
	)
	slab := func(t sql.NullTime) *time.Time {
		if !t.Valid {
			return nil
		}
		times = append(times, t.Time)
		return &times[len(times)-1]
	}
	for rows.Next() {
		if len(jobs) == cap(jobs) {
			jobs, sjs, ids, times = make([]cordon.Job, 0, n), make([]cordon.SLAJob, 0, n), make([]int64, 0, 3*n), make([]time.Time, 0, 6*n)
		}
		jobs, sjs = append(jobs, cordon.Job{}), append(sjs, cordon.SLAJob{})
		j, sj := &jobs[len(jobs)-1], &sjs[len(sjs)-1]
		sj.Job = j
		var (
			partner, contract, assignee         sql.NullInt64
			status, pr, st, clock, br           sql.RawBytes
			due, next, checked                  sql.NullTime
			expires, accepted, resolved, closed sql.NullTime
		)
		if err := rows.Scan(&j.ID, &j.RequestID, &partner, &contract, &status, &j.OfferedAt, &j.UpdatedAt, &pr,
			&st, &clock, &br, &due, &next, &checked, &assignee, &expires, &accepted, &resolved, &closed, &j.CreatedAt); err != nil {
			rows.Close()
			return nil, TranslateError(err, "Job")
		}
		if partner.Valid {
			ids = append(ids, partner.Int64)
			j.PartnerID = &ids[len(ids)-1]
		}
		if contract.Valid {
			ids = append(ids, contract.Int64)
			j.ContractID = &ids[len(ids)-1]
		}
		// The whole job, as the job's own finder reads it: lists that
		// show it must not answer null where the job has a time.
		if assignee.Valid {
			ids = append(ids, assignee.Int64)
			j.AssigneeID = &ids[len(ids)-1]
		}
		j.OfferExpiresAt, j.AcceptedAt, j.ResolvedAt, j.ClosedAt = slab(expires), slab(accepted), slab(resolved), slab(closed)
		j.Status, sj.Priority = cordon.JobStatus(intern(status)), cordon.Priority(intern(pr))
		sj.Stored = cordon.SLAState{JobID: j.ID, State: intern(st), Clock: intern(clock), Due: due.Time,
			Status: j.Status, UpdatedAt: j.UpdatedAt}
		if next.Valid {
			times = append(times, next.Time)
			sj.Stored.NextAt = &times[len(times)-1]
		}
		if checked.Valid {
			times = append(times, checked.Time)
			sj.Stored.CheckedAt = &times[len(times)-1]
		}
		if len(br) > 0 {
			sj.Stored.Breached = strings.Split(string(br), ",")
		}
		out = append(out, sj)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, TranslateError(err, "Job")
	}
	if len(out) == 0 {
		return nil, nil
	}
	if q.WithRequests {
		jobs := make([]*cordon.Job, len(out))
		for i, sj := range out {
			jobs[i] = sj.Job
		}
		if err := (&JobStore{db: s.db}).withRequests(ctx, jobs); err != nil {
			return nil, err
		}
	}
	// The events of the same jobs: for a sweep of all, the same filter up
	// to the last job read, with the range on the events' own index too;
	// for a few (by id, or stale), by their ids.
	var events string
	if q.IDs == nil && q.StaleAt == nil {
		w, args = slaWhere(q)
		args = append(args, out[len(out)-1].Job.ID, q.AfterID, out[len(out)-1].Job.ID)
		events = "SELECT e.job_id, e.id, e.at, e.from_status, e.to_status FROM job_events e JOIN jobs j ON j.id = e.job_id WHERE " +
			w + " AND j.id <= ? AND e.job_id > ? AND e.job_id <= ? ORDER BY e.job_id, e.at, e.id"
	} else {
		ids := make([]int64, len(out))
		for i, sj := range out {
			ids[i] = sj.Job.ID
		}
		args = []any{ids}
		events = "SELECT e.job_id, e.id, e.at, e.from_status, e.to_status FROM job_events e WHERE e.job_id IN ? ORDER BY e.job_id, e.at, e.id"
	}
	rows, err = s.db.conn(ctx).Raw(events, args...).Rows()
	if err != nil {
		return nil, TranslateError(err, "Job event")
	}
	defer rows.Close()
	// Jobs and events both come in job id order: merge.
	var evs []cordon.JobEvent
	k := 0
	for rows.Next() {
		if len(evs) == cap(evs) {
			evs = make([]cordon.JobEvent, 0, 4*n)
		}
		evs = append(evs, cordon.JobEvent{})
		e := &evs[len(evs)-1]
		var from, to sql.RawBytes
		if err := rows.Scan(&e.JobID, &e.ID, &e.At, &from, &to); err != nil {
			return nil, TranslateError(err, "Job event")
		}
		e.From, e.To = cordon.JobStatus(intern(from)), cordon.JobStatus(intern(to))
		for k < len(out) && out[k].Job.ID < e.JobID {
			k++
		}
		if k < len(out) && out[k].Job.ID == e.JobID {
			out[k].Events = append(out[k].Events, e)
		}
	}
	return out, TranslateError(rows.Err(), "Job event")
}

// interned are the words SLA rows repeat: statuses, priorities, states
// and clock names.
var interned = func() map[string]string {
	m := map[string]string{}
	for _, st := range cordon.JobStatuses {
		m[string(st)] = string(st)
	}
	for _, p := range cordon.Priorities {
		m[string(p)] = string(p)
	}
	for _, w := range append([]string{cordon.SLAOK, cordon.SLAAtRisk, cordon.SLABreached, ""}, cordon.ClockNames...) {
		m[w] = w
	}
	return m
}()

// intern returns b as a string, without allocating for a known word.
func intern(b []byte) string {
	if s, ok := interned[string(b)]; ok {
		return s
	}
	return string(b)
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}

func utcOrNil(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// SaveSLAStates stores the states and escalates the breaches in one
// transaction. A state applies only where its job still has the status and
// last update it was computed from; a breach is escalated only when its
// job's state was so saved, and only once per job and clock (a unique key:
// several sweepers may race, one escalation wins).
func (s *SLAStore) SaveSLAStates(ctx context.Context, states []cordon.SLAState, breaches []cordon.SLABreach, at time.Time) (saved, escalated int, err error) {
	if len(states) == 0 {
		return 0, 0, nil
	}
	at = at.UTC()
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		ok, err := s.saveStates(ctx, states, at)
		if err != nil {
			return err
		}
		saved = len(ok)
		var todo []cordon.SLABreach
		for _, b := range breaches {
			if ok[b.JobID] {
				todo = append(todo, b)
			}
		}
		escalated, err = s.escalate(ctx, todo, at)
		return err
	})
	return saved, escalated, err
}

// saveStates updates the jobs and returns the ids updated.
func (s *SLAStore) saveStates(ctx context.Context, states []cordon.SLAState, at time.Time) (map[int64]bool, error) {
	ok := make(map[int64]bool, len(states))
	if s.db.dialect == Postgres {
		n := len(states)
		ids, st, clock, breached, status := make([]int64, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		due, next, updated := make([]*time.Time, n), make([]*time.Time, n), make([]time.Time, n)
		for i, x := range states {
			ids[i], st[i], clock[i], breached[i], status[i] = x.JobID, x.State, x.Clock, strings.Join(x.Breached, ","), string(x.Status)
			due[i], next[i], updated[i] = utcOrNil(&x.Due), utcOrNil(x.NextAt), x.UpdatedAt.UTC()
		}
		rows, err := s.db.conn(ctx).Statement.ConnPool.QueryContext(ctx, `UPDATE jobs j SET sla_state = v.state, sla_clock = v.clock,
			sla_breached = v.breached, sla_due_at = v.due, sla_next_at = v.next, sla_checked_at = $9
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::timestamptz[])
			AS v(id, state, clock, breached, due, next, status, updated)
		WHERE j.id = v.id AND j.status = v.status AND j.updated_at = v.updated
		RETURNING j.id`, ids, st, clock, breached, due, next, status, updated, at)
		if err != nil {
			return nil, TranslateError(err, "Job")
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, TranslateError(err, "Job")
			}
			ok[id] = true
		}
		return ok, TranslateError(rows.Err(), "Job")
	}
	for _, x := range states {
		res := s.db.conn(ctx).Exec(`UPDATE jobs SET sla_state = ?, sla_clock = ?, sla_breached = ?, sla_due_at = ?, sla_next_at = ?, sla_checked_at = ?
			WHERE id = ? AND status = ? AND updated_at = ?`,
			x.State, x.Clock, strings.Join(x.Breached, ","), utcOrNil(&x.Due), utcOrNil(x.NextAt), at,
			x.JobID, string(x.Status), x.UpdatedAt.UTC())
		if res.Error != nil {
			return nil, TranslateError(res.Error, "Job")
		}
		if res.RowsAffected > 0 {
			ok[x.JobID] = true
		}
	}
	return ok, nil
}

// escalate records the breaches not yet escalated and returns how many.
func (s *SLAStore) escalate(ctx context.Context, breaches []cordon.SLABreach, at time.Time) (int, error) {
	if len(breaches) == 0 {
		return 0, nil
	}
	var fresh []cordon.SLABreach
	if s.db.dialect == Postgres {
		n := len(breaches)
		ids, clocks, partners, contracts, when := make([]int64, n), make([]string, n), make([]*int64, n), make([]*int64, n), make([]time.Time, n)
		for i, b := range breaches {
			ids[i], clocks[i], partners[i], contracts[i], when[i] = b.JobID, b.Clock, b.PartnerID, b.ContractID, b.BreachedAt.UTC()
		}
		rows, err := s.db.conn(ctx).Statement.ConnPool.QueryContext(ctx, `INSERT INTO sla_escalations
			(job_id, clock, partner_id, contract_id, breached_at, escalated_at)
		SELECT v.*, $6::timestamptz FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::timestamptz[]) AS v
		ON CONFLICT (job_id, clock) DO NOTHING
		RETURNING job_id, clock`, ids, clocks, partners, contracts, when, at)
		if err != nil {
			return 0, TranslateError(err, "SLA escalation")
		}
		defer rows.Close()
		byKey := make(map[[2]any]cordon.SLABreach, n)
		for _, b := range breaches {
			byKey[[2]any{b.JobID, b.Clock}] = b
		}
		for rows.Next() {
			var (
				id    int64
				clock string
			)
			if err := rows.Scan(&id, &clock); err != nil {
				return 0, TranslateError(err, "SLA escalation")
			}
			fresh = append(fresh, byKey[[2]any{id, clock}])
		}
		if err := rows.Err(); err != nil {
			return 0, TranslateError(err, "SLA escalation")
		}
		rows.Close()
	} else {
		for _, b := range breaches {
			res := s.db.conn(ctx).Exec(`INSERT INTO sla_escalations (job_id, clock, partner_id, contract_id, breached_at, escalated_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, clock) DO NOTHING`, b.JobID, b.Clock, b.PartnerID, b.ContractID, b.BreachedAt.UTC(), at)
			if res.Error != nil {
				return 0, TranslateError(res.Error, "SLA escalation")
			}
			if res.RowsAffected > 0 {
				fresh = append(fresh, b)
			}
		}
	}
	// outbox: escalation — the quality supervisors hear of each new
	// escalation, by the outbox written in this transaction.
	if err := s.writeEscalations(ctx, fresh, at); err != nil {
		return 0, err
	}
	return len(fresh), nil
}

// writeEscalations records the escalations of SLA breaches in the outbox,
// in the transaction that records them, so the quality supervisors hear of
// each once: one query for their jobs, and the outbox rows in batches,
// however many breaches a sweep finds (the first after a long stop may
// find thousands).
func (s *SLAStore) writeEscalations(ctx context.Context, fresh []cordon.SLABreach, at time.Time) error {
	if len(fresh) == 0 {
		return nil
	}
	// Each job once: a job may breach all four clocks, and the ids are
	// bound parameters (SQLite takes at most 32,766).
	ids := make([]int64, 0, len(fresh))
	seen := make(map[int64]bool, len(fresh))
	for _, b := range fresh {
		if !seen[b.JobID] {
			seen[b.JobID] = true
			ids = append(ids, b.JobID)
		}
	}
	var jobs []jobRow
	if err := s.db.conn(ctx).Where("id IN ?", ids).Find(&jobs).Error; err != nil {
		return TranslateError(err, "Job")
	}
	byID := make(map[int64]*jobRow, len(jobs))
	for i := range jobs {
		byID[jobs[i].ID] = &jobs[i]
	}
	rows := make([]outboxRow, 0, len(fresh))
	for _, b := range fresh {
		j := byID[b.JobID]
		if j == nil {
			return cordon.Err(cordon.ENOTFOUND, "job.not_found")
		}
		row, err := outboxEventRow(cordon.EventEscalated, j, nil, at,
			map[string]any{"clock": b.Clock, "breached_at": b.BreachedAt.UTC()})
		if err != nil {
			return err
		}
		rows = append(rows, row)
	}
	return TranslateError(s.db.conn(ctx).CreateInBatches(&rows, 1000).Error, "Outbox event")
}

// FindJobsBySLAState returns the open jobs whose stored state is fresh at
// now and is state, soonest due first, at most limit of them (0: all), and
// how many there are.
func (s *SLAStore) FindJobsBySLAState(ctx context.Context, state string, now time.Time, limit int) ([]cordon.SLAState, int, error) {
	const where = "j.status IN ? AND j.contract_id IS NOT NULL AND j.sla_state = ? AND j.sla_checked_at IS NOT NULL AND (j.sla_next_at IS NULL OR j.sla_next_at > ?)"
	args := []any{openJobStatuses, state, now.UTC()}
	var total int64
	if err := s.db.conn(ctx).Raw("SELECT count(*) FROM jobs j WHERE "+where, args...).Row().Scan(&total); err != nil {
		return nil, 0, TranslateError(err, "Job")
	}
	q := "SELECT j.id, j.status, j.updated_at, j.sla_state, j.sla_clock, j.sla_breached, j.sla_due_at, j.sla_next_at, j.sla_checked_at FROM jobs j WHERE " +
		where + " ORDER BY j.sla_due_at, j.id"
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := s.db.conn(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, 0, TranslateError(err, "Job")
	}
	defer rows.Close()
	var out []cordon.SLAState
	for rows.Next() {
		var (
			x                  cordon.SLAState
			status, breached   string
			due, next, checked sql.NullTime
		)
		if err := rows.Scan(&x.JobID, &status, &x.UpdatedAt, &x.State, &x.Clock, &breached, &due, &next, &checked); err != nil {
			return nil, 0, TranslateError(err, "Job")
		}
		x.Status, x.Due, x.NextAt, x.CheckedAt = cordon.JobStatus(status), due.Time, nullTime(next), nullTime(checked)
		if breached != "" {
			x.Breached = strings.Split(breached, ",")
		}
		out = append(out, x)
	}
	return out, int(total), TranslateError(rows.Err(), "Job")
}

// FindSLAEscalations returns the escalations of a job, in the order they
// were made.
func (s *SLAStore) FindSLAEscalations(ctx context.Context, jobID int64) ([]cordon.SLABreach, error) {
	rows, err := s.db.conn(ctx).Raw("SELECT job_id, clock, partner_id, contract_id, breached_at FROM sla_escalations WHERE job_id = ? ORDER BY id", jobID).Rows()
	if err != nil {
		return nil, TranslateError(err, "SLA escalation")
	}
	defer rows.Close()
	var out []cordon.SLABreach
	for rows.Next() {
		var b cordon.SLABreach
		if err := rows.Scan(&b.JobID, &b.Clock, &b.PartnerID, &b.ContractID, &b.BreachedAt); err != nil {
			return nil, TranslateError(err, "SLA escalation")
		}
		out = append(out, b)
	}
	return out, TranslateError(rows.Err(), "SLA escalation")
}

// outboxEventRow is the outbox row of an event of job j, built without
// writing it: writeOutbox (outbox.go) writes one, writeEscalations many in
// one statement.
func outboxEventRow(kind string, j *jobRow, actorID *int64, at time.Time, extra map[string]any) (outboxRow, error) {
	payload := map[string]any{
		"job_id": j.ID, "request_id": j.RequestID, "partner_id": j.PartnerID, "status": j.Status,
		"assignee_id": j.AssigneeID, "at": at,
	}
	for k, v := range extra {
		payload[k] = v
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return outboxRow{}, err
	}
	id := j.ID
	return outboxRow{Kind: kind, JobID: &id, PartnerID: j.PartnerID, ActorID: actorID, Payload: string(b), CreatedAt: at}, nil
}
