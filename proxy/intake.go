package proxy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http/httpguts"
)

// The browser's side, for the commonest request. net/http's server costs
// each request a context, a response with its own buffered writer, a copy
// of the header map and a background read of the connection (to see the
// browser leave) started and stopped around the handler. The intake reads
// and answers a bodiless HTTP/1.1 request on the connection's goroutine
// instead: http.ReadRequest parses it (net/http's own parser) and
// intakeWriter frames the answer as net/http's server would
// (intakewriter.go). Anything else (a body, Expect, CONNECT, an Upgrade,
// HTTP/1.0, Connection: close, a head past intakeBuf, a request in origin
// form or for glassbox.invalid on the listener, a malformed one) hands
// the connection, with every byte read so far, to
// net/http's server for the rest of its life: the intake decides before
// it serves, so a request is never half served by one and finished by the
// other. The clientWire under the connection has seen each byte once
// either way.
//
// Why (issue 20, make bench -base, 5 rounds, medians by round): 7-9% less
// CPU a request (0.92x http-16-hey, 0.91x https-16-hey, 0.93x https-32,
// 0.91x http-32). Each connection it serves holds a 16 KiB read buffer.

// intakeBuf is the read buffer of a connection the intake serves: a
// request head must fit in it whole (net/http's server takes up to 1 MB).
const intakeBuf = 16 << 10

// intakeWatchAfter is how long a request may wait on the origin before the
// intake starts reading the browser's connection to see it leave (net/http
// reads it from the start, at the cost of a goroutine switch a request).
const intakeWatchAfter = 50 * time.Millisecond

// Intake serves a listener's connections: the commonest requests itself,
// the rest through an http.Server that serves the Intake as its listener.
type Intake struct {
	net.Listener
	p       *Proxy
	handoff chan net.Conn
	errc    chan error
	limits  intakeLimits
	served  atomic.Int64 // requests the intake answered itself

	mu      sync.Mutex
	conns   map[*intakeConn]bool // true while serving a request
	closing bool
	idle    sync.Cond // signalled as a connection stops serving
}

// intakeLimits are how long a client may take to send a request head,
// and keep a connection idle between requests: the server's.
type intakeLimits struct{ header, idle time.Duration }

// limitsOf reads them as net/http's server does: ReadTimeout stands in
// for either when it is not set.
func limitsOf(srv *http.Server) intakeLimits {
	l := intakeLimits{srv.ReadHeaderTimeout, srv.IdleTimeout}
	if l.header == 0 {
		l.header = srv.ReadTimeout
	}
	if l.idle == 0 {
		l.idle = srv.ReadTimeout
	}
	return l
}

// Intake wraps ln for srv (NewServer's), which must then serve the
// returned listener: the requests the intake does not serve go to srv,
// with srv's timeouts applying to all.
func (p *Proxy) Intake(ln net.Listener, srv *http.Server) *Intake {
	in := &Intake{Listener: ln, p: p, handoff: make(chan net.Conn), errc: make(chan error, 1), conns: map[*intakeConn]bool{},
		limits: limitsOf(srv)}
	in.idle.L = &in.mu
	go in.accept()
	return in
}

func (in *Intake) accept() {
	for {
		c, err := in.Listener.Accept()
		if err != nil {
			in.errc <- err
			return
		}
		ic := &intakeConn{c: c, in: in}
		in.mu.Lock()
		closing := in.closing
		in.conns[ic] = false
		in.mu.Unlock()
		if closing {
			c.Close()
		}
		go in.p.serveIntake(ic, ConnContext(context.Background(), c), nil, in.limits, in.handOff)
	}
}

// Accept returns the connections handed to net/http's server.
func (in *Intake) Accept() (net.Conn, error) {
	select {
	case c := <-in.handoff:
		return c, nil
	case err := <-in.errc:
		in.errc <- err // for the next Accept
		return nil, err
	}
}

func (in *Intake) handOff(c net.Conn) {
	select {
	case in.handoff <- c:
	case err := <-in.errc:
		in.errc <- err
		c.Close() // the server stopped accepting
	}
}

// Close stops accepting and closes the connections waiting for a
// request; the others close once their request is answered.
func (in *Intake) Close() error {
	err := in.Listener.Close()
	in.mu.Lock()
	in.closing = true
	for ic, busy := range in.conns {
		if !busy {
			ic.c.Close()
		}
	}
	in.mu.Unlock()
	return err
}

// Shutdown closes the Intake and waits, until ctx ends, for the requests
// it is serving (http.Server.Shutdown's part for the connections it never
// saw).
func (in *Intake) Shutdown(ctx context.Context) {
	in.Close()
	in.mu.Lock()
	stop := context.AfterFunc(ctx, func() {
		in.mu.Lock()
		in.idle.Broadcast()
		in.mu.Unlock()
	})
	defer stop()
	for ctx.Err() == nil && in.busy() {
		in.idle.Wait()
	}
	in.mu.Unlock()
}

func (in *Intake) busy() bool {
	for _, b := range in.conns {
		if b {
			return true
		}
	}
	return false
}

// intakeConn is a connection the intake serves, for its listener's
// bookkeeping (nil in for an intercepted one: its CONNECT's goroutine
// owns it).
type intakeConn struct {
	c  net.Conn
	in *Intake
}

// serving marks the connection busy or idle; false when the listener is
// shutting down and the connection should close instead.
func (ic *intakeConn) serving(busy bool) bool {
	if ic.in == nil {
		return true
	}
	ic.in.mu.Lock()
	defer ic.in.mu.Unlock()
	if !busy {
		ic.in.idle.Broadcast()
	}
	if ic.in.closing {
		return false
	}
	ic.in.conns[ic] = busy
	return true
}

func (ic *intakeConn) done() {
	if ic.in != nil {
		ic.in.mu.Lock()
		delete(ic.in.conns, ic)
		ic.in.idle.Broadcast()
		ic.in.mu.Unlock()
	}
}

// serveIntake serves ic until it closes or is handed off. t is the
// intercepted CONNECT it came through, or nil.
func (p *Proxy) serveIntake(ic *intakeConn, base context.Context, t *tunnel, limits intakeLimits, handOff func(net.Conn)) {
	c := ic.c
	defer ic.done()
	defer func() {
		if v := recover(); v != nil { // as net/http's server: the connection ends, the proxy does not
			if v != http.ErrAbortHandler {
				p.cfg.Logf("panic serving %s: %v\n%s", c.RemoteAddr(), v, debug.Stack())
			}
			c.Close()
		}
	}()
	br := bufio.NewReaderSize(c, intakeBuf)
	iw := &intakeWriter{bw: bufio.NewWriterSize(c, 4<<10)}
	remote := c.RemoteAddr().String()
	w := newWatch(c, br)
	for first := true; ; first = false {
		wait := limits.idle // for the next request
		if first {
			wait = limits.header
		}
		req, head, err := readCommon(c, br, t, wait, limits.header)
		if err != nil {
			c.Close()
			return
		}
		if req == nil { // not the intake's: net/http's server serves the rest
			handOff(&prefixConn{Conn: c, prefix: head})
			return
		}
		if !ic.serving(true) {
			c.Close()
			return
		}
		if ic.in != nil {
			ic.in.served.Add(1)
		}
		req.RemoteAddr = remote
		keep := p.serveCommon(w, iw, req, base)
		if !ic.serving(false) || !keep {
			c.Close()
			return
		}
	}
}

// serveCommon answers one request; false when the connection must close.
func (p *Proxy) serveCommon(w *watch, iw *intakeWriter, req *http.Request, base context.Context) bool {
	ctx, cancel := context.WithCancel(base)
	defer cancel()
	abort := &exchangeAbort{cancel: cancel}
	req = req.WithContext(context.WithValue(ctx, abortKey{}, abort))
	w.arm(abort)
	iw.reset(req)
	if tunnelOf(ctx) != nil {
		p.serveTunnelled(iw, req)
	} else {
		p.ServeHTTP(iw, req)
	}
	gone := w.stop()
	return iw.finish() && !gone
}

// readCommon waits for the next request and reads it when the intake
// serves it. Otherwise req is nil and head is every byte read of the
// connection that net/http's server has not seen yet.
func readCommon(c net.Conn, br *bufio.Reader, t *tunnel, wait, header time.Duration) (req *http.Request, head []byte, err error) {
	setDeadline(c, wait)
	if _, err := br.Peek(1); err != nil {
		return nil, nil, err
	}
	buf, _ := br.Peek(br.Buffered())
	n := headEnd(buf)
	if n == 0 && br.Buffered() < intakeBuf {
		// The head came in parts: the rest gets the header timeout. A head
		// whole in its first read (a browser's, nearly always) needs no
		// deadline of its own, and the idle one may stay set: nothing
		// reads the connection before the next request's wait sets it
		// again but the watch, which clears it first (start).
		setDeadline(c, header)
		for n == 0 {
			buf, _ = br.Peek(br.Buffered())
			if n = headEnd(buf); n > 0 || br.Buffered() == intakeBuf {
				break
			}
			if _, err := br.Peek(br.Buffered() + 1); err != nil {
				return nil, nil, err // a head cut off, or too slow: net/http's server closes it too
			}
		}
		c.SetReadDeadline(time.Time{})
	}
	// Everything read: the head, and what came after it. ReadRequest does
	// not read the connection for a head already buffered whole, so raw
	// stays where it is for a hand-off after all. (It may rewrite field
	// names in place, in their canonical case: net/http's server reads
	// them so anyway, and the clientWire has seen the bytes as they came.)
	raw, _ := br.Peek(br.Buffered())
	if n == 0 || !plainHead(raw[:n]) {
		return nil, bytes.Clone(raw), nil
	}
	req, err = http.ReadRequest(br)
	if err != nil || !validHost(raw[:n]) || !common(req, t) {
		return nil, bytes.Clone(raw), nil
	}
	return req, nil, nil
}

// validHost: the head has the one valid Host field net/http's server asks
// of HTTP/1.1 (http.ReadRequest refuses two, and takes the field out of
// the request: it is read here from the head).
func validHost(head []byte) bool {
	for line := range bytes.SplitSeq(head, []byte("\r\n")) {
		name, value, ok := bytes.Cut(line, []byte(":"))
		if ok && bytes.EqualFold(name, []byte("Host")) {
			return httpguts.ValidHostHeader(string(bytes.TrimSpace(value)))
		}
	}
	return false
}

// setDeadline bounds the next reads of c by d (none when d is 0).
func setDeadline(c net.Conn, d time.Duration) {
	if d > 0 {
		c.SetReadDeadline(time.Now().Add(d))
	}
}

// headEnd is the length of the request head at the start of b (up to the
// empty line that ends it), or 0 when b holds no whole head.
func headEnd(b []byte) int {
	if i := bytes.Index(b, []byte("\r\n\r\n")); i >= 0 {
		return i + 4
	}
	return 0
}

// plainHead: a head whose every line ends in CRLF (no bare LF, which
// net/http's parser reads but which would end it elsewhere than headEnd
// found) and begins with a method.
func plainHead(h []byte) bool {
	if len(h) == 0 || h[0] == '\r' || h[0] == '\n' {
		return false
	}
	return bytes.Count(h, []byte("\n")) == bytes.Count(h, []byte("\r\n"))
}

// common says whether the intake serves req: what net/http's server
// would accept and hand to the proxy as it is, with no body, over
// HTTP/1.1 without Connection: close, and not for the proxy itself.
func common(req *http.Request, t *tunnel) bool {
	if req.ProtoMajor != 1 || req.ProtoMinor != 1 || req.Close || req.Method == http.MethodConnect ||
		req.Body != http.NoBody || req.ContentLength != 0 || len(req.TransferEncoding) > 0 ||
		len(req.Header["Expect"]) > 0 || len(req.Header["Upgrade"]) > 0 {
		return false
	}
	if t == nil && (!req.URL.IsAbs() || isSetupHost(req.URL.Hostname())) {
		return false
	}
	return validFields(req.Header) // else net/http's server says which is not
}

// watch sees the browser leave while a request waits on the origin: after
// intakeWatchAfter, a goroutine reads the connection; its end (not a
// byte: a pipelined request is left for the next read) cancels the
// request, as net/http's background read does. One watch serves a
// connection's requests in turn (arm, stop).
type watch struct {
	c     net.Conn
	br    *bufio.Reader
	timer *time.Timer

	mu    sync.Mutex
	abort *exchangeAbort // the request's: cancels it and ends its exchange with the origin (abort.go)
	done  chan bool      // the reader's result, once started: the browser left
	over  bool           // no request armed: a start still to run does nothing
}

func newWatch(c net.Conn, br *bufio.Reader) *watch {
	w := &watch{c: c, br: br, over: true}
	w.timer = time.AfterFunc(time.Hour, w.start)
	w.timer.Stop()
	return w
}

// arm watches for the request that abort cancels.
func (w *watch) arm(abort *exchangeAbort) {
	w.mu.Lock()
	w.abort, w.done, w.over = abort, nil, false
	w.mu.Unlock()
	w.timer.Reset(intakeWatchAfter)
}

func (w *watch) start() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.over || w.done != nil {
		return
	}
	done, abort := make(chan bool, 1), w.abort
	w.done = done
	// The idle deadline readCommon may have left must not end the watch;
	// cleared before the read starts, so that stop's deadline comes after.
	w.c.SetReadDeadline(time.Time{})
	go func() {
		_, err := w.br.Peek(1)
		gone := err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
		if gone {
			abort.fire()
		}
		done <- gone
	}()
}

// stop ends the watch of the request; true when the browser left.
func (w *watch) stop() bool {
	w.timer.Stop()
	w.mu.Lock()
	done := w.done
	w.over = true
	w.mu.Unlock()
	if done == nil {
		return false
	}
	w.c.SetReadDeadline(time.Unix(1, 0))
	gone := <-done
	w.c.SetReadDeadline(time.Time{})
	return gone
}
