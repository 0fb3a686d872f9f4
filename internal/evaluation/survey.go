package evaluation

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// verify checks a link token's shape and signature and returns its
// expiry; it touches no database, so a flood of bad tokens costs an HMAC
// each.
func (s *Service) verify(token string) (time.Time, bool) {
	parts := strings.Split(token, ".")
	if len(token) > 200 || len(parts) != 3 {
		return time.Time{}, false
	}
	payload := parts[0] + "." + parts[1]
	if !hmac.Equal([]byte(parts[2]), []byte(s.sign(payload))) {
		return time.Time{}, false
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(exp, 0).UTC(), true
}

// formToken is the token the survey page's form carries: an HMAC of the
// link's token under the survey key, with a purpose of its own so that it
// is never a valid link signature.
func (s *Service) formToken(token string) string {
	m := hmac.New(sha256.New, s.cfg.Key)
	m.Write([]byte("survey-form\x00"))
	m.Write([]byte(token))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckSurveyForm reports whether form is the form token of the link with
// token.
func (s *Service) CheckSurveyForm(token, form string) bool {
	return form != "" && hmac.Equal([]byte(form), []byte(s.formToken(token)))
}

// OpenSurvey says where a link stands: the signature and expiry first
// (no database), then one look-up by the token's hash.
func (s *Service) OpenSurvey(ctx context.Context, token string) (*cordon.SurveyView, error) {
	exp, ok := s.verify(token)
	if !ok {
		return &cordon.SurveyView{State: cordon.SurveyInvalid}, nil
	}
	if !s.cfg.Now().Before(exp) {
		return &cordon.SurveyView{State: cordon.SurveyExpired, ExpiresAt: exp}, nil
	}
	sv, err := s.cfg.Surveys.FindSurveyByToken(ctx, hashToken(token))
	switch {
	case cordon.ErrorCode(err) == cordon.ENOTFOUND:
		return &cordon.SurveyView{State: cordon.SurveyInvalid}, nil
	case err != nil:
		return nil, err
	case sv.AnsweredAt != nil:
		return &cordon.SurveyView{State: cordon.SurveyAnswered, JobID: sv.JobID, ExpiresAt: exp}, nil
	}
	return &cordon.SurveyView{State: cordon.SurveyOpen, JobID: sv.JobID, ExpiresAt: exp, FormToken: s.formToken(token)}, nil
}
