package store

import "time"

// The one derivation of a flow's phases from its timestamps. Every view
// reads it: the list's bars, the Timing tab, the waterfalls, the reports,
// the log line and HAR. Durations are derived here, when shown, and never
// stored.

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

// Of returns one phase's duration as the story counts it: TLS apart from
// the TCP connect (HAR's Connect includes it).
func (t Timings) Of(phase string) time.Duration {
	switch phase {
	case PhaseBlocked:
		return t.Blocked
	case PhaseDNS:
		return t.DNS
	case PhaseConnect:
		if t.Connect > 0 && t.SSL > 0 {
			return t.Connect - t.SSL
		}
		return t.Connect
	case PhaseTLS:
		return t.SSL
	case PhaseSend:
		return t.Send
	case PhaseWait:
		return t.Wait
	case PhaseReceive:
		return t.Receive
	}
	return NotApplicable
}

// PhaseSpan is one phase of one flow on a time axis.
type PhaseSpan struct {
	Phase string // a timing phase (TimingPhases)
	Start time.Time
	Dur   time.Duration
}

// Spans lays the phases that took time end to end from start, in the
// order of the story, as waterfalls and bars draw them.
func (t Timings) Spans(start time.Time) []PhaseSpan {
	out := make([]PhaseSpan, 0, len(TimingPhases))
	at := start
	for _, p := range TimingPhases {
		if d := t.Of(p.Name); d > 0 {
			out = append(out, PhaseSpan{Phase: p.Name, Start: at, Dur: d})
			at = at.Add(d)
		}
	}
	return out
}

// Marks are the moments a flow's phases are cut at: the flow's own
// timestamps, and whether its connection had served a request before.
type Marks struct {
	Start, GotConn, WroteRequest, FirstByte, End time.Time
	Reused                                       bool
}

// Marks returns the flow's marks.
func (f *Flow) Marks() Marks {
	return Marks{Start: f.Start, GotConn: f.GotConn, WroteRequest: f.WroteRequest,
		FirstByte: f.FirstByte, End: f.End, Reused: f.ConnReused}
}

// StepConnection is InFlight's step before a connection is ready: the
// lookup, TCP and TLS handshakes (recorded on the connection's own record,
// which is written once it is open) or a wait for a free connection.
const StepConnection = "connection"

// InFlight says where a flow that has not ended is: the step it waits on
// and since when. The step is StepConnection until a connection is ready,
// then the phase names of TimingPhases: send, wait, receive. A flow that
// ended returns "".
func (m Marks) InFlight() (step string, since time.Time) {
	switch {
	case !m.End.IsZero():
		return "", time.Time{}
	case m.GotConn.IsZero():
		return StepConnection, m.Start
	case m.WroteRequest.IsZero() && m.FirstByte.IsZero():
		return "send", m.GotConn
	case m.FirstByte.IsZero():
		return "wait", m.WroteRequest
	}
	return "receive", m.FirstByte
}

// Dial is what opening a connection cost, from its record: NotApplicable
// for a step that did not happen (no lookup for an IP address, no TLS for
// plain HTTP).
type Dial struct {
	DNS, TCP, TLS time.Duration
}

// Dial returns what opening c cost; a nil c gives nil.
func (c *Conn) Dial() *Dial {
	if c == nil {
		return nil
	}
	d := &Dial{DNS: NotApplicable, TCP: NotApplicable, TLS: NotApplicable}
	if !c.DNSStart.IsZero() && !c.DNSEnd.IsZero() {
		d.DNS = Between(c.DNSStart, c.DNSEnd)
	}
	if !c.ConnectStart.IsZero() && !c.ConnectEnd.IsZero() {
		d.TCP = Between(c.ConnectStart, c.ConnectEnd)
		if !c.TLSStart.IsZero() && !c.TLSEnd.IsZero() {
			d.TLS = Between(c.TLSStart, c.TLSEnd)
		}
	}
	return d
}

// ComputeTimings derives a flow's phases from its timestamps and, when the
// flow opened a new connection, from that connection's (c may be nil).
func ComputeTimings(f *Flow, c *Conn) Timings { return f.Marks().Timings(c.Dial()) }

// Timings derives the phases. d is the dial of the flow's connection, nil
// when its record is not known; it counts only when the flow opened the
// connection (not Reused). Without it the time before the connection was
// ready is all Blocked: glassbox does not guess how it divides.
//
// Each phase runs from one mark to the next. A mark that is missing gives
// its time to the phase before it: a flow that failed before its request
// was written spent it all sending; one that failed before the first byte
// spent it waiting.
func (m Marks) Timings(d *Dial) Timings {
	t := Timings{Blocked: NotApplicable, DNS: NotApplicable, Connect: NotApplicable, SSL: NotApplicable}
	var dial time.Duration
	if d != nil && !m.Reused {
		if d.DNS >= 0 {
			t.DNS = d.DNS
			dial += d.DNS
		}
		if d.TCP >= 0 {
			t.Connect = d.TCP
			if d.TLS >= 0 {
				t.SSL = d.TLS
				t.Connect += d.TLS
			}
			dial += t.Connect
		}
	}
	// Never got a connection: everything until the failure was spent
	// getting one.
	ready := orEnd(m.GotConn, m.End)
	if wait := Between(m.Start, ready); wait > 0 {
		t.Blocked = max(wait-dial, 0)
	}
	if m.GotConn.IsZero() {
		return t
	}
	t.Send = Between(m.GotConn, orEnd(m.WroteRequest, m.End))
	if m.WroteRequest.IsZero() {
		return t
	}
	t.Wait = Between(m.WroteRequest, orEnd(m.FirstByte, m.End))
	if !m.FirstByte.IsZero() {
		t.Receive = Between(m.FirstByte, m.End)
	}
	return t
}

// Between is b-a, or 0 when either is unknown (zero) or b is before a.
func Between(a, b time.Time) time.Duration {
	if a.IsZero() || b.IsZero() || b.Before(a) {
		return 0
	}
	return b.Sub(a)
}

// orEnd is mark, or end when the mark is missing: its phase ran to the end.
func orEnd(mark, end time.Time) time.Time {
	if mark.IsZero() {
		return end
	}
	return mark
}
