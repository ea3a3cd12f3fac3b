package proxy_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/certs"
	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/store"
)

// memRecorder keeps recorded flows in memory and lets a test wait for them.
type memRecorder struct {
	mu    sync.Mutex
	flows map[int64]store.Flow
	conns map[int64]store.Conn
	lks   []store.Lookup
	msgs  []store.Message
	cond  chan struct{}
}

// RecordMessages implements store.MessageRecorder.
func (m *memRecorder) RecordMessages(msgs []store.Message) {
	m.mu.Lock()
	m.msgs = append(m.msgs, msgs...)
	m.mu.Unlock()
}

// messages returns the messages recorded for a flow.
func (m *memRecorder) messages(flowID int64) []store.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Message
	for _, msg := range m.msgs {
		if msg.FlowID == flowID {
			out = append(out, msg)
		}
	}
	return out
}

func newMemRecorder() *memRecorder {
	return &memRecorder{flows: map[int64]store.Flow{}, conns: map[int64]store.Conn{}, cond: make(chan struct{}, 1)}
}

func (m *memRecorder) RecordFlow(f *store.Flow) {
	m.mu.Lock()
	m.flows[f.ID] = *f
	m.mu.Unlock()
	select {
	case m.cond <- struct{}{}:
	default:
	}
}
func (m *memRecorder) RecordConn(c *store.Conn) {
	m.mu.Lock()
	m.conns[c.ID] = *c
	m.mu.Unlock()
}
func (m *memRecorder) RecordLookup(l *store.Lookup) {
	m.mu.Lock()
	m.lks = append(m.lks, *l)
	m.mu.Unlock()
}
func (m *memRecorder) RecordPage(*store.Page)     {}
func (m *memRecorder) Stats() store.RecorderStats { return store.RecorderStats{} }

// waitFlows waits (bounded) until n flows are recorded and returns them in ID order.
// waitFlows waits for n flows recorded whole (ended: a flow in flight is
// recorded as it is at each tick of the live clock, inflight.go).
func (m *memRecorder) waitFlows(t *testing.T, n int) []store.Flow {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		m.mu.Lock()
		ended := 0
		for _, f := range m.flows {
			if !f.End.IsZero() {
				ended++
			}
		}
		if ended >= n {
			out := make([]store.Flow, 0, len(m.flows))
			for _, f := range m.flows {
				out = append(out, f)
			}
			m.mu.Unlock()
			sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
			return out
		}
		m.mu.Unlock()
		select {
		case <-m.cond:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %d flows", n)
		}
	}
}

type harness struct {
	ca       *certs.CA
	rec      *memRecorder
	proxy    *proxy.Proxy
	server   *httptest.Server
	proxyURL *url.URL
}

// newHarness starts glassbox's proxy on a loopback httptest server. tweak
// may adjust the config before the proxy is built.
func newHarness(t testing.TB, tweak func(*proxy.Config)) *harness {
	t.Helper()
	return newHarnessServer(t, tweak, nil)
}

// newHarnessServer is newHarness with a change to the http.Server made
// before it starts serving (after, it would race with the server's own
// reads of its fields).
func newHarnessServer(t testing.TB, tweak func(*proxy.Config), server func(*http.Server)) *harness {
	t.Helper()
	ca, err := certs.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{ca: ca, rec: newMemRecorder()}
	cfg := proxy.Config{Recorder: h.rec, CA: ca, Logf: t.Logf}
	if tweak != nil {
		tweak(&cfg)
	}
	h.proxy, err = proxy.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.server = httptest.NewUnstartedServer(h.proxy)
	// As cmd/glassbox serves it: heads read as the browser sends them.
	h.server.Config.ConnContext = proxy.ConnContext
	h.server.Config.ReadHeaderTimeout, h.server.Config.IdleTimeout = proxy.NewServer(nil).ReadHeaderTimeout, proxy.NewServer(nil).IdleTimeout
	if server != nil {
		server(h.server.Config)
	}
	h.server.Listener = h.proxy.Intake(proxy.WireListener(h.server.Listener), h.server.Config)
	h.server.Start()
	t.Cleanup(func() {
		h.server.Close()
		h.proxy.Close()
	})
	h.proxyURL, _ = url.Parse(h.server.URL)
	return h
}

// client returns an HTTP client that uses the proxy and trusts only roots
// (nil: our CA).
func (h *harness) client(roots *x509.CertPool) *http.Client {
	if roots == nil {
		roots = x509.NewCertPool()
		roots.AddCert(h.ca.Cert)
	}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:              http.ProxyURL(h.proxyURL),
			TLSClientConfig:    &tls.Config{RootCAs: roots},
			DisableCompression: true,
			ForceAttemptHTTP2:  true,
		},
		Timeout: 30 * time.Second,
	}
}

func poolOf(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }

// gate is a channel an origin handler waits on and the function that
// opens it, safe to call more than once (deferred, so a test that fails
// early does not leave origin.Close waiting for the handler).
func gate() (<-chan struct{}, func()) {
	ch := make(chan struct{})
	var once sync.Once
	return ch, func() { once.Do(func() { close(ch) }) }
}
