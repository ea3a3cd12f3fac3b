package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Lines arrive whole and in order, all of them by Close; a line written
// after Close is refused, not a panic.
func TestAsyncWriterOrderAndClose(t *testing.T) {
	var out bytes.Buffer // read only after Close, which waits for the writing goroutine
	a := newAsyncWriter(&out)
	var want strings.Builder
	for i := 0; i < 1000; i++ {
		line := fmt.Sprintf("flow %d\n", i)
		want.WriteString(line)
		if _, err := a.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	if got := out.String(); got != want.String() {
		t.Fatalf("got %d bytes, want %d; first difference near %q", len(got), want.Len(), firstDiff(got, want.String()))
	}
	if _, err := a.Write([]byte("late\n")); err == nil {
		t.Error("a Write after Close was accepted")
	}
	a.Close() // twice is harmless
	if strings.Contains(out.String(), "late") {
		t.Error("a line written after Close reached the output")
	}
}

func firstDiff(a, b string) string {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i:min(len(a), i+20)]
		}
	}
	return "(one is a prefix of the other)"
}

// A URL's ESC and C1 (as UTF-8 or raw bytes) never reach the terminal
// through a log line, and a newline in a message starts no line of its own,
// in the headless log and in the live inspector's log alike.
func TestLogLinesShowControls(t *testing.T) {
	entry := "#1   GET     http://shop.test/?q=\x1b[2J\x1b]52;c;aGk=\x07\u009b\x9b x\nforged line\n"
	want := "#1   GET     http://shop.test/?q=␛[2J␛]52;c;aGk=␇\uFFFD\uFFFD x␊forged line\n"
	var out bytes.Buffer
	a := newAsyncWriter(&out)
	a.Write([]byte(entry))
	a.Close()
	if out.String() != want {
		t.Errorf("headless log: %q, want %q", out.String(), want)
	}
	var tee bytes.Buffer
	ring := &logRing{max: 10, out: &tee}
	ring.Write([]byte(entry))
	if lines := ring.Lines(); len(lines) != 1 || lines[0]+"\n" != want || tee.String() != want {
		t.Errorf("live log: %q, then %q; want %q", lines, tee.String(), want)
	}
}

// flushes receives what the log writer writes, one flush at a time.
type flushes chan string

func (f flushes) Write(p []byte) (int, error) {
	f <- string(p)
	return len(p), nil
}

// An idle writer sleeps until a line comes (no ticker), and each line, the
// first after a quiet spell included, still reaches the output in about a
// batch's time, without Close.
func TestAsyncWriterWritesAfterQuiet(t *testing.T) {
	out := make(flushes, 16)
	a := newAsyncWriter(out)
	defer a.Close()
	for i := range 3 {
		line := fmt.Sprintf("flow %d\n", i)
		if _, err := a.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-out:
			if got != line {
				t.Fatalf("wrote %q, want %q", got, line)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("line %d not written within 5 s of a quiet spell", i)
		}
		time.Sleep(3 * logBatch) // quiet: the writer goes back to sleep
	}
}
