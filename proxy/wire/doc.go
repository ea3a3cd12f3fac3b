// Package wire reads HTTP as it crosses a connection, beside the parser
// that serves it, for what that parser's result no longer says: the heads
// as they were sent (the order and case of their fields, every field:
// Host, Connection, Transfer-Encoding...), HTTP/2 header blocks as the
// peer encoded them (pseudo-header fields included), trailers, and the
// moments a message's head and last byte crossed.
//
// H1 follows an HTTP/1.1 stream's framing (RFC 9112) and H2 an HTTP/2
// stream's frames (RFC 9113), decoding header blocks with an HPACK
// decoder kept in step with the connection's (RFC 7541). Both copy heads
// and header blocks, never bodies, and both stop for good when the stream
// leaves what they can follow, so a reader never attributes bytes it
// lost track of. The proxy feeds them from its connections (proxy's
// clientwire.go for the browser's side, tap.go for the origin's).
//
// One thing here changes bytes: H1.Lenient, which rewrites a chunk line
// net/http would refuse and curl reads (RFC 9112 §7.1.1 whitespace before
// a chunk extension) into one net/http reads.
package wire
