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
)

// submitAndFlash clicks the button sel and waits for the next page's
// success message (the message on the current page goes first, so the
// wait is for the new one).
func submitAndFlash(t *testing.T, ctx context.Context, what, sel string) {
	t.Helper()
	read(t, ctx, what+": clear the message", chromedp.Evaluate[bool](`(() => { document.querySelectorAll(".flash").forEach(e => e.remove()); return true; })()`))
	drive(t, ctx, what,
		chromedp.Click(chromedp.CSS(sel)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),
	)
}

// downloadFirst clicks the first download link of the library and waits
// for the file (downloads is browser_institute_test.go's).
func downloadFirst(t *testing.T, ctx context.Context) {
	t.Helper()
	dir, done := downloads(t, ctx)
	drive(t, ctx, "click download", chromedp.Click(chromedp.CSS(`a[href$="/download"]`)))
	select {
	case guid := <-done:
		if fi, err := os.Stat(filepath.Join(dir, guid)); err != nil || fi.Size() == 0 {
			t.Errorf("downloaded file: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Error("the download did not complete")
	}
}

// TestBrowserPartnerReport: a technician accepts an offer, sees the site,
// goes en route and on site, files the service report with a photo
// attached (a refusal first, then success), and downloads a document; the
// same job page on a phone, in English.
func TestBrowserPartnerReport(t *testing.T) {
	chromiumPath(t)
	eachDB(t, func(t *testing.T, h *harness) {
		offered := h.offeredTo("hefei.tech")
		photo := filepath.Join(t.TempDir(), "photo.png")
		if err := os.WriteFile(photo, pngFile(), 0o644); err != nil {
			t.Fatal(err)
		}
		base := h.serve()
		ctx := chrome(t, laptop)
		loginAs(t, ctx, base, "hefei.tech")
		drive(t, ctx, "accept the offer",
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`section[aria-labelledby="offers"] a[href="/jobs/%d"]`, offered))),
			chromedp.WaitVisible(chromedp.CSS(`#accept`)),
			chromedp.Click(chromedp.CSS(`#accept`)),
			chromedp.WaitVisible(chromedp.CSS(`section.disclosed`)),
		)
		if d := text(t, ctx, `section.disclosed`); !strings.Contains(d, "现场地址") {
			t.Errorf("after accepting, the disclosure reads %q", d)
		}
		for _, to := range []string{"en_route", "on_site"} {
			submitAndFlash(t, ctx, "move "+to, fmt.Sprintf(`button[data-to="%s"]`, to))
		}
		drive(t, ctx, "the report form", chromedp.WaitVisible(chromedp.CSS(`#report`)))
		if c := text(t, ctx, `section[aria-labelledby="clocks"]`); !strings.Contains(c, "服务时限") {
			t.Errorf("the SLA clocks read %q", c)
		}
		// Forgetting the actions: the page comes back with the message by
		// the field and the rest of what was typed.
		drive(t, ctx, "a report without actions",
			chromedp.SendKeys(chromedp.CSS(`#parts_used`), "PSU-7 ×1"),
			chromedp.SetValue(chromedp.CSS(`#root_cause`), "component"),
			chromedp.SetUploadFiles(chromedp.CSS(`#attachment`), []string{photo}),
			chromedp.Click(chromedp.CSS(`#file-report`)),
			chromedp.WaitVisible(chromedp.CSS(`#actions-error`)),
		)
		if e := text(t, ctx, `#actions-error`); !strings.Contains(e, "请填写处理措施") {
			t.Errorf("the actions error reads %q", e)
		}
		if v := read(t, ctx, "parts kept", chromedp.Evaluate[string](`document.getElementById("parts_used").value`)); v != "PSU-7 ×1" {
			t.Errorf("the parts field after the refusal: %q", v)
		}
		shot(t, ctx, name(t, "report-error-laptop"))
		drive(t, ctx, "fill in the report",
			chromedp.SendKeys(chromedp.CSS(`#report-actions`), "更换电源板，通电测试正常。"),
			chromedp.SetUploadFiles(chromedp.CSS(`#attachment`), []string{photo}),
		)
		submitAndFlash(t, ctx, "file the report", `#file-report`)
		if f := text(t, ctx, `.flash-ok`); !strings.Contains(f, "服务报告已提交") {
			t.Errorf("flash after the report: %q", f)
		}
		shot(t, ctx, name(t, "report-laptop"))
		drive(t, ctx, "the library",
			chromedp.Click(chromedp.CSS(`nav a[href="/documents"]`)),
			chromedp.WaitVisible(chromedp.CSS(`a[href$="/download"]`)),
		)
		downloadFirst(t, ctx)

		// The job page on a phone, in English.
		p := incognito(t, ctx, phone)
		loginAs(t, p, base, "hefei.tech")
		drive(t, p, "the job on a phone",
			chromedp.Navigate(fmt.Sprintf("%s/jobs/%d?lang=en", base, offered)),
			chromedp.WaitVisible(chromedp.CSS(`#report`)),
		)
		// Filed once, the form amends it as a new version.
		if r := text(t, p, `#report`); r != "Amend the service report (now version 1)" {
			t.Errorf("English report heading: %q", r)
		}
		noSideScroll(t, p, "the job page")
		shot(t, p, name(t, "report-phone-en"))
		drive(t, p, "the library on a phone",
			chromedp.Navigate(base+"/documents?size=2"),
			chromedp.WaitVisible(chromedp.CSS(`.pager-bar`)),
		)
		noSideScroll(t, p, "the library")
		shot(t, p, name(t, "documents-phone"))
	})
}

// TestBrowserPartnerAdmin: a partner's admin adds a technician, hands over
// the one-time password, accepts an offer and assigns it; the technician
// logs in with the password and finds the job; another partner's admin
// typing the job's URL gets the 404 page.
func TestBrowserPartnerAdmin(t *testing.T) {
	chromiumPath(t)
	eachDB(t, func(t *testing.T, h *harness) {
		offered := h.offeredTo("hefei.admin")
		base := h.serve()
		ctx := chrome(t, laptop)
		loginAs(t, ctx, base, "hefei.admin")
		drive(t, ctx, "add a technician",
			chromedp.Click(chromedp.CSS(`nav a[href="/team"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#create-user`)),
			chromedp.SendKeys(chromedp.CSS(`#username`), "hefei.zhou"),
			chromedp.SendKeys(chromedp.CSS(`#display_name`), "周工"),
			chromedp.SetValue(chromedp.CSS(`#role`), "partner_technician"),
			chromedp.Click(chromedp.CSS(`#create-user`)),
			chromedp.WaitVisible(chromedp.CSS(`#one-time-password`)),
		)
		password := text(t, ctx, `#one-time-password`)
		if len(password) != 16 {
			t.Fatalf("one-time password %q", password)
		}
		shot(t, ctx, name(t, "team-laptop"))
		drive(t, ctx, "accept and assign",
			chromedp.Navigate(fmt.Sprintf("%s/jobs/%d", base, offered)),
			chromedp.WaitVisible(chromedp.CSS(`#accept`)),
			chromedp.Click(chromedp.CSS(`#accept`)),
			chromedp.WaitVisible(chromedp.CSS(`#user_id`)),
		)
		picked := read(t, ctx, "pick the technician", chromedp.Evaluate[bool](`(() => {
			const s = document.getElementById("user_id");
			for (const o of s.options) { if (o.text.includes("hefei.zhou")) { s.value = o.value; return true; } }
			return false; })()`))
		if !picked {
			t.Fatal("the new technician is not in the assignment list")
		}
		submitAndFlash(t, ctx, "assign", `#assign`)
		if a := text(t, ctx, `#assignee`); !strings.Contains(a, "周工") {
			t.Errorf("assignee reads %q", a)
		}
		shot(t, ctx, name(t, "assign-laptop"))

		// The technician logs in with the one-time password.
		tech := incognito(t, ctx, phone)
		loginWithPassword(t, tech, base, "hefei.zhou", password)
		drive(t, tech, "the assigned job in the inbox",
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`section[aria-labelledby="active"] a[href="/jobs/%d"]`, offered))),
		)
		noSideScroll(t, tech, "the inbox")
		shot(t, tech, name(t, "jobs-phone"))

		// The team page on a phone.
		p := incognito(t, ctx, phone)
		loginAs(t, p, base, "hefei.admin")
		drive(t, p, "team on a phone", chromedp.Navigate(base+"/team"), chromedp.WaitVisible(chromedp.CSS(`#create-user`)))
		noSideScroll(t, p, "the team page")
		shot(t, p, name(t, "team-phone"))

		// Another partner's admin types the job's URL: the 404 page.
		w := incognito(t, ctx, phone)
		loginAs(t, w, base, "wuhan.admin")
		drive(t, w, "hefei's job as wuhan",
			chromedp.Navigate(fmt.Sprintf("%s/jobs/%d", base, offered)),
			chromedp.WaitVisible(chromedp.CSS(`main`)),
		)
		if m := text(t, w, `main`); !strings.Contains(m, "页面不存在") || strings.Contains(m, "CUST-") || strings.Contains(m, "周工") {
			t.Errorf("hefei's job as wuhan: %q, want the 404 page", m)
		}
		shot(t, w, name(t, "foreign-job-phone"))
	})
}

// TestBrowserInstituteOps: the quality department uploads a document
// through the library's form and finds it, then looks up a customer's
// delivered units and their follow-up plans, and opens the customer; the
// lists on a phone.
func TestBrowserInstituteOps(t *testing.T) {
	chromiumPath(t)
	eachDB(t, func(t *testing.T, h *harness) {
		file := filepath.Join(t.TempDir(), "manual.png")
		if err := os.WriteFile(file, pngFile(), 0o644); err != nil {
			t.Fatal(err)
		}
		base := h.serve()
		ctx := chrome(t, laptop)
		loginAs(t, ctx, base, "quality")
		drive(t, ctx, "fill in the upload form",
			chromedp.Navigate(base+"/documents"),
			chromedp.WaitVisible(chromedp.CSS(`#upload`)),
			chromedp.SendKeys(chromedp.CSS(`#up-title`), "雷达电源维修手册"),
			chromedp.SetValue(chromedp.CSS(`#up-line`), "radar"),
			chromedp.SetValue(chromedp.CSS(`#up-class`), "internal"),
			chromedp.SendKeys(chromedp.CSS(`#up-version`), "1.0"),
			chromedp.SetUploadFiles(chromedp.CSS(`#up-file`), []string{file}),
		)
		submitAndFlash(t, ctx, "upload", `#upload-submit`)
		if f := text(t, ctx, `.flash-ok`); !strings.Contains(f, "雷达电源维修手册") {
			t.Errorf("flash after the upload: %q", f)
		}
		shot(t, ctx, name(t, "documents-laptop"))
		unit := h.unitIn("Hefei", "radar")
		drive(t, ctx, "a customer's units",
			chromedp.Click(chromedp.CSS(`nav a[href="/units"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#customer`)),
			chromedp.SendKeys(chromedp.CSS(`#customer`), fmt.Sprint(unit.CustomerID)),
			chromedp.Click(chromedp.CSS(`#apply-filters`)),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`input#customer[value="%d"]`, unit.CustomerID))),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`table.units a[href="/customers/%d"]`, unit.CustomerID))),
		)
		if got := read(t, ctx, "filter", chromedp.Evaluate[string](`document.getElementById("customer").value`)); got != fmt.Sprint(unit.CustomerID) {
			t.Errorf("the customer filter reads %q", got)
		}
		if body := text(t, ctx, `main`); !strings.Contains(body, unit.Serial) || !strings.Contains(body, "回访计划") {
			t.Errorf("the customer's units do not show %s and its plan", unit.Serial)
		}
		shot(t, ctx, name(t, "units-laptop"))
		drive(t, ctx, "the customer's page",
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`table.units a[href="/customers/%d"]`, unit.CustomerID))),
			chromedp.WaitVisible(chromedp.CSS(`#customer-name`)),
		)
		if body := text(t, ctx, `#units`); !strings.Contains(body, "该客户的装备") {
			t.Errorf("the customer page's units read %q", body)
		}
		shot(t, ctx, name(t, "customers-laptop"))
		p := incognito(t, ctx, phone)
		loginAs(t, p, base, "quality")
		for _, pg := range []string{"units", "customers", "documents"} {
			drive(t, p, pg+" on a phone", chromedp.Navigate(base+"/"+pg+"?lang=en&size=5"), chromedp.WaitVisible(chromedp.CSS(`.pager-bar`)))
			noSideScroll(t, p, "/"+pg)
			shot(t, p, name(t, pg+"-phone-en"))
		}
	})
}
