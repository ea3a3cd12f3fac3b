package har

import (
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/codec"
)

func pageRef(id int64) string { return "page_" + strconv.FormatInt(id, 10) }

func isoTime(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}

func ms(d time.Duration) float64 {
	if d < 0 {
		return -1
	}
	return float64(d.Microseconds()) / 1000
}

func entry(f *store.Flow, c *store.Conn, lk *store.Lookup, page int64, opt Options, budget *codec.Budget) Entry {
	t := store.ComputeTimings(f, c)
	e := Entry{
		StartedDateTime: isoTime(f.Start),
		Timings: Timings{Blocked: ms(t.Blocked), DNS: ms(t.DNS), Connect: ms(t.Connect), SSL: ms(t.SSL),
			Send: ms(t.Send), Wait: ms(t.Wait), Receive: ms(t.Receive)},
		ResourceType:     f.ResourceType,
		ConnectionReused: f.ConnReused,
		Kind:             f.Kind,
		ResendOf:         f.ResendOf,
		Raw: &RawTiming{FlowID: f.ID, GotConn: unixNano(f.GotConn), WroteRequest: unixNano(f.WroteRequest),
			FirstByte: unixNano(f.FirstByte), End: unixNano(f.End)},
	}
	e.Time = ms(t.Total())
	if i := f.Initiator; i.Type != "" {
		e.Initiator = &Initiator{Type: i.HARInitiatorType(), URL: i.URL, Kind: i.Type, Heuristic: i.Heuristic}
		e.InitiatorFlow = i.FlowID
	}
	if page > 0 {
		e.PageRef = pageRef(page)
	}
	if f.ServerAddr != "" {
		e.ServerIPAddress = hostOnly(f.ServerAddr)
	}
	if f.ConnID > 0 {
		e.Connection = strconv.FormatInt(f.ConnID, 10)
	}
	if f.Error != nil {
		e.Error = &Error{Phase: f.Error.Phase, Kind: f.Error.Kind, Message: f.Error.Message}
	}
	if f.Kind == store.KindTunnel || f.Kind == store.KindWebSocket {
		e.Tunnel = &TunnelIO{BytesUp: f.BytesUp, BytesDown: f.BytesDown}
	}
	if c != nil && c.TLS != nil {
		e.TLS = tlsOf(c.TLS)
	}
	if f.Proto != "" {
		e.Client = &Client{HTTPVersion: httpVersion(f.Proto)}
		if f.ClientTLS != nil {
			e.Client.TLS = tlsOf(f.ClientTLS)
		}
	}
	if lk != nil {
		e.DNS = dnsOf(lk)
	}
	e.Request = request(f, opt)
	e.Response = response(f, opt, budget)
	e.Raw.ReqHeadersAsSent = f.ReqHeadersAsSent && unchanged(f.ReqHeaders, e.Request.Headers)
	e.Raw.RespHeadersAsSent = f.RespHeadersAsSent && unchanged(f.RespHeaders, e.Response.Headers) &&
		unchanged(f.RespTrailers, e.Response.Trailers)
	return e
}

// unchanged reports whether the export wrote every field of h as it is:
// a redacted value is no longer what crossed the wire.
func unchanged(h store.Headers, out []NV) bool {
	if len(h) != len(out) {
		return false
	}
	for i, f := range h {
		if out[i].Name != f.Name || out[i].Value != f.Value {
			return false
		}
	}
	return true
}

func tlsOf(t *store.TLSInfo) *TLS {
	return &TLS{Version: t.Version, Cipher: t.Cipher, ALPN: t.ALPN, SNI: t.SNI, Resumed: t.Resumed}
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func hostOnly(addr string) string {
	if i := strings.LastIndex(addr, ":"); i > 0 && !strings.HasSuffix(addr, "]") {
		addr = addr[:i]
	}
	return strings.Trim(addr, "[]")
}

func dnsOf(l *store.Lookup) *DNS {
	d := &DNS{Source: l.Source, Server: l.Server, Rcode: l.Rcode, CNAME: l.CNAMEs, RTT: ms(l.RTT)}
	if d.CNAME == nil {
		d.CNAME = []string{}
	}
	d.Answers = make([]DNSAnswer, 0, len(l.Answers))
	for _, a := range l.Answers {
		d.Answers = append(d.Answers, DNSAnswer{Type: a.Type, Addr: a.Addr, TTL: a.TTL})
	}
	if l.Source != "hosts" {
		ttl := l.TTL
		d.TTL = &ttl
	}
	for _, h := range l.Hops {
		d.Hops = append(d.Hops, DNSHop{Server: h.Server, Zone: h.Zone, Referral: h.Referral, Glue: h.Glue,
			Rcode: h.Rcode, Time: ms(h.End.Sub(h.Start)), Error: h.Error})
	}
	return d
}

// originLeg is the protocol of a flow's leg to the origin, which HAR's
// httpVersion describes: the one recorded, else (a capture from before
// glassbox recorded it, an import) the response's, else the browser's.
func originLeg(f *store.Flow) string {
	for _, p := range []string{f.OriginProto, f.RespProto} {
		if p != "" {
			return p
		}
	}
	return f.Proto
}

func httpVersion(proto string) string {
	switch proto {
	case "HTTP/2.0":
		return "HTTP/2"
	case "HTTP/3.0":
		return "HTTP/3"
	case "":
		return "HTTP/1.1"
	}
	return proto
}
