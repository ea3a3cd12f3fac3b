package inspector

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"path/filepath"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// t0 is when the fixture session's first page load began: fixed, so the
// golden screens do not change from run to run.
var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func at(ms float64) time.Time { return t0.Add(time.Duration(ms * float64(time.Millisecond))) }

// fixture is a recorded database: an older session with two flows, and
// the session the tests look at: a shop's home page (with an iframe, a
// CORS preflight, a 404 and a DNS failure), a flow no page claimed, and
// the cart page reached through an http -> https redirect.
type fixture struct {
	db      *sqlite.DB
	path    string
	older   store.Session
	session store.Session
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "glassbox.db")
	db, err := sqlite.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	fx := &fixture{db: db, path: path}
	ctx := context.Background()
	fx.older = fx.record(tb, store.Session{Started: t0.Add(-24 * time.Hour), Listen: "127.0.0.1:8080"}, func(w *sqlite.Writer) {
		f := get(1, 0, 0, "https://old.test/", 200, 0, 10)
		w.RecordFlow(f)
	})
	fx.session = fx.record(tb, store.Session{Started: t0, Listen: "127.0.0.1:8080 [::1]:8080"}, func(w *sqlite.Writer) {
		for _, l := range lookups() {
			w.RecordLookup(l)
		}
		for _, c := range conns() {
			w.RecordConn(c)
		}
		for _, p := range pages() {
			w.RecordPage(p)
		}
		for _, f := range flows() {
			w.RecordFlow(f)
		}
	})
	_ = ctx
	return fx
}

func (fx *fixture) record(tb testing.TB, s store.Session, fill func(w *sqlite.Writer)) store.Session {
	ctx := context.Background()
	s, err := fx.db.StartSession(ctx, s)
	if err != nil {
		tb.Fatal(err)
	}
	w := fx.db.NewWriter(s.ID, sqlite.WriterOptions{Block: true})
	fill(w)
	if err := w.Flush(ctx); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		tb.Fatal(err)
	}
	if err := fx.db.EndSession(ctx, s.ID, s.Started.Add(10*time.Second)); err != nil {
		tb.Fatal(err)
	}
	return s
}

func lookups() []*store.Lookup {
	return []*store.Lookup{
		{ID: 1, Name: "shop.test", Source: "network", Server: "127.0.0.53:53", Rcode: "NOERROR", Start: at(0.5), End: at(2.6), RTT: 1800 * time.Microsecond,
			Answers: []store.DNSAnswer{{Type: "A", Addr: "10.0.0.10", TTL: 300}}},
		{ID: 2, Name: "cdn.shop.test", Source: "cache", CNAMEs: []string{"edge.cdn.test"}, Start: at(70.2), End: at(70.3),
			Answers: []store.DNSAnswer{{Type: "A", Addr: "10.0.0.20", TTL: 60}}},
		{ID: 3, Name: "api.shop.test", Source: "hosts", Server: "/etc/hosts", Start: at(140.1), End: at(140.2),
			Answers: []store.DNSAnswer{{Type: "A", Addr: "10.0.0.30", TTL: 0}}},
		{ID: 4, Name: "ads.test", Source: "network", Server: "127.0.0.53:53", Rcode: "NOERROR", Start: at(100.2), End: at(104),
			Answers: []store.DNSAnswer{{Type: "A", Addr: "10.0.0.40", TTL: 30}}},
		{ID: 5, Name: "missing.test", Source: "network", Server: "127.0.0.53:53", Rcode: "NXDOMAIN", Start: at(75.1), End: at(75.9),
			Error: "no such host"},
		{ID: 6, Name: "detectportal.test", Source: "network", Server: "127.0.0.53:53", Rcode: "NOERROR", Start: at(1500.1), End: at(1501),
			Answers: []store.DNSAnswer{{Type: "A", Addr: "10.0.0.50", TTL: 120}}},
	}
}

func tlsTo(host string) *store.TLSInfo {
	return &store.TLSInfo{Version: "TLS 1.3", Cipher: "TLS_AES_128_GCM_SHA256", ALPN: "h2", SNI: host,
		Chain: []store.CertSummary{{Subject: "CN=" + host, Issuer: "CN=Test Root CA", DNSNames: []string{host},
			NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}}}
}

// conn is a connection dialed at start (ms): DNS, then TCP, then TLS.
func conn(id, lookup int64, host, port, ip string, start, dns, tcp, tlsMs float64) *store.Conn {
	c := &store.Conn{ID: id, Host: host, Port: port, RemoteAddr: ip + ":" + port, LocalAddr: "10.0.0.2:5" + fmt.Sprint(1000+id), LookupID: lookup}
	c.DNSStart, c.DNSEnd = at(start), at(start+dns)
	c.ConnectStart, c.ConnectEnd = c.DNSEnd, at(start+dns+tcp)
	c.Attempts = []store.DialAttempt{{Addr: c.RemoteAddr, Start: c.ConnectStart, End: c.ConnectEnd, Outcome: "ok"}}
	if tlsMs > 0 {
		c.TLSStart, c.TLSEnd = c.ConnectEnd, at(start+dns+tcp+tlsMs)
		c.TLS = tlsTo(host)
	}
	return c
}

func conns() []*store.Conn {
	return []*store.Conn{
		conn(1, 1, "shop.test", "443", "10.0.0.10", 0.5, 2.1, 1.4, 5),
		conn(2, 2, "cdn.shop.test", "443", "10.0.0.20", 70.2, 0.1, 1.2, 3.1),
		conn(3, 3, "api.shop.test", "443", "10.0.0.30", 140.1, 0.1, 0.9, 2.5),
		conn(4, 4, "ads.test", "443", "10.0.0.40", 100.2, 3.8, 2.2, 6),
		conn(6, 6, "detectportal.test", "80", "10.0.0.50", 1500.1, 0.9, 1.1, 0),
		conn(7, 1, "shop.test", "80", "10.0.0.10", 3000.1, 0.2, 1.0, 0),
	}
}

func pages() []*store.Page {
	return []*store.Page{
		{ID: 1, FlowID: 1, URL: "https://shop.test/", Title: "Shop: Home", Start: at(0)},
		{ID: 2, ParentID: 1, FlowID: 8, URL: "https://ads.test/frame.html", Start: at(100)},
		{ID: 3, FlowID: 13, URL: "http://shop.test/cart", Title: "Your cart", Start: at(3000)},
	}
}

var browserHeaders = store.Headers{
	{Name: "User-Agent", Value: "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0"},
	{Name: "Accept-Language", Value: "en-GB,en;q=0.9"},
	{Name: "Accept-Encoding", Value: "gzip, deflate, br"},
}

// get is a flow of page pid on connection cid: it begins at start (ms)
// and ends at end, with the connection ready 0.2 ms in (reused) and the
// first byte 70% of the way.
func get(id, pid, cid int64, url string, status int, start, end float64) *store.Flow {
	f := &store.Flow{ID: id, PageID: pid, ConnID: cid, ConnReused: true, Kind: store.KindHTTP, MITM: true,
		ResourceType: store.TypeOther, ClientAddr: "127.0.0.1:40000", Method: "GET", URL: url, Proto: "HTTP/2.0",
		ReqHeaders: append(store.Headers{{Name: "Accept", Value: "*/*"}}, browserHeaders...),
		Status:     status, RespProto: "HTTP/2.0", ServerAddr: "10.0.0.10:443",
		RespHeaders: store.Headers{{Name: "Content-Type", Value: "text/plain"}},
		Start:       at(start), GotConn: at(start + 0.2), WroteRequest: at(start + 0.4),
		FirstByte: at(start + (end-start)*0.7), End: at(end), ReqHeaderSize: 300, RespHeaderSize: 200,
	}
	return f
}

// dialed marks a flow as the one that opened its connection: the
// connection is ready when the dial ends.
func dialed(f *store.Flow, ready float64) *store.Flow {
	f.ConnReused = false
	f.GotConn, f.WroteRequest = at(ready), at(ready+0.2)
	return f
}

func typed(f *store.Flow, t, ctype string, body []byte) *store.Flow {
	f.ResourceType = t
	f.RespHeaders = store.Headers{{Name: "Content-Type", Value: ctype}, {Name: "Cache-Control", Value: "public, max-age=3600"}}
	f.RespBody = store.Body{Data: body, Size: int64(len(body))}
	return f
}

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func pngBytes() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 8))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

const homeHTML = `<!doctype html><html><head><title>Shop: Home</title><link rel="stylesheet" href="https://cdn.shop.test/app.css"></head><body><h1>Welcome</h1><img src="/img/logo.png"><iframe src="https://ads.test/frame.html"></iframe><script src="https://cdn.shop.test/app.js"></script></body></html>`

func flows() []*store.Flow {
	doc := dialed(get(1, 1, 1, "https://shop.test/", 200, 0, 64), 9)
	doc.ResourceType = store.TypeDocument
	doc.ReqHeaders = append(store.Headers{
		{Name: "Accept", Value: "text/html,application/xhtml+xml"},
		{Name: "Cookie", Value: "session=abc123; theme=dark"},
		{Name: "Sec-Fetch-Dest", Value: "document"},
		{Name: "Sec-Fetch-Mode", Value: "navigate"},
	}, browserHeaders...)
	body := gz(homeHTML)
	doc.RespHeaders = store.Headers{
		{Name: "Cache-Control", Value: "no-cache"},
		{Name: "Content-Encoding", Value: "gzip"},
		{Name: "Content-Type", Value: "text/html; charset=utf-8"},
		{Name: "Set-Cookie", Value: "session=abc123; Path=/; HttpOnly; Secure; SameSite=Lax"},
	}
	doc.RespBody = store.Body{Data: body, Size: int64(len(body))}

	css := typed(dialed(get(2, 1, 2, "https://cdn.shop.test/app.css", 200, 70, 90), 74.6), store.TypeStylesheet, "text/css",
		[]byte("body{margin:0;font:16px sans-serif}h1{color:#333}"))
	js := typed(get(3, 1, 2, "https://cdn.shop.test/app.js", 200, 71, 130), store.TypeScript, "text/javascript",
		[]byte("fetch('https://api.shop.test/cart',{method:'POST',body:'{}'})"))
	js.GotConn, js.WroteRequest = at(90), at(90.2) // waited for connection 2 to be free
	logo := typed(get(4, 1, 1, "https://shop.test/img/logo.png", 200, 72, 85), store.TypeImage, "image/png", pngBytes())
	gone := typed(get(5, 1, 1, "https://shop.test/img/missing.png", 404, 73, 80), store.TypeImage, "text/html", []byte("<h1>Not Found</h1>"))
	dns := get(6, 1, 0, "https://missing.test/tracker.js", 0, 75, 76)
	dns.ResourceType, dns.Status, dns.RespHeaders, dns.ConnReused = store.TypeScript, 0, nil, false
	dns.GotConn, dns.WroteRequest, dns.FirstByte = time.Time{}, time.Time{}, time.Time{}
	dns.Error = &store.FlowError{Phase: store.PhaseDNS, Kind: "nxdomain", Message: "lookup missing.test: no such host"}
	font := typed(get(7, 1, 2, "https://cdn.shop.test/font.woff2", 200, 95, 120), store.TypeFont, "font/woff2",
		[]byte("wOF2\x00\x01\x00\x00\x00\x00\x02\x10\x00\x0a\xff\xfe"))
	frame := typed(dialed(get(8, 2, 4, "https://ads.test/frame.html", 200, 100, 180), 112.2), store.TypeDocument, "text/html",
		[]byte("<html><body><script src=/ad.js></script></body></html>"))
	pre := dialed(get(9, 1, 3, "https://api.shop.test/cart", 204, 140, 150), 143.6)
	pre.Method, pre.ResourceType = "OPTIONS", store.TypeFetch
	pre.ReqHeaders = store.Headers{{Name: "Access-Control-Request-Method", Value: "POST"}, {Name: "Origin", Value: "https://shop.test"}}
	pre.RespHeaders = store.Headers{{Name: "Access-Control-Allow-Origin", Value: "https://shop.test"}, {Name: "Access-Control-Allow-Methods", Value: "POST"}}
	post := typed(get(10, 1, 3, "https://api.shop.test/cart", 201, 151, 390), store.TypeFetch, "application/json",
		[]byte(`{"cart":{"items":[{"sku":"A-1","qty":2}],"total":"19.90"}}`))
	post.Method = "POST"
	post.ReqHeaders = append(store.Headers{{Name: "Content-Type", Value: "application/json"}, {Name: "Origin", Value: "https://shop.test"}}, browserHeaders...)
	post.ReqBody = store.Body{Data: []byte(`{"sku":"A-1","qty":2}`), Size: 21}
	post.FirstByte = at(380) // the server thought for a long time
	ad := typed(get(11, 2, 4, "https://ads.test/ad.js", 200, 185, 200), store.TypeScript, "text/javascript", []byte("console.log('ad')"))
	portal := typed(dialed(get(12, 0, 6, "http://detectportal.test/success.txt", 200, 1500, 1504), 1502.1), store.TypeOther, "text/plain", []byte("success\n"))
	portal.MITM, portal.Proto, portal.RespProto = false, "HTTP/1.1", "HTTP/1.1"
	redirect := dialed(get(13, 3, 7, "http://shop.test/cart", 301, 3000, 3005), 3001.3)
	redirect.MITM, redirect.ResourceType, redirect.StatusText = false, store.TypeDocument, "Moved Permanently"
	redirect.Proto, redirect.RespProto = "HTTP/1.1", "HTTP/1.1"
	redirect.RespHeaders = store.Headers{{Name: "Location", Value: "https://shop.test/cart"}}
	cart := typed(get(14, 3, 1, "https://shop.test/cart", 200, 3006, 3100), store.TypeDocument, "text/html",
		[]byte("<html><head><title>Your cart</title></head><body>2 items</body></html>"))
	api := typed(get(15, 3, 1, "https://shop.test/api/cart.json", 500, 3110, 3900), store.TypeFetch, "application/json",
		[]byte(`{"error":"database timeout"}`))
	all := []*store.Flow{doc, css, js, logo, gone, dns, font, frame, pre, post, ad, portal, redirect, cart, api}
	for i, in := range initiators() {
		all[i].Initiator = in
	}
	return all
}

// initiators are what made each fixture flow happen, in flow order: the
// HTML's references, a guess, a script's requests, a stylesheet's font,
// the frame's script, the browser's own probe, and the redirect to the
// cart.
func initiators() []store.Initiator {
	home := "https://shop.test/"
	html := store.Initiator{Type: store.InitParser, FlowID: 1, URL: home}
	guess := html
	guess.Heuristic = true
	return []store.Initiator{
		{Type: store.InitNavigation}, html, html, html, guess, // 1-5
		{Type: store.InitScript, URL: home},                                           // 6: tracker.js
		{Type: store.InitStylesheet, FlowID: 2, URL: "https://cdn.shop.test/app.css"}, // 7: the font
		html, {Type: store.InitPreflight}, {Type: store.InitScript, URL: home}, // 8-10
		{Type: store.InitParser, FlowID: 8, URL: "https://ads.test/frame.html"}, // 11: the ad's script
		{Type: store.InitBrowser},    // 12: a captive-portal probe
		{Type: store.InitNavigation}, // 13: http://shop.test/cart
		{Type: store.InitRedirect, FlowID: 13, URL: "http://shop.test/cart"},
		{Type: store.InitScript, URL: "https://shop.test/cart", Heuristic: true},
	}
}
