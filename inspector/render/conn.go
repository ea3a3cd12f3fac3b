package render

import (
	"fmt"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
)

// connTab shows how the connection this flow used was made: the DNS
// answers (and the trace hops), every TCP attempt, the TLS session and
// the server's certificate chain.
func connTab(d FlowDetail, w int) []Line {
	f, c := d.Flow, d.Conn
	out := flowTitle(f, w)
	if f.Kind == store.KindTunnel || f.Kind == store.KindWebSocket {
		out = append(out, L(S(Title, "Tunnel")))
		out = append(out, kv("to origin", 12, S(Normal, Bytes(f.BytesUp))), kv("from origin", 12, S(Normal, Bytes(f.BytesDown))))
	}
	if c == nil {
		if f.ConnID == 0 {
			return append(out, P("  no connection: "+noConnReason(f)))
		}
		return append(out, P(fmt.Sprintf("  connection #%d: its record is not read yet", f.ConnID)))
	}
	out = append(out, L(S(Title, fmt.Sprintf("Connection #%d to %s:%s", c.ID, c.Host, c.Port))))
	if f.ConnReused {
		out = append(out, Wrap("This request reused the connection; the steps below happened once, for the request that opened it.", w, "  ", "  ", Dim)...)
	}
	out = append(out, kv("remote", 8, S(Normal, nonEmpty(c.RemoteAddr, "-"))), kv("local", 8, S(Normal, nonEmpty(c.LocalAddr, "-"))))
	if c.Error != nil {
		out = append(out, Wrap("failed: "+c.Error.Message, w, "  ", "    ", ErrorText)...)
	}
	out = append(out, dnsLines(d.Lookup, c, w)...)
	out = append(out, section("TCP")...)
	if len(c.Attempts) == 0 {
		out = append(out, L(S(Dim, "  no attempts recorded")))
	}
	for i, a := range c.Attempts {
		role := GoodText
		if a.Outcome != "ok" {
			role = WarnText
		}
		l := L(S(Normal, fmt.Sprintf("  %d. %s ", i+1, a.Addr)), S(role, a.Outcome), S(Dim, " in "+Dur(store.Between(a.Start, a.End))))
		if a.Error != "" {
			l = append(l, S(Dim, ": "+a.Error))
		}
		out = append(out, l)
	}
	return append(out, tlsLines(c.TLS, w)...)
}

func dnsLines(l *store.Lookup, c *store.Conn, w int) []Line {
	out := section("DNS")
	if l == nil {
		if c.LookupID == 0 {
			return append(out, L(S(Dim, "  no lookup: the host is an address, or the dial did not need one")))
		}
		return append(out, L(S(Dim, fmt.Sprintf("  lookup #%d: its record is not read yet", c.LookupID))))
	}
	out = append(out, Wrap(fmt.Sprintf("%s, %s, in %s", l.Name, lookupSource(l), Dur(store.Between(l.Start, l.End))), w, "  ", "    ", Normal)...)
	if l.Rcode != "" {
		out = append(out, kv("answer", 8, S(Normal, l.Rcode)))
	}
	if l.RTT > 0 {
		out = append(out, kv("rtt", 8, S(Normal, Dur(l.RTT)+" on the network")))
	}
	for _, cn := range l.CNAMEs {
		out = append(out, kv("CNAME", 8, S(Normal, cn)))
	}
	for _, a := range l.Answers {
		out = append(out, kv(a.Type, 8, S(Normal, a.Addr), S(Dim, fmt.Sprintf("  TTL %d s (kept in caches that long)", a.TTL))))
	}
	if l.Error != "" {
		out = append(out, Wrap("error: "+l.Error, w, "  ", "    ", ErrorText)...)
	}
	if len(l.Hops) > 0 {
		out = append(out, L(S(Bold, "  the path from the root:")))
		for i, h := range l.Hops {
			text := fmt.Sprintf("%d. %s for %s", i+1, h.Server, nonEmpty(h.Zone, "."))
			if h.Rcode != "" {
				text += " " + h.Rcode
			}
			if len(h.Referral) > 0 {
				text += ", refers to " + strings.Join(h.Referral, ", ")
			}
			if h.Error != "" {
				text += ", error: " + h.Error
			}
			text += " (" + Dur(store.Between(h.Start, h.End)) + ")"
			out = append(out, Wrap(text, w, "    ", "       ", Normal)...)
		}
	}
	return out
}

func tlsLines(t *store.TLSInfo, w int) []Line {
	out := section("TLS")
	if t == nil {
		return append(out, L(S(Dim, "  none: plain HTTP")))
	}
	out = append(out, kv("version", 8, S(Normal, t.Version)), kv("cipher", 8, S(Normal, t.Cipher)),
		kv("ALPN", 8, S(Normal, nonEmpty(t.ALPN, "none (HTTP/1.1)"))), kv("SNI", 8, S(Normal, nonEmpty(t.SNI, "-"))))
	if t.Resumed {
		out = append(out, kv("resumed", 8, S(Normal, "yes: an earlier session's keys were reused")))
	}
	if len(t.Chain) > 0 {
		out = append(out, L(S(Bold, "  certificate chain, the server's own first:")))
	}
	for i, c := range t.Chain {
		out = append(out, Wrap(fmt.Sprintf("%d. %s", i, c.Subject), w, "    ", "       ", Normal)...)
		out = append(out, Wrap("issued by "+c.Issuer, w, "       ", "       ", Dim)...)
		if !c.NotBefore.IsZero() {
			out = append(out, L(S(Dim, "       valid "+c.NotBefore.UTC().Format("2006-01-02")+" to "+c.NotAfter.UTC().Format("2006-01-02"))))
		}
		if len(c.DNSNames) > 0 {
			out = append(out, Wrap("names: "+strings.Join(c.DNSNames, ", "), w, "       ", "       ", Dim)...)
		}
	}
	return out
}
