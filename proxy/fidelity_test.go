package proxy_test

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/net/http2/hpack"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/store"
)

// The wire as it was (issue 14): every recorded field true. Each test
// sends bytes a parser would not keep (an order, a case, a hop-by-hop
// field, a pseudo-header field) and checks the flow holds them as sent.

// okAnswer answers any HTTP/1.1 request with a two-byte body.
func okAnswer(string) string { return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" }

func TestRequestHeadsAsSent(t *testing.T) {
	plain := rawOrigin(t, nil, h1Answers(okAnswer))
	cfg, roots := originTLS(t)
	secure := rawOrigin(t, cfg, h1Answers(okAnswer))
	h := newHarness(t, func(c *proxy.Config) { c.UpstreamRoots = roots })

	t.Run("plain-http1", func(t *testing.T) {
		c := dialProxy(t, h)
		head := "GET http://" + plain + "/a?b=1 HTTP/1.1\r\nhost: " + plain + "\r\nUser-Agent: raw\r\n" +
			"Proxy-Connection: keep-alive\r\nx-lower: 1\r\nAccept: */*\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n"
		checkHeadSent(t, h, c, head, 1)
		// A request glassbox answers itself takes its head along: the next
		// request on the connection gets its own.
		io.WriteString(c, "GET http://glassbox.invalid/ HTTP/1.1\r\nHost: glassbox.invalid\r\n\r\n")
		if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil || resp.StatusCode != 200 {
			t.Fatalf("setup page: %v %v", resp, err)
		} else {
			io.Copy(io.Discard, resp.Body)
		}
		checkHeadSent(t, h, c, "GET http://"+plain+"/c HTTP/1.1\r\nHost: "+plain+"\r\nX-Second: yes\r\n\r\n", 2)
	})
	t.Run("intercepted-http1", func(t *testing.T) {
		c := connectTLS(t, h, secure, "http/1.1")
		checkHeadSent(t, h, c, "GET /a HTTP/1.1\r\nHost: "+secure+"\r\nuser-agent: raw\r\nCookie: a=1\r\nTE: trailers\r\nConnection: keep-alive\r\n\r\n", 3)
	})
	t.Run("intercepted-http2", func(t *testing.T) {
		c := connectTLS(t, h, secure, "h2")
		// Chromium's order: :method, :authority, :scheme, :path; a cookie
		// in crumbs (RFC 9113 §8.2.3).
		sent := []string{":method", "GET", ":authority", secure, ":scheme", "https", ":path", "/h2?x=1",
			"sec-ch-ua", `"Chromium";v="140"`, "user-agent", "raw", "accept", "*/*", "cookie", "a=1", "cookie", "b=2"}
		if status, body := h2Get(t, c, sent...); status != "200" || body != "ok" {
			t.Fatalf("answer %s %q", status, body)
		}
		f := h.rec.waitFlows(t, 4)[3]
		if got := pairs(f.ReqHeaders); got != kv(sent...) || !f.ReqHeadersAsSent || f.Proto != "HTTP/2.0" {
			t.Errorf("recorded (as sent %v, %s)\n%s\nwant\n%s", f.ReqHeadersAsSent, f.Proto, got, kv(sent...))
		}
	})
}

// Two requests alike but for their fields' order, sent at once on one
// HTTP/2 connection, cannot be told apart once net/http parsed them when
// both were read before either was served: then neither is recorded as
// sent. When the first was served before the second was read, each is
// its own. Never one as sent and not the other: that one's order would
// be a guess. A third request, unlike them, is always as sent.
func TestTwinRequestsNotGuessed(t *testing.T) {
	cfg, roots := originTLS(t)
	origin := rawOrigin(t, cfg, h1Answers(okAnswer))
	h := newHarness(t, func(c *proxy.Config) { c.UpstreamRoots = roots })
	c := connectTLS(t, h, origin, "h2")
	pseudo := []string{":method", "GET", ":authority", origin, ":scheme", "https", ":path", "/twin"}
	replies := h2Requests(t, c,
		append(pseudo[:8:8], "x-a", "1", "x-b", "2"),
		append(pseudo[:8:8], "x-b", "2", "x-a", "1"),
		append(pseudo[:8:8], "x-c", "3"))
	for _, r := range replies {
		if r.status != "200" {
			t.Fatalf("answers %v", replies)
		}
	}
	var twins []store.Flow
	for _, f := range h.rec.waitFlows(t, 3) {
		if f.ReqHeaders.Get("X-C") == "" {
			twins = append(twins, f)
		} else if !f.ReqHeadersAsSent {
			t.Errorf("the third request was not recorded as sent:\n%s", pairs(f.ReqHeaders))
		}
	}
	a, b := twins[0], twins[1]
	if a.ReqHeadersAsSent != b.ReqHeadersAsSent || a.ReqHeadersAsSent && pairs(a.ReqHeaders) == pairs(b.ReqHeaders) {
		t.Errorf("twins recorded as sent %v and %v:\n%s\n%s", a.ReqHeadersAsSent, b.ReqHeadersAsSent, pairs(a.ReqHeaders), pairs(b.ReqHeaders))
	}
}

// glassbox resend's marker is glassbox's own, not the request's: it is
// out of the head as recorded, which stays the one sent otherwise.
func TestResendMarkerNotInTheHead(t *testing.T) {
	origin := rawOrigin(t, nil, h1Answers(okAnswer))
	h := newHarness(t, nil)
	c := dialProxy(t, h)
	io.WriteString(c, "GET http://"+origin+"/again HTTP/1.1\r\nHost: "+origin+"\r\n"+proxy.ResendHeader+": 7\r\nx-b: 1\r\n\r\n")
	if _, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil {
		t.Fatal(err)
	}
	f := h.rec.waitFlows(t, 1)[0]
	if got, want := pairs(f.ReqHeaders), kv("Host", origin, "x-b", "1"); got != want || !f.ReqHeadersAsSent || f.ResendOf != 7 {
		t.Errorf("resend of %d, as sent %v:\n%s\nwant\n%s", f.ResendOf, f.ReqHeadersAsSent, got, want)
	}
}

// checkHeadSent sends head on c, reads the answer and checks that flow n
// recorded the head field for field, and its size.
func checkHeadSent(t *testing.T, h *harness, c net.Conn, head string, n int) {
	t.Helper()
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	f := h.rec.waitFlows(t, n)[n-1]
	lines := strings.Split(strings.TrimSuffix(head, "\r\n\r\n"), "\r\n")[1:]
	var want strings.Builder
	for _, l := range lines {
		name, value, _ := strings.Cut(l, ": ")
		want.WriteString(name + ": " + value + "\n")
	}
	if got := pairs(f.ReqHeaders); got != want.String() || !f.ReqHeadersAsSent {
		t.Errorf("flow %d recorded (as sent %v)\n%s\nwant\n%s", n, f.ReqHeadersAsSent, got, want.String())
	}
	if f.ReqHeaderSize != int64(len(head)) {
		t.Errorf("flow %d: head size %d, sent %d", n, f.ReqHeaderSize, len(head))
	}
}

func TestResponseHeadsAsSent(t *testing.T) {
	const head = "HTTP/1.1 200 Fine Thanks\r\nx-b: 2\r\nX-A: 1\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\n"
	answer := func(string) string { return head + "ok" }
	cfg, roots := originTLS(t)
	cfg2 := cfg.Clone()
	cfg2.NextProtos = []string{"h2"}
	h2fields := []string{":status", "200", "x-b", "2", "content-type", "text/plain", "x-a", "1"}
	origins := []struct{ name, url string }{
		{"plain-http1", "http://" + rawOrigin(t, nil, h1Answers(answer))},
		{"tls-http1", "https://" + rawOrigin(t, cfg, h1Answers(answer))},
		{"tls-http2", "https://" + h2Origin(t, cfg2, func([]hpack.HeaderField) h2Answer { return h2Answer{fields: h2fields, body: "ok"} })},
	}
	for _, o := range origins {
		t.Run(o.name, func(t *testing.T) {
			h := newHarness(t, func(c *proxy.Config) { c.UpstreamRoots = roots })
			get(t, h.client(nil), o.url+"/r")
			f := h.rec.waitFlows(t, 1)[0]
			want, proto := kv("x-b", "2", "X-A", "1", "Connection", "keep-alive", "Keep-Alive", "timeout=5", "Content-Length", "2"), "HTTP/1.1"
			if o.name == "tls-http2" {
				want, proto = kv(h2fields...), "HTTP/2.0"
			}
			if got := pairs(f.RespHeaders); got != want || !f.RespHeadersAsSent || f.RespProto != proto || f.OriginProto != proto {
				t.Errorf("recorded (as sent %v, %s, origin leg %s)\n%s\nwant\n%s", f.RespHeadersAsSent, f.RespProto, f.OriginProto, got, want)
			}
			if proto == "HTTP/1.1" && (f.RespHeaderSize != int64(len(head)) || f.StatusText != "Fine Thanks") {
				t.Errorf("head size %d (sent %d), reason %q", f.RespHeaderSize, len(head), f.StatusText)
			}
		})
	}
}

// get fetches url and fails the test unless it reads the whole body.
func get(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTrailersAsSent(t *testing.T) {
	const chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-B, x-a\r\n\r\n" +
		"5\r\nhello\r\n0\r\nX-B: 2\r\nx-a: 1\r\n\r\n"
	answer := func(string) string { return chunked }
	cfg, roots := originTLS(t)
	cfg2 := cfg.Clone()
	cfg2.NextProtos = []string{"h2"}
	origins := []struct{ name, url, want string }{
		{"plain-http1", "http://" + rawOrigin(t, nil, h1Answers(answer)), kv("X-B", "2", "x-a", "1")},
		{"tls-http1", "https://" + rawOrigin(t, cfg, h1Answers(answer)), kv("X-B", "2", "x-a", "1")},
		{"tls-http2", "https://" + h2Origin(t, cfg2, func([]hpack.HeaderField) h2Answer {
			return h2Answer{fields: []string{":status", "200"}, body: "hello", trailers: []string{"x-b", "2", "x-a", "1"}}
		}), kv("x-b", "2", "x-a", "1")},
	}
	for _, o := range origins {
		t.Run(o.name, func(t *testing.T) {
			h := newHarness(t, func(c *proxy.Config) { c.UpstreamRoots = roots })
			resp, err := h.client(nil).Get(o.url + "/t")
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != "hello" || err != nil {
				t.Fatalf("body %q %v", body, err)
			}
			// The browser gets them too, after the body (forward.go).
			if b, a := resp.Trailer.Get("X-B"), resp.Trailer.Get("X-A"); b != "2" || a != "1" {
				t.Errorf("the browser's trailers: %v", resp.Trailer)
			}
			f := h.rec.waitFlows(t, 1)[0]
			if got := pairs(f.RespTrailers); got != o.want || !f.RespHeadersAsSent {
				t.Errorf("trailers (as sent %v)\n%s\nwant\n%s", f.RespHeadersAsSent, got, o.want)
			}
		})
	}
}

// RFC 9112 §7.1.1 allows whitespace before a chunk extension; net/http's
// chunked reader refuses "6 ; ext", curl reads the body whole, and so
// does glassbox now, on both kinds of connection.
func TestChunkExtensionWithWhitespace(t *testing.T) {
	answer := func(string) string {
		return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"6 ; ext=1\r\nhello \r\n5\t;name=\"quoted value\"\r\nworld\r\n0 ; last\r\n\r\n"
	}
	cfg, roots := originTLS(t)
	for _, o := range []struct{ name, url string }{
		{"plain", "http://" + rawOrigin(t, nil, h1Answers(answer))},
		{"tls", "https://" + rawOrigin(t, cfg, h1Answers(answer))},
	} {
		t.Run(o.name, func(t *testing.T) {
			h := newHarness(t, func(c *proxy.Config) { c.UpstreamRoots = roots })
			if body := get(t, h.client(nil), o.url+"/x"); body != "hello world" {
				t.Errorf("body %q", body)
			}
			f := h.rec.waitFlows(t, 1)[0]
			if f.Error != nil || f.RespBody.Size != 11 || string(f.RespBody.Data) != "hello world" {
				t.Errorf("recorded body %q (%d bytes), error %v", f.RespBody.Data, f.RespBody.Size, f.Error)
			}
		})
	}
}

// Inside an intercepted CONNECT, "Expect: 100-continue" reaches the
// origin, the origin's go-ahead reaches the browser as 100 Continue, and
// only then does the body go (RFC 9110 §10.1.1).
func TestExpectContinueIntercepted(t *testing.T) {
	cfg, roots := originTLS(t)
	sawExpect := make(chan string, 1)
	origin := rawOrigin(t, cfg, func(c net.Conn) {
		br := bufio.NewReader(c)
		head, err := readHead(br)
		if err != nil {
			return
		}
		sawExpect <- head
		io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n")
		body := make([]byte, 5)
		if _, err := io.ReadFull(br, body); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"+string(body))
	})
	h := newHarness(t, func(c *proxy.Config) { c.UpstreamRoots = roots })
	c := connectTLS(t, h, origin, "http/1.1")
	io.WriteString(c, "POST /upload HTTP/1.1\r\nHost: "+origin+"\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
	br := bufio.NewReader(c)
	interim, err := readHead(br)
	if err != nil || !strings.HasPrefix(interim, "HTTP/1.1 100 Continue") {
		t.Fatalf("before the body the browser got %q, %v", interim, err)
	}
	if head := <-sawExpect; !strings.Contains(head, "Expect: 100-continue\r\n") {
		t.Errorf("the origin got no Expect:\n%s", head)
	}
	io.WriteString(c, "hello")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 200 || string(b) != "hello" {
		t.Errorf("answer %d %q", resp.StatusCode, b)
	}
	f := h.rec.waitFlows(t, 1)[0]
	// The wait is for the final answer, after the body went.
	if f.WroteRequest.IsZero() || f.FirstByte.Before(f.WroteRequest) || f.ReqBody.Size != 5 {
		t.Errorf("wrote %v, first byte %v, body %d", f.WroteRequest, f.FirstByte, f.ReqBody.Size)
	}
}

// wsOrigin answers a WebSocket handshake over HTTP/1.1 with 101 and echoes
// one line; anything else gets "plain". Over TLS it offers h2 as well as
// HTTP/1.1, as most of the web does.
func wsOrigin(t *testing.T, tlsOn bool) *httptest.Server {
	o := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "websocket" {
			io.WriteString(w, "plain "+r.Proto)
			return
		}
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		io.WriteString(conn, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		line, _ := brw.ReadString('\n')
		io.WriteString(conn, "echo:"+line)
	}))
	t.Cleanup(o.Close)
	if !tlsOn {
		o.Start()
		return o
	}
	o.EnableHTTP2 = true
	o.TLS = &tls.Config{NextProtos: []string{"h2", "http/1.1"}}
	o.StartTLS()
	return o
}

// upgrade sends a WebSocket handshake for url on c and checks the echo.
func upgrade(t *testing.T, c net.Conn, target, host string) {
	t.Helper()
	io.WriteString(c, "GET "+target+" HTTP/1.1\r\nHost: "+host+"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	io.WriteString(c, "ping\n")
	if line, err := br.ReadString('\n'); err != nil || line != "echo:ping\n" {
		t.Fatalf("echo %q %v", line, err)
	}
}

// WebSockets go to the origin over HTTP/1.1 even when it offers h2 and
// glassbox already speaks h2 to it, and are recorded as wss:// (the plain
// path's ws://: TestUpgradePassesThrough).
func TestWebSocketToOriginOfferingH2(t *testing.T) {
	secure := wsOrigin(t, true)
	h := newHarness(t, func(c *proxy.Config) { c.UpstreamRoots = poolOf(secure.Certificate()) })
	// An HTTP/2 connection to the origin first, which the upgrade must not take.
	if body := get(t, h.client(nil), secure.URL+"/before"); body != "plain HTTP/2.0" {
		t.Fatalf("before: %q", body)
	}
	host := secure.Listener.Addr().String()
	upgrade(t, connectTLS(t, h, host, "http/1.1"), "/chat", host)
	f := h.rec.waitFlows(t, 2)[1]
	if want := "wss://" + host + "/chat"; f.URL != want || f.Kind != store.KindWebSocket || f.Status != 101 || f.OriginProto != "HTTP/1.1" {
		t.Errorf("flow %d: %s %s %d over %s, want %s", f.ID, f.URL, f.Kind, f.Status, f.OriginProto, want)
	}
}

// Each leg has its own record: the browser's (Proto, ClientTLS) and the
// origin's (OriginProto, RespProto, the connection's TLS).
func TestTwoLegs(t *testing.T) {
	h1o := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer h1o.Close()
	h2o := httptest.NewUnstartedServer(h1o.Config.Handler)
	h2o.EnableHTTP2 = true
	h2o.StartTLS()
	defer h2o.Close()
	h := newHarness(t, func(c *proxy.Config) { c.UpstreamRoots = poolOf(h1o.Certificate(), h2o.Certificate()) })

	// An HTTP/2 browser, its TLS session with glassbox named shop.test.
	target := h1o.Listener.Addr().String()
	c := dialProxy(t, h)
	io.WriteString(c, "CONNECT "+target+" HTTP/1.1\r\nHost: "+target+"\r\n\r\n")
	if head, err := readHead(bufio.NewReader(c)); err != nil || !strings.HasPrefix(head, "HTTP/1.1 200") {
		t.Fatalf("CONNECT: %q %v", head, err)
	}
	tc := tls.Client(c, &tls.Config{RootCAs: poolOf(h.ca.Cert), ServerName: "shop.test", NextProtos: []string{"h2"}})
	if status, _ := h2Get(t, tc, ":method", "GET", ":scheme", "https", ":authority", target, ":path", "/"); status != "200" {
		t.Fatalf("status %s", status)
	}
	// An HTTP/1.1 browser to an origin offering HTTP/2 speaks HTTP/1.1 to
	// it through glassbox too (upstream.go), a bodiless GET and a POST
	// alike (the h1Client's and the Transport's); an HTTP/2 browser gets
	// HTTP/2 there.
	h1 := h.client(nil)
	h1.Transport.(*http.Transport).ForceAttemptHTTP2 = false
	get(t, h1, h2o.URL+"/")
	if resp, err := h1.Post(h2o.URL+"/post", "text/plain", strings.NewReader("hi")); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	h2 := h.client(nil)
	h2.Transport.(*http.Transport).ForceAttemptHTTP2 = true
	get(t, h2, h2o.URL+"/")

	flows := h.rec.waitFlows(t, 4)
	for i, want := range []struct{ proto, origin, alpn, sni string }{
		{"HTTP/2.0", "HTTP/1.1", "h2", "shop.test"},
		{"HTTP/1.1", "HTTP/1.1", "", ""}, // Go offers no ALPN without HTTP/2
		{"HTTP/1.1", "HTTP/1.1", "", ""},
		{"HTTP/2.0", "HTTP/2.0", "h2", ""},
	} {
		f := flows[i]
		if f.Proto != want.proto || f.OriginProto != want.origin || f.RespProto != want.origin {
			t.Errorf("flow %d: browser %s, origin %s, response %s; want %+v", f.ID, f.Proto, f.OriginProto, f.RespProto, want)
		}
		if ct := f.ClientTLS; ct == nil || ct.ALPN != want.alpn || ct.SNI != want.sni || ct.Version != "TLS 1.3" || ct.Cipher == "" {
			t.Errorf("flow %d: the browser's TLS %+v, want %+v", f.ID, ct, want)
		}
	}
}
