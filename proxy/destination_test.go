package proxy_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/proxy/resolver/resolvertest"
	"github.com/glassbox-dev/glassbox/store"
)

// Through the proxy, a name that looks public and resolves to 127.0.0.1
// (DNS rebinding) reaches nothing on loopback, and no name or address form
// reaches glassbox's own profiler; .test names and --allow-private do.
// Each refusal is answered 403 and recorded with its explained kind.
func TestDestinationsRefused(t *testing.T) {
	var hits atomic.Int64
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer origin.Close()
	profiler := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "glassbox proxy --auth alice:s3cret") // what /debug/pprof/cmdline showed
	}))
	defer profiler.Close()
	_, originPort, _ := net.SplitHostPort(origin.Listener.Addr().String())
	_, profPort, _ := net.SplitHostPort(profiler.Listener.Addr().String())
	dns := resolvertest.ServeUDP(t, resolvertest.NewZone(
		"shop.test. 60 IN A 127.0.0.1", "rebind.attacker.com. 0 IN A 127.0.0.1", "mixed.attacker.com. 0 IN A 127.0.0.1"))
	for _, tc := range []struct {
		name, url    string
		allowPrivate bool
		want         string // the refusal's kind, "" when the request goes through
	}{
		{"rebinding-name-to-loopback", "http://rebind.attacker.com:" + originPort + "/", false, store.FailPrivateAddress},
		{"rebinding-name-allowed-by-flag", "http://rebind.attacker.com:" + originPort + "/", true, ""},
		{"test-name-to-loopback", "http://shop.test:" + originPort + "/", false, ""},
		{"loopback-literal", "http://127.0.0.1:" + originPort + "/", false, ""},
		{"profiler-by-rebinding-name", "http://rebind.attacker.com:" + profPort + "/debug/pprof/cmdline", true, store.FailOwnAddress},
		{"profiler-by-test-name", "http://shop.test:" + profPort + "/debug/pprof/cmdline", false, store.FailOwnAddress},
		{"profiler-by-other-loopback", "http://127.0.0.2:" + profPort + "/debug/pprof/cmdline", false, store.FailOwnAddress},
		{"profiler-by-mapped-address", "http://[::ffff:127.0.0.1]:" + profPort + "/debug/pprof/cmdline", false, store.FailOwnAddress},
		{"profiler-by-unspecified", "http://0.0.0.0:" + profPort + "/debug/pprof/cmdline", false, store.FailOwnAddress},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(c *proxy.Config) {
				withResolver(t, dns)(c)
				c.OwnAddrs, c.AllowPrivate = []string{profiler.Listener.Addr().String()}, tc.allowPrivate
			})
			before := hits.Load()
			resp, err := h.client(nil).Get(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), "s3cret") {
				t.Fatalf("the profiler answered through the proxy: %s", body)
			}
			f := h.rec.waitFlows(t, 1)[0]
			if tc.want == "" {
				if resp.StatusCode != http.StatusOK || f.Error != nil || hits.Load() != before+1 {
					t.Errorf("refused: %d %s %+v", resp.StatusCode, resp.Header.Get(proxy.ErrorHeader), f.Error)
				}
				return
			}
			if resp.StatusCode != http.StatusForbidden || resp.Header.Get(proxy.ErrorHeader) != "proxy/"+tc.want {
				t.Errorf("answered %d %s, want 403 proxy/%s", resp.StatusCode, resp.Header.Get(proxy.ErrorHeader), tc.want)
			}
			if f.Error == nil || f.Error.Phase != store.PhaseProxy || f.Error.Kind != tc.want {
				t.Errorf("recorded %+v, want proxy/%s", f.Error, tc.want)
			}
			if hits.Load() != before {
				t.Error("the origin was reached")
			}
		})
	}
}

// A --no-mitm tunnel is held to the same rule: the CONNECT is refused.
func TestTunnelDestinationRefused(t *testing.T) {
	origin := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer origin.Close()
	_, port, _ := net.SplitHostPort(origin.Listener.Addr().String())
	dns := resolvertest.ServeUDP(t, resolvertest.NewZone("rebind.attacker.com. 0 IN A 127.0.0.1"))
	h := newHarness(t, func(c *proxy.Config) {
		withResolver(t, dns)(c)
		c.NoMITM = []string{"*.attacker.com"}
	})
	_, err := h.client(poolOf(origin.Certificate())).Get("https://rebind.attacker.com:" + port + "/")
	if err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Fatalf("err = %v, want the CONNECT refused", err)
	}
	if f := h.rec.waitFlows(t, 1)[0]; f.Kind != store.KindTunnel || f.Error == nil || f.Error.Kind != store.FailPrivateAddress {
		t.Errorf("recorded %s %+v", f.Kind, f.Error)
	}
}
