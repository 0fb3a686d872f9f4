// Package demo seeds the demo world: the institute and its staff, three
// partner companies with their contracts, customers and their delivered
// units, technical documents (real PDF and PNG files), and service requests,
// jobs and reports in every state, so that Cordon can be tried — and tested
// — without any data of one's own.
//
// It talks to the data only through the cordon service interfaces. Given
// the same reference time it seeds the same world, byte for byte.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// InstituteCode is the code of the institute's organisation; its presence
// means the world has been seeded.
const InstituteCode = "institute"

// Stores are the services the seeder writes through.
type Stores struct {
	Orgs      cordon.OrgStore
	Users     cordon.UserStore
	Customers cordon.CustomerStore
	Catalog   cordon.CatalogStore
	Documents cordon.DocumentStore
	Contracts cordon.ContractStore
	Requests  cordon.RequestStore
	Jobs      cordon.JobStore
	Reports   cordon.ReportStore
	// Tx, when set, runs the whole seeding in one transaction, so that a
	// failure leaves nothing behind; store.DB.WithTx fits.
	Tx func(ctx context.Context, fn func(ctx context.Context) error) error
	// Checklists and ChecklistTemplates, when set, seed a checklist
	// template per service type (the examples of contracts/checklists)
	// and bind one to the demo installation job of hefei.tech.
	Checklists         cordon.ChecklistStore
	ChecklistTemplates func() ([]cordon.ChecklistTemplateInput, error)
	// Training, when set, gives the partner's training job its records:
	// sessions, trainees with their assessments and a certificate
	// (training.go).
	Training cordon.TrainingStore
}

// World is what Seed made: the ids people and tests look things up by, and
// how many of each record there are.
type World struct {
	Orgs         map[string]int64 // by code: institute, hefei, wuhan, xian
	Users        map[string]int64 // by username
	Contracts    map[string]int64 // by number
	ProductLines map[string]int64 // by code: radar, comms, power

	Customers int
	Units     int
	Documents int
	Requests  int
	Jobs      int
	Reports   int
	// Trainees is how many trainees the training records name.
	Trainees int
}

// Seeded reports whether the demo world (or at least an organisation with
// the institute's code) is already there.
func Seeded(ctx context.Context, orgs cordon.OrgStore) (bool, error) {
	_, err := orgs.FindOrgByCode(ctx, InstituteCode)
	switch cordon.ErrorCode(err) {
	case "":
		return true, nil
	case cordon.ENOTFOUND:
		return false, nil
	}
	return false, fmt.Errorf("look for the demo world: %w", err)
}

// Seed creates the demo world. Every user gets password, hashed once with
// hash. now is the reference time: the world's history (requests, jobs,
// events, reports) leads up to it, and live offers are still open at it.
// The partner contracts run from January 2026 (to June 2027 for wuhan), so
// choose a now from March 2026 to June 2027 for the partners' recent jobs to
// lie within them. Seed returns ECONFLICT when the world is already there;
// without Stores.Tx a failure may leave part of the world behind.
func Seed(ctx context.Context, s Stores, hash func(password string) (string, error), password string, now time.Time) (*World, error) {
	if hash == nil {
		return nil, errors.New("seed: no password hash function")
	}
	hashed, err := hash(password)
	if err != nil {
		return nil, fmt.Errorf("seed: hash the demo password: %w", err)
	}
	var w *World
	run := func(ctx context.Context) error {
		seeded, err := Seeded(ctx, s.Orgs)
		if err != nil {
			return err
		}
		if seeded {
			return cordon.Err(cordon.ECONFLICT, "demo.demo_world_already_there")
		}
		sd := newSeeder(s, now, hashed)
		steps := []struct {
			name string
			fn   func(context.Context) error
		}{
			{"organisations and users", sd.seedOrgs},
			{"catalog", sd.seedCatalog},
			{"contracts", sd.seedContracts},
			{"customers and units", sd.seedCustomers},
			{"documents", sd.seedDocuments},
			{"checklist templates", sd.seedChecklists},
			{"requests and jobs", sd.seedService},
		}
		for _, st := range steps {
			if err := st.fn(ctx); err != nil {
				return fmt.Errorf("seed %s: %w", st.name, err)
			}
		}
		w = sd.w
		return nil
	}
	if s.Tx != nil {
		err = s.Tx(ctx, run)
	} else {
		err = run(ctx)
	}
	if err != nil {
		return nil, err
	}
	return w, nil
}

// seeder carries what one seeding has made so far.
type seeder struct {
	s        Stores
	now      time.Time
	password string // the hash
	rng      *rand.Rand
	w        *World

	orgs      map[string]*cordon.Org
	users     map[string]*cordon.User
	lines     map[string]*cordon.ProductLine
	models    []*cordon.Model // in catalog order
	modelCode map[int64]string
	contracts map[string]*cordon.Contract // by partner code
	customers []*demoCustomer
	units     []*cordon.Unit
	usedUnits map[int64]bool // named by a request
	// checklists are the demo templates by their service type.
	checklists map[cordon.Category]int64
}

func newSeeder(s Stores, now time.Time, hashed string) *seeder {
	return &seeder{
		s: s, now: now.UTC().Truncate(time.Second), password: hashed,
		rng: rand.New(rand.NewPCG(20260101, 96723)),
		w: &World{
			Orgs: map[string]int64{}, Users: map[string]int64{},
			Contracts: map[string]int64{}, ProductLines: map[string]int64{},
		},
		orgs: map[string]*cordon.Org{}, users: map[string]*cordon.User{},
		lines: map[string]*cordon.ProductLine{}, modelCode: map[int64]string{},
		contracts: map[string]*cordon.Contract{}, usedUnits: map[int64]bool{},
	}
}

// between returns a time in [a, b), to the second.
func (sd *seeder) between(a, b time.Time) time.Time {
	if !b.After(a) {
		return a
	}
	return a.Add(time.Duration(sd.rng.Int64N(int64(b.Sub(a)/time.Second))) * time.Second)
}

// jitter returns d scaled by a factor in [lo, hi), to the second.
func (sd *seeder) jitter(d time.Duration, lo, hi float64) time.Duration {
	f := lo + (hi-lo)*sd.rng.Float64()
	return time.Duration(float64(d) * f).Truncate(time.Second)
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }
