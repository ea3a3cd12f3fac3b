package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"sync"

	"golang.org/x/term"

	"github.com/glassbox-dev/glassbox/inspector"
	"github.com/glassbox-dev/glassbox/store"
)

// runLive is `glassbox` with no command: the proxy, recording, with the
// live inspector in this terminal. The terminal belongs to the inspector,
// so the proxy's log goes to a ring of recent lines the inspector shows
// (the last under the list, all of them with L: the start-up lines and one
// line per request, as glassbox proxy prints them); once the inspector
// closes, the log goes to stderr again for the shutdown lines.
//
// Without a terminal (piped, CI, `make run` in a non-tty) it says so and
// runs the proxy headless, as `glassbox proxy` would.
func runLive(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := loadProxyConfig("glassbox", args, stderr)
	if err != nil {
		return err
	}
	if !isTerminal(os.Stdin) || !isTerminal(os.Stdout) {
		fmt.Fprintln(stderr, "glassbox: no terminal here (input or output is not a tty), so no live inspector: running the proxy headless, as glassbox proxy")
		return serveProxy(ctx, cfg, stderr)
	}
	logs := &logRing{max: 500}
	logger := log.New(logs, "", log.Ltime)
	// One line per flow, as glassbox proxy prints: L shows them.
	rp, err := startProxy(ctx, cfg, logger, func(f *store.Flow, c *store.Conn) { logger.Print(flowLine(f, c)) })
	if err != nil {
		return err
	}
	logger.Printf("glassbox %s listening on %s (session %d, database %s)", version, strings.Join(rp.Listen, " and "), rp.Session.ID, rp.DBPath)

	uiCtx, cancel := context.WithCancel(ctx)
	serveErr := make(chan error, 1)
	go func() {
		select {
		case err := <-rp.Errors():
			serveErr <- err
			cancel()
		case <-uiCtx.Done():
		}
	}()
	runErr := inspector.Run(uiCtx, inspector.Options{
		Reader: rp.DB, SessionID: rp.Session.ID, Live: true, Listen: rp.Listen,
		Stats: rp.Writer.Stats, Logs: logs.Lines, Deleter: rp.DB, Annotator: rp.DB, Version: version, ExportDir: cfg.exportDir,
		Resend: inspectorResend(resendVia(cfg, rp.DBPath)),
	})
	cancel()
	logs.tee(stderr)
	logger.Printf("stopping: finishing open requests and writing what is queued")
	rp.Stop()
	select {
	case err := <-serveErr:
		if runErr == nil {
			runErr = err
		}
	default:
	}
	return runErr
}

// isTerminal reports whether f is a terminal (not merely a character
// device: /dev/null is one too).
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// logRing keeps the last max lines written to it; after tee, lines also
// go to w. It is the proxy logger's writer in live mode.
type logRing struct {
	mu    sync.Mutex
	max   int
	lines []string
	out   io.Writer
}

func (l *logRing) Write(p []byte) (int, error) {
	line := safeLogLine(p)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, string(line[:len(line)-1]))
	if n := len(l.lines) - l.max; n > 0 {
		l.lines = append(l.lines[:0], l.lines[n:]...)
	}
	if l.out != nil {
		if _, err := l.out.Write(line); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Lines returns a copy of the kept lines, oldest first.
func (l *logRing) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

func (l *logRing) tee(w io.Writer) {
	l.mu.Lock()
	l.out = w
	l.mu.Unlock()
}
