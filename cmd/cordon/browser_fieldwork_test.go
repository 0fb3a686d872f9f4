package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/pdfdoc/pdftest"
	"github.com/cordon/cordon/internal/store"
)

// TestBrowserFieldWork is issue #16's "done when", tried as a new user
// would, in Chinese on 375 px touch phones: hefei.tech takes the demo
// installation job through its checklist (接地电阻 out of limits, flagged),
// files the service report, has the customer sign with a finger on the
// pad, downloads the 验收单 PDF (its text extracts as Chinese), posts a
// message with a photo and resolves the job; quality opens the job, sees
// the report, the checklist's flag and the signature beside the verify
// button, replies to the message, verifies, and finds the unit's
// "installed" milestone; the technician reads the reply. No page scrolls
// sideways.
func TestBrowserFieldWork(t *testing.T) {
	chromiumPath(t)
	eachDB(t, func(t *testing.T, h *harness) {
		job, unit := fieldworkJob(t, h)
		photo := filepath.Join(t.TempDir(), "photo.png")
		if err := os.WriteFile(photo, pngFile(), 0o644); err != nil {
			t.Fatal(err)
		}
		base := h.serve()
		jobURL := fmt.Sprintf("%s/jobs/%d", base, job)

		tech := chrome(t, narrow)
		asTouchPhone(t, tech)
		loginAs(t, tech, base, "hefei.tech")
		drive(t, tech, "the job from the inbox",
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/jobs/%d"]`, job))),
			chromedp.WaitVisible(chromedp.CSS(`#checklist-card`)),
		)
		if w := read(t, tech, "width", chromedp.Evaluate[int](`window.innerWidth`)); w != 375 {
			t.Fatalf("the phone is %d px wide, want 375", w)
		}
		if lang := read(t, tech, "language", chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "zh-CN" {
			t.Errorf("the portal speaks %q, want zh-CN", lang)
		}
		noSideScroll(t, tech, "the job page on site")

		// The checklist: every check passed, 接地电阻 out of limits.
		var fill []chromedp.Action[chromedp.Void]
		for _, item := range []string{"site_ready", "unit_intact", "serial_matches", "power_on_selftest"} {
			fill = append(fill, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="a.%s"][value="pass"]`, item))))
		}
		fill = append(fill,
			chromedp.SendKeys(chromedp.CSS(`#cl-earth_resistance`), "6.5"),
			chromedp.SendKeys(chromedp.CSS(`#cl-insulation_resistance`), "50"),
			chromedp.SendKeys(chromedp.CSS(`#cl-supply_voltage`), "221"),
			chromedp.SendKeys(chromedp.CSS(`#cl-remarks`), "接地排锈蚀，已告知用户整改。"),
		)
		drive(t, tech, "fill the checklist", fill...)
		submitAndFlash(t, tech, "save the checklist", `#checklist-save`)
		drive(t, tech, "the checklist is complete, with its flag",
			chromedp.WaitVisible(chromedp.CSS(`#checklist-complete`)),
			chromedp.WaitVisible(chromedp.CSS(`#checklist-flags`)),
		)
		if f := text(t, tech, `#item-earth_resistance [data-flag]`); f != "超限" {
			t.Errorf("the earth resistance's flag reads %q, want 超限", f)
		}
		noSideScroll(t, tech, "the saved checklist")

		// The service report.
		drive(t, tech, "write the report",
			chromedp.SendKeys(chromedp.CSS(`#report-actions`), "雷达主机就位、接线并通电自检通过，已向用户交代整改事项。"),
			chromedp.SendKeys(chromedp.CSS(`#parts_used`), "接地线 2 米"),
			chromedp.SetValue(chromedp.CSS(`#root_cause`), string(cordon.CauseInstallation)),
		)
		submitAndFlash(t, tech, "file the report", `.report-form #file-report`)
		if f := text(t, tech, `.flash-ok`); !strings.Contains(f, "服务报告已提交") {
			t.Errorf("flash after filing: %q", f)
		}
		drive(t, tech, "the filed report", chromedp.WaitVisible(chromedp.CSS(`#report-v1`)))

		// The customer signs with a finger on the pad.
		const signer = "王建国"
		drive(t, tech, "the sign-off form",
			chromedp.ScrollIntoView(chromedp.CSS(`#signature-pad`)),
			chromedp.WaitVisible(chromedp.CSS(`#signature-pad`)),
		)
		drawSignature(t, tech)
		if blank := read(t, tech, "the pad has ink", chromedp.Evaluate[bool](`(() => {
			const c = document.getElementById("signature-pad"), d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
			for (let i = 0; i < d.length; i += 4) if (d[i] < 128) return false;
			return true; })()`)); blank {
			t.Fatal("the drawn signature left no ink on the pad")
		}
		drive(t, tech, "the signer",
			chromedp.SendKeys(chromedp.CSS(`#signer_name`), signer),
			chromedp.SendKeys(chromedp.CSS(`#signer_position`), "设备科科长"),
		)
		submitAndFlash(t, tech, "sign off", `#sign-off`)
		if f := text(t, tech, `.flash-ok`); !strings.Contains(f, "客户签字已记录") {
			t.Errorf("flash after signing: %q", f)
		}
		drive(t, tech, "the signature shown back",
			chromedp.WaitVisible(chromedp.CSS(`#signoff-intact`)),
			chromedp.ScrollIntoView(chromedp.CSS(`img.signature`)),
			chromedp.Poll[chromedp.Void](`(() => { const i = document.querySelector("img.signature"); return !!i && i.complete && i.naturalWidth > 0; })()`,
				chromedp.WithPollingTimeout(20*time.Second)),
		)
		if s := text(t, tech, `.signoff-view`); !strings.Contains(s, signer) || !strings.Contains(s, "设备科科长") {
			t.Errorf("the sign-off reads %q", s)
		}
		noSideScroll(t, tech, "the signed job")

		// The acceptance record, downloaded by a tap on its link.
		dir, done := downloads(t, tech)
		if l := text(t, tech, `#service-report-pdf`); !strings.Contains(l, "验收单") {
			t.Errorf("the PDF link reads %q", l)
		}
		drive(t, tech, "download the PDF", chromedp.Click(chromedp.CSS(`#service-report-pdf`)))
		var pdf []byte
		select {
		case guid := <-done:
			b, err := os.ReadFile(filepath.Join(dir, guid))
			if err != nil {
				t.Fatal(err)
			}
			pdf = b
		case <-time.After(20 * time.Second):
			t.Fatal("the PDF download did not complete")
		}
		got := pdftest.Squeeze(pdftest.Text(t, pdf))
		for _, want := range []string{"验收单", "接地电阻", "6.5", "超限", signer, "设备科科长", "雷达主机就位"} {
			if !strings.Contains(got, want) {
				t.Errorf("the PDF's text lacks %q:\n%s", want, got)
			}
		}

		// A message with a photo to the institute.
		drive(t, tech, "write a message with a photo",
			chromedp.SendKeys(chromedp.CSS(`#message-body`), "接地排锈蚀照片见附件，请确认是否需要复测。"),
			chromedp.SetUploadFiles(chromedp.CSS(`#message-photo`), []string{photo}),
		)
		submitAndFlash(t, tech, "send the message", `#post-message`)
		drive(t, tech, "the photo in the thread", chromedp.WaitVisible(chromedp.CSS(`.message.from-partner img.thumb`)))

		// Resolved: the report and the signature stay, read-only.
		submitAndFlash(t, tech, "resolve", `button[data-to="resolved"]`)
		if s := text(t, tech, `h1 .badge`); s != "已解决" {
			t.Errorf("after resolving the job reads %q", s)
		}
		noSideScroll(t, tech, "the resolved job")

		// Quality, on a phone of its own.
		q := incognito(t, tech, narrow)
		asTouchPhone(t, q)
		loginAs(t, q, base, "quality")
		drive(t, q, "the resolved jobs",
			chromedp.Navigate(base+"/jobs?status=resolved"),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`a[href="/jobs/%d"]`, job))),
		)
		noSideScroll(t, q, "quality's job list")
		drive(t, q, "open the job",
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/jobs/%d"]`, job))),
			chromedp.WaitVisible(chromedp.CSS(`#verify-summary`)),
		)
		// Beside the buttons: the report, the checklist's flag, the signature.
		for sel, wants := range map[string][]string{
			`#verify-summary`:                   {"雷达主机就位", "安装", signer, "设备科科长", "手写签名"},
			`#verify-summary #verify-checklist`: {"设备安装检查单", "超限 1 项", "接地电阻 6.5 Ω", "≤ 4 Ω"},
		} {
			got := text(t, q, sel)
			for _, want := range wants {
				if !strings.Contains(got, want) {
					t.Errorf("%s lacks %q:\n%s", sel, want, got)
				}
			}
		}
		drive(t, q, "the signature beside the buttons",
			chromedp.WaitVisible(chromedp.CSS(`#verify-summary #signoff-intact`)),
			chromedp.ScrollIntoView(chromedp.CSS(`#verify-summary img.signature`)),
			chromedp.Poll[chromedp.Void](`(() => { const i = document.querySelector("#verify-summary img.signature"); return !!i && i.complete && i.naturalWidth > 0; })()`,
				chromedp.WithPollingTimeout(20*time.Second)),
		)
		if v := text(t, q, `table.checklist-view #item-earth_resistance`); !strings.Contains(v, "6.5") || !strings.Contains(v, "超限") {
			t.Errorf("quality reads the earth resistance as %q", v)
		}
		noSideScroll(t, q, "the job quality verifies")

		// Quality answers the message, then verifies.
		if m := text(t, q, `.message.from-partner .message-body`); m != "接地排锈蚀照片见附件，请确认是否需要复测。" {
			t.Errorf("quality reads %q", m)
		}
		drive(t, q, "the photo loads",
			chromedp.ScrollIntoView(chromedp.CSS(`.message.from-partner img.thumb`)),
			chromedp.Poll[chromedp.Void](`(() => { const i = document.querySelector(".message.from-partner img.thumb"); return !!i && i.complete && i.naturalWidth > 0; })()`,
				chromedp.WithPollingTimeout(20*time.Second)),
			chromedp.SendKeys(chromedp.CSS(`#message-body`), "收到，整改后请拍照复测。"),
		)
		submitAndFlash(t, q, "reply", `#post-message`)
		submitAndFlash(t, q, "verify", `button[data-to="verified"]`)
		if s := text(t, q, `h1 .badge`); s != "已验证" {
			t.Errorf("after verifying the job reads %q", s)
		}

		// The unit's installed milestone, from the job.
		drive(t, q, "the unit's page",
			chromedp.Navigate(fmt.Sprintf("%s/units/%d", base, unit)),
			chromedp.WaitVisible(chromedp.CSS(`#ms-installed`)),
		)
		ms := text(t, q, `#ms-installed`)
		if cls := read(t, q, "milestone state", chromedp.Evaluate[string](`document.getElementById("ms-installed").className`)); cls != "ms-done" || !strings.Contains(ms, "已安装") || !strings.Contains(ms, fmt.Sprint(job)) {
			t.Errorf("the installed milestone is %q: %q, want done by job %d", cls, ms, job)
		}
		noSideScroll(t, q, "the unit page")

		// The technician reads the reply.
		drive(t, tech, "the technician sees the reply",
			chromedp.Navigate(jobURL),
			chromedp.WaitVisible(chromedp.CSS(`.message.from-institute`)),
		)
		if m := text(t, tech, `.message.from-institute .message-body`); m != "收到，整改后请拍照复测。" {
			t.Errorf("the technician reads %q", m)
		}
		noSideScroll(t, tech, "the verified job")
	})
}

// fieldworkJob is the demo world's installation job of hefei.tech, on site
// with an empty checklist, and its unit.
func fieldworkJob(t *testing.T, h *harness) (job, unit int64) {
	t.Helper()
	jobs, _, err := store.NewJobStore(h.db).FindJobs(context.Background(), cordon.JobFilter{
		Statuses: []cordon.JobStatus{cordon.JobOnSite}, Scope: cordon.ListScope{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j.PartnerID != nil && j.Request.Category == cordon.CatInstallation && j.Request.UnitID != nil {
			job, unit = j.ID, *j.Request.UnitID
		}
	}
	if job == 0 {
		t.Fatal("no demo installation job on site with a unit")
	}
	return job, unit
}

// asTouchPhone makes the tab a 375 px phone with a touch screen.
func asTouchPhone(t *testing.T, ctx context.Context) {
	t.Helper()
	drive(t, ctx, "a 375 px touch phone", chromedp.EmulateViewport(narrow[0], narrow[1],
		chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
}

// drawSignature signs on the pad with a finger: a touch pressed, moved
// along two strokes and lifted, as the browser reports them to the page's
// pointer events.
func drawSignature(t *testing.T, ctx context.Context) {
	t.Helper()
	box := read(t, ctx, "the pad's place", chromedp.Evaluate[[]float64](`(() => {
		const r = document.getElementById("signature-pad").getBoundingClientRect();
		return [r.left, r.top, r.width, r.height]; })()`))
	if len(box) != 4 || box[2] < 100 || box[3] < 100 {
		t.Fatalf("the pad is %v", box)
	}
	at := func(fx, fy float64) []*input.TouchPoint {
		return []*input.TouchPoint{{X: box[0] + fx*box[2], Y: box[1] + fy*box[3], ID: ptrTo(1.0), Force: ptrTo(1.0), RadiusX: ptrTo(2.0), RadiusY: ptrTo(2.0)}}
	}
	touch := func(typ input.DispatchTouchEventType, pts []*input.TouchPoint) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
			_, err := cdp.Call(ctx, tgt, input.DispatchTouchEvent, input.DispatchTouchEventParams{Type: typ, TouchPoints: pts})
			return err
		})
	}
	var strokes []chromedp.Action[chromedp.Void]
	for _, s := range [][2][2]float64{{{0.1, 0.6}, {0.45, 0.3}}, {{0.4, 0.7}, {0.9, 0.4}}} {
		from, to := s[0], s[1]
		strokes = append(strokes, touch(input.DispatchTouchEventTypeTouchStart, at(from[0], from[1])))
		for i := 1; i <= 12; i++ {
			f := float64(i) / 12
			strokes = append(strokes, touch(input.DispatchTouchEventTypeTouchMove, at(from[0]+f*(to[0]-from[0]), from[1]+f*(to[1]-from[1])+0.1*f*(1-f))))
		}
		strokes = append(strokes, touch(input.DispatchTouchEventTypeTouchEnd, []*input.TouchPoint{}))
	}
	drive(t, ctx, "sign with a finger", strokes...)
}

func ptrTo[T any](v T) *T { return &v }
