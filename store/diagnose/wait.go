package diagnose

import (
	"fmt"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// queuedHTTP1: requests that waited for one of a host's HTTP/1.1
// connections. An HTTP/1.1 connection carries one request at a time
// (RFC 9112 §9.3), and browsers open at most http1Limit per host: the
// rest wait in the browser, where glassbox cannot see them, so the record
// shows them as requests that reached glassbox only as another to the
// host ended while the limit was in flight. Requests that waited inside
// glassbox for a connection to an HTTP/1.1 origin count too.
func queuedHTTP1(p *page) []Finding {
	var ids []int64
	var hosts []string
	seenHost := map[string]bool{}
	var blocked time.Duration
	for _, f := range p.flows {
		if !http1(f) {
			continue
		}
		b := p.timings[f.ID].Blocked
		if p.waitedForSlot(f) || b >= blockedMin {
			ids = append(ids, f.ID)
			blocked += max(b, 0)
			if h := f.Host(); !seenHost[h] {
				seenHost[h] = true
				hosts = append(hosts, h)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return []Finding{{Kind: KindQueued,
		Title:   fmt.Sprintf("%s waited for a free HTTP/1.1 connection to %s", plural(len(ids), "request"), strings.Join(hosts, ", ")),
		Numbers: []Number{{"requests queued", fmt.Sprint(len(ids))}, {"per-host limit", fmt.Sprint(http1Limit)}, {"queued inside glassbox", dur(blocked)}},
		FlowIDs: ids,
		Evidence: fmt.Sprintf("each started within %s of another request to its host ending while %d were in flight, "+
			"or waited at least %s for a connection (the browser's own queue is not recorded: the time before it reached glassbox is not counted)",
			dur(queueSlack), http1Limit, dur(blockedMin)),
		Fix: "Serve the host over HTTP/2 (RFC 9113), which carries every request at once on one connection; " +
			"or send fewer requests (combine small images, inline tiny ones)."}}
}

// http1 reports whether a flow went over HTTP/1.x on the browser's leg
// or to the origin.
func http1(f *store.Flow) bool {
	return strings.HasPrefix(f.Proto, "HTTP/1") || strings.HasPrefix(f.OriginProto, "HTTP/1")
}

// waitedForSlot reports whether f reached glassbox within queueSlack of
// another request to its host ending, at a moment when http1Limit of
// them were in flight.
func (p *page) waitedForSlot(f *store.Flow) bool {
	if !strings.HasPrefix(f.Proto, "HTTP/1") {
		return false
	}
	host := f.Host()
	for _, g := range p.flows {
		if g.ID == f.ID || g.Host() != host || g.End.IsZero() || g.End.After(f.Start) || f.Start.Sub(g.End) > queueSlack {
			continue
		}
		// In flight just before g ended: started before, ended at or after.
		n := 0
		for _, h := range p.flows {
			if h.Host() == host && strings.HasPrefix(h.Proto, "HTTP/1") && h.Start.Before(g.End) && !h.End.Before(g.End) {
				n++
			}
		}
		if n >= http1Limit {
			return true
		}
	}
	return false
}

// tls12: connections secured with TLS 1.2 or older paid two round trips
// for the handshake where TLS 1.3 pays one (RFC 8446 §2, RFC 5246 §7.3).
func tls12(p *page) []Finding {
	var ids []int64
	var hosts []string
	seen := map[string]bool{}
	var spent time.Duration
	for _, oc := range p.opened() {
		t := oc.conn.TLS
		if t == nil || t.Version == "" || t.Version == "TLS 1.3" || t.Resumed {
			continue
		}
		ids = append(ids, oc.flow.ID)
		spent += max(p.timings[oc.flow.ID].SSL, 0)
		if !seen[oc.conn.Host] {
			seen[oc.conn.Host] = true
			hosts = append(hosts, oc.conn.Host+" ("+t.Version+")")
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return []Finding{{Kind: KindTLS12,
		Title:    fmt.Sprintf("%s used TLS 1.2: a round trip more each, %s of handshakes", plural(len(ids), "connection"), dur(spent)),
		Numbers:  []Number{{"connections", fmt.Sprint(len(ids))}, {"extra round trips", fmt.Sprint(len(ids))}, {"time in TLS", dur(spent)}},
		FlowIDs:  ids,
		Evidence: "the handshakes with " + strings.Join(hosts, ", ") + " negotiated TLS 1.2, whose full handshake takes two round trips (RFC 5246 §7.3)",
		Fix:      "Enable TLS 1.3 on the server: its full handshake takes one round trip (RFC 8446 §2)."}}
}

// slowServer: waits for the first byte that are long, and long against
// the network's round trip to the same server.
func slowServer(p *page) []Finding {
	var out []Finding
	for _, f := range p.flows {
		wait := p.timings[f.ID].Wait
		rtt := p.rttTo(f)
		if wait < slowWaitMin || rtt <= 0 || wait < slowWaitFactor*rtt {
			continue
		}
		out = append(out, Finding{Kind: KindSlowServer,
			Title:    fmt.Sprintf("The server took %s to answer #%d, over a network with a %s round trip", dur(wait), f.ID, dur(rtt)),
			Numbers:  []Number{{"server wait", dur(wait)}, {"network round trip", dur(rtt)}},
			FlowIDs:  []int64{f.ID},
			Evidence: fmt.Sprintf("#%d %s waited %s for its first byte; a TCP handshake with %s took %s", f.ID, f.URL, dur(wait), f.Host(), dur(rtt)),
			Fix: "The time is the server's work, not the network's: look at what it does for this request " +
				"(queries, calls to other services, cold caches), or cache the answer."})
	}
	return out
}

// rttTo is the shortest TCP handshake to f's server among the page's
// connections: one network round trip (RFC 9293 §3.5); 0 when none was
// recorded.
func (p *page) rttTo(f *store.Flow) time.Duration {
	c := p.conn(f)
	if c == nil {
		return 0
	}
	var best time.Duration
	if d := c.Dial(); d.TCP > 0 {
		best = d.TCP
	}
	for _, oc := range p.opened() {
		if oc.conn.Host != c.Host {
			continue
		}
		if d := oc.conn.Dial(); d.TCP > 0 && (best == 0 || d.TCP < best) {
			best = d.TCP
		}
	}
	return best
}
