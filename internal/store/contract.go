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

// ContractService implements cordon.ContractService.
type ContractService struct{ db *DB }

var _ cordon.ContractService = (*ContractService)(nil)

// NewContractService returns the contract store.
func NewContractService(db *DB) *ContractService { return &ContractService{db: db} }

// FindContractByID returns ENOTFOUND when there is no such contract.
func (s *ContractService) FindContractByID(ctx context.Context, id int64) (*cordon.Contract, error) {
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
func (s *ContractService) CreateContract(ctx context.Context, c *cordon.Contract) error {
	c.Number = strings.TrimSpace(c.Number)
	switch c.Status {
	case cordon.ContractDraft, cordon.ContractActive, cordon.ContractSuspended, cordon.ContractTerminated, cordon.ContractExpired:
	default:
		return cordon.FieldErrorf("status", "Status must be draft, active, suspended, terminated or expired.")
	}
	switch {
	case c.Number == "":
		return cordon.FieldErrorf("number", "Number is required.")
	case !c.ExpiresOn.After(c.EffectiveFrom):
		return cordon.FieldErrorf("expires_on", "The expiry date must be after the effective date.")
	}
	scope, err := json.Marshal(c.Scope)
	if err != nil {
		return fmt.Errorf("contract %s: scope: %w", c.Number, err)
	}
	clauses := c.Clauses
	if clauses == nil {
		clauses = cordon.Clauses{}
	}
	clauseJSON, err := json.Marshal(clauses)
	if err != nil {
		return fmt.Errorf("contract %s: clauses: %w", c.Number, err)
	}
	sla := make(map[cordon.Priority]slaTermsJSON, len(c.SLA))
	for p, t := range c.SLA {
		if !p.Valid() {
			return cordon.FieldErrorf("sla", "SLA priority %q is not one of P1 to P4.", p)
		}
		sla[p] = slaTermsJSON{Accept: t.Accept.String(), Respond: t.Respond.String(), OnSite: t.OnSite.String(), Resolve: t.Resolve.String()}
	}
	slaJSON, err := json.Marshal(sla)
	if err != nil {
		return fmt.Errorf("contract %s: sla: %w", c.Number, err)
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		var partner orgRow
		err := s.db.conn(ctx).First(&partner, c.PartnerID).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return TranslateError(err, "Organisation")
		}
		if err != nil || partner.Kind != string(cordon.OrgPartner) {
			return cordon.FieldErrorf("partner", "The party to a contract must be a partner organisation.")
		}
		now := s.db.Now()
		r := contractRow{
			Number: c.Number, PartnerID: c.PartnerID, EffectiveFrom: c.EffectiveFrom.UTC(),
			ExpiresOn: c.ExpiresOn.UTC(), Status: string(c.Status), Scope: string(scope),
			SLA: string(slaJSON), Clauses: string(clauseJSON), CreatedAt: now, UpdatedAt: now,
		}
		if err := s.db.conn(ctx).Create(&r).Error; err != nil {
			return TranslateError(err, "Contract")
		}
		c.ID, c.CreatedAt, c.UpdatedAt = r.ID, r.CreatedAt, r.UpdatedAt
		c.EffectiveFrom, c.ExpiresOn = r.EffectiveFrom, r.ExpiresOn
		return nil
	})
}
