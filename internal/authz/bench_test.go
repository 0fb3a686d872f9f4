package authz

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/policies"
)

const (
	benchPartners = 1000
	lines         = 5
)

var benchLines = []string{"radar", "comms", "sonar", "nav", "power"}

// benchGrants returns ten grants for each of n partners: five job actions,
// one disclosure and two document actions under one contract, two job
// actions under a second.
func benchGrants(n int) []cordon.Grant {
	var gs []cordon.Grant
	for p := 1; p <= n; p++ {
		base := cordon.Grant{
			PartnerID:    int64(p),
			ContractNo:   fmt.Sprintf("C-%04d-1", p),
			Cities:       []string{fmt.Sprintf("City%d", p), fmt.Sprintf("City%d", p+1)},
			ProductLines: []string{benchLines[p%lines], benchLines[(p+1)%lines]},
			ServiceTypes: []cordon.Category{cordon.CatFault, cordon.CatMaintenance, cordon.CatInstallation},
		}
		for _, act := range []string{cordon.ActView, cordon.ActAccept, cordon.ActDecline, cordon.ActUpdate, cordon.ActReport} {
			g := base
			g.Resource, g.Action, g.Clause = cordon.ResJob, act, "§3.1"
			gs = append(gs, g)
		}
		d := base
		d.Resource, d.Action, d.Clause, d.Disclosure = cordon.ResCustomer, cordon.ActDisclose, "§6.1", cordon.DiscloseSite
		gs = append(gs, d)
		for _, act := range []string{cordon.ActView, cordon.ActDownload} {
			g := base
			g.Resource, g.Action, g.Clause, g.Ceiling = cordon.ResDocument, act, "§5.2", cordon.ClassInternal
			g.Cities, g.ServiceTypes = nil, nil
			gs = append(gs, g)
		}
		second := base
		second.ContractNo, second.Clause = fmt.Sprintf("C-%04d-2", p), "§2.1"
		second.ServiceTypes = []cordon.Category{cordon.CatTraining}
		for _, act := range []string{cordon.ActView, cordon.ActAccept} {
			g := second
			g.Resource, g.Action = cordon.ResJob, act
			gs = append(gs, g)
		}
	}
	return gs
}

// benchQueries returns n queries on random partners that benchGrants allows
// (allow) or that fall just outside them, past the cheap (resource, action)
// check, so that Casbin has to look (deny).
func benchQueries(n int, allow bool) []Query {
	r := rand.New(rand.NewPCG(1, 2))
	qs := make([]Query, n)
	for i := range qs {
		p := r.IntN(benchPartners) + 1
		city := fmt.Sprintf("City%d", p+r.IntN(2))
		line := benchLines[(p+r.IntN(2))%lines]
		switch r.IntN(3) {
		case 0:
			cat := []cordon.Category{cordon.CatFault, cordon.CatMaintenance, cordon.CatTraining}[r.IntN(3)]
			qs[i] = jobQ(int64(p), cordon.ActView, city, line, cat)
			if !allow {
				qs[i].City = fmt.Sprintf("City%d", p+2) // outside the cities
			}
		case 1:
			qs[i] = custQ(int64(p), city, cordon.DiscloseSite)
			if !allow {
				qs[i].Disclosure = cordon.DiscloseSiteContact // beyond the level
			}
		case 2:
			qs[i] = docQ(int64(p), cordon.ActDownload, line, cordon.ClassInternal)
			if !allow {
				qs[i].Classification = cordon.ClassRestricted // above the ceiling
			}
		}
	}
	return qs
}

func BenchmarkDecide(b *testing.B) {
	for _, cache := range []int{0, DefaultDecisionCache} {
		s, err := NewScopeEnforcer(policies.FS, WithDecisionCache(cache))
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Load(benchGrants(benchPartners)); err != nil {
			b.Fatal(err)
		}
		name := "uncached"
		if cache > 0 {
			name = "cached"
		}
		for _, allow := range []bool{true, false} {
			qs := benchQueries(4096, allow)
			kind := "deny"
			if allow {
				kind = "allow"
			}
			b.Run(name+"/"+kind, func(b *testing.B) {
				i := 0
				for b.Loop() {
					d, err := s.Decide(qs[i%len(qs)])
					if err != nil || d.Allowed != allow {
						b.Fatalf("Decide(%+v) = %+v, %v; want allowed %v", qs[i%len(qs)], d, err, allow)
					}
					i++
				}
			})
		}
	}
}

// BenchmarkDecideUngranted: the (resource, action) pair is not granted at
// all, so Decide answers before Casbin.
func BenchmarkDecideUngranted(b *testing.B) {
	s, err := NewScopeEnforcer(policies.FS, WithDecisionCache(0))
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Load(benchGrants(benchPartners)); err != nil {
		b.Fatal(err)
	}
	q := jobQ(500, "assign", "City500", "radar", cordon.CatFault)
	for b.Loop() {
		if d, _ := s.Decide(q); d.Allowed {
			b.Fatal("allowed")
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	s, err := NewScopeEnforcer(policies.FS)
	if err != nil {
		b.Fatal(err)
	}
	gs := benchGrants(benchPartners)
	for b.Loop() {
		if err := s.Load(gs); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSetPartner(b *testing.B) {
	s, err := NewScopeEnforcer(policies.FS)
	if err != nil {
		b.Fatal(err)
	}
	gs := benchGrants(benchPartners)
	if err := s.Load(gs); err != nil {
		b.Fatal(err)
	}
	one := gs[:10]
	for b.Loop() {
		if err := s.SetPartner(1, one); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRoleAllow(b *testing.B) {
	e, err := NewRoleEnforcer(policies.FS)
	if err != nil {
		b.Fatal(err)
	}
	roles := []cordon.Role{cordon.RolePartnerTechnician}
	cases := []struct {
		name     string
		res, act string
		want     bool
	}{
		{"allow", cordon.ResJob, cordon.ActReport, true},
		{"deny", cordon.ResContract, cordon.ActView, false},
	}
	for _, c := range cases {
		b.Run("map/"+c.name, func(b *testing.B) {
			for b.Loop() {
				if e.Allow(roles, c.res, c.act) != c.want {
					b.Fatal("wrong answer")
				}
			}
		})
		b.Run("casbin/"+c.name, func(b *testing.B) {
			for b.Loop() {
				if ok, _ := e.enforce(roles, c.res, c.act); ok != c.want {
					b.Fatal("wrong answer")
				}
			}
		})
	}
}
