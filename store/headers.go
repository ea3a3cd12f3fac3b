package store

import "strings"

// What a header field is to a proxy. Most are end to end: glassbox passes
// them on as they came. The others it records as they crossed the wire and
// does not pass on as they are; the views and HAR say which.
const (
	// RoleHopByHop: meant for this connection only (Connection and the
	// fields it names, Keep-Alive, Proxy-Connection, TE, Upgrade...): not
	// forwarded (RFC 9110 §7.6.1).
	RoleHopByHop = "hop-by-hop"
	// RoleFraming: how this message's body is delimited on this hop
	// (Transfer-Encoding, Content-Length); glassbox frames the message it
	// forwards itself (RFC 9112 §6).
	RoleFraming = "framing"
	// RolePseudo: an HTTP/2 pseudo-header (:method, :path, :authority,
	// :scheme, :status), HTTP/2's form of the request or status line
	// (RFC 9113 §8.3).
	RolePseudo = "pseudo"
	// RoleProxy: for the proxy itself (Proxy-Authorization): never
	// forwarded, never stored.
	RoleProxy = "proxy"
)

// hopByHop are the hop-by-hop fields RFC 9110 §7.6.1 names, and those
// of HTTP/1.0 proxies that still appear.
var hopByHop = map[string]bool{"connection": true, "proxy-connection": true, "keep-alive": true, "te": true,
	"upgrade": true, "trailer": true}

// Roles gives each field of h its role ("" for an end-to-end field), in
// order. A field named by Connection is hop-by-hop too.
func (h Headers) Roles() []string {
	named := map[string]bool{}
	for _, v := range h.Values("Connection") {
		for _, tok := range strings.Split(v, ",") {
			named[strings.ToLower(strings.TrimSpace(tok))] = true
		}
	}
	out := make([]string, len(h))
	for i, f := range h {
		n := strings.ToLower(f.Name)
		switch {
		case strings.HasPrefix(n, ":"):
			out[i] = RolePseudo
		case n == "transfer-encoding" || n == "content-length":
			out[i] = RoleFraming
		case n == "proxy-authorization" || n == "proxy-authenticate":
			out[i] = RoleProxy
		case hopByHop[n] || named[n]:
			out[i] = RoleHopByHop
		}
	}
	return out
}
