package resolver

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/miekg/dns"
)

// classify reads one server's answer to (name, qtype) as the server of zone.
// It fills the hop's referral and glue. note is something refused that did
// not make the answer unusable (glue outside the delegated zone).
func classify(zone, name string, qtype uint16, msg *dns.Msg, hop *store.DNSHop) (st *step, note string, err error) {
	switch msg.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		return &step{kind: stepNXDomain, msg: msg}, "", nil
	default:
		return nil, "", fmt.Errorf("server answered %s", rcodeString(msg.Rcode))
	}
	for _, rr := range msg.Answer {
		h := rr.Header()
		if sameName(h.Name, name) && (h.Rrtype == qtype || h.Rrtype == dns.TypeCNAME) {
			return &step{kind: stepAnswer, msg: msg}, "", nil
		}
	}
	child, nsNames := referral(msg)
	if child == "" || (sameName(child, zone) && (msg.Authoritative || hasSOA(msg))) {
		return &step{kind: stepNoData, msg: msg}, "", nil
	}
	hop.Referral = nsNames
	switch {
	case sameName(child, zone):
		return nil, "", fmt.Errorf("referral loop: the server of %s referred to %s again", zone, child)
	case dns.IsSubDomain(child, zone):
		return nil, "", fmt.Errorf("referral loop: the server of %s referred back up to %s", zone, child)
	case !dns.IsSubDomain(zone, child):
		return nil, "", fmt.Errorf("refused referral to %s: outside zone %s", child, zone)
	case !dns.IsSubDomain(child, name):
		return nil, "", fmt.Errorf("refused referral to %s: %s is not inside it", child, name)
	}
	glue, note := glueOf(msg, child, nsNames, hop)
	return &step{kind: stepReferral, msg: msg, next: nextServers(child, nsNames, glue)}, note, nil
}

// referral reads the NS set in the authority section (RFC 1034 §4.3.2,
// step 3b): the zone delegated ("" when there is none) and its name
// servers. Only the first owner's set is considered.
func referral(msg *dns.Msg) (child string, nsNames []string) {
	for _, rr := range msg.Ns {
		ns, ok := rr.(*dns.NS)
		if !ok {
			continue
		}
		owner := strings.ToLower(ns.Hdr.Name)
		if child == "" {
			child = owner
		}
		if owner == child && !slices.Contains(nsNames, strings.ToLower(ns.Ns)) {
			nsNames = append(nsNames, strings.ToLower(ns.Ns))
		}
	}
	return child, nsNames
}

// glueOf takes the glue (RFC 1034 §4.2.1) of a referral to child:
// addresses of the name servers, taken only for servers inside the
// delegated zone, which cannot be found without it; anything else could
// point us at any address. It records the glue taken on hop, and says
// what it ignored in note.
func glueOf(msg *dns.Msg, child string, nsNames []string, hop *store.DNSHop) (glue map[string][]netip.Addr, note string) {
	glue = make(map[string][]netip.Addr)
	var ignored []string
	for _, rr := range msg.Extra {
		a := addrOf(rr)
		owner := strings.ToLower(rr.Header().Name)
		if !a.IsValid() || !slices.Contains(nsNames, owner) {
			continue
		}
		if !dns.IsSubDomain(child, owner) {
			ignored = append(ignored, owner+" "+a.String())
			continue
		}
		glue[owner] = append(glue[owner], a)
		hop.Glue = append(hop.Glue, owner+" "+a.String())
	}
	if len(ignored) > 0 {
		note = fmt.Sprintf("ignored glue outside %s: %s", child, strings.Join(ignored, ", "))
	}
	return glue, note
}

// nextServers orders the servers of child to ask: those with glue first,
// IPv4 before IPv6 (IPv6 is often unreachable); the rest are looked up if
// those fail.
func nextServers(child string, nsNames []string, glue map[string][]netip.Addr) zoneServers {
	next := zoneServers{zone: child}
	for _, n := range nsNames {
		if addrs := glue[n]; len(addrs) > 0 {
			slices.SortStableFunc(addrs, func(x, y netip.Addr) int { return boolInt(y.Is4()) - boolInt(x.Is4()) })
			next.ns = append(next.ns, nsEntry{name: n, addrs: addrs, resolved: true})
		}
	}
	for _, n := range nsNames {
		if len(glue[n]) == 0 {
			next.ns = append(next.ns, nsEntry{name: n})
		}
	}
	return next
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
