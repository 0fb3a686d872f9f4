package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
)

// FindDisclosures groups the store's visible events as the SQL does.
func (m *memStore) FindDisclosures(ctx context.Context, f cordon.DisclosureFilter) ([]*cordon.DisclosureGroup, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	groups := map[string]*cordon.DisclosureGroup{}
	var out []*cordon.DisclosureGroup
	for _, id := range m.visibleIDs() {
		e := m.events[id]
		if e.Resource != cordon.ResCustomer || e.ResourceID != fmt.Sprint(f.CustomerID) || e.Action != cordon.ActDisclose ||
			f.From != nil && e.At.Before(*f.From) || f.To != nil && !e.At.Before(*f.To) {
			continue
		}
		k := fmt.Sprint(e.OrgID, e.UserID, e.ContractNo, e.Clause, e.Fields, e.Decision)
		g := groups[k]
		if g == nil {
			g = &cordon.DisclosureGroup{OrgID: e.OrgID, UserID: e.UserID, ContractNo: e.ContractNo, Clause: e.Clause,
				Fields: e.Fields, Decision: e.Decision, First: e.At, Last: e.At}
			groups[k] = g
			out = append(out, g)
		}
		g.Count++
		g.First, g.Last = minTime(g.First, e.At), maxTime(g.Last, e.At)
	}
	slices.SortStableFunc(out, func(a, b *cordon.DisclosureGroup) int { return a.First.Compare(b.First) })
	return out, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// DenialCounts counts the store's visible denials per org and hour.
func (m *memStore) DenialCounts(ctx context.Context, from, to time.Time) (map[int64][]cordon.DenialCount, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[int64][]cordon.DenialCount{}
	for _, id := range m.visibleIDs() {
		e := m.events[id]
		if e.Decision != cordon.Deny || e.At.Before(from) || !e.At.Before(to) {
			continue
		}
		h := e.At.UTC().Truncate(time.Hour)
		c := out[e.OrgID]
		if i := slices.IndexFunc(c, func(x cordon.DenialCount) bool { return x.Start.Equal(h) }); i >= 0 {
			c[i].Count++
		} else {
			c = append(c, cordon.DenialCount{Start: h, Count: 1})
		}
		out[e.OrgID] = c
	}
	for _, c := range out {
		slices.SortFunc(c, func(a, b cordon.DenialCount) int { return a.Start.Compare(b.Start) })
	}
	return out, nil
}

// denials adds n denials by org in the hour starting at h.
func denials(m *memStore, org int64, h time.Time, n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range n {
		id := int64(len(m.events) + 1)
		e := testEvent(id)
		e.At, e.OrgID, e.Decision, e.ContractNo, e.Clause = h.Add(time.Duration(i)*time.Second), org, cordon.Deny, "", ""
		m.events[id] = e
	}
}

// TestSpikeRule: an hour is a spike when its denials reach max(10, 3 × the
// median of the 168 hours before it), hours without denials counting 0.
func TestSpikeRule(t *testing.T) {
	h := func(k int) time.Time {
		return time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC).Add(time.Duration(k) * time.Hour)
	}
	tests := []struct {
		name     string
		baseline map[int]int // hour offset before hour 0 → count
		count    int         // denials in hour 0
		median   float64
		spike    bool
	}{
		{"quiet partner, 9", nil, 9, 0, false},
		{"quiet partner, the floor", nil, 10, 0, true},
		{"busy in half the hours", every(84, 4), 12, 2, true}, // 84 hours of 4, 84 of 0: median 2, threshold 10
		{"busy every hour, below 3×", every(168, 5), 14, 5, false},
		{"busy every hour, at 3×", every(168, 5), 15, 5, true},
		{"busy, but the busy hours are older than 7 days", shift(every(168, 5), 168), 10, 0, true},
		{"the hour 168 before counts", map[int]int{-168: 20, -1: 20}, 10, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMemStore()
			for k, n := range tt.baseline {
				denials(m, 3, h(k), n)
			}
			denials(m, 3, h(0), tt.count)
			denials(m, 4, h(0), 2) // another partner, never a spike
			s, _ := newTestService(t, m)
			r, err := s.DenialReport(legal(), cordon.DenialFilter{From: h(0).Add(10 * time.Minute), To: h(1).Add(-time.Minute)})
			if err != nil {
				t.Fatal(err)
			}
			if !r.From.Equal(h(0)) || !r.To.Equal(h(1)) || r.Bucket != cordon.BucketHour || !strings.Contains(r.Rule, "max(10, 3 ×") {
				t.Errorf("report range %s–%s %s %q", r.From, r.To, r.Bucket, r.Rule)
			}
			var p3, p4 *cordon.PartnerDenials
			for _, p := range r.Partners {
				switch p.OrgID {
				case 3:
					p3 = p
				case 4:
					p4 = p
				}
			}
			if p3 == nil || p4 == nil || p3.Total != tt.count || p4.Total != 2 || p4.Spike {
				t.Fatalf("partners %+v", r.Partners)
			}
			if p3.Spike != tt.spike {
				t.Errorf("spike %v, want %v (%+v)", p3.Spike, tt.spike, p3.Spikes)
			}
			if tt.spike {
				want := []cordon.DenialSpike{{Start: h(0), Count: tt.count, Median: tt.median, Threshold: max(10, int(3*tt.median+0.999))}}
				if diff := cmp.Diff(want, p3.Spikes); diff != "" {
					t.Errorf("spikes (-want +got):\n%s", diff)
				}
				if r.Partners[0] != p3 {
					t.Error("a partner with a spike is not listed first")
				}
			}
		})
	}
}

func every(hours, n int) map[int]int {
	out := map[int]int{}
	for k := 1; k <= hours; k++ {
		out[-k] = n
	}
	return out
}

func shift(m map[int]int, by int) map[int]int {
	out := map[int]int{}
	for k, n := range m {
		out[k-by] = n
	}
	return out
}

// TestDenialReportBuckets: days sum the hours, the defaults come from the
// clock, and bad ranges are refused.
func TestDenialReportBuckets(t *testing.T) {
	m := newMemStore()
	day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC) // the test service's clock is 2026-11-03 10:00
	denials(m, 3, day.Add(2*time.Hour), 3)
	denials(m, 3, day.Add(5*time.Hour), 4)
	denials(m, 3, day.Add(26*time.Hour), 12) // 2026-11-03 02:00: a spike
	denials(m, 3, day.Add(-8*24*time.Hour), 50)
	s, _ := newTestService(t, m)
	r, err := s.DenialReport(legal(), cordon.DenialFilter{Bucket: cordon.BucketDay})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 10, 28, 0, 0, 0, 0, time.UTC); !r.From.Equal(want) || !r.To.Equal(day.Add(48*time.Hour)) {
		t.Errorf("range %s–%s", r.From, r.To)
	}
	if len(r.Partners) != 1 {
		t.Fatalf("partners %+v", r.Partners)
	}
	p := r.Partners[0]
	want := []cordon.DenialCount{{Start: day, Count: 7}, {Start: day.Add(24 * time.Hour), Count: 12}}
	if diff := cmp.Diff(want, p.Buckets); diff != "" || p.Total != 19 {
		t.Errorf("buckets (-want +got):\n%s total %d", diff, p.Total)
	}
	if !p.Spike || len(p.Spikes) != 1 || !p.Spikes[0].Start.Equal(day.Add(26*time.Hour)) {
		t.Errorf("spikes %+v", p.Spikes)
	}
	for _, f := range []cordon.DenialFilter{
		{Bucket: "week"},
		{From: day, To: day},
		{From: day, To: day.Add(-time.Hour)},
		{From: day.Add(-100 * 24 * time.Hour), To: day},
	} {
		if _, err := s.DenialReport(legal(), f); cordon.ErrorCode(err) != cordon.EINVALID {
			t.Errorf("%+v: %v, want EINVALID", f, err)
		}
	}
}

// TestFindDisclosures: the service passes the filter on and refuses a bad
// one.
func TestFindDisclosures(t *testing.T) {
	m := newMemStore()
	m.add(1, 2)
	for _, id := range []int64{1, 2} {
		e := m.events[id]
		e.Resource, e.ResourceID, e.Action = cordon.ResCustomer, "77", cordon.ActDisclose
	}
	s, _ := newTestService(t, m)
	got, err := s.FindDisclosures(legal(), cordon.DisclosureFilter{CustomerID: 77})
	if err != nil || len(got) != 2 || got[0].Count != 1 { // users 8 and 9
		t.Fatalf("%+v %v", got, err)
	}
	from := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	for _, f := range []cordon.DisclosureFilter{{}, {CustomerID: -1}, {CustomerID: 77, From: &from, To: &from}} {
		if _, err := s.FindDisclosures(legal(), f); cordon.ErrorCode(err) != cordon.EINVALID {
			t.Errorf("%+v: %v, want EINVALID", f, err)
		}
	}
}
