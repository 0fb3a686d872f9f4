package contract

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
)

// withIncentives is valid with an sla and a liability clause and an
// incentives block; line 27 is the first penalty.
const withIncentives = valid + `  sla: "§6.1 Service levels"
  liability: "§9.2 Liability"
incentives:
  penalties:
    jobs: {points: 1, amount_per_point: 200}
    sla: {points: 2, amount_per_point: 500}
  reward: {amount: 20000, min_score: 0.75}
`

func TestParseIncentives(t *testing.T) {
	c, _, problems := Parse("t.yaml", []byte(withIncentives), testCatalog{})
	if len(problems) > 0 {
		t.Fatalf("Parse: %q", problems)
	}
	want := &cordon.Incentives{
		Penalties: map[string]cordon.Penalty{
			"jobs": {Incident: cordon.IncidentLapsedOffer, Points: 1, AmountPerPoint: 200},
			"sla":  {Incident: cordon.IncidentSLABreach, Points: 2, AmountPerPoint: 500},
		},
		Reward: &cordon.Reward{Amount: 20000, MinScore: 0.75},
	}
	if diff := cmp.Diff(want, c.Incentives); diff != "" {
		t.Errorf("incentives (-want +got):\n%s", diff)
	}
	// The block is optional.
	c, _, problems = Parse("t.yaml", []byte(valid), testCatalog{})
	if len(problems) > 0 || c.Incentives != nil {
		t.Errorf("without incentives: got %+v, %q; want nil and no problem", c.Incentives, problems)
	}
}

func TestParseIncentivesProblems(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     []string
	}{
		{"clause not named", "    sla: {points", "    breach: {incident: complaint, points: 3, amount_per_point: 9}\n    sla: {points",
			[]string{`t.yaml:28:5: incentives.penalties.breach: no clause "breach": name it under clauses first`}},
		{"named clause without incident", "    sla: {points", "    liability: {points: 3, amount_per_point: 9}\n    sla: {points",
			[]string{`t.yaml:28:5: incentives.penalties.liability.incident: required, but missing: say which incident the clause penalises (lapsed_offer, sla_breach, complaint or reopen)`}},
		{"incident twice", "    sla: {points", "    liability: {incident: lapsed_offer, points: 3, amount_per_point: 9}\n    sla: {points",
			[]string{`t.yaml:28:5: incentives.penalties.liability: lapsed_offer is already penalised under jobs`}},
		{"unknown incident", "sla: {points", "sla: {incident: lateness, points",
			[]string{`t.yaml:28:21: incentives.penalties.sla.incident: "lateness" is not one of: lapsed_offer, sla_breach, complaint, reopen`}},
		{"no points", "{points: 1, amount_per_point: 200}", "{amount_per_point: 200}",
			[]string{`t.yaml:27:5: incentives.penalties.jobs.points: required, but missing`}},
		{"zero points", "{points: 1,", "{points: 0,",
			[]string{`t.yaml:27:20: incentives.penalties.jobs.points: must be at least 1`}},
		{"negative amount", "amount_per_point: 200", "amount_per_point: -200",
			[]string{`t.yaml:27:41: incentives.penalties.jobs.amount_per_point: must be at least 0`}},
		{"money as text", "amount_per_point: 200", `amount_per_point: "200 yuan"`,
			[]string{`t.yaml:27:41: incentives.penalties.jobs.amount_per_point: got text, want a whole number`}},
		{"score above 1", "min_score: 0.75", "min_score: 75",
			[]string{`t.yaml:29:38: incentives.reward.min_score: must be at most 1`}},
		{"reward without amount", "{amount: 20000, min_score", "{min_score",
			[]string{`t.yaml:29:3: incentives.reward.amount: required, but missing`}},
		{"unknown field", "  reward:", "  bonus: 1\n  reward:",
			[]string{`t.yaml:29:3: incentives.bonus: unknown field`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(withIncentives, tt.old, tt.new, 1)
			if src == withIncentives {
				t.Fatalf("the case changes nothing: %q not found", tt.old)
			}
			checkProblems(t, src, tt.want)
		})
	}
}

func TestDescribeIncentives(t *testing.T) {
	c := hefei()
	got := map[string][]string{"en": DescribeIncentives(c, "en"), "zh-CN": DescribeIncentives(c, "zh-CN")}
	want := map[string][]string{
		"en": {
			"HF-2026-001 §3.1: 1 point(s) per lapsed offer, 200 yuan a point",
			"HF-2026-001 §6.1: 2 point(s) per breached SLA clock, 500 yuan a point",
			"HF-2026-001 §9.2: 3 point(s) per complaint, 1000 yuan a point",
			"HF-2026-001: a reward of 20000 yuan for a period scoring at least 0.75 with at most 5 penalty points",
		},
		"zh-CN": {
			"HF-2026-001 §3.1：每次派单超时未接扣1分，每分200元",
			"HF-2026-001 §6.1：每次SLA时限违约扣2分，每分500元",
			"HF-2026-001 §9.2：每次客户投诉扣3分，每分1000元",
			"HF-2026-001：考核期得分不低于0.75且扣分不超过5分，奖励20000元",
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	c.Incentives = nil
	if got := DescribeIncentives(c, "en"); got != nil {
		t.Errorf("no incentives: got %q, want none", got)
	}
}
