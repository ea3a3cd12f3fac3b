package diagnose_test

import (
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// t0 is when the fixture page starts.
var t0 = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

func at(ms float64) time.Time { return t0.Add(time.Duration(ms * float64(time.Millisecond))) }

// goodHTML is a document that blocks nothing and shows its image at the
// size it is.
const goodHTML = `<!doctype html><html><head><title>fast</title><script defer src="/app.js"></script></head>` +
	`<body><img src="/a.png" width="100" height="100"></body></html>`

func headers(kv ...string) store.Headers {
	var h store.Headers
	for i := 0; i+1 < len(kv); i += 2 {
		h = append(h, store.Header{Name: kv[i], Value: kv[i+1]})
	}
	return h
}

// flow is a GET answered 200 over conn, from start to end (ms), its first
// byte a millisecond after the request was written.
func flow(id, conn int64, reused bool, url, typ string, start, end float64, resp store.Headers, size int64) store.Flow {
	return store.Flow{SessionID: 1, ID: id, PageID: 1, ConnID: conn, ConnReused: reused, Kind: store.KindHTTP,
		ResourceType: typ, Method: "GET", URL: url, Proto: "HTTP/2.0", OriginProto: "HTTP/2.0",
		ReqHeaders: headers("Accept-Encoding", "gzip, deflate, br"),
		Status:     200, RespHeaders: resp, RespBody: store.Body{Size: size},
		Start: at(start), GotConn: at(start + 0.1), WroteRequest: at(start + 0.2), FirstByte: at(start + 1.2), End: at(end),
		Initiator: store.Initiator{Type: store.InitParser, FlowID: 1}}
}

// conn is a connection opened at start (ms): a lookup of a millisecond
// when lookup is not 0, TCP a millisecond, TLS 1.3 two.
func conn(id int64, host string, lookup int64, start float64) *store.Conn {
	c := &store.Conn{SessionID: 1, ID: id, Host: host, Port: "443", LookupID: lookup,
		ConnectStart: at(start + 1), ConnectEnd: at(start + 2), TLSStart: at(start + 2), TLSEnd: at(start + 4),
		TLS: &store.TLSInfo{Version: "TLS 1.3", ALPN: "h2"}}
	if lookup != 0 {
		c.DNSStart, c.DNSEnd = at(start), at(start+1)
	}
	return c
}

func lookup(id int64, name, source string, start float64) *store.Lookup {
	return &store.Lookup{SessionID: 1, ID: id, Name: name, Source: source, TTL: 300, Start: at(start), End: at(start + 1)}
}

// goodPage is a page built fast: one host over HTTP/2 and TLS 1.3,
// compressed text, validators everywhere, a deferred script, an image
// shown at its size. No finding applies to it.
func goodPage() diagnoseInput {
	doc := flow(1, 1, false, "https://fast.test/", "document", 0, 20,
		headers("Content-Type", "text/html", "Content-Encoding", "identity", "ETag", `"d1"`), int64(len(goodHTML)))
	doc.Initiator = store.Initiator{Type: store.InitNavigation}
	doc.GotConn = at(4.1)
	doc.RespBody.Data = []byte(goodHTML)
	js := flow(2, 1, true, "https://fast.test/app.js", "script", 25, 40,
		headers("Content-Type", "text/javascript", "Content-Encoding", "gzip", "ETag", `"j1"`), 9000)
	img := flow(3, 1, true, "https://fast.test/a.png", "image", 26, 35,
		headers("Content-Type", "image/png", "Last-Modified", "Wed, 02 Dec 2026 10:00:00 GMT"), 5000)
	return diagnoseInput{
		Page:    store.Page{SessionID: 1, ID: 1, FlowID: 1, URL: "https://fast.test/", Start: at(0)},
		Flows:   []store.Flow{doc, js, img},
		Conns:   map[int64]*store.Conn{1: conn(1, "fast.test", 1, 0)},
		Lookups: map[int64]*store.Lookup{1: lookup(1, "fast.test", "network", 0)},
	}
}
