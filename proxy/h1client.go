package proxy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/http/httpguts"
)

// The commonest request the proxy sends, a GET (or HEAD, OPTIONS, TRACE)
// with no body to an http:// origin, or to an https:// one from a browser
// that spoke HTTP/1.1 to glassbox (upstream.go), goes through h1Client: one
// goroutine writes the request and reads the answer on a pooled
// connection, where http.Transport hands each request between three
// (the caller, the connection's writer and its reader) and back. The
// bytes on the wire are the same: the request is written by net/http's
// own Request.Write (the Transport's serializer) and the answer read by
// http.ReadResponse (its parser), over the same tapped connection from
// the same dialer (upstream.go). Everything else (a body, Expect, an
// Upgrade, HTTP/2) still goes through a Transport.
//
// Why (issue 20, make bench's -base against the Transport for every
// request, medians by round): 5-14% less CPU per request on http-1,
// http-32 and http-16-hey in three runs of 5 rounds (the untouched
// https-32 read 0.93-0.98x in the same runs: the machine's noise), 19% in
// a first version's run of 3; 5% on large-4, whose cost is its bodies.
// Looking at an idle socket before reusing it (h1peek_unix.go) costs
// 0.4 µs a request; over TLS, records in the socket are read (idleTLS).
//
// What the Transport did that this does too: keep idle connections per
// origin (256 each, 1024 in all, closed after 90 s idle), bound the
// response head (1 MiB) and the wait for it (Config.ResponseTimeout),
// skip interim (1xx) answers, retry once on a fresh connection when a
// reused one was found closed before any answer (the request has no body
// and a method that may be repeated, RFC 9110 §9.2.2), and give up the
// connection when the browser goes away (its request's context ends).
// Its pool is its own: a POST does not reuse a connection a GET left idle
// (the Transport's pool), and the reverse.

const (
	h1MaxIdlePerOrigin = 256
	h1MaxIdle          = 1024
	h1IdleTimeout      = 90 * time.Second
	h1MaxHead          = 1 << 20 // as the Transport's MaxResponseHeaderBytes
	h1Max1xx           = 10      // interim answers skipped before giving up
)

// h1Client sends requests h1Takes accepts.
type h1Client struct {
	dial        func(ctx context.Context, network, addr string) (net.Conn, error)
	dialTLS     func(ctx context.Context, network, addr string) (net.Conn, error) // offering HTTP/1.1 only
	respTimeout time.Duration
	idleTimeout time.Duration

	mu       sync.Mutex
	idle     map[string][]*h1Conn // by origin, the most recently used last
	nIdle    int
	sweeping bool // the idle sweeper's goroutine is running
}

// h1Conn is a connection to an origin, tapped (h1Tap).
type h1Conn struct {
	conn   net.Conn
	br     *bufio.Reader // reads through h1Conn.Read: the head's budget
	bw     *bufio.Writer
	key    string
	tls    bool
	left   int64        // bytes the head being read may still take
	idleAt time.Time    // when it went back to the pool
	close  func() error // conn.Close, made once: what an abort runs (abort.go)
}

func newH1Client(dial, dialTLS func(context.Context, string, string) (net.Conn, error), respTimeout time.Duration) *h1Client {
	return &h1Client{dial: dial, dialTLS: dialTLS, respTimeout: respTimeout, idleTimeout: h1IdleTimeout}
}

// h1Takes says whether req goes through the h1Client: a request the
// Transport would write as it is, with nothing it would wait for (a 100
// Continue), nothing to send after the head, and safe to send again on a
// fresh connection if a kept one turns out closed (RFC 9110 §9.2.2).
func h1Takes(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
	default:
		return false
	}
	if (req.URL.Scheme != "http" && req.URL.Scheme != "https") || req.URL.Host == "" || req.Close ||
		req.ContentLength != 0 || (req.Body != nil && req.Body != http.NoBody) || len(req.TransferEncoding) > 0 {
		return false
	}
	// The Transport refuses what is not a valid field; it says why.
	return validFields(req.Header) && len(req.Header["Expect"]) == 0 && len(req.Header["Upgrade"]) == 0
}

// validFields: every name and value in h is a valid field (RFC 9110 §5.1,
// §5.5), as net/http checks them on both sides.
func validFields(h http.Header) bool {
	for name, values := range h {
		if !httpguts.ValidHeaderFieldName(name) {
			return false
		}
		for _, v := range values {
			if !httpguts.ValidHeaderFieldValue(v) {
				return false
			}
		}
	}
	return true
}

// RoundTrip sends req, which h1Takes accepted.
func (hc *h1Client) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	tls := req.URL.Scheme == "https"
	addr, key, dial := authorityAddr(req.URL.Host, "80"), "", hc.dial
	if tls {
		addr, dial = authorityAddr(req.URL.Host, "443"), hc.dialTLS
		key = "https://" // the pool's key, which the http:// origin on port 443 does not share
	}
	key += addr
	trace := httptrace.ContextClientTrace(ctx)
	fresh := false
	for {
		var pc *h1Conn
		var idle time.Duration
		if !fresh {
			pc, idle = hc.take(key)
		}
		reused := pc != nil
		if pc == nil {
			c, err := dial(ctx, "tcp", addr)
			if err != nil {
				return nil, err
			}
			pc = newH1Conn(c, key)
			pc.tls = tls
		}
		if trace != nil && trace.GotConn != nil {
			trace.GotConn(httptrace.GotConnInfo{Conn: pc.conn, Reused: reused, WasIdle: reused, IdleTime: idle})
		}
		resp, early, err := hc.exchange(ctx, pc, req, trace)
		if err == nil {
			return resp, nil
		}
		pc.conn.Close()
		if !reused || !early || ctx.Err() != nil {
			return nil, err
		}
		// The origin closed a connection it had kept open (RFC 9112
		// §9.3.1 allows it at any time): the others it kept may be closed
		// too.
		hc.dropIdle(key)
		fresh = true
	}
}

// headTimeoutError is the wait for a response head that ran out.
type headTimeoutError struct{ d time.Duration }

func (e *headTimeoutError) Error() string {
	return fmt.Sprintf("timeout awaiting response headers (no head within %s)", e.d)
}
func (e *headTimeoutError) Timeout() bool { return true }

var errHeadTooLarge = fmt.Errorf("server response headers exceeded %d bytes; aborted", h1MaxHead)

// exchange writes req on pc and reads the answer's head; the body reads
// from pc, which goes back to the pool at the body's end. early: the
// error came before any byte of an answer, from a connection found closed.
func (hc *h1Client) exchange(ctx context.Context, pc *h1Conn, req *http.Request, trace *httptrace.ClientTrace) (_ *http.Response, early bool, _ error) {
	// The browser going away ends the exchange, at any point up to the
	// body's end: the Transport's behaviour.
	stop := watchAbort(ctx, pc)
	err := req.Write(pc.bw)
	if err == nil {
		err = pc.bw.Flush()
	}
	if err != nil {
		stop.stop()
		return nil, true, err
	}
	if trace != nil && trace.WroteRequest != nil {
		trace.WroteRequest(httptrace.WroteRequestInfo{})
	}
	resp, early, err := hc.readHead(pc, req, trace)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		stop.stop()
		return nil, early, err
	}
	body := &h1Body{hc: hc, pc: pc, rc: resp.Body, ctx: ctx, stop: stop, reuse: !resp.Close}
	if resp.Body == http.NoBody {
		body.release(true)
		return resp, false, nil
	}
	resp.Body = body
	return resp, false, nil
}

// readHead reads the final response head to req, skipping interim ones.
func (hc *h1Client) readHead(pc *h1Conn, req *http.Request, trace *httptrace.ClientTrace) (_ *http.Response, early bool, _ error) {
	if hc.respTimeout > 0 {
		pc.conn.SetReadDeadline(time.Now().Add(hc.respTimeout))
	}
	pc.left = h1MaxHead
	if _, err := pc.br.Peek(1); err != nil {
		early = errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)
		return nil, early, hc.headErr(err)
	}
	if trace != nil && trace.GotFirstResponseByte != nil {
		trace.GotFirstResponseByte()
	}
	for range h1Max1xx {
		resp, err := http.ReadResponse(pc.br, req)
		if err != nil {
			return nil, false, hc.headErr(err)
		}
		switch {
		case resp.StatusCode == http.StatusSwitchingProtocols:
			return nil, false, errors.New("the origin switched protocols (101) for a request that did not ask it to")
		case resp.StatusCode >= 100 && resp.StatusCode < 200:
			continue // interim (RFC 9110 §15.2); the tap recorded it
		}
		pc.left = math.MaxInt64
		if hc.respTimeout > 0 {
			pc.conn.SetReadDeadline(time.Time{})
		}
		return resp, false, nil
	}
	return nil, false, fmt.Errorf("more than %d interim (1xx) responses", h1Max1xx)
}

// headErr names an error met reading a response head.
func (hc *h1Client) headErr(err error) error {
	var ne net.Error
	switch {
	case errors.Is(err, errHeadTooLarge):
		return errHeadTooLarge
	case errors.As(err, &ne) && ne.Timeout() && hc.respTimeout > 0:
		return &headTimeoutError{hc.respTimeout}
	}
	return err
}

func newH1Conn(c net.Conn, key string) *h1Conn {
	pc := &h1Conn{conn: c, key: key, close: c.Close}
	pc.br = bufio.NewReaderSize(pc, 4<<10)
	pc.bw = bufio.NewWriterSize(c, 4<<10)
	return pc
}

// Read reads the connection for br, within the head's budget.
func (pc *h1Conn) Read(p []byte) (int, error) {
	if pc.left <= 0 {
		return 0, errHeadTooLarge
	}
	if int64(len(p)) > pc.left {
		p = p[:pc.left]
	}
	n, err := pc.conn.Read(p)
	pc.left -= int64(n)
	return n, err
}

// h1Body is a response body on a pooled connection.
type h1Body struct {
	hc    *h1Client
	pc    *h1Conn
	rc    io.ReadCloser
	ctx   context.Context
	stop  exchangeStop
	reuse bool

	mu   sync.Mutex
	done bool
}

func (b *h1Body) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.release(true)
	} else if err != nil {
		b.release(false)
		if b.ctx.Err() != nil {
			err = b.ctx.Err() // the browser went away: what closed the connection
		}
	}
	return n, err
}

// Close before the body's end gives the connection up: what is left of
// the body is not read.
func (b *h1Body) Close() error {
	b.release(false)
	return nil
}

// release ends the exchange: the connection goes back to the pool after a
// whole body, unless either side said it closes (Connection: close, a
// body delimited by the close) or bytes came that no request asked for.
func (b *h1Body) release(whole bool) {
	b.mu.Lock()
	done := b.done
	b.done = true
	b.mu.Unlock()
	if done {
		return
	}
	if b.stop.stop() && whole && b.reuse && b.pc.br.Buffered() == 0 {
		b.hc.put(b.pc)
		return
	}
	b.pc.conn.Close()
}

// idleTLS looks at an idle TLS connection. Its socket holds records,
// not what they carry: when it holds nothing (or the origin closed it),
// idleState says so; when it holds bytes, crypto/tls reads them, briefly
// (idleTLSWait): what it handles itself (a TLS 1.3 session ticket) leaves
// the connection clean, a close_notify ends it, plaintext was not asked
// for. A timeout does not break a tls.Conn: it is a temporary error, and a
// record half read stays buffered for the next read. (A deadline already
// past would not do: Go fails such a read before it looks at the socket.)
func idleTLS(c net.Conn) connIdle {
	if s := idleState(c); s != idleUnasked {
		return s
	}
	if err := c.SetReadDeadline(time.Now().Add(idleTLSWait)); err != nil {
		return idleGone
	}
	var b [1]byte
	n, err := c.Read(b[:])
	switch {
	case n > 0:
		return idleUnasked
	case errors.Is(err, os.ErrDeadlineExceeded) && c.SetReadDeadline(time.Time{}) == nil:
		return idleClean
	}
	return idleGone
}

// idleTLSWait bounds idleTLS's read of records already in the socket.
const idleTLSWait = time.Millisecond

// connIdle is what an idle connection's socket holds (idleState).
type connIdle int

const (
	idleUnknown connIdle = iota // not known: taken as clean
	idleClean                   // nothing: the connection can carry a request
	idleGone                    // the origin closed or reset it
	idleUnasked                 // bytes no request asked for
)

// take gets an idle connection to key that its origin has neither closed
// nor sent anything on since its last answer; the others it closes.
func (hc *h1Client) take(key string) (*h1Conn, time.Duration) {
	for {
		pc, idle := hc.get(key)
		if pc == nil {
			return nil, 0
		}
		state := idleState
		if pc.tls {
			state = idleTLS
		}
		switch state(pc.conn) {
		case idleUnknown, idleClean:
			return pc, idle
		}
		pc.conn.Close()
	}
}

// get takes the most recently used idle connection to key, and how long
// it was idle; nil when there is none that was idle less than the
// timeout.
func (hc *h1Client) get(key string) (*h1Conn, time.Duration) {
	var stale []*h1Conn
	defer func() { closeConns(stale) }()
	hc.mu.Lock()
	defer hc.mu.Unlock()
	list := hc.idle[key]
	for len(list) > 0 {
		pc := list[len(list)-1]
		list = list[:len(list)-1]
		hc.nIdle--
		if idle := time.Since(pc.idleAt); idle < hc.idleTimeout {
			hc.setIdle(key, list)
			return pc, idle
		}
		stale = append(stale, pc)
	}
	hc.setIdle(key, nil)
	return nil, 0
}

func (hc *h1Client) setIdle(key string, list []*h1Conn) {
	if len(list) == 0 {
		delete(hc.idle, key)
		return
	}
	hc.idle[key] = list
}

// put keeps pc for the next request to its origin, unless the pool is
// full.
func (hc *h1Client) put(pc *h1Conn) {
	pc.idleAt = time.Now()
	hc.mu.Lock()
	if hc.nIdle >= h1MaxIdle || len(hc.idle[pc.key]) >= h1MaxIdlePerOrigin {
		hc.mu.Unlock()
		pc.conn.Close()
		return
	}
	if hc.idle == nil {
		hc.idle = map[string][]*h1Conn{}
	}
	hc.idle[pc.key] = append(hc.idle[pc.key], pc)
	hc.nIdle++
	if !hc.sweeping {
		hc.sweeping = true
		go hc.sweep()
	}
	hc.mu.Unlock()
}

// dropIdle closes the idle connections to key.
func (hc *h1Client) dropIdle(key string) {
	hc.mu.Lock()
	list := hc.idle[key]
	delete(hc.idle, key)
	hc.nIdle -= len(list)
	hc.mu.Unlock()
	closeConns(list)
}

// closeIdle closes every idle connection.
func (hc *h1Client) closeIdle() {
	hc.mu.Lock()
	all := hc.idle
	hc.idle, hc.nIdle = nil, 0
	hc.mu.Unlock()
	for _, list := range all {
		closeConns(list)
	}
}

// sweep closes connections idle longer than the timeout, while any is
// idle: no goroutine when the pool is empty.
func (hc *h1Client) sweep() {
	tick := time.NewTicker(hc.idleTimeout / 4)
	defer tick.Stop()
	for range tick.C {
		var stale []*h1Conn
		hc.mu.Lock()
		for key, list := range hc.idle {
			kept := list[:0]
			for _, pc := range list {
				if time.Since(pc.idleAt) >= hc.idleTimeout {
					stale = append(stale, pc)
				} else {
					kept = append(kept, pc)
				}
			}
			clear(list[len(kept):])
			hc.setIdle(key, kept)
		}
		hc.nIdle -= len(stale)
		empty := len(hc.idle) == 0
		if empty {
			hc.sweeping = false
		}
		hc.mu.Unlock()
		closeConns(stale)
		if empty {
			return
		}
	}
}

// closeConns closes connections taken out of the pool, outside its lock.
func closeConns(list []*h1Conn) {
	for _, pc := range list {
		pc.conn.Close()
	}
}
