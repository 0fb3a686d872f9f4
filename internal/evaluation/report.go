package evaluation

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cordon/cordon/internal/cordon"
)

// reportLang picks the report's language: English for "en…", Simplified
// Chinese otherwise.
func reportLang(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		return "en"
	}
	return "zh-CN"
}

// words are the report's texts per language.
var words = map[string]map[string]string{
	"zh-CN": {
		"section": "类别", "item": "项目", "clause": "条款", "incidents": "事件数", "points": "扣分", "amount": "金额（元）", "value": "数值",
		"figure": "指标", "penalty": "扣罚", "reward": "奖励", "total": "合计",
		"partner": "合作方", "partner_name": "合作方名称", "period": "考核期", "from": "起", "to": "止",
		"offers": "派单数", "accepted": "接单数", "declined": "拒单数", "expired": "超时未接", "acceptance_rate": "接单率",
		"sla_accept": "接单时限达标率", "sla_respond": "响应时限达标率", "sla_on_site": "到场时限达标率", "sla_resolve": "解决时限达标率",
		"resolved": "已解决", "first_time_fix_rate": "一次修复率", "reopen_rate": "返修率",
		"satisfaction": "满意度", "responses": "回访数", "complaints": "投诉数", "score": "综合得分",
		"lapsed_offer": "派单超时未接", "sla_breach": "SLA时限违约", "complaint": "客户投诉", "reopen": "工单返修",
		"penalty_total": "扣罚合计", "net": "净额（奖励−扣罚）",
		"earned": "已达成", "not_earned": "未达成", "no_reward": "合同未约定奖励",
		"rank": "排名", "penalty_points": "扣分合计", "penalty_amount": "扣罚金额（元）", "reward_amount": "奖励（元）", "net_amount": "净额（元）",
	},
	"en": {
		"section": "section", "item": "item", "clause": "clause", "incidents": "incidents", "points": "points", "amount": "amount (yuan)", "value": "value",
		"figure": "figure", "penalty": "penalty", "reward": "reward", "total": "total",
		"partner": "partner", "partner_name": "partner name", "period": "period", "from": "from", "to": "to",
		"offers": "offers", "accepted": "accepted", "declined": "declined", "expired": "lapsed offers", "acceptance_rate": "acceptance rate",
		"sla_accept": "SLA accept compliance", "sla_respond": "SLA respond compliance", "sla_on_site": "SLA on-site compliance", "sla_resolve": "SLA resolve compliance",
		"resolved": "resolved", "first_time_fix_rate": "first-time-fix rate", "reopen_rate": "reopen rate",
		"satisfaction": "satisfaction", "responses": "responses", "complaints": "complaints", "score": "score",
		"lapsed_offer": "lapsed offer", "sla_breach": "breached SLA clock", "complaint": "complaint", "reopen": "reopened job",
		"penalty_total": "penalties in total", "net": "net (reward − penalties)",
		"earned": "earned", "not_earned": "not earned", "no_reward": "no reward in the contract",
		"rank": "rank", "penalty_points": "penalty points", "penalty_amount": "penalties (yuan)", "reward_amount": "reward (yuan)", "net_amount": "net (yuan)",
	},
}

func rate(f float64) string { return strconv.FormatFloat(f, 'f', 4, 64) }

func yuan(n int64) string { return strconv.FormatInt(n, 10) }

// safeCell keeps a spreadsheet from running text as a formula.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// figures lists a scorecard's figures in report order: key and value.
func figures(sc *cordon.Scorecard) [][2]string {
	out := [][2]string{
		{"partner", sc.PartnerCode}, {"partner_name", safeCell(sc.PartnerName)}, {"period", sc.Period},
		{"from", sc.From.In(cordon.ChinaTime).Format("2006-01-02")}, {"to", sc.To.In(cordon.ChinaTime).AddDate(0, 0, -1).Format("2006-01-02")},
		{"offers", strconv.Itoa(sc.Offers)}, {"accepted", strconv.Itoa(sc.Accepted)}, {"declined", strconv.Itoa(sc.Declined)},
		{"expired", strconv.Itoa(sc.Expired)}, {"acceptance_rate", rate(sc.AcceptanceRate)},
	}
	for _, name := range cordon.ClockNames {
		v := "—"
		if c, ok := sc.SLA[name]; ok {
			v = rate(c.Rate)
		}
		out = append(out, [2]string{"sla_" + name, v})
	}
	return append(out,
		[2]string{"resolved", strconv.Itoa(sc.Resolved)}, [2]string{"first_time_fix_rate", rate(sc.FirstTimeFix)},
		[2]string{"reopen_rate", rate(sc.ReopenRate)}, [2]string{"satisfaction", strconv.FormatFloat(sc.Satisfaction, 'f', 2, 64)},
		[2]string{"responses", strconv.Itoa(sc.Responses)}, [2]string{"complaints", strconv.Itoa(sc.Complaints)},
		[2]string{"score", rate(sc.Score)},
	)
}

// rewardState says whether the reward was earned, in words.
func rewardState(sc *cordon.Scorecard, w map[string]string) string {
	switch {
	case sc.RewardTerms == nil:
		return w["no_reward"]
	case sc.RewardEarned:
		return w["earned"]
	}
	return w["not_earned"]
}

// WriteReport writes a partner's evaluation report for the period.
func (s *Service) WriteReport(ctx context.Context, w io.Writer, partnerID int64, period, format, lang string) error {
	if format != "csv" && format != "pdf" {
		return cordon.FieldErr("format", "evaluation.format_csv_pdf")
	}
	sc, err := s.Scorecard(ctx, partnerID, period)
	if err != nil {
		return err
	}
	if format == "pdf" {
		return writePDF(w, sc, s.cfg.Now(), reportLang(lang))
	}
	return writeCSV(w, sc, reportLang(lang))
}

// writeCSV writes one partner's report: a header row, then one row per
// figure, per clause penalty, the reward, and the totals.
func writeCSV(out io.Writer, sc *cordon.Scorecard, lang string) error {
	w := words[lang]
	cw := csv.NewWriter(out)
	row := func(cells ...string) { _ = cw.Write(cells) }
	row(w["section"], w["item"], w["clause"], w["incidents"], w["points"], w["amount"], w["value"])
	for _, f := range figures(sc) {
		row(w["figure"], w[f[0]], "", "", "", "", f[1])
	}
	for _, p := range sc.Penalties {
		row(w["penalty"], w[string(p.Incident)], strings.TrimSpace(p.ContractNo+" "+p.Ref), strconv.Itoa(p.Incidents),
			strconv.Itoa(p.Points), yuan(p.Amount), yuan(p.AmountPerPoint))
	}
	row(w["reward"], w["reward"], "", "", "", yuan(sc.Reward), rewardState(sc, w))
	row(w["total"], w["penalty_total"], "", "", strconv.Itoa(sc.PenaltyPoints), yuan(sc.PenaltyAmount), "")
	row(w["total"], w["net"], "", "", "", yuan(sc.Net), "")
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// WriteRanking writes every partner's scorecard for the period, best
// first, one row each.
func (s *Service) WriteRanking(ctx context.Context, out io.Writer, period, lang string) error {
	list, err := s.Scorecards(ctx, period)
	if err != nil {
		return err
	}
	w := words[reportLang(lang)]
	cw := csv.NewWriter(out)
	head := []string{w["rank"], w["partner"], w["partner_name"], w["period"], w["offers"], w["accepted"], w["declined"], w["expired"], w["acceptance_rate"]}
	for _, name := range cordon.ClockNames {
		head = append(head, w["sla_"+name])
	}
	head = append(head, w["first_time_fix_rate"], w["reopen_rate"], w["satisfaction"], w["responses"], w["complaints"],
		w["penalty_points"], w["penalty_amount"], w["reward_amount"], w["net_amount"], w["score"])
	_ = cw.Write(head)
	for i, sc := range list {
		f := map[string]string{}
		for _, kv := range figures(sc) {
			f[kv[0]] = kv[1]
		}
		r := []string{strconv.Itoa(i + 1), f["partner"], f["partner_name"], f["period"], f["offers"], f["accepted"], f["declined"], f["expired"], f["acceptance_rate"]}
		for _, name := range cordon.ClockNames {
			r = append(r, f["sla_"+name])
		}
		r = append(r, f["first_time_fix_rate"], f["reopen_rate"], f["satisfaction"], f["responses"], f["complaints"],
			strconv.Itoa(sc.PenaltyPoints), yuan(sc.PenaltyAmount), yuan(sc.Reward), yuan(sc.Net), f["score"])
		_ = cw.Write(r)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write ranking: %w", err)
	}
	return nil
}
