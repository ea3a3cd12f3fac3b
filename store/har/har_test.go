package har_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/codec/codectest"
	"github.com/glassbox-dev/glassbox/store/har"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

var t0 = time.Unix(1700000000, 0).UTC()

func at(us int) time.Time { return t0.Add(time.Duration(us) * time.Microsecond) }

func hdr(kv ...string) store.Headers {
	var h store.Headers
	for i := 0; i+1 < len(kv); i += 2 {
		h = append(h, store.Header{Name: kv[i], Value: kv[i+1]})
	}
	return h
}

// fixture records a small but varied session and returns the database and
// the session's ID.
// recording opens a database in a temporary directory with a session
// started at t0 and a blocking writer for it (the caller closes it).
func recording(t testing.TB) (*sqlite.DB, store.Session, *sqlite.Writer) {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sess, err := db.StartSession(context.Background(), store.Session{Started: t0})
	if err != nil {
		t.Fatal(err)
	}
	return db, sess, db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
}

func fixture(t testing.TB) (*sqlite.DB, int64) {
	t.Helper()
	db, sess, w := recording(t)
	ctx := context.Background()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"items":[1,2,3],"note":"` + strings.Repeat("x", 200) + `"}`))
	zw.Close()

	w.RecordLookup(&store.Lookup{ID: 1, Name: "shop.test", Source: "network", Server: "127.0.0.1:53", Rcode: "NOERROR", TTL: 300,
		Answers: []store.DNSAnswer{{Type: "A", Addr: "127.0.0.1", TTL: 300}}, Start: at(100), End: at(400), RTT: 250 * time.Microsecond})
	w.RecordConn(&store.Conn{ID: 1, Host: "shop.test", Port: "443", RemoteAddr: "127.0.0.1:443", LookupID: 1,
		DNSStart: at(100), DNSEnd: at(400), ConnectStart: at(400), ConnectEnd: at(500), TLSStart: at(500), TLSEnd: at(2500),
		TLS: &store.TLSInfo{Version: "TLS 1.3", Cipher: "TLS_AES_128_GCM_SHA256", ALPN: "h2", SNI: "shop.test"}})
	w.RecordConn(&store.Conn{ID: 2, Host: "img.test", Port: "80", RemoteAddr: "127.0.0.2:80",
		ConnectStart: at(20100), ConnectEnd: at(20300)})
	w.RecordPage(&store.Page{ID: 1, FlowID: 1, URL: "https://shop.test/", Title: "Shop", Start: at(0)})
	// A download's page, merged into page 1: no page of HAR's.
	w.RecordPage(&store.Page{ID: 2, FlowID: 9, URL: "https://shop.test/report.pdf", Start: at(1), MergedInto: 1})

	flows := []*store.Flow{
		// A browser speaking HTTP/1.1 to glassbox, glassbox HTTP/2 to the origin.
		{ID: 1, PageID: 1, ConnID: 1, Kind: "http", ResourceType: "document", MITM: true, Method: "GET", URL: "https://shop.test/",
			Proto: "HTTP/1.1", OriginProto: "HTTP/2.0", ReqHeadersAsSent: true, RespHeadersAsSent: true, // with credentials
			ClientTLS:  &store.TLSInfo{Version: "TLS 1.3", Cipher: "TLS_AES_128_GCM_SHA256", ALPN: "http/1.1", SNI: "shop.test"},
			ReqHeaders: hdr("Accept", "text/html", "Cookie", "sid=s3cret; theme=dark", "Authorization", "Bearer hunter2"),
			Status:     200, StatusText: "OK", RespProto: "HTTP/2.0",
			RespHeaders: hdr("Content-Type", "text/html; charset=utf-8", "Set-Cookie", "sid=s3cret; Path=/; HttpOnly; Secure; SameSite=Lax"),
			RespBody:    store.Body{Data: []byte("<title>Shop</title>hello"), Size: 24}, ServerAddr: "127.0.0.1:443",
			Start: at(0), GotConn: at(2600), WroteRequest: at(2700), FirstByte: at(9700), End: at(10700), ReqHeaderSize: 120, RespHeaderSize: 140},
		{ID: 2, PageID: 1, ConnID: 1, ConnReused: true, Kind: "http", ResourceType: "fetch", MITM: true, Method: "POST", URL: "https://shop.test/api?token=t0k&x=1",
			Initiator: store.Initiator{Type: store.InitScript, URL: "https://shop.test/", Heuristic: true},
			// Both blocks as they crossed the wire: the request's with its
			// pseudo-header fields, the response's with trailers.
			Proto: "HTTP/2.0", ReqHeadersAsSent: true, RespHeadersAsSent: true,
			ReqHeaders: hdr(":method", "POST", ":authority", "shop.test", ":scheme", "https", ":path", "/api?token=t0k&x=1",
				"content-type", "application/x-www-form-urlencoded", "referer", "https://shop.test/?token=t0k"),
			RespTrailers: hdr("grpc-status", "0"),
			ReqBody:      store.Body{Data: []byte("a=1&b=two"), Size: 9},
			Status:       200, StatusText: "OK", RespProto: "HTTP/2.0", RespHeaders: hdr("Content-Type", "application/json", "Content-Encoding", "gzip"),
			RespBody: store.Body{Data: gz.Bytes(), Size: int64(gz.Len())}, ServerAddr: "127.0.0.1:443",
			Start: at(11000), GotConn: at(11010), WroteRequest: at(11100), FirstByte: at(15000), End: at(15500), ReqHeaderSize: 90, RespHeaderSize: 80},
		{ID: 3, PageID: 1, ConnID: 2, Kind: "http", ResourceType: "image", Method: "GET", URL: "http://img.test/a.png", Proto: "HTTP/1.1",
			Initiator:  store.Initiator{Type: store.InitParser, FlowID: 1, URL: "https://shop.test/"},
			ReqHeaders: hdr("Accept", "image/*"), Status: 200, StatusText: "OK", RespProto: "HTTP/1.1",
			RespHeaders: hdr("Content-Type", "image/png"), RespBody: store.Body{Data: []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff}, Size: 4000, Truncated: true},
			ServerAddr: "127.0.0.2:80", Start: at(20000), GotConn: at(20400), WroteRequest: at(20450), FirstByte: at(21000), End: at(22000), ReqHeaderSize: 50, RespHeaderSize: 60},
		{ID: 4, PageID: 1, Kind: "http", ResourceType: "script", Method: "GET", URL: "https://nope.test/x.js", Proto: "HTTP/2.0",
			ReqHeaders: hdr("Accept", "*/*"), Start: at(23000), End: at(23400), ReqHeaderSize: 40, RespHeaderSize: -1,
			Error: &store.FlowError{Phase: "dns", Kind: "nxdomain", Message: "lookup nope.test: no such host"}},
		{ID: 5, PageID: 0, Kind: "tunnel", Method: "CONNECT", URL: "bank.test:443", Proto: "HTTP/1.1", Status: 200, StatusText: "Connection established",
			Start: at(30000), GotConn: at(30500), End: at(90000), BytesUp: 1200, BytesDown: 50000, ReqHeaderSize: -1, RespHeaderSize: -1},
		{ID: 6, PageID: 1, ConnID: 1, ConnReused: true, Kind: "http", ResourceType: "stylesheet", MITM: true, Method: "GET", URL: "https://shop.test/app.css",
			Proto: "HTTP/2.0", ReqHeaders: hdr("If-None-Match", `"v1"`), Status: 304, StatusText: "Not Modified", RespProto: "HTTP/2.0",
			RespHeaders: hdr("Etag", `"v1"`), Start: at(91000), GotConn: at(91005), WroteRequest: at(91010), FirstByte: at(93000), End: at(93000), ReqHeaderSize: 60, RespHeaderSize: 30},
		// The image again, sent by glassbox resend.
		{ID: 7, PageID: 1, ConnID: 2, ConnReused: true, Kind: "http", ResourceType: "image", Method: "GET", URL: "http://img.test/a.png", Proto: "HTTP/1.1",
			ResendOf: 3, ReqHeaders: hdr("Accept", "image/*"), Status: 200, StatusText: "OK", RespProto: "HTTP/1.1", RespHeaders: hdr("Content-Type", "image/png"),
			ServerAddr: "127.0.0.2:80", Start: at(95000), GotConn: at(95000), WroteRequest: at(95050), FirstByte: at(96000), End: at(96100), ReqHeaderSize: 50, RespHeaderSize: 60},
	}
	for _, f := range flows {
		w.RecordFlow(f)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return db, sess.ID
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	dir := filepath.Join("testdata", "har-schema")
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(e.Name(), doc); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Compile("har.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// validate checks a HAR document against the HAR 1.2 schema and the spec's
// timing rules, which the schema cannot express.
func validate(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if err := compileSchema(t).Validate(inst); err != nil {
		t.Fatalf("not valid HAR 1.2: %v", err)
	}
	var doc map[string]any
	json.Unmarshal(raw, &doc)
	log := doc["log"].(map[string]any)
	pages := map[string]bool{}
	for _, p := range log["pages"].([]any) {
		pages[p.(map[string]any)["id"].(string)] = true
	}
	for i, e := range log["entries"].([]any) {
		e := e.(map[string]any)
		if ref, ok := e["pageref"].(string); ok && !pages[ref] {
			t.Errorf("entry %d: pageref %q names no page", i, ref)
		}
		tm := e["timings"].(map[string]any)
		sum := 0.0
		for _, k := range []string{"blocked", "dns", "connect", "send", "wait", "receive", "ssl"} {
			v := tm[k].(float64)
			if v < 0 && v != -1 {
				t.Errorf("entry %d: %s = %v, want >= 0 or -1", i, k, v)
			}
			if (k == "send" || k == "wait" || k == "receive") && v < 0 {
				t.Errorf("entry %d: %s = %v, must be >= 0", i, k, v)
			}
			if v > 0 && k != "ssl" {
				sum += v
			}
		}
		if ssl, conn := tm["ssl"].(float64), tm["connect"].(float64); ssl >= 0 && (conn < 0 || ssl > conn) {
			t.Errorf("entry %d: ssl %v outside connect %v (connect must include ssl)", i, ssl, conn)
		}
		if total := e["time"].(float64); total < sum-0.01 || total > sum+0.01 {
			t.Errorf("entry %d: time %v != sum of phases %v", i, total, sum)
		}
	}
	return doc
}

func export(t *testing.T, db *sqlite.DB, id int64, opt har.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := har.Export(context.Background(), db, id, &buf, opt); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestExportValidAndRedacted(t *testing.T) {
	db, id := fixture(t)
	raw := export(t, db, id, har.Options{RedactParams: []string{"token", "b"}})
	if strings.Contains(string(raw), `"two"`) || strings.Contains(string(raw), "b=two") {
		t.Error("a --redact-param form field was exported")
	}
	doc := validate(t, raw)
	s := string(raw)
	for _, secret := range []string{"s3cret", "hunter2", "t0k"} {
		if strings.Contains(s, secret) {
			t.Errorf("redacted export contains %q", secret)
		}
	}
	if !strings.Contains(s, "replaced with") {
		t.Error("the comment does not say what was redacted")
	}
	entries := doc["log"].(map[string]any)["entries"].([]any)
	if pages := doc["log"].(map[string]any)["pages"].([]any); len(pages) != 1 {
		t.Errorf("%d pages, want 1 (a merged page has none)", len(pages))
	}
	if in, _ := entries[2].(map[string]any)["_initiator"].(map[string]any); in["type"] != "parser" || in["_type"] != "parser" ||
		in["url"] != "https://shop.test/" || entries[2].(map[string]any)["_initiatorFlow"] != float64(1) {
		t.Errorf("entry 3's initiator: %v, flow %v", in, entries[2].(map[string]any)["_initiatorFlow"])
	}
	if ent := entries[6].(map[string]any); ent["_resendOf"] != float64(3) {
		t.Errorf("the resent entry's _resendOf: %v", ent["_resendOf"])
	}
	if as, _ := entries[2].(map[string]any)["_resentAs"].([]any); len(as) != 1 || as[0] != float64(7) {
		t.Errorf("the original's _resentAs: %v", entries[2].(map[string]any)["_resentAs"])
	}
	first := entries[0].(map[string]any)
	tm := first["timings"].(map[string]any)
	// New connection: dns 0.3, connect 0.1 + ssl 2.0 = 2.1, blocked = 2.6 - 0.3 - 2.1 = 0.2.
	if tm["blocked"] != 0.2 || tm["dns"] != 0.3 || tm["connect"] != 2.1 || tm["ssl"] != 2.0 || tm["send"] != 0.1 || tm["wait"] != 7.0 || tm["receive"] != 1.0 {
		t.Errorf("first entry timings %v", tm)
	}
	if first["serverIPAddress"] != "127.0.0.1" || first["connection"] != "1" || first["_connectionReused"] != false {
		t.Errorf("first entry connection fields: %v %v %v", first["serverIPAddress"], first["connection"], first["_connectionReused"])
	}
	if d := first["_dns"].(map[string]any); d["source"] != "network" || d["ttl"] != 300.0 {
		t.Errorf("_dns = %v", d)
	}
	if tl := first["_tls"].(map[string]any); tl["alpn"] != "h2" || tl["version"] != "TLS 1.3" {
		t.Errorf("_tls = %v", tl)
	}
	// httpVersion is the origin's leg; _client the browser's.
	req, resp := first["request"].(map[string]any), first["response"].(map[string]any)
	client, _ := first["_client"].(map[string]any)
	ctls, _ := client["tls"].(map[string]any)
	if req["httpVersion"] != "HTTP/2" || resp["httpVersion"] != "HTTP/2" || client["httpVersion"] != "HTTP/1.1" ||
		ctls["alpn"] != "http/1.1" || ctls["sni"] != "shop.test" {
		t.Errorf("legs: request %v, response %v, _client %v", req["httpVersion"], resp["httpVersion"], client)
	}
	// A reused connection: dns, connect, ssl are -1.
	second := entries[1].(map[string]any)
	tm2 := second["timings"].(map[string]any)
	if tm2["dns"] != -1.0 || tm2["connect"] != -1.0 || tm2["ssl"] != -1.0 {
		t.Errorf("reused connection timings %v", tm2)
	}
	// gzip content is decoded into text, with size and compression.
	content := second["response"].(map[string]any)["content"].(map[string]any)
	if !strings.HasPrefix(content["text"].(string), `{"items":[1,2,3]`) || content["compression"].(float64) <= 0 {
		t.Errorf("gzip content %v", content)
	}
	if pd := second["request"].(map[string]any)["postData"].(map[string]any); len(pd["params"].([]any)) != 2 {
		t.Errorf("form params %v", pd)
	}
	// Binary bodies are base64; truncation is said.
	img := entries[2].(map[string]any)["response"].(map[string]any)["content"].(map[string]any)
	if img["encoding"] != "base64" || !strings.Contains(img["comment"].(string), "truncated") {
		t.Errorf("image content %v", img)
	}
	// The DNS failure keeps its error; the tunnel has no pageref.
	if e := entries[3].(map[string]any)["_error"].(map[string]any); e["phase"] != "dns" || e["kind"] != "nxdomain" {
		t.Errorf("_error %v", e)
	}
	if _, ok := entries[4].(map[string]any)["pageref"]; ok {
		t.Error("the unattributed tunnel has a pageref")
	}

	full := string(export(t, db, id, har.Options{NoRedact: true}))
	if !strings.Contains(full, "hunter2") || !strings.Contains(full, "Not redacted") {
		t.Error("--no-redact lost the values or the warning")
	}
}

// Our own export survives import and export again with nothing HAR can
// carry lost.
func TestImportRoundTrip(t *testing.T) {
	db, id := fixture(t)
	first := export(t, db, id, har.Options{NoRedact: true})
	ctx := context.Background()
	sess, err := db.StartSession(ctx, store.Session{Source: "import:test.har"})
	if err != nil {
		t.Fatal(err)
	}
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
	st, err := har.Import(ctx, bytes.NewReader(first), w, har.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if st.Entries != 7 || st.Pages != 1 || st.Skipped != 0 {
		t.Errorf("import stats %+v", st)
	}
	second := export(t, db, sess.ID, har.Options{NoRedact: true})
	validate(t, second)
	// The blocks as sent stay as sent, pseudo-header fields and trailers too.
	flows, _ := db.Flows(ctx, store.FlowQuery{SessionID: sess.ID})
	if f := flows[1]; !f.ReqHeadersAsSent || !f.RespHeadersAsSent || f.ReqHeaders.Get(":path") != "/api?token=t0k&x=1" ||
		f.RespTrailers.Get("grpc-status") != "0" {
		t.Errorf("imported flow 2: as sent %v %v, headers %v, trailers %v", f.ReqHeadersAsSent, f.RespHeadersAsSent, f.ReqHeaders, f.RespTrailers)
	}
	if f := flows[2]; f.ReqHeadersAsSent || f.RespHeadersAsSent {
		t.Errorf("imported flow 3 was never as sent, and is now")
	}
	var a, b map[string]any
	json.Unmarshal(first, &a)
	json.Unmarshal(second, &b)
	for _, k := range []string{"pages", "entries"} {
		ja, _ := json.MarshalIndent(a["log"].(map[string]any)[k], "", " ")
		jb, _ := json.MarshalIndent(b["log"].(map[string]any)[k], "", " ")
		if !bytes.Equal(ja, jb) {
			t.Errorf("%s differ after a round trip:\n%s", k, firstDiff(string(ja), string(jb)))
		}
	}
}

// A HAR from a browser without pages is grouped by glassbox itself.
func TestImportGroupsWhenNoPages(t *testing.T) {
	raw := `{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[
	 {"startedDateTime":"2024-01-01T10:00:00.000Z","time":12,"request":{"method":"GET","url":"https://a.test/","httpVersion":"h2",
	  "headers":[{"name":"Sec-Fetch-Mode","value":"navigate"},{"name":"Sec-Fetch-Dest","value":"document"},{"name":":authority","value":"a.test"}],
	  "cookies":[],"queryString":[],"headersSize":-1,"bodySize":0},
	  "response":{"status":200,"statusText":"","httpVersion":"h2","headers":[{"name":"content-type","value":"text/html"}],"cookies":[],
	  "content":{"size":30,"mimeType":"text/html","text":"<title>A page</title>"},"redirectURL":"","headersSize":-1,"bodySize":30},
	  "cache":{},"timings":{"blocked":1,"dns":2,"connect":5,"ssl":3,"send":0.5,"wait":3,"receive":0.5}},
	 {"startedDateTime":"2024-01-01T10:00:00.050Z","time":3,"request":{"method":"GET","url":"https://a.test/s.css","httpVersion":"h2",
	  "headers":[{"name":"Sec-Fetch-Dest","value":"style"},{"name":"Sec-Fetch-Mode","value":"no-cors"},{"name":"Referer","value":"https://a.test/"}],
	  "cookies":[],"queryString":[],"headersSize":-1,"bodySize":0},
	  "response":{"status":0,"statusText":"","httpVersion":"","headers":[],"cookies":[],"content":{"size":0,"mimeType":"x-unknown"},
	  "redirectURL":"","headersSize":-1,"bodySize":-1,"_error":"net::ERR_ABORTED"},
	  "cache":{},"timings":{"blocked":-1,"dns":-1,"connect":-1,"ssl":-1,"send":0,"wait":0,"receive":0}}]}}`
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	sess, _ := db.StartSession(ctx, store.Session{Source: "import"})
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
	st, err := har.Import(ctx, strings.NewReader(raw), w, har.ImportOptions{})
	w.Close(ctx)
	if err != nil || !st.Grouped || st.Pages != 1 || st.Entries != 2 {
		t.Fatalf("stats %+v err %v", st, err)
	}
	pages, _ := db.Pages(ctx, sess.ID)
	flows, _ := db.Flows(ctx, store.FlowQuery{SessionID: sess.ID})
	if len(pages) != 1 || pages[0].Title != "A page" || flows[1].PageID != 1 || flows[1].Error == nil {
		t.Errorf("pages %+v flows %+v", pages, flows)
	}
	if flows[0].ReqHeaders.Get(":authority") != "" || flows[0].Proto != "HTTP/2.0" {
		t.Errorf("pseudo-headers or protocol: %+v", flows[0])
	}
	validate(t, export(t, db, sess.ID, har.Options{}))
}

func TestImportRejectsGarbage(t *testing.T) {
	for name, in := range map[string]string{
		"not-json":   "hello",                       // a text file
		"no-log":     `{"foo": 1}`,                  // JSON but not HAR
		"truncated":  `{"log":{"version":"1.2","en`, // a cut-off download
		"wrong-type": `{"log":{"entries":"x"}}`,     // entries not a list
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := har.Import(context.Background(), strings.NewReader(in), nopRecorder{}, har.ImportOptions{}); err == nil {
				t.Error("no error")
			}
		})
	}
}

type nopRecorder struct{}

func (nopRecorder) RecordFlow(*store.Flow)     {}
func (nopRecorder) RecordConn(*store.Conn)     {}
func (nopRecorder) RecordLookup(*store.Lookup) {}
func (nopRecorder) RecordPage(*store.Page)     {}
func (nopRecorder) Stats() store.RecorderStats { return store.RecorderStats{} }

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			lo := max(0, i-3)
			return "before: " + strings.Join(la[lo:min(len(la), i+3)], "\n") + "\nafter:  " + strings.Join(lb[lo:min(len(lb), i+3)], "\n")
		}
	}
	return "lengths differ"
}

// HAR keeps the decoded entity (content.text): every coding a browser
// accepts is decoded through the one decoder, as the inspector shows it.
// Before, a zlib-framed deflate body exported as undecodable base64.
func TestContentDecodedForEveryCoding(t *testing.T) {
	const body = `{"shop":"open","items":[1,2,3]}`
	codings := []string{"gzip", "deflate", "raw-deflate", "br", "zstd"}
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sess, err := db.StartSession(context.Background(), store.Session{Started: t0})
	if err != nil {
		t.Fatal(err)
	}
	w := db.NewWriter(sess.ID, sqlite.WriterOptions{Block: true})
	for i, c := range codings {
		header := c
		if c == "raw-deflate" {
			header = "deflate"
		}
		data := codectest.Encode(t, c, []byte(body))
		w.RecordFlow(&store.Flow{ID: int64(i + 1), Kind: "http", Method: "GET", URL: "https://shop.test/" + c, Proto: "HTTP/1.1",
			Status: 200, StatusText: "OK", RespProto: "HTTP/1.1", RespHeaders: hdr("Content-Type", "application/json", "Content-Encoding", header),
			RespBody: store.Body{Data: data, Size: int64(len(data))}, Start: at(i * 1000), End: at(i*1000 + 500)})
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	doc := validate(t, export(t, db, sess.ID, har.Options{}))
	entries := doc["log"].(map[string]any)["entries"].([]any)
	if len(entries) != len(codings) {
		t.Fatalf("%d entries, want %d", len(entries), len(codings))
	}
	for i, e := range entries {
		content := e.(map[string]any)["response"].(map[string]any)["content"].(map[string]any)
		if content["text"] != body || content["encoding"] != nil || content["size"] != float64(len(body)) {
			t.Errorf("%s: content = %v, want the decoded text", codings[i], content)
		}
	}
}

// A multipart upload is exported as text when its parts are text, its
// parts as params (fields, files with fileName and contentType); only a
// body with binary bytes goes as base64, with HAR's encoding. Issue 14 saw
// a multipart POST exported as base64 under a field of glassbox's own.
func TestPostDataMultipart(t *testing.T) {
	const boundary = "XyZ"
	part := func(disposition, ctype, content string) string {
		s := "--" + boundary + "\r\nContent-Disposition: form-data; " + disposition + "\r\n"
		if ctype != "" {
			s += "Content-Type: " + ctype + "\r\n"
		}
		return s + "\r\n" + content + "\r\n"
	}
	textBody := part(`name="title"`, "", "Holiday") + part(`name="notes"; filename="notes.txt"`, "text/plain", "line one\nline two") + "--" + boundary + "--\r\n"
	binBody := part(`name="title"`, "", "Logo") + part(`name="file"; filename="logo.png"`, "image/png", "\x89PNG\x00\x01") + "--" + boundary + "--\r\n"
	for _, tc := range []struct {
		name, body, wantEncoding string
		want                     []har.Param
	}{
		{"text-parts", textBody, "", []har.Param{{Name: "title", Value: "Holiday"},
			{Name: "notes", FileName: "notes.txt", ContentType: "text/plain", Value: "line one\nline two"}}},
		{"binary-file", binBody, "base64", []har.Param{{Name: "title", Value: "Logo"},
			{Name: "file", FileName: "logo.png", ContentType: "image/png", Comment: "binary content, 6 bytes (in the body's text, base64)"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &store.Flow{ID: 1, Kind: store.KindHTTP, Method: "POST", URL: "https://shop.test/upload", Status: 200, Start: t0, End: t0,
				ReqHeaders: hdr("Content-Type", "multipart/form-data; boundary="+boundary),
				ReqBody:    store.Body{Data: []byte(tc.body), Size: int64(len(tc.body))}}
			pd := har.PostDataOf(f, har.Options{NoRedact: true})
			if pd.Encoding != tc.wantEncoding || (tc.wantEncoding == "" && pd.Text != tc.body) {
				t.Errorf("encoding %q, text %q", pd.Encoding, pd.Text)
			}
			if !reflect.DeepEqual(pd.Params, tc.want) {
				t.Errorf("params %+v\nwant %+v", pd.Params, tc.want)
			}
		})
	}
}

// _glassbox says a block is as sent only when the file holds it as sent:
// a redacted value, or a --redact-param one in HTTP/2's :path, is not.
func TestAsSentOnlyWhenUnchanged(t *testing.T) {
	db, id := fixture(t)
	for _, c := range []struct {
		name       string
		opt        har.Options
		flow1, fl2 [2]bool // request, response
	}{
		{"no-redact", har.Options{NoRedact: true}, [2]bool{true, true}, [2]bool{true, true}},
		{"credentials-redacted", har.Options{}, [2]bool{false, false}, [2]bool{true, true}}, // flow 1's Cookie, Authorization, Set-Cookie
		{"param-redacted", har.Options{RedactParams: []string{"token"}}, [2]bool{false, false}, [2]bool{false, true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var doc struct {
				Log struct {
					Entries []struct {
						Raw struct{ ReqHeadersAsSent, RespHeadersAsSent bool } `json:"_glassbox"`
					} `json:"entries"`
				} `json:"log"`
			}
			if err := json.Unmarshal(export(t, db, id, c.opt), &doc); err != nil {
				t.Fatal(err)
			}
			for i, want := range [][2]bool{c.flow1, c.fl2} {
				if r := doc.Log.Entries[i].Raw; r.ReqHeadersAsSent != want[0] || r.RespHeadersAsSent != want[1] {
					t.Errorf("flow %d: as sent %v %v, want %v", i+1, r.ReqHeadersAsSent, r.RespHeadersAsSent, want)
				}
			}
		})
	}
}
