package evaluation

import (
	"context"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// memSurveys is a SurveyStore in memory.
type memSurveys struct{ byHash map[string]*cordon.Survey }

func (m *memSurveys) CreateSurvey(_ context.Context, s *cordon.Survey) error {
	m.byHash[s.TokenHash] = s
	return nil
}

func (m *memSurveys) AnswerSurvey(_ context.Context, hash string, score int, comment string, now time.Time) error {
	s, ok := m.byHash[hash]
	if !ok || s.AnsweredAt != nil || !now.Before(*s.ExpiresAt) {
		return cordon.Err(cordon.ENOTFOUND, "survey.not_found")
	}
	s.AnsweredAt, s.Score, s.Comment = &now, score, comment
	return nil
}

func (m *memSurveys) FindSurveys(context.Context, []int64) ([]*cordon.Survey, error) { return nil, nil }

func (m *memSurveys) FindSurveyByToken(_ context.Context, hash string) (*cordon.Survey, error) {
	if s, ok := m.byHash[hash]; ok {
		return s, nil
	}
	return nil, cordon.Err(cordon.ENOTFOUND, "survey.not_found")
}

// closedJobs finds every job, closed.
type closedJobs struct{ cordon.JobStore }

func (closedJobs) FindJobByID(_ context.Context, id int64) (*cordon.Job, error) {
	return &cordon.Job{ID: id, Status: cordon.JobClosed}, nil
}

// TestOpenSurvey: a link's state as its page sees it, by the injected
// clock, and the form token that goes with it.
func TestOpenSurvey(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	store := &memSurveys{byHash: map[string]*cordon.Survey{}}
	s := NewService(Config{Jobs: closedJobs{}, Surveys: store, Key: []byte("k"), Now: func() time.Time { return now }})
	other := NewService(Config{Jobs: closedJobs{}, Surveys: store, Key: []byte("another key"), Now: func() time.Time { return now }})
	ctx := context.Background()
	token, exp, err := s.SurveyLink(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	forged, _, _ := other.SurveyLink(ctx, 7)
	state := func(tok string) cordon.SurveyState {
		t.Helper()
		v, err := s.OpenSurvey(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		return v.State
	}
	v, _ := s.OpenSurvey(ctx, token)
	if v.State != cordon.SurveyOpen || v.JobID != 7 || !v.ExpiresAt.Equal(exp) || v.FormToken == "" {
		t.Fatalf("open link: %+v", v)
	}
	if !s.CheckSurveyForm(token, v.FormToken) || s.CheckSurveyForm(forged, v.FormToken) || s.CheckSurveyForm(token, "") ||
		other.CheckSurveyForm(token, v.FormToken) {
		t.Error("the form token is not bound to the link and the key")
	}
	for _, bad := range []string{"", "a.b", forged, token + "x", "x." + token} {
		if got := state(bad); got != cordon.SurveyInvalid {
			t.Errorf("%q: got %s, want invalid", bad, got)
		}
	}
	if err := s.AnswerSurvey(ctx, token, 5, "好"); err != nil {
		t.Fatal(err)
	}
	if got := state(token); got != cordon.SurveyAnswered {
		t.Errorf("after the answer: got %s, want answered", got)
	}
	late, _, _ := s.SurveyLink(ctx, 8)
	now = now.Add(14*24*time.Hour - time.Second)
	if got := state(late); got != cordon.SurveyOpen {
		t.Errorf("a second before expiry: got %s, want open", got)
	}
	now = now.Add(time.Second)
	if got := state(late); got != cordon.SurveyExpired {
		t.Errorf("at expiry: got %s, want expired", got)
	}
}
