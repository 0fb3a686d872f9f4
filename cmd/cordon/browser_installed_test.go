package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/cordon/cordon/internal/app/apptest"
	"github.com/cordon/cordon/internal/cordon"
)

// installedBaseWorkbook writes an .xlsx of units units for customers
// customers, as an institute keeps it: one row a unit, the customer's
// fields repeated on each of its rows, Chinese headers. Serials are
// prefix-0001 on.
func installedBaseWorkbook(t *testing.T, path, prefix string, customers, units int) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	headers := []any{"客户编号", "客户城市", "客户名称", "单位代号", "联系人", "联系电话", "现场地址", "型号", "序列号", "批次",
		"使用城市", "交付日期", "保修截止", "服务协议截止", "回访间隔(月)"}
	if err := f.SetSheetRow(sheet, "A1", &headers); err != nil {
		t.Fatal(err)
	}
	cities := []string{"Hefei", "Wuhu", "Wuhan", "Xian"}
	models := []string{"RD-200", "RD-350", "CM-10", "CM-40", "PW-5"}
	for i := 0; i < units; i++ {
		c := i % customers
		city := cities[c%len(cities)]
		delivered := apptest.SeedTime.AddDate(0, -1-i%18, -(i % 27)).In(cordon.ChinaTime)
		row := []any{
			fmt.Sprintf("%s-C%02d", prefix, c+1), city, fmt.Sprintf("%s 试验站 %d", city, c+1), fmt.Sprintf("6%04d部队", c+1),
			"张工", fmt.Sprintf("0551-6500 %04d", c+1), fmt.Sprintf("%s 开发区 %d 号", city, c+1),
			models[i%len(models)], fmt.Sprintf("%s-%04d", prefix, i+1), fmt.Sprintf("%s-B%d", prefix, i%3+1), city,
			delivered.Format("2006-01-02"), delivered.AddDate(2, 0, 0).Format("2006-01-02"), "", 6,
		}
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+2), &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserInstalledBase: quality uploads a generated spreadsheet of 200
// units for 20 customers, reads the dry run, imports it, opens a unit,
// records its shipment, edits its follow-up plan and finds the visit on
// the calendar; the pages on a phone, in English, without sideways
// scrolling.
func TestBrowserInstalledBase(t *testing.T) {
	chromiumPath(t)
	eachDB(t, func(t *testing.T, h *harness) {
		file := filepath.Join(t.TempDir(), "装备台账.xlsx")
		installedBaseWorkbook(t, file, "JNY", 20, 200)
		base := h.serve()
		ctx := chrome(t, laptop)
		loginAs(t, ctx, base, "quality")

		drive(t, ctx, "the import page",
			chromedp.Click(chromedp.CSS(`nav a[href="/units"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#import-units`)),
			chromedp.Click(chromedp.CSS(`#import-units`)),
			chromedp.WaitVisible(chromedp.CSS(`#import-file`)),
			chromedp.SetUploadFiles(chromedp.CSS(`#import-file`), []string{file}),
			chromedp.Click(chromedp.CSS(`#check-import`)),
			chromedp.WaitVisible(chromedp.CSS(`#import-result`)),
		)
		for sel, want := range map[string]string{"#sum-rows": "200", "#sum-units-created": "200", "#sum-customers-created": "20", "#sum-problems": "0"} {
			if got := text(t, ctx, sel); got != want {
				t.Errorf("dry run %s reads %q, want %q", sel, got, want)
			}
		}
		if n := read(t, ctx, "changes", chromedp.Evaluate[int](`document.querySelectorAll('tr.change').length`)); n != 220 {
			t.Errorf("the dry run lists %d changes, want 220 (20 customers, 200 units)", n)
		}
		if h2 := text(t, ctx, `#result`); !strings.Contains(h2, "检查通过") {
			t.Errorf("the dry run's heading reads %q", h2)
		}
		shot(t, ctx, name(t, "import-dryrun-laptop"))
		drive(t, ctx, "commit the import",
			chromedp.Click(chromedp.CSS(`#commit-import`)),
			chromedp.WaitVisible(chromedp.CSS(`#to-units`)),
		)
		if h2 := text(t, ctx, `#result`); !strings.Contains(h2, "导入完成") {
			t.Errorf("after the commit the heading reads %q", h2)
		}
		if got := text(t, ctx, `#sum-units-created`); got != "200" {
			t.Errorf("imported %s units, want 200", got)
		}
		shot(t, ctx, name(t, "import-done-laptop"))

		drive(t, ctx, "find an imported unit",
			chromedp.Click(chromedp.CSS(`#to-units`)),
			chromedp.WaitVisible(chromedp.CSS(`#q`)),
			chromedp.SendKeys(chromedp.CSS(`#q`), "JNY-0007"),
			chromedp.Click(chromedp.CSS(`#apply-filters`)),
			chromedp.WaitVisible(chromedp.CSS(`table.units a[href^="/units/"]`)),
			chromedp.Click(chromedp.CSS(`table.units a[href^="/units/"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#milestone-form`)),
		)
		loc := read(t, ctx, "location", chromedp.Location())
		id := regexp.MustCompile(`/units/(\d+)`).FindStringSubmatch(loc)
		if id == nil || !strings.Contains(text(t, ctx, `main h1`), "JNY-0007") {
			t.Fatalf("the unit page is %s, titled %q", loc, text(t, ctx, `main h1`))
		}
		if kind := read(t, ctx, "next milestone", chromedp.Evaluate[string](`document.getElementById('ms-kind').value`)); kind != "shipped" {
			t.Errorf("the milestone form offers %q first, want shipped", kind)
		}
		drive(t, ctx, "note the shipment", chromedp.SendKeys(chromedp.CSS(`#ms-note`), "随车附件齐全"))
		submitAndFlash(t, ctx, "record the shipment", `#record-milestone`)
		if f := text(t, ctx, `.flash-ok`); !strings.Contains(f, "已发运") {
			t.Errorf("flash after the milestone: %q", f)
		}
		if done := read(t, ctx, "shipped", chromedp.Evaluate[bool](`!!document.querySelector('#ms-shipped.ms-done')`)); !done {
			t.Error("shipped is not shown done")
		}
		due := apptest.SeedTime.AddDate(0, 0, 20).In(cordon.ChinaTime).Format("2006-01-02")
		drive(t, ctx, "edit the follow-up plan",
			chromedp.SetValue(chromedp.CSS(`#months`), "3"),
			chromedp.SetValue(chromedp.CSS(`#next_due`), due),
		)
		submitAndFlash(t, ctx, "save the plan", `#save-plan`)
		if got := text(t, ctx, `#plan-interval`); !strings.Contains(got, "每 3 个月") {
			t.Errorf("the plan reads %q after the edit", got)
		}
		shot(t, ctx, name(t, "unit-laptop"))

		drive(t, ctx, "the visit calendar",
			chromedp.Click(chromedp.CSS(`nav a[href="/visits"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#visit-count`)),
		)
		if !read(t, ctx, "the visit", chromedp.Evaluate[bool](fmt.Sprintf(`!!document.getElementById('visit-%s')`, id[1]))) {
			t.Errorf("the calendar does not show unit %s's visit due %s", id[1], due)
		}
		shot(t, ctx, name(t, "visits-laptop"))

		// On a phone, in English: the same pages, and the dry run of the
		// same file again (every row unchanged now).
		p := incognito(t, ctx, phone)
		loginAs(t, p, base, "quality")
		drive(t, p, "switch to English", chromedp.Navigate(base+"/lang?to=en&next=/units"), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"]`)))
		for _, pg := range []struct{ path, wait, shot string }{
			{"/units/" + id[1], `#plan-form`, "unit-phone-en"},
			{"/visits", `#visit-count`, "visits-phone-en"},
			{"/units?q=JNY", `.pager-bar`, "units-phone-en"},
			{"/customers?q=JNY", `.pager-bar`, "customers-phone-en"},
			{"/catalogue", `main h1`, "catalogue-phone-en"},
			{"/units/import", `#import-file`, "import-phone-en"},
		} {
			drive(t, p, pg.path+" on a phone", chromedp.Navigate(base+pg.path), chromedp.WaitVisible(chromedp.CSS(pg.wait)))
			noSideScroll(t, p, pg.path)
			shot(t, p, name(t, pg.shot))
		}
		drive(t, p, "the dry run on a phone",
			chromedp.SetUploadFiles(chromedp.CSS(`#import-file`), []string{file}),
			chromedp.Click(chromedp.CSS(`#check-import`)),
			chromedp.WaitVisible(chromedp.CSS(`#import-result`)),
		)
		if got := text(t, p, `#sum-units-created`); got != "0" {
			t.Errorf("the same file again creates %s units", got)
		}
		noSideScroll(t, p, "the dry run")
		shot(t, p, name(t, "import-dryrun-phone-en"))
	})
}
