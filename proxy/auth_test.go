package proxy_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/store"
)

// The proxy's credentials are recorded on no path: a plain request, an
// intercepted one, a --no-mitm tunnel (whose CONNECT was once stored with
// its Proxy-Authorization), and a client that sends them to a glassbox
// without --auth. The origin never gets them either.
func TestProxyCredentialsNeverRecorded(t *testing.T) {
	var originSaw []string
	origin := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		originSaw = append(originSaw, r.Header.Get("Proxy-Authorization"))
	}))
	defer origin.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		originSaw = append(originSaw, r.Header.Get("Proxy-Authorization"))
	}))
	defer plain.Close()
	secret := base64.StdEncoding.EncodeToString([]byte("alice:s3cret"))
	for _, tc := range []struct {
		name string
		auth string
		cfg  func(*proxy.Config)
		url  string
	}{
		{"plain-http", "alice:s3cret", nil, plain.URL + "/p"},
		{"intercepted", "alice:s3cret", nil, origin.URL + "/i"},
		{"no-mitm-tunnel", "alice:s3cret", func(c *proxy.Config) { c.NoMITM = []string{"127.0.0.*"} }, origin.URL + "/t"},
		{"sent-without-auth", "", nil, plain.URL + "/n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(c *proxy.Config) {
				c.Auth, c.UpstreamRoots = tc.auth, poolOf(origin.Certificate())
				if tc.cfg != nil {
					tc.cfg(c)
				}
			})
			u := *h.proxyURL
			u.User = url.UserPassword("alice", "s3cret")
			client := h.client(poolOf(origin.Certificate(), h.ca.Cert))
			client.Transport.(*http.Transport).Proxy = http.ProxyURL(&u)
			resp, err := client.Get(tc.url)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("%v %v", resp, err)
			}
			resp.Body.Close()
			client.CloseIdleConnections() // a tunnel is recorded when it closes
			for _, f := range h.rec.waitFlows(t, 1) {
				if got := fmt.Sprint(f.ReqHeaders); strings.Contains(got, secret) || strings.Contains(got, "s3cret") {
					t.Errorf("flow #%d (%s) recorded the credentials: %s", f.ID, f.Kind, got)
				}
				if v := f.ReqHeaders.Get("Proxy-Authorization"); v != "" && v != store.NotRecorded {
					t.Errorf("Proxy-Authorization recorded as %q", v)
				}
			}
		})
	}
	for _, v := range originSaw {
		if v != "" {
			t.Errorf("an origin was sent Proxy-Authorization %q", v)
		}
	}
}
