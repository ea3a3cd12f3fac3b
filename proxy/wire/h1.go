package wire

import (
	"bytes"
	"time"
)

// MaxHead bounds a head (or a trailer section) H1 keeps: net/http's own
// limit on request heads (http.DefaultMaxHeaderBytes, 1 MB) and the
// proxy's on response heads, plus the 4 KB of slack net/http allows.
const MaxHead = 1<<20 + 4096

// maxChunkExt bounds the chunk extension a lenient H1 drops from one chunk
// line: net/http refuses chunk lines longer than 4 KB (maxLineLength), and
// curl, whose reading Lenient follows, has no reason to be asked for more.
const maxChunkExt = 4096

// H1Handler receives what an H1 sees. raw and trailer are valid only
// during the call.
type H1Handler interface {
	// Head is a complete head, start line to blank line included, as it
	// crossed (so len(raw) is its size on the wire); at is when its first
	// byte did.
	Head(raw []byte, at time.Time)
	// End is the message's last byte, at the time given to the Feed that
	// carried it; trailer is the chunked body's trailer section as sent
	// (field lines, no blank line), nil when there was none.
	End(trailer []byte, at time.Time)
}

// H1 follows one direction of an HTTP/1.1 connection (RFC 9112): where
// each message's head starts and ends, how its body is framed (RFC 9112
// §6.3), where the body ends, and a chunked body's trailers. It keeps
// heads and trailers, never bodies: a body is counted past. It follows
// the framing rules net/http applies, so it stays in step with the
// parser beside it; when it cannot (a framing net/http refuses, a head
// over MaxHead, a protocol switch), it stops for good (Off).
type H1 struct {
	// Response says the stream holds responses; otherwise requests.
	Response bool
	// Lenient rewrites, in place, a chunk line whose size is followed by
	// anything but CRLF into "SIZE\r\n": RFC 9112 §7.1.1 allows whitespace
	// before a chunk extension ("6 ; ext"), which net/http's chunked
	// reader refuses while curl reads the body whole. Extensions carry
	// nothing net/http would keep. Only for responses.
	Lenient bool
	// Handler receives heads and ends; required.
	Handler H1Handler

	st     h1State
	head   []byte
	headAt time.Time
	remain int64 // body or chunk-data bytes left
	line   int   // bytes of the head's current line so far
	size   int64 // the chunk size read so far
	digits int   // its digits
	// dropping says the rest of the current chunk line is dropped
	// (Lenient); dropped counts what was.
	dropping bool
	dropped  int
	method   string
}

type h1State uint8

const (
	h1Start        h1State = iota // between messages
	h1Head                        // reading a head
	h1Body                        // a body of known length
	h1ChunkSize                   // a chunk line's size digits
	h1ChunkExt                    // the rest of a chunk line (passed, or dropped when lenient)
	h1ChunkData                   // chunk data
	h1ChunkDataEnd                // the CRLF after chunk data
	h1Trailer                     // the trailer section
	h1UntilClose                  // a response body that ends when the connection does
	h1Off                         // out of step, or no longer HTTP/1
)

// Off reports whether h has stopped following the stream.
func (h *H1) Off() bool { return h.st == h1Off }

// Stop makes h stop following the stream: the connection switched
// protocols (101, a CONNECT tunnel) or its reader gave up on it.
func (h *H1) Stop() { h.st, h.head = h1Off, nil }

// Expect tells a response stream the method of the request the next
// response answers (HEAD responses have no body, RFC 9110 §9.3.2). A
// response stream is always waiting for the next head when Expect is
// called; if it is not, it has lost step and stops.
func (h *H1) Expect(method string) {
	h.method = method
	if h.st != h1Start && h.st != h1Off {
		h.Stop()
	}
}

// Idle reports whether h is between messages.
func (h *H1) Idle() bool { return h.st == h1Start }

// Feed gives h the next bytes of the stream, which crossed at at. It
// returns how many of them to pass on: len(p), or fewer when Lenient
// rewrote a chunk line in place.
func (h *H1) Feed(p []byte, at time.Time) int {
	r, w := 0, 0 // read and write positions in p; w < r only after a rewrite
	for r < len(p) && h.st != h1Off {
		n, out := h.step(p[r:], at)
		if out < 0 { // the step's bytes pass unchanged
			out = n
		}
		if w != r || out != n {
			copy(p[w:], p[r:r+out])
		}
		r, w = r+n, w+out
	}
	if w != r {
		copy(p[w:], p[r:])
	}
	return w + len(p) - r
}

// EOF tells h the stream ended: a body read until the connection closed
// ends here.
func (h *H1) EOF(at time.Time) {
	if h.st == h1UntilClose {
		h.st = h1Start
		h.Handler.End(nil, at)
	}
	h.Stop()
}

// step consumes a prefix of p in the current state and returns how many
// bytes it consumed and how many of them it wrote back at the front of
// p (-1: all, unchanged).
func (h *H1) step(p []byte, at time.Time) (n, out int) {
	switch h.st {
	case h1Start:
		if p[0] == '\r' || p[0] == '\n' {
			return 1, -1 // RFC 9112 §2.2: empty lines before a request line
		}
		h.st, h.headAt, h.head, h.line = h1Head, at, h.head[:0], 0
		return 0, -1
	case h1Head:
		return h.readHead(p, at), -1
	case h1Body, h1ChunkData:
		k := int(min(int64(len(p)), h.remain))
		h.remain -= int64(k)
		if h.remain == 0 {
			h.endData(at)
		}
		return k, -1
	case h1ChunkSize:
		return h.chunkSize(p)
	case h1ChunkExt:
		return h.chunkExt(p)
	case h1ChunkDataEnd:
		k := int(min(int64(len(p)), h.remain))
		if h.remain -= int64(k); h.remain == 0 {
			h.st = h1ChunkSize
		}
		return k, -1
	case h1Trailer:
		return h.readTrailer(p, at), -1
	}
	return len(p), -1 // h1UntilClose: everything until EOF
}

// endData moves on once a length-delimited body or a chunk's data ends.
func (h *H1) endData(at time.Time) {
	if h.st == h1ChunkData {
		h.st, h.remain = h1ChunkDataEnd, 2
		return
	}
	h.st = h1Start
	h.Handler.End(nil, at)
}

// readLines copies the lines of a head or a trailer section, and only
// those, into h.head until a blank line. It returns how many bytes of p
// it consumed and whether the blank line came.
func (h *H1) readLines(p []byte) (int, bool) {
	for i := 0; ; {
		j := bytes.IndexByte(p[i:], '\n')
		if j < 0 {
			h.line += len(p) - i
			h.keepHead(p)
			return len(p), false
		}
		nl := i + j
		if h.line+j == 0 || h.line+j == 1 && h.before(p, nl) == '\r' {
			h.keepHead(p[:nl+1])
			h.line = 0
			return nl + 1, h.st != h1Off
		}
		h.line, i = 0, nl+1
	}
}

// readHead reads a head; once it is whole, h reports it and frames the
// body after it.
func (h *H1) readHead(p []byte, at time.Time) int {
	n, done := h.readLines(p)
	if done {
		h.Handler.Head(h.head, h.headAt)
		h.frame(h.head, at)
	}
	return n
}

// readTrailer reads a chunked body's trailer section (RFC 9112 §7.1.2),
// which ends the message.
func (h *H1) readTrailer(p []byte, at time.Time) int {
	n, done := h.readLines(p)
	if done {
		var trailer []byte
		if len(bytes.TrimLeft(h.head, "\r\n")) > 0 {
			trailer = h.head
		}
		h.st = h1Start
		h.Handler.End(trailer, at)
	}
	return n
}

// chunkSize reads a chunk line's size digits (RFC 9112 §7.1). What follows
// them goes to chunkExt: passed as it is, or, when Lenient and it is not
// CRLF, turned into the CRLF net/http wants: its first byte becomes the
// CR here, the rest up to the LF is dropped there.
func (h *H1) chunkSize(p []byte) (n, out int) {
	k := 0
	for ; k < len(p); k++ {
		d := unhex(p[k])
		if d < 0 {
			break
		}
		if h.digits++; h.digits > 15 { // net/http's limit: a length below 2^60
			h.Stop()
			return len(p), -1
		}
		h.size = h.size<<4 | int64(d)
	}
	if k == len(p) {
		return k, -1
	}
	if h.digits == 0 {
		h.Stop() // no size: net/http refuses the body
		return len(p), -1
	}
	h.st, h.dropping = h1ChunkExt, false
	if h.Lenient && p[k] != '\r' && p[k] != '\n' {
		p[k] = '\r'
		h.dropping, h.dropped = true, 0
		return k + 1, -1
	}
	return k, -1
}

// chunkExt reads the rest of a chunk line up to its LF, then starts the
// chunk's data, or the trailer section after the last chunk.
func (h *H1) chunkExt(p []byte) (n, out int) {
	j := bytes.IndexByte(p, '\n')
	switch {
	case j < 0 && !h.dropping:
		return len(p), -1
	case j < 0:
		if h.dropped += len(p); h.dropped > maxChunkExt {
			h.Stop()
		}
		return len(p), 0
	}
	if h.dropping {
		p[0], out = '\n', 1 // in place: p[0] was read and is dropped
	} else {
		out = -1
	}
	h.st, h.remain = h1ChunkData, h.size
	if h.size == 0 {
		h.st, h.head, h.line = h1Trailer, h.head[:0], 0
	}
	h.size, h.digits = 0, 0
	return j + 1, out
}

// unhex is a hex digit's value, or -1.
func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// before is the byte before p[i] in the stream: in p, or the last one kept.
func (h *H1) before(p []byte, i int) byte {
	if i > 0 {
		return p[i-1]
	}
	if len(h.head) > 0 {
		return h.head[len(h.head)-1]
	}
	return 0
}

// keepHead appends b to the head, unless that makes it longer than
// MaxHead, which stops h.
func (h *H1) keepHead(b []byte) {
	if len(h.head)+len(b) > MaxHead {
		h.Stop()
		return
	}
	h.head = append(h.head, b...)
}
