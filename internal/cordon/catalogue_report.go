package cordon

// reportMessages are the service report's and the customer sign-off's
// messages (internal/report); keep them sorted by key.
var reportMessages = map[string]Message{
	"note.signed_off_drawn":              {EN: "The customer signed off (drawn signature, SHA-256 %s).", ZH: "客户已签字确认（手写签名，SHA-256 %s）。"},
	"note.signed_off_typed":              {EN: "The customer signed off (typed name, no signature image).", ZH: "客户已确认（键入姓名，无手写签名）。"},
	"report.amend_with_reason":           {EN: "Version %d of this job's report is filed; to change it, file an amendment with a reason.", ZH: "本工单的服务报告已提交第 %d 版；如需修改，请填写原因提交修订版。"},
	"report.nothing_to_amend":            {EN: "No report is filed on this job yet, so there is nothing to amend: leave the reason empty.", ZH: "本工单尚未提交服务报告，无可修订之处，请勿填写修订原因。"},
	"report.sign_off_method":             {EN: "Method must be drawn or typed.", ZH: "签字方式须为手写或键入。"},
	"report.signature_blank":             {EN: "The signature is empty: ask the customer to sign in the box.", ZH: "签名为空，请客户在签名框内签字。"},
	"report.signature_not_png":           {EN: "The signature must be a PNG image.", ZH: "签名须为 PNG 图片。"},
	"report.signature_required":          {EN: "A drawn sign-off needs the signature image.", ZH: "手写签字须附签名图片。"},
	"report.signature_size":              {EN: "The signature image may be at most %d pixels wide and high.", ZH: "签名图片的宽和高均不得超过 %d 像素。"},
	"report.signature_too_large":         {EN: "The signature image is larger than %d KB.", ZH: "签名图片超过 %d KB。"},
	"report.typed_sign_off_has_no_image": {EN: "A typed sign-off has no signature image; choose drawn to send one.", ZH: "键入姓名的确认不附签名图片；如有手写签名，请选择手写方式。"},
	"store.report_amended_meanwhile":     {EN: "The report was amended meanwhile: reload and try again.", ZH: "服务报告已被他人修订，请刷新后重试。"},
}
