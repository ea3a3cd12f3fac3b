package proxy_test

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"

	"golang.org/x/net/http2/hpack"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/proxy/wire"
	"github.com/glassbox-dev/glassbox/store"
)

// What a hop carries for itself stays on that hop (RFC 9110 §7.6.1), in
// both directions, and the recorded blocks keep it, labelled: every field
// the labels call not forwarded is absent from what the next hop got, and
// every end-to-end field reached it with its value.

// hopRequest is a request head full of fields for this hop only: named by
// Connection (X-Hop, an h2c upgrade's HTTP2-Settings), Keep-Alive,
// Proxy-Connection, an Upgrade that is no WebSocket; "TE: trailers" is
// the one that goes on.
func hopRequest(target, host string) string {
	return "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: keep-alive, X-Hop, TE, Upgrade, HTTP2-Settings\r\n" +
		"X-Hop: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n" +
		"Proxy-Connection: keep-alive\r\nUser-Agent: raw\r\nX-End: kept\r\n\r\n"
}

// hopAnswer is the origin's answer with fields for its hop only, a
// Proxy-Authenticate no origin may send glassbox's browser, and an
// Upgrade offer.
const hopAnswer = "HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Resp-Hop\r\nX-Resp-Hop: 1\r\nKeep-Alive: timeout=5\r\n" +
	"Proxy-Authenticate: Basic realm=\"origin\"\r\nUpgrade: h2c\r\nX-End: kept\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"

// headsOrigin answers every request with answer and hands over the head
// it got.
func headsOrigin(answer string) (func(net.Conn), <-chan store.Headers) {
	got := make(chan store.Headers, 8)
	return h1Answers(func(head string) string {
		_, fields := wire.ParseHead([]byte(head))
		got <- fields
		return answer
	}), got
}

func TestHopByHopNotForwarded(t *testing.T) {
	cfg, roots := originTLS(t)
	serve, heads := headsOrigin(hopAnswer)
	plain, secure := rawOrigin(t, nil, serve), rawOrigin(t, cfg, serve)
	h := newHarness(t, func(c *proxy.Config) { c.UpstreamRoots = roots })

	t.Run("plain-http1", func(t *testing.T) {
		c := dialProxy(t, h)
		got := h1Exchange(t, c, hopRequest("http://"+plain+"/p", plain))
		checkHops(t, h.rec.waitFlows(t, 1)[0], <-heads, got)
	})
	t.Run("intercepted-http1", func(t *testing.T) {
		got := h1Exchange(t, connectTLS(t, h, secure, "http/1.1"), hopRequest("/s", secure))
		checkHops(t, h.rec.waitFlows(t, 2)[1], <-heads, got)
	})
	t.Run("intercepted-http2", func(t *testing.T) {
		// HTTP/2 forbids the hop's own fields (RFC 9113 §8.2.2): a browser
		// sends none, and must get none, or the response is malformed.
		r := h2Requests(t, connectTLS(t, h, secure, "h2"),
			[]string{":method", "GET", ":authority", secure, ":scheme", "https", ":path", "/h2", "te", "trailers", "x-end", "kept"})[0]
		if r.status != "200" || r.body != "ok" {
			t.Fatalf("answer %s %q", r.status, r.body)
		}
		checkHops(t, h.rec.waitFlows(t, 3)[2], <-heads, r.fields)
	})
}

// A WebSocket upgrade keeps its Connection and Upgrade, both ways: the
// relay needs them. Every other field of the hop stays on it.
func TestHopByHopWebSocket(t *testing.T) {
	const answer = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade, X-Resp-Hop\r\nUpgrade: websocket\r\n" +
		"X-Resp-Hop: 1\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
	serve, heads := headsOrigin(answer)
	origin := rawOrigin(t, nil, serve)
	h := newHarness(t, nil)
	c := dialProxy(t, h)
	got := h1Exchange(t, c, "GET http://"+origin+"/ws HTTP/1.1\r\nHost: "+origin+"\r\nConnection: Upgrade, X-Hop\r\nUpgrade: websocket\r\n"+
		"X-Hop: 1\r\nKeep-Alive: timeout=5\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	c.Close() // the relay ends; the flow is recorded
	checkHops(t, h.rec.waitFlows(t, 1)[0], <-heads, got)
	for _, f := range []string{"Connection", "Upgrade"} {
		if got.Get(f) == "" {
			t.Errorf("the browser's 101 lost %s:\n%s", f, pairs(got))
		}
	}
}

// h1Exchange writes head on c and returns the fields of the response head
// that came back (its body, if any, is left unread).
func h1Exchange(t *testing.T, c net.Conn, head string) store.Headers {
	t.Helper()
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	raw, err := readHead(bufio.NewReader(c))
	if err != nil {
		t.Fatalf("answer %q: %v", raw, err)
	}
	_, fields := wire.ParseHead([]byte(raw))
	return fields
}

// checkHops checks that f's recorded blocks kept what each hop sent, and
// that their labels are true: the request fields labelled hop-by-hop (or
// the proxy's) are not in the head the origin got, nor the response's in
// the head the browser got; every end-to-end field is, with its value.
// Framing and pseudo-header fields are each hop's own form of the message.
func checkHops(t *testing.T, f store.Flow, atOrigin, atBrowser store.Headers) {
	t.Helper()
	if !f.ReqHeadersAsSent || !f.RespHeadersAsSent {
		t.Fatalf("flow %d not recorded as sent (%v, %v)", f.ID, f.ReqHeadersAsSent, f.RespHeadersAsSent)
	}
	for _, leg := range []struct {
		name           string
		recorded, next store.Headers
	}{{"request", f.ReqHeaders, atOrigin}, {"response", f.RespHeaders, atBrowser}} {
		roles := leg.recorded.Roles()
		hop := 0
		for i, fld := range leg.recorded {
			switch roles[i] {
			case store.RoleHopByHop, store.RoleProxy:
				hop++
				if v := leg.next.Values(fld.Name); len(v) > 0 {
					t.Errorf("%s: %s (%s) was passed on: %q", leg.name, fld.Name, roles[i], v)
				}
			case "":
				if v := leg.next.Values(fld.Name); !containsValue(v, fld.Value) {
					t.Errorf("%s: %s: %q did not arrive (got %q)", leg.name, fld.Name, fld.Value, v)
				}
			}
		}
		if hop == 0 && leg.name == "response" {
			t.Errorf("the recorded response lost its hop's fields:\n%s", pairs(leg.recorded))
		}
	}
	if ua := atOrigin.Values("User-Agent"); f.ReqHeaders.Get("User-Agent") == "" && len(ua) > 0 {
		t.Errorf("the origin got a User-Agent the browser never sent: %q", ua)
	}
}

func containsValue(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// With no User-Agent from the browser, the origin gets none: not Go's
// "Go-http-client/1.1" (net/http) nor "/2.0" (x/net's HTTP/2), whichever
// leg carries it.
func TestNoUserAgentAdded(t *testing.T) {
	cfg, roots := originTLS(t)
	serve, heads := headsOrigin(okAnswer(""))
	plain, secure := rawOrigin(t, nil, serve), rawOrigin(t, cfg, serve)
	cfg2 := cfg.Clone()
	cfg2.NextProtos = []string{"h2"}
	h2heads := make(chan store.Headers, 4)
	h2o := h2Origin(t, cfg2, func(req []hpack.HeaderField) h2Answer {
		var got store.Headers
		for _, f := range req {
			got = append(got, store.Header{Name: f.Name, Value: f.Value})
		}
		h2heads <- got
		return h2Answer{fields: []string{":status", "200"}, body: "ok"}
	})
	h := newHarness(t, func(c *proxy.Config) { c.UpstreamRoots = roots })
	noUA := func(t *testing.T, got store.Headers) {
		t.Helper()
		for _, f := range got {
			if strings.EqualFold(f.Name, "User-Agent") {
				t.Errorf("the origin got %s: %q\n%s", f.Name, f.Value, pairs(got))
			}
		}
	}
	t.Run("plain-http1", func(t *testing.T) {
		c := dialProxy(t, h)
		h1Exchange(t, c, "GET http://"+plain+"/ HTTP/1.1\r\nHost: "+plain+"\r\nAccept: */*\r\n\r\n")
		noUA(t, <-heads)
	})
	t.Run("intercepted-to-http1", func(t *testing.T) {
		h2Get(t, connectTLS(t, h, secure, "h2"), ":method", "GET", ":authority", secure, ":scheme", "https", ":path", "/")
		noUA(t, <-heads)
	})
	t.Run("intercepted-http1-to-http1", func(t *testing.T) {
		h1Exchange(t, connectTLS(t, h, secure, "http/1.1"), "GET / HTTP/1.1\r\nHost: "+secure+"\r\n\r\n")
		noUA(t, <-heads)
	})
	// An HTTP/1.1 browser reaches an origin over HTTP/1.1 (upstream.go):
	// HTTP/2 to the origin is an HTTP/2 browser's.
	t.Run("intercepted-to-http2", func(t *testing.T) {
		h2Get(t, connectTLS(t, h, h2o, "h2"), ":method", "GET", ":authority", h2o, ":scheme", "https", ":path", "/")
		noUA(t, <-h2heads)
	})
}

// An origin that sends no Content-Type leaves the browser to sniff: Go's
// servers would name one from the body's first bytes (text/html here),
// and the browser would take it for the origin's word. Date is another
// matter: a proxy forwarding a response without one must add it
// (RFC 9110 §6.6.1), and the record keeps the origin's head without it.
func TestNoContentTypeGuessed(t *testing.T) {
	const body = "<html>hi</html>"
	serve, _ := headsOrigin("HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n" + body)
	cfg, roots := originTLS(t)
	plain, secure := rawOrigin(t, nil, serve), rawOrigin(t, cfg, serve)
	h := newHarness(t, func(c *proxy.Config) { c.UpstreamRoots = roots })
	check := func(t *testing.T, got store.Headers, n int) {
		t.Helper()
		if ct := got.Values("Content-Type"); len(ct) > 0 {
			t.Errorf("the browser got Content-Type %q the origin never sent", ct)
		}
		if got.Get("Date") == "" {
			t.Errorf("no Date added to a response without one (RFC 9110 §6.6.1):\n%s", pairs(got))
		}
		if f := h.rec.waitFlows(t, n)[n-1]; f.RespHeaders.Get("Date") != "" || f.RespHeaders.Get("Content-Type") != "" {
			t.Errorf("recorded fields the origin never sent:\n%s", pairs(f.RespHeaders))
		}
	}
	t.Run("plain-http1", func(t *testing.T) {
		c := dialProxy(t, h)
		check(t, h1Exchange(t, c, "GET http://"+plain+"/ HTTP/1.1\r\nHost: "+plain+"\r\n\r\n"), 1)
	})
	t.Run("intercepted-http2", func(t *testing.T) {
		r := h2Requests(t, connectTLS(t, h, secure, "h2"), []string{":method", "GET", ":authority", secure, ":scheme", "https", ":path", "/"})[0]
		if r.body != body {
			t.Fatalf("body %q", r.body)
		}
		check(t, r.fields, 2)
	})
}
