package authn_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/authn"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// gated is a fixture whose service runs at most hashes password hashes at
// once, with a password check that reports each start on entered and
// finishes only once release is closed.
type gated struct {
	*fixture
	svc     *authn.Service
	entered chan struct{}
	release chan struct{}
	inside  atomic.Int32 // hashes running now
	most    atomic.Int32 // most hashes seen running at once
}

func eachGated(t *testing.T, hashes int, fn func(t *testing.T, g *gated)) {
	t.Helper()
	clk := &clock{}
	storetest.Each(t, storetest.Options{Now: clk.Now}, func(t *testing.T, db *store.DB) {
		clk.Set(t0)
		f := newFixture(t, db, clk)
		g := &gated{fixture: f, entered: make(chan struct{}, 64), release: make(chan struct{})}
		g.svc = authn.NewService(authn.Config{
			Users: f.users, Sessions: store.NewSessionStore(db), Throttle: store.NewLoginThrottle(db),
			Key: f.key, Issuer: issuer, Audience: audience, Now: clk.Now, Password: cheap(),
			Hashes: hashes,
		})
		authn.SetHashHooks(g.svc, func(hash, password string) (bool, error) {
			n := g.inside.Add(1)
			defer g.inside.Add(-1)
			for m := g.most.Load(); n > m && !g.most.CompareAndSwap(m, n); m = g.most.Load() {
			}
			g.entered <- struct{}{}
			<-g.release
			return authn.VerifyPassword(hash, password)
		}, nil)
		fn(t, g)
	})
}

// The gate lets exactly Hashes hashes run; the other logins wait for a
// slot (they ask for the wait's timer) and all succeed once slots free up.
func TestLoginHashCap(t *testing.T) {
	const hashes, logins = 2, 8
	eachGated(t, hashes, func(t *testing.T, g *gated) {
		waiting := make(chan struct{}, logins)
		authn.SetHashHooks(g.svc, nil, func(time.Duration) <-chan time.Time {
			waiting <- struct{}{}
			return nil // the bound never runs out here
		})
		errs := make(chan error, logins)
		for range logins {
			go func() {
				_, err := g.svc.Login(context.Background(), g.partner.Username, password)
				errs <- err
			}()
		}
		// Before any hash finishes: hashes running, the rest waiting. A
		// gate that let more through would show a third hash here.
		for started, waited := 0, 0; started < hashes || waited < logins-hashes; {
			select {
			case <-g.entered:
				if started++; started > hashes {
					close(g.release)
					t.Fatalf("%d hashes started at once, want at most %d", started, hashes)
				}
			case <-waiting:
				waited++
			}
		}
		close(g.release)
		for range logins {
			if err := <-errs; err != nil {
				t.Errorf("login: %v", err)
			}
		}
		if got := g.most.Load(); got != hashes {
			t.Errorf("most hashes at once = %d, want %d", got, hashes)
		}
	})
}

// A login that finds every slot taken for the whole wait is told to come
// back (429 with Retry-After); one whose context ends first gets
// EUNAVAILABLE. Neither hashes.
func TestLoginHashWait(t *testing.T) {
	eachGated(t, 1, func(t *testing.T, g *gated) {
		first := make(chan error, 1)
		go func() {
			_, err := g.svc.Login(context.Background(), g.partner.Username, password)
			first <- err
		}()
		<-g.entered // the one slot is taken

		expired := make(chan time.Time)
		close(expired)
		authn.SetHashHooks(g.svc, nil, func(time.Duration) <-chan time.Time { return expired })
		_, err := g.svc.Login(context.Background(), g.partner.Username, password)
		wantError(t, err, &cordon.Error{Code: cordon.ETOOMANY, Key: "too_many_logins_once_try", Message: "Too many logins at once. Try again in a moment.", RetryAfter: 1})

		authn.SetHashHooks(g.svc, nil, func(time.Duration) <-chan time.Time { return nil })
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err = g.svc.Login(ctx, g.partner.Username, password)
		wantError(t, err, &cordon.Error{Code: cordon.EUNAVAILABLE, Key: "request_took_too_long", Message: "The request took too long."})

		close(g.release)
		if err := <-first; err != nil {
			t.Errorf("first login: %v", err)
		}
		if got := g.most.Load(); got != 1 {
			t.Errorf("most hashes at once = %d, want 1", got)
		}
	})
}
