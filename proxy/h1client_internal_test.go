package proxy

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// loopbackPairs returns n connected pairs on loopback: the near ends (a
// pool's) and the far ends (an origin's), all closed when the test ends.
func loopbackPairs(t *testing.T, n int) (near, far []net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		near, far = append(near, c), append(far, s)
	}
	t.Cleanup(func() {
		for i := range near {
			near[i].Close()
			far[i].Close()
		}
	})
	return near, far
}

// closedSoon says whether the peer of far closed it within d.
func closedSoon(far net.Conn, d time.Duration) bool {
	far.SetReadDeadline(time.Now().Add(d))
	_, err := far.Read(make([]byte, 1))
	return errors.Is(err, io.EOF)
}

// Idle connections are closed once idle for the timeout, and the sweeper
// stops when the pool is empty.
func TestH1IdleConnectionsExpire(t *testing.T) {
	hc := newH1Client(nil, nil, time.Second)
	hc.idleTimeout = 40 * time.Millisecond
	near, far := loopbackPairs(t, 2)
	hc.put(newH1Conn(near[0], "a:80"))
	hc.put(newH1Conn(near[1], "b:80"))
	for i := range far {
		if !closedSoon(far[i], 5*time.Second) {
			t.Fatalf("idle connection %d was not closed", i)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		hc.mu.Lock()
		idle, sweeping := hc.nIdle, hc.sweeping
		hc.mu.Unlock()
		if idle == 0 && !sweeping {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pool still holds %d, sweeper running %v", idle, sweeping)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if pc, _ := hc.get("a:80"); pc != nil {
		t.Error("an expired connection was handed out")
	}
}

// The pool keeps at most h1MaxIdlePerOrigin connections to an origin and
// closes the next one given back; the most recently used goes first.
func TestH1PoolBounds(t *testing.T) {
	hc := newH1Client(nil, nil, time.Second)
	near, far := loopbackPairs(t, h1MaxIdlePerOrigin+1)
	for _, c := range near {
		hc.put(newH1Conn(c, "o:80"))
	}
	if !closedSoon(far[h1MaxIdlePerOrigin], 5*time.Second) {
		t.Error("a connection over the limit was kept")
	}
	if pc, _ := hc.get("o:80"); pc == nil || pc.conn != near[h1MaxIdlePerOrigin-1] {
		t.Error("the most recently given back connection was not the first taken")
	}
	hc.closeIdle()
	if !closedSoon(far[0], 5*time.Second) {
		t.Error("closeIdle left a connection open")
	}
}

// h1Takes: only requests the Transport would send as they are, with
// nothing after the head, and safe to send again.
func TestH1Takes(t *testing.T) {
	mk := func(method, target string, change func(*http.Request)) *http.Request {
		r, err := http.NewRequest(method, target, nil)
		if err != nil {
			t.Fatal(err)
		}
		if change != nil {
			change(r)
		}
		return r
	}
	for _, tc := range []struct {
		name string
		req  *http.Request
		want bool
	}{
		{"get", mk("GET", "http://o.test/", nil), true},
		{"head", mk("HEAD", "http://o.test:8080/x", nil), true},
		{"https", mk("GET", "https://o.test/", nil), true},
		{"ftp", mk("GET", "ftp://o.test/", nil), false},
		{"post", mk("POST", "http://o.test/", nil), false},
		{"delete", mk("DELETE", "http://o.test/", nil), false},
		{"get-with-body", mk("GET", "http://o.test/", func(r *http.Request) {
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader("x")), 1
		}), false},
		{"expect", mk("GET", "http://o.test/", func(r *http.Request) { r.Header.Set("Expect", "100-continue") }), false},
		{"upgrade", mk("GET", "http://o.test/", func(r *http.Request) { r.Header.Set("Upgrade", "h2c") }), false},
		{"bad-field-value", mk("GET", "http://o.test/", func(r *http.Request) { r.Header["X"] = []string{"a\r\nB: c"} }), false},
		{"bad-field-name", mk("GET", "http://o.test/", func(r *http.Request) { r.Header["X Y"] = []string{"a"} }), false},
		{"close", mk("GET", "http://o.test/", func(r *http.Request) { r.Close = true }), false},
	} {
		if got := h1Takes(tc.req); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The pool's key: IDNA host, port 80 by default (authorityAddr).
func TestH1Key(t *testing.T) {
	for in, want := range map[string]string{
		"http://bücher.example/":   "xn--bcher-kva.example:80",
		"http://o.test:8080/":      "o.test:8080",
		"http://[::1]/":            "[::1]:80",
		"http://127.0.0.1:9/x?y=z": "127.0.0.1:9",
	} {
		u, err := url.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := authorityAddr(u.Host, "80"); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}
