package document

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// fuzzLimits keep one fuzz input cheap.
var fuzzLimits = Limits{MaxBytes: 1 << 20, MaxPages: 50, MaxPixels: 1 << 20, MaxSide: 4096, Timeout: 5 * time.Second}

func addSeeds(f *testing.F) {
	f.Add(makePDF(pdfSpec{pages: 2}))
	f.Add(makePDF(pdfSpec{version: "2.0", hiddenLayer: true, title: "t"}))
	f.Add(makePNG(f, 16, 16))
	f.Add(makeJPEG(f, 16, 16))
	f.Add(pngHeaderOnly(100000, 100000))
	f.Add(jpegClaiming(f, 60000, 60000))
	f.Add(readFile(f, "broken-xref.pdf"))
	f.Add(readFile(f, "truncated.pdf"))
	f.Add(readFile(f, "page.html"))
	f.Add([]byte("%PDF-1.4\n"))
}

// checkError fails unless err is nil or a *cordon.Error with a code the
// package promises. A panic inside a library is recovered as EINVALID (the
// promise holds); it is logged so that fuzzing shows where libraries crash.
func checkError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	switch cordon.ErrorCode(err) {
	case cordon.EINVALID, cordon.ETOOLARGE, cordon.EUNAVAILABLE:
	default:
		t.Fatalf("error %v has code %q; want EINVALID, ETOOLARGE or EUNAVAILABLE", err, cordon.ErrorCode(err))
	}
	if strings.Contains(err.Error(), "recovered from panic") {
		t.Logf("library panic, recovered: %v", err)
	}
}

// FuzzCheck: no input makes Sniff or Check panic or answer outside their
// contract, and what Check accepts is self-consistent.
func FuzzCheck(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		mediaType, err := Sniff(data)
		if err != nil {
			checkError(t, err)
			mediaType = PDF // Check must refuse it on its own
		}
		info, err := Check(context.Background(), data, mediaType, fuzzLimits)
		checkError(t, err)
		if err != nil {
			return
		}
		switch {
		case info.MediaType != mediaType:
			t.Fatalf("Info.MediaType = %q, want %q", info.MediaType, mediaType)
		case mediaType == PDF && (info.Pages < 1 || info.Pages > fuzzLimits.MaxPages):
			t.Fatalf("accepted a PDF of %d pages", info.Pages)
		case mediaType != PDF && (info.Width < 1 || info.Height < 1 || int64(info.Width)*int64(info.Height) > fuzzLimits.MaxPixels):
			t.Fatalf("accepted a %d×%d image", info.Width, info.Height)
		}
	})
}

// FuzzStamp: no input makes Stamp panic or answer outside its contract;
// what it stamps is still a file of the same type with the mark in it.
func FuzzStamp(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		mediaType, err := Sniff(data)
		if err != nil {
			return
		}
		out, err := Stamp(context.Background(), data, mediaType, testMark, fuzzLimits)
		checkError(t, err)
		if err != nil {
			return
		}
		if got, err := Sniff(out); err != nil || got != mediaType {
			t.Fatalf("stamped output sniffs as %q, %v; want %q", got, err, mediaType)
		}
		if id, err := ReadMark(out); err != nil || id != testMark.DownloadID {
			t.Fatalf("ReadMark(stamped) = %q, %v; want %q", id, err, testMark.DownloadID)
		}
	})
}
