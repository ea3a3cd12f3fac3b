package proxy_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/store"
)

// rawExchange sends raw bytes to addr and returns what came back before the
// connection closed or went quiet.
func rawExchange(t *testing.T, addr, payload string, quiet time.Duration) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, payload)
	var out strings.Builder
	buf := make([]byte, 4096)
	for {
		c.SetReadDeadline(time.Now().Add(quiet))
		n, err := c.Read(buf)
		out.Write(buf[:n])
		if err != nil || out.Len() > 1<<20 {
			return out.String()
		}
	}
}

// countingOrigin records the paths it was asked for.
type countingOrigin struct {
	*httptest.Server
	mu     sync.Mutex
	paths  []string
	bodies map[string]int // path -> body bytes received
}

func newCountingOrigin(t *testing.T) *countingOrigin {
	o := &countingOrigin{bodies: map[string]int{}}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		o.mu.Lock()
		o.paths = append(o.paths, r.URL.Path)
		o.bodies[r.URL.Path] += int(n)
		o.mu.Unlock()
		io.WriteString(w, "ok "+r.URL.Path)
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *countingOrigin) saw(path string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, p := range o.paths {
		if p == path {
			return true
		}
	}
	return false
}

// stillServing checks the proxy answers a normal request after abuse.
func stillServing(t *testing.T, h *harness, o *countingOrigin) {
	t.Helper()
	resp, err := h.client(nil).Get(o.URL + "/alive")
	if err != nil {
		t.Fatalf("proxy stopped serving: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok /alive" {
		t.Fatalf("proxy answered %q after abuse", body)
	}
}

// Malformed and hostile requests sent straight to the proxy's socket each
// get a clear 4xx or a closed connection, never reach the origin smuggled,
// and the proxy keeps serving others.
func TestHostileClients(t *testing.T) {
	o := newCountingOrigin(t)
	h := newHarnessServer(t, nil, func(s *http.Server) { s.ReadHeaderTimeout = 500 * time.Millisecond })
	addr := h.proxyURL.Host
	host := o.Listener.Addr().String()
	abs := o.URL

	for _, tc := range []struct {
		name    string
		payload string
		want    string // a prefix of the answer; "" = closed or any 4xx
	}{
		// Not HTTP at all.
		{"garbage-request-line", "HELLO THERE\r\n\r\n", "HTTP/1.1 400"},
		// HTTP/0.9: a request line with no version.
		{"http-0.9", "GET /\r\n\r\n", "HTTP/1.1 400"},
		// A header block far beyond the 1 MB limit.
		{"header-flood", "GET " + abs + "/flood HTTP/1.1\r\nHost: " + host + "\r\n" + strings.Repeat("X-Flood: "+strings.Repeat("a", 1000)+"\r\n", 1200) + "\r\n", "HTTP/1.1 431"},
		// Two different Content-Lengths (RFC 9112 §6.3: unrecoverable).
		{"conflicting-content-length", "POST " + abs + "/cl HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello", "HTTP/1.1 400"},
		// Content-Length with Transfer-Encoding: the classic smuggling shape.
		{"cl-te-smuggling", "POST " + abs + "/front HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET " + abs + "/smuggled HTTP/1.1\r\nHost: " + host + "\r\n\r\n", ""},
		// Broken chunk sizes.
		{"invalid-chunked", "POST " + abs + "/chunk HTTP/1.1\r\nHost: " + host + "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", ""},
		// An unknown transfer coding.
		{"unknown-transfer-encoding", "POST " + abs + "/te HTTP/1.1\r\nHost: " + host + "\r\nTransfer-Encoding: gzip, chunked, bogus\r\n\r\n", "HTTP/1.1 501"},
		// CONNECT to targets that are not host:port.
		{"connect-no-port", "CONNECT shop.test HTTP/1.1\r\nHost: shop.test\r\n\r\n", ""},
		{"connect-empty", "CONNECT :0 HTTP/1.1\r\nHost: :0\r\n\r\n", ""},
		{"connect-garbage", "CONNECT [::1 HTTP/1.1\r\nHost: x\r\n\r\n", ""},
		// A request line with a control character.
		{"control-char", "GET " + abs + "/a\x00b HTTP/1.1\r\nHost: " + host + "\r\n\r\n", "HTTP/1.1 400"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := rawExchange(t, addr, tc.payload, time.Second)
			if tc.want != "" && !strings.HasPrefix(got, tc.want) {
				t.Errorf("answer %q, want %q...", first(got), tc.want)
			}
			if tc.want == "" && got != "" && !strings.HasPrefix(got, "HTTP/1.1 4") && !strings.HasPrefix(got, "HTTP/1.1 5") &&
				!strings.HasPrefix(got, "HTTP/1.1 200") {
				t.Errorf("answer %q, want a 4xx/5xx or a closed connection", first(got))
			}
			// Content-Length with Transfer-Encoding: glassbox (net/http) does
			// what RFC 9112 §6.3 asks of an intermediary: the chunked coding
			// wins and Content-Length is removed before forwarding. The bytes
			// after the last chunk are the client's next request, framed on
			// their own; they never leak into /front's body, which is the
			// desynchronisation smuggling needs.
			o.mu.Lock()
			leaked := o.bodies["/front"]
			o.mu.Unlock()
			if leaked != 0 {
				t.Fatalf("the origin received %d body bytes for /front: framing desynchronised", leaked)
			}
			stillServing(t, h, o)
		})
	}
}

// Garbage where a TLS ClientHello should be, and a client that drips its
// request head one byte at a time: both are cut off, others are served.
func TestGarbageTLSAndSlowDrip(t *testing.T) {
	o := newCountingOrigin(t)
	h := newHarnessServer(t, nil, func(s *http.Server) { s.ReadHeaderTimeout = 300 * time.Millisecond })
	got := rawExchange(t, h.proxyURL.Host, "CONNECT shop.test:443 HTTP/1.1\r\nHost: shop.test:443\r\n\r\n\x16\x03\x01\x00\x05hello-this-is-not-tls", time.Second)
	if !strings.HasPrefix(got, "HTTP/1.1 200") {
		t.Errorf("CONNECT answer %q", first(got))
	}
	stillServing(t, h, o)

	c, err := net.Dial("tcp", h.proxyURL.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	req := "GET " + o.URL + "/drip HTTP/1.1\r\nHost: x\r\n\r\n"
	closed := false
	for i := 0; i < len(req) && time.Since(start) < 5*time.Second; i++ {
		if _, err := c.Write([]byte{req[i]}); err != nil {
			closed = true
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !closed {
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		closed = err != nil || resp.StatusCode >= 400
	}
	if !closed || o.saw("/drip") {
		t.Error("a slow-drip client got its request through past the header timeout")
	}
	stillServing(t, h, o)
}

// hostileOrigin is a raw TCP server that answers each connection with fn.
func hostileOrigin(t *testing.T, fn func(c net.Conn)) string {
	t.Helper()
	return rawOrigin(t, nil, func(c net.Conn) {
		bufio.NewReader(c).ReadString('\n') // the request line is enough
		fn(c)
	})
}

// Hostile origins: every failure is a recorded, explained flow, and the
// client always gets an answer or a clean end.
func TestHostileOrigins(t *testing.T) {
	o := newCountingOrigin(t)
	h := newHarness(t, func(c *proxy.Config) { c.ResponseTimeout = 500 * time.Millisecond })
	for _, tc := range []struct {
		name   string
		serve  func(c net.Conn)
		status int    // what the client sees; 0 = body breaks off
		phase  string // recorded error phase
		kind   string
	}{
		{"malformed-response", func(c net.Conn) { io.WriteString(c, "HELLO WORLD\r\n\r\n") }, 502, store.PhaseWait, "malformed"},
		{"never-answers", func(c net.Conn) { time.Sleep(3 * time.Second) }, 504, store.PhaseWait, "timeout"},
		{"closes-without-answer", func(c net.Conn) {}, 502, store.PhaseWait, "eof"},
		{"lying-content-length", func(c net.Conn) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly a little")
		}, 0, store.PhaseReceive, "truncated"},
		{"reset-mid-body", func(c net.Conn) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"+strings.Repeat("x", 5000))
			c.(*net.TCPConn).SetLinger(0) // close with RST
		}, 0, store.PhaseReceive, "truncated"},
		{"huge-header-block", func(c net.Conn) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\n")
			for i := 0; i < 2000; i++ {
				fmt.Fprintf(c, "X-Big-%d: %s\r\n", i, strings.Repeat("b", 1000))
			}
			io.WriteString(c, "\r\n")
		}, 502, store.PhaseWait, "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := hostileOrigin(t, tc.serve)
			before := len(h.rec.waitFlows(t, 0))
			resp, err := h.client(nil).Get("http://" + addr + "/" + tc.name)
			if err != nil {
				t.Fatalf("client error instead of an answer: %v", err)
			}
			_, readErr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if tc.status != 0 && resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status == 0 && readErr == nil {
				t.Errorf("a broken body looked complete to the client")
			}
			flows := h.rec.waitFlows(t, before+1)
			f := flows[len(flows)-1]
			if f.Error == nil || f.Error.Phase != tc.phase || f.Error.Kind != tc.kind {
				t.Errorf("recorded error %+v, want %s/%s", f.Error, tc.phase, tc.kind)
			}
			stillServing(t, h, o)
		})
	}
}

// An endless body the client abandons: recorded as aborted, with only the
// capped copy kept.
func TestEndlessBodyAbandoned(t *testing.T) {
	addr := hostileOrigin(t, func(c net.Conn) {
		io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
		chunk := fmt.Sprintf("%x\r\n%s\r\n", 32<<10, strings.Repeat("e", 32<<10))
		for i := 0; i < 100000; i++ { // bounded: 3 GB at most, cut long before
			if _, err := io.WriteString(c, chunk); err != nil {
				return
			}
		}
	})
	h := newHarness(t, func(c *proxy.Config) { c.MaxBody = 64 << 10 })
	resp, err := h.client(nil).Get("http://" + addr + "/endless")
	if err != nil {
		t.Fatal(err)
	}
	io.CopyN(io.Discard, resp.Body, 4<<20)
	resp.Body.Close()
	h.client(nil).Transport.(*http.Transport).CloseIdleConnections()
	f := h.rec.waitFlows(t, 1)[0]
	if f.Error == nil || f.Error.Phase != store.PhaseClient || len(f.RespBody.Data) != 64<<10 || f.RespBody.Size < 4<<20 {
		t.Errorf("error %+v stored %d of %d", f.Error, len(f.RespBody.Data), f.RespBody.Size)
	}
}

func first(s string) string {
	if i := strings.Index(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	if len(s) > 80 {
		return s[:80]
	}
	return s
}
