package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/pdfdoc"
)

// pdfWords are the service report's texts, per language: Simplified
// Chinese by default, English on request.
var pdfWords = map[string]map[string]string{
	cordon.LangZH: {
		"title": "服务报告单", "title.acceptance": "验收单", "subtitle": "Service report", "subtitle.acceptance": "Acceptance record",
		"meta": "工单 #%d · 报告第 %d 版", "generated": "生成时间 %s（北京时间）", "job": "工单", "category": "服务类型",
		"line": "产品线", "city": "城市", "by": "服务单位", "inhouse": "本所", "contract": "合同条款", "offered": "派单时间",
		"resolved": "完成时间", "work": "处理情况", "actions": "处理措施", "parts": "更换备件", "cause": "故障原因",
		"reason": "修订原因", "none": "无", "checklist": "检查单", "item": "检查项目", "result": "结果", "limits": "限值",
		"flag": "标记", "out": "超限", "pass": "合格", "fail": "不合格", "na": "不适用", "photo": "已拍照", "empty": "未填写",
		"signoff": "客户签字确认", "signer": "签字人", "position": "职务", "method": "方式", "drawn": "手写签名",
		"typed": "键入姓名（无手写签名）", "signed_at": "签字时间", "sha": "签名 SHA-256", "nosign": "客户尚未签字确认。",
		"caption": "客户签名", "footer": "服务报告单 · 工单 #%d · 第 %d 版", "template": "%s（第 %d 版）",
	},
	cordon.LangEN: {
		"title": "Service report", "title.acceptance": "Acceptance record", "subtitle": "", "subtitle.acceptance": "",
		"meta": "Job #%d · report version %d", "generated": "Generated %s (China Standard Time)", "job": "Job", "category": "Service",
		"line": "Product line", "city": "City", "by": "Serviced by", "inhouse": "the institute", "contract": "Contract clause",
		"offered": "Offered", "resolved": "Resolved", "work": "Work done", "actions": "Actions", "parts": "Parts used",
		"cause": "Root cause", "reason": "Amended because", "none": "none", "checklist": "Checklist", "item": "Item",
		"result": "Result", "limits": "Limits", "flag": "Flag", "out": "out of limits", "pass": "pass", "fail": "fail",
		"na": "n/a", "photo": "photo taken", "empty": "not answered", "signoff": "Customer sign-off", "signer": "Signed by",
		"position": "Position", "method": "How", "drawn": "drawn signature", "typed": "typed name (no signature)",
		"signed_at": "Signed at", "sha": "Signature SHA-256", "nosign": "The customer has not signed off.",
		"caption": "The customer's signature", "footer": "Service report · job #%d · version %d", "template": "%s (version %d)",
	},
}

// pdfNames are the service categories and root causes as the report
// names them.
var pdfNames = map[string]map[string]string{
	cordon.LangZH: {
		"fault": "故障处理", "installation": "安装", "commissioning": "调试", "training": "培训", "maintenance": "维护保养",
		"follow_up": "回访", "upgrade": "升级", "consultation": "技术咨询", "repair": "维修", "inspection": "排查检修",
		"design": "设计", "manufacturing": "制造工艺", "component": "元器件", "software": "软件", "operation": "使用操作",
		"environment": "环境", "transport": "运输", "unknown": "原因不明",
	},
	cordon.LangEN: {},
}

// pdfLang picks the PDF's language as the evaluation reports do: English
// for "en…", Simplified Chinese for anything else.
func pdfLang(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		return cordon.LangEN
	}
	return cordon.LangZH
}

// acceptance reports whether a job's report is its acceptance record
// (验收单): installation and commissioning.
func acceptance(c cordon.Category) bool {
	return c == cordon.CatInstallation || c == cordon.CatCommissioning
}

// ServiceReportPDF renders the job's latest report as a PDF (服务报告单,
// or 验收单 for installation and commissioning): the job, the work, the
// checklist with its measurements and flags, and the customer's sign-off
// with the signature image. The download is an access event with the
// SHA-256 of the bytes served, naming the report version and the sign-off
// in it. ENOTFOUND while no report is filed.
func (s *Service) ServiceReportPDF(ctx context.Context, jobID int64, lang string) ([]byte, error) {
	a, j, dec, err := s.read(ctx, jobID)
	if err != nil {
		return nil, err
	}
	lang = pdfLang(lang)
	reports, err := s.cfg.Reports.FindReports(ctx, j.ID)
	if err != nil {
		return nil, fmt.Errorf("report pdf of job %d: %w", j.ID, err)
	}
	if len(reports) == 0 {
		return nil, cordon.ErrNotFound("Service report")
	}
	r := reports[0]
	so, err := s.latest(ctx, j.ID)
	if err != nil {
		return nil, err
	}
	var sig []byte
	if so != nil && so.Method == cordon.SignDrawn {
		if sig, err = s.cfg.Reports.FindBlob(ctx, so.SHA256); err != nil {
			return nil, fmt.Errorf("report pdf of job %d: %w", j.ID, err)
		}
	}
	var list *cordon.JobChecklist
	if s.cfg.Checklist != nil {
		if list, err = s.cfg.Checklist(ctx, j.ID); err != nil && cordon.ErrorCode(err) != cordon.ENOTFOUND {
			return nil, err
		}
	}
	by := ""
	if j.PartnerID != nil {
		o, err := s.cfg.Orgs.FindOrgByID(ctx, *j.PartnerID)
		if err != nil {
			return nil, fmt.Errorf("report pdf of job %d: %w", j.ID, err)
		}
		by = o.Name
	}
	doc := serviceReport(j, r, so, sig, list, by, a.IsPartner(), dec, s.cfg.Now(), lang)
	var buf bytes.Buffer
	if err := doc.Render(&buf); err != nil {
		return nil, fmt.Errorf("report pdf of job %d: %w", j.ID, err)
	}
	sum := sha256.Sum256(buf.Bytes())
	if err := s.record(ctx, a, j, dec, resReport, r.ID, cordon.ActExport, hex.EncodeToString(sum[:])); err != nil {
		return nil, err
	}
	if so != nil { // the signer and the signature are in the file too
		if err := s.record(ctx, a, j, dec, resSignOff, so.ID, cordon.ActExport, hex.EncodeToString(sum[:])); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// serviceReport lays the report out.
func serviceReport(j *cordon.Job, r *cordon.ServiceReport, so *cordon.SignOff, sig []byte, list *cordon.JobChecklist,
	by string, partner bool, dec cordon.Decided, now time.Time, lang string) *pdfdoc.Document {
	w := pdfWords[lang]
	name := func(k string) string {
		if v := pdfNames[lang][k]; v != "" {
			return v
		}
		return k
	}
	at := func(t time.Time) string { return t.In(cordon.ChinaTime).Format("2006-01-02 15:04") }
	title, subtitle := w["title"], w["subtitle"]
	if acceptance(j.Request.Category) {
		title, subtitle = w["title.acceptance"], w["subtitle.acceptance"]
	}
	if by == "" {
		by = w["inhouse"]
	}
	facts := pdfdoc.Fields{
		{Key: w["category"], Value: name(string(j.Request.Category))},
		{Key: w["line"], Value: j.Request.ProductLine},
		{Key: w["city"], Value: j.Request.SiteCity},
		{Key: w["by"], Value: by},
		{Key: w["offered"], Value: at(j.OfferedAt)},
	}
	if j.ResolvedAt != nil {
		facts = append(facts, pdfdoc.Field{Key: w["resolved"], Value: at(*j.ResolvedAt)})
	}
	if partner && dec.ContractNo != "" {
		facts = append(facts, pdfdoc.Field{Key: w["contract"], Value: dec.ContractNo + " " + dec.Clause})
	}
	work := pdfdoc.Fields{{Key: w["actions"], Value: r.Actions}}
	parts := r.PartsUsed
	if parts == "" {
		parts = w["none"]
	}
	work = append(work, pdfdoc.Field{Key: w["parts"], Value: parts}, pdfdoc.Field{Key: w["cause"], Value: name(string(r.RootCause))})
	if r.Reason != "" {
		work = append(work, pdfdoc.Field{Key: w["reason"], Value: r.Reason})
	}
	sections := []pdfdoc.Section{
		{Title: w["job"], Blocks: []pdfdoc.Block{facts}},
		{Title: w["work"], Blocks: []pdfdoc.Block{work}},
	}
	if list != nil && list.Template != nil {
		sections = append(sections, pdfdoc.Section{
			Title:  w["checklist"] + " · " + fmt.Sprintf(w["template"], list.Template.Title, list.Template.Version),
			Blocks: []pdfdoc.Block{checklistTable(list, w)},
		})
	}
	signoff := pdfdoc.Section{Title: w["signoff"]}
	if so == nil {
		signoff.Blocks = []pdfdoc.Block{pdfdoc.Paragraph(w["nosign"])}
	} else {
		f := pdfdoc.Fields{{Key: w["signer"], Value: so.SignerName}}
		if so.SignerPosition != "" {
			f = append(f, pdfdoc.Field{Key: w["position"], Value: so.SignerPosition})
		}
		f = append(f, pdfdoc.Field{Key: w["method"], Value: w[string(so.Method)]}, pdfdoc.Field{Key: w["signed_at"], Value: at(so.SignedAt)})
		if so.SHA256 != "" {
			f = append(f, pdfdoc.Field{Key: w["sha"], Value: so.SHA256})
		}
		signoff.Blocks = []pdfdoc.Block{f}
		if len(sig) > 0 {
			signoff.Blocks = append(signoff.Blocks, pdfdoc.Image{PNG: sig, MaxWidth: 80, MaxHeight: 32, Caption: w["caption"]})
		}
	}
	sections = append(sections, signoff)
	return &pdfdoc.Document{
		Title: title, Subtitle: subtitle,
		Meta:     []string{fmt.Sprintf(w["meta"], j.ID, r.Version), fmt.Sprintf(w["generated"], at(now))},
		Sections: sections,
		Footer:   fmt.Sprintf(w["footer"], j.ID, r.Version),
		Lang:     map[string]string{cordon.LangEN: "en"}[lang],
		Created:  now,
		Author:   "Cordon",
	}
}

// checklistTable is the checklist as a table: each item, its answer, its
// limits and whether it is out of them.
func checklistTable(list *cordon.JobChecklist, w map[string]string) pdfdoc.Table {
	t := pdfdoc.Table{
		Columns: []pdfdoc.Column{{Header: w["item"], Width: 3}, {Header: w["result"], Width: 2}, {Header: w["limits"], Width: 2}, {Header: w["flag"], Width: 1, Align: pdfdoc.Center}},
		Empty:   w["none"],
	}
	for i := range list.Template.Items {
		it := &list.Template.Items[i]
		value, flag := w["empty"], ""
		if a := list.Answer(it.Key); a != nil {
			switch it.Kind {
			case cordon.ItemCheck:
				value = w[a.Value]
			case cordon.ItemMeasurement:
				value = a.Value
				if it.Unit != "" {
					value += " " + it.Unit
				}
			case cordon.ItemPhoto:
				value = w["photo"]
			default:
				value = a.Value
			}
			if a.Flagged {
				flag = w["out"]
			}
		}
		limits := ""
		if it.Kind == cordon.ItemMeasurement {
			limits = it.Limits()
		}
		t.Rows = append(t.Rows, []string{it.Label, value, limits, flag})
	}
	return t
}
