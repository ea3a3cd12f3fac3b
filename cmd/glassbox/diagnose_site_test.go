package main_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/dialer/dialertest"
	"github.com/glassbox-dev/glassbox/proxy/resolver/resolvertest"
)

// The diagnosis site: a page built slow on purpose and a page built fast
// (issue 17). The slow page at http://slow.test/go (plain HTTP/1.1) redirects twice, holds
// its first paint on a stylesheet and a script in <head>, whose script
// loads a second that loads a third (from old.test: TLS 1.2 only, and a
// connection closed after every answer), which calls a slow API and
// fetches 500 KB of uncompressed text; it shows a 300 KiB image at 64x64
// and twelve slow images from pics.test (plain HTTP/1.1); nothing it
// serves has a cache header. The fast page at https://fast.test/ is one
// host over HTTP/2 and TLS 1.3, small, with validators everywhere and a
// deferred script.

var diagHosts = []string{"slow.test", "old.test", "pics.test", "fast.test"}

// Timings the slow page is built with (the server's waits, not asserted).
const (
	slowAPIWait  = 600 * time.Millisecond
	slowPicsWait = 120 * time.Millisecond
	slowPics     = 12
)

type diagSite struct {
	https, old, plain string // ports: TLS 1.3 + h2; TLS 1.2 + HTTP/1.1; plain HTTP
	dnsAddr, caFile   string
	bigPNG            []byte
	bigText           []byte
}

func (s *diagSite) url(host, path string) string {
	switch host {
	case "old.test":
		return "https://old.test:" + s.old + path
	case "pics.test", "slow.test":
		return "http://" + host + ":" + s.plain + path
	}
	return "https://" + host + ":" + s.https + path
}

func startDiagSite(t *testing.T) *diagSite {
	t.Helper()
	s := &diagSite{bigPNG: noisePNG(t, 300, 300), bigText: bytes.Repeat([]byte("glassbox diagnoses slow pages. "), 500_000/31)}
	leaf, _ := dialertest.SelfSigned(t, func(c *x509.Certificate) {
		c.Subject.CommonName = "glassbox diagnosis site"
		c.DNSNames, c.IPAddresses = diagHosts, nil
	})
	s.caFile = filepath.Join(t.TempDir(), "diag-ca.pem")
	writePEM(t, s.caFile, leaf.Leaf)
	serve := func(cfg *tls.Config, h http.Handler) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		if cfg != nil {
			ln = tls.NewListener(ln, cfg)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		return port
	}
	s.https = serve(&tls.Config{Certificates: []tls.Certificate{leaf}, NextProtos: []string{"h2", "http/1.1"}}, http.HandlerFunc(s.serveSecure))
	s.old = serve(&tls.Config{Certificates: []tls.Certificate{leaf}, MaxVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}, http.HandlerFunc(s.serveOld))
	s.plain = serve(nil, http.HandlerFunc(s.servePlain))
	z := resolvertest.NewZone()
	for _, h := range diagHosts {
		z.Records.Add(h + ". 300 IN A 127.0.0.1")
	}
	s.dnsAddr = resolvertest.ServeUDP(t, z)
	return s
}

// noisePNG is a real PNG of w x h random pixels: it does not compress.
func noisePNG(t *testing.T, w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	rnd := rand.New(rand.NewSource(17))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(rnd.Intn(256)), uint8(rnd.Intn(256)), uint8(rnd.Intn(256)), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// answer writes a body without any cache header (net/http adds none).
func answer(w http.ResponseWriter, typ string, body []byte) {
	w.Header().Set("Content-Type", typ)
	w.Write(body)
}

// serveSecure answers fast.test (TLS 1.3, h2).
func (s *diagSite) serveSecure(w http.ResponseWriter, r *http.Request) {
	s.serveFast(w, r)
}

// serveSlow answers slow.test, over plain HTTP: its pictures from
// pics.test are then no mixed content, which a browser would upgrade to
// HTTPS, and the browser speaks HTTP/1.1 for them (to the proxy).
func (s *diagSite) serveSlow(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/go": // not "/": the scripts' Referer from old.test is the origin alone (strict-origin-when-cross-origin), which would name a page whose document is "/"
		http.Redirect(w, r, "/home", http.StatusMovedPermanently)
	case "/home":
		http.Redirect(w, r, "/start", http.StatusFound)
	case "/start":
		answer(w, "text/html; charset=utf-8", []byte(s.slowHTML()))
	case "/style.css":
		answer(w, "text/css", []byte("body { font-family: sans-serif }"))
	case "/big.png":
		answer(w, "image/png", s.bigPNG)
	case "/big.txt":
		answer(w, "text/plain; charset=utf-8", s.bigText)
	case "/api/slow":
		time.Sleep(slowAPIWait) // the server's work, on purpose
		answer(w, "application/json", []byte(`{"ok":true}`))
	default:
		http.NotFound(w, r)
	}
}

func (s *diagSite) slowHTML() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html><head><title>Slow on purpose</title>`+
		`<link rel="stylesheet" href="/style.css"><script src="%s"></script></head><body><h1>Slow</h1>`+
		`<img src="/big.png" width="64" height="64">`, s.url("old.test", "/a.js"))
	for i := 1; i <= slowPics; i++ {
		fmt.Fprintf(&b, `<img src="%s">`, s.url("pics.test", fmt.Sprintf("/%d.png", i)))
	}
	b.WriteString(`<p id="status">loading</p></body></html>`)
	return b.String()
}

// serveOld answers old.test: TLS 1.2, HTTP/1.1, a connection closed after
// every answer; each script loads the next.
func (s *diagSite) serveOld(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Connection", "close")
	load := `var s = document.createElement("script"); s.src = %q; document.head.appendChild(s);`
	switch r.URL.Path {
	case "/a.js":
		answer(w, "text/javascript", []byte(fmt.Sprintf(load, s.url("old.test", "/b.js"))))
	case "/b.js":
		answer(w, "text/javascript", []byte(fmt.Sprintf(load, s.url("old.test", "/c.js"))))
	case "/c.js":
		answer(w, "text/javascript", []byte(fmt.Sprintf(`Promise.all([fetch(%q).then(r => r.text()), fetch(%q).then(r => r.text())]).then(`+
			`() => { document.getElementById("status").textContent = "done"; });`, s.url("slow.test", "/api/slow"), s.url("slow.test", "/big.txt"))))
	default:
		http.NotFound(w, r)
	}
}

// servePlain answers pics.test over plain HTTP/1.1, each image slowly.
func (s *diagSite) servePlain(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.Host, "slow.test") {
		s.serveSlow(w, r)
		return
	}
	if !strings.HasSuffix(r.URL.Path, ".png") {
		http.NotFound(w, r)
		return
	}
	time.Sleep(slowPicsWait)
	answer(w, "image/png", s.smallPNG())
}

func (s *diagSite) smallPNG() []byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8)))
	return b.Bytes()
}

// serveFast answers fast.test: small, validated, deferred.
func (s *diagSite) serveFast(w http.ResponseWriter, r *http.Request) {
	files := map[string][2]string{
		"/": {"text/html; charset=utf-8", `<!doctype html><html><head><title>Fast</title><script defer src="/app.js"></script></head>` +
			`<body><h1>Fast</h1><img src="/logo.png" width="8" height="8"><p id="status">loading</p></body></html>`},
		"/app.js":   {"text/javascript", `fetch("/api/fast").then(r => r.json()).then(() => { document.getElementById("status").textContent = "done"; });`},
		"/logo.png": {"image/png", string(s.smallPNG())},
		"/api/fast": {"application/json", `{"ok":true}`},
	}
	f, ok := files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Type", f[0])
	http.ServeContent(w, r, "", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), strings.NewReader(f[1]))
}
