package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
)

// Limits of Stop.
const (
	// shutdownTimeout is how long open requests may take to finish.
	shutdownTimeout = 5 * time.Second
	// drainTimeout is how long the writer may take to store what is
	// queued (the body queue alone may hold 64 MiB).
	drainTimeout = 30 * time.Second
)

func runProxy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := loadProxyConfig("proxy", args, stderr)
	if err != nil {
		return err
	}
	return serveProxy(ctx, cfg, stderr)
}

// serveProxy runs the proxy headless until ctx ends or a listener fails,
// with one log line per flow on stderr.
func serveProxy(ctx context.Context, cfg proxyConfig, stderr io.Writer) error {
	out := newAsyncWriter(stderr)
	defer out.Close()
	logger := log.New(out, "", log.Ltime)
	rp, err := startProxy(ctx, cfg, logger, func(f *store.Flow, c *store.Conn) { logger.Print(flowLine(f, c)) })
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

// runningProxy is a started proxy with its store, for `glassbox proxy` and
// the live inspector.
type runningProxy struct {
	DB      *sqlite.DB
	Session store.Session
	Writer  *sqlite.Writer
	// recorder is what the proxy records through: the Writer, or, for a
	// proxy attached to an older session (glassbox resend), an
	// offsetRecorder over it.
	recorder store.Recorder
	Listen   []string // the addresses actually listened on
	DBPath   string

	logger    *log.Logger
	listeners []net.Listener // the proxy's, guarded
	pprof     net.Listener   // nil without --pprof
	proxy     *proxy.Proxy
	srv       *http.Server
	intakes   []*proxy.Intake // serve the listeners before srv (proxy/intake.go)
	pprofSrv  *http.Server
	wg        sync.WaitGroup
	errc      chan error
	teardown  teardown // what startProxy made, to undo
	stopped   bool
}

// Errors reports a listener that failed while serving.
func (rp *runningProxy) Errors() <-chan error { return rp.errc }

// Stop stops serving, then undoes the start-up: the writer drains into the
// database, the session ends, the database closes. It is safe to call
// twice.
func (rp *runningProxy) Stop() {
	if rp.stopped {
		return
	}
	rp.stopped = true
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	_ = rp.srv.Shutdown(shutdownCtx)
	for _, in := range rp.intakes {
		in.Shutdown(shutdownCtx)
	}
	if rp.pprofSrv != nil {
		rp.pprofSrv.Close()
	}
	rp.wg.Wait()
	rp.teardown.run()
	st := rp.Writer.Stats()
	rp.logger.Printf("session %d: %d records written (flows, pages, connections, lookups)%s", rp.Session.ID, st.Written, lossNote(st))
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
