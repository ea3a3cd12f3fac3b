package dialer

import (
	"context"
	"net"
	"net/netip"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// Outcomes of a TCP attempt, for store.DialAttempt.Outcome.
const (
	OutcomeOK          = "ok"
	OutcomeRefused     = "refused"
	OutcomeTimeout     = "timeout"
	OutcomeUnreachable = "unreachable"
	OutcomeCanceled    = "canceled" // another attempt won, or the caller gave up
	OutcomeError       = "error"
)

// sortAddrs orders addresses for connection attempts as RFC 8305 §4 says:
// alternate the families, IPv6 first, keeping the resolver's order within
// each family. With one family the order is the resolver's.
func sortAddrs(addrs []netip.Addr) []netip.Addr {
	var v6, v4 []netip.Addr
	for _, a := range addrs {
		if a.Unmap().Is4() {
			v4 = append(v4, a)
		} else {
			v6 = append(v6, a)
		}
	}
	out := make([]netip.Addr, 0, len(addrs))
	for i := 0; i < len(v6) || i < len(v4); i++ {
		if i < len(v6) {
			out = append(out, v6[i])
		}
		if i < len(v4) {
			out = append(out, v4[i])
		}
	}
	return out
}

// attemptResult is what one attempt's goroutine reports.
type attemptResult struct {
	i    int // index in info.Attempts
	conn net.Conn
	err  error
	end  time.Time
}

// connect races staggered TCP attempts to addrs (RFC 8305 §5): the first
// starts at once, each next one after FallbackDelay or as soon as the one
// before it fails, whichever comes first. The first to connect wins; the
// others are canceled, and any that connect anyway are closed. Every
// attempt is recorded on info, in start order. It returns the first error
// when all fail, as net.Dialer does.
func (d *Dialer) connect(ctx context.Context, network string, addrs []netip.Addr, port uint16, info *store.Conn) (net.Conn, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &race{d: d, ctx: ctx, cancel: cancel, network: network, addrs: addrs, port: port, info: info,
		results: make(chan attemptResult, len(addrs))} // never blocks a sender
	r.startNext()
	timer := time.NewTimer(d.cfg.FallbackDelay)
	defer timer.Stop()
	var firstErr error
	for r.pending > 0 {
		select {
		case res := <-r.results:
			if r.ended(res) {
				r.giveUp()
				return res.conn, nil
			}
			if firstErr == nil {
				firstErr = res.err
			}
			if r.startNext() {
				timer.Reset(d.cfg.FallbackDelay)
			}
		case <-timer.C:
			if r.startNext() {
				timer.Reset(d.cfg.FallbackDelay)
			}
		case <-ctx.Done():
			// The caller gave up; do not wait for an inner dial that
			// ignores its context.
			err := ctx.Err()
			r.giveUp()
			info.ConnectEnd = d.cfg.Now()
			return nil, err
		}
	}
	return nil, firstErr
}

// race is the state of one connect: the attempts started and still
// running, recorded on info as they start and end.
type race struct {
	d       *Dialer
	ctx     context.Context
	cancel  context.CancelFunc
	network string
	addrs   []netip.Addr
	port    uint16
	info    *store.Conn
	results chan attemptResult
	next    int // the index in addrs of the next attempt
	pending int // attempts started whose result has not been read
}

// startNext starts an attempt to the next address, if any is left.
func (r *race) startNext() bool {
	if r.next >= len(r.addrs) {
		return false
	}
	addr := netip.AddrPortFrom(r.addrs[r.next], r.port).String()
	r.next++
	r.pending++
	i := len(r.info.Attempts)
	now := r.d.cfg.Now()
	if i == 0 {
		r.info.ConnectStart = now
	}
	r.info.Attempts = append(r.info.Attempts, store.DialAttempt{Addr: addr, Start: now})
	go func() {
		actx, acancel := context.WithTimeout(r.ctx, r.d.cfg.ConnectTimeout)
		defer acancel()
		c, err := r.d.cfg.NetDial(actx, r.network, addr)
		r.results <- attemptResult{i: i, conn: c, err: err, end: r.d.cfg.Now()}
	}()
	return true
}

// ended records how an attempt ended, and reports whether it connected.
func (r *race) ended(res attemptResult) (connected bool) {
	r.pending--
	a := &r.info.Attempts[res.i]
	a.End = res.end
	r.info.ConnectEnd = res.end
	if res.err == nil {
		a.Outcome = OutcomeOK
		return true
	}
	a.Outcome, a.Error = attemptOutcome(res.err), res.err.Error()
	return false
}

// giveUp cancels the attempts still running, marks them canceled, and
// leaves a goroutine to close any that connect before they notice.
func (r *race) giveUp() {
	r.cancel()
	now := r.d.cfg.Now()
	for i := range r.info.Attempts {
		if a := &r.info.Attempts[i]; a.End.IsZero() {
			a.End, a.Outcome = now, OutcomeCanceled
		}
	}
	go func(n int, results <-chan attemptResult) {
		for range n {
			if res := <-results; res.conn != nil {
				res.conn.Close()
			}
		}
	}(r.pending, r.results)
}

// attemptOutcome names how one attempt ended.
func attemptOutcome(err error) string {
	switch connectKind(err) {
	case store.FailRefused:
		return OutcomeRefused
	case store.FailUnreachable:
		return OutcomeUnreachable
	case store.FailTimeout:
		return OutcomeTimeout
	case store.FailCanceled:
		return OutcomeCanceled
	}
	return OutcomeError
}
