package store

import "strings"

// NotRecorded is the value glassbox keeps in place of a proxy credential:
// the field shows that credentials were offered, never what they were.
const NotRecorded = "[not recorded]"

// ProxyCredential reports whether a header field carries credentials for
// the proxy itself (Proxy-Authorization, RFC 9110 §11.7.2): glassbox's own
// --auth password, or a proxy's a HAR file came through. They are for the
// hop to glassbox, not the request, so no path keeps them: the proxy
// records them as NotRecorded (Field) and the database writes
// NotRecorded whatever it is given (an imported file's among it).
func ProxyCredential(name string) bool {
	return len(name) == len("Proxy-Authorization") && strings.EqualFold(name, "Proxy-Authorization")
}

// Field is a header field as glassbox records it, whoever read it (net/http's
// map in HeadersFrom, or the bytes as they crossed, proxy/wire): a proxy
// credential's value is NotRecorded.
func Field(name, value string) Header {
	if ProxyCredential(name) {
		value = NotRecorded
	}
	return Header{Name: name, Value: value}
}
