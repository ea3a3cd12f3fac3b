package diagnose

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// Thresholds of the connection findings.
const (
	// missedLookupsMin: a first visit pays one lookup for the page's own
	// host, which nothing on the page can avoid; each more name is a
	// round trip more before its requests can start.
	missedLookupsMin = 2
	// manyConnsMin: browsers open up to six HTTP/1.1 connections per host
	// and one HTTP/2 connection; four or more to one host mean four
	// handshakes where multiplexing would pay one.
	manyConnsMin = 4
	// http1Limit is the browsers' number of HTTP/1.1 connections per host
	// (Chromium's and Firefox's six; RFC 9112 §9.4 asks clients to limit
	// them, without a number).
	http1Limit = 6
	// queueSlack: a request that reaches glassbox within this long of
	// another to its host ending, while the browser had http1Limit in
	// flight, waited for that connection to free up.
	queueSlack = 50 * time.Millisecond
	// blockedMin is how long a request must wait inside glassbox for a
	// connection to its HTTP/1.1 origin to count as queued there.
	blockedMin = 50 * time.Millisecond
	// reuseSlack: a connection goes back to the pool just after the last
	// byte of its response; a request within this long of that could not
	// have had it, and no page could change that.
	reuseSlack = 10 * time.Millisecond
	// slowWaitMin and slowWaitFactor: a server wait of at least 200 ms,
	// and at least 10 times the network's round trip to that server (its
	// TCP handshake), is the server's work, not the network's.
	slowWaitMin    = 200 * time.Millisecond
	slowWaitFactor = 10
)

// redirectChain: every redirect the page followed costs a request and its
// round trips before the page can continue (RFC 9110 §15.4).
func redirectChain(p *page) []Finding {
	var ids []int64
	var spent time.Duration
	var hops []string
	for _, f := range p.flows {
		if f.Status >= 300 && f.Status < 400 && f.Status != 304 && f.RespHeaders.Get("Location") != "" {
			ids = append(ids, f.ID)
			spent += f.Duration()
			hops = append(hops, fmt.Sprintf("#%d %d", f.ID, f.Status))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return []Finding{{Kind: KindRedirectChain,
		Title:   fmt.Sprintf("%s cost %s before the content", plural(len(ids), "redirect"), dur(spent)),
		Numbers: []Number{{"redirects", fmt.Sprint(len(ids))}, {"time in redirects", dur(spent)}},
		FlowIDs: ids,
		Evidence: "responses " + strings.Join(hops, ", ") + " with a Location header (RFC 9110 §15.4): " +
			"each sent the browser to ask again",
		Fix: "Link to the final URL. For http:// to https://, send Strict-Transport-Security so the browser " +
			"upgrades by itself next time (RFC 6797 §5)."}}
}

// lookupsMissed: names the page's connections had to ask DNS servers for.
func lookupsMissed(p *page) []Finding {
	var ids []int64
	var names []string
	var spent time.Duration
	seen := map[string]bool{}
	for _, oc := range p.opened() {
		l := p.in.Lookups[oc.conn.LookupID]
		if l == nil || !missed(l) {
			continue
		}
		ids = append(ids, oc.flow.ID)
		if !seen[l.Name] {
			seen[l.Name] = true
			names = append(names, fmt.Sprintf("%s (%s, TTL %ds)", l.Name, dur(store.Between(l.Start, l.End)), l.TTL))
		}
		spent += store.Between(l.Start, l.End)
	}
	if len(seen) < missedLookupsMin {
		return nil
	}
	return []Finding{{Kind: KindLookupMissed,
		Title:    fmt.Sprintf("%s missed the DNS cache: %s of lookups", plural(len(seen), "name"), dur(spent)),
		Numbers:  []Number{{"names looked up", fmt.Sprint(len(seen))}, {"time in lookups", dur(spent)}},
		FlowIDs:  sortIDs(ids),
		Evidence: "lookups answered by a DNS server, not a cache: " + strings.Join(names, ", "),
		Fix: "Serve from fewer host names; for the ones that stay, <link rel=preconnect> (or dns-prefetch) " +
			"in the HTML starts the lookup early, and a longer TTL keeps the answer cached."}}
}

// connsNotReused: a connection was opened to a host that had an idle one.
func connsNotReused(p *page) []Finding {
	var ids []int64
	var notes []string
	var cost time.Duration
	opened := p.opened()
	for i, oc := range opened {
		for _, prev := range opened[:i] {
			if !sameOrigin(prev.conn, oc.conn) || !p.idleAt(prev.conn, oc.flow.Start) {
				continue
			}
			ids = append(ids, oc.flow.ID)
			t := p.timings[oc.flow.ID]
			cost += max(t.DNS, 0) + max(t.Connect, 0)
			why := "idle"
			if !prev.conn.Closed.IsZero() && !prev.conn.Closed.After(oc.flow.Start) {
				why = "closed by then"
				if last := p.lastOn(prev.conn.ID); last != nil && strings.EqualFold(last.RespHeaders.Get("Connection"), "close") {
					why = fmt.Sprintf("closed after #%d's Connection: close", last.ID)
				}
			}
			notes = append(notes, fmt.Sprintf("#%d opened connection %d to %s while connection %d was %s",
				oc.flow.ID, oc.conn.ID, oc.conn.Host, prev.conn.ID, why))
			break
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return []Finding{{Kind: KindConnNotReused,
		Title:    fmt.Sprintf("%s opened where one could have been reused, %s of handshakes", plural(len(ids), "connection"), dur(cost)),
		Numbers:  []Number{{"connections", fmt.Sprint(len(ids))}, {"time opening them", dur(cost)}},
		FlowIDs:  ids,
		Evidence: strings.Join(notes, "; "),
		Fix: "Keep connections open between requests (HTTP/1.1 persistent connections, RFC 9112 §9.3): " +
			"no Connection: close, and an idle timeout longer than the page's pauses."}}
}

// idleAt reports whether connection c had served a flow of the page that
// ended at least reuseSlack before t, with none of its flows in flight.
func (p *page) idleAt(c *store.Conn, t time.Time) bool {
	served := false
	for _, f := range p.flows {
		if f.ConnID != c.ID {
			continue
		}
		if f.Start.Before(t) && (f.End.IsZero() || f.End.After(t.Add(-reuseSlack))) {
			return false // busy, or only just free
		}
		served = served || f.End.Before(t)
	}
	return served
}

// lastOn is the last flow of the page on connection id.
func (p *page) lastOn(id int64) *store.Flow {
	var last *store.Flow
	for _, f := range p.flows {
		if f.ConnID == id && (last == nil || f.End.After(last.End)) {
			last = f
		}
	}
	return last
}

func sameOrigin(a, b *store.Conn) bool {
	return a.Host == b.Host && a.Port == b.Port && (a.TLS == nil) == (b.TLS == nil)
}

// manyConns: several connections to one host.
func manyConns(p *page) []Finding {
	byHost := map[string][]openedConn{}
	var hosts []string
	for _, oc := range p.opened() {
		k := oc.conn.Host + ":" + oc.conn.Port
		if byHost[k] == nil {
			hosts = append(hosts, k)
		}
		byHost[k] = append(byHost[k], oc)
	}
	var out []Finding
	for _, h := range hosts {
		ocs := byHost[h]
		if len(ocs) < manyConnsMin {
			continue
		}
		var ids []int64
		var cost time.Duration
		for _, oc := range ocs {
			ids = append(ids, oc.flow.ID)
			cost += max(p.timings[oc.flow.ID].Connect, 0)
		}
		out = append(out, Finding{Kind: KindManyConns,
			Title:   fmt.Sprintf("%d connections to %s, %s of handshakes", len(ocs), h, dur(cost)),
			Numbers: []Number{{"connections", fmt.Sprint(len(ocs))}, {"time connecting", dur(cost)}},
			FlowIDs: ids,
			Evidence: fmt.Sprintf("%s opened a connection to %s each (%s)", plural(len(ids), "request"), h,
				p.protoOf(ids)),
			Fix: "Serve the host over HTTP/2 or HTTP/3, which carry every request on one connection (RFC 9113 §5), " +
				"or send fewer, larger responses."})
	}
	return out
}

// protoOf says which protocol the browser spoke for the flows.
func (p *page) protoOf(ids []int64) string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if f := p.byID(id); f != nil && f.OriginProto != "" && !seen[f.OriginProto] {
			seen[f.OriginProto] = true
			out = append(out, f.OriginProto)
		}
	}
	if len(out) == 0 {
		return "protocol not recorded"
	}
	return "over " + strings.Join(out, ", ")
}

func sortIDs(ids []int64) []int64 {
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	out := ids[:0]
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			out = append(out, id)
		}
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// dur writes a duration as the reports do: ms below a second.
func dur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}
