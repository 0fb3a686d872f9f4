package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

func TestJobRoundTrip(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		r := newRequest(t, db, f)
		jobs := store.NewJobStore(db)

		offered := time.Date(2026, 6, 1, 8, 30, 0, 0, time.UTC)
		expires := offered.Add(30 * time.Minute)
		accepted := offered.Add(10 * time.Minute)
		j := &cordon.Job{
			RequestID: r.ID, PartnerID: &f.partner.ID, AssigneeID: &f.tech.ID, Status: cordon.JobAccepted,
			OfferedAt: offered, OfferExpiresAt: &expires, AcceptedAt: &accepted,
			CreatedAt: offered, UpdatedAt: accepted,
		}
		first := &cordon.JobEvent{ActorID: &f.engineer.ID, To: cordon.JobOffered, Note: "offered to hefei"}
		if err := jobs.CreateJob(ctx, j, first); err != nil {
			t.Fatal(err)
		}
		if first.JobID != j.ID || first.ID == 0 || !first.At.Equal(offered) {
			t.Errorf("first event: got %+v, want job %d at the offer time", first, j.ID)
		}
		second := &cordon.JobEvent{JobID: j.ID, At: accepted, ActorID: &f.tech.ID, From: cordon.JobOffered, To: cordon.JobAccepted}
		if err := jobs.AddJobEvent(ctx, second); err != nil {
			t.Fatal(err)
		}
		got, err := jobs.FindJobByID(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(j, got, cmpopts.IgnoreFields(cordon.Job{}, "Request")); diff != "" {
			t.Errorf("FindJobByID mismatch (-want +got):\n%s", diff)
		}
		events, err := jobs.FindJobEvents(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]*cordon.JobEvent{first, second}, events); diff != "" {
			t.Errorf("FindJobEvents mismatch (-want +got):\n%s", diff)
		}

		// In-house, no times given, no first event: stamped now, one event.
		inHouse := &cordon.Job{RequestID: r.ID, AssigneeID: &f.engineer.ID, Status: cordon.JobOffered}
		if err := jobs.CreateJob(ctx, inHouse, nil); err != nil {
			t.Fatal(err)
		}
		now := fixedClock()()
		if !inHouse.CreatedAt.Equal(now) || !inHouse.OfferedAt.Equal(now) || !inHouse.UpdatedAt.Equal(now) || inHouse.PartnerID != nil {
			t.Errorf("defaults: got %+v", inHouse)
		}
		if events, err := jobs.FindJobEvents(ctx, inHouse.ID); err != nil || len(events) != 1 || events[0].To != cordon.JobOffered {
			t.Errorf("synthesised first event: got %v, %v", events, err)
		}

		if _, err := jobs.FindJobByID(ctx, 9999); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("missing: got %v, want not found", err)
		}
		if e := cordon.AsError(jobs.CreateJob(ctx, &cordon.Job{RequestID: r.ID, Status: "lost"}, nil)); e == nil || e.Field != "status" {
			t.Errorf("unknown status: got %v, want invalid status", e)
		}
		if e := cordon.AsError(jobs.AddJobEvent(ctx, &cordon.JobEvent{JobID: j.ID, From: "nowhere", To: cordon.JobOnSite})); e == nil || e.Field != "from" {
			t.Errorf("unknown from: got %v, want invalid from", e)
		}
		if err := jobs.AddJobEvent(ctx, &cordon.JobEvent{JobID: 9999, To: cordon.JobOnSite}); cordon.ErrorCode(err) != cordon.EINVALID {
			t.Errorf("event of a missing job: got %v, want invalid", err)
		}
		// A job whose first event fails is not stored.
		before, _ := jobs.FindJobEvents(ctx, j.ID)
		ghost := &cordon.Job{RequestID: r.ID, Status: cordon.JobOffered}
		nobody := int64(9999)
		if err := jobs.CreateJob(ctx, ghost, &cordon.JobEvent{ActorID: &nobody, To: cordon.JobOffered}); cordon.ErrorCode(err) != cordon.EINVALID {
			t.Fatalf("first event by a missing actor: got %v, want invalid", err)
		}
		if ghost.ID != 0 {
			t.Errorf("failed job got id %d", ghost.ID)
		}
		if _, err := jobs.FindJobByID(ctx, inHouse.ID+1); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("job of a failed create: got %v, want not found", err)
		}
		if after, _ := jobs.FindJobEvents(ctx, j.ID); len(after) != len(before) {
			t.Errorf("events changed: %d, want %d", len(after), len(before))
		}
	})
}
