package wire

import (
	"bytes"
	"time"
)

// framing is what a head says about the body after it.
type framing struct {
	method  []byte // requests
	status  int    // responses; 0 for a request
	http10  bool
	te      []byte // the Transfer-Encoding value, when exactly one field
	teCount int
	cl      []byte // the first Content-Length value
	clOther bool   // a later Content-Length differs from the first
}

// framingOf reads a head's start line and the fields that frame its body.
func framingOf(raw []byte, response bool) framing {
	var f framing
	line, rest := cutLine(raw)
	a, b, _ := bytes.Cut(line, []byte(" "))
	if response {
		f.http10 = bytes.Equal(a, []byte("HTTP/1.0"))
		code, _, _ := bytes.Cut(b, []byte(" "))
		f.status = int(digits(code, 3))
	} else {
		f.method = a
		f.http10 = bytes.HasSuffix(line, []byte(" HTTP/1.0"))
	}
	eachField(rest, func(name, value []byte, _ bool) {
		switch {
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			f.teCount++
			f.te = value
		case bytes.EqualFold(name, []byte("Content-Length")):
			if f.cl == nil {
				f.cl = value
			} else if !bytes.Equal(f.cl, value) {
				f.clOther = true
			}
		}
	})
	return f
}

// frame sets h's state for the body after the head raw, as net/http
// frames it (net/http's transfer.go: readTransfer and fixLength), and
// reports a message without a body ended.
func (h *H1) frame(raw []byte, at time.Time) {
	f := framingOf(raw, h.Response)
	h.st = h1Start
	switch {
	case h.Response && f.status == 101, !h.Response && string(f.method) == "CONNECT",
		h.Response && h.method == "CONNECT" && f.status/100 == 2:
		h.Stop() // the connection is no longer HTTP/1 (RFC 9110 §7.8, §9.3.6)
		return
	case h.Response && f.status >= 100 && f.status < 200:
		return // interim (RFC 9110 §15.2): the final head follows
	case h.Response && (f.status == 204 || f.status == 304 || h.method == "HEAD"):
		h.Handler.End(nil, at) // RFC 9112 §6.3 rules 1 and 2
		return
	}
	switch chunked, ok := f.chunked(); {
	case !ok:
		h.Stop() // net/http refuses it and closes the connection
	case chunked:
		h.st = h1ChunkSize
	case f.cl != nil:
		n := digits(f.cl, 18)
		if n < 0 || f.clOther {
			h.Stop()
			return
		}
		if h.st, h.remain = h1Body, n; n == 0 {
			h.st = h1Start
			h.Handler.End(nil, at)
		}
	case h.Response:
		h.st = h1UntilClose
	default:
		h.Handler.End(nil, at) // a request without either has no body
	}
}

// chunked says whether the body is chunked, and whether net/http accepts
// the Transfer-Encoding at all: one field, "chunked", ignored in HTTP/1.0.
func (f framing) chunked() (chunked, ok bool) {
	switch {
	case f.teCount == 0 || f.http10:
		return false, true
	case f.teCount > 1 || !bytes.EqualFold(f.te, []byte("chunked")):
		return false, false
	}
	return true, true
}

// digits is the value of b, all decimal digits, at most max of them
// (RFC 9110 §8.6: Content-Length = 1*DIGIT); -1 otherwise.
func digits(b []byte, max int) int64 {
	if len(b) == 0 || len(b) > max {
		return -1
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

// cutLine splits the first line (without its CRLF or LF) from the rest.
func cutLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil
	}
	return bytes.TrimSuffix(b[:i], []byte("\r")), b[i+1:]
}

// eachField calls fn with each field line's name and value (surrounding
// whitespace trimmed) until the blank line; both are parts of b. A line
// that begins with whitespace continues the one before (obs-fold, RFC
// 9112 §5.2): it is joined to it with one space, as net/http joins it,
// into a value of its own, and folded says so.
func eachField(b []byte, fn func(name, value []byte, folded bool)) {
	var name, value []byte
	folded := false
	flush := func() {
		if name != nil {
			fn(name, value, folded)
		}
		name, value, folded = nil, nil, false
	}
	for len(b) > 0 {
		var line []byte
		line, b = cutLine(b)
		switch {
		case len(line) == 0:
			flush()
			return
		case (line[0] == ' ' || line[0] == '\t') && name != nil:
			value = append(append(value[:len(value):len(value)], ' '), bytes.TrimSpace(line)...)
			folded = true
		default:
			flush()
			n, v, ok := bytes.Cut(line, []byte(":"))
			if !ok {
				continue // not a field line; net/http would refuse the head
			}
			name, value = n, bytes.Trim(v, " \t")
		}
	}
	flush()
}
