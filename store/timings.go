package store

import "time"

// Timings are a flow's phases in the HAR 1.2 sense (HAR spec, "timings"):
// a negative value (-1) means the phase did not happen for this request,
// e.g. DNS, Connect and SSL on a reused connection. Connect includes SSL,
// as HAR requires. Send, Wait and Receive are never negative.
type Timings struct {
	Blocked time.Duration // waiting for a connection (queueing, not dialing)
	DNS     time.Duration
	Connect time.Duration // TCP, plus the TLS handshake when there was one
	SSL     time.Duration
	Send    time.Duration
	Wait    time.Duration // time to first byte once the request was sent
	Receive time.Duration
}

// NotApplicable marks a phase that did not happen.
const NotApplicable time.Duration = -1

// Total is the sum of the phases that happened (SSL is inside Connect).
func (t Timings) Total() time.Duration {
	var sum time.Duration
	for _, d := range []time.Duration{t.Blocked, t.DNS, t.Connect, t.Send, t.Wait, t.Receive} {
		if d > 0 {
			sum += d
		}
	}
	return sum
}

// ComputeTimings derives a flow's phases from its timestamps and, when the
// flow opened a new connection, from that connection's (c may be nil).
func ComputeTimings(f *Flow, c *Conn) Timings {
	t := Timings{Blocked: NotApplicable, DNS: NotApplicable, Connect: NotApplicable, SSL: NotApplicable}
	span := func(a, b time.Time) time.Duration {
		if a.IsZero() || b.IsZero() || b.Before(a) {
			return 0
		}
		return b.Sub(a)
	}
	// The dial, when this flow paid for it.
	var dial time.Duration
	if c != nil && !f.ConnReused {
		if !c.DNSStart.IsZero() && !c.DNSEnd.IsZero() {
			t.DNS = span(c.DNSStart, c.DNSEnd)
			dial += t.DNS
		}
		if !c.ConnectStart.IsZero() && !c.ConnectEnd.IsZero() {
			t.Connect = span(c.ConnectStart, c.ConnectEnd)
			if !c.TLSStart.IsZero() && !c.TLSEnd.IsZero() {
				t.SSL = span(c.TLSStart, c.TLSEnd)
				t.Connect += t.SSL
			}
			dial += t.Connect
		}
	}
	ready := f.GotConn
	if ready.IsZero() {
		// Never got a connection: everything until the failure was spent
		// getting one.
		ready = f.End
	}
	if wait := span(f.Start, ready); wait > 0 {
		if b := wait - dial; b > 0 {
			t.Blocked = b
		} else {
			t.Blocked = 0
		}
	}
	if !f.GotConn.IsZero() {
		sent := f.WroteRequest
		if sent.IsZero() {
			sent = f.End
		}
		t.Send = span(f.GotConn, sent)
		if !f.WroteRequest.IsZero() {
			first := f.FirstByte
			if first.IsZero() {
				first = f.End
			}
			t.Wait = span(f.WroteRequest, first)
			if !f.FirstByte.IsZero() {
				t.Receive = span(f.FirstByte, f.End)
			}
		}
	}
	return t
}
