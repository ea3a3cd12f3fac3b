// Package resolver finds the addresses of a host the way the browser's
// operating system would (hosts file, then the DNS servers, search list and
// ndots of resolv.conf) and records each step in a store.Lookup, so glassbox
// can show what finding an address cost and why it failed.
//
// It can also resolve iteratively from the root servers, like "dig +trace",
// recording every referral on the way.
//
// The DNS messages are built and parsed with github.com/miekg/dns v1, which
// is frozen upstream; none of its types appear in this package's API, so a
// move to its v2 touches exchange.go and the parsing helpers only.
package resolver

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/miekg/dns"
)

// Where an answer came from, for store.Lookup.Source.
const (
	SourceLiteral = "literal" // the host was an IP address; nothing was asked
	SourceHosts   = "hosts"   // the hosts file
	SourceCache   = "cache"   // an earlier answer whose TTL had not run out
	SourceNetwork = "network" // the recursive servers
	SourceTrace   = "trace"   // iterative resolution from the root
)

// None, as Config.ResolvConf or Config.HostsFile, disables that file.
const None = "none"

// Defaults for Config.
const (
	DefaultResolvConf = "/etc/resolv.conf"
	DefaultHostsFile  = "/etc/hosts"

	// DefaultTimeout per query is shorter than glibc's 5 s (resolv.conf(5),
	// "timeout"): a recursive server that has not answered in 2 s rarely
	// will, and a user watching a page load should not wait twice 5 s.
	DefaultTimeout = 2 * time.Second

	// DefaultAttempts is glibc's default number of rounds over the server
	// list (resolv.conf(5), "attempts").
	DefaultAttempts = 2

	DefaultMaxCache  = 10000
	DefaultTracePort = "53"
)

// rootHints are the IPv4 addresses of a.root-servers.net through
// m.root-servers.net, from IANA's named.root (b.root changed to
// 170.247.170.2 in November 2023). IPv4 only, because many networks still
// cannot reach IPv6.
var rootHints = [...]string{
	"198.41.0.4", "170.247.170.2", "192.33.4.12", "199.7.91.13",
	"192.203.230.10", "192.5.5.241", "192.112.36.4", "198.97.190.53",
	"192.36.148.17", "192.58.128.30", "193.0.14.129", "199.7.83.42",
	"202.12.27.33",
}

// DefaultRootHints returns the IPv4 addresses of the 13 root servers.
func DefaultRootHints() []string { return append([]string(nil), rootHints[:]...) }

// Config is the resolver's configuration; zero values take the defaults.
type Config struct {
	// Servers are the recursive servers to ask, "IP:port", in order.
	// Empty means the nameservers of ResolvConf.
	Servers []string
	// ResolvConf gives the servers (unless Servers is set), the search list,
	// ndots, and, unless set here, timeout and attempts. Default
	// DefaultResolvConf; None reads nothing.
	ResolvConf string
	// HostsFile is consulted before DNS. Default DefaultHostsFile; None
	// disables it.
	HostsFile string
	// Timeout is how long to wait for one answer from one server.
	Timeout time.Duration
	// Attempts is the number of rounds over Servers before giving up.
	Attempts int
	// Trace resolves iteratively from RootHints instead of asking Servers.
	Trace bool
	// RootHints are the root servers' IP addresses for Trace; default
	// DefaultRootHints().
	RootHints []string
	// TracePort is the port every server is asked on in Trace mode
	// (tests run a fake hierarchy on one port); default "53".
	TracePort string
	// MaxCache is the number of cached answers kept; default
	// DefaultMaxCache. Negative disables the cache.
	MaxCache int
	// Latency is added to every query sent to a server (one round trip per
	// exchange over UDP, two over TCP: its handshake and the query), as
	// --latency asks. Answers from the cache and the hosts file pay none.
	Latency time.Duration
	// Now is the clock for TTLs; default time.Now. Timings recorded on a
	// Lookup always use the real clock.
	Now func() time.Time
}

// Resolver resolves host names. It is safe for concurrent use.
type Resolver struct {
	servers   []string
	conf      *resolvConf // nil when no resolv.conf was read
	hosts     *hostsFile  // nil when disabled
	cache     *cache
	x         *exchanger
	attempts  int
	trace     bool
	roots     []netip.Addr
	tracePort uint16
	now       func() time.Time
}

// New checks cfg and returns a resolver. It reads resolv.conf once, now (a
// change needs a new Resolver); the hosts file is read on first use and
// again whenever it changes.
func New(cfg Config) (*Resolver, error) {
	r := &Resolver{trace: cfg.Trace, now: cfg.Now}
	if r.now == nil {
		r.now = time.Now
	}
	if err := r.setServers(cfg); err != nil {
		return nil, err
	}
	if p := cmp.Or(cfg.HostsFile, DefaultHostsFile); p != None {
		r.hosts = newHostsFile(p)
	}
	r.cache = newCache(cmp.Or(cfg.MaxCache, DefaultMaxCache))
	if err := r.setTrace(cfg); err != nil {
		return nil, err
	}
	return r, nil
}

// setServers sets what stub resolution needs: the servers (Config.Servers,
// else resolv.conf's), the search list, and the timeout and attempts per
// query.
func (r *Resolver) setServers(cfg Config) error {
	rcPath := cmp.Or(cfg.ResolvConf, DefaultResolvConf)
	var rcErr error
	if rcPath != None {
		r.conf, rcErr = readResolvConf(rcPath)
	}
	for _, s := range cfg.Servers {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return fmt.Errorf("resolver: DNS server %q: want IP:port, e.g. 127.0.0.1:53", s)
		}
		r.servers = append(r.servers, ap.String())
	}
	if len(r.servers) == 0 && r.conf != nil {
		r.servers = r.conf.servers
	}
	if len(r.servers) == 0 && !r.trace {
		if rcErr != nil {
			return fmt.Errorf("resolver: no DNS server: %w", rcErr)
		}
		return fmt.Errorf("resolver: no DNS server: none in Config.Servers nor in %s", rcPath)
	}
	timeout, attempts := cfg.Timeout, cfg.Attempts
	if r.conf != nil {
		timeout = cmp.Or(timeout, r.conf.timeout)
		attempts = cmp.Or(attempts, r.conf.attempts)
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	r.x = newExchanger(timeout)
	r.x.latency = cfg.Latency
	r.attempts = attempts
	return nil
}

// setTrace sets what trace mode needs: the root servers and the port asked.
func (r *Resolver) setTrace(cfg Config) error {
	hints := cfg.RootHints
	if len(hints) == 0 {
		hints = rootHints[:]
	}
	for _, h := range hints {
		a, err := netip.ParseAddr(h)
		if err != nil {
			return fmt.Errorf("resolver: root hint %q is not an IP address", h)
		}
		r.roots = append(r.roots, a)
	}
	port, err := netip.ParseAddrPort("0.0.0.0:" + cmp.Or(cfg.TracePort, DefaultTracePort))
	if err != nil {
		return fmt.Errorf("resolver: trace port %q is not a port number", cfg.TracePort)
	}
	r.tracePort = port.Port()
	return nil
}

// Lookup resolves host to addresses: an IP literal as itself, then the
// hosts file, the cache, and the network. lk is never nil, even with an
// error, and tells what happened; its ID and SessionID are left to the
// caller. Addresses come in answer order, A records before AAAA.
func (r *Resolver) Lookup(ctx context.Context, host string) (addrs []netip.Addr, lk *store.Lookup, err error) {
	lk = &store.Lookup{Name: host, Start: time.Now()}
	addrs, e := r.lookup(ctx, host, lk)
	lk.End = time.Now()
	if e != nil {
		e.Name = host
		lk.Error = e.Error()
		return nil, lk, e
	}
	return addrs, lk, nil
}

func (r *Resolver) lookup(ctx context.Context, host string, lk *store.Lookup) ([]netip.Addr, *Error) {
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")); err == nil {
		lk.Source = SourceLiteral
		lk.Answers = []store.DNSAnswer{{Type: family(a), Addr: a.String()}}
		return []netip.Addr{a}, nil
	}
	name := strings.ToLower(host)
	if !validName(name) {
		return nil, &Error{Kind: store.FailInvalidName}
	}
	if r.hosts != nil {
		if addrs := r.hosts.lookup(strings.TrimSuffix(name, ".")); len(addrs) > 0 {
			lk.Source, lk.Server = SourceHosts, r.hosts.path
			for _, a := range addrs {
				lk.Answers = append(lk.Answers, store.DNSAnswer{Type: family(a), Addr: a.String()})
			}
			return addrs, nil
		}
	}

	// Try the candidate names as glibc does. The error reported is the
	// one for the name as given, when it was tried: "shop.test: no such
	// domain" helps more than the failure of a search suffix.
	var report, asIs *outcome
	for _, fq := range r.conf.nameList(name) {
		if !validName(fq) {
			continue // too long once the suffix is added
		}
		o := r.resolveName(ctx, fq, lk)
		report = o
		if sameName(fq, name) || sameName(fq, name+".") {
			asIs = o
		}
		if o.err == nil || !o.err.searchOn() {
			break
		}
	}
	if report == nil {
		return nil, &Error{Kind: store.FailInvalidName}
	}
	if report.err != nil && asIs != nil {
		report = asIs
	}
	report.fill(lk)
	return report.addrs, report.err
}

// validName accepts names of at most 253 characters (RFC 1035 §2.3.4,
// without the trailing dot) that miekg can encode.
func validName(name string) bool {
	if len(strings.TrimSuffix(name, ".")) > 253 || name == "" || name == "." {
		return false
	}
	_, ok := dns.IsDomainName(name)
	return ok
}

// searchOn says whether, after this failure, glibc's res_search goes on to
// the next candidate name: it does after "no such name", "no data" and
// SERVFAIL, and stops after anything else.
func (e *Error) searchOn() bool {
	switch e.Kind {
	case store.FailNXDomain, store.FailNoAddress, store.FailServFail:
		return true
	}
	return false
}

// resolveName resolves A and AAAA for one fully qualified name, from the
// cache when both are there, else from the network or the root.
func (r *Resolver) resolveName(ctx context.Context, fq string, lk *store.Lookup) *outcome {
	now := r.now()
	keyA, key6 := cacheKey{fq, dns.TypeA}, cacheKey{fq, dns.TypeAAAA}
	o := &outcome{source: SourceCache}
	var hitA, hit6 bool
	o.a, hitA = r.cache.get(keyA, now)
	o.aaaa, hit6 = r.cache.get(key6, now)
	switch {
	case hitA && hit6:
	case r.trace:
		o.source = SourceTrace
		o.a, o.aaaa, o.errA, o.errAAAA = r.traceName(ctx, fq, lk)
		hitA, hit6 = false, false
	default:
		// Both families in parallel, as browsers and glibc do, so the
		// lookup costs one round trip, not two.
		o.source = SourceNetwork
		var wg sync.WaitGroup
		if !hitA {
			wg.Go(func() { o.a, o.errA = r.resolveType(ctx, fq, dns.TypeA) })
		}
		if !hit6 {
			wg.Go(func() { o.aaaa, o.errAAAA = r.resolveType(ctx, fq, dns.TypeAAAA) })
		}
		wg.Wait()
	}
	now = r.now()
	if !hitA && o.errA == nil && o.a != nil {
		r.cache.put(keyA, o.a, now)
	}
	if !hit6 && o.errAAAA == nil && o.aaaa != nil {
		r.cache.put(key6, o.aaaa, now)
	}
	o.combine()
	return o
}
