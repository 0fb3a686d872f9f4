package webui

import (
	"errors"
	"testing"

	"github.com/cordon/cordon/internal/cordon"
)

// TestErrorText: a refusal comes back in Chinese from the catalogue by its
// key, with its values, statuses and lifecycle phrases named in Chinese;
// English pages show the English message; anything that is not a
// cordon.Error is the internal error.
func TestErrorText(t *testing.T) {
	zh, en := Locale{Lang: langZH}, Locale{Lang: langEN}
	record := "Service request" // a record named by the caller, as idParam does
	for _, tc := range []struct {
		err  error
		want string
	}{
		{cordon.FieldErr("actions", "dispatch.describe_actions_taken_most_8000"), "请填写处理措施（不超过 8000 字）。"},
		{cordon.Err(cordon.ECONFLICT, "dispatch.job_report_filed_site_once", cordon.JobEnRoute), "该工单当前为“在途”；服务报告须在到场后或解决后提交。"},
		{cordon.FieldErr("attachments", "dispatch.most_attachments", 5), "附件最多 5 个。"},
		{cordon.Err(cordon.ECONFLICT, "dispatch.job_you_may", "en route", "report arrival on site, pause it for parts or mark it resolved"), "该工单当前为“在途”；您可以：报告已到场、因等待备件暂停或标记为已解决。"},
		{cordon.Err(cordon.ECONFLICT, "dispatch.job_you_may", "offered", "accept or decline it"), "该工单当前为“待接单”；您可以：接单或拒单。"},
		{cordon.Err(cordon.ECONFLICT, "cannot_contract_allowed", "suspend", "a draft", "activate"), "不能对草稿状态的合同执行“暂停”；当前允许的操作：生效。"},
		{cordon.Err(cordon.ECONFLICT, "store.contract_no_longer", "active"), "该合同已不再是“生效中”状态。"},
		{cordon.FieldErr("period", "webui.quarter_reads_like", "2026-Q4"), "季度的格式如 2026-Q4。"},
		{cordon.Err(cordon.ENOTFOUND, "job.not_found"), "未找到该工单。"},
		{cordon.ErrNotFound(record), "未找到服务请求。"},
		{errors.New("driver: connection refused"), "内部错误。"},
	} {
		if got := zh.ErrorText(tc.err); got != tc.want {
			t.Errorf("zh %q = %q, want %q", cordon.ErrorMessage(tc.err), got, tc.want)
		}
		if got, want := en.ErrorText(tc.err), cordon.ErrorMessage(tc.err); got != want {
			t.Errorf("en = %q, want %q", got, want)
		}
	}
}

// TestTimelineNotes: a note the services wrote comes back in Chinese from
// its key, with the values in the translation's order; a typed reason and
// English pages show the note as it is.
func TestTimelineNotes(t *testing.T) {
	zh, en := Locale{Lang: langZH}, Locale{Lang: langEN}
	e := &cordon.JobEvent{}
	e.SetNote("note.offered_partner", "hefei", "HF-2026-001", "§3.1")
	if got, want := zh.Note(e), "已依据 HF-2026-001 §3.1 派给 hefei。"; got != want {
		t.Errorf("note = %q, want %q", got, want)
	}
	if got, want := en.Note(e), "Offered to hefei under HF-2026-001 §3.1."; got != want {
		t.Errorf("en note = %q, want %q", got, want)
	}
	typed := &cordon.JobEvent{Note: "客户要求改期"}
	if got := zh.Note(typed); got != "客户要求改期" {
		t.Errorf("a typed reason became %q", got)
	}
}

// TestInstalledErrorText: the installed base's refusals name fields and
// milestones in the page's language, English pages included (the service
// quotes field names such as delivered_on); a page's own refusal of a
// field is said from the page catalogue.
func TestInstalledErrorText(t *testing.T) {
	zh, en := Locale{Lang: langZH}, Locale{Lang: langEN}
	for _, tc := range []struct {
		err    error
		zh, en string
	}{
		{cordon.FieldErr("name", "installed.field_required", "name"), "请填写名称。", "The name is required."},
		{cordon.FieldErr("delivered_on", "installed.date_in_future", "delivered_on"), "交付日期 不能是将来的日期。", "The delivery date is in the future."},
		{cordon.Err(cordon.ECONFLICT, "installed.milestone_needs_installed", "accepted"), "记录“已验收”前须先记录安装。", "Accepted needs the installation recorded first."},
		{cordon.Err(cordon.ECONFLICT, "installed.milestone_after_later", "arrived", "installed"), "已记录“已安装”，不能再记录“已到货”：节点须按顺序记录。", "Arrived cannot be recorded after Installed: milestones go in order."},
		{cordon.FieldErr("customer_id", "installed.customer_deactivated", "CU-0001"), "客户 CU-0001 已停用，请先重新启用。", "Customer CU-0001 is deactivated: reactivate it first."},
		{fieldErr("on", "form.bad_day"), "日期格式应为 YYYY-MM-DD，例如 2026-11-02。", "Give the date as YYYY-MM-DD, like 2026-11-02."},
		{fieldErr("customer", "form.no_such_customer", "CU-9"), "没有编号为“CU-9”的客户。", `No customer has the code "CU-9".`},
	} {
		if got := zh.ErrorText(tc.err); got != tc.zh {
			t.Errorf("zh = %q, want %q", got, tc.zh)
		}
		if got := en.ErrorText(tc.err); got != tc.en {
			t.Errorf("en = %q, want %q", got, tc.en)
		}
	}
	if got := cordon.ErrorCode(fieldErr("on", "form.bad_day")); got != cordon.EINVALID {
		t.Errorf("a page's refusal has code %q, want EINVALID", got)
	}
}
