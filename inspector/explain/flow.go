package explain

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/codec"
)

// Helpers shared by Notes and Story: reading what a flow's fields imply.

// upgradesToHTTPS reports whether to is from with http changed to https.
func upgradesToHTTPS(from, to string) bool {
	a, errA := url.Parse(from)
	b, errB := url.Parse(to)
	if errA != nil || errB != nil || a.Scheme != "http" || b.Scheme != "https" {
		return false
	}
	pa, pb := a.EscapedPath(), b.EscapedPath()
	if pa == "" {
		pa = "/"
	}
	if pb == "" {
		pb = "/"
	}
	return strings.EqualFold(a.Hostname(), b.Hostname()) && pa == pb && a.RawQuery == b.RawQuery
}

// isPreflight reports whether a flow is a CORS preflight: an OPTIONS
// carrying Access-Control-Request-Method (Fetch standard, CORS protocol).
func isPreflight(f *store.Flow) bool {
	return f != nil && strings.EqualFold(f.Method, "OPTIONS") && f.ReqHeaders.Get("Access-Control-Request-Method") != ""
}

// FirstSentence returns s up to and including its first full stop.
func FirstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// maxDecoded bounds how much of a compressed body is unpacked to learn its
// size, so a small "zip bomb" cannot make an explanation expensive.
const maxDecoded = 256 << 20

// decodedSize unpacks a complete compressed body to learn its size, within
// budget (nil: this body's limit only); it reports false for a cut or
// unloaded copy, a coding glassbox cannot undo, or a body past the limits.
func decodedSize(f *store.Flow, budget *codec.Budget) (int64, bool) {
	b := f.RespBody
	if b.Truncated || b.Decoded || len(b.Data) == 0 || int64(len(b.Data)) != b.Size {
		return 0, false
	}
	return budget.Size(b.Data, f.RespHeaders.Get("Content-Encoding"), maxDecoded)
}

// dialParts lists the connection phases a flow paid for ("DNS 3.1 ms",
// "TCP 0.4 ms", "TLS 12 ms") and their sum.
func dialParts(t store.Timings) ([]string, time.Duration) {
	var parts []string
	var sum time.Duration
	add := func(name string, d time.Duration) {
		if d >= 0 {
			parts = append(parts, name+" "+FormatDuration(d))
			sum += d
		}
	}
	add("DNS", t.DNS)
	tcp := t.Connect
	if tcp >= 0 && t.SSL >= 0 {
		tcp -= t.SSL
	}
	add("TCP", tcp)
	add("TLS", t.SSL)
	return parts, sum
}

// dnsServer drops DNS's default port from a server address: "127.0.0.53".
func dnsServer(addr string) string {
	if h, p, err := net.SplitHostPort(addr); err == nil && p == "53" {
		return h
	}
	return addr
}

// minTTL is the smallest TTL among the answers: how long the whole answer
// may still be reused.
func minTTL(answers []store.DNSAnswer) (uint32, bool) {
	if len(answers) == 0 {
		return 0, false
	}
	m := answers[0].TTL
	for _, a := range answers[1:] {
		if a.TTL < m {
			m = a.TTL
		}
	}
	return m, true
}

// lookupDuration is how long a lookup took: from the connection's own
// timestamps when there are some, else from the lookup's.
func lookupDuration(c *store.Conn, l *store.Lookup) (time.Duration, bool) {
	if c != nil && !c.DNSStart.IsZero() && !c.DNSEnd.IsZero() && !c.DNSEnd.Before(c.DNSStart) {
		return c.DNSEnd.Sub(c.DNSStart), true
	}
	if l != nil && !l.Start.IsZero() && !l.End.IsZero() && !l.End.Before(l.Start) {
		return l.End.Sub(l.Start), true
	}
	return 0, false
}

// zoneName writes a DNS zone for a learner: "." is "the root", "org."
// is ".org", "example.org." is "example.org".
func zoneName(z string) string {
	if z == "." || z == "" {
		return "the root"
	}
	z = strings.TrimSuffix(z, ".")
	if !strings.Contains(z, ".") {
		return "." + z
	}
	return z
}

// lookupNote is the one-line summary of where an address came from.
func lookupNote(c *store.Conn, l *store.Lookup) string {
	d, measured := lookupDuration(c, l)
	took := ""
	if measured {
		took = " (" + FormatDuration(d) + ")"
	}
	switch l.Source {
	case "cache":
		if ttl, ok := minTTL(l.Answers); ok {
			return "DNS answer from the cache (TTL " + itoa(int64(ttl)) + " s left)"
		}
		return "DNS answer from the cache"
	case "hosts":
		if l.Server != "" {
			return "DNS answer from the hosts file (" + l.Server + ")"
		}
		return "DNS answer from the hosts file"
	case "network":
		if l.RTT > 0 {
			took = " (" + FormatDuration(l.RTT) + ")"
		}
		if l.Server != "" {
			return "DNS: asked " + dnsServer(l.Server) + took
		}
		return "DNS: asked the resolver" + took
	case "trace":
		zones := make([]string, 0, len(l.Hops))
		for _, h := range l.Hops {
			zones = append(zones, zoneName(h.Zone))
		}
		s := "DNS resolved from the root: " + Plural(len(l.Hops), "server") + " asked"
		if len(zones) > 0 {
			s += " (" + strings.Join(zones, " -> ") + ")"
		}
		return s + took
	}
	return "DNS lookup" + took
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// LookupSource says where a lookup's answer came from, as a phrase:
// "from glassbox's own DNS cache (...)".
func LookupSource(l *store.Lookup) string {
	switch l.Source {
	case "hosts":
		return "from the hosts file " + l.Server
	case "cache":
		return "from glassbox's own DNS cache (an earlier answer still within its TTL)"
	case "trace":
		return "by walking from the root servers down (" + Plural(len(l.Hops), "hop") + ")"
	case "network":
		return "asked of the resolver " + l.Server
	}
	return "from " + l.Source
}
