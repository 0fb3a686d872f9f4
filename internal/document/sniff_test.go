package document

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/cordon/cordon/internal/cordon"
)

func TestSniff(t *testing.T) {
	pdf := makePDF(pdfSpec{pages: 2})
	png := makePNG(t, 40, 30)
	jpg := makeJPEG(t, 40, 30)
	garbage := make([]byte, 4096)
	rand.NewChaCha8([32]byte{1, 2, 3}).Read(garbage)
	gif := []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

	tests := []struct {
		name    string
		content []byte
		want    string // media type; "" means EINVALID
	}{
		{"pdf", pdf, PDF},
		{"pdf 1.7", bytes.Replace(pdf, []byte("%PDF-1.4"), []byte("%PDF-1.7"), 1), PDF},
		{"pdf 2.0", makePDF(pdfSpec{version: "2.0"}), PDF},
		{"pdf with CRLF header", bytes.Replace(pdf, []byte("%PDF-1.4\n"), []byte("%PDF-1.4\r\n"), 1), PDF},
		{"png", png, PNG},
		{"jpeg", jpg, JPEG},
		// Sniff never sees a name: a PNG uploaded as "drawing.pdf" is a PNG,
		// and the caller compares the two (Check and Stamp do).
		{"png renamed to .pdf", png, PNG},
		{"empty", nil, ""},
		{"garbage", garbage, ""},
		{"text file", readFile(t, "notes.txt"), ""},
		{"html with %PDF in the middle", readFile(t, "page.html"), ""},
		{"%PDF after leading blank line", append([]byte("\n"), pdf...), ""},
		{"%PDF after a UTF-8 BOM", append([]byte("\xef\xbb\xbf"), pdf...), ""},
		{"%PDF- without version", []byte("%PDF-\n1 0 obj"), ""},
		{"%PDF- bad version", []byte("%PDF-9.9\n"), ""},
		{"%PDF- version without end of line", []byte("%PDF-1.4abc"), ""},
		{"png magic only", pngMagic, ""},
		{"png truncated in IHDR", png[:20], ""},
		{"png with corrupt IHDR CRC", corruptAt(png, 29), ""},
		{"jpeg magic only", jpegMagic, ""},
		{"jpeg truncated before frame header", jpg[:20], ""},
		{"gif", gif, ""},
		{"zip", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Sniff(tt.content)
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Fatalf("Sniff() = %q, %v; want %q, nil", got, err, tt.want)
				}
				return
			}
			if got != "" || cordon.ErrorCode(err) != cordon.EINVALID {
				t.Fatalf("Sniff() = %q, %v; want \"\", EINVALID", got, err)
			}
			if got, want := cordon.ErrorMessage(err), "Only PDF, PNG and JPEG files are accepted."; got != want {
				t.Errorf("message = %q, want %q", got, want)
			}
		})
	}
}

// corruptAt returns a copy of b with the byte at i flipped.
func corruptAt(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0xFF
	return c
}
