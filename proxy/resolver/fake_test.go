package resolver_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/resolver"
	"github.com/miekg/dns"
)

// Every test server listens on loopback, and every resolver under test is
// given its servers, a resolv.conf and a hosts file explicitly: no test may
// ever send a query to the machine's own DNS servers.

// startTimeout bounds the wait for a test server to start.
const startTimeout = 5 * time.Second

// serve runs a miekg server on an open UDP socket or TCP listener and waits
// for it to start.
func serve(tb testing.TB, pc net.PacketConn, l net.Listener, h dns.Handler) {
	tb.Helper()
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Listener: l, Handler: h, NotifyStartedFunc: func() { close(started) }}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.ActivateAndServe()
	}()
	select {
	case <-started:
	case <-done:
		tb.Fatal("DNS test server stopped before it started")
	case <-time.After(startTimeout):
		tb.Fatal("DNS test server did not start")
	}
	tb.Cleanup(func() {
		srv.Shutdown()
		<-done
	})
}

// serveUDP starts h on 127.0.0.1:0 over UDP and returns its address.
func serveUDP(tb testing.TB, h dns.Handler) string {
	tb.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	serve(tb, pc, nil, h)
	return pc.LocalAddr().String()
}

// serveUDPAndTCP starts h on one loopback port over UDP and TCP.
func serveUDPAndTCP(tb testing.TB, h dns.Handler) string {
	tb.Helper()
	for range 5 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		l, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil {
			pc.Close() // the TCP port is taken: try another
			continue
		}
		serve(tb, pc, nil, h)
		serve(tb, nil, l, h)
		return pc.LocalAddr().String()
	}
	tb.Fatal("no loopback port free for both UDP and TCP")
	return ""
}

// silentServer is a UDP socket that never answers.
func silentServer(tb testing.TB) string {
	tb.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { pc.Close() })
	return pc.LocalAddr().String()
}

// recursor is a fake recursive server over a fixed set of records. It
// chases CNAMEs through its own data, as a recursive server would, except
// for owners listed in noChase.
type recursor struct {
	records  map[string][]dns.RR // by lower-case owner
	noChase  map[string]bool
	truncate map[string]bool // answer over UDP with TC set and no records
	rcode    int             // when non-zero, answer every query with it
	noEDNS   bool            // answer FORMERR to queries with an OPT record, as pre-EDNS servers do

	mu      sync.Mutex
	queries map[string]int // "name TYPE net", e.g. "shop.test. A udp"
}

// testSOA gives negative answers a TTL of min(3600, 120) = 120 s.
const testSOA = "test. 3600 IN SOA ns.test. admin.test. 1 3600 600 86400 120"

func newRecursor(records ...string) *recursor {
	z := &recursor{records: make(map[string][]dns.RR), noChase: map[string]bool{},
		truncate: map[string]bool{}, queries: map[string]int{}}
	for _, s := range records {
		rr, err := dns.NewRR(s)
		if err != nil {
			panic(fmt.Sprintf("bad test record %q: %v", s, err))
		}
		owner := strings.ToLower(rr.Header().Name)
		z.records[owner] = append(z.records[owner], rr)
	}
	return z
}

func (z *recursor) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	q := req.Question[0]
	network := "udp"
	if _, ok := w.LocalAddr().(*net.TCPAddr); ok {
		network = "tcp"
	}
	z.mu.Lock()
	z.queries[fmt.Sprintf("%s %s %s", strings.ToLower(q.Name), dns.TypeToString[q.Qtype], network)]++
	z.mu.Unlock()

	m := new(dns.Msg).SetReply(req)
	m.RecursionAvailable = true
	if z.rcode != 0 {
		m.Rcode = z.rcode
		w.WriteMsg(m)
		return
	}
	if z.noEDNS && req.IsEdns0() != nil {
		m.Rcode = dns.RcodeFormatError
		w.WriteMsg(m)
		return
	}
	name := strings.ToLower(q.Name)
	if z.truncate[name] && network == "udp" {
		m.Truncated = true
		w.WriteMsg(m)
		return
	}
	found := false
	for range 10 {
		var cname *dns.CNAME
		for _, rr := range z.records[name] {
			if rr.Header().Rrtype == q.Qtype {
				m.Answer = append(m.Answer, rr)
				found = true
			} else if c, ok := rr.(*dns.CNAME); ok {
				cname = c
			}
		}
		if found || cname == nil {
			break
		}
		m.Answer = append(m.Answer, cname)
		if z.noChase[name] {
			w.WriteMsg(m)
			return
		}
		name = strings.ToLower(cname.Target)
	}
	if len(z.records[name]) == 0 {
		m.Rcode = dns.RcodeNameError
	}
	if !found {
		soa, _ := dns.NewRR(testSOA)
		m.Ns = append(m.Ns, soa)
	}
	w.WriteMsg(m)
}

// count is how many queries for name and type reached the server over
// network ("udp", "tcp"; "" for both).
func (z *recursor) count(name, qtype, network string) int {
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

// total is the number of queries received.
func (z *recursor) total() int {
	z.mu.Lock()
	defer z.mu.Unlock()
	n := 0
	for _, v := range z.queries {
		n += v
	}
	return n
}

// writeFile writes content to a new file in a test directory.
func writeFile(tb testing.TB, name, content string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// newResolver builds a resolver that can only reach servers: no hosts file,
// no resolv.conf unless cfg names one.
func newResolver(tb testing.TB, cfg resolver.Config, servers ...string) *resolver.Resolver {
	tb.Helper()
	cfg.Servers = servers
	if cfg.ResolvConf == "" {
		cfg.ResolvConf = resolver.None
	}
	if cfg.HostsFile == "" {
		cfg.HostsFile = resolver.None
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = time.Second
	}
	r, err := resolver.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}
