// Package pdftest is test support for PDFs: it checks that pdfcpu accepts
// a PDF and reads back the text a person would copy out of it, through
// poppler's pdftotext. Only tests import it.
package pdftest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

var configOnce sync.Once

// Validate fails the test unless pdfcpu validates data, and returns its
// page count.
func Validate(t testing.TB, data []byte) int {
	t.Helper()
	configOnce.Do(api.DisableConfigDir) // as the server does: nothing written to ~/.config
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", data[:min(len(data), 16)])
	}
	if err := api.Validate(bytes.NewReader(data), model.NewDefaultConfiguration()); err != nil {
		t.Fatalf("pdfcpu refuses the PDF: %v", err)
	}
	n, err := api.PageCount(bytes.NewReader(data), model.NewDefaultConfiguration())
	if err != nil {
		t.Fatalf("page count: %v", err)
	}
	return n
}

// Images returns the number of images on each page, by page number.
func Images(t testing.TB, data []byte) map[int]int {
	t.Helper()
	Validate(t, data)
	pages, err := api.Images(bytes.NewReader(data), nil, model.NewDefaultConfiguration())
	if err != nil {
		t.Fatalf("list images: %v", err)
	}
	out := map[int]int{}
	for _, page := range pages {
		for _, im := range page {
			if !im.Thumb {
				out[im.PageNr]++
			}
		}
	}
	return out
}

// Text validates data and returns its text as pdftotext extracts it, in
// reading order (-layout off), pages separated by form feeds. Without
// pdftotext the test is skipped, except under CI=true, where it fails:
// .ci/run installs poppler-utils.
func Text(t testing.TB, data []byte) string {
	t.Helper()
	Validate(t, data)
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is missing: install poppler-utils")
		}
		t.Skip("pdftotext is missing: install poppler-utils")
	}
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var out, stderr bytes.Buffer
	cmd := exec.Command(bin, "-enc", "UTF-8", in, "-")
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("pdftotext: %v: %s", err, stderr.String())
	}
	if s := stderr.String(); s != "" {
		t.Errorf("pdftotext complains: %s", s)
	}
	return out.String()
}

// Squeeze removes all white space, so that text wrapped onto several lines
// can be compared with what went in.
func Squeeze(s string) string {
	return strings.Join(strings.Fields(s), "")
}
