package certs_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/certs"
)

// countingGen mints with ca and counts its calls.
func countingGen(ca *certs.CA, host string, calls *atomic.Int32) func() (*tls.Certificate, error) {
	return func() (*tls.Certificate, error) {
		calls.Add(1)
		return ca.Mint(host)
	}
}

func TestCacheGetReturnsSameLeaf(t *testing.T) {
	ca := mustCA(t)
	c := certs.NewLeafCache(ca, 0)
	first, err := c.Get("shop.test")
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"shop.test", "SHOP.test", "shop.test:443"} { // one key for all spellings
		again, err := c.Get(host)
		if err != nil || again != first {
			t.Errorf("Get(%q) = %p, %v; want the cached %p", host, again, err, first)
		}
	}
	var calls atomic.Int32
	if got, _ := c.Fetch("Shop.Test:8443", countingGen(ca, "shop.test", &calls)); got != first || calls.Load() != 0 {
		t.Errorf("Fetch minted again (%d calls) instead of using the cached leaf", calls.Load())
	}
	if c.Len() != 1 {
		t.Errorf("Len = %d, want 1", c.Len())
	}
}

func TestCacheMintsOnceForConcurrentCallers(t *testing.T) {
	ca := mustCA(t)
	c := certs.NewLeafCache(ca, 0)
	var calls atomic.Int32
	const n = 32
	got := make([]*tls.Certificate, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			var err error
			if got[i], err = c.Fetch("shop.test", countingGen(ca, "shop.test", &calls)); err != nil {
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	if calls.Load() != 1 {
		t.Errorf("gen called %d times, want 1", calls.Load())
	}
	for i := range n {
		if got[i] != got[0] {
			t.Fatalf("caller %d got a different leaf", i)
		}
	}
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	ca := mustCA(t)
	c := certs.NewLeafCache(ca, 2)
	a, _ := c.Get("a.test")
	c.Get("b.test")
	c.Get("a.test") // a is now more recent than b
	c.Get("c.test") // evicts b
	if c.Len() != 2 {
		t.Errorf("Len = %d, want 2", c.Len())
	}
	if again, _ := c.Get("a.test"); again != a {
		t.Error("a.test was evicted although b.test was older")
	}
	var calls atomic.Int32
	c.Fetch("b.test", countingGen(ca, "b.test", &calls))
	if calls.Load() != 1 {
		t.Error("b.test was still cached past max")
	}
}

func TestCacheDoesNotCacheErrors(t *testing.T) {
	ca := mustCA(t)
	c := certs.NewLeafCache(ca, 0)
	boom := errors.New("boom")
	if _, err := c.Fetch("shop.test", func() (*tls.Certificate, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the generator's", err)
	}
	if _, err := c.Fetch("shop.test", func() (*tls.Certificate, error) { return nil, nil }); err == nil {
		t.Fatal("a nil certificate without an error was accepted")
	}
	var calls atomic.Int32
	if _, err := c.Fetch("shop.test", countingGen(ca, "shop.test", &calls)); err != nil || calls.Load() != 1 {
		t.Errorf("after an error: err = %v, calls = %d; want a fresh mint", err, calls.Load())
	}
	if _, err := c.Get("bad host"); err == nil || c.Len() != 1 {
		t.Errorf("Get(bad host): err = %v, Len = %d; want an error and nothing cached", err, c.Len())
	}
}

func TestCacheSurvivesPanickingGenerator(t *testing.T) {
	ca := mustCA(t)
	c := certs.NewLeafCache(ca, 0)
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic swallowed")
			}
		}()
		c.Fetch("shop.test", func() (*tls.Certificate, error) { panic("gen bug") })
	}()
	if _, err := c.Get("shop.test"); err != nil { // would block forever if the call stayed in flight
		t.Fatal(err)
	}
}

func TestCacheRenewsNearExpiry(t *testing.T) {
	ca := mustCA(t)
	c := certs.NewLeafCache(ca, 0)
	var now time.Time
	c.Now = func() time.Time { return now }
	now = time.Now()
	var calls atomic.Int32
	gen := countingGen(ca, "shop.test", &calls)
	first, err := c.Fetch("shop.test", gen)
	if err != nil {
		t.Fatal(err)
	}
	now = first.Leaf.NotAfter.Add(-25 * time.Hour)
	if got, _ := c.Fetch("shop.test", gen); got != first || calls.Load() != 1 {
		t.Errorf("re-minted %d times with a day and an hour left; want the cached leaf", calls.Load()-1)
	}
	now = first.Leaf.NotAfter.Add(-23 * time.Hour)
	if got, _ := c.Fetch("shop.test", gen); got == first || calls.Load() != 2 {
		t.Errorf("kept a leaf with 23 hours left (%d calls)", calls.Load())
	}
}

func TestCacheWithoutCA(t *testing.T) {
	c := certs.NewLeafCache(nil, 0)
	if _, err := c.Get("shop.test"); err == nil {
		t.Error("Get without a CA succeeded")
	}
}

func TestGetCertificateChoosesName(t *testing.T) {
	ca := mustCA(t)
	c := certs.NewLeafCache(ca, 0)
	get := c.GetCertificate("connect.test:443")
	tests := []struct {
		name, sni, want string
	}{
		{"sni-wins", "sni.test", "sni.test"},
		{"fallback-without-sni", "", "connect.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc, err := get(&tls.ClientHelloInfo{ServerName: tt.sni})
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.Leaf.VerifyHostname(tt.want); err != nil {
				t.Error(err)
			}
		})
	}
	if _, err := c.GetCertificate("")(&tls.ClientHelloInfo{}); err == nil {
		t.Error("no SNI and no fallback: got a certificate")
	}
}

func TestTLSHandshake(t *testing.T) {
	ca := mustCA(t)
	other := mustCA(t)
	c := certs.NewLeafCache(ca, 0)
	tests := []struct {
		name       string
		fallback   string // CONNECT target
		serverName string // what the client dials and checks
		roots      *certs.CA
		maxVersion uint16
		wantSNI    string
		wantErr    bool
	}{
		{"sni", "203.0.113.9:443", "shop.test", ca, 0, "shop.test", false},
		{"ip-without-sni", "127.0.0.1:443", "127.0.0.1", ca, 0, "", false}, // Go, like browsers, sends no SNI for IPs
		{"ipv6-without-sni", "[::1]:8443", "::1", ca, 0, "", false},
		{"tls12", "shop.test:443", "shop.test", ca, tls.VersionTLS12, "shop.test", false},
		{"other-ca-refused", "shop.test:443", "shop.test", other, 0, "shop.test", true},
		{"tls11-refused", "shop.test:443", "shop.test", ca, tls.VersionTLS11, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srvCfg := c.TLSConfig(tt.fallback)
			if srvCfg.MinVersion != tls.VersionTLS12 {
				t.Errorf("MinVersion = %x", srvCfg.MinVersion)
			}
			var sawSNI atomic.Value
			inner := srvCfg.GetCertificate
			srvCfg.GetCertificate = func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
				sawSNI.Store(h.ServerName)
				return inner(h)
			}
			cliCfg := &tls.Config{RootCAs: poolOf(tt.roots), ServerName: tt.serverName, MaxVersion: tt.maxVersion}
			state, err := handshake(t, srvCfg, cliCfg)
			if tt.wantErr {
				if err == nil {
					t.Fatal("handshake succeeded")
				}
				if tt.roots != ca {
					var unknown x509.UnknownAuthorityError
					if !errors.As(err, &unknown) {
						t.Errorf("err = %v, want an unknown-authority error", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			if got, _ := sawSNI.Load().(string); got != tt.wantSNI {
				t.Errorf("server saw SNI %q, want %q", got, tt.wantSNI)
			}
			if len(state.VerifiedChains) != 1 || len(state.VerifiedChains[0]) != 2 {
				t.Errorf("verified chains %v; want leaf -> CA", state.VerifiedChains)
			}
		})
	}
}

// handshake runs a TLS handshake over an in-memory pipe and returns the
// client's view of it.
func handshake(t *testing.T, srvCfg, cliCfg *tls.Config) (tls.ConnectionState, error) {
	t.Helper()
	sc, cc := net.Pipe()
	deadline := time.Now().Add(10 * time.Second) // a bug must fail the test, not hang it
	sc.SetDeadline(deadline)
	cc.SetDeadline(deadline)
	srvDone := make(chan struct{})
	go func() {
		defer close(srvDone)
		tls.Server(sc, srvCfg).Handshake()
		sc.Close()
	}()
	cli := tls.Client(cc, cliCfg)
	err := cli.Handshake()
	state := cli.ConnectionState()
	cc.Close() // not cli.Close: a close_notify would block on the synchronous pipe
	<-srvDone
	return state, err
}

func BenchmarkCacheHit(b *testing.B) {
	ca := mustCA(b)
	c := certs.NewLeafCache(ca, 0)
	if _, err := c.Get("shop.test"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Get("shop.test:443"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
