package wire_test

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/wire"
)

// events records what an H1 reports, as text.
type events struct{ log []string }

func (e *events) Head(raw []byte, _ time.Time) { e.log = append(e.log, "head "+string(raw)) }
func (e *events) End(trailer []byte, _ time.Time) {
	e.log = append(e.log, "end "+string(trailer))
}

// feed gives stream to an H1 in pieces of size n (0: whole) and returns
// the events and the bytes passed on.
func feed(h *wire.H1, stream string, n int) (*events, string) {
	ev := &events{}
	h.Handler = ev
	var out bytes.Buffer
	b := []byte(stream)
	for len(b) > 0 {
		k := len(b)
		if n > 0 {
			k = min(n, len(b))
		}
		chunk := bytes.Clone(b[:k])
		out.Write(chunk[:h.Feed(chunk, time.Time{})])
		b = b[k:]
	}
	return ev, out.String()
}

func TestH1Requests(t *testing.T) {
	const stream = "\r\nGET /a HTTP/1.1\r\nHost: x\r\nX-B: 1\r\nx-a: 2\r\n\r\n" +
		"POST /b HTTP/1.1\nHost: x\nContent-Length: 5\n\nhello" +
		"PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n" +
		"GET /d HTTP/1.1\r\nHost: x\r\n\r\n"
	want := []string{
		"head GET /a HTTP/1.1\r\nHost: x\r\nX-B: 1\r\nx-a: 2\r\n\r\n", "end ",
		"head POST /b HTTP/1.1\nHost: x\nContent-Length: 5\n\n", "end ",
		"head PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "end T: 1\r\n\r\n",
		"head GET /d HTTP/1.1\r\nHost: x\r\n\r\n", "end ",
	}
	for _, n := range []int{0, 1, 2, 3, 7} {
		ev, out := feed(&wire.H1{}, stream, n)
		if out != stream {
			t.Errorf("pieces of %d: bytes changed: %q", n, out)
		}
		if strings.Join(ev.log, "|") != strings.Join(want, "|") {
			t.Errorf("pieces of %d:\n got %q\nwant %q", n, ev.log, want)
		}
	}
}

func TestH1StopsWhereNetHTTPWould(t *testing.T) {
	for _, tc := range []struct {
		name, stream string
	}{
		{"connect-tunnel", "CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n\x16\x03\x01"},
		{"two-transfer-encodings", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"},
		{"gzip-transfer-encoding", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"},
		{"lengths-disagree", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"},
		{"bad-length", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"},
		{"chunk-without-size", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &wire.H1{}
			feed(h, tc.stream, 0)
			if !h.Off() {
				t.Error("still following")
			}
		})
	}
}

func TestH1Responses(t *testing.T) {
	for _, tc := range []struct {
		name, method, stream string
		want                 []string
		off                  bool
	}{
		{"head-has-no-body", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n",
			[]string{"head HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", "end "}, false},
		{"interim-then-final", "GET", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
			[]string{"head HTTP/1.1 100 Continue\r\n\r\n", "head HTTP/1.1 204 No Content\r\n\r\n", "end "}, false},
		{"switching-protocols", "GET", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello",
			[]string{"head HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"}, true},
		{"http10-ignores-transfer-encoding", "GET", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nall of it",
			[]string{"head HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "end "}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &wire.H1{Response: true}
			h.Expect(tc.method)
			ev, _ := feed(h, tc.stream, 0)
			h.EOF(time.Time{})
			if !tc.off {
				ev.log = ev.log[:min(len(ev.log), len(tc.want))]
			}
			if strings.Join(ev.log, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q\nwant %q", ev.log, tc.want)
			}
		})
	}
}

// A lenient H1 turns chunk lines net/http refuses into ones it reads, and
// net/http then reads the body whole, as curl does.
func TestH1LenientChunkLines(t *testing.T) {
	const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	const body = "6 ; ext=1\r\nhello \r\n5\t;a;b=\"c d\"\r\nworld\r\n3;plain\r\n!!!\r\n0 ; last\r\nX-Trailer: t\r\n\r\n"
	for _, n := range []int{0, 1, 2, 5} {
		h := &wire.H1{Response: true, Lenient: true}
		h.Expect("GET")
		ev, out := feed(h, head+body, n)
		resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(out)), nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		if err != nil || string(got) != "hello world!!!" {
			t.Errorf("pieces of %d: read %q, %v from %q", n, got, err, out)
		}
		if resp.Trailer.Get("X-Trailer") != "t" {
			t.Errorf("pieces of %d: trailer %v", n, resp.Trailer)
		}
		if last := ev.log[len(ev.log)-1]; last != "end X-Trailer: t\r\n\r\n" {
			t.Errorf("pieces of %d: last event %q", n, last)
		}
	}
}

// Without Lenient the bytes pass unchanged, and net/http refuses them.
func TestH1StrictLeavesChunkLines(t *testing.T) {
	const stream = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6 ; ext\r\nhello \r\n0\r\n\r\n"
	h := &wire.H1{Response: true}
	h.Expect("GET")
	if _, out := feed(h, stream, 0); out != stream {
		t.Errorf("changed: %q", out)
	}
}

func TestParseHead(t *testing.T) {
	start, fields := wire.ParseHead([]byte("GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\nproxy-authorization: Basic eA==\r\nx-a:  b \r\nX-Empty: \r\n:\r\n\r\n"))
	if start != "GET / HTTP/1.1" {
		t.Errorf("start %q", start)
	}
	want := "Host=a|X-Long=one two|proxy-authorization=[not recorded]|x-a=b|X-Empty=|="
	var got []string
	for _, f := range fields {
		got = append(got, f.Name+"="+f.Value)
	}
	if strings.Join(got, "|") != want {
		t.Errorf("fields %q, want %q", strings.Join(got, "|"), want)
	}
}
