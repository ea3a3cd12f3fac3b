package proxy

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/glassbox-dev/glassbox/proxy/dialer"
	"github.com/glassbox-dev/glassbox/store"
)

// Where a request may go. The proxy dials for the browser, so the browser
// cannot apply its own rules about addresses (it never sees them): a page
// on the internet can make a name of its own resolve to 127.0.0.1 or
// 192.168.1.1 (DNS rebinding) and read what answers there as its own site.
// The rule, applied by the dialer to every address once the host is
// resolved (dialer.Config.Allow), so a name is judged by where it leads now:
//
//   - never glassbox's own addresses (its listeners, its profiler), under
//     any name or address form (127.0.0.2, [::ffff:127.0.0.1], 0.0.0.0,
//     a rebinding name): the profiler's command line shows --auth;
//   - a name that looks public may not lead to a loopback, private,
//     link-local or unspecified address, unless Config.AllowPrivate;
//   - IP addresses, names from the hosts file, and names only a local
//     resolver can answer (localhost, single labels, the special-use
//     domains below) may lead anywhere else: they are the user's own
//     choice, and the browser's same-origin rules see them as they are.
type destinations struct {
	own          []netip.AddrPort // listeners and profiler, unmapped
	local        []netip.Addr     // this machine's addresses, when an own address is unspecified (0.0.0.0, ::)
	allowPrivate bool
}

// newDestinations parses the proxy's own addresses ("127.0.0.1:8080",
// "[::1]:8080", "localhost:6060", ":8080").
func newDestinations(own []string, allowPrivate bool) (*destinations, error) {
	d := &destinations{allowPrivate: allowPrivate}
	anyAddr := false
	for _, s := range own {
		host, port, err := net.SplitHostPort(s)
		if err != nil {
			return nil, fmt.Errorf("proxy: own address %q: %w", s, err)
		}
		var addrs []netip.Addr
		switch a, err := netip.ParseAddr(host); {
		case err == nil:
			addrs = []netip.Addr{a.Unmap()}
		case host == "":
			addrs = []netip.Addr{netip.IPv6Unspecified()}
		case strings.EqualFold(host, "localhost"):
			addrs = []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()}
		default:
			return nil, fmt.Errorf("proxy: own address %q: want an IP address and a port", s)
		}
		p, err := netip.ParseAddrPort(net.JoinHostPort("0.0.0.0", port))
		if err != nil {
			return nil, fmt.Errorf("proxy: own address %q: %w", s, err)
		}
		for _, a := range addrs {
			d.own = append(d.own, netip.AddrPortFrom(a, p.Port()))
			anyAddr = anyAddr || a.IsUnspecified()
		}
	}
	if anyAddr {
		ifaddrs, _ := net.InterfaceAddrs()
		for _, ia := range ifaddrs {
			if pfx, err := netip.ParsePrefix(ia.String()); err == nil {
				d.local = append(d.local, pfx.Addr().Unmap())
			}
		}
	}
	return d, nil
}

// allow is the dialer's Config.Allow.
func (d *destinations) allow(host string, lk *store.Lookup, ap netip.AddrPort) *dialer.Refusal {
	a := ap.Addr().Unmap()
	if d.isOwn(a, ap.Port()) {
		return &dialer.Refusal{Kind: store.FailOwnAddress, Addr: ap,
			Reason: "it is glassbox's own address (its proxy port or its profiler), which it never forwards to"}
	}
	if d.allowPrivate || !privateAddr(a) || localName(host) || (lk != nil && lk.Source == hostsSource) {
		return nil
	}
	return &dialer.Refusal{Kind: store.FailPrivateAddress, Addr: ap,
		Reason: fmt.Sprintf("%s looks like a public name but leads to a loopback or private address, as DNS rebinding does (--allow-private allows it)", host)}
}

// hostsSource is the lookup source of an answer from the hosts file
// (resolver.SourceHosts): a mapping the user wrote.
const hostsSource = "hosts"

// isOwn reports whether a, port reaches one of glassbox's own listeners.
func (d *destinations) isOwn(a netip.Addr, port uint16) bool {
	for _, o := range d.own {
		if o.Port() != port {
			continue
		}
		switch oa := o.Addr(); {
		case a == oa, a.IsUnspecified(): // 0.0.0.0 and :: reach this machine
			return true
		case oa.IsLoopback() && a.IsLoopback(): // all of 127/8 is this machine
			return true
		case oa.IsUnspecified() && (a.IsLoopback() || containsAddr(d.local, a)):
			return true
		}
	}
	return false
}

func containsAddr(list []netip.Addr, a netip.Addr) bool {
	for _, b := range list {
		if a == b {
			return true
		}
	}
	return false
}

// Address ranges that are not the internet's but privateAddr's, besides
// what netip names (loopback, RFC 1918 and RFC 4193 private, link-local).
var (
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")     // RFC 791: "this network"; Linux connects 0.0.0.0 to itself
	sharedSpace = netip.MustParsePrefix("100.64.0.0/10") // RFC 6598: carrier-grade NAT, and VPN meshes
	siteLocal   = netip.MustParsePrefix("fec0::/10")     // RFC 3879: deprecated, still routed locally
	nat64       = netip.MustParsePrefix("64:ff9b::/96")  // RFC 6052: an IPv4 address inside
)

// privateAddr reports whether a is on this machine or its networks rather
// than the internet.
func privateAddr(a netip.Addr) bool {
	a = a.Unmap()
	if nat64.Contains(a) {
		b := a.As16()
		a = netip.AddrFrom4([4]byte(b[12:]))
	}
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsUnspecified() ||
		thisNetwork.Contains(a) || sharedSpace.Contains(a) || siteLocal.Contains(a)
}

// localDomains are special-use domains no public DNS answers for (RFC 6761
// .localhost, .test, .invalid, .example; RFC 6762 .local; RFC 8375
// home.arpa; .internal, which ICANN reserved for private use in 2024): a
// name under one can only be the user's own resolver's.
var localDomains = []string{".localhost", ".test", ".invalid", ".example", ".local", ".home.arpa", ".internal"}

// localName reports whether host is an IP address or a name only a local
// resolver can answer: one label ("localhost", "intranet": the public DNS
// has no such host), or one under localDomains.
func localName(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if _, err := netip.ParseAddr(h); err == nil || !strings.Contains(h, ".") {
		return true
	}
	for _, d := range localDomains {
		if strings.HasSuffix(h, d) {
			return true
		}
	}
	return false
}
