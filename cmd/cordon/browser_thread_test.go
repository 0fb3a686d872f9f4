package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cordon/cordon/internal/cordon"
)

// asPhone makes the tab a 375 px touch phone.
func asPhone(t *testing.T, ctx context.Context) {
	t.Helper()
	drive(t, ctx, "a 375 px phone", chromedp.EmulateViewport(narrow[0], narrow[1], chromedp.EmulateScale(2), chromedp.EmulateMobile))
}

// TestBrowserJobMessages: on phones 375 px wide, hefei's technician posts a
// message with a photo on its job; the institute's dispatcher sees it,
// with the photo as a thumbnail, and replies; the technician sees the
// reply. Neither page scrolls sideways.
func TestBrowserJobMessages(t *testing.T) {
	chromiumPath(t)
	eachDB(t, func(t *testing.T, h *harness) {
		j := h.h.JobOf("hefei", cordon.ActiveJobStatuses...)
		photo := filepath.Join(t.TempDir(), "photo.png")
		if err := os.WriteFile(photo, pngFile(), 0o644); err != nil {
			t.Fatal(err)
		}
		base := h.serve()
		jobURL := fmt.Sprintf("%s/jobs/%d", base, j.ID)
		tech := chrome(t, narrow)
		asPhone(t, tech)
		loginAs(t, tech, base, "hefei.tech")
		drive(t, tech, "the job's thread",
			chromedp.Navigate(jobURL),
			chromedp.WaitVisible(chromedp.CSS(`#messages`)),
		)
		if accept := read(t, tech, "the photo input", chromedp.Evaluate[string](`document.getElementById("message-photo").getAttribute("accept")`)); accept != "image/*" {
			t.Errorf("the photo input accepts %q", accept)
		}
		drive(t, tech, "write a message with a photo",
			chromedp.SendKeys(chromedp.CSS(`#message-body`), "天线接头松动，已拍照，请确认是否更换。"),
			chromedp.SetUploadFiles(chromedp.CSS(`#message-photo`), []string{photo}),
		)
		submitAndFlash(t, tech, "send the message", `#post-message`)
		if f := text(t, tech, `.flash-ok`); !strings.Contains(f, "留言已发送") {
			t.Errorf("flash after posting: %q", f)
		}
		drive(t, tech, "the photo in the thread", chromedp.WaitVisible(chromedp.CSS(`.message.from-partner img.thumb`)))
		noSideScroll(t, tech, "the job page with its thread")
		shot(t, tech, name(t, "thread-partner-phone"))

		disp := incognito(t, tech, narrow)
		asPhone(t, disp)
		loginAs(t, disp, base, "dispatcher")
		drive(t, disp, "the dispatcher opens the job",
			chromedp.Navigate(jobURL),
			chromedp.WaitVisible(chromedp.CSS(`.message.from-partner`)),
		)
		if m := text(t, disp, `.message.from-partner .message-body`); m != "天线接头松动，已拍照，请确认是否更换。" {
			t.Errorf("the dispatcher reads %q", m)
		}
		// The thumbnail loads lazily: in view, it comes through the
		// scoped download route.
		drive(t, disp, "the thumbnail loads",
			chromedp.ScrollIntoView(chromedp.CSS(`.message.from-partner img.thumb`)),
			chromedp.Poll[chromedp.Void](`(() => { const i = document.querySelector(".message.from-partner img.thumb"); return !!i && i.complete && i.naturalWidth > 0; })()`,
				chromedp.WithPollingTimeout(20*time.Second)),
		)
		drive(t, disp, "reply", chromedp.SendKeys(chromedp.CSS(`#message-body`), "收到，请更换接头后拍照回复。"))
		submitAndFlash(t, disp, "send the reply", `#post-message`)
		noSideScroll(t, disp, "the institute's job page")
		shot(t, disp, name(t, "thread-institute-phone"))

		drive(t, tech, "the technician sees the reply",
			chromedp.Navigate(jobURL),
			chromedp.WaitVisible(chromedp.CSS(`.message.from-institute`)),
		)
		if m := text(t, tech, `.message.from-institute .message-body`); m != "收到，请更换接头后拍照回复。" {
			t.Errorf("the technician reads %q", m)
		}
	})
}
