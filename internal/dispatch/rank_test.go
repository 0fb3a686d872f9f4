package dispatch

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cordon/cordon/internal/cordon"
)

func TestRank(t *testing.T) {
	nan := math.NaN()
	inHouse := cordon.Candidate{InHouse: true}
	c := func(code, city string, score float64, open int) cordon.Candidate {
		return cordon.Candidate{PartnerID: int64(len(code)), PartnerCode: code, HomeCity: city, ContractNo: "C-" + code, Clause: "§3.1", Score: score, OpenJobs: open}
	}
	tests := []struct {
		name  string
		cands []cordon.Candidate
		city  string
		want  []string // partner codes; "" for in-house
	}{
		{"none: in-house only", nil, "Hefei", []string{""}},
		{"home city first", []cordon.Candidate{c("wuhan", "Wuhan", 0.9, 0), c("hefei", "Hefei", 0.5, 9)}, "Hefei", []string{"hefei", "wuhan", ""}},
		{"city match trims and folds case", []cordon.Candidate{c("wuhan", "Wuhan", 0.9, 0), c("hefei", " hefei ", 0.1, 0)}, "HEFEI", []string{"hefei", "wuhan", ""}},
		{"no site city: nobody is at home", []cordon.Candidate{c("b", "", 0.1, 0), c("a", "", 0.2, 0)}, "", []string{"a", "b", ""}},
		{"higher score first", []cordon.Candidate{c("a", "Hefei", 0.6, 0), c("b", "Hefei", 0.8, 5)}, "Hefei", []string{"b", "a", ""}},
		{"any score before none", []cordon.Candidate{c("new", "Hefei", nan, 0), c("poor", "Hefei", 0.05, 8), c("neg", "Hefei", -1, 0)}, "Hefei", []string{"poor", "neg", "new", ""}},
		{"zero is a score", []cordon.Candidate{c("new", "Hefei", -0.5, 0), c("zero", "Hefei", 0, 3)}, "Hefei", []string{"zero", "new", ""}},
		{"city beats score", []cordon.Candidate{c("far", "Xian", 1, 0), c("near", "Hefei", nan, 20)}, "Hefei", []string{"near", "far", ""}},
		{"equal score: lower load first", []cordon.Candidate{c("a", "Hefei", 0.7, 4), c("b", "Hefei", 0.7, 2)}, "Hefei", []string{"b", "a", ""}},
		{"unscored: lower load first", []cordon.Candidate{c("a", "Hefei", nan, 4), c("b", "Hefei", -1, 2)}, "Hefei", []string{"b", "a", ""}},
		{"all equal: by code", []cordon.Candidate{c("c", "Hefei", 0.7, 1), c("a", "Hefei", 0.7, 1), c("b", "Hefei", 0.7, 1)}, "Hefei", []string{"a", "b", "c", ""}},
		{"in-house given first stays last", []cordon.Candidate{inHouse, c("a", "Xian", nan, 50)}, "Hefei", []string{"a", ""}},
		{"in-house given once is not added", []cordon.Candidate{c("a", "Hefei", 0.5, 0), inHouse}, "Hefei", []string{"a", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]cordon.Candidate(nil), tt.cands...)
			got := Rank(tt.cands, tt.city)
			var codes []string
			for _, g := range got {
				codes = append(codes, g.PartnerCode)
			}
			if diff := cmp.Diff(tt.want, codes); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
			if !got[len(got)-1].InHouse {
				t.Errorf("last candidate is not in-house: %+v", got[len(got)-1])
			}
			if diff := cmp.Diff(in, tt.cands, cmpopts.EquateNaNs()); diff != "" {
				t.Errorf("Rank changed its input (-before +after):\n%s", diff)
			}
		})
	}
}

func TestRankTieBreaksAreTotal(t *testing.T) {
	// The same partner under two contracts, and two partners with one
	// code: every permutation of the input ranks the same.
	cands := []cordon.Candidate{
		{PartnerID: 2, PartnerCode: "hefei", HomeCity: "Hefei", ContractNo: "HF-2025-02", Clause: "§3.1", Score: 0.7, OpenJobs: 1},
		{PartnerID: 2, PartnerCode: "hefei", HomeCity: "Hefei", ContractNo: "HF-2025-01", Clause: "§3.2", Score: 0.7, OpenJobs: 1},
		{PartnerID: 1, PartnerCode: "hefei", HomeCity: "Hefei", ContractNo: "HF-2025-03", Clause: "§3.1", Score: 0.7, OpenJobs: 1},
		{PartnerID: 1, PartnerCode: "hefei", HomeCity: "Hefei", ContractNo: "HF-2025-03", Clause: "§3.0", Score: 0.7, OpenJobs: 1},
	}
	want := []cordon.Candidate{cands[3], cands[2], cands[1], cands[0], {InHouse: true}}
	perms := [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {1, 3, 0, 2}, {2, 0, 3, 1}}
	for _, p := range perms {
		in := []cordon.Candidate{cands[p[0]], cands[p[1]], cands[p[2]], cands[p[3]]}
		if diff := cmp.Diff(want, Rank(in, "Hefei")); diff != "" {
			t.Errorf("permutation %v (-want +got):\n%s", p, diff)
		}
	}
}

func TestOfferDeadline(t *testing.T) {
	now := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	c := &cordon.Contract{Number: "HF-2025-01", SLA: map[cordon.Priority]cordon.SLATerms{
		cordon.P1: {Accept: 30 * time.Minute, Respond: time.Hour, OnSite: 4 * time.Hour, Resolve: 24 * time.Hour},
		cordon.P2: {Accept: 2 * time.Hour, Respond: 4 * time.Hour, OnSite: 24 * time.Hour, Resolve: 72 * time.Hour},
		cordon.P3: {Respond: 4 * time.Hour}, // no accept term
	}}
	tests := []struct {
		name      string
		c         *cordon.Contract
		p         cordon.Priority
		want      time.Time
		wantField string
		wantMsg   string
	}{
		{"P1", c, cordon.P1, now.Add(30 * time.Minute), "", ""},
		{"P2", c, cordon.P2, now.Add(2 * time.Hour), "", ""},
		{"no accept term", c, cordon.P3, time.Time{}, "priority", "Contract HF-2025-01 sets no time to accept a P3 job."},
		{"priority missing", c, cordon.P4, time.Time{}, "priority", "Contract HF-2025-01 sets no time to accept a P4 job."},
		{"unknown priority", c, "P9", time.Time{}, "priority", `Unknown priority "P9".`},
		{"no contract", nil, cordon.P1, time.Time{}, "contract", "An offer deadline needs a contract."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := OfferDeadline(tt.c, tt.p, now)
			if !got.Equal(tt.want) {
				t.Errorf("deadline: got %v, want %v", got, tt.want)
			}
			var gotField, gotMsg string
			if err != nil {
				e := cordon.AsError(err)
				if e == nil || e.Code != cordon.EINVALID {
					t.Fatalf("got error %v, want EINVALID", err)
				}
				gotField, gotMsg = e.Field, e.Message
			}
			if gotField != tt.wantField || gotMsg != tt.wantMsg {
				t.Errorf("error: got field %q message %q, want field %q message %q", gotField, gotMsg, tt.wantField, tt.wantMsg)
			}
		})
	}
}
