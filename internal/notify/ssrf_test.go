package notify

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// TestNewClientRefusesLoopbackSpellings: the dial-time guard sees the
// address actually dialled, so other spellings of the loopback server (a
// host name that resolves to it, an IPv4-mapped IPv6 address) are refused
// too, and the server is never reached; a redirect is never followed.
func TestNewClientRefusesLoopbackSpellings(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	port := u.Port()
	for _, raw := range []string{"http://localhost:" + port + "/", "http://[::ffff:127.0.0.1]:" + port + "/",
		"http://[::ffff:7f00:1]:" + port + "/", "http://[::ffff:169.254.169.254]/", "http://[fe80::1]:" + port + "/"} {
		d := &cordon.DueDelivery{URL: raw, Event: cordon.OutboxEvent{Payload: []byte(`{}`)}}
		status, msg := post(context.Background(), NewClient(), d, time.Now())
		if status != 0 || msg != "the endpoint's address is not allowed" {
			t.Errorf("%s: %d %q, want the address refused", raw, status, msg)
		}
	}
	if hit {
		t.Error("the loopback server was reached")
	}
	req, _ := http.NewRequest(http.MethodPost, "https://hooks.example/x", nil)
	if err := NewClient().CheckRedirect(req, []*http.Request{req}); !errors.Is(err, http.ErrUseLastResponse) {
		t.Errorf("a redirect: %v, want it not followed", err)
	}
}

// TestMayDial: public addresses pass; private, loopback and link-local ones
// only inside a listed network; a listed loopback server is reached.
func TestMayDial(t *testing.T) {
	_, partners, _ := net.ParseCIDR("10.20.0.0/16")
	for _, tt := range []struct {
		ip      string
		allowed []*net.IPNet
		want    bool
	}{
		{"203.0.113.7", nil, true},
		{"2001:db8::1", nil, true},
		{"10.20.1.2", nil, false},
		{"192.168.1.1", nil, false},
		{"172.16.0.1", nil, false},
		{"fd00::1", nil, false},
		{"127.0.0.1", nil, false},
		{"169.254.169.254", nil, false},
		{"10.20.1.2", []*net.IPNet{partners}, true},
		{"10.21.1.2", []*net.IPNet{partners}, false},
		{"::ffff:10.20.1.2", []*net.IPNet{partners}, true},
	} {
		if got := mayDial(net.ParseIP(tt.ip), tt.allowed); got != tt.want {
			t.Errorf("mayDial(%s, %v) = %v, want %v", tt.ip, tt.allowed, got, tt.want)
		}
	}
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	defer srv.Close()
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	d := &cordon.DueDelivery{URL: srv.URL, Event: cordon.OutboxEvent{Payload: []byte(`{}`)}}
	if status, msg := post(context.Background(), NewClient(loopback), d, time.Now()); status != 200 || !hit {
		t.Errorf("a listed loopback server: %d %q, reached %v", status, msg, hit)
	}
}
