package authn

import (
	"context"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// DefaultHashWait is how long a login waits for its turn to hash when
// Config.HashWait is zero.
const DefaultHashWait = 10 * time.Second

// hashGate bounds how many password hashes run at once. An argon2id hash
// holds Params.Memory (19 MiB by default) for its whole run and keeps one
// core busy: more hashes than cores finish no sooner, they only hold more
// memory (64 concurrent logins held 1.3 GB before the gate; see
// docs/performance.md). A login waits for a slot while its context lives,
// up to a bound; past it the answer is ETOOMANY with Retry-After, so a
// login storm is shed rather than queued without end.
type hashGate struct {
	slots chan struct{}
	wait  time.Duration
	// after is time.After; tests replace it to expire the wait at will.
	after func(time.Duration) <-chan time.Time
}

func newHashGate(n int, wait time.Duration) *hashGate {
	return &hashGate{slots: make(chan struct{}, n), wait: wait, after: time.After}
}

// do runs fn when a slot is free. It returns ETOOMANY when none frees up
// within the bound, and EUNAVAILABLE (with the context's error as the cause)
// when ctx ends first; fn has not run then.
func (g *hashGate) do(ctx context.Context, fn func()) error {
	select {
	case g.slots <- struct{}{}:
	default:
		select {
		case g.slots <- struct{}{}:
		case <-g.after(g.wait):
			return errBusy()
		case <-ctx.Done():
			return &internalError{err: cordon.Err(cordon.EUNAVAILABLE, "request_took_too_long"),
				op: "wait for a password hash", cause: ctx.Err()}
		}
	}
	defer func() { <-g.slots }()
	fn()
	return nil
}

// verify checks password against hash with VerifyPassword (or the test's
// stand-in) once the gate lets it. refused is the gate's answer, ETOOMANY
// or EUNAVAILABLE; err means the hash is malformed.
func (s *Service) verify(ctx context.Context, hash, password string) (ok bool, refused, err error) {
	refused = s.gate.do(ctx, func() { ok, err = s.verifyPassword(hash, password) })
	return ok, refused, err
}

// errBusy is the answer when every hash slot stayed taken for the whole
// wait: the login route documents 429 with Retry-After already.
func errBusy() *cordon.Error {
	e := cordon.Err(cordon.ETOOMANY, "too_many_logins_once_try")
	e.RetryAfter = 1
	return e
}
