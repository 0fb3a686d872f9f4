// Training records' messages (see catalogue.go); keep it sorted by key.

package cordon

// trainingMessages are the training records' messages.
var trainingMessages = map[string]Message{
	"training.certificate_already_issued":    {EN: "A certificate has already been issued to this trainee.", ZH: "该学员已颁发证书。"},
	"training.certificate_issued_no_change":  {EN: "A certificate has been issued: the trainee and the assessment can no longer change.", ZH: "证书已颁发，学员信息和考核结果不能再修改。"},
	"training.certificate_not_found":         {EN: "Certificate not found.", ZH: "未找到证书。"},
	"training.comment_too_long":              {EN: "The comment may have at most %d characters.", ZH: "评语最多 %d 个字符。"},
	"training.field_too_long":                {EN: "At most %d characters.", ZH: "最多 %d 个字符。"},
	"training.held_on_date":                  {EN: "Give the session's day as 2026-07-01.", ZH: "请按 2026-07-01 的格式填写培训日期。"},
	"training.hours_range":                   {EN: "Hours must be more than 0 and at most 24.", ZH: "学时须大于 0 且不超过 24。"},
	"training.identity_not_disclosed":        {EN: "Your contract does not disclose the customer's people for this job now.", ZH: "您的合同目前不允许查看该工单客户的人员信息。"},
	"training.job_assigned_someone_else":     {EN: "The job is assigned to someone else.", ZH: "该工单已指派给他人。"},
	"training.name_required":                 {EN: "Give the trainee's name (at most %d characters).", ZH: "请填写学员姓名（最多 %d 个字符）。"},
	"training.not_passed":                    {EN: "Only a trainee who passed the assessment gets a certificate.", ZH: "只有考核合格的学员才能颁发证书。"},
	"training.not_training_job":              {EN: "This is not a training job.", ZH: "这不是培训工单。"},
	"training.only_institute_lists":          {EN: "Only the institute lists trainees.", ZH: "只有研究所可以查看学员名单。"},
	"training.only_quality_engineer_records": {EN: "Only the quality supervisor, or an engineer on an in-house job, records training here.", ZH: "只有质量主管或承担所内工单的工程师可以在此记录培训。"},
	"training.only_quality_issues":           {EN: "Only the quality supervisor issues certificates.", ZH: "只有质量主管可以颁发证书。"},
	"training.passed_required":               {EN: "Say whether the trainee passed (passed: true or false).", ZH: "请说明学员是否考核合格（passed: true 或 false）。"},
	"training.record_on_site_resolved":       {EN: "Training is recorded while the job is on site or resolved; it is %s.", ZH: "只能在工单处于现场服务或已解决状态时记录培训，当前状态为 %s。"},
	"training.score_range":                   {EN: "The score is from 0 to 100.", ZH: "成绩须在 0 到 100 之间。"},
	"training.topics_required":               {EN: "Say what the session covered (at most %d characters).", ZH: "请填写培训内容（最多 %d 个字符）。"},
	"training.true_or_false":                 {EN: "%s is true or false.", ZH: "%s 只能是 true 或 false。"},
}
