// Package proxy is glassbox's intercepting forward proxy: goproxy with our
// own CA, dialer and transport, with every request timed and recorded
// through a store.Recorder.
//
// How a request travels: plain HTTP requests, and every request inside an
// intercepted CONNECT (which glassbox serves itself: mitm.go), are read by
// the intake (intake.go: the commonest, a bodiless HTTP/1.1 request, on
// the connection's goroutine) or by net/http's server, and reach
// ServeHTTP. An ordinary one is served by forward (forward.go), as
// goproxy's handler would; CONNECTs, Upgrades and requests for the proxy
// itself go to goproxy, whose request handler opens their flow (onRequest)
// and makes ctx.RoundTripper our recording round-tripper (roundtrip.go).
// Either way the flow opens in openFlow and its exchange (roundtrip.go)
// sends the request in the browser's version of HTTP (upstream.go)
// through an http.Transport (or, for a bodiless GET over HTTP/1.1, a
// one-goroutine client: h1client.go), whose dials go through a Dialer
// (timed DNS, TCP and TLS, see proxy/dialer), tees both bodies while they stream (never buffering them), and records
// the flow when the response body ends. Every failure becomes a 502 (or
// 504) page, whose body comes from Config.ErrorPage (errorpage.go), and a
// recorded flow with its phase and kind (classify.go): the browser never
// gets a silently closed connection. The package imports nothing of
// inspector/: the explanations on the page a browser sees are wired in by
// cmd/glassbox.
//
// What a flow records of the wire is read off the connections themselves
// (proxy/wire), not from net/http's parse: the browser's side by a
// clientWire (clientwire.go: the request heads as sent, HTTP/2 header
// blocks decoded beside the server), the origin's side by a tap above TLS
// (tap.go, upstream.go: the response heads and trailers as they arrived,
// and the moments each request's last byte left and its response's first
// and last bytes came, per HTTP/2 stream).
//
// What it passes on is what came, but for each hop's own fields
// (hopbyhop.go, by store.FieldRoles, the rule the views label recorded
// blocks with): Connection and the fields it names, Keep-Alive,
// Proxy-Connection, TE other than "TE: trailers", Upgrade other than a
// WebSocket's, Trailer, Proxy-Authorization and Proxy-Authenticate stay
// on their hop, both ways (RFC 9110 §7.6.1). Each leg is framed anew
// (Content-Length, Transfer-Encoding), and Date is added to a response
// that has none (RFC 9110 §6.6.1). Nothing else is added: no User-Agent
// to a request without one, no Content-Type guessed for a response
// without one.
//
// Requests to the proxy itself (http://127.0.0.1:8080/) and to the reserved
// name glassbox.invalid get the setup page (setup.go).
//
// goproxy's built-in CA is public: it is never used. Every CONNECT gets an
// explicit ConnectAction built from our own CA, and goproxy.GoproxyCa is
// overwritten at start as a second guard.
package proxy

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/elazarl/goproxy"
	"golang.org/x/net/http2"

	"github.com/glassbox-dev/glassbox/certs"
	"github.com/glassbox-dev/glassbox/proxy/dialer"
	"github.com/glassbox-dev/glassbox/proxy/netshape"
	"github.com/glassbox-dev/glassbox/store"
)

// DefaultMaxBody is how much of each body is stored unless --max-body says
// otherwise: enough for any page's HTML, CSS or JSON, small enough that a
// video does not fill the disk.
const DefaultMaxBody = 1 << 20

// DefaultResponseTimeout bounds the wait for a response head. Long-polling
// APIs hold a request for tens of seconds; two minutes is past them and
// short of forever.
const DefaultResponseTimeout = 2 * time.Minute

// Config is everything the proxy needs. Zero values take the defaults in
// the field comments.
type Config struct {
	// Recorder receives every flow. Required.
	Recorder store.Recorder
	// CA signs the certificates shown to the browser. Required.
	CA *certs.CA
	// Leaves caches minted leaf certificates; nil makes one of 10,000.
	Leaves *certs.LeafCache

	// MaxBody caps the stored copy of each body (not what is forwarded).
	// 0 means DefaultMaxBody; negative stores no body at all.
	MaxBody int64

	// Resolver finds origins' addresses (proxy/resolver); nil uses the
	// operating system's resolver, recorded with source "system".
	Resolver dialer.Resolver

	// ConnectTimeout bounds each TCP connection attempt, TLSTimeout the
	// TLS handshake with an origin, ResponseTimeout the wait for a
	// response head once the request is sent. Zero takes the defaults
	// (10s, 10s, DefaultResponseTimeout).
	ConnectTimeout  time.Duration
	TLSTimeout      time.Duration
	ResponseTimeout time.Duration

	// Shape makes every upstream connection behave like a slower network
	// (--latency, --bandwidth, --network); the resolver is shaped by its
	// own Config.Latency. Zero shapes nothing.
	Shape netshape.Profile

	// UpstreamRoots are the CAs trusted for origins; nil means the system's.
	UpstreamRoots *x509.CertPool
	// InsecureUpstream skips verifying origins' certificates.
	InsecureUpstream bool

	// NoMITM lists host globs (path.Match syntax, e.g. "*.bank.example")
	// whose CONNECTs are passed through untouched.
	NoMITM []string

	// Auth, when set ("user:pass"), requires every proxied request to carry
	// those credentials in Proxy-Authorization (Basic).
	Auth string

	// ListenAddrs are the addresses the proxy serves on; requests whose
	// target is one of them are answered, not forwarded (no loops), and no
	// other name or address form that leads to them is dialed
	// (destination.go).
	ListenAddrs []string
	// OwnAddrs are glassbox's other listeners (the profiler of --pprof):
	// never dialed either, whatever leads to them.
	OwnAddrs []string
	// AllowPrivate lets a name that looks public lead to a loopback or
	// private address (--allow-private), for developers who proxy their
	// own servers under real names. Off, such a destination is refused,
	// as DNS rebinding would use it (destination.go).
	AllowPrivate bool

	// Grouper places each request in a page load; nil makes one.
	Grouper *store.Grouper

	// LiveEvery is how often a flow still running is recorded as it is
	// (its phases, status and bytes so far) when it changed, so live views
	// show it before it ends (inflight.go). 0 means DefaultLiveEvery;
	// negative records flows only when they end.
	LiveEvery time.Duration

	// OnFlow is called with every finished flow (for the log line), with
	// the connection it used when known.
	OnFlow func(*store.Flow, *store.Conn)
	// Logf receives warnings; nil discards them.
	Logf func(format string, args ...any)

	// ErrorPage makes the body of the page a browser gets when glassbox
	// could not get it a response: f is the flow as recorded (f.Error
	// set), status the status the proxy answers with (504 when the origin
	// never answered in time, else 502: the proxy decides), html whether
	// the browser asked for text/html (a failed --no-mitm tunnel always
	// asks for text). It returns the body and its Content-Type; the proxy
	// adds the status, ErrorHeader and Cache-Control: no-store. It is
	// called from many goroutines at once.
	// nil means a short plain-text page with the phase, the kind, the
	// error message and the flow number, and no explanations
	// (cmd/glassbox sets inspector/explain's ErrorPage, which explains).
	ErrorPage func(f *store.Flow, status int, html bool) (body []byte, contentType string)

	// Now is the clock of every timestamp the proxy records: the flow's,
	// and, handed to the dialer, its connection's and lookup's, so the
	// phases of one request are measured against one clock. nil means
	// time.Now.
	Now func() time.Time
}

// Proxy is the intercepting proxy. It is an http.Handler: serve it on a
// listener (see Listen).
type Proxy struct {
	cfg    Config
	gp     *goproxy.ProxyHttpServer
	tr     *http.Transport
	tr1    *http.Transport // HTTP/1.1 only, for browsers that spoke it (upstream.go)
	h1     *h1Client       // bodiless requests to http:// origins (h1client.go)
	h2pool *h2Pool         // the origins' HTTP/2 connections (upstream.go)
	leaves *certs.LeafCache
	pages  *store.Grouper
	dialer *dialer.Dialer
	setup  http.Handler
	h2     *http2.Server // serves intercepted HTTP/2 connections (mitm.go)
	dest   *destinations
	flows  atomic.Int64 // last flow ID handed out
	// inflight records flows still running as they are (inflight.go).
	inflight inflight
	now      func() time.Time
}

// New wires a proxy from cfg.
func New(cfg Config) (*Proxy, error) {
	if cfg.Recorder == nil || cfg.CA == nil {
		return nil, fmt.Errorf("proxy: Recorder and CA are required")
	}
	// Second guard against goproxy's public CA: anything that would still
	// reach it signs with our CA instead.
	goproxy.GoproxyCa = cfg.CA.TLSCertificate()
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	p := &Proxy{cfg: cfg, now: cfg.Now, leaves: cfg.Leaves}
	if p.inflight.every = cfg.LiveEvery; p.inflight.every == 0 {
		p.inflight.every = DefaultLiveEvery
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.leaves == nil {
		p.leaves = certs.NewLeafCache(cfg.CA, 0)
	}
	if p.pages = cfg.Grouper; p.pages == nil {
		p.pages = store.NewGrouper()
	}
	var err error
	if p.dest, err = newDestinations(append(slices.Clone(cfg.ListenAddrs), cfg.OwnAddrs...), cfg.AllowPrivate); err != nil {
		return nil, err
	}
	p.upstreams()
	p.setup = newSetupHandler(cfg.CA, p.leaves)
	p.h2 = &http2.Server{}

	gp := goproxy.NewProxyHttpServer()
	gp.Logger = goproxyLogger{p}
	// NewProxyHttpServer reads HTTP(S)_PROXY from the environment into both
	// of these: glassbox talks to origins directly, always.
	gp.Tr = p.tr
	gp.ConnectDial = nil
	gp.ConnectDialWithReq = func(req *http.Request, network, addr string) (net.Conn, error) {
		return p.dial(req.Context(), network, addr)
	}
	// Keep Accept-Encoding: otherwise the origin sends identity bodies and the
	// proxy changes what the browser would have received.
	gp.KeepAcceptEncoding = true
	gp.NonproxyHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		passHead(r)
		p.setup.ServeHTTP(w, r)
	})
	gp.OnRequest().DoFunc(p.onRequest)
	gp.OnRequest().HandleConnectFunc(p.onConnect)
	p.gp = gp
	return p, nil
}

// Close drops idle upstream connections.
func (p *Proxy) Close() {
	p.tr.CloseIdleConnections()
	p.tr1.CloseIdleConnections()
	if p.h1 != nil {
		p.h1.closeIdle()
	}
	p.h2pool.closeIdle()
}

// onRequest runs for the requests goproxy serves (forward.go serves the
// others), plain or from inside an intercepted CONNECT (mitm.go). The flow opens here, before goproxy
// takes the proxy's own fields out of the request (RemoveProxyHeaders);
// roundTrip finds it in ctx.UserData.
func (p *Proxy) onRequest(r *http.Request, ctx *goproxy.ProxyCtx) (*http.Request, *http.Response) {
	if resp := p.local(r); resp != nil {
		return r, resp
	}
	ctx.UserData = p.openFlow(r)
	ctx.RoundTripper = goproxy.RoundTripperFunc(p.roundTrip)
	return r, nil
}

// local is the proxy's own answer to r, or nil: 407 to a request without
// the credentials --auth asks for, the setup page to one for the proxy
// itself.
func (p *Proxy) local(r *http.Request) *http.Response {
	if tunnelOf(r.Context()) == nil && !p.authorized(r) {
		return p.authRequired(r)
	}
	if isSetupHost(r.URL.Hostname()) || p.isSelf(r.URL.Host) {
		passHead(r)
		return serveLocal(p.setup, r)
	}
	return nil
}

// onConnect decides, for each CONNECT, to intercept (our CA) or tunnel.
func (p *Proxy) onConnect(host string, ctx *goproxy.ProxyCtx) (*goproxy.ConnectAction, string) {
	hostname := stripPort(host)
	if !p.authorized(ctx.Req) {
		return rejectConnect(ctx, p.authRequired(ctx.Req)), host
	}
	if !isSetupHost(hostname) && !p.isSelf(host) && p.noMITM(hostname) {
		return &goproxy.ConnectAction{Action: goproxy.ConnectHijack, Hijack: p.tunnel}, host
	}
	// Intercepted: glassbox serves the browser's side itself (mitm.go).
	return &goproxy.ConnectAction{Action: goproxy.ConnectHijack, Hijack: p.mitm}, host
}

func (p *Proxy) noMITM(host string) bool {
	host = strings.ToLower(host)
	for _, pat := range p.cfg.NoMITM {
		if ok, _ := path.Match(strings.ToLower(pat), host); ok {
			return true
		}
	}
	return false
}

// isSelf reports whether hostport is one of the proxy's own listen
// addresses: forwarding there would loop.
func (p *Proxy) isSelf(hostport string) bool {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	for _, l := range p.cfg.ListenAddrs {
		lh, lp, err := net.SplitHostPort(l)
		if err != nil || lp != port {
			continue
		}
		if strings.EqualFold(lh, host) || (isLoopbackHost(host) && isLoopbackHost(lh)) {
			return true
		}
	}
	return false
}

func (p *Proxy) nextFlowID() int64 { return p.flows.Add(1) }

func stripPort(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

// goproxyLogger routes goproxy's warnings to our log.
type goproxyLogger struct{ p *Proxy }

func (l goproxyLogger) Printf(format string, v ...any) {
	l.p.cfg.Logf("goproxy: "+strings.TrimSuffix(format, "\n"), v...)
}
