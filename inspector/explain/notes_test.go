package explain_test

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
)

// base is the fixed start of every fixture: no test depends on the clock.
var base = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// at is base plus ms milliseconds.
func at(ms float64) time.Time { return base.Add(time.Duration(ms * float64(time.Millisecond))) }

func hdrs(kv ...string) store.Headers {
	var h store.Headers
	for i := 0; i+1 < len(kv); i += 2 {
		h = append(h, store.Header{Name: kv[i], Value: kv[i+1]})
	}
	return h
}

// okFlow is a plain successful GET over a connection ready at 0 ms:
// request written at 0.1 ms, first byte at 5 ms, last at 6 ms.
func okFlow(url string) *store.Flow {
	return &store.Flow{ID: 1, ConnID: 1, Kind: store.KindHTTP, Method: "GET", URL: url, Proto: "HTTP/1.1",
		Status: 200, StatusText: "OK", RespProto: "HTTP/1.1",
		Start: at(0), GotConn: at(0), WroteRequest: at(0.1), FirstByte: at(5), End: at(6)}
}

// freshConn is a connection dialed for the flow: DNS 3.1 ms, TCP 0.4 ms,
// TLS 12 ms, ready at 15.5 ms.
func freshConn() *store.Conn {
	return &store.Conn{ID: 1, Host: "shop.test", Port: "443", RemoteAddr: "192.0.2.10:443", LookupID: 1,
		DNSStart: at(0), DNSEnd: at(3.1), ConnectStart: at(3.1), ConnectEnd: at(3.5), TLSStart: at(3.5), TLSEnd: at(15.5),
		TLS: &store.TLSInfo{Version: "TLS 1.3", Cipher: "TLS_AES_128_GCM_SHA256", ALPN: "h2", SNI: "shop.test"}}
}

func gzipped(t *testing.T, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(bytes.Repeat([]byte("glassbox "), n/9)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return b.Bytes()
}

func TestNotes(t *testing.T) {
	gz := gzipped(t, 48*1024)

	for _, tc := range []struct {
		name   string
		in     func() explain.NoteInput
		want   []string // notes that must be present, exactly
		absent []string // substrings no note may contain
	}{
		{
			// The first request to a host: it paid for DNS, TCP and TLS.
			name: "new-connection",
			in: func() explain.NoteInput {
				f := okFlow("https://shop.test/")
				f.RespProto = "HTTP/2.0"
				f.GotConn, f.WroteRequest, f.FirstByte, f.End = at(15.5), at(15.6), at(25), at(26)
				l := &store.Lookup{ID: 1, Name: "shop.test", Source: "network", Server: "127.0.0.53:53", RTT: 1200 * time.Microsecond,
					Start: at(0), End: at(3.1), Answers: []store.DNSAnswer{{Type: "A", Addr: "192.0.2.10", TTL: 300}}}
				return explain.NoteInput{Flow: f, Conn: freshConn(), Lookup: l}
			},
			want: []string{
				"new connection: DNS 3.1 ms + TCP 0.4 ms + TLS 12 ms = 15.5 ms before the request could be sent",
				"DNS: asked 127.0.0.53 (1.2 ms)",
				"served over HTTP/2 (the browser spoke HTTP/1.1 to glassbox)",
			},
			absent: []string{"reused", "wait was"},
		},
		{
			// A later request on a kept-alive connection.
			name: "reused-connection",
			in: func() explain.NoteInput {
				f := okFlow("https://shop.test/app.js")
				f.ConnReused = true
				return explain.NoteInput{Flow: f, Conn: freshConn()}
			},
			want:   []string{"reused an open connection: no DNS, TCP or TLS this time", "served over HTTP/1.1"},
			absent: []string{"new connection", "DNS:"},
		},
		{
			// A conditional GET answered with 304.
			name: "revalidated-304",
			in: func() explain.NoteInput {
				f := okFlow("https://shop.test/site.css")
				f.ConnReused = true
				f.ReqHeaders = hdrs("If-None-Match", `"v1"`)
				f.Status, f.StatusText = 304, "Not Modified"
				return explain.NoteInput{Flow: f}
			},
			want: []string{"revalidated: the browser had a copy and the server answered 304 Not Modified (RFC 9111 §4.3)"},
		},
		{
			// A CORS preflight, matched with the PUT that follows it.
			name: "preflight-for-next",
			in: func() explain.NoteInput {
				f := okFlow("https://api.shop.test/cart")
				f.Method, f.Status, f.StatusText = "OPTIONS", 204, "No Content"
				f.ReqHeaders = hdrs("Access-Control-Request-Method", "PUT", "Origin", "https://shop.test")
				f.RespHeaders = hdrs("Access-Control-Allow-Origin", "https://shop.test", "Access-Control-Allow-Methods", "PUT")
				next := okFlow("https://api.shop.test/cart")
				next.ID, next.Method = 2, "PUT"
				return explain.NoteInput{Flow: f, Next: next}
			},
			want:   []string{"CORS preflight for the next request (PUT https://api.shop.test/cart)"},
			absent: []string{"not granted"},
		},
		{
			// A preflight the server refused: no Access-Control-Allow-Origin.
			name: "preflight-refused",
			in: func() explain.NoteInput {
				f := okFlow("https://api.shop.test/cart")
				f.Method = "OPTIONS"
				f.ReqHeaders = hdrs("Access-Control-Request-Method", "DELETE")
				return explain.NoteInput{Flow: f}
			},
			want: []string{"CORS preflight: the browser asks whether a script may send a DELETE to this URL",
				"the preflight was not granted, so the browser will not send the real request"},
		},
		{
			// The request the preflight was for, and its CORS outcome.
			name: "after-preflight",
			in: func() explain.NoteInput {
				pre := okFlow("https://api.shop.test/cart")
				pre.Method = "OPTIONS"
				pre.ReqHeaders = hdrs("Access-Control-Request-Method", "PUT")
				f := okFlow("https://api.shop.test/cart")
				f.ID, f.Method = 2, "PUT"
				f.ReqHeaders = hdrs("Origin", "https://shop.test", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Site", "same-site")
				f.RespHeaders = hdrs("Access-Control-Allow-Origin", "https://shop.test")
				return explain.NoteInput{Flow: f, Prev: pre}
			},
			want: []string{"sent after a CORS preflight (OPTIONS) for the same URL",
				"cross-origin request allowed by the server (Access-Control-Allow-Origin: https://shop.test)"},
		},
		{
			// A cross-site fetch whose answer lacks CORS headers.
			name: "cors-error",
			in: func() explain.NoteInput {
				f := okFlow("https://api.other.test/data")
				f.ReqHeaders = hdrs("Origin", "https://shop.test", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Site", "cross-site")
				return explain.NoteInput{Flow: f}
			},
			want: []string{"no Access-Control-Allow-Origin in the answer: the browser hides this response from the script that asked (a CORS error)"},
		},
		{
			// The classic first hop: http://shop.test/ -> https://shop.test/.
			name: "http-to-https-redirect",
			in: func() explain.NoteInput {
				f := okFlow("http://shop.test/")
				f.Status, f.StatusText = 301, "Moved Permanently"
				f.RespHeaders = hdrs("Location", "https://shop.test/")
				return explain.NoteInput{Flow: f}
			},
			want:   []string{"redirected from http to https (301 Moved Permanently)"},
			absent: []string{"redirect to"},
		},
		{
			// A relative redirect after a form POST.
			name: "redirect-after-post",
			in: func() explain.NoteInput {
				f := okFlow("https://shop.test/cart")
				f.Method, f.Status, f.StatusText = "POST", 303, "See Other"
				f.RespHeaders = hdrs("Location", "/cart/done")
				return explain.NoteInput{Flow: f}
			},
			want: []string{"redirect to https://shop.test/cart/done (303 See Other); the browser follows it with GET"},
		},
		{
			// The target of a redirect knows where it came from.
			name: "reached-by-redirect",
			in: func() explain.NoteInput {
				prev := okFlow("http://shop.test/")
				prev.Status = 301
				prev.RespHeaders = hdrs("Location", "https://shop.test/")
				return explain.NoteInput{Flow: okFlow("https://shop.test/"), Prev: prev}
			},
			want: []string{"reached by a redirect from http://shop.test/"},
		},
		{
			// A 32 MB download capped at 1 MB by --max-body.
			name: "truncated-body",
			in: func() explain.NoteInput {
				f := okFlow("https://shop.test/video.mp4")
				f.RespBody = store.Body{Data: make([]byte, 1<<20), Size: 32 << 20, Truncated: true}
				return explain.NoteInput{Flow: f}
			},
			want: []string{"the body stored here is truncated: first 1.0 MB of 32.0 MB"},
		},
		{
			// A slow server: 420 ms of a 500 ms request was the wait.
			name: "wait-dominated",
			in: func() explain.NoteInput {
				f := okFlow("https://shop.test/search?q=shoes")
				f.ConnReused = true
				f.WroteRequest, f.FirstByte, f.End = at(10), at(430), at(500)
				return explain.NoteInput{Flow: f}
			},
			want: []string{"wait was 84% of this request: the server took 420 ms to start answering"},
		},
		{
			// Just over half the time waiting, and long enough: noted.
			name: "wait-just-over-half",
			in: func() explain.NoteInput {
				f := okFlow("https://shop.test/api/list")
				f.ConnReused = true
				f.WroteRequest, f.FirstByte, f.End = at(10), at(65), at(100)
				return explain.NoteInput{Flow: f}
			},
			want: []string{"wait was 55% of this request: the server took 55 ms to start answering"},
		},
		{
			// Long, but under half of the request (a big download): not noted.
			name: "wait-under-half",
			in: func() explain.NoteInput {
				f := okFlow("https://shop.test/video.mp4")
				f.ConnReused = true
				f.WroteRequest, f.FirstByte, f.End = at(10), at(55), at(100)
				return explain.NoteInput{Flow: f}
			},
			absent: []string{"wait was"},
		},
		{
			// A wait that dominates but is too short to matter (15 ms).
			name: "short-wait-not-noted",
			in: func() explain.NoteInput {
				f := okFlow("https://shop.test/ping")
				f.ConnReused = true
				f.WroteRequest, f.FirstByte, f.End = at(0.1), at(15.1), at(16)
				return explain.NoteInput{Flow: f}
			},
			absent: []string{"wait was"},
		},
		{
			// A browser queueing behind its connection limit.
			name: "queued",
			in: func() explain.NoteInput {
				f := okFlow("https://shop.test/img/7.png")
				f.ConnReused = true
				f.GotConn, f.WroteRequest, f.FirstByte, f.End = at(120), at(120.1), at(125), at(126)
				return explain.NoteInput{Flow: f}
			},
			want: []string{"queued for 120 ms before a connection was free"},
		},
		{
			// glassbox's DNS cache answered, 57 s of TTL left.
			name: "dns-from-cache",
			in: func() explain.NoteInput {
				c := freshConn()
				c.DNSEnd = at(0.01)
				l := &store.Lookup{ID: 1, Name: "shop.test", Source: "cache", Start: at(0), End: at(0.01),
					Answers: []store.DNSAnswer{{Type: "A", Addr: "192.0.2.10", TTL: 57}, {Type: "AAAA", Addr: "2001:db8::10", TTL: 120}}}
				f := okFlow("https://shop.test/")
				f.GotConn = at(15.5)
				return explain.NoteInput{Flow: f, Conn: c, Lookup: l}
			},
			want: []string{"DNS answer from the cache (TTL 57 s left)"},
		},
		{
			// A test name from the hosts file, behind a CNAME.
			name: "dns-from-hosts",
			in: func() explain.NoteInput {
				l := &store.Lookup{ID: 1, Name: "shop.test", Source: "hosts", Server: "/etc/hosts", CNAMEs: []string{"web.shop.test"},
					Answers: []store.DNSAnswer{{Type: "A", Addr: "127.0.0.1"}}}
				f := okFlow("https://shop.test/")
				f.GotConn = at(15.5)
				return explain.NoteInput{Flow: f, Conn: freshConn(), Lookup: l}
			},
			want: []string{"DNS answer from the hosts file (/etc/hosts)", "alias (CNAME): shop.test -> web.shop.test"},
		},
		{
			// A gzip body whose unpacked size glassbox can compute.
			name: "gzip-with-decoded-size",
			in: func() explain.NoteInput {
				f := okFlow("https://shop.test/")
				f.RespHeaders = hdrs("Content-Encoding", "gzip")
				f.RespBody = store.Body{Data: gz, Size: int64(len(gz))}
				return explain.NoteInput{Flow: f}
			},
			want: []string{"compressed with gzip: " + explain.FormatBytes(int64(len(gz))) + " on the wire for " + explain.FormatBytes(int64(48*1024/9*9)) + " of content"},
		},
		{
			// Brotli needs a decoder outside the standard library: size on the wire only.
			name: "brotli-wire-size-only",
			in: func() explain.NoteInput {
				f := okFlow("https://shop.test/app.js")
				f.RespHeaders = hdrs("Content-Encoding", "br")
				f.RespBody = store.Body{Size: 12595}
				return explain.NoteInput{Flow: f}
			},
			want:   []string{"compressed with br: 12.3 KB on the wire"},
			absent: []string{"of content"},
		},
		{
			// A login answer that sets two cookies and is cacheable for nobody.
			name: "cookies-and-cache",
			in: func() explain.NoteInput {
				f := okFlow("https://shop.test/login")
				f.ReqHeaders = hdrs("Cookie", "consent=yes")
				f.RespHeaders = hdrs("Set-Cookie", "session=s3cr3t; Secure; HttpOnly", "Set-Cookie", "theme=dark", "Cache-Control", "no-store")
				return explain.NoteInput{Flow: f}
			},
			want:   []string{"cookies sent: 1 (consent)", "cookies set: 2 (session, theme)", "not kept in the browser's cache (Cache-Control: no-store)"},
			absent: []string{"s3cr3t"},
		},
		{
			// A static asset cacheable for an hour.
			name: "cacheable-hour",
			in: func() explain.NoteInput {
				f := okFlow("https://shop.test/logo.png")
				f.RespHeaders = hdrs("Cache-Control", "public, max-age=3600")
				return explain.NoteInput{Flow: f}
			},
			want: []string{"may be reused for 1 hour without asking the server (Cache-Control: max-age=3600)"},
		},
		{
			// A missing image.
			name: "not-found",
			in: func() explain.NoteInput {
				f := okFlow("https://shop.test/img/missing.png")
				f.Status, f.StatusText = 404, "Not Found"
				return explain.NoteInput{Flow: f}
			},
			want: []string{"404 Not Found: The server has nothing at this URL, or prefers not to say that it has"},
		},
		{
			// A name that does not exist: the error explains itself.
			name: "dns-error",
			in: func() explain.NoteInput {
				f := &store.Flow{ID: 1, Kind: store.KindHTTP, Method: "GET", URL: "https://nowhere.test/", Start: at(0), End: at(2),
					Error: &store.FlowError{Phase: store.PhaseDNS, Kind: "nxdomain", Message: "lookup nowhere.test: no such domain"}}
				return explain.NoteInput{Flow: f}
			},
			want:   []string{"failed while finding the IP address (DNS): The name does not exist (NXDOMAIN)"},
			absent: []string{"served over", "new connection"},
		},
		{
			// A CONNECT passed through with --no-mitm.
			name: "tunnel",
			in: func() explain.NoteInput {
				f := &store.Flow{ID: 1, Kind: store.KindTunnel, Method: "CONNECT", URL: "bank.test:443", BytesUp: 2048, BytesDown: 40960,
					Start: at(0), End: at(900)}
				return explain.NoteInput{Flow: f}
			},
			want: []string{"tunnel: glassbox passed the encrypted bytes through without reading them (2.0 KB up, 40.0 KB down)"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := explain.Notes(tc.in())
			t.Logf("notes:\n  %s", strings.Join(got, "\n  "))
			for _, w := range tc.want {
				found := false
				for _, n := range got {
					if n == w {
						found = true
					}
				}
				if !found {
					t.Errorf("missing note %q in:\n  %s", w, strings.Join(got, "\n  "))
				}
			}
			for _, a := range tc.absent {
				for _, n := range got {
					if strings.Contains(n, a) {
						t.Errorf("note %q should not contain %q", n, a)
					}
				}
			}
		})
	}
	if got := explain.Notes(explain.NoteInput{}); got != nil {
		t.Errorf("Notes without a flow = %q, want nil", got)
	}
}
