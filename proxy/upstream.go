package proxy

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/idna"

	"github.com/glassbox-dev/glassbox/proxy/dialer"
)

// The origin's side. An http.Transport sends every request but the
// bodiless ones to http:// origins (the h1Client's, h1client.go), through a
// Dialer that times DNS, TCP and TLS; what it reads and writes above TLS
// goes through a tap (tap.go), which records each response head as it
// arrived and the moments each request's last byte left and its answer's
// first and last bytes came. net/http's own HTTP/2 needs the *tls.Conn
// itself, so it could not be tapped: HTTP/2 connections are
// golang.org/x/net/http2's, which takes any connection, wired into the
// Transport as its own bundled copy is (http2.ConfigureTransports), with a
// pool of our own (h2Pool) so that each connection it gets is a tapped one.
//
// The origin is spoken to in the browser's version of HTTP, as it would
// have been without glassbox: a request that came over HTTP/2 goes over
// HTTP/2 where the origin offers it (ALPN "h2", then "http/1.1", as
// browsers offer), one that came over HTTP/1.1 goes over HTTP/1.1 (ALPN
// "http/1.1" only), through the h1Client when it takes the request, else
// through a Transport that never speaks HTTP/2 (transportH1). Carried
// over HTTP/2 instead, an HTTP/1.1 client's requests were multiplexed on
// one connection it never asked for, and the waterfall showed the
// connections, queueing and head of line of a protocol the client does
// not speak; mitmproxy follows the client's ALPN for the same reason.

// h1Only is the ALPN offer of a connection for a request that HTTP/2
// cannot carry (an Upgrade, RFC 9113 §8.6: WebSockets above all), or that
// a browser sent over HTTP/1.1.
var h1Only = []string{"http/1.1"}

// upstreams wires the origin's side: the dialer, the Transports and the
// h1Client.
func (p *Proxy) upstreams() {
	p.dialer = p.newDialer()
	p.tr = p.transport()
	p.tr1 = p.transportH1()
	if !p.cfg.Shape.On() {
		// A shaped connection's bytes wait in the shaper, where a look at
		// the socket (h1peek_unix.go) does not see them: the Transports
		// send every request.
		p.h1 = newH1Client(p.dialHTTP, p.dialHTTPSH1, p.responseTimeout())
	}
}

func (p *Proxy) transport() *http.Transport {
	t1 := p.baseTransport()
	// HTTP/2 to origins that offer it (the dialer offers "h2" first, as
	// browsers do). The http2.Transport reads the settings above from t1
	// (timeouts, compression); it fails only on a Transport configured
	// twice.
	t2, err := http2.ConfigureTransports(t1)
	if err != nil {
		panic("proxy: " + err.Error())
	}
	p.h2pool = &h2Pool{conns: map[string][]*http2.ClientConn{}}
	t2.ConnPool = p.h2pool
	// What net/http's bundled copy derives from MaxResponseHeaderBytes.
	t2.MaxHeaderListSize = uint32(t1.MaxResponseHeaderBytes)
	t1.TLSNextProto["h2"] = func(authority string, tc *tls.Conn) http.RoundTripper {
		return p.upgradeH2(t2, authority, tc)
	}
	return t1
}

// transportH1 is the Transport of the requests a browser sent over
// HTTP/1.1 to https:// origins that the h1Client does not take: it offers
// the origin HTTP/1.1 only, and its pool holds no HTTP/2 connection.
func (p *Proxy) transportH1() *http.Transport {
	t := p.baseTransport()
	t.DialTLSContext = p.dialHTTPSH1
	t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{} // never HTTP/2
	return t
}

// baseTransport is what both Transports share: the dialer and its taps,
// the pool's size, the timeouts and the limits.
func (p *Proxy) baseTransport() *http.Transport {
	respTimeout := p.responseTimeout()
	return &http.Transport{
		Proxy: nil, // never the environment's proxy
		// Our dialer resolves, connects and does TLS itself, timing each
		// step on the connection record: the Transport's own DNS hooks do
		// not fire for a custom dial, its TLS hooks measure about 2 µs
		// after a DialTLSContext that handshakes, and a connection may
		// serve another request than the one that dialed it.
		DialContext:    p.dialHTTP,
		DialTLSContext: p.dialHTTPS,
		// A plain Transport keeps 2 idle connections per host: at 32 client
		// connections it opened 11,422 upstream connections for 15,733
		// requests, against 67 for 24,604 with 256. Browsers open at most
		// 6 per host; benchmarks more.
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: respTimeout,
		// The same limit net/http puts on request heads (1 MB); browsers
		// refuse far smaller response heads anyway.
		MaxResponseHeaderBytes: 1 << 20,
		// Forward exactly what the browser sent: no Accept-Encoding added, no
		// transparent decompression that would change Content-Length.
		DisableCompression:    true,
		ExpectContinueTimeout: time.Second,
	}
}

// responseTimeout bounds the wait for a response head.
func (p *Proxy) responseTimeout() time.Duration {
	if p.cfg.ResponseTimeout > 0 {
		return p.cfg.ResponseTimeout
	}
	return DefaultResponseTimeout
}

func (p *Proxy) newDialer() *dialer.Dialer {
	tlsConf := &tls.Config{
		RootCAs:            p.cfg.UpstreamRoots,
		InsecureSkipVerify: p.cfg.InsecureUpstream,
		MinVersion:         tls.VersionTLS12,
		// Lets a second connection to an origin resume the TLS session, as
		// browsers do; the connection record says when it happened.
		ClientSessionCache: tls.NewLRUClientSessionCache(1024),
	}
	res := p.cfg.Resolver
	if res == nil {
		res = systemResolver{now: p.now}
	}
	rec := p.cfg.Recorder
	return dialer.New(dialer.Config{
		Resolver:       res,
		TLSConfig:      tlsConf,
		ConnectTimeout: p.cfg.ConnectTimeout,
		TLSTimeout:     p.cfg.TLSTimeout,
		OnLookup:       rec.RecordLookup,
		OnConn:         rec.RecordConn,
		Allow:          p.dest.allow,
		Shape:          p.cfg.Shape,
		Now:            p.now,
	})
}

// dial connects a CONNECT tunnel (--no-mitm): bytes pass untapped.
func (p *Proxy) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	return p.dialer.DialContext(ctx, network, addr)
}

// dialHTTP connects an http:// origin, tapped.
func (p *Proxy) dialHTTP(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := p.dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return newH1Tap(c, p.now), nil
}

// dialHTTPS connects an https:// origin. An HTTP/2 connection goes back
// to the Transport as the *tls.Conn it needs to choose HTTP/2
// (TLSNextProto, which taps it: upgradeH2); an HTTP/1.1 one goes tapped.
func (p *Proxy) dialHTTPS(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := p.dialer.DialTLSContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*tls.Conn); ok && tc.ConnectionState().NegotiatedProtocol == "h2" {
		return tc, nil
	}
	return newH1Tap(c, p.now), nil
}

// dialHTTPSH1 connects an https:// origin offering it HTTP/1.1 only: for
// a browser that spoke HTTP/1.1 to glassbox.
func (p *Proxy) dialHTTPSH1(ctx context.Context, network, addr string) (net.Conn, error) {
	return p.dialHTTPS(dialer.WithNextProtos(ctx, h1Only), network, addr)
}

// upgradeH2 makes an origin's HTTP/2 connection an http2.ClientConn over
// a tap and puts it in the pool the http2.Transport takes connections
// from, as x/net's own upgrade does: when another connection to the
// origin can take requests already (two dials raced), this one is closed.
func (p *Proxy) upgradeH2(t2 *http2.Transport, authority string, tc *tls.Conn) http.RoundTripper {
	key := authorityAddr(authority, "443")
	if p.h2pool.canTake(key) {
		go tc.Close()
		return t2
	}
	cc, err := t2.NewClientConn(newH2Tap(tc, p.now))
	if err != nil {
		go tc.Close()
		return erringRoundTripper{err}
	}
	p.h2pool.add(key, cc)
	return t2
}

// erringRoundTripper tells the Transport a connection could not be set
// up (net/http looks for the RoundTripErr method).
type erringRoundTripper struct{ err error }

func (e erringRoundTripper) RoundTripErr() error                             { return e.err }
func (e erringRoundTripper) RoundTrip(*http.Request) (*http.Response, error) { return nil, e.err }

// h2Pool holds the origins' HTTP/2 connections for the http2.Transport.
// It never dials: when no connection can take a request it says so
// (ErrNoCachedConn), and the http.Transport dials one, as it does for its
// bundled HTTP/2.
type h2Pool struct {
	mu    sync.Mutex
	conns map[string][]*http2.ClientConn
}

// GetClientConn implements http2.ClientConnPool.
func (p *h2Pool) GetClientConn(_ *http.Request, addr string) (*http2.ClientConn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, cc := range p.conns[addr] {
		if cc.ReserveNewRequest() {
			return cc, nil
		}
	}
	return nil, http2.ErrNoCachedConn
}

// MarkDead implements http2.ClientConnPool.
func (p *h2Pool) MarkDead(dead *http2.ClientConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for key, list := range p.conns {
		for i, cc := range list {
			if cc == dead {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(p.conns, key)
		} else {
			p.conns[key] = list
		}
	}
}

func (p *h2Pool) canTake(key string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, cc := range p.conns[key] {
		if cc.CanTakeNewRequest() {
			return true
		}
	}
	return false
}

func (p *h2Pool) add(key string, cc *http2.ClientConn) {
	p.mu.Lock()
	p.conns[key] = append(p.conns[key], cc)
	p.mu.Unlock()
}

// closeIdle closes the connections that carry no request.
func (p *h2Pool) closeIdle() {
	p.mu.Lock()
	var idle []*http2.ClientConn
	for _, list := range p.conns {
		for _, cc := range list {
			if st := cc.State(); st.StreamsActive == 0 && st.StreamsReserved == 0 && st.StreamsPending == 0 {
				idle = append(idle, cc)
			}
		}
	}
	p.mu.Unlock()
	for _, cc := range idle {
		cc.Close() // MarkDead follows, from the connection's reader
	}
}

// authorityAddr is the pools' key for an origin, host (IDNA-encoded) and
// port, defaultPort when the authority names none: for https x/net's (its
// authorityAddr), so GetClientConn's addr finds what upgradeH2 added from
// net/http's authority; for http the h1Client's, and the address it dials.
func authorityAddr(authority, defaultPort string) string {
	host, port, err := net.SplitHostPort(authority)
	if err != nil {
		host, port = authority, ""
	}
	if port == "" {
		port = defaultPort
	}
	if a, err := idna.ToASCII(host); err == nil {
		host = a
	}
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		return host + ":" + port
	}
	return net.JoinHostPort(host, port)
}
