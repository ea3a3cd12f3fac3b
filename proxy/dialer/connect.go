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
	results := make(chan attemptResult, len(addrs)) // never blocks a sender
	next, pending := 0, 0
	startNext := func() {
		addr := netip.AddrPortFrom(addrs[next], port).String()
		next++
		pending++
		i := len(info.Attempts)
		now := d.cfg.Now()
		if i == 0 {
			info.ConnectStart = now
		}
		info.Attempts = append(info.Attempts, store.DialAttempt{Addr: addr, Start: now})
		go func() {
			actx, acancel := context.WithTimeout(ctx, d.cfg.ConnectTimeout)
			defer acancel()
			c, err := d.cfg.NetDial(actx, network, addr)
			results <- attemptResult{i: i, conn: c, err: err, end: d.cfg.Now()}
		}()
	}
	// giveUp marks the attempts still running as canceled and leaves a
	// goroutine to close any that connect before they notice.
	giveUp := func() {
		cancel()
		now := d.cfg.Now()
		for i := range info.Attempts {
			if a := &info.Attempts[i]; a.End.IsZero() {
				a.End, a.Outcome = now, OutcomeCanceled
			}
		}
		go func(n int) {
			for range n {
				if r := <-results; r.conn != nil {
					r.conn.Close()
				}
			}
		}(pending)
	}

	startNext()
	timer := time.NewTimer(d.cfg.FallbackDelay)
	defer timer.Stop()
	var firstErr error
	for pending > 0 {
		select {
		case r := <-results:
			pending--
			a := &info.Attempts[r.i]
			a.End = r.end
			if r.err == nil {
				a.Outcome = OutcomeOK
				info.ConnectEnd = r.end
				giveUp()
				return r.conn, nil
			}
			a.Outcome, a.Error = attemptOutcome(r.err), r.err.Error()
			info.ConnectEnd = r.end
			if firstErr == nil {
				firstErr = r.err
			}
			if next < len(addrs) {
				startNext()
				timer.Reset(d.cfg.FallbackDelay)
			}
		case <-timer.C:
			if next < len(addrs) {
				startNext()
				timer.Reset(d.cfg.FallbackDelay)
			}
		case <-ctx.Done():
			// The caller gave up; do not wait for an inner dial that
			// ignores its context.
			err := ctx.Err()
			giveUp()
			info.ConnectEnd = d.cfg.Now()
			return nil, err
		}
	}
	return nil, firstErr
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
