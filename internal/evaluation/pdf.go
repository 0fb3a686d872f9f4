package evaluation

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/pdfdoc"
)

// The PDF report comes in Simplified Chinese by default and in English on
// request, like the CSV: internal/pdfdoc embeds a Chinese font subset
// (docs/pdf.md).

// pdfWords are the texts only the PDF needs, per language.
var pdfWords = map[string]map[string]string{
	"zh-CN": {
		"title": "合作方考核报告", "subtitle": "Partner evaluation report", "generated": "生成时间 %s（北京时间）",
		"period_range": "%s（%s 至 %s）", "scorecard": "考核指标", "by_clause": "按合同条款扣罚", "per_point": "每分金额（元）",
		"reward_and_net": "奖励与净额", "reward_terms": "奖励条件", "terms": "综合得分 ≥ %g 且扣分 ≤ %d 时奖励 %s 元",
		"reward_state": "奖励结果", "reward_paid": "奖励金额（元）", "none": "无", "footer": "合作方考核报告 · %s · %s",
	},
	"en": {
		"title": "Partner evaluation report", "subtitle": "", "generated": "Generated %s (China Standard Time)",
		"period_range": "%s (%s to %s)", "scorecard": "Scorecard", "by_clause": "Penalties by contract clause", "per_point": "yuan per point",
		"reward_and_net": "Reward and net", "reward_terms": "reward terms", "terms": "%[3]s yuan at score >= %[1]g, <= %[2]d points",
		"reward_state": "reward", "reward_paid": "reward paid (yuan)", "none": "none", "footer": "Partner evaluation report · %s · %s",
	},
}

// reportDocument lays the scorecard out as a document in lang ("zh-CN"
// or "en").
func reportDocument(sc *cordon.Scorecard, generated time.Time, lang string) *pdfdoc.Document {
	w, pw := words[lang], pdfWords[lang]
	from := sc.From.In(cordon.ChinaTime).Format("2006-01-02")
	to := sc.To.In(cordon.ChinaTime).AddDate(0, 0, -1).Format("2006-01-02")
	at := generated.In(cordon.ChinaTime).Format("2006-01-02 15:04")
	head := pdfdoc.Fields{
		{Key: w["partner"], Value: sc.PartnerCode},
		{Key: w["partner_name"], Value: sc.PartnerName},
		{Key: w["period"], Value: fmt.Sprintf(pw["period_range"], sc.Period, from, to)},
	}
	var card pdfdoc.FieldPairs
	for _, f := range figures(sc)[5:] { // partner, name, period, from and to are above
		card = append(card, pdfdoc.Field{Key: w[f[0]], Value: f[1]})
	}
	clauses := pdfdoc.Table{
		Columns: []pdfdoc.Column{{Header: w["clause"], Width: 1.6}, {Header: w["item"], Width: 1.6}, {Header: w["incidents"], Align: pdfdoc.Right},
			{Header: w["points"], Align: pdfdoc.Right}, {Header: pw["per_point"], Align: pdfdoc.Right}, {Header: w["amount"], Align: pdfdoc.Right}},
		Empty: pw["none"],
	}
	for _, p := range sc.Penalties {
		clauses.Rows = append(clauses.Rows, []string{strings.TrimSpace(p.ContractNo + " " + p.Ref), w[string(p.Incident)],
			strconv.Itoa(p.Incidents), strconv.Itoa(p.Points), yuan(p.AmountPerPoint), yuan(p.Amount)})
	}
	terms := pw["none"]
	if r := sc.RewardTerms; r != nil {
		terms = fmt.Sprintf(pw["terms"], r.MinScore, r.MaxPoints, yuan(r.Amount))
	}
	net := pdfdoc.Fields{
		{Key: w["penalty_points"], Value: strconv.Itoa(sc.PenaltyPoints)},
		{Key: w["penalty_amount"], Value: yuan(sc.PenaltyAmount)},
		{Key: pw["reward_terms"], Value: terms},
		{Key: pw["reward_state"], Value: rewardState(sc, w)},
		{Key: pw["reward_paid"], Value: yuan(sc.Reward)},
		{Key: w["net_amount"], Value: yuan(sc.Net)},
	}
	lang2 := "zh"
	if lang == "en" {
		lang2 = "en"
	}
	return &pdfdoc.Document{
		Title:    pw["title"],
		Subtitle: pw["subtitle"],
		Meta:     []string{sc.PartnerName + " · " + sc.Period, fmt.Sprintf(pw["generated"], at)},
		Footer:   fmt.Sprintf(pw["footer"], sc.PartnerCode, sc.Period),
		Lang:     lang2,
		Created:  generated,
		Sections: []pdfdoc.Section{
			{Blocks: []pdfdoc.Block{head}},
			{Title: pw["scorecard"], Blocks: []pdfdoc.Block{card}},
			{Title: pw["by_clause"], Blocks: []pdfdoc.Block{clauses}},
			{Title: pw["reward_and_net"], Blocks: []pdfdoc.Block{net}},
		},
	}
}

// writePDF renders the report as an A4 PDF in lang.
func writePDF(w io.Writer, sc *cordon.Scorecard, generated time.Time, lang string) error {
	if err := reportDocument(sc, generated, lang).Render(w); err != nil {
		return fmt.Errorf("report pdf: %w", err)
	}
	return nil
}
