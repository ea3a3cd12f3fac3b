package main_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
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
// and HTTP (which redirects to HTTPS, except for servedPlain). Its files are
// templates in testdata/site/<host> (or testdata/site/_shared, for every
// host), given [[.HTTPS]] and [[.HTTP]] (the ports), [[.Site]] (the
// host's first label) and [[.Q]] (the query); site_routes_test.go has its
// dynamic answers.

// siteHosts are the names the site answers for.
var siteHosts = []string{"shop.test", "cdn.test", "img.test", "api.test", "widget.test",
	"news.test", "plain.test", "update.test"}

// plainHost is the site served over plain HTTP only: its pages carry no
// Fetch metadata (Sec-Fetch-* is sent to secure origins only).
const plainHost = "plain.test"

// servedPlain reports whether the HTTP listener serves host itself rather
// than redirecting it to HTTPS: the plain site, and the update service
// the browser's background traffic asks (on both, as Chromium's does).
func servedPlain(host string) bool { return host == plainHost || host == "update.test" }

// site is the running fixture.
type site struct {
	httpsPort, httpPort string
	dnsAddr             string
	caFile              string // PEM of the CA that signed the site's certificate

	mu      sync.Mutex
	hits    map[string]int // "host path status" -> count
	changed chan struct{}  // poked on every hit
}

func (s *site) hit(host, path string, status int) {
	s.mu.Lock()
	s.hits[fmt.Sprintf("%s %s %d", strings.Split(host, ":")[0], path, status)]++
	s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// await waits until cond holds, checking it at every hit, or fails the
// test after limit.
func (s *site) await(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(limit)
	for !cond() {
		select {
		case <-s.changed:
		case <-deadline:
			t.Fatalf("gave up after %v waiting for %s", limit, what)
		}
	}
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
	s := &site{hits: map[string]int{}, changed: make(chan struct{}, 1)}
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

	files := s.handler(t)
	secure := &http.Server{Handler: files, ReadHeaderTimeout: 10 * time.Second}
	plain := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if servedPlain(strings.Split(r.Host, ":")[0]) {
			files.ServeHTTP(w, r)
			return
		}
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
	if status, ok := s.route(w, r, host); ok {
		return status
	}
	name := r.URL.Path
	if strings.HasSuffix(name, "/") {
		name += "index.html"
	}
	raw, err := fixtureFile(root, host, name)
	if err != nil {
		http.NotFound(w, r)
		return http.StatusNotFound
	}
	ctype := fixtureTypes[filepath.Ext(name)]
	w.Header().Set("Content-Type", ctype)
	body := raw
	if strings.HasPrefix(ctype, "text/") {
		tpl, err := template.New(name).Delims("[[", "]]").Parse(string(raw))
		if err == nil {
			var b strings.Builder
			tpl.Execute(&b, map[string]any{"HTTPS": s.httpsPort, "HTTP": s.httpPort,
				"Site": strings.Split(host, ".")[0], "Q": r.URL.Query()})
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
	for _, h := range fixtureHeaders[host+name] {
		w.Header().Set(h[0], h[1])
	}
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
