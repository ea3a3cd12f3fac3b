package proxy

import (
	"context"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/wire"
	"github.com/glassbox-dev/glassbox/store"
)

// The browser's side of the wire. net/http parses each request into a
// map, which keeps neither the order nor the case of the fields and
// drops Host and the hop-by-hop and framing fields; HTTP/2's pseudo-header
// fields never reach it. A clientWire reads what the browser sends as the
// server beside it does (proxy/wire), and hands each request its head as
// sent.

// maxPending bounds the heads (HTTP/1.1, pipelined) or header blocks
// (HTTP/2, concurrent streams) a connection keeps for requests not yet
// served: Chromium opens at most 100 streams on a connection (its
// SETTINGS_MAX_CONCURRENT_STREAMS default), Go's server allows 250
// handlers at once. Beyond it the oldest are let go (their requests are
// recorded as net/http parsed them).
const maxPending = 256

// clientWire is a browser's connection to glassbox, read by wire.H1 or
// wire.H2 (whichever the server beside it speaks) as the server reads it.
type clientWire struct {
	net.Conn
	off    atomic.Bool // nothing more to read: skip the lock
	closed chan struct{}
	once   sync.Once

	mu     sync.Mutex
	h1     *wire.H1
	h2     *wire.H2
	heads  []pendingHead            // HTTP/1.1: heads not yet claimed, oldest first
	blocks map[uint32]store.Headers // HTTP/2: request blocks not yet claimed, by stream
	seen   uint32                   // HTTP/2: the highest stream that sent a head
}

// newClientWire reads c as HTTP/2 (from its preface) when h2, else as HTTP/1.1.
func newClientWire(c net.Conn, h2 bool) *clientWire {
	cw := &clientWire{Conn: c, closed: make(chan struct{})}
	if h2 {
		cw.h2 = &wire.H2{Preface: true, Decode: true, Handler: cw}
		cw.blocks = map[uint32]store.Headers{}
	} else {
		cw.h1 = &wire.H1{Handler: cw}
	}
	return cw
}

func (c *clientWire) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && !c.off.Load() {
		c.mu.Lock()
		if c.h1 != nil {
			c.h1.Feed(p[:n], time.Time{})
			c.off.Store(c.h1.Off())
		} else {
			c.h2.Feed(p[:n], time.Time{})
			c.off.Store(c.h2.Off())
		}
		c.mu.Unlock()
	}
	return n, err
}

// Close closes the connection and tells whoever waits on closed.
func (c *clientWire) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// CloseWrite half-closes when the connection under it can (tunnels).
func (c *clientWire) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Close()
}

// stop ends the reading: the connection switched protocols, or lost step.
func (c *clientWire) stop() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.h1 != nil {
		c.h1.Stop()
	}
	c.heads, c.blocks = nil, nil
	c.off.Store(true)
}

// pendingHead is an HTTP/1.1 request head waiting for its request.
type pendingHead struct {
	start  string // the request line
	fields store.Headers
	size   int64
}

// Head implements wire.H1Handler: a request head, kept until its request
// claims it.
func (c *clientWire) Head(raw []byte, _ time.Time) {
	if len(c.heads) == maxPending {
		c.heads = c.heads[:copy(c.heads, c.heads[1:])]
	}
	start, fields := wire.ParseHead(raw)
	c.heads = append(c.heads, pendingHead{start, fields, int64(len(raw))})
}

// End implements wire.H1Handler.
func (c *clientWire) End([]byte, time.Time) {}

// Frame implements wire.H2Handler.
func (c *clientWire) Frame(wire.Frame, time.Time) {}

// Headers implements wire.H2Handler: a stream's first block is its
// request's head; a later one, its trailers, is not kept.
func (c *clientWire) Headers(stream uint32, fields store.Headers, _ bool, _ time.Time) {
	if stream <= c.seen {
		return
	}
	c.seen = stream
	if len(c.blocks) == maxPending {
		delete(c.blocks, slices.Min(slices.Collect(maps.Keys(c.blocks))))
	}
	c.blocks[stream] = fields
}

// head returns r's head as the browser sent it, and its size on the wire
// (HTTP/1.1; -1 for HTTP/2), or ok false when it is not known.
func (c *clientWire) head(r *http.Request) (h store.Headers, size int64, ok bool) {
	if c == nil {
		return nil, -1, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.h1 != nil {
		return c.claimHead(r)
	}
	h, ok = c.claimBlock(r)
	return h, -1, ok
}

// passHead lets go of the head of a request glassbox answers itself
// (the setup page, a refusal) and records no flow for: each request on an
// HTTP/1.1 connection must take its head, or the next would find this one.
func passHead(r *http.Request) { wireOf(r.Context()).head(r) }

// claimHead takes the oldest head, which is r's: net/http serves an
// HTTP/1.1 connection's requests one after the other. The request line
// must be r's; if it is not, the reading lost step and stops.
func (c *clientWire) claimHead(r *http.Request) (store.Headers, int64, bool) {
	if len(c.heads) == 0 {
		return nil, -1, false
	}
	h := c.heads[0]
	// Shifted, not resliced, so the slice keeps its room for the next.
	c.heads = c.heads[:copy(c.heads, c.heads[1:])]
	method, rest, _ := strings.Cut(h.start, " ")
	target, _, _ := strings.Cut(rest, " ")
	if method != r.Method || target != r.RequestURI {
		c.h1.Stop()
		c.heads = nil
		c.off.Store(true)
		return nil, -1, false
	}
	return h.fields, h.size, true
}

// claimBlock finds r's header block among those waiting: HTTP/2 serves
// streams at once, and net/http does not tell which stream a request came
// on. The block net/http built r from is r's: same pseudo-header fields,
// same fields. When several are (one request sent twice at once), they
// hold the same fields, and the oldest is taken if all list them in the
// same order; if they do not, which order was r's cannot be known, and
// none is taken, now or by the twin request.
func (c *clientWire) claimBlock(r *http.Request) (store.Headers, bool) {
	var match []uint32
	for id, h := range c.blocks {
		if sameRequest(h, r) {
			match = append(match, id)
		}
	}
	if len(match) == 0 {
		return nil, false
	}
	slices.Sort(match)
	h := c.blocks[match[0]]
	same := true
	for _, id := range match[1:] {
		same = same && slices.Equal(c.blocks[id], h)
	}
	if same {
		match = match[:1] // otherwise every twin goes
	}
	for _, id := range match {
		delete(c.blocks, id)
	}
	return h, same
}

// sameRequest reports whether net/http's HTTP/2 server built r from the
// header block h: the pseudo-header fields are r's method, path and host,
// and the fields are r's, a cookie's crumbs joined with "; " (RFC 9113
// §8.2.3), as the server joins them. It compares without building
// anything: a block is a few dozen fields.
func sameRequest(h store.Headers, r *http.Request) bool {
	n := 0 // the fields compared
	for _, f := range h {
		switch f.Name {
		case ":method":
			if f.Value != r.Method {
				return false
			}
		case ":path":
			if f.Value != r.RequestURI {
				return false
			}
		case ":authority":
			if f.Value != r.Host {
				return false
			}
		default:
			if !strings.HasPrefix(f.Name, ":") && f.Name != "cookie" && compared(f.Name) {
				n++
			}
		}
	}
	for k, vs := range r.Header {
		switch {
		case k == "Cookie":
			if len(vs) != 1 || !crumbsOf(h, vs[0]) {
				return false
			}
		case compared(k):
			if n -= len(vs); !sameValues(h, k, vs) {
				return false
			}
		}
	}
	// Without a Cookie field in r, h has no crumbs either.
	return n == 0 && (r.Header["Cookie"] != nil || crumbsOf(h, ""))
}

// compared reports a field sameRequest compares: not one goproxy takes out
// of a request before glassbox records it (RemoveProxyHeaders), nor Host,
// which net/http moves to Request.Host.
func compared(name string) bool {
	switch len(name) { // most names are none of these lengths
	case len("Host"):
		return !strings.EqualFold(name, "Host")
	case len("Connection"):
		return !strings.EqualFold(name, "Connection")
	case len("Proxy-Connection"):
		return !strings.EqualFold(name, "Proxy-Connection")
	case len("Proxy-Authenticate"):
		return !strings.EqualFold(name, "Proxy-Authenticate")
	case len("Proxy-Authorization"):
		return !strings.EqualFold(name, "Proxy-Authorization")
	}
	return true
}

// sameValues reports whether the fields of h named k (in any case) hold
// vs, in order.
func sameValues(h store.Headers, k string, vs []string) bool {
	i := 0
	for _, f := range h {
		if len(f.Name) == len(k) && strings.EqualFold(f.Name, k) {
			if i == len(vs) || f.Value != vs[i] {
				return false
			}
			i++
		}
	}
	return i == len(vs)
}

// crumbsOf reports whether h's cookie fields, joined with "; ", are
// joined ("" when h has none).
func crumbsOf(h store.Headers, joined string) bool {
	sep := ""
	for _, f := range h {
		if f.Name != "cookie" {
			continue
		}
		var ok bool
		if joined, ok = strings.CutPrefix(joined, sep); !ok {
			return false
		}
		if joined, ok = strings.CutPrefix(joined, f.Value); !ok {
			return false
		}
		sep = "; "
	}
	return joined == ""
}

type wireKey struct{}

// ConnContext is the proxy's http.Server.ConnContext (NewServer sets it):
// it lets each request find the clientWire its connection is read by,
// when the listener is a WireListener.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if h, ok := c.(*prefixConn); ok { // handed off by the intake (intake.go)
		c = h.Conn
	}
	if cw, ok := c.(*clientWire); ok {
		return context.WithValue(ctx, wireKey{}, cw)
	}
	return ctx
}

// wireOf is the clientWire a request's connection is read by, or nil.
func wireOf(ctx context.Context) *clientWire {
	cw, _ := ctx.Value(wireKey{}).(*clientWire)
	return cw
}

// WireListener wraps ln so that the proxy served on it (NewServer)
// records each request's head as the browser sent it. Without it, heads
// are recorded as net/http parsed them, and flows say so.
func WireListener(ln net.Listener) net.Listener { return wireListener{ln} }

type wireListener struct{ net.Listener }

func (l wireListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newClientWire(c, false), nil
}
