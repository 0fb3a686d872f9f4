package webui

// threadMessages are the texts of the thread on the job page
// (job_messages.html), of its notification, and of its resource and
// screening action in the access log's pages.
var threadMessages = map[string]map[string]string{
	langZH: {
		"thread.title":            "留言",
		"thread.none":             "暂无留言。",
		"thread.more":             "更多留言",
		"thread.side.institute":   "研究所",
		"thread.side.partner":     "合作方",
		"thread.photo":            "照片 %d",
		"thread.file":             "附件 %d（%s）",
		"thread.body":             "留言",
		"thread.hint":             "合作方与研究所双方都会看到留言：请勿写入装备序列号、客户名称、单位代号或电话号码。",
		"thread.override":         "保留理由（仅研究所）",
		"thread.override.hint":    "筛查拦截时，可填写理由保留原文；理由记入访问日志。",
		"thread.photo.label":      "照片",
		"thread.photo.hint":       "可拍照或选择图片（PNG、JPEG），最多 5 张，每张不超过 10 MiB。",
		"thread.send":             "发送",
		"thread.posted":           "留言已发送。",
		"notify.kind.job.message": "工单 #%d 有新留言。",
		"resource.message":        "工单留言",
		"action.screen":           "留言筛查",
	},
	langEN: {
		"thread.title":            "Messages",
		"thread.none":             "No messages yet.",
		"thread.more":             "More messages",
		"thread.side.institute":   "Institute",
		"thread.side.partner":     "Partner",
		"thread.photo":            "Photo %d",
		"thread.file":             "Attachment %d (%s)",
		"thread.body":             "Message",
		"thread.hint":             "The partner and the institute both read the thread: no unit serials, customer names, unit designations or phone numbers.",
		"thread.override":         "Reason to keep (institute only)",
		"thread.override.hint":    "When screening refuses the text, a reason keeps it as typed; the reason goes to the access log.",
		"thread.photo.label":      "Photos",
		"thread.photo.hint":       "Take a photo or choose images (PNG, JPEG): up to 5, 10 MiB each.",
		"thread.send":             "Send",
		"thread.posted":           "Message sent.",
		"notify.kind.job.message": "New message on job #%d.",
		"resource.message":        "Job message",
		"action.screen":           "Message screening",
	},
}
