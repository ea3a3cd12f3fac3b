package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
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
