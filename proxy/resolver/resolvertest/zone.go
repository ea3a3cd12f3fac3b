package resolvertest

import (
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// SOA gives the negative answers of a Zone a TTL of min(3600, 120) = 120 s
// (RFC 2308 §5).
const SOA = "test. 3600 IN SOA ns.test. admin.test. 1 3600 600 86400 120"

// RRs parses records in zone-file syntax; a bad record is a bug in the
// test, so it panics.
func RRs(ss ...string) []dns.RR {
	out := make([]dns.RR, 0, len(ss))
	for _, s := range ss {
		rr, err := dns.NewRR(s)
		if err != nil {
			panic(fmt.Sprintf("bad test record %q: %v", s, err))
		}
		out = append(out, rr)
	}
	return out
}

// Records are resource records by lower-case owner name.
type Records map[string][]dns.RR

// Add parses records and files them under their owners.
func (r Records) Add(ss ...string) {
	for _, rr := range RRs(ss...) {
		owner := strings.ToLower(rr.Header().Name)
		r[owner] = append(r[owner], rr)
	}
}

// Answer appends to m the records of type qtype for name, following
// CNAMEs through r while follow(owner, target) allows (at most 10 links).
// It returns the last name reached and whether records of qtype were found.
func (r Records) Answer(m *dns.Msg, name string, qtype uint16, follow func(owner, target string) bool) (last string, found bool) {
	for range 10 {
		var cname *dns.CNAME
		for _, rr := range r[name] {
			if rr.Header().Rrtype == qtype {
				m.Answer = append(m.Answer, rr)
				found = true
			} else if c, ok := rr.(*dns.CNAME); ok {
				cname = c
			}
		}
		if found || cname == nil {
			return name, found
		}
		m.Answer = append(m.Answer, cname)
		target := strings.ToLower(cname.Target)
		if !follow(name, target) {
			return target, false
		}
		name = target
	}
	return name, found
}

// Zone is a fake recursive DNS server over a fixed set of records: it
// chases CNAMEs through its own data as a recursive server would, answers
// NXDOMAIN for names it has no records for, and counts the queries it gets.
// Set its fields before serving it.
type Zone struct {
	Records  Records
	NoChase  map[string]bool // owners whose CNAME is answered without its target
	Truncate map[string]bool // owners answered over UDP with TC set and no records
	Rcodes   map[string]int  // owners answered with this RCODE and nothing else
	Rcode    int             // when non-zero, every query is answered with it
	NoEDNS   bool            // answer FORMERR to queries with an OPT record, as pre-EDNS servers do

	mu      sync.Mutex
	queries map[string]int // "name TYPE net", e.g. "shop.test. A udp"
}

// NewZone returns a Zone holding records (zone-file syntax).
func NewZone(records ...string) *Zone {
	z := &Zone{Records: Records{}, NoChase: map[string]bool{}, Truncate: map[string]bool{},
		Rcodes: map[string]int{}, queries: map[string]int{}}
	z.Records.Add(records...)
	return z
}

// ServeDNS implements dns.Handler.
func (z *Zone) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	network := "udp"
	if _, ok := w.LocalAddr().(*net.TCPAddr); ok {
		network = "tcp"
	}
	z.mu.Lock()
	z.queries[fmt.Sprintf("%s %s %s", name, dns.TypeToString[q.Qtype], network)]++
	z.mu.Unlock()

	m := new(dns.Msg).SetReply(req)
	m.RecursionAvailable = true
	switch {
	case z.Rcode != 0:
		m.Rcode = z.Rcode
	case z.Rcodes[name] != 0:
		m.Rcode = z.Rcodes[name]
	case z.NoEDNS && req.IsEdns0() != nil:
		m.Rcode = dns.RcodeFormatError
	case z.Truncate[name] && network == "udp":
		m.Truncated = true
	default:
		z.answer(m, name, q.Qtype)
	}
	w.WriteMsg(m)
}

// answer fills m from the records: a negative answer carries the SOA, and
// NXDOMAIN when the name (or the end of its CNAME chain) has no records.
func (z *Zone) answer(m *dns.Msg, name string, qtype uint16) {
	stopped := false
	last, found := z.Records.Answer(m, name, qtype, func(owner, _ string) bool {
		stopped = z.NoChase[owner]
		return !stopped
	})
	if found || stopped {
		return
	}
	if len(z.Records[last]) == 0 {
		m.Rcode = dns.RcodeNameError
	}
	m.Ns = append(m.Ns, RRs(SOA)...)
}

// Count is how many queries for name (lower case, with the final dot) and
// type ("A", "AAAA") reached the server over network ("udp", "tcp"; ""
// for both).
func (z *Zone) Count(name, qtype, network string) int {
	z.mu.Lock()
	defer z.mu.Unlock()
	n := 0
	for k, v := range z.queries {
		f := strings.Fields(k)
		if f[0] == name && f[1] == qtype && (network == "" || f[2] == network) {
			n += v
		}
	}
	return n
}

// Total is the number of queries received.
func (z *Zone) Total() int {
	z.mu.Lock()
	defer z.mu.Unlock()
	n := 0
	for _, v := range z.queries {
		n += v
	}
	return n
}
