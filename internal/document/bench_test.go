package document

import (
	"context"
	"testing"
)

// BenchmarkStampPDF10Pages stamps a 10-page PDF with a page of text (60
// lines) on each page: the download path of a typical manual chapter.
func BenchmarkStampPDF10Pages(b *testing.B) {
	in := makePDF(pdfSpec{pages: 10, lines: 60})
	ctx := context.Background()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Stamp(ctx, in, PDF, testMark, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStampImage stamps a 3-megapixel photo-sized image.
func BenchmarkStampImage(b *testing.B) {
	for _, tt := range []struct {
		name      string
		content   []byte
		mediaType string
	}{
		{"png-2000x1500", makePNG(b, 2000, 1500), PNG},
		{"jpeg-2000x1500", makeJPEG(b, 2000, 1500), JPEG},
	} {
		b.Run(tt.name, func(b *testing.B) {
			ctx := context.Background()
			b.SetBytes(int64(len(tt.content)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Stamp(ctx, tt.content, tt.mediaType, testMark, Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
