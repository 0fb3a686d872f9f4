package evaluation

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// TestAnswerSurveyCommentLength: the comment's limit is 2,000 characters,
// as the survey page says, not 2,000 bytes: a Chinese comment of 2,000
// characters is taken, one of 2,001 is refused.
func TestAnswerSurveyCommentLength(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	store := &memSurveys{byHash: map[string]*cordon.Survey{}}
	s := NewService(Config{Jobs: closedJobs{}, Surveys: store, Key: []byte("k"), Now: func() time.Time { return now }})
	ctx := context.Background()
	for _, tc := range []struct {
		comment string
		want    string
	}{
		{strings.Repeat("好", 2001), cordon.EINVALID},
		{strings.Repeat("好", 2000), ""},
	} {
		token, _, err := s.SurveyLink(ctx, 7)
		if err != nil {
			t.Fatal(err)
		}
		if got := cordon.ErrorCode(s.AnswerSurvey(ctx, token, 5, tc.comment)); got != tc.want {
			t.Errorf("%d characters: got %q, want %q", len([]rune(tc.comment)), got, tc.want)
		}
	}
}
