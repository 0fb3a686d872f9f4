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

	"github.com/cordon/cordon/internal/audit"
)

// noSideScroll fails when the page is wider than a phone's screen.
func noSideScroll(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	if read(t, ctx, "overflow", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)) {
		t.Errorf("%s scrolls sideways on a phone", page)
	}
}

// TestBrowserQualityJourney: the quality supervisor finds a breached offer
// on the SLA dashboard and follows it to the job, then reads the partners'
// scorecards with their charts; the same pages on a phone, in English.
func TestBrowserQualityJourney(t *testing.T) {
	chromiumPath(t)
	eachDB(t, func(t *testing.T, h *harness) {
		disp, _ := h.login("dispatcher")
		req := h.intake(disp, h.unitIn("Hefei", "radar"), "fault", "P1")
		job := int64(h.do("POST", fmt.Sprintf("/api/v1/requests/%d/dispatch", req), disp, map[string]any{"to": "auto"}).JSON(t)["id"].(float64))
		h.clock.Add(31 * time.Minute) // past the 30-minute accept term
		base := h.serve()
		ctx := chrome(t, laptop)
		loginAs(t, ctx, base, "quality")
		row := fmt.Sprintf(`table.sla a[href="/jobs/%d"]`, job)
		drive(t, ctx, "the SLA dashboard",
			chromedp.Click(chromedp.CSS(`nav a[href="/sla"]`)),
			chromedp.WaitVisible(chromedp.CSS(row)),
		)
		if tr := text(t, ctx, fmt.Sprintf(`table.sla tr:has(a[href="/jobs/%d"])`, job)); !strings.Contains(tr, "接单") || !strings.Contains(tr, "合肥华安") || !strings.Contains(tr, "已超时") {
			t.Errorf("the breached row reads %q, want the accept clock, the partner and the overdue time", tr)
		}
		shot(t, ctx, name(t, "sla-laptop"))
		drive(t, ctx, "follow the breach to the job",
			chromedp.Click(chromedp.CSS(row)),
			chromedp.WaitVisible(chromedp.CSS(`main h1`)),
		)
		if h1 := text(t, ctx, `main h1`); !strings.Contains(h1, fmt.Sprint(job)) {
			t.Errorf("the job page's heading reads %q", h1)
		}

		drive(t, ctx, "the scorecards",
			chromedp.Click(chromedp.CSS(`nav a[href="/scorecards"]`)),
			chromedp.WaitVisible(chromedp.CSS(`svg.chart[role="img"]`)),
		)
		title := read(t, ctx, "chart title", chromedp.Evaluate[string](`document.querySelector('svg.chart[role="img"] > title').textContent`))
		if title != "接单率" {
			t.Errorf("the first chart's title is %q, want 接单率", title)
		}
		bars := read(t, ctx, "bars", chromedp.Evaluate[int](`document.querySelectorAll('#main svg.chart rect.chart-bar').length`))
		rows := read(t, ctx, "rows", chromedp.Evaluate[int](`document.querySelectorAll('table.scorecards tbody tr').length`))
		if rows == 0 || bars < rows {
			t.Errorf("%d partners ranked, %d bars drawn", rows, bars)
		}
		if w := read(t, ctx, "chart width", chromedp.Evaluate[float64](`document.querySelector('svg.chart').getBoundingClientRect().width`)); w < 200 {
			t.Errorf("the chart is %v px wide", w)
		}
		shot(t, ctx, name(t, "scorecards-laptop"))
		drive(t, ctx, "the quality page",
			chromedp.Click(chromedp.CSS(`nav a[href="/quality"]`)),
			chromedp.WaitVisible(chromedp.CSS(`svg.chart[aria-labelledby^="chart-trend"]`)),
		)
		shot(t, ctx, name(t, "quality-laptop"))

		p := incognito(t, ctx, phone)
		loginAs(t, p, base, "quality")
		drive(t, p, "SLA dashboard on a phone, in English",
			chromedp.Navigate(base+"/sla?lang=en"),
			chromedp.WaitVisible(chromedp.CSS(row)),
		)
		noSideScroll(t, p, "/sla")
		shot(t, p, name(t, "sla-phone-en"))
		drive(t, p, "scorecards on a phone",
			chromedp.Navigate(base+"/scorecards?lang=en"),
			chromedp.WaitVisible(chromedp.CSS(`svg.chart`)),
		)
		noSideScroll(t, p, "/scorecards")
		shot(t, p, name(t, "scorecards-phone-en"))
	})
}

// TestBrowserLegalJourney: legal filters the access log to one partner's
// denials, checks the seal, and downloads an evidence bundle that
// verifies offline with the log's key.
func TestBrowserLegalJourney(t *testing.T) {
	chromiumPath(t)
	eachDB(t, func(t *testing.T, h *harness) {
		h.partnerAccesses()
		h.seal()
		base := h.serve()
		ctx := chrome(t, laptop)
		loginAs(t, ctx, base, "legal")
		drive(t, ctx, "the access log",
			chromedp.Click(chromedp.CSS(`nav a[href="/audit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#decision`)),
		)
		all := read(t, ctx, "rows", chromedp.Evaluate[int](`document.querySelectorAll('tr.event').length`))
		drive(t, ctx, "filter the denials",
			chromedp.SetValue(chromedp.CSS(`#decision`), "deny"),
			chromedp.Click(chromedp.CSS(`#apply-filters`)),
			chromedp.WaitReady(chromedp.CSS(`#decision option[value="deny"][selected]`)),
		)
		denied := read(t, ctx, "denied rows", chromedp.Evaluate[int](`document.querySelectorAll('tr.event.d-deny').length`))
		allowed := read(t, ctx, "allowed rows", chromedp.Evaluate[int](`document.querySelectorAll('tr.event.d-allow').length`))
		if denied == 0 || allowed != 0 || denied >= all {
			t.Errorf("after filtering: %d denied and %d allowed rows (of %d before)", denied, allowed, all)
		}
		if href := read(t, ctx, "csv link", chromedp.Evaluate[string](`document.getElementById('csv-export').getAttribute('href')`)); !strings.Contains(href, "decision=deny") {
			t.Errorf("the CSV link %q does not keep the filter", href)
		}
		shot(t, ctx, name(t, "audit-laptop"))

		dir, done := downloads(t, ctx)
		drive(t, ctx, "the seal",
			chromedp.Click(chromedp.CSS(`a[href="/audit/seal"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#verify-status`)),
		)
		if s := text(t, ctx, `#signature-status`) + " " + text(t, ctx, `#verify-status`); s != "有效 通过" {
			t.Errorf("seal status reads %q", s)
		}
		shot(t, ctx, name(t, "seal-laptop"))
		drive(t, ctx, "export the bundle", chromedp.Click(chromedp.CSS(`#export-bundle`)))
		select {
		case guid := <-done:
			data, err := os.ReadFile(filepath.Join(dir, guid))
			if err != nil {
				t.Fatal(err)
			}
			if rep := audit.VerifyBundle(data, h.verifierKey()); !rep.OK() || rep.Leaves == 0 {
				t.Errorf("the downloaded bundle does not verify: %+v", rep)
			}
		case <-time.After(20 * time.Second):
			t.Error("the bundle download did not complete")
		}

		p := incognito(t, ctx, phone)
		loginAs(t, p, base, "legal")
		drive(t, p, "the access log on a phone",
			chromedp.Navigate(base+"/audit?decision=deny"),
			chromedp.WaitVisible(chromedp.CSS(`tr.event`)),
		)
		noSideScroll(t, p, "/audit")
		shot(t, p, name(t, "audit-phone"))
		drive(t, p, "the seal on a phone",
			chromedp.Navigate(base+"/audit/seal"),
			chromedp.WaitVisible(chromedp.CSS(`#verify-status`)),
		)
		noSideScroll(t, p, "/audit/seal")
		shot(t, p, name(t, "seal-phone"))
	})
}
