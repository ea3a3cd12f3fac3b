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
var hopByHop = [...]string{"connection", "proxy-connection", "keep-alive", "te", "upgrade", "trailer"}

// Roles gives each field of h its role ("" for an end-to-end field), in
// order, by FieldRoles.
func (h Headers) Roles() []string {
	rule := FieldRoles(h.Values("Connection"), h.Get("Upgrade"))
	out := make([]string, len(h))
	for i, f := range h {
		out[i] = rule.Role(f.Name, f.Value)
	}
	return out
}

// FieldRule is the rule that gives each field of one message its role
// (FieldRoles).
type FieldRule struct {
	// first and more are the tokens the message's Connection fields list,
	// as sent (parts of those values, compared without regard to case): the
	// first few, then the rest. n counts the first.
	first     [4]string
	n         int
	more      []string
	webSocket bool
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
//
// The proxy applies it to both heads of every request, so it allocates
// nothing for a Connection field of up to four tokens: names are compared
// in place (asciiFold), not as lowered copies.
func FieldRoles(connection []string, upgrade string) FieldRule {
	var r FieldRule
	for _, v := range connection {
		for tok := range strings.SplitSeq(v, ",") {
			switch tok = strings.TrimSpace(tok); {
			case tok == "":
			case r.n < len(r.first):
				r.first[r.n] = tok
				r.n++
			default:
				r.more = append(r.more, tok)
			}
		}
	}
	r.webSocket = r.names("upgrade") && strings.EqualFold(strings.TrimSpace(upgrade), "websocket")
	return r
}

// names reports whether Connection lists the field name.
func (r *FieldRule) names(name string) bool {
	for _, tok := range r.first[:r.n] {
		if asciiFold(tok, name) {
			return true
		}
	}
	for _, tok := range r.more {
		if asciiFold(tok, name) {
			return true
		}
	}
	return false
}

// Role is the role of the field name with value value ("" for an end-to-end
// field).
func (r *FieldRule) Role(name, value string) string {
	is := func(lower string) bool { return asciiFold(name, lower) }
	switch {
	case strings.HasPrefix(name, ":"):
		return RolePseudo
	case is("transfer-encoding") || is("content-length"):
		return RoleFraming
	case is("proxy-authorization") || is("proxy-authenticate"):
		return RoleProxy
	case r.webSocket && (is("connection") || is("upgrade")):
		return ""
	case is("te") && strings.EqualFold(strings.TrimSpace(value), "trailers"):
		return ""
	case r.names(name):
		return RoleHopByHop
	}
	for _, h := range hopByHop {
		if is(h) {
			return RoleHopByHop
		}
	}
	return ""
}

// asciiFold reports whether a and b are the same field name: equal but for
// the case of ASCII letters (RFC 9110 §5.1; a name is a token, all ASCII).
// Unlike strings.EqualFold it folds no other letter, so a name such as
// "\u212Aeep-Alive" (a Kelvin sign) is not Keep-Alive.
func asciiFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}
