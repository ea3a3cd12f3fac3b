package export_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// navigate is what a browser sends for a page it navigates to.
var navigate = store.Headers{{Name: "Accept", Value: "text/html"}, {Name: "Sec-Fetch-Mode", Value: "navigate"}, {Name: "Sec-Fetch-Dest", Value: "document"}}

func ctype(v string) store.Headers { return store.Headers{{Name: "Content-Type", Value: v}} }

// start is when the fixture's page load began: fixed, so the goldens do
// not change from run to run.
var start = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// ms is start plus n milliseconds.
func ms(n float64) time.Time { return start.Add(time.Duration(n * float64(time.Millisecond))) }

// recorded is one page load with a redirect, sub-resources, a 404, a
// failed request and an iframe, plus one unattributed request, in a real
// SQLite database.
func recorded(t *testing.T) (*sqlite.DB, int64) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "r.db"))
	var sess store.Session
	if err == nil {
		t.Cleanup(func() { db.Close() })
		sess, err = db.StartSession(ctx, store.Session{Started: start, Listen: "127.0.0.1:8080"})
	}
	if err != nil {
		t.Fatal(err)
	}
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
	w.RecordLookup(&store.Lookup{ID: 1, Name: "shop.test", Source: "network", Server: "127.0.0.53:53", Rcode: "NOERROR",
		Answers: []store.DNSAnswer{{Type: "A", Addr: "192.0.2.10", TTL: 300}}, Start: ms(0.2), End: ms(4.2), RTT: 3900 * time.Microsecond})
	w.RecordConn(&store.Conn{ID: 1, Host: "shop.test", Port: "80", RemoteAddr: "192.0.2.10:80", LookupID: 1,
		DNSStart: ms(0.2), DNSEnd: ms(4.2), ConnectStart: ms(4.2), ConnectEnd: ms(4.6)})
	w.RecordConn(&store.Conn{ID: 2, Host: "shop.test", Port: "443", RemoteAddr: "192.0.2.10:443",
		ConnectStart: ms(10), ConnectEnd: ms(10.5), TLSStart: ms(10.5), TLSEnd: ms(23),
		TLS: &store.TLSInfo{Version: "TLS 1.3", Cipher: "TLS_AES_128_GCM_SHA256", ALPN: "h2", SNI: "shop.test"}})
	w.RecordPage(&store.Page{ID: 1, FlowID: 1, URL: "http://shop.test/", Title: "The Shop", Start: ms(0)})
	w.RecordPage(&store.Page{ID: 2, ParentID: 1, FlowID: 6, URL: "https://widget.test/frame", Title: "Widget", Start: ms(60)})
	for _, f := range pageFlows() {
		f.Kind = store.KindHTTP
		w.RecordFlow(f)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return db, sess.ID
}

func pageFlows() []*store.Flow {
	return []*store.Flow{
		{ID: 1, PageID: 1, ConnID: 1, ResourceType: "document", Method: "GET", URL: "http://shop.test/", Proto: "HTTP/1.1", ReqHeaders: navigate,
			Status: 301, StatusText: "Moved Permanently", RespProto: "HTTP/1.1", RespHeaders: store.Headers{{Name: "Location", Value: "https://shop.test/"}},
			Start: ms(0), GotConn: ms(4.7), WroteRequest: ms(4.8), FirstByte: ms(9), End: ms(9.2)},
		{ID: 2, PageID: 1, ConnID: 2, ResourceType: "document", Method: "GET", URL: "https://shop.test/", Proto: "HTTP/2.0", ReqHeaders: navigate,
			Status: 200, StatusText: "OK", RespProto: "HTTP/2.0", RespHeaders: append(ctype("text/html; charset=utf-8"), store.Header{Name: "Cache-Control", Value: "max-age=60"}),
			RespBody: store.Body{Size: 5120}, Start: ms(9.5), GotConn: ms(23.2), WroteRequest: ms(23.4), FirstByte: ms(41), End: ms(45)},
		{ID: 3, PageID: 1, Initiator: store.Initiator{Type: store.InitParser, FlowID: 2, URL: "https://shop.test/"}, ConnID: 2, ConnReused: true, ResourceType: "stylesheet", Method: "GET", URL: "https://shop.test/app.css", Proto: "HTTP/2.0",
			ReqHeaders: store.Headers{{Name: "Referer", Value: "https://shop.test/"}}, Status: 200, StatusText: "OK", RespProto: "HTTP/2.0",
			RespHeaders: ctype("text/css"), RespBody: store.Body{Size: 2048}, Start: ms(47), GotConn: ms(47.1), WroteRequest: ms(47.2), FirstByte: ms(52), End: ms(53)},
		{ID: 4, PageID: 1, Initiator: store.Initiator{Type: store.InitParser, FlowID: 2, URL: "https://shop.test/"}, ConnID: 2, ConnReused: true, ResourceType: "image", Method: "GET", URL: "https://shop.test/missing.png", Proto: "HTTP/2.0",
			Status: 404, StatusText: "Not Found", RespProto: "HTTP/2.0", RespHeaders: ctype("text/html"), RespBody: store.Body{Size: 120},
			Start: ms(48), GotConn: ms(48.1), WroteRequest: ms(48.2), FirstByte: ms(55), End: ms(55.3)},
		{ID: 5, PageID: 1, Initiator: store.Initiator{Type: store.InitParser, FlowID: 2, URL: "https://shop.test/"}, ResourceType: "script", Method: "GET", URL: "https://ads.test/x.js", Proto: "HTTP/2.0",
			Start: ms(49), End: ms(51), Error: &store.FlowError{Phase: "dns", Kind: "nxdomain", Message: "ads.test: no such domain"}},
		{ID: 6, PageID: 2, Initiator: store.Initiator{Type: store.InitParser, FlowID: 2, URL: "https://shop.test/"}, ResourceType: "document", Method: "GET", URL: "https://widget.test/frame", Proto: "HTTP/2.0",
			Status: 200, StatusText: "OK", RespProto: "HTTP/2.0", RespHeaders: ctype("text/html"), RespBody: store.Body{Size: 900},
			Start: ms(60), GotConn: ms(70), WroteRequest: ms(70.2), FirstByte: ms(80), End: ms(81)},
		{ID: 7, PageID: 0, Initiator: store.Initiator{Type: store.InitBrowser}, ResourceType: "fetch", Method: "POST", URL: "https://telemetry.test/ping", Proto: "HTTP/1.1",
			ReqHeaders: store.Headers{{Name: "Cookie", Value: "uid=s3cret"}}, ReqBody: store.Body{Data: []byte("ping"), Size: 4},
			Status: 204, StatusText: "No Content", RespProto: "HTTP/1.1", Start: ms(5000), GotConn: ms(5001), WroteRequest: ms(5002), FirstByte: ms(5010), End: ms(5010)},
	}
}
