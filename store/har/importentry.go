package har

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// importer records one file's entries, with the state that spans them:
// pages, connections, and the IDs given so far.
type importer struct {
	rec      store.Recorder
	opt      ImportOptions
	st       ImportStats
	pages    []Page
	pageIDs  map[string]int64
	pageSeen map[int64]bool
	flowIDs  map[int64]int64 // a glassbox export's flow number -> this import's
	grouper  *store.Grouper  // set when the file has no pages
	started  bool            // an entry was read: the pages are settled
	conns    map[string]int64
	nextConn int64
	id       int64
}

func newImporter(rec store.Recorder, opt ImportOptions) *importer {
	return &importer{rec: rec, opt: opt, pageIDs: map[string]int64{}, pageSeen: map[int64]bool{}, flowIDs: map[int64]int64{},
		conns: map[string]int64{}}
}

// filePages records the file's pages; read after its entries, they come
// too late to place them.
func (im *importer) filePages(pages []Page) {
	if im.started {
		if len(pages) > 0 {
			im.warn("the file lists its pages after its entries: glassbox grouped the entries itself")
		}
		return
	}
	im.pages = append(im.pages, pages...)
	for _, p := range pages {
		id := int64(len(im.pageIDs) + 1)
		im.pageIDs[p.ID] = id
		start, err := parseTime(p.StartedDateTime)
		if err != nil && p.StartedDateTime != "" {
			im.warn(fmt.Sprintf("page %d: %v; its start is left out", id, err))
		}
		im.rec.RecordPage(&store.Page{ID: id, URL: "", Title: p.Title, Start: start})
		im.st.Pages++
	}
}

// entry records entry n as a flow (and its connection and page), or
// counts it skipped with a warning.
func (im *importer) entry(n int, e *importing) {
	if !im.started {
		im.started = true
		if len(im.pages) == 0 {
			im.grouper = store.NewGrouper()
			im.st.Grouped = true
		}
	}
	f, err := e.flow(im.opt.MaxBody)
	if err != nil {
		im.skip(n, err)
		return
	}
	im.id++
	f.ID = im.id
	im.initiator(f, e)
	f.ResendOf = im.flowIDs[e.ResendOf] // _resentAs follows from it
	if im.grouper != nil {
		im.group(f)
	} else {
		im.place(f, e)
	}
	im.connect(n-1, e, f)
	if f.PageID > 0 && !im.pageSeen[f.PageID] && im.grouper == nil {
		// The page's URL is its first request's.
		im.pageSeen[f.PageID] = true
		p := im.pages[f.PageID-1]
		start, _ := parseTime(p.StartedDateTime)
		im.rec.RecordPage(&store.Page{ID: f.PageID, URL: f.URL, Title: p.Title, Start: start, FlowID: f.ID})
	}
	if msgs := importMessages(&e.Entry, f.ID); len(msgs) > 0 {
		if mr, ok := im.rec.(store.MessageRecorder); ok {
			mr.RecordMessages(msgs)
		}
		f.Messages = max(e.MessageCount, int64(len(msgs)))
	}
	im.rec.RecordFlow(f)
	im.st.Entries++
}

// skip counts entry n skipped, with a warning.
func (im *importer) skip(n int, err error) {
	im.st.Skipped++
	im.warn(fmt.Sprintf("entry %d skipped: %v", n, err))
}

// warn keeps the first 20 warnings.
func (im *importer) warn(w string) {
	if len(im.st.Warn) < 20 {
		im.st.Warn = append(im.st.Warn, w)
	}
}

// group places a flow with glassbox's own page-load grouping.
func (im *importer) group(f *store.Flow) {
	a := im.grouper.Assign(store.PageRequest{FlowID: f.ID, Method: f.Method, URL: f.URL, Headers: f.ReqHeaders, Start: f.Start})
	if a.NewPage != nil {
		im.recordPage(*a.NewPage)
	}
	out := im.grouper.Response(store.PageResponse{FlowID: f.ID, Status: f.Status, Headers: f.RespHeaders,
		Body: f.RespBody.Data, Decoded: f.RespBody.Decoded, End: f.End})
	f.PageID, f.Initiator = out.PageID, out.Initiator
	if f.ResourceType == "" && f.Kind == store.KindHTTP {
		f.ResourceType = out.ResourceType
	}
	for _, p := range out.Pages {
		im.recordPage(p)
	}
}

// initiator reads an entry's _initiator: glassbox's own type when the file
// is a glassbox export, else Chrome's (parser, script, preflight, other);
// _initiatorFlow names an earlier entry by its exported number.
func (im *importer) initiator(f *store.Flow, e *importing) {
	if e.Raw != nil && e.Raw.FlowID > 0 {
		im.flowIDs[e.Raw.FlowID] = f.ID
	}
	in := e.Initiator
	if in == nil {
		return
	}
	f.Initiator = store.Initiator{Type: in.Kind, URL: in.URL, Heuristic: in.Heuristic, FlowID: im.flowIDs[e.InitiatorFlow]}
	if f.Initiator.Type == "" {
		f.Initiator.Type = map[string]string{"parser": store.InitParser, "script": store.InitScript,
			"preflight": store.InitPreflight}[in.Type]
	}
	if f.Initiator.Type == "" {
		f.Initiator.Type = store.InitUnknown
	}
}

// recordPage records a page the grouper opened or changed, counting the
// page loads that hold flows (not one merged away: a download).
func (im *importer) recordPage(p store.Page) {
	switch {
	case p.MergedInto != 0 && im.pageSeen[p.ID]:
		im.st.Pages--
		delete(im.pageSeen, p.ID)
	case p.MergedInto == 0 && !im.pageSeen[p.ID]:
		im.st.Pages++
		im.pageSeen[p.ID] = true
	}
	im.rec.RecordPage(&p)
}

// place puts a flow in the page its pageref names.
func (im *importer) place(f *store.Flow, e *importing) {
	f.PageID = im.pageIDs[e.PageRef]
	if f.ResourceType == "" && f.Kind == store.KindHTTP {
		f.ResourceType = store.ResponseType(store.RequestType(f.Method, f.URL, f.ReqHeaders), f.RespHeaders.Get("Content-Type"), f.URL)
	}
}

// connect gives a flow its connection: one record per HAR "connection"
// id, its dial timings from the first entry that opened it.
func (im *importer) connect(i int, e *importing, f *store.Flow) {
	key := e.Connection
	if key == "" && e.Timings.Connect >= 0 {
		key = "entry-" + strconv.Itoa(i)
	}
	if key == "" {
		return
	}
	cid, seen := im.conns[key]
	if !seen {
		im.nextConn++
		cid = im.nextConn
		im.conns[key] = cid
		if c := e.conn(cid, f); c != nil {
			if e.DNS != nil {
				lk := e.lookup(cid, c)
				c.LookupID = lk.ID
				im.rec.RecordLookup(lk)
			}
			im.rec.RecordConn(c)
			im.st.Conns++
		}
	}
	f.ConnID = cid
	f.ConnReused = seen
}

// importing is an entry as read: our Entry plus the raw fields that vary
// between producers.
type importing struct {
	Entry
}

// The times glassbox stores: nanoseconds since 1970 in 64 bits reach the
// year 2262; a date outside these years, or a phase longer than
// maxPhaseMs, wrapped around silently (year 0 and 9999 became other
// years). HTTP began in 1991.
var (
	minTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// maxPhaseMs bounds one timing of an entry, in milliseconds: a year, past
// any request or WebSocket that stayed open.
const maxPhaseMs = 365 * 24 * 3600 * 1000

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Before(minTime) || !t.Before(maxTime) {
				return time.Time{}, fmt.Errorf("startedDateTime %q is outside the years glassbox stores (1970 to 2199)", s)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("startedDateTime %q is not an ISO 8601 time", s)
}

func msDur(v float64) time.Duration {
	if v <= 0 {
		return 0
	}
	return time.Duration(v * float64(time.Millisecond))
}

// checkTimes refuses timings and absolute times that cannot be stored.
func (e *importing) checkTimes() error {
	t := e.Timings
	for _, v := range []float64{e.Time, t.Blocked, t.DNS, t.Connect, t.SSL, t.Send, t.Wait, t.Receive} {
		if v > maxPhaseMs || v != v { // NaN is not a duration either
			return fmt.Errorf("a timing of %g ms is longer than glassbox stores (a year)", v)
		}
	}
	if raw := e.Raw; raw != nil {
		for _, n := range []int64{raw.GotConn, raw.WroteRequest, raw.FirstByte, raw.End} {
			if n != 0 && (n < minTime.UnixNano() || n >= maxTime.UnixNano()) {
				return fmt.Errorf("_glassbox time %d is outside the years glassbox stores (1970 to 2199)", n)
			}
		}
	}
	return nil
}

func (e *importing) flow(maxBody int64) (*store.Flow, error) {
	start, err := parseTime(e.StartedDateTime)
	if err != nil {
		return nil, err
	}
	if err := e.checkTimes(); err != nil {
		return nil, err
	}
	if e.Request.Method == "" || e.Request.URL == "" {
		return nil, errors.New("request has no method or URL")
	}
	// glassbox's own file says which blocks are as they crossed the wire.
	var reqSent, respSent bool
	if e.Raw != nil {
		reqSent, respSent = e.Raw.ReqHeadersAsSent, e.Raw.RespHeadersAsSent
	}
	f := &store.Flow{
		Kind: store.KindHTTP, Start: start, Method: e.Request.Method, URL: e.Request.URL,
		Proto:            protoOf(e.Request.HTTPVersion),
		ReqHeaders:       importHeaders(e.Request.Headers, reqSent),
		ReqHeadersAsSent: reqSent,
		ResourceType:     e.ResourceType,
		Status:           e.Response.Status, StatusText: e.Response.StatusText,
		RespProto:         protoOf(e.Response.HTTPVersion),
		RespHeaders:       importHeaders(e.Response.Headers, respSent),
		RespTrailers:      importHeaders(e.Response.Trailers, respSent),
		RespHeadersAsSent: respSent,
		ReqHeaderSize:     e.Request.HeadersSize,
		RespHeaderSize:    e.Response.HeadersSize,
		ServerAddr:        e.ServerIPAddress,
		MITM:              strings.HasPrefix(e.Request.URL, "https:"),
		ConnReused:        e.ConnectionReused,
	}
	if c := e.Client; c != nil {
		// glassbox's own: httpVersion is the origin's leg, _client the browser's.
		f.OriginProto, f.Proto = f.Proto, protoOf(c.HTTPVersion)
		if c.TLS != nil {
			f.ClientTLS = c.TLS.info()
		}
	}
	if e.Kind != "" {
		f.Kind = e.Kind
	}
	if e.Tunnel != nil {
		f.BytesUp, f.BytesDown = e.Tunnel.BytesUp, e.Tunnel.BytesDown
	}
	if e.Error != nil {
		f.Error = &store.FlowError{Phase: e.Error.Phase, Kind: e.Error.Kind, Message: e.Error.Message}
	}
	if f.Status == 0 && f.Error == nil {
		// Browsers export failed or cancelled requests with status 0.
		f.Error = &store.FlowError{Phase: store.PhaseWait, Kind: store.FailError, Message: "no response in the imported file"}
	}
	if err := e.bodies(f, maxBody); err != nil {
		return nil, err
	}
	e.phases(f)
	return f, nil
}

// phases lays out the flow's timestamps: glassbox's own (_glassbox) when
// the file has them, otherwise HAR's phases in order from the start.
func (e *importing) phases(f *store.Flow) {
	start := f.Start
	t := e.Timings
	if raw := e.Raw; raw != nil && raw.End != 0 {
		f.GotConn, f.WroteRequest = nanoTime(raw.GotConn), nanoTime(raw.WroteRequest)
		f.FirstByte, f.End = nanoTime(raw.FirstByte), nanoTime(raw.End)
		return
	}
	connect := msDur(t.Connect)
	at := start.Add(msDur(t.Blocked) + msDur(t.DNS) + connect)
	f.GotConn = at
	at = at.Add(msDur(t.Send))
	f.WroteRequest = at
	at = at.Add(msDur(t.Wait))
	if f.Status > 0 {
		f.FirstByte = at
	}
	at = at.Add(msDur(t.Receive))
	f.End = at
	if total := start.Add(msDur(e.Time)); e.Time > 0 && f.End.Before(total) && t.Send < 0 {
		f.End = total
	}
}

// conn rebuilds the connection an entry opened from its dns/connect/ssl.
func (e *importing) conn(id int64, f *store.Flow) *store.Conn {
	t := e.Timings
	if t.DNS < 0 && t.Connect < 0 && e.TLS == nil && e.ServerIPAddress == "" {
		return &store.Conn{ID: id, Host: hostOfURL(f.URL)}
	}
	c := &store.Conn{ID: id, Host: hostOfURL(f.URL)}
	at := f.Start.Add(msDur(t.Blocked))
	if t.DNS >= 0 {
		c.DNSStart, c.DNSEnd = at, at.Add(msDur(t.DNS))
		at = c.DNSEnd
	}
	if t.Connect >= 0 {
		c.ConnectStart = at
		ssl := time.Duration(0)
		if t.SSL >= 0 && t.SSL <= t.Connect {
			ssl = msDur(t.SSL)
		}
		c.ConnectEnd = at.Add(msDur(t.Connect) - ssl)
		if t.SSL >= 0 {
			c.TLSStart, c.TLSEnd = c.ConnectEnd, c.ConnectEnd.Add(ssl)
		}
	}
	if e.ServerIPAddress != "" {
		port := "80"
		if strings.HasPrefix(f.URL, "https:") {
			port = "443"
		}
		c.RemoteAddr = net.JoinHostPort(e.ServerIPAddress, port)
	}
	if e.TLS != nil {
		c.TLS = e.TLS.info()
	}
	return c
}

// lookup rebuilds the DNS lookup of a connection from glassbox's _dns.
func (e *importing) lookup(id int64, c *store.Conn) *store.Lookup {
	d := e.DNS
	lk := &store.Lookup{ID: id, Name: c.Host, Source: d.Source, Server: d.Server, Rcode: d.Rcode,
		CNAMEs: d.CNAME, Start: c.DNSStart, End: c.DNSEnd, RTT: msDur(d.RTT)}
	for _, a := range d.Answers {
		lk.Answers = append(lk.Answers, store.DNSAnswer{Type: a.Type, Addr: a.Addr, TTL: a.TTL})
	}
	if d.TTL != nil {
		lk.TTL = *d.TTL
	}
	for _, h := range d.Hops {
		lk.Hops = append(lk.Hops, store.DNSHop{Server: h.Server, Zone: h.Zone, Referral: h.Referral, Glue: h.Glue,
			Rcode: h.Rcode, Error: h.Error})
	}
	return lk
}

func nanoTime(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// importHeaders reads a block. A block as sent keeps its HTTP/2
// pseudo-header fields (store.Header); elsewhere those some browsers
// export (":authority"...) are left out: no other block has them.
func importHeaders(h []NV, asSent bool) store.Headers {
	if len(h) == 0 {
		return nil
	}
	out := make(store.Headers, 0, len(h))
	for _, nv := range h {
		if strings.HasPrefix(nv.Name, ":") && !asSent {
			continue
		}
		out = append(out, store.Header{Name: nv.Name, Value: nv.Value})
	}
	return out
}

// info is an imported TLS session as the store holds it.
func (t *TLS) info() *store.TLSInfo {
	return &store.TLSInfo{Version: t.Version, Cipher: t.Cipher, ALPN: t.ALPN, SNI: t.SNI, Resumed: t.Resumed}
}

func protoOf(v string) string {
	switch strings.ToLower(v) {
	case "http/2", "http/2.0", "h2":
		return "HTTP/2.0"
	case "http/3", "http/3.0", "h3":
		return "HTTP/3.0"
	case "http/1.0":
		return "HTTP/1.0"
	case "", "unknown":
		return ""
	}
	return strings.ToUpper(v)
}

func hostOfURL(u string) string {
	f := store.Flow{URL: u}
	h := f.Host()
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return h
}
