package proxy

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"

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
	p.serveIntake(&intakeConn{c: cw}, ctx, t, intakeLimits{readHeaderTimeout, idleTimeout}, func(c net.Conn) { p.serveH1(c, cw.closed, ctx) })
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

// serveH1 serves an intercepted HTTP/1.1 connection that the intake
// handed off (intake.go) with net/http's server, until the connection
// closes (closed) or is hijacked and done with.
func (p *Proxy) serveH1(c net.Conn, closed <-chan struct{}, ctx context.Context) {
	srv := &http.Server{
		Handler:           http.HandlerFunc(p.serveTunnelled),
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          log.New(io.Discard, "", 0),
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	srv.Serve(&oneConn{c: c, closed: closed})
}

// serveTunnelled hands a request from inside an intercepted CONNECT to
// goproxy as a proxied request: an absolute URL made from the tunnel
// (RFC 9112 §3.2.2: the origin-form's authority is the Host field's).
func (p *Proxy) serveTunnelled(w http.ResponseWriter, r *http.Request) {
	t := tunnelOf(r.Context())
	if r.Method == http.MethodConnect {
		passHead(r)
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
	if r.ContentLength == 0 {
		// net/http's HTTP/2 server gives a request without a body an
		// empty one, which the Transport would send on as a body of
		// unknown length (goproxy's interception did the same).
		r.Body = http.NoBody
	}
	tw := &tunnelWriter{ResponseWriter: w}
	p.ServeHTTP(tw, r)
	tw.done()
}
