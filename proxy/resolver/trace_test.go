package resolver_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/glassbox-dev/glassbox/proxy/resolver"
	"github.com/glassbox-dev/glassbox/proxy/resolver/resolvertest"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/miekg/dns"
)

// The trace tests run a fake DNS tree on loopback addresses that share one
// port, as the real tree shares port 53:
//
//	127.0.0.2  root "."
//	127.0.0.3  "test."
//	127.0.0.4  "shop.test." (and noglue.test.), plus two lame delegations
//	127.0.0.5  a server that answers SERVFAIL to everything

// authServer is a fake authoritative server: it refers names below its
// delegations and answers the rest from its records.
type authServer struct {
	zone        string
	records     resolvertest.Records
	delegations []delegation
	rcode       int

	mu        sync.Mutex
	names     map[string]int // queries by lower-case name
	recursive int            // queries that had RD set
}

// delegation refers every name at or below match with the given authority
// and additional sections, which need not be honest.
type delegation struct {
	match string
	ns    []dns.RR
	glue  []dns.RR
}

var rrs = resolvertest.RRs

func newAuth(zone string, records []string, dels ...delegation) *authServer {
	a := &authServer{zone: zone, records: resolvertest.Records{}, delegations: dels, names: map[string]int{}}
	a.records.Add(records...)
	return a
}

func (a *authServer) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	a.mu.Lock()
	a.names[name]++
	if req.RecursionDesired {
		a.recursive++
	}
	a.mu.Unlock()

	m := new(dns.Msg).SetReply(req)
	if a.rcode != 0 {
		m.Rcode = a.rcode
		w.WriteMsg(m)
		return
	}
	for _, d := range a.delegations {
		if dns.IsSubDomain(d.match, name) {
			m.Ns, m.Extra = d.ns, d.glue
			w.WriteMsg(m)
			return
		}
	}
	m.Authoritative = true
	name, _ = a.records.Answer(m, name, q.Qtype, func(_, target string) bool {
		return dns.IsSubDomain(a.zone, target) // a CNAME out of the zone: the resolver asks elsewhere
	})
	if len(m.Answer) == 0 {
		if len(a.records[name]) == 0 {
			m.Rcode = dns.RcodeNameError
		}
		m.Ns = rrs(fmt.Sprintf("%s 3600 IN SOA ns.invalid. admin.invalid. 1 3600 600 86400 120", a.zone))
	}
	w.WriteMsg(m)
}

func (a *authServer) asked(name string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.names[name]
}

func (a *authServer) total() (queries, recursive int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, n := range a.names {
		queries += n
	}
	return queries, a.recursive
}

type tree struct {
	port                   string
	root, tld, shop, fails *authServer
}

func (tr *tree) servers() []*authServer { return []*authServer{tr.root, tr.tld, tr.shop, tr.fails} }

// newTree starts the fake tree, or skips the test where 127.0.0.2 cannot
// be bound (a loopback that is not all of 127.0.0.0/8).
func newTree(t *testing.T) *tree {
	t.Helper()
	probe, err := net.ListenPacket("udp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("SKIPPING TRACE TEST: cannot bind 127.0.0.2 (%v); the fake DNS tree needs 127.0.0.2-127.0.0.5 on loopback", err)
	}
	probe.Close()

	tr := &tree{
		root: newAuth(".", nil, delegation{"test.",
			rrs("test. 86400 IN NS ns1.test."),
			rrs("ns1.test. 86400 IN A 127.0.0.3")}),
		tld: newAuth("test.", []string{"edge.cdn2.test. 60 IN A 127.0.0.30"},
			delegation{"shop.test.",
				rrs("shop.test. 3600 IN NS ns1.shop.test."),
				rrs("ns1.shop.test. 3600 IN A 127.0.0.4")},
			delegation{"noglue.test.", // its server is found by name
				rrs("noglue.test. 3600 IN NS ns1.shop.test."), nil},
			delegation{"evil-ref.test.", // claims a zone outside test.
				rrs("evil. 3600 IN NS ns.evil."),
				rrs("ns.evil. 3600 IN A 127.0.0.4")},
			delegation{"badglue.test.", // glue for a name outside the delegated zone
				rrs("badglue.test. 3600 IN NS ns.elsewhere."),
				rrs("ns.elsewhere. 3600 IN A 127.0.0.4")},
			delegation{"loop.test.",
				rrs("loop.test. 3600 IN NS ns.loop.test."),
				rrs("ns.loop.test. 3600 IN A 127.0.0.4")},
			delegation{"self.test.",
				rrs("self.test. 3600 IN NS ns.self.test."),
				rrs("ns.self.test. 3600 IN A 127.0.0.4")},
		),
		shop: newAuth("shop.test.", []string{
			"shop.test. 60 IN A 127.0.0.1",
			"shop.test. 60 IN AAAA ::1",
			"ns1.shop.test. 3600 IN A 127.0.0.4",
			"www.shop.test. 300 IN CNAME edge.cdn2.test.",
			"x.noglue.test. 60 IN A 127.0.0.40",
		},
			delegation{"loop.test.", // sends the resolver back up
				rrs("test. 86400 IN NS ns1.test."),
				rrs("ns1.test. 86400 IN A 127.0.0.3")},
			delegation{"self.test.", // delegates its own zone again
				rrs("self.test. 3600 IN NS ns.self.test."),
				rrs("ns.self.test. 3600 IN A 127.0.0.4")},
		),
		fails: newAuth("fail.", nil),
	}
	tr.fails.rcode = dns.RcodeServerFailure

	ips := []string{"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"}
	for range 5 {
		var pcs []net.PacketConn
		first, err := net.ListenPacket("udp", ips[0]+":0")
		if err != nil {
			t.Fatal(err)
		}
		pcs = append(pcs, first)
		_, port, _ := net.SplitHostPort(first.LocalAddr().String())
		for _, ip := range ips[1:] {
			pc, err := net.ListenPacket("udp", net.JoinHostPort(ip, port))
			if err != nil {
				break // taken on this address: try another port
			}
			pcs = append(pcs, pc)
		}
		if len(pcs) < len(ips) {
			for _, pc := range pcs {
				pc.Close()
			}
			continue
		}
		for i, s := range tr.servers() {
			resolvertest.Serve(t, pcs[i], nil, s)
		}
		tr.port = port
		return tr
	}
	t.Fatal("no port free on all of 127.0.0.2-5")
	return nil
}

func (tr *tree) resolver(t *testing.T, hints ...string) *resolver.Resolver {
	if len(hints) == 0 {
		hints = []string{"127.0.0.2"}
	}
	return newResolver(t, resolver.Config{Trace: true, RootHints: hints, TracePort: tr.port, Attempts: 1})
}

func TestTraceHops(t *testing.T) {
	tr := newTree(t)
	r := tr.resolver(t)
	at := func(ip string) string { return net.JoinHostPort(ip, tr.port) }

	got, lk, err := r.Lookup(context.Background(), "shop.test")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, addrs("127.0.0.1", "::1")) {
		t.Errorf("addrs = %v", got)
	}
	if lk.Source != resolver.SourceTrace || lk.Server != at("127.0.0.4") || lk.Rcode != "NOERROR" {
		t.Errorf("lookup = %+v", lk)
	}
	want := []struct {
		server, zone string
		referral     []string
		glue         []string
	}{
		{at("127.0.0.2"), ".", []string{"ns1.test."}, []string{"ns1.test. 127.0.0.3"}},
		{at("127.0.0.3"), "test.", []string{"ns1.shop.test."}, []string{"ns1.shop.test. 127.0.0.4"}},
		{at("127.0.0.4"), "shop.test.", nil, nil},
	}
	if len(lk.Hops) != len(want) {
		t.Fatalf("hops = %+v, want %d", lk.Hops, len(want))
	}
	for i, w := range want {
		h := lk.Hops[i]
		if h.Server != w.server || h.Zone != w.zone || !slices.Equal(h.Referral, w.referral) ||
			!slices.Equal(h.Glue, w.glue) || h.Rcode != "NOERROR" || h.Error != "" {
			t.Errorf("hop %d = %+v, want %+v", i, h, w)
		}
		if h.Start.IsZero() || h.End.Before(h.Start) || (i > 0 && h.Start.Before(lk.Hops[i-1].End)) {
			t.Errorf("hop %d timing: %v..%v", i, h.Start, h.End)
		}
	}

	// Cached like a network answer.
	before := 0
	for _, s := range tr.servers() {
		n, _ := s.total()
		before += n
	}
	_, lk, err = r.Lookup(context.Background(), "shop.test")
	if err != nil || lk.Source != resolver.SourceCache || len(lk.Hops) != 0 {
		t.Errorf("second lookup = %+v, %v; want from cache", lk, err)
	}
	after := 0
	for _, s := range tr.servers() {
		n, rd := s.total()
		after += n
		if rd != 0 {
			t.Errorf("server %s got %d queries with RD set", s.zone, rd)
		}
	}
	if after != before {
		t.Errorf("%d queries for a cached trace", after-before)
	}
}

func TestTracePaths(t *testing.T) {
	tr := newTree(t)
	for _, tc := range []struct {
		name, host string
		want       []string // addresses
		cnames     []string
		zones      []string // of the hops, in order
	}{
		// A CNAME out of shop.test. is not believed there: start again
		// at the root.
		{"cname-restarts-at-root", "www.shop.test", []string{"127.0.0.30"}, []string{"edge.cdn2.test."},
			[]string{".", "test.", "shop.test.", ".", "test."}},
		// The name server of noglue.test. comes without glue: find it
		// first, with a walk of its own.
		{"glueless-name-server", "x.noglue.test", []string{"127.0.0.40"}, nil,
			[]string{".", "test.", ".", "test.", "shop.test.", "noglue.test."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, lk, err := tr.resolver(t).Lookup(context.Background(), tc.host)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, addrs(tc.want...)) || !slices.Equal(lk.CNAMEs, tc.cnames) {
				t.Errorf("addrs %v cnames %v, want %v %v", got, lk.CNAMEs, tc.want, tc.cnames)
			}
			var zones []string
			for _, h := range lk.Hops {
				zones = append(zones, h.Zone)
			}
			if !slices.Equal(zones, tc.zones) {
				t.Errorf("hop zones = %v, want %v", zones, tc.zones)
			}
		})
	}
}

func TestTraceRefusals(t *testing.T) {
	tr := newTree(t)
	for _, tc := range []struct {
		name, host, kind string
		hops             int    // recorded
		hopErr           string // in the last-but-one or last hop's Error
	}{
		// test.'s server claims a zone outside its own.
		{"referral-outside-zone", "www.evil-ref.test", store.FailBadResponse, 2, "refused referral to evil.: outside zone test."},
		// Glue for a name server outside the delegated zone is ignored;
		// the name server's own name then does not resolve.
		{"glue-outside-zone", "www.badglue.test", store.FailServFail, 3, "ignored glue outside badglue.test.: ns.elsewhere. 127.0.0.4"},
		// loop.test.'s server refers back up to test.
		{"upward-referral", "www.loop.test", store.FailBadResponse, 3, "referred back up to test."},
		// self.test.'s server delegates self.test. again.
		{"self-referral", "www.self.test", store.FailBadResponse, 3, "referred to self.test. again"},
		// The root knows nothing of it.
		{"nxdomain", "shop.nope", store.FailNXDomain, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, lk, err := tr.resolver(t).Lookup(context.Background(), tc.host)
			t.Logf("error: %v", err)
			for i, h := range lk.Hops {
				t.Logf("hop %d: %s %s referral %v glue %v %s %q", i, h.Server, h.Zone, h.Referral, h.Glue, h.Rcode, h.Error)
			}
			if kindOf(err) != tc.kind {
				t.Fatalf("err = %v, want kind %s", err, tc.kind)
			}
			if len(lk.Hops) != tc.hops {
				t.Fatalf("hops = %+v, want %d", lk.Hops, tc.hops)
			}
			found := tc.hopErr == ""
			for _, h := range lk.Hops {
				found = found || strings.Contains(h.Error, tc.hopErr)
			}
			if !found {
				t.Errorf("no hop says %q: %+v", tc.hopErr, lk.Hops)
			}
			if lk.Error == "" {
				t.Error("lk.Error is empty")
			}
		})
	}
	// The glue that was refused was not used.
	for _, name := range []string{"www.evil-ref.test.", "www.badglue.test."} {
		if n := tr.shop.asked(name); n != 0 {
			t.Errorf("127.0.0.4 was asked for %s %d times through refused glue", name, n)
		}
	}
}

func TestTraceHopCap(t *testing.T) {
	tr := newTree(t)
	// Forty root hints, all answering SERVFAIL: the walk stops at the cap.
	hints := slices.Repeat([]string{"127.0.0.5"}, 40)
	_, lk, err := tr.resolver(t, hints...).Lookup(context.Background(), "shop.test")
	if err == nil {
		t.Fatal("lookup succeeded through failing servers")
	}
	if len(lk.Hops) != 30 {
		t.Errorf("%d hops, want the cap of 30", len(lk.Hops))
	}
	if n, _ := tr.fails.total(); n != 30 {
		t.Errorf("%d queries sent, want 30", n)
	}
}
