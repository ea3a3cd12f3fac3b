package dialer_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/dialer"
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

// refusedPort returns a port with nothing listening on it on ip: bound,
// then closed.
func refusedPort(tb testing.TB, ip string) string {
	tb.Helper()
	l, err := net.Listen("tcp", ip+":0")
	if err != nil {
		tb.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	return port
}

// silentListener accepts TCP connections and never writes to them.
func silentListener(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	tb.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	})
	return l.Addr().String()
}

// tlsServer is an httptest TLS server offering h2, and a pool trusting it.
// Its certificate is for example.com, 127.0.0.1 and ::1.
func tlsServer(tb testing.TB) (*httptest.Server, *x509.CertPool) {
	tb.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello " + r.Proto))
	}))
	srv.EnableHTTP2 = true
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
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "expired", Organization: []string{"Glassbox Test"}},
		DNSNames:              []string{"example.com"},
		NotBefore:             time.Now().Add(-48 * time.Hour),
		NotAfter:              time.Now().Add(-24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = quietLog
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.StartTLS()
	tb.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
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
