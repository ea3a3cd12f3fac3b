package resolver

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/miekg/dns"
)

// This file is iterative resolution (RFC 1034 §4.3.2, §5.3.3), the way
// "dig +trace" shows it: ask a root server without recursion, follow its
// referral to the TLD's servers, and so on down to a server that answers.
// Every query is one store.DNSHop.
//
// A referral is a claim by one server about who serves a zone below it; a
// careless resolver that believes any claim can be sent anywhere. So:
// a referral is taken only to a zone strictly below the current one that
// contains the name asked (otherwise it is refused and recorded as the
// hop's error), glue is taken only for name servers inside the delegated
// zone, answers are read only for names inside the answering server's
// zone, and every loop is bounded.

const (
	// maxReferrals bounds the depth of one walk from the root. Each
	// accepted referral goes at least one label deeper, so a walk ends
	// anyway within the name's label count; real names need 2 to 4.
	maxReferrals = 10

	// maxHops bounds the queries sent to resolve one name (each name the
	// search list produces gets its own budget), including those that
	// find name servers given without glue. Every round of iterate sends
	// at least one query, so this bounds the walk whatever the servers
	// say. unbound has a similar budget per client query (its
	// "max-sent-count", 32).
	maxHops = 30

	// maxNSDepth bounds nested lookups of glueless name servers (the name
	// server of a zone whose name server has no glue either...).
	maxNSDepth = 3
)

// tracer is the state of one iterative resolution.
type tracer struct {
	r         *Resolver
	lk        *store.Lookup   // hops are appended here
	hops      int             // queries sent so far
	resolving map[string]bool // glueless NS names being looked up, to break cycles
}

// nsEntry is one name server of a zone.
type nsEntry struct {
	name     string       // empty for a root hint
	addrs    []netip.Addr // from glue, a hint, or a lookup
	resolved bool         // addrs is final (glue, hint, or a lookup was tried)
}

// zoneServers are the servers believed to serve zone.
type zoneServers struct {
	zone string
	ns   []nsEntry
}

// stepKind is what one server's answer told us.
type stepKind int

const (
	stepAnswer   stepKind = iota // records for the name (or a CNAME)
	stepNXDomain                 // the name does not exist
	stepNoData                   // the name exists, without records of the type
	stepReferral                 // ask the servers of a zone further down
)

type step struct {
	kind   stepKind
	msg    *dns.Msg
	server string
	rtt    time.Duration
	hop    int         // index in lk.Hops
	next   zoneServers // for stepReferral
}

// final is where a walk ended: the last name asked, the server that
// answered, and its hop, so the other address family can be asked there.
type final struct {
	name     string
	zone     string
	server   string
	hop      int
	chainTTL uint32
}

// traceName resolves fq iteratively. The walk is made for A; the server
// that answers it is then asked for AAAA, and that query is folded into
// the same (last) hop, so the hops tell the path once: root, TLD,
// authoritative.
func (r *Resolver) traceName(ctx context.Context, fq string, lk *store.Lookup) (a, aaaa *qresult, errA, errAAAA *Error) {
	t := &tracer{r: r, lk: lk, resolving: make(map[string]bool)}
	a, fin, err := t.iterate(ctx, fq, dns.TypeA, 0)
	if err != nil {
		return a, nil, err, err
	}
	if a.rcode == dns.RcodeNameError {
		// Nothing exists at the name, of any type (RFC 8020 §2).
		n := *a
		return a, &n, nil, nil
	}
	aaaa, errAAAA = t.askFinal(ctx, fin, dns.TypeAAAA, a.cnames)
	return a, aaaa, nil, errAAAA
}

// iterate walks from the root to an answer for (qname, qtype).
func (t *tracer) iterate(ctx context.Context, qname string, qtype uint16, depth int) (*qresult, final, *Error) {
	name := qname
	var cnames []string
	chainTTL := uint32(maxPositiveTTL)
	zs := t.rootServers()
	referrals, restarts := 0, 0
	for {
		st, err := t.askZone(ctx, &zs, name, qtype, depth)
		if err != nil {
			return &qresult{cnames: cnames}, final{}, err
		}
		if st.kind == stepReferral {
			if referrals++; referrals > maxReferrals {
				return &qresult{cnames: cnames}, final{}, &Error{Kind: store.FailBadResponse, Server: st.server,
					Err: fmt.Errorf("%w: more than %d referrals", errBadResponse, maxReferrals)}
			}
			zs = st.next
			continue
		}
		chain, end, answers, cttl, rerr := readAnswer(st.msg, name, qtype, zs.zone)
		if rerr != nil {
			return &qresult{cnames: cnames}, final{}, &Error{Kind: store.FailBadResponse, Server: st.server, Err: rerr}
		}
		cnames = append(cnames, chain...)
		chainTTL = min(chainTTL, cttl)
		if len(cnames) > maxCNAMEs {
			return &qresult{cnames: cnames}, final{}, &Error{Kind: store.FailBadResponse, Server: st.server,
				Err: fmt.Errorf("%w: CNAME chain longer than %d", errBadResponse, maxCNAMEs)}
		}
		res := &qresult{rcode: dns.RcodeSuccess, cnames: cnames, server: st.server, rtt: st.rtt}
		fin := final{name: end, zone: zs.zone, server: st.server, hop: st.hop, chainTTL: chainTTL}
		switch {
		case len(answers) > 0:
			res.answers, res.ttl = answers, answersTTL(chainTTL, answers)
			return res, fin, nil
		case st.kind == stepNXDomain && (len(chain) == 0 || dns.IsSubDomain(zs.zone, end)):
			// With a chain, NXDOMAIN speaks of its end (RFC 6604 §2).
			res.rcode, res.ttl = dns.RcodeNameError, min(chainTTL, negativeTTL(st.msg))
			return res, fin, nil
		case len(chain) == 0, dns.IsSubDomain(zs.zone, end) && hasSOA(st.msg):
			// No data: for the name, or for the chain's end (its zone's
			// server says so with the SOA, RFC 2308 §2.2).
			res.ttl = min(chainTTL, negativeTTL(st.msg))
			return res, fin, nil
		}
		// The chain ended without the records: ask about its end. Within
		// the zone, the same servers know (or refer us down); outside it,
		// they must not be believed, so start again at the root.
		name = end
		if !dns.IsSubDomain(zs.zone, end) {
			if restarts++; restarts > maxCNAMEs {
				return res, final{}, &Error{Kind: store.FailBadResponse, Server: st.server,
					Err: fmt.Errorf("%w: CNAME chain restarted more than %d times", errBadResponse, maxCNAMEs)}
			}
			zs, referrals = t.rootServers(), 0
		}
	}
}

// askZone asks the servers of zs in turn until one gives a usable answer.
// Name servers without glue are looked up only when the glued ones failed.
func (t *tracer) askZone(ctx context.Context, zs *zoneServers, name string, qtype uint16, depth int) (*step, *Error) {
	var last *Error
	for i := range zs.ns {
		ns := &zs.ns[i]
		if !ns.resolved {
			ns.resolved = true
			addrs, err := t.resolveNS(ctx, ns.name, depth+1)
			if err != nil {
				last = &Error{Kind: store.FailServFail,
					Err: fmt.Errorf("cannot find the address of %s, name server of %s: %w", ns.name, zs.zone, err)}
				if err.Kind == store.FailCanceled {
					return nil, err
				}
				continue
			}
			ns.addrs = addrs
		}
		for _, a := range ns.addrs {
			if err := ctx.Err(); err != nil {
				return nil, &Error{Kind: errKind(err), Err: err}
			}
			if t.hops >= maxHops {
				return nil, &Error{Kind: store.FailBadResponse, Err: fmt.Errorf("gave up after %d queries", maxHops)}
			}
			server := netip.AddrPortFrom(a, t.r.tracePort).String()
			st, err := t.query(ctx, zs.zone, server, name, qtype)
			if err == nil {
				return st, nil
			}
			last = err
		}
	}
	if last == nil {
		last = &Error{Kind: store.FailServFail, Err: fmt.Errorf("no name server for zone %s", zs.zone)}
	}
	return nil, last
}

// query sends one non-recursive query and records it as a hop.
func (t *tracer) query(ctx context.Context, zone, server, name string, qtype uint16) (*step, *Error) {
	t.hops++
	hop := store.DNSHop{Server: server, Zone: zone, Start: time.Now()}
	msg, rtt, err := t.r.x.exchange(ctx, newQuery(name, qtype, false), server)
	hop.End = time.Now()
	idx := len(t.lk.Hops)
	if err != nil {
		hop.Error = err.Error()
		t.lk.Hops = append(t.lk.Hops, hop)
		return nil, &Error{Kind: errKind(err), Server: server, Err: err}
	}
	hop.Rcode = rcodeString(msg.Rcode)
	st, note, cerr := classify(zone, name, qtype, msg, &hop)
	if cerr != nil {
		hop.Error = cerr.Error()
		t.lk.Hops = append(t.lk.Hops, hop)
		kind := store.FailBadResponse
		if msg.Rcode != dns.RcodeSuccess {
			kind = rcodeKind(msg.Rcode)
		}
		return nil, &Error{Kind: kind, Server: server, Rcode: hop.Rcode, Err: cerr}
	}
	hop.Error = note
	t.lk.Hops = append(t.lk.Hops, hop)
	st.server, st.rtt, st.hop = server, rtt, idx
	return st, nil
}

// askFinal asks the server where a walk ended for another type of the same
// name, and folds the query into that server's hop.
func (t *tracer) askFinal(ctx context.Context, fin final, qtype uint16, cnames []string) (*qresult, *Error) {
	msg, rtt, err := t.r.x.exchange(ctx, newQuery(fin.name, qtype, false), fin.server)
	hop := &t.lk.Hops[fin.hop]
	hop.End = time.Now()
	res := &qresult{rcode: dns.RcodeSuccess, cnames: cnames, server: fin.server, rtt: rtt}
	if err != nil {
		hop.Error = joinNote(hop.Error, typeName(qtype)+" query: "+err.Error())
		return res, &Error{Kind: errKind(err), Server: fin.server, Err: err}
	}
	if msg.Rcode != dns.RcodeSuccess && msg.Rcode != dns.RcodeNameError {
		hop.Error = joinNote(hop.Error, typeName(qtype)+" query: "+rcodeString(msg.Rcode))
		return res, &Error{Kind: rcodeKind(msg.Rcode), Server: fin.server, Rcode: rcodeString(msg.Rcode)}
	}
	_, _, answers, cttl, rerr := readAnswer(msg, fin.name, qtype, fin.zone)
	if rerr != nil || len(answers) == 0 {
		// No data (or an answer we will not use): the name has no
		// records of this type as far as its server says.
		res.ttl = min(fin.chainTTL, negativeTTL(msg))
		return res, nil
	}
	res.answers, res.ttl = answers, answersTTL(min(fin.chainTTL, cttl), answers)
	return res, nil
}

// resolveNS finds the IPv4 addresses of a name server that came without
// glue, from the cache or by a walk of its own.
func (t *tracer) resolveNS(ctx context.Context, name string, depth int) ([]netip.Addr, *Error) {
	if depth > maxNSDepth {
		return nil, &Error{Name: name, Kind: store.FailBadResponse, Err: fmt.Errorf("name server lookups nested deeper than %d", maxNSDepth)}
	}
	if t.resolving[name] {
		return nil, &Error{Name: name, Kind: store.FailBadResponse, Err: fmt.Errorf("%w: glueless delegation loop", errBadResponse)}
	}
	key := cacheKey{name, dns.TypeA}
	res, ok := t.r.cache.get(key, t.r.now())
	if !ok {
		t.resolving[name] = true
		var err *Error
		res, _, err = t.iterate(ctx, name, dns.TypeA, depth)
		delete(t.resolving, name)
		if err != nil {
			err.Name = name
			return nil, err
		}
		t.r.cache.put(key, res, t.r.now())
	}
	var addrs []netip.Addr
	for _, a := range res.answers {
		addrs = append(addrs, a.addr)
	}
	if len(addrs) == 0 {
		kind := store.FailNoAddress
		if res.rcode == dns.RcodeNameError {
			kind = store.FailNXDomain
		}
		return nil, &Error{Name: name, Kind: kind, Server: res.server, Rcode: rcodeString(res.rcode)}
	}
	return addrs, nil
}

func (t *tracer) rootServers() zoneServers {
	zs := zoneServers{zone: "."}
	for _, a := range t.r.roots {
		zs.ns = append(zs.ns, nsEntry{addrs: []netip.Addr{a}, resolved: true})
	}
	return zs
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
