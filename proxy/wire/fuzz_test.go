package wire_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/proxy/wire"
	"github.com/glassbox-dev/glassbox/store"
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

// FuzzWebSocket feeds anything, in pieces, to both directions, with and
// without compression: never a panic, Data never past MaxMessageData, and
// nothing emitted after the message that says the reader stopped.
func FuzzWebSocket(f *testing.F) {
	f.Add([]byte("\x81\x85\x01\x02\x03\x04ignoq\x88\x02\x03\xe8"), uint8(1), true, false)
	f.Add([]byte("\xc1\x07\xf2\x48\xcd\xc9\xc9\x07\x00\x01\x03abc\x80\x01d"), uint8(3), false, true)
	f.Fuzz(func(t *testing.T, data []byte, piece uint8, send, deflate bool) {
		ws := &wire.WebSocket{Dir: store.MessageReceive}
		if send {
			ws.Dir = store.MessageSend
		}
		if deflate {
			ws.Deflate = &wire.Deflate{}
		}
		stopped := false
		ws.Emit = func(m store.Message) {
			if stopped {
				t.Fatalf("a message after the stop: %+v", m)
			}
			stopped = ws.Stopped()
			if len(m.Data) > store.MaxMessageData {
				t.Fatalf("kept %d bytes", len(m.Data))
			}
		}
		n := max(int(piece), 1)
		for len(data) > 0 {
			k := min(n, len(data))
			ws.Feed(data[:k], time.Time{})
			data = data[k:]
		}
	})
}

// FuzzEventStream feeds anything to an event stream reader: never a
// panic, and Data never past MaxMessageData.
func FuzzEventStream(f *testing.F) {
	f.Add([]byte("event: a\r\ndata: b\n\ndata\rid: \x00\n\n"), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, piece uint8) {
		s := &wire.EventStream{Emit: func(m store.Message) {
			if len(m.Data) > store.MaxMessageData || m.Size < int64(len(m.Data)) {
				t.Fatalf("event keeps %d of %d bytes", len(m.Data), m.Size)
			}
		}}
		n := max(int(piece), 1)
		for len(data) > 0 {
			k := min(n, len(data))
			s.Feed(data[:k], time.Time{})
			data = data[k:]
		}
	})
}
