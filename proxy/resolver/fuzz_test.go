package resolver

import (
	"testing"

	"github.com/miekg/dns"

	"github.com/glassbox-dev/glassbox/store"
)

// FuzzAnswerHandling feeds arbitrary DNS messages (as a hostile or broken
// server could send them) to the code that reads answers and referrals: it
// must never panic, and never return an address for a name outside the
// chain it followed.
func FuzzAnswerHandling(f *testing.F) {
	seed := func(build func(m *dns.Msg)) {
		m := new(dns.Msg)
		m.SetQuestion("shop.test.", dns.TypeA)
		m.Response = true
		build(m)
		if b, err := m.Pack(); err == nil {
			f.Add(b)
		}
	}
	rr := func(s string) dns.RR { r, _ := dns.NewRR(s); return r }
	seed(func(m *dns.Msg) { m.Answer = []dns.RR{rr("shop.test. 60 IN A 127.0.0.1")} })
	seed(func(m *dns.Msg) {
		m.Answer = []dns.RR{rr("shop.test. 60 IN CNAME edge.test."), rr("edge.test. 30 IN A 127.0.0.2")}
	})
	seed(func(m *dns.Msg) {
		m.Rcode = dns.RcodeNameError
		m.Ns = []dns.RR{rr("test. 60 IN SOA ns.test. a.test. 1 2 3 4 30")}
	})
	seed(func(m *dns.Msg) {
		m.Ns = []dns.RR{rr("test. 60 IN NS ns.test.")}
		m.Extra = []dns.RR{rr("ns.test. 60 IN A 127.0.0.3"), rr("evil. 60 IN A 127.0.0.9")}
	})
	f.Fuzz(func(t *testing.T, b []byte) {
		m := new(dns.Msg)
		if m.Unpack(b) != nil {
			return
		}
		chain, final, answers, _, err := readAnswer(m, "shop.test.", dns.TypeA, ".")
		if err == nil && len(answers) > 0 && final != "shop.test." && !containsName(chain, final) {
			t.Fatalf("answers for %q, which the chain %v does not reach", final, chain)
		}
		negativeTTL(m)
		hop := &store.DNSHop{}
		classify("test.", "shop.test.", dns.TypeA, m, hop)
	})
}
