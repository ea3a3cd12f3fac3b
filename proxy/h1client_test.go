package proxy_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/store"
)

// The h1Client (h1client.go) sends bodiless requests to http:// origins,
// and to https:// ones for browsers that speak HTTP/1.1. These are what it
// must do as the Transport did, with origins that keep, drop and misuse
// connections.

// eachScheme runs test against a raw origin serving each connection with
// serve, in plain HTTP and over TLS (its TLS 1.3 session tickets come after
// the handshake, which a look at the socket must not take for an answer),
// with a harness that trusts it. base is the origin's http:// or https://
// URL.
func eachScheme(t *testing.T, serve func(c net.Conn), test func(t *testing.T, h *harness, base string)) {
	t.Run("http", func(t *testing.T) {
		test(t, newHarness(t, nil), "http://"+rawOrigin(t, nil, serve))
	})
	t.Run("https", func(t *testing.T) {
		cfg, roots := originTLS(t)
		addr := rawOrigin(t, cfg, serve)
		test(t, newHarness(t, func(c *proxy.Config) { c.UpstreamRoots = roots }), "https://"+addr)
	})
}

// fetch fetches url through h's proxy as a browser speaking HTTP/1.1
// (the h1Client's, for an https:// origin too) and returns the status and
// body.
func fetch(t *testing.T, h *harness, url string) (int, string) {
	t.Helper()
	c := h.client(nil)
	c.Transport.(*http.Transport).ForceAttemptHTTP2 = false
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: body: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

// An origin that closes a kept connection as the next request arrives
// (RFC 9112 §9.3.1 lets it): the request is sent again on a new
// connection, and the browser never sees the closed one.
func TestKeptConnectionClosedUnderARequestIsRetried(t *testing.T) {
	var conns atomic.Int32
	eachScheme(t, func(c net.Conn) {
		conns.Add(1)
		br := bufio.NewReader(c)
		if _, err := readHead(br); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst")
		readHead(br) // the next request on this connection: closed unanswered
	}, func(t *testing.T, h *harness, base string) {
		conns.Store(0)
		keptClosedRetried(t, h, base, &conns)
	})
}

func keptClosedRetried(t *testing.T, h *harness, base string, conns *atomic.Int32) {
	for i := range 3 {
		if status, body := fetch(t, h, base+"/n"); status != 200 || body != "first" {
			t.Fatalf("request %d: %d %q, want 200 \"first\"", i+1, status, body)
		}
	}
	flows := h.rec.waitFlows(t, 3)
	for i, f := range flows {
		if f.Error != nil || f.Status != 200 || f.ConnReused {
			t.Errorf("flow %d: status %d error %+v reused %v: want 200 on a connection of its own", i+1, f.Status, f.Error, f.ConnReused)
		}
	}
	if n := conns.Load(); n != 3 {
		t.Errorf("origin accepted %d connections, want 3 (one a request)", n)
	}
}

// Keep-alive: one connection carries request after request, and each
// flow after the first says it reused it.
func TestKeptConnectionCarriesTheNextRequests(t *testing.T) {
	var conns atomic.Int32
	eachScheme(t, func(c net.Conn) {
		conns.Add(1)
		h1Answers(func(string) string { return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" })(c)
	}, func(t *testing.T, h *harness, base string) {
		conns.Store(0)
		for range 4 {
			if status, body := fetch(t, h, base+"/k"); status != 200 || body != "ok" {
				t.Fatalf("%d %q", status, body)
			}
		}
		for i, f := range h.rec.waitFlows(t, 4) {
			if f.ConnReused != (i > 0) || f.ConnID != h.rec.waitFlows(t, 4)[0].ConnID || f.OriginProto != "HTTP/1.1" {
				t.Errorf("flow %d: reused %v conn %d over %s", i+1, f.ConnReused, f.ConnID, f.OriginProto)
			}
		}
		if n := conns.Load(); n != 1 {
			t.Errorf("origin accepted %d connections, want 1", n)
		}
	})
}

// Interim answers (1xx) are skipped to the final one; a request that did
// not ask to switch protocols and gets 101, or an origin that never stops
// sending interim answers, is a recorded failure.
func TestInterimAnswers(t *testing.T) {
	const early = "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
	for _, tc := range []struct {
		name, answer string
		status       int
		fail         bool
	}{
		{"early-hints", early + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, false},
		{"endless-interim", strings.Repeat(early, 11) + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 502, true},
		{"unasked-101", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n", 502, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := rawOrigin(t, nil, h1Answers(func(string) string { return tc.answer }))
			h := newHarness(t, nil)
			status, body := fetch(t, h, "http://"+addr+"/i")
			if status != tc.status || (!tc.fail && body != "ok") {
				t.Errorf("%d %q, want %d", status, body, tc.status)
			}
			f := h.rec.waitFlows(t, 1)[0]
			if (f.Error != nil) != tc.fail || f.Status != tc.status*btoi(!tc.fail) {
				t.Errorf("flow: status %d error %+v", f.Status, f.Error)
			}
			if tc.fail && f.Error.Phase != store.PhaseWait {
				t.Errorf("failed in phase %s, want wait", f.Error.Phase)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// A browser that goes away while a stalled origin owes it most of a body:
// glassbox lets go of the origin's connection too, and records why.
func TestBrowserGoneWhileOriginStalls(t *testing.T) {
	released := make(chan struct{})
	addr := rawOrigin(t, nil, func(c net.Conn) {
		br := bufio.NewReader(c)
		if _, err := readHead(br); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789")
		br.ReadByte() // returns when glassbox closes the connection (or at ioLimit)
		close(released)
	})
	h := newHarness(t, nil)
	client := h.client(nil)
	resp, err := client.Get("http://" + addr + "/stall")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(resp.Body, make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close() // before the end: the client's connection closes
	client.Transport.(*http.Transport).CloseIdleConnections()
	start := time.Now()
	<-released
	if waited := time.Since(start); waited > ioLimit/2 {
		t.Errorf("the origin's connection was held %v after the browser left", waited)
	}
	f := h.rec.waitFlows(t, 1)[0]
	if f.Error == nil || f.Error.Phase != store.PhaseClient {
		t.Errorf("recorded error %+v, want the browser's going away", f.Error)
	}
}

// Which answers leave their connection for the next request: one without
// a body (HEAD, 204, 304) or with a delimited one does; one that says it
// closes (Connection: close, HTTP/1.0 without keep-alive) or whose body
// ends with the connection does not.
func TestH1ConnectionReuseRules(t *testing.T) {
	answers := map[string]string{
		"/head":    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
		"/204":     "HTTP/1.1 204 No Content\r\n\r\n",
		"/304":     "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
		"/chunked": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
		"/close":   "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
		"/http10":  "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"/eof":     "HTTP/1.1 200 OK\r\n\r\nok",
	}
	var conns atomic.Int32
	addr := rawOrigin(t, nil, func(c net.Conn) {
		conns.Add(1)
		br := bufio.NewReader(c)
		for {
			head, err := readHead(br)
			if err != nil {
				return
			}
			path := strings.Fields(head)[1]
			io.WriteString(c, answers[path])
			if path == "/eof" {
				return // the deferred close ends the body
			}
			// After /close and /http10 the connection stays open: only
			// glassbox's reading of the answer keeps it from reuse.
		}
	})
	h := newHarness(t, nil)
	client := h.client(nil)
	for _, step := range []struct {
		method, path string
		conns        int32 // the origin's connections once it is answered
	}{
		{"HEAD", "/head", 1}, {"GET", "/204", 1}, {"GET", "/304", 1}, {"GET", "/chunked", 1},
		{"GET", "/close", 1}, {"GET", "/chunked", 2},
		{"GET", "/http10", 2}, {"GET", "/chunked", 3},
		{"GET", "/eof", 3}, {"GET", "/chunked", 4},
	} {
		req, _ := http.NewRequest(step.method, "http://"+addr+step.path, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", step.method, step.path, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if n := conns.Load(); n != step.conns {
			t.Fatalf("after %s %s the origin had %d connections, want %d", step.method, step.path, n, step.conns)
		}
	}
	for _, f := range h.rec.waitFlows(t, 10) {
		if f.Error != nil {
			t.Errorf("flow %d (%s): %+v", f.ID, f.URL, f.Error)
		}
	}
}

// The wait for a head has a deadline; the body after it has none: a body
// slower than the wait's limit arrives whole, the connection carries the
// next requests (one after a pause longer than the limit too), and the
// next head's wait has its limit again. (Leaving the head's deadline in
// place instead of clearing it, and clearing it when a body or an idle
// look meets it, saved nothing measurable: -pair 1.00x.)
func TestBodySlowerThanTheHeadsLimit(t *testing.T) {
	const limit = 200 * time.Millisecond
	for _, scheme := range []string{"http", "https"} {
		t.Run(scheme, func(t *testing.T) {
			var conns atomic.Int32
			serve := func(c net.Conn) {
				conns.Add(1)
				br := bufio.NewReader(c)
				for {
					head, err := readHead(br)
					if err != nil {
						return
					}
					switch strings.Fields(head)[1] {
					case "/slow":
						io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234")
						time.Sleep(3 * limit)
						io.WriteString(c, "56789")
					case "/next":
						io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext")
					default: // no answer
					}
				}
			}
			tweak := func(c *proxy.Config) { c.ResponseTimeout = limit }
			var addr string
			if scheme == "https" {
				cfg, roots := originTLS(t)
				addr = rawOrigin(t, cfg, serve)
				tweak = func(c *proxy.Config) { c.ResponseTimeout, c.UpstreamRoots = limit, roots }
			} else {
				addr = rawOrigin(t, nil, serve)
			}
			h := newHarness(t, tweak)
			base := scheme + "://" + addr
			if _, body := fetch(t, h, base+"/slow"); body != "0123456789" {
				t.Fatalf("slow body %q", body)
			}
			if _, body := fetch(t, h, base+"/next"); body != "next" {
				t.Fatalf("next body %q", body)
			}
			time.Sleep(2 * limit) // idle past the deadline the last head's wait left
			if _, body := fetch(t, h, base+"/next"); body != "next" {
				t.Fatalf("next body, after a pause: %q", body)
			}
			if status, _ := fetch(t, h, base+"/stall"); status != http.StatusGatewayTimeout {
				t.Errorf("a head that never comes, on the kept connection: status %d, want 504", status)
			}
			if n := conns.Load(); n != 1 {
				t.Errorf("the origin had %d connections, want 1", n)
			}
			for _, f := range h.rec.waitFlows(t, 4)[:3] {
				if f.Error != nil {
					t.Errorf("flow %s: %+v", f.URL, f.Error)
				}
			}
		})
	}
}
