package evaluation

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/cordon/cordon/internal/cordon"
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

// pdfText validates a PDF with pdfcpu and returns the text its pages show.
func pdfText(t *testing.T, data []byte) string {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", data[:min(len(data), 16)])
	}
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := api.ReadValidateAndOptimize(bytes.NewReader(data), conf)
	if err != nil {
		t.Fatalf("pdfcpu refuses the PDF: %v", err)
	}
	var text strings.Builder
	for i := 1; i <= ctx.PageCount; i++ {
		r, err := pdfcpu.ExtractPageContent(ctx, i)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		b, _ := io.ReadAll(r)
		text.Write(b)
	}
	return text.String()
}

func TestReportPDF(t *testing.T) {
	var buf bytes.Buffer
	if err := writePDF(&buf, sampleScorecard(), time.Date(2027, 4, 1, 1, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	for _, want := range []string{"Partner evaluation report", "hefei", "2027-Q1", "0.7625", "0.3333", "HF-2026-001", "1200", "18800", "20000", "earned"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not show %q", want)
		}
	}

}

func BenchmarkReportPDF(b *testing.B) {
	sc := sampleScorecard()
	at := time.Date(2027, 4, 1, 1, 0, 0, 0, time.UTC)
	for b.Loop() {
		if err := writePDF(io.Discard, sc, at); err != nil {
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
