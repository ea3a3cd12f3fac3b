package main_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/proxy/dialer/dialertest"
	"github.com/glassbox-dev/glassbox/proxy/resolver/resolvertest"
	"github.com/glassbox-dev/glassbox/store"
)

// shapedOrigins serves https on loopback under two names: fast.test
// speaks TLS 1.3, old.test only TLS 1.2. It returns their URLs and a PEM
// file that trusts them.
func shapedOrigins(t *testing.T) (fast, old, caFile string) {
	cert, _ := dialertest.SelfSigned(t, func(c *x509.Certificate) { c.DNSNames = []string{"fast.test", "old.test"} })
	serve := func(maxVersion uint16) string {
		s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "hello")
		}))
		s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: maxVersion}
		s.StartTLS()
		t.Cleanup(s.Close)
		return s.Listener.Addr().String()
	}
	caFile = filepath.Join(t.TempDir(), "origins.pem")
	writePEM(t, caFile, cert.Leaf)
	fastAddr, oldAddr := serve(tls.VersionTLS13), serve(tls.VersionTLS12)
	_, fastPort, _ := strings.Cut(fastAddr, ":")
	_, oldPort, _ := strings.Cut(oldAddr, ":")
	return "https://fast.test:" + fastPort + "/", "https://old.test:" + oldPort + "/", caFile
}

// With --latency on loopback, each step pays its round trips: the lookup
// one, TCP one, TLS 1.3 one and TLS 1.2 two, the request and its answer
// one (issue 17). Counted to the nearest latency: the shaping adds them by
// construction, loopback adds next to nothing.
func TestLatencyRoundTrips(t *testing.T) {
	const lat = 200 * time.Millisecond
	home := t.TempDir()
	fast, old, caFile := shapedOrigins(t)
	dns := resolvertest.ServeUDP(t, resolvertest.NewZone("fast.test. 60 IN A 127.0.0.1", "old.test. 60 IN A 127.0.0.1"))
	p := startProxy(t, home, "--dns", dns, "--upstream-ca", caFile, "--latency", lat.String())
	if !strings.Contains(p.logText(), "network shaped: 200 ms added to every round trip") {
		t.Errorf("the start-up log does not say the network is shaped:\n%s", p.logText())
	}
	client, _ := trustingClient(t, home, p.addr)
	for _, u := range []string{fast, old} {
		resp, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	p.stop(t)

	db := recordedDB(t, home)
	ctx := context.Background()
	sess, err := db.Session(ctx, 1)
	if err != nil || sess.Network != "200 ms added to every round trip" {
		t.Fatalf("session 1's network = %q, %v", sess.Network, err)
	}
	flows, err := db.Flows(ctx, store.FlowQuery{SessionID: 1})
	if err != nil || len(flows) != 2 {
		t.Fatalf("%d flows, %v", len(flows), err)
	}
	conns := map[int64]*store.Conn{}
	cs, _ := db.Conns(ctx, 1)
	for i := range cs {
		conns[cs[i].ID] = &cs[i]
	}
	trips := func(d time.Duration) int { return int((d + lat/2) / lat) }
	for _, f := range flows {
		c := store.FlowConn(&f, conns)
		tm := store.ComputeTimings(&f, c)
		wantTLS := 1
		if strings.Contains(f.URL, "old.test") {
			wantTLS = 2
		}
		got := map[string][2]int{
			"DNS":  {trips(tm.DNS), 1},
			"TCP":  {trips(tm.Connect - tm.SSL), 1},
			"TLS":  {trips(tm.SSL), wantTLS},
			"wait": {trips(tm.Wait), 1},
		}
		t.Logf("%s: DNS %v, TCP %v, TLS %v, wait %v", f.URL, tm.DNS, tm.Connect-tm.SSL, tm.SSL, tm.Wait)
		for phase, g := range got {
			if g[0] != g[1] {
				t.Errorf("%s: %s took %d round trips of %v, want %d (timings %+v)", f.URL, phase, g[0], lat, g[1], tm)
			}
		}
		if c == nil || c.TLS == nil {
			t.Fatalf("%s: no TLS record", f.URL)
		}
		facts := explain.FlowStory(&f, c, nil)
		var text strings.Builder
		for _, st := range facts {
			text.WriteString(st.Text)
		}
		want := map[int]string{1: "one network round trip, as TLS 1.3 needs", 2: "two network round trips, as a full TLS 1.2 handshake needs"}[wantTLS]
		if !strings.Contains(text.String(), want) || !strings.Contains(text.String(), "took") {
			t.Errorf("%s: the story does not count the TLS round trips (%q):\n%s", f.URL, want, text.String())
		}
	}

	out, _, code := glassbox(t, home, "sessions")
	if code != 0 || !strings.Contains(out, "(shaped: 200 ms added to every round trip)") {
		t.Errorf("glassbox sessions (exit %d) does not say the session was shaped:\n%s", code, out)
	}
	harPath := filepath.Join(t.TempDir(), "s.har")
	if _, stderr, code := glassbox(t, home, "export", "--format", "har", "-o", harPath); code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	har, _ := os.ReadFile(harPath)
	if !strings.Contains(string(har), `"_network": "200 ms added to every round trip"`) {
		t.Errorf("the HAR does not carry _network:\n%.600s", har)
	}
	if _, stderr, code := glassbox(t, home, "import", harPath); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	if s, err := recordedDB(t, home).Session(ctx, 2); err != nil || s.Network != sess.Network {
		t.Errorf("the imported session's network = %q, %v; want %q", s.Network, err, sess.Network)
	}
}

// Bad shaping flags are refused with what to write instead.
func TestShapingFlagsRefused(t *testing.T) {
	home := t.TempDir()
	for _, tc := range []struct{ args, want []string }{
		{[]string{"--network", "5g"}, []string{"--network", "unknown network", "3g"}},
		{[]string{"--bandwidth", "fast"}, []string{"--bandwidth", "e.g. 1.5mbit"}},
		{[]string{"--bandwidth", "1mbitz"}, []string{"unknown unit"}},
		{[]string{"--latency", "11s"}, []string{"--latency", "between 0 and 10s"}},
	} {
		_, stderr, code := glassbox(t, home, append([]string{"proxy", "--dns", loopbackDNS(t)}, tc.args...)...)
		if code == 0 {
			t.Errorf("%v: exit 0", tc.args)
		}
		for _, w := range tc.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", tc.args, w, stderr)
			}
		}
	}
}
