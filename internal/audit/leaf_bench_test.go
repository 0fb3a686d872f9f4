package audit

import (
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// typicalEvent is a partner's disclosure of a customer's contact fields, the
// commonest event in the log.
func typicalEvent() *cordon.AccessEvent {
	return &cordon.AccessEvent{
		ID:         123456789,
		At:         time.Date(2025, 3, 1, 9, 30, 0, 123456789, time.UTC),
		UserID:     4711,
		OrgID:      42,
		ContractNo: "SVC-2025-0042",
		Clause:     "4.2",
		Resource:   "customer",
		ResourceID: "100234",
		Action:     "disclose",
		Decision:   cordon.Allow,
		Purpose:    "job:987654",
		Fields:     []string{"name", "phone", "street", "postcode", "city"},
		RequestID:  "01JNB6M3QK8Z7X4V2R9T5W0YCE",
		ClientIP:   "203.0.113.17",
	}
}

func BenchmarkAppendLeaf(b *testing.B) {
	e := typicalEvent()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendLeaf(buf[:0], e)
	}
	b.SetBytes(int64(len(buf)))
}

// leafSink keeps EncodeLeaf's result alive, as a caller would.
var leafSink []byte

func BenchmarkEncodeLeaf(b *testing.B) {
	e := typicalEvent()
	b.ReportAllocs()
	for b.Loop() {
		leafSink = EncodeLeaf(e)
	}
}

func BenchmarkLeafHash(b *testing.B) {
	leaf := EncodeLeaf(typicalEvent())
	b.SetBytes(int64(len(leaf)))
	b.ReportAllocs()
	for b.Loop() {
		LeafHash(leaf)
	}
}

func BenchmarkCompactAppend(b *testing.B) {
	var c Compact
	h := LeafHash([]byte("x"))
	b.ReportAllocs()
	for b.Loop() {
		c.Append(h)
	}
}

// BenchmarkSealEvent is the whole per-event cost of sealing, or of verifying
// a log by replaying it: encode the event, hash the leaf, append it.
func BenchmarkSealEvent(b *testing.B) {
	e := typicalEvent()
	buf := make([]byte, 0, 1024)
	var c Compact
	b.ReportAllocs()
	for b.Loop() {
		e.ID++
		buf = AppendLeaf(buf[:0], e)
		c.Append(LeafHash(buf))
	}
	_ = c.Root()
}

func BenchmarkDecodeLeaf(b *testing.B) {
	leaf := EncodeLeaf(typicalEvent())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeLeaf(leaf); err != nil {
			b.Fatal(err)
		}
	}
}
