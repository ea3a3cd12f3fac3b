package proxy

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/elazarl/goproxy"

	"github.com/glassbox-dev/glassbox/proxy/dialer"
	"github.com/glassbox-dev/glassbox/store"
)

// tunnel passes a CONNECT through untouched (--no-mitm): the bytes are
// encrypted end to end, so glassbox records only where it went, how long the
// connection took, and how many bytes crossed each way.
func (p *Proxy) tunnel(req *http.Request, client net.Conn, _ *goproxy.ProxyCtx) {
	defer client.Close()
	f := &store.Flow{
		ID: p.nextFlowID(), Kind: store.KindTunnel, Start: p.now(), ClientAddr: req.RemoteAddr,
		Method: http.MethodConnect, URL: req.Host, Proto: req.Proto, RespHeaderSize: -1,
	}
	f.ReqHeaders, f.ReqHeaderSize, f.ReqHeadersAsSent = requestHead(req)
	var conn *store.Conn
	defer func() { p.recordTunnel(f, conn) }()
	upstream, err := p.dial(req.Context(), "tcp", req.Host)
	if err != nil {
		p.tunnelFailed(client, f, req, err)
		return
	}
	defer upstream.Close()
	f.GotConn = p.now()
	f.ServerAddr = upstream.RemoteAddr().String()
	if conn = dialer.InfoOf(upstream); conn != nil {
		f.ConnID = conn.ID
	}
	f.Status, f.StatusText = http.StatusOK, "Connection established"
	if _, err := io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		f.Error = &store.FlowError{Phase: store.PhaseClient, Kind: store.FailAborted, Message: err.Error()}
		return
	}
	ch, sh := p.relay(client, upstream, f)
	upstream.Close()
	if conn != nil && (ch.SNI != "" || sh.Version != 0) {
		// What the passing handshake showed, on the connection's record.
		// Recorded after the dialer's own close report, so it wins.
		c := *conn
		c.Closed = p.now()
		c.TLS = &store.TLSInfo{SNI: ch.SNI, Version: versionName(sh.Version), ALPN: sh.ALPN}
		if sh.Cipher != 0 {
			c.TLS.Cipher = tls.CipherSuiteName(sh.Cipher)
		}
		p.cfg.Recorder.RecordConn(&c)
	}
}

// recordTunnel records a tunnel's flow once it has ended.
func (p *Proxy) recordTunnel(f *store.Flow, conn *store.Conn) {
	f.End = p.now()
	p.cfg.Recorder.RecordFlow(f)
	if p.cfg.OnFlow != nil {
		p.cfg.OnFlow(f, conn)
	}
}

// tunnelFailed records why a tunnel's dial failed and answers the CONNECT
// with the error page, in text: a browser shows no page for a failed
// CONNECT, but curl and other clients print it.
func (p *Proxy) tunnelFailed(client net.Conn, f *store.Flow, req *http.Request, err error) {
	f.Error = dialFailure(req.Context(), err)
	if f.Error == nil { // not a DialError: none today, every dial failure is one
		f.Error = &store.FlowError{Phase: store.PhaseConnect, Kind: store.FailError, Message: err.Error()}
	}
	var de *dialer.DialError
	if errors.As(err, &de) && de.Conn != nil {
		f.ConnID = de.Conn.ID
	}
	status := errorStatus(f.Error)
	body, ctype := p.errorPage(f, status, false)
	fmt.Fprintf(client, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n%s: %s/%s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		status, http.StatusText(status), ctype, ErrorHeader, f.Error.Phase, f.Error.Kind, len(body), body)
}

// relay copies bytes both ways until both sides are done, counting them
// on f, and returns the TLS hellos it saw pass.
func (p *Proxy) relay(client, upstream net.Conn, f *store.Flow) (ch ClientHello, sh ServerHello) {
	var up, down atomic.Int64
	var upSniff, downSniff helloSniffer
	var wg sync.WaitGroup
	wg.Go(func() {
		pipe(upstream, client, &up, func(b []byte) bool {
			return upSniff.feed(b, func(buf []byte) (err error) { ch, err = ParseClientHello(buf); return err })
		})
	})
	wg.Go(func() {
		pipe(client, upstream, &down, func(b []byte) bool {
			return downSniff.feed(b, func(buf []byte) (err error) { sh, err = ParseServerHello(buf); return err })
		})
	})
	wg.Wait()
	f.BytesUp, f.BytesDown = up.Load(), down.Load()
	return ch, sh
}

// pipe copies src to dst, counting, then half-closes dst so the other side
// sees the end; a failure closes both. sniff sees the first bytes until it
// returns true.
func pipe(dst, src net.Conn, n *atomic.Int64, sniff func([]byte) bool) {
	buf := make([]byte, 32<<10)
	for {
		k, err := src.Read(buf)
		if k > 0 {
			n.Add(int64(k))
			if sniff != nil && sniff(buf[:k]) {
				sniff = nil
			}
			if _, werr := dst.Write(buf[:k]); werr != nil {
				src.Close()
				dst.Close()
				return
			}
		}
		if err != nil {
			if cw, ok := dst.(interface{ CloseWrite() error }); ok && err == io.EOF {
				cw.CloseWrite()
			} else {
				dst.Close()
				src.Close()
			}
			return
		}
	}
}
