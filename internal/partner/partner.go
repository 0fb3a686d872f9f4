// Package partner is the partner companies: the institute registers and
// edits them, each partner sees its own while its contract is in force,
// and a partner's admin sets where its webhooks go. Who may see and change
// which partner is decided here, not in the handlers.
package partner

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/cordon/cordon/internal/cordon"
)

// Config holds what the service needs.
type Config struct {
	Orgs     cordon.OrgStore
	Webhooks cordon.WebhookStore
	Scope    cordon.ScopePolicy // whose contract is in force
	Now      cordon.Clock
}

// Service implements cordon.PartnerService.
type Service struct{ cfg Config }

var _ cordon.PartnerService = (*Service)(nil)

// NewService returns the partner service.
func NewService(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}
}

// FindPartners returns the partners the caller may see: every one for the
// institute, its own company for a partner user while in force.
func (s *Service) FindPartners(ctx context.Context, f cordon.OrgFilter) ([]*cordon.Org, int, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, 0, err
	}
	kind := cordon.OrgPartner
	f.Kind = &kind
	if a.IsPartner() {
		if !cordon.PartnerInForce(s.cfg.Scope, a.PartnerID) {
			return nil, 0, nil // out of force a partner sees nothing
		}
		f.ID = &a.PartnerID
	}
	return s.cfg.Orgs.FindOrgs(ctx, f)
}

// FindPartnerByID returns the partner if the caller may see it; anything
// else is the same ENOTFOUND as a partner that does not exist.
func (s *Service) FindPartnerByID(ctx context.Context, id int64) (*cordon.Org, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if a.IsPartner() && (a.PartnerID != id || !cordon.PartnerInForce(s.cfg.Scope, a.PartnerID)) {
		return nil, cordon.Err(cordon.ENOTFOUND, "partner.not_found")
	}
	o, err := s.cfg.Orgs.FindOrgByID(ctx, id)
	if cordon.ErrorCode(err) == cordon.ENOTFOUND || err == nil && o.Kind != cordon.OrgPartner {
		return nil, cordon.Err(cordon.ENOTFOUND, "partner.not_found") // the institute's own id reads like a missing one
	}
	return o, err
}

// CreatePartner checks and adds a partner company.
func (s *Service) CreatePartner(ctx context.Context, o *cordon.Org) error {
	o.Code, o.Kind = strings.TrimSpace(o.Code), cordon.OrgPartner
	if err := validate(&o.Name, &o.HomeCity, &o.WebhookURL); err != nil {
		return err
	}
	if !validCode(o.Code) {
		return cordon.FieldErr("code", "api.code_must_2_32_lower")
	}
	return s.cfg.Orgs.CreateOrg(ctx, o)
}

// UpdatePartner checks and applies a change to a partner the caller may see.
func (s *Service) UpdatePartner(ctx context.Context, id int64, upd cordon.OrgUpdate) (*cordon.Org, error) {
	if _, err := s.FindPartnerByID(ctx, id); err != nil {
		return nil, err
	}
	if err := validate(upd.Name, upd.HomeCity, upd.WebhookURL); err != nil {
		return nil, err
	}
	return s.cfg.Orgs.UpdateOrg(ctx, id, upd)
}

// FindWebhook returns the endpoint of a partner the caller may see, nil
// when it has none. The secret is never read back.
func (s *Service) FindWebhook(ctx context.Context, partnerID int64) (*cordon.WebhookEndpoint, error) {
	if _, err := s.FindPartnerByID(ctx, partnerID); err != nil {
		return nil, err
	}
	e, err := s.cfg.Webhooks.FindWebhookEndpoint(ctx, partnerID)
	if cordon.ErrorCode(err) == cordon.ENOTFOUND {
		return nil, nil
	}
	return e, err
}

// SaveWebhook sets the caller's own company's endpoint: only a partner's
// user may, for its own company (the institute does not set partners'
// endpoints).
func (s *Service) SaveWebhook(ctx context.Context, partnerID int64, rawURL string, active, rotate bool) (*cordon.WebhookEndpoint, bool, error) {
	a, err := cordon.Caller(ctx)
	if err != nil {
		return nil, false, err
	}
	if !a.IsPartner() {
		return nil, false, cordon.Err(cordon.ENOTFOUND, "partner.not_found")
	}
	if _, err := s.FindPartnerByID(ctx, partnerID); err != nil {
		return nil, false, err
	}
	u, err := ValidateWebhookURL(rawURL)
	if err != nil {
		return nil, false, err
	}
	_, findErr := s.cfg.Webhooks.FindWebhookEndpoint(ctx, partnerID)
	if findErr != nil && cordon.ErrorCode(findErr) != cordon.ENOTFOUND {
		return nil, false, findErr
	}
	e := &cordon.WebhookEndpoint{PartnerID: partnerID, URL: u, Active: active}
	if err := s.cfg.Webhooks.SaveWebhookEndpoint(ctx, e, rotate); err != nil {
		return nil, false, err
	}
	return e, findErr != nil, nil
}

// FindDeliveries lists webhook deliveries, for the institute.
func (s *Service) FindDeliveries(ctx context.Context, f cordon.DeliveryFilter) ([]*cordon.WebhookDelivery, int, error) {
	switch f.State {
	case "", cordon.DeliveryPending, cordon.DeliveryDelivered, cordon.DeliveryDead:
	default:
		return nil, 0, cordon.FieldErr("state", "api.state_must_pending_delivered_dead")
	}
	return s.cfg.Webhooks.FindDeliveries(ctx, f)
}

// RetryDelivery makes a dead delivery pending again, due now.
func (s *Service) RetryDelivery(ctx context.Context, id int64) (*cordon.WebhookDelivery, error) {
	return s.cfg.Webhooks.RetryDelivery(ctx, id, s.cfg.Now())
}

func validCode(s string) bool {
	if len(s) < 2 || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// validate checks the fields present (nil means absent).
func validate(name, city, webhook *string) error {
	if name != nil && (strings.TrimSpace(*name) == "" || len(*name) > 200) {
		return cordon.FieldErr("name", "api.name_must_1_200_characters")
	}
	if city != nil && (strings.TrimSpace(*city) == "" || len(*city) > 100) {
		return cordon.FieldErr("home_city", "api.home_city_must_1_100")
	}
	if webhook != nil && *webhook != "" && !strings.HasPrefix(*webhook, "https://") && !strings.HasPrefix(*webhook, "http://") {
		return cordon.FieldErr("webhook_url", "api.webhook_endpoint_must_http_https")
	}
	return nil
}

// ValidateWebhookURL checks an endpoint URL: absolute http or https with a
// host, no user name or password in it, no fragment, at most 2000
// characters, no spaces or control characters. It returns the URL as
// given, trimmed.
func ValidateWebhookURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	bad := func() error {
		return cordon.FieldErr("url", "api.endpoint_must_http_https_url")
	}
	if raw == "" || len(raw) > 2000 || strings.ContainsFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return "", bad()
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" ||
		u.User != nil || u.Fragment != "" || strings.Contains(raw, "#") || u.Opaque != "" {
		return "", bad()
	}
	return raw, nil
}
