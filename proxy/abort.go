package proxy

import (
	"context"
	"sync"
)

// exchangeAbort ends a request's exchange with the origin when the
// intake's watch sees the browser leave. The h1Client hands it the
// connection's Close instead of registering that with context.AfterFunc,
// which for every request made the request context's channel and a map
// of its children and took its lock twice: 1.5% of an intercepted
// request's CPU in https-32's profile. Only the intake's requests carry
// one, and nothing else cancels their context before they end (its base
// is context.Background's; the watch is the only other canceller), so
// the watch firing it is the whole of what AfterFunc did for them.
type exchangeAbort struct {
	cancel func() // the request's context's, cancelled first
	mu     sync.Mutex
	fired  bool
	fn     func() error
}

type abortKey struct{}

// abortOf is the request's exchangeAbort, nil when it came another way
// (net/http's server, HTTP/2): then context.AfterFunc does its work.
func abortOf(ctx context.Context) *exchangeAbort {
	a, _ := ctx.Value(abortKey{}).(*exchangeAbort)
	return a
}

// hold runs fn when the exchange is aborted: at once if it already was.
func (a *exchangeAbort) hold(fn func() error) {
	a.mu.Lock()
	if a.fired {
		a.mu.Unlock()
		fn()
		return
	}
	a.fn = fn
	a.mu.Unlock()
}

// drop forgets what hold was given; false when it ran because the
// exchange was aborted (context.AfterFunc's stop says the same).
func (a *exchangeAbort) drop() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fn = nil
	return !a.fired
}

// fire cancels the request and aborts its exchange.
func (a *exchangeAbort) fire() {
	if a.cancel != nil {
		a.cancel()
	}
	a.mu.Lock()
	a.fired = true
	fn := a.fn
	a.fn = nil
	a.mu.Unlock()
	if fn != nil {
		fn()
	}
}

// exchangeStop ends the wait for an abort of one exchange: the
// exchangeAbort's, or the stop of a context.AfterFunc.
type exchangeStop struct {
	abort *exchangeAbort
	after func() bool
}

// stop reports whether the exchange was not aborted.
func (s exchangeStop) stop() bool {
	if s.abort != nil {
		return s.abort.drop()
	}
	return s.after()
}

// watchAbort makes the exchange on pc end when ctx's request is aborted.
func watchAbort(ctx context.Context, pc *h1Conn) exchangeStop {
	if a := abortOf(ctx); a != nil {
		a.hold(pc.close)
		return exchangeStop{abort: a}
	}
	return exchangeStop{after: context.AfterFunc(ctx, func() { pc.conn.Close() })}
}
