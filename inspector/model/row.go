package model

import (
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// Row is the compact summary of one flow that the list keeps in memory:
// what a list row, a filter and a sort need, and nothing else (no headers,
// no bodies). A session of 100,000 flows holds 100,000 Rows; the full flow
// is read from the store only for the one selected.
type Row struct {
	ID     int64
	Rev    int64 // the store's change number when read (store.Flow.Rev)
	PageID int64
	ConnID int64
	Start  time.Time
	End    time.Time
	Dur    time.Duration
	// GotConn, WroteRequest and FirstByte are the flow's other marks: with
	// Start, End and Reused, what store.Marks.Timings derives its phases
	// from (Marks).
	GotConn, WroteRequest, FirstByte time.Time
	Size                             int64 // response body bytes (tunnels: bytes from the origin)
	Status                           int
	Method                           string
	Type                             string // resource type (store.Type*)
	Kind                             string // store.Kind*
	URL                              string
	Host                             string // host[:port] as in the URL
	Path                             string // path and query, "/" when empty
	ErrPhase                         string // "" when the flow did not fail
	ErrKind                          string
	Reused                           bool
	HTTPS                            bool // the browser asked for https (intercepted or tunnelled)
	// Init is what made the request happen (a store.Init* constant, ""
	// in captures from before glassbox recorded it), InitFlow the flow
	// that caused it (0 when none), InitHeuristic whether glassbox
	// decided by time or origin alone (store.Initiator; its URL stays in
	// the store, read with the flow).
	Init          string
	InitFlow      int64
	InitHeuristic bool
	// Marked and Comment are what a person wrote on the flow
	// (store.Annotation), kept by the model across new readings of it.
	Marked  bool
	Comment string
}

// NewRow summarises a flow. It keeps substrings of f.URL, so the URL's
// memory is shared, not copied.
func NewRow(f *store.Flow) Row {
	r := Row{
		ID: f.ID, Rev: f.Rev, PageID: f.PageID, ConnID: f.ConnID, Start: f.Start, End: f.End, Dur: f.Duration(),
		Status: f.Status, Method: f.Method, Type: f.ResourceType, Kind: f.Kind,
		URL: f.URL, Host: f.Host(), Reused: f.ConnReused,
	}
	r.Size = f.RespBody.Size
	if f.Kind == store.KindTunnel || f.Kind == store.KindWebSocket {
		r.Size = f.BytesDown
	}
	if r.Type == "" {
		r.Type = store.TypeOf(f)
	}
	r.Path = pathOf(f.URL)
	r.HTTPS = f.MITM || strings.HasPrefix(f.URL, "https://") || strings.HasPrefix(f.URL, "wss://") ||
		(f.Kind == store.KindTunnel && strings.HasSuffix(r.Host, ":443"))
	if f.Error != nil {
		r.ErrPhase, r.ErrKind = f.Error.Phase, f.Error.Kind
	}
	r.GotConn, r.WroteRequest, r.FirstByte = f.GotConn, f.WroteRequest, f.FirstByte
	r.Init, r.InitFlow, r.InitHeuristic = initType(f.Initiator.Type), f.Initiator.FlowID, f.Initiator.Heuristic
	return r
}

// Marks are the flow's timestamps that its phases are cut at.
func (r *Row) Marks() store.Marks {
	return store.Marks{Start: r.Start, GotConn: r.GotConn, WroteRequest: r.WroteRequest,
		FirstByte: r.FirstByte, End: r.End, Reused: r.Reused}
}

func pathOf(u string) string {
	rest := u
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	i := strings.IndexAny(rest, "/?#")
	if i < 0 {
		return "/"
	}
	p := rest[i:]
	if j := strings.IndexByte(p, '#'); j >= 0 {
		p = p[:j]
	}
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	return p
}

// Failed reports whether the flow ended in an error (and so has no, or an
// incomplete, response).
func (r *Row) Failed() bool { return r.ErrPhase != "" }

// Worst orders outcomes from harmless to serious, for "worst status":
// no status yet < 1xx < 2xx < 3xx < 4xx < 5xx < a failure.
func (r *Row) Worst() int {
	if r.Failed() {
		return WorstFailed
	}
	return r.Status
}

// WorstFailed is the Worst value of a flow that failed.
const WorstFailed = 1000

// HostName is Host without a port.
func (r *Row) HostName() string {
	h := r.Host
	if strings.HasPrefix(h, "[") {
		if i := strings.Index(h, "]"); i > 0 {
			return h[1:i]
		}
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && strings.Count(h, ":") == 1 {
		return h[:i]
	}
	return h
}
