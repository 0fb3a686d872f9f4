package pdfdoc

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// width measures CJK as 2 units and anything else as 1.
func width(s string) float64 {
	w := 0.0
	for _, c := range s {
		if wide(c) {
			w += 2
		} else {
			w++
		}
	}
	return w
}

func TestWrapLine(t *testing.T) {
	tests := []struct {
		name string
		in   string
		w    float64
		want []string
	}{
		{"fits", "服务报告", 8, []string{"服务报告"}},
		{"chinese breaks anywhere", "服务报告单据", 8, []string{"服务报告", "单据"}},
		{"no closing mark at line start", "服务报告，单据", 8, []string{"服务报", "告，单据"}},
		{"no opening mark at line end", "服务报（告）", 8, []string{"服务报", "（告）"}},
		{"words break at spaces", "root cause found", 10, []string{"root cause", "found"}},
		{"long word breaks between letters", "SN2026004200", 5, []string{"SN202", "60042", "00"}},
		{"mixed", "更换 X-200 电源", 10, []string{"更换 X-200", "电源"}},
		{"no leading spaces", "ab   cd", 2, []string{"ab", "cd"}},
		{"empty", "", 5, []string{""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := wrapLine(tc.in, tc.w, width)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("wrapLine(%q, %g) (-want +got):\n%s", tc.in, tc.w, diff)
			}
		})
	}
}

// TestWrapLineKeepsText: wrapping never loses or reorders a character
// other than spaces at breaks, and no line is wider than asked unless a
// single character is.
func TestWrapLineKeepsText(t *testing.T) {
	in := "客户反映设备在低温环境下启动困难，工程师现场检查后发现电源模块（PSU-3A）的滤波电容老化；更换后 output ripple ≤ 50mV。"
	for w := 2.0; w <= 40; w++ {
		lines := wrapLine(in, w, width)
		if got, want := strings.ReplaceAll(strings.Join(lines, ""), " ", ""), strings.ReplaceAll(in, " ", ""); got != want {
			t.Fatalf("width %g: got %q, want %q", w, got, want)
		}
		for _, l := range lines {
			if width(l) > w && len([]rune(strings.TrimSpace(l))) > 1 && !strings.ContainsAny(l, closing+opening) {
				t.Errorf("width %g: line %q is %g wide", w, l, width(l))
			}
		}
	}
}

func TestClean(t *testing.T) {
	if got, want := clean("a\tb\r\nc\x00d\u200b镕 20℃"), "a b\ncd□ 20°C"; got != want {
		t.Errorf("clean: got %q, want %q", got, want)
	}
}
