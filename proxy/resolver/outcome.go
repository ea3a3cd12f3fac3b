package resolver

import (
	"net/netip"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/miekg/dns"
)

// outcome is what resolving one candidate name found, both families.
type outcome struct {
	source        string
	a, aaaa       *qresult // may hold a partial chain when the matching err is set
	errA, errAAAA *Error

	// Set by combine.
	addrs []netip.Addr
	err   *Error
}

// combine merges the two families into the addresses and the error the
// caller sees. Any address is success: a host with IPv4 only is not broken
// when its AAAA query times out. Without addresses, an NXDOMAIN wins (it is
// definite, and speaks for every type: RFC 8020 §2), then a failure of
// either family, then "no address".
func (o *outcome) combine() {
	o.addrs = o.addrs[:0]
	for _, res := range o.results() {
		for _, a := range res.answers {
			o.addrs = append(o.addrs, a.addr)
		}
	}
	if len(o.addrs) > 0 {
		o.err = nil
		return
	}
	for _, res := range o.results() {
		if res.rcode == dns.RcodeNameError {
			o.err = &Error{Kind: store.FailNXDomain, Server: res.server, Rcode: rcodeString(res.rcode)}
			return
		}
	}
	switch {
	case o.errA != nil:
		o.err = o.errA
	case o.errAAAA != nil:
		o.err = o.errAAAA
	default:
		o.err = &Error{Kind: store.FailNoAddress, Rcode: rcodeString(dns.RcodeSuccess)}
		if res := o.primary(); res != nil {
			o.err.Server = res.server
		}
	}
}

// results are the families that got an answer (positive or negative).
func (o *outcome) results() []*qresult {
	out := make([]*qresult, 0, 2)
	if o.a != nil && o.errA == nil {
		out = append(out, o.a)
	}
	if o.aaaa != nil && o.errAAAA == nil {
		out = append(out, o.aaaa)
	}
	return out
}

// effectiveTTL is how long the cache keeps the answer that gave addresses:
// the smallest TTL along its chain (RFC 1034 §3.6.2); without any address,
// the negative answer's (RFC 2308 §5).
func (o *outcome) effectiveTTL() uint32 {
	var ttl uint32
	found := false
	for _, withAnswers := range []bool{true, false} {
		for _, res := range o.results() {
			if (len(res.answers) > 0) == withAnswers && (!found || res.ttl < ttl) {
				ttl, found = res.ttl, true
			}
		}
		if found {
			return ttl
		}
	}
	return 0
}

// primary is the answer the Lookup's server, RTT and CNAMEs are taken
// from: A's, unless only AAAA got one.
func (o *outcome) primary() *qresult {
	if r := o.results(); len(r) > 0 {
		return r[0]
	}
	return nil
}

// fill writes the outcome on lk.
func (o *outcome) fill(lk *store.Lookup) {
	lk.Source = o.source
	if p := o.primary(); p != nil {
		lk.Server, lk.RTT = p.server, p.rtt
		lk.Rcode = rcodeString(p.rcode)
	}
	for _, res := range []*qresult{o.a, o.aaaa} {
		if res != nil && len(res.cnames) > 0 && len(lk.CNAMEs) == 0 {
			lk.CNAMEs = append([]string(nil), res.cnames...)
		}
	}
	for _, res := range o.results() {
		for _, a := range res.answers {
			lk.Answers = append(lk.Answers, store.DNSAnswer{Type: typeName(a.qtype), Addr: a.addr.String(), TTL: a.ttl})
		}
	}
	lk.TTL = o.effectiveTTL()
	if o.err != nil {
		if o.err.Rcode != "" {
			lk.Rcode = o.err.Rcode
		}
		if o.err.Server != "" {
			lk.Server = o.err.Server
		}
	}
	if len(o.addrs) > 0 {
		lk.Rcode = rcodeString(dns.RcodeSuccess)
	}
}

// family is "A" for an IPv4 address and "AAAA" otherwise.
func family(a netip.Addr) string {
	if a.Is4() {
		return "A"
	}
	return "AAAA"
}
