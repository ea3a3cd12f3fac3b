package store

import "strings"

// What a header field is to a proxy. Most are end to end: glassbox passes
// them on as they came. The others it records as they crossed the wire and
// does not pass on as they are; the views and HAR say which.
const (
	// RoleHopByHop: meant for this connection only (Connection and the
	// fields it names, Keep-Alive, Proxy-Connection, TE, Upgrade...): not
	// forwarded (RFC 9110 §7.6.1). The proxy removes them from what it
	// sends on (FieldRoles is its rule too).
	RoleHopByHop = "hop-by-hop"
	// RoleFraming: how this message's body is delimited on this hop
	// (Transfer-Encoding, Content-Length); glassbox frames the message it
	// forwards itself (RFC 9112 §6).
	RoleFraming = "framing"
	// RolePseudo: an HTTP/2 pseudo-header (:method, :path, :authority,
	// :scheme, :status), HTTP/2's form of the request or status line
	// (RFC 9113 §8.3).
	RolePseudo = "pseudo"
	// RoleProxy: for the proxy itself (Proxy-Authorization,
	// Proxy-Authenticate): never forwarded; a credential is never stored.
	RoleProxy = "proxy"
)

// hopByHop are the hop-by-hop fields RFC 9110 §7.6.1 names, those of
// HTTP/1.0 proxies that still appear, and Trailer, which announces this
// hop's trailers (the proxy announces the ones it forwards itself).
var hopByHop = map[string]bool{"connection": true, "proxy-connection": true, "keep-alive": true, "te": true,
	"upgrade": true, "trailer": true}

// Roles gives each field of h its role ("" for an end-to-end field), in
// order, by FieldRoles.
func (h Headers) Roles() []string {
	role := FieldRoles(h.Values("Connection"), h.Get("Upgrade"))
	out := make([]string, len(h))
	for i, f := range h {
		out[i] = role(f.Name, f.Value)
	}
	return out
}

// FieldRoles is the rule that gives each field of one message its role,
// for the views that label a recorded block and for the proxy that
// decides what it passes on: the same rule, so a label says what
// happened. connection and upgrade are the message's Connection values
// and its Upgrade field. A field Connection names is hop-by-hop too.
// Two exceptions pass on what is usually a hop's own: a WebSocket
// upgrade's Connection and Upgrade (RFC 6455 §4.1: glassbox relays the
// upgrade), and "TE: trailers" alone (RFC 9110 §10.1.4: it says the
// client takes trailers, which glassbox forwards; gRPC requires it).
func FieldRoles(connection []string, upgrade string) func(name, value string) string {
	named := map[string]bool{}
	for _, v := range connection {
		for tok := range strings.SplitSeq(v, ",") {
			named[strings.ToLower(strings.TrimSpace(tok))] = true
		}
	}
	webSocket := named["upgrade"] && strings.EqualFold(strings.TrimSpace(upgrade), "websocket")
	return func(name, value string) string {
		n := strings.ToLower(name)
		switch {
		case strings.HasPrefix(n, ":"):
			return RolePseudo
		case n == "transfer-encoding" || n == "content-length":
			return RoleFraming
		case n == "proxy-authorization" || n == "proxy-authenticate":
			return RoleProxy
		case webSocket && (n == "connection" || n == "upgrade"):
			return ""
		case n == "te" && strings.EqualFold(strings.TrimSpace(value), "trailers"):
			return ""
		case hopByHop[n] || named[n]:
			return RoleHopByHop
		}
		return ""
	}
}
