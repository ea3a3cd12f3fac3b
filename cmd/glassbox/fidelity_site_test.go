package main_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/dialer/dialertest"
	"github.com/glassbox-dev/glassbox/proxy/resolver/resolvertest"
	"github.com/glassbox-dev/glassbox/store/codec/codectest"
)

// The origins of the fidelity comparison (fidelity_test.go), each a kind
// of server the web has, on loopback:
//
//   - h2.test: net/http over TLS offering h2 and http/1.1: a page that
//     sets two cookies (every later request carries them), a gzip script,
//     a brotli stylesheet, a redirected image and a streamed text;
//   - h1.test: a hand-written HTTP/1.1-only server over TLS, writing heads
//     byte for byte as old servers do: fields for its own hop (Keep-Alive,
//     Connection naming one), names in any case, a chunked body with a
//     chunk extension, an answer without Date or Content-Type;
//   - plain.test: the same server over plain HTTP.
//
// Every answer carries an ETag and Cache-Control: no-cache, so a second
// visit revalidates (RFC 9111 §4.3): 304s.

var fidelityHosts = []string{"h2.test", "h1.test", "plain.test"}

type fidelitySite struct {
	h2, h1, plain string // host:port of each origin
	dnsAddr       string
	caFile        string
	// The bodies, encoded once: the image, the gzip script, the brotli
	// stylesheet.
	png, gzScript, brCSS string
}

func (s *fidelitySite) url(scheme, hostport, path string) string {
	return scheme + "://" + hostport + path
}

func startFidelitySite(t *testing.T) *fidelitySite {
	t.Helper()
	leaf, _ := dialertest.SelfSigned(t, func(c *x509.Certificate) {
		c.Subject.CommonName = "glassbox fidelity origins"
		c.DNSNames, c.IPAddresses = fidelityHosts, nil
	})
	png, err := os.ReadFile(filepath.Join("testdata", "site", "img.test", "logo.png"))
	if err != nil {
		t.Fatal(err)
	}
	s := &fidelitySite{caFile: filepath.Join(t.TempDir(), "origins-ca.pem"), png: string(png),
		gzScript: string(codectest.Encode(t, "gzip", []byte(fidelityScript))), brCSS: string(codectest.Encode(t, "br", []byte(fidelityCSS)))}
	writePEM(t, s.caFile, leaf.Leaf)
	listen := func(cfg *tls.Config) net.Listener {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		if cfg != nil {
			return tls.NewListener(ln, cfg)
		}
		return ln
	}
	h2ln := listen(&tls.Config{Certificates: []tls.Certificate{leaf}, NextProtos: []string{"h2", "http/1.1"}})
	h1ln := listen(&tls.Config{Certificates: []tls.Certificate{leaf}, NextProtos: []string{"http/1.1"}})
	plainLn := listen(nil)
	port := func(ln net.Listener) string { _, p, _ := net.SplitHostPort(ln.Addr().String()); return p }
	s.h2, s.h1, s.plain = "h2.test:"+port(h2ln), "h1.test:"+port(h1ln), "plain.test:"+port(plainLn)

	srv := &http.Server{Handler: http.HandlerFunc(s.serveH2), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(h2ln)
	t.Cleanup(func() { srv.Close() })
	go serveRawH1(h1ln, s.rawAnswer("https"))
	go serveRawH1(plainLn, s.rawAnswer("http"))

	z := resolvertest.NewZone()
	for _, h := range fidelityHosts {
		z.Records.Add(h + ". 60 IN A 127.0.0.1")
	}
	s.dnsAddr = resolvertest.ServeUDP(t, z)
	return s
}

// fidelityScript and fidelityCSS are large enough that their codings
// matter; their bytes are the same on every load.
var (
	fidelityScript = "// the page's script\n" + strings.Repeat("window.filler = (window.filler || 0) + 1;\n", 200)
	fidelityCSS    = "/* the page's style */\n" + strings.Repeat("p.x { color: #123456; margin: 0 }\n", 200)
)

// serveH2 is h2.test, on net/http.
func (s *fidelitySite) serveH2(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	body, ctype, coding := "", "", ""
	switch r.URL.Path {
	case "/":
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1", Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2", Path: "/"})
		body, ctype = fmt.Sprintf(`<!doctype html><title>h2</title><link rel="stylesheet" href="/br.css"><script src="/gz.js"></script>
<p id="status">loading</p><img src="/redirect.png"><img src="https://%s/img.png">
<script>Promise.all([fetch("/stream.txt"), fetch("https://%[1]s/chunked.json"), fetch("https://%[1]s/bare")].map(p => p.then(r => r.text())))
.then(() => { document.getElementById("status").textContent = "done" })</script>`, s.h1), "text/html; charset=utf-8"
	case "/gz.js":
		body, ctype, coding = s.gzScript, "text/javascript", "gzip"
	case "/br.css":
		body, ctype, coding = s.brCSS, "text/css", "br"
	case "/redirect.png":
		http.Redirect(w, r, "/px.png", http.StatusFound)
		return
	case "/px.png":
		body, ctype = s.png, "image/png"
	case "/stream.txt":
		// Written in three flushes: DATA frames as they come, chunked on
		// an HTTP/1.1 leg.
		h.Set("Content-Type", "text/plain; charset=utf-8")
		for i := range 3 {
			fmt.Fprintf(w, "part %d\n", i)
			w.(http.Flusher).Flush()
		}
		return
	default:
		http.NotFound(w, r)
		return
	}
	etag := fmt.Sprintf(`"%x"`, len(body))
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Type", ctype)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if coding != "" {
		h.Set("Content-Encoding", coding)
		h.Set("Vary", "Accept-Encoding")
	}
	io.WriteString(w, body)
}

// serveRawH1 serves every connection of ln as HTTP/1.1, one request after
// another, each answered with the bytes answer writes for it.
func serveRawH1(ln net.Listener, answer func(method, path string, head http.Header) string) {
	for c, err := ln.Accept(); err == nil; c, err = ln.Accept() {
		go func() {
			defer c.Close()
			c.SetDeadline(time.Now().Add(time.Minute))
			br := bufio.NewReader(c)
			for {
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				io.Copy(io.Discard, req.Body)
				if _, err := io.WriteString(c, answer(req.Method, req.URL.Path, req.Header)); err != nil {
					return
				}
			}
		}()
	}
}

// rawAnswer is h1.test (scheme https) and plain.test (http): heads written
// byte for byte.
func (s *fidelitySite) rawAnswer(scheme string) func(method, path string, head http.Header) string {
	date := "Date: " + time.Now().UTC().Format(http.TimeFormat) + "\r\n"
	return func(method, path string, head http.Header) string {
		var fields, body string
		switch path {
		case "/":
			fields, body = "Content-Type: text/html\r\n", `<!doctype html><title>h1</title><script src="/app.js"></script>
<p id="status">loading</p><img src="/img.png">
<script>Promise.all([fetch("/chunked.json"), fetch("/bare")].map(p => p.then(r => r.text())))
.then(() => { document.getElementById("status").textContent = "done" })</script>`
		case "/app.js":
			fields, body = "content-type: text/javascript\r\ncontent-encoding: gzip\r\n", s.gzScript
		case "/img.png":
			// Fields for this hop only: Keep-Alive, and X-Hop, which
			// Connection names (RFC 9110 §7.6.1).
			fields, body = "Connection: keep-alive, X-Hop\r\nKeep-Alive: timeout=5, max=100\r\nX-Hop: 1\r\nContent-Type: image/png\r\n", s.png
		case "/chunked.json":
			// A chunked body with a chunk extension (RFC 9112 §7.1.1).
			return "HTTP/1.1 200 OK\r\n" + date + "Content-Type: application/json\r\nAccess-Control-Allow-Origin: *\r\n" +
				"Cache-Control: no-store\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"a ; part=1\r\n{\"chunks\":\r\n3\r\n[1]\r\n1\r\n}\r\n0\r\n\r\n"
		case "/bare":
			// No Date, no Content-Type: the browser's to sniff.
			return "HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nCache-Control: no-store\r\nContent-Length: 12\r\n\r\nplain bytes\n"
		default:
			return "HTTP/1.1 404 Not Found\r\n" + date + "Content-Type: text/plain\r\nContent-Length: 10\r\n\r\nnot found\n"
		}
		etag := fmt.Sprintf(`"%x"`, len(body))
		head304 := head.Get("If-None-Match") == etag
		fields = date + fields + "ETag: " + etag + "\r\ncache-control: no-cache\r\nx-Mixed-Case: yes\r\n"
		if head304 {
			return "HTTP/1.1 304 Not Modified\r\n" + date + "ETag: " + etag + "\r\nCache-Control: no-cache\r\n\r\n"
		}
		if method == http.MethodHead {
			body = ""
		}
		return fmt.Sprintf("HTTP/1.1 200 OK\r\n%sContent-Length: %d\r\n\r\n%s", fields, len(body), body)
	}
}
