package dialer_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/dialer"
	"github.com/glassbox-dev/glassbox/proxy/dialer/dialertest"
	"github.com/glassbox-dev/glassbox/proxy/resolver"
	"github.com/glassbox-dev/glassbox/store"
)

// All tests dial loopback only; names are resolved by stubResolver, never
// by the machine's DNS.

// stubResolver answers from a map; a name it does not know is NXDOMAIN.
type stubResolver struct {
	addrs map[string][]netip.Addr
}

func (s *stubResolver) Lookup(ctx context.Context, host string) ([]netip.Addr, *store.Lookup, error) {
	lk := &store.Lookup{Name: host, Source: resolver.SourceNetwork, Start: time.Now()}
	defer func() { lk.End = time.Now() }()
	addrs, ok := s.addrs[host]
	if !ok {
		err := &resolver.Error{Name: host, Kind: store.FailNXDomain, Rcode: "NXDOMAIN"}
		lk.Rcode, lk.Error = "NXDOMAIN", err.Error()
		return nil, lk, err
	}
	for _, a := range addrs {
		lk.Answers = append(lk.Answers, store.DNSAnswer{Type: "A", Addr: a.String()})
	}
	return addrs, lk, nil
}

func resolves(name string, ips ...string) *stubResolver {
	s := &stubResolver{addrs: map[string][]netip.Addr{}}
	for _, ip := range ips {
		s.addrs[name] = append(s.addrs[name], netip.MustParseAddr(ip))
	}
	return s
}

// records collects what a Dialer reports.
type records struct {
	mu      sync.Mutex
	conns   []*store.Conn
	lookups []*store.Lookup
	closed  chan *store.Conn // reports with Closed set
}

func newRecords() *records { return &records{closed: make(chan *store.Conn, 16)} }

func (r *records) onConn(c *store.Conn) {
	if !c.Closed.IsZero() && c.Error == nil {
		r.closed <- c
		return
	}
	r.mu.Lock()
	r.conns = append(r.conns, c)
	r.mu.Unlock()
}

func (r *records) onLookup(l *store.Lookup) {
	r.mu.Lock()
	r.lookups = append(r.lookups, l)
	r.mu.Unlock()
}

func (r *records) snapshot() ([]*store.Conn, []*store.Lookup) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*store.Conn(nil), r.conns...), append([]*store.Lookup(nil), r.lookups...)
}

// config wires recs into cfg.
func (r *records) config(cfg dialer.Config) dialer.Config {
	cfg.OnConn, cfg.OnLookup = r.onConn, r.onLookup
	return cfg
}

// waitClosed waits, bounded, for a close report.
func (r *records) waitClosed(tb testing.TB) *store.Conn {
	tb.Helper()
	select {
	case c := <-r.closed:
		return c
	case <-time.After(5 * time.Second):
		tb.Fatal("no close report")
		return nil
	}
}

// tlsServer is an httptest TLS server offering h2, and a pool trusting it.
// Its certificate is for example.com, 127.0.0.1 and ::1.
func tlsServer(tb testing.TB) (*httptest.Server, *x509.CertPool) {
	tb.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello " + r.Proto))
	}))
	srv.EnableHTTP2 = true
	// Both, preferring h2, as most servers on the web offer.
	srv.TLS = &tls.Config{NextProtos: []string{"h2", "http/1.1"}}
	srv.Config.ErrorLog = quietLog // the handshake failures are the tests' point
	srv.StartTLS()
	tb.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, pool
}

// expiredServer serves TLS with a self-signed certificate for example.com
// that expired yesterday, and returns a pool that trusts it.
func expiredServer(tb testing.TB) (string, *x509.CertPool) {
	tb.Helper()
	cert, pool := dialertest.SelfSigned(tb, func(c *x509.Certificate) {
		c.Subject.CommonName = "expired"
		c.NotBefore, c.NotAfter = time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)
	})
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = quietLog
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	tb.Cleanup(srv.Close)
	return srv.Listener.Addr().String(), pool
}

var quietLog = log.New(io.Discard, "", 0)

func port(tb testing.TB, addr string) string {
	tb.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}
