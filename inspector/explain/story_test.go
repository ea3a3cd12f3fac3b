package explain_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// render writes steps the way a plain-text report shows them.
func render(steps []explain.Step) string {
	var b strings.Builder
	for _, s := range steps {
		fmt.Fprintf(&b, "%d. %s  [flows %v]\n", s.N, s.Title, s.Flows)
		for _, line := range strings.Split(s.Text, "\n") {
			b.WriteString("   " + line + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// shopPage is a page load with everything the story tells: a redirect from
// http to https, a document, two stylesheets (one from a CDN behind a
// CNAME), a script, a missing image, and a script's PUT with its CORS
// preflight. Times are in ms from the start of the load.
func shopPage(t *testing.T) explain.StoryInput {
	html := gzipped(t, 20*1024)
	cert := store.CertSummary{Subject: "CN=shop.test", Issuer: "CN=Test Shop CA", DNSNames: []string{"shop.test", "www.shop.test"},
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	browser := hdrs(
		"Accept", "text/html,application/xhtml+xml,*/*;q=0.8",
		"Accept-Encoding", "gzip, deflate, br, zstd",
		"Accept-Language", "en-GB,en;q=0.9",
		"User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
	)
	flows := []store.Flow{
		{ // 1: the address as typed, over plain http: redirected.
			ID: 1, PageID: 1, ConnID: 1, Kind: store.KindHTTP, ResourceType: "document", Method: "GET",
			URL: "http://shop.test/?utm_source=mail&ref=news", Proto: "HTTP/1.1", ReqHeaders: browser,
			Status: 301, StatusText: "Moved Permanently", RespProto: "HTTP/1.1",
			RespHeaders: hdrs("Location", "https://shop.test/?utm_source=mail&ref=news", "Content-Length", "0"),
			Start:       at(0), GotConn: at(4.6), WroteRequest: at(4.7), FirstByte: at(9), End: at(9.1),
		},
		{ // 2: the https document, on a new TLS connection.
			ID: 2, PageID: 1, ConnID: 2, MITM: true, Kind: store.KindHTTP, ResourceType: "document", Method: "GET",
			URL: "https://shop.test/?utm_source=mail&ref=news", Proto: "HTTP/1.1",
			ReqHeaders: append(hdrs("Cookie", "consent=yes; lang=en"), browser...),
			Status:     200, StatusText: "OK", RespProto: "HTTP/2.0",
			RespHeaders: hdrs("Content-Type", "text/html; charset=utf-8", "Content-Encoding", "gzip",
				"Cache-Control", "no-cache", "Set-Cookie", "session=s3cr3t; Path=/; Secure; HttpOnly; SameSite=Lax",
				"Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
			RespBody: store.Body{Data: html, Size: int64(len(html))},
			Start:    at(9.5), GotConn: at(23), WroteRequest: at(23.1), FirstByte: at(143), End: at(146),
		},
		{ // 3: a stylesheet on the same connection.
			ID: 3, PageID: 1, ConnID: 2, ConnReused: true, Kind: store.KindHTTP, ResourceType: "stylesheet", Method: "GET",
			Initiator: store.Initiator{Type: store.InitParser, FlowID: 2, URL: "https://shop.test/?utm_source=mail&ref=news"},
			URL:       "https://shop.test/css/site.css", Status: 200, RespProto: "HTTP/2.0",
			RespHeaders: hdrs("Content-Type", "text/css"), RespBody: store.Body{Size: 4200},
			Start: at(150), GotConn: at(150), WroteRequest: at(150.1), FirstByte: at(160), End: at(162),
		},
		{ // 4: a stylesheet from a CDN: a new connection, a CNAME.
			ID: 4, PageID: 1, ConnID: 3, Kind: store.KindHTTP, ResourceType: "stylesheet", Method: "GET",
			Initiator: store.Initiator{Type: store.InitParser, FlowID: 2, URL: "https://shop.test/?utm_source=mail&ref=news"},
			URL:       "https://cdn.shop.test/fonts.css", Status: 200, RespProto: "HTTP/2.0",
			RespHeaders: hdrs("Content-Type", "text/css"), RespBody: store.Body{Size: 900},
			Start: at(151), GotConn: at(170), WroteRequest: at(170.1), FirstByte: at(180), End: at(181),
		},
		{ // 5: a script, reused connection.
			ID: 5, PageID: 1, ConnID: 2, ConnReused: true, Kind: store.KindHTTP, ResourceType: "script", Method: "GET",
			Initiator: store.Initiator{Type: store.InitParser, FlowID: 2, URL: "https://shop.test/?utm_source=mail&ref=news"},
			URL:       "https://shop.test/js/app.js", Status: 200, RespProto: "HTTP/2.0",
			RespHeaders: hdrs("Content-Type", "text/javascript"), RespBody: store.Body{Size: 52000},
			Start: at(152), GotConn: at(152), WroteRequest: at(152.1), FirstByte: at(170), End: at(190),
		},
		{ // 6: an image that is not there.
			ID: 6, PageID: 1, ConnID: 2, ConnReused: true, Kind: store.KindHTTP, ResourceType: "image", Method: "GET",
			Initiator: store.Initiator{Type: store.InitParser, FlowID: 2, URL: "https://shop.test/?utm_source=mail&ref=news"},
			URL:       "https://shop.test/img/missing.png", Status: 404, RespProto: "HTTP/2.0",
			RespHeaders: hdrs("Content-Type", "text/html"), RespBody: store.Body{Size: 310},
			Start: at(153), GotConn: at(153), WroteRequest: at(153.1), FirstByte: at(160), End: at(161),
		},
		{ // 7: the preflight for the PUT that follows.
			ID: 7, PageID: 1, ConnID: 4, Kind: store.KindHTTP, ResourceType: "fetch", Method: "OPTIONS",
			Initiator: store.Initiator{Type: store.InitPreflight, URL: "https://shop.test/"},
			URL:       "https://api.shop.test/cart", ReqHeaders: hdrs("Access-Control-Request-Method", "PUT", "Origin", "https://shop.test"),
			Status: 204, RespProto: "HTTP/2.0",
			RespHeaders: hdrs("Access-Control-Allow-Origin", "https://shop.test", "Access-Control-Allow-Methods", "PUT"),
			Start:       at(200), GotConn: at(215), WroteRequest: at(215.1), FirstByte: at(220), End: at(220),
		},
		{ // 8: the script's PUT.
			ID: 8, PageID: 1, ConnID: 4, ConnReused: true, Kind: store.KindHTTP, ResourceType: "fetch", Method: "PUT",
			Initiator: store.Initiator{Type: store.InitScript, URL: "https://shop.test/"},
			URL:       "https://api.shop.test/cart", ReqHeaders: hdrs("Origin", "https://shop.test", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Site", "same-site"),
			ReqBody: store.Body{Size: 64}, Status: 200, RespProto: "HTTP/2.0",
			RespHeaders: hdrs("Content-Type", "application/json", "Access-Control-Allow-Origin", "https://shop.test"),
			RespBody:    store.Body{Size: 120},
			Start:       at(221), GotConn: at(221), WroteRequest: at(221.2), FirstByte: at(256), End: at(257),
		},
	}
	tls := func(sni string) *store.TLSInfo {
		return &store.TLSInfo{Version: "TLS 1.3", Cipher: "TLS_AES_128_GCM_SHA256", ALPN: "h2", SNI: sni, Chain: []store.CertSummary{cert, {Subject: "CN=Test Shop CA"}}}
	}
	conns := map[int64]*store.Conn{
		1: {ID: 1, Host: "shop.test", Port: "80", RemoteAddr: "192.0.2.10:80", LookupID: 1,
			DNSStart: at(0.1), DNSEnd: at(4.2), ConnectStart: at(4.2), ConnectEnd: at(4.6)},
		2: {ID: 2, Host: "shop.test", Port: "443", RemoteAddr: "192.0.2.10:443", LookupID: 2,
			DNSStart: at(9.6), DNSEnd: at(9.62), ConnectStart: at(9.62), ConnectEnd: at(10.1), TLSStart: at(10.1), TLSEnd: at(23), TLS: tls("shop.test")},
		3: {ID: 3, Host: "cdn.shop.test", Port: "443", RemoteAddr: "198.51.100.7:443", LookupID: 3,
			DNSStart: at(151), DNSEnd: at(158), ConnectStart: at(158), ConnectEnd: at(162), TLSStart: at(162), TLSEnd: at(170),
			Attempts: []store.DialAttempt{
				{Addr: "[2001:db8::7]:443", Start: at(158), End: at(158.3), Outcome: "unreachable"},
				{Addr: "198.51.100.7:443", Start: at(158.3), End: at(162), Outcome: "ok"},
			},
			TLS: tls("cdn.shop.test")},
		4: {ID: 4, Host: "api.shop.test", Port: "443", RemoteAddr: "192.0.2.20:443", LookupID: 4,
			DNSStart: at(200), DNSEnd: at(201), ConnectStart: at(201), ConnectEnd: at(202), TLSStart: at(202), TLSEnd: at(215), TLS: tls("api.shop.test")},
	}
	lookups := map[int64]*store.Lookup{
		1: {ID: 1, Name: "shop.test", Source: "network", Server: "127.0.0.53:53", Rcode: "NOERROR", RTT: 3900 * time.Microsecond,
			Start: at(0.1), End: at(4.2), Answers: []store.DNSAnswer{{Type: "A", Addr: "192.0.2.10", TTL: 300}, {Type: "AAAA", Addr: "2001:db8::10", TTL: 300}}},
		2: {ID: 2, Name: "shop.test", Source: "cache", Start: at(9.6), End: at(9.62),
			Answers: []store.DNSAnswer{{Type: "A", Addr: "192.0.2.10", TTL: 295}, {Type: "AAAA", Addr: "2001:db8::10", TTL: 295}}},
		3: {ID: 3, Name: "cdn.shop.test", Source: "network", Server: "127.0.0.53:53", Rcode: "NOERROR", RTT: 6800 * time.Microsecond,
			CNAMEs: []string{"shop.cdn.test"}, Start: at(151), End: at(158),
			Answers: []store.DNSAnswer{{Type: "AAAA", Addr: "2001:db8::7", TTL: 60}, {Type: "A", Addr: "198.51.100.7", TTL: 60}}},
		4: {ID: 4, Name: "api.shop.test", Source: "hosts", Server: "/etc/hosts", Start: at(200), End: at(201),
			Answers: []store.DNSAnswer{{Type: "A", Addr: "192.0.2.20"}}},
	}
	return explain.StoryInput{Page: store.Page{ID: 1, FlowID: 1, URL: "https://shop.test/", Title: "Shop", Start: at(0)},
		Flows: flows, Conns: conns, Lookups: lookups}
}

// failedDNSPage is a page whose document never found an address. As the
// proxy records it, the failed connection and its lookup exist but the
// flow does not point at them.
func failedDNSPage() explain.StoryInput {
	return explain.StoryInput{
		Page: store.Page{ID: 2, FlowID: 9, URL: "https://nowhere.test/", Start: at(0)},
		Flows: []store.Flow{{ID: 9, PageID: 2, Kind: store.KindHTTP, ResourceType: "document", Method: "GET", MITM: true,
			URL: "https://nowhere.test/", Proto: "HTTP/1.1", Start: at(0), End: at(2.5),
			Error: &store.FlowError{Phase: store.PhaseDNS, Kind: "nxdomain", Message: "lookup nowhere.test: no such domain (NXDOMAIN from 127.0.0.53:53)"}}},
		Conns: map[int64]*store.Conn{7: {ID: 7, Host: "nowhere.test", Port: "443", LookupID: 5, DNSStart: at(0.1), DNSEnd: at(2.4),
			Error: &store.FlowError{Phase: store.PhaseDNS, Kind: "nxdomain"}}},
		Lookups: map[int64]*store.Lookup{5: {ID: 5, Name: "nowhere.test", Source: "network", Server: "127.0.0.53:53", Rcode: "NXDOMAIN",
			RTT: 2100 * time.Microsecond, Start: at(0.1), End: at(2.4), Error: "no such domain"}},
	}
}

// unrecordedConnPage is a page whose connection record is missing (say,
// dropped by a full queue): the story must say what was not measured.
func unrecordedConnPage() explain.StoryInput {
	return explain.StoryInput{
		Page: store.Page{ID: 3, FlowID: 20, URL: "https://blog.example.org/post/1"},
		Flows: []store.Flow{{ID: 20, PageID: 3, ConnID: 99, Kind: store.KindHTTP, ResourceType: "document", Method: "GET",
			URL: "https://blog.example.org/post/1", Proto: "HTTP/1.1", Status: 200, RespProto: "HTTP/1.1",
			RespHeaders: hdrs("Content-Type", "text/html"), RespBody: store.Body{Size: 3000},
			Start: at(0), GotConn: at(40), WroteRequest: at(40.1), FirstByte: at(60), End: at(61)}},
	}
}

// tracePage is a page whose document's address glassbox found in trace
// mode: root, then .org, then the domain's own server, over a fresh
// TLS 1.2 connection.
func tracePage() explain.StoryInput {
	hop := func(server, zone string, start, end float64, referral ...string) store.DNSHop {
		return store.DNSHop{Server: server, Zone: zone, Referral: referral, Rcode: "NOERROR", Start: at(start), End: at(end)}
	}
	return explain.StoryInput{
		Page: store.Page{ID: 4, FlowID: 30, URL: "https://example.org/", Start: at(0)},
		Flows: []store.Flow{{ID: 30, PageID: 4, ConnID: 5, Kind: store.KindHTTP, ResourceType: "document", Method: "GET",
			URL: "https://example.org/", Proto: "HTTP/1.1", Status: 200, RespProto: "HTTP/1.1",
			RespHeaders: hdrs("Content-Type", "text/html; charset=UTF-8", "Cache-Control", "max-age=3600"), RespBody: store.Body{Size: 1256},
			Start: at(0), GotConn: at(160), WroteRequest: at(160.2), FirstByte: at(250), End: at(251)}},
		Conns: map[int64]*store.Conn{5: {ID: 5, Host: "example.org", Port: "443", RemoteAddr: "192.0.2.80:443", LookupID: 8,
			DNSStart: at(0.5), DNSEnd: at(95), ConnectStart: at(95), ConnectEnd: at(130), TLSStart: at(130), TLSEnd: at(160),
			TLS: &store.TLSInfo{Version: "TLS 1.2", Cipher: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", SNI: "example.org"}}},
		Lookups: map[int64]*store.Lookup{8: {ID: 8, Name: "example.org", Source: "trace", Start: at(0.5), End: at(95),
			Hops: []store.DNSHop{
				hop("198.41.0.4:53", ".", 0.5, 30, "a0.org.afilias-nst.info.", "a2.org.afilias-nst.info.", "b0.org.afilias-nst.org."),
				hop("199.19.56.1:53", "org.", 30, 62, "a.iana-servers.net.", "b.iana-servers.net."),
				hop("199.43.135.53:53", "example.org.", 62, 95),
			},
			Answers: []store.DNSAnswer{{Type: "A", Addr: "192.0.2.80", TTL: 3600}}}},
	}
}

func TestStory(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     func(*testing.T) explain.StoryInput
		golden string
	}{
		// A full load: redirect, document, sub-resources, a 404, a fetch with a preflight.
		{"shop-page", shopPage, "story.golden"},
		// The document's name does not exist: the story stops at step 2.
		{"failed-dns", func(*testing.T) explain.StoryInput { return failedDNSPage() }, "story-dns-failed.golden"},
		// No connection or lookup record: steps 2-4 say "not measured".
		{"unmeasured", func(*testing.T) explain.StoryInput { return unrecordedConnPage() }, "story-unmeasured.golden"},
		// Trace mode: the walk from the root, and TLS 1.2 without ALPN.
		{"trace-dns", func(*testing.T) explain.StoryInput { return tracePage() }, "story-trace.golden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := render(explain.Story(tc.in(t)))
			path := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("story differs from %s (run go test -update after checking the change):\n%s", path, diffLines(string(want), got))
			}
			// The same input tells the same story: nothing depends on map order.
			for i := 0; i < 5; i++ {
				if again := render(explain.Story(tc.in(t))); again != got {
					t.Fatalf("Story is not deterministic:\n%s", diffLines(got, again))
				}
			}
		})
	}
}

// TestStoryShape checks the facts the golden files hold, so that an
// -update cannot quietly accept a wrong story.
func TestStoryShape(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     explain.StoryInput
		titles []string // the step titles, in order
		want   []string // must appear somewhere in the text
		absent []string // must appear nowhere
	}{
		{
			// The full load: the spine of DESIGN.md, with a redirect step.
			name: "shop-page",
			in:   shopPage(t),
			titles: []string{"The URL is split", "Finding the IP address", "Connecting", "No encryption", "The request",
				"The server's work", "The response", "Following the redirect to https://shop.test/?utm_source=mail&ref=news",
				"The browser asks for more", "Scripts ask for data"},
			want: []string{
				"query: 2 parameters for the server: utm_source = mail, ref = news",
				"glassbox asked the DNS server 127.0.0.53 for the address of shop.test: a network round trip of 3.9 ms, 4.1 ms for the whole lookup.",
				"The TCP handshake with 192.0.2.10:80 took 0.4 ms: one network round trip.",
				"The server answered HTTP/1.1 301 Moved Permanently.",
				"from http to the https version",
				"Address: glassbox found shop.test in its own DNS cache",
				"Security: A TLS 1.3 handshake with shop.test took 12.9 ms",
				"The HTML asked for 2 stylesheets, 1 script and 1 image",
				"1 of them failed: the image https://shop.test/img/missing.png (404 Not Found).",
				"New connections were opened to cdn.shop.test; 3 requests reused a connection that was already open:",
				"  - cdn.shop.test: new connection: DNS 7 ms + TCP 4 ms + TLS 8 ms = 19 ms before the request could be sent; DNS: asked 127.0.0.53 (6.8 ms); alias (CNAME): cdn.shop.test -> shop.cdn.test",
				"1 of them was a CORS preflight (OPTIONS)",
				"- +221 ms fetch PUT https://api.shop.test/cart: 200 OK, 120 B in 36 ms, reused connection",
			},
			absent: []string{"s3cr3t", "consent=yes", "not measured"},
		},
		{
			// DNS failure: steps 1 and 2 only, with the advice.
			name:   "failed-dns",
			in:     failedDNSPage(),
			titles: []string{"The URL is split", "Finding the IP address"},
			want: []string{"glassbox asked the DNS server 127.0.0.53 for the address of nowhere.test",
				"The DNS answer code was NXDOMAIN.", "It failed: The name does not exist (NXDOMAIN).",
				"The story stops here: without an IP address there is nothing to connect to."},
			absent: []string{"TCP handshake", "The server answered"},
		},
		{
			// Missing records: no invented numbers.
			name:   "unmeasured",
			in:     unrecordedConnPage(),
			titles: []string{"The URL is split", "Finding the IP address", "Connecting", "Securing the connection", "The request", "The server's work", "The response", "The browser asks for more"},
			want:   []string{"Finding the address of blog.example.org: glassbox has no record of this step", "The TLS handshake: glassbox has no record of this step"},
		},
		{
			// A --no-mitm host: a CONNECT tunnel, seen from outside only.
			name: "tunnel-document",
			in: explain.StoryInput{
				Page: store.Page{ID: 5, FlowID: 40},
				Flows: []store.Flow{{ID: 40, PageID: 5, ConnID: 6, Kind: store.KindTunnel, Method: "CONNECT", URL: "bank.test:443",
					Status: 200, BytesUp: 2048, BytesDown: 40960, Start: at(0), GotConn: at(20), End: at(900)}},
				Conns: map[int64]*store.Conn{6: {ID: 6, Host: "bank.test", Port: "443", RemoteAddr: "192.0.2.99:443",
					DNSStart: at(0), DNSEnd: at(12), ConnectStart: at(12), ConnectEnd: at(20)}},
			},
			titles: []string{"The URL is split", "Finding the IP address", "Connecting", "Inside the tunnel"},
			want: []string{"a tunnel to bank.test:443 with CONNECT", "- host bank.test: the name to look up in DNS",
				"Finding the address of bank.test took 12 ms", "The TCP handshake with 192.0.2.99:443 took 8 ms: one network round trip.",
				"2.0 KB up and 40.0 KB down, over 900 ms"},
		},
		{
			// Trace mode: root -> .org -> example.org, each with its time.
			name:   "trace-dns",
			in:     tracePage(),
			titles: []string{"The URL is split", "Finding the IP address", "Connecting", "Securing the connection", "The request", "The server's work", "The response", "The browser asks for more"},
			want: []string{
				"glassbox looked up example.org itself, starting from the root (94.5 ms):",
				"- asked 198.41.0.4, a root server (29.5 ms): it sent glassbox on to the servers for .org (a0.org.afilias-nst.info., a2.org.afilias-nst.info. and 1 more)",
				"- asked 199.19.56.1, a server for .org (32 ms): it sent glassbox on to the servers for example.org",
				"- asked 199.43.135.53, a server for example.org (33 ms): it gave the final answer",
				"No protocol was chosen through ALPN, so the connection speaks HTTP/1.1.",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			steps := explain.Story(tc.in)
			var titles []string
			var text strings.Builder
			for i, s := range steps {
				titles = append(titles, s.Title)
				text.WriteString(s.Text + "\n")
				if s.N != i+1 {
					t.Errorf("step %d is numbered %d", i+1, s.N)
				}
				if len(s.Flows) == 0 {
					t.Errorf("step %q names no flow", s.Title)
				}
			}
			if strings.Join(titles, " | ") != strings.Join(tc.titles, " | ") {
				t.Errorf("titles:\n got  %q\n want %q", titles, tc.titles)
			}
			for _, w := range tc.want {
				if !strings.Contains(text.String(), w) {
					t.Errorf("story lacks %q", w)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(text.String(), a) {
					t.Errorf("story contains %q", a)
				}
			}
		})
	}
	if steps := explain.Story(explain.StoryInput{}); len(steps) != 1 || steps[0].Title != "Nothing recorded" {
		t.Errorf("empty page: %+v", steps)
	}
}

// diffLines shows the first lines where two texts differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, wl, gl)
			if shown++; shown == 5 {
				break
			}
		}
	}
	return b.String()
}

// A flow's own story stops where the flow did: after NXDOMAIN it tells no
// TCP handshake and no request (issue 14 saw both told).
func TestFlowStoryStopsAtTheFailure(t *testing.T) {
	f := &store.Flow{ID: 1, Kind: store.KindHTTP, Method: "GET", URL: "https://nx.example/", Start: at(0), End: at(3),
		ReqHeaders: hdrs("Accept", "text/html", "User-Agent", "x"),
		Error:      &store.FlowError{Phase: store.PhaseDNS, Kind: store.FailNXDomain, Message: "lookup nx.example: no such name"}}
	l := &store.Lookup{ID: 1, Name: "nx.example", Source: "network", Server: "127.0.0.53:53", Rcode: "NXDOMAIN", Start: at(0), End: at(2)}
	c := &store.Conn{ID: 1, Host: "nx.example", Port: "443", LookupID: 1, DNSStart: at(0), DNSEnd: at(2),
		Error: &store.FlowError{Phase: store.PhaseDNS, Kind: store.FailNXDomain}}
	var text strings.Builder
	for _, st := range explain.FlowStory(f, c, l) {
		text.WriteString(st.Title + "\n" + st.Text + "\n")
	}
	s := text.String()
	for _, never := range []string{"TCP handshake with", "The request", "GET /"} {
		if strings.Contains(s, never) {
			t.Errorf("the story of a flow that failed at DNS tells %q:\n%s", never, s)
		}
	}
	if !strings.Contains(s, "NXDOMAIN") || !strings.Contains(s, "The story stops here") {
		t.Errorf("the story does not end at the failed lookup:\n%s", s)
	}
}

// A resent flow's story starts by saying no browser made it, which flow it
// repeats, and whether the credentials went again, from its own headers.
func TestFlowStoryOfAResend(t *testing.T) {
	for _, tc := range []struct {
		headers store.Headers
		want    string
	}{
		{hdrs("Accept", "*/*"), "went without the recorded Cookie"},
		{hdrs("Accept", "*/*", "Cookie", "sid=1"), "carried the recorded credentials"},
	} {
		f := &store.Flow{ID: 9, ResendOf: 4, Kind: store.KindHTTP, Method: "GET", URL: "https://a.example/x", Start: at(0), End: at(3),
			ReqHeaders: tc.headers, Status: 200}
		steps := explain.FlowStory(f, nil, nil)
		if steps[0].Title != "Sent again by glassbox" || !strings.Contains(steps[0].Text, "sent flow #4 again") ||
			!strings.Contains(steps[0].Text, tc.want) || !slices.Contains(steps[0].Flows, 4) {
			t.Errorf("first step %+v, want the resend of #4 and %q", steps[0], tc.want)
		}
	}
	if steps := explain.FlowStory(&store.Flow{ID: 1, Kind: store.KindHTTP, Method: "GET", URL: "https://a.example/", Start: at(0)}, nil, nil); steps[0].Title == "Sent again by glassbox" {
		t.Error("a browser's request told as a resend")
	}
}
