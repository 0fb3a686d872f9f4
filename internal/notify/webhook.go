package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// The headers of a webhook delivery.
const (
	HeaderTimestamp = "X-Cordon-Timestamp" // Unix seconds when the attempt was signed
	HeaderSignature = "X-Cordon-Signature" // sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
	HeaderEvent     = "X-Cordon-Event"     // the event's kind
	HeaderDelivery  = "X-Cordon-Delivery"  // the delivery id: the same on every retry of one event
)

// Sign returns the signature header value for body sent at timestamp ts
// (Unix seconds): "sha256=" and the hex HMAC-SHA256 under secret of the
// timestamp, a dot and the body.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a delivery as a receiver should: the signature matches in
// constant time, and the timestamp is within tolerance of now (a replayed
// old delivery is refused).
func Verify(secret, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return errors.New("notify: bad timestamp")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return errors.New("notify: timestamp outside tolerance")
	}
	if !hmac.Equal([]byte(Sign(secret, ts, body)), []byte(signature)) {
		return errors.New("notify: signature mismatch")
	}
	return nil
}

// envelope is the body of a delivery.
type envelope struct {
	ID        int64           `json:"id"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// Body returns the JSON body delivered for an event: its id, its kind as
// type, when it happened, and its payload as data.
func Body(e *cordon.OutboxEvent) ([]byte, error) {
	return json.Marshal(envelope{ID: e.ID, Type: e.Kind, CreatedAt: e.CreatedAt.UTC(), Data: json.RawMessage(e.Payload)})
}

// post makes one attempt: it returns the endpoint's status (0 when it did
// not answer) and, when the attempt failed, a short description safe to
// show to the institute.
func post(ctx context.Context, client *http.Client, d *cordon.DueDelivery, now time.Time) (int, string) {
	body, err := Body(&d.Event)
	if err != nil {
		return 0, "the event could not be encoded"
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(body))
	if err != nil {
		return 0, "the endpoint URL is not usable"
	}
	ts := now.Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Cordon-Webhook/1")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(d.Secret, ts, body))
	req.Header.Set(HeaderEvent, d.Event.Kind)
	req.Header.Set(HeaderDelivery, strconv.FormatInt(d.Delivery.ID, 10))
	res, err := client.Do(req)
	if err != nil {
		return 0, describe(err)
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, fmt.Sprintf("the endpoint answered HTTP %d", res.StatusCode)
	}
	return res.StatusCode, ""
}

// describe says why a request failed without quoting the error, which may
// name internal addresses.
func describe(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, errForbiddenAddress):
		return "the endpoint's address is not allowed"
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return "the endpoint did not answer in time"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "the endpoint refused the connection"
	case strings.Contains(err.Error(), "no such host"):
		return "the endpoint's host name is unknown"
	case strings.Contains(err.Error(), "tls") || strings.Contains(err.Error(), "x509"):
		return "the endpoint's TLS certificate was not accepted"
	}
	return "the endpoint could not be reached"
}

var errForbiddenAddress = errors.New("notify: address not allowed")

// NewClient returns the client webhooks go out with: a 5-second timeout,
// no proxy from the environment, no redirects followed (a redirect is a
// failed attempt), and no connection to loopback, link-local (cloud
// metadata), multicast, unspecified or private (RFC 1918, fc00::/7)
// addresses unless one of allowed holds the address, checked on the
// address actually dialled so that DNS cannot steer a delivery there. A
// partner's webhook can so never reach the institute's own network (its
// database, its load balancer) unless the operator lists the partners'
// networks.
func NewClient(allowed ...*net.IPNet) *http.Client {
	dialer := &net.Dialer{
		Timeout: Timeout,
		Control: func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return errForbiddenAddress
			}
			if ip := net.ParseIP(host); ip != nil && mayDial(ip, allowed) {
				return nil
			}
			return errForbiddenAddress
		},
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   Timeout,
		ResponseHeaderTimeout: Timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
	}
	return &http.Client{
		Timeout:       Timeout,
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// mayDial reports whether a webhook may connect to ip: a public unicast
// address, or one inside a listed network.
func mayDial(ip net.IP, allowed []*net.IPNet) bool {
	for _, n := range allowed {
		if n.Contains(ip) {
			return true
		}
	}
	return !(ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsMulticast() ||
		ip.IsUnspecified() || ip.IsInterfaceLocalMulticast() || ip.IsPrivate())
}
