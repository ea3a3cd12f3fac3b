// Package har writes (and reads) HAR 1.2, the HTTP Archive format that
// browsers' developer tools and other proxies exchange
// (http://www.softwareishard.com/blog/har-12-spec/). It reads a session
// through store.Reader only.
//
// It is the interchange format and nothing more: it knows the store's model
// and HAR's, never the explanations of inspector/explain, so it imports
// nothing under inspector/. The _notes of an entry come through
// Options.Notes; inspector/export, which every export of glassbox goes
// through, wires them in.
//
// Export streams: pages first (few), then each entry as it is read from the
// store in bounded pages, so a session of any size exports in bounded memory.
// The files split by concern: export.go the document and its stream,
// entry.go an entry's timings and connection, request.go and response.go
// their halves, redact.go what is hidden, decode.go content codings, and
// import.go, importentry.go and importbody.go the way back in.
package har

// The HAR 1.2 object model, as far as glassbox writes it. Custom fields
// start with an underscore, as the spec requires.

type Log struct {
	Version string  `json:"version"`
	Creator Creator `json:"creator"`
	Pages   []Page  `json:"pages"`
	Entries []Entry `json:"entries"`
	Comment string  `json:"comment,omitempty"`
	// Network is how glassbox shaped its upstream traffic while recording
	// (--latency, --bandwidth, --network; store.Session.Network): every
	// time in the file includes those delays. Absent when it did not.
	Network string `json:"_network,omitempty"`
}

type Creator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type Page struct {
	StartedDateTime string      `json:"startedDateTime"`
	ID              string      `json:"id"`
	Title           string      `json:"title"`
	PageTimings     PageTimings `json:"pageTimings"`
	Comment         string      `json:"comment,omitempty"`
	// Insights is the diagnosis of the page load (store/diagnose).
	Insights *Insights `json:"_insights,omitempty"`
}

type PageTimings struct {
	OnContentLoad float64 `json:"onContentLoad"`
	OnLoad        float64 `json:"onLoad"`
	Comment       string  `json:"comment,omitempty"`
}

type Entry struct {
	PageRef         string   `json:"pageref,omitempty"`
	StartedDateTime string   `json:"startedDateTime"`
	Time            float64  `json:"time"`
	Request         Request  `json:"request"`
	Response        Response `json:"response"`
	Cache           struct{} `json:"cache"`
	Timings         Timings  `json:"timings"`
	ServerIPAddress string   `json:"serverIPAddress,omitempty"`
	Connection      string   `json:"connection,omitempty"`
	Comment         string   `json:"comment,omitempty"`

	ResourceType     string     `json:"_resourceType,omitempty"`
	Initiator        *Initiator `json:"_initiator,omitempty"`
	InitiatorFlow    int64      `json:"_initiatorFlow,omitempty"`
	ResendOf         int64      `json:"_resendOf,omitempty"`
	ResentAs         []int64    `json:"_resentAs,omitempty"`
	ConnectionReused bool       `json:"_connectionReused"`
	DNS              *DNS       `json:"_dns,omitempty"`
	TLS              *TLS       `json:"_tls,omitempty"`
	Client           *Client    `json:"_client,omitempty"`
	Error            *Error     `json:"_error,omitempty"`
	Notes            []string   `json:"_notes,omitempty"`
	Kind             string     `json:"_kind,omitempty"`
	Tunnel           *TunnelIO  `json:"_tunnel,omitempty"`
	Raw              *RawTiming `json:"_glassbox,omitempty"`
	// WebSocketMessages and EventSourceMessages are the messages the flow
	// carried (messages.go); MessageCount how many crossed, when fewer
	// were kept.
	WebSocketMessages   []WebSocketMessage   `json:"_webSocketMessages,omitempty"`
	EventSourceMessages []EventSourceMessage `json:"_eventSourceMessages,omitempty"`
	MessageCount        int64                `json:"_messageCount,omitempty"`
}

type Request struct {
	Method      string    `json:"method"`
	URL         string    `json:"url"`
	HTTPVersion string    `json:"httpVersion"`
	Cookies     []Cookie  `json:"cookies"`
	Headers     []NV      `json:"headers"`
	QueryString []NV      `json:"queryString"`
	PostData    *PostData `json:"postData,omitempty"`
	HeadersSize int64     `json:"headersSize"`
	BodySize    int64     `json:"bodySize"`
	Comment     string    `json:"comment,omitempty"`
}

type Response struct {
	Status       int      `json:"status"`
	StatusText   string   `json:"statusText"`
	HTTPVersion  string   `json:"httpVersion"`
	Cookies      []Cookie `json:"cookies"`
	Headers      []NV     `json:"headers"`
	Content      Content  `json:"content"`
	RedirectURL  string   `json:"redirectURL"`
	HeadersSize  int64    `json:"headersSize"`
	BodySize     int64    `json:"bodySize"`
	TransferSize int64    `json:"_transferSize"`
	Comment      string   `json:"comment,omitempty"`
	// Trailers are the fields that came after the body (RFC 9110 §6.5),
	// which HAR has no place for.
	Trailers []NV `json:"_trailers,omitempty"`
}

type NV struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	Comment string `json:"comment,omitempty"`
}

type Cookie struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Path     string `json:"path,omitempty"`
	Domain   string `json:"domain,omitempty"`
	Expires  string `json:"expires,omitempty"`
	HTTPOnly bool   `json:"httpOnly,omitempty"`
	Secure   bool   `json:"secure,omitempty"`
	SameSite string `json:"sameSite,omitempty"`
}

type PostData struct {
	MimeType string  `json:"mimeType"`
	Params   []Param `json:"params"`
	Text     string  `json:"text"`
	// Encoding is "base64" for a body that is not text, as content's
	// encoding in HAR 1.2; OldEncoding is where glassbox wrote it before,
	// still read on import.
	Encoding    string `json:"encoding,omitempty"`
	OldEncoding string `json:"_encoding,omitempty"`
	Comment     string `json:"comment,omitempty"`
}

type Param struct {
	Name        string `json:"name"`
	Value       string `json:"value,omitempty"`
	FileName    string `json:"fileName,omitempty"`
	ContentType string `json:"contentType,omitempty"`
	Comment     string `json:"comment,omitempty"`
}

type Content struct {
	Size        int64  `json:"size"`
	Compression int64  `json:"compression,omitempty"`
	MimeType    string `json:"mimeType"`
	Text        string `json:"text,omitempty"`
	Encoding    string `json:"encoding,omitempty"`
	Comment     string `json:"comment,omitempty"`
	Truncated   bool   `json:"_truncated,omitempty"`
}

// Timings are milliseconds; -1 where a phase did not happen.
type Timings struct {
	Blocked float64 `json:"blocked"`
	DNS     float64 `json:"dns"`
	Connect float64 `json:"connect"`
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
	SSL     float64 `json:"ssl"`
}

type DNS struct {
	Source  string      `json:"source"`
	Server  string      `json:"server,omitempty"`
	Rcode   string      `json:"rcode,omitempty"`
	CNAME   []string    `json:"cname"`
	Answers []DNSAnswer `json:"answers"`
	// TTL is the effective TTL: how long glassbox's cache keeps the answer
	// (the smallest along the CNAME chain); absent for a hosts-file
	// answer, which has none.
	TTL  *uint32  `json:"ttl,omitempty"`
	RTT  float64  `json:"rtt"`
	Hops []DNSHop `json:"hops,omitempty"`
}

type DNSAnswer struct {
	Type string `json:"type"`
	Addr string `json:"addr"`
	TTL  uint32 `json:"ttl"`
}

type DNSHop struct {
	Server   string   `json:"server"`
	Zone     string   `json:"zone"`
	Referral []string `json:"referral,omitempty"`
	Glue     []string `json:"glue,omitempty"`
	Rcode    string   `json:"rcode,omitempty"`
	Time     float64  `json:"time"`
	Error    string   `json:"error,omitempty"`
}

type TLS struct {
	Version string `json:"version"`
	Cipher  string `json:"cipher"`
	ALPN    string `json:"alpn"`
	SNI     string `json:"sni"`
	Resumed bool   `json:"resumed,omitempty"`
}

// Client is the browser's leg, between the browser and glassbox; the
// entry's httpVersion fields and _tls describe the origin's leg.
type Client struct {
	HTTPVersion string `json:"httpVersion"`
	TLS         *TLS   `json:"tls,omitempty"` // the browser's TLS session with glassbox (an intercepted CONNECT)
}

type Error struct {
	Phase   string `json:"phase"`
	Kind    string `json:"kind,omitempty"`
	Message string `json:"message"`
}

// TunnelIO counts the bytes of a tunnel or upgraded connection.
type TunnelIO struct {
	BytesUp   int64 `json:"bytesUp"`
	BytesDown int64 `json:"bytesDown"`
}

// RawTiming keeps what HAR cannot hold, so an import of our own export
// loses nothing: glassbox's absolute timestamps (Unix nanoseconds), and
// whether each header block in the file is the one that crossed the wire
// (store.Flow.ReqHeadersAsSent, RespHeadersAsSent): true only when the
// export wrote it unchanged, nothing in it redacted.
type RawTiming struct {
	FlowID            int64 `json:"flow"`
	GotConn           int64 `json:"gotConn,omitempty"`
	WroteRequest      int64 `json:"wroteRequest,omitempty"`
	FirstByte         int64 `json:"firstByte,omitempty"`
	End               int64 `json:"end,omitempty"`
	ReqHeadersAsSent  bool  `json:"reqHeadersAsSent,omitempty"`
	RespHeadersAsSent bool  `json:"respHeadersAsSent,omitempty"`
}

// Document is the top-level HAR object.
type Document struct {
	Log Log `json:"log"`
}

// Initiator is Chrome's _initiator shape (type: parser, script, preflight,
// other; url), with glassbox's own finer type and whether only time or
// origin decided it.
type Initiator struct {
	Type      string `json:"type"`
	URL       string `json:"url,omitempty"`
	Kind      string `json:"_type,omitempty"` // glassbox's: navigation, redirect, parser, stylesheet, script, preflight, browser, client, unknown
	Heuristic bool   `json:"_heuristic,omitempty"`
}
