package resolver

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"
)

const (
	// maxCNAMEs bounds a CNAME chain, counted across every query made for
	// one name. Real CDN chains have two or three links; eight stops a loop
	// quickly without refusing any sane configuration.
	maxCNAMEs = 8

	// maxPositiveTTL caps how long an answer is kept, in seconds: one day,
	// the default cache-max-ttl of unbound.
	maxPositiveTTL = 86400

	// maxNegativeTTL caps negative caching, in seconds. RFC 2308 §5 lets a
	// resolver cap it (and calls values above a day "problematic"); five
	// minutes is shorter than most, because a user who has just added a
	// missing record should see it without restarting glassbox.
	maxNegativeTTL = 300

	// defaultNegativeTTL applies to a negative answer without an SOA record,
	// in seconds. RFC 2308 §5 says such answers SHOULD NOT be cached; keeping
	// them half a minute means a page that asks for a missing name dozens of
	// times costs one query, and the answer is still fresh on a retry.
	defaultNegativeTTL = 30
)

// answer is one address record.
type answer struct {
	qtype uint16 // dns.TypeA or dns.TypeAAAA
	addr  netip.Addr
	ttl   uint32
}

// qresult is what resolving one (name, type) pair found. It is never
// modified once built, so the cache can share it.
type qresult struct {
	rcode   int      // dns.RcodeSuccess or dns.RcodeNameError
	cnames  []string // the chain from the name asked, in order
	answers []answer // empty for a negative result
	ttl     uint32   // seconds the whole result may be cached
	server  string   // host:port of the server that gave the final answer
	rtt     time.Duration
}

// readAnswer follows the CNAME chain that starts at name through msg's
// answer section and collects the records of type qtype owned by the end of
// the chain. chainTTL is the smallest TTL along the chain (maxPositiveTTL
// without one); each answer keeps its own TTL.
//
// With zone set, records owned by names outside zone are ignored: an
// authoritative server speaks only for its own zone, and believing what it
// says about other names is how caches get poisoned (RFC 2181 §5.4.1). A
// chain that leaves the zone then ends at its first outside target, which
// the caller resolves afresh.
func readAnswer(msg *dns.Msg, name string, qtype uint16, zone string) (chain []string, final string, answers []answer, chainTTL uint32, err error) {
	rrs := msg.Answer
	if zone != "" {
		rrs = make([]dns.RR, 0, len(msg.Answer))
		for _, rr := range msg.Answer {
			if dns.IsSubDomain(zone, rr.Header().Name) {
				rrs = append(rrs, rr)
			}
		}
	}
	chainTTL = maxPositiveTTL
	final = name
	for range maxCNAMEs + 1 {
		target := ""
		for _, rr := range rrs {
			if c, ok := rr.(*dns.CNAME); ok && sameName(c.Hdr.Name, final) {
				target = strings.ToLower(dns.Fqdn(c.Target))
				chainTTL = min(chainTTL, ttlOf(rr))
				break
			}
		}
		if target == "" {
			break
		}
		if sameName(target, name) || containsName(chain, target) {
			return chain, final, nil, 0, fmt.Errorf("%w: CNAME loop at %s", errBadResponse, target)
		}
		chain = append(chain, target)
		final = target
	}
	if len(chain) > maxCNAMEs {
		return chain, final, nil, 0, fmt.Errorf("%w: CNAME chain longer than %d", errBadResponse, maxCNAMEs)
	}
	for _, rr := range rrs {
		if !sameName(rr.Header().Name, final) || rr.Header().Rrtype != qtype {
			continue
		}
		if a := addrOf(rr); a.IsValid() {
			answers = append(answers, answer{qtype: qtype, addr: a, ttl: ttlOf(rr)})
		}
	}
	return chain, final, answers, chainTTL, nil
}

// addrOf is the address an A or AAAA record holds; the zero Addr for any
// other record, or one whose address is malformed.
func addrOf(rr dns.RR) netip.Addr {
	var a netip.Addr
	switch rr := rr.(type) {
	case *dns.A:
		a, _ = netip.AddrFromSlice(rr.A.To4())
	case *dns.AAAA:
		a, _ = netip.AddrFromSlice(rr.AAAA.To16())
	}
	return a
}

// answersTTL is the smallest TTL among answers, or ttl when that is smaller.
func answersTTL(ttl uint32, answers []answer) uint32 {
	for _, a := range answers {
		ttl = min(ttl, a.ttl)
	}
	return ttl
}

// negativeTTL is how long a negative answer may be cached: the smaller of
// the SOA record's own TTL and its MINIMUM field (RFC 2308 §5), capped at
// maxNegativeTTL, or defaultNegativeTTL when the authority section has no SOA.
func negativeTTL(msg *dns.Msg) uint32 {
	for _, rr := range msg.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			return min(ttlOf(rr), clampTTL(soa.Minttl), maxNegativeTTL)
		}
	}
	return defaultNegativeTTL
}

// ttlOf is rr's TTL, read as RFC 2181 §8 says.
func ttlOf(rr dns.RR) uint32 { return clampTTL(rr.Header().Ttl) }

// clampTTL treats a TTL with the top bit set as zero (RFC 2181 §8) and
// caps it at maxPositiveTTL.
func clampTTL(t uint32) uint32 {
	if t > 1<<31-1 {
		return 0
	}
	return min(t, maxPositiveTTL)
}

func sameName(a, b string) bool { return strings.EqualFold(a, b) }

func containsName(list []string, name string) bool {
	for _, n := range list {
		if sameName(n, name) {
			return true
		}
	}
	return false
}

// typeName is "A" or "AAAA".
func typeName(qtype uint16) string {
	if qtype == dns.TypeAAAA {
		return "AAAA"
	}
	return "A"
}
