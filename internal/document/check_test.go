package document

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/google/go-cmp/cmp"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

func TestCheck(t *testing.T) {
	pdf3 := makePDF(pdfSpec{pages: 3})
	png := makePNG(t, 64, 48)
	jpg := makeJPEG(t, 64, 48)
	encrypted := func(user string) []byte {
		var b bytes.Buffer
		// Not model.NewAESConfiguration: used before this package's first
		// call it would let pdfcpu create its config dir.
		conf := pdfConfig(DefaultLimits(), model.ENCRYPT)
		conf.UserPW, conf.OwnerPW, conf.EncryptUsingAES, conf.EncryptKeyLength = user, "owner", true, 256
		if err := api.Encrypt(bytes.NewReader(pdf3), &b, conf); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	small := DefaultLimits()
	small.MaxPages = 10

	tests := []struct {
		name      string
		content   []byte
		mediaType string
		limits    Limits
		want      Info
		wantCode  string
		wantMsg   string
	}{
		{name: "pdf", content: pdf3, mediaType: PDF,
			want: Info{MediaType: PDF, Size: int64(len(pdf3)), Pages: 3}},
		{name: "pdf 2.0", content: makePDF(pdfSpec{version: "2.0", pages: 2}), mediaType: PDF,
			want: Info{MediaType: PDF, Size: int64(len(makePDF(pdfSpec{version: "2.0", pages: 2}))), Pages: 2}},
		{name: "png", content: png, mediaType: PNG,
			want: Info{MediaType: PNG, Size: int64(len(png)), Width: 64, Height: 48}},
		{name: "jpeg", content: jpg, mediaType: JPEG,
			want: Info{MediaType: JPEG, Size: int64(len(jpg)), Width: 64, Height: 48}},
		{name: "zero limits mean defaults", content: pdf3, mediaType: PDF, limits: Limits{},
			want: Info{MediaType: PDF, Size: int64(len(pdf3)), Pages: 3}},

		// Type.
		{name: "png declared as pdf", content: png, mediaType: PDF,
			wantCode: cordon.EINVALID, wantMsg: "The file's content does not match its declared type."},
		{name: "pdf declared as jpeg", content: pdf3, mediaType: JPEG,
			wantCode: cordon.EINVALID, wantMsg: "The file's content does not match its declared type."},
		{name: "declared text/plain", content: readFile(t, "notes.txt"), mediaType: "text/plain",
			wantCode: cordon.EINVALID, wantMsg: "Only PDF, PNG and JPEG files are accepted."},
		{name: "html declared as pdf", content: readFile(t, "page.html"), mediaType: PDF,
			wantCode: cordon.EINVALID, wantMsg: "Only PDF, PNG and JPEG files are accepted."},

		// Size and pages.
		{name: "more bytes than MaxBytes", content: pdf3, mediaType: PDF, limits: Limits{MaxBytes: 1024},
			wantCode: cordon.ETOOLARGE, wantMsg: "The file is larger than 1 KiB."},
		{name: "more pages than MaxPages", content: makePDF(pdfSpec{pages: 11}), mediaType: PDF, limits: small,
			wantCode: cordon.ETOOLARGE, wantMsg: "The PDF has more than 10 pages."},
		{name: "exactly MaxPages", content: makePDF(pdfSpec{pages: 10}), mediaType: PDF, limits: small,
			want: Info{MediaType: PDF, Size: int64(len(makePDF(pdfSpec{pages: 10}))), Pages: 10}},
		{name: "page count claiming ten million", content: bytes.Replace(pdf3, []byte("/Count 3"), []byte("/Count 9999999"), 1), mediaType: PDF,
			wantCode: cordon.ETOOLARGE, wantMsg: "The PDF has more than 500 pages."},

		// Hostile and broken PDFs.
		{name: "truncated pdf", content: readFile(t, "truncated.pdf"), mediaType: PDF,
			wantCode: cordon.EINVALID, wantMsg: "The PDF file is damaged or malformed."},
		{name: "pdf with broken xref (pdfcpu panics)", content: readFile(t, "broken-xref.pdf"), mediaType: PDF,
			wantCode: cordon.EINVALID, wantMsg: "The PDF file is damaged or malformed."},
		{name: "pdf with garbage xref", content: garbageXref(pdf3), mediaType: PDF,
			wantCode: cordon.EINVALID, wantMsg: "The PDF file is damaged or malformed."},
		{name: "pdf whose page count lies", content: bytes.Replace(pdf3, []byte("/Count 3"), []byte("/Count 2"), 1), mediaType: PDF,
			wantCode: cordon.EINVALID, wantMsg: "The PDF file is damaged or malformed."},
		{name: "pdf without root", content: bytes.Replace(pdf3, []byte("/Root 1 0 R"), []byte("/Roof 1 0 R"), 1), mediaType: PDF,
			wantCode: cordon.EINVALID, wantMsg: "The PDF file is damaged or malformed."},
		{name: "pdf header only", content: []byte("%PDF-1.4\n"), mediaType: PDF,
			wantCode: cordon.EINVALID, wantMsg: "The PDF file is damaged or malformed."},
		{name: "pdf with a user password", content: encrypted("user"), mediaType: PDF,
			wantCode: cordon.EINVALID, wantMsg: "Encrypted or password-protected PDFs are not accepted."},
		{name: "pdf with only an owner password", content: encrypted(""), mediaType: PDF,
			wantCode: cordon.EINVALID, wantMsg: "Encrypted or password-protected PDFs are not accepted."},
		{name: "pdf with no pages", content: makePDFNoPages(), mediaType: PDF,
			wantCode: cordon.EINVALID, wantMsg: "The PDF has no pages."},

		// Hostile and broken images.
		{name: "png claiming 100000×100000", content: pngHeaderOnly(100000, 100000), mediaType: PNG,
			wantCode: cordon.ETOOLARGE, wantMsg: "The image is 100000×100000 pixels; no side may exceed 12000 pixels."},
		{name: "png of 10000×10000 (100 megapixels)", content: pngHeaderOnly(10000, 10000), mediaType: PNG,
			wantCode: cordon.ETOOLARGE, wantMsg: "The image is 10000×10000 pixels; it may not exceed 40 megapixels."},
		{name: "png 20000 pixels wide, 10 high", content: pngHeaderOnly(20000, 10), mediaType: PNG,
			wantCode: cordon.ETOOLARGE, wantMsg: "The image is 20000×10 pixels; no side may exceed 12000 pixels."},
		{name: "jpeg claiming 65000×65000", content: jpegClaiming(t, 65000, 65000), mediaType: JPEG,
			wantCode: cordon.ETOOLARGE, wantMsg: "The image is 65000×65000 pixels; no side may exceed 12000 pixels."},
		{name: "jpeg claiming 9000×9000", content: jpegClaiming(t, 9000, 9000), mediaType: JPEG,
			wantCode: cordon.ETOOLARGE, wantMsg: "The image is 9000×9000 pixels; it may not exceed 40 megapixels."},
		{name: "png whose pixel data is missing", content: pngHeaderOnly(100, 100), mediaType: PNG,
			wantCode: cordon.EINVALID, wantMsg: "The image file is damaged or malformed."},
		{name: "png truncated in the pixel data", content: png[:len(png)-30], mediaType: PNG,
			wantCode: cordon.EINVALID, wantMsg: "The image file is damaged or malformed."},
		{name: "png with a corrupt data CRC", content: corruptAt(png, len(png)-14), mediaType: PNG,
			wantCode: cordon.EINVALID, wantMsg: "The image file is damaged or malformed."},
		{name: "jpeg truncated in the scan", content: jpg[:bytes.Index(jpg, []byte{0xFF, 0xDA})+30], mediaType: JPEG,
			wantCode: cordon.EINVALID, wantMsg: "The image file is damaged or malformed."},
		{name: "jpeg claiming a larger frame than its scan holds", content: jpegClaiming(t, 2000, 2000), mediaType: JPEG,
			wantCode: cordon.EINVALID, wantMsg: "The image file is damaged or malformed."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Check(context.Background(), tt.content, tt.mediaType, tt.limits)
			if gotCode := code(err); gotCode != tt.wantCode {
				t.Fatalf("Check() error = %v; want code %q", err, tt.wantCode)
			}
			if gotMsg := cordon.ErrorMessage(err); gotMsg != tt.wantMsg {
				t.Errorf("message = %q, want %q", gotMsg, tt.wantMsg)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Check() Info mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// garbageXref replaces the cross-reference table of pdf with text that is
// not one.
func garbageXref(pdf []byte) []byte {
	at := bytes.LastIndex(pdf, []byte("xref\n"))
	out := bytes.Clone(pdf[:at])
	return append(out, []byte("xref\n0 9\nthis is not a table\ntrailer\n<< /Size 9 /Root 1 0 R >>\nstartxref\n"+itoa(at)+"\n%%EOF\n")...)
}

func itoa(i int) string { return fmt.Sprint(i) }

func pad10(i int) string { return fmt.Sprintf("%010d", i) }

// makePDFNoPages returns a well-formed PDF whose page tree is empty.
func makePDFNoPages() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	o1 := b.Len()
	b.WriteString("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	o2 := b.Len()
	b.WriteString("2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n")
	x := b.Len()
	b.WriteString("xref\n0 3\n0000000000 65535 f \n")
	b.WriteString(pad10(o1) + " 00000 n \n" + pad10(o2) + " 00000 n \n")
	b.WriteString("trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n" + itoa(x) + "\n%%EOF\n")
	return b.Bytes()
}

// TestCheckBombStaysSmall proves that an image bomb is refused from its
// header: checking a PNG that claims 100000×100000 RGBA pixels (40 GB
// decoded) allocates next to nothing.
func TestCheckBombStaysSmall(t *testing.T) {
	tests := []struct {
		name      string
		content   []byte
		mediaType string
	}{
		{"png 100000×100000", pngHeaderOnly(100000, 100000), PNG},
		{"png 10000×10000", pngHeaderOnly(10000, 10000), PNG},
		{"jpeg 65000×65000", jpegClaiming(t, 65000, 65000), JPEG},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			drain(t) // nothing else running that allocates
			const runs = 20
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for range runs {
				if _, err := Check(context.Background(), tt.content, tt.mediaType, Limits{}); code(err) != cordon.ETOOLARGE {
					t.Fatalf("Check() error = %v, want ETOOLARGE", err)
				}
				if _, err := Stamp(context.Background(), tt.content, tt.mediaType, testMark, Limits{}); code(err) != cordon.ETOOLARGE {
					t.Fatalf("Stamp() error = %v, want ETOOLARGE", err)
				}
			}
			runtime.ReadMemStats(&after)
			perRun := (after.TotalAlloc - before.TotalAlloc) / runs
			if perRun > 256<<10 {
				t.Errorf("allocated %d bytes per Check+Stamp of a bomb; want < 256 KiB (the header alone)", perRun)
			}
			t.Logf("%d bytes allocated per Check+Stamp", perRun)
		})
	}
}
