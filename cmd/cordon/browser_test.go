package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium, or CORDON_CHROMIUM. Without it the
// browser tests skip, except under CI, where that is a failure.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv("CORDON_CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium is required under CI and missing at %s (apt-get install chromium)", p)
		}
		t.Skipf("browser tests need Chromium at %s (apt-get install chromium, or set CORDON_CHROMIUM)", p)
	}
	return p
}

// screenDir is where screenshots go: CORDON_TEST_OUTPUT, or
// $TMPDIR/cordon-screens.
func screenDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CORDON_TEST_OUTPUT")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "cordon-screens")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The viewports screenshots are taken at.
var (
	laptop = [2]int64{1366, 900}
	phone  = [2]int64{390, 844}
)

// chrome starts a headless Chromium with a fresh profile and nothing that
// reaches the network on its own, and returns a tab sized to size.
func chrome(t *testing.T, size [2]int64) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(int(size[0]), int(size[1])),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	emulate := chromedp.EmulateViewport(size[0], size[1])
	if size == phone {
		emulate = chromedp.EmulateViewport(size[0], size[1], chromedp.EmulateScale(2), chromedp.EmulateMobile)
	}
	// The first run starts the browser, on a context without a deadline.
	if err := chromedp.Do(bctx, emulate); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	ctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// incognito opens a tab in the browser of ctx with cookies of its own (a
// fresh browser context), sized to size.
func incognito(t *testing.T, ctx context.Context, size [2]int64) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	emulate := chromedp.EmulateViewport(size[0], size[1])
	if size == phone {
		emulate = chromedp.EmulateViewport(size[0], size[1], chromedp.EmulateScale(2), chromedp.EmulateMobile)
	}
	drive(t, tab, "open a tab", emulate)
	return tab
}

// drive runs the actions and fails the test with what it was doing, where
// the browser was, and what the page said.
func drive(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 600) : ""`))
		t.Fatalf("%s: %v (at %s)\n%s", what, err, loc, body)
	}
}

// read runs one action that returns a value.
func read[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// text is the visible text of the first element sel matches.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return read(t, ctx, "text of "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// shot saves a full-page screenshot named name.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	buf := read(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	// Both engines' journeys take the same shots at once: write aside, then
	// rename, so that the file is always one whole screenshot.
	f, err := os.CreateTemp(screenDir(t), name+"-*.tmp")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Write(buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(screenDir(t), name+".png"))
	}
	if err != nil {
		os.Remove(f.Name())
		t.Fatal(err)
	}
}

// loginWithPassword logs in through the form with a password of its own.
func loginWithPassword(t *testing.T, ctx context.Context, base, user, password string) {
	t.Helper()
	drive(t, ctx, "log in as "+user,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), user),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`nav a[aria-current="page"]`)),
	)
}

// loginAs logs in through the form, as a person would: type, submit.
func loginAs(t *testing.T, ctx context.Context, base, user string) {
	t.Helper()
	loginWithPassword(t, ctx, base, user, demoPassword)
}

// name is the file name prefix of the test's screenshots.
func name(t *testing.T, page string) string {
	return strings.ReplaceAll(t.Name(), "/", "-") + "-" + page
}

// TestBrowserPartnerJourney: a partner logs in, sees an offer counting
// down, accepts it, sees the site disclosed, moves the job en route, and
// downloads a document; then cannot open another partner's job by URL.
func TestBrowserPartnerJourney(t *testing.T) {
	chromiumPath(t)
	eachDB(t, func(t *testing.T, h *harness) {
		var offered int64
		for id, st := range h.apiJobIDs("hefei.tech") {
			if st == "offered" {
				offered = id
			}
		}
		var foreign int64
		for id := range h.apiJobIDs("wuhan.tech") {
			foreign = id
		}
		base := h.serve()
		ctx := chrome(t, laptop)
		loginAs(t, ctx, base, "hefei.tech")

		if loc := read(t, ctx, "location", chromedp.Location()); !strings.HasSuffix(loc, "/jobs") {
			t.Errorf("a technician lands on %s, want /jobs", loc)
		}
		drive(t, ctx, "inbox", chromedp.WaitVisible(chromedp.CSS(`#offers`)), chromedp.Sleep(1100*time.Millisecond))
		countdown := text(t, ctx, `section[aria-labelledby="offers"] time[data-countdown]`)
		if !regexp.MustCompile(`^剩余 \d+:\d\d:\d\d$|^已超时$`).MatchString(countdown) {
			t.Errorf("countdown reads %q, want the script's h:mm:ss", countdown)
		}
		shot(t, ctx, name(t, "jobs-laptop"))

		jobURL := fmt.Sprintf("%s/jobs/%d", base, offered)
		drive(t, ctx, "accept the offer",
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`section[aria-labelledby="offers"] a[href="/jobs/%d"]`, offered))),
			chromedp.WaitVisible(chromedp.CSS(`#accept`)),
			chromedp.Click(chromedp.CSS(`#accept`)),
			chromedp.WaitVisible(chromedp.CSS(`section.disclosed`)),
		)
		if d := text(t, ctx, `section.disclosed`); !strings.Contains(d, "联系人") || !strings.Contains(d, "现场地址") {
			t.Errorf("after accepting, the disclosure reads %q", d)
		}
		if f := text(t, ctx, `.flash`); !strings.Contains(f, "已接单") {
			t.Errorf("flash after accepting: %q", f)
		}
		shot(t, ctx, name(t, "job-laptop"))
		drive(t, ctx, "move en route",
			chromedp.Click(chromedp.CSS(`button[data-to="en_route"]`)),
			chromedp.WaitVisible(chromedp.CSS(`button[data-to="on_site"]`)),
		)
		if f := text(t, ctx, `.flash`); !strings.Contains(f, "在途") {
			t.Errorf("flash after moving en route: %q", f)
		}
		if got := h.apiJobIDs("hefei.tech")[offered]; got != "en_route" {
			t.Errorf("the job is %s, want en_route", got)
		}

		// A document, downloaded through the page by a click.
		dir, done := downloads(t, ctx)
		drive(t, ctx, "the library",
			chromedp.Click(chromedp.CSS(`nav a[href="/documents"]`)),
			chromedp.WaitVisible(chromedp.CSS(`a[href$="/download"]`)),
		)
		shot(t, ctx, name(t, "documents-laptop"))
		drive(t, ctx, "click download", chromedp.Click(chromedp.CSS(`a[href$="/download"]`)))
		select {
		case guid := <-done:
			if fi, err := os.Stat(filepath.Join(dir, guid)); err != nil || fi.Size() == 0 {
				t.Errorf("downloaded file: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("the download did not complete")
		}

		// Another partner's job by URL: the 404 page, nothing of the job.
		drive(t, ctx, "another partner's job",
			chromedp.Navigate(fmt.Sprintf("%s/jobs/%d", base, foreign)),
			chromedp.WaitVisible(chromedp.CSS(`main`)),
		)
		if m := text(t, ctx, `main`); !strings.Contains(m, "页面不存在") || strings.Contains(m, "CUST-") {
			t.Errorf("wuhan's job %d as hefei: %q, want the 404 page", foreign, m)
		}

		// The same pages at phone width, in English this time.
		p := incognito(t, ctx, phone)
		loginAs(t, p, base, "hefei.tech")
		drive(t, p, "switch to English",
			chromedp.Click(chromedp.CSS(`a.lang`)),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #offers`)),
		)
		shot(t, p, name(t, "jobs-phone-en"))
		drive(t, p, "job page on a phone",
			chromedp.Navigate(jobURL),
			chromedp.WaitVisible(chromedp.CSS(`button[data-to="on_site"]`)),
		)
		if read(t, p, "overflow", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)) {
			t.Error("the job page scrolls sideways on a phone")
		}
		shot(t, p, name(t, "job-phone-en"))
	})
}

// TestBrowserDispatcherJourney: the dispatcher takes in a request through
// the intake form and dispatches it to a candidate with one click.
func TestBrowserDispatcherJourney(t *testing.T) {
	chromiumPath(t)
	eachDB(t, func(t *testing.T, h *harness) {
		unit := h.unitIn("Hefei", "radar")
		base := h.serve()
		ctx := chrome(t, laptop)
		loginAs(t, ctx, base, "dispatcher")
		if loc := read(t, ctx, "location", chromedp.Location()); !strings.HasSuffix(loc, "/dispatch") {
			t.Errorf("the dispatcher lands on %s, want /dispatch", loc)
		}
		drive(t, ctx, "take in a request",
			chromedp.WaitVisible(chromedp.CSS(`#intake`)),
			chromedp.SetValue(chromedp.CSS(`#unit_id`), fmt.Sprint(unit.ID)),
			chromedp.SetValue(chromedp.CSS(`#category`), "fault"),
			chromedp.SetValue(chromedp.CSS(`#priority`), "P1"),
			chromedp.SendKeys(chromedp.CSS(`#description`), "雷达开机后无回波显示"),
			chromedp.Submit(chromedp.CSS(`#description`)),
			chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),
		)
		flash := text(t, ctx, `.flash-ok`)
		m := regexp.MustCompile(`#(\d+)`).FindStringSubmatch(flash)
		if m == nil {
			t.Fatalf("intake flash %q names no request", flash)
		}
		shot(t, ctx, name(t, "dispatch-laptop"))
		button := fmt.Sprintf(`#request-%s button[data-partner="hefei"]`, m[1])
		drive(t, ctx, "dispatch to hefei",
			chromedp.WaitVisible(chromedp.CSS(button)),
			chromedp.Click(chromedp.CSS(button)),
			// The intake's message is still on the page until the next one
			// loads: wait for the dispatched request to leave first.
			chromedp.WaitNotPresent(chromedp.CSS(fmt.Sprintf(`#request-%s`, m[1]))),
			chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),
		)
		if f := text(t, ctx, `.flash-ok`); !strings.Contains(f, "已派单") {
			t.Errorf("flash after dispatching: %q", f)
		}
		if read(t, ctx, "request gone", chromedp.Evaluate[bool](fmt.Sprintf(`!!document.getElementById("request-%s")`, m[1]))) {
			t.Error("the dispatched request still waits")
		}
		p := incognito(t, ctx, phone)
		loginAs(t, p, base, "dispatcher")
		shot(t, p, name(t, "dispatch-phone"))
	})
}

// downloads makes the browser of ctx save downloads into a new directory
// and returns it with a channel that receives each completed download's
// file name (its GUID).
func downloads(t *testing.T, ctx context.Context) (string, <-chan string) {
	t.Helper()
	dir := t.TempDir()
	done := make(chan string, 4)
	if err := chromedp.ListenBrowser(ctx, func(ev any) {
		if e, ok := ev.(*cdpbrowser.EventDownloadProgress); ok && e.State == cdpbrowser.DownloadProgressStateCompleted {
			select {
			case done <- e.GUID:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	events := true
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &events,
	}); err != nil {
		t.Fatal(err)
	}
	return dir, done
}
