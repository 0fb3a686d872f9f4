// Package document handles the content of technical documents: it decides
// what a file is (Sniff), whether it is safe and small enough to keep
// (Check), and marks every copy handed to a user with who downloaded it,
// under which contract and when (Stamp, ReadMark).
//
// It stores nothing and knows nothing of users or scopes: the caller has
// already decided that the download is allowed and has recorded it. Every
// error is a *cordon.Error whose message is safe to show to a partner; the
// library's own words stay in the wrapped error text for the logs.
//
// Only PDF, PNG and JPEG are accepted. PDFs go through pdfcpu, which is
// configured once, in memory only: it never reads or writes a configuration
// directory.
package document

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// The media types this package accepts.
const (
	PDF  = "application/pdf"
	PNG  = "image/png"
	JPEG = "image/jpeg"
)

// Limits bound the work a single file may cause. A zero or negative field
// means "use the DefaultLimits value".
type Limits struct {
	MaxBytes  int64         // size of the file as uploaded
	MaxPages  int           // pages of a PDF
	MaxPixels int64         // width × height of an image
	MaxSide   int           // width or height of an image, in pixels
	Timeout   time.Duration // wall time of one Check or Stamp
}

// DefaultLimits returns the limits used when none are configured: 25 MiB,
// 500 pages, 40 megapixels, 12000 pixels a side, 10 seconds.
func DefaultLimits() Limits {
	return Limits{
		MaxBytes:  cordon.MaxDocumentBytes,
		MaxPages:  500,
		MaxPixels: 40_000_000,
		MaxSide:   12_000,
		Timeout:   10 * time.Second,
	}
}

// orDefault returns l with every unset field taken from DefaultLimits.
func (l Limits) orDefault() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxPages <= 0 {
		l.MaxPages = d.MaxPages
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	if l.MaxSide <= 0 {
		l.MaxSide = d.MaxSide
	}
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	return l
}

// Info is what Check learned about a file.
type Info struct {
	MediaType string // PDF, PNG or JPEG
	Size      int64  // bytes
	Pages     int    // PDF only
	Width     int    // images only, pixels
	Height    int    // images only, pixels
}

// slots bounds how many Checks and Stamps run at once in the process. Work
// that outlives its caller's deadline keeps its slot until it really ends,
// so timed-out work cannot pile up behind the callers' backs.
var slots = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

// hook, when set by a test, is called inside the worker goroutine before the
// real work, with the operation's name. It lets tests block or panic there.
var hook func(op string)

// run does fn in its own goroutine, under the process-wide slot limit, the
// caller's ctx and limits.Timeout. When the time is up it returns
// EUNAVAILABLE with slow as the message and leaves fn running: pdfcpu and the
// image codecs cannot be interrupted, so the goroutine finishes (and frees
// its slot) on its own. A panic inside fn becomes EINVALID with bad as the
// message: a file that crashes a parser is a bad file.
func run[T any](ctx context.Context, timeout time.Duration, op, slow, bad string, fn func() (T, error)) (T, error) {
	var zero T
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if ctx.Err() != nil {
		return zero, fmt.Errorf("%s: %w: %w", op, ctx.Err(), cordon.Err(cordon.EUNAVAILABLE, slow))
	}
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return zero, fmt.Errorf("%s: waiting for a free slot: %w: %w", op, ctx.Err(), cordon.Err(cordon.EUNAVAILABLE, slow))
	}
	if ctx.Err() != nil {
		<-slots
		return zero, fmt.Errorf("%s: %w: %w", op, ctx.Err(), cordon.Err(cordon.EUNAVAILABLE, slow))
	}

	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1) // buffered: an abandoned worker must not block
	h := hook
	go func() {
		defer func() { <-slots }()
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: fmt.Errorf("%s: recovered from panic: %v: %w", op, r, cordon.Err(cordon.EINVALID, bad))}
			}
		}()
		if h != nil {
			h(op)
		}
		v, err := fn()
		done <- result{v, err}
	}()

	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		select {
		case r := <-done: // finished just in time: prefer the answer
			return r.v, r.err
		default:
		}
		return zero, fmt.Errorf("%s: %w: %w", op, ctx.Err(), cordon.Err(cordon.EUNAVAILABLE, slow))
	}
}

// invalid returns an EINVALID error for the user that keeps cause, the
// library's own words, for the logs.
func invalid(op string, cause error, msg string) error {
	if cause == nil {
		return fmt.Errorf("%s: %w", op, cordon.Err(cordon.EINVALID, msg))
	}
	return fmt.Errorf("%s: %v: %w", op, cause, cordon.Err(cordon.EINVALID, msg))
}

// tooLarge returns an ETOOLARGE error with a message for the user.
func tooLarge(op, key string, args ...any) error {
	return fmt.Errorf("%s: %w", op, cordon.Err(cordon.ETOOLARGE, key, args...))
}

// sizeString writes n bytes the way a person reads them: "25 MiB", "512 KiB".
func sizeString(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// pixelsString writes a pixel count as megapixels: "40 megapixels".
func pixelsString(n int64) string {
	if n%1_000_000 == 0 {
		return fmt.Sprintf("%d megapixels", n/1_000_000)
	}
	return fmt.Sprintf("%.1f megapixels", float64(n)/1_000_000)
}
