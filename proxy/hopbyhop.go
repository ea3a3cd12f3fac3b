package proxy

import (
	"net/http"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
)

// The fields a message carries for one connection only are not passed on
// (RFC 9110 §7.6.1): Connection and every field it names, Keep-Alive,
// Proxy-Connection, TE (but "TE: trailers"), Upgrade (but a WebSocket
// upgrade's, which glassbox relays), Trailer (the proxy announces the
// trailers it forwards itself), and the proxy's own Proxy-Authorization
// and Proxy-Authenticate. goproxy takes out only Connection and
// Proxy-Connection (and Proxy-Authorization) from requests, and nothing
// from responses, so the rest reached HTTP/1.1 origins and browsers, and
// an HTTP/2 browser got fields HTTP/2 forbids (RFC 9113 §8.2.2). The rule
// is store.FieldRoles, which also labels the recorded blocks: what they
// call not forwarded is not.

// dropHopByHop removes from h the fields its message carries for its own
// hop. The recorded block was taken before: it keeps them.
func dropHopByHop(h http.Header) {
	rule := store.FieldRoles(h["Connection"], h.Get("Upgrade"))
	for name, values := range h {
		switch rule.Role(name, strings.Join(values, ", ")) {
		case store.RoleHopByHop, store.RoleProxy:
			delete(h, name)
		}
	}
}

// noDefaultUserAgent keeps the Transport from sending a User-Agent the
// browser did not: net/http writes "Go-http-client/1.1" and x/net's
// HTTP/2 "Go-http-client/2.0" for a request without one, and neither
// writes the field when the key is there with no value (net/http's
// Request.write, x/net's httpcommon.EncodeHeaders).
func noDefaultUserAgent(h http.Header) {
	if _, ok := h["User-Agent"]; !ok {
		h["User-Agent"] = nil
	}
}

// noSniffedType keeps the server that answers the browser from adding a
// Content-Type the origin did not send: net/http's and x/net's servers
// set one from the first bytes of the body (http.DetectContentType)
// unless the key is there, and a nil value writes nothing. Sniffing is
// the browser's to do, by its own rules (RFC 9110 §8.3; a script sent
// with nosniff and a guessed text/plain would be refused). Date is left
// to them: a proxy that forwards a response without Date must add one
// (RFC 9110 §6.6.1); the record keeps the origin's head without it.
func noSniffedType(h http.Header) {
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil
	}
}
