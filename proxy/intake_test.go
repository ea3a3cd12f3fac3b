package proxy_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/store"
)

// The intake (intake.go) serves the commonest requests and hands the rest
// to net/http's server. What a browser gets must not depend on which of
// the two answered.

// answerRaw sends head on a new connection to the proxy and returns
// everything that came back until the proxy closed it or went quiet.
func answerRaw(t *testing.T, h *harness, head string) string {
	t.Helper()
	c := dialProxy(t, h)
	io.WriteString(c, head)
	var out strings.Builder
	buf := make([]byte, 8192)
	for {
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, err := c.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			return out.String()
		}
	}
}

var dateLine = regexp.MustCompile(`(?m)^Date: .*\r$`)

// The same origin answers, framed by the intake and by net/http's server
// (an Expect field, which the intake leaves to the server, is the only
// difference in the request): the same bytes, but for the Date.
func TestIntakeFramesAsNetHTTP(t *testing.T) {
	large := strings.Repeat("x", 3000)
	for _, tc := range []struct{ name, method, answer string }{
		{"content-length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\nX-B: 1\r\nX-A: 2\r\n\r\nhello"},
		{"chunked-small", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"},
		{"chunked-large", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nbb8\r\n" + large + "\r\n0\r\n\r\n"},
		{"trailers", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n5\r\nhello\r\n0\r\nX-T: done\r\n\r\n"},
		{"no-content", "GET", "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n"},
		{"not-modified", "GET", "HTTP/1.1 304 Not Modified\r\nContent-Type: text/css\r\nETag: \"v1\"\r\n\r\n"},
		{"unknown-status", "GET", "HTTP/1.1 299 Whatever\r\nContent-Length: 0\r\n\r\n"},
		{"origin-date", "GET", "HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Length: 2\r\n\r\nok"},
		{"head", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Type: text/plain\r\n\r\n"},
		{"not-found-empty", "GET", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"},
		// Delimited by the close: the length is known once it came.
		{"close-small", "GET", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello"},
		{"close-large", "GET", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + large},
	} {
		t.Run(tc.name, func(t *testing.T) {
			origin := rawOrigin(t, nil, func(c net.Conn) {
				if _, err := readHead(bufio.NewReader(c)); err == nil {
					io.WriteString(c, tc.answer)
				}
				if strings.Contains(tc.answer, "Connection: close") {
					c.Close()
					return
				}
				h1Answers(func(string) string { return tc.answer })(c) // the second request, on a kept connection
			})
			h := newHarness(t, nil)
			req := tc.method + " http://" + origin + "/f HTTP/1.1\r\nHost: " + origin + "\r\n"
			in := h.server.Listener.(*proxy.Intake)
			intake := answerRaw(t, h, req+"\r\n")
			server := answerRaw(t, h, req+"Expect: 100-continue\r\n\r\n")
			if n := proxy.IntakeServed(in); n != 1 {
				t.Fatalf("the intake answered %d of the two requests, want the first only", n)
			}
			if !strings.HasPrefix(intake, "HTTP/1.1 ") || !dateLine.MatchString(intake) {
				t.Fatalf("intake's answer:\n%q", intake)
			}
			if a, b := dateLine.ReplaceAllString(intake, "Date: -\r"), dateLine.ReplaceAllString(server, "Date: -\r"); a != b {
				t.Errorf("the intake framed\n%q\nnet/http's server framed\n%q", a, b)
			}
		})
	}
}

// The proxy's own answers (407 without the credentials --auth asks for,
// the setup page for the proxy's own address) are framed alike too.
func TestIntakeFramesOwnAnswersAsNetHTTP(t *testing.T) {
	h := newHarness(t, func(c *proxy.Config) { c.Auth = "u:p" })
	in := h.server.Listener.(*proxy.Intake)
	self := h.proxyURL.Host
	for i, req := range []string{
		"GET http://example.test/ HTTP/1.1\r\nHost: example.test\r\n",
		"GET http://" + self + "/ HTTP/1.1\r\nHost: " + self + "\r\nProxy-Authorization: Basic dTpw\r\n",
	} {
		intake := answerRaw(t, h, req+"\r\n")
		server := answerRaw(t, h, req+"Expect: 100-continue\r\n\r\n")
		if n := proxy.IntakeServed(in); n != int64(i+1) {
			t.Fatalf("the intake answered %d requests, want %d", n, i+1)
		}
		if a, b := dateLine.ReplaceAllString(intake, "Date: -\r"), dateLine.ReplaceAllString(server, "Date: -\r"); a != b || !strings.HasPrefix(a, "HTTP/1.1 ") {
			t.Errorf("the intake framed\n%q\nnet/http's server framed\n%q", a, b)
		}
	}
}

// A connection the intake hands to net/http's server mid-way (a POST
// after a GET) and pipelined requests: each answered in order, each
// recorded with its head as sent.
func TestIntakeHandOffAndPipelining(t *testing.T) {
	origin := rawOrigin(t, nil, func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			head, err := readHead(br)
			if err != nil {
				return
			}
			if strings.HasPrefix(head, "POST") {
				io.CopyN(io.Discard, br, 4)
			}
			path := strings.Fields(head)[1]
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: "+strconv.Itoa(len(path))+"\r\n\r\n"+path)
		}
	})
	h := newHarness(t, nil)
	c := dialProxy(t, h)
	get := func(path string) string {
		return "GET http://" + origin + path + " HTTP/1.1\r\nHost: " + origin + "\r\nX-Order: " + path + "\r\n\r\n"
	}
	// Two pipelined GETs, then a POST (handed off) and a GET after it.
	io.WriteString(c, get("/1")+get("/2")+"POST http://"+origin+"/3 HTTP/1.1\r\nHost: "+origin+"\r\nx-lower: 1\r\nContent-Length: 4\r\n\r\nbody"+get("/4"))
	br := bufio.NewReader(c)
	for _, want := range []string{"/1", "/2", "/3", "/4"} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("answer for %s: %v", want, err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(body) != want {
			t.Errorf("answer for %s: %d %q", want, resp.StatusCode, body)
		}
	}
	for _, f := range h.rec.waitFlows(t, 4) {
		if !f.ReqHeadersAsSent || (f.Method == "GET" && f.ReqHeaders.Get("X-Order") == "") {
			t.Errorf("flow %d (%s %s): head as sent %v\n%s", f.ID, f.Method, f.URL, f.ReqHeadersAsSent, pairs(f.ReqHeaders))
		}
		// Parsed by the intake before it handed the connection off: the
		// name is recorded as the browser wrote it all the same.
		if f.Method == "POST" && !slices.ContainsFunc(f.ReqHeaders, func(h store.Header) bool { return h.Name == "x-lower" }) {
			t.Errorf("the POST's head lost a name's case:\n%s", pairs(f.ReqHeaders))
		}
	}
}

// Shutdown closes connections waiting for a request at once, and lets a
// request in flight finish.
func TestIntakeShutdown(t *testing.T) {
	release, arrived := make(chan struct{}), make(chan struct{}, 1)
	origin := rawOrigin(t, nil, h1Answers(func(head string) string {
		if strings.Contains(head, "/slow") {
			arrived <- struct{}{}
			<-release
		}
		return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	}))
	h := newHarness(t, nil)
	in := h.server.Listener.(*proxy.Intake)
	idle := dialProxy(t, h)
	io.WriteString(idle, "GET http://"+origin+"/a HTTP/1.1\r\nHost: "+origin+"\r\n\r\n")
	ibr := bufio.NewReader(idle)
	if resp, err := http.ReadResponse(ibr, nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("first answer: %v", err)
	}
	io.Copy(io.Discard, io.LimitReader(ibr, 2))
	busy := dialProxy(t, h)
	io.WriteString(busy, "GET http://"+origin+"/slow HTTP/1.1\r\nHost: "+origin+"\r\n\r\n")
	select {
	case <-arrived:
	case <-time.After(ioLimit):
		t.Fatal("the slow request never reached the origin")
	}

	done := make(chan struct{})
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), ioLimit)
		defer cancel()
		in.Shutdown(ctx)
		close(done)
	}()
	if _, err := ibr.ReadByte(); err != io.EOF {
		t.Errorf("the idle connection: %v, want it closed (EOF)", err)
	}
	select {
	case <-done:
		t.Fatal("Shutdown returned with a request in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if resp, err := http.ReadResponse(bufio.NewReader(busy), nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("the request in flight: %v", err)
	}
	select {
	case <-done:
	case <-time.After(ioLimit):
		t.Fatal("Shutdown did not return after the last request")
	}
}

// A head past the intake's buffer (a browser's many cookies) goes to
// net/http's server whole, and is answered and recorded as sent.
func TestIntakeHandsOffALongHead(t *testing.T) {
	origin := rawOrigin(t, nil, h1Answers(func(string) string { return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" }))
	h := newHarness(t, nil)
	cookie := strings.Repeat("c", 20<<10)
	got := answerRaw(t, h, "GET http://"+origin+"/long HTTP/1.1\r\nHost: "+origin+"\r\nCookie: "+cookie+"\r\n\r\n")
	if !strings.HasPrefix(got, "HTTP/1.1 200 ") || !strings.HasSuffix(got, "\r\n\r\nok") {
		t.Fatalf("answer %q", first(got))
	}
	if n := proxy.IntakeServed(h.server.Listener.(*proxy.Intake)); n != 0 {
		t.Errorf("the intake answered %d requests, want none: the head is past its buffer", n)
	}
	f := h.rec.waitFlows(t, 1)[0]
	if !f.ReqHeadersAsSent || f.ReqHeaders.Get("Cookie") != cookie {
		t.Errorf("recorded head as sent %v, Cookie of %d bytes", f.ReqHeadersAsSent, len(f.ReqHeaders.Get("Cookie")))
	}
}

// A browser's next request leaves the idle deadline of its wait on the
// connection (its head came whole: none of its own). A request that then
// waits on the origin past it is still watched: the browser leaving later
// lets go of the origin's connection and is recorded.
func TestIntakeWatchOutlastsTheIdleDeadline(t *testing.T) {
	const idle = 150 * time.Millisecond
	released := make(chan struct{})
	addr := rawOrigin(t, nil, func(c net.Conn) {
		br := bufio.NewReader(c)
		if _, err := readHead(br); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		if _, err := readHead(br); err != nil {
			return
		}
		br.ReadByte() // no answer: returns when glassbox closes the connection (or at ioLimit)
		close(released)
	})
	h := newHarnessServer(t, nil, func(s *http.Server) { s.IdleTimeout = idle })
	c := dialProxy(t, h)
	br := bufio.NewReader(c)
	get := "GET http://" + addr + "/%s HTTP/1.1\r\nHost: " + addr + "\r\n\r\n"
	io.WriteString(c, strings.Replace(get, "%s", "first", 1))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	io.WriteString(c, strings.Replace(get, "%s", "stall", 1))
	time.Sleep(3 * idle) // past the idle deadline, with the request waiting on the origin
	c.Close()
	start := time.Now()
	select {
	case <-released:
	case <-time.After(ioLimit):
	}
	if waited := time.Since(start); waited > ioLimit/2 {
		t.Errorf("the origin's connection was held %v after the browser left", waited)
	}
	fs := h.rec.waitFlows(t, 2)
	if f := fs[1]; f.Error == nil || f.Error.Phase != store.PhaseClient {
		t.Errorf("recorded error %+v, want the browser's going away", f.Error)
	}
}
