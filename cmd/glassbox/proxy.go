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
	"os"
	"strings"
	"sync"
	"time"

	"github.com/glassbox-dev/glassbox/certs"
	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/proxy"
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
	allowRemote      bool
	verbose          bool
}

func (pf *proxyFlags) register(fs *flag.FlagSet) {
	pf.maxBody = sizeFlag(proxy.DefaultMaxBody)
	fs.StringVar(&pf.listen, "listen", proxy.DefaultListen, "address to listen on; the default also serves [::1] on the same port")
	fs.StringVar(&pf.db, "db", "", "SQLite database file (default: $GLASSBOX_HOME/glassbox.db or the user data directory)")
	fs.StringVar(&pf.upstreamCA, "upstream-ca", "", "PEM file of extra CA certificates to trust for origin servers")
	fs.BoolVar(&pf.insecureUpstream, "insecure-upstream", false, "do not verify origin servers' certificates (test servers only)")
	fs.Var(&pf.noMITM, "no-mitm", "host glob to tunnel without interception, e.g. '*.bank.example' (repeatable)")
	fs.Var(&pf.maxBody, "max-body", "most bytes of each body to store, e.g. 512KiB, 4MiB, 0 for none (bodies are always forwarded whole)")
	fs.BoolVar(&pf.allowRemote, "allow-remote", false, "allow listening on a non-loopback address")
	fs.BoolVar(&pf.verbose, "v", false, "log goproxy's own warnings too")
}

func runProxy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var pf proxyFlags
	fs := newFlagSet("proxy", "proxy [flags]", stderr)
	pf.register(fs)
	fs.Usage = func() {
		usage(stderr)
		fmt.Fprint(stderr, "\nFlags of glassbox and glassbox proxy:\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return serveProxy(ctx, pf, stderr)
}

func serveProxy(ctx context.Context, pf proxyFlags, stderr io.Writer) error {
	logger := log.New(stderr, "", log.Ltime)

	addrs, err := proxy.ListenAddrs(pf.listen)
	if err != nil {
		return err
	}
	for _, a := range addrs {
		if err := proxy.CheckRemote(a, pf.allowRemote); err != nil {
			return err
		}
	}
	ca, err := loadCA()
	if err != nil {
		return err
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
			return err
		}
		logger.Printf("trusting extra origin CAs from %s (--upstream-ca)", pf.upstreamCA)
	}
	if pf.insecureUpstream {
		logger.Printf("WARNING: --insecure-upstream: origin certificates are NOT verified; anyone between glassbox and a server can read and change the traffic")
	}

	lns, err := proxy.Listen(addrs)
	if err != nil {
		return err
	}

	dbPath, err := dbPathOrDefault(pf.db)
	if err != nil {
		closeAll(lns)
		return err
	}
	db, err := sqlite.Open(dbPath)
	if err != nil {
		closeAll(lns)
		return err
	}
	defer db.Close()
	listenDesc := make([]string, len(lns))
	for i, ln := range lns {
		listenDesc[i] = ln.Addr().String()
	}
	sess, err := db.StartSession(ctx, store.Session{Listen: strings.Join(listenDesc, " "), Source: "proxy"})
	if err != nil {
		closeAll(lns)
		return err
	}
	writer := db.NewWriter(sess.ID, sqlite.WriterOptions{OnError: func(err error) {
		logger.Printf("ERROR: cannot store flows (%v); glassbox keeps forwarding, unsaved flows are counted", err)
	}})

	maxBody := int64(pf.maxBody)
	if maxBody == 0 {
		maxBody = -1 // --max-body 0: store no bodies
	}
	p, err := proxy.New(proxy.Config{
		Recorder:         writer,
		CA:               ca,
		MaxBody:          maxBody,
		UpstreamRoots:    roots,
		InsecureUpstream: pf.insecureUpstream,
		NoMITM:           pf.noMITM,
		ListenAddrs:      listenDesc,
		OnFlow:           func(f *store.Flow) { logger.Print(flowLine(f)) },
		Logf: func(format string, args ...any) {
			if pf.verbose {
				logger.Printf(format, args...)
			}
		},
	})
	if err != nil {
		closeAll(lns)
		return err
	}

	srv := proxy.NewServer(p)
	srv.ErrorLog = log.New(io.Discard, "", 0)
	var wg sync.WaitGroup
	serveErr := make(chan error, len(lns))
	for _, ln := range lns {
		wg.Add(1)
		go func(ln net.Listener) {
			defer wg.Done()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				serveErr <- err
			}
		}(ln)
	}
	logger.Printf("glassbox %s listening on %s (session %d, database %s)", version, strings.Join(listenDesc, " and "), sess.ID, dbPath)
	logger.Printf("set your browser's proxy to %s; setup page and CA: http://%s/", listenDesc[0], listenDesc[0])

	var runErr error
	select {
	case <-ctx.Done():
		logger.Printf("stopping: finishing open requests and writing what is queued")
	case runErr = <-serveErr:
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	wg.Wait()
	p.Close()

	drainCtx, cancel2 := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel2()
	if err := writer.Close(drainCtx); err != nil {
		logger.Printf("ERROR: %v", err)
	}
	if err := db.EndSession(context.Background(), sess.ID, time.Now()); err != nil {
		logger.Printf("ERROR: %v", err)
	}
	st := writer.Stats()
	logger.Printf("session %d: %d flows recorded%s", sess.ID, st.Written, lossNote(st))
	return runErr
}

func lossNote(st store.RecorderStats) string {
	if st.Dropped == 0 && st.Failed == 0 {
		return ""
	}
	return fmt.Sprintf(", %d dropped (queue full), %d not written (%s)", st.Dropped, st.Failed, st.LastError)
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

// flowLine is the one log line per flow of `glassbox proxy`.
func flowLine(f *store.Flow) string {
	status := "---"
	if f.Status > 0 {
		status = fmt.Sprint(f.Status)
	}
	line := fmt.Sprintf("#%-4d %-7s %s %s %s %s", f.ID, f.Method, f.URL, status,
		humanBytes(f.RespBody.Size+f.BytesDown), humanDuration(f.Duration()))
	if f.Error != nil {
		line += "  error: " + explain.Summary(f.Error)
	}
	return line
}

func humanBytes(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%dB", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1fKB", float64(n)/1024)
	case n < 1<<30:
		return fmt.Sprintf("%.1fMB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.2fGB", float64(n)/(1<<30))
}

func humanDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000)
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
	case d < 10*time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}
