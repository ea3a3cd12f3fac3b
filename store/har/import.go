package har

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// ImportStats says what an import did.
type ImportStats struct {
	Entries int
	Pages   int
	Conns   int
	Skipped int      // entries that could not be read (see Warnings)
	Grouped bool     // the file had no pages: glassbox grouped the entries itself
	Warn    []string // one line per skipped entry or oddity, at most 20
}

// Import reads a HAR file (from Chrome, Firefox, mitmproxy, glassbox...)
// and records it through rec as flows, pages and connections. Entries keep
// their pages when the file has them; otherwise glassbox's own page-load
// grouping places them.
//
// HAR keeps relative timings; each entry's phases are laid out from its
// startedDateTime in HAR's order (blocked, dns, connect incl. ssl, send,
// wait, receive). glassbox's own exports also carry the absolute timestamps
// (_glassbox), which are used when present so a round trip loses nothing.
func Import(r io.Reader, rec store.Recorder) (ImportStats, error) {
	doc, err := readDocument(r)
	if err != nil {
		return ImportStats{}, err
	}
	im := newImporter(doc, rec)
	// Entries in start order, so IDs follow time as they do when recording.
	sort.SliceStable(doc.Log.Entries, func(i, j int) bool {
		return doc.Log.Entries[i].StartedDateTime < doc.Log.Entries[j].StartedDateTime
	})
	for i := range doc.Log.Entries {
		im.entry(i, &doc.Log.Entries[i])
	}
	return im.st, nil
}

// document is a HAR file as read.
type document struct {
	Log struct {
		Version string      `json:"version"`
		Pages   []Page      `json:"pages"`
		Entries []importing `json:"entries"`
	} `json:"log"`
}

func readDocument(r io.Reader) (*document, error) {
	var doc document
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("not a HAR file: invalid JSON at byte %d: %v", se.Offset, err)
		}
		return nil, fmt.Errorf("not a HAR file: %w", err)
	}
	if doc.Log.Version == "" && len(doc.Log.Entries) == 0 {
		return nil, errors.New(`not a HAR file: no "log" with entries`)
	}
	return &doc, nil
}

// importer records one file's entries, with the state that spans them:
// pages, connections, and the IDs given so far.
type importer struct {
	rec      store.Recorder
	st       ImportStats
	pages    []Page
	pageIDs  map[string]int64
	pageSeen map[int64]bool
	flowIDs  map[int64]int64 // a glassbox export's flow number -> this import's
	grouper  *store.Grouper  // set when the file has no pages
	conns    map[string]int64
	nextConn int64
	id       int64
}

// newImporter records the file's pages, or prepares glassbox's own
// grouping when it has none.
func newImporter(doc *document, rec store.Recorder) *importer {
	im := &importer{rec: rec, pages: doc.Log.Pages, pageIDs: map[string]int64{}, pageSeen: map[int64]bool{}, flowIDs: map[int64]int64{}, conns: map[string]int64{}}
	for i, p := range doc.Log.Pages {
		id := int64(i + 1)
		im.pageIDs[p.ID] = id
		start, _ := parseTime(p.StartedDateTime)
		rec.RecordPage(&store.Page{ID: id, URL: "", Title: p.Title, Start: start})
		im.st.Pages++
	}
	if len(doc.Log.Pages) == 0 {
		im.grouper = store.NewGrouper()
		im.st.Grouped = true
	}
	return im
}

// entry records entry i as a flow (and its connection and page), or
// counts it skipped with a warning.
func (im *importer) entry(i int, e *importing) {
	f, err := e.flow()
	if err != nil {
		im.st.Skipped++
		if len(im.st.Warn) < 20 {
			im.st.Warn = append(im.st.Warn, fmt.Sprintf("entry %d skipped: %v", i+1, err))
		}
		return
	}
	im.id++
	f.ID = im.id
	im.initiator(f, e)
	if im.grouper != nil {
		im.group(f)
	} else {
		im.place(f, e)
	}
	im.connect(i, e, f)
	if f.PageID > 0 && !im.pageSeen[f.PageID] && im.grouper == nil {
		// The page's URL is its first request's.
		im.pageSeen[f.PageID] = true
		p := im.pages[f.PageID-1]
		start, _ := parseTime(p.StartedDateTime)
		im.rec.RecordPage(&store.Page{ID: f.PageID, URL: f.URL, Title: p.Title, Start: start, FlowID: f.ID})
	}
	im.rec.RecordFlow(f)
	im.st.Entries++
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

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
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

func (e *importing) flow() (*store.Flow, error) {
	start, err := parseTime(e.StartedDateTime)
	if err != nil {
		return nil, err
	}
	if e.Request.Method == "" || e.Request.URL == "" {
		return nil, errors.New("request has no method or URL")
	}
	f := &store.Flow{
		Kind: store.KindHTTP, Start: start, Method: e.Request.Method, URL: e.Request.URL,
		Proto:        protoOf(e.Request.HTTPVersion),
		ReqHeaders:   importHeaders(e.Request.Headers),
		ResourceType: e.ResourceType,
		Status:       e.Response.Status, StatusText: e.Response.StatusText,
		RespProto:      protoOf(e.Response.HTTPVersion),
		RespHeaders:    importHeaders(e.Response.Headers),
		ReqHeaderSize:  e.Request.HeadersSize,
		RespHeaderSize: e.Response.HeadersSize,
		ServerAddr:     e.ServerIPAddress,
		MITM:           strings.HasPrefix(e.Request.URL, "https:"),
		ConnReused:     e.ConnectionReused,
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
	if err := e.bodies(f); err != nil {
		return nil, err
	}
	e.phases(f)
	return f, nil
}

// bodies reads the request's postData and the response's content.
func (e *importing) bodies(f *store.Flow) error {
	if pd := e.Request.PostData; pd != nil {
		data, err := bodyBytes(pd.Text, pd.Encoding)
		if err != nil {
			return fmt.Errorf("request body: %w", err)
		}
		f.ReqBody = store.Body{Data: data, Size: int64(len(data))}
		if e.Request.BodySize > int64(len(data)) {
			f.ReqBody.Size, f.ReqBody.Truncated = e.Request.BodySize, true
		}
	}
	data, err := bodyBytes(e.Response.Content.Text, e.Response.Content.Encoding)
	if err != nil {
		return fmt.Errorf("response content: %w", err)
	}
	f.RespBody = store.Body{Data: data, Size: e.Response.BodySize, Truncated: e.Response.Content.Truncated}
	if f.RespBody.Size < 0 {
		f.RespBody.Size = int64(len(data))
	}
	if len(data) > 0 && f.RespHeaders.Get("Content-Encoding") != "" {
		f.RespBody.Decoded = true // HAR content is the decoded entity
	}
	return nil
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
		c.TLS = &store.TLSInfo{Version: e.TLS.Version, Cipher: e.TLS.Cipher, ALPN: e.TLS.ALPN, SNI: e.TLS.SNI, Resumed: e.TLS.Resumed}
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

func bodyBytes(text, encoding string) ([]byte, error) {
	if text == "" {
		return nil, nil
	}
	if strings.EqualFold(encoding, "base64") {
		return base64.StdEncoding.DecodeString(text)
	}
	return []byte(text), nil
}

func importHeaders(h []NV) store.Headers {
	out := make(store.Headers, 0, len(h))
	for _, nv := range h {
		// HTTP/2 pseudo-headers (":authority"...) some browsers export are
		// not header fields.
		if strings.HasPrefix(nv.Name, ":") {
			continue
		}
		out = append(out, store.Header{Name: nv.Name, Value: nv.Value})
	}
	return out
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
