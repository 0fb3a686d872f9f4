package document

import (
	"bytes"
	"errors"
	"image/jpeg"
	"image/png"
)

var (
	pdfMagic  = []byte("%PDF-")
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
	jpegMagic = []byte{0xFF, 0xD8, 0xFF}
)

// Sniff returns the media type of content — PDF, PNG or JPEG — judged by
// the content alone, never by a file name: the magic bytes at offset 0 and a
// parse of the header (the PDF version line; the PNG IHDR chunk; the JPEG
// frame header). Anything else is EINVALID "Only PDF, PNG and JPEG files are
// accepted.". Sniff does not look at the rest of the file: Check does.
func Sniff(content []byte) (mediaType string, err error) {
	defer func() {
		// The standard decoders do not panic on bad input, but Sniff sees
		// every upload first and must never be the one that crashes.
		if r := recover(); r != nil {
			mediaType, err = "", errNotAccepted(errors.New("panic while sniffing"))
		}
	}()
	switch {
	case bytes.HasPrefix(content, pdfMagic):
		if !pdfHeaderOK(content) {
			return "", errNotAccepted(errors.New("bad PDF version line"))
		}
		return PDF, nil
	case bytes.HasPrefix(content, pngMagic):
		if _, err := png.DecodeConfig(bytes.NewReader(content)); err != nil {
			return "", errNotAccepted(err)
		}
		return PNG, nil
	case bytes.HasPrefix(content, jpegMagic):
		if _, err := jpeg.DecodeConfig(bytes.NewReader(content)); err != nil {
			return "", errNotAccepted(err)
		}
		return JPEG, nil
	}
	return "", errNotAccepted(nil)
}

// pdfHeaderOK reports whether content starts with a PDF version line,
// "%PDF-1.0" to "%PDF-2.9", followed by an end of line (or, leniently,
// white space or a comment).
func pdfHeaderOK(content []byte) bool {
	h := content[len(pdfMagic):]
	if len(h) < 4 {
		return false
	}
	if h[0] < '1' || h[0] > '2' || h[1] != '.' || h[2] < '0' || h[2] > '9' {
		return false
	}
	switch h[3] {
	case '\r', '\n', ' ', '\t', '%':
		return true
	}
	return false
}

func errNotAccepted(cause error) error {
	return invalid("sniff", cause, msgNotAllowed)
}

// sameType checks that content really is mediaType.
func sameType(content []byte, mediaType string) error {
	if mediaType != PDF && mediaType != PNG && mediaType != JPEG {
		return errNotAccepted(nil)
	}
	got, err := Sniff(content)
	if err != nil {
		return err
	}
	if got != mediaType {
		return invalid("sniff", nil, msgWrongType)
	}
	return nil
}
