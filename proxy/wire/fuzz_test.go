package wire_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/wire"
)

// FuzzH1 feeds anything, in pieces, to requests and responses, strict and
// lenient: H1 never panics, a strict one passes every byte unchanged, a
// lenient one only ever drops bytes or turns one into CR, and every head
// it reports is one the stream holds.
func FuzzH1(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx"), uint8(3), false, false)
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6 ; e\r\nhello \r\n0\r\nT: 1\r\n\r\n"), uint8(1), true, true)
	f.Add([]byte("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\nbody"), uint8(7), true, false)
	f.Fuzz(func(t *testing.T, data []byte, piece uint8, response, lenient bool) {
		h := &wire.H1{Response: response, Lenient: lenient && response}
		ev, out := feed(h, string(data), int(piece))
		if !h.Lenient && out != string(data) {
			t.Fatalf("strict H1 changed the bytes:\n%q\n%q", data, out)
		}
		if len(out) > len(data) {
			t.Fatalf("lenient H1 added bytes: %d > %d", len(out), len(data))
		}
		for _, e := range ev.log {
			if head, ok := bytes.CutPrefix([]byte(e), []byte("head ")); ok && !bytes.Contains(data, head) {
				t.Fatalf("reported a head the stream does not hold: %q", head)
			}
		}
		h.EOF(time.Time{})
	})
}

// FuzzH2 feeds anything to a decoding H2: it never panics.
func FuzzH2(f *testing.F) {
	f.Add(clientStream(f), uint8(0))
	f.Add([]byte("\x00\x00\x03\x01\x05\x00\x00\x00\x01\x82\x84\x87"), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, piece uint8) {
		h := &wire.H2{Preface: len(data) > 0 && data[0] == 'P', Decode: true, Handler: &h2events{}}
		for n := max(int(piece), 1); len(data) > 0; data = data[min(n, len(data)):] {
			h.Feed(data[:min(n, len(data))], time.Time{})
		}
	})
}
