package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptrace"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/resolver"
	"github.com/glassbox-dev/glassbox/proxy/resolver/resolvertest"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/miekg/dns"
)

// testZone is the data of the fake recursive server.
func testZone() *resolvertest.Zone {
	z := resolvertest.NewZone(
		"shop.test. 60 IN A 127.0.0.1",
		"shop.test. 60 IN AAAA ::1",
		"cdn.shop.test. 300 IN CNAME edge.cdn.test.",
		"edge.cdn.test. 30 IN A 127.0.0.10",
		"alias.test. 300 IN CNAME shop.test.",
		"brief.test. 10 IN CNAME edge.cdn.test.",
		"short.test. 5 IN A 127.0.0.5",
		"hosted.test. 60 IN A 127.0.0.1",
		"www.shop.test. 60 IN A 127.0.0.20",
		"api.corp.shop.test. 60 IN A 127.0.0.21",
		"api.corp. 60 IN A 127.0.0.22",
		"txt.test. 60 IN TXT \"no address here\"",
		"nocache.test. 0 IN A 127.0.0.7",
		"nocache.test. 0 IN AAAA ::7",
	)
	for i := range 100 {
		z.Records.Add(fmt.Sprintf("big.test. 60 IN A 127.0.1.%d", i))
	}
	z.Truncate["big.test."] = true
	z.NoChase["alias.test."] = true
	return z
}

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

func kindOf(err error) string {
	var e *resolver.Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return fmt.Sprintf("not a *resolver.Error: %v", err)
}

func TestLookupBothFamilies(t *testing.T) {
	z := testZone()
	srv := resolvertest.ServeUDP(t, z)
	r := newResolver(t, resolver.Config{}, srv)

	got, lk, err := r.Lookup(context.Background(), "shop.test")
	if err != nil {
		t.Fatal(err)
	}
	if want := addrs("127.0.0.1", "::1"); !slices.Equal(got, want) {
		t.Errorf("addrs = %v, want %v", got, want)
	}
	want := []store.DNSAnswer{{Type: "A", Addr: "127.0.0.1", TTL: 60}, {Type: "AAAA", Addr: "::1", TTL: 60}}
	if !slices.Equal(lk.Answers, want) {
		t.Errorf("answers = %+v, want %+v", lk.Answers, want)
	}
	if lk.Name != "shop.test" || lk.Source != resolver.SourceNetwork || lk.Server != srv || lk.Rcode != "NOERROR" {
		t.Errorf("lookup = %+v", lk)
	}
	if lk.RTT <= 0 || lk.Start.IsZero() || lk.End.Before(lk.Start) || lk.RTT > lk.End.Sub(lk.Start) {
		t.Errorf("timing: start %v end %v rtt %v", lk.Start, lk.End, lk.RTT)
	}
	if lk.Error != "" || len(lk.CNAMEs) != 0 || len(lk.Hops) != 0 {
		t.Errorf("unexpected error, CNAMEs or hops: %+v", lk)
	}
	if a, aaaa := z.Count("shop.test.", "A", ""), z.Count("shop.test.", "AAAA", ""); a != 1 || aaaa != 1 {
		t.Errorf("queries A=%d AAAA=%d, want one each", a, aaaa)
	}
}

func TestLookupLiteral(t *testing.T) {
	z := testZone()
	r := newResolver(t, resolver.Config{}, resolvertest.ServeUDP(t, z))
	for _, tc := range []struct{ host, want, typ string }{
		{"127.0.0.1", "127.0.0.1", "A"},
		{"::1", "::1", "AAAA"},
		{"[::1]", "::1", "AAAA"},             // as in a URL's host
		{"fe80::1%lo", "fe80::1%lo", "AAAA"}, // zone kept
	} {
		t.Run(tc.host, func(t *testing.T) {
			got, lk, err := r.Lookup(context.Background(), tc.host)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].String() != tc.want {
				t.Errorf("addrs = %v, want %s", got, tc.want)
			}
			if lk.Source != resolver.SourceLiteral || lk.Server != "" || len(lk.Answers) != 1 || lk.Answers[0].Type != tc.typ {
				t.Errorf("lookup = %+v", lk)
			}
		})
	}
	if n := z.Total(); n != 0 {
		t.Errorf("%d queries sent for IP literals", n)
	}
}

func TestLookupCNAME(t *testing.T) {
	z := testZone()
	r := newResolver(t, resolver.Config{}, resolvertest.ServeUDP(t, z))
	for _, tc := range []struct {
		name, host string
		cnames     []string
		want       []netip.Addr
		ttl        uint32 // of the answers
		effective  uint32 // the lookup's: the chain's minimum, what the cache keeps it for
	}{
		// The server chases the chain; the TTL is the chain's minimum.
		{"chased-by-server", "cdn.shop.test", []string{"edge.cdn.test."}, addrs("127.0.0.10"), 30, 30},
		// The server stops at the CNAME; the resolver asks for the target.
		{"chased-by-resolver", "alias.test", []string{"shop.test."}, addrs("127.0.0.1", "::1"), 60, 60},
		// The CNAME expires before the address it leads to: the lookup's
		// TTL is the CNAME's (issue 14: HAR said the address's).
		{"cname-shorter", "brief.test", []string{"edge.cdn.test."}, addrs("127.0.0.10"), 30, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, lk, err := r.Lookup(context.Background(), tc.host)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("addrs = %v, want %v", got, tc.want)
			}
			if !slices.Equal(lk.CNAMEs, tc.cnames) {
				t.Errorf("CNAMEs = %v, want %v", lk.CNAMEs, tc.cnames)
			}
			for _, a := range lk.Answers {
				if a.TTL != tc.ttl {
					t.Errorf("answer %+v: TTL want %d", a, tc.ttl)
				}
			}
			if lk.TTL != tc.effective {
				t.Errorf("lookup TTL %d, want %d", lk.TTL, tc.effective)
			}
		})
	}
	if n := z.Count("shop.test.", "A", ""); n != 1 {
		t.Errorf("target of alias.test asked %d times, want 1", n)
	}
}

func TestNegativeCaching(t *testing.T) {
	z := testZone()
	r := newResolver(t, resolver.Config{}, resolvertest.ServeUDP(t, z))

	_, lk, err := r.Lookup(context.Background(), "missing.test")
	if kindOf(err) != store.FailNXDomain {
		t.Fatalf("err = %v, want kind nxdomain", err)
	}
	if lk.Source != resolver.SourceNetwork || lk.Rcode != "NXDOMAIN" || lk.Error != err.Error() {
		t.Errorf("first lookup = %+v", lk)
	}
	before := z.Total()

	_, lk, err = r.Lookup(context.Background(), "missing.test")
	if kindOf(err) != store.FailNXDomain {
		t.Fatalf("second err = %v, want kind nxdomain", err)
	}
	if lk.Source != resolver.SourceCache || lk.Rcode != "NXDOMAIN" {
		t.Errorf("second lookup = %+v, want NXDOMAIN from cache", lk)
	}
	if n := z.Total() - before; n != 0 {
		t.Errorf("%d queries sent for a cached NXDOMAIN", n)
	}
	if !strings.Contains(err.Error(), "missing.test") || !strings.Contains(err.Error(), "no such domain") {
		t.Errorf("error text %q", err)
	}
}

func TestNextServerAfterServfail(t *testing.T) {
	bad := testZone()
	bad.Rcode = dns.RcodeServerFailure
	good := testZone()
	badAddr, goodAddr := resolvertest.ServeUDP(t, bad), resolvertest.ServeUDP(t, good)
	r := newResolver(t, resolver.Config{}, badAddr, goodAddr)

	got, lk, err := r.Lookup(context.Background(), "shop.test")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, addrs("127.0.0.1", "::1")) || lk.Server != goodAddr {
		t.Errorf("addrs %v from %s, want both from %s", got, lk.Server, goodAddr)
	}
	if bad.Total() != 2 || good.Total() != 2 {
		t.Errorf("queries: first server %d, second %d; want 2 each (A and AAAA)", bad.Total(), good.Total())
	}
}

func TestServerWithoutEDNS(t *testing.T) {
	z := testZone()
	z.NoEDNS = true
	r := newResolver(t, resolver.Config{}, resolvertest.ServeUDP(t, z))
	got, _, err := r.Lookup(context.Background(), "shop.test")
	if err != nil || !slices.Equal(got, addrs("127.0.0.1", "::1")) {
		t.Fatalf("got %v, %v", got, err)
	}
	// Asked with EDNS0, refused with FORMERR, asked again without.
	if n := z.Count("shop.test.", "A", "udp"); n != 2 {
		t.Errorf("%d A queries, want 2", n)
	}
}

func TestTruncatedAnswerRetriedOverTCP(t *testing.T) {
	z := testZone()
	r := newResolver(t, resolver.Config{}, resolvertest.ServeUDPAndTCP(t, z))

	got, _, err := r.Lookup(context.Background(), "big.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 100 {
		t.Errorf("got %d addresses, want 100", len(got))
	}
	if udp, tcp := z.Count("big.test.", "A", "udp"), z.Count("big.test.", "A", "tcp"); udp != 1 || tcp != 1 {
		t.Errorf("A queries: udp %d, tcp %d; want 1 each", udp, tcp)
	}
}

// clock is a settable clock for TTL tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestTTLExpiry(t *testing.T) {
	z := testZone()
	clk := &clock{now: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}
	r := newResolver(t, resolver.Config{Now: clk.Now}, resolvertest.ServeUDP(t, z))
	ctx := context.Background()

	steps := []struct {
		name    string
		advance time.Duration
		source  string
		ttl     uint32 // of the A answer
		queries int    // A queries seen by the server so far
	}{
		{"first-lookup-asks", 0, resolver.SourceNetwork, 5, 1},
		{"within-ttl-from-cache", 3 * time.Second, resolver.SourceCache, 2, 1},
		{"after-ttl-asks-again", 3 * time.Second, resolver.SourceNetwork, 5, 2},
	}
	for _, s := range steps {
		clk.advance(s.advance)
		_, lk, err := r.Lookup(ctx, "short.test")
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if lk.Source != s.source || len(lk.Answers) != 1 || lk.Answers[0].TTL != s.ttl {
			t.Errorf("%s: source %s answers %+v; want %s with TTL %d", s.name, lk.Source, lk.Answers, s.source, s.ttl)
		}
		if n := z.Count("short.test.", "A", ""); n != s.queries {
			t.Errorf("%s: %d A queries, want %d", s.name, n, s.queries)
		}
	}
	// The AAAA "no data" answer is cached for the SOA minimum (120 s), so
	// only A was asked again.
	if n := z.Count("short.test.", "AAAA", ""); n != 1 {
		t.Errorf("%d AAAA queries, want 1", n)
	}
}

func TestHostsFile(t *testing.T) {
	z := testZone()
	hosts := writeFile(t, "hosts", "# test hosts\n127.0.0.99 hosted.test alias.hosted.test\n::99 hosted.test\n")
	r := newResolver(t, resolver.Config{HostsFile: hosts}, resolvertest.ServeUDP(t, z))

	got, lk, err := r.Lookup(context.Background(), "Hosted.Test.")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, addrs("127.0.0.99", "::99")) {
		t.Errorf("addrs = %v, want the hosts file's", got)
	}
	if lk.Source != resolver.SourceHosts || lk.Server != hosts || lk.Rcode != "" {
		t.Errorf("lookup = %+v", lk)
	}
	if n := z.Total(); n != 0 {
		t.Errorf("%d queries sent for a name in the hosts file", n)
	}

	// An edit is seen on the next lookup.
	if err := os.WriteFile(hosts, []byte("127.0.0.98 hosted.test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute) // in case the file system's clock is coarse
	if err := os.Chtimes(hosts, later, later); err != nil {
		t.Fatal(err)
	}
	got, _, err = r.Lookup(context.Background(), "hosted.test")
	if err != nil || !slices.Equal(got, addrs("127.0.0.98")) {
		t.Errorf("after edit: %v, %v; want 127.0.0.98", got, err)
	}
}

func TestSearchList(t *testing.T) {
	for _, tc := range []struct {
		name, conf, host string
		want             []netip.Addr
		kind             string   // error kind, "" for success
		asked            []string // names asked (A), in any order
		notAsked         []string
	}{
		// No dot, ndots 1: the search suffix first.
		{"suffix-first", "search shop.test\n", "www", addrs("127.0.0.20"), "",
			[]string{"www.shop.test."}, []string{"www."}},
		// One dot, ndots 2: still the suffix first, though the bare name exists.
		{"ndots-2", "search shop.test\noptions ndots:2\n", "api.corp", addrs("127.0.0.21"), "",
			[]string{"api.corp.shop.test."}, []string{"api.corp."}},
		// One dot, ndots 1: as is first.
		{"as-is-first", "search shop.test\n", "shop.test", addrs("127.0.0.1", "::1"), "",
			[]string{"shop.test."}, []string{"shop.test.shop.test."}},
		// A trailing dot: as is only.
		{"absolute", "search shop.test\n", "www.", nil, store.FailNXDomain,
			[]string{"www."}, []string{"www.shop.test."}},
		// Every candidate fails: the error names the host as given.
		{"all-missing", "search shop.test other.test\n", "nothere", nil, store.FailNXDomain,
			[]string{"nothere.shop.test.", "nothere.other.test.", "nothere."}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z := testZone()
			conf := writeFile(t, "resolv.conf", "nameserver 127.0.0.254 # never used: Servers wins\n"+tc.conf)
			r := newResolver(t, resolver.Config{ResolvConf: conf}, resolvertest.ServeUDP(t, z))
			got, lk, err := r.Lookup(context.Background(), tc.host)
			if tc.kind != "" {
				if kindOf(err) != tc.kind {
					t.Fatalf("err = %v, want kind %s", err, tc.kind)
				}
				if !strings.HasPrefix(err.Error(), "lookup "+tc.host+":") {
					t.Errorf("error %q does not name %q", err, tc.host)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("addrs = %v, want %v", got, tc.want)
			}
			if lk.Name != tc.host {
				t.Errorf("lk.Name = %q", lk.Name)
			}
			for _, n := range tc.asked {
				if z.Count(n, "A", "") != 1 {
					t.Errorf("%s asked %d times, want once", n, z.Count(n, "A", ""))
				}
			}
			for _, n := range tc.notAsked {
				if z.Count(n, "A", "") != 0 {
					t.Errorf("%s asked, want not", n)
				}
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	r := newResolver(t, resolver.Config{Timeout: timeout, Attempts: 1}, resolvertest.Silent(t))
	_, lk, err := r.Lookup(context.Background(), "shop.test")
	if kindOf(err) != store.FailTimeout {
		t.Fatalf("err = %v, want kind timeout", err)
	}
	var netErr interface{ Timeout() bool }
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Errorf("error does not say Timeout(): %v", err)
	}
	if lk.Error == "" || lk.Rcode != "" || len(lk.Answers) != 0 {
		t.Errorf("lookup = %+v", lk)
	}
}

func TestContextDeadlineStopsLookup(t *testing.T) {
	// The per-query timeout outlasts the test: only the caller's deadline
	// can end the lookup.
	r := newResolver(t, resolver.Config{Timeout: time.Hour, Attempts: 1}, resolvertest.Silent(t))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		_, _, err := r.Lookup(ctx, "shop.test")
		errc <- err
	}()
	select {
	case err := <-errc:
		if kindOf(err) != store.FailTimeout {
			t.Errorf("err = %v, want kind timeout", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the lookup went on past its caller's deadline")
	}

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, _, err := r.Lookup(ctx, "shop.test"); kindOf(err) != store.FailCanceled {
		t.Errorf("canceled context: err = %v, want kind canceled", err)
	}
}

func TestErrorKinds(t *testing.T) {
	refusing, failing := testZone(), testZone()
	refusing.Rcode = dns.RcodeRefused
	failing.Rcode = dns.RcodeServerFailure
	good := resolvertest.ServeUDP(t, testZone())
	for _, tc := range []struct {
		name, server, host, kind, rcode string
	}{
		{"refused", resolvertest.ServeUDP(t, refusing), "shop.test", store.FailRefused, "REFUSED"},
		{"servfail", resolvertest.ServeUDP(t, failing), "shop.test", store.FailServFail, "SERVFAIL"},
		{"no-address", good, "txt.test", store.FailNoAddress, "NOERROR"}, // exists, TXT only
		{"nxdomain", good, "missing.test", store.FailNXDomain, "NXDOMAIN"},
		{"invalid-name", good, "bad..name", store.FailInvalidName, ""},
		{"empty-name", good, "", store.FailInvalidName, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newResolver(t, resolver.Config{Attempts: 1}, tc.server)
			_, lk, err := r.Lookup(context.Background(), tc.host)
			if kindOf(err) != tc.kind {
				t.Fatalf("err = %v, want kind %s", err, tc.kind)
			}
			if lk == nil || lk.Rcode != tc.rcode || lk.Error == "" {
				t.Errorf("lookup = %+v, want rcode %q and an error", lk, tc.rcode)
			}
		})
	}
}

// TestNoTraceEvents checks that the DNS client's sockets stay invisible to
// an httptrace.ClientTrace in the caller's context: otherwise the proxy
// would record the DNS server's connection as the origin's.
func TestNoTraceEvents(t *testing.T) {
	z := testZone()
	r := newResolver(t, resolver.Config{}, resolvertest.ServeUDPAndTCP(t, z))
	var events atomic.Int32
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		ConnectStart: func(string, string) { events.Add(1) },
		ConnectDone:  func(string, string, error) { events.Add(1) },
		DNSStart:     func(httptrace.DNSStartInfo) { events.Add(1) },
	})
	for _, host := range []string{"shop.test", "big.test"} { // UDP, then UDP and TCP
		if _, _, err := r.Lookup(ctx, host); err != nil {
			t.Fatal(err)
		}
	}
	if n := events.Load(); n != 0 {
		t.Errorf("the trace saw %d events from DNS sockets", n)
	}
}

func TestCacheBounded(t *testing.T) {
	z := testZone()
	r := newResolver(t, resolver.Config{MaxCache: 2}, resolvertest.ServeUDP(t, z))
	for _, host := range []string{"shop.test", "www.shop.test", "cdn.shop.test", "shop.test"} {
		if _, _, err := r.Lookup(context.Background(), host); err != nil {
			t.Fatal(err)
		}
	}
	// Three names need six entries (A and AAAA each); with room for two,
	// at least one of shop.test's was dropped and asked again.
	if n := z.Count("shop.test.", "A", "") + z.Count("shop.test.", "AAAA", ""); n < 3 {
		t.Errorf("shop.test asked %d times; the cache kept more than 2 entries", n)
	}
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  resolver.Config
	}{
		{"server-without-port", resolver.Config{Servers: []string{"127.0.0.1"}, ResolvConf: resolver.None}},
		{"server-by-name", resolver.Config{Servers: []string{"dns.test:53"}, ResolvConf: resolver.None}},
		{"no-server", resolver.Config{ResolvConf: resolver.None}},
		{"missing-resolv-conf", resolver.Config{ResolvConf: "/nonexistent/resolv.conf"}},
		{"bad-root-hint", resolver.Config{Trace: true, ResolvConf: resolver.None, RootHints: []string{"a.root"}}},
		{"bad-trace-port", resolver.Config{Trace: true, ResolvConf: resolver.None, TracePort: "dns"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := resolver.New(tc.cfg); err == nil {
				t.Error("New accepted the config")
			}
		})
	}
}

func TestServersFromResolvConf(t *testing.T) {
	// resolv.conf has no port syntax, so a loopback server on port 53 is
	// the only one it could name here; instead check that New accepts a
	// file with servers and sends nothing while resolving from hosts.
	conf := writeFile(t, "resolv.conf", "nameserver 127.0.0.1\nsearch shop.test\noptions ndots:2 timeout:1 attempts:1\n")
	hosts := writeFile(t, "hosts", "127.0.0.1 local.test\n")
	r, err := resolver.New(resolver.Config{ResolvConf: conf, HostsFile: hosts})
	if err != nil {
		t.Fatal(err)
	}
	if _, lk, err := r.Lookup(context.Background(), "local.test"); err != nil || lk.Source != resolver.SourceHosts {
		t.Errorf("lookup = %+v, %v", lk, err)
	}
}
