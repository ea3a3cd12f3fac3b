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
	var st ImportStats
	var doc struct {
		Log struct {
			Version string      `json:"version"`
			Pages   []Page      `json:"pages"`
			Entries []importing `json:"entries"`
		} `json:"log"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return st, fmt.Errorf("not a HAR file: invalid JSON at byte %d: %v", se.Offset, err)
		}
		return st, fmt.Errorf("not a HAR file: %w", err)
	}
	if doc.Log.Version == "" && len(doc.Log.Entries) == 0 {
		return st, errors.New(`not a HAR file: no "log" with entries`)
	}

	pageIDs := map[string]int64{}
	for i, p := range doc.Log.Pages {
		id := int64(i + 1)
		pageIDs[p.ID] = id
		start, _ := parseTime(p.StartedDateTime)
		rec.RecordPage(&store.Page{ID: id, URL: "", Title: p.Title, Start: start})
		st.Pages++
	}
	var grouper *store.Grouper
	if len(doc.Log.Pages) == 0 {
		grouper = store.NewGrouper()
		st.Grouped = true
	}

	// Entries in start order, so IDs follow time as they do when recording.
	sort.SliceStable(doc.Log.Entries, func(i, j int) bool {
		return doc.Log.Entries[i].StartedDateTime < doc.Log.Entries[j].StartedDateTime
	})
	conns := map[string]int64{}
	pageSeen := map[int64]bool{}
	var nextConn int64
	var id int64
	for i := range doc.Log.Entries {
		e := &doc.Log.Entries[i]
		f, err := e.flow()
		if err != nil {
			st.Skipped++
			if len(st.Warn) < 20 {
				st.Warn = append(st.Warn, fmt.Sprintf("entry %d skipped: %v", i+1, err))
			}
			continue
		}
		id++
		f.ID = id
		if grouper != nil {
			a := grouper.Assign(store.PageRequest{FlowID: f.ID, Method: f.Method, URL: f.URL, Headers: f.ReqHeaders, Start: f.Start})
			f.PageID = a.PageID
			if a.NewPage != nil {
				rec.RecordPage(a.NewPage)
				st.Pages++
			}
			changed, rt := grouper.Response(store.PageResponse{FlowID: f.ID, Status: f.Status, Headers: f.RespHeaders, Body: f.RespBody.Data, End: f.End})
			if f.ResourceType == "" && f.Kind == store.KindHTTP {
				f.ResourceType = rt
			}
			if changed != nil {
				rec.RecordPage(changed)
			}
		} else {
			f.PageID = pageIDs[e.PageRef]
			if f.ResourceType == "" && f.Kind == store.KindHTTP {
				f.ResourceType = store.ResponseType(store.RequestType(f.Method, f.URL, f.ReqHeaders), f.RespHeaders.Get("Content-Type"), f.URL)
			}
		}
		// One connection record per HAR "connection" id; its dial timings
		// come from the first entry that opened it.
		key := e.Connection
		if key == "" && e.Timings.Connect >= 0 {
			key = "entry-" + strconv.Itoa(i)
		}
		if key != "" {
			cid, seen := conns[key]
			if !seen {
				nextConn++
				cid = nextConn
				conns[key] = cid
				if c := e.conn(cid, f); c != nil {
					if e.DNS != nil {
						lk := e.lookup(cid, c)
						c.LookupID = lk.ID
						rec.RecordLookup(lk)
					}
					rec.RecordConn(c)
					st.Conns++
				}
			}
			f.ConnID = cid
			f.ConnReused = seen
		}
		if f.PageID > 0 && !pageSeen[f.PageID] && grouper == nil {
			// The page's URL is its first request's.
			pageSeen[f.PageID] = true
			p := doc.Log.Pages[f.PageID-1]
			start, _ := parseTime(p.StartedDateTime)
			rec.RecordPage(&store.Page{ID: f.PageID, URL: f.URL, Title: p.Title, Start: start, FlowID: f.ID})
		}
		rec.RecordFlow(f)
		st.Entries++
	}
	return st, nil
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
		f.Error = &store.FlowError{Phase: store.PhaseWait, Kind: "error", Message: "no response in the imported file"}
	}
	if pd := e.Request.PostData; pd != nil {
		data, err := bodyBytes(pd.Text, pd.Encoding)
		if err != nil {
			return nil, fmt.Errorf("request body: %w", err)
		}
		f.ReqBody = store.Body{Data: data, Size: int64(len(data))}
		if e.Request.BodySize > int64(len(data)) {
			f.ReqBody.Size, f.ReqBody.Truncated = e.Request.BodySize, true
		}
	}
	data, err := bodyBytes(e.Response.Content.Text, e.Response.Content.Encoding)
	if err != nil {
		return nil, fmt.Errorf("response content: %w", err)
	}
	f.RespBody = store.Body{Data: data, Size: e.Response.BodySize, Truncated: e.Response.Content.Truncated}
	if f.RespBody.Size < 0 {
		f.RespBody.Size = int64(len(data))
	}
	if len(data) > 0 && f.RespHeaders.Get("Content-Encoding") != "" {
		f.RespBody.Decoded = true // HAR content is the decoded entity
	}

	// Phases, in HAR's order, from the start.
	t := e.Timings
	if raw := e.Raw; raw != nil && raw.End != 0 {
		f.GotConn, f.WroteRequest = nanoTime(raw.GotConn), nanoTime(raw.WroteRequest)
		f.FirstByte, f.End = nanoTime(raw.FirstByte), nanoTime(raw.End)
		return f, nil
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
	return f, nil
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
