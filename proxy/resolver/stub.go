package resolver

import (
	"context"
	"fmt"

	"github.com/miekg/dns"

	"github.com/glassbox-dev/glassbox/store"
)

// This file is stub resolution: ask the configured recursive servers and
// read their answers, as the C library would.

// ask sends (name, qtype) with RD set to the configured servers in turn,
// Attempts rounds over the list, until one gives an answer or a definite
// "no such name". A timeout, SERVFAIL, REFUSED or an unusable reply moves
// on to the next server, as glibc does (resolv.conf(5), "attempts").
func (r *Resolver) ask(ctx context.Context, name string, qtype uint16) (*dns.Msg, string, *qresult, *Error) {
	var last *Error
	for range r.attempts {
		for _, server := range r.servers {
			msg, rtt, err := r.x.exchange(ctx, newQuery(name, qtype, true), server)
			if err != nil {
				last = &Error{Kind: errKind(err), Server: server, Err: err}
				if last.Kind == store.FailCanceled || ctx.Err() != nil {
					return nil, "", nil, last
				}
				continue
			}
			switch msg.Rcode {
			case dns.RcodeSuccess, dns.RcodeNameError:
				return msg, server, &qresult{rcode: msg.Rcode, server: server, rtt: rtt}, nil
			}
			last = &Error{Kind: rcodeKind(msg.Rcode), Server: server, Rcode: rcodeString(msg.Rcode)}
		}
	}
	if last == nil {
		last = &Error{Kind: store.FailNetwork, Err: fmt.Errorf("no DNS server configured")}
	}
	return nil, "", nil, last
}

// resolveType resolves one (name, qtype) through the recursive servers. If
// an answer ends in a CNAME without the address records (some servers do
// not chase chains that leave their own data) the target is asked for in
// turn, up to maxCNAMEs links in all.
func (r *Resolver) resolveType(ctx context.Context, name string, qtype uint16) (*qresult, *Error) {
	var cnames []string
	ttl := uint32(maxPositiveTTL)
	for range maxCNAMEs + 1 {
		msg, server, res, err := r.ask(ctx, name, qtype)
		if err != nil {
			return &qresult{cnames: cnames}, err
		}
		chain, final, answers, chainTTL, rerr := readAnswer(msg, name, qtype, "")
		if rerr != nil {
			return &qresult{cnames: cnames}, &Error{Kind: store.FailBadResponse, Server: server, Rcode: rcodeString(msg.Rcode), Err: rerr}
		}
		cnames = append(cnames, chain...)
		ttl = min(ttl, chainTTL)
		res.cnames = cnames
		switch {
		case len(answers) > 0:
			res.rcode, res.answers, res.ttl = dns.RcodeSuccess, answers, answersTTL(ttl, answers)
			return res, nil
		case msg.Rcode == dns.RcodeNameError:
			// With a CNAME chain, NXDOMAIN speaks of the chain's last
			// name (RFC 6604 §2).
			res.ttl = min(ttl, negativeTTL(msg))
			return res, nil
		case len(chain) > 0 && !hasSOA(msg) && len(cnames) <= maxCNAMEs:
			// An SOA would mean the server chased the chain and found no
			// data at its end (RFC 2308 §2.2); without one, it stopped.
			name = final
			continue
		}
		res.ttl = min(ttl, negativeTTL(msg))
		return res, nil
	}
	return &qresult{cnames: cnames}, &Error{Kind: store.FailBadResponse,
		Err: fmt.Errorf("%w: CNAME chain longer than %d", errBadResponse, maxCNAMEs)}
}

func hasSOA(msg *dns.Msg) bool {
	for _, rr := range msg.Ns {
		if _, ok := rr.(*dns.SOA); ok {
			return true
		}
	}
	return false
}
