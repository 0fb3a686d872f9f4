package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSurveyJourney: a customer opens the survey link on a phone,
// without logging in, picks a score by its label, writes a comment and
// sends it; opening the link again says it was used.
func TestBrowserSurveyJourney(t *testing.T) {
	chromiumPath(t)
	eachDB(t, func(t *testing.T, h *harness) {
		_, token := surveyLink(t, h)
		base := h.serve()
		ctx := chrome(t, phone)
		link := base + "/survey/" + token
		drive(t, ctx, "open the link",
			chromedp.Navigate(link),
			chromedp.WaitVisible(chromedp.CSS(`#survey-form`)),
		)
		if title := text(t, ctx, `#survey-title`); title != "服务满意度回访" {
			t.Errorf("title: %q", title)
		}
		shot(t, ctx, name(t, "survey-phone"))
		drive(t, ctx, "answer",
			chromedp.Click(chromedp.CSS(`label[for="score-4"]`)),
			chromedp.SendKeys(chromedp.CSS(`#comment`), "工程师响应及时，问题已解决。"),
			chromedp.Click(chromedp.CSS(`#survey-form button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#survey-state[data-state="thanks"]`)),
		)
		shot(t, ctx, name(t, "survey-thanks-phone"))
		if r := h.do("POST", "/api/v1/surveys/answer", "", map[string]any{"token": token, "score": 1}); r.Status != 404 {
			t.Errorf("the link still takes an answer after the page's: %d", r.Status)
		}
		drive(t, ctx, "open the link again",
			chromedp.Navigate(link+"?lang=en"),
			chromedp.WaitVisible(chromedp.CSS(`#survey-state`)),
		)
		if got := text(t, ctx, `#survey-title`); !strings.Contains(got, "used already") {
			t.Errorf("the used link says %q", got)
		}
		shot(t, ctx, name(t, "survey-used-phone-en"))
	})
}
