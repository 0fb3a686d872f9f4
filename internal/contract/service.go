package contract

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/cordon/cordon/internal/cordon"
)

// ParseCities reads a list of city names, one per line; blank lines and
// lines starting with # are skipped.
func ParseCities(src []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return out
}

// catalog answers Parse's look-ups from the database and the city list.
type catalog struct {
	partners map[string]bool
	lines    map[string]bool
	cities   map[string]bool
}

func (c *catalog) KnownPartner(code string) bool     { return c.partners[code] }
func (c *catalog) KnownCity(name string) bool        { return c.cities[name] }
func (c *catalog) KnownProductLine(code string) bool { return c.lines[code] }

// ManagerConfig holds what the manager needs.
type ManagerConfig struct {
	Contracts cordon.ContractStore
	Jobs      cordon.JobStore // for the jobs a contract's end revokes
	Orgs      cordon.OrgStore
	Catalog   cordon.CatalogStore
	Registry  *Registry
	Cities    []string
	Now       cordon.Clock
}

// Manager carries out contract administration: import from the source
// form, and the lifecycle moves, keeping the compiled scope in step.
type Manager struct{ cfg ManagerConfig }

var _ cordon.ContractManager = (*Manager)(nil)

// NewManager returns the contract manager.
func NewManager(cfg ManagerConfig) *Manager { return &Manager{cfg: cfg} }

// FindContracts lists contracts, with the total.
func (m *Manager) FindContracts(ctx context.Context, f cordon.ContractFilter) ([]*cordon.Contract, int, error) {
	return m.cfg.Contracts.FindContracts(ctx, f)
}

// FindContractByID returns one contract; ENOTFOUND.
func (m *Manager) FindContractByID(ctx context.Context, id int64) (*cordon.Contract, error) {
	return m.cfg.Contracts.FindContractByID(ctx, id)
}

// OpenJobsUnder counts the open jobs offered under the contract.
func (m *Manager) OpenJobsUnder(ctx context.Context, id int64) (int, error) {
	ct, err := m.cfg.Contracts.FindContractByID(ctx, id)
	if err != nil || m.cfg.Jobs == nil {
		return 0, err
	}
	pid := ct.PartnerID
	jobs, _, err := m.cfg.Jobs.FindJobs(ctx, cordon.JobFilter{PartnerID: &pid, Scope: cordon.ListScope{All: true},
		Statuses: cordon.OpenJobStatuses})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, j := range jobs {
		if j.ContractID != nil && *j.ContractID == ct.ID {
			n++
		}
	}
	return n, nil
}

// Catalog returns what Parse checks names against, read now.
func (m *Manager) Catalog(ctx context.Context) (Catalog, error) {
	c := &catalog{partners: map[string]bool{}, lines: map[string]bool{}, cities: map[string]bool{}}
	kind := cordon.OrgPartner
	orgs, _, err := m.cfg.Orgs.FindOrgs(ctx, cordon.OrgFilter{Kind: &kind})
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		c.partners[o.Code] = true
	}
	lines, err := m.cfg.Catalog.FindProductLines(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		c.lines[l.Code] = true
	}
	for _, city := range m.cfg.Cities {
		c.cities[city] = true
	}
	return c, nil
}

// Validate parses a contract source and returns every problem, without
// storing anything.
func (m *Manager) Validate(ctx context.Context, name string, src []byte) ([]Problem, error) {
	cat, err := m.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	_, _, problems := Parse(name, src, cat)
	return problems, nil
}

// ImportContract creates a draft from the source form, or replaces the
// draft with the same number. The source's status must be draft (or
// absent): contracts come into force only through activation.
func (m *Manager) ImportContract(ctx context.Context, name string, src []byte) (*cordon.Contract, bool, error) {
	cat, err := m.Catalog(ctx)
	if err != nil {
		return nil, false, err
	}
	c, partnerCode, problems := Parse(name, src, cat)
	if err := Invalid(problems); err != nil {
		return nil, false, err
	}
	if c.Status != cordon.ContractDraft {
		return nil, false, cordon.FieldErr("status", "contract.imported_contract_draft_activate_afterwards", name, c.Status)
	}
	partner, err := m.cfg.Orgs.FindOrgByCode(ctx, partnerCode)
	if err != nil {
		return nil, false, cordon.FieldErr("partner", "contract.unknown_partner", name, partnerCode)
	}
	c.PartnerID = partner.ID
	number := c.Number
	existing, _, err := m.cfg.Contracts.FindContracts(ctx, cordon.ContractFilter{Number: &number})
	if err != nil {
		return nil, false, err
	}
	if len(existing) == 0 {
		if err := m.cfg.Contracts.CreateContract(ctx, c); err != nil {
			return nil, false, err
		}
		return c, true, nil
	}
	old := existing[0]
	if old.PartnerID != c.PartnerID {
		return nil, false, cordon.FieldErr("partner", "contract.contract_belongs_another_partner", name, c.Number)
	}
	c.ID = old.ID
	if err := m.cfg.Contracts.UpdateDraft(ctx, c); err != nil {
		return nil, false, err
	}
	updated, err := m.cfg.Contracts.FindContractByID(ctx, c.ID)
	return updated, false, err
}

// ChangeContractStatus applies a lifecycle action (activate, suspend,
// terminate). Activation refuses a contract that would overlap another
// active contract of the same partner. Ending a contract revokes its open
// jobs for redispatch, and every replica's scope follows at once.
func (m *Manager) ChangeContractStatus(ctx context.Context, id int64, action string) (*cordon.Contract, error) {
	c, err := m.cfg.Contracts.FindContractByID(ctx, id)
	if err != nil {
		return nil, err
	}
	to, err := Transition(c.Status, action)
	if err != nil {
		return nil, err
	}
	now := m.cfg.Now()
	if to == cordon.ContractActive {
		if !now.Before(c.ExpiresOn) {
			return nil, cordon.Err(cordon.ECONFLICT, "contract.contract_has_already_expired_cannot", c.Number)
		}
		pid := c.PartnerID
		others, _, err := m.cfg.Contracts.FindContracts(ctx, cordon.ContractFilter{PartnerID: &pid})
		if err != nil {
			return nil, err
		}
		for _, o := range others {
			if o.ID != c.ID && o.Status == cordon.ContractActive && Overlaps(c, o) {
				return nil, cordon.Err(cordon.ECONFLICT, "contract.contract_overlaps_active_contract_same", c.Number, o.Number)
			}
		}
	}
	if _, err := m.cfg.Contracts.SetContractStatus(ctx, c.ID, c.Status, to, now); err != nil {
		return nil, err
	}
	if err := m.cfg.Registry.Changed(ctx); err != nil {
		return nil, fmt.Errorf("contract %s to %s: announce the change: %w", c.Number, to, err)
	}
	return m.cfg.Contracts.FindContractByID(ctx, c.ID)
}

// ContractGrants returns the grants a contract compiles to now (none when
// it is not in force).
func (m *Manager) ContractGrants(ctx context.Context, id int64) ([]cordon.Grant, error) {
	c, err := m.cfg.Contracts.FindContractByID(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := m.cfg.Orgs.FindOrgByID(ctx, c.PartnerID)
	if err != nil {
		return nil, err
	}
	return Compile(c, p.Code, m.cfg.Now()), nil
}
