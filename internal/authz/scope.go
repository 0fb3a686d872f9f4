package authz

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/cordon/cordon/internal/cordon"
)

// The fields of scope.conf, in order. The model must define exactly these.
var (
	scopeRequest = []string{"partner", "resource", "action", "city", "line", "type", "class", "disclosure"}
	scopePolicy  = []string{"partner", "resource", "action", "cities", "lines", "types", "ceiling", "disclosure", "contract", "clause"}
)

// Positions of the contract number and clause in a scope row.
const (
	rowContract = 8
	rowClause   = 9
)

// DefaultDecisionCache is how many decisions a partner's shard remembers
// unless WithDecisionCache says otherwise.
const DefaultDecisionCache = 512

// Query is one object-level question: may this partner take this action on
// an object with these attributes? Fields that do not apply to the resource
// are left empty and do not block; the fields that do apply must be set, or
// Decide fails:
//
//   - job: City (the site city), ProductLine (code), Category;
//   - customer: City, Disclosure (the most identity the caller would see);
//   - document: ProductLine, Classification.
//
// Any value set must be granted: a document query that names a City is
// denied by a grant that lists no cities. Action list needs no attributes.
type Query = cordon.ScopeQuery

// missing returns the name of a field q needs for its resource and lacks.
func missing(q Query) string {
	if q.Action == cordon.ActList {
		return ""
	}
	switch q.Resource {
	case cordon.ResJob:
		switch {
		case q.City == "":
			return "City"
		case q.ProductLine == "":
			return "ProductLine"
		case q.Category == "":
			return "Category"
		}
	case cordon.ResCustomer:
		switch {
		case q.City == "":
			return "City"
		case q.Disclosure == "":
			return "Disclosure"
		}
	case cordon.ResDocument:
		switch {
		case q.ProductLine == "":
			return "ProductLine"
		case q.Classification == "":
			return "Classification"
		}
	}
	return ""
}

// ScopeEnforcer holds the object-level scope rules: the grants compiled from
// every partner's active contracts, one small Casbin enforcer per partner
// (model policies/scope.conf), so a decision scans only that partner's rows.
//
// Readers never block: Load and SetPartner build new shards and swap them in
// atomically. It is safe for concurrent use.
type ScopeEnforcer struct {
	model     model.Model
	cacheSize int

	mu    sync.Mutex // serialises Load and SetPartner
	state atomic.Pointer[scopeState]
}

// scopeState is one immutable generation of shards.
type scopeState struct {
	gen    uint64
	shards map[int64]*shard
}

// shard is one partner's rows: immutable but for its decision cache, which
// dies with it.
type shard struct {
	partner  string // the partner id as the rows spell it
	enforcer *casbin.Enforcer
	grants   []cordon.Grant // normalised, in row order
	rows     [][]string
	pairs    map[resAct]struct{} // the (resource, action) pairs granted at all
	cache    *decisionCache      // nil: no caching
}

type resAct struct{ res, act string }

// ScopeOption configures a ScopeEnforcer.
type ScopeOption func(*ScopeEnforcer)

// WithDecisionCache sets how many decisions each partner's shard remembers;
// 0 turns the cache off. A shard's cache is dropped whenever the shard is
// replaced, by Load or SetPartner.
func WithDecisionCache(n int) ScopeOption {
	return func(s *ScopeEnforcer) { s.cacheSize = max(n, 0) }
}

// NewScopeEnforcer loads scope.conf from policies and checks, on a probe
// grant, that the model allows what a grant allows and denies outside it.
// The enforcer starts with no grants: every decision denies until Load.
func NewScopeEnforcer(policies fs.FS, opts ...ScopeOption) (*ScopeEnforcer, error) {
	m, err := loadModel(policies, "scope.conf", scopeRequest, scopePolicy)
	if err != nil {
		return nil, fmt.Errorf("scope rules: %w", err)
	}
	s := &ScopeEnforcer{model: m, cacheSize: DefaultDecisionCache}
	for _, o := range opts {
		o(s)
	}
	s.state.Store(&scopeState{shards: map[int64]*shard{}})
	if err := s.selfTest(); err != nil {
		return nil, fmt.Errorf("scope rules: scope.conf: %w", err)
	}
	return s, nil
}

// selfTest runs a few decisions against a throwaway shard, so that a model
// edited into allowing too much (or nothing) fails at start.
func (s *ScopeEnforcer) selfTest() error {
	g := cordon.Grant{
		PartnerID: 1, Resource: cordon.ResDocument, Action: cordon.ActDownload,
		Cities: []string{"A"}, ProductLines: []string{"L"}, ServiceTypes: []cordon.Category{cordon.CatFault},
		Ceiling: cordon.ClassInternal, Disclosure: cordon.DiscloseCity, ContractNo: "C-0", Clause: "§0",
	}
	sh, err := s.buildShard(1, []cordon.Grant{g})
	if err != nil {
		return err
	}
	ok := Query{PartnerID: 1, Resource: g.Resource, Action: g.Action, City: "A", ProductLine: "L",
		Category: cordon.CatFault, Classification: cordon.ClassPublic, Disclosure: cordon.DiscloseCity}
	probes := []struct {
		q    Query
		want bool
	}{
		{ok, true},
		{with(ok, func(q *Query) { q.City = "B" }), false},
		{with(ok, func(q *Query) { q.ProductLine = "M" }), false},
		{with(ok, func(q *Query) { q.Category = cordon.CatTraining }), false},
		{with(ok, func(q *Query) { q.Classification = cordon.ClassRestricted }), false},
		{with(ok, func(q *Query) { q.Disclosure = cordon.DiscloseSite }), false},
		{with(ok, func(q *Query) { q.Action = cordon.ActView }), false},
		{with(ok, func(q *Query) { q.Resource = cordon.ResJob }), false},
	}
	for _, p := range probes {
		d, err := sh.enforce(p.q)
		if err != nil {
			return fmt.Errorf("probe %+v: %w", p.q, err)
		}
		if d.Allowed != p.want || (d.Allowed && (d.ContractNo != "C-0" || d.Clause != "§0")) {
			return fmt.Errorf("probe %+v: got %+v, want allowed %v under C-0 §0", p.q, d, p.want)
		}
	}
	// The partner column must be matched too.
	other := *sh
	other.partner = "2"
	if d, err := other.enforce(ok); err != nil || d.Allowed {
		return fmt.Errorf("probe for another partner: got %+v, %v; want denied", d, err)
	}
	return nil
}

func with(q Query, f func(*Query)) Query { f(&q); return q }

// Load replaces every partner's grants with grants, at once. Invalid grants
// (unknown names or levels, no contract or clause, "|" in a value) are left
// out — they grant nothing — and reported in the returned error; the valid
// ones are loaded all the same, so that an error never keeps grants of an
// ended contract in force.
func (s *ScopeEnforcer) Load(grants []cordon.Grant) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	byPartner := map[int64][]cordon.Grant{}
	var errs []error
	for i, g := range grants {
		n, err := normalGrant(g)
		if err != nil {
			errs = append(errs, grantError(i, g, err))
			continue
		}
		byPartner[n.PartnerID] = append(byPartner[n.PartnerID], n)
	}
	shards := make(map[int64]*shard, len(byPartner))
	for id, gs := range byPartner {
		sh, err := s.buildShard(id, gs)
		if err != nil {
			errs = append(errs, fmt.Errorf("partner %d: %w", id, err))
			continue
		}
		shards[id] = sh
	}
	old := s.state.Load()
	s.state.Store(&scopeState{gen: old.gen + 1, shards: shards})
	return errors.Join(errs...)
}

// SetPartner replaces one partner's grants, at once; with no (valid) grants
// the partner is denied everything. Grants of another partner and invalid
// grants are left out and reported, as in Load.
func (s *ScopeEnforcer) SetPartner(partnerID int64, grants []cordon.Grant) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	var errs []error
	var valid []cordon.Grant
	for i, g := range grants {
		if g.PartnerID != partnerID {
			errs = append(errs, grantError(i, g, fmt.Errorf("not partner %d", partnerID)))
			continue
		}
		n, err := normalGrant(g)
		if err != nil {
			errs = append(errs, grantError(i, g, err))
			continue
		}
		valid = append(valid, n)
	}
	var sh *shard
	if len(valid) > 0 {
		var err error
		if sh, err = s.buildShard(partnerID, valid); err != nil {
			errs = append(errs, fmt.Errorf("partner %d: %w", partnerID, err))
		}
	}
	old := s.state.Load()
	shards := make(map[int64]*shard, len(old.shards)+1)
	for id, x := range old.shards {
		shards[id] = x
	}
	if sh != nil {
		shards[partnerID] = sh
	} else {
		delete(shards, partnerID)
	}
	s.state.Store(&scopeState{gen: old.gen + 1, shards: shards})
	return errors.Join(errs...)
}

func grantError(i int, g cordon.Grant, err error) error {
	return fmt.Errorf("grant %d (partner %d, contract %q, clause %q, %s %s): %w",
		i, g.PartnerID, g.ContractNo, g.Clause, g.Resource, g.Action, err)
}

// buildShard compiles one partner's normalised grants into a Casbin
// enforcer of their own.
func (s *ScopeEnforcer) buildShard(partnerID int64, grants []cordon.Grant) (*shard, error) {
	grants = slices.Clone(grants)
	slices.SortStableFunc(grants, func(a, b cordon.Grant) int {
		return cmp.Or(
			cmp.Compare(a.Resource, b.Resource),
			cmp.Compare(a.Action, b.Action),
			cmp.Compare(a.ContractNo, b.ContractNo),
			cmp.Compare(a.Clause, b.Clause),
		)
	})
	e, err := newEnforcer(s.model.Copy())
	if err != nil {
		return nil, err
	}
	e.AddFunction("setContains", setContains)
	e.AddFunction("classAtMost", classAtMost)
	e.AddFunction("disclosureAtLeast", disclosureAtLeast)

	sh := &shard{
		partner:  strconv.FormatInt(partnerID, 10),
		enforcer: e,
		pairs:    map[resAct]struct{}{},
	}
	for _, g := range grants {
		row := grantRow(sh.partner, g)
		added, err := e.AddPolicy(row)
		if err != nil {
			return nil, err
		}
		if !added { // the same row twice: keep one
			continue
		}
		sh.grants = append(sh.grants, g)
		sh.rows = append(sh.rows, row)
		sh.pairs[resAct{g.Resource, g.Action}] = struct{}{}
	}
	// Compile the matcher now rather than on the first real decision.
	if _, _, err := e.EnforceEx(sh.partner, "", "", "", "", "", "", ""); err != nil {
		return nil, err
	}
	if s.cacheSize > 0 {
		sh.cache = &decisionCache{max: int64(s.cacheSize)}
	}
	return sh, nil
}

// Decide answers q from the partner's grants. Allowed decisions carry the
// contract number and clause of the grant that allowed them. A partner with
// no grants is denied. The error is non-nil (and the decision a denial) when
// q lacks a field its resource needs or Casbin fails; it is not a
// cordon.Error, so it surfaces as an internal error.
func (s *ScopeEnforcer) Decide(q Query) (cordon.Decided, error) {
	if f := missing(q); f != "" {
		return cordon.Decided{}, fmt.Errorf("authz: scope query for %s %s lacks %s", q.Resource, q.Action, f)
	}
	sh := s.state.Load().shards[q.PartnerID]
	if sh == nil {
		return cordon.Decided{}, nil
	}
	if _, ok := sh.pairs[resAct{q.Resource, q.Action}]; !ok {
		return cordon.Decided{}, nil
	}
	if sh.cache != nil {
		if d, ok := sh.cache.get(q); ok {
			return d, nil
		}
	}
	d, err := sh.enforce(q)
	if err != nil {
		return cordon.Decided{}, fmt.Errorf("authz: decide %s %s for partner %d: %w", q.Resource, q.Action, q.PartnerID, err)
	}
	if sh.cache != nil {
		sh.cache.put(q, d)
	}
	return d, nil
}

// enforce asks the shard's Casbin enforcer; EnforceEx names the row that
// allowed the request.
func (sh *shard) enforce(q Query) (cordon.Decided, error) {
	ok, row, err := sh.enforcer.EnforceEx(sh.partner, q.Resource, q.Action, q.City, q.ProductLine,
		string(q.Category), string(q.Classification), string(q.Disclosure))
	if err != nil || !ok {
		return cordon.Decided{}, err
	}
	if len(row) != len(scopePolicy) {
		return cordon.Decided{}, fmt.Errorf("allowed by a row of %d fields", len(row))
	}
	return cordon.Decided{Allowed: true, ContractNo: row[rowContract], Clause: row[rowClause]}, nil
}

// Rows returns the partner's compiled scope rows, in the order of
// scope.conf's policy definition (partner, resource, action, cities, lines,
// types, ceiling, disclosure, contract, clause), for the policy endpoint.
func (s *ScopeEnforcer) Rows(partnerID int64) [][]string {
	sh := s.state.Load().shards[partnerID]
	if sh == nil {
		return nil
	}
	out := make([][]string, len(sh.rows))
	for i, r := range sh.rows {
		out[i] = slices.Clone(r)
	}
	return out
}

// Grants returns the partner's grants for resource and action (sets sorted
// and deduplicated, copies the caller may keep), from which the store
// derives parameterised SQL conditions for lists: one OR-ed term per grant.
// No grants means the list is empty.
func (s *ScopeEnforcer) Grants(partnerID int64, resource, action string) []cordon.Grant {
	sh := s.state.Load().shards[partnerID]
	if sh == nil {
		return nil
	}
	var out []cordon.Grant
	for _, g := range sh.grants {
		if g.Resource == resource && g.Action == action {
			out = append(out, cloneGrant(g))
		}
	}
	return out
}

// Generation counts the changes of the scope rules: it grows with every Load
// and SetPartner. Anything derived from the rules (a list cache, say) is
// stale once it has moved.
func (s *ScopeEnforcer) Generation() uint64 {
	return s.state.Load().gen
}

// decisionCache remembers a shard's decisions, up to max of them; it is
// never invalidated in place: the shard and its cache are replaced whole.
type decisionCache struct {
	max int64
	n   atomic.Int64
	m   sync.Map // Query → cordon.Decided
}

func (c *decisionCache) get(q Query) (cordon.Decided, bool) {
	v, ok := c.m.Load(q)
	if !ok {
		return cordon.Decided{}, false
	}
	return v.(cordon.Decided), true
}

// put remembers d for q. The key's strings are copied: a caller's strings
// may live in a buffer that is reused after the request (Fiber's are).
func (c *decisionCache) put(q Query, d cordon.Decided) {
	if c.n.Load() >= c.max {
		return
	}
	q.Resource = strings.Clone(q.Resource)
	q.Action = strings.Clone(q.Action)
	q.City = strings.Clone(q.City)
	q.ProductLine = strings.Clone(q.ProductLine)
	q.Category = cordon.Category(strings.Clone(string(q.Category)))
	q.Classification = cordon.Classification(strings.Clone(string(q.Classification)))
	q.Disclosure = cordon.DisclosureLevel(strings.Clone(string(q.Disclosure)))
	if _, loaded := c.m.LoadOrStore(q, d); !loaded {
		c.n.Add(1)
	}
}
