package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glassbox-dev/glassbox/store/textsafe"
)

// asyncWriter takes log lines from the proxy's request goroutines without
// making them wait for the terminal: lines are queued and written in
// batches by one goroutine. The profile showed the per-flow log line's
// write(2) at 8% of the proxy's CPU when done on the request's goroutine.
// When the queue is full a line is dropped and counted, never blocked on:
// the log is a view, the database is the record.
type asyncWriter struct {
	ch      chan []byte
	out     *bufio.Writer
	dropped atomic.Int64
	// pending is set by the first line after a batch was taken, which also
	// sends on kick: the loop sleeps on kick while no line comes (an idle
	// proxy wakes no thread), and under load is kicked once a batch.
	pending atomic.Bool
	kick    chan struct{}
	done    chan struct{}
	stop    chan struct{} // closed by Close: write the rest now
	mu      sync.RWMutex  // guards closed against Writes racing Close
	closed  bool
}

var errLogClosed = errors.New("log closed")

func newAsyncWriter(w io.Writer) *asyncWriter {
	a := &asyncWriter{ch: make(chan []byte, 4096), out: bufio.NewWriterSize(w, 32<<10), done: make(chan struct{}), stop: make(chan struct{}),
		kick: make(chan struct{}, 1)}
	go a.loop()
	return a
}

func (a *asyncWriter) Write(p []byte) (int, error) {
	line := safeLogLine(p) // a copy: the logger reuses its buffer
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.closed {
		return 0, errLogClosed // a straggler after Close: never a send on a closed channel
	}
	select {
	case a.ch <- line:
	default:
		a.dropped.Add(1)
	}
	if a.pending.CompareAndSwap(false, true) {
		a.kick <- struct{}{} // room for it: only the line that set pending sends
	}
	return len(p), nil
}

func (a *asyncWriter) loop() {
	defer close(a.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		// Written in batches: 50 ms after the first line of a batch (or at
		// Close), whatever is queued is written with one write(2). The
		// loop never waits on the queue itself, which would wake this
		// goroutine once per line, nor on a ticker, which would wake an
		// idle proxy 20 times a second.
		select {
		case <-a.kick:
			timer.Reset(logBatch)
			select {
			case <-timer.C:
			case <-a.stop:
				timer.Stop()
			}
		case <-a.stop:
		}
		a.pending.Store(false) // a line from now on kicks the next batch
		for drained := false; !drained; {
			select {
			case line, ok := <-a.ch:
				if !ok {
					a.report()
					a.out.Flush()
					return
				}
				a.out.Write(line)
			default:
				drained = true
			}
		}
		a.report()
		a.out.Flush()
	}
}

// logBatch is how long log lines gather before they are written.
const logBatch = 50 * time.Millisecond

func (a *asyncWriter) report() {
	if n := a.dropped.Swap(0); n > 0 {
		fmt.Fprintf(a.out, "(%d log lines skipped: more flows per second than the terminal shows; all are recorded)\n", n)
	}
}

// Close writes what is queued and stops.
func (a *asyncWriter) Close() error {
	a.mu.Lock()
	if !a.closed {
		a.closed = true
		close(a.ch)
		close(a.stop)
	}
	a.mu.Unlock()
	<-a.done
	return nil
}

// safeLogLine is one log entry as it is written: on one line, what it holds
// shown by textsafe's rule, ending in a newline. Log lines carry captured
// text (a URL's query may hold ESC or C1 bytes, goproxy's warnings quote
// requests), and log.Logger writes each entry with one Write.
func safeLogLine(p []byte) []byte {
	p = bytes.TrimSuffix(p, []byte{'\n'})
	return append(textsafe.AppendLine(make([]byte, 0, len(p)+1), p), '\n')
}
