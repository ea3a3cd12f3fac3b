package explain

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// Helpers shared by Notes and Story: reading what a flow's fields imply.

// maxDecoded bounds how much of a compressed body is unpacked to learn its
// size, so a small "zip bomb" cannot make an explanation expensive.
const maxDecoded = 256 << 20

// hostname returns the host of a URL without port or brackets. A tunnel's
// "URL" is only host:port, as in its CONNECT request.
func hostname(rawURL string) string {
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

// normURL makes two spellings of one URL compare equal: an empty path is
// "/", the scheme and host are lower case, the fragment is dropped.
func normURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Fragment = ""
	if u.Path == "" && u.Opaque == "" {
		u.Path = "/"
	}
	return u.String()
}

// isRedirect reports whether a status sends the browser to Location
// (RFC 9110 §15.4; 304 and 300 without Location do not).
func isRedirect(code int) bool {
	switch code {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// redirectTarget resolves a redirect's Location against the request URL,
// as the browser does (RFC 9110 §10.2.2).
func redirectTarget(f *store.Flow) (string, bool) {
	if !isRedirect(f.Status) {
		return "", false
	}
	loc := strings.TrimSpace(f.RespHeaders.Get("Location"))
	if loc == "" {
		return "", false
	}
	base, err := url.Parse(f.URL)
	if err != nil {
		return "", false
	}
	ref, err := url.Parse(loc)
	if err != nil {
		return "", false
	}
	return base.ResolveReference(ref).String(), true
}

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

// firstSentence returns s up to and including its first full stop.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// decodedSize unpacks a complete gzip or deflate body in memory to learn
// its size. Brotli and Zstandard need packages outside the standard
// library, so for them (and for truncated or unloaded bodies) it reports
// false.
func decodedSize(f *store.Flow) (int64, bool) {
	b := f.RespBody
	if b.Truncated || len(b.Data) == 0 || int64(len(b.Data)) != b.Size {
		return 0, false
	}
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(f.RespHeaders.Get("Content-Encoding"))) {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b.Data))
		if err != nil {
			return 0, false
		}
		r = zr
	case "deflate":
		// HTTP's "deflate" is zlib-wrapped (RFC 9110 §8.4.1.2), but some
		// servers send a raw deflate stream.
		if zr, err := zlib.NewReader(bytes.NewReader(b.Data)); err == nil {
			r = zr
		} else {
			r = flate.NewReader(bytes.NewReader(b.Data))
		}
	default:
		return 0, false
	}
	n, err := io.Copy(io.Discard, io.LimitReader(r, maxDecoded+1))
	if err != nil || n > maxDecoded {
		return 0, false
	}
	return n, true
}

// resourceKind is the flow's resource type, or a guess from Sec-Fetch-Dest
// and Content-Type when the recorder left it empty (imported captures).
func resourceKind(f *store.Flow) string {
	if f.ResourceType != "" {
		return f.ResourceType
	}
	switch f.ReqHeaders.Get("Sec-Fetch-Dest") {
	case "document", "iframe", "frame":
		return "document"
	case "style":
		return "stylesheet"
	case "script", "worker", "sharedworker", "serviceworker":
		return "script"
	case "image":
		return "image"
	case "font":
		return "font"
	case "audio", "video", "track":
		return "media"
	case "empty":
		return "fetch"
	}
	ct := strings.ToLower(f.RespHeaders.Get("Content-Type"))
	switch {
	case strings.HasPrefix(ct, "text/html"):
		return "document"
	case strings.HasPrefix(ct, "text/css"):
		return "stylesheet"
	case strings.Contains(ct, "javascript"):
		return "script"
	case strings.HasPrefix(ct, "image/"):
		return "image"
	case strings.HasPrefix(ct, "font/"):
		return "font"
	case strings.Contains(ct, "json"):
		return "fetch"
	}
	return "other"
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
		s := "DNS resolved from the root: " + plural(len(l.Hops), "server", "") + " asked"
		if len(zones) > 0 {
			s += " (" + strings.Join(zones, " -> ") + ")"
		}
		return s + took
	}
	return "DNS lookup" + took
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
