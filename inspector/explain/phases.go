package explain

import (
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// PhaseInfo names a timing phase (the HAR 1.2 timings, as store.Timings
// holds them) and says what happens during it. "ssl" and "tls" are the same
// phase. An unknown name comes back as its own title with no meaning.
func PhaseInfo(name string) (title, meaning string) {
	switch strings.ToLower(name) {
	case "blocked":
		return "Queued", "Time glassbox held the request before a connection to the server was ready for it, other than the DNS lookup and the handshakes: waiting for a connection that another request was using or opening. The browser's own queue (it opens only a few connections per host, six over HTTP/1.1) comes before the request reaches glassbox and is not measured here."
	case "dns":
		return "DNS lookup", "Turning the host name into an IP address: from a cache, from the hosts file, or by asking a DNS server, which may have to ask others (RFC 1034 §5)."
	case "connect":
		return "TCP connect", "The three-way handshake that opens a TCP connection: the client sends SYN, the server answers SYN-ACK, the client sends ACK. It costs one network round trip (RFC 9293 §3.5). In HAR, connect also includes the TLS handshake."
	case "tls", "ssl":
		return "TLS handshake", "Securing the connection: both sides agree on keys and a cipher, and the server proves who it is with its certificate. TLS 1.3 needs one round trip, TLS 1.2 two (RFC 8446 §2). SSL is the old name of TLS."
	case "send":
		return "Sending", "Writing the request (its line, headers and body) onto the connection. Tiny unless the request uploads something large."
	case "wait":
		return "Waiting (time to first byte)", "From the end of the request to the first byte of the answer: one network round trip plus the server's own work. A long wait usually means the server (or a database behind it) is slow."
	case "receive":
		return "Downloading", "From the first byte of the answer to the last. It grows with the size of the body and shrinks with bandwidth."
	}
	return name, ""
}

// Reuse explains whether a request opened a new connection or reused one.
func Reuse(reused bool) string {
	if reused {
		return "Reused an open connection: glassbox sent this request over a connection to the server it had opened for an earlier one, so it skipped the DNS lookup and the TCP and TLS handshakes. HTTP/1.1 keeps a connection open after a response so the next request can go straight out (RFC 9112 §9.3); HTTP/2 and HTTP/3 go further and carry many requests over one connection at once (RFC 9113 §5)."
	}
	return "Opened a new connection: before this request could be sent, the address had to be found (DNS), a TCP connection made and, for https, a TLS handshake done. Later requests to the same server can reuse it."
}

// HTTPVersion says what a protocol version changes for the learner. It
// accepts the spellings glassbox records ("HTTP/1.1", "HTTP/2.0") and the
// ALPN names ("http/1.1", "h2", "h3"); unknown versions give "".
func HTTPVersion(proto string) string {
	switch versionName(proto) {
	case "HTTP/1.0":
		return "HTTP/1.0: text messages, and by default one request per connection: the connection closes after each response, so every request pays for a new TCP (and TLS) handshake (RFC 1945)."
	case "HTTP/1.1":
		return "HTTP/1.1: text messages, one request at a time per connection: the next request on a connection waits until the previous response is complete, so browsers open up to six connections per host. Connections stay open for reuse by default (RFC 9112)."
	case "HTTP/2":
		return "HTTP/2: binary frames, and many requests at once on one connection (multiplexing), so a browser needs only one connection per host. Headers are compressed with HPACK, so repeated headers cost a few bytes. It still runs on TCP, where one lost packet holds up every request on the connection (RFC 9113)."
	case "HTTP/3":
		return "HTTP/3: HTTP over QUIC, which runs on UDP. Requests are multiplexed like HTTP/2, but a lost packet only delays its own request; headers are compressed with QPACK; and the connection and TLS 1.3 handshakes happen together, in one round trip (RFC 9114, RFC 9000)."
	}
	return ""
}

// versionName normalises a protocol name: "HTTP/2.0" and "h2" -> "HTTP/2".
func versionName(proto string) string {
	switch strings.ToLower(strings.TrimSpace(proto)) {
	case "http/1.0":
		return "HTTP/1.0"
	case "http/1.1":
		return "HTTP/1.1"
	case "http/2", "http/2.0", "h2", "h2c":
		return "HTTP/2"
	case "http/3", "http/3.0", "h3":
		return "HTTP/3"
	}
	return proto
}

// InFlight says, for a flow that has not ended, what it is doing and for
// how long (store.Marks.InFlight's step, the time since that step began)
// with bytes so far for a download: "waiting for the first byte: 12.4 s".
// live is false when nobody records the session any more: then the flow
// never ended, and the sentence says where it was left (not for how long:
// when recording stopped is not known).
func InFlight(step string, elapsed time.Duration, bytes int64, live bool) string {
	var what string
	switch step {
	case store.StepConnection:
		what = "getting a connection (lookup, TCP and TLS, or a wait for a free one)"
	case "send":
		what = "sending the request"
	case "wait":
		what = "waiting for the first byte"
	case "receive":
		what = "downloading, " + FormatBytes(bytes) + " so far"
	default:
		return ""
	}
	if !live {
		return "Never ended: glassbox stopped recording while it was " + what + ". What is shown is the last state recorded."
	}
	return what + ": " + FormatDuration(elapsed)
}
