package main_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/dialer/dialertest"
	"github.com/glassbox-dev/glassbox/proxy/resolver/resolvertest"
)

// The fixture site of the browser suite: several .test hosts on loopback,
// resolved by a test DNS server, served over HTTPS (one listener, by Host)
// and HTTP (which redirects to HTTPS). Its files are templates in
// testdata/site, given the ports.

// siteHosts are the names the site answers for.
var siteHosts = []string{"shop.test", "cdn.test", "img.test", "api.test", "widget.test"}

// site is the running fixture.
type site struct {
	httpsPort, httpPort string
	dnsAddr             string
	caFile              string // PEM of the CA that signed the site's certificate

	mu   sync.Mutex
	hits map[string]int // "host path status" -> count
}

func (s *site) hit(host, path string, status int) {
	s.mu.Lock()
	s.hits[fmt.Sprintf("%s %s %d", strings.Split(host, ":")[0], path, status)]++
	s.mu.Unlock()
}

// seen reports how often host path was answered with status.
func (s *site) seen(host, path string, status int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[fmt.Sprintf("%s %s %d", host, path, status)]
}

func (s *site) url(scheme, host, path string) string {
	port := s.httpsPort
	if scheme == "http" {
		port = s.httpPort
	}
	return scheme + "://" + host + ":" + port + path
}

func startSite(t *testing.T) *site {
	t.Helper()
	s := &site{hits: map[string]int{}}
	// One self-signed certificate for every host, which glassbox trusts
	// through --upstream-ca s.caFile.
	leaf, _ := dialertest.SelfSigned(t, func(c *x509.Certificate) {
		c.Subject.CommonName = "glassbox test site"
		c.DNSNames, c.IPAddresses = siteHosts, nil
	})
	s.caFile = filepath.Join(t.TempDir(), "site-ca.pem")
	writePEM(t, s.caFile, leaf.Leaf)

	tlsLn, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{leaf}, NextProtos: []string{"h2", "http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	httpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, s.httpsPort, _ = net.SplitHostPort(tlsLn.Addr().String())
	_, s.httpPort, _ = net.SplitHostPort(httpLn.Addr().String())

	secure := &http.Server{Handler: s.handler(t), ReadHeaderTimeout: 10 * time.Second}
	plain := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// http://shop.test/ -> https://shop.test/ (RFC 9110 §15.4.2)
		s.hit(r.Host, r.URL.Path, http.StatusMovedPermanently)
		http.Redirect(w, r, s.url("https", strings.Split(r.Host, ":")[0], r.URL.RequestURI()), http.StatusMovedPermanently)
	}), ReadHeaderTimeout: 10 * time.Second}
	go secure.Serve(tlsLn)
	go plain.Serve(httpLn)
	t.Cleanup(func() {
		secure.Close()
		plain.Close()
	})
	s.dnsAddr = startSiteDNS(t)
	return s
}

// handler serves testdata/site/<host>/<path>, as templates given the ports,
// plus the few dynamic endpoints (the API, revalidation, a 404).
func (s *site) handler(t *testing.T) http.Handler {
	root := filepath.Join("testdata", "site")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := strings.Split(r.Host, ":")[0]
		status := s.serve(w, r, root, host)
		s.hit(host, r.URL.Path, status)
	})
}

func (s *site) serve(w http.ResponseWriter, r *http.Request, root, host string) int {
	origin := s.url("https", "shop.test", "")
	switch {
	case host == "api.test" && r.URL.Path == "/cart":
		// CORS (Fetch standard §3.2): a PUT with a custom header needs a preflight.
		w.Header().Set("Access-Control-Allow-Origin", origin)
		if r.Method == http.MethodOptions {
			w.Header().Set("Access-Control-Allow-Methods", "PUT")
			w.Header().Set("Access-Control-Allow-Headers", "content-type, x-token")
			w.Header().Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return http.StatusNoContent
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true,"items":1}`))
		return http.StatusOK
	case r.URL.Path == "/favicon.ico":
		http.NotFound(w, r)
		return http.StatusNotFound
	}
	name := r.URL.Path
	if strings.HasSuffix(name, "/") {
		name += "index.html"
	}
	raw, err := os.ReadFile(filepath.Join(root, host, filepath.FromSlash(strings.TrimPrefix(name, "/"))))
	if err != nil {
		http.NotFound(w, r)
		return http.StatusNotFound
	}
	ctype := map[string]string{".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
		".png": "image/png", ".woff2": "font/woff2"}[filepath.Ext(name)]
	w.Header().Set("Content-Type", ctype)
	body := raw
	if strings.HasPrefix(ctype, "text/") {
		tpl, err := template.New(name).Delims("[[", "]]").Parse(string(raw))
		if err == nil {
			var b strings.Builder
			tpl.Execute(&b, map[string]string{"HTTPS": s.httpsPort, "HTTP": s.httpPort})
			body = []byte(b.String())
		}
	}
	if host == "cdn.test" {
		w.Header().Set("Access-Control-Allow-Origin", "*") // fonts are fetched in CORS mode
	}
	// Revalidated on every use: a reload turns into If-None-Match -> 304 (RFC 9111 §4.3).
	etag := fmt.Sprintf(`"%x"`, len(body))
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified
	}
	w.Write(body)
	return http.StatusOK
}

// startSiteDNS answers the site's hosts with 127.0.0.1 (and no AAAA), and
// every other name with NXDOMAIN.
func startSiteDNS(t *testing.T) string {
	t.Helper()
	z := resolvertest.NewZone()
	for _, host := range siteHosts {
		z.Records.Add(host + ". 60 IN A 127.0.0.1")
	}
	return resolvertest.ServeUDP(t, z)
}
