package contract

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
)

func TestTransition(t *testing.T) {
	const (
		draft      = cordon.ContractDraft
		active     = cordon.ContractActive
		suspended  = cordon.ContractSuspended
		terminated = cordon.ContractTerminated
		expired    = cordon.ContractExpired
	)
	tests := []struct {
		from     cordon.ContractStatus
		action   string
		want     cordon.ContractStatus
		wantCode string // "" for success
		wantMsg  string
	}{
		{draft, ActionActivate, active, "", ""},
		{active, ActionSuspend, suspended, "", ""},
		{suspended, ActionResume, active, "", ""},
		{suspended, ActionActivate, active, "", ""},
		{active, ActionTerminate, terminated, "", ""},
		{suspended, ActionTerminate, terminated, "", ""},
		{active, ActionExpire, expired, "", ""},
		{suspended, ActionExpire, expired, "", ""},

		{draft, ActionSuspend, draft, cordon.ECONFLICT, "Cannot suspend a draft contract: allowed are activate."},
		{draft, ActionResume, draft, cordon.ECONFLICT, "Cannot resume a draft contract: allowed are activate."},
		{draft, ActionTerminate, draft, cordon.ECONFLICT, "Cannot terminate a draft contract: allowed are activate."},
		{draft, ActionExpire, draft, cordon.ECONFLICT, "Cannot expire a draft contract: allowed are activate."},
		{active, ActionActivate, active, cordon.ECONFLICT, "Cannot activate an active contract: allowed are suspend, terminate, expire."},
		{active, ActionResume, active, cordon.ECONFLICT, "Cannot resume an active contract: allowed are suspend, terminate, expire."},
		{suspended, ActionSuspend, suspended, cordon.ECONFLICT, "Cannot suspend a suspended contract: allowed are activate, resume, terminate, expire."},
		{terminated, ActionActivate, terminated, cordon.ECONFLICT, "Cannot activate a terminated contract: it has ended and allows no action."},
		{terminated, ActionResume, terminated, cordon.ECONFLICT, "Cannot resume a terminated contract: it has ended and allows no action."},
		{expired, ActionActivate, expired, cordon.ECONFLICT, "Cannot activate an expired contract: it has ended and allows no action."},
		{expired, ActionTerminate, expired, cordon.ECONFLICT, "Cannot terminate an expired contract: it has ended and allows no action."},

		{active, "renew", active, cordon.EINVALID, `Unknown action "renew": want one of activate, suspend, resume, terminate, expire.`},
		{"", ActionActivate, "", cordon.EINVALID, `Unknown contract status "".`},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"/"+tt.action, func(t *testing.T) {
			got, err := Transition(tt.from, tt.action)
			if got != tt.want {
				t.Errorf("status: got %q, want %q", got, tt.want)
			}
			if code := cordon.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("error code: got %q (%v), want %q", code, err, tt.wantCode)
			}
			if msg := cordon.ErrorMessage(err); msg != tt.wantMsg {
				t.Errorf("message: got %q, want %q", msg, tt.wantMsg)
			}
		})
	}
}

func TestActions(t *testing.T) {
	tests := []struct {
		from cordon.ContractStatus
		want []string
	}{
		{cordon.ContractDraft, []string{"activate"}},
		{cordon.ContractActive, []string{"suspend", "terminate", "expire"}},
		{cordon.ContractSuspended, []string{"activate", "resume", "terminate", "expire"}},
		{cordon.ContractTerminated, nil},
		{cordon.ContractExpired, nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.from), func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Actions(tt.from)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestOverlaps(t *testing.T) {
	// base: partner 1, 2026 to 2027, Hefei and Wuhu, radar and comms.
	base := func(edit func(c *cordon.Contract)) *cordon.Contract {
		c := &cordon.Contract{
			ID: 1, Number: "HF-2026-001", PartnerID: 1,
			EffectiveFrom: day("2026-01-01"),
			ExpiresOn:     endOfDay(day("2027-12-31")),
			Status:        cordon.ContractActive,
			Scope:         cordon.Scope{Cities: []string{"Hefei", "Wuhu"}, ProductLines: []string{"radar", "comms"}},
		}
		if edit != nil {
			edit(c)
		}
		return c
	}
	other := func(edit func(c *cordon.Contract)) *cordon.Contract {
		return base(func(c *cordon.Contract) {
			c.ID, c.Number = 2, "HF-2026-002"
			if edit != nil {
				edit(c)
			}
		})
	}
	tests := []struct {
		name string
		a, b *cordon.Contract
		want bool
	}{
		{"same scope and period", base(nil), other(nil), true},
		{"one city and one line in common", base(nil), other(func(c *cordon.Contract) {
			c.Scope.Cities, c.Scope.ProductLines = []string{"Wuhu", "Anqing"}, []string{"sonar", "comms"}
		}), true},
		{"candidate draft against active", other(func(c *cordon.Contract) { c.Status = cordon.ContractDraft }), base(nil), true},
		{"suspended still counts", base(nil), other(func(c *cordon.Contract) { c.Status = cordon.ContractSuspended }), true},
		{"period touches by a day", base(nil), other(func(c *cordon.Contract) {
			c.EffectiveFrom, c.ExpiresOn = day("2027-12-31"), endOfDay(day("2028-12-31"))
		}), true},
		{"next period starts the day after", base(nil), other(func(c *cordon.Contract) {
			c.EffectiveFrom, c.ExpiresOn = day("2028-01-01"), endOfDay(day("2028-12-31"))
		}), false},
		{"period before", base(nil), other(func(c *cordon.Contract) {
			c.EffectiveFrom, c.ExpiresOn = day("2024-01-01"), endOfDay(day("2025-12-31"))
		}), false},
		{"other partner", base(nil), other(func(c *cordon.Contract) { c.PartnerID = 2 }), false},
		{"no city in common", base(nil), other(func(c *cordon.Contract) { c.Scope.Cities = []string{"Wuhan"} }), false},
		{"no line in common", base(nil), other(func(c *cordon.Contract) { c.Scope.ProductLines = []string{"sonar"} }), false},
		{"terminated", base(nil), other(func(c *cordon.Contract) { c.Status = cordon.ContractTerminated }), false},
		{"expired", other(func(c *cordon.Contract) { c.Status = cordon.ContractExpired }), base(nil), false},
		{"itself", base(nil), base(nil), false},
		{"same number", base(nil), base(func(c *cordon.Contract) { c.ID = 0 }), false},
		{"nil", base(nil), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Overlaps(tt.a, tt.b); got != tt.want {
				t.Errorf("Overlaps(a, b): got %v, want %v", got, tt.want)
			}
			if got := Overlaps(tt.b, tt.a); got != tt.want {
				t.Errorf("Overlaps(b, a): got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestInForceDates(t *testing.T) {
	// The source form's expires is the last day in force, all of it.
	c := hefei()
	tests := []struct {
		at   time.Time
		want bool
	}{
		{day("2025-12-31").Add(23*time.Hour + 59*time.Minute), false},
		{day("2026-01-01"), true},
		{day("2027-12-31").Add(23*time.Hour + 59*time.Minute + 59*time.Second), true},
		{day("2028-01-01"), false},
	}
	for _, tt := range tests {
		t.Run(tt.at.String(), func(t *testing.T) {
			if got := c.InForce(tt.at); got != tt.want {
				t.Errorf("InForce: got %v, want %v", got, tt.want)
			}
		})
	}
	if got, want := Date(c.ExpiresOn), "2027-12-31"; got != want {
		t.Errorf("Date(ExpiresOn): got %q, want %q", got, want)
	}
}
