package explain_test

import (
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/inspector/explain"
)

func TestPhaseInfo(t *testing.T) {
	for _, tc := range []struct{ name, phase, title, mention string }{
		{"blocked", "blocked", "Queued", "six over HTTP/1.1"},          // queueing for a connection
		{"dns", "dns", "DNS lookup", "IP address"},                     // the address lookup
		{"connect", "connect", "TCP connect", "SYN-ACK"},               // the TCP handshake
		{"tls", "tls", "TLS handshake", "certificate"},                 // the TLS handshake
		{"ssl-is-tls", "ssl", "TLS handshake", "old name"},             // HAR calls it ssl
		{"send", "send", "Sending", "request"},                         // writing the request
		{"wait", "wait", "Waiting (time to first byte)", "round trip"}, // time to first byte
		{"receive", "receive", "Downloading", "bandwidth"},             // the download
		{"upper-case", "DNS", "DNS lookup", "IP address"},              // names are matched without case
	} {
		t.Run(tc.name, func(t *testing.T) {
			title, meaning := explain.PhaseInfo(tc.phase)
			if title != tc.title || !strings.Contains(meaning, tc.mention) {
				t.Errorf("PhaseInfo(%q) = %q, %q; want title %q mentioning %q", tc.phase, title, meaning, tc.title, tc.mention)
			}
		})
	}
	if title, meaning := explain.PhaseInfo("warp"); title != "warp" || meaning != "" {
		t.Errorf("unknown phase: %q, %q", title, meaning)
	}
}

func TestReuse(t *testing.T) {
	if s := explain.Reuse(true); !strings.Contains(s, "skipped the DNS lookup") {
		t.Errorf("Reuse(true) = %q", s)
	}
	if s := explain.Reuse(false); !strings.Contains(s, "new connection") {
		t.Errorf("Reuse(false) = %q", s)
	}
}

func TestHTTPVersion(t *testing.T) {
	for _, tc := range []struct{ name, proto, mention string }{
		{"http-1.0", "HTTP/1.0", "one request per connection"},           // an old server or client
		{"http-1.1", "HTTP/1.1", "one request at a time per connection"}, // the usual text protocol
		{"http-2-as-go-spells-it", "HTTP/2.0", "multiplexing"},           // Go's resp.Proto for HTTP/2
		{"h2-alpn", "h2", "HPACK"},                                       // the ALPN name from the TLS handshake
		{"http-3", "HTTP/3", "QUIC"},                                     // QUIC
		{"h3-alpn", "h3", "QPACK"},                                       // the ALPN name for HTTP/3
		{"unknown", "SPDY/3", ""},                                        // a protocol glassbox does not explain
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := explain.HTTPVersion(tc.proto)
			if tc.mention == "" {
				if got != "" {
					t.Errorf("HTTPVersion(%q) = %q, want empty", tc.proto, got)
				}
				return
			}
			if !strings.Contains(got, tc.mention) {
				t.Errorf("HTTPVersion(%q) = %q, want it to mention %q", tc.proto, got, tc.mention)
			}
		})
	}
}

func TestMethod(t *testing.T) {
	for _, tc := range []struct{ name, method, mention string }{
		{"get", "GET", "RFC 9110 §9.3.1"},     // a page load
		{"post", "post", "RFC 9110 §9.3.3"},   // a form, in lower case
		{"patch", "PATCH", "RFC 5789"},        // a partial update, defined outside RFC 9110
		{"options", "OPTIONS", "preflight"},   // a CORS preflight
		{"custom", "PURGE", "not a standard"}, // a CDN's own method
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := explain.Method(tc.method); !strings.Contains(got, tc.mention) {
				t.Errorf("Method(%q) = %q, want %q", tc.method, got, tc.mention)
			}
		})
	}
}
