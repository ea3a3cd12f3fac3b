package dialer_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/dialer"
	"github.com/glassbox-dev/glassbox/proxy/dialer/dialertest"
	"github.com/glassbox-dev/glassbox/store"
)

func dialErr(t *testing.T, err error) *dialer.DialError {
	t.Helper()
	var de *dialer.DialError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v (%T), want a *dialer.DialError", err, err)
	}
	return de
}

// liveAndDead returns a port P with a listener on 127.0.0.1:P that accepts
// and closes, and nothing on 127.0.0.2:P; it skips where 127.0.0.2 cannot
// be bound.
func liveAndDead(t *testing.T) string {
	t.Helper()
	var live net.Listener
	var p string
	for range 5 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p = port(t, l.Addr().String())
		probe, err := net.Listen("tcp", "127.0.0.2:"+p)
		if err != nil {
			l.Close() // 127.0.0.2:P is in use: try another port
			continue
		}
		probe.Close()
		live = l
		break
	}
	if live == nil {
		t.Skip("SKIPPING: could not bind 127.0.0.2 on a free port")
	}
	t.Cleanup(func() { live.Close() })
	go func() {
		for {
			c, err := live.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return p
}

func TestDeadThenLiveAddress(t *testing.T) {
	// A live listener on 127.0.0.1:P and nothing on 127.0.0.2:P: the name
	// resolves to both, the dead one first.
	p := liveAndDead(t)
	recs := newRecords()
	// A fallback delay that outlasts the test: the second attempt can only
	// start because the first failed.
	d := dialer.New(recs.config(dialer.Config{
		Resolver:      resolves("shop.test", "127.0.0.2", "127.0.0.1"),
		FallbackDelay: time.Hour,
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := d.DialContext(ctx, "tcp", "shop.test:"+p)
	if err != nil {
		t.Fatalf("%v: the refused attempt did not start the next", err)
	}
	defer c.Close()
	info := dialer.InfoOf(c)
	if info == nil || info.RemoteAddr != "127.0.0.1:"+p || info.Error != nil {
		t.Fatalf("info = %+v", info)
	}
	want := []struct{ addr, outcome string }{{"127.0.0.2:" + p, "refused"}, {"127.0.0.1:" + p, "ok"}}
	if len(info.Attempts) != len(want) {
		t.Fatalf("attempts = %+v", info.Attempts)
	}
	for i, w := range want {
		a := info.Attempts[i]
		if a.Addr != w.addr || a.Outcome != w.outcome || a.End.Before(a.Start) {
			t.Errorf("attempt %d = %+v, want %s %s", i, a, w.addr, w.outcome)
		}
	}
	conns, lookups := recs.snapshot()
	if len(lookups) != 1 || lookups[0].ID != 1 || info.ID != 1 || info.LookupID != 1 {
		t.Errorf("ids: conn %d lookup %d, lookups reported %+v", info.ID, info.LookupID, lookups)
	}
	if len(conns) != 1 || conns[0] == info || conns[0].ID != info.ID || len(conns[0].Attempts) != 2 {
		t.Errorf("reported conns %+v, want one copy of the record", conns)
	}
}

func TestAttemptOrderAndStagger(t *testing.T) {
	t.Run("families-interleaved-ipv6-first", func(t *testing.T) {
		var mu sync.Mutex
		var order []string
		refuse := func(ctx context.Context, network, addr string) (net.Conn, error) {
			mu.Lock()
			order = append(order, addr)
			mu.Unlock()
			return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
		}
		d := dialer.New(dialer.Config{
			Resolver: resolves("shop.test", "127.0.0.1", "127.0.0.2", "::1", "::2"),
			NetDial:  refuse,
		})
		_, err := d.DialContext(context.Background(), "tcp", "shop.test:80")
		de := dialErr(t, err)
		if de.Phase != store.PhaseConnect || de.Kind != "refused" {
			t.Errorf("phase %s kind %s", de.Phase, de.Kind)
		}
		want := []string{"[::1]:80", "127.0.0.1:80", "[::2]:80", "127.0.0.2:80"}
		if !slices.Equal(order, want) {
			t.Errorf("attempt order %v, want %v", order, want)
		}
		if len(de.Conn.Attempts) != 4 {
			t.Errorf("attempts recorded: %+v", de.Conn.Attempts)
		}
	})

	t.Run("slow-address-overtaken", func(t *testing.T) {
		// The first address never answers; after FallbackDelay the second
		// is tried, wins, and the first is canceled.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		var real net.Dialer
		blackhole := func(ctx context.Context, network, addr string) (net.Conn, error) {
			if strings.HasPrefix(addr, "127.0.0.9:") {
				<-ctx.Done()
				return nil, ctx.Err()
			}
			return real.DialContext(ctx, network, addr)
		}
		const delay = 50 * time.Millisecond
		d := dialer.New(dialer.Config{
			Resolver:      resolves("shop.test", "127.0.0.9", "127.0.0.1"),
			FallbackDelay: delay,
			NetDial:       blackhole,
		})
		c, err := d.DialContext(context.Background(), "tcp", "shop.test:"+port(t, l.Addr().String()))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		info := dialer.InfoOf(c)
		got := []string{info.Attempts[0].Outcome, info.Attempts[1].Outcome}
		if !slices.Equal(got, []string{"canceled", "ok"}) {
			t.Errorf("outcomes %v, want [canceled ok]", got)
		}
		if gap := info.Attempts[1].Start.Sub(info.Attempts[0].Start); gap < delay {
			t.Errorf("second attempt started %v after the first, want >= %v", gap, delay)
		}
	})
}

func TestTLS(t *testing.T) {
	srv, pool := tlsServer(t)
	p := port(t, srv.Listener.Addr().String())
	for _, tc := range []struct {
		name, addr, sni string
		lookups         int
	}{
		{"by-name", "example.com:" + p, "example.com", 1},
		{"by-ip", "127.0.0.1:" + p, "", 0}, // no SNI for an address (RFC 6066 §3)
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := newRecords()
			d := dialer.New(recs.config(dialer.Config{
				Resolver:  resolves("example.com", "127.0.0.1"),
				TLSConfig: &tls.Config{RootCAs: pool},
			}))
			c, err := d.DialTLSContext(context.Background(), "tcp", tc.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			tc2, ok := c.(*tls.Conn)
			if !ok {
				t.Fatalf("got %T, want *tls.Conn", c)
			}
			if _, ok := tc2.NetConn().(*dialer.Conn); !ok {
				t.Errorf("NetConn() is %T, want *dialer.Conn", tc2.NetConn())
			}
			info := dialer.InfoOf(c)
			ti := info.TLS
			if ti == nil || ti.Version != "TLS 1.3" || ti.Cipher == "" || ti.ALPN != "h2" || ti.SNI != tc.sni || ti.Resumed {
				t.Fatalf("TLS info = %+v", ti)
			}
			if len(ti.Chain) == 0 || !slices.Contains(ti.Chain[0].DNSNames, "example.com") ||
				!strings.Contains(ti.Chain[0].Subject, "O=Acme Co") || ti.Chain[0].NotAfter.Before(ti.Chain[0].NotBefore) {
				t.Errorf("chain = %+v", ti.Chain)
			}
			if _, lookups := recs.snapshot(); len(lookups) != tc.lookups || (tc.lookups == 0) != (info.LookupID == 0) {
				t.Errorf("%d lookups reported, LookupID %d; want %d", len(lookups), info.LookupID, tc.lookups)
			}
			// Each step starts after the one before ends.
			times := []time.Time{info.DNSStart, info.DNSEnd, info.ConnectStart, info.ConnectEnd, info.TLSStart, info.TLSEnd}
			if tc.lookups == 0 {
				times = times[2:]
				if !info.DNSStart.IsZero() {
					t.Error("DNS timed for an IP address")
				}
			}
			for i := 1; i < len(times); i++ {
				if times[i].IsZero() || times[i].Before(times[i-1]) {
					t.Errorf("timings out of order at %d: %v", i, times)
				}
			}
		})
	}
}

func TestTLSErrors(t *testing.T) {
	srv, pool := tlsServer(t)
	good := srv.Listener.Addr().String()
	expired, expiredPool := expiredServer(t)
	plain := net.JoinHostPort("127.0.0.1", port(t, startPlainHTTP(t)))
	silent, _ := dialertest.Silent(t)
	const tlsTimeout = 200 * time.Millisecond

	for _, tc := range []struct {
		name, host, addr string
		pool             *x509.CertPool
		kind             string
		chain            bool // the presented chain is recorded
	}{
		{"unknown-authority", "example.com", good, x509.NewCertPool(), "unknown-authority", true},
		{"hostname-mismatch", "shop.test", good, pool, "hostname-mismatch", true},
		{"expired", "example.com", expired, expiredPool, "expired", true},
		{"not-tls", "example.com", plain, pool, "not-tls", false},
		{"server-never-answers", "example.com", silent, pool, "timeout", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := newRecords()
			d := dialer.New(recs.config(dialer.Config{
				Resolver:   resolves(tc.host, "127.0.0.1"),
				TLSConfig:  &tls.Config{RootCAs: tc.pool},
				TLSTimeout: tlsTimeout,
			}))
			c, err := d.DialTLSContext(context.Background(), "tcp", net.JoinHostPort(tc.host, port(t, tc.addr)))
			if err == nil {
				c.Close()
				t.Fatal("handshake succeeded")
			}
			de := dialErr(t, err)
			if de.Phase != store.PhaseTLS || de.Kind != tc.kind {
				t.Fatalf("phase %s kind %s (%v), want tls %s", de.Phase, de.Kind, err, tc.kind)
			}
			if de.Lookup == nil || de.Conn.TLS == nil || (len(de.Conn.TLS.Chain) > 0) != tc.chain {
				t.Errorf("lookup %+v, TLS %+v", de.Lookup, de.Conn.TLS)
			}
			conns, _ := recs.snapshot()
			if len(conns) != 1 || conns[0].Error == nil || conns[0].Error.Phase != store.PhaseTLS ||
				conns[0].Error.Kind != tc.kind || conns[0].Closed.IsZero() || conns[0].TLSEnd.Before(conns[0].TLSStart) {
				t.Errorf("reported %+v", conns)
			}
			if !strings.HasPrefix(err.Error(), "tls handshake with "+tc.host+":") {
				t.Errorf("error text %q", err)
			}
		})
	}
}

// startPlainHTTP starts a server that speaks HTTP/1.1 without TLS.
func startPlainHTTP(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.NotFoundHandler()}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return l.Addr().String()
}

func TestConnectErrors(t *testing.T) {
	dead := port(t, dialertest.Refused(t, "127.0.0.1"))
	for _, tc := range []struct {
		name, addr, phase, kind string
		resolver                dialer.Resolver
	}{
		{"refused", "shop.test:" + dead, store.PhaseConnect, "refused", resolves("shop.test", "127.0.0.1")},
		{"nxdomain", "missing.test:80", store.PhaseDNS, "nxdomain", resolves("shop.test", "127.0.0.1")},
		// A name with IPv4 addresses only, dialed over tcp6.
		{"no-address-for-family", "shop.test:80", store.PhaseDNS, "no-address", resolves("shop.test", "127.0.0.1")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := newRecords()
			d := dialer.New(recs.config(dialer.Config{Resolver: tc.resolver}))
			network := "tcp"
			if tc.name == "no-address-for-family" {
				network = "tcp6"
			}
			_, err := d.DialContext(context.Background(), network, tc.addr)
			de := dialErr(t, err)
			if de.Phase != tc.phase || de.Kind != tc.kind {
				t.Errorf("phase %s kind %s (%v), want %s %s", de.Phase, de.Kind, err, tc.phase, tc.kind)
			}
			conns, lookups := recs.snapshot()
			if len(conns) != 1 || conns[0].Error == nil || conns[0].Error.Kind != tc.kind || conns[0].Error.Message == "" {
				t.Fatalf("reported conns %+v", conns)
			}
			if len(lookups) != 1 || conns[0].LookupID != lookups[0].ID {
				t.Errorf("lookups %+v", lookups)
			}
			if tc.phase == store.PhaseConnect {
				a := conns[0].Attempts
				if len(a) != 1 || a[0].Outcome != "refused" || a[0].Error == "" || conns[0].ConnectEnd.Before(conns[0].ConnectStart) {
					t.Errorf("attempts %+v", a)
				}
			}
		})
	}
}

func TestContextCanceledDuringConnect(t *testing.T) {
	blackhole := func(ctx context.Context, network, addr string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	d := dialer.New(dialer.Config{Resolver: resolves("shop.test", "127.0.0.1"), NetDial: blackhole})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := d.DialContext(ctx, "tcp", "shop.test:80")
	de := dialErr(t, err)
	if de.Phase != store.PhaseConnect || de.Kind != "timeout" || !de.Timeout() {
		t.Errorf("phase %s kind %s", de.Phase, de.Kind)
	}
}

// TestTransportReuse drives the Dialer from http.Transport as the proxy
// will: the connection's record is found from GotConn, and the second
// request reuses the connection (HTTP/2) and its record.
func TestTransportReuse(t *testing.T) {
	srv, pool := tlsServer(t)
	recs := newRecords()
	d := dialer.New(recs.config(dialer.Config{
		Resolver:  resolves("example.com", "127.0.0.1"),
		TLSConfig: &tls.Config{RootCAs: pool},
	}))
	tr := &http.Transport{DialContext: d.DialContext, DialTLSContext: d.DialTLSContext, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	url := "https://example.com:" + port(t, srv.Listener.Addr().String()) + "/"

	var infos []*store.Conn
	var reused []bool
	var lastConn net.Conn
	for range 2 {
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
			GotConn: func(gi httptrace.GotConnInfo) {
				infos = append(infos, dialer.InfoOf(gi.Conn))
				reused = append(reused, gi.Reused)
				lastConn = gi.Conn
			},
		})
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.ProtoMajor != 2 || string(body) != "hello HTTP/2.0" {
			t.Errorf("proto %s body %q, want HTTP/2", resp.Proto, body)
		}
	}
	if len(infos) != 2 || infos[0] == nil || infos[0] != infos[1] {
		t.Fatalf("GotConn records %v, want the same one twice", infos)
	}
	if !slices.Equal(reused, []bool{false, true}) {
		t.Errorf("Reused = %v, want [false true]", reused)
	}
	if infos[0].TLS == nil || infos[0].TLS.ALPN != "h2" {
		t.Errorf("TLS = %+v", infos[0].TLS)
	}
	raw := lastConn.(*tls.Conn).NetConn().(*dialer.Conn)
	if raw.BytesRead() == 0 || raw.BytesWritten() == 0 {
		t.Errorf("bytes read %d written %d", raw.BytesRead(), raw.BytesWritten())
	}
	if conns, _ := recs.snapshot(); len(conns) != 1 {
		t.Errorf("%d dials reported, want 1", len(conns))
	}

	tr.CloseIdleConnections()
	closed := recs.waitClosed(t)
	if closed.ID != infos[0].ID || closed.Closed.Before(closed.TLSEnd) || !infos[0].Closed.IsZero() {
		t.Errorf("close report %+v; the live record must stay unmodified", closed)
	}
}

func TestInfoOfForeignConn(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if dialer.InfoOf(a) != nil {
		t.Error("InfoOf returned a record for a connection the Dialer did not make")
	}
	if dialer.InfoOf(tls.Client(a, &tls.Config{})) != nil {
		t.Error("InfoOf returned a record for a foreign TLS connection")
	}
}

// A context may narrow the ALPN offer of one dial: a WebSocket's must
// not end up on HTTP/2 (RFC 9113 §8.6).
func TestNextProtosPerDial(t *testing.T) {
	srv, pool := tlsServer(t) // offers h2 and http/1.1
	d := dialer.New(newRecords().config(dialer.Config{TLSConfig: &tls.Config{RootCAs: pool}}))
	addr := "127.0.0.1:" + port(t, srv.Listener.Addr().String())
	for _, tc := range []struct {
		ctx  context.Context
		want string
	}{
		{context.Background(), "h2"},
		{dialer.WithNextProtos(context.Background(), []string{"http/1.1"}), "http/1.1"},
	} {
		c, err := d.DialTLSContext(tc.ctx, "tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.(*tls.Conn).ConnectionState().NegotiatedProtocol; got != tc.want {
			t.Errorf("negotiated %q, want %q", got, tc.want)
		}
		c.Close()
	}
}
