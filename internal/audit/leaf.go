package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/cordon/cordon/internal/cordon"
)

// LeafVersion is the version of the leaf format that [EncodeLeaf] writes, in
// the "v" member of every leaf. A change to the format, such as a new field
// in cordon.AccessEvent, needs a new version: leaves already sealed must
// still re-encode to the bytes that were hashed.
const LeafVersion = 1

// timeLayout is RFC 3339 in UTC with exactly nine fractional digits, so
// that one instant has one spelling.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// ErrInvalidLeaf is wrapped by every error that reports bytes which are not
// a canonical leaf. Test for it with errors.Is.
var ErrInvalidLeaf = &cordon.Error{Code: cordon.EINVALID, Message: "The log entry is not a canonical access event."}

// EncodeLeaf returns the canonical leaf content of an access event: the
// bytes whose [LeafHash] goes into the Merkle tree.
//
// The encoding is canonical JSON, written by hand so that no change in
// encoding/json can move a byte: one object with every field of the event,
// ID included, plus the format version "v"; member names sorted by byte
// value; no insignificant whitespace; integers as JSON numbers; At as RFC
// 3339 in UTC with nine fractional digits; Fields as an array in the order
// given (nil and empty both as []). Strings are UTF-8 and escape only what
// JSON requires, as RFC 8785 does: quote, backslash and control characters
// (\b \t \n \f \r, else \u00xx). For example:
//
//	{"action":"view","at":"2025-03-01T09:30:00.000000000Z",...,"user_id":7,"v":1}
//
// Bytes that are not valid UTF-8 are written as U+FFFD, so such a string
// does not survive [DecodeLeaf] unchanged; callers should record only valid
// UTF-8. Likewise At must lie within the years 0000 to 9999 that RFC 3339
// can write.
func EncodeLeaf(e *cordon.AccessEvent) []byte {
	return AppendLeaf(make([]byte, 0, 512), e)
}

// AppendLeaf appends the canonical leaf content of e, as [EncodeLeaf]
// returns it, to dst and returns the extended buffer. Reusing one buffer
// saves an allocation per event.
func AppendLeaf(dst []byte, e *cordon.AccessEvent) []byte {
	// The members are written in sorted order; TestLeafMembersAreSorted
	// holds this list to it.
	b := append(dst, `{"action":`...)
	b = appendString(b, e.Action)
	b = append(b, `,"at":"`...)
	b = e.At.UTC().AppendFormat(b, timeLayout)
	b = append(b, `","clause":`...)
	b = appendString(b, e.Clause)
	b = append(b, `,"client_ip":`...)
	b = appendString(b, e.ClientIP)
	b = append(b, `,"contract_no":`...)
	b = appendString(b, e.ContractNo)
	b = append(b, `,"decision":`...)
	b = appendString(b, string(e.Decision))
	b = append(b, `,"download_id":`...)
	b = appendString(b, e.DownloadID)
	b = append(b, `,"fields":[`...)
	for i, f := range e.Fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, f)
	}
	b = append(b, `],"file_sha256":`...)
	b = appendString(b, e.FileSHA256)
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, e.ID, 10)
	b = append(b, `,"org_id":`...)
	b = strconv.AppendInt(b, e.OrgID, 10)
	b = append(b, `,"purpose":`...)
	b = appendString(b, e.Purpose)
	b = append(b, `,"request_id":`...)
	b = appendString(b, e.RequestID)
	b = append(b, `,"resource":`...)
	b = appendString(b, e.Resource)
	b = append(b, `,"resource_id":`...)
	b = appendString(b, e.ResourceID)
	b = append(b, `,"user_id":`...)
	b = strconv.AppendInt(b, e.UserID, 10)
	b = append(b, `,"v":`...)
	b = strconv.AppendInt(b, LeafVersion, 10)
	return append(b, '}')
}

// appendString appends s as a JSON string with the escaping of RFC 8785
// §3.2.2.2.
func appendString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0 // s[start:i] is pending, to be copied as is
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...)
			i++
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\f':
			b = append(b, '\\', 'f')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// leafJSON is the shape of a leaf for decoding only. DecodeLeaf does not
// rely on encoding/json being strict (it matches names without regard to
// case, and keeps the last of repeated members): it re-encodes what it read
// and demands the same bytes, so the bytes it accepts do not depend on the
// version of encoding/json.
type leafJSON struct {
	Action     string   `json:"action"`
	At         string   `json:"at"`
	Clause     string   `json:"clause"`
	ClientIP   string   `json:"client_ip"`
	ContractNo string   `json:"contract_no"`
	Decision   string   `json:"decision"`
	DownloadID string   `json:"download_id"`
	Fields     []string `json:"fields"`
	FileSHA256 string   `json:"file_sha256"`
	ID         int64    `json:"id"`
	OrgID      int64    `json:"org_id"`
	Purpose    string   `json:"purpose"`
	RequestID  string   `json:"request_id"`
	Resource   string   `json:"resource"`
	ResourceID string   `json:"resource_id"`
	UserID     int64    `json:"user_id"`
	V          int64    `json:"v"`
}

// DecodeLeaf parses leaf content written by [EncodeLeaf]. It accepts only
// the canonical bytes: anything else (other whitespace, member order,
// escapes, spelling of a number or a time, a missing, repeated or unknown
// member, another version) is an error wrapping [ErrInvalidLeaf], so that
// EncodeLeaf(DecodeLeaf(b)) == b whenever DecodeLeaf succeeds. The event's
// At is in UTC and an empty Fields is nil.
func DecodeLeaf(data []byte) (*cordon.AccessEvent, error) {
	var l leafJSON
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("decode leaf: %w: %w", ErrInvalidLeaf, err)
	}
	if l.V != LeafVersion {
		return nil, fmt.Errorf("decode leaf: version %d is not %d: %w", l.V, LeafVersion, ErrInvalidLeaf)
	}
	at, err := time.Parse(timeLayout, l.At)
	if err != nil {
		return nil, fmt.Errorf("decode leaf: time: %w: %w", ErrInvalidLeaf, err)
	}
	e := &cordon.AccessEvent{
		ID:         l.ID,
		At:         at,
		UserID:     l.UserID,
		OrgID:      l.OrgID,
		ContractNo: l.ContractNo,
		Clause:     l.Clause,
		Resource:   l.Resource,
		ResourceID: l.ResourceID,
		Action:     l.Action,
		Decision:   cordon.Decision(l.Decision),
		Purpose:    l.Purpose,
		RequestID:  l.RequestID,
		ClientIP:   l.ClientIP,
		FileSHA256: l.FileSHA256,
		DownloadID: l.DownloadID,
	}
	if len(l.Fields) > 0 {
		e.Fields = l.Fields
	}
	if !bytes.Equal(EncodeLeaf(e), data) {
		return nil, fmt.Errorf("decode leaf: not in canonical form: %w", ErrInvalidLeaf)
	}
	return e, nil
}
