package cordon

// threadMessages are the job messages' texts (internal/thread).
var threadMessages = map[string]Message{
	"thread.limit":                {EN: "The limit must be a number from 1 to %d.", ZH: "每页条数须为 1 至 %d 之间的数字。"},
	"thread.after":                {EN: "after must be a message id.", ZH: "after 须为消息编号。"},
	"thread.body_text":            {EN: "The message must be valid text.", ZH: "消息须为有效文本。"},
	"thread.body_required":        {EN: "Write a message.", ZH: "请填写消息内容。"},
	"thread.body_too_long":        {EN: "The message is longer than %d characters.", ZH: "消息超过 %d 个字符。"},
	"thread.partner_no_override":  {EN: "Only the institute may keep screened text with a reason.", ZH: "只有研究所人员可以填写理由保留被筛查的内容。"},
	"thread.override_too_long":    {EN: "The reason is longer than %d characters.", ZH: "理由超过 %d 个字符。"},
	"thread.too_many_attachments": {EN: "A message carries at most %d attachments.", ZH: "每条消息最多 %d 个附件。"},
	"thread.attachment_too_large": {EN: "An attachment is larger than %d MiB.", ZH: "附件超过 %d MiB。"},
	// A partner's refusals: no override, and why.
	"thread.screen_serial":           {EN: "The message names the unit's serial (at character %d): remove it. The thread is read by people who may not see it.", ZH: "消息中含有装备序列号（第 %d 个字符处），请删除：留言会被无权查看该信息的人读到。"},
	"thread.screen_customer_name":    {EN: "The message names the customer (at character %d): remove it. The thread is read by people who may not see it.", ZH: "消息中含有客户名称（第 %d 个字符处），请删除：留言会被无权查看该信息的人读到。"},
	"thread.screen_unit_designation": {EN: "The message names the customer's unit designation (at character %d): remove it. The thread is read by people who may not see it.", ZH: "消息中含有客户单位代号（第 %d 个字符处），请删除：留言会被无权查看该信息的人读到。"},
	"thread.screen_phone":            {EN: "The message holds a phone number (at character %d): remove it. The thread is read by people who may not see it.", ZH: "消息中含有电话号码（第 %d 个字符处），请删除：留言会被无权查看该信息的人读到。"},
	// The institute's: remove it, or give a reason to keep it.
	"thread.screen_serial_override":           {EN: "The message names the unit's serial (at character %d): the partner reads the thread; remove it, or give a reason to keep it.", ZH: "消息中含有装备序列号（第 %d 个字符处），合作方会读到；请删除，如确需保留，请填写理由。"},
	"thread.screen_customer_name_override":    {EN: "The message names the customer (at character %d): the partner reads the thread; remove it, or give a reason to keep it.", ZH: "消息中含有客户名称（第 %d 个字符处），合作方会读到；请删除，如确需保留，请填写理由。"},
	"thread.screen_unit_designation_override": {EN: "The message names the customer's unit designation (at character %d): the partner reads the thread; remove it, or give a reason to keep it.", ZH: "消息中含有客户单位代号（第 %d 个字符处），合作方会读到；请删除，如确需保留，请填写理由。"},
	"thread.screen_phone_override":            {EN: "The message holds a phone number (at character %d): the partner reads the thread; remove it, or give a reason to keep it.", ZH: "消息中含有电话号码（第 %d 个字符处），合作方会读到；请删除，如确需保留，请填写理由。"},
}
