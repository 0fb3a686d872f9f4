package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/cordon/cordon/internal/cordon"
)

// contractRow is the contracts table. Scope, SLA terms and clauses are JSON
// documents (jsonb on PostgreSQL, text on SQLite).
type contractRow struct {
	ID            int64 `gorm:"primaryKey"`
	Number        string
	PartnerID     int64
	EffectiveFrom time.Time
	ExpiresOn     time.Time
	Status        string
	Scope         string
	SLA           string `gorm:"column:sla"`
	Clauses       string
	Incentives    *string // JSON; NULL when the contract has none
	Calendar      *string // JSON; NULL: SLA clocks run 24×7
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (contractRow) TableName() string { return "contracts" }

// slaTermsJSON is the stored form of cordon.SLATerms: durations as Go
// duration strings ("30m0s", "4h0m0s"), readable in the database, and which
// PostgreSQL casts to interval as they are (sla->'P1'->>'accept')::interval.
type slaTermsJSON struct {
	Accept  string `json:"accept"`
	Respond string `json:"respond"`
	OnSite  string `json:"on_site"`
	Resolve string `json:"resolve"`
}

func toContract(r *contractRow) (*cordon.Contract, error) {
	c := &cordon.Contract{
		ID: r.ID, Number: r.Number, PartnerID: r.PartnerID, EffectiveFrom: r.EffectiveFrom,
		ExpiresOn: r.ExpiresOn, Status: cordon.ContractStatus(r.Status),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if err := json.Unmarshal([]byte(r.Scope), &c.Scope); err != nil {
		return nil, fmt.Errorf("contract %d: scope: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.Clauses), &c.Clauses); err != nil {
		return nil, fmt.Errorf("contract %d: clauses: %w", r.ID, err)
	}
	if r.Calendar != nil {
		if err := json.Unmarshal([]byte(*r.Calendar), &c.Calendar); err != nil {
			return nil, fmt.Errorf("contract %d: calendar: %w", r.ID, err)
		}
	}
	if r.Incentives != nil {
		if err := json.Unmarshal([]byte(*r.Incentives), &c.Incentives); err != nil {
			return nil, fmt.Errorf("contract %d: incentives: %w", r.ID, err)
		}
	}
	var sla map[cordon.Priority]slaTermsJSON
	if err := json.Unmarshal([]byte(r.SLA), &sla); err != nil {
		return nil, fmt.Errorf("contract %d: sla: %w", r.ID, err)
	}
	c.SLA = make(map[cordon.Priority]cordon.SLATerms, len(sla))
	for p, t := range sla {
		var terms cordon.SLATerms
		for _, f := range []struct {
			s string
			d *time.Duration
		}{{t.Accept, &terms.Accept}, {t.Respond, &terms.Respond}, {t.OnSite, &terms.OnSite}, {t.Resolve, &terms.Resolve}} {
			if f.s == "" {
				continue
			}
			d, err := time.ParseDuration(f.s)
			if err != nil {
				return nil, fmt.Errorf("contract %d: sla %s: %w", r.ID, p, err)
			}
			*f.d = d
		}
		c.SLA[p] = terms
	}
	return c, nil
}

// ContractStore implements cordon.ContractStore.
type ContractStore struct{ db *DB }

var _ cordon.ContractStore = (*ContractStore)(nil)

// NewContractStore returns the contract store.
func NewContractStore(db *DB) *ContractStore { return &ContractStore{db: db} }

// FindContractByID returns ENOTFOUND when there is no such contract.
func (s *ContractStore) FindContractByID(ctx context.Context, id int64) (*cordon.Contract, error) {
	var r contractRow
	if err := s.db.conn(ctx).First(&r, id).Error; err != nil {
		return nil, TranslateError(err, "Contract")
	}
	return toContract(&r)
}

// CreateContract stores c and sets its ID and times. ECONFLICT when the
// number is taken; EINVALID naming the field for an unknown status, an
// expiry not after the effective date, or a party that is not a partner.
// The scope itself is the contract package's to validate.
func (s *ContractStore) CreateContract(ctx context.Context, c *cordon.Contract) error {
	c.Number = strings.TrimSpace(c.Number)
	switch c.Status {
	case cordon.ContractDraft, cordon.ContractActive, cordon.ContractSuspended, cordon.ContractTerminated, cordon.ContractExpired:
	default:
		return cordon.FieldErr("status", "status_must_draft_active_suspended")
	}
	switch {
	case c.Number == "":
		return cordon.FieldErr("number", "store.number_required")
	case !c.ExpiresOn.After(c.EffectiveFrom):
		return cordon.FieldErr("expires_on", "store.expiry_date_must_after_effective")
	}
	terms, err := contractTerms(c)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		var partner orgRow
		err := s.db.conn(ctx).First(&partner, c.PartnerID).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return TranslateError(err, "Organisation")
		}
		if err != nil || partner.Kind != string(cordon.OrgPartner) {
			return cordon.FieldErr("partner", "store.party_contract_must_partner_organisation")
		}
		now := s.db.Now()
		r := terms
		r.Number, r.PartnerID, r.Status, r.CreatedAt, r.UpdatedAt = c.Number, c.PartnerID, string(c.Status), now, now
		if err := s.db.conn(ctx).Create(&r).Error; err != nil {
			return TranslateError(err, "Contract")
		}
		c.ID, c.CreatedAt, c.UpdatedAt = r.ID, r.CreatedAt, r.UpdatedAt
		c.EffectiveFrom, c.ExpiresOn = r.EffectiveFrom, r.ExpiresOn
		return nil
	})
}

// contractTerms encodes the dates, scope, SLA terms and clauses of c.
func contractTerms(c *cordon.Contract) (contractRow, error) {
	switch {
	case !c.ExpiresOn.After(c.EffectiveFrom):
		return contractRow{}, cordon.FieldErr("expires_on", "store.expiry_date_must_after_effective")
	}
	scope, err := json.Marshal(c.Scope)
	if err != nil {
		return contractRow{}, fmt.Errorf("contract %s: scope: %w", c.Number, err)
	}
	clauses := c.Clauses
	if clauses == nil {
		clauses = cordon.Clauses{}
	}
	clauseJSON, err := json.Marshal(clauses)
	if err != nil {
		return contractRow{}, fmt.Errorf("contract %s: clauses: %w", c.Number, err)
	}
	sla := make(map[cordon.Priority]slaTermsJSON, len(c.SLA))
	for p, t := range c.SLA {
		if !p.Valid() {
			return contractRow{}, cordon.FieldErr("sla", "store.sla_priority_not_one_p1", p)
		}
		sla[p] = slaTermsJSON{Accept: t.Accept.String(), Respond: t.Respond.String(), OnSite: t.OnSite.String(), Resolve: t.Resolve.String()}
	}
	slaJSON, err := json.Marshal(sla)
	if err != nil {
		return contractRow{}, fmt.Errorf("contract %s: sla: %w", c.Number, err)
	}
	var calendar *string
	if c.Calendar != nil {
		b, err := json.Marshal(c.Calendar)
		if err != nil {
			return contractRow{}, fmt.Errorf("contract %s: calendar: %w", c.Number, err)
		}
		calendar = new(string(b))
	}
	var incentives *string
	if c.Incentives != nil {
		b, err := json.Marshal(c.Incentives)
		if err != nil {
			return contractRow{}, fmt.Errorf("contract %s: incentives: %w", c.Number, err)
		}
		incentives = new(string(b))
	}
	return contractRow{
		EffectiveFrom: c.EffectiveFrom.UTC(), ExpiresOn: c.ExpiresOn.UTC(),
		Scope: string(scope), SLA: string(slaJSON), Clauses: string(clauseJSON), Incentives: incentives,
		Calendar: calendar,
	}, nil
}

// FindContracts returns a page of contracts, newest first, and the total.
func (s *ContractStore) FindContracts(ctx context.Context, f cordon.ContractFilter) ([]*cordon.Contract, int, error) {
	q := s.db.conn(ctx).Model(&contractRow{})
	if f.PartnerID != nil {
		q = q.Where("partner_id = ?", *f.PartnerID)
	}
	if f.Status != nil {
		q = q.Where("status = ?", string(*f.Status))
	}
	if f.Number != nil {
		q = q.Where("number = ?", *f.Number)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, TranslateError(err, "Contract")
	}
	q = q.Order("id DESC").Offset(f.Offset)
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []contractRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, 0, TranslateError(err, "Contract")
	}
	out := make([]*cordon.Contract, 0, len(rows))
	for i := range rows {
		c, err := toContract(&rows[i])
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, int(total), nil
}

// UpdateDraft replaces the dates and terms of a draft.
func (s *ContractStore) UpdateDraft(ctx context.Context, c *cordon.Contract) error {
	terms, err := contractTerms(c)
	if err != nil {
		return err
	}
	res := s.db.conn(ctx).Model(&contractRow{}).
		Where("id = ? AND status = ?", c.ID, string(cordon.ContractDraft)).
		Updates(map[string]any{
			"effective_from": terms.EffectiveFrom, "expires_on": terms.ExpiresOn, "scope": terms.Scope,
			"sla": terms.SLA, "clauses": terms.Clauses, "incentives": terms.Incentives, "calendar": terms.Calendar, "updated_at": s.db.Now(),
		})
	if res.Error != nil {
		return TranslateError(res.Error, "Contract")
	}
	if res.RowsAffected == 0 {
		return cordon.Err(cordon.ECONFLICT, "store.contract_not_draft_only_drafts", c.Number)
	}
	return nil
}

// openJobStatuses are cordon.OpenJobStatuses as the database holds them.
var openJobStatuses = statusStrings(cordon.OpenJobStatuses)

// statusStrings returns job statuses as strings, for a query's IN list.
func statusStrings(ss []cordon.JobStatus) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

// SetContractStatus moves the contract from one status to another and,
// when the partner's rights end, revokes its open jobs under the contract
// and reopens their requests for dispatch, all in one transaction.
func (s *ContractStore) SetContractStatus(ctx context.Context, id int64, from, to cordon.ContractStatus, at time.Time) (int, error) {
	revoked := 0
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		res := s.db.conn(ctx).Model(&contractRow{}).Where("id = ? AND status = ?", id, string(from)).
			Updates(map[string]any{"status": string(to), "updated_at": at.UTC()})
		if res.Error != nil {
			return TranslateError(res.Error, "Contract")
		}
		if res.RowsAffected == 0 {
			if _, err := s.FindContractByID(ctx, id); err != nil {
				return err
			}
			return cordon.Err(cordon.ECONFLICT, "store.contract_no_longer", from)
		}
		if to != cordon.ContractSuspended && to != cordon.ContractTerminated && to != cordon.ContractExpired {
			return nil
		}
		var jobs []jobRow
		if err := s.db.conn(ctx).Where("contract_id = ? AND status IN ?", id, openJobStatuses).Find(&jobs).Error; err != nil {
			return TranslateError(err, "Job")
		}
		for _, j := range jobs {
			res := s.db.conn(ctx).Model(&jobRow{}).Where("id = ? AND status = ?", j.ID, j.Status).
				Updates(map[string]any{"status": string(cordon.JobRevoked), "updated_at": at.UTC()})
			if res.Error != nil {
				return TranslateError(res.Error, "Job")
			}
			if res.RowsAffected == 0 {
				continue
			}
			ev := jobEventRow{JobID: j.ID, At: at.UTC(), From: j.Status, To: string(cordon.JobRevoked),
				Note: fmt.Sprintf("Contract %s; returned for redispatch.", to)}
			if err := s.db.conn(ctx).Create(&ev).Error; err != nil {
				return TranslateError(err, "Job event")
			}
			j.Status = string(cordon.JobRevoked) // outbox: the revocation
			if err := s.db.writeOutbox(ctx, cordon.JobEventKind(cordon.JobStatus(ev.From), cordon.JobRevoked), &j, nil, at,
				map[string]any{"from": ev.From, "to": ev.To}); err != nil {
				return err
			}
			revoked++ // the request goes back to dispatch by trigger
		}
		return nil
	})
	return revoked, err
}
