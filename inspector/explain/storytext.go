package explain

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// The sentences of the story, one function per step. Each returns facts
// (what was measured for this request) and, where it helps, a lesson (what
// the step is, in general). A redirect's step repeats the facts only.

// Lessons: what each step is, whatever the page.
const (
	urlLesson = "The scheme decides the protocol and the default port, the host is the name to find, and the path and query tell that server what is wanted (RFC 3986 §3, RFC 9110 §4.2)."
	dnsLesson = "DNS turns a name people can remember into the number computers connect to. A records hold IPv4 addresses and AAAA records IPv6 ones; the TTL says how long an answer may be kept in a cache (RFC 1034 §3.6, RFC 3596 §2). Through a proxy the browser does not look the name up itself: it hands the name to glassbox, so the browser's DNS cache and the operating system's are not used; glassbox's own cache and resolver are."
	// traceLesson is added when glassbox walked the DNS tree itself.
	traceLesson    = "This walk from the root down is what every resolver does when its cache is empty: the root servers know who answers for each top-level domain, those servers know who answers for each domain under them, and that last server knows the address (RFC 1034 §5.3.3)."
	connectLesson  = "Before any HTTP is spoken, TCP opens a connection with a three-way handshake: the client sends SYN, the server answers SYN-ACK, the client sends ACK. That costs one network round trip (RFC 9293 §3.5)."
	tlsLesson      = "TLS agrees on keys and checks the server's certificate, so nobody on the way can read or change the traffic, and the browser knows it reached the real site. TLS 1.3 needs one round trip, TLS 1.2 two (RFC 8446 §2; certificates: RFC 5280; ALPN: RFC 7301; SNI: RFC 6066 §3)."
	plainLesson    = "Anyone on the path (the Wi-Fi, the provider, a proxy) can read or change plain-text traffic; https adds TLS to prevent that (RFC 9110 §4.2.1, §4.2.2)."
	mitmLesson     = "glassbox made this connection to the server on the browser's behalf. The browser's own TLS connection ended at glassbox, which showed it a certificate made by glassbox's local certificate authority: that is how glassbox can show you what is inside."
	waitLesson     = "The wait covers one trip across the network and back plus the server's own work: running code, reading files, asking a database or another server. Whatever is slow on the server side shows up here."
	subLesson      = "Each of these requests goes through steps 2 to 7 on its own, but most reuse a connection that is already open and skip steps 2 to 4. Over HTTP/1.1 a browser opens up to six connections per host to fetch files side by side; over HTTP/2 and HTTP/3 they all share one."
	apiLesson      = "A script's request goes through the same steps 2 to 7. When it goes to another origin, the browser applies CORS: the server must say the page may read the answer, and for anything beyond a simple GET or form POST the browser first asks permission with an OPTIONS preflight (Fetch standard, CORS protocol)."
	reuseLessonFmt = "Connections stay open after a response, so the next request to the same server can go straight out (RFC 9112 §9.3); HTTP/2 and HTTP/3 even carry many requests over one connection at once."
)

// notMeasured is said wherever glassbox has no timestamps for a step,
// rather than inventing a number.
const notMeasured = "glassbox has no record of this step for this request, so its time was not measured."

// urlFacts splits the URL as the browser does (RFC 3986 §3).
func urlFacts(f *store.Flow) []string {
	if f.Kind == store.KindTunnel {
		lines := []string{"The browser asked glassbox for a tunnel to " + f.URL + " with CONNECT (RFC 9110 §9.3.6). glassbox was told not to look inside this host's traffic (--no-mitm), so there is no URL to split: only a host and a port."}
		if h, p, err := net.SplitHostPort(f.URL); err == nil {
			lines = append(lines, "- host "+h+": the name to look up in DNS", "- port "+p+": where the server listens (443 is https)")
		}
		return lines
	}
	u, err := url.Parse(f.URL)
	if err != nil || u.Host == "" {
		return []string{"The address " + f.URL + " could not be read as a URL."}
	}
	lines := []string{"The browser takes the address apart: " + f.URL}
	scheme := strings.ToLower(u.Scheme)
	def := store.DefaultPort(scheme)
	switch scheme {
	case "https":
		lines = append(lines, "- scheme https: talk over an encrypted (TLS) connection, on port 443 unless the URL names another; http would use port 80")
	case "http":
		lines = append(lines, "- scheme http: talk in plain text, on port 80 unless the URL names another; https would use port 443 and encryption")
	default:
		lines = append(lines, "- scheme "+scheme)
	}
	h := u.Hostname()
	if ip := net.ParseIP(h); ip != nil {
		lines = append(lines, "- host "+h+": already an IP address, so there is no name to look up")
	} else {
		lines = append(lines, "- host "+h+": the name to look up in DNS")
	}
	if p := u.Port(); p != "" && p != def {
		lines = append(lines, "- port "+p+": named in the URL, instead of the default "+def)
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if path == "/" {
		lines = append(lines, "- path /: the site's front page")
	} else {
		lines = append(lines, "- path "+clip(path, 80)+": which resource on that server")
	}
	if u.RawQuery != "" {
		params := queryParams(u.RawQuery)
		lines = append(lines, "- query: "+Plural(len(params), "parameter")+" for the server: "+strings.Join(params, ", "))
	}
	if u.Fragment != "" {
		lines = append(lines, "- fragment #"+u.Fragment+": stays in the browser and is never sent")
	}
	return lines
}

// urlBrief is the one-line form of urlFacts, for a redirect's step.
func urlBrief(f *store.Flow) string {
	u, err := url.Parse(f.URL)
	if err != nil || u.Host == "" {
		return f.URL
	}
	port := u.Port()
	if port == "" {
		port = store.DefaultPort(strings.ToLower(u.Scheme))
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	s := u.Scheme + " on port " + port + ", host " + u.Hostname() + ", path " + clip(path, 60)
	if u.RawQuery != "" {
		s += ", " + Plural(len(queryParams(u.RawQuery)), "query parameter")
	}
	return s
}

// queryParams lists "name = value" in the order they were written; a map
// would lose it.
func queryParams(raw string) []string {
	var out []string
	for _, p := range store.QueryParams(raw) {
		if p.HasValue {
			out = append(out, clip(p.Name, 30)+" = "+clip(p.Value, 40))
		} else {
			out = append(out, clip(p.Name, 30))
		}
	}
	return out
}

// dnsFacts says where the address came from and what it was.
func dnsFacts(f *store.Flow, c *store.Conn, l *store.Lookup) []string {
	name := f.Hostname()
	if ip := net.ParseIP(name); ip != nil {
		return []string{"The host is already an IP address (" + name + "), so there was nothing to look up."}
	}
	d, measured := lookupDuration(c, l)
	if l == nil {
		if measured {
			return []string{"Finding the address of " + name + " took " + FormatDuration(d) + "; no details of the lookup were recorded."}
		}
		return []string{"Finding the address of " + name + ": " + notMeasured}
	}
	took := ""
	if measured {
		took = " (" + FormatDuration(d) + ")"
	}
	lines := dnsSourceFacts(name, l, d, measured, took)
	if len(l.CNAMEs) > 0 {
		lines = append(lines, name+" is an alias (CNAME): "+name+" -> "+strings.Join(l.CNAMEs, " -> ")+", so the address is that of "+l.CNAMEs[len(l.CNAMEs)-1]+".")
	}
	if l.Rcode != "" && l.Rcode != "NOERROR" {
		lines = append(lines, "The DNS answer code was "+l.Rcode+".")
	}
	return append(lines, answerFact(l))
}

// dnsSourceFacts says who answered: the cache, the hosts file, a server,
// or the servers of a walk from the root.
func dnsSourceFacts(name string, l *store.Lookup, d time.Duration, measured bool, took string) []string {
	switch l.Source {
	case "cache":
		s := "glassbox found " + name + " in its own DNS cache, from an earlier lookup, so no server was asked" + took + "."
		if ttl, ok := minTTL(l.Answers); ok {
			s += " The cached answer is good for " + strconv.FormatUint(uint64(ttl), 10) + " more seconds."
		}
		return []string{s}
	case "hosts":
		file := "the hosts file"
		if l.Server != "" {
			file += " (" + l.Server + ")"
		}
		return []string{name + " is listed in " + file + ", which is read before any DNS server is asked" + took + "."}
	case "network":
		server := "the DNS server"
		if l.Server != "" {
			server += " " + dnsServer(l.Server)
		}
		s := "glassbox asked " + server + " for the address of " + name
		switch {
		case l.RTT > 0 && measured:
			s += ": a network round trip of " + FormatDuration(l.RTT) + ", " + FormatDuration(d) + " for the whole lookup"
		case l.RTT > 0:
			s += ": a network round trip of " + FormatDuration(l.RTT)
		default:
			s += took
		}
		return []string{s + "."}
	case "trace":
		return append([]string{"glassbox looked up " + name + " itself, starting from the root" + took + ":"}, hopLines(l.Hops)...)
	}
	return []string{"glassbox looked up " + name + took + "."}
}

// answerFact lists the addresses found, with their TTLs.
func answerFact(l *store.Lookup) string {
	if len(l.Answers) == 0 {
		return "The answer held no address."
	}
	var as []string
	for _, a := range l.Answers {
		s := a.Addr + " (" + a.Type
		switch a.Type {
		case "A":
			s += ", IPv4"
		case "AAAA":
			s += ", IPv6"
		}
		if l.Source != "hosts" {
			s += ", TTL " + strconv.FormatUint(uint64(a.TTL), 10) + " s"
		}
		as = append(as, s+")")
	}
	return "The answer: " + joinAnd(as) + "."
}

// hopLines tells a trace-mode resolution, one server per line.
func hopLines(hops []store.DNSHop) []string {
	var out []string
	for i, h := range hops {
		role := "a server for " + zoneName(h.Zone)
		if h.Zone == "." || h.Zone == "" {
			role = "a root server"
		}
		s := "- asked " + dnsServer(h.Server) + ", " + role
		if !h.Start.IsZero() && !h.End.IsZero() && !h.End.Before(h.Start) {
			s += " (" + FormatDuration(h.End.Sub(h.Start)) + ")"
		}
		switch {
		case h.Error != "":
			s += ": no usable answer (" + h.Error + ")"
		case len(h.Referral) > 0:
			next := "the next zone"
			if i+1 < len(hops) {
				next = zoneName(hops[i+1].Zone)
			}
			s += ": it sent glassbox on to the servers for " + next + " (" + joinAnd(firstN(h.Referral, 2)) + ")"
		case h.Rcode == "NXDOMAIN":
			s += ": it answered that the name does not exist"
		case h.Rcode == "" || h.Rcode == "NOERROR":
			s += ": it gave the final answer"
		default:
			s += ": it answered " + h.Rcode
		}
		out = append(out, s)
	}
	return out
}

func firstN(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	return append(append([]string(nil), list[:n]...), strconv.Itoa(len(list)-n)+" more")
}

// connectFacts tells the TCP handshake, and every attempt when there were
// several (RFC 8305).
func connectFacts(f *store.Flow, c *store.Conn) []string {
	if c == nil || c.ConnectStart.IsZero() {
		if f.ServerAddr != "" {
			return []string{"glassbox connected to " + f.ServerAddr + ", but " + notMeasured}
		}
		return []string{notMeasured}
	}
	var lines []string
	if len(c.Attempts) > 1 {
		var as []string
		for _, a := range c.Attempts {
			d := ""
			if !a.Start.IsZero() && !a.End.IsZero() && !a.End.Before(a.Start) {
				d = FormatDuration(a.End.Sub(a.Start))
			}
			switch a.Outcome {
			case "ok":
				as = append(as, a.Addr+" connected in "+d)
			case "canceled":
				as = append(as, a.Addr+" was abandoned because another attempt won")
			default:
				as = append(as, a.Addr+" failed ("+a.Outcome+") after "+d)
			}
		}
		lines = append(lines, "The name has several addresses, so glassbox tried them one after another, as Happy Eyeballs (RFC 8305) describes: "+strings.Join(as, "; ")+".")
	}
	addr := c.RemoteAddr
	if addr == "" && len(c.Attempts) > 0 {
		addr = c.Attempts[len(c.Attempts)-1].Addr
	}
	if addr == "" {
		addr = net.JoinHostPort(c.Host, c.Port)
	}
	if c.ConnectEnd.IsZero() || c.ConnectEnd.Before(c.ConnectStart) {
		lines = append(lines, "The TCP handshake with "+addr+" did not complete.")
		return lines
	}
	d := FormatDuration(c.ConnectEnd.Sub(c.ConnectStart))
	if c.Error != nil && c.Error.Phase == store.PhaseConnect {
		lines = append(lines, "The TCP handshake with "+addr+" failed after "+d+".")
	} else {
		lines = append(lines, "The TCP handshake with "+addr+" took "+d+": one network round trip.")
	}
	return lines
}

// tlsRoundTrips counts the handshake's network round trips from its
// version: TLS 1.3 one (RFC 8446 §2), TLS 1.2 two for a full handshake and
// one for a resumed session (RFC 5246 §7.3). Go's client sends no 0-RTT
// data, so none is counted as zero.
func tlsRoundTrips(t *store.TLSInfo) string {
	switch {
	case t.Version == "TLS 1.3":
		return " (one network round trip, as TLS 1.3 needs)"
	case t.Version == "TLS 1.2" && t.Resumed:
		return " (one network round trip: a resumed TLS 1.2 session skips the key exchange)"
	case t.Version == "TLS 1.2":
		return " (two network round trips, as a full TLS 1.2 handshake needs)"
	}
	return ""
}

// tlsFacts tells the TLS handshake, or says there was none.
func tlsFacts(f *store.Flow, c *store.Conn) (title string, facts []string, lesson string) {
	if u, err := url.Parse(f.URL); err == nil && strings.EqualFold(u.Scheme, "http") {
		return "No encryption", []string{"The URL is http://, so there is no TLS handshake: the request and the response cross the network as plain text."}, plainLesson
	}
	title = "Securing the connection"
	lesson = tlsLesson
	if f.MITM {
		lesson += " " + mitmLesson
	}
	if c == nil || c.TLS == nil {
		return title, []string{"The TLS handshake: " + notMeasured}, lesson
	}
	t := c.TLS
	s := "A " + orUnknown(t.Version, "TLS") + " handshake"
	if t.SNI != "" {
		s += " with " + t.SNI
	}
	if !c.TLSStart.IsZero() && !c.TLSEnd.IsZero() && !c.TLSEnd.Before(c.TLSStart) {
		s += " took " + FormatDuration(c.TLSEnd.Sub(c.TLSStart)) + tlsRoundTrips(t)
	} else {
		s += " was made (its time was not measured)"
	}
	if t.Cipher != "" {
		s += ", with the cipher " + t.Cipher
	}
	facts = append(facts, s+".")
	switch t.ALPN {
	case "":
		facts = append(facts, "No protocol was chosen through ALPN, so the connection speaks HTTP/1.1.")
	default:
		facts = append(facts, "Through ALPN both sides chose "+t.ALPN+", so the connection speaks "+versionName(t.ALPN)+".")
	}
	if t.Resumed {
		facts = append(facts, "The session was resumed from an earlier connection, which makes the handshake shorter.")
	}
	if len(t.Chain) > 0 {
		leaf := t.Chain[0]
		cs := "The server's certificate"
		if len(leaf.DNSNames) > 0 {
			cs += " is for " + joinAnd(firstN(leaf.DNSNames, 3))
		}
		if leaf.Subject != "" {
			cs += " (subject " + leaf.Subject + ")"
		}
		if leaf.Issuer != "" {
			cs += ", issued by " + leaf.Issuer
		}
		if !leaf.NotBefore.IsZero() && !leaf.NotAfter.IsZero() {
			cs += ", valid from " + leaf.NotBefore.UTC().Format("2006-01-02") + " to " + leaf.NotAfter.UTC().Format("2006-01-02")
			if !f.Start.IsZero() && f.Start.After(leaf.NotAfter) {
				cs += " (already expired when this request was made)"
			}
		}
		cs += "; the chain has " + Plural(len(t.Chain), "certificate") + "."
		facts = append(facts, cs)
	}
	return title, facts, lesson
}

func orUnknown(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// protoFor is the HTTP version spoken to the server for this flow.
func protoFor(f *store.Flow, c *store.Conn) string {
	if f.RespProto != "" {
		return versionName(f.RespProto)
	}
	if c != nil && c.TLS != nil && c.TLS.ALPN != "" {
		return versionName(c.TLS.ALPN)
	}
	return versionName(f.Proto)
}
