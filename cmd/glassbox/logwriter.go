package main

import (
	"bufio"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
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
	done    chan struct{}
	once    sync.Once
}

func newAsyncWriter(w io.Writer) *asyncWriter {
	a := &asyncWriter{ch: make(chan []byte, 4096), out: bufio.NewWriterSize(w, 32<<10), done: make(chan struct{})}
	go a.loop()
	return a
}

func (a *asyncWriter) Write(p []byte) (int, error) {
	line := append([]byte(nil), p...) // the logger reuses its buffer
	select {
	case a.ch <- line:
	default:
		a.dropped.Add(1)
	}
	return len(p), nil
}

func (a *asyncWriter) loop() {
	defer close(a.done)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case line, ok := <-a.ch:
			if !ok {
				a.report()
				a.out.Flush()
				return
			}
			// Written in batches: the ticker (or a full buffer) flushes, so a
			// busy proxy makes one write(2) per 50 ms, not one per flow.
			a.out.Write(line)
		case <-tick.C:
			a.report()
			a.out.Flush()
		}
	}
}

func (a *asyncWriter) report() {
	if n := a.dropped.Swap(0); n > 0 {
		fmt.Fprintf(a.out, "(%d log lines skipped: more flows per second than the terminal shows; all are recorded)\n", n)
	}
}

// Close writes what is queued and stops.
func (a *asyncWriter) Close() error {
	a.once.Do(func() { close(a.ch) })
	<-a.done
	return nil
}
