package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// A list's page and its total come from one statement (count(*) OVER ());
// a page past the end still reports the total.
func TestFindDocumentsPage(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		docs := store.NewDocumentStore(db)
		var ids []int64 // newest first: one clock, so by id
		for i := range 5 {
			d := &cordon.Document{Title: fmt.Sprintf("Manual %d", i), ProductLineID: f.line.ID,
				Classification: cordon.ClassPublic, Version: "1", MediaType: "application/pdf", UploadedBy: f.engineer.ID}
			if err := docs.CreateDocument(ctx, d, []byte(d.Title)); err != nil {
				t.Fatal(err)
			}
			ids = append([]int64{d.ID}, ids...)
		}
		none := "no such title"
		tests := []struct {
			name          string
			title         *string
			offset, limit int
			want          []int64
			total         int
		}{
			{name: "first page", limit: 2, want: ids[:2], total: 5},
			{name: "last page, short", offset: 4, limit: 2, want: ids[4:], total: 5},
			{name: "just past the end", offset: 5, limit: 2, want: []int64{}, total: 5},
			{name: "far past the end", offset: 50, limit: 2, want: []int64{}, total: 5},
			{name: "no limit", want: ids, total: 5},
			{name: "nothing matches", title: &none, limit: 2, want: []int64{}, total: 0},
			{name: "nothing matches, past the end", title: &none, offset: 3, limit: 2, want: []int64{}, total: 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total, err := docs.FindDocuments(ctx, cordon.DocumentFilter{Title: tt.title,
					Scope: cordon.ListScope{All: true}, Offset: tt.offset, Limit: tt.limit})
				if err != nil {
					t.Fatal(err)
				}
				gotIDs := []int64{}
				for _, d := range got {
					gotIDs = append(gotIDs, d.ID)
				}
				if diff := cmp.Diff(tt.want, gotIDs); diff != "" {
					t.Errorf("ids (-want +got):\n%s", diff)
				}
				if total != tt.total {
					t.Errorf("total = %d, want %d", total, tt.total)
				}
			})
		}
	})
}
