package audit

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// ReportStore is what the reports read; store.AuditLog implements it.
type ReportStore interface {
	// FindDisclosures returns the disclosures of a customer's identity,
	// grouped, first seen first.
	FindDisclosures(ctx context.Context, f cordon.DisclosureFilter) ([]*cordon.DisclosureGroup, error)
	// DenialCounts returns, per organisation, the denials in each UTC
	// clock hour that has any, for At in [from, to), in time order.
	DenialCounts(ctx context.Context, from, to time.Time) (map[int64][]cordon.DenialCount, error)
}

// maxReportRange caps the range of one denials report.
const maxReportRange = 92 * 24 * time.Hour

// SpikeRule is the spike rule in words, as the denials report states it.
var SpikeRule = fmt.Sprintf("An hour (UTC) is a spike for a partner when its denials in that hour number at least "+
	"max(%d, %d × the median of its denials per hour over the %d hours before it, hours without any counted as 0).",
	cordon.SpikeFloor, cordon.SpikeFactor, int(cordon.SpikeBaseline/time.Hour))

// FindDisclosures reports who saw a customer's identity, under which
// contract and clause, which fields, and who was refused.
func (s *Service) FindDisclosures(ctx context.Context, f cordon.DisclosureFilter) ([]*cordon.DisclosureGroup, error) {
	if f.CustomerID <= 0 {
		return nil, cordon.FieldErr("customer", "audit.customer_numeric_id_customer")
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		return nil, cordon.FieldErr("from", "audit.from_must_before")
	}
	out, err := s.cfg.Store.FindDisclosures(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("disclosures of customer %d: %w", f.CustomerID, err)
	}
	return out, nil
}

// DenialReport counts denied attempts per organisation over whole hours
// (or days) and flags the spikes by SpikeRule. From is rounded down and To
// up to the bucket (UTC); a zero To is the end of the bucket holding now, a
// zero From seven days before To.
func (s *Service) DenialReport(ctx context.Context, f cordon.DenialFilter) (*cordon.DenialReport, error) {
	if f.Bucket == "" {
		f.Bucket = cordon.BucketHour
	}
	var unit time.Duration
	switch f.Bucket {
	case cordon.BucketHour:
		unit = time.Hour
	case cordon.BucketDay:
		unit = 24 * time.Hour
	default:
		return nil, cordon.FieldErr("bucket", "bucket_hour_day")
	}
	to := ceil(f.To.UTC(), unit)
	if f.To.IsZero() { // to the end of the bucket now is in
		to = s.cfg.Now().UTC().Truncate(unit).Add(unit)
	}
	from := f.From.UTC().Truncate(unit)
	if f.From.IsZero() {
		from = to.Add(-7 * 24 * time.Hour)
	}
	if !from.Before(to) {
		return nil, cordon.FieldErr("from", "audit.from_must_before")
	}
	if to.Sub(from) > maxReportRange {
		return nil, cordon.FieldErr("from", "audit.report_covers_most_days", int(maxReportRange/(24*time.Hour)))
	}
	counts, err := s.cfg.Store.DenialCounts(ctx, from.Add(-cordon.SpikeBaseline), to)
	if err != nil {
		return nil, fmt.Errorf("denial report: %w", err)
	}
	r := &cordon.DenialReport{From: from, To: to, Bucket: f.Bucket, Rule: SpikeRule, Partners: []*cordon.PartnerDenials{}}
	for org, hours := range counts {
		p := &cordon.PartnerDenials{OrgID: org, Buckets: []cordon.DenialCount{}, Spikes: spikes(hours, from)}
		for _, h := range hours {
			if h.Start.Before(from) {
				continue
			}
			start := h.Start.Truncate(unit)
			if n := len(p.Buckets); n > 0 && p.Buckets[n-1].Start.Equal(start) {
				p.Buckets[n-1].Count += h.Count
			} else {
				p.Buckets = append(p.Buckets, cordon.DenialCount{Start: start, Count: h.Count})
			}
			p.Total += h.Count
		}
		p.Spike = len(p.Spikes) > 0
		if p.Total > 0 {
			r.Partners = append(r.Partners, p)
		}
	}
	// Spikes first, then the most denials, then by id.
	sort.Slice(r.Partners, func(i, j int) bool {
		a, b := r.Partners[i], r.Partners[j]
		if a.Spike != b.Spike {
			return a.Spike
		}
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		return a.OrgID < b.OrgID
	})
	return r, nil
}

// ceil rounds t up to a multiple of d.
func ceil(t time.Time, d time.Duration) time.Time {
	if r := t.Truncate(d); !r.Equal(t) {
		return r.Add(d)
	}
	return t
}

// spikes applies SpikeRule to a partner's hourly denials (in time order,
// non-empty hours only) and returns the spikes from the hour from on.
func spikes(hours []cordon.DenialCount, from time.Time) []cordon.DenialSpike {
	out := []cordon.DenialSpike{}
	window := int(cordon.SpikeBaseline / time.Hour)
	lo := 0
	var base []int
	for i, h := range hours {
		for lo < i && hours[lo].Start.Before(h.Start.Add(-cordon.SpikeBaseline)) {
			lo++ // hours[lo] lies before h's baseline
		}
		if h.Start.Before(from) || h.Count < cordon.SpikeFloor {
			continue
		}
		base = base[:0]
		for _, b := range hours[lo:i] {
			base = append(base, b.Count)
		}
		m := median(base, window)
		threshold := max(cordon.SpikeFloor, int(math.Ceil(cordon.SpikeFactor*m)))
		if h.Count >= threshold {
			out = append(out, cordon.DenialSpike{Start: h.Start, Count: h.Count, Median: m, Threshold: threshold})
		}
	}
	return out
}

// median returns the median of n values of which those given are the
// non-zero ones and the rest are 0. It sorts nonzero.
func median(nonzero []int, n int) float64 {
	slices.Sort(nonzero)
	at := func(k int) float64 { // the k-th smallest of the n values, from 0
		if z := n - len(nonzero); k >= z {
			return float64(nonzero[k-z])
		}
		return 0
	}
	if n%2 == 1 {
		return at(n / 2)
	}
	return (at(n/2-1) + at(n/2)) / 2
}
