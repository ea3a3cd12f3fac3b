package har

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/glassbox-dev/glassbox/store"
)

// Redacted replaces secret values in exports.
const Redacted = "[redacted by glassbox]"

// Options control an export.
type Options struct {
	// NoRedact keeps Authorization, Proxy-Authorization, Cookie and
	// Set-Cookie values. By default they are replaced with Redacted.
	NoRedact bool
	// RedactParams names query-string parameters whose values are redacted
	// too (e.g. "token", "api_key"). Matching ignores case.
	RedactParams []string
	// Version is glassbox's version, for creator.version.
	Version string
	// PageID, when > 0, exports only that page load.
	PageID int64
	// Filter, when set, keeps only the flows it accepts.
	Filter func(*store.Flow) bool
	// Notes, when set, returns plain-language notes for an entry (_notes).
	Notes func(NoteContext) []string
	// Progress, when set, is called every 1,000 entries with the count.
	Progress func(done int)
}

// NoteContext is what Options.Notes gets for one entry: the flow, its
// connection and lookup, and its neighbours in the same page (by ID, which
// is arrival order), any of which may be nil.
type NoteContext struct {
	Flow       *store.Flow
	Conn       *store.Conn
	Lookup     *store.Lookup
	Prev, Next *store.Flow
}

// secretHeaders are redacted unless NoRedact: they carry credentials
// (RFC 9110 §11.6.2, §11.7.2; RFC 6265 §4).
var secretHeaders = map[string]bool{
	"authorization": true, "proxy-authorization": true, "cookie": true, "set-cookie": true,
}

// Export writes one session as HAR 1.2 to w.
func Export(ctx context.Context, r store.Reader, sessionID int64, w io.Writer, opt Options) error {
	sess, err := r.Session(ctx, sessionID)
	if err != nil {
		return err
	}
	pages, err := r.Pages(ctx, sess.ID)
	if err != nil {
		return err
	}
	conns, err := r.Conns(ctx, sess.ID)
	if err != nil {
		return err
	}
	lookups, err := r.Lookups(ctx, sess.ID)
	if err != nil {
		return err
	}
	connByID := make(map[int64]*store.Conn, len(conns))
	for i := range conns {
		connByID[conns[i].ID] = &conns[i]
	}
	lookupByID := make(map[int64]*store.Lookup, len(lookups))
	for i := range lookups {
		lookupByID[lookups[i].ID] = &lookups[i]
	}

	bw := bufio.NewWriterSize(w, 64<<10)
	version := opt.Version
	if version == "" {
		version = "dev"
	}
	comment := fmt.Sprintf("glassbox session %d, started %s.", sess.ID, sess.Started.UTC().Format(time.RFC3339))
	if opt.NoRedact {
		comment += " Not redacted: this file contains cookies and credentials as they were sent."
	} else {
		comment += " Authorization, Proxy-Authorization, Cookie and Set-Cookie values are replaced with \"" + Redacted + "\"."
		if len(opt.RedactParams) > 0 {
			comment += " So are the query parameters " + strings.Join(opt.RedactParams, ", ") + "."
		}
	}
	head, _ := json.Marshal(Creator{Name: "glassbox", Version: version})
	fmt.Fprintf(bw, "{\n  \"log\": {\n    \"version\": \"1.2\",\n    \"creator\": %s,\n    \"comment\": %s,\n    \"pages\": [", head, mustJSON(comment))

	// Pages: top-level page loads only; entries of an iframe carry the
	// pageref of the page that contains it (DESIGN.md, as Chrome does).
	top := topPages(pages)
	first := true
	for _, p := range pages {
		if p.ParentID != 0 || (opt.PageID > 0 && p.ID != opt.PageID) {
			continue
		}
		title := p.Title
		if title == "" {
			title = p.URL
		}
		hp := Page{StartedDateTime: isoTime(p.Start), ID: pageRef(p.ID), Title: title,
			PageTimings: PageTimings{OnContentLoad: -1, OnLoad: -1}}
		writeItem(bw, &first, hp)
	}
	bw.WriteString("\n    ],\n    \"entries\": [")

	first = true
	n := 0
	// One flow of lookahead: an entry's notes may depend on the next flow
	// of its page (a CORS preflight names the request it prepares).
	var prev, cur *store.Flow
	lastInPage := map[int64]*store.Flow{}
	emit := func(f, next *store.Flow) error {
		page := top[f.PageID]
		c := connByID[f.ConnID]
		var lk *store.Lookup
		if c != nil {
			lk = lookupByID[c.LookupID]
		}
		e := entry(f, c, lk, page, opt)
		if opt.Notes != nil {
			e.Notes = opt.Notes(NoteContext{Flow: f, Conn: c, Lookup: lk, Prev: prev, Next: next})
		}
		writeItem(bw, &first, e)
		n++
		if opt.Progress != nil && n%1000 == 0 {
			opt.Progress(n)
		}
		return bw.Flush()
	}
	err = store.EachFlow(ctx, r, store.FlowQuery{SessionID: sess.ID, WithBodies: true}, 200, func(f *store.Flow) error {
		if opt.PageID > 0 && top[f.PageID] != opt.PageID {
			return nil
		}
		if opt.Filter != nil && !opt.Filter(f) {
			return nil
		}
		f2 := *f
		if cur != nil {
			var next *store.Flow
			if cur.PageID != 0 && f2.PageID == cur.PageID {
				next = &f2
			}
			prev = lastInPage[cur.PageID]
			if err := emit(cur, next); err != nil {
				return err
			}
			if cur.PageID != 0 {
				// Kept for its neighbour's notes, without its bodies, so
				// memory stays bounded by the number of pages.
				light := *cur
				light.ReqBody.Data, light.RespBody.Data = nil, nil
				lastInPage[cur.PageID] = &light
			}
		}
		cur = &f2
		return nil
	})
	if err != nil {
		return err
	}
	if cur != nil {
		prev = lastInPage[cur.PageID]
		if err := emit(cur, nil); err != nil {
			return err
		}
	}
	bw.WriteString("\n    ]\n  }\n}\n")
	return bw.Flush()
}

// topPages maps each page ID to the top-level page that contains it.
func topPages(pages []store.Page) map[int64]int64 {
	parent := make(map[int64]int64, len(pages))
	for _, p := range pages {
		parent[p.ID] = p.ParentID
	}
	top := make(map[int64]int64, len(pages))
	for _, p := range pages {
		id := p.ID
		for i := 0; i < 32 && parent[id] != 0; i++ { // bounded: a cycle cannot hang the export
			id = parent[id]
		}
		top[p.ID] = id
	}
	return top
}

// writeItem writes one page or entry on a line of its own: compact JSON
// (indenting every entry of a large session cost more than everything else
// in the export together), still one record per line for people and grep.
func writeItem(w *bufio.Writer, first *bool, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte("{}")
	}
	if !*first {
		w.WriteByte(',')
	}
	*first = false
	w.WriteString("\n      ")
	w.Write(b)
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func pageRef(id int64) string { return "page_" + strconv.FormatInt(id, 10) }

func isoTime(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}

func ms(d time.Duration) float64 {
	if d < 0 {
		return -1
	}
	return float64(d.Microseconds()) / 1000
}

func entry(f *store.Flow, c *store.Conn, lk *store.Lookup, page int64, opt Options) Entry {
	t := store.ComputeTimings(f, c)
	e := Entry{
		StartedDateTime: isoTime(f.Start),
		Timings: Timings{Blocked: ms(t.Blocked), DNS: ms(t.DNS), Connect: ms(t.Connect), SSL: ms(t.SSL),
			Send: ms(t.Send), Wait: ms(t.Wait), Receive: ms(t.Receive)},
		ResourceType:     f.ResourceType,
		ConnectionReused: f.ConnReused,
		Kind:             f.Kind,
		Raw: &RawTiming{FlowID: f.ID, GotConn: unixNano(f.GotConn), WroteRequest: unixNano(f.WroteRequest),
			FirstByte: unixNano(f.FirstByte), End: unixNano(f.End)},
	}
	e.Time = ms(t.Total())
	if page > 0 {
		e.PageRef = pageRef(page)
	}
	if f.ServerAddr != "" {
		e.ServerIPAddress = hostOnly(f.ServerAddr)
	}
	if f.ConnID > 0 {
		e.Connection = strconv.FormatInt(f.ConnID, 10)
	}
	if f.Error != nil {
		e.Error = &Error{Phase: f.Error.Phase, Kind: f.Error.Kind, Message: f.Error.Message}
	}
	if f.Kind == store.KindTunnel || f.Kind == store.KindWebSocket {
		e.Tunnel = &TunnelIO{BytesUp: f.BytesUp, BytesDown: f.BytesDown}
	}
	if c != nil && c.TLS != nil {
		e.TLS = &TLS{Version: c.TLS.Version, Cipher: c.TLS.Cipher, ALPN: c.TLS.ALPN, SNI: c.TLS.SNI, Resumed: c.TLS.Resumed}
	}
	if lk != nil {
		e.DNS = dnsOf(lk)
	}
	e.Request = request(f, opt)
	e.Response = response(f, opt)
	return e
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func hostOnly(addr string) string {
	if i := strings.LastIndex(addr, ":"); i > 0 && !strings.HasSuffix(addr, "]") {
		addr = addr[:i]
	}
	return strings.Trim(addr, "[]")
}

func dnsOf(l *store.Lookup) *DNS {
	d := &DNS{Source: l.Source, Server: l.Server, Rcode: l.Rcode, CNAME: l.CNAMEs, RTT: ms(l.RTT)}
	if d.CNAME == nil {
		d.CNAME = []string{}
	}
	d.Answers = make([]DNSAnswer, 0, len(l.Answers))
	for i, a := range l.Answers {
		d.Answers = append(d.Answers, DNSAnswer{Type: a.Type, Addr: a.Addr, TTL: a.TTL})
		if i == 0 || a.TTL < d.TTL {
			d.TTL = a.TTL
		}
	}
	for _, h := range l.Hops {
		d.Hops = append(d.Hops, DNSHop{Server: h.Server, Zone: h.Zone, Referral: h.Referral, Glue: h.Glue,
			Rcode: h.Rcode, Time: ms(h.End.Sub(h.Start)), Error: h.Error})
	}
	return d
}

func httpVersion(proto string) string {
	switch proto {
	case "HTTP/2.0":
		return "HTTP/2"
	case "HTTP/3.0":
		return "HTTP/3"
	case "":
		return "HTTP/1.1"
	}
	return proto
}

func request(f *store.Flow, opt Options) Request {
	r := Request{
		Method:      f.Method,
		URL:         redactURL(f.URL, opt.RedactParams, opt.NoRedact),
		HTTPVersion: httpVersion(f.Proto),
		Headers:     headers(f.ReqHeaders, opt),
		Cookies:     []Cookie{},
		QueryString: []NV{},
		HeadersSize: f.ReqHeaderSize,
		BodySize:    f.ReqBody.Size,
	}
	if u, err := url.Parse(r.URL); err == nil {
		for _, kv := range strings.Split(u.RawQuery, "&") {
			if kv == "" {
				continue
			}
			k, v, _ := strings.Cut(kv, "=")
			k, _ = url.QueryUnescape(k)
			v, _ = url.QueryUnescape(v)
			r.QueryString = append(r.QueryString, NV{Name: k, Value: v})
		}
	}
	for _, line := range f.ReqHeaders.Values("Cookie") {
		cs, err := http.ParseCookie(line)
		if err != nil {
			continue
		}
		for _, c := range cs {
			v := c.Value
			if !opt.NoRedact {
				v = Redacted
			}
			r.Cookies = append(r.Cookies, Cookie{Name: c.Name, Value: v})
		}
	}
	if f.ReqBody.Size > 0 || len(f.ReqBody.Data) > 0 {
		mt := f.ReqHeaders.Get("Content-Type")
		pd := &PostData{MimeType: mt, Params: []Param{}}
		if isText(mt) && utf8.Valid(f.ReqBody.Data) {
			pd.Text = string(f.ReqBody.Data)
		} else {
			pd.Text = base64.StdEncoding.EncodeToString(f.ReqBody.Data)
			pd.Encoding = "base64"
		}
		if f.ReqBody.Truncated {
			pd.Comment = fmt.Sprintf("truncated: the first %d of %d bytes", len(f.ReqBody.Data), f.ReqBody.Size)
		}
		if strings.HasPrefix(mt, "application/x-www-form-urlencoded") && pd.Encoding == "" {
			// In the order sent (url.ParseQuery's map would shuffle them).
			for _, kv := range strings.Split(pd.Text, "&") {
				if kv == "" {
					continue
				}
				k, v, _ := strings.Cut(kv, "=")
				k, _ = url.QueryUnescape(k)
				v, _ = url.QueryUnescape(v)
				if !opt.NoRedact && matchesAny(k, opt.RedactParams) {
					v = Redacted
				}
				pd.Params = append(pd.Params, Param{Name: k, Value: v})
			}
			// The same parameters in the raw text: a form is a query string.
			if !opt.NoRedact && len(opt.RedactParams) > 0 {
				pd.Text = strings.TrimPrefix(redactURL("?"+pd.Text, opt.RedactParams, false), "?")
			}
		}
		r.PostData = pd
	}
	if f.Kind == store.KindTunnel {
		r.HTTPVersion = httpVersion(f.Proto)
		r.Comment = "CONNECT tunnel passed through without interception (--no-mitm): its content is encrypted end to end."
	}
	return r
}

func response(f *store.Flow, opt Options) Response {
	r := Response{
		Status:      f.Status,
		StatusText:  f.StatusText,
		HTTPVersion: httpVersion(f.RespProto),
		Headers:     headers(f.RespHeaders, opt),
		Cookies:     []Cookie{},
		RedirectURL: f.RespHeaders.Get("Location"),
		HeadersSize: f.RespHeaderSize,
		BodySize:    f.RespBody.Size,
	}
	if f.Status == 0 {
		r.HTTPVersion = ""
		r.BodySize = -1
		r.HeadersSize = -1
		if f.Error != nil {
			r.Comment = "no response: " + f.Error.Phase + " failed: " + f.Error.Message
		}
	}
	if f.Status == http.StatusNotModified {
		r.BodySize = 0
	}
	r.TransferSize = f.RespBody.Size
	if r.HeadersSize > 0 {
		r.TransferSize += r.HeadersSize
	}
	for _, line := range f.RespHeaders.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			continue
		}
		hc := Cookie{Name: c.Name, Value: c.Value, Path: c.Path, Domain: c.Domain, HTTPOnly: c.HttpOnly, Secure: c.Secure}
		if !c.Expires.IsZero() {
			hc.Expires = isoTime(c.Expires)
		}
		switch c.SameSite {
		case http.SameSiteLaxMode:
			hc.SameSite = "Lax"
		case http.SameSiteStrictMode:
			hc.SameSite = "Strict"
		case http.SameSiteNoneMode:
			hc.SameSite = "None"
		}
		if !opt.NoRedact {
			hc.Value = Redacted
		}
		r.Cookies = append(r.Cookies, hc)
	}
	r.Content = content(f)
	return r
}

// content decodes the stored body for content.text, as HAR wants the
// decoded entity; size is the decoded size and compression the bytes saved.
func content(f *store.Flow) Content {
	mt := f.RespHeaders.Get("Content-Type")
	if mt == "" {
		mt = "x-unknown"
	}
	c := Content{MimeType: mt, Size: f.RespBody.Size, Truncated: f.RespBody.Truncated}
	data := f.RespBody.Data
	if f.RespBody.Decoded && !f.RespBody.Truncated {
		c.Size = int64(len(data))
		if f.RespHeaders.Get("Content-Encoding") != "" && f.RespBody.Size > 0 {
			c.Compression = c.Size - f.RespBody.Size
		}
	}
	if enc := strings.ToLower(strings.TrimSpace(f.RespHeaders.Get("Content-Encoding"))); enc != "" && enc != "identity" && len(data) > 0 && !f.RespBody.Decoded {
		decoded, err := decode(enc, data)
		switch {
		case err == nil && !f.RespBody.Truncated:
			c.Size = int64(len(decoded))
			c.Compression = c.Size - f.RespBody.Size
			data = decoded
		case err == nil || len(decoded) > 0:
			c.Comment = fmt.Sprintf("decoded from the first %d of %d %s-encoded bytes stored", len(f.RespBody.Data), f.RespBody.Size, enc)
			c.Size = int64(len(decoded))
			data = decoded
		default:
			c.Comment = fmt.Sprintf("body kept %s-encoded: glassbox cannot decode it (%v)", enc, err)
			c.Text = base64.StdEncoding.EncodeToString(data)
			c.Encoding = "base64"
			return c
		}
	}
	if f.RespBody.Truncated && c.Comment == "" {
		c.Comment = fmt.Sprintf("truncated: glassbox stored the first %d of %d bytes (--max-body)", len(f.RespBody.Data), f.RespBody.Size)
	}
	if len(data) == 0 {
		return c
	}
	if isText(mt) && utf8.Valid(data) {
		c.Text = string(data)
	} else {
		c.Text = base64.StdEncoding.EncodeToString(data)
		c.Encoding = "base64"
	}
	return c
}

// decode undoes a Content-Encoding (RFC 9110 §8.4.1). Brotli and zstd are
// not in Go's standard library: those bodies stay encoded.
func decode(enc string, data []byte) ([]byte, error) {
	var r io.Reader
	switch enc {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		r = zr
	case "deflate":
		r = flate.NewReader(bytes.NewReader(data))
	default:
		return nil, fmt.Errorf("unsupported content-encoding %q", enc)
	}
	out, err := io.ReadAll(io.LimitReader(r, 64<<20))
	return out, err
}

func isText(ctype string) bool {
	mt, _, err := mime.ParseMediaType(ctype)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ctype, ";", 2)[0]))
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"),
		mt == "application/json", mt == "application/javascript", mt == "application/xml",
		mt == "application/x-www-form-urlencoded", mt == "image/svg+xml", mt == "application/manifest+json":
		return true
	}
	return false
}

func headers(h store.Headers, opt Options) []NV {
	out := make([]NV, 0, len(h))
	for _, f := range h {
		v := f.Value
		if !opt.NoRedact && secretHeaders[strings.ToLower(f.Name)] {
			v = Redacted
		}
		if strings.EqualFold(f.Name, "Referer") || strings.EqualFold(f.Name, "Location") {
			v = redactURL(v, opt.RedactParams, opt.NoRedact)
		}
		out = append(out, NV{Name: f.Name, Value: v})
	}
	return out
}

func matchesAny(name string, params []string) bool {
	for _, p := range params {
		if strings.EqualFold(name, p) {
			return true
		}
	}
	return false
}

// redactURL replaces the values of the named query parameters.
func redactURL(raw string, params []string, noRedact bool) string {
	if noRedact || len(params) == 0 || !strings.Contains(raw, "?") {
		return raw
	}
	base, query, _ := strings.Cut(raw, "?")
	frag := ""
	if i := strings.IndexByte(query, '#'); i >= 0 {
		query, frag = query[:i], query[i:]
	}
	parts := strings.Split(query, "&")
	for i, kv := range parts {
		k, _, _ := strings.Cut(kv, "=")
		name, _ := url.QueryUnescape(k)
		for _, p := range params {
			if strings.EqualFold(name, p) {
				parts[i] = k + "=" + url.QueryEscape(Redacted)
			}
		}
	}
	return base + "?" + strings.Join(parts, "&") + frag
}
