package resolver

import (
	"context"
	"fmt"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/netshape"
	"github.com/miekg/dns"
)

// ednsUDPSize is the UDP payload size we advertise with EDNS0 (RFC 6891
// §6.2.5): 1232 bytes is the value DNS Flag Day 2020 settled on, an IPv6
// minimum MTU of 1280 (RFC 8200 §5) minus 40 bytes of IPv6 and 8 of UDP
// header, so answers are never fragmented. Larger answers come back
// truncated and are asked again over TCP.
const ednsUDPSize = 1232

// exchanger sends one query to one server and returns its answer. It is
// the only code that touches miekg/dns's client, so moving to its v2 API
// means rewriting this file.
type exchanger struct {
	timeout time.Duration // per transmission
	latency time.Duration // added per round trip (Config.Latency)
	udp     *dns.Client
	tcp     *dns.Client
}

func newExchanger(timeout time.Duration) *exchanger {
	return &exchanger{
		timeout: timeout,
		udp:     &dns.Client{Net: "udp", UDPSize: ednsUDPSize, Timeout: timeout},
		tcp:     &dns.Client{Net: "tcp", Timeout: timeout},
	}
}

// newQuery builds a query for name (fully qualified) and qtype, with an
// EDNS0 OPT record. recurse sets RD: on for a recursive server, off when
// we walk the tree ourselves (RFC 1034 §4.3.1).
func newQuery(name string, qtype uint16, recurse bool) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.RecursionDesired = recurse
	m.SetEdns0(ednsUDPSize, false)
	return m
}

// exchange asks server over UDP and, when the answer comes back truncated
// (TC bit, RFC 1035 §4.1.1; retry over TCP per RFC 7766 §5), asks again over
// TCP. A server that rejects EDNS0 with FORMERR is asked again without it
// (RFC 6891 §7). rtt is miekg's measure of the exchange that produced the
// answer, write to read, without the dial.
func (x *exchanger) exchange(ctx context.Context, m *dns.Msg, server string) (*dns.Msg, time.Duration, error) {
	r, rtt, err := x.once(ctx, x.udp, m, server)
	if err == nil && r.Rcode == dns.RcodeFormatError && m.IsEdns0() != nil {
		plain := m.Copy()
		plain.Extra = nil
		r, rtt, err = x.once(ctx, x.udp, plain, server)
	}
	if err == nil && r.Truncated {
		r, rtt, err = x.once(ctx, x.tcp, m, server)
	}
	return r, rtt, err
}

// once is one transmission. It is miekg's ExchangeContext spelled out, for
// two reasons:
//
//   - miekg dials with the context it is given, and net.Dialer reports its
//     dials to an httptrace.ClientTrace found in the context. The proxy's
//     context carries the browser request's trace, which would then see the
//     DNS sockets' ConnectStart/ConnectDone as if they were the origin's.
//     So miekg gets a context that keeps the deadline and cancellation but
//     has no values (valueless).
//   - miekg honours only the context's deadline while reading, not its
//     cancellation; closing the socket when the context ends stops a lookup
//     as soon as the browser goes away.
func (x *exchanger) once(ctx context.Context, c *dns.Client, m *dns.Msg, server string) (*dns.Msg, time.Duration, error) {
	qctx, cancel := context.WithTimeout(ctx, x.timeout)
	defer cancel()
	vctx := valueless{qctx}
	conn, err := c.DialContext(vctx, server)
	if err != nil {
		return nil, 0, ctxOr(qctx, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(qctx, func() { conn.Close() })
	defer stop()
	r, rtt, err := c.ExchangeWithConnContext(vctx, m, conn)
	if err != nil {
		return nil, rtt, ctxOr(qctx, err)
	}
	if err := checkReply(m, r); err != nil {
		return nil, rtt, err
	}
	if x.latency > 0 {
		trips := time.Duration(1)
		if c.Net == "tcp" {
			trips = 2 // the handshake, then the query
		}
		if err := netshape.Sleep(ctx, trips*x.latency); err != nil {
			return nil, rtt, err
		}
		rtt += trips * x.latency
	}
	return r, rtt, nil
}

// ctxOr prefers the context's error: once the context has ended, the
// socket error ("use of closed network connection") only says that we
// closed it.
func ctxOr(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%w (%v)", ctxErr, err)
	}
	return err
}

// checkReply rejects a message that is not an answer to q: a reply must
// have QR set and repeat the question (RFC 1035 §4.1.1, §7.3). miekg has
// already matched the ID; a connected UDP socket has matched the source.
// Error replies may omit the question (some servers do for FORMERR).
func checkReply(q, r *dns.Msg) error {
	if !r.Response {
		return fmt.Errorf("%w: QR bit not set", errBadResponse)
	}
	if len(r.Question) == 0 && r.Rcode != dns.RcodeSuccess {
		return nil
	}
	if len(r.Question) != 1 || !sameName(r.Question[0].Name, q.Question[0].Name) ||
		r.Question[0].Qtype != q.Question[0].Qtype || r.Question[0].Qclass != q.Question[0].Qclass {
		return fmt.Errorf("%w: answer does not repeat the question", errBadResponse)
	}
	return nil
}

// valueless is a context with its parent's deadline and cancellation but
// none of its values; see exchanger.once for why. context.WithoutCancel
// would be wrong: it drops values and cancellation alike.
type valueless struct{ parent context.Context }

func (c valueless) Deadline() (time.Time, bool) { return c.parent.Deadline() }
func (c valueless) Done() <-chan struct{}       { return c.parent.Done() }
func (c valueless) Err() error                  { return c.parent.Err() }
func (c valueless) Value(any) any               { return nil }
