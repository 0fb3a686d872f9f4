package webui

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// The portal's languages: Simplified Chinese by default, English on request.
const (
	langZH = "zh-CN"
	langEN = "en"
)

// cst is China Standard Time, in which every date is shown. A fixed zone:
// the binary needs no time zone database.
var cst = time.FixedZone("CST", 8*3600)

// language picks the page language as the server's error page does: a
// lang query parameter or cookie of "en" asks for English; everything else
// is Simplified Chinese.
func language(c *fiber.Ctx) string {
	l := c.Query("lang")
	if l == "" {
		l = c.Cookies(cookieLang)
	}
	if strings.HasPrefix(strings.ToLower(l), "en") {
		return langEN
	}
	return langZH
}

// Locale is the page's language as templates use it: words from the
// catalogue and dates in the language's form.
type Locale struct {
	Lang string
	now  time.Time
}

// T returns the catalogue text for key, formatted with args when given. A
// key missing from the catalogue shows as itself, and a test fails.
func (l Locale) T(key string, args ...any) string {
	s, ok := catalogue[l.Lang][key]
	if !ok {
		s = key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Other is the language the switch offers.
func (l Locale) Other() string {
	if l.Lang == langEN {
		return langZH
	}
	return langEN
}

// OtherName is the other language's name, in that language.
func (l Locale) OtherName() string {
	if l.Lang == langEN {
		return "中文"
	}
	return "English"
}

// Date formats t (in China Standard Time) with the date and the minute.
func (l Locale) Date(t any) string {
	tt, ok := timeOf(t)
	if !ok {
		return "—"
	}
	tt = tt.In(cst)
	if l.Lang == langEN {
		return tt.Format("2 Jan 2006, 15:04")
	}
	return fmt.Sprintf("%d年%d月%d日 %s", tt.Year(), tt.Month(), tt.Day(), tt.Format("15:04"))
}

// Day formats t (in China Standard Time) as a date only.
func (l Locale) Day(t any) string {
	tt, ok := timeOf(t)
	if !ok {
		return "—"
	}
	tt = tt.In(cst)
	if l.Lang == langEN {
		return tt.Format("2 Jan 2006")
	}
	return fmt.Sprintf("%d年%d月%d日", tt.Year(), tt.Month(), tt.Day())
}

// ISO formats t for a <time datetime> attribute.
func (l Locale) ISO(t any) string {
	tt, ok := timeOf(t)
	if !ok {
		return ""
	}
	return tt.UTC().Format(time.RFC3339)
}

// Left says how long is left until t, rounded down to the minute: the text
// a countdown shows before its script takes over, and without scripts.
func (l Locale) Left(t any) string {
	tt, ok := timeOf(t)
	if !ok {
		return ""
	}
	d := tt.Sub(l.now)
	if d <= 0 {
		return l.T("countdown.over")
	}
	h, m := int(d.Hours()), int(d.Minutes())%60
	if h > 0 {
		return l.T("countdown.hm", h, m)
	}
	return l.T("countdown.m", m)
}

// Status names a job status.
func (l Locale) Status(s any) string { return l.T("status." + fmt.Sprint(s)) }

// Category names a service category.
func (l Locale) Category(s any) string { return l.T("category." + fmt.Sprint(s)) }

// Class names a document classification.
func (l Locale) Class(s any) string { return l.T("class." + fmt.Sprint(s)) }

// Role names a role.
func (l Locale) Role(s any) string { return l.T("role." + fmt.Sprint(s)) }

// Field names a disclosed identity field.
func (l Locale) Field(s any) string { return l.T("field." + fmt.Sprint(s)) }

// ContractStatus names a contract status.
func (l Locale) ContractStatus(s any) string { return l.T("contract." + fmt.Sprint(s)) }

func timeOf(t any) (time.Time, bool) {
	switch v := t.(type) {
	case time.Time:
		return v, !v.IsZero()
	case *time.Time:
		if v == nil || v.IsZero() {
			return time.Time{}, false
		}
		return *v, true
	}
	return time.Time{}, false
}

// catalogue holds every text of the portal, per language. Keys are
// grouped by page; the package test checks that both languages have the
// same keys and that every key a template names exists.
var catalogue = map[string]map[string]string{
	langZH: {
		"app.name":                "合作伙伴服务门户",
		"app.skip":                "跳到正文",
		"nav.label":               "主导航",
		"nav.jobs":                "工单",
		"nav.dispatch":            "派单",
		"nav.documents":           "技术资料",
		"nav.contracts":           "合同",
		"nav.me":                  "我的账户",
		"nav.logout":              "退出登录",
		"nav.lang":                "语言",
		"login.title":             "登录",
		"login.intro":             "请使用机构或合作伙伴分配的账号登录。",
		"login.username":          "用户名",
		"login.password":          "密码",
		"login.submit":            "登录",
		"login.failed":            "用户名或密码错误。",
		"login.locked":            "尝试次数过多，该账号暂时锁定，请稍后再试。",
		"login.missing":           "请输入用户名和密码。",
		"login.expired":           "登录已失效，请重新登录。",
		"csrf.failed":             "表单已失效，请刷新页面后重试。",
		"jobs.title":              "工单",
		"jobs.offers":             "待接单",
		"jobs.offers.none":        "目前没有待接的派单。",
		"jobs.active":             "进行中",
		"jobs.active.none":        "目前没有进行中的工单。",
		"jobs.done":               "已完成",
		"jobs.done.none":          "暂无已完成的工单。",
		"jobs.other":              "已结束的派单",
		"jobs.all":                "全部工单",
		"jobs.none":               "没有符合条件的工单。",
		"jobs.filter":             "筛选",
		"jobs.filter.any":         "全部状态",
		"jobs.filter.apply":       "应用筛选",
		"jobs.count":              "共 %d 条，显示 %d 条",
		"jobs.deadline":           "接单截止",
		"jobs.view":               "查看",
		"col.id":                  "编号",
		"col.status":              "状态",
		"col.priority":            "优先级",
		"col.category":            "服务类型",
		"col.line":                "产品线",
		"col.city":                "城市",
		"col.customer":            "客户",
		"col.offered":             "派单时间",
		"col.updated":             "更新时间",
		"col.partner":             "承接方",
		"col.description":         "描述",
		"col.created":             "登记时间",
		"job.title":               "工单 #%d",
		"job.back":                "返回工单列表",
		"job.details":             "工单信息",
		"job.customer":            "客户（化名）",
		"job.customer.ref":        "客户",
		"job.inhouse":             "本所自办",
		"job.contract":            "依据合同条款",
		"job.accepted":            "接单时间",
		"job.resolved":            "解决时间",
		"job.disclosure":          "已披露的客户信息",
		"job.disclosure.by":       "依据 %s %s 披露",
		"job.disclosure.until":    "披露有效期至 %s",
		"job.timeline":            "处理记录",
		"job.timeline.none":       "暂无记录。",
		"job.actions":             "操作",
		"job.actions.none":        "当前没有您可执行的操作。",
		"job.accept":              "接单",
		"job.decline":             "拒单",
		"job.reason":              "原因",
		"job.reason.hint":         "拒单或重新打开时必须填写原因。",
		"job.move":                "改为：%s",
		"job.moved":               "工单状态已更新为：%s",
		"field.city":              "城市",
		"field.site_address":      "现场地址",
		"field.contact_person":    "联系人",
		"field.phone":             "电话",
		"field.name":              "客户名称",
		"field.unit_designation":  "单位代号",
		"countdown.over":          "已超时",
		"countdown.hm":            "剩余 %d 小时 %d 分",
		"countdown.m":             "剩余 %d 分钟",
		"countdown.left":          "剩余 %s",
		"docs.title":              "技术资料",
		"docs.search":             "按标题搜索",
		"docs.line":               "产品线",
		"docs.line.any":           "全部产品线",
		"docs.submit":             "搜索",
		"docs.none":               "没有符合条件的资料。",
		"docs.count":              "共 %d 份，显示 %d 份",
		"docs.col.title":          "标题",
		"docs.col.version":        "版本",
		"docs.col.class":          "密级",
		"docs.col.size":           "大小",
		"docs.col.date":           "发布日期",
		"docs.download":           "下载",
		"docs.stamped":            "合作伙伴下载的文件带有水印及下载编号，每次下载均记入访问日志。",
		"dispatch.title":          "派单台",
		"dispatch.waiting":        "待派单的服务请求",
		"dispatch.none":           "目前没有待派单的请求。",
		"dispatch.candidates":     "候选承接方",
		"dispatch.nocand":         "没有符合合同范围的合作伙伴。",
		"dispatch.clause":         "合同条款",
		"dispatch.openjobs":       "在办工单",
		"dispatch.to":             "派给 %s",
		"dispatch.inhouse":        "本所工程师",
		"dispatch.auto":           "自动派给最优候选方",
		"dispatch.done":           "已派单：工单 #%d",
		"dispatch.received":       "登记时间：%s",
		"intake.title":            "登记服务请求",
		"intake.unit":             "交付装备（序列号）",
		"intake.unit.pick":        "请选择装备",
		"intake.category":         "服务类型",
		"intake.priority":         "优先级",
		"intake.description":      "问题描述",
		"intake.city":             "现场城市（可选，默认为装备所在城市）",
		"intake.submit":           "登记",
		"intake.done":             "已登记服务请求 #%d",
		"contracts.title":         "合同",
		"contracts.none":          "暂无合同。",
		"contracts.number":        "合同编号",
		"contracts.partner":       "合作伙伴",
		"contracts.status":        "状态",
		"contracts.period":        "有效期",
		"contracts.scope":         "合同范围",
		"contracts.cities":        "城市",
		"contracts.lines":         "产品线",
		"contracts.types":         "服务类型",
		"contracts.ceiling":       "资料密级上限",
		"contracts.disclosure":    "客户信息披露级别",
		"contracts.grace":         "解决后披露宽限（小时）",
		"contracts.grants":        "当前生效的授权（编译结果）",
		"contracts.nogrants":      "该合同当前不授予任何权限。",
		"contracts.sla":           "服务时限",
		"contracts.sla.accept":    "接单",
		"contracts.sla.respond":   "响应",
		"contracts.sla.onsite":    "到场",
		"contracts.sla.resolve":   "解决",
		"contracts.back":          "返回合同列表",
		"contracts.to":            "至",
		"contract.draft":          "草稿",
		"contract.active":         "生效中",
		"contract.suspended":      "已暂停",
		"contract.terminated":     "已终止",
		"contract.expired":        "已到期",
		"me.title":                "我的账户",
		"me.username":             "用户名",
		"me.name":                 "姓名",
		"me.org":                  "所属单位",
		"me.city":                 "所在城市",
		"me.roles":                "角色",
		"me.language":             "界面语言",
		"status.offered":          "待接单",
		"status.accepted":         "已接单",
		"status.declined":         "已拒单",
		"status.expired":          "已过期",
		"status.en_route":         "在途",
		"status.on_site":          "已到场",
		"status.waiting_customer": "等待用户",
		"status.waiting_parts":    "等待备件",
		"status.resolved":         "已解决",
		"status.verified":         "已验证",
		"status.reopened":         "已重新打开",
		"status.closed":           "已关闭",
		"status.revoked":          "已收回",
		"category.fault":          "故障处理",
		"category.installation":   "安装",
		"category.commissioning":  "调试",
		"category.training":       "培训",
		"category.maintenance":    "维护保养",
		"category.follow_up":      "回访",
		"category.upgrade":        "升级",
		"category.consultation":   "技术咨询",
		"category.repair":         "维修",
		"category.inspection":     "排查检修",
		"class.public":            "公开",
		"class.internal":          "内部",
		"class.restricted":        "受限",
		"class.confidential":      "机密",
		"role.dispatcher":         "调度员",
		"role.quality_supervisor": "质量主管",
		"role.engineer":           "工程师",
		"role.contract_admin":     "合同管理员",
		"role.legal_auditor":      "法务审计",
		"role.admin":              "系统管理员",
		"role.partner_admin":      "合作伙伴管理员",
		"role.partner_technician": "合作伙伴技术员",
	},
	langEN: {
		"app.name":                "Partner service portal",
		"app.skip":                "Skip to content",
		"nav.label":               "Main navigation",
		"nav.jobs":                "Jobs",
		"nav.dispatch":            "Dispatch",
		"nav.documents":           "Documents",
		"nav.contracts":           "Contracts",
		"nav.me":                  "My account",
		"nav.logout":              "Log out",
		"nav.lang":                "Language",
		"login.title":             "Log in",
		"login.intro":             "Log in with the account the institute or your company gave you.",
		"login.username":          "Username",
		"login.password":          "Password",
		"login.submit":            "Log in",
		"login.failed":            "Wrong username or password.",
		"login.locked":            "Too many attempts: this account is locked for a while. Try again later.",
		"login.missing":           "Enter your username and password.",
		"login.expired":           "Your session has ended. Please log in again.",
		"csrf.failed":             "This form has expired. Reload the page and try again.",
		"jobs.title":              "Jobs",
		"jobs.offers":             "Offers",
		"jobs.offers.none":        "No offers right now.",
		"jobs.active":             "In progress",
		"jobs.active.none":        "No jobs in progress.",
		"jobs.done":               "Done",
		"jobs.done.none":          "No finished jobs yet.",
		"jobs.other":              "Ended offers",
		"jobs.all":                "All jobs",
		"jobs.none":               "No jobs match.",
		"jobs.filter":             "Filter",
		"jobs.filter.any":         "Any status",
		"jobs.filter.apply":       "Apply filter",
		"jobs.count":              "%d in all, %d shown",
		"jobs.deadline":           "Accept by",
		"jobs.view":               "Open",
		"col.id":                  "No.",
		"col.status":              "Status",
		"col.priority":            "Priority",
		"col.category":            "Service",
		"col.line":                "Product line",
		"col.city":                "City",
		"col.customer":            "Customer",
		"col.offered":             "Offered",
		"col.updated":             "Updated",
		"col.partner":             "Held by",
		"col.description":         "Description",
		"col.created":             "Received",
		"job.title":               "Job #%d",
		"job.back":                "Back to jobs",
		"job.details":             "Job",
		"job.customer":            "Customer (pseudonym)",
		"job.customer.ref":        "Customer",
		"job.inhouse":             "In-house",
		"job.contract":            "Under contract clause",
		"job.accepted":            "Accepted",
		"job.resolved":            "Resolved",
		"job.disclosure":          "Customer details disclosed",
		"job.disclosure.by":       "Disclosed under %s %s",
		"job.disclosure.until":    "Visible until %s",
		"job.timeline":            "Timeline",
		"job.timeline.none":       "Nothing recorded yet.",
		"job.actions":             "Actions",
		"job.actions.none":        "There is nothing you can do with this job now.",
		"job.accept":              "Accept",
		"job.decline":             "Decline",
		"job.reason":              "Reason",
		"job.reason.hint":         "A reason is required to decline or to reopen.",
		"job.move":                "Move to: %s",
		"job.moved":               "The job is now: %s",
		"field.city":              "City",
		"field.site_address":      "Site address",
		"field.contact_person":    "Contact person",
		"field.phone":             "Phone",
		"field.name":              "Customer name",
		"field.unit_designation":  "Unit designation",
		"countdown.over":          "Deadline passed",
		"countdown.hm":            "%d h %d min left",
		"countdown.m":             "%d min left",
		"countdown.left":          "%s left",
		"docs.title":              "Technical documents",
		"docs.search":             "Search by title",
		"docs.line":               "Product line",
		"docs.line.any":           "Any product line",
		"docs.submit":             "Search",
		"docs.none":               "No documents match.",
		"docs.count":              "%d in all, %d shown",
		"docs.col.title":          "Title",
		"docs.col.version":        "Version",
		"docs.col.class":          "Classification",
		"docs.col.size":           "Size",
		"docs.col.date":           "Published",
		"docs.download":           "Download",
		"docs.stamped":            "Files downloaded by partners carry a stamp and a download id; every download is in the access log.",
		"dispatch.title":          "Dispatch desk",
		"dispatch.waiting":        "Requests waiting for dispatch",
		"dispatch.none":           "No requests are waiting.",
		"dispatch.candidates":     "Candidates",
		"dispatch.nocand":         "No partner's contract covers this request.",
		"dispatch.clause":         "Contract clause",
		"dispatch.openjobs":       "Open jobs",
		"dispatch.to":             "Dispatch to %s",
		"dispatch.inhouse":        "In-house engineers",
		"dispatch.auto":           "Dispatch to the best candidate",
		"dispatch.done":           "Dispatched: job #%d",
		"dispatch.received":       "Received %s",
		"intake.title":            "Take in a request",
		"intake.unit":             "Delivered unit (serial)",
		"intake.unit.pick":        "Choose a unit",
		"intake.category":         "Service",
		"intake.priority":         "Priority",
		"intake.description":      "What is wrong",
		"intake.city":             "Site city (optional; the unit's city by default)",
		"intake.submit":           "Take in",
		"intake.done":             "Request #%d taken in",
		"contracts.title":         "Contracts",
		"contracts.none":          "No contracts.",
		"contracts.number":        "Number",
		"contracts.partner":       "Partner",
		"contracts.status":        "Status",
		"contracts.period":        "Period",
		"contracts.scope":         "Scope",
		"contracts.cities":        "Cities",
		"contracts.lines":         "Product lines",
		"contracts.types":         "Service types",
		"contracts.ceiling":       "Document ceiling",
		"contracts.disclosure":    "Customer disclosure",
		"contracts.grace":         "Disclosure grace after resolution (hours)",
		"contracts.grants":        "What it grants now (compiled)",
		"contracts.nogrants":      "This contract grants nothing now.",
		"contracts.sla":           "Service levels",
		"contracts.sla.accept":    "Accept",
		"contracts.sla.respond":   "Respond",
		"contracts.sla.onsite":    "On site",
		"contracts.sla.resolve":   "Resolve",
		"contracts.back":          "Back to contracts",
		"contracts.to":            "to",
		"contract.draft":          "Draft",
		"contract.active":         "Active",
		"contract.suspended":      "Suspended",
		"contract.terminated":     "Terminated",
		"contract.expired":        "Expired",
		"me.title":                "My account",
		"me.username":             "Username",
		"me.name":                 "Name",
		"me.org":                  "Organisation",
		"me.city":                 "City",
		"me.roles":                "Roles",
		"me.language":             "Language",
		"status.offered":          "Offered",
		"status.accepted":         "Accepted",
		"status.declined":         "Declined",
		"status.expired":          "Expired",
		"status.en_route":         "En route",
		"status.on_site":          "On site",
		"status.waiting_customer": "Waiting for customer",
		"status.waiting_parts":    "Waiting for parts",
		"status.resolved":         "Resolved",
		"status.verified":         "Verified",
		"status.reopened":         "Reopened",
		"status.closed":           "Closed",
		"status.revoked":          "Revoked",
		"category.fault":          "Fault",
		"category.installation":   "Installation",
		"category.commissioning":  "Commissioning",
		"category.training":       "Training",
		"category.maintenance":    "Maintenance",
		"category.follow_up":      "Follow-up visit",
		"category.upgrade":        "Upgrade",
		"category.consultation":   "Consultation",
		"category.repair":         "Repair",
		"category.inspection":     "Inspection",
		"class.public":            "Public",
		"class.internal":          "Internal",
		"class.restricted":        "Restricted",
		"class.confidential":      "Confidential",
		"role.dispatcher":         "Dispatcher",
		"role.quality_supervisor": "Quality supervisor",
		"role.engineer":           "Engineer",
		"role.contract_admin":     "Contract administrator",
		"role.legal_auditor":      "Legal auditor",
		"role.admin":              "Administrator",
		"role.partner_admin":      "Partner administrator",
		"role.partner_technician": "Partner technician",
	},
}
