package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
)

// narrow is the narrowest phone the portal serves, where checklists are
// filled and messages posted: 375 px wide.
var narrow = [2]int64{375, 812}

// TestBrowserChecklistJourney: hefei.tech takes the demo installation job
// through its checklist on a 375 px phone: checks ticked, 接地电阻
// measured out of limits (flagged), resolution refused while an item is
// empty, then allowed once it is filled; quality opens the job and sees
// the checklist with its flag, and the flag in the job list.
func TestBrowserChecklistJourney(t *testing.T) {
	chromiumPath(t)
	eachDB(t, func(t *testing.T, h *harness) {
		jobs, _, err := store.NewJobStore(h.db).FindJobs(context.Background(), cordon.JobFilter{
			Statuses: []cordon.JobStatus{cordon.JobOnSite}, Scope: cordon.ListScope{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		var job int64
		for _, j := range jobs {
			if j.PartnerID != nil && j.Request.Category == cordon.CatInstallation {
				job = j.ID
			}
		}
		if job == 0 {
			t.Fatal("no demo installation job on site")
		}
		base := h.serve()
		ctx := chrome(t, narrow)
		drive(t, ctx, "a 375 px phone", chromedp.EmulateViewport(narrow[0], narrow[1], chromedp.EmulateScale(2), chromedp.EmulateMobile))
		loginAs(t, ctx, base, "hefei.tech")
		page := fmt.Sprintf("%s/jobs/%d", base, job)
		drive(t, ctx, "the job's checklist",
			chromedp.Navigate(page),
			chromedp.WaitVisible(chromedp.CSS(`#checklist-card`)),
		)
		if w := read(t, ctx, "width", chromedp.Evaluate[int](`window.innerWidth`)); w != 375 {
			t.Errorf("the phone is %d px wide", w)
		}
		noSideScroll(t, ctx, "the job page with its checklist")
		var fill []chromedp.Action[chromedp.Void]
		for _, item := range []string{"site_ready", "unit_intact", "serial_matches", "power_on_selftest"} {
			fill = append(fill, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="a.%s"][value="pass"]`, item))))
		}
		fill = append(fill,
			chromedp.SendKeys(chromedp.CSS(`#cl-earth_resistance`), "6.5"),
			chromedp.SendKeys(chromedp.CSS(`#cl-supply_voltage`), "221"),
			chromedp.SendKeys(chromedp.CSS(`#cl-remarks`), "接地排锈蚀，已告知用户整改。"),
		)
		drive(t, ctx, "fill all but the insulation", fill...)
		shot(t, ctx, name(t, "checklist-fill-375"))
		submitAndFlash(t, ctx, "save the checklist", `#checklist-save`)
		drive(t, ctx, "the flag", chromedp.WaitVisible(chromedp.CSS(`#checklist-flags`)))
		if f := text(t, ctx, `#item-earth_resistance [data-flag]`); f != "超限" {
			t.Errorf("the earth resistance's flag reads %q", f)
		}
		if m := text(t, ctx, `#checklist-missing`); !strings.Contains(m, "绝缘电阻") {
			t.Errorf("missing items read %q", m)
		}
		noSideScroll(t, ctx, "the saved checklist")
		// Resolution is refused while the insulation is empty.
		read(t, ctx, "clear the message", chromedp.Evaluate[bool](`(() => { document.querySelectorAll(".flash").forEach(e => e.remove()); return true; })()`))
		drive(t, ctx, "resolve too early",
			chromedp.Click(chromedp.CSS(`button[data-to="resolved"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.flash-error`)),
		)
		if e := text(t, ctx, `.flash-error`); !strings.Contains(e, "绝缘电阻") || !strings.Contains(e, "必填项") {
			t.Errorf("the refusal reads %q", e)
		}
		drive(t, ctx, "measure the insulation", chromedp.SendKeys(chromedp.CSS(`#cl-insulation_resistance`), "50"))
		submitAndFlash(t, ctx, "save again", `#checklist-save`)
		drive(t, ctx, "complete", chromedp.WaitVisible(chromedp.CSS(`#checklist-complete`)))
		submitAndFlash(t, ctx, "resolve", `button[data-to="resolved"]`)
		if s := text(t, ctx, `h1 .badge`); s != "已解决" {
			t.Errorf("after resolving the job reads %q", s)
		}
		drive(t, ctx, "the read-only checklist", chromedp.WaitVisible(chromedp.CSS(`table.checklist-view`)))
		noSideScroll(t, ctx, "the resolved job")
		shot(t, ctx, name(t, "checklist-resolved-375"))

		// Quality: the flag in the list, the checklist on the job.
		q := incognito(t, ctx, laptop)
		loginAs(t, q, base, "quality")
		drive(t, q, "the job list",
			chromedp.Navigate(base+"/jobs?status=resolved"),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`a[href="/jobs/%d"]`, job))),
		)
		if f := read(t, q, "flag in the list", chromedp.Evaluate[string](fmt.Sprintf(
			`document.querySelector('a[href="/jobs/%d"]').closest('tr').querySelector('.flag-out')?.textContent || ""`, job))); !strings.Contains(f, "超限 1") {
			t.Errorf("the job list's flag reads %q", f)
		}
		drive(t, q, "the job",
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/jobs/%d"]`, job))),
			chromedp.WaitVisible(chromedp.CSS(`#checklist-flags`)),
		)
		if v := text(t, q, `table.checklist-view #item-earth_resistance`); !strings.Contains(v, "6.5") || !strings.Contains(v, "超限") || !strings.Contains(v, "≤ 4 Ω") {
			t.Errorf("quality reads the earth resistance as %q", v)
		}
		if n := read(t, q, "no form", chromedp.Evaluate[int](`document.querySelectorAll('form.checklist-form').length`)); n != 0 {
			t.Error("quality gets the fill form")
		}
		if tl := text(t, q, `section[aria-labelledby="timeline"]`); !strings.Contains(tl, "接地电阻 实测 6.5 Ω") {
			t.Errorf("the timeline reads %q", tl)
		}
		shot(t, q, name(t, "checklist-quality-laptop"))
	})
}
