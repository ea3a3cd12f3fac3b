package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/net/http2"
)

// The plumbing of an intercepted connection (mitm.go): the writer goproxy
// answers through, the listener a connection is served from, and the
// peeking at its first bytes.

// tunnelWriter is the ResponseWriter goproxy writes an intercepted
// response to. It flushes each write of a response of unknown length
// (server-sent events, a stream, an HTTP/2 origin's chunked download), as
// goproxy's own interception did, and closes a connection goproxy
// hijacked for a WebSocket once goproxy's relay is done with it.
type tunnelWriter struct {
	http.ResponseWriter
	flush    bool
	hijacked net.Conn
}

func (w *tunnelWriter) WriteHeader(code int) {
	if code >= 200 {
		h := w.Header()
		w.flush = h.Get("Content-Length") == "" || strings.HasPrefix(h.Get("Content-Type"), "text/event-stream")
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *tunnelWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	if w.flush && err == nil {
		w.Flush()
	}
	return n, err
}

// Flush implements http.Flusher (goproxy's flushWriter asks for one).
func (w *tunnelWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack implements http.Hijacker, which goproxy needs for a WebSocket;
// HTTP/2 has none (RFC 8441 is not offered), and says so.
func (w *tunnelWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, http.ErrNotSupported
	}
	c, rw, err := hj.Hijack()
	w.hijacked = c
	return c, rw, err
}

// done closes a hijacked connection: goproxy's relay returns when either
// side ends and leaves the browser's connection open.
func (w *tunnelWriter) done() {
	if w.hijacked != nil {
		w.hijacked.Close()
	}
}

// oneConn is a listener that accepts one connection, then waits for it to
// close, so http.Server.Serve serves that connection and returns.
type oneConn struct {
	c      net.Conn
	closed <-chan struct{} // closed with c
	once   sync.Once
}

func (l *oneConn) Accept() (net.Conn, error) {
	var c net.Conn
	l.once.Do(func() { c = l.c })
	if c != nil {
		return c, nil
	}
	<-l.closed
	return nil, net.ErrClosed
}

func (l *oneConn) Close() error   { return nil }
func (l *oneConn) Addr() net.Addr { return l.c.LocalAddr() }

// peekConn reads the first n bytes of c and returns them with a
// connection that reads them again first.
func peekConn(c net.Conn, n int) ([]byte, net.Conn, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil {
		return nil, nil, err
	}
	return b, &prefixConn{Conn: c, prefix: b}, nil
}

// peekPreface reads as much of c as it takes to tell whether it begins
// with HTTP/2's client preface (h2c with prior knowledge, RFC 9113 §3.3,
// which goproxy's interception served too): up to the first byte that
// differs, so a short HTTP/1.1 request is not waited on for more.
func peekPreface(c net.Conn) (bool, net.Conn, error) {
	b := make([]byte, 0, len(http2.ClientPreface))
	for len(b) < cap(b) {
		if !strings.HasPrefix(http2.ClientPreface, string(b)) {
			break
		}
		n, err := c.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			return false, nil, err
		}
	}
	return string(b) == http2.ClientPreface, &prefixConn{Conn: c, prefix: b}, nil
}

// prefixConn reads prefix, then its connection.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(p, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}
