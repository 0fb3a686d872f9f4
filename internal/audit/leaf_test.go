package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cordon/cordon/internal/cordon"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or writes it there under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s mismatch (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

// goldenEvent is the event of testdata/leaf.json. Its strings hold what an
// encoder might be tempted to treat differently: quotes, backslashes,
// control characters, HTML, non-ASCII, U+2028 and an emoji. Its time is not
// in UTC and carries nanoseconds.
func goldenEvent() *cordon.AccessEvent {
	return &cordon.AccessEvent{
		ID:         9007199254740993, // 2^53+1: not exact in a float64
		At:         time.Date(2025, 3, 1, 10, 30, 0, 123456789, time.FixedZone("CET", 3600)),
		UserID:     42,
		OrgID:      -7,
		ContractNo: "K-2025/001",
		Clause:     "§4.2 \"disclosure\"",
		Resource:   "customer",
		ResourceID: "c:1001",
		Action:     "disclose",
		Decision:   cordon.Allow,
		Purpose:    "job:42",
		Fields:     []string{"phone", "name", "street\taddress", "<b>&</b>"},
		RequestID:  "req\\01\x00\x1f\x7f",
		ClientIP:   "2001:db8::1",
		FileSHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		DownloadID: "Müller\u2028😀",
	}
}

var eventCmp = cmp.Options{
	cmpopts.EquateEmpty(),
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
}

// The golden leaf was checked independently when it was written: Python's
// json.dumps(json.loads(leaf), sort_keys=True, separators=(",", ":"),
// ensure_ascii=False) gives back the same bytes, and hashlib gives the same
// leaf hash.
func TestEncodeLeafGolden(t *testing.T) {
	got := EncodeLeaf(goldenEvent())
	golden(t, "leaf.json", got)
	// The hash of the golden leaf is fixed too: a change here is a change
	// to every sealed log.
	golden(t, "leaf.sha256", []byte(LeafHash(got).String()+"\n"))
}

func TestLeafRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		e    *cordon.AccessEvent
	}{
		{"golden", goldenEvent()},
		{"zero", &cordon.AccessEvent{}},
		{"denial", &cordon.AccessEvent{ID: 1, At: time.Unix(1700000000, 0), UserID: 3, OrgID: 2,
			Resource: "job", ResourceID: "17", Action: "view", Decision: cordon.Deny, RequestID: "r1"}},
		{"extreme integers", &cordon.AccessEvent{ID: -1 << 63, UserID: 1<<63 - 1, OrgID: 0}},
		{"empty field name", &cordon.AccessEvent{Fields: []string{""}}},
		{"latest time", &cordon.AccessEvent{At: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)}},
		{"year zero", &cordon.AccessEvent{At: time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := EncodeLeaf(tc.e)
			if !json.Valid(b) {
				t.Fatalf("EncodeLeaf wrote invalid JSON: %s", b)
			}
			got, err := DecodeLeaf(b)
			if err != nil {
				t.Fatalf("DecodeLeaf(%s): %v", b, err)
			}
			if diff := cmp.Diff(tc.e, got, eventCmp); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
			if got.At.Location() != time.UTC {
				t.Errorf("decoded At is in %v, want UTC", got.At.Location())
			}
		})
	}
}

func TestLeafMatchesEncodingJSON(t *testing.T) {
	// What the hand-written encoder says, encoding/json reads the same way.
	e := goldenEvent()
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(EncodeLeaf(e)))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"action": e.Action, "at": "2025-03-01T09:30:00.123456789Z", "clause": e.Clause,
		"client_ip": e.ClientIP, "contract_no": e.ContractNo, "decision": "allow",
		"download_id": e.DownloadID, "fields": []any{"phone", "name", "street\taddress", "<b>&</b>"},
		"file_sha256": e.FileSHA256, "id": json.Number("9007199254740993"), "org_id": json.Number("-7"),
		"purpose": e.Purpose, "request_id": e.RequestID, "resource": e.Resource,
		"resource_id": e.ResourceID, "user_id": json.Number("42"), "v": json.Number("1"),
	}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("leaf read by encoding/json mismatch (-want +got):\n%s", diff)
	}
}

func TestLeafMembersAreSorted(t *testing.T) {
	d := json.NewDecoder(bytes.NewReader(EncodeLeaf(goldenEvent())))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("leaf does not start with an object: %v %v", tok, err)
	}
	var keys []string
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var value json.RawMessage
		if err := d.Decode(&value); err != nil {
			t.Fatal(err)
		}
	}
	if len(keys) != 17 {
		t.Fatalf("found %d members %q, want the 16 fields of AccessEvent and v", len(keys), keys)
	}
	if !slices.IsSorted(keys) {
		t.Errorf("members %q are not sorted", keys)
	}
}

func TestLeafEscaping(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"plain", `"plain"`},
		{`"`, `"\""`},
		{`\`, `"\\"`},
		{"/", `"/"`},
		{"\b\t\n\f\r", `"\b\t\n\f\r"`},
		{"\x00\x01\x1f", `"\u0000\u0001\u001f"`},
		{"\x7f", "\"\x7f\""},
		{"<>&", `"<>&"`},
		{"\u2028\u2029", "\"\u2028\u2029\""},
		{"é😀", `"é😀"`},
		{"a\xffb", "\"a\uFFFDb\""},
		{"\xed\xa0\x80", "\"\uFFFD\uFFFD\uFFFD\""}, // a surrogate half is not UTF-8
	} {
		if got := string(appendString(nil, tc.in)); got != tc.want {
			t.Errorf("appendString(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestEncodeLeafIgnoresLocationAndMonotonic(t *testing.T) {
	now := time.Now() // carries a monotonic clock reading
	want := EncodeLeaf(&cordon.AccessEvent{At: now.Round(0).UTC()})
	for _, at := range []time.Time{now, now.Round(0), now.In(time.FixedZone("X", -5*3600))} {
		if got := EncodeLeaf(&cordon.AccessEvent{At: at}); !bytes.Equal(got, want) {
			t.Errorf("EncodeLeaf(At: %v) = %s, want %s", at, got, want)
		}
	}
}

func TestDecodeLeafRejects(t *testing.T) {
	good := string(EncodeLeaf(goldenEvent()))
	for _, tc := range []struct {
		name, leaf string
	}{
		{"empty", ""},
		{"not json", "hello"},
		{"array", "[]"},
		{"trailing newline", good + "\n"},
		{"leading space", " " + good},
		{"trailing garbage", good + "{}"},
		{"space after colon", strings.Replace(good, `"id":`, `"id": `, 1)},
		{"members swapped", strings.Replace(good, `{"action":"disclose","at":"2025-03-01T09:30:00.123456789Z"`, `{"at":"2025-03-01T09:30:00.123456789Z","action":"disclose"`, 1)},
		{"upper-case member", strings.Replace(good, `"action"`, `"ACTION"`, 1)},
		{"unknown member", strings.Replace(good, `"v":1}`, `"v":1,"x":1}`, 1)},
		{"duplicate member", strings.Replace(good, `"v":1}`, `"v":1,"v":1}`, 1)},
		{"missing member", strings.Replace(good, `,"purpose":"job:42"`, ``, 1)},
		{"version 2", strings.Replace(good, `"v":1}`, `"v":2}`, 1)},
		{"no version", strings.Replace(good, `,"v":1}`, `}`, 1)},
		{"escaped slash", strings.Replace(good, `K-2025/001`, `K-2025\/001`, 1)},
		{"needless escape", strings.Replace(good, `"disclose"`, `"\u0064isclose"`, 1)},
		{"upper-case hex escape", strings.Replace(good, `\u001f`, `\u001F`, 1)},
		{"number with plus", strings.Replace(good, `"user_id":42`, `"user_id":+42`, 1)},
		{"number with exponent", strings.Replace(good, `"user_id":42`, `"user_id":4.2e1`, 1)},
		{"number as string", strings.Replace(good, `"user_id":42`, `"user_id":"42"`, 1)},
		{"leading zero", strings.Replace(good, `"user_id":42`, `"user_id":042`, 1)},
		{"integer overflow", strings.Replace(good, `"user_id":42`, `"user_id":9223372036854775808`, 1)},
		{"null fields", strings.Replace(good, `"fields":["phone","name","street\taddress","<b>&</b>"]`, `"fields":null`, 1)},
		{"null string", strings.Replace(good, `"purpose":"job:42"`, `"purpose":null`, 1)},
		{"time in CET", strings.Replace(good, `2025-03-01T09:30:00.123456789Z`, `2025-03-01T10:30:00.123456789+01:00`, 1)},
		{"time in millis", strings.Replace(good, `2025-03-01T09:30:00.123456789Z`, `2025-03-01T09:30:00.123Z`, 1)},
		{"time lower-case z", strings.Replace(good, `2025-03-01T09:30:00.123456789Z`, `2025-03-01T09:30:00.123456789z`, 1)},
		{"time nonsense", strings.Replace(good, `2025-03-01T09:30:00.123456789Z`, `yesterday`, 1)},
		{"invalid UTF-8", strings.Replace(good, `Müller`, "M\xfcller", 1)},
		{"escaped DEL", strings.Replace(good, "\x7f", `\u007f`, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.leaf == good {
				t.Fatalf("the mutation did not change the leaf")
			}
			e, err := DecodeLeaf([]byte(tc.leaf))
			if !errors.Is(err, ErrInvalidLeaf) {
				t.Errorf("DecodeLeaf(%s) = %+v, %v; want ErrInvalidLeaf", tc.leaf, e, err)
			}
		})
	}
}

func FuzzDecodeLeaf(f *testing.F) {
	f.Add(EncodeLeaf(goldenEvent()))
	f.Add(EncodeLeaf(&cordon.AccessEvent{}))
	f.Add([]byte(`{"action":"","at":"0001-01-01T00:00:00.000000000Z"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := DecodeLeaf(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidLeaf) {
				t.Fatalf("error %v does not wrap ErrInvalidLeaf", err)
			}
			return
		}
		// Whatever decodes is canonical: it encodes back to the same bytes.
		if got := EncodeLeaf(e); !bytes.Equal(got, data) {
			t.Fatalf("EncodeLeaf(DecodeLeaf(%q)) = %q", data, got)
		}
	})
}

func FuzzLeafRoundTrip(f *testing.F) {
	g := goldenEvent()
	f.Add(g.ID, g.At.UnixNano(), g.UserID, g.Clause, g.RequestID, g.DownloadID, strings.Join(g.Fields, ","))
	f.Fuzz(func(t *testing.T, id, at, user int64, clause, request, download, fields string) {
		e := &cordon.AccessEvent{ID: id, At: time.Unix(0, at).UTC(), UserID: user,
			Clause: clause, RequestID: request, DownloadID: download}
		if fields != "" {
			e.Fields = strings.Split(fields, ",")
		}
		b := EncodeLeaf(e)
		if !json.Valid(b) {
			t.Fatalf("EncodeLeaf wrote invalid JSON: %q", b)
		}
		got, err := DecodeLeaf(b)
		valid := utf8Valid(clause, request, download, fields)
		if !valid {
			// Invalid UTF-8 is written as U+FFFD: it must still decode, to
			// the replaced text.
			if err != nil {
				t.Fatalf("DecodeLeaf(%q): %v", b, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("DecodeLeaf(%q): %v", b, err)
		}
		if diff := cmp.Diff(e, got, eventCmp); diff != "" {
			t.Fatalf("round trip mismatch (-want +got):\n%s", diff)
		}
	})
}

func utf8Valid(ss ...string) bool {
	for _, s := range ss {
		if !json.Valid(appendString(nil, s)) || strings.ToValidUTF8(s, "\uFFFD") != s {
			return false
		}
	}
	return true
}
