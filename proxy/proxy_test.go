package proxy_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/elazarl/goproxy"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/proxy/dialer/dialertest"
	"github.com/glassbox-dev/glassbox/store"
)

func echoOrigin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Origin", "yes")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		fmt.Fprintf(w, "%s %s proto=%s body=%s", r.Method, r.URL.Path, r.Proto, body)
	})
}

func TestHTTPForwardedAndRecorded(t *testing.T) {
	origin := httptest.NewServer(echoOrigin())
	defer origin.Close()
	h := newHarness(t, nil)
	resp, err := h.client(nil).Post(origin.URL+"/submit?q=1", "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(got) != "POST /submit proto=HTTP/1.1 body=hello" {
		t.Fatalf("response %d %q", resp.StatusCode, got)
	}
	f := h.rec.waitFlows(t, 1)[0]
	if f.Method != "POST" || f.URL != origin.URL+"/submit?q=1" || f.Status != 200 || f.StatusText != "OK" {
		t.Errorf("flow %s %s -> %d %q", f.Method, f.URL, f.Status, f.StatusText)
	}
	if f.MITM || f.Kind != store.KindHTTP || f.Error != nil {
		t.Errorf("flow kind %q mitm %v error %+v", f.Kind, f.MITM, f.Error)
	}
	if string(f.ReqBody.Data) != "hello" || f.ReqBody.Size != 5 {
		t.Errorf("request body %q size %d", f.ReqBody.Data, f.ReqBody.Size)
	}
	if string(f.RespBody.Data) != string(got) || f.RespBody.Truncated {
		t.Errorf("response body %q truncated %v", f.RespBody.Data, f.RespBody.Truncated)
	}
	if f.ReqHeaders.Get("Content-Type") != "text/plain" || len(f.RespHeaders.Values("Set-Cookie")) != 2 {
		t.Errorf("headers: req %v resp %v", f.ReqHeaders, f.RespHeaders)
	}
	if f.ServerAddr != origin.Listener.Addr().String() {
		t.Errorf("server addr %q, want %q", f.ServerAddr, origin.Listener.Addr())
	}
	if !(f.Start.Before(f.GotConn) || f.Start.Equal(f.GotConn)) || f.FirstByte.Before(f.WroteRequest) || f.End.Before(f.FirstByte) {
		t.Errorf("timestamps out of order: start %v conn %v wrote %v first %v end %v",
			f.Start, f.GotConn, f.WroteRequest, f.FirstByte, f.End)
	}
}

func TestHTTPSIntercepted(t *testing.T) {
	origin := httptest.NewUnstartedServer(echoOrigin())
	origin.EnableHTTP2 = true
	origin.StartTLS()
	defer origin.Close()
	h := newHarness(t, func(c *proxy.Config) { c.UpstreamRoots = poolOf(origin.Certificate()) })

	c := h.client(nil) // trusts only glassbox's CA
	resp, err := c.Get(origin.URL + "/secure")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// h2 to the browser inside the tunnel, and h2 to the origin.
	if resp.Proto != "HTTP/2.0" || string(got) != "GET /secure proto=HTTP/2.0 body=" {
		t.Fatalf("client saw %s %q", resp.Proto, got)
	}
	if resp.TLS == nil || resp.TLS.PeerCertificates[0].Issuer.CommonName != h.ca.Cert.Subject.CommonName {
		t.Errorf("leaf not issued by our CA: %+v", resp.TLS)
	}
	f := h.rec.waitFlows(t, 1)[0]
	if !f.MITM || f.URL != origin.URL+"/secure" || f.Status != 200 || f.RespProto != "HTTP/2.0" || f.Proto != "HTTP/2.0" {
		t.Errorf("flow mitm %v url %s status %d protos %s/%s", f.MITM, f.URL, f.Status, f.Proto, f.RespProto)
	}
	if string(f.RespBody.Data) != string(got) {
		t.Errorf("stored body %q", f.RespBody.Data)
	}
}

// A client that trusts goproxy's published CA must not accept glassbox's
// certificates: glassbox never signs with that key.
func TestGoproxyPublicCARefused(t *testing.T) {
	origin := httptest.NewTLSServer(echoOrigin())
	defer origin.Close()
	h := newHarness(t, func(c *proxy.Config) { c.UpstreamRoots = poolOf(origin.Certificate()) })
	public, err := tls.X509KeyPair(goproxy.CA_CERT, goproxy.CA_KEY)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := parseCert(public.Certificate[0])
	_, err = h.client(poolOf(pub)).Get(origin.URL + "/")
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("client trusting only goproxy's public CA got through: err = %v", err)
	}
	if bytes.Equal(goproxy.GoproxyCa.Certificate[0], public.Certificate[0]) {
		t.Error("goproxy.GoproxyCa still holds the public CA after proxy.New")
	}
}

// A 32 MiB body streams through with its Content-Length unchanged; only the
// capped copy is stored, with the true size. The origin holds the second
// half back until the client has read the first: a proxy that buffered the
// body would deadlock here (and the test would time out).
func TestLargeBodyStreamedAndCapped(t *testing.T) {
	const size = 32 << 20
	release, releaseOrigin := gate()
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(size))
		w.Header().Set("Content-Type", "application/octet-stream")
		for sent := 0; sent < size; sent += len(chunk) {
			if sent == size/2 {
				w.(http.Flusher).Flush()
				<-release
			}
			w.Write(chunk)
		}
	}))
	defer origin.Close()
	defer releaseOrigin() // before origin.Close, which waits for the handler, when the test fails early
	h := newHarness(t, nil)
	resp, err := h.client(nil).Get(origin.URL + "/big")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.ContentLength != size || resp.Header.Get("Content-Length") != strconv.Itoa(size) {
		t.Fatalf("Content-Length changed: %d %q", resp.ContentLength, resp.Header.Get("Content-Length"))
	}
	hash := sha256.New()
	if _, err := io.CopyN(hash, resp.Body, size/2); err != nil {
		t.Fatal(err)
	}
	releaseOrigin()
	n, err := io.Copy(hash, resp.Body)
	if err != nil || n != size/2 {
		t.Fatalf("second half: %d bytes, %v", n, err)
	}
	f := h.rec.waitFlows(t, 1)[0]
	if f.RespBody.Size != size || !f.RespBody.Truncated || len(f.RespBody.Data) != proxy.DefaultMaxBody {
		t.Errorf("stored %d bytes, size %d, truncated %v", len(f.RespBody.Data), f.RespBody.Size, f.RespBody.Truncated)
	}
	if f.Error != nil {
		t.Errorf("unexpected error %+v", f.Error)
	}
}

// A dead origin gets the default error page (no Config.ErrorPage): plain
// text with the phase, the kind, the error and the flow, even for a
// browser that asks for HTML.
func TestDeadUpstreamDefaultPage(t *testing.T) {
	h := newHarness(t, nil)
	dead := dialertest.Refused(t, "127.0.0.1")
	req, _ := http.NewRequest("GET", "http://"+dead+"/", nil)
	req.Header.Set("Accept", "text/html")
	resp, err := h.client(nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 502 || resp.Header.Get(proxy.ErrorHeader) != "connect/refused" {
		t.Fatalf("got %d %q", resp.StatusCode, resp.Header.Get(proxy.ErrorHeader))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	for _, want := range []string{"502 Bad Gateway", "connect/refused", "connection refused", "Flow #1"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the page lacks %q:\n%s", want, body)
		}
	}
	f := h.rec.waitFlows(t, 1)[0]
	if f.Error == nil || f.Error.Phase != store.PhaseConnect || f.Error.Kind != "refused" || f.Status != 0 {
		t.Errorf("flow error %+v status %d", f.Error, f.Status)
	}
}

// Config.ErrorPage makes the body; the proxy keeps the status, the
// header, and asks for HTML when the browser does.
func TestErrorPageHook(t *testing.T) {
	type call struct {
		id, status int
		html       bool
	}
	calls := make(chan call, 2)
	h := newHarness(t, func(c *proxy.Config) {
		c.ErrorPage = func(f *store.Flow, status int, html bool) ([]byte, string) {
			calls <- call{int(f.ID), status, html}
			return []byte("<p>" + f.Error.Kind), "text/html; charset=utf-8"
		}
	})
	dead := "http://" + dialertest.Refused(t, "127.0.0.1") + "/"
	for i, accept := range []string{"text/html,*/*", "*/*"} {
		req, _ := http.NewRequest("GET", dead, nil)
		req.Header.Set("Accept", accept)
		resp, err := h.client(nil).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 502 || resp.Header.Get(proxy.ErrorHeader) != "connect/refused" || string(body) != "<p>refused" ||
			resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Accept %s: %d %v %q", accept, resp.StatusCode, resp.Header, body)
		}
		if c := <-calls; c != (call{i + 1, 502, i == 0}) {
			t.Errorf("Accept %s: ErrorPage called with %+v", accept, c)
		}
	}
}

// Inside an intercepted tunnel a failed upstream handshake would make
// goproxy close the browser's connection; glassbox answers with a 502.
func TestBadUpstreamCertificateExplained(t *testing.T) {
	origin := httptest.NewTLSServer(echoOrigin())
	defer origin.Close()
	h := newHarness(t, nil) // origin's CA not trusted
	resp, err := h.client(nil).Get(origin.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 502 || resp.Header.Get(proxy.ErrorHeader) != "tls/unknown-authority" {
		t.Fatalf("got %d %q: %s", resp.StatusCode, resp.Header.Get(proxy.ErrorHeader), body)
	}
	if !strings.Contains(string(body), "tls/unknown-authority") || !strings.Contains(string(body), "certificate") {
		t.Errorf("the page does not say what failed:\n%s", body)
	}
	f := h.rec.waitFlows(t, 1)[0]
	if f.Error == nil || f.Error.Phase != store.PhaseTLS || !f.MITM {
		t.Errorf("flow error %+v mitm %v", f.Error, f.MITM)
	}

	// --insecure-upstream skips the check.
	h2 := newHarness(t, func(c *proxy.Config) { c.InsecureUpstream = true })
	resp, err = h2.client(nil).Get(origin.URL + "/")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("insecure upstream: %v %v", resp, err)
	}
	resp.Body.Close()
}

// The environment's proxy settings must not leak into glassbox's own
// upstream requests.
func TestEnvironmentProxyIgnored(t *testing.T) {
	dead := "http://" + dialertest.Refused(t, "127.0.0.1")
	t.Setenv("HTTP_PROXY", dead)
	t.Setenv("HTTPS_PROXY", dead)
	t.Setenv("http_proxy", dead)
	t.Setenv("https_proxy", dead)
	origin := httptest.NewTLSServer(echoOrigin())
	defer origin.Close()
	h := newHarness(t, func(c *proxy.Config) { c.UpstreamRoots = poolOf(origin.Certificate()) })
	resp, err := h.client(nil).Get(origin.URL + "/")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %v", resp, err)
	}
	resp.Body.Close()
}

// Accept-Encoding reaches the origin as the browser sent it, and the
// compressed body comes back untouched (and is stored compressed).
func TestAcceptEncodingKept(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(bytes.Repeat([]byte("compress me "), 100))
	zw.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip, br" {
			http.Error(w, "Accept-Encoding was "+r.Header.Get("Accept-Encoding"), 400)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gz.Bytes())
	}))
	defer origin.Close()
	h := newHarness(t, nil)
	req, _ := http.NewRequest("GET", origin.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip, br")
	resp, err := h.client(nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, gz.Bytes()) {
		t.Fatalf("status %d, body changed (%d bytes vs %d)", resp.StatusCode, len(got), gz.Len())
	}
	f := h.rec.waitFlows(t, 1)[0]
	if !bytes.Equal(f.RespBody.Data, gz.Bytes()) {
		t.Errorf("stored body is not the compressed bytes")
	}
}

// A websocket-style upgrade passes through: 101, then bytes both ways,
// recorded under its ws:// URL.
func TestUpgradePassesThrough(t *testing.T) {
	origin := wsOrigin(t, false)
	h := newHarness(t, nil)
	conn, err := net.Dial("tcp", h.proxyURL.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	upgrade(t, conn, origin.URL+"/ws", origin.Listener.Addr().String())
	conn.Close()
	f := h.rec.waitFlows(t, 1)[0]
	if f.Kind != store.KindWebSocket || f.Status != 101 || f.BytesUp != 5 || f.BytesDown != 10 {
		t.Errorf("flow kind %q status %d up %d down %d", f.Kind, f.Status, f.BytesUp, f.BytesDown)
	}
	if want := "ws://" + origin.Listener.Addr().String() + "/ws"; f.URL != want {
		t.Errorf("flow URL %s, want %s", f.URL, want)
	}
}

// --no-mitm hosts are tunnelled: the client sees the origin's own
// certificate and glassbox records the tunnel with its byte counts.
func TestNoMITMTunnel(t *testing.T) {
	origin := httptest.NewTLSServer(echoOrigin())
	defer origin.Close()
	h := newHarness(t, func(c *proxy.Config) { c.NoMITM = []string{"127.0.0.*"} })
	c := h.client(poolOf(origin.Certificate()))
	resp, err := c.Get(origin.URL + "/pinned")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !resp.TLS.PeerCertificates[0].Equal(origin.Certificate()) {
		t.Fatal("the tunnel was intercepted")
	}
	// The tunnel is recorded when the client closes it.
	c.Transport.(*http.Transport).CloseIdleConnections()
	f := h.rec.waitFlows(t, 1)[0]
	if f.Kind != store.KindTunnel || f.Method != "CONNECT" || f.URL != origin.Listener.Addr().String() || f.MITM {
		t.Errorf("flow kind %q method %s url %s mitm %v", f.Kind, f.Method, f.URL, f.MITM)
	}
	if f.BytesUp < 100 || f.BytesDown < int64(len(body)) || f.Status != 200 {
		t.Errorf("tunnel bytes up %d down %d status %d", f.BytesUp, f.BytesDown, f.Status)
	}
}

// Requests to the proxy itself get the setup page and the CA, never a loop.
func TestSetupPageAndSelfCheck(t *testing.T) {
	h := newHarness(t, func(c *proxy.Config) {})
	resp, err := http.Get(h.server.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"/ca.pem", "/ca.crt", "https://glassbox.invalid/check.png", h.ca.Fingerprint(), "Firefox"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("setup page lacks %q", want)
		}
	}
	resp, err = http.Get(h.server.URL + "/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	pem, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(pem, h.ca.PEM()) {
		t.Error("/ca.pem is not the CA certificate")
	}
	resp, _ = http.Get(h.server.URL + "/ca.crt")
	der, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(der, h.ca.DER()) || resp.Header.Get("Content-Type") != "application/x-x509-ca-cert" {
		t.Error("/ca.crt is not the DER certificate")
	}

	// Through the proxy, glassbox.invalid answers over HTTP and, for a client
	// that trusts the CA, over HTTPS; nothing is dialed.
	for _, u := range []string{"http://glassbox.invalid/check.png", "https://glassbox.invalid/check.png"} {
		resp, err := h.client(nil).Get(u)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
			t.Errorf("%s: %d %s", u, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	// A client that does not trust the CA fails the HTTPS check.
	if _, err := h.client(poolOf()).Get("https://glassbox.invalid/check.png"); err == nil {
		t.Error("HTTPS self-check passed for a client that does not trust the CA")
	}
}

func parseCert(der []byte) (*x509.Certificate, error) { return x509.ParseCertificate(der) }

// With --auth, requests without the right credentials get 407 and are
// recorded (without the offered password); the right ones pass.
func TestProxyAuth(t *testing.T) {
	origin := httptest.NewTLSServer(echoOrigin())
	defer origin.Close()
	h := newHarness(t, func(c *proxy.Config) { c.Auth = "alice:s3cret"; c.UpstreamRoots = poolOf(origin.Certificate()) })

	// Plain HTTP without credentials.
	resp, err := h.client(nil).Get("http://" + dialertest.Refused(t, "127.0.0.1") + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 407 || !strings.Contains(resp.Header.Get("Proxy-Authenticate"), "Basic") {
		t.Fatalf("no credentials: %d %v", resp.StatusCode, resp.Header)
	}
	// CONNECT with the wrong password.
	wrong := h.client(nil)
	u := *h.proxyURL
	u.User = url.UserPassword("alice", "guess")
	wrong.Transport.(*http.Transport).Proxy = http.ProxyURL(&u)
	if _, err := wrong.Get(origin.URL + "/"); err == nil || !strings.Contains(err.Error(), "Proxy Authentication Required") {
		t.Fatalf("wrong password: err = %v", err)
	}
	// The right one.
	right := h.client(nil)
	u.User = url.UserPassword("alice", "s3cret")
	right.Transport.(*http.Transport).Proxy = http.ProxyURL(&u)
	resp, err = right.Get(origin.URL + "/ok")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("right password: %v %v", resp, err)
	}
	resp.Body.Close()
	flows := h.rec.waitFlows(t, 3)
	refused := 0
	for _, f := range flows {
		if f.Status == 407 {
			refused++
			if f.Error == nil || f.Error.Kind != "auth" || strings.Contains(fmt.Sprint(f.ReqHeaders), "guess") {
				t.Errorf("refusal recorded as %+v %v", f.Error, f.ReqHeaders)
			}
		}
	}
	if refused != 2 {
		t.Errorf("%d refusals recorded, want 2", refused)
	}
}
