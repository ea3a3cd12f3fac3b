package proxy

import (
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"

	"github.com/glassbox-dev/glassbox/proxy/dialer"
	"github.com/glassbox-dev/glassbox/store"
)

// A flow's marks come from events every exchange has, each taken where
// it happens: the request's last byte handed to the connection, the
// response's first byte read from it, its last byte read (tap.go). They
// do not depend on which goroutine reports first: httptrace's
// WroteRequest fires in the Transport's writer after the write, and on an
// HTTP/2 connection, where the writer is the stream's, after the answer
// may have been read, the body with it, and the flow recorded.

// wireMarks are what the flow's tap saw.
type wireMarks struct {
	wrote    time.Time // the request's last byte began to be written
	first    time.Time // the response's first byte (the final head's, once the request was written after an interim one)
	end      time.Time // the response's last byte
	head     wireHead  // the final response head, when head.at is set
	trailers store.Headers
	ended    bool // the tap saw the response end (and its trailers, if any)
}

// hookMarks are what httptrace said.
type hookMarks struct{ wrote, first time.Time }

// gotConn is httptrace's GotConn: the connection this attempt uses. A
// retry on another connection starts the marks again.
func (st *flowState) gotConn(info httptrace.GotConnInfo) {
	st.mu.Lock()
	f := &st.flow
	f.GotConn = st.p.now()
	f.ConnReused = info.Reused
	st.tap, st.w, st.hook = nil, wireMarks{}, hookMarks{}
	st.h2.Store(nil)
	var h1 *h1Tap
	if info.Conn != nil {
		f.ServerAddr = info.Conn.RemoteAddr().String()
		if dc := dialer.ConnOf(info.Conn); dc != nil {
			f.ConnID = dc.Info().ID
			st.conn, st.dconn = dc.Info(), dc
		}
		switch t := info.Conn.(type) {
		case *h1Tap:
			st.tap, h1, f.OriginProto = t, t, "HTTP/1.1"
		case *h2Tap:
			st.tap, f.OriginProto = t, "HTTP/2.0"
			st.h2.Store(t)
		}
	}
	method := f.Method
	st.mu.Unlock()
	if h1 != nil {
		h1.own(st, method) // the tap's lock is never taken under the flow's
	}
}

// queue puts the flow in line on its HTTP/2 connection, once per
// connection, from the first WroteHeaderField: the http2.Transport
// encodes the fields holding the connection's write lock, just before it
// writes the HEADERS frame (h2Tap). Every later field costs one atomic
// swap.
func (st *flowState) queue() {
	if t := st.h2.Swap(nil); t != nil {
		t.enqueue(st)
	}
}

func (st *flowState) wroteRequest(from net.Conn, at time.Time) {
	st.mu.Lock()
	if from == st.tap {
		st.w.wrote = at
	}
	st.mu.Unlock()
}

func (st *flowState) unwrote(from net.Conn) {
	st.mu.Lock()
	if from == st.tap {
		st.w.wrote = time.Time{}
	}
	st.mu.Unlock()
}

// respHead takes a response head. The first byte is the first head's,
// unless the request's last byte left after it (Expect: 100-continue,
// RFC 9110 §10.1.1): then the wait is for the head after.
func (st *flowState) respHead(from net.Conn, h wireHead) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if from != st.tap {
		return
	}
	if st.w.first.IsZero() || st.w.first.Before(st.w.wrote) {
		st.w.first = h.at
	}
	if h.status >= 200 || h.status == http.StatusSwitchingProtocols {
		st.w.head = h
	}
}

func (st *flowState) respEnd(from net.Conn, trailers store.Headers, at time.Time) {
	st.mu.Lock()
	if from == st.tap {
		st.w.end, st.w.trailers, st.w.ended = at, trailers, true
	}
	st.mu.Unlock()
}

// marks sets the flow's request-written and first-byte marks: the tap's,
// or the hooks' where it saw nothing. st.mu is held.
func (st *flowState) marks() {
	f := &st.flow
	f.WroteRequest, f.FirstByte = st.w.wrote, st.w.first
	if f.WroteRequest.IsZero() {
		f.WroteRequest = st.hook.wrote
	}
	if f.FirstByte.IsZero() {
		f.FirstByte = st.hook.first
	}
}

// ended is when the flow ended: the response's last byte as the tap read
// it, when it did, else end (the body's end as the browser's copy read it,
// or the failure). It sets the trailers too. st.mu is held.
func (st *flowState) ended(end time.Time) time.Time {
	f := &st.flow
	if st.w.ended && !st.w.end.IsZero() && st.w.end.Before(end) {
		end = st.w.end
	}
	if st.resp == nil {
		return end
	}
	switch {
	case f.RespHeadersAsSent && st.w.ended:
		f.RespTrailers = st.w.trailers
	case len(st.resp.Trailer) > 0:
		if f.RespTrailers = store.HeadersFrom(st.resp.Trailer); len(f.RespTrailers) > 0 {
			f.RespHeadersAsSent = false // the tap lost the trailers: neither block is as sent
		}
	}
	return end
}

// requestHead is r's head as glassbox records it: as the browser sent it
// when its connection is read (a WireListener, an intercepted CONNECT),
// else as net/http parsed it. size is the head's size on the wire, or for
// HTTP/2, as HAR wants, the size of the block written as HTTP/1.1.
func requestHead(r *http.Request) (h store.Headers, size int64, asSent bool) {
	if h, size, asSent = wireOf(r.Context()).head(r); !asSent {
		return store.HeadersFrom(r.Header), headerSize(r.Method+" "+r.URL.RequestURI()+" "+r.Proto, r.Header, r.Host), false
	}
	if size < 0 {
		size = fieldsSize(h)
	}
	return h, size, true
}

// fieldsSize is the size of a block of fields written as HTTP/1.1 lines,
// with the blank line.
func fieldsSize(h store.Headers) int64 {
	n := 2
	for _, f := range h {
		n += len(f.Name) + 2 + len(f.Value) + 2
	}
	return int64(n)
}

// isWebSocket reports a WebSocket's opening handshake (RFC 6455 §4.1),
// which HTTP/2 cannot carry (RFC 9113 §8.6): net/http's test for a request
// that needs HTTP/1.1.
func isWebSocket(h http.Header) bool {
	return httpguts.HeaderValuesContainsToken(h["Connection"], "upgrade") && strings.EqualFold(h.Get("Upgrade"), "websocket")
}

// webSocketURL is a WebSocket's URL: ws:// or wss:// (RFC 6455 §3).
func webSocketURL(u *url.URL) string {
	ws := *u
	ws.Scheme = "ws"
	if u.Scheme == "https" {
		ws.Scheme = "wss"
	}
	return ws.String()
}
