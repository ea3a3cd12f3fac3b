package store

import (
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Which connection and lookup records belong to a flow. Every view that
// shows a flow with its connection (the inspector's tabs, the stories, HAR)
// finds them here, so a failed lookup is told the same way everywhere.

// FlowConn finds the connection a flow used: the one it names, or, for a
// flow that failed before a connection was ready (no ConnID), the failed
// dial of its host made while it ran: a failed dial is recorded as a
// connection with an error that no flow points at. Nil when none.
func FlowConn(f *Flow, conns map[int64]*Conn) *Conn {
	if f.ConnID != 0 {
		return conns[f.ConnID]
	}
	if f.Error == nil || f.ConnReused {
		return nil
	}
	host := f.Hostname()
	var found *Conn
	for _, id := range sortedIDs(conns) {
		c := conns[id]
		if c == nil || c.Error == nil || !strings.EqualFold(c.Host, host) || !during(firstTime(c.DNSStart, c.ConnectStart, c.TLSStart), f) {
			continue
		}
		found = c
	}
	return found
}

// FlowLookup finds the DNS lookup of a flow's connection (c from
// FlowConn), or, without a connection, a lookup of the flow's host made
// while the flow ran. Nil when none (a reused connection looked nothing up).
func FlowLookup(f *Flow, c *Conn, lookups map[int64]*Lookup) *Lookup {
	if c != nil && c.LookupID != 0 {
		if l := lookups[c.LookupID]; l != nil {
			return l
		}
	}
	if c != nil || f.ConnReused {
		return nil
	}
	host := f.Hostname()
	if host == "" || net.ParseIP(host) != nil {
		return nil
	}
	var found *Lookup
	for _, id := range sortedIDs(lookups) {
		l := lookups[id]
		if l != nil && strings.EqualFold(strings.TrimSuffix(l.Name, "."), host) && during(l.Start, f) {
			found = l
		}
	}
	return found
}

// Hostname is the host of the flow's URL without port or brackets; a
// tunnel's "URL" is only host:port, as in its CONNECT request.
func (f *Flow) Hostname() string {
	rawURL := f.URL
	if !strings.Contains(rawURL, "://") {
		if h, _, err := net.SplitHostPort(rawURL); err == nil {
			return h
		}
		return rawURL
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func sortedIDs[V any](m map[int64]V) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// during reports whether t falls within the flow's lifetime; an unknown
// time matches.
func during(t time.Time, f *Flow) bool {
	if t.IsZero() || f.Start.IsZero() {
		return true
	}
	return !t.Before(f.Start) && (f.End.IsZero() || !t.After(f.End))
}
