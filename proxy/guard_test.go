package proxy_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/certs"
	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/store/storetest"
)

// guarded starts the proxy behind a Guard with short deadlines.
func guarded(t *testing.T, handshake, idle time.Duration) (*proxy.Guard, string) {
	t.Helper()
	ca, err := certs.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	p, err := proxy.New(proxy.Config{Recorder: newMemRecorder(), CA: ca})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(p)
	g := proxy.NewGuard(srv.Listener, handshake, idle)
	srv.Listener = g
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		p.Close()
	})
	return g, srv.Listener.Addr().String()
}

// 500 connections that never speak, and 50 that CONNECT then go silent
// (goproxy would hold those forever), are all released, with no goroutine
// left behind.
func TestSilentConnectionsReleased(t *testing.T) {
	base := runtime.NumGoroutine()
	g, addr := guarded(t, 300*time.Millisecond, 600*time.Millisecond)
	var conns []net.Conn
	for i := 0; i < 500; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i := 0; i < 50; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "CONNECT shop.test:443 HTTP/1.1\r\nHost: shop.test:443\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("CONNECT: %v %v", resp, err)
		}
		conns = append(conns, c) // and now: silence, no TLS handshake
	}
	storetest.Eventually(t, 10*time.Second, "the guard to close all 550 silent connections", func() bool { return g.Open() == 0 })
	if g.Closed() != 550 {
		t.Errorf("closed %d for silence, want 550", g.Closed())
	}
	// Each client sees its connection closed.
	for _, c := range conns[:3] {
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Error("a silent connection was not closed")
		}
		c.Close()
	}
	for _, c := range conns[3:] {
		c.Close()
	}
	storetest.Eventually(t, 10*time.Second, fmt.Sprintf("the goroutines to fall back near the %d from before", base),
		func() bool { return runtime.NumGoroutine() <= base+10 })
}

// A download that keeps flowing is not idle, however long it takes.
func TestActiveDownloadNotCut(t *testing.T) {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 10; i++ {
			w.Write(make([]byte, 1024))
			w.(http.Flusher).Flush()
			time.Sleep(100 * time.Millisecond) // 1 s in all, idle limit 300 ms
		}
	}))
	defer origin.Close()
	_, addr := guarded(t, 300*time.Millisecond, 300*time.Millisecond)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET %s/slow HTTP/1.1\r\nHost: %s\r\n\r\n", origin.URL, origin.Listener.Addr())
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || n != 10*1024 {
		t.Fatalf("read %d bytes, %v: the guard cut an active download", n, err)
	}
}
