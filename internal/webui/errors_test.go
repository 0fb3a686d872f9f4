package webui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cordon/cordon/internal/cordon"
)

// pageSources are the code whose refusals reach the pages of the partner's
// daily work, the institute's operations and legal's audit: the services
// they call, the store behind them, and the pages themselves. A page added elsewhere
// adds its sources here and its texts to serviceMessages.
var pageSources = []string{
	"../dispatch/*.go", "../document/*.go", "../team/*.go",
	"job.go", "dispatch.go", "document.go", "team.go", "customer.go", "forms.go", "webui.go", "session.go",
	"../store/user.go", "../store/error.go", "../store/document.go", "../store/request.go", "../store/report.go",
	// The institute's and legal's pages and what they call.
	"../quality/*.go", "../evaluation/*.go", "../contract/*.go", "../audit/*.go", "../sla/*.go",
	"sla.go", "scorecard.go", "quality.go", "audit.go", "insight.go", "contract.go",
	"../store/quality.go", "../store/audit.go", "../store/audit_report.go", "../store/contract.go", "../store/sla.go", "../store/access.go",
}

// shownCodes are the codes whose message a page shows (as a flash or next
// to a field); every other code is the error page, which has its own words.
var shownCodes = map[string]bool{"EINVALID": true, "ECONFLICT": true, "ETOOMANY": true, "ETOOLARGE": true}

// serviceFormats lists the format strings of every cordon.Errorf with a
// shown code and every cordon.FieldErrorf in the page sources.
func serviceFormats(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, glob := range pageSources {
		files, err := filepath.Glob(glob)
		if err != nil || len(files) == 0 {
			t.Fatalf("no files in %s", glob)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				var format ast.Expr
				switch sel.Sel.Name {
				case "Errorf":
					if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "cordon" || len(call.Args) < 2 {
						return true
					}
					code, ok := call.Args[0].(*ast.SelectorExpr)
					if !ok || !shownCodes[code.Sel.Name] {
						return true
					}
					format = call.Args[1]
				case "FieldErrorf":
					if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "cordon" || len(call.Args) < 2 {
						return true
					}
					format = call.Args[1]
				default:
					return true
				}
				lit, ok := format.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil || s == "%s" {
					return true // a message made elsewhere
				}
				out[s] = fset.Position(lit.Pos()).String()
				return true
			})
		}
	}
	return out
}

// TestServiceMessages: every message the services behind the pages can
// refuse a form with has a Chinese text, and every entry of the table is
// still a message some service returns.
func TestServiceMessages(t *testing.T) {
	formats := serviceFormats(t)
	if len(formats) < 30 {
		t.Fatalf("found only %d service messages; is the scan broken?", len(formats))
	}
	for f, at := range formats {
		zh, ok := serviceMessages[f]
		if !ok {
			t.Errorf("%s: %q has no Chinese text in serviceMessages", at, f)
			continue
		}
		if got, want := len(verb.FindAllString(zh, -1)), len(verb.FindAllString(f, -1)); got != want {
			t.Errorf("%q: the Chinese text has %d verbs, the English %d", f, got, want)
		}
	}
	for f := range serviceMessages {
		if _, ok := formats[f]; !ok {
			t.Errorf("serviceMessages has %q, which no page source returns any more", f)
		}
	}
}

// TestMessageTranslation: a formatted message comes back in Chinese with
// its values, statuses named in Chinese; English pages and unknown
// messages stay as they are.
func TestMessageTranslation(t *testing.T) {
	zh, en := Locale{Lang: langZH}, Locale{Lang: langEN}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{cordon.FieldErrorf("actions", "Describe the actions taken (at most 8000 characters)."), "请填写处理措施（不超过 8000 字）。"},
		{cordon.Errorf(cordon.ECONFLICT, "This job is %s; a report is filed on site or once resolved.", cordon.JobEnRoute), "该工单当前为“在途”；服务报告须在到场后或解决后提交。"},
		{cordon.FieldErrorf("attachments", "At most %d attachments.", 5), "附件最多 5 个。"},
		{cordon.Errorf(cordon.EINVALID, "Something nobody translated."), "Something nobody translated."},
		{cordon.Errorf(cordon.ECONFLICT, "This job is %s; you may %s.", "en route", "report arrival on site, pause it for parts or mark it resolved"), "该工单当前为“在途”；您可以：报告已到场、因等待备件暂停或标记为已解决。"},
		{cordon.Errorf(cordon.ECONFLICT, "This job is %s; you may %s.", "offered", "accept or decline it"), "该工单当前为“待接单”；您可以：接单或拒单。"},
		{cordon.Errorf(cordon.ECONFLICT, "Cannot %s %s contract: allowed are %s.", "suspend", "a draft", "activate"), "不能对草稿状态的合同执行“暂停”；当前允许的操作：生效。"},
		{cordon.Errorf(cordon.ECONFLICT, "The contract is no longer %s.", "active"), "该合同已不再是“生效中”状态。"},
		{cordon.FieldErrorf("period", "A quarter reads like %s.", "2026-Q4"), "季度的格式如 2026-Q4。"},
	} {
		if got := zh.ErrorText(tc.err); got != tc.want {
			t.Errorf("zh %q = %q, want %q", cordon.ErrorMessage(tc.err), got, tc.want)
		}
		if got, want := en.ErrorText(tc.err), cordon.ErrorMessage(tc.err); got != want {
			t.Errorf("en = %q, want %q", got, want)
		}
	}
	// Timeline notes, with the arguments in the translation's order.
	if got, want := zh.Message("Offered to hefei under HF-2026-001 §3.1."), "已依据 HF-2026-001 §3.1 派给 hefei。"; got != want {
		t.Errorf("note = %q, want %q", got, want)
	}
	if got := zh.Message("客户要求改期"); got != "客户要求改期" {
		t.Errorf("a typed reason became %q", got)
	}
}
