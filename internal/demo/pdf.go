package demo

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// pdfText is one line of text on a page: Helvetica at size points, its
// baseline starting at (x, y) from the bottom-left corner of an A4 page.
type pdfText struct {
	size, x, y float64
	text       string
}

// pdfPage is what one page shows: lines of text and horizontal rules.
type pdfPage struct {
	texts []pdfText
	rules []float64 // y of a full-width rule
}

// A4 in points, and the left margin.
const (
	pageWidth  = 595
	pageHeight = 842
	margin     = 72
)

// writePDF renders a minimal, valid PDF 1.4 file: a catalog, a page tree,
// one shared Helvetica font, one content stream per page, an info
// dictionary, a cross-reference table with exact byte offsets and a trailer.
// Text is ASCII: the standard Helvetica font has no CJK glyphs.
func writePDF(title string, created time.Time, pages []pdfPage) []byte {
	var buf bytes.Buffer
	// Object numbers: 1 catalog, 2 page tree, 3 font, 4 info, then per page
	// the page object and its content stream.
	const fixed = 4
	n := fixed + 2*len(pages)
	offsets := make([]int, n+1)
	obj := func(num int, body string) {
		offsets[num] = buf.Len()
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", num, body)
	}

	buf.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n") // a binary comment marks the file as binary
	kids := make([]string, len(pages))
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", fixed+1+2*i)
	}
	obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	obj(2, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)))
	obj(3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	date := created.UTC().Format("20060102150405")
	obj(4, fmt.Sprintf("<< /Title %s /Producer (Cordon demo seeder) /CreationDate (D:%sZ) >>", pdfString(title), date))
	for i, p := range pages {
		pageNum, contentNum := fixed+1+2*i, fixed+2+2*i
		obj(pageNum, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>",
			pageWidth, pageHeight, contentNum))
		stream := p.content()
		offsets[contentNum] = buf.Len()
		fmt.Fprintf(&buf, "%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", contentNum, len(stream), stream)
	}

	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n", n+1)
	buf.WriteString("0000000000 65535 f \n") // each entry is exactly 20 bytes
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&buf, "%010d 00000 n \n", offsets[i])
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n", n+1, xref)
	return buf.Bytes()
}

// content returns the page's content stream.
func (p pdfPage) content() string {
	var b strings.Builder
	for _, y := range p.rules {
		fmt.Fprintf(&b, "0.5 w %d %s m %d %s l S\n", margin, num(y), pageWidth-margin, num(y))
	}
	for _, t := range p.texts {
		fmt.Fprintf(&b, "BT /F1 %s Tf %s %s Td %s Tj ET\n", num(t.size), num(t.x), num(t.y), pdfString(t.text))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// num formats a coordinate without exponent or trailing zeros.
func num(f float64) string {
	s := fmt.Sprintf("%.2f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "" || s == "-" {
		return "0"
	}
	return s
}

// pdfString returns s as a PDF literal string: printable ASCII, with the
// delimiters escaped; anything else becomes '?'.
func pdfString(s string) string {
	var b strings.Builder
	b.WriteByte('(')
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		default:
			b.WriteByte('?')
		}
	}
	b.WriteByte(')')
	return b.String()
}

// wrap breaks text into lines of at most width characters.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
