package proxy_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy"
)

// Behind the Guard (how glassbox listens), a plain-HTTP response that pauses
// mid-body reaches the browser up to the pause: nothing waits in the
// proxy's buffers for bytes the origin has not sent yet. The first part
// comes in small pieces, which a buffered copy would hold back.
func TestPausedStreamReachesClientThroughGuard(t *testing.T) {
	for _, c := range []struct {
		name    string
		tls, h2 bool
	}{{"plain HTTP", false, false}, {"MITM HTTP/1.1", true, false}, {"MITM HTTP/2", true, true}} {
		t.Run(c.name, func(t *testing.T) { testPausedStream(t, c.tls, c.h2) })
	}
}

func testPausedStream(t *testing.T, tlsOrigin, h2 bool) {
	const first, total = 10_000, 20_000
	release, releaseOrigin := gate()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(total))
		w.Header().Set("Content-Type", "application/octet-stream")
		for sent := 0; sent < first; sent += 100 { // small pieces, as a slow server sends them
			w.Write(make([]byte, 100))
			w.(http.Flusher).Flush()
			time.Sleep(time.Millisecond)
		}
		<-release
		w.Write(make([]byte, total-first))
	})
	origin := httptest.NewUnstartedServer(handler)
	if tlsOrigin {
		origin.StartTLS()
	} else {
		origin.Start()
	}
	defer origin.Close()
	defer releaseOrigin()

	rec := newMemRecorder()
	h := newHarness(t, func(c *proxy.Config) {
		c.Recorder = rec
		if tlsOrigin {
			c.UpstreamRoots = poolOf(origin.Certificate())
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h.proxy}
	go srv.Serve(proxy.NewGuard(ln, 0, 0))
	defer srv.Close()

	proxyURL := &url.URL{Scheme: "http", Host: ln.Addr().String()}
	client := h.client(nil)
	tr := client.Transport.(*http.Transport)
	tr.Proxy, tr.ForceAttemptHTTP2 = http.ProxyURL(proxyURL), h2
	resp, err := client.Get(origin.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got := make(chan error, 1)
	go func() {
		_, err := io.ReadFull(resp.Body, make([]byte, first))
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("reading the part sent before the pause: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the %d bytes sent before the pause did not all arrive: some wait in the proxy's buffers", first)
	}
	releaseOrigin()
	if n, err := io.Copy(io.Discard, resp.Body); err != nil || n != total-first {
		t.Fatalf("after the pause: %d bytes, %v", n, err)
	}
	f := rec.waitFlows(t, 1)[0]
	if f.RespBody.Size != total || f.Error != nil {
		t.Errorf("recorded size %d, error %+v", f.RespBody.Size, f.Error)
	}
	if wantProto := map[bool]string{false: "HTTP/1.1", true: "HTTP/2.0"}[h2]; f.Proto != wantProto {
		t.Errorf("the browser's side spoke %s, want %s", f.Proto, wantProto)
	}
}
