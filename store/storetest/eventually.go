// Package storetest holds what tests across glassbox share and nothing a
// program runs: today one poll-until helper, for the few things a test
// can only observe by looking again (a terminal's screen, a counter in
// another process, a database another process writes). It imports only
// the standard library, so any package's tests may use it.
//
// Where a test can wait on a signal (a channel, a callback, a server's
// NotifyStartedFunc), it should: polling is for what gives no signal.
package storetest

import (
	"testing"
	"time"
)

// Poll intervals: the first look again is almost at once (a goroutine
// that needs a moment), later ones back off to maxInterval, so a long
// limit costs at most limit/maxInterval + 6 calls of cond.
const (
	minInterval = time.Millisecond
	maxInterval = 50 * time.Millisecond
)

// Eventually calls cond until it returns true, and fails the test with
// what ("the flow to be stored") when limit passes first. cond runs on
// the test's goroutine; it is called once more at the limit, so a
// condition that holds just then passes.
func Eventually(tb testing.TB, limit time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(limit)
	for wait := minInterval; !cond(); wait = min(2*wait, maxInterval) {
		left := time.Until(deadline)
		if left <= 0 {
			tb.Fatalf("gave up after %v waiting for %s", limit, what)
		}
		time.Sleep(min(wait, left))
	}
}
