package wire

import (
	"golang.org/x/net/http2/hpack"

	"github.com/glassbox-dev/glassbox/store"
)

// ParseHead reads an HTTP/1 head as H1 reports it: its start line, and its
// fields in the order and case they were sent, every one of them (Host,
// Connection, Transfer-Encoding...), with proxy credentials NotRecorded
// (store.Field).
func ParseHead(raw []byte) (start string, fields store.Headers) {
	line, rest := cutLine(raw)
	return string(line), ParseFields(rest)
}

// ParseFields reads field lines (a head after its start line, or a
// trailer section) up to the blank line.
func ParseFields(raw []byte) store.Headers {
	var out store.Headers
	eachField(raw, func(name, value []byte) {
		out = append(out, store.Field(string(name), string(value)))
	})
	return out
}

// FieldsOf is a decoded HTTP/2 header block as it was sent: pseudo-header
// fields (":method", ":status"...) first, as HTTP/2 requires, names in
// lower case, a cookie split into several fields kept split (RFC 9113
// §8.2.3).
func FieldsOf(block []hpack.HeaderField) store.Headers {
	out := make(store.Headers, 0, len(block))
	for _, f := range block {
		out = append(out, store.Field(f.Name, f.Value))
	}
	return out
}
