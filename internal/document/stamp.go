package document

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// Mark says whose copy a downloaded file is. Every field is printed on the
// copy; DownloadID is also stored in the file's metadata, where ReadMark
// finds it again.
type Mark struct {
	Partner    string    // the partner's code, e.g. "hefei"; "" for the institute
	User       string    // the username of the person downloading
	ContractNo string    // the contract that allowed the download; "" for the institute
	DownloadID string    // the access log's id of this download; required
	At         time.Time // when; required
}

// maxIDLen bounds DownloadID, which is stored and printed as is.
const maxIDLen = 128

// maxFieldLen bounds each other field as printed.
const maxFieldLen = 48

// validate reports a Mark the caller should never have built. These are
// programming errors, not user errors, so they are plain errors (EINTERNAL).
func (m Mark) validate() error {
	if m.DownloadID == "" {
		return errors.New("document: mark has no download id")
	}
	if len(m.DownloadID) > maxIDLen {
		return fmt.Errorf("document: download id longer than %d bytes", maxIDLen)
	}
	for _, r := range m.DownloadID {
		if r <= ' ' || r > '~' || r == '%' || r == '\\' || r == '|' {
			return fmt.Errorf("document: download id %q: only printable ASCII without space, %%, \\ and |", m.DownloadID)
		}
	}
	if m.At.IsZero() {
		return errors.New("document: mark has no time")
	}
	return nil
}

// Line is the text stamped on the copy, in ASCII so that the built-in PDF
// font and the bitmap image font can draw it:
//
//	CORDON | hefei | hefei.tech | HF-2026-001 | DL 7f3a9c21 | 2026-11-27 09:00 UTC
//
// Characters outside printable ASCII, and the few that pdfcpu would read as
// formatting, print as "?"; empty fields as "-"; long ones are cut.
func (m Mark) Line() string {
	who, when := m.lines()
	return who + " | " + when
}

// lines splits Line in two: who (partner, user, contract) and which
// download (id, time).
func (m Mark) lines() (who, when string) {
	who = strings.Join([]string{"CORDON", printable(m.Partner), printable(m.User), printable(m.ContractNo)}, " | ")
	when = "DL " + printable(m.DownloadID) + " | " + m.At.UTC().Format("2006-01-02 15:04 UTC")
	return who, when
}

func printable(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "-"
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == maxFieldLen {
			b.WriteString("...")
			break
		}
		switch {
		case r == '%' || r == '\\' || r == '|':
			b.WriteByte('?')
		case r >= ' ' && r <= '~':
			b.WriteRune(r)
		default:
			b.WriteByte('?')
		}
		n++
	}
	return b.String()
}

// Stamp returns a copy of content, a checked file of mediaType, marked as
// m's: a visible mark drawn over the content — on every page of a PDF, tiled
// across an image — and m.DownloadID in the file's metadata (the PDF
// document information dictionary; a PNG tEXt chunk; a JPEG comment).
// An image comes back in the format it came in; its own metadata does not.
//
// The limits of Check apply again: a file is never decoded, or even parsed
// beyond its header, past them. The work runs in its own goroutine under
// ctx and limits.Timeout, and at most a few stampings run at once in the
// process; when time runs out, Stamp returns EUNAVAILABLE "Watermarking took
// too long." at once and the abandoned goroutine runs on to its end (the PDF
// and image libraries cannot be interrupted), keeping its slot until then.
//
// Errors: EINVALID for a malformed file (also when a library panics on it),
// ETOOLARGE past the limits, EUNAVAILABLE on timeout, and a plain error
// (EINTERNAL: the caller's bug) for a Mark without At or without a
// DownloadID of 1 to 128 printable ASCII characters (no space, %, \ or |).
func Stamp(ctx context.Context, content []byte, mediaType string, m Mark, limits Limits) ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	limits = limits.orDefault()
	if err := preflight(content, mediaType, limits); err != nil {
		return nil, err
	}
	if mediaType == PDF {
		return run(ctx, limits.Timeout, "stamp pdf", msgStampSlow, msgBadPDF, func() ([]byte, error) {
			return stampPDF(content, m, limits)
		})
	}
	return run(ctx, limits.Timeout, "stamp image", msgStampSlow, msgBadImage, func() ([]byte, error) {
		return stampImage(content, mediaType, m, limits)
	})
}

// ReadMark returns the download id that Stamp stored in content, a PDF,
// PNG or JPEG: legal uses it to match a leaked copy to its download. The
// file is read leniently (a leaked copy may be damaged) but with the default
// limits and time limit. ENOTFOUND when the file carries no mark; EINVALID
// when it is not a readable PDF, PNG or JPEG. The visible stamp is the
// fallback when the metadata has been stripped.
func ReadMark(content []byte) (downloadID string, err error) {
	mediaType, err := Sniff(content)
	if err != nil {
		return "", err
	}
	limits := DefaultLimits()
	bad := msgBadPDF
	if mediaType != PDF {
		bad = msgBadImage
	}
	return run(context.Background(), limits.Timeout, "read mark", "Reading the file took too long.", bad, func() (string, error) {
		switch mediaType {
		case PNG:
			return readPNGMark(content)
		case JPEG:
			return readJPEGMark(content)
		}
		return readPDFMark(content)
	})
}

func errNoMark() error {
	return cordon.Err(cordon.ENOTFOUND, "document.no_download_mark_found_file")
}
