package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Request makes worker's next request; the load generator sends it.
type Request func(worker int, n uint64) (*http.Request, error)

// Result is what one case's load measured.
type Result struct {
	Requests int
	Errors   int // transport errors and unexpected statuses
	FirstErr string
	Elapsed  time.Duration
	P50, P99 time.Duration
	CPU      time.Duration // process CPU time (user + system) while it ran
	PeakRSS  int64         // bytes; the process's high-water mark while it ran
}

// RPS is requests per second.
func (r Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// CPUPerRequest is the process CPU time per request.
func (r Result) CPUPerRequest() time.Duration {
	if r.Requests == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Requests)
}

// NewClient returns an HTTP client that keeps exactly conns connections
// open to one server.
func NewClient(conns int) *http.Client {
	return &http.Client{
		Timeout: time.Minute,
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			MaxConnsPerHost:     conns,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
}

// Drive runs conns workers, each sending requests back to back over client
// for warmup (not measured) and then for d (or until the first answer,
// when that takes longer), and expects status want from every one. It measures latency per request and the process's CPU time
// and peak RSS over the measured part.
func Drive(ctx context.Context, client *http.Client, conns int, warmup, d time.Duration, want int, next Request) Result {
	var (
		measuring atomic.Bool
		stop      atomic.Bool
		errs      atomic.Int64
		firstErr  atomic.Value
		wg        sync.WaitGroup
		lat       = make([][]time.Duration, conns)
		counter   atomic.Uint64
		done      atomic.Int64 // requests answered while measuring
	)
	fail := func(err error) {
		errs.Add(1)
		firstErr.CompareAndSwap(nil, err.Error())
	}
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]time.Duration, 0, 4096)
			for !stop.Load() && ctx.Err() == nil {
				req, err := next(w, counter.Add(1))
				if err != nil {
					fail(err)
					continue
				}
				t0 := time.Now()
				resp, err := client.Do(req.WithContext(ctx))
				if err != nil {
					if ctx.Err() == nil {
						fail(err)
					}
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				took := time.Since(t0)
				if resp.StatusCode != want {
					fail(fmt.Errorf("%s %s: status %d, want %d", req.Method, req.URL.Path, resp.StatusCode, want))
					continue
				}
				if measuring.Load() {
					buf = append(buf, took)
					done.Add(1)
				}
			}
			lat[w] = buf
		}()
	}
	sleep(ctx, warmup)
	errs.Store(0)
	ResetPeakRSS()
	cpu0 := CPUTime()
	t0 := time.Now()
	measuring.Store(true)
	sleep(ctx, d)
	// A case slower than d (logins on a busy machine) runs on until its
	// first answer or error, or a minute.
	for deadline := time.Now().Add(time.Minute); done.Load() == 0 && errs.Load() == 0 && ctx.Err() == nil && time.Now().Before(deadline); {
		sleep(ctx, 20*time.Millisecond)
	}
	measuring.Store(false)
	elapsed := time.Since(t0)
	cpu := CPUTime() - cpu0
	peak := PeakRSS()
	stop.Store(true)
	wg.Wait()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	r := Result{Requests: len(all), Errors: int(errs.Load()), Elapsed: elapsed, CPU: cpu, PeakRSS: peak}
	if s, ok := firstErr.Load().(string); ok {
		r.FirstErr = s
	}
	if len(all) > 0 {
		r.P50 = all[len(all)*50/100]
		r.P99 = all[min(len(all)-1, len(all)*99/100)]
	}
	return r
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
