package training

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/pdfdoc"
)

// certificate lays out a trainee's certificate (培训合格证书).
func certificate(j *cordon.Job, t *cordon.Trainee, sessions []*cordon.TrainingSession) *pdfdoc.Document {
	c := t.Certificate
	var total float64
	var topics []string
	from, to := "", ""
	for i, s := range sessions {
		total += s.Hours
		topics = append(topics, s.Topics)
		day := s.HeldOn.In(cordon.ChinaTime).Format("2006年1月2日")
		if i == 0 {
			from = day
		}
		to = day
	}
	period := from
	if to != from {
		period = from + " 至 " + to
	}
	who := t.Name
	if unit := strings.TrimSpace(t.Department + " " + t.Position); unit != "" {
		who += "（" + unit + "）"
	}
	line := ""
	if j.Request != nil && j.Request.ProductLine != "" {
		line = " " + j.Request.ProductLine + " "
	}
	statement := fmt.Sprintf("兹证明 %s 于 %s 参加%s设备培训（工单 %d），共 %s 学时，经考核成绩合格，特发此证。", who, period, line, j.ID, hours(total))
	result := "合格"
	if t.Score != nil {
		result = "合格（" + strconv.Itoa(*t.Score) + " 分）"
	}
	issued := c.IssuedAt.In(cordon.ChinaTime)
	return &pdfdoc.Document{
		Title:    "培训合格证书",
		Subtitle: "Certificate of Training",
		Meta:     []string{"证书编号 " + c.Number},
		Footer:   "培训合格证书 · " + c.Number + " · 可凭编号向研究所售后服务部查验",
		Created:  issued,
		Sections: []pdfdoc.Section{
			{Blocks: []pdfdoc.Block{pdfdoc.Paragraph(statement)}},
			{Title: "证书信息", Blocks: []pdfdoc.Block{pdfdoc.Fields{
				{Key: "姓名", Value: t.Name},
				{Key: "部门", Value: t.Department},
				{Key: "职务", Value: t.Position},
				{Key: "培训日期", Value: period},
				{Key: "学时", Value: hours(total)},
				{Key: "培训内容", Value: strings.Join(topics, "；")},
				{Key: "考核结果", Value: result},
				{Key: "证书编号", Value: c.Number},
				{Key: "发证日期", Value: issued.Format("2006年1月2日")},
			}}},
		},
	}
}
