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
	PageID int64
	ConnID int64
	Start  time.Time
	End    time.Time
	Dur    time.Duration
	// Setup, Send, Wait and Receive are the flow's own phases, from its own
	// timestamps: Setup is Start to GotConn (queueing plus, on a new
	// connection, DNS, TCP and TLS). The inline bar of the list draws them
	// without reading the connection records.
	Setup, Send, Wait, Receive time.Duration
	Size                       int64 // response body bytes (tunnels: bytes from the origin)
	Status                     int
	Method                     string
	Type                       string // resource type (store.Type*)
	Kind                       string // store.Kind*
	URL                        string
	Host                       string // host[:port] as in the URL
	Path                       string // path and query, "/" when empty
	ErrPhase                   string // "" when the flow did not fail
	ErrKind                    string
	Reused                     bool
	HTTPS                      bool // the browser asked for https (intercepted or tunnelled)
}

// NewRow summarises a flow. It keeps substrings of f.URL, so the URL's
// memory is shared, not copied.
func NewRow(f *store.Flow) Row {
	r := Row{
		ID: f.ID, PageID: f.PageID, ConnID: f.ConnID, Start: f.Start, End: f.End, Dur: f.Duration(),
		Status: f.Status, Method: f.Method, Type: f.ResourceType, Kind: f.Kind,
		URL: f.URL, Host: f.Host(), Reused: f.ConnReused,
	}
	r.Size = f.RespBody.Size
	if f.Kind == store.KindTunnel || f.Kind == store.KindWebSocket {
		r.Size = f.BytesDown
	}
	if r.Type == "" {
		r.Type = store.TypeOther
	}
	r.Path = pathOf(f.URL)
	r.HTTPS = f.MITM || strings.HasPrefix(f.URL, "https://") || strings.HasPrefix(f.URL, "wss://") ||
		(f.Kind == store.KindTunnel && strings.HasSuffix(r.Host, ":443"))
	if f.Error != nil {
		r.ErrPhase, r.ErrKind = f.Error.Phase, f.Error.Kind
	}
	r.Setup, r.Send, r.Wait, r.Receive = ownPhases(f)
	return r
}

// ownPhases splits a flow's life at its own timestamps. A missing
// timestamp gives its phase to the one before it, so the four always add
// up to the flow's duration.
func ownPhases(f *store.Flow) (setup, send, wait, receive time.Duration) {
	if f.Start.IsZero() || f.End.IsZero() {
		return
	}
	marks := []time.Time{f.Start, f.GotConn, f.WroteRequest, f.FirstByte, f.End}
	last := f.Start
	var out [4]time.Duration
	for i := 1; i < len(marks); i++ {
		t := marks[i]
		if t.IsZero() || t.Before(last) {
			continue
		}
		// Time up to this mark belongs to the phase that ends at it; a
		// skipped mark leaves its share with the earlier phase.
		j := i - 1
		for j > 0 && marks[j].IsZero() {
			j--
		}
		out[j] += t.Sub(last)
		last = t
	}
	return out[0], out[1], out[2], out[3]
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
