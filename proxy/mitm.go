package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/elazarl/goproxy"
	"golang.org/x/net/http2"

	"github.com/glassbox-dev/glassbox/store"
)

// Interception. glassbox takes the browser's side of an intercepted
// CONNECT over from goproxy (a ConnectHijack), because what it records
// lies under goproxy's parser: the bytes each request arrived as (read
// above TLS by a clientWire) and the TLS session itself (Flow.ClientTLS).
// The requests inside are served by net/http's own servers, HTTP/2 when
// the browser's ALPN picks it, HTTP/1.1 otherwise, and each goes to
// goproxy's handler as a proxied request would, so plain and intercepted
// requests take one path from there on (onRequest, roundTrip, goproxy's
// response writing and WebSocket relay, the error pages). net/http's
// HTTP/1.1 server also answers "Expect: 100-continue" when the request's
// body is read, that is once the origin asked for it, which goproxy's
// own loop never did (RFC 9110 §10.1.1).

// tunnel is an intercepted CONNECT, as the requests inside see it.
type tunnel struct {
	host   string         // the CONNECT's target, host:port
	remote string         // the browser's address
	scheme string         // "https", or "http" for plain HTTP inside the tunnel
	tls    *store.TLSInfo // the browser's session with glassbox; nil for plain HTTP
}

type tunnelKey struct{}

// tunnelOf is the intercepted CONNECT a request came through, or nil.
func tunnelOf(ctx context.Context) *tunnel {
	t, _ := ctx.Value(tunnelKey{}).(*tunnel)
	return t
}

// mitm serves an intercepted CONNECT: it accepts it, makes the TLS
// handshake as the host with a leaf from our CA, and serves what comes
// inside until the browser closes the connection.
func (p *Proxy) mitm(req *http.Request, client net.Conn, _ *goproxy.ProxyCtx) {
	defer client.Close()
	// The answer takes the CONNECT's version, as goproxy's does (its #802).
	if _, err := fmt.Fprintf(client, "HTTP/%d.%d 200 OK\r\n\r\n", max(req.ProtoMajor, 1), req.ProtoMinor); err != nil {
		return
	}
	t := &tunnel{host: req.Host, remote: req.RemoteAddr, scheme: "http"}
	first, conn, err := peekConn(client, 1)
	if err != nil {
		return
	}
	h2 := false
	if first[0] == 0x16 { // a TLS handshake record (RFC 8446 §5.1)
		tc, err := p.handshake(conn, t)
		if err != nil {
			p.cfg.Logf("intercepting %s: TLS handshake with the browser: %v", req.Host, err)
			return
		}
		conn, h2 = tc, tc.ConnectionState().NegotiatedProtocol == "h2"
	} else if h2, conn, err = peekPreface(conn); err != nil {
		return
	}
	cw := newClientWire(conn, h2)
	ctx := context.WithValue(context.WithValue(context.Background(), tunnelKey{}, t), wireKey{}, cw)
	if h2 {
		p.h2.ServeConn(cw, &http2.ServeConnOpts{Context: ctx, Handler: http.HandlerFunc(p.serveTunnelled)})
		return
	}
	p.serveH1(cw, ctx)
}

// handshake makes the TLS handshake with the browser and records the
// session it agreed to.
func (p *Proxy) handshake(conn net.Conn, t *tunnel) (*tls.Conn, error) {
	cfg := p.leaves.TLSConfig(stripPort(t.host))
	cfg.NextProtos = []string{"h2", "http/1.1"}
	tc := tls.Server(conn, cfg)
	// A browser that stalls mid-handshake holds a goroutine: the Guard's
	// deadlines bound it, this too.
	hctx, cancel := context.WithTimeout(context.Background(), DefaultHandshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		return nil, err
	}
	st := tc.ConnectionState()
	t.scheme = "https"
	t.tls = &store.TLSInfo{Version: versionName(st.Version), Cipher: tls.CipherSuiteName(st.CipherSuite),
		ALPN: st.NegotiatedProtocol, SNI: st.ServerName, Resumed: st.DidResume}
	return tc, nil
}

// serveH1 serves an intercepted HTTP/1.1 connection with net/http's
// server, until the connection closes or is hijacked and done with.
func (p *Proxy) serveH1(cw *clientWire, ctx context.Context) {
	srv := &http.Server{
		Handler:           http.HandlerFunc(p.serveTunnelled),
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          log.New(io.Discard, "", 0),
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	srv.Serve(&oneConn{c: cw})
}

// serveTunnelled hands a request from inside an intercepted CONNECT to
// goproxy as a proxied request: an absolute URL made from the tunnel
// (RFC 9112 §3.2.2: the origin-form's authority is the Host field's).
func (p *Proxy) serveTunnelled(w http.ResponseWriter, r *http.Request) {
	t := tunnelOf(r.Context())
	if r.Method == http.MethodConnect {
		http.Error(w, "glassbox: CONNECT inside an intercepted connection is not supported", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Host == "" {
		r.URL.Host = r.Host
		if r.URL.Host == "" {
			r.URL.Host = t.host
		}
	}
	r.URL.Scheme = t.scheme
	r.RemoteAddr = t.remote
	tw := &tunnelWriter{ResponseWriter: w}
	p.gp.ServeHTTP(tw, r)
	tw.done()
}

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
	c    *clientWire
	once sync.Once
}

func (l *oneConn) Accept() (net.Conn, error) {
	var c net.Conn
	l.once.Do(func() { c = l.c })
	if c != nil {
		return c, nil
	}
	<-l.c.closed
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
