package demo

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// checkPDF checks the structure of a PDF as a strict reader would: the
// header, the cross-reference table (every offset lands on its "N 0 obj"),
// the trailer, the page tree, the font, and every stream's /Length. It
// returns the number of pages.
func checkPDF(data []byte) (int, error) {
	if !bytes.HasPrefix(data, []byte("%PDF-1.")) {
		return 0, fmt.Errorf("no %%PDF-1.x header")
	}
	if !bytes.HasSuffix(bytes.TrimRight(data, "\r\n"), []byte("%%EOF")) {
		return 0, fmt.Errorf("no %%%%EOF at the end")
	}
	sx := bytes.LastIndex(data, []byte("startxref"))
	if sx < 0 {
		return 0, fmt.Errorf("no startxref")
	}
	var xrefAt int
	if _, err := fmt.Sscanf(string(data[sx:]), "startxref\n%d\n", &xrefAt); err != nil {
		return 0, fmt.Errorf("startxref: %v", err)
	}
	if xrefAt <= 0 || xrefAt >= len(data) || !bytes.HasPrefix(data[xrefAt:], []byte("xref\n")) {
		return 0, fmt.Errorf("startxref %d does not point at the xref table", xrefAt)
	}
	p := xrefAt + len("xref\n")
	var first, count int
	nl := bytes.IndexByte(data[p:], '\n')
	if _, err := fmt.Sscanf(string(data[p:p+nl]), "%d %d", &first, &count); err != nil || first != 0 || count < 2 {
		return 0, fmt.Errorf("xref subsection header %q", data[p:p+nl])
	}
	p += nl + 1
	entry := regexp.MustCompile(`^(\d{10}) (\d{5}) ([nf])( \n|\r\n| \r)$`)
	objects := map[int]string{}
	for i := 0; i < count; i++ {
		if p+20 > len(data) {
			return 0, fmt.Errorf("xref entry %d cut short", i)
		}
		m := entry.FindSubmatch(data[p : p+20])
		if m == nil {
			return 0, fmt.Errorf("xref entry %d is not 20 bytes of the right form: %q", i, data[p:p+20])
		}
		p += 20
		off, _ := strconv.Atoi(string(m[1]))
		if i == 0 {
			if string(m[2]) != "65535" || string(m[3]) != "f" {
				return 0, fmt.Errorf("xref entry 0 is not the free list head")
			}
			continue
		}
		if string(m[3]) != "n" {
			return 0, fmt.Errorf("object %d is free", i)
		}
		head := fmt.Sprintf("%d 0 obj\n", i)
		if off >= len(data) || !bytes.HasPrefix(data[off:], []byte(head)) {
			return 0, fmt.Errorf("xref offset %d of object %d does not point at %q", off, i, strings.TrimSpace(head))
		}
		end := bytes.Index(data[off:], []byte("\nendobj\n"))
		if end < 0 {
			return 0, fmt.Errorf("object %d has no endobj", i)
		}
		objects[i] = string(data[off+len(head) : off+end])
	}
	if n := len(regexp.MustCompile(`(?m)^\d+ 0 obj$`).FindAll(data, -1)); n != count-1 {
		return 0, fmt.Errorf("%d objects in the file, %d in the xref table", n, count-1)
	}
	rest := string(data[p:])
	if !strings.HasPrefix(rest, "trailer\n<<") {
		return 0, fmt.Errorf("no trailer after the xref table")
	}
	trailer := rest[:strings.Index(rest, ">>")]
	if !strings.Contains(trailer, fmt.Sprintf("/Size %d ", count)) {
		return 0, fmt.Errorf("trailer /Size is not %d: %q", count, trailer)
	}
	ref := func(dict, key string) (int, error) {
		m := regexp.MustCompile(regexp.QuoteMeta(key) + ` (\d+) 0 R`).FindStringSubmatch(dict)
		if m == nil {
			return 0, fmt.Errorf("no %s reference in %q", key, dict)
		}
		n, _ := strconv.Atoi(m[1])
		if _, ok := objects[n]; !ok {
			return 0, fmt.Errorf("%s points at missing object %d", key, n)
		}
		return n, nil
	}
	root, err := ref(trailer, "/Root")
	if err != nil {
		return 0, err
	}
	if !strings.Contains(objects[root], "/Type /Catalog") {
		return 0, fmt.Errorf("root is not a catalog")
	}
	pagesObj, err := ref(objects[root], "/Pages")
	if err != nil {
		return 0, err
	}
	tree := objects[pagesObj]
	km := regexp.MustCompile(`/Kids \[([^\]]*)\] /Count (\d+)`).FindStringSubmatch(tree)
	if !strings.Contains(tree, "/Type /Pages") || km == nil {
		return 0, fmt.Errorf("page tree %q", tree)
	}
	kids := regexp.MustCompile(`(\d+) 0 R`).FindAllStringSubmatch(km[1], -1)
	if n, _ := strconv.Atoi(km[2]); n != len(kids) || n == 0 {
		return 0, fmt.Errorf("page tree /Count %s with %d kids", km[2], len(kids))
	}
	for _, k := range kids {
		n, _ := strconv.Atoi(k[1])
		page, ok := objects[n]
		if !ok || !strings.Contains(page, "/Type /Page ") || !strings.Contains(page, fmt.Sprintf("/Parent %d 0 R", pagesObj)) ||
			!strings.Contains(page, "/MediaBox [0 0 595 842]") {
			return 0, fmt.Errorf("page object %d: %q", n, page)
		}
		font, err := ref(page, "/F1")
		if err != nil {
			return 0, err
		}
		if !strings.Contains(objects[font], "/Type /Font") || !strings.Contains(objects[font], "/BaseFont /Helvetica") {
			return 0, fmt.Errorf("font object %d: %q", font, objects[font])
		}
		contents, err := ref(page, "/Contents")
		if err != nil {
			return 0, err
		}
		if err := checkStream(objects[contents]); err != nil {
			return 0, fmt.Errorf("content stream %d: %v", contents, err)
		}
	}
	return len(kids), nil
}

// checkStream checks that a stream object's /Length is exact and that its
// text operators are balanced.
func checkStream(obj string) error {
	m := regexp.MustCompile(`^<< /Length (\d+) >>\nstream\n`).FindStringSubmatch(obj)
	if m == nil {
		return fmt.Errorf("no stream dictionary with /Length")
	}
	n, _ := strconv.Atoi(m[1])
	body := obj[len(m[0]):]
	if len(body) != n+len("\nendstream") || !strings.HasSuffix(body, "\nendstream") {
		return fmt.Errorf("/Length %d does not match the %d bytes before endstream", n, len(body)-len("\nendstream"))
	}
	content := body[:n]
	if strings.Count(content, "BT ") != strings.Count(content, " ET") || !strings.Contains(content, "Tj") {
		return fmt.Errorf("unbalanced or empty text: %q", content)
	}
	depth := 0
	for i := 0; i < len(content); i++ {
		switch content[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth < 0 || depth > 1 {
			return fmt.Errorf("unbalanced string delimiters at byte %d", i)
		}
		if content[i] >= 0x80 {
			return fmt.Errorf("non-ASCII byte at %d", i)
		}
	}
	if depth != 0 {
		return fmt.Errorf("unterminated string")
	}
	return nil
}

func TestWritePDF(t *testing.T) {
	created := time.Date(2026, 6, 15, 9, 30, 0, 0, time.UTC)
	for pages := 1; pages <= 3; pages++ {
		var ps []pdfPage
		for i := 0; i < pages; i++ {
			ps = append(ps, pdfPage{
				texts: []pdfText{{12, margin, 700, `Tricky (text) with \ backslash and 雷达`}, {10, 72.5, 680, "plain"}},
				rules: []float64{650},
			})
		}
		data := writePDF("Title (with parens)", created, ps)
		got, err := checkPDF(data)
		if err != nil {
			t.Fatalf("%d pages: %v\n%s", pages, err, data)
		}
		if got != pages {
			t.Errorf("pages: got %d, want %d", got, pages)
		}
		if !bytes.Contains(data, []byte(`(Tricky \(text\) with \\ backslash and ??)`)) {
			t.Errorf("text not escaped:\n%s", data)
		}
	}
}

// TestCheckPDFFails proves the checker can fail: each damage must be caught.
func TestCheckPDFFails(t *testing.T) {
	good := writePDF("T", time.Unix(0, 0), []pdfPage{{texts: []pdfText{{12, margin, 700, "hello"}}}})
	for name, damage := range map[string]func([]byte) []byte{
		"header": func(b []byte) []byte { return append([]byte("%PDX"), b[4:]...) },
		"eof":    func(b []byte) []byte { return bytes.TrimSuffix(b, []byte("%%EOF\n")) },
		"offset": func(b []byte) []byte { return bytes.Replace(b, []byte("1 0 obj"), []byte(" 1 0 obj"), 1) },
		"length": func(b []byte) []byte { // same byte count, wrong value
			i := bytes.Index(b, []byte("/Length ")) + len("/Length ")
			b[i] = '0' + (b[i]-'0'+1)%10
			return b
		},
		"startxref": func(b []byte) []byte { return bytes.Replace(b, []byte("startxref\n"), []byte("startxref\n1"), 1) },
		"count":     func(b []byte) []byte { return bytes.Replace(b, []byte("/Count 1"), []byte("/Count 2"), 1) },
	} {
		if _, err := checkPDF(damage(bytes.Clone(good))); err == nil {
			t.Errorf("%s damage went unnoticed", name)
		}
	}
}
