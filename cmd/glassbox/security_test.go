package main_test

import (
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/resolver/resolvertest"
)

// proxyClient is an HTTP client of a running glassbox with the proxy
// credentials user:pass.
func proxyClient(addr, user, pass string) *http.Client {
	u := &url.URL{Scheme: "http", Host: addr, User: url.UserPassword(user, pass)}
	return &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(u)}, Timeout: 20 * time.Second}
}

// The payload: through the proxy, a name resolving to 127.0.0.1
// reached glassbox's own --pprof port, whose cmdline showed --auth. Now no
// name or address form reaches it, each refusal is a recorded flow, and
// the export holds neither the profiler's answer nor the credentials.
func TestProfilerNotReachableThroughProxy(t *testing.T) {
	home := t.TempDir()
	dns := resolvertest.ServeUDP(t, resolvertest.NewZone("rebind.attacker.com. 0 IN A 127.0.0.1"))
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	pprofAddr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(pprofAddr)
	p := startProxy(t, home, "--dns", dns, "--pprof", pprofAddr, "--auth", "alice:s3cret")
	client := proxyClient(p.addr, "alice", "s3cret")
	for _, host := range []string{"rebind.attacker.com", "127.0.0.1", "127.0.0.2", "[::ffff:127.0.0.1]", "0.0.0.0"} {
		resp, err := client.Get("http://" + host + ":" + port + "/debug/pprof/cmdline")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || strings.Contains(string(body), "s3cret") {
			t.Errorf("%s: %d\n%s", host, resp.StatusCode, body)
		}
	}
	p.stop(t)
	har := filepath.Join(home, "x.har")
	if _, stderr, code := glassbox(t, home, "export", "--no-redact", "-o", har); code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	data, _ := os.ReadFile(har)
	secret := base64.StdEncoding.EncodeToString([]byte("alice:s3cret"))
	if n := strings.Count(string(data), `"kind":"own-address"`); n != 5 || strings.Contains(string(data), "s3cret") || strings.Contains(string(data), secret) {
		t.Errorf("%d own-address refusals (want 5), or the credentials, in:\n%s", n, data)
	}
}

// With --auth and --no-mitm, the tunnel's Proxy-Authorization was stored in
// clear and shown by export --no-redact.
func TestTunnelCredentialsNotStored(t *testing.T) {
	home := t.TempDir()
	origin := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer origin.Close()
	p := startProxy(t, home, "--auth", "alice:s3cret", "--no-mitm", "*")
	client := proxyClient(p.addr, "alice", "s3cret")
	client.Transport.(*http.Transport).TLSClientConfig = origin.Client().Transport.(*http.Transport).TLSClientConfig
	resp, err := client.Get(origin.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	client.CloseIdleConnections()
	p.stop(t)
	out, stderr, code := glassbox(t, home, "export", "--no-redact", "--format", "har")
	secret := base64.StdEncoding.EncodeToString([]byte("alice:s3cret"))
	if code != 0 || !strings.Contains(out, `"CONNECT"`) || strings.Contains(out, secret) || !strings.Contains(out, "[not recorded]") {
		t.Errorf("export (exit %d, %s):\n%s", code, stderr, out)
	}
}
