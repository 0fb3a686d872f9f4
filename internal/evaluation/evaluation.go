// Package evaluation judges partners: scorecards per period (offers,
// acceptance, SLA compliance, first-time fixes, reopens, satisfaction,
// complaints and the penalty points each contract clause implies), and the
// satisfaction surveys that feed them.
package evaluation

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/keyfile"
)

// Meter counts a job's SLA clocks under its contract, in the contract's
// business calendar (sla.Meter.ContractClocks fits).
type Meter func(c *cordon.Contract, j *cordon.Job, events []*cordon.JobEvent, terms cordon.SLATerms, now time.Time) []cordon.SLAClock

// Config holds what the evaluation needs.
type Config struct {
	Jobs      cordon.JobStore
	Contracts cordon.ContractStore
	Orgs      cordon.OrgStore
	Surveys   cordon.SurveyStore
	Scope     cordon.ScopePolicy
	Meter     Meter
	Key       []byte // signs survey links
	Now       cordon.Clock
	// LinkTTL is how long a survey link stays valid (default 14 days).
	LinkTTL time.Duration
}

// Service implements cordon.Evaluation.
type Service struct{ cfg Config }

var _ cordon.Evaluation = (*Service)(nil)

// NewService returns the evaluation service.
func NewService(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.LinkTTL <= 0 {
		cfg.LinkTTL = 14 * 24 * time.Hour
	}
	return &Service{cfg: cfg}
}

// ParsePeriod reads "2026-Q3" or "2026-07" as [from, to) in China Standard Time.
func ParsePeriod(p string) (from, to time.Time, err error) {
	bad := cordon.FieldErr("period", "evaluation.period_must_look_like_2026")
	y, rest, ok := strings.Cut(p, "-")
	year, yerr := strconv.Atoi(y)
	if !ok || yerr != nil || year < 2000 || year > 2100 {
		return from, to, bad
	}
	if strings.HasPrefix(rest, "Q") {
		q, err := strconv.Atoi(rest[1:])
		if err != nil || q < 1 || q > 4 {
			return from, to, bad
		}
		from = time.Date(year, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, cordon.ChinaTime)
		return from, from.AddDate(0, 3, 0), nil
	}
	m, err := strconv.Atoi(rest)
	if err != nil || m < 1 || m > 12 {
		return from, to, bad
	}
	from = time.Date(year, time.Month(m), 1, 0, 0, 0, 0, cordon.ChinaTime)
	return from, from.AddDate(0, 1, 0), nil
}

// clauseRef keeps the reference of a clause text ("§4.2 Response" → "§4.2").
func clauseRef(s string) string {
	ref, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	return ref
}

// Scorecard returns a partner's scorecard; a partner user only its own.
func (s *Service) Scorecard(ctx context.Context, partnerID int64, period string) (*cordon.Scorecard, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if a.IsPartner() && (a.PartnerID != partnerID || !cordon.PartnerInForce(s.cfg.Scope, partnerID)) {
		return nil, cordon.Err(cordon.ENOTFOUND, "partner.not_found") // out of force a partner sees nothing
	}
	p, err := s.cfg.Orgs.FindOrgByID(ctx, partnerID)
	if err != nil || p.Kind != cordon.OrgPartner {
		return nil, cordon.Err(cordon.ENOTFOUND, "partner.not_found")
	}
	from, to, err := ParsePeriod(period)
	if err != nil {
		return nil, err
	}
	return s.scorecard(ctx, p, period, from, to)
}

// RecentScore returns the partner's score over the cordon.ScoreWindow
// before at, for ranking a request's candidates; ok is false when the
// partner had no offers in that window.
func (s *Service) RecentScore(ctx context.Context, partnerID int64, at time.Time) (float64, bool, error) {
	p, err := s.cfg.Orgs.FindOrgByID(ctx, partnerID)
	if err != nil {
		return 0, false, err
	}
	sc, err := s.scorecard(ctx, p, "recent", at.Add(-cordon.ScoreWindow), at)
	if err != nil || sc.Offers == 0 {
		return 0, false, err
	}
	return sc.Score, true, nil
}

var _ cordon.PartnerScorer = (*Service)(nil)

// Scorecards returns every partner's scorecard for the period, best first.
func (s *Service) Scorecards(ctx context.Context, period string) ([]*cordon.Scorecard, error) {
	from, to, err := ParsePeriod(period)
	if err != nil {
		return nil, err
	}
	kind := cordon.OrgPartner
	partners, _, err := s.cfg.Orgs.FindOrgs(ctx, cordon.OrgFilter{Kind: &kind})
	if err != nil {
		return nil, err
	}
	var out []*cordon.Scorecard
	for _, p := range partners {
		sc, err := s.scorecard(ctx, p, period, from, to)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out, nil
}

func (s *Service) scorecard(ctx context.Context, p *cordon.Org, period string, from, to time.Time) (*cordon.Scorecard, error) {
	jobs, _, err := s.cfg.Jobs.FindJobs(ctx, cordon.JobFilter{PartnerID: &p.ID, OfferedFrom: &from, OfferedTo: &to, Scope: cordon.ListScope{All: true}})
	if err != nil {
		return nil, fmt.Errorf("scorecard %s: %w", p.Code, err)
	}
	sc := &cordon.Scorecard{PartnerID: p.ID, PartnerCode: p.Code, PartnerName: p.Name, Period: period, From: from, To: to, Offers: len(jobs),
		SLA: map[string]cordon.SLACompliance{}, PenaltyByClause: map[string]int{}}
	contracts := map[int64]*cordon.Contract{}
	tally := incidents{}
	contractOf := map[int64]*cordon.Contract{} // by job
	now := s.cfg.Now()
	var fixedFirstTime, reopened int
	ids := make([]int64, 0, len(jobs))
	for _, j := range jobs {
		ids = append(ids, j.ID)
		if j.AcceptedAt != nil {
			sc.Accepted++
		}
		events, err := s.cfg.Jobs.FindJobEvents(ctx, j.ID)
		if err != nil {
			return nil, err
		}
		var resolved, reopen, expired, declined bool
		for _, e := range events {
			switch e.To {
			case cordon.JobResolved:
				resolved = true
			case cordon.JobReopened:
				reopen = true
			case cordon.JobExpired:
				expired = true
			case cordon.JobDeclined:
				declined = true
			}
		}
		var c *cordon.Contract
		if j.ContractID != nil {
			if c = contracts[*j.ContractID]; c == nil {
				if c, err = s.cfg.Contracts.FindContractByID(ctx, *j.ContractID); err != nil {
					return nil, err
				}
				contracts[*j.ContractID] = c
			}
			contractOf[j.ID] = c
		}
		if declined {
			sc.Declined++
		}
		if expired {
			sc.Expired++
			tally.add(c, cordon.IncidentLapsedOffer)
		}
		if resolved {
			sc.Resolved++
			if reopen {
				reopened++
				tally.add(c, cordon.IncidentReopen)
			} else {
				fixedFirstTime++
			}
		}
		if c == nil || j.Request == nil {
			continue
		}
		terms, ok := c.SLA[j.Request.Priority]
		if !ok {
			continue
		}
		for _, clk := range s.cfg.Meter(c, j, events, terms, now) {
			comp := sc.SLA[clk.Name]
			switch {
			case clk.Breached:
				comp.Breached++
				tally.add(c, cordon.IncidentSLABreach)
			case clk.Met:
				comp.Met++
			}
			sc.SLA[clk.Name] = comp
		}
	}
	for name, comp := range sc.SLA {
		comp.Rate = 1
		if n := comp.Met + comp.Breached; n > 0 {
			comp.Rate = float64(comp.Met) / float64(n)
		}
		sc.SLA[name] = comp
	}
	if sc.Offers > 0 {
		sc.AcceptanceRate = float64(sc.Accepted) / float64(sc.Offers)
	}
	if sc.Resolved > 0 {
		sc.FirstTimeFix = float64(fixedFirstTime) / float64(sc.Resolved)
		sc.ReopenRate = float64(reopened) / float64(sc.Resolved)
	}
	surveys, err := s.cfg.Surveys.FindSurveys(ctx, ids)
	if err != nil {
		return nil, err
	}
	total := 0
	for _, sv := range surveys {
		if sv.Score < 1 {
			continue
		}
		sc.Responses++
		total += sv.Score
		if sv.Score <= 2 {
			sc.Complaints++
			tally.add(contractOf[sv.JobID], cordon.IncidentComplaint)
		}
	}
	if sc.Responses > 0 {
		sc.Satisfaction = float64(total) / float64(sc.Responses)
	}
	sc.Score = score(sc)
	settle(sc, tally, contracts)
	return sc, nil
}

// score weighs a scorecard into one figure for ranking: acceptance 30%,
// SLA compliance (mean over the clocks) 30%, first-time fixes 20%,
// satisfaction 20% (a neutral 0.5 when nobody answered). A partner with no
// offers in the period scores 0.
func score(sc *cordon.Scorecard) float64 {
	if sc.Offers == 0 {
		return 0
	}
	sla := 1.0
	if len(sc.SLA) > 0 {
		sum := 0.0
		for _, c := range sc.SLA {
			sum += c.Rate
		}
		sla = sum / float64(len(sc.SLA))
	}
	ftf := 1.0
	if sc.Resolved > 0 {
		ftf = sc.FirstTimeFix
	}
	sat := 0.5
	if sc.Responses > 0 {
		sat = (sc.Satisfaction - 1) / 4
	}
	return 0.3*sc.AcceptanceRate + 0.3*sla + 0.2*ftf + 0.2*sat
}

// LoadOrCreateKey reads the survey signing key from dir, making one the
// first time.
func LoadOrCreateKey(dir string) ([]byte, error) {
	return keyfile.Secret(filepath.Join(dir, "survey-hmac.key"), "survey key")
}

func (s *Service) sign(payload string) string {
	m := hmac.New(sha256.New, s.cfg.Key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// closedEnough reports whether a job's work is done, so its customer can
// be asked.
func closedEnough(j *cordon.Job) bool {
	return j.Status == cordon.JobResolved || j.Status == cordon.JobVerified || j.Status == cordon.JobClosed
}

// SurveyLink creates a one-time link for a resolved job: a token of a
// random nonce and the expiry, signed with the server's key; only its hash
// is stored.
func (s *Service) SurveyLink(ctx context.Context, jobID int64) (string, time.Time, error) {
	j, err := s.cfg.Jobs.FindJobByID(ctx, jobID)
	if err != nil {
		return "", time.Time{}, err
	}
	if !closedEnough(j) {
		return "", time.Time{}, cordon.Err(cordon.ECONFLICT, "evaluation.job_ask_customer_once_resolved", j.Status)
	}
	now := s.cfg.Now()
	exp := now.Add(s.cfg.LinkTTL).UTC().Truncate(time.Second)
	nonce := make([]byte, 16)
	rand.Read(nonce)
	payload := base64.RawURLEncoding.EncodeToString(nonce) + "." + strconv.FormatInt(exp.Unix(), 10)
	token := payload + "." + s.sign(payload)
	err = s.cfg.Surveys.CreateSurvey(ctx, &cordon.Survey{JobID: j.ID, Channel: cordon.SurveyLink, TokenHash: hashToken(token), ExpiresAt: &exp, CreatedAt: now})
	if err != nil {
		return "", time.Time{}, err
	}
	return token, exp, nil
}

// AnswerSurvey checks the token's signature and expiry, then records the
// answer once.
func (s *Service) AnswerSurvey(ctx context.Context, token string, score int, comment string) error {
	invalid := cordon.Err(cordon.ENOTFOUND, "survey_link_not_valid_has")
	exp, ok := s.verify(token)
	now := s.cfg.Now()
	if !ok || !now.Before(exp) {
		return invalid
	}
	if score < 1 || score > 5 {
		return cordon.FieldErr("score", "evaluation.score_from_1_5")
	}
	if utf8.RuneCountInString(comment) > 2000 || len(comment) > 8000 {
		// Characters, not bytes: a Chinese comment of 2,000 characters is
		// some 6,000 bytes, and the survey page promises 2,000 characters.
		return cordon.FieldErr("comment", "evaluation.comment_longer_than_2000_characters")
	}
	return s.cfg.Surveys.AnswerSurvey(ctx, hashToken(token), score, strings.TrimSpace(comment), now)
}

// RecordCall records the answer a customer gave on a follow-up call.
func (s *Service) RecordCall(ctx context.Context, jobID int64, score int, comment string) error {
	a := cordon.ActorFromContext(ctx)
	if a == nil || a.IsPartner() {
		return cordon.Err(cordon.EFORBIDDEN, "evaluation.only_institute_records_follow_up")
	}
	if score < 1 || score > 5 {
		return cordon.FieldErr("score", "evaluation.score_from_1_5")
	}
	if len(comment) > 2000 {
		return cordon.FieldErr("comment", "evaluation.comment_longer_than_2000_characters")
	}
	j, err := s.cfg.Jobs.FindJobByID(ctx, jobID)
	if err != nil {
		return err
	}
	if !closedEnough(j) {
		return cordon.Err(cordon.ECONFLICT, "evaluation.job_record_call_once_resolved", j.Status)
	}
	now := s.cfg.Now()
	uid := a.UserID
	return s.cfg.Surveys.CreateSurvey(ctx, &cordon.Survey{JobID: j.ID, Channel: cordon.SurveyCall, AnsweredAt: &now,
		Score: score, Comment: strings.TrimSpace(comment), RecordedBy: &uid, CreatedAt: now})
}
