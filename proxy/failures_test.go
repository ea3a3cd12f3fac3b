package proxy_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/proxy/dialer/dialertest"
	"github.com/glassbox-dev/glassbox/proxy/resolver"
	"github.com/glassbox-dev/glassbox/proxy/resolver/resolvertest"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/storetest"
)

// dialFailure is a way for a dial to fail, and the pair it must record.
type dialFailure struct {
	name, phase, kind string
	// setup starts what the case needs and returns the URL to fetch and the
	// change to the proxy's config.
	setup func(t *testing.T) (url string, tweak func(*proxy.Config))
}

// The failures a dial can end in, each driven through the proxy on
// loopback: the pair recorded on the flow, and the page's header, are the
// dialer's (and for DNS the resolver's) classification, and every pair is
// one store.Failures lists. Failures once a connection exists (wait,
// receive) are driven in badinput_test.go, the proxy's own (auth) in
// TestProxyAuth, and a browser that goes away in TestClientGoneDuringDial
// below and TestEndlessBodyAbandoned.
func TestDialFailuresRecorded(t *testing.T) {
	for _, tc := range []dialFailure{
		{"no-such-name", store.PhaseDNS, store.FailNXDomain, zoneCase("nowhere.test", nil)},
		{"server-failure", store.PhaseDNS, store.FailServFail, zoneCase("shop.test", func(z *resolvertest.Zone) { z.Rcode = dns.RcodeServerFailure })},
		{"server-refuses", store.PhaseDNS, store.FailRefused, zoneCase("shop.test", func(z *resolvertest.Zone) { z.Rcode = dns.RcodeRefused })},
		{"unusable-rcode", store.PhaseDNS, store.FailBadResponse, zoneCase("shop.test", func(z *resolvertest.Zone) { z.Rcode = dns.RcodeNotImplemented })},
		{"no-address", store.PhaseDNS, store.FailNoAddress, zoneCase("txt.test", nil)},                          // TXT only
		{"invalid-name", store.PhaseDNS, store.FailInvalidName, zoneCase(strings.Repeat("a", 64)+".test", nil)}, // a label over 63 bytes
		{"server-silent", store.PhaseDNS, store.FailTimeout, func(t *testing.T) (string, func(*proxy.Config)) {
			return "http://shop.test/", withResolverTimeout(t, resolvertest.Silent(t), 200*time.Millisecond)
		}},
		{"server-port-closed", store.PhaseDNS, store.FailNetwork, func(t *testing.T) (string, func(*proxy.Config)) {
			return "http://shop.test/", withResolver(t, resolvertest.Closed(t))
		}},

		{"nothing-listens", store.PhaseConnect, store.FailRefused, func(t *testing.T) (string, func(*proxy.Config)) {
			return "http://" + dialertest.Refused(t, "127.0.0.1") + "/", nil
		}},
		{"port-out-of-range", store.PhaseConnect, store.FailError, func(t *testing.T) (string, func(*proxy.Config)) {
			return "http://127.0.0.1:99999/", nil
		}},

		{"untrusted-ca", store.PhaseTLS, store.FailUnknownAuthority, tlsCase(nil, false)},
		{"other-name", store.PhaseTLS, store.FailHostnameMismatch, tlsCase(func(c *x509.Certificate) { c.IPAddresses = nil }, true)}, // example.com only
		{"expired", store.PhaseTLS, store.FailExpired, tlsCase(func(c *x509.Certificate) { c.NotAfter = time.Now().Add(-time.Hour) }, true)},
		{"client-auth-only", store.PhaseTLS, store.FailInvalidCertificate, tlsCase(func(c *x509.Certificate) { // x509.IncompatibleUsage
			c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		}, true)},
		{"not-tls", store.PhaseTLS, store.FailNotTLS, func(t *testing.T) (string, func(*proxy.Config)) {
			o := httptest.NewServer(echoOrigin())
			t.Cleanup(o.Close)
			return "https://" + o.Listener.Addr().String() + "/", nil
		}},
		{"tls-1.1-only", store.PhaseTLS, store.FailHandshake, func(t *testing.T) (string, func(*proxy.Config)) {
			o := httptest.NewUnstartedServer(echoOrigin())
			o.TLS = &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
			o.StartTLS()
			t.Cleanup(o.Close)
			return o.URL + "/", func(c *proxy.Config) { c.UpstreamRoots = poolOf(o.Certificate()) }
		}},
		{"handshake-silent", store.PhaseTLS, store.FailTimeout, func(t *testing.T) (string, func(*proxy.Config)) {
			addr, _ := dialertest.Silent(t)
			return "https://" + addr + "/", func(c *proxy.Config) { c.TLSTimeout = 200 * time.Millisecond }
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !slices.Contains(store.Failures, store.Failure{Phase: tc.phase, Kind: tc.kind}) {
				t.Errorf("store.Failures lacks %s/%s", tc.phase, tc.kind)
			}
			url, tweak := tc.setup(t)
			h := newHarness(t, tweak)
			resp, err := h.client(nil).Get(url)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := tc.phase + "/" + tc.kind
			if resp.StatusCode != http.StatusBadGateway || resp.Header.Get(proxy.ErrorHeader) != want {
				t.Errorf("answer %d %q, want 502 %q\n%s", resp.StatusCode, resp.Header.Get(proxy.ErrorHeader), want, body)
			}
			f := h.rec.waitFlows(t, 1)[0]
			if f.Error == nil || f.Error.Phase+"/"+f.Error.Kind != want || f.ConnID == 0 {
				t.Errorf("flow error %+v on connection %d, want %s", f.Error, f.ConnID, want)
			}
			h.rec.mu.Lock()
			c := h.rec.conns[f.ConnID]
			h.rec.mu.Unlock()
			if c.Error == nil || c.Error.Phase+"/"+c.Error.Kind != want {
				t.Errorf("connection error %+v, want %s", c.Error, want)
			}
		})
	}
}

// A browser that goes away while its request waits for a dial: the flow
// is client/aborted, whatever step the dial was at. The dial goes on
// without it (http.Transport detaches dials from requests, for the next
// request to use); when the proxy closes, the dial is given up, and its
// connection is recorded as canceled in that step. (Inside an intercepted
// CONNECT the proxy learns that the browser went away from HTTP/2's stream
// reset, which the test client sends; goproxy gives HTTP/1.1 requests
// there a context that nothing cancels.)
func TestClientGoneDuringDial(t *testing.T) {
	for _, tc := range []struct {
		name  string
		phase string // the step the dial was at
		setup func(t *testing.T) (url string, reached <-chan struct{}, tweak func(*proxy.Config))
	}{
		{"during-dns", store.PhaseDNS, func(t *testing.T) (string, <-chan struct{}, func(*proxy.Config)) {
			asked := make(chan struct{}, 1)
			server := resolvertest.ServeUDP(t, dns.HandlerFunc(func(dns.ResponseWriter, *dns.Msg) {
				select { // and never answer
				case asked <- struct{}{}:
				default:
				}
			}))
			return "http://shop.test/", asked, withResolverTimeout(t, server, time.Minute)
		}},
		{"during-tls", store.PhaseTLS, func(t *testing.T) (string, <-chan struct{}, func(*proxy.Config)) {
			addr, heard := dialertest.Mute(t) // the hello has left: the dial is in its TLS step
			return "https://" + addr + "/", heard, func(c *proxy.Config) { c.TLSTimeout = time.Minute }
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, reached, tweak := tc.setup(t)
			h := newHarness(t, tweak)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				select {
				case <-reached:
				case <-time.After(30 * time.Second):
				}
				cancel() // the browser goes away
			}()
			req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
			if resp, err := h.client(nil).Do(req); err == nil {
				resp.Body.Close()
				t.Fatalf("got %d, want the request abandoned", resp.StatusCode)
			} else if !errors.Is(err, context.Canceled) {
				t.Fatalf("the request ended with %v before the browser gave up", err)
			}
			f := h.rec.waitFlows(t, 1)[0]
			if f.Error == nil || f.Error.Phase != store.PhaseClient || f.Error.Kind != store.FailAborted {
				t.Errorf("flow error %+v, want client/aborted", f.Error)
			}
			h.proxy.Close() // gives up the dial nobody waits for
			var got *store.FlowError
			storetest.Eventually(t, 10*time.Second, "the abandoned dial's connection to be recorded", func() bool {
				h.rec.mu.Lock()
				defer h.rec.mu.Unlock()
				for _, c := range h.rec.conns {
					got = c.Error
				}
				return got != nil
			})
			if got.Phase != tc.phase || got.Kind != store.FailCanceled {
				t.Errorf("connection error %+v, want %s/canceled", got, tc.phase)
			}
		})
	}
}

// zoneCase fetches http://host/ through a resolver asking a Zone that
// knows shop.test and txt.test, changed by change.
func zoneCase(host string, change func(*resolvertest.Zone)) func(t *testing.T) (string, func(*proxy.Config)) {
	return func(t *testing.T) (string, func(*proxy.Config)) {
		z := resolvertest.NewZone("shop.test. 60 IN A 127.0.0.1", `txt.test. 60 IN TXT "no address here"`)
		if change != nil {
			change(z)
		}
		return "http://" + host + "/", withResolver(t, resolvertest.ServeUDP(t, z))
	}
}

// withResolver makes the proxy resolve through server only, one attempt of
// at most a second.
func withResolver(t *testing.T, server string) func(*proxy.Config) {
	return withResolverTimeout(t, server, time.Second)
}

func withResolverTimeout(t *testing.T, server string, timeout time.Duration) func(*proxy.Config) {
	t.Helper()
	res, err := resolver.New(resolver.Config{Servers: []string{server}, ResolvConf: resolver.None,
		HostsFile: resolver.None, Timeout: timeout, Attempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return func(c *proxy.Config) { c.Resolver = res }
}

// tlsCase serves https://127.0.0.1:PORT/ with dialertest's self-signed
// certificate, changed by change; trusted tells whether the proxy trusts
// it.
func tlsCase(change func(*x509.Certificate), trusted bool) func(t *testing.T) (string, func(*proxy.Config)) {
	return func(t *testing.T) (string, func(*proxy.Config)) {
		cert, pool := dialertest.SelfSigned(t, change)
		o := httptest.NewUnstartedServer(echoOrigin())
		o.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		o.StartTLS()
		t.Cleanup(o.Close)
		if !trusted {
			return o.URL + "/", nil
		}
		return o.URL + "/", func(c *proxy.Config) { c.UpstreamRoots = pool }
	}
}
