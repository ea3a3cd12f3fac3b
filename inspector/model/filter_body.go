package model

// Body terms of the filter language: body:TEXT (the decoded request or
// response body contains TEXT, any case) and body~REGEX (it matches a Go
// regular expression). A Row holds no body, so a body term is answered in
// one of two ways:
//
//   - Match, on a store.Flow read with its bodies (an export), decodes
//     them and tests them at once;
//   - MatchRow, on a list row, looks the flow up in the filter's
//     BodyHits, which the inspector fills in the background by scanning
//     the session's bodies (ScanBodies) a batch at a time: a flow not
//     scanned yet does not match (a body term's negation neither), so the
//     list grows as the scan goes and never blocks a key.
//
// Bodies are decoded through store/codec, the one decoder, each up to
// BodyScanMax bytes: a bounded scan, chosen over SQLite FTS5 by
// measurement (docs/BENCHMARKS.md, "Body search").

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/codec"
)

// BodyScanMax is the most decoded bytes of one body a body term reads:
// four times the default --max-body, so a stored 1 MiB of text that was
// compressed is read whole.
const BodyScanMax = 4 << 20

// maxBodyTerms bounds the body terms of one filter (a bit each in
// BodyHits).
const maxBodyTerms = 8

// bodyTest tests one decoded body.
type bodyTest func(data []byte) bool

// BodyHits records, for the flows scanned so far, which body terms each
// flow's bodies matched (a bit per term). Only the inspector's UI
// goroutine adds to it (Add); scans build their own and hand them over.
type BodyHits struct {
	bits   map[int64]uint8
	upTo   int64 // every flow with an ID up to this has been scanned
	active bool  // the filter has body terms
}

// NewBodyHits returns an empty set of hits.
func NewBodyHits() *BodyHits { return &BodyHits{bits: map[int64]uint8{}} }

// Set records a flow's hits (a bit per body term, from ScanFlow).
func (h *BodyHits) Set(id int64, bits uint8) {
	if bits != 0 {
		h.bits[id] = bits
	}
}

// Add takes a scan's hits, up to the flow ID the scan reached.
func (h *BodyHits) Add(more *BodyHits) {
	for id, b := range more.bits {
		h.bits[id] = b
	}
	h.upTo = max(h.upTo, more.upTo)
}

// Reached marks every flow up to id as scanned.
func (h *BodyHits) Reached(id int64) { h.upTo = max(h.upTo, id) }

// UpTo is the highest flow ID scanned.
func (h *BodyHits) UpTo() int64 { return h.upTo }

// HasBody reports whether the filter has body terms: the inspector must
// scan bodies for them, and an export read each kept flow's bodies.
func (f Filter) HasBody() bool { return len(f.bodies) > 0 }

// Hits is the filter's record of scanned bodies (nil without body terms).
func (f Filter) Hits() *BodyHits {
	if !f.HasBody() {
		return nil
	}
	return f.hits
}

// ScanFlow tests a flow's bodies (read with the flow, and its headers for
// Content-Encoding) against every body term: bit i set when term i matched
// the request's or the response's decoded body.
func (f Filter) ScanFlow(fl *store.Flow) uint8 { return f.NewScanner().Scan(fl) }

// BodyScanner is ScanFlow for many flows in a row: it decodes every body
// into the same two buffers instead of a new one each (at 100,000 flows,
// allocating and clearing them was half the scan's time). One goroutine
// uses a scanner.
type BodyScanner struct {
	f        Filter
	req, res []byte
	dec      codec.Reuser // one gzip reader for every body
}

// NewScanner returns a scanner of the filter's body terms.
func (f Filter) NewScanner() *BodyScanner { return &BodyScanner{f: f} }

// Scan is ScanFlow, reusing the scanner's buffers.
func (s *BodyScanner) Scan(fl *store.Flow) uint8 {
	if !s.f.HasBody() {
		return 0
	}
	var req, resp []byte
	req, s.req = decodedBody(&fl.ReqBody, fl.ReqHeaders, s.req, &s.dec)
	resp, s.res = decodedBody(&fl.RespBody, fl.RespHeaders, s.res, &s.dec)
	var bits uint8
	for i, test := range s.f.bodies {
		if (len(req) > 0 && test(req)) || (len(resp) > 0 && test(resp)) {
			bits |= 1 << i
		}
	}
	return bits
}

// decodedBody is a body as its Content-Encoding undoes it (store/codec),
// at most BodyScanMax bytes, decoded into buf (returned grown, for the
// next body); what cannot be decoded is searched as stored.
func decodedBody(b *store.Body, h store.Headers, buf []byte, dec *codec.Reuser) (data, scratch []byte) {
	if len(b.Data) == 0 {
		return nil, buf
	}
	enc := h.Get("Content-Encoding")
	if b.Decoded || len(codec.Codings(enc)) == 0 {
		return b.Data[:min(len(b.Data), BodyScanMax)], buf
	}
	r, closeAll, err := dec.NewReader(bytes.NewReader(b.Data), enc)
	if err != nil {
		return b.Data[:min(len(b.Data), BodyScanMax)], buf
	}
	defer closeAll()
	buf = buf[:0]
	for len(buf) < BodyScanMax {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow (amortised), never past what is read
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), BodyScanMax)])
		buf = buf[:len(buf)+n]
		if err != nil {
			break // the end, or a cut copy: search what came out
		}
	}
	if len(buf) == 0 {
		return b.Data[:min(len(b.Data), BodyScanMax)], buf
	}
	return buf, buf
}

// bodyTerm parses body:TEXT or body~REGEX into a term whose MatchRow reads
// the filter's hits.
func (f *Filter) bodyTerm(op, val string) (func(*Row) bool, error) {
	if len(f.bodies) >= maxBodyTerms {
		return nil, fmt.Errorf("at most %d body terms in one filter", maxBodyTerms)
	}
	var test bodyTest
	switch op {
	case ":":
		if val == "" {
			return nil, fmt.Errorf("body: what text? e.g. body:error or body:\"two words\"")
		}
		needle := []byte(strings.ToLower(val))
		test = func(data []byte) bool { return containsFoldBytes(data, needle) }
	case "~":
		re, err := regexp.Compile(val)
		if err != nil {
			return nil, fmt.Errorf("body~%s is not a regular expression: %v", val, err)
		}
		test = re.Match
	default:
		return nil, fmt.Errorf("body takes body:TEXT or body~REGEX, not %s", op)
	}
	bit := uint8(1) << len(f.bodies)
	f.bodies = append(f.bodies, test)
	if f.hits == nil {
		f.hits = NewBodyHits()
		f.hits.active = true
	}
	hits := f.hits
	return func(r *Row) bool { return hits.bits[r.ID]&bit != 0 }, nil
}

// bodyPending reports whether a row's bodies have not been scanned yet:
// no body term, negated or not, matches it until they are.
func (f *Filter) bodyPending(r *Row) bool {
	return f.hits != nil && f.hits.active && r.ID > f.hits.upTo
}

// containsFoldBytes is containsFold over bytes: ASCII case ignored,
// nothing allocated.
func containsFoldBytes(hay, lowerNeedle []byte) bool {
	n := len(lowerNeedle)
	if n == 0 {
		return true
	}
	first := lowerNeedle[0]
	upper := first
	if 'a' <= first && first <= 'z' {
		upper -= 'a' - 'A'
	}
	for i := 0; i+n <= len(hay); i++ {
		if c := hay[i]; c != first && c != upper {
			j := bytes.IndexByte(hay[i+1:], first)
			k := -1
			if upper != first {
				k = bytes.IndexByte(hay[i+1:], upper)
			}
			next := j
			if next < 0 || (k >= 0 && k < next) {
				next = k
			}
			if next < 0 {
				return false
			}
			i += next // the loop's i++ lands on the candidate
			continue
		}
		if equalFold(hay[i:i+n], lowerNeedle) {
			return true
		}
	}
	return false
}

func equalFold(a, lower []byte) bool {
	for j := range lower {
		c := a[j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[j] {
			return false
		}
	}
	return true
}
