package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof" // for --pprof only: served on its own loopback listener
	"os"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/certs"
	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/proxy/resolver"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// startProxy makes what cfg describes and starts serving; onFlow gets
// every finished flow. The steps go from what leaves no trace to what
// lasts: read the inputs (origin CAs, DNS configuration), open the
// listeners, load or create the CA, open the database, start the session,
// build the proxy, serve. Each step that made something adds how to undo
// it to one teardown list: when a later step fails, the list runs (last
// first, so a session opened is ended and the database closed), and
// runningProxy.Stop runs the same list after the servers have stopped.
func startProxy(ctx context.Context, cfg proxyConfig, logger *log.Logger, onFlow func(*store.Flow, *store.Conn)) (_ *runningProxy, err error) {
	rp := &runningProxy{logger: logger, DBPath: cfg.dbPath}
	defer func() {
		if err != nil {
			rp.teardown.run()
		}
	}()
	roots, res, err := readInputs(cfg, logger)
	if err != nil {
		return nil, err
	}
	if err := rp.listen(cfg); err != nil {
		return nil, err
	}
	ca, err := loadCA(logger)
	if err != nil {
		return nil, err
	}
	if err := rp.openStore(ctx, cfg); err != nil {
		return nil, err
	}
	pc := proxyOptions(cfg, logger)
	pc.Recorder, pc.CA, pc.UpstreamRoots, pc.Resolver = rp.recorder, ca, roots, res
	pc.ListenAddrs, pc.OnFlow = rp.Listen, onFlow
	if rp.pprof != nil {
		pc.OwnAddrs = []string{rp.pprof.Addr().String()}
	}
	if rp.proxy, err = proxy.New(pc); err != nil {
		return nil, err
	}
	rp.teardown.add(rp.proxy.Close)
	rp.serve()
	return rp, nil
}

// teardown undoes what a start-up made, last made first.
type teardown []func()

func (t *teardown) add(undo func()) { *t = append(*t, undo) }

// run undoes everything once; later calls do nothing.
func (t *teardown) run() {
	for i := len(*t) - 1; i >= 0; i-- {
		(*t)[i]()
	}
	*t = nil
}

// readInputs reads the origin CAs of --upstream-ca and builds the
// resolver, creating nothing, and logs what they change.
func readInputs(cfg proxyConfig, logger *log.Logger) (*x509.CertPool, *resolver.Resolver, error) {
	var roots *x509.CertPool
	if cfg.upstreamCA != "" {
		var err error
		if roots, err = loadRoots(cfg.upstreamCA); err != nil {
			return nil, nil, err
		}
		logger.Printf("trusting extra origin CAs from %s (--upstream-ca)", cfg.upstreamCA)
	}
	if cfg.allowPrivate {
		logger.Printf("WARNING: --allow-private: names that look public may lead to loopback and private addresses; a page can then reach this machine's and this network's services through glassbox (DNS rebinding)")
	}
	if cfg.insecureUpstream {
		logger.Printf("WARNING: --insecure-upstream: origin certificates are NOT verified; anyone between glassbox and a server can read and change the traffic")
	}
	if cfg.shape.On() {
		logger.Printf("network shaped: %s; every time recorded includes these delays", cfg.shape)
	}
	res, err := newResolver(cfg.resolver, logger)
	if err != nil {
		return nil, nil, err
	}
	if cfg.resolver.Trace {
		logger.Printf("DNS: --dns-trace: resolving from the root servers, each hop recorded")
	}
	return roots, res, nil
}

// newResolver builds glassbox's own resolver. When resolv.conf names no
// server it asks 127.0.0.1:53, as the C library does (resolv.conf(5)),
// and says so.
func newResolver(cfg resolver.Config, logger *log.Logger) (*resolver.Resolver, error) {
	r, err := resolver.New(cfg)
	if err != nil && len(cfg.Servers) == 0 && !cfg.Trace && strings.Contains(err.Error(), "no DNS server") {
		logger.Printf("warning: no DNS server configured (%v): asking 127.0.0.1:53; use --dns HOST:PORT to choose", err)
		cfg.Servers = []string{"127.0.0.1:53"}
		r, err = resolver.New(cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("DNS: %w (name servers with --dns HOST:PORT, or --dns-trace)", err)
	}
	return r, nil
}

// loadRoots reads the PEM file of --upstream-ca on top of the system's
// roots.
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

// listen opens the proxy's listeners, each behind a Guard, and the
// profiler's.
func (rp *runningProxy) listen(cfg proxyConfig) error {
	lns, err := proxy.Listen(cfg.listen)
	if err != nil {
		return err
	}
	for _, ln := range lns {
		g := proxy.NewGuard(ln, cfg.clientHandshake, cfg.clientIdle)
		rp.teardown.add(func() { g.Close() })
		// Each request's head recorded as the browser sent it.
		rp.listeners = append(rp.listeners, proxy.WireListener(g))
		rp.Listen = append(rp.Listen, ln.Addr().String())
	}
	if cfg.allowRemote && cfg.auth == "" {
		rp.logger.Printf("WARNING: --allow-remote without --auth: anyone who can reach this address can browse through glassbox and read what it records")
	}
	if cfg.pprof != "" {
		if rp.pprof, err = net.Listen("tcp", cfg.pprof); err != nil {
			return fmt.Errorf("--pprof: %w", err)
		}
		rp.teardown.add(func() { rp.pprof.Close() })
	}
	return nil
}

// loadCA loads this install's CA, creating it on first use.
func loadCA(logger *log.Logger) (*certs.CA, error) {
	dir, err := certs.DefaultDir()
	if err != nil {
		return nil, err
	}
	ca, err := certs.LoadOrCreate(dir)
	if err != nil {
		return nil, err
	}
	for _, fix := range ca.Fixed {
		logger.Printf("warning: %s", fix)
	}
	if ca.Created {
		logger.Printf("created a new certificate authority for this install: %s", ca.CertPath)
	}
	return ca, nil
}

// openStore opens the database, starts this run's session and its writer.
// Undone, the writer drains, the session ends and the database closes.
func (rp *runningProxy) openStore(ctx context.Context, cfg proxyConfig) error {
	db, err := sqlite.Open(cfg.dbPath)
	if err != nil {
		return err
	}
	rp.DB = db
	rp.teardown.add(func() { db.Close() })
	if cfg.maxDBSize > 0 {
		if err := db.SetMaxSize(cfg.maxDBSize); err != nil {
			return err
		}
	}
	if err := rp.session(ctx, cfg); err != nil {
		return err
	}
	rp.Writer = db.NewWriter(rp.Session.ID, sqlite.WriterOptions{OnError: func(err error) {
		rp.logger.Printf("ERROR: cannot store flows (%v); glassbox keeps forwarding, unsaved flows are counted", err)
	}})
	rp.teardown.add(func() {
		drainCtx, cancel := context.WithTimeout(context.Background(), drainTimeout)
		defer cancel()
		if err := rp.Writer.Close(drainCtx); err != nil {
			rp.logger.Printf("ERROR: %v", err)
		}
	})
	rp.recorder = rp.Writer
	if cfg.attach != 0 {
		if rp.recorder, err = newOffsetRecorder(ctx, db, cfg.attach, rp.Writer); err != nil {
			return err
		}
	}
	return nil
}

// session starts the session the proxy records, or, attached, finds the
// one it adds to (which is not ended again: it keeps its own end).
func (rp *runningProxy) session(ctx context.Context, cfg proxyConfig) (err error) {
	if cfg.attach != 0 {
		rp.Session, err = rp.DB.Session(ctx, cfg.attach)
		return err
	}
	rp.closeInterrupted(ctx)
	if rp.Session, err = rp.DB.StartSession(ctx, store.Session{Listen: strings.Join(rp.Listen, " "), Source: "proxy", Network: cfg.shape.String()}); err != nil {
		return err
	}
	release, err := holdSessionLock(rp.DBPath, rp.Session.ID)
	if err != nil {
		rp.logger.Printf("WARNING: cannot lock %s (%v): if this proxy is killed, its session will show as running until deleted", runningDir(rp.DBPath), err)
		release = func() {}
	}
	rp.teardown.add(func() {
		if err := rp.DB.EndSession(context.Background(), rp.Session.ID, time.Now()); err != nil {
			rp.logger.Printf("ERROR: %v", err)
		}
		release()
	})
	return nil
}

// closeInterrupted closes the proxy sessions of the database left open by
// a glassbox that stopped without closing them (killed, crashed): ended
// at the last thing recorded, marked interrupted, and said in the log.
func (rp *runningProxy) closeInterrupted(ctx context.Context) {
	list, err := rp.DB.Sessions(ctx)
	if err != nil {
		rp.logger.Printf("WARNING: cannot read the sessions to close interrupted ones: %v", err)
		return
	}
	for _, s := range list {
		if !s.Ended.IsZero() || s.Source != "proxy" || sessionRecording(rp.DBPath, s.ID) {
			continue
		}
		s, err := rp.DB.InterruptSession(ctx, s.ID)
		if err != nil {
			rp.logger.Printf("WARNING: %v", err)
			continue
		}
		rp.logger.Printf("session %d was interrupted (its glassbox stopped without closing it): closed at %s, the last thing recorded, with %s and %s",
			s.ID, s.Ended.Local().Format("2006-01-02 15:04:05"), explain.Plural(int(s.Flows), "flow"), explain.Plural(int(s.Pages), "page load"))
	}
}

// proxyOptions is the part of the proxy's configuration the flags give:
// limits, upstream trust, interception, credentials, and the explained
// error page (inspector/explain), which the proxy itself cannot import.
func proxyOptions(cfg proxyConfig, logger *log.Logger) proxy.Config {
	return proxy.Config{
		MaxBody:          cfg.maxBody,
		InsecureUpstream: cfg.insecureUpstream,
		NoMITM:           cfg.noMITM,
		AllowPrivate:     cfg.allowPrivate,
		Auth:             cfg.auth,
		ConnectTimeout:   cfg.connectTimeout,
		TLSTimeout:       cfg.tlsTimeout,
		ResponseTimeout:  cfg.responseTimeout,
		Shape:            cfg.shape,
		ErrorPage:        explain.ErrorPage,
		Logf: func(format string, args ...any) {
			if cfg.verbose {
				logger.Printf(format, args...)
			}
		},
	}
}

// serve starts serving the proxy on its listeners, and the profiler.
func (rp *runningProxy) serve() {
	rp.srv = proxy.NewServer(rp.proxy)
	rp.srv.ErrorLog = log.New(io.Discard, "", 0)
	rp.errc = make(chan error, len(rp.listeners))
	for _, ln := range rp.listeners {
		// The commonest requests are served by the intake, the rest by
		// the server it hands their connections to.
		in := rp.proxy.Intake(ln, rp.srv)
		rp.intakes = append(rp.intakes, in)
		rp.wg.Go(func() {
			if err := rp.srv.Serve(in); err != nil && !errors.Is(err, http.ErrServerClosed) {
				rp.errc <- err
			}
		})
	}
	if rp.pprof != nil {
		rp.logger.Printf("profiler on http://%s/debug/pprof/", rp.pprof.Addr())
		rp.pprofSrv = &http.Server{Handler: http.DefaultServeMux, ReadHeaderTimeout: 10 * time.Second} // net/http/pprof registers there
		go rp.pprofSrv.Serve(rp.pprof)
	}
}
