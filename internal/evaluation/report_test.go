package evaluation

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/pdfdoc/pdftest"
	"github.com/google/go-cmp/cmp"
)

// sampleScorecard is hefei's scorecard of the fixture in cmd/cordon.
func sampleScorecard() *cordon.Scorecard {
	from, to, _ := ParsePeriod("2027-Q1")
	return &cordon.Scorecard{
		PartnerID: 2, PartnerCode: "hefei", PartnerName: "合肥华安技术服务有限公司 (Hefei)", Period: "2027-Q1", From: from, To: to,
		Offers: 3, Accepted: 1, Declined: 1, Expired: 1, AcceptanceRate: 1.0 / 3,
		SLA: map[string]cordon.SLACompliance{
			"accept": {Met: 1, Breached: 1, Rate: 0.5}, "respond": {Met: 1, Rate: 1}, "on_site": {Met: 1, Rate: 1}, "resolve": {Met: 1, Rate: 1},
		},
		Resolved: 1, FirstTimeFix: 1, Satisfaction: 5, Responses: 1, Score: 0.7625,
		PenaltyByClause: map[string]int{"§3.1": 1, "§4": 2},
		Penalties: []cordon.ClausePenalty{
			{ContractNo: "HF-2026-001", Key: "jobs", Ref: "§3.1", Incident: cordon.IncidentLapsedOffer, Incidents: 1, Points: 1, AmountPerPoint: 200, Amount: 200},
			{ContractNo: "HF-2026-001", Key: "sla", Ref: "§4", Incident: cordon.IncidentSLABreach, Incidents: 1, Points: 2, AmountPerPoint: 500, Amount: 1000},
		},
		PenaltyPoints: 3, PenaltyAmount: 1200,
		RewardTerms: &cordon.Reward{Amount: 20000, MinScore: 0.75, MaxPoints: 5}, RewardEarned: true, Reward: 20000, Net: 18800,
	}
}

func TestReportCSV(t *testing.T) {
	for _, lang := range []string{"en", "zh-CN"} {
		t.Run(lang, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writeCSV(&buf, sampleScorecard(), lang); err != nil {
				t.Fatal(err)
			}
			if bytes.HasPrefix(buf.Bytes(), []byte("\xef\xbb\xbf")) {
				t.Error("the CSV starts with a byte order mark")
			}
			rows, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			w := words[lang]
			if diff := cmp.Diff([]string{w["section"], w["item"], w["clause"], w["incidents"], w["points"], w["amount"], w["value"]}, rows[0]); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			byItem := map[string][]string{}
			for _, r := range rows[1:] {
				byItem[r[1]] = r
			}
			want := map[string][]string{
				w["offers"]:          {w["figure"], w["offers"], "", "", "", "", "3"},
				w["acceptance_rate"]: {w["figure"], w["acceptance_rate"], "", "", "", "", "0.3333"},
				w["sla_accept"]:      {w["figure"], w["sla_accept"], "", "", "", "", "0.5000"},
				w["score"]:           {w["figure"], w["score"], "", "", "", "", "0.7625"},
				w["lapsed_offer"]:    {w["penalty"], w["lapsed_offer"], "HF-2026-001 §3.1", "1", "1", "200", "200"},
				w["sla_breach"]:      {w["penalty"], w["sla_breach"], "HF-2026-001 §4", "1", "2", "1000", "500"},
				w["reward"]:          {w["reward"], w["reward"], "", "", "", "20000", w["earned"]},
				w["penalty_total"]:   {w["total"], w["penalty_total"], "", "", "3", "1200", ""},
				w["net"]:             {w["total"], w["net"], "", "", "", "18800", ""},
			}
			for item, row := range want {
				if diff := cmp.Diff(row, byItem[item]); diff != "" {
					t.Errorf("%s (-want +got):\n%s", item, diff)
				}
			}
		})
	}
}

// TestReportPDF: the report reads in Chinese by default and in English on
// request, with every figure, clause penalty and total; the text extracts.
func TestReportPDF(t *testing.T) {
	tests := []struct {
		lang string
		want []string
	}{
		{"zh-CN", []string{"合作方考核报告", "合肥华安技术服务有限公司(Hefei)", "2027-Q1（2027-01-01至2027-03-31）", "生成时间2027-04-0109:00（北京时间）",
			"接单率0.3333", "综合得分0.7625", "HF-2026-001§3.1派单超时未接11200200", "HF-2026-001§4SLA时限违约125001000",
			"奖励结果已达成", "奖励金额（元）20000", "扣罚金额（元）1200", "净额（元）18800", "第1页，共1页"}},
		{"en", []string{"Partnerevaluationreport", "partnerhefei", "2027-Q1(2027-01-01to2027-03-31)", "acceptancerate0.3333", "score0.7625",
			"HF-2026-001§3.1lapsedoffer11200200", "rewardearned", "reward paid (yuan)20000", "net(yuan)18800", "Page1of1"}},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writePDF(&buf, sampleScorecard(), time.Date(2027, 4, 1, 1, 0, 0, 0, time.UTC), tc.lang); err != nil {
				t.Fatal(err)
			}
			text := pdftest.Squeeze(pdftest.Text(t, buf.Bytes()))
			for _, want := range tc.want {
				if !strings.Contains(text, pdftest.Squeeze(want)) {
					t.Errorf("the PDF does not show %q in\n%s", want, text)
				}
			}
		})
	}
}

func BenchmarkReportPDF(b *testing.B) {
	sc := sampleScorecard()
	at := time.Date(2027, 4, 1, 1, 0, 0, 0, time.UTC)
	for b.Loop() {
		if err := writePDF(io.Discard, sc, at, "zh-CN"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReportCSV(b *testing.B) {
	sc := sampleScorecard()
	for b.Loop() {
		if err := writeCSV(io.Discard, sc, "zh-CN"); err != nil {
			b.Fatal(err)
		}
	}
}
