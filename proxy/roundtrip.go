package proxy

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptrace"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/elazarl/goproxy"

	"github.com/glassbox-dev/glassbox/proxy/dialer"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/refs"
)

// flowState is the per-request state shared by the trace hooks, the body
// tees and the final recording. The mutex guards the Flow: trace hooks run
// on the Transport's goroutines.
type flowState struct {
	p       *Proxy
	mu      sync.Mutex
	flow    store.Flow
	conn    *store.Conn  // the connection used, as the dialer recorded it
	dconn   *dialer.Conn // that connection itself, for when the request's last bytes left
	reqKeep int64        // what the recording keeps of the request body (kept)
	// parse is the response body as captured for the page grouping (HTML
	// and CSS up to refs.MaxInput), which may be more than the flow keeps.
	parse []byte
	req   *tee // nil when the request had no body
	resp  *http.Response
	once  sync.Once

	// respBody is the response body's tee once it streams; done is set,
	// under mu, when the flow is recorded whole; published and lastLive
	// are what publish recorded of it in flight (inflight.go).
	respBody  *tee
	done      bool
	published bool
	lastLive  liveMarks

	h1Only bool                  // the request must go over HTTP/1.1 (an Upgrade)
	tap    net.Conn              // the tap of the connection this attempt uses (tap.go)
	h2     atomic.Pointer[h2Tap] // the HTTP/2 tap to queue on, until queued
	w      wireMarks             // what the tap saw
	hook   hookMarks             // what httptrace said, for when the tap saw nothing
}

// roundTrip is our goproxy.RoundTripper. It never returns an error:
// goproxy answers a round-trip error inside an intercepted CONNECT by
// closing the browser's connection without a word. Failures become an
// error page (errorpage.go) and a recorded flow instead.
//
// The steps, each its own function: open the flow (openFlow), send the
// request with a trace of the connection's events (send), then either
// record the failure (fail) or record the response head (gotResponse)
// and stream the body through a tee that records the flow at its end
// (streamBody).
func (p *Proxy) roundTrip(req *http.Request, ctx *goproxy.ProxyCtx) (*http.Response, error) {
	st, ok := ctx.UserData.(*flowState) // opened by onRequest
	if !ok {
		st = p.openFlow(req)
	}
	return st.exchange(req), nil
}

// exchange is the round trip of an open flow (forward.go's and
// roundTrip's): the response, or the error page that stands for it.
func (st *flowState) exchange(req *http.Request) *http.Response {
	resp, err := st.send(req)
	if err != nil {
		return st.fail(req, err)
	}
	st.gotResponse(req, resp)
	flushPlainStreams(resp)
	return st.streamBody(resp)
}

// openFlow starts the flow of req: its number, the request as the browser
// sent it, its page load, and a tee on the request body.
func (p *Proxy) openFlow(req *http.Request) *flowState {
	st := &flowState{p: p}
	f := &st.flow
	f.ID = p.nextFlowID()
	f.Kind = store.KindHTTP
	f.Start = p.now()
	f.ClientAddr = req.RemoteAddr
	if t := tunnelOf(req.Context()); t != nil {
		// Intercepted TLS; plain HTTP sent inside a CONNECT counts as
		// before, as no interception (the views read MITM as HTTPS).
		f.MITM, f.ClientTLS = t.tls != nil, t.tls
	}
	f.Method = req.Method
	f.URL = req.URL.String()
	if st.h1Only = isWebSocket(req.Header); st.h1Only {
		f.URL = webSocketURL(req.URL)
	}
	f.Proto = req.Proto
	// The head as sent, claimed before glassbox's own resend marker is
	// taken out of the request, and then out of the head: it is not the
	// request's (resendOf).
	f.ReqHeaders, f.ReqHeaderSize, f.ReqHeadersAsSent = requestHead(req)
	if f.ResendOf = resendOf(req); f.ResendOf != 0 {
		f.ReqHeaders = slices.DeleteFunc(f.ReqHeaders, func(h store.Header) bool { return strings.EqualFold(h.Name, ResendHeader) })
	}
	// What the next hop gets leaves out what was this hop's only; the
	// record above keeps it (hopbyhop.go).
	dropHopByHop(req.Header)
	f.RespHeaderSize = -1
	a := p.pages.Assign(store.PageRequest{FlowID: f.ID, Method: f.Method, URL: f.URL, Headers: f.ReqHeaders, Start: f.Start})
	f.PageID, f.ResourceType, f.Initiator = a.PageID, a.ResourceType, a.Initiator
	if a.NewPage != nil {
		p.cfg.Recorder.RecordPage(a.NewPage)
	}
	if req.Body != nil && req.Body != http.NoBody {
		st.reqKeep = p.captureLimit(req.ContentLength)
		st.req = newTee(req.Body, st.reqKeep, nil)
		st.req.expect(req.ContentLength)
		req.Body = st.req
	}
	p.inflight.add(f.ID, st)
	return st
}

// send sends req upstream, tracing when it got a connection, finished
// writing and saw the first byte of the answer.
func (st *flowState) send(req *http.Request) (*http.Response, error) {
	ctx := httptrace.WithClientTrace(req.Context(), st.trace(req.URL.Scheme == "https"))
	if st.h1Only {
		ctx = dialer.WithNextProtos(ctx, h1Only)
	}
	out := req.WithContext(ctx)
	noDefaultUserAgent(out.Header)
	// "Connection: close" from the browser is about its hop to glassbox
	// (RFC 9110 §7.6.1), not glassbox's to the origin: passed on, it made
	// the Transport discard a shared upstream connection (HTTP/2 included)
	// after every such request.
	out.Close = false
	// HTTP/1.1 from the browser, HTTP/1.1 to the origin (upstream.go).
	h1Leg := req.ProtoMajor < 2 || req.URL.Scheme == "http"
	switch {
	case st.h1Only: // an Upgrade: over HTTP/1.1 by its ALPN offer
	case h1Leg && st.p.h1 != nil && h1Takes(out):
		return st.p.h1.RoundTrip(out)
	case h1Leg && req.URL.Scheme == "https":
		return st.p.tr1.RoundTrip(out)
	}
	return st.p.tr.RoundTrip(out)
}

// trace records the connection's events on the flow. The connection's own
// DNS, TCP and TLS times are on its record (the dialer's), found here.
// The request's own moments come from its tap (flowwire.go); the hooks'
// times stand in only where a tap saw nothing. WroteHeaderField puts the
// flow in line on an HTTP/2 connection (queue), which only an https://
// request may get: without the hook, net/http writes an HTTP/1.1 head
// without a slice allocated for each of its fields to show the hook.
func (st *flowState) trace(mayBeH2 bool) *httptrace.ClientTrace {
	now := st.p.now
	var wroteField func(string, []string)
	if mayBeH2 {
		wroteField = func(string, []string) { st.queue() }
	}
	return &httptrace.ClientTrace{
		GotConn:          st.gotConn,
		WroteHeaderField: wroteField,
		WroteRequest: func(httptrace.WroteRequestInfo) {
			st.mu.Lock()
			st.hook.wrote = now()
			// The hook runs after the write, in the Transport's writing
			// goroutine: under load, after the answer's first byte was
			// read. When the last write began is the truer mark.
			if st.dconn != nil {
				if w := st.dconn.LastWriteStart(); !w.IsZero() && w.Before(st.hook.wrote) {
					st.hook.wrote = w
				}
			}
			st.mu.Unlock()
		},
		GotFirstResponseByte: func() {
			st.mu.Lock()
			if st.hook.first.IsZero() {
				st.hook.first = now()
			}
			st.mu.Unlock()
		},
	}
}

// fail records a request that got no response and returns the error page
// the browser gets instead.
func (st *flowState) fail(req *http.Request, err error) *http.Response {
	st.mu.Lock()
	f := &st.flow
	st.marks()
	f.Error = classify(req.Context(), err, f)
	var de *dialer.DialError
	if errors.As(err, &de) && de.Conn != nil {
		// The failed connection is recorded; the flow points at it.
		f.ConnID, st.conn = de.Conn.ID, de.Conn
	}
	failed := *f // for the page, out of the trace hooks' way
	st.mu.Unlock()
	st.finish(st.p.now())
	return st.p.errorResponse(req, &failed)
}

// gotResponse records the response head: as it arrived when the tap read
// it (the same status as the Transport's), else as net/http parsed it.
func (st *flowState) gotResponse(req *http.Request, resp *http.Response) {
	st.mu.Lock()
	defer st.mu.Unlock()
	f := &st.flow
	st.resp = resp
	f.Status = resp.StatusCode
	f.StatusText = reasonPhrase(resp.Status)
	f.RespProto = resp.Proto
	if h := st.w.head; !h.at.IsZero() && h.status == resp.StatusCode {
		f.RespHeaders, f.RespHeadersAsSent = h.fields, true
		f.RespProto, f.RespHeaderSize = h.proto, h.size
		if h.size < 0 {
			f.RespHeaderSize = fieldsSize(h.fields)
		}
	} else {
		f.RespHeaders = store.HeadersFrom(resp.Header)
		f.RespHeaderSize = headerSize(resp.Proto+" "+resp.Status, resp.Header, "")
	}
	if f.OriginProto == "" {
		f.OriginProto = resp.Proto // no tap: the response's version is the leg's
	}
	dropHopByHop(resp.Header)
	noSniffedType(resp.Header)
	if resp.TLS != nil && f.ServerAddr == "" {
		f.ServerAddr = req.URL.Host
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		f.Kind = store.KindWebSocket
		f.ResourceType = "websocket"
		// The browser's connection carries WebSocket frames from here.
		wireOf(req.Context()).stop()
	}
}

// flushPlainStreams makes goproxy flush a streamed response to a plain-HTTP
// client as it arrives. goproxy flushes each write only when it sees
// Transfer-Encoding: chunked; without it a slow stream (server-sent events,
// a trickling download) waits in a 4 KB buffer. The value is what the
// origin used; net/http frames the response itself.
func flushPlainStreams(resp *http.Response) {
	if resp.ContentLength < 0 && len(resp.TransferEncoding) > 0 {
		resp.Header.Set("Transfer-Encoding", "chunked")
	}
}

// streamBody puts a tee on the response body that records the flow when
// the body ends; a response without a body completes the flow now.
func (st *flowState) streamBody(resp *http.Response) *http.Response {
	if resp.Body == nil || resp.Body == http.NoBody {
		// Nothing to stream (HEAD, 204, 304). The body is left as it is so
		// goproxy frames the response unchanged.
		st.finish(st.p.now())
		return resp
	}
	f := &st.flow
	var tap *messageTap
	switch {
	case f.Kind == store.KindWebSocket:
		tap = webSocketTap(f.ID, st.p.now, resp.Header)
	case isEventStream(resp.Header) && identity(resp.Header):
		tap = eventStreamTap(f.ID, st.p.now)
	}
	// Only the recorder reads the copy of a body no tap reads and the
	// page grouping does not parse: it may go into a capture buffer
	// (capbuf.go), whose pool bounds the memory instead of the recorder's
	// queue budget (captureLimit).
	references := readsReferences(resp.Header.Get("Content-Type"))
	var cb *capBuf
	if tap == nil && !references && st.p.cfg.MaxBody > 0 && resp.ContentLength > 0 {
		cb = capBuffers.get(min(resp.ContentLength, st.p.cfg.MaxBody))
	}
	keep := st.p.cfg.MaxBody
	if cb == nil {
		keep = st.p.captureLimit(resp.ContentLength)
	}
	capture := keep
	if references {
		// The page grouping reads the URLs a document or stylesheet
		// references from its copy, whatever --max-body keeps of it.
		capture = max(keep, refs.MaxInput)
	}
	body := newTee(resp.Body, capture, func(t *tee, err error) {
		st.mu.Lock()
		f.RespBody = t.body()
		st.parse = f.RespBody.Data
		f.RespBody = kept(f.RespBody, keep)
		if f.Kind == store.KindWebSocket {
			f.BytesDown, f.BytesUp = t.n, t.written
		} else if err != nil {
			f.Error = classifyBodyErr(err)
		}
		st.mu.Unlock()
		st.finish(st.p.now())
	})
	body.tap, body.cb = tap, cb
	body.expect(resp.ContentLength)
	resp.Body = body
	st.mu.Lock()
	st.respBody = body
	st.mu.Unlock()
	return resp
}

// ResendHeader marks a request glassbox sends again (glassbox resend):
// its value is the number of the flow resent. The proxy records it as
// Flow.ResendOf and takes the header out: the origin never sees it.
const ResendHeader = "X-Glassbox-Resend-Of"

// resendOf reads and removes ResendHeader; 0 without one.
func resendOf(req *http.Request) int64 {
	v := req.Header.Get(ResendHeader)
	if v == "" {
		return 0
	}
	req.Header.Del(ResendHeader)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// readsReferences reports a body the page grouping reads for the URLs it
// references: HTML and CSS (store/refs).
func readsReferences(contentType string) bool {
	ct := strings.ToLower(strings.TrimSpace(contentType))
	return strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "application/xhtml+xml") || strings.HasPrefix(ct, "text/css")
}

// kept is the part of a captured body the recording keeps: its first keep
// bytes, none when keep is negative (--max-body none, or shedKeep: the
// recorder would shed the copy, which the body then says).
func kept(b store.Body, keep int64) store.Body {
	switch {
	case keep < 0: // never a capture buffer's body: those keep --max-body
		b.Data = nil
		b.Shed = keep == shedKeep && b.Size > 0
	case int64(len(b.Data)) > keep:
		b.Data = b.Data[:keep:keep]
	}
	b.Truncated = b.Size > int64(len(b.Data))
	return b
}

// shedKeep is captureLimit's answer when the recorder would shed a body
// copy: keep none, and say why.
const shedKeep = -2

// captureLimit is how much of a body of announced length n (-1 unknown) to
// copy: --max-body, or nothing when the recorder would shed the copy
// anyway (store.BodyAdmitter). The body is forwarded whole either way.
func (p *Proxy) captureLimit(n int64) int64 {
	max := p.cfg.MaxBody
	if max <= 0 || n == 0 {
		return max
	}
	if a, ok := p.cfg.Recorder.(store.BodyAdmitter); ok {
		want := max
		if n > 0 && n < want {
			want = n
		}
		if !a.AdmitBody(want) {
			return shedKeep // keep none; the flow says Shed, with the true size
		}
	}
	return max
}

// finish records the flow once, with its end time.
func (st *flowState) finish(end time.Time) {
	st.once.Do(func() {
		st.p.inflight.remove(st.flow.ID)
		st.mu.Lock()
		st.done = true // no snapshot in flight is recorded after this
		st.marks()
		end = st.ended(end)
		f := st.flow // a copy: the recorder owns it from here
		conn, parse, body := st.conn, st.parse, st.respBody
		// A lent copy (capbuf.go) is the recorder's alone from here.
		st.flow.RespBody.Data, st.flow.RespBody.Buffer, st.parse = nil, nil, nil
		st.mu.Unlock()
		f.End = end
		if body != nil && body.tap != nil {
			f.Messages = body.tap.record(st.p.cfg.Recorder)
		}
		if st.req != nil {
			f.ReqBody = kept(st.req.body(), st.reqKeep)
		}
		if parse == nil {
			parse = f.RespBody.Data
		}
		out := st.p.pages.Response(store.PageResponse{FlowID: f.ID, Status: f.Status,
			Headers: f.RespHeaders, Body: parse, End: end})
		f.PageID, f.Initiator = out.PageID, out.Initiator
		if f.Kind == store.KindHTTP {
			f.ResourceType = out.ResourceType
		}
		for i := range out.Pages {
			st.p.cfg.Recorder.RecordPage(&out.Pages[i])
		}
		view := &f
		if f.RespBody.Buffer != nil {
			// The recorder may release the body's memory as soon as it
			// has it: OnFlow sees the flow without that copy.
			c := f
			c.RespBody.Data, c.RespBody.Buffer = nil, nil
			view = &c
		}
		st.p.cfg.Recorder.RecordFlow(&f)
		if st.p.cfg.OnFlow != nil {
			st.p.cfg.OnFlow(view, conn)
		}
	})
}

// reasonPhrase extracts "Not Found" from "404 Not Found".
func reasonPhrase(status string) string {
	for i := 0; i < len(status); i++ {
		if status[i] == ' ' {
			return status[i+1:]
		}
	}
	return ""
}

// headerSize is the size of a header block as HTTP/1.1 writes it: the
// start line, "Name: value\r\n" per field, and the blank line (RFC 9112 §2.1).
// For HTTP/2 it is the uncompressed equivalent, which is what HAR expects.
func headerSize(startLine string, h http.Header, host string) int64 {
	n := len(startLine) + 2
	if host != "" {
		n += len("Host: ") + len(host) + 2
	}
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
	}
	return int64(n + 2)
}
