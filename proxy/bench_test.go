package proxy_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/store"
)

// countRecorder counts flows and keeps nothing: the benchmarks below
// measure the proxy's own path, not a store.
type countRecorder struct{ flows atomic.Int64 }

func (c *countRecorder) RecordFlow(*store.Flow)     { c.flows.Add(1) }
func (c *countRecorder) RecordConn(*store.Conn)     {}
func (c *countRecorder) RecordLookup(*store.Lookup) {}
func (c *countRecorder) RecordPage(*store.Page)     {}
func (c *countRecorder) Stats() store.RecorderStats { return store.RecorderStats{} }

// benchRequests sends GETs through the proxy on one keep-alive client
// connection and checks every one was recorded. Allocations and time per
// op include the client and the origin, which run in this process too; the
// numbers are for comparing changes to the proxy, not for quoting.
func benchRequests(b *testing.B, tlsOrigin, h2 bool, size int) {
	benchOrigin(b, tlsOrigin, h2, false, size)
}

// benchOrigin is benchRequests with the origin's protocol chosen too:
// h2Origin makes a TLS origin offer HTTP/2.
func benchOrigin(b *testing.B, tlsOrigin, h2, h2Origin bool, size int) {
	body := bytes.Repeat([]byte("g"), size)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	})
	origin := httptest.NewUnstartedServer(handler)
	origin.EnableHTTP2 = h2Origin
	if tlsOrigin {
		origin.StartTLS()
	} else {
		origin.Start()
	}
	defer origin.Close()
	rec := &countRecorder{}
	h := newHarness(b, func(c *proxy.Config) {
		c.Recorder = rec
		if tlsOrigin {
			c.UpstreamRoots = poolOf(origin.Certificate())
		}
		c.Logf = func(string, ...any) {}
	})
	client := h.client(nil)
	// HTTP/1.1 inside the tunnel unless h2: the load generator of make
	// bench speaks HTTP/1.1; browsers take the HTTP/2 glassbox offers.
	client.Transport.(*http.Transport).ForceAttemptHTTP2 = h2
	get := func() {
		resp, err := client.Get(origin.URL + "/item")
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || n != int64(size) {
			b.Fatalf("read %d of %d bytes: %v", n, size, err)
		}
	}
	get() // connections and the leaf certificate are made outside the timing
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		get()
	}
	b.StopTimer()
	if got, want := rec.flows.Load(), int64(b.N)+1; got != want {
		b.Fatalf("recorded %d flows of %d requests", got, want)
	}
}

func BenchmarkHTTPRequest(b *testing.B)   { benchRequests(b, false, false, 1024) }
func BenchmarkMITMRequest(b *testing.B)   { benchRequests(b, true, false, 1024) }
func BenchmarkMITMRequestH2(b *testing.B) { benchRequests(b, true, true, 1024) }
func BenchmarkMITMRequest1M(b *testing.B) { benchRequests(b, true, false, 1<<20) }

// HTTP/2 on both legs, as a browser and most origins speak.
func BenchmarkMITMRequestH2Origin(b *testing.B) { benchOrigin(b, true, true, true, 1024) }
