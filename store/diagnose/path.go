package diagnose

import (
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// criticalPath walks from the request that ended last back to the
// navigation, each step to the flow that caused it (store.Initiator),
// then returns the chain in order.
func (p *page) criticalPath(span time.Duration) []Step {
	last := p.lastEnded()
	if last == nil {
		return nil
	}
	var chain []Step
	seen := map[int64]bool{}
	for f := last; f != nil && !seen[f.ID] && len(chain) < len(p.flows); {
		seen[f.ID] = true
		prev, inferred := p.cause(f)
		chain = append(chain, Step{FlowID: f.ID, URL: f.URL, Via: f.Initiator.Type, Inferred: inferred,
			Start: store.Between(p.start, f.Start), Dur: f.Duration(), Phase: p.mainPhase(f)})
		f = prev
	}
	// Oldest first; each step's gap runs from the end of the one before.
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	var prevEnd time.Duration
	for i := range chain {
		s := &chain[i]
		if i > 0 {
			s.Gap = max(s.Start-prevEnd, 0)
			s.After = chain[i-1].FlowID
		} else {
			s.Gap = s.Start
		}
		prevEnd = s.Start + s.Dur
		if span > 0 {
			s.Share = float64(s.Gap+s.Dur) / float64(span)
		}
	}
	return chain
}

// lastEnded is the request the load waited on last: the HTTP flow that
// ended last (a WebSocket stays open as long as the page does).
func (p *page) lastEnded() *store.Flow {
	var last *store.Flow
	for _, f := range p.flows {
		if f.Kind == store.KindWebSocket || f.End.IsZero() {
			continue
		}
		if last == nil || f.End.After(last.End) {
			last = f
		}
	}
	return last
}

// cause is the flow that made f happen, and whether that is inferred. The
// initiator names it for a redirect and for a document's or stylesheet's
// reference; a script's request names none, so the cause is the last
// script of the page that ended before f started (the earliest a script
// could have asked), or the document when no script did.
func (p *page) cause(f *store.Flow) (*store.Flow, bool) {
	switch f.Initiator.Type {
	case store.InitNavigation:
		return nil, false
	case store.InitRedirect, store.InitParser, store.InitStylesheet:
		if c := p.byID(f.Initiator.FlowID); c != nil && f.Initiator.FlowID != f.ID {
			return c, false
		}
	}
	if f.ID == p.in.Page.FlowID {
		return nil, false
	}
	var script, doc *store.Flow
	for _, c := range p.flows {
		if c.ID == f.ID || c.End.IsZero() || !c.End.Before(f.Start) {
			continue
		}
		switch c.ResourceType {
		case "script":
			if script == nil || c.End.After(script.End) {
				script = c
			}
		case "document":
			if doc == nil || c.End.After(doc.End) {
				doc = c
			}
		}
	}
	if script != nil {
		return script, true
	}
	return doc, doc != nil
}

// mainPhase is the phase that took most of f's time.
func (p *page) mainPhase(f *store.Flow) string {
	t := p.timings[f.ID]
	best, bestDur := "", time.Duration(0)
	for _, ph := range store.TimingPhases {
		if d := t.Of(ph.Name); d > bestDur {
			best, bestDur = ph.Name, d
		}
	}
	return best
}

// byPhase sums each timing phase over the page's requests.
func (p *page) byPhase() []PhaseTotal {
	out := make([]PhaseTotal, 0, len(store.TimingPhases))
	for _, ph := range store.TimingPhases {
		pt := PhaseTotal{Phase: ph.Name, Label: ph.Label}
		for _, f := range p.flows {
			if d := p.timings[f.ID].Of(ph.Name); d > 0 {
				pt.Total += d
				pt.Flows++
			}
		}
		out = append(out, pt)
	}
	return out
}

// roundTrips counts what the page's new connections and requests cost in
// round trips.
func (p *page) roundTrips() RoundTrips {
	var rt RoundTrips
	for _, c := range p.opened() {
		d := c.conn.Dial()
		if l := p.in.Lookups[c.conn.LookupID]; l != nil && missed(l) {
			rt.DNS++
		}
		if d.TCP >= 0 {
			rt.TCP++
		}
		if d.TLS >= 0 && c.conn.TLS != nil {
			rt.TLS += tlsRoundTrips(c.conn.TLS)
		}
	}
	for _, f := range p.flows {
		if !f.WroteRequest.IsZero() || f.Status > 0 {
			rt.Requests++
		}
	}
	rt.Total = rt.DNS + rt.TCP + rt.TLS + rt.Requests
	return rt
}

// tlsRoundTrips is what a full handshake of that version costs: TLS 1.3
// one round trip (RFC 8446 §2), TLS 1.2 and older two (RFC 5246 §7.3),
// a resumed TLS 1.2 session one (RFC 5246 §7.3, the abbreviated
// handshake).
func tlsRoundTrips(t *store.TLSInfo) int {
	if t.Version == "TLS 1.3" || t.Resumed {
		return 1
	}
	return 2
}

// missed reports whether a lookup went to the network (or walked the
// hierarchy, in trace mode) rather than a cache or the hosts file.
func missed(l *store.Lookup) bool { return l.Source == "network" || l.Source == "trace" }

// openedConn is a connection a flow of the page opened.
type openedConn struct {
	conn *store.Conn
	flow *store.Flow // the flow that opened it
}

// opened lists the connections the page's flows opened, in the order of
// their first flow.
func (p *page) opened() []openedConn {
	var out []openedConn
	seen := map[int64]bool{}
	for _, f := range p.flows {
		if f.ConnID == 0 || f.ConnReused || seen[f.ConnID] {
			continue
		}
		if c := p.in.Conns[f.ConnID]; c != nil {
			seen[f.ConnID] = true
			out = append(out, openedConn{conn: c, flow: f})
		}
	}
	return out
}
