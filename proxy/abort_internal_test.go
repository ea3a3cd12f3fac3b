package proxy

import (
	"context"
	"testing"
)

// An exchangeAbort does for an intake request what context.AfterFunc
// did: what it holds runs once when it fires (at once if it had), and
// stopping says whether that happened.
func TestExchangeAbortAsAfterFunc(t *testing.T) {
	ran := 0
	fn := func() error { ran++; return nil }
	a := &exchangeAbort{}
	ctx := context.WithValue(context.Background(), abortKey{}, a)
	if abortOf(context.WithValue(ctx, wireKey{}, nil)) != a || abortOf(context.Background()) != nil {
		t.Fatal("abortOf does not find the request's abort through later values, or finds one where there is none")
	}
	a.hold(fn)
	if !a.drop() || ran != 0 {
		t.Fatalf("stopped before an abort: ran %d, want 0 and true", ran)
	}
	a.fire() // nothing held: nothing runs
	if ran != 0 {
		t.Fatalf("ran %d after a dropped hold", ran)
	}
	a.hold(fn) // after the abort: at once, as AfterFunc on a cancelled context
	if ran != 1 || a.drop() {
		t.Fatalf("a hold after the abort ran %d times and its stop said it was not aborted", ran)
	}
	b := &exchangeAbort{}
	b.hold(fn)
	b.fire()
	b.fire()
	if ran != 2 || b.drop() {
		t.Fatalf("an abort ran what it held %d times in all, want 2, and its stop said not aborted", ran)
	}
}
