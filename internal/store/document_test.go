package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

func TestDocumentRoundTrip(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		docs := store.NewDocumentStore(db)
		content := []byte("%PDF-1.4 not really\n")
		sum := sha256.Sum256(content)

		d := &cordon.Document{
			Title: "Operator manual", ProductLineID: f.line.ID, ModelID: &f.model.ID,
			Classification: cordon.ClassInternal, Version: "1.0", MediaType: "application/pdf",
			Size: 1, SHA256: "caller's guess", UploadedBy: f.engineer.ID,
		}
		if err := docs.CreateDocument(ctx, d, content); err != nil {
			t.Fatal(err)
		}
		if d.SHA256 != hex.EncodeToString(sum[:]) || d.Size != int64(len(content)) {
			t.Errorf("checksum and size: got %s %d, want computed ones", d.SHA256, d.Size)
		}
		got, err := docs.FindDocumentByID(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(d, got, cmpopts.IgnoreFields(cordon.Document{}, "ProductLine")); diff != "" {
			t.Errorf("FindDocumentByID mismatch (-want +got):\n%s", diff)
		}
		file, err := docs.FindContent(ctx, d.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(file, content) {
			t.Errorf("content: got %q, want %q", file, content)
		}

		// The same content again is stored once; the new version points back.
		v2 := &cordon.Document{
			Title: "Operator manual", ProductLineID: f.line.ID, Classification: cordon.ClassInternal,
			Version: "1.1", PreviousID: &d.ID, MediaType: "application/pdf", UploadedBy: f.engineer.ID,
		}
		if err := docs.CreateDocument(ctx, v2, content); err != nil {
			t.Fatalf("same content twice: %v", err)
		}
		if v2.SHA256 != d.SHA256 || v2.ID == d.ID || *v2.PreviousID != d.ID {
			t.Errorf("second version: got %+v", v2)
		}
		empty := &cordon.Document{Title: "Blank", ProductLineID: f.line.ID, Classification: cordon.ClassPublic,
			Version: "1", MediaType: "application/pdf", UploadedBy: f.engineer.ID}
		if err := docs.CreateDocument(ctx, empty, nil); err != nil {
			t.Fatalf("empty file: %v", err)
		}
		if file, err := docs.FindContent(ctx, empty.SHA256); err != nil || len(file) != 0 {
			t.Errorf("empty file: got %q, %v", file, err)
		}

		if _, err := docs.FindDocumentByID(ctx, 9999); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("missing document: got %v, want not found", err)
		}
		if _, err := docs.FindContent(ctx, "00"); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("missing content: got %v, want not found", err)
		}
		bad := &cordon.Document{Title: "x", ProductLineID: f.line.ID, Classification: "secret",
			Version: "1", MediaType: "image/png", UploadedBy: f.engineer.ID}
		if e := cordon.AsError(docs.CreateDocument(ctx, bad, []byte("x"))); e == nil || e.Code != cordon.EINVALID || e.Field != "classification" {
			t.Errorf("unknown classification: got %v, want invalid classification", e)
		}
		orphan := &cordon.Document{Title: "x", ProductLineID: 9999, Classification: cordon.ClassPublic,
			Version: "1", MediaType: "image/png", UploadedBy: f.engineer.ID}
		if err := docs.CreateDocument(ctx, orphan, []byte("orphan")); cordon.ErrorCode(err) != cordon.EINVALID {
			t.Errorf("unknown product line: got %v, want invalid", err)
		}
		// The failed document took its blob with it.
		sum = sha256.Sum256([]byte("orphan"))
		if _, err := docs.FindContent(ctx, hex.EncodeToString(sum[:])); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("blob of a failed document: got %v, want not found", err)
		}
	})
}
