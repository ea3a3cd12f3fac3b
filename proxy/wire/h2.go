package wire

import (
	"encoding/binary"
	"time"

	"golang.org/x/net/http2/hpack"

	"github.com/glassbox-dev/glassbox/store"
)

// HPACKTableSize is the dynamic table size H2 decodes with: the size Go's
// HTTP/2 server and client announce unless configured otherwise
// (SETTINGS_HEADER_TABLE_SIZE, RFC 9113 §6.5.2: 4,096), which glassbox
// does not configure. An encoder may use no more (RFC 7541 §4.2), so a
// decoder fed the same blocks in the same order stays in step with the
// connection's own.
const HPACKTableSize = 4096

// blockFields is the room a decoded block starts with: a browser's
// request carries about 15 to 20 fields, a response fewer.
const blockFields = 20

// clientPreface opens every HTTP/2 connection from a client (RFC 9113 §3.4).
const clientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// HTTP/2 frame types and flags H2 reads (RFC 9113 §6).
const (
	FrameData         = 0x0
	FrameHeaders      = 0x1
	FrameRSTStream    = 0x3
	framePushPromise  = 0x5
	frameContinuation = 0x9

	FlagEndStream  = 0x1
	flagEndHeaders = 0x4
	flagPadded     = 0x8
	flagPriority   = 0x20
)

// Frame is a frame's header.
type Frame struct {
	Type   uint8
	Flags  uint8
	Stream uint32
	Length uint32
}

// EndStream reports a DATA or HEADERS frame that ends its stream's side.
func (f Frame) EndStream() bool {
	return (f.Type == FrameData || f.Type == FrameHeaders) && f.Flags&FlagEndStream != 0
}

// H2Handler receives what an H2 sees. fields are the handler's to keep:
// a decoded HTTP/2 header block as it was sent, pseudo-header fields
// (":method", ":status"...) first as HTTP/2 requires, names in lower
// case, a cookie split into several fields kept split (RFC 9113 §8.2.3),
// with proxy credentials NotRecorded (store.Field).
type H2Handler interface {
	// Frame is each frame's header, at the time of the Feed that carried
	// its last byte.
	Frame(f Frame, at time.Time)
	// Headers is a stream's complete header block (HEADERS and its
	// CONTINUATIONs), when H2 decodes: at
	// is when its HEADERS frame's header crossed, endStream that frame's
	// END_STREAM flag.
	Headers(stream uint32, fields store.Headers, endStream bool, at time.Time)
}

// H2 follows one direction of an HTTP/2 connection: each frame's header,
// and, when Decode is set, each header block decoded with an HPACK
// decoder of its own that sees every block the connection's decoder
// sees, in the same order, and so holds the same dynamic table (RFC 7541
// §2.3.2). It copies header blocks, never DATA. On anything that breaks
// the framing it stops for good (Off).
type H2 struct {
	// Preface says the stream begins with the client preface.
	Preface bool
	// Decode decodes header blocks (the direction whose fields are
	// recorded); otherwise only frame headers are reported.
	Decode  bool
	Handler H2Handler

	started bool
	off     bool
	skip    int // preface bytes still to read
	hdr     [9]byte
	hn      int // bytes of hdr read
	cur     Frame
	curAt   time.Time
	left    uint32 // payload bytes of cur still to come
	payload []byte // cur's payload, for frames that carry a header block
	block   []byte
	open    bool // a header block waits for CONTINUATION
	bStream uint32
	bEnd    bool
	bPush   bool
	bAt     time.Time
	dec     *hpack.Decoder
	fields  store.Headers // the block being decoded
}

// Off reports whether h has stopped following the stream.
func (h *H2) Off() bool { return h.off }

func (h *H2) stop() { h.off, h.payload, h.block = true, nil, nil }

// Feed gives h the next bytes of the stream, which crossed at at.
func (h *H2) Feed(p []byte, at time.Time) {
	if !h.started {
		h.started = true
		if h.Preface {
			h.skip = len(clientPreface)
		}
		if h.Decode {
			h.dec = hpack.NewDecoder(HPACKTableSize, func(f hpack.HeaderField) {
				h.fields = append(h.fields, store.Field(f.Name, f.Value))
			})
		}
	}
	for len(p) > 0 && !h.off {
		switch {
		case h.skip > 0:
			k := min(h.skip, len(p))
			if string(p[:k]) != clientPreface[len(clientPreface)-h.skip:][:k] {
				h.stop()
				return
			}
			h.skip -= k
			p = p[k:]
		case h.hn < len(h.hdr):
			k := copy(h.hdr[h.hn:], p)
			h.hn += k
			p = p[k:]
			if h.hn == len(h.hdr) {
				h.startFrame(at)
			}
		default:
			k := int(min(uint32(len(p)), h.left))
			if h.keeps() {
				h.payload = append(h.payload, p[:k]...)
			}
			h.left -= uint32(k)
			p = p[k:]
			if h.left == 0 {
				h.endFrame()
			}
		}
	}
}

// startFrame reads a frame header; a frame without payload ends at once.
func (h *H2) startFrame(at time.Time) {
	b := h.hdr[:]
	h.cur = Frame{
		Length: uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]),
		Type:   b[3], Flags: b[4],
		Stream: binary.BigEndian.Uint32(b[5:]) & (1<<31 - 1),
	}
	h.curAt, h.left, h.payload = at, h.cur.Length, h.payload[:0]
	if h.open && (h.cur.Type != frameContinuation || h.cur.Stream != h.bStream) {
		h.stop() // RFC 9113 §6.10: nothing may come between
		return
	}
	if h.keeps() && h.cur.Length > MaxHead {
		h.stop()
		return
	}
	h.Handler.Frame(h.cur, at)
	if h.left == 0 {
		h.endFrame()
	}
}

// keeps reports whether cur's payload is kept: a header block fragment
// to decode.
func (h *H2) keeps() bool {
	switch h.cur.Type {
	case FrameHeaders, framePushPromise, frameContinuation:
		return h.Decode
	}
	return false
}

// endFrame ends the current frame: the next bytes are a frame header.
func (h *H2) endFrame() {
	h.hn = 0
	if !h.keeps() {
		return
	}
	frag, ok := fragment(h.cur, h.payload)
	if !ok {
		h.stop()
		return
	}
	if h.cur.Type != frameContinuation {
		h.block, h.open = h.block[:0], true
		h.bStream, h.bAt = h.cur.Stream, h.curAt
		h.bEnd = h.cur.Flags&FlagEndStream != 0
		h.bPush = h.cur.Type == framePushPromise
	}
	if len(h.block)+len(frag) > MaxHead {
		h.stop()
		return
	}
	h.block = append(h.block, frag...)
	if h.cur.Flags&flagEndHeaders == 0 {
		return
	}
	h.open = false
	h.fields = make(store.Headers, 0, blockFields)
	_, err := h.dec.Write(h.block)
	if err == nil {
		err = h.dec.Close()
	}
	if err != nil {
		h.stop()
		return
	}
	if !h.bPush { // a promise's block only keeps the table in step
		h.Handler.Headers(h.bStream, h.fields, h.bEnd, h.bAt)
	}
	h.fields = nil
}

// fragment is the header block fragment in a frame's payload: without
// padding (RFC 9113 §6.1), the priority of a HEADERS frame (§6.2) or the
// promised stream of a PUSH_PROMISE (§6.6).
func fragment(f Frame, p []byte) ([]byte, bool) {
	if f.Type == frameContinuation {
		return p, true
	}
	pad := 0
	if f.Flags&flagPadded != 0 {
		if len(p) < 1 {
			return nil, false
		}
		pad, p = int(p[0]), p[1:]
	}
	skip := 0
	switch {
	case f.Type == framePushPromise:
		skip = 4
	case f.Flags&flagPriority != 0:
		skip = 5
	}
	if len(p) < skip+pad {
		return nil, false
	}
	return p[skip : len(p)-pad], true
}
