package proxy_test

import (
	"io"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/proxy/resolver"
	"github.com/glassbox-dev/glassbox/proxy/resolver/resolvertest"
	"github.com/glassbox-dev/glassbox/store"
)

// dnsServer answers on 127.0.0.1 for a few .test names and counts queries.
type dnsServer struct {
	addr string
	zone *resolvertest.Zone
}

func startDNS(t *testing.T) *dnsServer {
	t.Helper()
	z := resolvertest.NewZone(
		"shop.test. 300 IN A 127.0.0.1",
		"cdn.shop.test. 300 IN CNAME edge.cdn.test.",
		"edge.cdn.test. 120 IN A 127.0.0.1",
	)
	z.Rcodes["broken.test."] = dns.RcodeServerFailure
	return &dnsServer{addr: resolvertest.ServeUDP(t, z), zone: z}
}

// withDNS builds a harness whose proxy resolves through a loopback DNS
// server and a hosts file of our own (never the machine's).
func withDNS(t *testing.T, d *dnsServer, hosts string, tweak func(*proxy.Config)) *harness {
	t.Helper()
	hostsFile := t.TempDir() + "/hosts"
	if err := writeFile(hostsFile, hosts); err != nil {
		t.Fatal(err)
	}
	res, err := resolver.New(resolver.Config{Servers: []string{d.addr}, HostsFile: hostsFile, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return newHarness(t, func(c *proxy.Config) {
		c.Resolver = res
		if tweak != nil {
			tweak(c)
		}
	})
}

func TestNamesResolvedAndTimed(t *testing.T) {
	d := startDNS(t)
	origin := httptest.NewUnstartedServer(echoOrigin())
	origin.EnableHTTP2 = true
	origin.StartTLS()
	defer origin.Close()
	_, port, _ := net.SplitHostPort(origin.Listener.Addr().String())
	h := withDNS(t, d, "", func(c *proxy.Config) { c.InsecureUpstream = true }) // the test cert names example.com, not shop.test

	c := h.client(nil)
	for _, u := range []string{"https://shop.test:" + port + "/one", "https://shop.test:" + port + "/two", "https://cdn.shop.test:" + port + "/three"} {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", u, resp.StatusCode)
		}
	}
	flows := h.rec.waitFlows(t, 3)
	h.rec.mu.Lock()
	conns, lookups := h.rec.conns, h.rec.lks
	h.rec.mu.Unlock()

	first, second, third := flows[0], flows[1], flows[2]
	c1 := conns[first.ConnID]
	if first.ConnID == 0 || first.ConnReused || c1.LookupID == 0 || c1.TLS == nil || c1.TLS.ALPN != "h2" {
		t.Fatalf("first flow conn %d reused %v; conn %+v", first.ConnID, first.ConnReused, c1)
	}
	// New connection: the phases add up to the flow's total.
	tm := store.ComputeTimings(&first, &c1)
	if tm.DNS < 0 || tm.Connect < 0 || tm.SSL < 0 {
		t.Errorf("new connection without dns/connect/ssl: %+v", tm)
	}
	if diff := tm.Total() - first.Duration(); diff < -time.Millisecond || diff > time.Millisecond {
		t.Errorf("phases sum to %v, flow took %v", tm.Total(), first.Duration())
	}
	// The second request reuses the connection: no dns, connect or ssl.
	tm2 := store.ComputeTimings(&second, &c1)
	if !second.ConnReused || second.ConnID != first.ConnID || tm2.DNS != -1 || tm2.Connect != -1 || tm2.SSL != -1 {
		t.Errorf("second flow reused %v conn %d timings %+v", second.ConnReused, second.ConnID, tm2)
	}
	// The CNAME chain is on the third flow's lookup.
	var lk *store.Lookup
	for i := range lookups {
		if lookups[i].ID == conns[third.ConnID].LookupID {
			lk = &lookups[i]
		}
	}
	if lk == nil || lk.Source != "network" || len(lk.CNAMEs) == 0 || !strings.HasPrefix(lk.CNAMEs[0], "edge.cdn.test") {
		t.Errorf("cdn lookup %+v", lk)
	}
}

func TestDNSFailuresExplained(t *testing.T) {
	d := startDNS(t)
	h := withDNS(t, d, "", nil)
	for _, tc := range []struct {
		host, kind string
	}{
		{"nowhere.test", "nxdomain"}, // the name does not exist
		{"broken.test", "servfail"},  // the server failed
	} {
		resp, err := h.client(nil).Get("http://" + tc.host + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 502 || resp.Header.Get(proxy.ErrorHeader) != "dns/"+tc.kind {
			t.Errorf("%s: %d %q\n%s", tc.host, resp.StatusCode, resp.Header.Get(proxy.ErrorHeader), body)
		}
	}
	flows := h.rec.waitFlows(t, 2)
	for _, f := range flows {
		if f.Error == nil || f.Error.Phase != store.PhaseDNS {
			t.Errorf("flow %s error %+v", f.URL, f.Error)
		}
	}
	// A second request within the negative TTL is answered from the cache.
	before := d.zone.Total()
	resp, err := h.client(nil).Get("http://nowhere.test/again")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d.zone.Total() != before {
		t.Errorf("NXDOMAIN not cached: %d new queries", d.zone.Total()-before)
	}
}

// The hosts file wins over DNS.
func TestHostsFileWins(t *testing.T) {
	d := startDNS(t)
	origin := httptest.NewServer(echoOrigin())
	defer origin.Close()
	_, port, _ := net.SplitHostPort(origin.Listener.Addr().String())
	h := withDNS(t, d, "127.0.0.1 local.shop.test\n", nil)
	resp, err := h.client(nil).Get("http://local.shop.test:" + port + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || d.zone.Total() != 0 {
		t.Fatalf("status %d, %d DNS queries", resp.StatusCode, d.zone.Total())
	}
	h.rec.waitFlows(t, 1)
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	if len(h.rec.lks) != 1 || h.rec.lks[0].Source != "hosts" {
		t.Errorf("lookups %+v", h.rec.lks)
	}
}
