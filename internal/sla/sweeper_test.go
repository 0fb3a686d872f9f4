package sla_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/sla"
)

// failingStore is an SLA store whose reads fail, as a database under a
// statement timeout or a dropped connection does.
type failingStore struct{ cordon.SLAStore }

func (failingStore) FindSLAJobs(context.Context, cordon.SLAJobQuery) ([]*cordon.SLAJob, error) {
	return nil, errors.New("connection reset")
}

// TestRoundRunsAlsoWhenTheSweepFails: the leader's other work (the
// dispatch sweep: offers expiring and offered again) runs even when the
// SLA sweep fails, and the round reports the sweep's error.
func TestRoundRunsAlsoWhenTheSweepFails(t *testing.T) {
	ran := 0
	s := sla.NewSweeper(sla.SweeperConfig{
		Store: failingStore{},
		Now:   func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) },
		Also:  []func(context.Context) error{func(context.Context) error { ran++; return nil }},
	})
	for round := 1; round <= 2; round++ {
		led, err := s.Round(context.Background())
		if !led || err == nil {
			t.Errorf("round %d: led %v, err %v; want led and the sweep's error", round, led, err)
		}
		if ran != round {
			t.Errorf("round %d: the other work ran %d times, want %d", round, ran, round)
		}
	}
}
