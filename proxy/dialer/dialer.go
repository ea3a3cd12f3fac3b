// Package dialer opens glassbox's upstream connections step by step
// (resolve, TCP, TLS), timing each step and recording it on a store.Conn
// that travels with the connection, so the proxy can show a learner what
// the connection a request used cost, and why a failed one failed.
//
// Once the proxy dials IP addresses itself, Go's own dual-stack fallback
// is gone, so the Dialer makes staggered attempts across the addresses
// found (RFC 8305, "Happy Eyeballs Version 2") and records each one.
package dialer

import (
	"cmp"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/netshape"
	"github.com/glassbox-dev/glassbox/store"
)

// Resolver finds the addresses of a host; *resolver.Resolver is one. lk
// should be non-nil whenever a lookup was made, even on error.
type Resolver interface {
	Lookup(ctx context.Context, host string) (addrs []netip.Addr, lk *store.Lookup, err error)
}

// Defaults for Config.
const (
	// DefaultConnectTimeout bounds one TCP attempt. Long enough for a
	// slow far-away server, short of the minutes a kernel's SYN retries
	// take (Linux tcp_syn_retries=6: about 127 s).
	DefaultConnectTimeout = 10 * time.Second

	// DefaultTLSTimeout bounds the TLS handshake, as http.Transport's
	// TLSHandshakeTimeout does (also 10 s in http.DefaultTransport).
	DefaultTLSTimeout = 10 * time.Second

	// DefaultFallbackDelay is the Connection Attempt Delay of RFC 8305
	// §5, which recommends 250 ms (and no less than 100 ms). Go's own
	// dialer uses 300 ms.
	DefaultFallbackDelay = 250 * time.Millisecond
)

// DefaultNextProtos is the ALPN offer (RFC 7301) made upstream: HTTP/2
// first, as browsers do.
func DefaultNextProtos() []string { return []string{"h2", "http/1.1"} }

// Config is the Dialer's configuration; zero values take the defaults.
type Config struct {
	// Resolver finds the addresses of host names. Required unless only
	// IP addresses are dialed.
	Resolver Resolver
	// TLSConfig is the base client configuration for origins (RootCAs,
	// InsecureSkipVerify...). It is cloned per dial; ServerName and
	// NextProtos are set on the clone.
	TLSConfig *tls.Config
	// NextProtos is the ALPN offer; default DefaultNextProtos(). An
	// http.Transport given DialTLSContext must speak every protocol
	// offered (ForceAttemptHTTP2 for "h2").
	NextProtos []string
	// ConnectTimeout bounds each TCP attempt.
	ConnectTimeout time.Duration
	// TLSTimeout bounds the TLS handshake.
	TLSTimeout time.Duration
	// FallbackDelay is how long an attempt runs alone before the next
	// address is tried too (RFC 8305 §5).
	FallbackDelay time.Duration
	// OnLookup, if set, is called once per lookup made (cache hits
	// included, IP literals not), after the lookup's ID is set. It owns
	// the value. It runs on the dialing goroutine: it must not block
	// (store.Recorder's methods do not).
	OnLookup func(*store.Lookup)
	// OnConn, if set, is called when a dial ends, successful or not
	// (Error set; Closed too when a TCP connection had been made), and
	// once more when a successful connection closes (Closed set). Each
	// call gets its own copy, which it owns. It runs on the dialing or
	// closing goroutine and must not block.
	OnConn func(*store.Conn)
	// Allow, if set, is asked about every address a dial would connect
	// to, once the host is resolved: a name is judged by where it leads
	// now (DNS rebinding changes that). lk is the lookup made (nil for an
	// IP address). A Refusal keeps the dial from that address; when every
	// address is refused the dial fails with phase store.PhaseProxy and
	// the first refusal's kind. It runs on the dialing goroutine.
	Allow func(host string, lk *store.Lookup, addr netip.AddrPort) *Refusal
	// NetDial makes one TCP connection to an IP:port; default a
	// net.Dialer. Tests inject their own.
	NetDial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Shape makes the connections behave like a slower network (a round
	// trip added to the TCP handshake and to every answer read, bytes per
	// second paced): --latency, --bandwidth, --network. Zero shapes nothing.
	Shape netshape.Profile
	// Now is the clock of every timestamp on a connection's record (DNS,
	// TCP attempts, TLS, close); default time.Now. The proxy hands its own,
	// so a flow's times and its connection's come from one source.
	Now func() time.Time
}

// Dialer opens recorded connections. It numbers connections and lookups
// itself, from 1, because the numbers are per proxy session (see package
// store); SessionID is left for the recorder.
type Dialer struct {
	cfg Config // with the defaults filled in

	connIDs, lookupIDs atomic.Int64
}

// New returns a Dialer for cfg.
func New(cfg Config) *Dialer {
	cfg.NextProtos = slices.Clone(cfg.NextProtos)
	if len(cfg.NextProtos) == 0 {
		cfg.NextProtos = DefaultNextProtos()
	}
	cfg.ConnectTimeout = positive(cfg.ConnectTimeout, DefaultConnectTimeout)
	cfg.TLSTimeout = positive(cfg.TLSTimeout, DefaultTLSTimeout)
	cfg.FallbackDelay = positive(cfg.FallbackDelay, DefaultFallbackDelay)
	if cfg.NetDial == nil {
		cfg.NetDial = (&net.Dialer{}).DialContext
	}
	cfg.NetDial = cfg.Shape.Dial(cfg.NetDial)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Dialer{cfg: cfg}
}

func positive(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}

// DialContext opens a TCP connection to addr ("host:port"), for http://
// origins and CONNECT tunnels. The result is a *Conn.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, _, err := d.dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	d.finish(c)
	return c, nil
}

// DialTLSContext opens a TCP connection to addr and makes a TLS handshake
// over it. The result is a *tls.Conn whose NetConn() is a *Conn.
func (d *Dialer) DialTLSContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, lk, err := d.dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	tc, err := d.handshake(ctx, c, c.info.Host, c.info)
	if err != nil {
		c.Close() // not armed yet: reports nothing
		c.info.Closed = d.cfg.Now()
		return nil, d.fail(c.info, lk, store.PhaseTLS, tlsKind(err), err)
	}
	d.finish(c)
	return tc, nil
}

// dial resolves and connects, and returns the lookup made, if any. Every
// failure is a *DialError, already reported.
func (d *Dialer) dial(ctx context.Context, network, addr string) (*Conn, *store.Lookup, error) {
	info := &store.Conn{ID: d.connIDs.Add(1)}
	port, err := parseTarget(network, addr, info)
	if err != nil {
		return nil, nil, d.fail(info, nil, store.PhaseConnect, store.FailError, err)
	}
	addrs, lk, err := d.resolve(ctx, network, info)
	if err != nil {
		return nil, nil, err
	}
	if addrs, err = d.allowed(info, lk, addrs, port); err != nil {
		return nil, nil, err
	}
	nc, err := d.connect(ctx, network, addrs, port, info)
	if err != nil {
		return nil, nil, d.fail(info, lk, store.PhaseConnect, connectKind(err), err)
	}
	info.RemoteAddr = nc.RemoteAddr().String()
	info.LocalAddr = nc.LocalAddr().String()
	return &Conn{Conn: nc, info: info, now: d.cfg.Now}, lk, nil
}

// parseTarget sets info's Host and Port from addr ("host:port") and
// returns the port's number.
func parseTarget(network, addr string, info *store.Conn) (uint16, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		info.Host = addr
		return 0, fmt.Errorf("dialer: %w", err)
	}
	info.Host, info.Port = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), port
	if network != "tcp" && network != "tcp4" && network != "tcp6" {
		return 0, fmt.Errorf("dialer: network %q not supported", network)
	}
	n, err := net.LookupPort(network, port) // numeric, or from /etc/services
	if err != nil {
		return 0, fmt.Errorf("dialer: %w", err)
	}
	return uint16(n), nil
}

// resolve finds the addresses to try, in the order of RFC 8305 §4: the
// host itself when it is an IP address, else the resolver's answer, kept
// to network's family. A failure is a *DialError, already reported.
func (d *Dialer) resolve(ctx context.Context, network string, info *store.Conn) ([]netip.Addr, *store.Lookup, error) {
	var addrs []netip.Addr
	var lk *store.Lookup
	if a, err := netip.ParseAddr(info.Host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		if d.cfg.Resolver == nil {
			return nil, nil, d.fail(info, nil, store.PhaseDNS, store.FailError, fmt.Errorf("lookup %s: no resolver configured", info.Host))
		}
		info.DNSStart = d.cfg.Now()
		addrs, lk, err = d.cfg.Resolver.Lookup(ctx, info.Host)
		info.DNSEnd = d.cfg.Now()
		if lk != nil {
			lk.ID = d.lookupIDs.Add(1)
			info.LookupID = lk.ID
			if d.cfg.OnLookup != nil {
				d.cfg.OnLookup(lk)
			}
		}
		if err != nil {
			return nil, lk, d.fail(info, lk, store.PhaseDNS, dnsKind(err), err)
		}
	}
	if addrs = sortAddrs(filterFamily(network, addrs)); len(addrs) == 0 {
		return nil, lk, d.fail(info, lk, store.PhaseDNS, store.FailNoAddress,
			fmt.Errorf("lookup %s: no address for network %s", info.Host, network))
	}
	return addrs, lk, nil
}

// allowed keeps the addresses Config.Allow lets a dial reach. When it
// refuses them all, the dial fails (phase proxy) with the first refusal,
// already reported.
func (d *Dialer) allowed(info *store.Conn, lk *store.Lookup, addrs []netip.Addr, port uint16) ([]netip.Addr, error) {
	if d.cfg.Allow == nil {
		return addrs, nil
	}
	kept := make([]netip.Addr, 0, len(addrs))
	var first *Refusal
	for _, a := range addrs {
		if r := d.cfg.Allow(info.Host, lk, netip.AddrPortFrom(a, port)); r != nil {
			first = cmp.Or(first, r)
			continue
		}
		kept = append(kept, a)
	}
	if len(kept) == 0 {
		return nil, d.fail(info, lk, store.PhaseProxy, first.Kind, first)
	}
	return kept, nil
}

// Refusal is why Config.Allow keeps a dial from an address.
type Refusal struct {
	Kind   string // one of store's Fail constants, of phase store.PhaseProxy
	Addr   netip.AddrPort
	Reason string // a sentence: why glassbox does not go there
}

func (r *Refusal) Error() string {
	return "glassbox does not connect to " + r.Addr.String() + ": " + r.Reason
}

// finish reports a successful dial and arms the close report.
func (d *Dialer) finish(c *Conn) {
	c.onClose = d.cfg.OnConn
	if d.cfg.OnConn != nil {
		d.cfg.OnConn(cloneInfo(c.info))
	}
}

// fail records a failed dial, reports it, and returns its error.
func (d *Dialer) fail(info *store.Conn, lk *store.Lookup, phase, kind string, err error) error {
	info.Error = &store.FlowError{Phase: phase, Kind: kind, Message: err.Error()}
	if d.cfg.OnConn != nil {
		d.cfg.OnConn(cloneInfo(info))
	}
	return &DialError{Phase: phase, Kind: kind, Conn: info, Lookup: lk, Err: err}
}

// filterFamily keeps the addresses network can reach: all for "tcp".
func filterFamily(network string, addrs []netip.Addr) []netip.Addr {
	if network == "tcp" {
		return addrs
	}
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		if a.Unmap().Is4() == (network == "tcp4") {
			out = append(out, a)
		}
	}
	return out
}
