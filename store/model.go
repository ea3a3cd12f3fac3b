// Package store holds glassbox's model of a capture (sessions, flows,
// connections, DNS lookups, page loads) and the two interfaces through which
// the rest of the program touches storage: Recorder for the proxy, which writes,
// and Reader for the inspector and exporters, which read.
//
// It is also the one owner of each concept that several views show, so
// they cannot disagree: the phases of a request (phase.go, timings.go),
// failures (failure.go), URL normalising and redirect targets (url.go),
// resource types (restype.go), a flow's connection and lookup records
// (records.go), and, in store/codec, body decoding.
//
// The package imports only the standard library and two leaves of its own,
// a change to DESIGN.md's arrows (store on the standard library alone)
// made on purpose: store/codec, the one body decoder (with the brotli and
// zstd decoders), because page titles and the grouping read decoded HTML
// and every view must decode alike; and store/refs, the reader of the URLs
// HTML and CSS reference, because the grouper places a request by the
// document that referenced it (initiators), which a model without them
// could only guess. Both are pure and import nothing of glassbox
// (.ci/check-imports holds them to it); inspector/explain uses store/codec
// for the same reason, so that it decodes bodies as every view does. The
// one implementation of the interfaces lives in store/sqlite; only cmd/
// wires it to the proxy and the viewers.
//
// Raw timestamps live on the object that owns the event (a Conn owns its DNS,
// TCP and TLS times; a Flow owns send, wait and receive) and durations are
// derived when shown, never stored, as in mitmproxy's flow model.
//
// Identifiers: a Session is numbered by the database; everything inside a
// session (flows, connections, lookups, pages) is numbered by the process that
// owns the session, starting at 1. That lets the proxy link a flow to its
// connection and page as it happens, without waiting for the disk, and lets an
// importer write a session of its own beside a running proxy.
package store

import (
	"errors"
	"net/http"
	"strings"
	"time"
)

// ErrNotFound is returned by a Reader when the session, flow or connection
// asked for does not exist.
var ErrNotFound = errors.New("not found")

// Session is one run of the proxy, or one imported file.
type Session struct {
	ID      int64
	Started time.Time
	Ended   time.Time // zero while the session is still being recorded
	// Source says where the session came from: "proxy" or "import:<file>".
	Source string
	// Listen is the address the proxy listened on, empty for imports.
	Listen string
	// Interrupted says the proxy stopped without closing the session
	// (killed, crashed, the machine went down): a later start found it
	// open with nobody recording, and Ended is then the last moment
	// recorded in it, not when recording stopped.
	Interrupted bool
	// Network says how glassbox shaped its upstream traffic to teach what
	// a slower network costs (netshape.Profile's words: "--network 3g:
	// 300 ms added to every round trip, ..."); empty when it did not. Every
	// time in such a session includes the delays glassbox added.
	Network string
	// Flows and Pages are counted when read; writers leave them zero.
	Flows int64
	Pages int64
}

// SourceImport begins the Source of a session imported from a file:
// "import:capture.har".
const SourceImport = "import:"

// Length is how long a session lasted, as lists show it: its duration once
// it ended (to the last thing recorded, and saying so, when interrupted); "running" for a proxy session that has no end (recording, or
// killed); "incomplete" for an import that has none (still reading, or
// cancelled, failed or killed part way: it holds what its counts say, not
// the whole file).
func (s Session) Length() string {
	switch {
	case s.Interrupted:
		return s.Ended.Sub(s.Started).Round(time.Second).String() + ", interrupted"
	case !s.Ended.IsZero():
		return s.Ended.Sub(s.Started).Round(time.Second).String()
	case strings.HasPrefix(s.Source, SourceImport):
		return "incomplete"
	}
	return "running"
}

// Header is one header field. The proxy records a block as it crossed the
// wire whenever it could read it there (Flow.ReqHeadersAsSent,
// Flow.RespHeadersAsSent): every field in the order and case it was sent,
// Host included, and the hop-by-hop fields (Connection, Keep-Alive,
// Proxy-Connection, TE, Upgrade: RFC 9110 §7.6.1) and the framing ones
// (Transfer-Encoding, Content-Length), which concern one leg only:
// glassbox frames each leg itself, and forwards the hop-by-hop fields
// only where an upgrade needs them. An HTTP/2 block begins with its
// pseudo-header fields (":method", ":authority", ":path"..., ":status"),
// names in lower case and a cookie split over several fields kept split,
// as HTTP/2 sends them (RFC 9113 §8.2-8.3). A proxy credential's value is
// NotRecorded (Field).
//
// Where the wire could not be read (a connection the proxy lost step
// with, a capture made before glassbox read it) the block is net/http's
// parse (HeadersFrom), and the flow says so: names canonicalised
// ("Content-Type"), fields sorted by name (a name's values in order),
// without Host and the fields net/http and goproxy take out. An imported
// HAR keeps the order and case its file has.
type Header struct {
	Name  string
	Value string
}

// Headers is an ordered header block.
type Headers []Header

// HeadersFrom converts an http.Header, for a block whose wire form is not
// known. Go's map loses the wire order, so the fields are sorted by name
// to keep the result stable. A proxy credential's value is NotRecorded.
func HeadersFrom(h http.Header) Headers {
	if len(h) == 0 {
		return nil
	}
	out := make(Headers, 0, len(h))
	for name, values := range h {
		for _, v := range values {
			out = append(out, Field(name, v))
		}
	}
	sortHeaders(out)
	return out
}

// Get returns the first value of the named field (case-insensitive, as
// HTTP compares names: asciiFold). Page grouping asks about a dozen fields
// of every request and response, and strings.EqualFold, which compares
// names of different lengths letter by letter, was most of its cost.
func (h Headers) Get(name string) string {
	for i := range h {
		if asciiFold(h[i].Name, name) {
			return h[i].Value
		}
	}
	return ""
}

// Values returns every value of the named field (case-insensitive).
func (h Headers) Values(name string) []string {
	var out []string
	for i := range h {
		if asciiFold(h[i].Name, name) {
			out = append(out, h[i].Value)
		}
	}
	return out
}

// Body is the stored copy of a request or response body.
type Body struct {
	// Data is the captured copy, at most the configured cap (--max-body).
	// It holds the bytes as they crossed the proxy: still compressed when the
	// server used a Content-Encoding.
	Data []byte
	// Size is the true number of body bytes that crossed the proxy, which
	// may be larger than len(Data).
	Size int64
	// Truncated is true when Data holds only the first part of the body.
	Truncated bool
	// Decoded is true when Data is the decoded entity although the headers
	// name a Content-Encoding (bodies imported from HAR, which stores the
	// decoded content).
	Decoded bool
	// Shed is true when glassbox kept no copy because bodies came faster
	// than the database took them (the flow is whole; Truncated is set
	// too), as opposed to a copy cut by --max-body.
	Shed bool
	// Missing is true when the store kept a copy but cannot read it back:
	// the body file beside the database lost it (removed, cut short by a
	// power loss, or the database copied without it). Data is nil and
	// Truncated set. Set by the reader, never stored.
	Missing bool
	// Buffer is set when Data lives in memory the capturer lends and
	// reuses (the proxy's capture buffers); nil otherwise. Never stored.
	Buffer BodyBuffer
}

// BodyBuffer is the memory a captured body's Data is lent in. Whoever
// records the body (a Recorder) calls Release exactly once, when it no
// longer reads Data: stored, shed or dropped. Nothing reads Data after
// that, because the capturer reuses the memory for another body.
type BodyBuffer interface {
	Release()
	// CRC32C is the CRC-32C (Castagnoli, RFC 3720 §B.4) of Data, summed
	// while the bytes were captured and still in the processor's cache.
	CRC32C() uint32
	// Blocks is Data followed by zeros up to a multiple of 4096 bytes,
	// in memory aligned to 4096 bytes: what direct I/O writes as is.
	Blocks() []byte
}

// FlowError says why a flow has no (complete) response.
type FlowError struct {
	Phase string // one of the Phase constants (failure.go)
	// Kind is a short machine-readable cause inside the phase, one of the
	// Fail constants; Failures lists the pairs recorded.
	Kind    string
	Message string // the error text as Go reported it
}

// Flow kinds.
const (
	KindHTTP      = "http"      // one request and its response
	KindTunnel    = "tunnel"    // a CONNECT passed through untouched (--no-mitm)
	KindWebSocket = "websocket" // an upgraded request; bytes counted, messages read (message.go)
)

// Flow is one request and what became of it. Once recorded, an HTTP or
// WebSocket flow has a response (Status > 0), an Error, or both: a response
// whose body broke off carries the error of PhaseReceive, or of
// PhaseClient when the browser went away first. A tunnel (KindTunnel) has
// no Status: it has an Error only when it failed, and its byte counts.
type Flow struct {
	SessionID int64
	ID        int64 // per session, from 1, in the order requests arrived
	PageID    int64 // the page load it belongs to; 0 = unattributed
	ConnID    int64 // the upstream connection used; 0 = none
	// ConnReused is true when the connection had served a request before
	// this one, so this flow paid no DNS, TCP or TLS time.
	ConnReused bool

	// Initiator is what made the request happen (initiator.go).
	Initiator Initiator
	// ResendOf is the flow this one sent again (glassbox resend, the
	// inspector's resend key); 0 for a request a browser made.
	ResendOf int64
	// Rev is the store's change number for the flow: every write of it
	// (a flow in flight is written again as its phases pass, and when it
	// ends) gives it a higher one in its session, so a reader asks what
	// changed since the last it saw (FlowQuery.Changed). Set by the
	// store, not the proxy; rows from before schema version 3 got their
	// ID when migrated.
	Rev int64

	Kind         string // KindHTTP, KindTunnel, KindWebSocket
	ResourceType string // document, stylesheet, script, image, font, fetch, media, websocket, other
	ClientAddr   string // the browser's address as the proxy saw it
	MITM         bool   // true when the request came through an intercepted CONNECT
	// ClientTLS is the browser's TLS session with glassbox, for a request
	// that came through an intercepted CONNECT (glassbox's certificate, the
	// browser's offer); nil otherwise. TLS with the origin is the Conn's.
	// The flows of one browser connection share it, and it never changes
	// once set (the store encodes a shared one once).
	ClientTLS *TLSInfo

	Method string
	URL    string // a WebSocket's is ws:// or wss://
	// Proto is the protocol of the browser's leg, between the browser and
	// glassbox: "HTTP/1.1", "HTTP/2.0".
	Proto string
	// OriginProto is the protocol of the origin's leg, the one glassbox
	// spoke to the origin: "HTTP/1.1" or "HTTP/2.0" (ALPN decides, RFC
	// 7301); empty when no connection served the request, and in captures
	// from before glassbox recorded it (RespProto then says it).
	OriginProto string
	ReqHeaders  Headers
	// ReqHeadersAsSent is true when ReqHeaders are the block as the
	// browser sent it, read off the wire (see Header); false when they are
	// net/http's parse, or an imported file's that does not say they are
	// (glassbox's own HAR says so in _glassbox, for a block it wrote
	// unchanged).
	ReqHeadersAsSent bool
	ReqBody          Body

	Status     int    // 0 when no response was received
	StatusText string // the reason phrase as sent ("" for HTTP/2)
	// RespProto is the version the origin's response carried: its status
	// line's ("HTTP/1.0" from a server that answers so), "HTTP/2.0".
	RespProto   string
	RespHeaders Headers
	RespBody    Body
	// RespTrailers holds HTTP trailers, if the origin sent any.
	RespTrailers Headers
	// RespHeadersAsSent is true when RespHeaders and RespTrailers are the
	// origin's blocks as they arrived, read off the wire (see Header);
	// false when they are net/http's parse, or an imported file's that
	// does not say they are (as ReqHeadersAsSent).
	RespHeadersAsSent bool

	ServerAddr string // IP:port of the origin, empty when never connected

	// Timestamps; zero when the event did not happen.
	Start        time.Time // the proxy has the whole request head
	GotConn      time.Time // a connection to the origin was ready for this request
	WroteRequest time.Time // request head and body written upstream
	FirstByte    time.Time // first byte of the response head arrived
	End          time.Time // last byte of the response body, or the failure

	// Wire sizes: header blocks as the peer wrote them (HTTP/1 count; for
	// HTTP/2, an estimate of the uncompressed block). -1 when unknown.
	ReqHeaderSize  int64
	RespHeaderSize int64

	// Tunnel byte counts (KindTunnel and KindWebSocket): client->origin and
	// origin->client.
	BytesUp   int64
	BytesDown int64
	// Messages counts the WebSocket messages or server-sent events the
	// flow carried (message.go), kept or not: the first MaxMessagesPerFlow
	// are kept.
	Messages int64

	Error *FlowError
}

// Duration is End-Start, or 0 when the flow has not ended.
func (f *Flow) Duration() time.Duration {
	if f.End.IsZero() || f.Start.IsZero() {
		return 0
	}
	return f.End.Sub(f.Start)
}

// Host returns the host[:port] part of the flow's URL.
func (f *Flow) Host() string {
	rest := f.URL
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = rest[i+1:]
	}
	return rest
}
