package proxy

import (
	"crypto/tls"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/wire"
	"github.com/glassbox-dev/glassbox/store"
)

// A tap is an origin connection as the Transport reads and writes it,
// above TLS, read by proxy/wire as it passes: the response heads as they
// arrived, a chunked body's trailers, and, timed where the bytes are
// handed to the connection or come from it, when each request's last
// byte left and each response's first and last bytes came. It tells the
// request's flow (a wireOwner) as it sees them, so a flow's phases come
// from its own bytes, whichever goroutine reports what and when.

// wireOwner is what a tap tells of one request's exchange. from is the
// tap, so an owner that moved to another connection (a retry) ignores
// one it left. The calls are made with the tap's lock held.
type wireOwner interface {
	// wroteRequest: the request's last byte is being written, at at.
	wroteRequest(from net.Conn, at time.Time)
	// unwrote: that write failed.
	unwrote(from net.Conn)
	// respHead: a response head arrived (an interim one too).
	respHead(from net.Conn, h wireHead)
	// respEnd: the response's last byte arrived; trailers as sent.
	respEnd(from net.Conn, trailers store.Headers, at time.Time)
}

// wireHead is a response head as it arrived.
type wireHead struct {
	proto  string // "HTTP/1.1", "HTTP/1.0", "HTTP/2.0"
	status int
	reason string // HTTP/1 only
	fields store.Headers
	size   int64     // on the wire (HTTP/1); -1 for HTTP/2
	at     time.Time // when its first byte arrived
}

// h1Tap taps an HTTP/1.1 connection, which carries one exchange at a
// time: the flow whose request the Transport writes next owns it (own).
type h1Tap struct {
	net.Conn
	now func() time.Time

	mu    sync.Mutex
	owner wireOwner
	out   wire.H1 // requests written
	in    wire.H1 // responses read
	ended bool    // the last Write carried a request's end
}

func newH1Tap(c net.Conn, now func() time.Time) *h1Tap {
	t := &h1Tap{Conn: c, now: now}
	t.out.Handler = h1Out{t}
	t.in = wire.H1{Response: true, Lenient: true, Handler: h1In{t}}
	return t
}

// NetConn is the connection under the tap (dialer.ConnOf looks through it).
func (t *h1Tap) NetConn() net.Conn { return t.Conn }

// own gives the connection's next exchange to o, whose request has
// method: the Transport reports the connection (GotConn) before it writes
// the request.
func (t *h1Tap) own(o wireOwner, method string) {
	t.mu.Lock()
	t.owner = o
	t.in.Expect(method)
	if !t.out.Idle() {
		t.out.Stop()
	}
	t.mu.Unlock()
}

func (t *h1Tap) Write(p []byte) (int, error) {
	t.mu.Lock()
	owner := t.owner
	if !t.out.Off() {
		t.ended = false
		t.out.Feed(p, t.now())
	}
	ended := t.ended
	t.mu.Unlock()
	n, err := t.Conn.Write(p)
	if err != nil && ended && owner != nil {
		t.mu.Lock()
		owner.unwrote(t)
		t.mu.Unlock()
	}
	return n, err
}

// Read reads what the Transport reads, read by t.in first. A read whose
// bytes t.in dropped all of (a chunk extension, Lenient) reads again:
// bufio gives up after 100 reads that return nothing.
func (t *h1Tap) Read(p []byte) (int, error) {
	for {
		n, err := t.Conn.Read(p)
		if n == 0 && err == nil {
			return n, err
		}
		at := t.now()
		t.mu.Lock()
		if !t.in.Off() {
			n = t.in.Feed(p[:n], at)
			if err != nil {
				t.in.EOF(at)
			}
		}
		t.mu.Unlock()
		if n > 0 || err != nil {
			return n, err
		}
	}
}

// h1Out reads the requests the Transport writes.
type h1Out struct{ t *h1Tap }

func (h1Out) Head([]byte, time.Time) {}

func (o h1Out) End(_ []byte, at time.Time) {
	o.t.ended = true
	if o.t.owner != nil {
		o.t.owner.wroteRequest(o.t, at)
	}
}

// h1In reads the responses the origin sends.
type h1In struct{ t *h1Tap }

func (i h1In) Head(raw []byte, at time.Time) {
	if i.t.owner == nil {
		return
	}
	start, fields := wire.ParseHead(raw)
	proto, rest, _ := strings.Cut(start, " ")
	code, reason, _ := strings.Cut(rest, " ")
	status, _ := strconv.Atoi(code)
	i.t.owner.respHead(i.t, wireHead{proto: proto, status: status, reason: reason, fields: fields, size: int64(len(raw)), at: at})
}

func (i h1In) End(trailer []byte, at time.Time) {
	if i.t.owner != nil {
		i.t.owner.respEnd(i.t, wire.ParseFields(trailer), at)
	}
	// Anything read before the next request's flow owns the connection
	// (an origin's unsolicited 408) is no flow's.
	i.t.owner = nil
}

// h2Tap taps an HTTP/2 connection, whose streams carry many exchanges at
// once. A flow joins the queue (enqueue) just before the http2.Transport
// writes its request's HEADERS, holding the connection's write lock
// (httptrace's WroteHeaderField fires as the fields are encoded), so the
// queue's order is the order in which new streams appear on the wire:
// each stream a client opens takes the next number (RFC 9113 §5.1.1), and
// the first HEADERS frame of a stream above every earlier one is the
// queue's next flow's.
type h2Tap struct {
	net.Conn
	tc  *tls.Conn
	now func() time.Time

	mu      sync.Mutex
	queue   []wireOwner
	streams map[uint32]*h2Stream
	opened  uint32    // the highest stream the client opened
	ended   []uint32  // streams the current Write ends
	out     wire.H2   // frames written
	in      wire.H2   // frames read, header blocks decoded
	at      time.Time // the current Write's start
}

type h2Stream struct {
	owner wireOwner
	final bool // the final response head came
}

func newH2Tap(tc *tls.Conn, now func() time.Time) *h2Tap {
	t := &h2Tap{Conn: tc, tc: tc, now: now, streams: map[uint32]*h2Stream{}}
	t.out = wire.H2{Preface: true, Handler: h2Out{t}}
	t.in = wire.H2{Decode: true, Handler: h2In{t}}
	return t
}

// NetConn is the connection under the tap (dialer.ConnOf looks through it).
func (t *h2Tap) NetConn() net.Conn { return t.Conn }

// ConnectionState lets the http2.Transport see the TLS session (it sets
// Response.TLS from it).
func (t *h2Tap) ConnectionState() tls.ConnectionState { return t.tc.ConnectionState() }

// enqueue puts o in line for the next stream.
func (t *h2Tap) enqueue(o wireOwner) {
	t.mu.Lock()
	t.queue = append(t.queue, o)
	t.mu.Unlock()
}

func (t *h2Tap) Write(p []byte) (int, error) {
	t.mu.Lock()
	t.at, t.ended = t.now(), t.ended[:0]
	t.out.Feed(p, t.at)
	var ended []wireOwner
	for _, id := range t.ended {
		if s := t.streams[id]; s != nil && s.owner != nil {
			ended = append(ended, s.owner)
		}
	}
	t.mu.Unlock()
	n, err := t.Conn.Write(p)
	if err != nil && len(ended) > 0 {
		t.mu.Lock()
		for _, o := range ended {
			o.unwrote(t)
		}
		t.mu.Unlock()
	}
	return n, err
}

func (t *h2Tap) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	if n > 0 {
		at := t.now()
		t.mu.Lock()
		t.in.Feed(p[:n], at)
		t.mu.Unlock()
	}
	return n, err
}

// h2Out reads the frames the http2.Transport writes.
type h2Out struct{ t *h2Tap }

func (o h2Out) Frame(f wire.Frame, at time.Time) {
	t := o.t
	switch {
	case f.Type == wire.FrameHeaders && f.Stream > t.opened:
		t.opened = f.Stream
		s := &h2Stream{}
		if len(t.queue) > 0 {
			s.owner, t.queue = t.queue[0], t.queue[1:]
		}
		t.streams[f.Stream] = s
	case f.Type == wire.FrameRSTStream:
		delete(t.streams, f.Stream)
		return
	}
	if s := t.streams[f.Stream]; s != nil && s.owner != nil && f.EndStream() {
		t.ended = append(t.ended, f.Stream)
		s.owner.wroteRequest(t, t.at)
	}
}

func (h2Out) Headers(uint32, store.Headers, bool, time.Time) {}

// h2In reads the frames the origin sends.
type h2In struct{ t *h2Tap }

func (i h2In) Frame(f wire.Frame, at time.Time) {
	s := i.t.streams[f.Stream]
	switch {
	case s == nil:
	case f.Type == wire.FrameRSTStream:
		delete(i.t.streams, f.Stream)
	case f.Type == wire.FrameData && f.EndStream():
		i.end(f.Stream, s, nil, at)
	}
}

func (i h2In) Headers(stream uint32, fields store.Headers, endStream bool, at time.Time) {
	s := i.t.streams[stream]
	if s == nil || s.owner == nil {
		return
	}
	if s.final { // trailers (RFC 9113 §8.1)
		i.end(stream, s, fields, at)
		return
	}
	status, _ := strconv.Atoi(fields.Get(":status"))
	s.final = status >= 200
	s.owner.respHead(i.t, wireHead{proto: "HTTP/2.0", status: status, fields: fields, size: -1, at: at})
	if endStream {
		i.end(stream, s, nil, at)
	}
}

func (i h2In) end(stream uint32, s *h2Stream, trailers store.Headers, at time.Time) {
	if s.owner != nil {
		s.owner.respEnd(i.t, trailers, at)
	}
	delete(i.t.streams, stream)
}
