package document

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// pdfSpec describes a PDF for makePDF.
type pdfSpec struct {
	pages       int    // default 1
	lines       int    // lines of text on each page; default 3
	version     string // header version; default "1.4"
	hiddenLayer bool   // the file has an optional content group that starts OFF
	title       string // when set, an Info dictionary with this Title
	rotate      int    // /Rotate of every even page
}

// makePDF writes a small, valid PDF by hand: one Helvetica text page per
// page, uncompressed, with an exact cross-reference table.
func makePDF(s pdfSpec) []byte {
	if s.pages == 0 {
		s.pages = 1
	}
	if s.lines == 0 {
		s.lines = 3
	}
	if s.version == "" {
		s.version = "1.4"
	}
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	fmt.Fprintf(&b, "%%PDF-%s\n%%\xe2\xe3\xcf\xd3\n", s.version)

	catalog := "<< /Type /Catalog /Pages 2 0 R >>"
	if s.hiddenLayer {
		catalog = "<< /Type /Catalog /Pages 2 0 R /OCProperties << /OCGs [4 0 R] /D << /OFF [4 0 R] /Order [4 0 R] >> >> >>"
	}
	obj(catalog)
	kids := make([]string, s.pages)
	for i := range kids {
		kids[i] = fmt.Sprintf("%d 0 R", 5+2*i)
	}
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), s.pages))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	obj("<< /Type /OCG /Name (Hidden layer) >>")
	for i := 0; i < s.pages; i++ {
		rotate := ""
		if s.rotate != 0 && i%2 == 1 {
			rotate = fmt.Sprintf(" /Rotate %d", s.rotate)
		}
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]%s /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", rotate, 6+2*i))
		var c bytes.Buffer
		c.WriteString("BT /F1 9 Tf 11 TL 50 800 Td\n")
		for j := 0; j < s.lines; j++ {
			fmt.Fprintf(&c, "(Page %d, line %d: the quick brown fox jumps over the lazy dog; torque 12.5 Nm, 0.02 mm.) Tj T*\n", i+1, j+1)
		}
		c.WriteString("ET\n")
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", c.Len(), c.Bytes()))
	}
	info := ""
	if s.title != "" {
		obj(fmt.Sprintf("<< /Title (%s) /Producer (hand) >>", s.title))
		info = fmt.Sprintf(" /Info %d 0 R", len(offsets))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, info, xref)
	return b.Bytes()
}

// makePNG encodes a w×h gradient.
func makePNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, gradient(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// makeJPEG encodes a w×h gradient.
func makeJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, gradient(w, h), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gradient(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, color.NRGBA{R: uint8(255 * x / max(1, w-1)), G: uint8(255 * y / max(1, h-1)), B: 200, A: 255})
		}
	}
	return img
}

// testMark is the mark the tests stamp with.
var testMark = Mark{
	Partner:    "hefei",
	User:       "hefei.tech",
	ContractNo: "HF-2026-001",
	DownloadID: "7f3a9c21-5b1e-4c2d-9e0f-1a2b3c4d5e6f",
	At:         time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC),
}

// pageStamp is what stampsOnPages found on one page.
type pageStamp struct {
	texts      []string // the text of every stamp form drawn on the page, lines joined by "\n"
	onTop      bool     // every stamp is drawn after the page's own content
	optionalOC bool     // some stamp form is optional content (could be hidden)
}

var (
	stampDo   = regexp.MustCompile(`/Artifact\s*<<\s*/Subtype\s*/Watermark[^>]*>>\s*BDC\s+q\s+[-0-9. ]+cm\s+/(\S+)\s+gs\s+/(\S+)\s+Do\s+Q\s+EMC`)
	showText  = regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj`)
	unescaper = strings.NewReplacer(`\(`, "(", `\)`, ")", `\\`, `\`)
)

// stampsOnPages reads a produced PDF the way a viewer would and returns,
// for each page, the stamps drawn on it: it finds the watermark artifact in
// the page's content stream, follows its XObject to the form, and pulls the
// shown text out of the form's content stream. Nothing is taken from Stamp
// itself.
func stampsOnPages(t *testing.T, pdf []byte) []pageStamp {
	t.Helper()
	conf := pdfConfig(DefaultLimits(), model.VALIDATE)
	ctx, err := api.ReadContext(bytes.NewReader(pdf), conf)
	if err != nil {
		t.Fatalf("read stamped PDF: %v", err)
	}
	if err := api.ValidateContext(ctx); err != nil {
		t.Fatalf("validate stamped PDF: %v", err)
	}
	out := make([]pageStamp, ctx.PageCount)
	for p := 1; p <= ctx.PageCount; p++ {
		d, _, _, err := ctx.PageDict(p, false)
		if err != nil {
			t.Fatalf("page %d: %v", p, err)
		}
		content, err := ctx.PageContent(d, p)
		if err != nil {
			t.Fatalf("page %d content: %v", p, err)
		}
		res, err := ctx.DereferenceDict(d["Resources"])
		if err != nil || res == nil {
			t.Fatalf("page %d resources: %v", p, err)
		}
		xobjs, err := ctx.DereferenceDict(res["XObject"])
		if err != nil {
			t.Fatalf("page %d XObjects: %v", p, err)
		}
		ps := pageStamp{onTop: true}
		lastText := bytes.LastIndex(content, []byte("ET"))
		for _, m := range stampDo.FindAllSubmatchIndex(content, -1) {
			if m[0] < lastText {
				ps.onTop = false
			}
			name := string(content[m[4]:m[5]])
			sd, _, err := ctx.DereferenceStreamDict(xobjs[name])
			if err != nil || sd == nil {
				t.Fatalf("page %d: stamp form %s: %v", p, name, err)
			}
			if _, ok := sd.Find("OC"); ok {
				ps.optionalOC = true
			}
			if err := sd.Decode(); err != nil {
				t.Fatalf("page %d: decode form %s: %v", p, name, err)
			}
			var lines []string
			for _, s := range showText.FindAllSubmatch(sd.Content, -1) {
				lines = append(lines, unescaper.Replace(string(s[1])))
			}
			ps.texts = append(ps.texts, strings.Join(lines, "\n"))
		}
		out[p-1] = ps
	}
	return out
}

// code returns the cordon error code of err, "" for nil.
func code(err error) string { return cordon.ErrorCode(err) }

// pngChunk encodes one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// pngHeaderOnly returns a PNG that claims w×h RGBA pixels, with a tiny
// IDAT (a few hundred bytes of deflated zeros) and IEND: a decompression
// bomb's shape, which no code should ever try to decode.
func pngHeaderOnly(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA, deflate, no filter, no interlace
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	p := append([]byte(nil), pngMagic...)
	p = append(p, pngChunk("IHDR", ihdr)...)
	p = append(p, pngChunk("IDAT", z.Bytes())...)
	return append(p, pngChunk("IEND", nil)...)
}

// jpegClaiming returns a valid small JPEG whose frame header is patched to
// claim w×h pixels.
func jpegClaiming(t testing.TB, w, h uint16) []byte {
	t.Helper()
	j := makeJPEG(t, 16, 16)
	i := bytes.Index(j, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0 in encoder output")
	}
	binary.BigEndian.PutUint16(j[i+5:], h)
	binary.BigEndian.PutUint16(j[i+7:], w)
	return j
}

// drain waits until no Check or Stamp is running in the process (work
// abandoned by a timeout included), then frees the slots again.
func drain(t testing.TB) {
	t.Helper()
	for range cap(slots) {
		slots <- struct{}{}
	}
	for range cap(slots) {
		<-slots
	}
}

// readFile reads a testdata file.
func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
