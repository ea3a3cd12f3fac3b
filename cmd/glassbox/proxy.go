package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof" // for --pprof only: served on its own loopback listener
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/glassbox-dev/glassbox/certs"
	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/proxy/dialer"
	"github.com/glassbox-dev/glassbox/proxy/resolver"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// proxyFlags are the flags of `glassbox` and `glassbox proxy`.
type proxyFlags struct {
	listen           string
	db               string
	upstreamCA       string
	insecureUpstream bool
	noMITM           multiFlag
	maxBody          sizeFlag
	maxDBSize        sizeFlag
	allowRemote      bool
	auth             string
	verbose          bool
	pprof            string

	dns          string
	hosts        string
	dnsTrace     bool
	dnsRoot      string
	dnsTracePort string

	connectTimeout  time.Duration
	tlsTimeout      time.Duration
	responseTimeout time.Duration
	clientHandshake time.Duration
	clientIdle      time.Duration
}

func (pf *proxyFlags) register(fs *flag.FlagSet) {
	pf.maxBody = sizeFlag(proxy.DefaultMaxBody)
	fs.StringVar(&pf.listen, "listen", proxy.DefaultListen, "address to listen on; the default also serves [::1] on the same port")
	fs.StringVar(&pf.db, "db", "", "SQLite database file (default: $GLASSBOX_HOME/glassbox.db or the user data directory)")
	fs.StringVar(&pf.upstreamCA, "upstream-ca", "", "PEM file of extra CA certificates to trust for origin servers")
	fs.BoolVar(&pf.insecureUpstream, "insecure-upstream", false, "do not verify origin servers' certificates (test servers only)")
	fs.Var(&pf.noMITM, "no-mitm", "host glob to tunnel without interception, e.g. '*.bank.example' (repeatable)")
	fs.Var(&pf.maxBody, "max-body", "most bytes of each body to store, e.g. 512KiB, 4MiB, 0 for none (bodies are always forwarded whole)")
	fs.Var(&pf.maxDBSize, "max-db-size", "stop storing (but keep forwarding) when the database reaches this size, e.g. 2GiB; 0 for no limit")
	fs.BoolVar(&pf.allowRemote, "allow-remote", false, "allow listening on a non-loopback address")
	fs.StringVar(&pf.auth, "auth", "", "require proxy credentials USER:PASS (Basic) from clients; use with --allow-remote")
	fs.BoolVar(&pf.verbose, "v", false, "log goproxy's own warnings too")
	fs.StringVar(&pf.pprof, "pprof", "", "serve Go's profiler (net/http/pprof) on this loopback address, e.g. 127.0.0.1:6060")

	fs.StringVar(&pf.dns, "dns", "", "DNS servers to ask, HOST:PORT[,HOST:PORT...] (default: the nameservers of /etc/resolv.conf)")
	fs.StringVar(&pf.hosts, "hosts", resolver.DefaultHostsFile, "hosts file consulted before DNS; \"none\" to skip it")
	fs.BoolVar(&pf.dnsTrace, "dns-trace", false, "resolve iteratively from the root servers, like dig +trace, recording each hop")
	fs.StringVar(&pf.dnsRoot, "dns-root", "", "root server addresses for --dns-trace, IP[,IP...] (default: the IANA root servers)")
	fs.StringVar(&pf.dnsTracePort, "dns-trace-port", resolver.DefaultTracePort, "port asked on every server in --dns-trace")

	fs.DurationVar(&pf.connectTimeout, "connect-timeout", dialer.DefaultConnectTimeout, "limit for each TCP connection attempt to an origin")
	fs.DurationVar(&pf.tlsTimeout, "tls-timeout", dialer.DefaultTLSTimeout, "limit for the TLS handshake with an origin")
	fs.DurationVar(&pf.responseTimeout, "response-timeout", proxy.DefaultResponseTimeout, "limit for an origin to start answering once the request is sent")
	fs.DurationVar(&pf.clientHandshake, "client-handshake-timeout", proxy.DefaultHandshakeTimeout, "close a browser connection that sends nothing for this long after connecting")
	fs.DurationVar(&pf.clientIdle, "client-idle-timeout", proxy.DefaultIdleTimeout, "close a browser connection with no traffic either way for this long")
}

// newResolver builds glassbox's own resolver from the flags.
func (pf *proxyFlags) newResolver() (r *resolver.Resolver, warn string, err error) {
	cfg := resolver.Config{HostsFile: pf.hosts, Trace: pf.dnsTrace, TracePort: pf.dnsTracePort}
	if pf.dns != "" {
		for _, s := range strings.Split(pf.dns, ",") {
			s = strings.TrimSpace(s)
			if _, _, perr := net.SplitHostPort(s); perr != nil {
				s = net.JoinHostPort(s, "53")
			}
			cfg.Servers = append(cfg.Servers, s)
		}
	}
	if pf.dnsRoot != "" {
		for _, s := range strings.Split(pf.dnsRoot, ",") {
			cfg.RootHints = append(cfg.RootHints, strings.TrimSpace(s))
		}
	}
	r, err = resolver.New(cfg)
	if err != nil && len(cfg.Servers) == 0 && !cfg.Trace && strings.Contains(err.Error(), "no DNS server") {
		// As the C library does when resolv.conf names no server (resolv.conf(5)):
		// ask the local machine, and say so.
		warn = fmt.Sprintf("no DNS server configured (%v): asking 127.0.0.1:53; use --dns HOST:PORT to choose", err)
		cfg.Servers = []string{"127.0.0.1:53"}
		r, err = resolver.New(cfg)
	}
	if err != nil {
		return nil, "", fmt.Errorf("DNS: %w (name servers with --dns HOST:PORT, or --dns-trace)", err)
	}
	return r, warn, nil
}

// parseProxyFlags parses the flags `glassbox` and `glassbox proxy` share.
func parseProxyFlags(name string, args []string, stderr io.Writer) (proxyFlags, error) {
	var pf proxyFlags
	fs := newFlagSet(name, name+" [flags]", stderr)
	pf.register(fs)
	fs.Usage = func() {
		usage(stderr)
		fmt.Fprint(stderr, "\nFlags of glassbox and glassbox proxy:\n")
		fs.PrintDefaults()
	}
	return pf, parseFlags(fs, args)
}

func runProxy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	pf, err := parseProxyFlags("proxy", args, stderr)
	if err != nil {
		return err
	}
	return serveProxy(ctx, pf, stderr)
}

// runningProxy is a started proxy with its store, for `glassbox proxy` and
// the live inspector.
type runningProxy struct {
	DB      *sqlite.DB
	Session store.Session
	Writer  *sqlite.Writer
	Listen  []string // the addresses actually listened on
	DBPath  string

	logger  *log.Logger
	srv     *http.Server
	proxy   *proxy.Proxy
	wg      sync.WaitGroup
	errc    chan error
	stopped bool
}

func serveProxy(ctx context.Context, pf proxyFlags, stderr io.Writer) error {
	out := newAsyncWriter(stderr)
	defer out.Close()
	logger := log.New(out, "", log.Ltime)
	rp, err := startProxy(ctx, pf, logger, func(f *store.Flow, c *store.Conn) { logger.Print(flowLine(f, c)) })
	if err != nil {
		return err
	}
	logger.Printf("glassbox %s listening on %s (session %d, database %s)", version, strings.Join(rp.Listen, " and "), rp.Session.ID, rp.DBPath)
	logger.Printf("set your browser's proxy to %s; setup page and CA: http://%s/", rp.Listen[0], rp.Listen[0])
	var runErr error
	select {
	case <-ctx.Done():
		logger.Printf("stopping: finishing open requests and writing what is queued")
	case runErr = <-rp.errc:
	}
	rp.Stop()
	return runErr
}

// startProxy opens the store, loads the CA and starts serving. onFlow gets
// every finished flow. Stop undoes it all.
func startProxy(ctx context.Context, pf proxyFlags, logger *log.Logger, onFlow func(*store.Flow, *store.Conn)) (*runningProxy, error) {
	addrs, err := proxy.ListenAddrs(pf.listen)
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if err := proxy.CheckRemote(a, pf.allowRemote); err != nil {
			return nil, err
		}
	}
	if pf.auth != "" && !strings.Contains(pf.auth, ":") {
		return nil, fmt.Errorf("--auth %q: want USER:PASS", pf.auth)
	}
	if pf.allowRemote && pf.auth == "" {
		logger.Printf("WARNING: --allow-remote without --auth: anyone who can reach this address can browse through glassbox and read what it records")
	}
	ca, err := loadCA()
	if err != nil {
		return nil, err
	}
	for _, fix := range ca.Fixed {
		logger.Printf("warning: %s", fix)
	}
	if ca.Created {
		logger.Printf("created a new certificate authority for this install: %s", ca.CertPath)
	}

	var roots *x509.CertPool
	if pf.upstreamCA != "" {
		if roots, err = loadRoots(pf.upstreamCA); err != nil {
			return nil, err
		}
		logger.Printf("trusting extra origin CAs from %s (--upstream-ca)", pf.upstreamCA)
	}
	if pf.insecureUpstream {
		logger.Printf("WARNING: --insecure-upstream: origin certificates are NOT verified; anyone between glassbox and a server can read and change the traffic")
	}

	res, warn, err := pf.newResolver()
	if err != nil {
		return nil, err
	}
	if warn != "" {
		logger.Printf("warning: %s", warn)
	}
	if pf.dnsTrace {
		logger.Printf("DNS: --dns-trace: resolving from the root servers, each hop recorded")
	}

	lns, err := proxy.Listen(addrs)
	if err != nil {
		return nil, err
	}
	for i, ln := range lns {
		lns[i] = proxy.NewGuard(ln, pf.clientHandshake, pf.clientIdle)
	}
	rp := &runningProxy{logger: logger, errc: make(chan error, len(lns))}
	if rp.DBPath, err = dbPathOrDefault(pf.db); err != nil {
		closeAll(lns)
		return nil, err
	}
	if rp.DB, err = sqlite.Open(rp.DBPath); err != nil {
		closeAll(lns)
		return nil, err
	}
	if pf.maxDBSize > 0 {
		if err := rp.DB.SetMaxSize(int64(pf.maxDBSize)); err != nil {
			closeAll(lns)
			rp.DB.Close()
			return nil, err
		}
	}
	for _, ln := range lns {
		rp.Listen = append(rp.Listen, ln.Addr().String())
	}
	rp.Session, err = rp.DB.StartSession(ctx, store.Session{Listen: strings.Join(rp.Listen, " "), Source: "proxy"})
	if err != nil {
		closeAll(lns)
		rp.DB.Close()
		return nil, err
	}
	rp.Writer = rp.DB.NewWriter(rp.Session.ID, sqlite.WriterOptions{OnError: func(err error) {
		logger.Printf("ERROR: cannot store flows (%v); glassbox keeps forwarding, unsaved flows are counted", err)
	}})

	maxBody := int64(pf.maxBody)
	if maxBody == 0 {
		maxBody = -1 // --max-body 0: store no bodies
	}
	rp.proxy, err = proxy.New(proxy.Config{
		Recorder:         rp.Writer,
		CA:               ca,
		MaxBody:          maxBody,
		UpstreamRoots:    roots,
		InsecureUpstream: pf.insecureUpstream,
		NoMITM:           pf.noMITM,
		ListenAddrs:      rp.Listen,
		Resolver:         res,
		Auth:             pf.auth,
		ConnectTimeout:   pf.connectTimeout,
		TLSTimeout:       pf.tlsTimeout,
		ResponseTimeout:  pf.responseTimeout,
		OnFlow:           onFlow,
		ErrorPage:        explain.ErrorPage,
		Logf: func(format string, args ...any) {
			if pf.verbose {
				logger.Printf(format, args...)
			}
		},
	})
	if err != nil {
		closeAll(lns)
		rp.Writer.Close(context.Background())
		rp.DB.Close()
		return nil, err
	}

	if pf.pprof != "" {
		if err := proxy.CheckRemote(pf.pprof, false); err != nil {
			closeAll(lns)
			return nil, fmt.Errorf("--pprof: %w", err)
		}
		pln, err := net.Listen("tcp", pf.pprof)
		if err != nil {
			closeAll(lns)
			return nil, fmt.Errorf("--pprof: %w", err)
		}
		logger.Printf("profiler on http://%s/debug/pprof/", pln.Addr())
		go http.Serve(pln, http.DefaultServeMux) // net/http/pprof registers there
	}

	rp.srv = proxy.NewServer(rp.proxy)
	rp.srv.ErrorLog = log.New(io.Discard, "", 0)
	for _, ln := range lns {
		rp.wg.Add(1)
		go func(ln net.Listener) {
			defer rp.wg.Done()
			if err := rp.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				rp.errc <- err
			}
		}(ln)
	}
	return rp, nil
}

// Errors reports a listener that failed while serving.
func (rp *runningProxy) Errors() <-chan error { return rp.errc }

// Stop stops serving, drains the writer into the database, ends the
// session and closes the database. It is safe to call twice.
func (rp *runningProxy) Stop() {
	if rp.stopped {
		return
	}
	rp.stopped = true
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = rp.srv.Shutdown(shutdownCtx)
	rp.wg.Wait()
	rp.proxy.Close()

	drainCtx, cancel2 := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel2()
	if err := rp.Writer.Close(drainCtx); err != nil {
		rp.logger.Printf("ERROR: %v", err)
	}
	if err := rp.DB.EndSession(context.Background(), rp.Session.ID, time.Now()); err != nil {
		rp.logger.Printf("ERROR: %v", err)
	}
	st := rp.Writer.Stats()
	rp.logger.Printf("session %d: %d records written (flows, pages, connections, lookups)%s", rp.Session.ID, st.Written, lossNote(st))
	rp.DB.Close()
}

func lossNote(st store.RecorderStats) string {
	note := ""
	if st.Dropped > 0 || st.Failed > 0 {
		note = fmt.Sprintf(", %d dropped (queue full), %d not written (%s)", st.Dropped, st.Failed, st.LastError)
	}
	if st.BodiesShed > 0 {
		note += fmt.Sprintf(", %d body copies not stored (bodies came faster than the disk took them; their flows are recorded, marked truncated)", st.BodiesShed)
	}
	return note
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}

func loadCA() (*certs.CA, error) {
	dir, err := certs.DefaultDir()
	if err != nil {
		return nil, err
	}
	return certs.LoadOrCreate(dir)
}

func dbPathOrDefault(p string) (string, error) {
	if p != "" {
		return p, nil
	}
	return sqlite.DefaultPath()
}

func loadRoots(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--upstream-ca: %w", err)
	}
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--upstream-ca %s: no PEM certificate found in the file", path)
	}
	return roots, nil
}

// flowLine is the one log line per flow of `glassbox proxy`: what was
// asked, what came back, and where the time went.
func flowLine(f *store.Flow, c *store.Conn) string {
	return string(appendFlowLine(make([]byte, 0, 160), f, c))
}

// appendFlowLine writes the log line with appends, not fmt: it runs for
// every request, and fmt's Sprintf calls were most of the line's cost
// (BenchmarkFlowLine).
func appendFlowLine(b []byte, f *store.Flow, c *store.Conn) []byte {
	b = append(b, '#')
	start := len(b)
	b = padRight(strconv.AppendInt(b, f.ID, 10), start, 4)
	b = append(b, ' ')
	start = len(b)
	b = padRight(append(b, f.Method...), start, 7)
	b = append(b, ' ')
	b = append(b, f.URL...)
	b = append(b, ' ')
	if f.Status > 0 {
		b = strconv.AppendInt(b, int64(f.Status), 10)
	} else {
		b = append(b, "---"...)
	}
	b = append(b, ' ')
	b = appendBytes(b, f.RespBody.Size+f.BytesDown)
	b = append(b, ' ')
	b = appendDuration(b, f.Duration())
	if f.Kind == store.KindTunnel {
		b = append(b, "  tunnel: "...)
		b = appendBytes(b, f.BytesUp)
		b = append(b, " up, "...)
		b = appendBytes(b, f.BytesDown)
		b = append(b, " down"...)
	} else {
		b = appendPhases(b, f, c)
	}
	if f.Error != nil {
		b = append(b, "  error: "...)
		b = append(b, explain.Summary(f.Error)...)
	}
	return b
}

// padRight pads what b holds past start with spaces to width, as %-Nd and
// %-Ns do.
func padRight(b []byte, start, width int) []byte {
	for n := len(b) - start; n < width; n++ {
		b = append(b, ' ')
	}
	return b
}

// appendPhases appends "  dns 0.4ms connect 0.1ms tls 2.1ms wait 12ms recv
// 3ms", or "  reused wait 3ms recv 1ms" on a kept-alive connection.
func appendPhases(b []byte, f *store.Flow, c *store.Conn) []byte {
	t := store.ComputeTimings(f, c)
	first := true
	sep := func() {
		if first {
			b = append(b, "  "...)
			first = false
		} else {
			b = append(b, ' ')
		}
	}
	if f.ConnReused {
		sep()
		b = append(b, "reused"...)
	}
	add := func(name string, d time.Duration) {
		if d >= 0 && (d > 0 || name == "wait") {
			sep()
			b = append(b, name...)
			b = append(b, ' ')
			b = appendDuration(b, d)
		}
	}
	if t.DNS >= 0 {
		add("dns", t.DNS)
	}
	if t.Connect >= 0 {
		add("connect", t.Connect-max(t.SSL, 0))
	}
	if t.SSL >= 0 {
		add("tls", t.SSL)
	}
	if !f.GotConn.IsZero() {
		add("wait", t.Wait)
		add("recv", t.Receive)
	}
	return b
}

func appendBytes(b []byte, n int64) []byte {
	switch {
	case n < 1024:
		return append(strconv.AppendInt(b, n, 10), 'B')
	case n < 1<<20:
		return append(strconv.AppendFloat(b, float64(n)/1024, 'f', 1, 64), "KB"...)
	case n < 1<<30:
		return append(strconv.AppendFloat(b, float64(n)/(1<<20), 'f', 1, 64), "MB"...)
	}
	return append(strconv.AppendFloat(b, float64(n)/(1<<30), 'f', 2, 64), "GB"...)
}

func appendDuration(b []byte, d time.Duration) []byte {
	switch {
	case d < time.Millisecond:
		return append(strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'f', 2, 64), "ms"...)
	case d < 10*time.Millisecond:
		return append(strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'f', 1, 64), "ms"...)
	case d < 10*time.Second:
		return append(strconv.AppendInt(b, d.Milliseconds(), 10), "ms"...)
	}
	return append(strconv.AppendFloat(b, d.Seconds(), 'f', 1, 64), 's')
}
