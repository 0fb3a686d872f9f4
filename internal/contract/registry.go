package contract

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// ScopeLoader takes the compiled grants of every partner at once.
type ScopeLoader interface {
	Load(grants []cordon.Grant) error
}

// RegistryConfig holds what the registry needs.
type RegistryConfig struct {
	Contracts cordon.ContractStore
	Orgs      cordon.OrgStore
	Scope     ScopeLoader
	Events    cordon.ContractEvents
	Now       cordon.Clock
	Log       *slog.Logger
	// Reload is the period of the safety-net full reload (default 30 s).
	Reload time.Duration
	// Tick is how often the registry looks for contracts whose dates have
	// passed (default 1 s).
	Tick time.Duration
}

// Registry keeps the compiled scope of every partner in step with the
// contracts: at start, after every change on this replica, on every change
// another replica announces, when a contract's dates begin or end it, and
// by a periodic full reload as a safety net.
type Registry struct {
	cfg RegistryConfig

	mu   sync.Mutex // serialises reloads
	next time.Time  // the earliest date at which some contract starts or ends
}

// NewRegistry returns a registry; call Reload before serving and Run in
// the background.
func NewRegistry(cfg RegistryConfig) *Registry {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Reload <= 0 {
		cfg.Reload = 30 * time.Second
	}
	if cfg.Tick <= 0 {
		cfg.Tick = time.Second
	}
	return &Registry{cfg: cfg}
}

// Reload compiles every contract in force now and replaces the scope.
func (r *Registry) Reload(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.cfg.Now()
	contracts, _, err := r.cfg.Contracts.FindContracts(ctx, cordon.ContractFilter{})
	if err != nil {
		return fmt.Errorf("reload contracts: %w", err)
	}
	kind := cordon.OrgPartner
	partners, _, err := r.cfg.Orgs.FindOrgs(ctx, cordon.OrgFilter{Kind: &kind})
	if err != nil {
		return fmt.Errorf("reload contracts: %w", err)
	}
	codes := make(map[int64]string, len(partners))
	for _, p := range partners {
		codes[p.ID] = p.Code
	}
	var grants []cordon.Grant
	var next time.Time
	for _, c := range contracts {
		grants = append(grants, Compile(c, codes[c.PartnerID], now)...)
		if c.Status != cordon.ContractActive && c.Status != cordon.ContractSuspended {
			continue
		}
		for _, t := range []time.Time{c.EffectiveFrom, c.ExpiresOn} {
			if t.After(now) && (next.IsZero() || t.Before(next)) {
				next = t
			}
		}
	}
	if err := r.cfg.Scope.Load(grants); err != nil {
		// Load keeps the valid grants and leaves out the rest; say so.
		r.cfg.Log.Error("some compiled grants were refused", "err", err.Error())
	}
	r.next = next
	return nil
}

// Changed tells the other replicas (PostgreSQL sends the notice when the
// transaction commits) and reloads this replica once the change has
// committed, before the request's answer goes out. A change that rolls
// back reloads nothing: no replica ever holds scope the database does not.
// A reload that fails after the commit is logged; the periodic reload
// mends it.
func (r *Registry) Changed(ctx context.Context) error {
	if err := r.cfg.Events.NotifyContractsChanged(ctx); err != nil {
		return err
	}
	r.cfg.Events.AfterCommit(ctx, func(ctx context.Context) {
		if err := r.Reload(ctx); err != nil {
			r.cfg.Log.Error("reload the scope after a contract change", "err", err.Error())
		}
	})
	return nil
}

// ExpireDue marks active and suspended contracts whose expiry has passed as
// expired (revoking their open jobs), then reloads if anything changed. It
// is safe on every replica at once: each move is conditional.
func (r *Registry) ExpireDue(ctx context.Context) (int, error) {
	now := r.cfg.Now()
	n := 0
	for _, st := range []cordon.ContractStatus{cordon.ContractActive, cordon.ContractSuspended} {
		st := st
		list, _, err := r.cfg.Contracts.FindContracts(ctx, cordon.ContractFilter{Status: &st})
		if err != nil {
			return n, err
		}
		for _, c := range list {
			if now.Before(c.ExpiresOn) {
				continue
			}
			_, err := r.cfg.Contracts.SetContractStatus(ctx, c.ID, st, cordon.ContractExpired, now)
			if cordon.ErrorCode(err) == cordon.ECONFLICT {
				continue // another replica got there first
			}
			if err != nil {
				return n, err
			}
			r.cfg.Log.Info("contract expired", "contract", c.Number)
			n++
		}
	}
	if n > 0 {
		return n, r.Changed(ctx)
	}
	return n, nil
}

// due reports whether some contract's start or end has come.
func (r *Registry) due() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.next.IsZero() && !r.cfg.Now().Before(r.next)
}

// Run keeps the scope in step until ctx ends: it listens for changes from
// other replicas, applies contract dates as they pass, and reloads fully on
// a period.
func (r *Registry) Run(ctx context.Context) {
	go func() {
		r.cfg.Events.ListenContractsChanged(ctx, func() {
			if err := r.Reload(ctx); err != nil && ctx.Err() == nil {
				r.cfg.Log.Error("reload after notification", "err", err.Error())
			}
		})
	}()
	tick := time.NewTicker(r.cfg.Tick)
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var err error
		switch {
		case r.due():
			_, err = r.ExpireDue(ctx)
			if err == nil {
				err = r.Reload(ctx)
			}
			last = time.Now()
		case time.Since(last) >= r.cfg.Reload:
			err = r.Reload(ctx)
			last = time.Now()
		}
		if err != nil && ctx.Err() == nil {
			r.cfg.Log.Error("contract registry", "err", err.Error())
		}
	}
}
