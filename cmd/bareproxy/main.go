// Command bareproxy is the baseline of glassbox's benchmark: the smallest
// honest goproxy forwarder, with everything glassbox adds taken away (no
// recording, no resolver, no timing) and nothing that would make it
// unfairly slow left in.
//
// It MITMs every CONNECT with a fresh ECDSA P-256 CA made at start (never
// goproxy's built-in CA, goproxy.GoproxyCa, whose private key is published
// in goproxy's source), caches leaves by
// host, keeps Accept-Encoding, and talks to origins through a tuned
// http.Transport. It prints "listening on ADDR" on stderr and exits on
// SIGINT or SIGTERM.
//
//	bareproxy --listen 127.0.0.1:0 --ca-out /tmp/bare-ca.pem --upstream-ca origin.pem
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	_ "net/http/pprof" // for --pprof only: served on its own loopback listener
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/elazarl/goproxy"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "bareproxy:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stderr io.Writer) error {
	opt, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if opt.pprof != "" {
		pln, err := servePprof(opt.pprof, stderr)
		if err != nil {
			return err
		}
		defer pln.Close()
	}
	ca, err := newCA()
	if err != nil {
		return err
	}
	if err := os.WriteFile(opt.caOut, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Certificate[0]}), 0o644); err != nil {
		return fmt.Errorf("write the CA certificate: %w", err)
	}
	var roots *x509.CertPool
	if opt.upstreamCA != "" {
		b, err := os.ReadFile(opt.upstreamCA)
		if err != nil {
			return fmt.Errorf("--upstream-ca: %w", err)
		}
		if roots, err = x509.SystemCertPool(); err != nil || roots == nil {
			roots = x509.NewCertPool()
		}
		if !roots.AppendCertsFromPEM(b) {
			return fmt.Errorf("--upstream-ca %s: no PEM certificate in the file", opt.upstreamCA)
		}
	}

	ln, err := net.Listen("tcp", opt.listen)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           newProxy(ca, roots),
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stderr, "bareproxy listening on %s\n", ln.Addr())

	select {
	case <-ctx.Done():
	case err := <-errc:
		return err
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	return nil
}

// options are bareproxy's flags.
type options struct {
	listen, caOut, upstreamCA, pprof string
}

// parseFlags parses and checks the flags.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var opt options
	fs := flag.NewFlagSet("bareproxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opt.listen, "listen", "127.0.0.1:0", "loopback address to listen on")
	fs.StringVar(&opt.caOut, "ca-out", "", "write this run's CA certificate (PEM) here, for clients to trust (required)")
	fs.StringVar(&opt.upstreamCA, "upstream-ca", "", "PEM file of extra CA certificates to trust for origin servers")
	fs.StringVar(&opt.pprof, "pprof", "", "serve Go's profiler (net/http/pprof) on this loopback address, e.g. 127.0.0.1:0")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: bareproxy --ca-out FILE [--listen ADDR] [--upstream-ca FILE] [--pprof ADDR]\n\n"+
			"A bare goproxy MITM forwarder: the baseline glassbox is measured against.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return opt, err
		}
		return opt, errUsage
	}
	if opt.caOut == "" {
		fmt.Fprintln(stderr, "--ca-out is required: clients need the CA certificate to trust the intercepted connections")
		fs.Usage()
		return opt, errUsage
	}
	if err := checkLoopback(opt.listen); err != nil {
		return opt, err
	}
	if opt.pprof != "" {
		if err := checkLoopback(opt.pprof); err != nil {
			return opt, fmt.Errorf("--pprof: %w", err)
		}
	}
	return opt, nil
}

// servePprof serves Go's profiler on addr.
func servePprof(addr string, stderr io.Writer) (net.Listener, error) {
	pln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--pprof: %w", err)
	}
	// Announced before "listening on", as glassbox does: the benchmark
	// reads both lines.
	fmt.Fprintf(stderr, "profiler on http://%s/debug/pprof/\n", pln.Addr())
	go http.Serve(pln, http.DefaultServeMux) // net/http/pprof registers there
	return pln, nil
}

// newProxy is the whole forwarder.
func newProxy(ca *tls.Certificate, roots *x509.CertPool) *goproxy.ProxyHttpServer {
	// Second guard against goproxy's public CA, as in glassbox.
	goproxy.GoproxyCa = *ca

	gp := goproxy.NewProxyHttpServer()
	gp.Logger = log.New(io.Discard, "", 0)
	// NewProxyHttpServer reads HTTP(S)_PROXY into Tr and ConnectDial:
	// replace both so the baseline never goes through another proxy.
	gp.Tr = newTransport(roots, true)
	// As glassbox (proxy/upstream.go): a client that speaks HTTP/1.1 to the
	// proxy reaches the origin over HTTP/1.1, one that speaks HTTP/2 over
	// HTTP/2 where the origin offers it.
	h1 := newTransport(roots, false)
	gp.ConnectDial = nil
	gp.KeepAcceptEncoding = true
	gp.AllowHTTP2 = true // as glassbox: h2 to clients that offer it inside MITM
	gp.CertStore = &leafCache{}
	mitm := &goproxy.ConnectAction{Action: goproxy.ConnectMitm, TLSConfig: goproxy.TLSConfigFromCA(ca)}
	gp.OnRequest().HandleConnectFunc(func(host string, _ *goproxy.ProxyCtx) (*goproxy.ConnectAction, string) {
		return mitm, host
	})
	// "Connection: close" from the client is about its hop to the proxy
	// (RFC 9110 §7.6.1). Passed on as req.Close, it makes the Transport
	// throw away a shared upstream connection (HTTP/2 included) after every
	// such request, so each one pays a new TLS handshake to the origin.
	// glassbox clears it; so does the baseline, or the comparison would
	// measure that pathology instead of the price of recording.
	gp.OnRequest().DoFunc(func(r *http.Request, ctx *goproxy.ProxyCtx) (*http.Request, *http.Response) {
		r.Close = false
		if r.ProtoMajor < 2 {
			ctx.RoundTripper = goproxy.RoundTripperFunc(func(r *http.Request, _ *goproxy.ProxyCtx) (*http.Response, error) {
				return h1.RoundTrip(r)
			})
		}
		return r, nil
	})
	return gp
}

// newTransport is the forwarder's Transport, which offers origins HTTP/2
// when h2.
func newTransport(roots *x509.CertPool, h2 bool) *http.Transport {
	return &http.Transport{
		Proxy:           nil,
		TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		// Same tuning as glassbox's transport: a plain Transport keeps 2 idle
		// connections per host and, at 32 clients, reopens thousands.
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 15 * time.Second,
		// A Transport with its own TLSClientConfig speaks HTTP/1.1 only
		// unless told otherwise.
		ForceAttemptHTTP2:  h2,
		DisableCompression: true,
		DialContext:        (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	}
}

// leafCache is goproxy's CertStorage on a sync.Map: one leaf per host,
// minted once (a concurrent first mint for the same host may mint twice and
// keep the first; harmless for a benchmark).
type leafCache struct{ m sync.Map }

func (c *leafCache) Fetch(host string, gen func() (*tls.Certificate, error)) (*tls.Certificate, error) {
	if v, ok := c.m.Load(host); ok {
		return v.(*tls.Certificate), nil
	}
	cert, err := gen()
	if err != nil {
		return nil, err
	}
	v, _ := c.m.LoadOrStore(host, cert)
	return v.(*tls.Certificate), nil
}

// newCA makes this run's CA: ECDSA P-256, because leaves take the CA's key
// type and a P-256 leaf cost ~0.3 ms against ~120 ms for RSA-2048 on the
// 2-core machine the benchmarks run on.
func newCA() (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "bareproxy benchmark CA", Organization: []string{"glassbox benchmark"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// checkLoopback refuses addresses other machines could reach: an open
// MITM proxy would let anyone browse as this machine.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: want HOST:PORT, e.g. 127.0.0.1:0", addr)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--listen %s: bareproxy listens on loopback only (127.0.0.1 or ::1)", addr)
}
