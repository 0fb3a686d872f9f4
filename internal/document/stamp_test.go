package document

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/google/go-cmp/cmp"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

func TestMarkLine(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		mark Mark
		want string
	}{
		{"partner download", testMark,
			"CORDON | hefei | hefei.tech | HF-2026-001 | DL 7f3a9c21-5b1e-4c2d-9e0f-1a2b3c4d5e6f | 2026-11-27 09:00 UTC"},
		{"institute download: no partner, no contract", Mark{User: "li.engineer", DownloadID: "d1", At: at},
			"CORDON | - | li.engineer | - | DL d1 | 2026-11-27 09:00 UTC"},
		{"time in another zone is printed in UTC", Mark{Partner: "p", User: "u", ContractNo: "c", DownloadID: "d1",
			At: time.Date(2026, 11, 27, 17, 0, 0, 0, time.FixedZone("CST", 8*3600))},
			"CORDON | p | u | c | DL d1 | 2026-11-27 09:00 UTC"},
		{"non-ASCII prints as ?", Mark{Partner: "hefei", User: "张三", ContractNo: "HF-1", DownloadID: "d1", At: at},
			"CORDON | hefei | ?? | HF-1 | DL d1 | 2026-11-27 09:00 UTC"},
		{"pdfcpu format characters and separators print as ?", Mark{Partner: "a%pb", User: `x\ny`, ContractNo: "c|d", DownloadID: "d1", At: at},
			"CORDON | a?pb | x?ny | c?d | DL d1 | 2026-11-27 09:00 UTC"},
		{"control characters print as ?", Mark{Partner: "a\nb", User: "u\x00", ContractNo: "c", DownloadID: "d1", At: at},
			"CORDON | a?b | u? | c | DL d1 | 2026-11-27 09:00 UTC"},
		{"long fields are cut", Mark{Partner: strings.Repeat("x", 60), User: "u", ContractNo: "c", DownloadID: "d1", At: at},
			"CORDON | " + strings.Repeat("x", 48) + "... | u | c | DL d1 | 2026-11-27 09:00 UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.mark.Line(); got != tt.want {
				t.Errorf("Line() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStampRejectsBadMark(t *testing.T) {
	pdf := makePDF(pdfSpec{})
	tests := []struct {
		name string
		mark func(m *Mark)
	}{
		{"no download id", func(m *Mark) { m.DownloadID = "" }},
		{"download id with a space", func(m *Mark) { m.DownloadID = "a b" }},
		{"download id with %", func(m *Mark) { m.DownloadID = "a%p" }},
		{"download id too long", func(m *Mark) { m.DownloadID = strings.Repeat("a", 129) }},
		{"no time", func(m *Mark) { m.At = time.Time{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMark
			tt.mark(&m)
			out, err := Stamp(context.Background(), pdf, PDF, m, Limits{})
			// A bad Mark is the caller's bug: a plain error, which the
			// server turns into "Internal error.".
			if out != nil || err == nil || cordon.AsError(err) != nil {
				t.Fatalf("Stamp() = %d bytes, %v; want nil and a plain (EINTERNAL) error", len(out), err)
			}
		})
	}
}

// TestStampPDF reads every produced PDF back, page by page, and finds the
// two stamps drawn on top of each page's content, with the mark's line,
// outside any layer a viewer could hide; and the download id in the
// metadata.
func TestStampPDF(t *testing.T) {
	tests := []struct {
		name  string
		spec  pdfSpec
		title string // Title expected to survive in the Info dictionary
	}{
		{name: "10 pages", spec: pdfSpec{pages: 10, lines: 40}},
		{name: "1 page", spec: pdfSpec{pages: 1}},
		{name: "PDF 1.7", spec: pdfSpec{pages: 3, version: "1.7"}},
		{name: "PDF 2.0 without an Info dictionary", spec: pdfSpec{pages: 3, version: "2.0"}},
		{name: "existing Info dictionary is kept", spec: pdfSpec{pages: 2, title: "Pump manual"}, title: "Pump manual"},
		{name: "file with a layer that starts hidden", spec: pdfSpec{pages: 4, hiddenLayer: true}},
		{name: "rotated pages", spec: pdfSpec{pages: 4, rotate: 90}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := makePDF(tt.spec)
			out, err := Stamp(context.Background(), in, PDF, testMark, Limits{})
			if err != nil {
				t.Fatalf("Stamp() error = %v", err)
			}

			info, err := Check(context.Background(), out, PDF, Limits{})
			if err != nil {
				t.Fatalf("the stamped PDF does not pass Check: %v", err)
			}
			if got, want := info.Pages, tt.spec.pages; got != want {
				t.Fatalf("stamped PDF has %d pages, want %d", got, want)
			}

			pages := stampsOnPages(t, out)
			if got, want := len(pages), tt.spec.pages; got != want {
				t.Fatalf("read %d pages back, want %d", got, want)
			}
			who, when := testMark.lines()
			wantTexts := []string{who + "\n" + when, testMark.Line()} // diagonal, footer
			for i, ps := range pages {
				if diff := cmp.Diff(wantTexts, ps.texts); diff != "" {
					t.Errorf("page %d: stamps (-want +got):\n%s", i+1, diff)
				}
				if !ps.onTop {
					t.Errorf("page %d: a stamp is drawn under the page content, want on top", i+1)
				}
				if ps.optionalOC {
					t.Errorf("page %d: a stamp form is optional content (a layer a viewer can hide)", i+1)
				}
			}

			// The page's own content is still there.
			if !bytes.Contains(pageContent(t, out, tt.spec.pages), fmt.Appendf(nil, "(Page %d, line 1:", tt.spec.pages)) {
				t.Errorf("the last page lost its own text")
			}

			id, err := ReadMark(out)
			if err != nil || id != testMark.DownloadID {
				t.Errorf("ReadMark() = %q, %v; want %q, nil", id, err, testMark.DownloadID)
			}
			if tt.title != "" {
				props := properties(t, out)
				if props["Title"] != tt.title {
					t.Errorf("Info Title = %q, want %q (kept)", props["Title"], tt.title)
				}
			}
		})
	}
}

// TestStampPDFDistinctDownloads: two downloads of one file carry their own
// ids, on the pages and in the metadata.
func TestStampPDFDistinctDownloads(t *testing.T) {
	in := makePDF(pdfSpec{pages: 2})
	for _, id := range []string{"dl-0001", "dl-0002"} {
		m := testMark
		m.DownloadID = id
		out, err := Stamp(context.Background(), in, PDF, m, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := ReadMark(out); err != nil || got != id {
			t.Errorf("ReadMark() = %q, %v; want %q", got, err, id)
		}
		for i, ps := range stampsOnPages(t, out) {
			for _, text := range ps.texts {
				if !strings.Contains(text, "DL "+id+" ") {
					t.Errorf("page %d stamp %q does not carry %q", i+1, text, id)
				}
			}
		}
	}
}

func TestStampImage(t *testing.T) {
	tests := []struct {
		name      string
		content   []byte
		mediaType string
		decode    func([]byte) (image.Image, error)
	}{
		{"png small", makePNG(t, 320, 200), PNG, decodePNG},
		{"png large", makePNG(t, 2400, 600), PNG, decodePNG},
		{"png narrower than the line", makePNG(t, 90, 300), PNG, decodePNG},
		{"jpeg small", makeJPEG(t, 320, 200), JPEG, decodeJPEG},
		{"jpeg large", makeJPEG(t, 2400, 600), JPEG, decodeJPEG},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Stamp(context.Background(), tt.content, tt.mediaType, testMark, Limits{})
			if err != nil {
				t.Fatalf("Stamp() error = %v", err)
			}
			if got, err := Sniff(out); err != nil || got != tt.mediaType {
				t.Fatalf("stamped file sniffs as %q, %v; want %q", got, err, tt.mediaType)
			}
			if _, err := Check(context.Background(), out, tt.mediaType, Limits{}); err != nil {
				t.Fatalf("stamped file does not pass Check: %v", err)
			}
			before, err := tt.decode(tt.content)
			if err != nil {
				t.Fatal(err)
			}
			after, err := tt.decode(out)
			if err != nil {
				t.Fatalf("stamped file does not decode: %v", err)
			}
			if got, want := after.Bounds(), before.Bounds(); got != want {
				t.Fatalf("stamped bounds = %v, want %v", got, want)
			}
			// Visible: a good share of the pixels change clearly. Not hiding:
			// most of them do not.
			changed := changedFraction(before, after, 40)
			if changed < 0.03 || changed > 0.5 {
				t.Errorf("%.1f%% of pixels changed clearly; want between 3%% and 50%%", 100*changed)
			}
			t.Logf("%.1f%% of pixels changed clearly", 100*changed)
			// Every band of the image carries the mark, not just one corner.
			for _, band := range quarters(before.Bounds()) {
				if f := changedFractionIn(before, after, 40, band); f < 0.01 {
					t.Errorf("band %v: only %.2f%% of pixels changed; the mark does not cover the image", band, 100*f)
				}
			}
			if id, err := ReadMark(out); err != nil || id != testMark.DownloadID {
				t.Errorf("ReadMark() = %q, %v; want %q, nil", id, err, testMark.DownloadID)
			}
		})
	}
}

func TestStampLimits(t *testing.T) {
	small := DefaultLimits()
	small.MaxPages = 5
	tests := []struct {
		name      string
		content   []byte
		mediaType string
		limits    Limits
		wantCode  string
	}{
		{"pdf over MaxPages", makePDF(pdfSpec{pages: 6}), PDF, small, cordon.ETOOLARGE},
		{"pdf over MaxBytes", makePDF(pdfSpec{pages: 6}), PDF, Limits{MaxBytes: 100}, cordon.ETOOLARGE},
		{"png bomb", pngHeaderOnly(100000, 100000), PNG, Limits{}, cordon.ETOOLARGE},
		{"png over MaxPixels", makePNG(t, 200, 200), PNG, Limits{MaxPixels: 30000}, cordon.ETOOLARGE},
		{"jpeg over MaxSide", makeJPEG(t, 300, 20), JPEG, Limits{MaxSide: 256}, cordon.ETOOLARGE},
		{"broken xref", readFile(t, "broken-xref.pdf"), PDF, Limits{}, cordon.EINVALID},
		{"truncated pdf", readFile(t, "truncated.pdf"), PDF, Limits{}, cordon.EINVALID},
		{"text file as pdf", readFile(t, "notes.txt"), PDF, Limits{}, cordon.EINVALID},
		{"truncated png", makePNG(t, 64, 64)[:100], PNG, Limits{}, cordon.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Stamp(context.Background(), tt.content, tt.mediaType, testMark, tt.limits)
			if out != nil || code(err) != tt.wantCode {
				t.Fatalf("Stamp() = %d bytes, %v; want nil, %s", len(out), err, tt.wantCode)
			}
		})
	}
}

// TestStampTimeout: Stamp answers EUNAVAILABLE when its time is up, at
// once, and the abandoned work keeps its slot until it really ends.
func TestStampTimeout(t *testing.T) {
	pdf := makePDF(pdfSpec{pages: 2})
	png := makePNG(t, 64, 64)

	t.Run("tiny timeout", func(t *testing.T) {
		for _, c := range []struct {
			content   []byte
			mediaType string
		}{{pdf, PDF}, {png, PNG}} {
			out, err := Stamp(context.Background(), c.content, c.mediaType, testMark, Limits{Timeout: time.Nanosecond})
			if out != nil || code(err) != cordon.EUNAVAILABLE {
				t.Fatalf("Stamp(%s) = %d bytes, %v; want nil, EUNAVAILABLE", c.mediaType, len(out), err)
			}
			if got, want := cordon.ErrorMessage(err), "Watermarking took too long."; got != want {
				t.Errorf("message = %q, want %q", got, want)
			}
		}
	})

	t.Run("caller cancels", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Stamp(ctx, pdf, PDF, testMark, Limits{}); code(err) != cordon.EUNAVAILABLE {
			t.Fatalf("Stamp() error = %v, want EUNAVAILABLE", err)
		}
	})

	t.Run("work outlives the deadline", func(t *testing.T) {
		drain(t)
		release := make(chan struct{})
		started := make(chan struct{}, 1)
		setHook(t, func(string) { started <- struct{}{}; <-release })

		_, err := Stamp(context.Background(), pdf, PDF, testMark, Limits{Timeout: 20 * time.Millisecond})
		if code(err) != cordon.EUNAVAILABLE {
			t.Fatalf("Stamp() error = %v, want EUNAVAILABLE", err)
		}
		<-started
		if got := len(slots); got != 1 {
			t.Errorf("%d slots taken while the abandoned work runs, want 1", got)
		}
		close(release)
		drain(t)
		if got := len(slots); got != 0 {
			t.Errorf("%d slots taken after the work ended, want 0", got)
		}
	})
}

// TestStampBoundedConcurrency: when every slot is held by work that does
// not end, further stampings wait, time out, and never start: timed-out
// work cannot pile up.
func TestStampBoundedConcurrency(t *testing.T) {
	drain(t)
	pdf := makePDF(pdfSpec{})
	release := make(chan struct{})
	var mu sync.Mutex
	started := 0
	setHook(t, func(string) {
		mu.Lock()
		started++
		mu.Unlock()
		<-release
	})
	n := cap(slots)
	for range n {
		if _, err := Stamp(context.Background(), pdf, PDF, testMark, Limits{Timeout: 5 * time.Millisecond}); code(err) != cordon.EUNAVAILABLE {
			t.Fatalf("Stamp() error = %v, want EUNAVAILABLE", err)
		}
	}
	for range 3 * n {
		if _, err := Stamp(context.Background(), pdf, PDF, testMark, Limits{Timeout: 5 * time.Millisecond}); code(err) != cordon.EUNAVAILABLE {
			t.Fatalf("Stamp() error = %v, want EUNAVAILABLE", err)
		}
	}
	close(release)
	drain(t)
	mu.Lock()
	defer mu.Unlock()
	if started > n {
		t.Errorf("%d stampings started with %d slots, want at most %d", started, n, n)
	}
	setHook(t, nil)
	if _, err := Stamp(context.Background(), pdf, PDF, testMark, Limits{}); err != nil {
		t.Errorf("Stamp() after the slots freed: %v", err)
	}
}

// TestPanicBecomesInvalid: a panic inside the work (a library crashing on a
// hostile file) is an EINVALID answer, never a crash.
func TestPanicBecomesInvalid(t *testing.T) {
	pdf := makePDF(pdfSpec{})
	png := makePNG(t, 32, 32)
	jpg := makeJPEG(t, 32, 32)
	setHook(t, func(op string) { panic("boom in " + op) })
	tests := []struct {
		name    string
		call    func() error
		wantMsg string
	}{
		{"stamp pdf", func() error { _, err := Stamp(context.Background(), pdf, PDF, testMark, Limits{}); return err },
			"The PDF file is damaged or malformed."},
		{"stamp png", func() error { _, err := Stamp(context.Background(), png, PNG, testMark, Limits{}); return err },
			"The image file is damaged or malformed."},
		{"stamp jpeg", func() error { _, err := Stamp(context.Background(), jpg, JPEG, testMark, Limits{}); return err },
			"The image file is damaged or malformed."},
		{"check pdf", func() error { _, err := Check(context.Background(), pdf, PDF, Limits{}); return err },
			"The PDF file is damaged or malformed."},
		{"check png", func() error { _, err := Check(context.Background(), png, PNG, Limits{}); return err },
			"The image file is damaged or malformed."},
		{"read mark", func() error { _, err := ReadMark(pdf); return err },
			"The PDF file is damaged or malformed."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if code(err) != cordon.EINVALID {
				t.Fatalf("error = %v, want EINVALID", err)
			}
			if got := cordon.ErrorMessage(err); got != tt.wantMsg {
				t.Errorf("message = %q, want %q", got, tt.wantMsg)
			}
			if !strings.Contains(err.Error(), "boom") {
				t.Errorf("error %q does not keep the panic for the logs", err)
			}
		})
	}
}

func TestReadMark(t *testing.T) {
	tests := []struct {
		name     string
		content  []byte
		wantCode string
	}{
		{"unstamped pdf", makePDF(pdfSpec{}), cordon.ENOTFOUND},
		{"unstamped pdf with Info", makePDF(pdfSpec{title: "x"}), cordon.ENOTFOUND},
		{"unstamped png", makePNG(t, 8, 8), cordon.ENOTFOUND},
		{"unstamped jpeg", makeJPEG(t, 8, 8), cordon.ENOTFOUND},
		{"text", readFile(t, "notes.txt"), cordon.EINVALID},
		{"unreadable pdf", []byte("%PDF-1.4\n"), cordon.EINVALID},
		// Read leniently: pdfcpu reads this one (it panics only when
		// validating it), and there is no mark in it.
		{"pdf with broken xref", readFile(t, "broken-xref.pdf"), cordon.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := ReadMark(tt.content)
			if id != "" || code(err) != tt.wantCode {
				t.Fatalf("ReadMark() = %q, %v; want \"\", %s", id, err, tt.wantCode)
			}
		})
	}
}

// TestPDFCPUTouchesNoFiles runs the package's first use of pdfcpu in a
// fresh process whose HOME and config dir are empty directories, and finds
// them still empty after a Check, a Stamp and a ReadMark.
func TestPDFCPUTouchesNoFiles(t *testing.T) {
	if os.Getenv("DOCUMENT_TEST_FRESH_PROCESS") == "1" {
		out, err := Stamp(context.Background(), makePDF(pdfSpec{pages: 2}), PDF, testMark, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Check(context.Background(), out, PDF, Limits{}); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadMark(out); err != nil {
			t.Fatal(err)
		}
		if model.ConfigPath != "disable" {
			t.Fatalf("pdfcpu ConfigPath = %q, want \"disable\"", model.ConfigPath)
		}
		return
	}
	home := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestPDFCPUTouchesNoFiles$", "-test.count=1")
	cmd.Env = append(os.Environ(),
		"DOCUMENT_TEST_FRESH_PROCESS=1",
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
	)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fresh process: %v\n%s", err, out)
	}
	entries, err := os.ReadDir(home)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("HOME holds %v after the first use of pdfcpu, want nothing", entries)
	}
}

// TestStampConcurrently runs stampings of every kind at once (meant for
// -race): pdfcpu and the codecs share no state between calls.
func TestStampConcurrently(t *testing.T) {
	inputs := []struct {
		content   []byte
		mediaType string
	}{
		{makePDF(pdfSpec{pages: 3}), PDF},
		{makePNG(t, 200, 120), PNG},
		{makeJPEG(t, 200, 120), JPEG},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for i := range 24 {
		in := inputs[i%len(inputs)]
		m := testMark
		m.DownloadID = fmt.Sprintf("dl-%02d", i)
		wg.Go(func() {
			out, err := Stamp(context.Background(), in.content, in.mediaType, m, Limits{Timeout: time.Minute})
			if err != nil {
				errs <- err
				return
			}
			if id, err := ReadMark(out); err != nil || id != m.DownloadID {
				errs <- fmt.Errorf("ReadMark() = %q, %v; want %q", id, err, m.DownloadID)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// setHook installs h for the test and removes it after, once no work that
// could still call it is running.
func setHook(t *testing.T, h func(op string)) {
	t.Helper()
	hook = h
	t.Cleanup(func() { drain(t); hook = nil })
}

func decodePNG(b []byte) (image.Image, error)  { return png.Decode(bytes.NewReader(b)) }
func decodeJPEG(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }

// changedFraction returns the share of pixels whose colour moved by more
// than threshold (of 255) in some channel.
func changedFraction(a, b image.Image, threshold int) float64 {
	return changedFractionIn(a, b, threshold, a.Bounds())
}

func changedFractionIn(a, b image.Image, threshold int, r image.Rectangle) float64 {
	ra, rb := toRGBA(a), toRGBA(b)
	n, changed := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		pa := ra.Pix[ra.PixOffset(r.Min.X, y):ra.PixOffset(r.Max.X, y)]
		pb := rb.Pix[rb.PixOffset(r.Min.X, y):rb.PixOffset(r.Max.X, y)]
		for i := 0; i < len(pa); i += 4 {
			if absDiff(pa[i], pb[i]) > threshold || absDiff(pa[i+1], pb[i+1]) > threshold || absDiff(pa[i+2], pb[i+2]) > threshold {
				changed++
			}
			n++
		}
	}
	return float64(changed) / float64(n)
}

func toRGBA(img image.Image) *image.RGBA {
	if r, ok := img.(*image.RGBA); ok {
		return r
	}
	r := image.NewRGBA(img.Bounds())
	draw.Draw(r, r.Bounds(), img, img.Bounds().Min, draw.Src)
	return r
}

func absDiff(a, b uint8) int {
	d := int(a) - int(b)
	if d < 0 {
		return -d
	}
	return d
}

// quarters splits r into four horizontal bands.
func quarters(r image.Rectangle) []image.Rectangle {
	h := r.Dy() / 4
	out := make([]image.Rectangle, 4)
	for i := range out {
		out[i] = image.Rect(r.Min.X, r.Min.Y+i*h, r.Max.X, r.Min.Y+(i+1)*h)
	}
	return out
}

// pageContent returns the decoded content of page p.
func pageContent(t *testing.T, pdf []byte, p int) []byte {
	t.Helper()
	ctx, err := api.ReadContext(bytes.NewReader(pdf), pdfConfig(DefaultLimits(), model.VALIDATE))
	if err != nil {
		t.Fatal(err)
	}
	if err := ctx.EnsurePageCount(); err != nil {
		t.Fatal(err)
	}
	d, _, _, err := ctx.PageDict(p, false)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ctx.PageContent(d, p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// properties returns the document information dictionary of pdf.
func properties(t *testing.T, pdf []byte) map[string]string {
	t.Helper()
	ctx, err := api.ReadContext(bytes.NewReader(pdf), pdfConfig(DefaultLimits(), model.VALIDATE))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	if ctx.Info == nil {
		return out
	}
	d, err := ctx.DereferenceDict(*ctx.Info)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range d {
		if s, err := ctx.DereferenceStringOrHexLiteral(v, model.V10, nil); err == nil {
			out[k] = s
		}
	}
	return out
}
